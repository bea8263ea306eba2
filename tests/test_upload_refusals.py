"""Files that could not be served are refused when they are uploaded, in the admin's forms, with
a message that says why; nothing is saved then.

A damaged, truncated or header-less PDF is refused for every document (no reader could open
it). An encrypted PDF is refused where readers only get watermarked copies (every level above
public), accepted for a public document (served as uploaded). "Can be opened" is the
watermarker's own answer. Raising a public series to a watermarked level is refused while one
of its files could not be watermarked."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader
from wagtail.models import WorkflowState

from cms.delivery.watermark import watermark_to_tempfile
from cms.files.uploads import validate_upload
from cms.models import DocumentVersion, TrustDocument, VersionFile
from tests import factories, pdf_samples
from tests.helpers import client_for, document_form_data, form_errors, version_form_data

DAMAGED = "This PDF is damaged or truncated, so it cannot be opened."
NOT_A_PDF = "This file is not a PDF: it has no PDF header"
ENCRYPTED = "This PDF is encrypted with a password, so it cannot be watermarked"

#: case -> (content, the error shown on every document, or None if only watermarked ones
#: refuse it)
BROKEN = {
    "damaged": (pdf_samples.damaged_pdf, DAMAGED),
    "truncated": (pdf_samples.truncated_pdf, DAMAGED),
    "headerless": (pdf_samples.headerless_pdf, NOT_A_PDF),
    "encrypted": (pdf_samples.encrypted_pdf, None),
    "encrypted_empty_password": (lambda: pdf_samples.encrypted_pdf(user_password=""), None),
}


# --- helpers ---------------------------------------------------------------------------------


def url(model, name: str, *args) -> str:
    return reverse(model.snippet_viewset.get_url_name(name), args=args)


def stored_copies(stem: str) -> list:
    """Files in protected storage saved from an upload named ``stem.pdf`` (names are unique)."""
    root = Path(settings.PROTECTED_MEDIA_ROOT)
    return list(root.glob(f"versions/*/{stem}.pdf")) if root.exists() else []


def upload_new_version(user, document, content: bytes, stem: str, **extra):
    upload = SimpleUploadedFile(f"{stem}.pdf", content, content_type="application/pdf")
    return client_for(user).post(
        url(DocumentVersion, "add"), version_form_data(document, upload, label=stem, **extra)
    )


def assert_refused(response, message: str) -> None:
    assert response.status_code in (200, 400), form_errors(response)
    html = response.content.decode()
    assert message in html, form_errors(response)
    # The error is on the file field of the version's file, not only a banner.
    file_errors = response.context["form"].formsets["files"].forms[0].errors.get("file", [])
    assert any(message in error for error in file_errors), form_errors(response)


def version_states():
    return WorkflowState.objects.filter(base_content_type=DocumentVersion.get_base_content_type())


# --- the version form: new uploads ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("level", ["public", "signed_in", "nda", "restricted"])
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_pdfs_are_refused_with_the_reason_and_nothing_is_saved(demo_users, level, case):
    make, message_everywhere = BROKEN[case]
    document = factories.document(level, versions=0)
    stem = factories.unique(f"refused-{case}").replace("_", "-")
    states_before = version_states().count()
    response = upload_new_version(
        demo_users["editor"], document, make(), stem, **{"action-submit": "1"}
    )
    message = message_everywhere or (ENCRYPTED if level != "public" else None)
    if message is None:
        # A public document serves its files as uploaded: an encrypted PDF is the provider's
        # choice (locked against editing, or opened with a password readers are given).
        assert response.status_code == 302, form_errors(response)
        version = DocumentVersion.objects.get(document=document, version_label=stem)
        with version.files.get().file.open("rb") as stored:
            assert stored.read() == make()
        return
    assert_refused(response, message)
    assert not document.versions.exists()
    assert not DocumentVersion.objects.filter(version_label=stem).exists()
    assert version_states().count() == states_before  # nothing was submitted either
    assert not stored_copies(stem)


@pytest.mark.django_db
def test_the_encrypted_refusal_names_the_documents_level(demo_users):
    document = factories.document("nda", versions=0)
    response = upload_new_version(
        demo_users["editor"], document, pdf_samples.encrypted_pdf(), factories.unique("enc")
    )
    assert_refused(response, ENCRYPTED)
    assert "readers of this document (NDA accepted) are only given watermarked copies" in (
        response.content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("level", ["public", "nda"])
def test_a_valid_pdf_is_accepted_stored_and_served_watermarked_when_gated(demo_users, users, level):
    document = factories.document(level, versions=0)
    stem = factories.unique("accepted")
    response = upload_new_version(
        demo_users["admin"], document, pdf_samples.valid_pdf(), stem, **{"action-publish": "1"}
    )
    assert response.status_code == 302, form_errors(response)
    version = DocumentVersion.objects.get(document=document, version_label=stem)
    assert version.live
    stored = version.files.get()
    assert stored.original_filename == f"{stem}.pdf" and len(stored_copies(stem)) == 1
    # What was accepted is what the watermarker opens.
    with stored.file.open("rb") as source:
        copy = watermark_to_tempfile(source, ["Downloaded by a test"])
    with copy:
        assert pdf_samples.TITLE in PdfReader(copy).pages[0].extract_text()


@pytest.mark.django_db
def test_a_gated_series_waiting_for_review_already_refuses_encrypted_files(demo_users):
    """A series stored public whose newest draft is NDA: its versions are checked as NDA."""
    document = factories.document("public", versions=0)
    document.access_level = "nda"
    document.save_revision()  # a draft, as an editor's "Save draft" leaves it
    assert TrustDocument.objects.get(pk=document.pk).access_level == "public"
    response = upload_new_version(
        demo_users["editor"], document, pdf_samples.encrypted_pdf(), factories.unique("draft")
    )
    assert_refused(response, ENCRYPTED)
    assert not document.versions.exists()


# --- the version form: existing versions ---------------------------------------------------


def edit_version_data(version, **changes) -> dict:
    stored = version.files.get()
    return {
        "document": str(changes.pop("document", version.document).pk),
        "version_label": version.version_label,
        "published_on": version.published_on.isoformat(),
        "change_description": version.change_description,
        "files-TOTAL_FORMS": "1",
        "files-INITIAL_FORMS": "1",
        "files-MIN_NUM_FORMS": "1",
        "files-MAX_NUM_FORMS": "1000",
        "files-0-id": str(stored.pk),
        "files-0-ORDER": "1",
        "files-0-language": stored.language,
        **{f"files-0-{name}": value for name, value in changes.items()},
    }


@pytest.mark.django_db
def test_replacing_a_gated_versions_file_with_an_encrypted_one_is_refused(demo_users):
    version = factories.document("nda").versions.get()
    before = version.files.get()
    upload = SimpleUploadedFile("replacement.pdf", pdf_samples.encrypted_pdf())
    response = client_for(demo_users["admin"]).post(
        url(DocumentVersion, "edit", version.pk), edit_version_data(version, file=upload)
    )
    assert_refused(response, ENCRYPTED)
    after = VersionFile.objects.get(pk=before.pk)
    assert (after.file.name, after.sha256) == (before.file.name, before.sha256)


@pytest.mark.django_db
def test_moving_a_version_with_an_encrypted_file_to_a_gated_series_is_refused(demo_users):
    public = factories.document("public", versions=0)
    version = factories.version(public)
    VersionFile.objects.filter(version=version).delete()
    VersionFile.objects.create(
        version=version, language="en", file=ContentFile(pdf_samples.encrypted_pdf(), "lock.pdf")
    )
    gated = factories.document("restricted", versions=0)
    response = client_for(demo_users["admin"]).post(
        url(DocumentVersion, "edit", version.pk), edit_version_data(version, document=gated)
    )
    assert_refused(response, ENCRYPTED)
    assert DocumentVersion.objects.get(pk=version.pk).document_id == public.pk


# --- the series' form: raising a public series ----------------------------------------------


def public_series_with_file(content: bytes, name: str) -> TrustDocument:
    document = factories.document("public", versions=0)
    version = factories.version(document, label="2025")
    VersionFile.objects.filter(version=version).delete()
    VersionFile.objects.create(version=version, language="en", file=ContentFile(content, name))
    return document


def raise_to(user, document, level: str):
    data = document_form_data(document.slug, document.category, level, title=document.title)
    return client_for(user).post(url(TrustDocument, "edit", document.pk), data)


@pytest.mark.django_db
@pytest.mark.parametrize("level", ["signed_in", "nda", "restricted"])
def test_a_public_series_with_an_encrypted_file_cannot_be_raised(demo_users, level):
    document = public_series_with_file(pdf_samples.encrypted_pdf(user_password=""), "lock.pdf")
    revisions_before = document.revisions.count()
    response = raise_to(demo_users["admin"], document, level)
    assert response.status_code in (200, 400), form_errors(response)
    errors = response.context["form"].errors.get("access_level", [])
    assert any(
        "are only given watermarked copies, and these files cannot be watermarked: "
        "lock.pdf (version 2025: encrypted with a password)" in error
        for error in errors
    ), form_errors(response)
    document.refresh_from_db()
    assert document.access_level == "public"
    assert document.revisions.count() == revisions_before  # not even a draft was saved


@pytest.mark.django_db
def test_a_public_series_with_servable_files_can_be_raised(demo_users):
    document = public_series_with_file(pdf_samples.valid_pdf(), "fine.pdf")
    response = raise_to(demo_users["admin"], document, "nda")
    assert response.status_code == 302, form_errors(response)
    latest = TrustDocument.objects.get(pk=document.pk).get_latest_revision_as_object()
    assert latest.access_level == "nda"


# --- the validator itself (every path that checks an upload) -------------------------------


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (pdf_samples.damaged_pdf, "pdf_corrupt"),
        (pdf_samples.truncated_pdf, "pdf_corrupt"),
        (pdf_samples.headerless_pdf, "pdf_not_pdf"),
    ],
)
def test_the_upload_validator_refuses_unreadable_pdfs(make, code):
    with pytest.raises(ValidationError) as refused:
        validate_upload(SimpleUploadedFile("report.pdf", make()))
    assert refused.value.code == code


def test_the_upload_validator_leaves_encryption_to_the_form_and_rewinds():
    content = pdf_samples.encrypted_pdf()
    upload = SimpleUploadedFile("report.pdf", content)
    validate_upload(upload)
    assert upload.tell() == 0
    assert upload.read() == content
