"""The archive's manifest: what the archive holds, and the SHA-256 and size of every part of it.

Every byte of an archive that is loaded into a portal is covered by the manifest (``data.json``
by its hash, each file by its own), so checking the manifest's signature checks the whole
archive. Reading is strict: a manifest that is not exactly of this format is refused rather
than half understood.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field

from . import scope

#: 2: ``data`` carries the hash of data.json, ``links`` the many-to-many links and
#: ``audit_head`` the last audit entry.
FORMAT = 2
MANIFEST = "manifest.json"
DATA = "data.json"
FILES = "files/"
SHA256_LENGTH = 64


class ArchiveError(Exception):
    """The archive cannot be written, read or imported as it is; the message says why."""


@dataclass
class FileRecord:
    model: str
    field: str
    name: str
    sha256: str = ""
    size: int = 0

    @property
    def member(self) -> str:
        return f"{FILES}{self.model}/{self.field}/{self.name}"


@dataclass
class Manifest:
    counts: dict[str, int] = field(default_factory=dict)
    #: Rows of each many-to-many table (which ``counts`` does not list: they are no models).
    links: dict[str, int] = field(default_factory=dict)
    files: list[FileRecord] = field(default_factory=list)
    migrations: dict[str, list[str]] = field(default_factory=dict)
    missing_files: list[FileRecord] = field(default_factory=list)
    data_sha256: str = ""
    data_size: int = 0
    #: ``SEQUENCE:HASH`` of the last audit entry ("" for none): the chain alone cannot show a
    #: tail cut off, the head can.
    audit_head: str = ""
    source_database: str = ""
    created_at: str = ""

    def to_bytes(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "created_at": self.created_at,
                "source_database": self.source_database,
                "migrations": self.migrations,
                "counts": self.counts,
                "links": self.links,
                "excluded": scope.exclusions(),
                "data": {"sha256": self.data_sha256, "size": self.data_size},
                "audit_head": self.audit_head,
                "files": [vars(record) for record in self.files],
                "missing_files": [vars(record) for record in self.missing_files],
            },
            indent=1,
            sort_keys=True,
        ).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise ArchiveError(f"The archive's manifest is not JSON: {error}.") from error
        if not isinstance(data, dict):
            raise ArchiveError("The archive's manifest is not a JSON object.")
        if data.get("format") != FORMAT:
            raise ArchiveError(
                f"Unknown archive format {data.get('format')!r}; this version reads format "
                f"{FORMAT} (export the portal again with this version)."
            )
        try:
            manifest = cls(
                counts=_mapping(data["counts"], int),
                links=_mapping(data["links"], int),
                files=[_file_record(record) for record in data["files"]],
                migrations=_mapping(data["migrations"], list),
                missing_files=[_file_record(record) for record in data["missing_files"]],
                data_sha256=_sha256(data["data"]["sha256"]),
                data_size=_size(data["data"]["size"]),
                audit_head=_text(data["audit_head"]),
                source_database=_text(data["source_database"]),
                created_at=_text(data["created_at"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ArchiveError(f"The archive's manifest is malformed: {error!r}.") from error
        listed = [(r.model, r.field, r.name) for r in manifest.files + manifest.missing_files]
        if len(set(listed)) != len(listed):
            raise ArchiveError("The archive's manifest lists a file twice.")
        return manifest


def _text(value) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, not {value!r}")
    return value


def _size(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"expected a size, not {value!r}")
    return value


def _sha256(value) -> str:
    value = _text(value)
    if len(value) != SHA256_LENGTH or value.strip("0123456789abcdef"):
        raise ValueError(f"expected a SHA-256 in hex, not {value!r}")
    return value


def _mapping(value, kind) -> dict:
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, kind) and not isinstance(item, bool)
        for key, item in value.items()
    ):
        raise TypeError(f"expected an object of {kind.__name__} values")
    if kind is list and not all(isinstance(n, str) for names in value.values() for n in names):
        raise TypeError("expected migration names")
    return value


def _file_record(value) -> FileRecord:
    if not isinstance(value, dict):
        raise TypeError(f"expected a file record, not {value!r}")
    record = FileRecord(
        model=_text(value["model"]),
        field=_text(value["field"]),
        name=_text(value["name"]),
        sha256=value["sha256"] and _sha256(value["sha256"]),
        size=_size(value["size"]),
    )
    if not is_safe_name(record.name):
        raise ValueError(f"a stored file name must be a relative path: {record.name!r}")
    return record


def is_safe_name(name: str) -> bool:
    """A stored name that stays inside its storage: relative, no ``..``, no backslash."""
    return bool(
        name
        and "\\" not in name
        and "\x00" not in name
        and not name.startswith("/")
        and posixpath.normpath(name) == name
        and not name.startswith("../")
        and name != ".."
    )
