"""``python manage.py rebuild_search_index``: rebuild the search index from the content.

The database backend's entries (``SearchEntry`` and the database's full-text structure) and
the documents' derived "updated" dates are rebuilt in batches; with Elasticsearch configured,
each locale's index is also dropped, recreated with the current mapping and filled in bulk. A
progress bar and the counts go to stdout. ``--extract-files`` first reads the text of files
uploaded before text extraction existed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from elasticsearch.helpers import bulk

from cms.files.text_extraction import extract_text
from cms.models import VersionFile
from cms.models.documents import refresh_updated_on
from search import text_index
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
    help = "Rebuild the search index (database entries, and Elasticsearch when configured)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--locale", action="append", dest="locales", help="Only this locale (repeatable)."
        )
        parser.add_argument(
            "--extract-files",
            action="store_true",
            help="Read the text of files that have none recorded yet (older uploads).",
        )

    def handle(self, *args, locales=None, extract_files=False, **options):
        if extract_files:
            self._extract_files()
        self._rebuild_database_entries()
        if not es_backend.is_configured():
            return
        documents = list(indexable_documents())
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

    def _rebuild_database_entries(self) -> None:
        with transaction.atomic():
            # The listings' "updated" date is derived from the versions too: repaired here, for
            # content written without save() (bulk loads, raw SQL).
            refresh_updated_on()
            count = text_index.rebuild_all_entries(progress=self._progress)
        self.stdout.write("")
        self.stdout.write(f"Database search index: {count} documents indexed")

    def _extract_files(self) -> None:
        pending = VersionFile.objects.filter(extracted_text="").exclude(file="")
        total, done = pending.count(), 0
        for version_file in pending.iterator(chunk_size=100):
            try:
                with version_file.file.open("rb") as handle:
                    text = extract_text(handle, version_file.file.name)
            except OSError:
                text = ""
            VersionFile.objects.filter(pk=version_file.pk).update(extracted_text=text)
            done += 1
            self._progress(done, total)
        self.stdout.write("")
        self.stdout.write(f"Text read from {done} files")

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stdout.write(f"\r[{bar}] {done}/{total}", ending="")
        self.stdout.flush()
