"""What leaves the portal when a download is allowed: a logged, per-viewer watermarked copy."""

import io

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from cms.audit.models import AuditEntry
from cms.delivery.links import signed_download_url
from cms.models import VersionFile
from tests import factories


def download(user, version, language="en"):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(signed_download_url(version.pk, language, user))


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_a_gated_pdf_carries_the_viewer_and_the_download_id(users, demo_users):
    member = users["member_nda"]
    member.first_name, member.last_name, member.email = "Mia", "Member", "mia@customer.test"
    member.save()
    version = factories.document("nda").versions.get()
    response = download(member, version)
    assert response.status_code == 200
    download_id = response["X-Download-Id"]
    pages = PdfReader(io.BytesIO(body(response))).pages
    for page in pages:
        text = page.extract_text()
        assert download_id in text and "mia@customer.test" in text and "Test Customer" in text
    entry = AuditEntry.objects.get(download_id=download_id)
    assert (entry.action, entry.outcome, entry.username) == ("download", "allowed", member.username)
    assert entry.version_id == version.pk and entry.organization_name == "Test Customer"
    assert entry.nda_version == "2026-01"  # the NDA in effect, which the member accepted
    # Staff look the id up and see who downloaded that copy.
    admin = Client()
    admin.force_login(demo_users["admin"])
    lookup = admin.get(reverse("audit:lookup"), {"download_id": download_id})
    assert lookup.status_code == 200 and member.username in lookup.content.decode()


@pytest.mark.django_db
def test_public_files_are_served_as_published_and_still_logged(users):
    version = factories.document("public").versions.get()
    response = download(None, version)
    original = VersionFile.objects.get(version=version).file.open("rb").read()
    assert body(response) == original
    assert AuditEntry.objects.filter(
        download_id=response["X-Download-Id"], action="download"
    ).exists()


@pytest.mark.django_db
def test_refusals_are_logged(users):
    version = factories.document("nda").versions.get()
    response = download(users["member"], version)
    assert response.status_code == 403
    entry = AuditEntry.objects.filter(action="download_denied").latest("sequence")
    assert entry.username == "t-member" and entry.detail["reason"] == "nda"


@pytest.mark.django_db
def test_an_encrypted_gated_pdf_is_not_served_and_staff_are_alerted(users, settings, tmp_path):
    settings.ADMINS = [("Security", "security@provider.example")]
    # A cache of its own: the factory's PDF, prepared by an earlier test under the SHA-256 this
    # file still records, would be served (tests/test_prepared_copies.py).
    settings.TRUSTPORTAL_WATERMARK_CACHE_DIR = str(tmp_path)
    version = factories.document("nda").versions.get()
    stored = VersionFile.objects.get(version=version)
    writer = PdfWriter(clone_from=PdfReader(stored.file.open("rb")))
    writer.encrypt(user_password="", owner_password="owner")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    with stored.file.storage.open(stored.file.name, "wb") as handle:
        handle.write(encrypted.getvalue())
    mail.outbox.clear()
    response = download(users["member_nda"], version)
    assert response.status_code == 503
    assert "could not be marked" in response.content.decode()
    alerts = [
        m
        for m in mail.outbox
        if m.subject.endswith(f"Cannot watermark {version.document.title} v1")
    ]
    assert len(alerts) == 1 and alerts[0].to == ["security@provider.example"]
    entry = AuditEntry.objects.filter(action="download_denied").latest("sequence")
    assert entry.detail["reason"] == "watermark_failed"


@pytest.mark.django_db
def test_no_audit_entry_no_download(users, monkeypatch):
    import cms.delivery.serving

    def broken(*args, **kwargs):
        raise RuntimeError("audit database unavailable")

    monkeypatch.setattr(cms.delivery.serving, "record", broken)
    version = factories.document("signed_in").versions.get()
    response = download(users["member"], version)
    assert response.status_code == 503 and "could not be written" in response.content.decode()
