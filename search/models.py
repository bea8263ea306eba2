"""The database backend's full-text index: one entry per document series.

An entry holds the series' text in every language (titles, summaries, the text of its current
files). The columns Django knows are plain text; the ranked full-text structure is the
database's own, added by the migration: a weighted ``tsvector`` with a GIN index on PostgreSQL
(each language stemmed with its own dictionary), an FTS5 table ranked with BM25 on SQLite.
See ``search/text_index.py``.
"""

from django.db import models

from cms.models import EntitlementStamp, Stamp


class SearchEntry(models.Model):
    document = models.OneToOneField(
        "cms.TrustDocument", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    #: ``{language code: text}``: the title; the summary and the names of its terms; the text
    #: of its live files. Kept apart because readers may read different parts of a document
    #: (``cms.access.policy.reading_rights``), and search matches only what they may read.
    titles = models.JSONField(default=dict)
    bodies = models.JSONField(default=dict)
    files = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "search entry"
        verbose_name_plural = "search entries"

    def __str__(self):
        return f"Search entry of document {self.document_id}"


class ListingGeneration(models.Model):
    """One row whose number goes up, in the writer's own transaction, whenever anything a
    document listing shows or counts changes (documents, versions, files, taxonomy, search
    entries). Counts memoized under a generation are therefore never served once the content
    they were counted on has changed (``search/facets.py``)."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "listing generation"

    def __str__(self):
        return f"Listing generation {self.value}"


class MemberPagesStamp(Stamp):
    """Changes whenever anything a signed-in reader's page may show beyond the content changes:
    their user row, groups and permissions, members and organizations, a plugin's rows (a role
    that adds a menu entry). A member's page is kept under it (``sites/visitor_cache.py``), so
    the next request after such a write renders afresh."""

    class Meta:
        verbose_name = "member pages stamp"

    @classmethod
    def change(cls) -> None:
        # Many writes that change this stamp change the entitlement stamp too, in either order
        # (a sign-in's name then its membership; an NDA acceptance's stamp then its row): two
        # such transactions, each holding one row and waiting for the other, would deadlock.
        # Every transaction takes the entitlement stamp's row first.
        EntitlementStamp.lock()
        super().change()


#: The name the stamp is read along under (``cms.database.carry_along``).
MEMBER_PAGES_READ = "member_pages_stamp"


# --- the database's own full-text structure, as Django sees it to join and rank --------------
# Migration 0001 creates these in SQL; the models below are never saved (unmanaged), and exist
# so that ranking joins them with the public ORM instead of raw joins (``search/text_index.py``).


class FullTextColumn(models.TextField):
    """FTS5's hidden column named after its table: ``MATCH`` searches every column through it,
    and ``bm25()`` takes it as its first argument."""


@FullTextColumn.register_lookup
class Matches(models.Lookup):
    lookup_name = "matches"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class FullTextRow(models.Model):
    """A row of SQLite's FTS5 table ``trustsearch_fts`` (rowid = document id)."""

    document = models.OneToOneField(
        "cms.TrustDocument",
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_column="rowid",
        related_name="full_text_row",
    )
    title = models.TextField()
    body = models.TextField()
    file = models.TextField()
    table = FullTextColumn(db_column="trustsearch_fts")

    class Meta:
        managed = False
        db_table = "trustsearch_fts"

    def __str__(self):
        return f"Full-text row of document {self.document_id}"


class RankedEntry(models.Model):
    """PostgreSQL's weighted ``tsvector`` of an entry: the column ``vector`` of
    ``trustsearch_searchentry``, which ``SearchEntry`` leaves to the database."""

    document = models.OneToOneField(
        "cms.TrustDocument",
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_column="document_id",
        related_name="ranked_entry",
    )
    vector = models.TextField()

    class Meta:
        managed = False
        db_table = "trustsearch_searchentry"

    def __str__(self):
        return f"Ranked entry of document {self.document_id}"


class IndexFormat(models.Model):
    """The format the database's search entries were built in (one row). A release that
    changes what an entry holds raises ``search.text_index.INDEX_FORMAT``; ``migrate`` then
    rebuilds the entries (``search.apps``), so that search never answers from entries of an
    older format."""

    value = models.IntegerField(default=0)

    class Meta:
        verbose_name = "search index format"

    def __str__(self):
        return f"Search index format {self.value}"
