"""A listed restricted document shows its title, and only its title, to readers it is not
entitled to: no summary, no description of what changed in a version, no update note — on its
page, in the API, in My Library, in the update feed and in e-mails. Entitled readers see all."""

import pytest
from django.core import mail
from django.test import Client

from plugins.library.models import SavedDocument
from plugins.notifications.models import NotificationSettings
from tests import factories

SUMMARY = "Summary-for-the-entitled-only"
CHANGE = "Change-for-the-entitled-only"
NOTE = "Note-for-the-entitled-only"
STANDARD = "Standard-for-the-entitled-only"
SERVICE = "Service-for-the-entitled-only"
LABEL = "Label-for-the-entitled-only"
SECRETS = (SUMMARY, CHANGE, NOTE, STANDARD, SERVICE, LABEL)


@pytest.fixture
def listed(users, django_capture_on_commit_callbacks):
    """A listed restricted document entitled to the other organization, saved by everyone,
    with a version and an update note published (and mailed) after it was saved."""
    document = factories.document(
        "restricted",
        title="Listed restricted report",
        listed=True,
        organizations=[users["other_org_obj"]],
        standards=[factories.term(factories.Standard, STANDARD)],
        services=[factories.term(factories.Service, SERVICE)],
    )
    document.summary = SUMMARY
    document.save_revision().publish()
    readers = [users[name] for name in ("member", "member_nda", "other_org")]
    for reader in readers:
        SavedDocument.objects.create(user=reader, document=document)
        NotificationSettings.objects.create(
            user=reader, enabled=True, email=f"{reader.username}@example.test"
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        version = factories.version(document, LABEL)
        version.change_description = CHANGE
        version.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        factories.update_note(document, NOTE)
    return document


def _surfaces(client, document, user) -> dict[str, str]:
    token = NotificationSettings.objects.get(user=user).feed_token
    return {
        "page": client.get(f"/en/documents/{document.slug}/").content.decode(),
        "api detail": client.get(f"/api/v3/trust-documents/{document.slug}/").content.decode(),
        "api list": client.get("/api/v3/trust-documents/?q=Listed+restricted").content.decode(),
        "library": client.get("/en/library/").content.decode(),
        "library api": client.get("/api/v3/library/").content.decode(),
        "feed": Client().get(f"/en/notifications/feed/{token}.json").content.decode(),
    }


@pytest.mark.django_db
def test_readers_not_entitled_see_the_title_alone_everywhere(listed, users):
    for name in ("member", "member_nda"):
        client = Client()
        client.force_login(users[name])
        surfaces = _surfaces(client, listed, users[name])
        for surface in ("page", "api detail", "api list", "library", "library api"):
            assert "Listed restricted report" in surfaces[surface], (name, surface)
        for surface, text in surfaces.items():
            for secret in SECRETS:
                assert secret not in text, (name, surface, secret)
        mails = [m for m in mail.outbox if m.to == [f"{users[name].username}@example.test"]]
        assert mails == [], name
        detail = client.get(f"/api/v3/trust-documents/{listed.slug}/").json()
        assert detail["category"]["slug"] == listed.category.slug  # the category is shown
        assert detail["current_version"] is None and detail["versions"] == []
        assert detail["standards"] == detail["services"] == []
        assert detail["regions"] == detail["industries"] == []


@pytest.mark.django_db
def test_the_entitled_organization_sees_what_changed(listed, users):
    entitled = users["other_org"]
    client = Client()
    client.force_login(entitled)
    surfaces = _surfaces(client, listed, entitled)
    assert SUMMARY in surfaces["page"] and SUMMARY in surfaces["api detail"]
    assert CHANGE in surfaces["page"] and CHANGE in surfaces["api detail"]
    assert NOTE in surfaces["library"] and NOTE in surfaces["feed"]
    assert CHANGE in surfaces["feed"]
    for secret in (STANDARD, SERVICE, LABEL):
        assert secret in surfaces["page"] and secret in surfaces["api detail"]
    mails = [m for m in mail.outbox if m.to == [f"{entitled.username}@example.test"]]
    assert any(CHANGE in m.body for m in mails) and any(NOTE in m.body for m in mails)
