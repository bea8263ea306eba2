"""Telling assignees about their action items: an e-mail, sent by a background job once the
change is committed (never SMTP inside the request). A bulk change sends each new assignee one
e-mail listing all of their items, however many there are.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workflows.jobs import enqueue


def notify_assigned(item, assignee, url: str) -> None:
    notify_assigned_items(assignee, [(item, url)])


def notify_assigned_items(assignee, items: list[tuple]) -> None:
    """One e-mail to ``assignee`` about ``items``: ``(action item, its URL)`` pairs."""
    if assignee is None or not assignee.email or not items:
        return
    if len(items) == 1:
        item, url = items[0]
        subject = _("Compliance Manager: an action item was assigned to you")
        body = _("%(title)s (%(control)s) is now assigned to you.\n\n%(url)s") % {
            "title": item.title,
            "control": item.control_label,
            "url": url,
        }
    else:
        subject = ngettext(
            "Compliance Manager: %(count)d action item was assigned to you",
            "Compliance Manager: %(count)d action items were assigned to you",
            len(items),
        ) % {"count": len(items)}
        lines = [f"- {item.title} ({item.control_label})\n  {url}".rstrip() for item, url in items]
        body = _("These action items are now assigned to you:") + "\n\n" + "\n".join(lines)
    address = assignee.email
    transaction.on_commit(
        lambda: enqueue(send_assignment_mail, address, subject, body), robust=True
    )


def send_assignment_mail(address: str, subject: str, body: str) -> None:
    """Job body."""
    send_mail(subject, body, None, [address])
