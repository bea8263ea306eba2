"""Staff hear of delivery failures: by e-mail to ``ADMINS`` (read from ``TRUSTPORTAL_ADMINS``,
sent from ``SERVER_EMAIL``), and on the admin's dashboard whether the mail went or not: the
"Delivery failures" panel lists files readers could not be served, and failed e-mails, webhooks
and outbox events, each for the staff allowed to see that kind."""

from __future__ import annotations

import html
import os
import re

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from cms.audit.models import AuditEntry
from cms.delivery.links import signed_download_url
from cms.models import DocumentVersion, VersionFile
from plugins.notifications.models import EmailDelivery, WebhookDelivery, WebhookEndpoint
from sites.settings.base import env_addresses
from tests import factories, pdf_samples
from tests.helpers import client_for, make_user, run_python
from workflows.models import OutboxEvent

PANEL = re.compile(r'<section[^>]*id="delivery-failures-section".*?</section>', re.DOTALL)
NOT_MAILED = "Staff alerts are not e-mailed"

# --- ADMINS and SERVER_EMAIL from the environment ---------------------------------------------


def test_admins_are_read_as_name_and_address_pairs(monkeypatch):
    monkeypatch.setenv(
        "TRUSTPORTAL_ADMINS", "Security Team <security@provider.example>, ops@provider.example"
    )
    assert env_addresses("TRUSTPORTAL_ADMINS") == [
        ("Security Team", "security@provider.example"),
        ("", "ops@provider.example"),
    ]


@pytest.mark.parametrize("value", ["", "  ", ", ,"])
def test_no_admins_when_the_variable_is_empty(monkeypatch, value):
    monkeypatch.setenv("TRUSTPORTAL_ADMINS", value)
    assert env_addresses("TRUSTPORTAL_ADMINS") == []


@pytest.mark.parametrize("value", ["security", "ops@provider.example, Name <nowhere>", "a@"])
def test_a_malformed_address_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("TRUSTPORTAL_ADMINS", value)
    with pytest.raises(ImproperlyConfigured, match="TRUSTPORTAL_ADMINS: .* is not an e-mail"):
        env_addresses("TRUSTPORTAL_ADMINS")


def test_a_portal_started_with_the_variables_has_the_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sites.settings.test",
        "TRUSTPORTAL_ADMINS": "Security Team <security@provider.example>, ops@provider.example",
        "SERVER_EMAIL": "alerts@provider.example",
    }
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({'admins': settings.ADMINS, 'server_email': settings.SERVER_EMAIL}))"
    )
    started = run_python(script, env)
    assert started == {
        "admins": [["Security Team", "security@provider.example"], ["", "ops@provider.example"]],
        "server_email": "alerts@provider.example",
    }


# --- files readers could not be served ---------------------------------------------------------


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        if self.fail_silently:
            return 0
        raise ConnectionRefusedError("the mail server is down")


def gated_version_with_encrypted_file() -> DocumentVersion:
    """A live NDA version whose stored file became encrypted (stored before uploads were
    checked, or put there behind the portal's back): the upload check cannot have stopped it."""
    version = factories.document("nda", title=factories.unique("Locked report")).versions.get()
    stored = VersionFile.objects.get(version=version)
    with stored.file.storage.open(stored.file.name, "wb") as handle:
        handle.write(pdf_samples.encrypted_pdf())
    return version


def download(user, version):
    return client_for(user).get(signed_download_url(version.pk, "en", user))


def dashboard_panel(user) -> str | None:
    response = client_for(user).get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    found = PANEL.search(response.content.decode())
    return html.unescape(found.group(0)) if found else None


def edit_url(version) -> str:
    return reverse(DocumentVersion.snippet_viewset.get_url_name("edit"), args=[version.pk])


@pytest.mark.django_db
def test_an_unserved_file_is_listed_for_staff_even_with_no_admins_to_mail(
    users, demo_users, settings
):
    settings.ADMINS = []
    version = gated_version_with_encrypted_file()
    mail.outbox.clear()
    assert download(users["member_nda"], version).status_code == 503
    assert download(users["other_org"], version).status_code == 503
    assert mail.outbox == []  # nobody to mail
    for staff in ("admin", "editor"):  # both can replace the file
        panel = dashboard_panel(demo_users[staff])
        assert panel is not None, staff
        assert "File not served (2 times)" in panel
        assert f"{version.document.title} — v1 — " in panel
        assert "encrypted with a password" in panel
        assert f'href="{edit_url(version)}"' in panel
        assert NOT_MAILED in panel


@pytest.mark.django_db
def test_an_unserved_file_is_listed_when_the_alert_mail_cannot_be_sent(users, demo_users, settings):
    settings.ADMINS = [("Security", "security@provider.example")]
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    version = gated_version_with_encrypted_file()
    response = download(users["member_nda"], version)
    assert response.status_code == 503  # the reader's page, not a server error
    assert "could not be marked" in response.content.decode()
    panel = dashboard_panel(demo_users["admin"])
    assert version.document.title in panel and "encrypted with a password" in panel
    assert NOT_MAILED not in panel


