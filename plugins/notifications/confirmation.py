"""Confirming a notification address: a signed, expiring link sent to that address."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .composing import absolute

CONFIRM_SALT = "notifications.confirm-address"
CONFIRM_MAX_AGE = 3 * 24 * 3600


def confirmation_token(user_id: int, email: str) -> str:
    return signing.dumps({"u": user_id, "e": email}, salt=CONFIRM_SALT, compress=True)


def read_confirmation_token(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    return data.get("u"), data.get("e")


def send_confirmation(user, email: str, language: str) -> None:
    with translation.override(language):
        url = absolute(reverse("notifications:confirm", args=[confirmation_token(user.pk, email)]))
        subject = _("%(site)s: confirm where to send your notifications") % {
            "site": settings.WAGTAIL_SITE_NAME
        }
        body = render_to_string(
            "notifications/email/confirm.txt", {"url": url, "user": user, "email": email}
        )
    send_mail(subject, body, None, [email])
