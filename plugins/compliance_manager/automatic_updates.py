"""Automatic updates: an external system (a scanner, a GRC tool) posts an action's status with
its organization's signed token; items whose administrator enabled it follow, with the source
recorded in their history."""

from __future__ import annotations

import hashlib
import hmac

from django.core import signing
from django.db import transaction

from .models import ActionItem, AutomaticUpdates, ImplementationStatus
from .workflow import change_action_item

SALT = "compliance-manager.automatic-updates"


def settings_for(organization) -> AutomaticUpdates:
    return AutomaticUpdates.objects.get_or_create(organization=organization)[0]


def _fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def issue_token(organization) -> str:
    config = settings_for(organization)
    return signing.dumps({"org": organization.pk, "fp": _fingerprint(config.secret)}, salt=SALT)


def rotate_token(organization) -> str:
    config = settings_for(organization)
    config.secret = AutomaticUpdates._meta.get_field("secret").default()
    config.save(update_fields=["secret"])
    return issue_token(organization)


def organization_for_token(token: str):
    """The organization a valid, current token belongs to if it accepts updates, else None."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    config = (
        AutomaticUpdates.objects.filter(organization_id=payload.get("org"), enabled=True)
        .select_related("organization")
        .first()
    )
    if config is None or not hmac.compare_digest(
        _fingerprint(config.secret), str(payload.get("fp", ""))
    ):
        return None
    return config.organization


@transaction.atomic
def apply_signal(organization, key: str, status: str, source: str, notes: str = "") -> dict:
    if status not in ImplementationStatus.values:
        raise ValueError(f"Unknown implementation status {status!r}.")
    items = ActionItem.objects.filter(organization=organization, key=key)
    followed = skipped = 0
    for item in items.select_for_update():
        if not item.automatic_updates:
            skipped += 1
            continue
        changes = {"implementation_status": status}
        if notes:
            changes["implementation_notes"] = notes
        change_action_item(item, None, changes, source=f"automatic: {source}"[:200])
        followed += 1
    return {"updated": followed, "not_enabled": skipped}
