"""Loading an archive into this installation, all or nothing.

1. Check the whole archive without writing anything (``verification``): structure, signature,
   migrations, every member's SHA-256 and size, the rows against the manifest, the audit chain.
2. Stage its files beside their place in the target storages (``staging``).
3. In one transaction: empty the tables, load the rows, check the counts and the audit chain
   as loaded; commit.
4. Move the staged files in; with ``replace``, delete the replaced portal's files.

A failure in steps 1 to 3 leaves the installation as it was: the transaction is rolled back,
what was staged removed, and PostgreSQL's sequences (which a rollback does not undo) set back.
Step 4 comes after the commit; should the storage fail then, the error says so, and importing
the same archive again with ``--replace`` completes it.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.serializers.base import DeserializationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction

from cms.audit.verification import verify as verify_audit

from . import archive as portal_archive
from .loading import empty_tables, load_rows, sequences_restored_on_failure
from .manifest import ArchiveError, Manifest
from .signing import SignatureStatus
from .staging import Staging, remove_replaced
from .verification import check_archive, open_archive


@dataclass
class Report:
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # label: (expected, found)
    files_checked: int = 0
    files_moved: int = 0
    files_removed: int = 0
    links: int = 0
    link_problems: list[str] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)
    audit_summary: str = ""
    signature: SignatureStatus = SignatureStatus.UNSIGNED

    @property
    def count_problems(self) -> list[str]:
        return [
            f"{label}: {found} rows, the archive has {expected}"
            for label, (expected, found) in self.counts.items()
            if expected != found
        ]


def _storage(record):
    return apps.get_model(record.model)._meta.get_field(record.field).storage


def _check_database(manifest: Manifest, report: Report, using: str) -> None:
    """Counts per model and the audit chain, as loaded (inside the import's transaction)."""
    for label, expected in manifest.counts.items():
        report.counts[label] = (expected, apps.get_model(label)._base_manager.using(using).count())
    for label, expected in manifest.links.items():
        found = apps.get_model(label)._base_manager.using(using).count()
        report.links += found
        if found != expected:
            report.link_problems.append(f"{label}: {found} links, the archive has {expected}")
    audit = verify_audit()
    report.audit_summary = audit.summary()
    if report.count_problems or report.link_problems or not audit.ok:
        problems = report.count_problems + report.link_problems
        problems += [] if audit.ok else [report.audit_summary]
        raise ArchiveError("The loaded rows differ from the archive: " + "; ".join(problems) + ".")


def check_files(manifest: Manifest, report: Report) -> None:
    """Every file of the archive in its storage, with its checksum."""
    for record in manifest.files:
        storage = _storage(record)
        if not storage.exists(record.name):
            report.file_problems.append(f"{record.member}: missing")
            continue
        with storage.open(record.name, "rb") as stored:
            found = portal_archive.sha256_and_size(stored)
        if found != (record.sha256, record.size):
            report.file_problems.append(f"{record.member}: checksum differs")
        report.files_checked += 1


def _load(manifest: Manifest, data: Path, report: Report, using: str) -> list:
    """Replace the tables' rows with the archive's, in one transaction; return the files the
    replaced rows referred to."""
    try:
        with sequences_restored_on_failure(using), transaction.atomic(using=using):
            replaced = list(portal_archive.stored_files(using))
            empty_tables(using)
            load_rows(data, using)
            _check_database(manifest, report, using)
    except (
        DeserializationError,
        DatabaseError,
        FieldDoesNotExist,
        ValidationError,
        ObjectDoesNotExist,
        LookupError,
        TypeError,
        ValueError,
    ) as error:
        reason = str(error).rstrip(".")
        raise ArchiveError(f"The archive's data could not be loaded: {reason}.") from error
    return replaced


def _refuse_to_overwrite(replace: bool, using: str) -> None:
    if not replace and get_user_model()._base_manager.using(using).exists():
        raise ArchiveError(
            "This installation already has content; importing replaces all of it. Use "
            "--replace if that is what you want."
        )


def import_archive(
    path, *, replace: bool = False, key: bytes | None = None, using: str = DEFAULT_DB_ALIAS
) -> Report:
    """Replace this installation's content with the archive's and return what was checked.

    Refuses (ArchiveError) when the installation already has users, unless ``replace``; with a
    signing ``key``, refuses an archive that is not signed with it. Whenever the archive or its
    loading fails, raises ``ArchiveError`` with the installation as it was.
    """
    report = Report()
    staging = Staging()
    workdir = Path(tempfile.mkdtemp(prefix="portal-import-"))
    try:
        _refuse_to_overwrite(replace, using)
        with open_archive(path) as archive:
            checked = check_archive(archive, workdir, key=key, using=using)
            manifest, report.signature = checked.manifest, checked.signature
            for record in manifest.files:
                staging.stage(archive, record, _storage(record))
        replaced = _load(manifest, checked.data, report, using)
    except ArchiveError as error:
        raise ArchiveError(f"{error} {_discarded(staging)}") from error
    except BaseException:
        _discarded(staging)
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    _finish(staging, replaced, manifest, report)
    return report


def _discarded(staging: Staging) -> str:
    """Remove what was staged; say in what state the installation is left."""
    try:
        staging.discard()
    except ArchiveError as error:
        return (
            f"The installation is unchanged, but staged files remain under {staging.prefix}/ "
            f"({error})."
        )
    return "The installation is unchanged."


def _finish(staging: Staging, replaced: list, manifest: Manifest, report: Report) -> None:
    """After the commit: the staged files in, the replaced ones out, every file checked."""
    try:
        staging.move_in()
        report.files_moved = staging.moved
        report.files_removed = remove_replaced(replaced, {r.name for r in manifest.files})
    except ArchiveError as error:
        raise ArchiveError(
            f"The database was imported, but putting the files in place failed ({error}). "
            f"Files not yet moved are under {staging.prefix}/ in the storage; import the same "
            "archive again with --replace, then delete that folder."
        ) from error
    check_files(manifest, report)
