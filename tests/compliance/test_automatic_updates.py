"""Automatic updates: the administrator's switch, per-action opt-in, the signed token."""

from __future__ import annotations

import json

import pytest

from plugins.compliance_manager import automatic_updates

from .conftest import item_of

SIGNAL_URL = "/api/v3/compliance/signals/"


def post_signal(client, token, key, status="implemented", source="scanner"):
    return client.post(
        SIGNAL_URL,
        json.dumps({"action_key": key, "implementation_status": status, "source": source}),
        content_type="application/json",
        HTTP_X_SIGNAL_TOKEN=token,
    )


@pytest.mark.django_db
def test_signals_update_only_enabled_actions_and_record_their_source(cm):
    admin = cm.client("administrator")
    assert (
        admin.post("/en/compliance/settings/automatic-updates/", {"action": "enable"}).status_code
        == 200
    )
    page = admin.post("/en/compliance/settings/automatic-updates/", {"action": "token"})
    token = page.context["token"]
    followed, ignored = item_of(cm.assessment, "ac-2"), item_of(cm.assessment, "ac-3")
    response = admin.patch(
        f"/api/v3/compliance/action-items/{followed.pk}/",
        json.dumps({"automatic_updates": True}),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["automatic_updates"] is True

    client = cm.client("anonymous")
    response = post_signal(client, token, followed.key)
    assert response.status_code == 200 and response.json() == {"updated": 1, "not_enabled": 0}
    assert post_signal(client, token, ignored.key).json() == {"updated": 0, "not_enabled": 1}
    followed.refresh_from_db()
    ignored.refresh_from_db()
    assert followed.implementation_status == "implemented"
    assert ignored.implementation_status == "not_implemented"
    change = followed.history.get(field="implementation_status")
    assert change.source == "automatic: scanner" and change.actor is None
    # The other organization's same action is untouched.
    assert item_of(cm.other_assessment, "ac-2").implementation_status == "not_implemented"


@pytest.mark.django_db
def test_bad_revoked_or_disabled_tokens_are_refused(cm):
    config = automatic_updates.settings_for(cm.organization)
    config.enabled = True
    config.save()
    old = automatic_updates.issue_token(cm.organization)
    new = automatic_updates.rotate_token(cm.organization)
    client = cm.client("anonymous")
    key = item_of(cm.assessment).key
    assert post_signal(client, "garbage", key).status_code == 401
    assert post_signal(client, old, key).status_code == 401
    assert post_signal(client, new, key).status_code == 200
    assert post_signal(client, new, key, status="nearly").status_code == 422
    config.enabled = False
    config.save()
    assert post_signal(client, new, key).status_code == 401


@pytest.mark.django_db
def test_only_administrators_switch_automatic_updates(cm):
    for who in ("reader", "contributor", "assessor"):
        response = cm.client(who).post(
            "/en/compliance/settings/automatic-updates/", {"action": "enable"}
        )
        assert response.status_code == 403
    item = item_of(cm.assessment)
    response = cm.client("assessor").patch(
        f"/api/v3/compliance/action-items/{item.pk}/",
        json.dumps({"automatic_updates": True}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not automatic_updates.settings_for(cm.organization).enabled
