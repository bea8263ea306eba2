"""The listings of the reader pages, as the core's page models ask for them
(``cms.listings.PageListings``); registered from ``SearchConfig.ready()``.

Every page that lists document cards offers each row's download (or the reason it is locked)
beside the link to the document's page, as search results and Trust Documents do
(``cards.offer_row_downloads``: one query for the whole list). The API and the pack's archive
ask ``cards`` directly and pay nothing for rows they do not render."""

from . import cards, listing


class ReaderPageListings:
    def recent_documents(self, request, limit: int) -> list[cards.DocumentCard]:
        return cards.offer_row_downloads(request, cards.recent_documents(request, limit=limit))

    def document_listing(self, request, section: str | None) -> dict:
        return listing.document_listing(request, section=section)

    def region_documents(self, request, region) -> list[cards.DocumentCard]:
        return cards.offer_row_downloads(request, cards.region_documents(request, region))

    def starter_pack_documents(self, request, pack) -> list[cards.DocumentCard]:
        return cards.offer_row_downloads(request, cards.starter_pack_documents(request, pack))

    def document_preview_context(self, request, document) -> dict:
        return cards.document_page_context(request, document, preview=True)
