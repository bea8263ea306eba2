"""The database backend's full-text index (``SearchEntry``): building entries and querying them.

One entry per document series holds, per language, three parts apart: the title; a body made
of the summary and the names of its standards, services and category; the text of its live
versions' files. Apart, because a reader may see a title and not the summary (a listed
restricted document), or a summary and not the file (an NDA document before the NDA): a query
matches and ranks each document on the parts its reader may read (``matching_condition``).
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

import re

from django.conf import settings
from django.db import NotSupportedError, connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    FloatField,
    Func,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import OuterRef, RawSQL

from cms.i18n import default_locale
from cms.models import Category, DocumentVersion, Service, Standard, TrustDocument, VersionFile

from .facets import bump_generation
from .models import IndexFormat, SearchEntry

#: Vendors whose full-text structure this module builds and queries (``search.checks``).
SUPPORTED_VENDORS = ("postgresql", "sqlite")
#: The format of the entries: 2 keeps the text of files apart from the summary and terms; 3
#: splits words at slashes on PostgreSQL.
INDEX_FORMAT = 3
MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
MAX_BODY_CHARS = 200_000

#: PostgreSQL text-search configuration per language; others use "simple" (no stemming).
PG_CONFIGS = {"en": "english", "de": "german", "fr": "french", "es": "spanish"}

# Scripts written without spaces between words: the word tokenizers of both databases see a
# whole run as one token, so these words are matched as substrings instead.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_TOKEN = re.compile(r'"[^"]*"|\S+')
_WORD = re.compile(r"\w+")


def _vendor() -> str:
    """The database's vendor, if this module can index and query it (the system check
    ``trustsearch.E001`` says so at start-up; this stops anything that runs regardless)."""
    if connection.vendor not in SUPPORTED_VENDORS:
        raise NotSupportedError(f"Full-text search does not support {connection.vendor!r}")
    return connection.vendor


def normalize_query(text: str) -> str:
    """Bounded, whitespace-normalised query text: any input gives a result in bounded time."""
    # Control characters (NUL above all: PostgreSQL refuses it) are never part of a word.
    printable = "".join(ch if ch.isprintable() else " " for ch in text[:MAX_QUERY_LENGTH])
    return " ".join(printable.split())


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
    vendor = _vendor()
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


# --- Querying ------------------------------------------------------------------------------


def parse_query(text: str) -> tuple[list[list[str]], list[str], list[str]]:
    """``(groups, excluded, unspaced)``: every group must match (its alternatives are OR);
    ``"quoted words"`` stay a phrase, ``-word`` excludes, ``or`` joins alternatives (the same
    web-search syntax PostgreSQL's ``websearch_to_tsquery`` reads)."""
    groups: list[list[str]] = []
    excluded: list[str] = []
    unspaced: list[str] = []
    join_next = False
    for token in _TOKEN.findall(normalize_query(text))[: MAX_TERMS * 2]:
        if token.lower() == "or":
            join_next = bool(groups)
            continue
        negative = token.startswith("-") and len(token) > 1
        words = _WORD.findall(token)
        if not words:
            continue
        if any(_UNSPACED.search(w) for w in words):
            unspaced.extend(w for w in words if _UNSPACED.search(w))
            words = [w for w in words if not _UNSPACED.search(w)]
            if not words:
                continue
        phrase = " ".join(words)
        if negative:
            excluded.append(phrase)
        elif join_next:
            groups[-1].append(phrase)
        else:
            groups.append([phrase])
        join_next = False
    return groups[:MAX_TERMS], excluded[:MAX_TERMS], unspaced[:MAX_TERMS]


def fts5_expression(groups: list[list[str]], excluded: list[str]) -> str:
    """A safe FTS5 MATCH expression: every term is a quoted string, so no reader input can be
    read as FTS5 syntax (columns, NEAR, ^, *, …)."""

    def quoted(phrase: str) -> str:
        return '"' + phrase.replace('"', '""') + '"'

    expression = " AND ".join(
        "(" + " OR ".join(quoted(p) for p in alternatives) + ")" for alternatives in groups
    )
    for phrase in excluded:
        expression += f" NOT {quoted(phrase)}"
    return expression


def websearch_text(groups: list[list[str]], excluded: list[str]) -> str:
    """The parsed query back in web-search syntax, words only (for ``websearch_to_tsquery``)."""
    parts = [" or ".join(f'"{p}"' for p in alternatives) for alternatives in groups]
    parts += [f'-"{p}"' for p in excluded]
    return " ".join(parts)


def pg_tsquery(language: str, groups, excluded) -> tuple[str, list]:
    """``(sql, params)``: the reader's words as a tsquery, in the reader's language, the source
    language and unstemmed (so a word in any language is found).

    Excluded words are excluded in every form at once: ``(wanted in A or B) and not (excluded
    in A or B)``. OR-ing whole queries (``wanted and not excluded`` in A, or in B) let a
    document holding an excluded word through whichever form did not stem it alike."""
    configs = dict.fromkeys(
        [PG_CONFIGS.get(language, "simple"), PG_CONFIGS.get(_source_language(), "simple")]
    )
    configs["simple"] = None

    def in_every_form(words: str) -> tuple[str, list]:
        forms = " || ".join(f"websearch_to_tsquery('{c}', %s)" for c in configs)
        return f"({forms})", [words] * len(configs)

    sql, params = in_every_form(websearch_text(groups, []))
    if excluded:
        unwanted, more = in_every_form(" or ".join(f'"{p}"' for p in excluded))
        sql, params = f"({sql} && !!{unwanted})", params + more
    return sql, params


def _source_language() -> str:
    return default_locale().language_code


# What a reader may match, narrowest first: each tier adds parts of a document to the one before.
# A document's tier for a reader comes from the access policy (``policy.reading_rights``).
TITLE, DESCRIBED, READABLE = "title", "described", "readable"
#: SQLite: the FTS5 columns of each tier (None: every column).
FTS_COLUMNS = {TITLE: "{title}", DESCRIBED: "{title body}", READABLE: None}
#: PostgreSQL: the weights of the vector each tier reads (titles A, bodies B, files C).
PG_WEIGHTS = {TITLE: "{a}", DESCRIBED: "{a,b}", READABLE: None}
#: ts_rank's weights {D, C, B, A} and bm25()'s column weights (title, body, file) per tier: a
#: part the reader may not read counts for nothing in the order of their results either.
PG_RANK_WEIGHTS = {TITLE: "{0, 0, 0, 1}", DESCRIBED: "{0, 0, 0.4, 1}", READABLE: "{0, 0.2, 0.4, 1}"}
BM25_WEIGHTS = {TITLE: (4.0, 0.0, 0.0), DESCRIBED: (4.0, 1.0, 0.0), READABLE: (4.0, 1.0, 0.5)}


def _tiers(rights) -> list[tuple[str, Q]]:
    """``[(tier, the condition of being in it)]``: each document is in the widest tier its
    reader has (the readable are described too), and is matched there alone: an excluded word
    in a part the reader may read must exclude the document, whatever narrower parts say."""
    described, readable = _among(rights.described), _among(rights.readable)
    return [
        (TITLE, ~described),
        (DESCRIBED, described & ~readable),
        (READABLE, readable),
    ]


def _among(documents) -> Q:
    """The row (a ``TrustDocument``) is one of ``documents`` (a queryset of document ids from
    the access policy)."""
    return Q(pk__in=documents)


class _ProbedExists(Exists):
    """``EXISTS`` asked of each row on its own (PostgreSQL): ``OFFSET 0`` keeps the planner from
    turning it into a hashed set of every row of the subquery, which means reading every
    document the reader may read (a scan of the whole table) before the first match."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


def _probed(documents) -> Q:
    """The row is one of ``documents``, by an index probe on this row's key alone (PostgreSQL):
    its cost follows the rows asked about (a window of matches), not the number of documents."""
    if connection.vendor != "postgresql":
        return _among(documents)
    return Q(_ProbedExists(documents.filter(pk=OuterRef("pk"))))


class _Matches(Func):
    """``tsvector @@ tsquery`` as a boolean expression."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _vector_part(weights: str | None):
    """The reader's part of the joined entry's vector: all of it, or the parts of ``weights``."""
    vector = F("ranked_entry__vector")
    if weights is None:
        return vector
    return Func(vector, RawSQL(f"'{weights}'::\"char\"[]", []), function="ts_filter")


def row_matching_condition(text: str, language: str, rights) -> Q | None:
    """PostgreSQL: ``matching_condition`` asked of each document row through its joined entry
    (``RankedEntry``), for queries of words alone (None otherwise: ``matching_condition``).

    The wanted words find candidates through the GIN index (or are checked row by row when the
    database walks documents in an index's order and stops after a window, see
    ``backends.database``); the reader's tier of each row is then asked of that row alone
    (``_probed``), and decides which part of the vector must match, excluded words included."""
    groups, excluded, unspaced = parse_query(text)
    if not groups or unspaced or _vendor() != "postgresql":
        return None
    wanted_sql, wanted_params = pg_tsquery(language, groups, [])
    full_sql, full_params = pg_tsquery(language, groups, excluded)

    def matches(tier: str) -> _Matches:
        return _Matches(_vector_part(PG_WEIGHTS[tier]), RawSQL(full_sql, full_params))

    by_tier = Case(
        When(_probed(rights.readable), then=matches(READABLE)),
        When(_probed(rights.described), then=matches(DESCRIBED)),
        default=matches(TITLE),
        output_field=BooleanField(),
    )
    wanted = _Matches(F("ranked_entry__vector"), RawSQL(wanted_sql, wanted_params))
    return Q(wanted) & Q(by_tier)


def title_matching_condition(text: str, language: str) -> Q | None:
    """PostgreSQL: the row's title matches the wanted words (every reader of a listed document
    reads its title). For a query of one word, a title match always ranks above a match in the
    other parts (``PG_RANK_WEIGHTS``: a title position alone outweighs any number of summary
    positions in ``ts_rank``), so the best matches are among these."""
    groups, _excluded, unspaced = parse_query(text)
    if not groups or unspaced or _vendor() != "postgresql":
        return None
    wanted_sql, wanted_params = pg_tsquery(language, groups, [])
    return Q(_Matches(_vector_part(PG_WEIGHTS[TITLE]), RawSQL(wanted_sql, wanted_params)))


def matching_condition(text: str, language: str, rights) -> Q | None:
    """A condition on ``TrustDocument`` (source rows): the document matches ``text`` in what its
    reader may read of it (``rights``, a ``cms.access.policy.ReadingRights``): the title of
    any document they see, summary and terms of those ``described``, the text of the files of
    those ``readable``. None when the text has no searchable word.

    Each tier is matched on its own parts (an excluded word, too, is looked for there alone),
    so what a reader finds, or stops finding, never depends on words they may not read."""
    groups, excluded, unspaced = parse_query(text)
    if not groups and not unspaced:
        return None
    vendor = _vendor()
    condition = Q(pk__in=[])
    for tier, in_tier in _tiers(rights):
        matched = in_tier
        if groups:
            matched &= Q(pk__in=_matched_in(tier, groups, excluded, language, vendor))
        if unspaced:
            matched &= Q(pk__in=_substring_entries(unspaced, tier))
        condition |= matched
    return condition


def _matched_in(tier: str, groups, excluded, language: str, vendor: str) -> RawSQL:
    """Ids of the documents whose parts of ``tier`` match the words."""
    if vendor == "postgresql":
        tsquery, params = pg_tsquery(language, groups, excluded)
        weights = PG_WEIGHTS[tier]
        if weights is None:
            return RawSQL(
                f"SELECT document_id FROM trustsearch_searchentry WHERE vector @@ {tsquery}",
                params,
            )
        # The whole vector, wanted words only, finds the candidates through the GIN index;
        # the tier's part of it then decides, excluded words included.
        wanted, wanted_params = pg_tsquery(language, groups, [])
        return RawSQL(
            "SELECT document_id FROM trustsearch_searchentry "
            f"WHERE vector @@ {wanted} AND ts_filter(vector, '{weights}') @@ {tsquery}",
            wanted_params + params,
        )
    return RawSQL(
        "SELECT rowid FROM trustsearch_fts WHERE trustsearch_fts MATCH %s",
        [_fts5_in(tier, fts5_expression(groups, excluded))],
    )


def _fts5_in(tier: str, expression: str) -> str:
    columns = FTS_COLUMNS[tier]
    return expression if columns is None else f"{columns} : ({expression})"


#: The stored text of each part: the FTS table's columns on SQLite (decoded; its JSON keeps
#: ``\u`` escapes), the JSON columns on PostgreSQL.
_SUBSTRING_COLUMNS = {
    "sqlite": {TITLE: ["title"], DESCRIBED: ["title", "body"], READABLE: ["title", "body", "file"]},
    "postgresql": {
        TITLE: ["titles::text"],
        DESCRIBED: ["titles::text", "bodies::text"],
        READABLE: ["titles::text", "bodies::text", "files::text"],
    },
}


def _substring_entries(words: list[str], tier: str) -> RawSQL:
    """Entries containing every word as a substring of the parts of ``tier`` (for scripts
    without spaces)."""
    patterns = [
        "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for w in words
    ]
    if connection.vendor == "sqlite":
        table, key, like = "trustsearch_fts", "rowid", "LIKE %s ESCAPE '\\'"
    else:
        table, key, like = "trustsearch_searchentry", "document_id", "ILIKE %s ESCAPE '\\'"
    columns = _SUBSTRING_COLUMNS[connection.vendor][tier]
    one_word = "(" + " OR ".join(f"{column} {like}" for column in columns) + ")"
    clauses = " AND ".join([one_word] * len(patterns))
    params = [p for pattern in patterns for p in [pattern] * len(columns)]
    return RawSQL(f"SELECT {key} FROM {table} WHERE {clauses}", params)


def ranked_by_join(queryset, text: str, language: str, rights):
    """``queryset`` joined once to the full-text table and annotated with the relevance of each
    row as ``search_rank`` (higher is better), or None when the text has no ranked words or
    words only a substring match finds (which the join could drop). Each row is ranked on
    what its reader may read of it (``rights``, as ``matching_condition``).

    A join, not a correlated subquery: the subquery re-ran the lookup (and on PostgreSQL
    decompressed the vector again) for every match, 4x slower for a word in most documents;
    SQLite's bm25() exists only inside the FTS query itself, which as a subquery re-ran the
    match per row, quadratic in the number of matches. The join goes through the read-only
    models ``RankedEntry`` and ``FullTextRow`` (``search/models.py``), on the wanted words
    alone: a superset of what ``matching_condition`` lets through, whatever the tier."""
    groups, excluded, unspaced = parse_query(text)
    if not groups or unspaced:
        return None
    if _vendor() == "postgresql":
        tsquery, params = pg_tsquery(language, groups, [])

        def score(tier: str) -> Func:
            query = RawSQL(tsquery, params)
            weights = RawSQL(f"'{PG_RANK_WEIGHTS[tier]}'::float4[]", [])
            return Func(
                weights,
                F("ranked_entry__vector"),
                query,
                function="ts_rank",
                output_field=FloatField(),
            )

        joined = queryset.filter(ranked_entry__isnull=False)
    else:
        # The MATCH filter first: it makes the join an inner one, the only kind bm25() works in.
        joined = queryset.filter(full_text_row__table__matches=fts5_expression(groups, []))

        def score(tier: str) -> Func:
            weights = [Value(w) for w in BM25_WEIGHTS[tier]]
            return -Func(
                F("full_text_row__table"), *weights, function="bm25", output_field=FloatField()
            )

    return joined.annotate(search_rank=_by_tier(score, rights))


def _by_tier(score, rights) -> Case:
    """``score(tier)`` of each row's tier for the reader (widest tier the row is in)."""
    return Case(
        When(_probed(rights.readable), then=score(READABLE)),
        When(_probed(rights.described), then=score(DESCRIBED)),
        default=score(TITLE),
        output_field=FloatField(),
    )


def rank_expression(text: str, language: str, rights):
    """Relevance of each document row to ``text`` (higher is better; 0 without a ranked
    match), on what its reader may read of it: for queries ``ranked_by_join`` leaves out."""
    groups, _excluded, _unspaced = parse_query(text)
    if not groups:
        return None
    if _vendor() == "postgresql":
        tsquery, params = pg_tsquery(language, groups, [])

        def score(tier: str):
            return RawSQL(f"ts_rank('{PG_RANK_WEIGHTS[tier]}', vector, {tsquery})", params)
    else:
        # bm25() is lower-is-better and only defined in the FTS query itself.
        def score(tier: str):
            weights = ", ".join(str(w) for w in BM25_WEIGHTS[tier])
            return RawSQL(
                f"(SELECT -bm25(trustsearch_fts, {weights}) FROM trustsearch_fts "
                "WHERE trustsearch_fts MATCH %s AND trustsearch_fts.rowid = document_id)",
                [fts5_expression(groups, [])],
            )

    def entry_score(tier: str):
        return Subquery(
            SearchEntry.objects.filter(document_id=OuterRef("pk"))
            .annotate(score=score(tier))
            .values("score")[:1]
        )

    return _by_tier(entry_score, rights)


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
        if _vendor() == "postgresql":
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
