"""What the gated-publishing tests share: the admin's forms and URLs, and reading back what
went live."""

from __future__ import annotations

import functools
from datetime import date

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Revision

from cms.models import DocumentVersion, TrustDocument
from sites.demo.pdf import render_document_pdf
from tests import factories
from tests.helpers import (
    document_form_data,
    form_errors,
    version_form_data,
)

#: What the refused editor reads over the redisplayed form.
REFUSAL = "go live only after review"
GATED = ["nda", "restricted"]
#: The footer's Publish button (also "Schedule to publish" when a go-live date is set).
PUBLISH = {"action-publish": "action-publish"}
SCHEDULE_FORMAT = "%Y-%m-%d %H:%M"
#: What Wagtail says after a publish or a schedule (and must not say after a refusal).
SUCCESS_MESSAGES = ("and published", "has been published", "scheduled for publishing")


# --- helpers ---------------------------------------------------------------------------------


def url(model, name: str, *args) -> str:
    return reverse(model.snippet_viewset.get_url_name(name), args=args)


@functools.cache
def pdf_bytes() -> bytes:
    return render_document_pdf("Report", "2026", date(2026, 3, 1), "Summary", "Changes")


def pdf_upload(name: str = "gated.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def series_form(document: TrustDocument, **changes) -> dict:
    """The edit form of ``document`` as the admin fills it in, with ``changes``."""
    fields = {
        "title": document.title,
        "summary": document.summary,
        "update_note": document.update_note,
    }
    fields.update(changes)
    access_level = fields.pop("access_level", document.access_level)
    return document_form_data(document.slug, document.category, access_level, **fields)


def version_edit_form(version: DocumentVersion, **changes) -> dict:
    """The edit form of ``version`` as the admin fills it in (its file kept), with
    ``changes``."""
    file = version.files.get()
    data = version_form_data(version.document, "", label=version.version_label)
    data.update(
        {
            "published_on": version.published_on.isoformat(),
            "change_description": version.change_description,
            "files-INITIAL_FORMS": "1",
            "files-0-id": str(file.pk),
            "files-0-language": file.language,
        }
    )
    del data["files-0-file"]  # no new upload: the stored file stays
    data.update(changes)
    return data


def assert_refused(response) -> None:
    """A form error that says why, the form shown again (never a 500, never a redirect)."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert REFUSAL in html, form_errors(response)
    assert REFUSAL in str(response.context["form"].non_field_errors())
    assert not any(success in html for success in SUCCESS_MESSAGES)


def scheduled_revisions(obj) -> list[int]:
    """Revisions of ``obj`` approved to go live at a later time."""
    return list(
        Revision.objects.filter(
            base_content_type=obj.get_base_content_type(), object_id=str(obj.pk)
        )
        .exclude(approved_go_live_at=None)
        .values_list("pk", flat=True)
    )


def live_series(level: str, **kwargs) -> TrustDocument:
    """A published series (and its one version), read back as the admin would load it."""
    document = factories.document(level, **kwargs)
    document.refresh_from_db()
    return document


def mails_to(user) -> list:
    return [message for message in mail.outbox if user.email in message.to]
