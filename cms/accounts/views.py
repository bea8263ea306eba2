"""mozilla-django-oidc's views, switched off unless OIDC is configured and made to explain.

The URLs are always mounted (URL patterns are fixed at import time), so each view answers 404
while ``TRUSTPORTAL_OIDC_ENABLED`` is false; settings alone turn sign-in on, in tests too.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import Http404
from django.shortcuts import render, resolve_url
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)

from .errors import REFUSED, STALE, UNTRUSTED, SignInError

logger = logging.getLogger(__name__)
PROVIDER_ERROR = re.compile(r"^[a-z_]{1,40}$")


class OidcEnabledMixin:
    def dispatch(self, request, *args, **kwargs):
        if not settings.TRUSTPORTAL_OIDC_ENABLED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def sign_in_failed(request, error: SignInError):
    """The page for a refused sign-in; never a bare 400/500, always what to do next."""
    logger.warning("OpenID Connect sign-in refused: %s", error.logged_reason)
    # The audit log records failed sign-ins from this signal, as for local accounts.
    user_login_failed.send(
        sender=__name__, credentials={"oidc": error.logged_reason}, request=request
    )
    context = {"kind": error.kind, "reason": error.reason}
    return render(request, "accounts/sign_in_failed.html", context, status=error.status)


# Neither leg is rate limited: the provider checks the credentials (and locks out guessers
# itself); the start only redirects there, and refusing a callback would throw away a sign-in
# the provider already made. A whole office behind one address signs in as often as it likes.


class AuthenticateView(OidcEnabledMixin, OIDCAuthenticationRequestView):
    pass


class CallbackView(OidcEnabledMixin, OIDCAuthenticationCallbackView):
    def get(self, request):
        problem = self.answer_problem(request)
        if problem is not None:
            return sign_in_failed(request, problem)
        try:
            return super().get(request)
        except SignInError as error:
            return sign_in_failed(request, error)

    @staticmethod
    def answer_problem(request) -> SignInError | None:
        if "code" not in request.GET and "error" not in request.GET:
            return None  # not an answer at all: the library turns it into a failed sign-in
        # For a code the library raises SuspiciousOperation here (Django's blank 400); for an
        # error it signs the user out, so a link from anywhere could do that. Either way the
        # answer was already used, or belongs to a sign-in this browser session never started.
        if request.GET.get("state") not in request.session.get("oidc_states", {}):
            return SignInError("state-unknown", STALE)
        # RFC 9207: an answer that names another issuer comes from a mix-up attack.
        issuer = request.GET.get("iss")
        if issuer is not None and issuer != settings.OIDC_OP_ISSUER:
            return SignInError("issuer-mismatch", UNTRUSTED)
        return None

    def login_failure(self):
        error = self.request.GET.get("error", "")
        if error:
            reason = f"provider-{error}" if PROVIDER_ERROR.match(error) else "provider-error"
            return sign_in_failed(self.request, SignInError(reason, REFUSED))
        return sign_in_failed(self.request, SignInError("sign-in-incomplete", STALE))


def _after_logout() -> str:
    return resolve_url(settings.LOGOUT_REDIRECT_URL or "/")


class LogoutView(OidcEnabledMixin, OIDCLogoutView):
    """POST only (GET answers 405); the CSRF token keeps other sites from signing users out."""

    @property
    def redirect_url(self):
        return _after_logout()


def provider_logout_url(request) -> str:
    """``OIDC_OP_LOGOUT_URL_METHOD``: end the provider's session too (RP-initiated logout 1.0).

    Only where the provider advertises an ``end_session_endpoint`` and this session signed in
    there (its ID token is the hint the provider wants); local accounts just sign out here.
    """
    endpoint = getattr(settings, "OIDC_OP_LOGOUT_ENDPOINT", "")
    id_token = request.session.get("oidc_id_token")
    if not (endpoint and id_token):
        return _after_logout()
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(_after_logout()),
        }
    )
    return f"{endpoint}?{query}"
