"""Admin wiring: the audit views under /admin/audit/, their entries in the Reports menu (shown
only to those allowed to read the log) and the one permission that exists, to grant to groups."""

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .views import AuditLogReportView, DownloadLookupView, VerifyChainView

VIEW_PERMISSION = "audit.view_auditentry"

audit_urls = (
    [
        path("", AuditLogReportView.as_view(), name="entries"),
        path("results/", AuditLogReportView.as_view(results_only=True), name="entries_results"),
        path("lookup/", DownloadLookupView.as_view(), name="lookup"),
        path("verify/", VerifyChainView.as_view(), name="verify"),
    ],
    "audit",
)


class AuditMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW_PERMISSION)


@hooks.register("register_admin_urls")
def register_audit_urls():
    return [path("audit/", include(audit_urls))]


@hooks.register("register_reports_menu_item")
def register_audit_log_menu_item():
    return AuditMenuItem(
        _("Audit log"), reverse("audit:entries"), name="audit-log", icon_name="list-ul", order=1300
    )


@hooks.register("register_reports_menu_item")
def register_download_lookup_menu_item():
    return AuditMenuItem(
        _("Who downloaded this copy?"),
        reverse("audit:lookup"),
        name="audit-download-lookup",
        icon_name="search",
        order=1310,
    )


@hooks.register("register_permissions")
def register_audit_permissions():
    return Permission.objects.filter(content_type__app_label="audit", codename="view_auditentry")
