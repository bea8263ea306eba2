"""Telling assignees about their action items.

When a notifications plugin is installed and offers ``notify(user, subject, body, url)`` on its
config, it carries the message (so the user's own notification settings apply); otherwise a
plain e-mail goes out. Either way only after the change is committed.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from cms.plugins import registry


def notify_assigned(item, assignee, url: str) -> None:
    if assignee is None:
        return
    subject = _("Compliance Manager: an action item was assigned to you")
    body = _("%(title)s (%(control)s) is now assigned to you.\n\n%(url)s") % {
        "title": item.title,
        "control": item.control_label,
        "url": url,
    }

    def deliver():
        plugin = registry.get_plugin("notifications")
        if plugin is not None and callable(getattr(plugin, "notify", None)):
            plugin.notify(assignee, subject, body, url)
        elif assignee.email:
            send_mail(subject, body, None, [assignee.email], fail_silently=True)

    transaction.on_commit(deliver)
