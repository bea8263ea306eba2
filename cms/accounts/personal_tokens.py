"""Personal API tokens: the ones a signed-in user makes for themselves on the reader site.

A token authenticates as its user (``cms.api.tokens``), so it reads what they may read and no
more, and stops working when it expires, is revoked, or its user is deactivated. Wagtail's
``APIToken`` keeps it (its digest only: the plaintext is in the answer to the form that made it,
and nowhere else); ``PersonalAPIToken`` adds its expiry and the form submission that made it.

Limits (settings): ``TRUSTPORTAL_API_TOKENS_PER_USER`` working tokens at once, each made for at
most ``TRUSTPORTAL_API_TOKEN_MAX_DAYS``. A form sent twice (a double click) makes one token: the
submission's id is unique, and the second answer says the token was already made. Making and
revoking a token are recorded in the audit log, in the same transaction: a token whose entry
cannot be written is not made.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from wagtail.models import APIToken

from cms import audit
from cms.once import insert_or_existing

from .models import PersonalAPIToken

#: Audit log actions.
CREATED = audit.Action.API_TOKEN_CREATED
REVOKED = audit.Action.API_TOKEN_REVOKED

#: How long a new token may last, in days, as the form offers it (the setting cuts it short).
LIFETIMES_DAYS = (7, 30, 90, 180, 365)
DEFAULT_LIFETIME_DAYS = 90
NAME_MAX_LENGTH = 100


class TooManyTokens(Exception):
    """The user has as many working tokens as they may have."""


def max_tokens() -> int:
    return settings.TRUSTPORTAL_API_TOKENS_PER_USER


def lifetimes_days() -> list[int]:
    """The lifetimes a new token may be given: those of ``LIFETIMES_DAYS`` within the setting."""
    longest = settings.TRUSTPORTAL_API_TOKEN_MAX_DAYS
    return [days for days in LIFETIMES_DAYS if days <= longest] or [longest]


def working(tokens: QuerySet, now=None) -> QuerySet:
    """Those of ``tokens`` (``APIToken``) that authenticate: not revoked, not expired."""
    now = now or timezone.now()
    return tokens.filter(revoked_at__isnull=True).filter(
        Q(personal__isnull=True) | Q(personal__expires_at__gt=now)
    )


def tokens_of(user) -> QuerySet:
    """The user's tokens that are not revoked (expired ones too, until they revoke them), newest
    first, with their expiry."""
    return (
        APIToken.objects.filter(user=user, revoked_at__isnull=True)
        .select_related("personal")
        .order_by("-created", "-pk")
    )


def new_submission() -> uuid.UUID:
    """The id of a form that makes a token: sent twice, it makes one."""
    return uuid.uuid4()


@dataclass(frozen=True)
class Made:
    token: APIToken
    #: The token to show, once; None when this submission had made it already.
    plaintext: str | None
    expires_at: object


def create(request, *, name: str, days: int, submission: uuid.UUID) -> Made:
    """Make a token for ``request.user`` lasting ``days``, or answer the one ``submission``
    made; ``TooManyTokens`` when they have as many working tokens as they may."""
    if days not in lifetimes_days():
        raise ValueError(f"A token lasts one of {lifetimes_days()} days, not {days}")
    user = request.user
    with transaction.atomic():
        # One creation at a time per user (on SQLite, the IMMEDIATE transaction already is), so
        # that the count below still holds when the row is inserted.
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values("pk"))
        earlier = _made_by(submission, user)
        if earlier is not None:
            return earlier
        if working(APIToken.objects.filter(user=user)).count() >= max_tokens():
            raise TooManyTokens
        expires_at = timezone.now() + timedelta(days=days)

        def insert() -> Made:
            token, plaintext = APIToken.create_token(user=user, name=name)
            PersonalAPIToken.objects.create(
                token=token, expires_at=expires_at, submission=submission
            )
            return Made(token, plaintext, expires_at)

        made, inserted = insert_or_existing(insert, lambda: _made_by(submission, user))
        if inserted:
            audit.record(
                CREATED,
                outcome=audit.Outcome.OK,
                request=request,
                detail=_describe(made.token, expires_at),
            )
        return made


def _made_by(submission: uuid.UUID, user) -> Made | None:
    earlier = (
        PersonalAPIToken.objects.filter(submission=submission, token__user=user)
        .select_related("token")
        .first()
    )
    return None if earlier is None else Made(earlier.token, None, earlier.expires_at)


def revoke(request, token_id: int) -> bool | None:
    """Revoke one of ``request.user``'s tokens: True, or False when it was revoked already;
    None when they have no token of that id."""
    with transaction.atomic():
        token = (
            APIToken.objects.filter(pk=token_id, user=request.user)
            .select_related("personal")
            .first()
        )
        if token is None:
            return None
        # The update is the judge: of two revocations at once, one changes the row.
        changed = APIToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if changed:
            personal = getattr(token, "personal", None)
            audit.record(
                REVOKED,
                outcome=audit.Outcome.OK,
                request=request,
                detail=_describe(token, personal.expires_at if personal else None),
            )
        return bool(changed)


def _describe(token: APIToken, expires_at) -> dict:
    """What the audit log keeps of a token: never the token, only what identifies it."""
    return {
        "token_id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "expires_at": expires_at.isoformat() if expires_at else None,
    }
