"""The Elasticsearch index of trust documents: one index per locale, each with its language's
analyzer, holding every live source document with its text in that locale.

Documents are keyed by the source row's pk (the rows listings, filters and access checks use);
the text is the live translation for the index's locale, falling back to the source text so a
reader finds every document they may see whatever their language. Taxonomy filters are slugs,
which are the same in every language.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.db.models import Prefetch
from elasticsearch_dsl import Boolean, Date, Document, Integer, Keyword, Text
from wagtail.models import Locale

from cms.i18n import Localizer, default_locale
from cms.models import DocumentVersion, TrustDocument

#: Built-in Elasticsearch language analyzers, so no plugin (kuromoji, ...) is needed. "cjk"
#: indexes Japanese as bigrams: coarser than kuromoji but always available.
LOCALE_ANALYZERS = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "ja": "cjk",
}
FALLBACK_ANALYZER = "standard"

#: Reader filter parameter (as in ``search.query.FILTERS``, plus section and language) -> field.
FILTER_FIELDS = {
    "service": "services",
    "category": "category",
    "region": "regions",
    "industry": "industries",
    "standard": "standards",
    "section": "section",
    "language": "language",
}

#: Characters of file text per document sent to the engine (the database keeps the same bound).
MAX_FILE_TEXT = 200_000

#: A small corpus (thousands, not millions): one shard avoids scattering every query.
INDEX_SETTINGS = {"number_of_shards": 1}


def index_prefix() -> str:
    # Read on every call so tests and deployments sharing a cluster can each use their own.
    return getattr(settings, "TRUSTPORTAL_SEARCH_INDEX_PREFIX", "trustportal")


def index_name(locale: str) -> str:
    return f"{index_prefix()}-documents-{locale.lower()}"


def analyzer_for(locale: str) -> str:
    return LOCALE_ANALYZERS.get(locale.split("-")[0].lower(), FALLBACK_ANALYZER)


def document_class(locale: str) -> type[Document]:
    """The Document class (mapping and index) of ``locale``'s index."""
    return _document_class(index_name(locale), analyzer_for(locale))


@cache
def _document_class(name: str, analyzer: str) -> type[Document]:
    def text(**extra):
        return Text(analyzer=analyzer, **extra)

    attrs = {
        "document_id": Integer(),
        "slug": Keyword(),
        # The keyword subfield sorts by title; ignore_above keeps absurd titles out of it.
        "title": text(fields={"keyword": Keyword(ignore_above=256)}),
        "summary": text(),
        "standard_names": text(),
        "service_names": text(),
        "category_name": text(),
        # Text of the live versions' files (read at upload), searched but never returned.
        "file_text": text(),
        # Filters: slugs and codes, matched exactly.
        "services": Keyword(),
        "category": Keyword(),
        "section": Keyword(),
        "regions": Keyword(),
        "industries": Keyword(),
        "standards": Keyword(),
        "language": Keyword(),
        # Access: what the query-time access filter tests (see ElasticsearchBackend).
        "access_level": Keyword(),
        "restricted_listed": Boolean(),
        "entitled_organizations": Integer(),
        "entitled_groups": Integer(),
        "published": Date(),
        # Publish date of the newest live version: the "updated" date range filter.
        "updated_on": Date(),
        "live": Boolean(),
        "Index": type("Index", (), {"name": name, "settings": INDEX_SETTINGS}),
    }
    class_name = "TrustDocumentIndex_" + name.replace("-", "_")
    return type(class_name, (Document,), attrs)


def document_to_index(document, locale: str, localize=None) -> dict:
    """The indexed fields of source ``document`` for ``locale``'s index.

    ``localize`` is a ``cms.i18n.Localizer`` for that locale; bulk indexing passes one built for
    many documents so translations are fetched once, not per document.
    """
    if localize is None:
        localize = localizer_for([document], locale)
    display = localize(document)
    category = document.category
    live_versions = [v for v in document.versions.all() if v.live]
    standards = list(document.standards.all())
    services = list(document.services.all())
    return {
        "document_id": document.pk,
        "slug": document.slug,
        "title": display.title,
        "summary": display.summary,
        "standard_names": [localize(s).name for s in standards],
        "service_names": [localize(s).name for s in services],
        "category_name": localize(category).name,
        "services": [s.slug for s in services],
        "category": category.slug,
        "section": category.section,
        "regions": [r.slug for r in document.regions.all()],
        "industries": [i.slug for i in document.industries.all()],
        "standards": [s.slug for s in standards],
        "language": document.language,
        "access_level": document.access_level,
        "restricted_listed": document.restricted_listed,
        "entitled_organizations": sorted(o.pk for o in document.restricted_organizations.all()),
        "entitled_groups": sorted(g.pk for g in document.restricted_groups.all()),
        "published": document.last_published_at,
        "updated_on": max((v.published_on for v in live_versions), default=None),
        "file_text": " ".join(
            f.extracted_text for v in live_versions for f in v.files.all() if f.extracted_text
        )[:MAX_FILE_TEXT],
        "live": document.live,
    }


def to_es_document(document, locale: str, localize=None) -> Document:
    cls = document_class(locale)
    return cls(meta={"id": document.pk}, **document_to_index(document, locale, localize))


def indexable_documents():
    """Live source documents with everything ``document_to_index`` reads, prefetched."""
    return (
        TrustDocument.objects.live()
        .filter(locale=default_locale())
        .select_related("category")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=DocumentVersion.objects.filter(live=True).prefetch_related("files"),
            ),
            "standards",
            "services",
            "regions",
            "industries",
            "restricted_organizations",
            "restricted_groups",
        )
        .order_by("pk")
    )


def localizer_for(documents, locale: str):
    """A localizer covering ``documents`` and their taxonomy, for ``document_to_index``."""
    target = Locale.objects.filter(language_code=locale).first()
    objects = [
        obj
        for doc in documents
        for obj in (doc, doc.category, *doc.standards.all(), *doc.services.all())
    ]
    if target is None:
        # A locale with no content row: every text falls back to the source language.
        return lambda obj: obj
    return Localizer(objects, target)


def content_locales() -> list[str]:
    """Locales with an index: the content languages."""
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]
