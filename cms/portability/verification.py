"""Checking an archive before the import writes anything.

In this order, each step trusting only what the ones before it proved: the ZIP's structure
(no member twice, none encrypted); the manifest's signature when a key is given (from then on
the manifest is the exporter's); the manifest itself; this installation's migrations against
the archive's; that the archive holds exactly the members the manifest lists, at the sizes it
gives; ``data.json``'s SHA-256 (copied to a local file as it is hashed: the file that was
checked is the one loaded); its rows against the manifest (counts per model, the files they
refer to); the audit chain of its rows, with this installation's keys, ending at the head the
manifest names; every file's SHA-256. A damaged member (a bad CRC, a broken deflate stream, a
truncated archive) is found on the way, as an ``ArchiveError`` naming it.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.base import DeserializationError
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.migrations.loader import MigrationLoader

from cms.audit.models import AuditEntry
from cms.audit.verification import verify as verify_audit

from . import scope, signing
from .archive import CHUNK, applied_migrations, sha256_and_size
from .manifest import DATA, MANIFEST, ArchiveError, FileRecord, Manifest

AUDIT_LABEL = scope.label(AuditEntry)


@dataclass
class CheckedArchive:
    manifest: Manifest
    signature: signing.SignatureStatus
    #: data.json as it was checked, in a local temporary directory.
    data: Path


def open_archive(path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise ArchiveError(
            f"{path} is not a portal archive, or it is truncated or damaged ({error})."
        ) from error
    except OSError as error:
        raise ArchiveError(f"Cannot open {path}: {error.strerror or error}.") from error


@contextmanager
def reading(member: str):
    """What goes wrong reading a member, as one ``ArchiveError`` that names it."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as error:
        raise ArchiveError(f"The archive is damaged: {member} cannot be read ({error}).") from error


def check_archive(
    archive: zipfile.ZipFile, workdir: Path, *, key: bytes | None, using: str = DEFAULT_DB_ALIAS
) -> CheckedArchive:
    """Everything the import relies on, checked without writing to the installation;
    raises ``ArchiveError`` at the first problem."""
    members = _members(archive)
    if MANIFEST not in members:
        raise ArchiveError("Not a portal archive: it has no manifest.json.")
    with reading(MANIFEST):
        raw_manifest = archive.read(MANIFEST)
    raw_signature = None
    if signing.SIGNATURE in members:
        with reading(signing.SIGNATURE):
            raw_signature = archive.read(signing.SIGNATURE)
    signature = signing.check(raw_manifest, raw_signature, key)
    manifest = Manifest.from_bytes(raw_manifest)
    check_compatible(manifest, using)
    _check_listed_members(members, manifest, signed=raw_signature is not None)
    data = workdir / DATA
    _copy_checked(archive, DATA, data, manifest.data_sha256, manifest.data_size)
    rows = _rows(data)
    _check_rows(rows, manifest)
    _check_audit_chain(rows, manifest, using)
    del rows
    for record in manifest.files:
        _check_file(archive, record)
    return CheckedArchive(manifest, signature, data)


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    members: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        if info.filename in members:
            raise ArchiveError(f"The archive holds {info.filename} twice.")
        if info.flag_bits & 0x1:
            raise ArchiveError(f"The archive's member {info.filename} is encrypted.")
        members[info.filename] = info
    return members


def _check_listed_members(members: dict, manifest: Manifest, *, signed: bool) -> None:
    sizes = {DATA: manifest.data_size} | {record.member: record.size for record in manifest.files}
    expected = set(sizes) | {MANIFEST} | ({signing.SIGNATURE} if signed else set())
    missing = sorted(expected - set(members))
    if missing:
        raise ArchiveError(
            f"The archive lacks {len(missing)} member(s) its manifest lists: {missing[0]}"
            + (", …" if len(missing) > 1 else ".")
        )
    extra = sorted(set(members) - expected)
    if extra:
        raise ArchiveError(
            f"The archive holds {len(extra)} member(s) its manifest does not list: {extra[0]}"
            + (", …" if len(extra) > 1 else ".")
        )
    for member, size in sizes.items():
        if members[member].file_size != size:
            raise ArchiveError(
                f"{member} is {members[member].file_size} bytes; the manifest says {size}."
            )
    for record in manifest.files + manifest.missing_files:
        _file_field(record)


