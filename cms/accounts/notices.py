"""What a signed-in user is told when their sign-in changed the organization they belong to."""

from __future__ import annotations

from django.contrib import messages
from django.utils.translation import gettext as _

from .membership import ENDED, MOVED, MembershipChange


def tell_about_membership(request, change: MembershipChange) -> None:
    if change.action == ENDED:
        messages.warning(
            request,
            _(
                "Your identity provider no longer names %(organization)s as your organization, "
                "so you are now signed in with a personal account: documents shared with "
                "%(organization)s are no longer open to you. If this is wrong, ask your "
                "administrator."
            )
            % {"organization": change.before.name},
        )
    elif change.action == MOVED:
        messages.warning(
            request,
            _(
                "Your identity provider now names %(after)s as your organization instead of "
                "%(before)s: documents shared with %(before)s are no longer open to you."
            )
            % {"after": change.after.name, "before": change.before.name},
        )
    if change.after is not None and not change.approved:
        messages.info(
            request,
            _(
                "Your membership of %(organization)s waits for its administrator's approval; "
                "until then you have a personal account."
            )
            % {"organization": change.after.name},
        )
