"""Signing an archive: an HMAC-SHA256 of its manifest under a key the operator holds.

The manifest carries the SHA-256 of ``data.json`` and of every file, so its signature covers
the whole archive: whoever edits a row (an NDA acceptance, a user made superuser) must change
``data.json``'s hash in the manifest, and cannot sign the result without the key.

The key is given to both commands in a file (``--signing-key-file``) or in the environment
(``TRUSTPORTAL_ARCHIVE_SIGNING_KEY``), never as an argument (it would show in the process list
and the shell's history). It is not the audit log's key, nor ``SECRET_KEY``: the archive is
carried between installations, and the operator who moves it need hold neither.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import os
from pathlib import Path

from .manifest import ArchiveError

ENVIRONMENT_VARIABLE = "TRUSTPORTAL_ARCHIVE_SIGNING_KEY"
SIGNATURE = "signature.json"
ALGORITHM = "HMAC-SHA256"
MIN_KEY_LENGTH = 32
# What the key signs is labelled, so a signature made with the same key for another purpose
# can never pass for an archive's.
PURPOSE = b"trustportal.portal-archive.manifest\n"


class SignatureStatus(enum.Enum):
    VERIFIED = "verified"
    NOT_CHECKED = "not checked"  # signed, but no key was given
    UNSIGNED = "unsigned"


def load_key(key_file: str | None) -> bytes | None:
    """The key from ``key_file``, else from the environment; ``None`` if neither is set."""
    if key_file:
        try:
            key = Path(key_file).read_bytes().strip()
        except OSError as error:
            # Not its path: someone who typed the key where the path goes must not see it echoed.
            reason = error.strerror or type(error).__name__
            raise ArchiveError(f"Cannot read the signing key file: {reason}.") from error
        source = key_file
    else:
        key = os.environ.get(ENVIRONMENT_VARIABLE, "").strip().encode()
        source = ENVIRONMENT_VARIABLE
        if not key:
            return None
    if len(key) < MIN_KEY_LENGTH:
        raise ArchiveError(
            f"The signing key in {source} is shorter than {MIN_KEY_LENGTH} characters; make one "
            'with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
    return key


def fingerprint(key: bytes) -> str:
    """Names a key without revealing it, so a refusal can say "signed with another key"."""
    return hmac.new(key, b"trustportal.portal-archive.key-fingerprint", hashlib.sha256).hexdigest()[
        :16
    ]


def _mac(manifest: bytes, key: bytes) -> str:
    return hmac.new(key, PURPOSE + manifest, hashlib.sha256).hexdigest()


def signature(manifest: bytes, key: bytes) -> bytes:
    """The content of ``signature.json`` for these manifest bytes."""
    return json.dumps(
        {"algorithm": ALGORITHM, "key_fingerprint": fingerprint(key), "hmac": _mac(manifest, key)},
        indent=1,
        sort_keys=True,
    ).encode("utf-8")


def check(manifest: bytes, signed: bytes | None, key: bytes | None) -> SignatureStatus:
    """Whether ``signed`` (``signature.json``, ``None`` if absent) signs ``manifest`` under
    ``key``; raises ``ArchiveError`` if a key is given and it does not."""
    if key is None:
        return SignatureStatus.UNSIGNED if signed is None else SignatureStatus.NOT_CHECKED
    if signed is None:
        raise ArchiveError(
            "The archive is not signed, and a signing key was given: it cannot be shown to be "
            "the archive that was exported."
        )
    try:
        data = json.loads(signed.decode("utf-8"))
        algorithm, mac = data["algorithm"], data["hmac"]
        their_key = str(data.get("key_fingerprint", ""))
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise ArchiveError(f"The archive's signature is unreadable: {error!r}.") from error
    if algorithm != ALGORITHM:
        raise ArchiveError(f"The archive's signature uses {algorithm!r}, not {ALGORITHM}.")
    if not isinstance(mac, str) or not hmac.compare_digest(mac, _mac(manifest, key)):
        if their_key != fingerprint(key):
            raise ArchiveError(
                f"The archive was signed with another key (fingerprint {their_key or '?'}; "
                f"the key given has {fingerprint(key)})."
            )
        raise ArchiveError(
            "The archive's signature does not match its manifest: the manifest was changed "
            "after the archive was signed."
        )
    return SignatureStatus.VERIFIED
