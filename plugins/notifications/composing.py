"""Building one notification e-mail, in the recipient's language, from what a batch prepared.

Nothing here queries the database: ``plugins.notifications.batches`` loads a whole batch (the
recipients, their updates, what each may see, the translations) in a fixed number of queries,
and these functions turn one recipient's share into a message. A ``Composer`` renders each
distinct body once per batch (per language and set of updates).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from cms.updates import note_in_language

from .models import (
    EmailDelivery,
    NotificationSettings,
    PendingSubprocessorChange,
    PendingUpdate,
)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


@dataclass
class UpdateLine:
    title: str
    url: str
    version: str
    description: str


def absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def unsubscribe_token(user_id: int) -> str:
    return signing.dumps({"u": user_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(user_id: int, language: str) -> str:
    with translation.override(language):
        return absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id)]))


def newest_updates(updates: list[PendingUpdate]) -> list[PendingUpdate]:
    """One update per document: its newest."""
    newest: dict[int, PendingUpdate] = {}
    for update in sorted(updates, key=lambda u: (u.created_at, u.pk or 0)):
        newest[update.document_id] = update
    return list(newest.values())


def lines_for(updates: list[PendingUpdate], localize) -> list[UpdateLine]:
    """One line per document (its newest update), in the active language; ``localize`` maps
    a source object to its translation (``cms.i18n.Localizer``)."""
    lines = []
    for update in newest_updates(updates):
        document = localize(update.document)
        if update.version is not None:
            version = localize(update.version)
            label, description = version.version_label, version.change_description
        else:
            description = note_in_language(
                update.note, update.created_at, update.document, document
            )
            label = ""
        lines.append(
            UpdateLine(
                title=document.title,
                url=absolute(update.document.get_url()),
                version=label,
                description=description,
            )
        )
    return sorted(lines, key=lambda line: line.title.lower())


@dataclass
class SubprocessorLine:
    name: str
    #: "added", "changed" or "removed" (the template words it in the reader's language).
    change: str


def subprocessor_lines(changes: list[PendingSubprocessorChange]) -> list[SubprocessorLine]:
    """One line per change, oldest first (a subprocessor added and then changed is told both)."""
    ordered = sorted(changes, key=lambda c: (c.notice.created_at, c.notice_id))
    return [SubprocessorLine(name=c.notice.name, change=c.notice.change) for c in ordered]


#: The reader page of the list, by URL name: the core contract names no URL for it, and the
#: notifications plugin imports no other plugin. Without that page (the plugin removed since the
#: change), the e-mail names the changes without a link.
SUBPROCESSORS_URL_NAME = "trust_center:subprocessors"


def subprocessors_url() -> str:
    """The list's address in the active language, or "" where there is no such page."""
    try:
        return absolute(reverse(SUBPROCESSORS_URL_NAME))
    except NoReverseMatch:
        return ""


@dataclass
class Body:
    """What every recipient of the same updates in the same language is sent, but for their own
    unsubscribe link (``LINK`` where it goes)."""

    subject: str
    text: str
    html: str


#: Stands for the recipient's unsubscribe link in a shared body (letters only: no escaping
#: changes it, so it is found again in the HTML as in the text).
LINK = "trustportalunsubscribelinkofthisrecipient"


class Composer:
    """Builds the e-mails of one batch. The recipients of one event (or one digest period) are
    mostly told the same thing in a few languages: each body is rendered once per language and
    set of updates, and only the unsubscribe link, signed for each reader, is put in per e-mail.
    The e-mail is the same as one rendered for the recipient alone."""

    def __init__(self):
        self.bodies: dict[tuple, Body] = {}

    def build(
        self,
        delivery: EmailDelivery,
        preferences: NotificationSettings,
        updates: list[PendingUpdate],
        localize,
        changes: list[PendingSubprocessorChange] = (),
    ) -> EmailMultiAlternatives:
        """The e-mail of ``delivery`` about ``updates`` (already narrowed to what the recipient
        may see now) and ``changes`` of the subprocessors list."""
        language = preferences.language
        digest = not delivery.key.startswith("event:")
        newest = newest_updates(updates)
        key = (
            language,
            digest,
            tuple(sorted((u.document_id, u.version_id or 0, u.note, u.created_at) for u in newest)),
            tuple(sorted(c.notice_id for c in changes)),
        )
        body = self.bodies.get(key)
        if body is None:
            body = self.bodies[key] = render_body(newest, localize, language, digest, changes)
        unsubscribe = unsubscribe_url(delivery.user_id, language)
        message = EmailMultiAlternatives(
            subject=body.subject,
            body=body.text.replace(LINK, unsubscribe),
            # The address the claim fixed (the reader's confirmed one when the batch was taken).
            to=[delivery.recipient or preferences.email],
            headers={
                "Message-ID": delivery.message_id,
                # RFC 8058 one-click unsubscribe: mail clients POST to the link, no login needed.
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
                "Content-Language": language,
            },
        )
        # As the template's autoescaping would have put it there.
        message.attach_alternative(body.html.replace(LINK, escape(unsubscribe)), "text/html")
        return message


def render_body(
    updates: list[PendingUpdate],
    localize,
    language: str,
    digest: bool,
    changes: list[PendingSubprocessorChange] = (),
) -> Body:
    with translation.override(language):
        lines = lines_for(updates, localize)
        changed = subprocessor_lines(list(changes))
        context = {
            "lines": lines,
            "subprocessor_lines": changed,
            "subprocessors_url": subprocessors_url() if changed else "",
            "unsubscribe_url": LINK,
            "settings_url": absolute(reverse("notifications:settings")),
            "site_name": settings.WAGTAIL_SITE_NAME,
            "digest": digest,
        }
        subject = _subject(len(lines), bool(changed))
        text = render_to_string("notifications/email/updates.txt", context)
        html = render_to_string("notifications/email/updates.html", context)
    return Body(subject, text, html)


def _subject(documents: int, subprocessors: bool) -> str:
    site = settings.WAGTAIL_SITE_NAME
    if not subprocessors:
        return ngettext(
            "%(site)s: %(count)d document in your library was updated",
            "%(site)s: %(count)d documents in your library were updated",
            documents,
        ) % {"site": site, "count": documents}
    if not documents:
        return gettext("%(site)s: the list of subprocessors changed") % {"site": site}
    return ngettext(
        "%(site)s: %(count)d document in your library was updated and the list of "
        "subprocessors changed",
        "%(site)s: %(count)d documents in your library were updated and the list of "
        "subprocessors changed",
        documents,
    ) % {"site": site, "count": documents}


def build_message(
    delivery: EmailDelivery,
    preferences: NotificationSettings,
    updates: list[PendingUpdate],
    localize,
) -> EmailMultiAlternatives:
    """The e-mail of ``delivery`` alone (a batch uses one ``Composer`` for all of its e-mails)."""
    return Composer().build(delivery, preferences, updates, localize)
