"""Keeping the search index in step with the content: run for every core event as part of the
event's background job (inline on the embedded default). The database backend reads the tables
directly and needs nothing; the Elasticsearch backend re-indexes or removes the document."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.conf import settings
from django.db.models.signals import post_save
from modelsearch import index as wagtail_index
from modelsearch.backends import get_search_backends
from modelsearch.signal_handlers import post_save_signal_handler

from cms.events import DOCUMENT_EVENTS, DocumentWithdrawn
from cms.models import TrustDocument

from .backends import elasticsearch
from .es_documents import content_locales, index_name
from .text_index import update_series_entries


def uses_index() -> bool:
    return settings.TRUSTPORTAL_SEARCH_BACKEND.endswith("ElasticsearchBackend")


def follow_event(event) -> None:
    """Idempotent: indexing the current state twice gives the same index."""
    # Events about other content (a subprocessor) leave the document index as it is.
    if not uses_index() or not isinstance(event, DOCUMENT_EVENTS):
        return
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
    update_series_entries(source_ids)
    if uses_index():
        for document in TrustDocument.objects.filter(pk__in=source_ids, live=True):
            elasticsearch.index_document(document)


# --- Bulk loads ------------------------------------------------------------------------------

_deferred: ContextVar[set[int] | None] = ContextVar("deferred_entries", default=None)


def defer_entry_update(document_ids) -> bool:
    """Inside ``deferred_indexing``: note the documents whose entries to rebuild at its end
    (True); outside it, False, and the caller updates them now."""
    pending = _deferred.get()
    if pending is None:
        return False
    pending.update(document_ids)
    return True


@contextmanager
def deferred_indexing():
    """For bulk loads (the demo content): the database search index and Wagtail's own search
    index (the admin's) are brought up to date once, at the end, instead of on every save of
    every object (a document is saved several times on its way to being published: draft,
    revision, publish, translation). Deletions are still applied at once. Not re-entrant."""
    models = [
        model
        for model in wagtail_index.get_indexed_models()
        if getattr(model, "search_auto_update", True)
    ]
    saved: dict[type, set] = {}

    def remember(sender, instance, raw=False, **kwargs):
        if not raw:
            saved.setdefault(sender, set()).add(instance.pk)

    token = _deferred.set(set())
    for model in models:
        post_save.disconnect(post_save_signal_handler, sender=model)
        post_save.connect(remember, sender=model, dispatch_uid=f"deferred_{model._meta.label}")
    try:
        yield
    finally:
        for model in models:
            post_save.disconnect(sender=model, dispatch_uid=f"deferred_{model._meta.label}")
            post_save.connect(post_save_signal_handler, sender=model)
        pending = _deferred.get()
        _deferred.reset(token)
    update_series_entries(pending)
    backends = list(get_search_backends(with_auto_update=True))
    for model, pks in saved.items():
        objects = list(model.get_indexed_objects().filter(pk__in=pks))
        for backend in backends:
            # As Wagtail's update_index does it: a model's objects in one call per backend.
            backend.add_bulk(model, objects)
