"""Keeping the search index in step with the content: run for every core event as part of the
event's background job (inline on the embedded default). The database backend reads the tables
directly and needs nothing; the Elasticsearch backend re-indexes or removes the document."""

from __future__ import annotations

from django.conf import settings


def uses_index() -> bool:
    return settings.TRUSTPORTAL_SEARCH_BACKEND.endswith("ElasticsearchBackend")


def follow_event(event) -> None:
    """Idempotent: indexing the current state twice gives the same index."""
    if not uses_index():
        return
    from cms.events import DocumentWithdrawn
    from cms.models import TrustDocument

    from .backends import elasticsearch
    from .es_documents import content_locales, index_name

    document = TrustDocument.objects.filter(pk=event.document_id).first()
    if document is None:
        # Deleted: its entries go by id (deleting an absent entry is fine for retried jobs).
        client = elasticsearch.get_connection().options(ignore_status=404)
        for locale in content_locales():
            client.delete(index=index_name(locale), id=str(event.document_id))
    elif isinstance(event, DocumentWithdrawn):
        elasticsearch.remove_document(document)
    else:
        elasticsearch.index_document(document)
