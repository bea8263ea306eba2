"""The database backend's full-text index (``SearchEntry``): building its entries.

One entry per document series holds, per language, three parts apart: the title; a body made
of the summary and the names of its standards, services and category; the text of its live
versions' files. Apart, because a reader may see a title and not the summary (a listed
restricted document), or a summary and not the file (an NDA document before the NDA): a query
matches and ranks each document on the parts its reader may read (``search/text_query.py``).
The ranked structure is computed *in SQL* from those columns, so a rebuild is one statement:

- PostgreSQL: ``vector``, a ``tsvector`` with titles weighted A, bodies B and files C, each
  language stemmed with its own text-search configuration, GIN-indexed; a tier reads its
  weights alone (``ts_filter``). Queries go through ``websearch_to_tsquery``, which accepts any
  input (quotes, ``or``, ``-word``) without error.
- SQLite: the FTS5 table ``trustsearch_fts`` (rowid = document id; columns title, body, file;
  Porter stemming, accents folded), ranked with BM25; a tier reads its columns alone (an FTS5
  column filter). Reader input is rewritten into a safe FTS5 expression first.

Entries are updated in the same transaction as the content (``cms.events.content_saved``),
so the embedded default never searches stale text.
"""

from __future__ import annotations

from django.conf import settings
from django.db import NotSupportedError, connection

from cms.i18n import default_locale
from cms.models import Category, DocumentVersion, Service, Standard, TrustDocument, VersionFile

from .facets import bump_generation
from .models import IndexFormat, SearchEntry

#: Vendors whose full-text structure this module builds and queries (``search.checks``).
SUPPORTED_VENDORS = ("postgresql", "sqlite")
#: The format of the entries: 2 keeps the text of files apart from the summary and terms; 3
#: splits words at slashes on PostgreSQL.
INDEX_FORMAT = 3
MAX_BODY_CHARS = 200_000

#: PostgreSQL text-search configuration per language; others use "simple" (no stemming).
PG_CONFIGS = {"en": "english", "de": "german", "fr": "french", "es": "spanish"}


def database_vendor() -> str:
    """The database's vendor, if this module can index and query it (the system check
    ``trustsearch.E001`` says so at start-up; this stops anything that runs regardless)."""
    if connection.vendor not in SUPPORTED_VENDORS:
        raise NotSupportedError(f"Full-text search does not support {connection.vendor!r}")
    return connection.vendor


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


# --- Building entries ----------------------------------------------------------------------


def series_ids(document_ids) -> list[int]:
    """Source-language document ids of the series the given document rows belong to."""
    keys = TrustDocument.objects.filter(pk__in=list(document_ids)).values("translation_key")
    return list(
        TrustDocument.objects.filter(translation_key__in=keys, locale=default_locale()).values_list(
            "pk", flat=True
        )
    )


#: Entries rebuilt per batch: a handful of queries and one bulk upsert per batch.
ENTRY_BATCH_SIZE = 500


def update_series_entries(document_ids) -> None:
    """(Re)build the entries of the series these document rows belong to, a batch at a time
    (a term carried by thousands of documents, a bulk load)."""
    ids = sorted(set(series_ids(document_ids)))
    for start in range(0, len(ids), ENTRY_BATCH_SIZE):
        update_entries(ids[start : start + ENTRY_BATCH_SIZE])


def update_entries(document_ids) -> int:
    """(Re)build the entries of these source documents; a few queries per batch."""
    sources = list(
        TrustDocument.objects.filter(pk__in=list(document_ids))
        .prefetch_related("standards", "services")
        .select_related("category")
    )
    if not sources:
        return 0
    by_key = {doc.translation_key: doc for doc in sources}
    titles = {doc.pk: {} for doc in sources}
    bodies = {doc.pk: {} for doc in sources}
    files = {doc.pk: {} for doc in sources}

    rows = TrustDocument.objects.filter(translation_key__in=list(by_key)).values_list(
        "translation_key", "locale__language_code", "title", "summary"
    )
    for key, language, title, summary in rows:
        pk = by_key[key].pk
        titles[pk][language] = title
        bodies[pk].setdefault(language, []).append(summary)

    term_names = _term_names(sources)
    for doc in sources:
        for language, names in term_names.get(doc.pk, {}).items():
            bodies[doc.pk].setdefault(language, []).extend(names)

    file_texts = VersionFile.objects.filter(
        version__document_id__in=[doc.pk for doc in sources],
        version__live=True,
        version__pk__in=DocumentVersion.objects.filter(live=True).values("pk"),
    ).values_list("version__document_id", "language", "extracted_text")
    for document_id, language, text in file_texts:
        if text:
            files[document_id].setdefault(language, []).append(text)

    def joined(parts: dict[str, list[str]]) -> dict[str, str]:
        return {lang: " ".join(texts)[:MAX_BODY_CHARS] for lang, texts in parts.items()}

    entries = [
        SearchEntry(
            document_id=doc.pk,
            titles=titles[doc.pk],
            bodies=joined(bodies[doc.pk]),
            files=joined(files[doc.pk]),
        )
        for doc in sources
    ]
    SearchEntry.objects.bulk_create(
        entries,
        update_conflicts=True,
        unique_fields=["document"],
        update_fields=["titles", "bodies", "files", "updated_at"],
    )
    sync_full_text([doc.pk for doc in sources])
    return len(entries)


