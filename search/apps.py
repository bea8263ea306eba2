from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from cms import events, listings

from .checks import check_database_supported


class SearchConfig(AppConfig):
    name = "search"
    label = "trustsearch"
    verbose_name = _("Search")

    def ready(self):
        from . import signals
        from .indexing import follow_event
        from .pages import ReaderPageListings

        checks.register(check_database_supported)
        signals.connect()
        # The index is core, not a plugin: it follows every event before plugins react.
        events.register_core_handler(follow_event)
        # The core's page models list documents through the search service.
        listings.register(ReaderPageListings())
