"""Building one notification e-mail, in the recipient's language, from what a batch prepared.

Nothing here queries the database: ``plugins.notifications.batches`` loads a whole batch (the
recipients, their updates, what each may see, the translations) in a fixed number of queries,
and these functions turn one recipient's share into a message.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from cms.updates import note_in_language

from .models import EmailDelivery, NotificationSettings, PendingUpdate

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


def lines_for(updates: list[PendingUpdate], localize) -> list[UpdateLine]:
    """One line per document (its newest update), in the active language; ``localize`` maps
    a source object to its translation (``cms.i18n.Localizer``)."""
    newest: dict[int, PendingUpdate] = {}
    for update in sorted(updates, key=lambda u: (u.created_at, u.pk or 0)):
        newest[update.document_id] = update
    lines = []
    for update in newest.values():
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


def build_message(
    delivery: EmailDelivery,
    preferences: NotificationSettings,
    updates: list[PendingUpdate],
    localize,
) -> EmailMultiAlternatives:
    """The e-mail of ``delivery`` about ``updates`` (already narrowed to what the recipient
    may see now)."""
    user = delivery.user
    with translation.override(preferences.language):
        lines = lines_for(updates, localize)
        unsubscribe = unsubscribe_url(user.pk, preferences.language)
        context = {
            "user": user,
            "lines": lines,
            "unsubscribe_url": unsubscribe,
            "settings_url": absolute(reverse("notifications:settings")),
            "site_name": settings.WAGTAIL_SITE_NAME,
            "digest": not delivery.key.startswith("event:"),
        }
        subject = ngettext(
            "%(site)s: %(count)d document in your library was updated",
            "%(site)s: %(count)d documents in your library were updated",
            len(lines),
        ) % {"site": settings.WAGTAIL_SITE_NAME, "count": len(lines)}
        text = render_to_string("notifications/email/updates.txt", context)
        html = render_to_string("notifications/email/updates.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[preferences.email],
        headers={
            "Message-ID": delivery.message_id,
            # RFC 8058 one-click unsubscribe: mail clients POST to the link, no login needed.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "Content-Language": preferences.language,
        },
    )
    message.attach_alternative(html, "text/html")
    return message