def _term_names(sources) -> dict[int, dict[str, list[str]]]:
    """``{document id: {language: [names of its category, standards and services]}}``."""
    terms_of = {
        doc.pk: [doc.category, *doc.standards.all(), *doc.services.all()] for doc in sources
    }
    keys = {t.translation_key for terms in terms_of.values() for t in terms}
    names: dict = {}
    for model in (Category, Standard, Service):
        for key, language, name in model.objects.filter(translation_key__in=keys).values_list(
            "translation_key", "locale__language_code", "name"
        ):
            names.setdefault(key, []).append((language, name))
    result = {}
    for pk, terms in terms_of.items():
        per_language: dict[str, list[str]] = {}
        for term in terms:
            for language, name in names.get(term.translation_key, []):
                per_language.setdefault(language, []).append(name)
        result[pk] = per_language
    return result


def sync_full_text(document_ids: list[int] | None = None) -> None:
    """Recompute the database's full-text structure from the entries (all when ids is None)."""
    bump_generation()
    vendor = database_vendor()
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            where, params = _where_ids("document_id", document_ids)
            cursor.execute(
                f"UPDATE trustsearch_searchentry SET vector = {_pg_vector_sql()} {where}", params
            )
        else:
            where, params = _where_ids("rowid", document_ids)
            cursor.execute(f"DELETE FROM trustsearch_fts {where}", params)
            where, params = _where_ids("document_id", document_ids)
            cursor.execute(
                "INSERT INTO trustsearch_fts (rowid, title, body, file) "
                "SELECT document_id, "
                "(SELECT group_concat(value, ' ') FROM json_each(titles)), "
                "(SELECT group_concat(value, ' ') FROM json_each(bodies)), "
                "(SELECT group_concat(value, ' ') FROM json_each(files)) "
                f"FROM trustsearch_searchentry {where}",
                params,
            )


def remove_entries(document_ids: list[int]) -> None:
    SearchEntry.objects.filter(document_id__in=document_ids).delete()
    bump_generation()
    if connection.vendor == "sqlite" and document_ids:
        where, params = _where_ids("rowid", document_ids)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM trustsearch_fts {where}", params)


def _where_ids(column: str, ids: list[int] | None) -> tuple[str, list]:
    if ids is None:
        return "", []
    ids = [int(i) for i in ids] or [0]
    return f"WHERE {column} IN ({', '.join(['%s'] * len(ids))})", ids


def _pg_vector_sql() -> str:
    parts = []
    for column, weight in (("titles", "A"), ("bodies", "B"), ("files", "C")):
        for language in languages():
            config = PG_CONFIGS.get(language, "simple")
            # A slash between words ("ISO/IEC") would make PostgreSQL's parser read a file
            # path, one token no query word matches: it separates words, as on SQLite.
            text = f"translate(coalesce({column}->>'{language}', ''), '/', ' ')"
            parts.append(f"setweight(to_tsvector('{config}', {text}), '{weight}')")
    return " || ".join(parts)


def rebuild_all_entries(progress=None) -> int:
    """Rebuild every source document's entry, in batches, and drop the entries of documents
    that are gone; record the current format. Returns the number of documents indexed;
    ``progress(done, total)`` is called after each batch."""
    ids = []
    if TrustDocument.objects.exists():  # a new database has no locale yet either
        ids = list(
            TrustDocument.objects.filter(locale=default_locale())
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    remove_entries_except(ids)
    for start in range(0, len(ids), ENTRY_BATCH_SIZE):
        update_entries(ids[start : start + ENTRY_BATCH_SIZE])
        if progress is not None:
            progress(min(start + ENTRY_BATCH_SIZE, len(ids)), len(ids))
    IndexFormat.objects.update_or_create(pk=1, defaults={"value": INDEX_FORMAT})
    return len(ids)


def index_is_current() -> bool:
    return IndexFormat.objects.filter(pk=1, value=INDEX_FORMAT).exists()


#: What an operator runs when the index is incomplete.
REBUILD_COMMAND = "python manage.py rebuild_search_index"


def index_state() -> dict:
    """How complete the database's search index is, in a few counting queries: documents with
    no entry, entries missing from the database's own full-text structure (the FTS5 table, or
    an empty tsvector), and whether entries are in this release's format. ``complete`` is False
    when search would miss documents; ``action`` says what to run."""
    if TrustDocument.objects.exists():
        sources = TrustDocument.objects.filter(locale=default_locale())
    else:
        sources = TrustDocument.objects.none()
    missing = sources.exclude(pk__in=SearchEntry.objects.values("document_id")).count()
    with connection.cursor() as cursor:
        if database_vendor() == "postgresql":
            cursor.execute("SELECT COUNT(*) FROM trustsearch_searchentry WHERE vector IS NULL")
        else:
            cursor.execute(
                "SELECT COUNT(*) FROM trustsearch_searchentry "
                "WHERE document_id NOT IN (SELECT rowid FROM trustsearch_fts)"
            )
        unindexed = cursor.fetchone()[0]
    current = index_is_current() or not sources.exists()
    complete = not missing and not unindexed and current
    state = {
        "complete": complete,
        "documents_without_entry": missing,
        "entries_not_indexed": unindexed,
        "format_current": current,
    }
    if not complete:
        state["action"] = REBUILD_COMMAND
    return state


def remove_entries_except(document_ids: list[int]) -> None:
    """Drop entries of documents no longer present (a rebuild then refreshes the rest)."""
    stale = list(
        SearchEntry.objects.exclude(document_id__in=document_ids).values_list(
            "document_id", flat=True
        )
    )
    for start in range(0, len(stale), 500):
        remove_entries(stale[start : start + 500])
