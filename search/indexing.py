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


def reindex_term(model_label: str, translation_key: str) -> None:
    """Job: a taxonomy term was renamed; refresh every document that carries it (idempotent)."""
    from django.apps import apps

    from cms.models import TrustDocument

    from .text_index import series_ids, update_entries

    model = apps.get_model(model_label)
    relation = {"Category": "category", "Service": "services", "Standard": "standards"}[
        model.__name__
    ]
    term_ids = model.objects.filter(translation_key=translation_key).values("pk")
    source_ids = list(
        TrustDocument.objects.filter(**{f"{relation}__in": term_ids})
        .values_list("pk", flat=True)
        .distinct()
    )
    for start in range(0, len(source_ids), 500):
        update_entries(series_ids(source_ids[start : start + 500]))
    if uses_index():
        from .backends import elasticsearch

        for document in TrustDocument.objects.filter(pk__in=source_ids, live=True):
            elasticsearch.index_document(document)
