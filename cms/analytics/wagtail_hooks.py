"""Admin wiring of the analytics page (imported by ``cms.wagtail_hooks``): /admin/analytics/ and
an entry in the Reports menu for those who may read the audit log."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .views import AnalyticsView

VIEW_PERMISSION = "audit.view_auditentry"


class AnalyticsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW_PERMISSION)


@hooks.register("register_admin_urls")
def register_analytics_urls():
    return [path("analytics/", AnalyticsView.as_view(), name="trustportal_analytics")]


@hooks.register("register_reports_menu_item")
def register_analytics_menu_item():
    return AnalyticsMenuItem(
        _("Viewer analytics"),
        reverse("trustportal_analytics"),
        name="viewer-analytics",
        icon_name="view",
        order=1290,
    )
