"""Reader views of documents: a document's page and the protected download of a version's file."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cms.access import policy, ratelimit
from cms.audit import record
from cms.delivery import serving
from cms.delivery.links import LinkExpired, LinkInvalid, read_claim
from cms.models import DocumentVersion, TrustDocument
from search.cards import document_page_context, get_document_for_reader
from sites import visitor_cache

logger = logging.getLogger(__name__)


@require_GET
def document_detail(request, slug: str):
    document = get_document_for_reader(request, slug)
    if document is None:
        raise Http404(_("No such document."))
    response = render(
        request, "portal/document_detail.html", document_page_context(request, document)
    )
    _record_view(request, document)
    # Served again from the visitors' cache, it is viewed again.
    visitor_cache.replay_on_hit(response, "document_view", document.pk)
    return response


@visitor_cache.replays("document_view")
def _record_cached_view(request, document_id: int) -> None:
    document = TrustDocument.objects.filter(pk=document_id).first()
    if document is not None:
        _record_view(request, document)


def _record_view(request, document) -> None:
    """A view goes into the audit log for staff analytics; unlike a download, a page view is
    never refused because its entry could not be written."""
    if not getattr(settings, "TRUSTPORTAL_AUDIT_DOCUMENT_VIEWS", True):
        return
    try:
        record("document_view", outcome="ok", request=request, document=document)
    except Exception:
        logger.exception("Audit entry for a document view could not be written")


def _version_of(claim) -> DocumentVersion | None:
    """The version a link names, for the audit entry of its refusal (``None`` if gone)."""
    if claim is None:
        return None
    return DocumentVersion.objects.select_related("document").filter(pk=claim.version_id).first()


def _link_problem(request, problem: str, status: int):
    return render(request, "portal/link_problem.html", {"problem": problem}, status=status)


@require_GET
def download(request, token: str):
    """Serve one file of a version through the application only, to the user the signed link
    was handed to, if the policy (asked again now) allows."""
    # Every way out of this view short of the file leaves an audit entry with its reason.
    if ratelimit.exceeded("download", ratelimit.requester(request)):
        serving.record_denial(request, None, "rate_limited")
        return ratelimit.too_many_requests(request, "download")
    try:
        claim = read_claim(token)
    except LinkExpired as expired:
        serving.record_denial(request, _version_of(expired.claim), "link_expired")
        return _link_problem(request, "expired", status=410)
    except LinkInvalid as error:
        serving.record_denial(request, None, "bad_signature")
        raise Http404(_("No such file.")) from error
    current_user_id = request.user.pk if request.user.is_authenticated else 0
    if claim.user_id != current_user_id:
        # Who the link was handed to stays in the log: a link passed on is worth knowing of.
        version = _version_of(claim)
        if claim.user_id and not request.user.is_authenticated:
            serving.record_denial(request, version, "sign_in", link_user_id=claim.user_id)
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(settings.LOGIN_URL)}?{query}")
        serving.record_denial(request, version, "link_other_user", link_user_id=claim.user_id)
        return _link_problem(request, "other_user", status=403)

    version = (
        DocumentVersion.objects.select_related("document")
        .prefetch_related("files")
        .filter(pk=claim.version_id)
        .first()
    )
    decision = (
        policy.can_download(request.user, version)
        if version
        else policy.Decision(False, "not_found")
    )
    if not decision:
        serving.record_denial(request, version, decision.reason)
    if decision.reason in {"not_found", "expired"}:
        # A forbidden and a nonexistent document look the same.
        raise Http404(_("No such file."))
    if decision.reason == "sign_in":
        return redirect(
            f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"
        )
    if not decision:
        context = {
            "reason": decision.reason,
            "document": version.document,
            "nda_accept_url": policy.nda_accept_url(request) if decision.reason == "nda" else None,
        }
        return render(request, "portal/download_denied.html", context, status=403)
    version_file = version.file_for_language(claim.language)
    if version_file is None:
        serving.record_denial(request, version, "no_file", language=claim.language)
        raise Http404(_("No such file."))
    try:
        response = serving.deliver(request, version, version_file)
    except serving.DeliveryRefused as refusal:
        context = {"reason": refusal.reason, "document": version.document}
        return render(request, "portal/download_failed.html", context, status=503)
    return serving.protect(response)
