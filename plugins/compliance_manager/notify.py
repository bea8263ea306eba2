"""Telling assignees about their action items: an e-mail, sent by a background job once the
change is committed (never SMTP inside the request, once per item of a bulk assignment).
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from workflows.jobs import enqueue


def notify_assigned(item, assignee, url: str) -> None:
    if assignee is None:
        return
    subject = _("Compliance Manager: an action item was assigned to you")
    body = _("%(title)s (%(control)s) is now assigned to you.\n\n%(url)s") % {
        "title": item.title,
        "control": item.control_label,
        "url": url,
    }

    if assignee.email:
        transaction.on_commit(
            lambda: enqueue(send_assignment_mail, assignee.email, subject, body), robust=True
        )


def send_assignment_mail(address: str, subject: str, body: str) -> None:
    """Job body."""
    send_mail(subject, body, None, [address])
