"""The editorial path through the real Wagtail admin: an editor creates a document series and a
version with its file, submits both to the "Gated document review" workflow, a moderator approves
them, and readers see the new version. Also: non-gated content passes the review on its own, and a
bad upload is refused with a form error without saving anything."""

from __future__ import annotations

import functools
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.models import TaskState, WorkflowState

from cms.models import DocumentVersion, TrustDocument
from sites.demo.pdf import render_document_pdf
from tests import factories
from tests.helpers import client_for, document_form_data, form_errors, version_form_data

TASK_NAME = "Legal review of gated documents"


# --- helpers ---------------------------------------------------------------------------------


def url(model, name: str, *args) -> str:
    return reverse(model.snippet_viewset.get_url_name(name), args=args)


@functools.cache
def pdf_bytes() -> bytes:
    return render_document_pdf("Audit report", "2026", date(2026, 3, 1), "Summary", "Changes")


def pdf_upload(name: str = "audit-report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def workflow_state_of(obj) -> WorkflowState | None:
    return (
        WorkflowState.objects.filter(
            base_content_type=obj.get_base_content_type(), object_id=str(obj.pk)
        )
        .order_by("-pk")
        .first()
    )


def approve_as(user, obj) -> None:
    """Approve the object's current task through the snippet workflow action view."""
    model = type(obj)
    obj.refresh_from_db()
    task_state = obj.current_workflow_task_state
    assert task_state is not None, f"{obj!r} is not in moderation"
    response = client_for(user).post(
        url(model, "workflow_action", obj.pk, "approve", task_state.pk), {"comment": "Looks good"}
    )
    assert response.status_code == 302, response.status_code
    assert response["Location"] == url(model, "edit", obj.pk)


def mails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


# --- the gated path: editor submits, moderator approves, readers see it ---------------------


@pytest.mark.django_db
def test_editor_submits_gated_series_and_version_moderator_approves(demo_users, users):
    editor, admin, reader = demo_users["editor"], demo_users["admin"], demo_users["reader"]
    editor_client = client_for(editor)
    category = factories.category()
    slug = factories.unique("admin-flow")
    mail.outbox.clear()

    # 1. The editor creates the series and submits it for moderation in one go.
    response = editor_client.post(
        url(TrustDocument, "add"),
        document_form_data(slug, category, "nda", **{"action-submit": "Submit to moderation"}),
    )
    assert response.status_code == 302, form_errors(response)
    document = TrustDocument.objects.get(slug=slug)
    assert document.access_level == "nda"
    assert not document.live
    assert document.workflow_in_progress
    document_task = document.current_workflow_task_state
    assert document_task.status == TaskState.STATUS_IN_PROGRESS
    assert document_task.task.name == TASK_NAME
    assert document.current_workflow_state.requested_by == editor

    # 2. The editor creates a version of it with a PDF and submits that too.
    response = editor_client.post(
        url(DocumentVersion, "add"),
        version_form_data(document, pdf_upload(), **{"action-submit": "Submit to moderation"}),
    )
    assert response.status_code == 302, form_errors(response)
    version = DocumentVersion.objects.get(document=document)
    assert version.locale_id == document.locale_id
    file = version.files.get()
    assert file.original_filename == "audit-report.pdf"
    assert file.file.name.startswith("versions/") and file.file.name.endswith(".pdf")
    assert file.size > 0 and len(file.sha256) == 64
    with file.file.open("rb") as stored:
        assert stored.read() == pdf_bytes()
    assert Path(file.file.path) in stored_copies("audit-report")

    # 3. Nothing is live: both wait for the Moderators' review.
    document.refresh_from_db()
    version.refresh_from_db()
    assert not document.live and not version.live
    assert document.live_revision is None and version.live_revision is None
    version_task = version.current_workflow_task_state
    assert version_task.status == TaskState.STATUS_IN_PROGRESS
    assert {g.name for g in version_task.task.specific.groups.all()} == {"Moderators"}
    # The admin (a Moderator) sees both tasks as awaiting review; the editor cannot act on them.
    awaiting_admin = version_task.task.specific.get_task_states_user_can_moderate(admin)
    assert {document_task.pk, version_task.pk} <= set(awaiting_admin.values_list("pk", flat=True))
    assert version_task.task.specific.get_actions(version, editor) == []
    assert not version_task.task.specific.get_task_states_user_can_moderate(editor).exists()
    # ...and the admin's dashboard lists both under "Awaiting your review".
    dashboard = client_for(admin).get(reverse("wagtailadmin_home")).content.decode()
    assert "Awaiting your review" in dashboard
    assert url(TrustDocument, "edit", document.pk) in dashboard
    assert url(DocumentVersion, "edit", version.pk) in dashboard
    # Readers don't see the series yet.
    reader_client = client_for(reader)
    assert reader_client.get(f"/en/documents/{slug}/").status_code == 404

    # 4. Wagtail e-mails the task's group (and superusers) for each submission: the admin is
    # told twice, once per object, and the submitting editor is not told about their own task.
    task_mails = [m for m in mails_to(admin.email) if TASK_NAME in m.subject]
    assert len(task_mails) == 2, [m.subject for m in mail.outbox]
    assert any(document.title in m.subject for m in task_mails)
    assert any(str(version.version_label) in m.subject for m in task_mails)
    assert not [m for m in mails_to(editor.email) if TASK_NAME in m.subject]

    # The editor cannot approve their own submission through the action view.
    response = editor_client.post(
        url(DocumentVersion, "workflow_action", version.pk, "approve", version_task.pk)
    )
    # Wagtail turns the PermissionDenied into a redirect to the dashboard with an error message.
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    version_task.refresh_from_db()
    assert version_task.status == TaskState.STATUS_IN_PROGRESS
    version.refresh_from_db()
    assert not version.live

    # 5. The admin approves both; both go live.
    approve_as(admin, document)
    approve_as(admin, version)
    document.refresh_from_db()
    version.refresh_from_db()
    assert document.live and version.live
    assert document.live_revision is not None and version.live_revision is not None
    for obj in (document, version):
        state = workflow_state_of(obj)
        assert state.status == WorkflowState.STATUS_APPROVED
        assert state.current_task_state.finished_by == admin
    assert document.current_version() == version
    # The requester hears of the approval.
    assert [m for m in mails_to(editor.email) if "approved" in m.subject.lower()]

    # 6. The reader site shows the series with the new version.
    response = reader_client.get(f"/en/documents/{slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert document.title in html
    assert '2026 <span class="badge">current</span>' in html
    assert "What changed in 2026" in html
    # The reader has not accepted the NDA: the file is listed but not downloadable...
    assert "/download/" not in html
    # ...while an NDA member gets a link on the page and downloads exactly the uploaded PDF.
    nda_client = client_for(users["member_nda"])
    page = nda_client.get(f"/en/documents/{slug}/").content.decode()
    download_url = re.search(r'href="(/en/download/[^"]+)"', page).group(1)
    response = nda_client.get(download_url)
    assert response.status_code == 200
    # A gated PDF goes out watermarked for this viewer, with the id of this download.
    from io import BytesIO

    from pypdf import PdfReader

    served = PdfReader(BytesIO(b"".join(response.streaming_content)))
    text = served.pages[0].extract_text()
    assert response["X-Download-Id"] in text and "t-member-nda" in text


# --- non-gated content passes the review step on its own ------------------------------------


@pytest.mark.django_db
def test_public_version_submitted_to_workflow_is_auto_approved(demo_users):
    editor, admin = demo_users["editor"], demo_users["admin"]
    document = factories.document("public", versions=0)
    document.refresh_from_db()
    assert document.live and not document.is_gated
    mail.outbox.clear()

    response = client_for(editor).post(
        url(DocumentVersion, "add"),
        version_form_data(document, pdf_upload("public.pdf"), label="v9", **{"action-submit": "1"}),
    )
    assert response.status_code == 302, form_errors(response)
    version = DocumentVersion.objects.get(document=document)
    assert version.live
    assert not version.workflow_in_progress
    state = workflow_state_of(version)
    assert state.status == WorkflowState.STATUS_APPROVED
    task_state = state.current_task_state
    assert task_state.status == TaskState.STATUS_APPROVED
    assert task_state.finished_by is None  # no moderator was involved
    assert "Not gated" in task_state.comment
    assert document.current_version() == version

    # Nobody had to review it: no task is waiting for the admin, and anonymous readers see it.
    assert (
        not task_state.task.specific.get_task_states_user_can_moderate(admin)
        .filter(workflow_state=state)
        .exists()
    )
    response = Client().get(f"/en/documents/{document.slug}/")
    assert response.status_code == 200
    assert "v9" in response.content.decode()


@pytest.mark.django_db
def test_public_series_submitted_to_workflow_is_auto_approved(demo_users):
    category = factories.category()
    slug = factories.unique("admin-public")
    response = client_for(demo_users["editor"]).post(
        url(TrustDocument, "add"),
        document_form_data(slug, category, "public", **{"action-submit": "1"}),
    )
    assert response.status_code == 302, form_errors(response)
    document = TrustDocument.objects.get(slug=slug)
    assert document.live
    assert workflow_state_of(document).status == WorkflowState.STATUS_APPROVED


@pytest.mark.django_db
def test_auto_approved_version_does_not_notify_moderators(demo_users):
    editor, admin = demo_users["editor"], demo_users["admin"]
    document = factories.document("public", versions=0)
    mail.outbox.clear()
    response = client_for(editor).post(
        url(DocumentVersion, "add"),
        version_form_data(document, pdf_upload(), **{"action-submit": "1"}),
    )
    assert response.status_code == 302, form_errors(response)
    assert DocumentVersion.objects.get(document=document).live
    assert not [m for m in mails_to(admin.email) if TASK_NAME in m.subject]


# --- bad uploads: a form error, nothing saved ------------------------------------------------


#: case -> (file extension, content, the error shown)
BAD_UPLOADS = {
    "exe_named_pdf": (
        "pdf",
        b"MZ\x90\x00\x03" + b"\x00" * 200,
        "is named “.pdf” but its content is not a PDF file",
    ),
    "text_named_pdf": (
        "pdf",
        b"just some text, not a PDF\n" * 10,
        "is named “.pdf” but its content is not a PDF file",
    ),
    "exe": ("exe", b"MZ\x90\x00\x03" + b"\x00" * 200, "Files of type “.exe” are not allowed"),
    # Django's forms.FileField refuses an empty file before validate_upload runs.
    "empty": ("pdf", b"", "The submitted file is empty."),
}


def stored_copies(stem: str) -> list:
    """Files in protected storage saved from an upload named ``stem.*`` (names are unique per
    test, so other test processes sharing the directory don't disturb the check)."""
    root = Path(settings.PROTECTED_MEDIA_ROOT)
    return list(root.glob(f"versions/*/{stem}.*")) if root.exists() else []


def assert_rejected(response, message: str) -> None:
    assert response.status_code in (200, 400), response.status_code
    html = response.content.decode()
    assert message in html, form_errors(response)
    assert "could not be created" in html  # Wagtail's banner over the redisplayed form


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(BAD_UPLOADS))
def test_bad_upload_is_refused_with_form_error(demo_users, case):
    document = factories.document("public", versions=0)
    ext, content, message = BAD_UPLOADS[case]
    stem = factories.unique(f"rejected-{case}").replace("_", "-")
    response = client_for(demo_users["editor"]).post(
        url(DocumentVersion, "add"),
        version_form_data(document, SimpleUploadedFile(f"{stem}.{ext}", content), label=stem),
    )
    assert_rejected(response, message)
    assert not document.versions.exists()
    assert not DocumentVersion.objects.filter(version_label=stem).exists()
    assert not stored_copies(stem)


@pytest.mark.django_db
def test_too_large_upload_is_refused_with_form_error(demo_users, settings):
    settings.TRUSTPORTAL_UPLOAD_MAX_BYTES = 1024
    document = factories.document("public", versions=0)
    stem = factories.unique("rejected-too-large")
    upload = pdf_upload(f"{stem}.pdf")
    assert upload.size > 1024
    version_states = WorkflowState.objects.filter(
        base_content_type=DocumentVersion.get_base_content_type()
    )
    states_before = version_states.count()
    response = client_for(demo_users["editor"]).post(
        url(DocumentVersion, "add"),
        version_form_data(document, upload, **{"action-submit": "1"}),
    )
    assert_rejected(response, "the largest allowed is 1.0\xa0KB")
    assert not document.versions.exists()
    assert version_states.count() == states_before  # nothing was submitted either
    assert not stored_copies(stem)
