"""The copy of a gated PDF a reader downloads carries no active content: no scripts (document,
page, form field, name tree, XFA), no launch, submit-form or import-data actions, no embedded
files or file attachments. Its pages, text and inert links stay.

The PDF is uploaded through the admin's version form on a gated series, and downloaded by an
entitled reader through the link on the document's page, as readers do."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    TextStringObject,
)

from cms.delivery.watermark import watermark_to_tempfile
from cms.models import DocumentVersion, VersionFile
from tests import factories, pdf_samples
from tests.helpers import client_for, form_errors, version_form_data

#: Keys that only active content uses.
ACTIVE_KEYS = {"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EF", "/RF", "/XFA"}
#: Action types that run, submit or open something.
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE"}
DOWNLOAD_LINK = re.compile(r'href="(/en/download/[^"/]+/)"')


def publish_through_the_admin(admin, document, content: bytes) -> DocumentVersion:
    upload = SimpleUploadedFile("report.pdf", content, content_type="application/pdf")
    label = factories.unique("active")
    response = client_for(admin).post(
        reverse(DocumentVersion.snippet_viewset.get_url_name("add")),
        version_form_data(document, upload, label=label, **{"action-publish": "1"}),
    )
    assert response.status_code == 302, form_errors(response)
    version = DocumentVersion.objects.get(document=document, version_label=label)
    assert version.live
    return version


def download_as_reader(reader, document) -> bytes:
    """Open the document's page as ``reader`` and follow its download link."""
    client = client_for(reader)
    page = client.get(document.get_url())
    assert page.status_code == 200
    links = DOWNLOAD_LINK.findall(page.content.decode())
    assert len(links) == 1, links
    response = client.get(links[0])
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def every_object(reader: PdfReader):
    """Each dictionary of the file, reached from its trailer, once."""
    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            yield item
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def active_content_in(served: bytes) -> list[str]:
    found = []
    for obj in every_object(PdfReader(io.BytesIO(served))):
        found += sorted(set(obj) & ACTIVE_KEYS)
        if obj.get("/S") in ACTIVE_ACTIONS:
            found.append(f"action {obj['/S']}")
        if "/OpenAction" in obj and isinstance(obj["/OpenAction"], DictionaryObject):
            found.append("/OpenAction")
        if obj.get("/Subtype") == "/FileAttachment" or obj.get("/Type") == "/EmbeddedFile":
            found.append(f"file {obj.get('/Subtype') or obj.get('/Type')}")
    return found


@pytest.fixture
def uploaded(demo_users):
    document = factories.document("nda", versions=0)
    version = publish_through_the_admin(demo_users["admin"], document, pdf_samples.active_pdf())
    return document, version


def test_the_sample_carries_every_kind_of_active_content():
    """What the other tests prove removed is really in the upload."""
    found = active_content_in(pdf_samples.active_pdf())
    for expected in ("/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EF", "/XFA", "/OpenAction"):
        assert expected in found, found
    for action in ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData"):
        assert f"action {action}" in found, found
    assert "file /FileAttachment" in found and "file /EmbeddedFile" in found


@pytest.mark.django_db
def test_the_served_copy_of_a_gated_pdf_has_no_active_content(uploaded, users):
    document, version = uploaded
    # What was stored is the upload, untouched: only the reader's copy is cleaned.
    with VersionFile.objects.get(version=version).file.open("rb") as stored:
        assert stored.read() == pdf_samples.active_pdf()
    served = download_as_reader(users["member_nda"], document)
    assert active_content_in(served) == []
    for marker in (*pdf_samples.SCRIPT_MARKERS, "calc.exe", "MZ ", "collector.example"):
        assert marker.encode() not in served, marker


@pytest.mark.django_db
def test_the_served_copy_keeps_its_pages_text_and_inert_links(uploaded, users):
    document, _version = uploaded
    served = PdfReader(io.BytesIO(download_as_reader(users["member_nda"], document)))
    original = PdfReader(io.BytesIO(pdf_samples.active_pdf()))
    assert len(served.pages) == len(original.pages)
    text = served.pages[0].extract_text()
    assert pdf_samples.TITLE in text and pdf_samples.SUMMARY in text
    assert "Downloaded by" in text  # and it is the reader's watermarked copy
    annotations = [a.get_object() for a in served.pages[0]["/Annots"]]
    actions = [a["/A"]["/S"] for a in annotations if "/A" in a]
    assert sorted(actions) == ["/GoTo", "/URI"]
    assert any(a.get("/A", {}).get("/URI") == "https://provider.example/" for a in annotations)
    # The launch link is left as an inert box; the form keeps its fields, without actions.
    assert [a["/Subtype"] for a in annotations].count("/Link") == 3
    fields = served.trailer["/Root"]["/AcroForm"]["/Fields"]
    assert sorted(f.get_object()["/T"] for f in fields) == ["load", "send"]


@pytest.mark.django_db
def test_a_public_pdf_is_served_as_uploaded(demo_users):
    """Public files are never rewritten (see the README): the bytes readers get are the ones
    uploaded, whose SHA-256 the audit log records, and a signed PDF's signature still holds."""
    document = factories.document("public", versions=0)
    publish_through_the_admin(demo_users["admin"], document, pdf_samples.active_pdf())
    assert download_as_reader(None, document) == pdf_samples.active_pdf()


# --- the rules, on the watermarker alone (no database) ----------------------------------------


def _watermarked_with(**catalog_entries) -> PdfReader:
    """The valid sample with these catalog entries, watermarked and read back."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_samples.valid_pdf())))
    for key, make in catalog_entries.items():
        writer._root_object[NameObject(f"/{key}")] = make(writer)
    source = io.BytesIO()
    writer.write(source)
    return PdfReader(watermark_to_tempfile(io.BytesIO(source.getvalue()), ["Downloaded by T"]))


def _action(kind: str, **entries) -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/S"): NameObject(kind),
            **{NameObject(f"/{key}"): value for key, value in entries.items()},
        }
    )


def test_an_open_action_that_is_a_destination_is_kept():
    served = _watermarked_with(
        OpenAction=lambda w: ArrayObject([w.pages[0].indirect_reference, NameObject("/Fit")])
    )
    destination = served.trailer["/Root"]["/OpenAction"]
    assert destination[0].get_object() == served.pages[0] and destination[1] == "/Fit"


@pytest.mark.parametrize(
    ("uri", "kept"),
    [
        ("https://provider.example/", True),
        ("mailto:security@provider.example", True),
        ("javascript:app.alert(1)", False),
        ("file://fileserver/share/x.pdf", False),
    ],
)
def test_only_web_and_mail_addresses_are_kept_as_links(uri, kept):
    served = _watermarked_with(OpenAction=lambda w: _action("/URI", URI=TextStringObject(uri)))
    assert ("/OpenAction" in served.trailer["/Root"]) is kept


def test_a_chain_of_actions_keeps_only_its_inert_links():
    served = _watermarked_with(
        OpenAction=lambda w: _action(
            "/Named",
            N=NameObject("/FirstPage"),
            Next=ArrayObject(
                [
                    _action("/JavaScript", JS=TextStringObject("app.alert('chained')")),
                    _action("/URI", URI=TextStringObject("https://provider.example/")),
                    _action("/Launch", F=TextStringObject("calc.exe")),
                ]
            ),
        )
    )
    chain = served.trailer["/Root"]["/OpenAction"]
    assert chain["/S"] == "/Named"
    assert [action.get_object()["/S"] for action in chain["/Next"]] == ["/URI"]
