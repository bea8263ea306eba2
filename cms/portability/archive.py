"""Writing a portal archive.

Layout of the ZIP file::

    manifest.json    format, source database, applied migrations, per-model counts and
                     many-to-many link counts, the SHA-256 and size of data.json and of every
                     file, the audit log's head
    signature.json   HMAC-SHA256 of manifest.json (only when a signing key is given)
    data.json        every exported row (Django's JSON serialization, natural foreign keys)
    files/<model>/<field>/<stored name>   each stored file, byte for byte
"""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JsonSerializer
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from cms.audit.models import AuditEntry

from . import scope, signing
from .manifest import DATA, MANIFEST, FileRecord, Manifest

CHUNK = 1024 * 1024


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
        prefetched = getattr(obj, "_prefetched_objects_cache", {}).get(field.name)
        if prefetched is None or not field.remote_field.through._meta.auto_created:
            super().handle_m2m_field(obj, field)
            return
        # What Django's serializer writes, from the links ``_rows`` prefetched, without the
        # query it builds (and does not run) for every row and field: at 10,000 documents,
        # more than half of what is left of an export's time once the links are prefetched.
        if self.use_natural_foreign_keys and hasattr(field.remote_field.model, "natural_key"):
            values = [related.natural_key() for related in prefetched]
        else:
            values = [self._value_from_field(related, related._meta.pk) for related in prefetched]
        self._current[field.name] = values


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


class _HashingWriter(io.RawIOBase):
    """Passes bytes on to ``target`` and keeps their SHA-256 and count."""

    def __init__(self, target):
        self.target, self.digest, self.size = target, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        self.digest.update(chunk)
        self.size += len(chunk)
        self.target.write(chunk)
        return len(chunk)


@dataclass
class _Seen:
    """What the exported rows hold besides themselves: taken from the rows as they are
    written, so that the manifest describes exactly them (on PostgreSQL each query of a
    transaction may see rows committed since the one before)."""

    counts: Counter = field(default_factory=Counter)
    links: Counter = field(default_factory=Counter)
    files: dict[tuple[str, str, str], object] = field(default_factory=dict)
    audit_head: str = ""
    audit_sequence: int = 0

    def row(self, obj) -> None:
        model = type(obj)
        self.counts[scope.label(model)] += 1
        for file_field in scope.file_fields(model):
            name = getattr(obj, file_field.attname)
            if name:
                self.files[(scope.label(model), file_field.name, str(name))] = file_field.storage
        for link in scope.links(model):
            self.links[scope.label(link.remote_field.through)] += len(
                obj._prefetched_objects_cache[link.name]
            )
        if isinstance(obj, AuditEntry) and obj.sequence > self.audit_sequence:
            self.audit_sequence = obj.sequence
            self.audit_head = f"{obj.sequence}:{obj.entry_hash}"


def _rows(models, seen: _Seen, using: str) -> Iterator:
    for model in models:
        queryset = model._base_manager.using(using).order_by(model._meta.pk.attname)
        # Each chunk's many-to-many links in one query per field, not one per row and field
        # (the serializer's own way: a minute per 10,000 documents).
        links = [link.name for link in scope.links(model)]
        for obj in queryset.prefetch_related(*links).iterator(chunk_size=2000):
            seen.row(obj)
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


def stored_files(using: str = DEFAULT_DB_ALIAS) -> Iterator[tuple[FileRecord, object]]:
    """Every file the rows of ``using`` refer to, with its storage (no checksums)."""
    return _stored_files(scope.exported_models(), using)


@contextmanager
def _one_snapshot(using: str):
    """Every query of the export sees the same state of the database, so that no row refers to
    one the archive lacks. SQLite's transaction does so by itself; PostgreSQL's default (READ
    COMMITTED) shows each query what was committed since the one before, hence REPEATABLE READ,
    which must be asked for before the transaction's first query."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def export_archive(path, using: str = DEFAULT_DB_ALIAS, *, key: bytes | None = None) -> Manifest:
    """Write the archive of everything in database ``using`` and its storages to ``path``,
    signed with ``key`` if one is given."""
    models = scope.exported_models()
    seen = _Seen()
    with (
        _one_snapshot(using),
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive,
    ):
        manifest = Manifest(
            created_at=timezone.now().isoformat(),
            source_database=connections[using].vendor,
            migrations=applied_migrations(using),
        )
        with archive.open(DATA, "w", force_zip64=True) as raw:
            hashing = _HashingWriter(raw)
            text = io.TextIOWrapper(io.BufferedWriter(hashing, CHUNK), encoding="utf-8")
            PortalSerializer().serialize(
                _rows(models, seen, using), stream=text, cls=FullPrecisionEncoder
            )
            text.flush()
            text.detach().detach()
        manifest.data_sha256, manifest.data_size = hashing.digest.hexdigest(), hashing.size
        manifest.counts = {scope.label(model): seen.counts[scope.label(model)] for model in models}
        manifest.links = dict(sorted(seen.links.items()))
        manifest.audit_head = seen.audit_head
        for (model, field_name, name), storage in sorted(seen.files.items()):
            record = FileRecord(model, field_name, name)
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
        written = manifest.to_bytes()
        archive.writestr(MANIFEST, written)
        if key is not None:
            archive.writestr(signing.SIGNATURE, signing.signature(written, key))
    return manifest
