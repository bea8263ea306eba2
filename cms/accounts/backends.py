"""The portal's authentication backends: passwords (Django's), and mozilla-django-oidc's code
flow with its checks tightened and its user matching replaced.

The OpenID Connect library runs the flow (token request with the PKCE verifier, userinfo); its
backend here verifies the ID token itself (``tokens``), finds users by (issuer, sub) instead of
by e-mail (``identities``), and turns every failure into a ``SignInError`` the callback view
explains.

Both read a signed-in member's user, on every request of theirs, by hand-written SQL
(``user_by_pk``): the ORM's queryset for it cost several times the round trip.
"""

from __future__ import annotations

import logging
from functools import cache

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import DataError, connection
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from cms.database import ModelColumns, fetch_row

from .errors import REFUSED, UNAVAILABLE, UNTRUSTED, SignInError
from .identities import user_for_claims
from .tokens import verify_id_token

logger = logging.getLogger(__name__)


def user_by_pk(user_id):
    """The user whose primary key is ``user_id``, as ``objects.get(pk=...)`` makes it, or None."""
    columns, sql = _user_read()
    try:
        pk = get_user_model()._meta.pk.to_python(user_id)
        row = fetch_row(sql, (pk,))
    # A session naming no valid key names nobody: not a number, or beyond the column's range.
    except (ValidationError, OverflowError, DataError):
        return None
    return columns.instance(row) if row is not None else None


@cache
def _user_read() -> tuple[ModelColumns, str]:
    model = get_user_model()
    columns = ModelColumns(model, "u")
    quote = connection.ops.quote_name
    return columns, (
        f"SELECT {columns.sql} FROM {quote(model._meta.db_table)} u "  # noqa: S608 - our table
        f"WHERE u.{quote(model._meta.pk.column)} = %s"
    )


class PasswordBackend(ModelBackend):
    """Django's ``ModelBackend``, reading a session's user by ``user_by_pk``."""

    def get_user(self, user_id):
        user = user_by_pk(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class OIDCBackend(OIDCAuthenticationBackend):
    def get_user(self, user_id):
        return user_by_pk(user_id)

    def authenticate(self, request, **kwargs):
        # Only the callback view passes the nonce it stored; any other authenticate() call (the
        # local login form with ?code=...&state=... in its URL) must not start a code exchange.
        if request is None or not kwargs.get("nonce"):
            return None
        return super().authenticate(request, **kwargs)

    def http_options(self) -> dict:
        return {
            "timeout": self.get_settings("OIDC_TIMEOUT", None),
            "verify": self.get_settings("OIDC_VERIFY_SSL", True),
            "proxies": self.get_settings("OIDC_PROXY", None),
        }

    def get_token(self, payload):
        try:
            token_info = super().get_token(payload)
        except requests.HTTPError as error:
            if _oauth_error(error.response) == "invalid_client":
                # This portal's client id or secret is wrong (or was rotated at the provider):
                # every sign-in fails until an operator fixes the settings, so say so loudly,
                # and only to them. The reader sees what a refused code shows.
                logger.error(
                    "The identity provider's token endpoint refused this portal's client "
                    "credentials (invalid_client): check OIDC_RP_CLIENT_ID and "
                    "OIDC_RP_CLIENT_SECRET against the client registered at the provider."
                )
                raise SignInError("code-refused", REFUSED, "client-refused") from error
            # invalid_grant: the code was already used, has expired, or its PKCE verifier is not
            # the one this browser holds.
            raise SignInError("code-refused", REFUSED) from error
        except requests.RequestException as error:
            raise SignInError("provider-unavailable", UNAVAILABLE) from error
        if not isinstance(token_info, dict):
            raise SignInError("token-response", UNTRUSTED)
        return token_info

    def verify_token(self, token, **kwargs):
        return verify_id_token(
            token,
            jwks_url=self.OIDC_OP_JWKS_ENDPOINT,
            issuer=settings.OIDC_OP_ISSUER,
            client_id=self.OIDC_RP_CLIENT_ID,
            nonce=kwargs.get("nonce"),
            algorithm=self.OIDC_RP_SIGN_ALGO,
            http=self.http_options(),
        )

    def get_userinfo(self, access_token, id_token, payload):
        try:
            response = requests.get(
                self.OIDC_OP_USER_ENDPOINT,
                headers={"Authorization": f"Bearer {access_token}"},
                **self.http_options(),
            )
            response.raise_for_status()
            userinfo = response.json()
        except (requests.RequestException, ValueError) as error:
            raise SignInError("userinfo-unavailable", UNAVAILABLE) from error
        # OpenID Connect Core 5.3.2: userinfo about another subject must not be used.
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload["sub"]:
            raise SignInError("userinfo-subject", UNTRUSTED)
        return userinfo

    def get_or_create_user(self, access_token, id_token, payload):
        claims = {**self.get_userinfo(access_token, id_token, payload), "sub": payload["sub"]}
        return user_for_claims(payload["iss"], claims, self.request)


def _oauth_error(response) -> str:
    """The ``error`` code of an OAuth 2.0 error response (RFC 6749 5.2), or ""."""
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) else ""
