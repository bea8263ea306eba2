"""The admin dashboard's "Delivery failures" panel: staff alerts that do not depend on e-mail.

Shown to staff who may see at least one kind of failure (``cms.delivery.failures``), with the
recent ones, each linking to where it is put right; and, when ``ADMINS`` is empty, that the
alerts are not e-mailed at all.
"""

from __future__ import annotations

from django.conf import settings
from wagtail import hooks
from wagtail.admin.ui.components import Component

from .failures import RECENT_DAYS, SHOWN, recent_failures


class DeliveryFailuresPanel(Component):
    name = "delivery_failures"
    template_name = "cms/dashboard/delivery_failures.html"
    # Above Wagtail's own panels (workflow tasks, locked pages, recent edits: 100 and more).
    order = 50

    def __init__(self, failures):
        self.failures = failures

    def get_context_data(self, parent_context):
        return {
            "failures": self.failures[:SHOWN],
            "more": max(0, len(self.failures) - SHOWN),
            "days": RECENT_DAYS,
            "admins_configured": bool(settings.ADMINS),
        }


@hooks.register("construct_homepage_panels")
def add_delivery_failures_panel(request, panels):
    failures, may_see = recent_failures(request.user)
    if may_see:
        panels.append(DeliveryFailuresPanel(failures))