def _file_field(record: FileRecord) -> models.FileField:
    model = _model(record.model)
    try:
        field = model._meta.get_field(record.field) if model else None
    except LookupError:
        field = None
    if not isinstance(field, models.FileField):
        raise ArchiveError(
            f"The manifest lists a file of {record.model}.{record.field}, "
            "which is not a file field here."
        )
    return field


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def check_compatible(manifest: Manifest, using: str = DEFAULT_DB_ALIAS) -> None:
    """The archive's rows fit this installation's tables: both have applied the same
    migrations of every app the archive has (a squashed migration counting as the ones it
    replaces), and this installation has every model the archive holds rows of."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True, load=True)
    theirs = _normalised(manifest.migrations, loader)
    here = _normalised(applied_migrations(using), loader)
    missing = [
        f"{app}: {', '.join(sorted(names - here.get(app, set())))}"
        for app, names in sorted(theirs.items())
        if names - here.get(app, set())
    ]
    if missing:
        raise ArchiveError(
            "This installation lacks migrations the archive was made with (upgrade it and run "
            "migrate, or install the same apps and plugins): " + "; ".join(missing) + "."
        )
    newer = [
        f"{app}: {', '.join(sorted(here[app] - names))}"
        for app, names in sorted(theirs.items())
        if here.get(app, set()) - names
    ]
    if newer:
        raise ArchiveError(
            "The archive was made before migrations this installation has (upgrade the source "
            "installation, run migrate there and export again): " + "; ".join(newer) + "."
        )
    imported = {scope.label(model) for model in scope.exported_models()}
    linked = {
        scope.label(link.remote_field.through)
        for model in scope.exported_models()
        for link in scope.links(model)
    }
    unknown = sorted((set(manifest.counts) - imported) | (set(manifest.links) - linked))
    if unknown:
        raise ArchiveError(
            "The archive holds rows of models this installation does not have or does not "
            "import: " + ", ".join(unknown) + "."
        )


def _normalised(applied: dict[str, list[str]], loader: MigrationLoader) -> dict[str, set[str]]:
    state = {app: set(names) for app, names in applied.items()}
    for (app, name), migration in loader.disk_migrations.items():
        if not migration.replaces:
            continue
        replaced = {(a, n) for a, n in migration.replaces}
        have = {(a, n) for a, names in state.items() for n in names}
        if name in state.get(app, set()):
            for replaced_app, replaced_name in replaced:
                state.setdefault(replaced_app, set()).add(replaced_name)
        elif replaced <= have:
            state.setdefault(app, set()).add(name)
    return state


def _copy_checked(archive, member: str, target: Path, sha256: str, size: int) -> None:
    with reading(member), archive.open(member) as source, target.open("wb") as copy:
        digest, written = sha256_and_size(_Tee(source, copy))
    if (digest, written) != (sha256, size):
        raise ArchiveError(
            f"{member}'s SHA-256 differs from the manifest's: it was altered after the export."
        )


class _Tee:
    """Reads ``source``, writing what it read to ``copy``."""

    def __init__(self, source, copy):
        self.source, self.copy = source, copy

    def read(self, size: int = CHUNK) -> bytes:
        chunk = self.source.read(size)
        try:
            self.copy.write(chunk)
        except OSError as error:  # this machine's disk, not the archive
            raise ArchiveError(f"Cannot write a temporary copy of data.json: {error}.") from error
        return chunk


def _check_file(archive, record: FileRecord) -> None:
    with reading(record.member), archive.open(record.member) as member:
        found = sha256_and_size(member)
    if found != (record.sha256, record.size):
        raise ArchiveError(
            f"{record.member}'s SHA-256 differs from the manifest's: it was altered after the "
            "export."
        )


def _rows(data: Path) -> list[dict]:
    try:
        with data.open("rb") as text:
            rows = json.load(text)
    except (UnicodeDecodeError, ValueError) as error:
        raise ArchiveError(f"data.json is not JSON: {error}.") from error
    if not isinstance(rows, list) or not all(
        isinstance(row, dict)
        and isinstance(row.get("model"), str)
        and isinstance(row.get("fields"), dict)
        for row in rows
    ):
        raise ArchiveError("data.json is not a list of rows of Django's serialization.")
    return rows


def _check_rows(rows: list[dict], manifest: Manifest) -> None:
    counts = Counter(row["model"] for row in rows)
    differing = sorted(
        label
        for label in set(counts) | set(manifest.counts)
        if counts[label] != manifest.counts.get(label, 0)
    )
    if differing:
        label = differing[0]
        raise ArchiveError(
            f"data.json holds {counts[label]} rows of {label}; the manifest says "
            f"{manifest.counts.get(label, 0)}."
        )
    models = {scope.label(model): model for model in scope.exported_models()}
    file_fields = {label: list(scope.file_fields(model)) for label, model in models.items()}
    link_fields = {label: list(scope.links(model)) for label, model in models.items()}
    referred, links = set(), Counter()
    for row in rows:
        for field in file_fields[row["model"]]:
            name = row["fields"].get(field.name)
            if name:
                referred.add((row["model"], field.name, str(name)))
        for field in link_fields[row["model"]]:
            linked = row["fields"].get(field.name) or []
            links[scope.label(field.remote_field.through)] += len(linked)
    if +links != +Counter(manifest.links):
        raise ArchiveError("data.json's many-to-many links differ from the manifest's count.")
    listed = {(r.model, r.field, r.name) for r in manifest.files + manifest.missing_files}
    if referred != listed:
        model, field, name = sorted(referred ^ listed)[0]
        where = "data.json" if (model, field, name) in referred else "the manifest"
        raise ArchiveError(
            f"data.json and the manifest disagree on the files: only {where} has "
            f"{model}.{field} {name}."
        )


def _check_audit_chain(rows: list[dict], manifest: Manifest, using: str) -> None:
    audit_rows = [row for row in rows if row["model"] == AUDIT_LABEL]
    try:
        entries = sorted(
            (item.object for item in serializers.deserialize("python", audit_rows, using=using)),
            key=lambda entry: entry.sequence,
        )
    except (DeserializationError, FieldDoesNotExist, TypeError, ValueError) as error:
        raise ArchiveError(f"The archive's audit entries are unreadable: {error}.") from error
    result = verify_audit(entries=entries)
    if not result.ok:
        raise ArchiveError(f"The archive's audit log does not verify: {result.summary()}.")
    head = f"{result.head_sequence}:{result.head_hash}" if result.head_sequence else ""
    if head != manifest.audit_head:
        raise ArchiveError(
            f"The archive's audit log ends at {head or 'nothing'}; its manifest says "
            f"{manifest.audit_head or 'nothing'}: entries were removed or added."
        )
