from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cms import events, listings


class SearchConfig(AppConfig):
    name = "search"
    label = "trustsearch"
    verbose_name = _("Search")

    def ready(self):
        from . import signals
        from .indexing import follow_event
        from .pages import ReaderPageListings

        signals.connect()
        # The index is core, not a plugin: it follows every event before plugins react.
        events.register_core_handler(follow_event)
        # The core's page models list documents through the search service.
        listings.register(ReaderPageListings())
