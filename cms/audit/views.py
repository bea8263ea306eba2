"""Staff views of the audit log, all read-only: the listing, "who downloaded this copy?" and a
chain verification button. Each needs the ``audit.view_auditentry`` permission (superusers have
it); nobody can be given a permission to change or delete entries, as none exists."""

from __future__ import annotations

import django_filters
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import PermissionCheckedMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets.button import HeaderButton

from cms.files.spreadsheets import SafeCsvExportMixin

from .chain import canonical_timestamp
from .models import Action, AuditEntry, Outcome
from .verification import verify


def readable_time(entry: AuditEntry) -> str:
    # An exact UTC time, not "3 hours ago": this is evidence.
    return canonical_timestamp(entry.created_at).replace("T", " ")[:19] + " UTC"


class AuditEntryFilterSet(WagtailFilterSet):
    action = django_filters.ChoiceFilter(label=_("Action"), choices=Action.choices)
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=Outcome.choices)
    created_at = django_filters.DateFromToRangeFilter(label=_("Date"), widget=DateRangePickerWidget)
    username = django_filters.CharFilter(label=_("Username"), lookup_expr="icontains")
    organization_name = django_filters.CharFilter(label=_("Organization"), lookup_expr="icontains")
    download_id = django_filters.CharFilter(label=_("Download id"), lookup_expr="exact")

    class Meta:
        model = AuditEntry
        fields = []


class AuditLogReportView(SafeCsvExportMixin, ReportView):
    model = AuditEntry
    permission_required = "view"
    page_title = _("Audit log")
    header_icon = "list-ul"
    filterset_class = AuditEntryFilterSet
    index_url_name = "audit:entries"
    index_results_url_name = "audit:entries_results"
    paginate_by = 50
    columns = [
        Column("sequence", label="#"),
        Column("created_at", label=_("Time (UTC)"), accessor=readable_time),
        Column("action", label=_("Action"), accessor="get_action_display"),
        Column("outcome", label=_("Outcome"), accessor="get_outcome_display"),
        Column("username", label=_("User")),
        Column("organization_name", label=_("Organization")),
        Column("document_title", label=_("Document")),
        Column("version_label", label=_("Version")),
        Column("download_id", label=_("Download id")),
        Column("ip", label=_("IP address")),
    ]
    list_export = [
        "sequence",
        "created_at",
        "action",
        "outcome",
        "username",
        "user_email",
        "organization_name",
        "document_id",
        "document_title",
        "version_id",
        "version_label",
        "nda_version",
        "ip",
        "user_agent",
        "download_id",
        "previous_hash",
        "entry_hash",
        "hash_format",
        "key_id",
    ]

    def get_queryset(self):
        return AuditEntry.objects.order_by("-sequence")

    def get_filename(self):
        return "audit-log"

    def get_header_buttons(self):
        return [
            HeaderButton(_("Find a download id"), reverse("audit:lookup"), icon_name="search"),
            HeaderButton(_("Verify chain"), reverse("audit:verify"), icon_name="tick"),
        ]


class AuditAdminView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    model = AuditEntry
    permission_required = "view"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("audit:entries"), "label": _("Audit log")},
            {"url": "", "label": self.get_page_title()},
        ]


class DownloadLookupForm(forms.Form):
    download_id = forms.CharField(
        label=_("Download id"),
        max_length=64,
        help_text=_("As printed on the copy, e.g. in its watermark."),
    )

    def clean_download_id(self):
        # Copied from a PDF or a screenshot, ids pick up spaces; the id itself has none.
        return "".join(self.cleaned_data["download_id"].split())


class DownloadLookupView(AuditAdminView):
    """Who downloaded the copy that carries this download id?"""

    template_name = "audit/download_lookup.html"
    page_title = _("Who downloaded this copy?")
    header_icon = "search"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = DownloadLookupForm(self.request.GET or None)
        entry = None
        if form.is_valid():
            entry = AuditEntry.objects.filter(download_id=form.cleaned_data["download_id"]).first()
        context.update(
            form=form,
            searched=form.is_bound and form.is_valid(),
            entry=entry,
            entry_time=readable_time(entry) if entry else "",
        )
        return context


class VerifyChainView(AuditAdminView):
    """Runs the same check as ``manage.py verify_audit_log`` on request (POST: it reads the
    whole log, which nobody should trigger by following a link)."""

    template_name = "audit/verify_chain.html"
    page_title = _("Verify the audit log")
    header_icon = "tick"

    def post(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(result=verify()))
