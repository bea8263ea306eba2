"""How the rest of the portal learns that content changed: core events, and ``content_saved``.

Core events are what plugins react to (``PluginConfig.event_handlers``).

Events are raised inside the editor's transaction and written there to the outbox, so an event
exists exactly when its publish does, even if Redis is down; after commit they are dispatched as
a background job (inline on the embedded default), so a failing plugin never rolls back a
publish. Handlers receive the event and must be idempotent: a job may run twice.
``event.event_id`` (the outbox row) is the same on every run, so handlers key what they record
by it.

``content_saved`` is a plain Django signal, sent inside the editor's transaction: for what must
change together with the content (the database search index), not for plugins.

The outbox and the search index live in layers above the core, so the core does not import them:
each registers here from its ``AppConfig.ready()`` (``register_store``, ``register_core_handler``),
as plugins register their handlers through the contract.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal

from cms.plugins import registry

logger = logging.getLogger(__name__)

#: Sent by a document or version at the end of ``save()``, once its many-to-many relations and
#: files are committed too (``post_save`` comes before modelcluster commits them); with the
#: ``update_fields`` of the save (None for a full save).
content_saved = Signal()


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


@dataclass(frozen=True)
class SubprocessorChanged:
    """A subprocessor (a third party that processes customer data) was published for the first
    time, changed what readers see of it, or was withdrawn. Raised in the source language only;
    ``subprocessor_key`` is its translation key, the same in every language."""

    subprocessor_key: str
    name: str
    #: "added", "changed" or "removed".
    change: str
    #: The outbox id, set when handlers run (not part of what the event says).
    event_id: str = field(default="", compare=False)


#: The events about one trust document (they carry its ``document_id``).
DOCUMENT_EVENTS = (DocumentPublished, VersionPublished, DocumentWithdrawn, AccessLevelChanged)
EVENT_TYPES = (*DOCUMENT_EVENTS, SubprocessorChanged)
EVENTS_BY_NAME = {cls.__name__: cls for cls in EVENT_TYPES}


class HandlersFailed(Exception):
    """Some handlers of an event raised (the others ran); the outbox retries the event."""


#: Writes an event in the current transaction and dispatches it after commit; returns its id.
EventStore = Callable[[object], str]

_store: EventStore | None = None
_core_handlers: list[Callable[[object], None]] = []


def register_store(store: EventStore) -> None:
    """Registration point of the event store: ``workflows`` registers its outbox (``record``)
    from ``ready()``. ``store(event)`` writes the event with the current transaction, so it
    exists exactly when the change that raised it commits, and has ``run_handlers`` called
    after the commit."""
    global _store
    _store = store


def register_core_handler(handler: Callable[[object], None]) -> None:
    """Registration point of the core services that follow every event before the plugins
    react: ``search`` registers its index from ``ready()``. Registering twice changes nothing."""
    if handler not in _core_handlers:
        _core_handlers.append(handler)


def run_handlers(event_name: str, payload: dict, event_id: str = "") -> None:
    """Run the core handlers, then every plugin handler, of one event (by name, so jobs stay
    serialisable). One failing handler does not keep the others from running; the failure is
    raised once they all ran."""
    event = EVENTS_BY_NAME[event_name](**payload, event_id=event_id)
    failures = []
    for handler in [*_core_handlers, *registry.event_handlers(type(event))]:
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
    if _store is None:
        raise ImproperlyConfigured(
            "No event store is registered: add 'workflows' to INSTALLED_APPS (its outbox keeps "
            "the core's events)."
        )
    return _store(event)
