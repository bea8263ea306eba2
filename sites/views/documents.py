"""Reader views of documents: a document's page and the protected download of a version's file."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cms.access import policy
from cms.listing import document_page_context, get_document_for_reader
from cms.models import DocumentVersion


@require_GET
def document_detail(request, slug: str):
    document = get_document_for_reader(request, slug)
    if document is None:
        raise Http404(_("No such document."))
    return render(request, "portal/document_detail.html", document_page_context(request, document))


@require_GET
def download(request, version_id: int):
    """Serve one file of a version, if the policy allows, through the application only."""
    version = (
        DocumentVersion.objects.select_related("document")
        .prefetch_related("files")
        .filter(pk=version_id)
        .first()
    )
    decision = (
        policy.can_download(request.user, version)
        if version
        else policy.Decision(False, "not_found")
    )
    if decision.reason in {"not_found", "expired"}:
        # A forbidden and a nonexistent document look the same.
        raise Http404(_("No such file."))
    if decision.reason == "sign_in":
        return redirect(
            f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"
        )
    if not decision:
        return render(
            request,
            "portal/download_denied.html",
            {"reason": decision.reason, "document": version.document},
            status=403,
        )
    language = request.GET.get("lang") or get_language()
    version_file = version.file_for_language(language)
    if version_file is None:
        raise Http404(_("No such file."))
    response = FileResponse(
        version_file.file.open("rb"),
        as_attachment=True,
        filename=version_file.display_name,
        content_type=version_file.content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
