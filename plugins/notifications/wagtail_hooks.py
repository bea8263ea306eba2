"""Staff see every notification e-mail and, above all, the ones that failed for good."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from .models import EmailDelivery


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
