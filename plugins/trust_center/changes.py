"""Subscribers hear of changes to the subprocessors list through the core's events.

When a subprocessor in the source language is published for the first time, published with
something readers see changed, unpublished or deleted, a ``cms.events.SubprocessorChanged`` is
emitted in the editor's transaction (so it exists exactly when the change commits, and reaches
every plugin's handler after commit) and recorded as a ``SubprocessorChange``: the history the
reader site's "last changed" date comes from. A publish that changes nothing readers see (a
re-publish, a change of translation) tells nobody anything.
"""

from __future__ import annotations

from cms import events
from cms.i18n import default_locale

from .models import Subprocessor, SubprocessorChange


def _last_change(subprocessor: Subprocessor) -> SubprocessorChange | None:
    return SubprocessorChange.objects.filter(subprocessor_key=subprocessor.translation_key).first()


def _record(subprocessor: Subprocessor, change: str, snapshot: dict) -> SubprocessorChange:
    event_id = events.emit(
        events.SubprocessorChanged(
            subprocessor_key=str(subprocessor.translation_key),
            name=snapshot["name"],
            change=change,
        )
    )
    return SubprocessorChange.objects.create(
        subprocessor_key=subprocessor.translation_key,
        change=change,
        snapshot=snapshot,
        event_id=event_id,
    )


def _is_source(subprocessor: Subprocessor) -> bool:
    return subprocessor.locale_id == default_locale().pk


def on_published(sender, instance, **kwargs) -> None:
    if not _is_source(instance):
        return
    last = _last_change(instance)
    snapshot = instance.snapshot()
    if last is None or last.change == SubprocessorChange.Change.REMOVED:
        _record(instance, SubprocessorChange.Change.ADDED, snapshot)
    elif last.snapshot != snapshot:
        _record(instance, SubprocessorChange.Change.CHANGED, snapshot)


def on_withdrawn(sender, instance, **kwargs) -> None:
    """Unpublished or deleted: removed from the list, once."""
    if not _is_source(instance):
        return
    last = _last_change(instance)
    if last is not None and last.change != SubprocessorChange.Change.REMOVED:
        _record(instance, SubprocessorChange.Change.REMOVED, last.snapshot)
