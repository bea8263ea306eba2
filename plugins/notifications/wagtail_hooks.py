"""Staff see every notification e-mail and, above all, the ones that failed for good."""

from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from cms.admin_policies import LogOnlyPermissionPolicy
from cms.delivery.failures import FAILURES_HOOK, DeliveryFailure

from .models import EmailDelivery, WebhookDelivery, WebhookEndpoint


class EmailDeliveryViewSet(ModelViewSet):
    model = EmailDelivery
    icon = "mail"
    menu_label = _("E-mail deliveries")
    add_to_admin_menu = True
    menu_order = 410
    list_display = ["key", "user", "status", "attempts", "recipient", "sent_at", "error"]
    list_filter = ["status"]
    search_fields = ["key", "recipient", "error"]
    # A log: read in its listing and inspect view, nothing to add or edit by hand (the policy
    # below refuses the add, edit and delete views; they still need a form to be built).
    inspect_view_enabled = True
    form_fields = []


@hooks.register("register_admin_viewset")
def register_email_deliveries():
    return EmailDeliveryViewSet("email_deliveries")


class WebhookEndpointViewSet(ModelViewSet):
    """Staff register endpoints for any organization (organization admins on the site)."""

    model = WebhookEndpoint
    icon = "link-external"
    menu_label = _("Webhooks")
    add_to_admin_menu = True
    menu_order = 420
    list_display = ["organization", "url", "active", "created_at"]
    list_filter = ["active", "organization"]
    form_fields = ["organization", "url", "active", "created_by"]


class WebhookDeliveryViewSet(ModelViewSet):
    model = WebhookDelivery
    icon = "list-ul"
    menu_label = _("Webhook deliveries")
    add_to_admin_menu = True
    menu_order = 430
    list_display = ["event_id", "endpoint", "status", "attempts", "last_status_code", "last_error"]
    list_filter = ["status"]
    # A log, as the e-mail deliveries are.
    inspect_view_enabled = True
    form_fields = []


# The deliveries are written by the senders alone: staff read them, nobody writes them by hand.
email_log_policy = LogOnlyPermissionPolicy(EmailDelivery)
webhook_log_policy = LogOnlyPermissionPolicy(WebhookDelivery)
register_permission_policy(EmailDelivery, email_log_policy)
register_permission_policy(WebhookDelivery, webhook_log_policy)


@hooks.register("register_admin_viewset")
def register_webhook_endpoints():
    return WebhookEndpointViewSet("webhook_endpoints")


@hooks.register("register_admin_viewset")
def register_webhook_log():
    return WebhookDeliveryViewSet("webhook_log")


#: Rows of each kind handed to the dashboard (it shows the newest few of all kinds).
_FAILURES_READ = 50


def _failed_since(model, since):
    """Rows that failed for good since ``since``, newest first; a row's time is its last
    attempt's (when it was claimed)."""
    return (
        model.objects.filter(status=model.Status.FAILED)
        .annotate(failed_on=Coalesce("claimed_at", "created_at"))
        .filter(failed_on__gte=since)
        .order_by("-failed_on")
    )


def _failed_emails(since) -> list[DeliveryFailure]:
    url = f"{reverse('email_deliveries:index')}?status={EmailDelivery.Status.FAILED}"
    return [
        DeliveryFailure(
            when=delivery.failed_on,
            kind=str(_("E-mail")),
            subject=delivery.recipient or delivery.key,
            reason=delivery.error,
            url=url,
        )
        for delivery in _failed_since(EmailDelivery, since)[:_FAILURES_READ]
    ]


def _failed_webhooks(since) -> list[DeliveryFailure]:
    url = f"{reverse('webhook_log:index')}?status={WebhookDelivery.Status.FAILED}"
    deliveries = _failed_since(WebhookDelivery, since).select_related("endpoint")
    return [
        DeliveryFailure(
            when=delivery.failed_on,
            kind=str(_("Webhook")),
            subject=f"{delivery.event_id} → {delivery.endpoint.url}",
            reason=delivery.last_error,
            url=url,
        )
        for delivery in deliveries[:_FAILURES_READ]
    ]


@hooks.register(FAILURES_HOOK)
def failed_notifications(user, since):
    """For the dashboard's "Delivery failures": e-mails and webhook deliveries that failed for
    good (refused by the server, or out of attempts), each kind for staff who may see its log."""
    kinds = [(email_log_policy, _failed_emails), (webhook_log_policy, _failed_webhooks)]
    allowed = [failed for policy, failed in kinds if policy.user_has_permission(user, "view")]
    if not allowed:
        return None
    return [failure for failed in allowed for failure in failed(since)]
