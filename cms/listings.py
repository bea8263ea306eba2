"""How the reader pages get the documents they list.

Listings (filters, facet counts, search, cards in the reader's language) belong to the search
service, a layer above the core. So that page models never import upward, they ask the provider
registered here, which ``search`` registers from its ``AppConfig.ready()``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from django.core.exceptions import ImproperlyConfigured


@runtime_checkable
class PageListings(Protocol):
    """What each reader page lists, for ``request.user`` and in the active language; every
    method asks the access policy."""

    def recent_documents(self, request, limit: int) -> list[Any]:
        """The home page's most recently updated documents (cards, each with its row's
        download or the reason it is locked)."""

    def document_listing(self, request, section: str | None) -> dict[str, Any]:
        """A Trust Documents page's context: the page of cards with its filters, facet counts
        and pagination, as the request's query parameters ask."""

    def region_documents(self, request, region) -> list[Any]:
        """The documents of a region page (cards, each with its row's download or the reason
        it is locked)."""

    def starter_pack_documents(self, request, pack) -> list[Any]:
        """A starter pack's documents in the editor's order (cards, each with its row's
        download or the reason it is locked)."""

    def document_preview_context(self, request, document) -> dict[str, Any]:
        """The context of a document's page for the editor's preview of unsaved changes."""


_provider: PageListings | None = None


def register(provider: PageListings) -> None:
    """Registration point: the layer owning listings provides them (``search``)."""
    global _provider
    _provider = provider


def page_listings() -> PageListings:
    if _provider is None:
        raise ImproperlyConfigured(
            "No page listings are registered: add 'search' to INSTALLED_APPS (it owns listings)."
        )
    return _provider
