"""Preparing a batch of notification e-mails in a fixed number of queries.

One query each for the deliveries (with their users and settings), their updates (with the
documents and versions), their subprocessor changes, the locales; a few for what every
recipient may see now (the access policy's batch answer); one or two per language for the
translations. None of it grows with
the number of recipients. Access is decided here, when the batch is built, just before it is
sent: a reader who lost access since the publish is told nothing about that document, not
even its title.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.mail import EmailMultiAlternatives
from wagtail.models import Locale

from cms.access import policy
from cms.i18n import Localizer, default_locale

from .composing import Composer
from .models import EmailDelivery, PendingSubprocessorChange, PendingUpdate


@dataclass
class Prepared:
    """One delivery of the batch, ready to claim and send; ``message`` None: nothing in it may
    be told to the recipient any more (or they turned notifications off)."""

    delivery: EmailDelivery
    message: EmailMultiAlternatives | None
    recipient: str = ""


def prepare(delivery_ids: list[int], ours) -> dict[int, Prepared]:
    """``{delivery id: Prepared}`` for the deliveries among ``delivery_ids`` that this worker
    claimed (``ours``, a Q); the others are someone else's or done."""
    deliveries = list(
        EmailDelivery.objects.filter(ours, pk__in=delivery_ids).select_related(
            "user", "user__notification_settings"
        )
    )
    updates_of = defaultdict(list)
    source = default_locale()
    for update in PendingUpdate.objects.filter(
        delivery__in=[d.pk for d in deliveries], document__locale=source
    ).select_related("document", "version"):
        updates_of[update.delivery_id].append(update)
    # An e-mail describes what changed: a listed title alone is not enough to be told it.
    visible = policy.visible_document_ids_by_user(
        [d.user for d in deliveries],
        {u.document_id for ups in updates_of.values() for u in ups},
        described=True,
    )
    allowed = {
        d.pk: [
            update
            for update in updates_of[d.pk]
            if update.document_id in visible[d.user_id]
            and (update.version is None or update.version.live)
        ]
        for d in deliveries
        if _wants_mail(d)
    }
    changes_of = _subprocessor_changes(deliveries)
    localizers = _localizers(deliveries, allowed, source)
    prepared = {}
    composer = Composer()
    for delivery in deliveries:
        updates = allowed.get(delivery.pk, [])
        changes = changes_of.get(delivery.pk, [])
        if not updates and not changes:
            prepared[delivery.pk] = Prepared(delivery, None)
            continue
        preferences = delivery.user.notification_settings
        localize = localizers.get(preferences.language)
        message = composer.build(delivery, preferences, updates, localize, changes)
        prepared[delivery.pk] = Prepared(delivery, message, delivery.recipient)
    return prepared


def _subprocessor_changes(deliveries) -> dict[int, list[PendingSubprocessorChange]]:
    """The subprocessor changes of each delivery whose reader still wants them (one query).
    The list is public: nothing more to check."""
    wanted = [
        d.pk
        for d in deliveries
        if _wants_mail(d) and d.user.notification_settings.subprocessor_changes
    ]
    changes_of = defaultdict(list)
    if wanted:
        changes = PendingSubprocessorChange.objects.filter(delivery__in=wanted)
        for change in changes.select_related("notice"):
            changes_of[change.delivery_id].append(change)
    return changes_of


def _wants_mail(delivery: EmailDelivery) -> bool:
    preferences = getattr(delivery.user, "notification_settings", None)
    # The address fixed by the claim: "" if there was none to send to.
    return (
        preferences is not None
        and preferences.active
        and delivery.user.is_active
        and bool(delivery.recipient)
    )


def _localizers(deliveries, allowed, source: Locale) -> dict:
    """A ``Localizer`` per recipient language, each fetching the translations of the documents
    and versions mailed in that language at once."""
    objects_by_language = defaultdict(list)
    for delivery in deliveries:
        for update in allowed.get(delivery.pk, []):
            language = delivery.user.notification_settings.language
            objects_by_language[language] += [update.document, update.version]
    if not objects_by_language:
        return {}
    locales = {
        locale.language_code: locale
        for locale in Locale.objects.filter(language_code__in=list(objects_by_language))
    }
    return {
        # A language without a locale (no longer enabled) gets the source text.
        language: Localizer(objects, locales.get(language, source))
        for language, objects in objects_by_language.items()
    }
