"""Building one notification e-mail, in the recipient's language, under the access policy.

Access is decided here, when the e-mail is built, not when the update was recorded: a reader
who lost access in between is told nothing about that document, not even its title.
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

from cms.i18n import Localizer
from cms.listing import source_documents

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


def visible_updates(user, updates: list[PendingUpdate]) -> list[PendingUpdate]:
    """The updates whose document ``user`` may see now and whose version is still live."""
    visible = set(
        source_documents(user)
        .filter(pk__in={u.document_id for u in updates})
        .values_list("pk", flat=True)
    )
    return [
        u for u in updates if u.document_id in visible and (u.version is None or u.version.live)
    ]


def lines_for(updates: list[PendingUpdate]) -> list[UpdateLine]:
    """One line per document (its newest update), in the active language."""
    newest: dict[int, PendingUpdate] = {}
    for update in sorted(updates, key=lambda u: u.created_at):
        newest[update.document_id] = update
    chosen = list(newest.values())
    localize = Localizer([u.document for u in chosen] + [u.version for u in chosen if u.version])
    lines = []
    for update in chosen:
        document = localize(update.document)
        version = localize(update.version) if update.version else None
        lines.append(
            UpdateLine(
                title=document.title,
                url=absolute(update.document.get_url()),
                version=version.version_label if version else "",
                description=version.change_description if version else "",
            )
        )
    return sorted(lines, key=lambda line: line.title.lower())


def build_message(
    delivery: EmailDelivery, preferences: NotificationSettings, updates: list[PendingUpdate]
) -> EmailMultiAlternatives | None:
    """The e-mail of ``delivery``, or None when nothing in it may be told to the recipient."""
    user = delivery.user
    allowed = visible_updates(user, updates)
    if not allowed:
        return None
    with translation.override(preferences.language):
        lines = lines_for(allowed)
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
