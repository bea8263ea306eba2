from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cms import events


class SearchConfig(AppConfig):
    name = "search"
    label = "trustsearch"
    verbose_name = _("Search")

    def ready(self):
        from . import signals
        from .indexing import follow_event

        signals.connect()
        # The index is core, not a plugin: it follows every event before plugins react.
        events.register_core_handler(follow_event)
