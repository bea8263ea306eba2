"""The database backend's full-text index: one entry per document series.

An entry holds the series' text in every language (titles, summaries, the text of its current
files). The columns Django knows are plain text; the ranked full-text structure is the
database's own, added by the migration: a weighted ``tsvector`` with a GIN index on PostgreSQL
(each language stemmed with its own dictionary), an FTS5 table ranked with BM25 on SQLite.
See ``search/text_index.py``.
"""

from django.db import models


class SearchEntry(models.Model):
    document = models.OneToOneField(
        "cms.TrustDocument", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    #: ``{language code: title}`` and ``{language code: summary + file text}``.
    titles = models.JSONField(default=dict)
    bodies = models.JSONField(default=dict)
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
