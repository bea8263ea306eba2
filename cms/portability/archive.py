"""Writing and reading a portal archive.

Layout of the ZIP file::

    manifest.json   format, source database, applied migrations, per-model counts, files
    data.json       every exported row (Django's JSON serialization, natural foreign keys)
    files/<model>/<field>/<stored name>   each stored file, byte for byte
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JsonSerializer
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from . import scope

FORMAT = 1
MANIFEST = "manifest.json"
DATA = "data.json"
CHUNK = 1024 * 1024


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
        return f"files/{self.model}/{self.field}/{self.name}"


@dataclass
class Manifest:
    counts: dict[str, int] = field(default_factory=dict)
    files: list[FileRecord] = field(default_factory=list)
    migrations: dict[str, list[str]] = field(default_factory=dict)
    missing_files: list[FileRecord] = field(default_factory=list)
    source_database: str = ""
    created_at: str = ""

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "created_at": self.created_at,
                "source_database": self.source_database,
                "migrations": self.migrations,
                "counts": self.counts,
                "excluded": scope.exclusions(),
                "files": [vars(record) for record in self.files],
                "missing_files": [vars(record) for record in self.missing_files],
            },
            indent=1,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ArchiveError(f"Unknown archive format {data.get('format')!r}; expected {FORMAT}.")
        return cls(
            counts=data["counts"],
            files=[FileRecord(**record) for record in data["files"]],
            migrations=data["migrations"],
            missing_files=[FileRecord(**record) for record in data.get("missing_files", [])],
            source_database=data.get("source_database", ""),
            created_at=data.get("created_at", ""),
        )


class FullPrecisionEncoder(DjangoJSONEncoder):
    """Times with their microseconds: Django's encoder cuts them to milliseconds, which would
    change what the audit log's hashes were computed over."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class PortalSerializer(JsonSerializer):
    """Django's JSON serializer, with natural keys for references to the rows the target
    recreates itself (content types, permissions) and primary keys for everything else: other
    rows keep their keys, and log entries may legitimately point at rows deleted since."""

    def _use_natural_key(self, field) -> bool:
        return scope.label(field.remote_field.model) in scope.NATURAL_KEY_TARGETS

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = self._use_natural_key(field)
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = self._use_natural_key(field)
        super().handle_m2m_field(obj, field)


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def sha256_and_size(stream) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _rows(models, counts: Counter, using: str) -> Iterator:
    for model in models:
        queryset = model._base_manager.using(using).order_by(model._meta.pk.attname)
        for obj in queryset.iterator(chunk_size=2000):
            counts[scope.label(model)] += 1
            yield obj


def _stored_files(models, using: str) -> Iterator[tuple[FileRecord, object]]:
    for model in models:
        for file_field in scope.file_fields(model):
            names = (
                model._base_manager.using(using)
                .exclude(**{file_field.attname: ""})
                .exclude(**{f"{file_field.attname}__isnull": True})
                .order_by(file_field.attname)
                .values_list(file_field.attname, flat=True)
                .distinct()
            )
            for name in names:
                yield FileRecord(scope.label(model), file_field.name, name), file_field.storage


def export_archive(path, using: str = DEFAULT_DB_ALIAS) -> Manifest:
    """Write the archive of everything in database ``using`` and its storages to ``path``."""
    models = scope.exported_models()
    manifest = Manifest(
        created_at=timezone.now().isoformat(),
        source_database=connections[using].vendor,
        migrations=applied_migrations(using),
    )
    counts: Counter = Counter()
    # One transaction: rows and file list come from the same state of the database.
    with (
        transaction.atomic(using=using),
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive,
    ):
        with archive.open(DATA, "w", force_zip64=True) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8")
            PortalSerializer().serialize(
                _rows(models, counts, using), stream=text, cls=FullPrecisionEncoder
            )
            text.flush()
            text.detach()
        manifest.counts = {scope.label(model): counts[scope.label(model)] for model in models}
        for record, storage in _stored_files(models, using):
            if not storage.exists(record.name):
                manifest.missing_files.append(record)
                continue
            digest = hashlib.sha256()
            with storage.open(record.name, "rb") as source:
                with archive.open(record.member, "w", force_zip64=True) as target:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        record.size += len(chunk)
                        target.write(chunk)
            record.sha256 = digest.hexdigest()
            manifest.files.append(record)
        archive.writestr(MANIFEST, manifest.to_json())
    return manifest


def read_manifest(archive: zipfile.ZipFile) -> Manifest:
    try:
        return Manifest.from_json(archive.read(MANIFEST).decode("utf-8"))
    except KeyError as error:
        raise ArchiveError("Not a portal archive: it has no manifest.json.") from error
    except (ValueError, TypeError) as error:
        raise ArchiveError(f"The archive's manifest is unreadable: {error}") from error
