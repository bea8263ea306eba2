"""Core events plugins react to (``PluginConfig.event_handlers``).

Events are raised inside the editor's transaction and dispatched after it commits, each handler
as a background job (inline on the embedded default), so a failing plugin never rolls back a
publish. Handlers receive the event and must be idempotent: a job may run twice.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentPublished:
    """A document series' metadata went live (first publish or a new revision)."""

    document_id: int
    first_publish: bool


@dataclass(frozen=True)
class VersionPublished:
    """A new version of a document went live."""

    document_id: int
    version_id: int


@dataclass(frozen=True)
class DocumentWithdrawn:
    """A document (or its last version) was unpublished or deleted."""

    document_id: int


@dataclass(frozen=True)
class AccessLevelChanged:
    """A live document's access level or restricted entitlement changed."""

    document_id: int
    old_level: str
    new_level: str


EVENT_TYPES = (DocumentPublished, VersionPublished, DocumentWithdrawn, AccessLevelChanged)
EVENTS_BY_NAME = {cls.__name__: cls for cls in EVENT_TYPES}


def run_handlers(event_name: str, payload: dict) -> None:
    """Job body: run every plugin handler of one event (by name, so jobs stay serialisable)."""
    from cms.plugins import registry
    from search.indexing import follow_event

    event = EVENTS_BY_NAME[event_name](**payload)
    # The index is core, not a plugin: it follows every event before plugins react.
    follow_event(event)
    for handler in registry.event_handlers(type(event)):
        handler(event)


def emit(event) -> None:
    """Dispatch ``event`` to plugin handlers once the current transaction commits."""
    from workflows.jobs import enqueue

    name, payload = type(event).__name__, asdict(event)
    transaction.on_commit(lambda: enqueue(run_handlers, name, payload))
