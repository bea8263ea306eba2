"""The secret keys the audit chain is signed with (HMAC-SHA256), and rotation.

``TRUSTPORTAL_AUDIT_KEYS`` lists ``id=secret`` pairs, comma-separated; the first signs new
entries, the others only verify the entries they signed. Rotating a key is putting a new pair
in front and keeping the old one behind it for as long as its entries must verify. Each entry
stores the id of its key, never the key.

The key lives in the environment, not the database, so that someone who can write the audit
table cannot recompute a valid chain after changing it. It must differ from ``SECRET_KEY``:
that one signs sessions and links and is handled far more widely.

With no key configured (development, tests) the chain is signed with a key derived from
``SECRET_KEY``, under the id ``derived``: better than none, but it falls with ``SECRET_KEY``,
and ``check --deploy`` says so. Once real keys are configured, the entries signed with the
derived one keep verifying only if the list names it: a bare ``derived`` item stands for it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DERIVED_KEY_ID = "derived"
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class Keyring:
    current_id: str
    secrets: dict[str, bytes]

    @property
    def current_secret(self) -> bytes:
        return self.secrets[self.current_id]

    def secret(self, key_id: str) -> bytes | None:
        return self.secrets.get(key_id)


def derived_secret() -> bytes:
    # A key of its own for the chain, not SECRET_KEY itself: an HMAC under SECRET_KEY with a
    # purpose label, the way Django's salted_hmac separates its uses of the one secret.
    return hmac.new(
        settings.SECRET_KEY.encode(), b"trustportal.audit-chain", hashlib.sha256
    ).digest()


def configured_pairs() -> list[tuple[str, str]]:
    """``(id, secret)`` as configured, the signing key first; ``derived`` has no secret here."""
    value = getattr(settings, "TRUSTPORTAL_AUDIT_KEYS", "") or ""
    items = value.split(",") if isinstance(value, str) else list(value)
    pairs = []
    for item in (str(item).strip() for item in items):
        if not item:
            continue
        key_id, equals, secret = item.partition("=")
        key_id = key_id.strip()
        if not KEY_ID_PATTERN.match(key_id):
            raise ImproperlyConfigured(
                "TRUSTPORTAL_AUDIT_KEYS: a key id is 1 to 32 letters, digits, '.', '_' or '-'."
            )
        if key_id == DERIVED_KEY_ID and equals:
            raise ImproperlyConfigured(
                "TRUSTPORTAL_AUDIT_KEYS: 'derived' names the key derived from SECRET_KEY; "
                "it takes no secret."
            )
        if key_id != DERIVED_KEY_ID and not secret.strip():
            raise ImproperlyConfigured(
                f"TRUSTPORTAL_AUDIT_KEYS: key {key_id!r} has no secret (write {key_id}=SECRET)."
            )
        if any(key_id == seen for seen, _secret in pairs):
            raise ImproperlyConfigured(f"TRUSTPORTAL_AUDIT_KEYS: key {key_id!r} is listed twice.")
        pairs.append((key_id, secret.strip()))
    return pairs


def keyring() -> Keyring:
    """The keys as configured now (read on every call, so ``override_settings`` works)."""
    pairs = configured_pairs() or [(DERIVED_KEY_ID, "")]
    secrets = {
        key_id: derived_secret() if key_id == DERIVED_KEY_ID else secret.encode()
        for key_id, secret in pairs
    }
    return Keyring(current_id=pairs[0][0], secrets=secrets)
