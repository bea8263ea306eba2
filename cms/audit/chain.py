"""How an audit entry is hashed and linked to the one before it.

Canonical form (``hash_format`` 2, keyed)
-----------------------------------------
``entry_hash = hmac_sha256(key, canonical_bytes(entry)).hexdigest()`` (64 lowercase hex
digits), where ``key`` is the secret named by the entry's ``key_id`` (see ``cms.audit.keys``)
and ``canonical_bytes`` is the UTF-8 encoding of ::

    json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
               allow_nan=False)

and ``payload`` is a JSON object with exactly these keys (the model fields of the same name):

    hash_format, key_id, sequence, created_at, action, outcome,
    username, user_email, organization_id, organization_name,
    document_id, document_title, version_id, version_label,
    nda_version, ip, user_agent, download_id, detail, previous_hash

* ``created_at`` is UTC in ISO 8601 with microseconds and a ``Z``:
  ``"2026-03-01T09:30:00.123456Z"``.
* integers are JSON numbers; missing values (no document, no IP, no download id) are ``null``;
  texts are JSON strings exactly as stored; ``detail`` is its JSON value (keys sorted at every
  level by ``sort_keys``).
* ``previous_hash`` is the ``entry_hash`` of the entry with the previous sequence number, or
  ``GENESIS_HASH`` (64 zeros) for sequence 1.

Deliberately not hashed: the row's primary key (a storage detail) and the ``user`` foreign key,
which Django sets to NULL when the user is deleted -- a legitimate change that must not look
like tampering. Who it was is hashed through the frozen ``username`` and ``user_email``.

Whoever holds the key can recompute the hash from the columns alone (for example from a
spreadsheet export); whoever can only write the table cannot. So the chain proves that no row
was edited, inserted or removed, even by someone who rewrites every later row. What it cannot
show on its own is a tail cut off after the last entry: an anchor (the head's sequence and
hash, kept elsewhere) shows that.

Legacy form (``hash_format`` 1, unkeyed)
----------------------------------------
Entries written before the chain was keyed: ``sha256(canonical_bytes(entry))`` over the same
payload without ``key_id``. Anyone can recompute such a hash, so a legacy entry proves nothing
alone. It is protected by the first keyed entry after it, whose MAC covers its
``previous_hash`` and so, link by link, every legacy entry as it stood when the chain was
keyed; nothing vouches for how they got there. A legacy entry after a keyed one is a rewrite.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

from .keys import Keyring

GENESIS_HASH = "0" * 64
LEGACY_HASH_FORMAT = 1
KEYED_HASH_FORMAT = 2
CURRENT_HASH_FORMAT = KEYED_HASH_FORMAT

HASHED_FIELDS = (
    "hash_format",
    "key_id",
    "sequence",
    "created_at",
    "action",
    "outcome",
    "username",
    "user_email",
    "organization_id",
    "organization_name",
    "document_id",
    "document_title",
    "version_id",
    "version_label",
    "nda_version",
    "ip",
    "user_agent",
    "download_id",
    "detail",
    "previous_hash",
)
LEGACY_FIELDS = tuple(name for name in HASHED_FIELDS if name != "key_id")


def canonical_timestamp(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class UnknownKey(Exception):
    """The entry names a key that is not configured (it cannot be checked, nor forged)."""

    def __init__(self, key_id: str):
        super().__init__(key_id)
        self.key_id = key_id


def canonical_payload(entry, **overrides) -> dict:
    """The hashed payload; ``overrides`` replace fields (the verifier asks "would this row be
    genuine at another place in the chain?")."""
    if entry.hash_format not in (LEGACY_HASH_FORMAT, KEYED_HASH_FORMAT):
        raise ValueError(f"unknown audit hash format {entry.hash_format!r}")
    names = HASHED_FIELDS if entry.hash_format == KEYED_HASH_FORMAT else LEGACY_FIELDS
    payload = {name: getattr(entry, name) for name in names}
    payload.update((name, value) for name, value in overrides.items() if name in payload)
    payload["created_at"] = canonical_timestamp(entry.created_at)
    return payload


def canonical_bytes(entry, **overrides) -> bytes:
    text = json.dumps(
        canonical_payload(entry, **overrides),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return text.encode("utf-8")


def entry_hash(entry, keys: Keyring, **overrides) -> str:
    """The hash ``entry`` must carry, in its own format (raises ``UnknownKey``)."""
    if entry.hash_format == LEGACY_HASH_FORMAT:
        return hashlib.sha256(canonical_bytes(entry, **overrides)).hexdigest()
    secret = keys.secret(entry.key_id)
    if secret is None:
        raise UnknownKey(entry.key_id)
    return hmac.new(secret, canonical_bytes(entry, **overrides), hashlib.sha256).hexdigest()


def matches(entry, keys: Keyring, **overrides) -> bool:
    """Does ``entry`` (with ``overrides``) carry the hash it must? Compared in constant time."""
    return hmac.compare_digest(entry_hash(entry, keys, **overrides), entry.entry_hash or "")


def seal(entry, keys: Keyring) -> None:
    """Sign ``entry`` with the current key: set its format, key id and hash."""
    entry.hash_format = CURRENT_HASH_FORMAT
    entry.key_id = keys.current_id
    entry.entry_hash = entry_hash(entry, keys)
