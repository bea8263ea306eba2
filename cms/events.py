"""Core events plugins react to (``PluginConfig.event_handlers``).

Events are raised inside the editor's transaction and written to the outbox there
(``workflows.outbox``), so an event exists exactly when its publish does, even if Redis is down;
after commit they are dispatched as a background job (inline on the embedded default), so a
failing plugin never rolls back a publish. Handlers receive the event and must be idempotent: a
job may run twice. ``event.event_id`` (the outbox row) is the same on every run, so handlers key
what they record by it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentPublished:
    """A document series' metadata went live (first publish or a new revision)."""

    document_id: int
    first_publish: bool
    #: The editor's update note when this publish brought a new one (what subscribers are
    #: told), "" for a change nobody needs to hear about.
    update_note: str = ""
    #: The outbox id, set when handlers run (not part of what the event says).
    event_id: str = field(default="", compare=False)


@dataclass(frozen=True)
class VersionPublished:
    """A new version of a document went live."""

    document_id: int
    version_id: int
    #: The outbox id, set when handlers run (not part of what the event says).
    event_id: str = field(default="", compare=False)


@dataclass(frozen=True)
class DocumentWithdrawn:
    """A document (or its last version) was unpublished or deleted."""

    document_id: int
    #: The outbox id, set when handlers run (not part of what the event says).
    event_id: str = field(default="", compare=False)


@dataclass(frozen=True)
class AccessLevelChanged:
    """A live document's access level or restricted entitlement changed."""

    document_id: int
    old_level: str
    new_level: str
    #: The outbox id, set when handlers run (not part of what the event says).
    event_id: str = field(default="", compare=False)


EVENT_TYPES = (DocumentPublished, VersionPublished, DocumentWithdrawn, AccessLevelChanged)
EVENTS_BY_NAME = {cls.__name__: cls for cls in EVENT_TYPES}


class HandlersFailed(Exception):
    """Some handlers of an event raised (the others ran); the outbox retries the event."""


def run_handlers(event_name: str, payload: dict, event_id: str = "") -> None:
    """Run every plugin handler of one event (by name, so jobs stay serialisable). One failing
    handler does not keep the others from running; the failure is raised once they all ran."""
    from cms.plugins import registry
    from search.indexing import follow_event

    event = EVENTS_BY_NAME[event_name](**payload, event_id=event_id)
    # The index is core, not a plugin: it follows every event before plugins react.
    failures = []
    for handler in [follow_event, *registry.event_handlers(type(event))]:
        try:
            handler(event)
        except Exception as error:
            logger.exception("Handler %r of %s failed", handler, event_name)
            failures.append(f"{getattr(handler, '__qualname__', handler)}: {error!r}")
    if failures:
        raise HandlersFailed("; ".join(failures))


def emit(event) -> str:
    """Record ``event`` in the outbox with the current transaction; handlers run after commit.
    Returns the event id."""
    from workflows.outbox import record

    return record(event)
