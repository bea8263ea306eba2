"""Prepared copies of gated PDFs kept on this machine's disk, so that a reader's watermarked copy
costs about what a plain download does (issue 20, goal 3; ``cms.delivery.watermark.prepared``).

A prepared copy depends only on the stored file's content, so it is kept under the file's
SHA-256 (recorded at upload): ``<TRUSTPORTAL_WATERMARK_CACHE_DIR>/<ab>/<sha256>.pdf`` and, beside
it, ``<sha256>.json`` describing it. The description is written last, by an atomic rename: a
copy is used only once it is whole. One process prepares a file at a time (a lock file per
file); the others wait for it and use its result.

What this cache holds is as confidential as the stored files (the documents, with active content
removed, unstamped): the folder is made readable by the portal's user only, and it is a cache,
not a store: the least recently used copies go when the folder grows beyond
``TRUSTPORTAL_WATERMARK_CACHE_MAX_BYTES``, and a file's copy goes when the last version file
with that content is deleted. Before a file is prepared its content is checked against the
recorded SHA-256: a stored file that no longer matches is watermarked without the cache, so
that the copy kept under a hash is always of the content with that hash.

An empty ``TRUSTPORTAL_WATERMARK_CACHE_DIR`` turns the cache off: every download is then
prepared and stamped from the stored file (``watermark_to_tempfile``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import logging
import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete

from cms.delivery.watermark import (
    FORMAT,
    Prepared,
    prepare,
    watermark_to_tempfile,
    watermarked_copy,
)
from cms.files.uploads import sha256_of
from cms.models import VersionFile

logger = logging.getLogger(__name__)

_SHA256 = re.compile(r"[0-9a-f]{64}")
#: A partly written copy older than this was left by a process that died while preparing it.
_ABANDONED_SECONDS = 60 * 60
#: Descriptions kept in each process, by file identity (``_load``).
_DESCRIBED_MAX = 64
_described: dict[tuple, Prepared] = {}


def watermarked_file(version_file, source, lines: list[str]):
    """A reader's watermarked copy of ``version_file``, whose stored file ``source`` is open:
    a read-only file object the caller closes. Raises ``WatermarkError`` as
    ``watermark_pdf`` does."""
    sha256 = version_file.sha256

    def still_stored() -> bool:  # asked before a copy is kept: not for a file deleted meanwhile
        return type(version_file).objects.filter(sha256=sha256).exists()

    try:
        prepared = prepared_copy(sha256, source, wanted=still_stored)
    except OSError:  # the folder unwritable, the disk full: the stored file is at hand
        logger.warning("Watermark cache unusable; stamping from the stored file", exc_info=True)
        prepared = None
    if prepared is not None:
        try:
            return watermarked_copy(prepared, lines)
        except Exception:  # noqa: BLE001 — whatever is wrong with a kept copy, the file is at hand
            # Removed (trimmed, purged) or changed between finding and opening it: rare.
            logger.warning("Kept copy %s unusable; stamping afresh", prepared.path, exc_info=True)
    source.seek(0)
    return watermark_to_tempfile(source, lines)


def cache_folder() -> Path | None:
    folder = getattr(settings, "TRUSTPORTAL_WATERMARK_CACHE_DIR", "")
    return Path(folder) if folder else None


def prepared_copy(sha256: str, source, *, wanted=lambda: True) -> Prepared | None:
    """The prepared copy of the stored file with this SHA-256 (``source``, open), made now if
    it is not kept yet (and ``wanted()`` still says so, once this process holds the file's
    lock); None when the cache is off, not wanted, or the content does not match ``sha256``.
    Raises ``WatermarkError`` for a file that cannot be watermarked."""
    folder = cache_folder()
    if folder is None or not _SHA256.fullmatch(sha256 or ""):
        return None
    base = folder / sha256[:2] / sha256
    prepared = _load(base)
    if prepared is not None:
        return prepared
    for level in (folder, base.parent):
        level.mkdir(mode=0o700, parents=level is folder, exist_ok=True)
        os.chmod(level, 0o700)  # also a folder made before, by hand or by an older release
    with _locked(base):
        prepared = _load(base)  # made by another process while this one waited
        if prepared is not None:
            return prepared
        if not wanted():  # the file was deleted (and its copy forgotten) while this one waited
            return None
        if sha256_of(source) != sha256:  # read whole, and rewound
            logger.warning("Stored file does not match its recorded SHA-256 %s; not cached", sha256)
            return None
        prepared = _make(base, source)
    trim(folder)
    return prepared


def forget(sha256: str) -> None:
    """Remove the prepared copy of this content, if kept."""
    folder = cache_folder()
    if folder is None or not _SHA256.fullmatch(sha256 or ""):
        return
    base = folder / sha256[:2] / sha256
    if not base.parent.is_dir():
        return
    # Under the file's lock: a preparation under way finishes first, and is then removed.
    with _locked(base):
        for suffix in (".json", ".pdf"):  # the description first: a copy without it is unused
            base.with_suffix(suffix).unlink(missing_ok=True)


def trim(folder: Path, limit: int | None = None) -> None:
    """Remove the least recently used copies until the folder holds at most ``limit`` bytes
    (default ``TRUSTPORTAL_WATERMARK_CACHE_MAX_BYTES``)."""
    if limit is None:
        limit = settings.TRUSTPORTAL_WATERMARK_CACHE_MAX_BYTES
    entries = []
    abandoned = time.time() - _ABANDONED_SECONDS
    for partial in [*folder.glob("*/*.partial"), *folder.glob("*/*.json-partial")]:
        with contextlib.suppress(FileNotFoundError):
            if partial.stat().st_mtime < abandoned:  # its process was killed while preparing
                partial.unlink()
    for description in folder.glob("*/*.json"):
        with contextlib.suppress(FileNotFoundError):
            used = description.stat().st_mtime
            size = description.with_suffix(".pdf").stat().st_size
            entries.append((used, size, description.stem))
    total = sum(size for _, size, _ in entries)
    for _, size, sha256 in sorted(entries):
        if total <= limit:
            break
        forget(sha256)
        total -= size


def _load(base: Path) -> Prepared | None:
    """The kept copy's description, if it is whole and of this release's format. Descriptions
    read are kept in this process (a large file's is megabytes of JSON), under the identity
    of the file they describe: a copy prepared again is a new file."""
    pdf, description = base.with_suffix(".pdf"), base.with_suffix(".json")
    try:
        stat = pdf.stat()
        identity = (str(base), stat.st_ino, stat.st_size, stat.st_mtime_ns)
        prepared = _described.get(identity)
        if prepared is None:
            prepared = Prepared.from_json(description.read_text())
            if prepared.format != FORMAT or prepared.file_size != stat.st_size:
                return None
            prepared = dataclasses.replace(prepared, path=str(pdf))
            if len(_described) >= _DESCRIBED_MAX:
                _described.pop(next(iter(_described)))
            _described[identity] = prepared
        os.utime(description)  # recently used: the last to be trimmed; gone: not to be used
    except (FileNotFoundError, ValueError):
        return None
    return prepared


def _make(base: Path, source) -> Prepared:
    token = secrets.token_hex(4)
    pdf, partial = base.with_suffix(".pdf"), base.with_suffix(f".{token}.partial")
    prepared = prepare(source, partial)  # made 0600; raises WatermarkError, leaving nothing
    os.replace(partial, pdf)
    prepared = dataclasses.replace(prepared, path=str(pdf))
    description = base.with_suffix(f".{token}.json-partial")
    description.write_text(prepared.to_json())
    os.replace(description, base.with_suffix(".json"))
    return prepared


@contextlib.contextmanager
def _locked(base: Path):
    descriptor = os.open(base.with_suffix(".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    with open(descriptor, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _version_file_deleted(sender, instance, **kwargs) -> None:
    sha256 = instance.sha256

    def forget_if_unused() -> None:
        if not sender.objects.filter(sha256=sha256).exists():
            forget(sha256)

    transaction.on_commit(forget_if_unused)


def connect() -> None:
    """A file's prepared copy goes with the last version file of that content."""
    post_delete.connect(
        _version_file_deleted, sender=VersionFile, dispatch_uid="cms_prepared_copy_forgotten"
    )
