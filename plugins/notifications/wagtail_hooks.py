"""Staff see every notification e-mail and, above all, the ones that failed for good."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

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
    # A log: nothing to add or edit by hand.
    inspect_view_enabled = True
    form_fields = ["status"]


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
    form_fields = ["status"]


@hooks.register("register_admin_viewset")
def register_webhook_endpoints():
    return WebhookEndpointViewSet("webhook_endpoints")


@hooks.register("register_admin_viewset")
def register_webhook_log():
    return WebhookDeliveryViewSet("webhook_log")
