"""The staff's feedback inbox: a snippet listing with filters, status and CSV/XLSX export.

Feedback is written by readers only; staff change its status and keep a note, nothing else.
"""

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from cms.files.spreadsheets import SafeCsvExportMixin

from .models import Feedback


class TriageOnlyPermissionPolicy(ModelPermissionPolicy):
    """Staff triage feedback; nobody writes it on a reader's behalf."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class FeedbackFilterSet(WagtailFilterSet):
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Feedback.Status.choices)
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=Feedback.Kind.choices)
    created_at = django_filters.DateFromToRangeFilter(
        label=_("Received"), widget=DateRangePickerWidget
    )
    has_contact = django_filters.BooleanFilter(
        label=_("Left a contact address"), method="filter_has_contact"
    )

    class Meta:
        model = Feedback
        fields = []

    def filter_has_contact(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(contact_email="") if value else queryset.filter(contact_email="")


class FeedbackIndexView(SafeCsvExportMixin, IndexView):
    """Readers write the comments: the CSV export keeps formula-like text as text."""


def edit_url(feedback: Feedback) -> str:
    return reverse(feedback.snippet_viewset.get_url_name("edit"), args=[feedback.pk])


class FeedbackViewSet(SnippetViewSet):
    model = Feedback
    index_view_class = FeedbackIndexView
    icon = "mail"
    list_display = [
        # A title column: the row's link to its edit form (staff triage feedback there).
        TitleColumn("comment", label=_("Comment"), accessor="__str__", get_url=edit_url),
        Column("kind", label=_("Kind"), accessor="get_kind_display"),
        Column("status", label=_("Status"), accessor="get_status_display"),
        Column("page_url", label=_("Page")),
        DateColumn("created_at", label=_("Received"), sort_key="created_at"),
    ]
    filterset_class = FeedbackFilterSet
    list_export = [
        "id",
        "created_at",
        "kind",
        "status",
        "comment",
        "page_url",
        "contact_email",
        "language",
        "user",
        "staff_note",
    ]
    export_headings = {"user": _("Signed-in user"), "id": _("Number")}
    export_filename = "feedback"
    search_fields = ["comment", "contact_email", "page_url"]
    ordering = ["-created_at"]
    add_to_admin_menu = True
    menu_label = _("Feedback")
    menu_order = 400
    panels = [
        FieldPanel("status"),
        FieldPanel("staff_note"),
        FieldPanel("kind", read_only=True),
        FieldPanel("comment", read_only=True),
        FieldPanel("page_url", read_only=True),
        FieldPanel("contact_email", read_only=True),
        FieldPanel("user", read_only=True),
        FieldPanel("language", read_only=True),
        FieldPanel("created_at", read_only=True),
    ]


register_permission_policy(Feedback, TriageOnlyPermissionPolicy(Feedback))
register_snippet(FeedbackViewSet)
