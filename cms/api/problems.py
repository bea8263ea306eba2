"""The API answers every error as ``application/problem+json`` (RFC 9457) and refuses a bearer
token it cannot honour with a 401 (RFC 6750), whichever router serves the path: the core's, a
plugin's or Wagtail's own.

Errors raised inside an endpoint already become problem details through the exception handlers
Wagtail registers on its API instance (``wagtail.api.v3.errors``: validation, 401/403, 404 and
every Ninja ``HttpError``, ``Throttled``'s 429 included). What never reaches those handlers is
answered around them: Django's 404 for a path no route matches, Ninja's 405 for a method a path
does not take, and the 500 page Django renders for an exception the handlers re-raise (they do
with ``DEBUG`` off, so that Django logs it and sends ``got_request_exception`` as for any view).
``ApiProblemMiddleware`` turns those into problem details whose ``detail`` is generic: nothing
of the exception reaches the caller.

Wagtail's ``BearerTokenAuth`` reads a token it cannot resolve as no token at all: on endpoints
that also admit anonymous readers a revoked token quietly became an anonymous reader (a 200 with
less in it), on endpoints that also take a session a CSRF failure. A client must learn that its
token is no longer good, so ``ApiBearerTokenMiddleware`` answers 401 with ``WWW-Authenticate:
Bearer error="invalid_token"`` to every API request presenting one, before any router runs.
An expired personal token is refused here too (``tokens.PortalBearerTokenAuth``), so no router
ever sees one.
"""

from __future__ import annotations

from http import HTTPStatus

from django.http import HttpResponse
from wagtail.api.v3.errors import PROBLEM_JSON, problem_response
from wagtail.models import APIToken

from cms.access import ratelimit

from .tokens import PortalBearerTokenAuth

#: Every API, whatever its version: an unknown ``/api/v9/`` is a problem+json 404 too.
API_ROOT = "/api/"

#: What the caller is told of an error answered outside the endpoints' handlers.
DETAILS = {
    404: "Nothing in the API is at this address.",
    500: "The server could not answer this request. The error has been logged.",
    # The database cannot be reached (sites.database_outage); the answer has Retry-After.
    503: "The service is temporarily unavailable. Try again after the Retry-After delay.",
}

INVALID_TOKEN_DETAIL = "The bearer token is unknown, revoked, expired, or its user is inactive."
TOO_MANY_BAD_TOKENS_DETAIL = (
    "Too many requests with tokens that are unknown, revoked, expired or of an inactive user "
    "came from this address. Wait, then use a valid token."
)
#: Requests with a bad token per client address (``cms.access.ratelimit``).
BAD_TOKEN_LIMIT = "api_bad_token"
INVALID_TOKEN_CHALLENGE = (
    f'Bearer error="invalid_token", error_description="{INVALID_TOKEN_DETAIL}"'
)


def is_problem(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").partition(";")[0].strip() == PROBLEM_JSON


def _detail(response: HttpResponse) -> str:
    status = response.status_code
    if status == 405 and response.has_header("Allow"):
        return f"This endpoint takes {response['Allow']} only."
    if status in DETAILS:
        return DETAILS[status]
    try:
        return HTTPStatus(status).description
    except ValueError:
        return ""


def as_problem(response: HttpResponse) -> HttpResponse:
    """``response`` with a problem-details body instead of its own, changed in place: status,
    headers (``Allow``, ``Retry-After``, ``Vary``…) and cookies stay, and so do the resources it
    releases when the server closes it (closing it here would end the request early)."""
    body = problem_response(status=response.status_code, detail=_detail(response)).content
    if response.streaming:
        response.streaming_content = [body]
    else:
        response.content = body
    response["Content-Type"] = PROBLEM_JSON
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(body))
    return response


class ApiProblemMiddleware:
    """Errors under ``/api/`` as problem details; place it above every middleware that may
    answer an error (sessions, common, CSRF), so that it sees their answers too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path_info.startswith(API_ROOT)
            and response.status_code >= 400
            and not is_problem(response)
        ):
            return as_problem(response)
        return response


def presented_bearer_token(request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, split as Django Ninja's ``HttpBearer``
    splits it (so both agree on whether a token was sent); ``None`` for any other scheme."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" else None


class ApiBearerTokenMiddleware:
    """401 for an API request whose bearer token does not resolve; place it below
    ``AuthenticationMiddleware`` (a token that resolves sets ``request.user``, as every
    endpoint's authentication would)."""

    def __init__(self, get_response):
        self.get_response = get_response
        # Wagtail's own resolution, the one every endpoint uses (digests under the current and
        # fallback secret keys, revocation, an inactive user), and a personal token's expiry.
        self.auth = PortalBearerTokenAuth()

    def __call__(self, request):
        if request.path_info.startswith(API_ROOT):
            token = presented_bearer_token(request)
            if token is not None and not self._resolves(request, token):
                return self._refused(request)
        return self.get_response(request)

    @staticmethod
    def _refused(request) -> HttpResponse:
        # Bad tokens are counted per client address: they never reach the API's throttles
        # (which count callers, and this one is nobody), and guessing tokens must cost time.
        if ratelimit.exceeded(BAD_TOKEN_LIMIT, f"ip:{ratelimit.client_ip(request)}"):
            _count, window = ratelimit.limit_for(BAD_TOKEN_LIMIT)
            response = problem_response(status=429, detail=TOO_MANY_BAD_TOKENS_DETAIL)
            response["Retry-After"] = str(window)
            return response
        response = problem_response(status=401, detail=INVALID_TOKEN_DETAIL)
        response["WWW-Authenticate"] = INVALID_TOKEN_CHALLENGE
        return response

    def _resolves(self, request, token: str) -> bool:
        # The offline format check (prefix, length, checksum) spares the database a lookup for
        # anything that cannot be a token.
        if not APIToken.validate_token_format(token):
            return False
        # Kept for what answers before the API's own authentication runs (a cached answer,
        # counted against this token's rate: ``sites/visitor_cache.py``).
        request.api_token = self.auth.authenticate(request, token)
        return request.api_token is not None
