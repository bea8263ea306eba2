"""``python manage.py rebuild_search_index``: rebuild the Elasticsearch indexes from the database.

Each locale's index is dropped, recreated with the current mapping and filled in bulk; a
progress bar and the counts go to stdout. With the database backend there is nothing to rebuild
(it searches the tables themselves), which the command says.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from elasticsearch.helpers import bulk

from search.backends import elasticsearch as es_backend
from search.es_documents import (
    content_locales,
    document_class,
    index_name,
    indexable_documents,
    localizer_for,
    to_es_document,
)

#: Documents per batch: one localizer (a few queries) and one bulk request per batch.
BATCH_SIZE = 200
BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Rebuild the Elasticsearch search indexes (one per locale) from the live documents."

    def add_arguments(self, parser):
        parser.add_argument(
            "--locale", action="append", dest="locales", help="Only this locale (repeatable)."
        )

    def handle(self, *args, locales=None, **options):
        documents = list(indexable_documents())
        if not es_backend.is_configured():
            self.stdout.write(
                f"Database search backend: nothing to rebuild ({len(documents)} live documents "
                "are searched in the database directly). Set ELASTICSEARCH_URL to use "
                "Elasticsearch."
            )
            return
        client = es_backend.get_connection()
        locales = locales or content_locales()
        total = len(documents) * len(locales)
        done = errors = 0
        for locale in locales:
            name = index_name(locale)
            client.indices.delete(index=name, ignore_unavailable=True)
            document_class(locale).init(using=es_backend.CONNECTION_ALIAS)
            indexed = 0
            for start in range(0, len(documents), BATCH_SIZE):
                batch = documents[start : start + BATCH_SIZE]
                localize = localizer_for(batch, locale)
                actions = (
                    to_es_document(doc, locale, localize).to_dict(include_meta=True)
                    for doc in batch
                )
                ok, failed = bulk(client, actions, raise_on_error=False, stats_only=True)
                indexed += ok
                errors += failed
                done += len(batch)
                self._progress(done, total)
            client.indices.refresh(index=name)
            self.stdout.write("")
            self.stdout.write(f"{name}: {indexed} documents indexed")
        self.stdout.write(
            f"Rebuilt {len(locales)} indexes: {done} documents processed, {errors} errors."
        )

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stdout.write(f"\r[{bar}] {done}/{total}", ending="")
        self.stdout.flush()
