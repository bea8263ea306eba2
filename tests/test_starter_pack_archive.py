"""A starter pack downloaded as one archive: the reader's own copies, nothing more."""

import io
import zipfile

import pytest
from django.test import Client
from pypdf import PdfReader

from cms.audit.models import AuditEntry
from cms.models import StarterPackItem, StarterPackPage
from tests import factories


def archive_of(client, pack):
    response = client.get(f"/en/starter-packs/{pack.pk}/archive/")
    content = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, zipfile.ZipFile(io.BytesIO(content)) if content else None


@pytest.mark.django_db
def test_anonymous_visitors_get_the_public_documents_and_a_readme(users):
    pack = StarterPackPage.objects.get(slug="evaluation-starter-pack", locale__language_code="en")
    response, bundle = archive_of(Client(), pack)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    names = bundle.namelist()
    # white paper, shared responsibility, SOC 3, ISO certificate are public; the FAQ is not.
    assert len([n for n in names if n.endswith(".pdf")]) == 4
    readme = bundle.read("README.txt").decode()
    assert "Financial services compliance FAQ: sign in to download" in readme
    for name in names:
        if name.endswith(".pdf"):
            assert bundle.read(name).startswith(b"%PDF")


@pytest.mark.django_db
def test_gated_files_in_the_archive_are_watermarked_and_logged(users):
    member = users["member_nda"]
    client = Client()
    client.force_login(member)
    pack = StarterPackPage.objects.get(slug="audit-starter-pack", locale__language_code="en")
    before = AuditEntry.objects.filter(action="download").count()
    response, bundle = archive_of(client, pack)
    pdfs = [n for n in bundle.namelist() if n.endswith(".pdf")]
    assert len(pdfs) == 5
    entries = AuditEntry.objects.filter(action="download").order_by("sequence")[before:]
    assert len(entries) == 5 and all(e.detail["archive"] == "audit-starter-pack" for e in entries)
    ids = {e.download_id for e in entries}
    soc1 = next(n for n in pdfs if "soc-1" in n)
    text = PdfReader(io.BytesIO(bundle.read(soc1))).pages[0].extract_text()
    assert any(download_id in text for download_id in ids)


@pytest.mark.django_db
def test_hidden_documents_are_not_even_named(users):
    pack = StarterPackPage.objects.get(slug="assessment-starter-pack", locale__language_code="en")
    hidden = factories.document(
        "restricted", title="Zebrafish pack secret", organizations=[users["other_org_obj"]]
    )
    StarterPackItem.objects.create(page=pack, document=hidden, sort_order=99)
    client = Client()
    client.force_login(users["personal"])
    _response, bundle = archive_of(client, pack)
    readme = bundle.read("README.txt").decode()
    assert "Zebrafish" not in readme and "accept the current NDA" not in readme  # personal: no org
    assert "an organization account is needed" in readme
    assert not any("test-doc" in name for name in bundle.namelist())


@pytest.mark.django_db
def test_an_archive_with_nothing_for_the_reader_is_refused_clearly(users):
    pack = StarterPackPage.objects.get(slug="audit-starter-pack", locale__language_code="en")
    response, _bundle = archive_of(Client(), pack)
    assert response.status_code == 403 and "Nothing to download yet" in response.content.decode()
    assert Client().get("/en/starter-packs/999999/archive/").status_code == 404
