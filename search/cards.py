"""What every reader surface shows of a document: a card in the reader's language, with the
reason it is locked, built for a whole page in a fixed number of queries (one for the page of
documents, one per prefetched relation, one per model for translations, one for restricted
entitlements).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.translation import get_language

from cms.access import policy
from cms.delivery.links import signed_download_url
from cms.i18n import Localizer, default_locale
from cms.models import AccessLevel, Category, DocumentVersion, TrustDocument, VersionFile

from .query import newest_first


def title_only(document: TrustDocument, lock: str) -> bool:
    """A listed restricted document shows those not entitled its title and category alone
    (the card then holds nothing else: ``build_cards``)."""
    return document.access_level == AccessLevel.RESTRICTED and bool(lock)


@dataclass(frozen=True)
class RowDownload:
    """The file a listing row offers: its current version's, in the reader's language if any."""

    url: str
    file: VersionFile


@dataclass
class DocumentCard:
    """What a reader surface shows of one document, in the reader's language."""

    document: TrustDocument
    display: TrustDocument
    category: Category
    standards: list = field(default_factory=list)
    services: list = field(default_factory=list)
    versions: list = field(default_factory=list)
    lock: str = ""
    #: Set by ``offer_row_downloads`` on surfaces that offer the file in the row.
    download: RowDownload | None = None
    #: Where a reader locked out by the NDA accepts it (``offer_row_downloads``).
    nda_accept_url: str = ""

    @property
    def current_version(self) -> DocumentVersion | None:
        return self.versions[0] if self.versions else None

    @property
    def title(self) -> str:
        return self.display.title

    @property
    def title_only(self) -> bool:
        return title_only(self.document, self.lock)

    @property
    def summary(self) -> str:
        return "" if self.title_only else self.display.summary

    @property
    def url(self) -> str:
        return self.document.get_url()

    @property
    def access_level(self) -> str:
        return self.document.access_level

    @property
    def access_level_label(self) -> str:
        return self.document.get_access_level_display()


def source_documents(user) -> QuerySet:
    """Live source-language documents ``user`` may see."""
    return policy.visible_documents(user).filter(locale=default_locale())


def described_source_documents(user) -> QuerySet:
    """Live source-language documents ``user`` may see more of than a title: what may be
    listed by a term (a region, a standard), which a title-only document does not show."""
    return policy.described_documents(user).filter(locale=default_locale())


def with_display_relations(queryset: QuerySet, files: bool = False) -> QuerySet:
    """``queryset`` with what ``build_cards`` shows: the category and the live versions, newest
    first (with their ``files`` when the surface lists them: a document's own page)."""
    live_versions = DocumentVersion.objects.filter(live=True).order_by("-published_on", "-pk")
    if files:
        live_versions = live_versions.prefetch_related("files")
    return queryset.select_related("category").prefetch_related(
        Prefetch("versions", queryset=live_versions, to_attr="live_versions")
    )


def terms_by_document(relation: str, documents: list[TrustDocument]) -> dict[int, list]:
    """``{document pk: [terms]}`` of the many-to-many ``relation`` (``standards``, say), in the
    terms' order: the link table's pairs, then each term once, in two queries whatever the
    number of documents. Not the relation's prefetch: that builds a modelcluster manager per
    document and a term instance per link, which cost more than the queries."""
    field = TrustDocument._meta.get_field(relation)
    through = field.remote_field.through._meta
    document_column = through.get_field(field.m2m_field_name()).attname
    term_column = through.get_field(field.m2m_reverse_field_name()).attname
    pairs = list(
        through.model.objects.filter(
            **{f"{document_column}__in": [d.pk for d in documents]}
        ).values_list(document_column, term_column)
    )
    # In the terms' own order (their Meta.ordering), each term once.
    terms = list(field.related_model.objects.filter(pk__in={term for _doc, term in pairs}))
    position = {term.pk: i for i, term in enumerate(terms)}
    found = {doc.pk: [] for doc in documents}
    for document, term in sorted(pairs, key=lambda pair: position[pair[1]]):
        found[document].append(terms[position[term]])
    return found


def build_cards(user, documents: list[TrustDocument]) -> list[DocumentCard]:
    standards = terms_by_document("standards", documents)
    services = terms_by_document("services", documents)
    localize = Localizer(
        [*documents, *(d.category for d in documents)]
        + [t for d in documents for t in (*standards[d.pk], *services[d.pk])]
        + [v for d in documents for v in d.live_versions]
    )
    locks = policy.lock_reasons(user, documents)
    cards = []
    for doc in documents:
        lock = locks.get(doc.pk, "")
        if title_only(doc, lock):
            # Its title and category, nothing else: no terms, no versions (label, date, id).
            card = DocumentCard(doc, localize(doc), localize(doc.category), lock=lock)
        else:
            card = DocumentCard(
                document=doc,
                display=localize(doc),
                category=localize(doc.category),
                standards=[localize(s) for s in standards[doc.pk]],
                services=[localize(s) for s in services[doc.pk]],
                versions=doc.live_versions,
                lock=lock,
            )
        cards.append(card)
    for card in cards:
        # Versions stay the source rows (their ids and files are what downloads use); only the
        # description of what changed is shown in the reader's language, and not at all with a
        # listed restricted document's title alone.
        for version in card.versions:
            version.display_change = "" if card.title_only else localize(version).change_description
    return cards


