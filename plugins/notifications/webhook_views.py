"""Organization administrators register their tools' webhook endpoints and read the log."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from cms.models import Membership
from cms.once import insert_or_existing

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
        endpoint, added = add_endpoint(form.save(commit=False), organization, request.user)
        # The form sent twice (a double click) shows the secret of the endpoint that exists:
        # the sender may only ever see this answer. Another administrator's endpoint at the
        # URL is listed below; its secret was shown to them.
        if added or endpoint.created_by_id == request.user.pk:
            created = endpoint
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


def add_endpoint(endpoint, organization, user) -> tuple[WebhookEndpoint, bool]:
    """Save ``endpoint`` for ``organization``, or answer its active endpoint at the same URL
    (``False``): the database allows one (``webhook_endpoint_once``)."""
    endpoint.organization = organization
    endpoint.created_by = user

    def insert():
        endpoint.save()
        return endpoint

    return insert_or_existing(
        insert,
        lambda: WebhookEndpoint.objects.filter(
            organization=organization, url=endpoint.url, active=True
        ).first(),
    )


@login_required
def remove_endpoint(request, pk):
    organization = administered_organization(request.user)
    if request.method != "POST" or organization is None:
        raise Http404(_("No such page."))
    WebhookEndpoint.objects.filter(pk=pk, organization=organization).delete()
    return redirect("notifications:webhooks")
