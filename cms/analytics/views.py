"""The staff analytics page in the admin and its CSV exports.

Readable by whoever may read the audit log (``audit.view_auditentry``): the figures come from it
and name organizations and documents, including restricted ones.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic import PermissionCheckedMixin, WagtailAdminTemplateMixin

from cms.audit.models import AuditEntry
from cms.files import spreadsheets

from . import charts, reports

DEFAULT_DAYS = 30
MAX_DAYS = 5 * 366
TOP = 10


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        today = timezone.now().date()
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        if end > today:
            raise forms.ValidationError(_("The end date must not be in the future."))
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most five years."))
        data["period"] = reports.Period(start, end)
        return data


#: CSV exports: name → (columns as (heading, key), rows of the period).
EXPORTS = {
    "timeline": (
        [("period_start", "bucket"), ("downloads", "downloads"), ("views", "views")],
        reports.timeline,
    ),
    "documents": (
        [
            ("document_id", "document_id"),
            ("title", "title"),
            ("downloads", "downloads"),
            ("views", "views"),
            ("organizations", "organizations"),
            ("last_download", "last_download"),
        ],
        reports.by_document,
    ),
    "versions": (
        [
            ("document_id", "document_id"),
            ("version_id", "version_id"),
            ("title", "title"),
            ("version", "version"),
            ("downloads", "downloads"),
            ("views", "views"),
        ],
        reports.by_version,
    ),
    "organizations": (
        [
            ("organization_id", "organization_id"),
            ("organization", "name"),
            ("downloads", "downloads"),
            ("views", "views"),
            ("documents", "documents"),
            ("people", "people"),
        ],
        reports.by_organization,
    ),
    "nda": (
        [
            ("organization_id", "organization_id"),
            ("organization", "name"),
            ("acceptances", "acceptances"),
            ("people", "people"),
            ("first_accepted", "first_accepted"),
            ("last_accepted", "last_accepted"),
            ("latest_nda_version", "nda_version"),
        ],
        reports.nda_organizations,
    ),
}


class _Echo:
    def write(self, value):
        return value


def csv_response(name: str, period: reports.Period) -> StreamingHttpResponse:
    columns, rows = EXPORTS[name]
    writer = spreadsheets.writer(_Echo())

    def lines():
        yield writer.writerow([heading for heading, _key in columns])
        for row in rows(period):
            yield writer.writerow([row[key] for _heading, key in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    filename = f"analytics-{name}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class AnalyticsView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    model = AuditEntry
    permission_required = "view"
    template_name = "analytics/analytics.html"
    page_title = gettext_lazy("Viewer analytics")
    header_icon = "view"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        form = PeriodForm(request.GET)
        export = request.GET.get("export")
        if export is not None and export not in EXPORTS:
            return HttpResponseBadRequest(
                _("Unknown export %(name)s; choose one of: %(names)s.")
                % {"name": export, "names": ", ".join(EXPORTS)}
            )
        if not form.is_valid():
            if export is not None:
                return HttpResponseBadRequest(
                    " ".join(form.non_field_errors() or [_("Bad dates.")])
                )
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 400
            return response
        period = form.cleaned_data["period"]
        if export is not None:
            return csv_response(export, period)
        return self.render_to_response(self.get_context_data(form=form, period=period))

    def get_context_data(self, form, period=None, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        if period is None:
            return context
        timeline = reports.timeline(period)
        label_format = "M j" if period.granularity != "month" else "M Y"
        top_documents = list(reports.by_document(period, TOP))
        may_handle = self.request.user.has_perm("cms.change_accessrequest")
        context.update(
            may_handle_requests=may_handle,
            period=period,
            totals=reports.totals(period),
            timeline=timeline,
            timeline_chart=charts.column_chart(
                timeline,
                ["downloads", "views"],
                "bucket",
                lambda day: date_format(day, label_format),
            ),
            granularity=period.granularity,
            top_documents=top_documents,
            top_documents_chart=charts.bar_list(top_documents, "downloads", "title"),
            versions=list(reports.by_version(period, TOP)),
            organizations=list(reports.by_organization(period, TOP)),
            nda_organizations=list(reports.nda_organizations(period, TOP)),
            # Requesters and the documents they asked for: for those who may handle requests.
            pending_requests=list(reports.pending_access_requests(TOP)) if may_handle else [],
            pending_count=reports.pending_access_requests().count() if may_handle else 0,
            period_query=f"start={period.start.isoformat()}&end={period.end.isoformat()}",
            exports=list(EXPORTS),
        )
        return context
