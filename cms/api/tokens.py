"""Which bearer token is good: Wagtail's resolution (the digest under the current or a fallback
secret key, not revoked, an active user) and, for a personal token, not expired
(``cms.accounts.PersonalAPIToken``). A token authenticates as its user, so it reads what they
may read.

Every API request presenting a token is resolved here first (``problems.ApiBearerTokenMiddleware``
answers 401 before any router runs, Wagtail's own and the plugins' included), then again by the
core's endpoints (``common.READER_AUTH``).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from wagtail.api.v3.auth import BearerTokenAuth
from wagtail.models import APIToken

from cms.accounts.models import PersonalAPIToken
from cms.database import first_read


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
        self._touch_last_used(api_token)
        return api_token


def _resolve(token: str) -> APIToken | None:
    """The unrevoked, unexpired token whose digest matches, with its user, in one query (the
    personal token's expiry joined and compared here: cheaper to build than an exclusion)."""
    now = timezone.now()
    candidates = APIToken.objects.select_related("user", "personal").filter(
        key_hash__in=APIToken.candidate_key_hashes(token), revoked_at__isnull=True
    )
    for api_token in candidates:
        try:
            expires_at = api_token.personal.expires_at
        except PersonalAPIToken.DoesNotExist:  # staff's tokens do not expire
            return api_token
        if expires_at > now:
            return api_token
    return None