def offer_row_downloads(request, cards: list[DocumentCard]) -> list[DocumentCard]:
    """Give each card the download its row offers: the current version's file in the reader's
    language (else the document's, else any) when the policy lets this reader have it (no
    lock), else what unlocks it. One query for the files of the whole page, whatever its size;
    the link is the signed one of the document's page, checked again by the download view."""
    current = {card.current_version.pk: card for card in cards if card.current_version}
    if current:
        files = defaultdict(list)
        # Not the extracted text: it can be long, and a row needs the language and size alone.
        for version_file in (
            VersionFile.objects.filter(version_id__in=current)
            .defer("extracted_text")
            .order_by("sort_order", "pk")
        ):
            files[version_file.version_id].append(version_file)
        language = get_language()
        for version_id, card in current.items():
            chosen = None if card.lock else _file_in(files[version_id], language, card)
            if chosen is not None:
                url = signed_download_url(version_id, chosen.language, request.user)
                card.download = RowDownload(url, chosen)
    if any(card.lock == "nda" for card in cards):
        accept_url = policy.nda_accept_url(request) or ""
        for card in cards:
            if card.lock == "nda":
                card.nda_accept_url = accept_url
    return cards


def _file_in(files: list[VersionFile], language: str, card: DocumentCard) -> VersionFile | None:
    """As ``DocumentVersion.file_for_language``: the reader's language, the document's, any."""
    for wanted in (language, card.document.language):
        match = next((f for f in files if f.language == wanted), None)
        if match:
            return match
    return files[0] if files else None


def recent_documents(request, limit: int = 6) -> list[DocumentCard]:
    # Documents shown by their title alone come last, as undated: "recently updated" would
    # tell when they changed.
    rights = policy.reading_rights(request.user)
    queryset = with_display_relations(newest_first(source_documents(request.user), rights))
    return build_cards(request.user, list(queryset[:limit]))


def region_documents(request, region) -> list[DocumentCard]:
    queryset = described_source_documents(request.user).filter(regions=region)
    queryset = queryset.order_by("title", "pk")
    return build_cards(request.user, list(with_display_relations(queryset)))


def starter_pack_documents(request, pack) -> list[DocumentCard]:
    """The pack's documents in the editor's order, minus those the reader may not see."""
    order = list(pack.items.order_by("sort_order").values_list("document_id", flat=True))
    # With the files: a pack's archive takes each current version's file.
    visible = with_display_relations(
        source_documents(request.user).filter(pk__in=order), files=True
    )
    by_pk = {doc.pk: doc for doc in visible}
    return build_cards(request.user, [by_pk[pk] for pk in order if pk in by_pk])


def document_page_context(request, document: TrustDocument, preview: bool = False) -> dict:
    """Context of a document's page: its metadata and all its versions with their changes."""
    if preview:
        # Previews show the editor's unsaved state; versions come from the saved document.
        document.live_versions = (
            list(
                DocumentVersion.objects.filter(document_id=document.pk, live=True).prefetch_related(
                    "files"
                )
            )
            if document.pk
            else []
        )
        for version in document.live_versions:
            version.display_change = version.change_description
        card = DocumentCard(
            document=document,
            display=document,
            category=document.category,
            standards=list(document.standards.all()),
            services=list(document.services.all()),
            versions=document.live_versions,
        )
    else:
        card = build_cards(request.user, [document])[0]
    current = card.current_version
    return {
        "card": card,
        "document": card.display,
        "versions": [_version_row(request, card, v, current) for v in card.versions],
        "is_preview": preview,
        "nda_accept_url": policy.nda_accept_url(request) if card.lock == "nda" else None,
        "AccessLevel": AccessLevel,
    }


def _version_row(request, card: DocumentCard, version, current) -> dict:
    available = policy.version_available(version, current.pk if current else None)
    downloadable = available and not card.lock
    files = [
        {
            "file": version_file,
            "url": signed_download_url(version.pk, version_file.language, request.user)
            if downloadable and version.pk
            else None,
        }
        for version_file in version.files.all()
    ]
    return {
        "version": version,
        "is_current": version is current,
        "available": available,
        "files": files,
    }


def get_document_for_reader(request, slug: str) -> TrustDocument | None:
    """The source document with ``slug`` if the reader may see it (None, not 403, otherwise)."""
    queryset = source_documents(request.user).filter(slug=slug)
    return with_display_relations(queryset, files=True).first()
