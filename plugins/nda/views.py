from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from cms.i18n import localized
from cms.models import organization_of

from .acceptance import record_acceptance
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
    # Two submissions at once both pass ``already``: the database records one, and the other
    # finds it recorded; either way the reader has accepted and goes on.
    record_acceptance(request, current, shown, organization)
    return redirect(context["next"])
