"""Which bearer token is good: Wagtail's resolution (the digest under the current or a fallback
secret key, not revoked, an active user) and, for a personal token, not expired
(``cms.accounts.PersonalAPIToken``). A token authenticates as its user, so it reads what they
may read.

Every API request presenting a token is resolved here first (``problems.ApiBearerTokenMiddleware``
answers 401 before any router runs, Wagtail's own and the plugins' included), then again by the
core's endpoints (``common.READER_AUTH``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone
from wagtail.api.v3.auth import BearerTokenAuth
from wagtail.models import APIToken

from cms.access.profile import remember_stamp
from cms.accounts.models import PersonalAPIToken
from cms.database import ModelColumns, carried_reads, first_read
from cms.models import EntitlementStamp


class PortalBearerTokenAuth(BearerTokenAuth):
    """Wagtail's ``BearerTokenAuth`` that also refuses an expired personal token (and does not
    count a refused request as the token's last use)."""

    def authenticate(self, request, token: str):
        # The first query of a member's API request: it stands in for the connection's health
        # check (cms.database).
        api_token = first_read(lambda: _resolve(token))
        user = api_token.user if api_token is not None else None
        # As Wagtail's: a token that does not resolve leaves no session user behind it either.
        if not (user and user.is_active):
            request.user = AnonymousUser()
            return None
        request.user = user
        request.carried_reads = api_token.carried_reads
        self._touch_last_used(api_token)
        return api_token


def _resolve(token: str) -> APIToken | None:
    """The unrevoked, unexpired token whose digest matches, with its user, in one query: by
    hand, as the queryset cost five times the round trip to build (a member's API request
    makes this read first, on every request). A personal token's expiry is compared here.
    The query also reads the entitlement stamp, which the request's profile asks next, and
    the values the layers above carry along (``cms.database.carry_along``)."""
    hashes = APIToken.candidate_key_hashes(token)
    columns = _token_columns()
    carried, carried_sql = carried_reads()
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(len(hashes), carried_sql), hashes)
        rows = cursor.fetchall()
    now = timezone.now()
    for row in rows:
        token_values, user_values, personal_values, stamp, along = columns.split(row)
        api_token = columns.token.instance(token_values)
        api_token.user = columns.user.instance(user_values)
        api_token.carried_reads = dict(zip(carried, along, strict=True))
        # The entitlement stamp, read in the same round trip, for this request's profile.
        remember_stamp(api_token.user, stamp)
        if all(value is None for value in personal_values):  # a staff token: it does not expire
            return api_token
        api_token.personal = columns.personal.instance(personal_values)
        if api_token.personal.expires_at > now:
            return api_token
    return None


@dataclass(frozen=True)
class _TokenColumns:
    token: ModelColumns
    user: ModelColumns
    personal: ModelColumns

    def split(self, row: tuple) -> tuple[tuple, tuple, tuple, int, tuple]:
        """A row's values of the token, of its user, of its personal token (all None when it
        has none), the entitlement stamp and the values read along (``cms.database``)."""
        users_from = len(self.token)
        personal_from = users_from + len(self.user)
        stamp_at = personal_from + len(self.personal)
        return (
            row[:users_from],
            row[users_from:personal_from],
            row[personal_from:stamp_at],
            row[stamp_at],
            row[stamp_at + 1 :],
        )


@cache
def _token_columns() -> _TokenColumns:
    return _TokenColumns(
        token=ModelColumns(APIToken, "t"),
        user=ModelColumns(get_user_model(), "u"),
        personal=ModelColumns(PersonalAPIToken, "p"),
    )


@cache
def _token_sql(digests: int, carried_sql: str) -> str:
    """The token lookup for ``digests`` candidate digests (one per current secret key), with
    the entitlement stamp and the ``carried_sql`` columns."""
    columns = _token_columns()
    quote = connection.ops.quote_name

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    user_model = get_user_model()
    placeholders = ", ".join(["%s"] * digests)
    return (
        f"SELECT {columns.token.sql}, {columns.user.sql}, {columns.personal.sql}, "
        f"({EntitlementStamp.current_sql()}){', ' if carried_sql else ''}{carried_sql} "
        f"FROM {quote(APIToken._meta.db_table)} t "
        f"INNER JOIN {quote(user_model._meta.db_table)} u "
        f"ON u.{quote(user_model._meta.pk.column)} = t.{column(APIToken, 'user')} "
        f"LEFT OUTER JOIN {quote(PersonalAPIToken._meta.db_table)} p "
        f"ON p.{column(PersonalAPIToken, 'token')} = t.{quote(APIToken._meta.pk.column)} "
        f"WHERE t.{column(APIToken, 'key_hash')} IN ({placeholders}) "
        f"AND t.{column(APIToken, 'revoked_at')} IS NULL"
    )