@pytest.mark.django_db
def test_the_alert_mail_goes_to_the_admins_from_the_server_address(users, settings):
    settings.ADMINS = [("Security", "security@provider.example")]
    settings.SERVER_EMAIL = "alerts@provider.example"
    version = gated_version_with_encrypted_file()
    mail.outbox.clear()
    assert download(users["member_nda"], version).status_code == 503
    (alert,) = mail.outbox  # one: a 503 is not also mailed as a server error
    assert alert.to == ["security@provider.example"]
    assert alert.from_email == "alerts@provider.example"
    assert alert.subject == f"[Trust Portal] Cannot watermark {version.document.title} v1"


@pytest.mark.django_db
def test_a_replaced_file_is_no_longer_listed(users, demo_users):
    version = gated_version_with_encrypted_file()
    assert download(users["member_nda"], version).status_code == 503
    assert version.document.title in dashboard_panel(demo_users["admin"])
    stored = VersionFile.objects.get(version=version)
    stored.file.delete(save=False)
    stored.file = ContentFile(pdf_samples.valid_pdf(), name="fixed.pdf")
    stored.save()
    assert download(users["member_nda"], version).status_code == 200
    panel = dashboard_panel(demo_users["admin"])
    assert version.document.title not in panel
    assert "Nothing failed in the last 14 days." in panel


@pytest.mark.django_db
def test_staff_who_may_see_no_kind_of_failure_get_no_panel(users, demo_users):
    version = gated_version_with_encrypted_file()
    assert download(users["member_nda"], version).status_code == 503
    # Administrators read the audit log and reach the admin, but replace no files and see no
    # mail logs.
    auditor = make_user(factories.unique("auditor"), groups=["Administrators"], is_staff=True)
    assert dashboard_panel(auditor) is None


# --- what the layers above record: e-mails, webhooks, outbox events ---------------------------


@pytest.mark.django_db
def test_failed_emails_webhooks_and_outbox_events_are_listed_for_those_allowed(users, demo_users):
    now = timezone.now()
    reader = users["member"]
    EmailDelivery.objects.create(
        user=reader,
        key="event:failed-mail",
        recipient="mia@customer.test",
        status=EmailDelivery.Status.FAILED,
        error="550 mailbox unavailable",
        claimed_at=now,
    )
    document = factories.document("public")
    endpoint = WebhookEndpoint.objects.create(
        organization=users["customer_org"], url="https://hooks.customer.test/in", created_by=reader
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id="evt-failed-hook",
        document=document,
        status=WebhookDelivery.Status.FAILED,
        last_error="gave up after 6 attempts: 502",
        claimed_at=now,
    )
    OutboxEvent.objects.create(
        name="version_published",
        payload={"version": 1},
        failed_at=now,
        last_error="RuntimeError: handler broke",
    )
    # Old failures are not "recent".
    EmailDelivery.objects.create(
        user=reader,
        key="event:old-failure",
        recipient="old@customer.test",
        status=EmailDelivery.Status.FAILED,
        error="550 long ago",
        created_at=now - timezone.timedelta(days=30),
    )
    panel = dashboard_panel(demo_users["admin"])
    assert "E-mail" in panel and "mia@customer.test" in panel
    assert "550 mailbox unavailable" in panel
    assert f'href="{reverse("email_deliveries:index")}?status=failed"' in panel
    assert "Webhook" in panel and "evt-failed-hook → https://hooks.customer.test/in" in panel
    assert f'href="{reverse("webhook_log:index")}?status=failed"' in panel
    assert "Outbox event" in panel and "RuntimeError: handler broke" in panel
    assert f'href="{reverse("outbox_events:index")}?state=failed"' in panel
    assert "old@customer.test" not in panel
    # Editors see the files they can replace, not the mail logs they may not read.
    editor_panel = dashboard_panel(demo_users["editor"])
    assert editor_panel is not None
    assert "mia@customer.test" not in editor_panel and "handler broke" not in editor_panel


@pytest.mark.django_db
def test_readers_refused_the_same_file_make_one_alert_and_a_replacement_alerts_again(
    users, settings
):
    settings.ADMINS = [("Security", "security@provider.example")]
    version = gated_version_with_encrypted_file()
    mail.outbox.clear()
    for _attempt in range(3):
        assert download(users["member_nda"], version).status_code == 503
    assert len(mail.outbox) == 1
    # The refusals are all counted where staff look, however few mails went out.
    assert AuditEntry.objects.filter(action="download_denied", version_id=version.pk).exists()

    stored = VersionFile.objects.get(version=version)
    replacement = gated_version_with_encrypted_file()
    stored.file = VersionFile.objects.get(version=replacement).file  # another broken file
    stored.save()
    assert download(users["member_nda"], version).status_code == 503
    assert len(mail.outbox) == 2
