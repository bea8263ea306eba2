"""What a plugin implements to add a result type to the search page (a tab beside documents):
``PluginConfig.search_providers``. Part of the plugin contract, so it lives with it in the core."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    snippet: str = ""
    meta: tuple[tuple[str, str], ...] = ()


class SearchProvider:
    #: Stable identifier, used in the results page's ``tab`` parameter.
    id: str = ""
    label: str = ""

    def search(self, request, query: str, limit: int = 20) -> list[SearchHit]:
        """Hits for ``query`` that ``request.user`` may see (the provider enforces access)."""
        raise NotImplementedError
