"""Querying the database backend's full-text index (built by ``search/text_index.py``).

A reader's words are parsed once (``parse_query``) and matched, on each database in its own
way, against the parts of an entry the reader may read (``matching_condition``): an FTS5
expression on SQLite, ``websearch_to_tsquery`` on PostgreSQL, with a probe per row of the
reader's tier there (``row_matching_condition``). Ranking weighs titles above bodies above files
(``rank_expression``, ``ranked_by_join``).
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
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

from .models import SearchEntry
from .text_index import PG_CONFIGS, database_vendor

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10

# Scripts written without spaces between words: the word tokenizers of both databases see a
# whole run as one token, so these words are matched as substrings instead.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_TOKEN = re.compile(r'"[^"]*"|\S+')
_WORD = re.compile(r"\w+")


def normalize_query(text: str) -> str:
    """Bounded, whitespace-normalised query text: any input gives a result in bounded time."""
    # Control characters (NUL above all: PostgreSQL refuses it) are never part of a word.
    printable = "".join(ch if ch.isprintable() else " " for ch in text[:MAX_QUERY_LENGTH])
    return " ".join(printable.split())


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
    described, readable = rights.describes, rights.reads
    return [
        (TITLE, ~described),
        (DESCRIBED, described & ~readable),
        (READABLE, readable),
    ]


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
    (``ReadingRights`` are conditions on the row), and decides which part of the vector must
    match, excluded words included."""
    groups, excluded, unspaced = parse_query(text)
    if not groups or unspaced or database_vendor() != "postgresql":
        return None
    wanted_sql, wanted_params = pg_tsquery(language, groups, [])
    full_sql, full_params = pg_tsquery(language, groups, excluded)

    def matches(tier: str) -> _Matches:
        return _Matches(_vector_part(PG_WEIGHTS[tier]), RawSQL(full_sql, full_params))

    by_tier = Case(
        When(rights.reads, then=matches(READABLE)),
        When(rights.describes, then=matches(DESCRIBED)),
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
    if not groups or unspaced or database_vendor() != "postgresql":
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
    vendor = database_vendor()
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
    if database_vendor() == "postgresql":
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
        When(rights.reads, then=score(READABLE)),
        When(rights.describes, then=score(DESCRIBED)),
        default=score(TITLE),
        output_field=FloatField(),
    )


def rank_expression(text: str, language: str, rights):
    """Relevance of each document row to ``text`` (higher is better; 0 without a ranked
    match), on what its reader may read of it: for queries ``ranked_by_join`` leaves out."""
    groups, _excluded, _unspaced = parse_query(text)
    if not groups:
        return None
    if database_vendor() == "postgresql":
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
