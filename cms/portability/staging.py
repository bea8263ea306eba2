"""The archive's files, put beside their place in the target storage before the database is
touched and moved in once it is committed; and the replaced portal's files, removed after.

Staged files go under a prefix of their own (``portal-import-staging-<random>/``) of the very
storage they belong to, so that a full disk or a refused write shows before anything is
changed, and a failed import leaves nothing behind but what ``discard`` removes. Only Django's
Storage API is used (``open``, ``save``, ``delete``, ``exists``, ``listdir``): the same code
works on a local folder and on an object store. A file already in place with the same bytes is
neither staged nor moved.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.files import File
from django.core.files.storage import Storage

from .archive import sha256_and_size
from .manifest import ArchiveError, FileRecord
from .verification import reading

PREFIX = "portal-import-staging-"


@dataclass
class _Staged:
    storage: Storage
    staged: str
    final: str


class _HashingReader(io.RawIOBase):
    """Reads archive member ``member`` from ``source``, keeping the SHA-256 and count of what
    was read; a damaged member is an ``ArchiveError`` naming it, whoever reads."""

    def __init__(self, source, member: str):
        self.source, self.member = source, member
        self.digest, self.size = hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        with reading(self.member):
            chunk = self.source.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk

    @property
    def found(self) -> tuple[str, int]:
        return self.digest.hexdigest(), self.size


@contextmanager
def _storage_errors(doing: str):
    """A storage's failure as an ``ArchiveError`` with its reason, whatever the backend raises
    (OSError from a folder, botocore's errors from a bucket)."""
    try:
        yield
    except ArchiveError:
        raise
    except Exception as error:  # noqa: BLE001 — any storage backend's failure, said in one line
        raise ArchiveError(f"The storage failed {doing}: {error}.") from error


@dataclass
class Staging:
    prefix: str = field(default_factory=lambda: PREFIX + secrets.token_hex(8))
    staged: list[_Staged] = field(default_factory=list)
    storages: list[Storage] = field(default_factory=list)

    def stage(self, archive, record: FileRecord, storage: Storage) -> None:
        with _storage_errors(f"staging {record.name}"):
            if _holds(storage, record):
                return
            if not any(storage is used for used in self.storages):
                self.storages.append(storage)
            name = f"{self.prefix}/{record.model}/{record.field}/{record.name}"
            with reading(record.member):
                member = archive.open(record.member)
            with member:
                source = _HashingReader(member, record.member)
                saved = storage.save(name, File(source, name=record.name))
        if saved != name:
            raise ArchiveError(f"The storage stored {record.member} as {saved!r}, not {name!r}.")
        if source.found != (record.sha256, record.size):
            raise ArchiveError(f"{record.member} changed while the import read it.")
        self.staged.append(_Staged(storage, saved, record.name))

    def move_in(self) -> None:
        """Each staged file to its place (replacing what is there), then the prefix removed."""
        for item in self.staged:
            with _storage_errors(f"moving {item.final} into place"):
                if item.storage.exists(item.final):
                    item.storage.delete(item.final)
                with item.storage.open(item.staged, "rb") as staged:
                    saved = item.storage.save(item.final, staged)
                if saved != item.final:
                    raise ArchiveError(f"The storage stored {item.final!r} as {saved!r}.")
                item.storage.delete(item.staged)
        self.discard()

    def discard(self) -> None:
        """Remove whatever is under the prefix."""
        for storage in self.storages:
            with _storage_errors(f"removing {self.prefix}/"):
                remove_tree(storage, self.prefix)

    @property
    def moved(self) -> int:
        return len(self.staged)


def _holds(storage: Storage, record: FileRecord) -> bool:
    if not storage.exists(record.name):
        return False
    with storage.open(record.name, "rb") as existing:
        return sha256_and_size(existing) == (record.sha256, record.size)


def remove_tree(storage: Storage, path: str) -> None:
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in files:
        storage.delete(f"{path}/{name}")
    for name in directories:
        remove_tree(storage, f"{path}/{name}")
    # A folder on a file system; on an object store there is no such object and nothing to do.
    storage.delete(path)


def remove_replaced(files: Iterable[tuple[FileRecord, Storage]], kept: set[str]) -> int:
    """Delete the replaced portal's files that the imported one does not have."""
    removed = 0
    for record, storage in files:
        with _storage_errors(f"removing {record.name}"):
            if record.name not in kept and storage.exists(record.name):
                storage.delete(record.name)
                removed += 1
    return removed
