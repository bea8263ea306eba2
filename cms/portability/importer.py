"""Loading an archive into this installation, then proving nothing was lost: every exported
model has as many rows as the manifest says, every file has its checksum, the audit chain
verifies."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import signals

from cms.audit.verification import verify as verify_audit

from . import archive as portal_archive
from .archive import ArchiveError, Manifest


@dataclass
class Report:
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # label: (expected, found)
    files_checked: int = 0
    file_problems: list[str] = field(default_factory=list)
    audit_entries: int = 0
    audit_ok: bool = True
    audit_summary: str = ""

    @property
    def count_problems(self) -> list[str]:
        return [
            f"{label}: {found} rows, the archive has {expected}"
            for label, (expected, found) in self.counts.items()
            if expected != found
        ]

    @property
    def ok(self) -> bool:
        return not self.count_problems and not self.file_problems and self.audit_ok


def _check_compatible(manifest: Manifest, using: str) -> None:
    here = portal_archive.applied_migrations(using)
    problems = []
    for app, names in manifest.migrations.items():
        missing = sorted(set(names) - set(here.get(app, [])))
        if missing:
            problems.append(f"{app}: {', '.join(missing)}")
    if problems:
        raise ArchiveError(
            "This installation lacks migrations the archive was made with (upgrade it and run "
            "migrate, or install the same apps and plugins): " + "; ".join(problems)
        )
    unknown = [label for label in manifest.counts if not _model(label)]
    if unknown:
        raise ArchiveError(
            "The archive holds models this installation does not have: " + ", ".join(unknown)
        )


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _restore_file(record, storage, archive: zipfile.ZipFile) -> None:
    if storage.exists(record.name):
        with storage.open(record.name, "rb") as existing:
            if portal_archive.sha256_and_size(existing)[0] == record.sha256:
                return
        storage.delete(record.name)
    with archive.open(record.member) as source:
        saved = storage.save(record.name, File(source, name=record.name))
    if saved != record.name:
        raise ArchiveError(f"{record.member} was stored as {saved!r}, not {record.name!r}.")


def verify(manifest: Manifest, using: str = DEFAULT_DB_ALIAS) -> Report:
    """Compare this installation with the manifest: counts, file checksums, the audit chain."""
    report = Report()
    for label, expected in manifest.counts.items():
        model = apps.get_model(label)
        report.counts[label] = (expected, model._base_manager.using(using).count())
    for record in manifest.files:
        storage = apps.get_model(record.model)._meta.get_field(record.field).storage
        if not storage.exists(record.name):
            report.file_problems.append(f"{record.member}: missing")
            continue
        with storage.open(record.name, "rb") as stored:
            digest, size = portal_archive.sha256_and_size(stored)
        if (digest, size) != (record.sha256, record.size):
            report.file_problems.append(f"{record.member}: checksum differs")
        report.files_checked += 1
    audit = verify_audit()
    report.audit_ok, report.audit_summary = audit.ok, audit.summary()
    report.audit_entries = manifest.counts.get("audit.auditentry", 0)
    return report


@contextmanager
def _model_signals_muted():
    """No save receivers while the snapshot loads. Loading restores state; it must not cause
    effects (events, tree syncs, indexing), and not every app's receivers honour ``raw``
    (wagtail-localize's locale synchronisation does not)."""
    muted = [signals.pre_save, signals.post_save, signals.m2m_changed]
    saved = [(signal, signal.receivers) for signal in muted]
    for signal in muted:
        signal.receivers = []
        signal.sender_receivers_cache.clear()
    try:
        yield
    finally:
        for signal, receivers in saved:
            signal.receivers = receivers
            signal.sender_receivers_cache.clear()


def _empty(using: str) -> None:
    """Every table emptied except content types and permissions, which the archive refers to
    by natural key: ``migrate`` made them for this installation's apps (with those its data
    migrations and post_migrate handlers add, such as Wagtail's and wagtail-localize's)."""
    connection = connections[using]
    kept = {ContentType._meta.db_table, Permission._meta.db_table}
    tables = [
        table
        for table in connection.introspection.django_table_names(only_existing=True)
        if table not in kept
    ]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True)
    connection.ops.execute_sql_flush(statements)


def import_archive(path, *, replace: bool = False, using: str = DEFAULT_DB_ALIAS) -> Report:
    """Replace this installation's content with the archive's and return the verification.

    Refuses (ArchiveError) when the installation already has users, unless ``replace``: the
    import starts by emptying every table.
    """
    with zipfile.ZipFile(path) as archive:
        manifest = portal_archive.read_manifest(archive)
        _check_compatible(manifest, using)
        if not replace and get_user_model()._base_manager.using(using).exists():
            raise ArchiveError(
                "This installation already has content; importing replaces all of it. Use "
                "--replace if that is what you want."
            )
        workdir = Path(tempfile.mkdtemp(prefix="portal-import-"))
        try:
            data = workdir / "data.json"
            with archive.open(portal_archive.DATA) as source, data.open("wb") as target:
                shutil.copyfileobj(source, target)
            # One transaction: a failing load leaves the installation as it was.
            try:
                with transaction.atomic(using=using):
                    _empty(using)
                    with _model_signals_muted():
                        call_command("loaddata", str(data), database=using, verbosity=0)
            except (DeserializationError, DatabaseError) as error:
                raise ArchiveError(
                    f"The archive's data could not be loaded; nothing was changed. {error}"
                ) from error
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        for record in manifest.files:
            storage = apps.get_model(record.model)._meta.get_field(record.field).storage
            _restore_file(record, storage, archive)
    return verify(manifest, using)
