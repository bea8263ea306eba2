from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from cms import events, listings
from cms.database import carry_along


class SearchConfig(AppConfig):
    name = "search"
    label = "trustsearch"
    verbose_name = _("Search")

    def ready(self):
        from . import signals
        from .checks import check_database_supported, check_index_complete
        from .facets import GENERATION_READ, GENERATION_SQL
        from .indexing import follow_event
        from .models import MEMBER_PAGES_READ, MemberPagesStamp
        from .pages import ReaderPageListings

        checks.register(check_database_supported)
        checks.register(check_index_complete, deploy=True)
        post_migrate.connect(rebuild_outdated_entries, sender=self)
        signals.connect()
        # The index is core, not a plugin: it follows every event before plugins react.
        events.register_core_handler(follow_event)
        # The core's page models list documents through the search service.
        listings.register(ReaderPageListings())
        # A member's cached answers are keyed by the generation, and their pages by the member
        # pages stamp too: read with their token or their session.
        carry_along(GENERATION_READ, GENERATION_SQL)
        carry_along(MEMBER_PAGES_READ, MemberPagesStamp.current_sql())


def rebuild_outdated_entries(app_config, verbosity=1, using="default", **kwargs):
    """After ``migrate``: entries built in an older format than this release's are rebuilt, so
    that search answers from complete entries without anyone running a command."""
    from .text_index import index_is_current, rebuild_all_entries  # needs the models loaded

    if index_is_current():
        return
    count = rebuild_all_entries()
    if verbosity:
        print(f"Search index rebuilt in the current format: {count} documents.")
