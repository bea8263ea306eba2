"""The listings of the reader pages, as the core's page models ask for them
(``cms.listings.PageListings``); registered from ``SearchConfig.ready()``."""

from . import cards, listing


class ReaderPageListings:
    def recent_documents(self, request, limit: int) -> list[cards.DocumentCard]:
        return cards.recent_documents(request, limit=limit)

    def document_listing(self, request, section: str | None) -> dict:
        return listing.document_listing(request, section=section)

    def region_documents(self, request, region) -> list[cards.DocumentCard]:
        return cards.region_documents(request, region)

    def starter_pack_documents(self, request, pack) -> list[cards.DocumentCard]:
        return cards.starter_pack_documents(request, pack)

    def document_preview_context(self, request, document) -> dict:
        return cards.document_page_context(request, document, preview=True)
