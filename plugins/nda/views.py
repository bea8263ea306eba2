from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from cms.audit import client_ip as audited_client_ip
from cms.audit import record
from cms.i18n import localized
from cms.models import organization_of

from .models import NdaAcceptance, NdaVersion


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def accept(request):
    current = NdaVersion.current()
    if current is None:
        return render(request, "nda/none.html", status=404)
    shown = localized(current)
    organization = organization_of(request.user)
    already = NdaAcceptance.objects.filter(user=request.user, nda_version=current).exists()
    context = {
        "nda": shown,
        "sha256": shown.text_sha256(),
        "organization": organization,
        "already_accepted": already,
        "next": _safe_next(request),
    }
    if request.method == "GET" or already:
        return render(request, "nda/accept.html", context)
    if organization is None:
        return render(request, "nda/accept.html", context, status=403)
    if request.POST.get("accept") != "yes":
        context["error"] = "must_tick"
        return render(request, "nda/accept.html", context, status=400)
    if request.POST.get("text_sha256") != shown.text_sha256():
        # The text changed between showing and accepting: the user must accept what they read.
        context["error"] = "changed"
        return render(request, "nda/accept.html", context, status=409)
    with transaction.atomic():
        acceptance = NdaAcceptance.objects.create(
            user=request.user,
            username=request.user.get_username(),
            email=request.user.email,
            organization=organization,
            organization_name=organization.name,
            nda_version=current,
            language=shown.locale.language_code if shown.locale_id else get_language(),
            text_sha256=shown.text_sha256(),
            ip=audited_client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
        )
        _audit(request, acceptance)
    return redirect(context["next"])


def _audit(request, acceptance) -> None:
    """Evidence twice over: the acceptance row and an entry in the hash-chained audit log
    (written in the same transaction, so one never exists without the other)."""
    record(
        "nda_accepted",
        outcome="ok",
        request=request,
        user=request.user,
        nda_version=acceptance.nda_version.version_label,
        detail={"text_sha256": acceptance.text_sha256, "language": acceptance.language},
    )
