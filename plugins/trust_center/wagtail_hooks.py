"""The admin's Trust center menu: subprocessors and FAQ entries, listed with search (the
database search backend, on SQLite and PostgreSQL alike), filters by language and status, and
wagtail-localize's Translate action (both models are translatable)."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import FaqEntry, Subprocessor


class SubprocessorViewSet(SnippetViewSet):
    model = Subprocessor
    icon = "globe"
    list_display = ["name", "location", "since", "locale", "live"]
    list_filter = ["live", "locale"]
    ordering = ["name"]


class FaqEntryViewSet(SnippetViewSet):
    model = FaqEntry
    icon = "help"
    list_display = ["question", "category", "access_level", "sort_order", "locale", "live"]
    list_filter = ["live", "locale", "access_level"]
    ordering = ["sort_order", "pk"]


class TrustCenterViewSetGroup(SnippetViewSetGroup):
    items = (SubprocessorViewSet, FaqEntryViewSet)
    menu_icon = "globe"
    menu_label = _("Trust center")
    menu_name = "trust-center"


register_snippet(TrustCenterViewSetGroup)
