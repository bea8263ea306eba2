"""Removing one plugin that others build on (My Library, whose readers notifications mail)
leaves the portal working: a process started without it serves the reader pages, the
notification settings and the publish path, on this test database.

The other process reads what this module commits, so it runs outside test transactions and
removes what it made.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session

from cms.models import Membership, Organization, TrustDocument
from plugins.library.models import SavedDocument
from plugins.notifications.models import NotificationSettings, PendingUpdate
from tests import factories
from tests.helpers import run_python
from tests.workers import database_url

ROOT = Path(__file__).resolve().parents[1]
WITHOUT_LIBRARY = "plugins.nda,plugins.feedback,plugins.notifications,plugins.compliance_manager"

SCRIPT = """
import json, sys
import django
django.setup()
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
from django.contrib.auth import get_user_model
from cms.events import run_handlers
from cms.plugins import registry
from plugins.notifications.fanout import subscribers

call_command("check")
setup_test_environment()
user_id, document_id, version_id = (int(value) for value in sys.argv[1:4])
slug = sys.argv[4]
client = Client()
client.force_login(get_user_model().objects.get(pk=user_id))
out = {"plugins": sorted(p.plugin_id for p in registry.installed_plugins())}
for url in ("/en/", "/en/notifications/", "/en/library/", f"/en/documents/{slug}/"):
    response = client.get(url)
    html = response.content.decode()
    out[url] = {"status": response.status_code, "library": "/en/library/" in html,
                "save": "Save to library" in html}
out["subscribers"] = list(subscribers(document_id))
run_handlers("VersionPublished", {"document_id": document_id, "version_id": version_id},
             event_id="removal-test")
out["mails"] = len(mail.outbox)
print(json.dumps(out))
"""


@pytest.mark.django_db
def test_my_library_offers_its_savers_as_subscribers_through_the_contract(users):
    """(Its database marker also makes pytest-django create the test database when this
    module runs alone.)"""
    from cms.plugins import registry

    document = factories.document("public")
    SavedDocument.objects.create(user=users["member"], document=document)
    subscribed = {
        user_id
        for ids in registry.document_subscribers(document.pk)
        for row in ids
        for user_id in row.values()
    }
    assert users["member"].pk in subscribed and users["other_org"].pk not in subscribed


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield


def test_removing_my_library_leaves_notifications_and_the_site_working(committed):
    organization = Organization.objects.create(
        name="Removal Org", slug="removal-org", email_domains="removal.test"
    )
    reader = get_user_model().objects.create_user("removal-reader", email="r@removal.test")
    sessions_before = set(Session.objects.values_list("pk", flat=True))
    document = factories.document("public", title="Removal test paper")
    try:
        Membership.objects.create(user=reader, organization=organization)
        NotificationSettings.objects.create(user=reader, enabled=True, email="r@removal.test")
        # Saved while the library was installed; its table stays, nobody reads it any more.
        SavedDocument.objects.create(user=reader, document=document)
        version = factories.version(document, "v2")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sites.settings.test",
            "DATABASE_URL": database_url(),
            "TRUSTPORTAL_PLUGINS": WITHOUT_LIBRARY,
        }
        arguments = [str(reader.pk), str(document.pk), str(version.pk), document.slug]
        out = run_python(SCRIPT, env, *arguments, timeout=180)
        assert "library" not in out["plugins"] and "notifications" in out["plugins"]
        assert out["/en/"] == {"status": 200, "library": False, "save": False}
        assert out["/en/notifications/"] == {"status": 200, "library": False, "save": False}
        assert out["/en/library/"]["status"] == 404
        assert out[f"/en/documents/{document.slug}/"]["status"] == 200
        assert out[f"/en/documents/{document.slug}/"]["save"] is False
        # No plugin offers subscriptions: the publish path runs and mails nobody.
        assert out["subscribers"] == [] and out["mails"] == 0
        assert not PendingUpdate.objects.filter(event_id="removal-test").exists()
    finally:
        Session.objects.exclude(pk__in=sessions_before).delete()
        reader.delete()
        TrustDocument.objects.filter(pk=document.pk).delete()
        organization.delete()
