"""Organization administrators register their tools' webhook endpoints and read the log."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from cms.models import Membership

from .models import WebhookDelivery, WebhookEndpoint


class EndpointForm(forms.ModelForm):
    # A URL typed without a scheme means HTTPS, the only scheme endpoints may use.
    url = forms.URLField(
        label=_("endpoint URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("HTTPS only. We POST signed JSON for every document update."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url"]


def administered_organization(user):
    membership = Membership.objects.filter(
        user=user, role=Membership.Role.ADMIN, approved=True
    ).select_related("organization")
    found = membership.first()
    return found.organization if found else None


@login_required
def webhooks_page(request):
    organization = administered_organization(request.user)
    if organization is None:
        # Only organization administrators have this page (staff use the admin).
        raise Http404(_("No such page."))
    form = EndpointForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        created = form.save(commit=False)
        created.organization = organization
        created.created_by = request.user
        created.save()
        form = EndpointForm()
    endpoints = WebhookEndpoint.objects.filter(organization=organization)
    log = WebhookDelivery.objects.filter(endpoint__organization=organization).select_related(
        "endpoint"
    )[:50]
    return render(
        request,
        "notifications/webhooks.html",
        {"form": form, "endpoints": endpoints, "log": log, "created": created},
        status=400 if form.errors else 200,
    )


@login_required
def remove_endpoint(request, pk):
    organization = administered_organization(request.user)
    if request.method != "POST" or organization is None:
        raise Http404(_("No such page."))
    WebhookEndpoint.objects.filter(pk=pk, organization=organization).delete()
    return redirect("notifications:webhooks")
