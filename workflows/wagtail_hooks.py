"""Staff see the outbox: what waits, what was handled, and above all the events whose handlers
failed every attempt (never dropped silently), with a button to try them again."""

import django_filters
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponseForbidden
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from cms.admin_policies import LogOnlyPermissionPolicy
from cms.delivery.failures import FAILURES_HOOK, DeliveryFailure

from . import outbox
from .models import OutboxEvent

RETRY_PERMISSION = "workflows.change_outboxevent"
STATES = [("waiting", _("waiting")), ("handled", _("handled")), ("failed", _("failed"))]


class OutboxFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=STATES, method="by_state")

    class Meta:
        model = OutboxEvent
        fields = ["name"]

    def by_state(self, queryset, name, value):
        open_ = Q(handled_at__isnull=True)
        return {
            "waiting": queryset.filter(open_, failed_at__isnull=True),
            "handled": queryset.filter(handled_at__isnull=False),
            "failed": queryset.filter(open_, failed_at__isnull=False),
        }.get(value, queryset)


class RetryColumn(Column):
    cell_template_name = "workflows/retry_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        context.update(
            can_retry=bool(request and request.user.has_perm(RETRY_PERMISSION)),
            csrf_token=get_token(request) if request else "",
            retry_url_name="outbox_events:retry",
        )
        return context


def inspect_url(event: OutboxEvent) -> str:
    return reverse("outbox_events:inspect", args=[event.pk])


class OutboxEventViewSet(ModelViewSet):
    model = OutboxEvent
    icon = "resubmit"
    menu_label = _("Outbox events")
    add_to_admin_menu = True
    menu_order = 440
    list_display = [
        # A title column: the row's link to its inspect view (there is no edit form).
        TitleColumn("name", label=_("Event"), get_url=inspect_url),
        Column("payload", label=_("Payload")),
        Column("state", label=_("State")),
        Column("attempts", label=_("Attempts")),
        DateColumn("created_at", label=_("Created")),
        Column("last_error", label=_("Last error")),
        RetryColumn("retry", label=""),
    ]
    filterset_class = OutboxFilterSet
    ordering = ["-created_at"]
    inspect_view_enabled = True
    form_fields = []

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("retry/<uuid:pk>/", retry, name="retry")]


@require_POST
def retry(request, pk):
    if not request.user.has_perm(RETRY_PERMISSION):
        # A plain 403 with the reason (the admin's own denial is a redirect to its dashboard).
        return HttpResponseForbidden(_("You may not retry outbox events."))
    if not outbox.retry(pk):
        raise Http404(_("No failed outbox event with this id."))
    messages.success(request, _("The event is queued again, with a fresh set of attempts."))
    return redirect("outbox_events:index")


# The outbox is written by publishing alone: staff read it and retry failed events.
register_permission_policy(OutboxEvent, LogOnlyPermissionPolicy(OutboxEvent))


@hooks.register("register_admin_viewset")
def register_outbox_events():
    return OutboxEventViewSet("outbox_events")


@hooks.register(FAILURES_HOOK)
def failed_outbox_events(user, since):
    """For the dashboard's "Delivery failures": events whose handlers failed every attempt (the
    e-mails, webhooks and index updates they were to cause did not happen), for staff who may
    read the outbox."""
    if not LogOnlyPermissionPolicy(OutboxEvent).user_has_permission(user, "view"):
        return None
    url = f"{reverse('outbox_events:index')}?state=failed"
    failed = OutboxEvent.objects.filter(failed_at__gte=since, handled_at__isnull=True)
    return [
        DeliveryFailure(
            when=event.failed_at,
            kind=str(_("Outbox event")),
            subject=event.name,
            reason=event.last_error,
            url=url,
        )
        for event in failed.order_by("-failed_at")[:50]
    ]
