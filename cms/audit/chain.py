"""How an audit entry is hashed and linked to the one before it.

Canonical form (``hash_format`` 1)
----------------------------------
``entry_hash = sha256(canonical_bytes(entry)).hexdigest()`` (64 lowercase hex digits), where
``canonical_bytes`` is the UTF-8 encoding of ::

    json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
               allow_nan=False)

and ``payload`` is a JSON object with exactly these keys (the model fields of the same name):

    hash_format, sequence, created_at, action, outcome,
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

Anyone can recompute the hash from the columns alone (for example in a spreadsheet export),
which is the point: the chain proves that no row was edited, inserted or removed after the
fact without rewriting every later row; an anchor (the head's sequence and hash, kept
elsewhere) proves the tail was not rewritten or cut off either.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64
CURRENT_HASH_FORMAT = 1

HASHED_FIELDS = (
    "hash_format",
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


def canonical_timestamp(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_payload(entry) -> dict:
    if entry.hash_format != CURRENT_HASH_FORMAT:
        # A future format adds its own branch here; old entries keep verifying with theirs.
        raise ValueError(f"unknown audit hash format {entry.hash_format!r}")
    payload = {name: getattr(entry, name) for name in HASHED_FIELDS}
    payload["created_at"] = canonical_timestamp(entry.created_at)
    return payload


def canonical_bytes(entry) -> bytes:
    text = json.dumps(
        canonical_payload(entry),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return text.encode("utf-8")


def entry_hash(entry) -> str:
    return hashlib.sha256(canonical_bytes(entry)).hexdigest()
