"""HTTP caching of the headless API's reads: an ETag on every successful GET/HEAD under
``/api/v3/``, ``304 Not Modified`` for a matching ``If-None-Match``, and headers saying the
answer depends on who asks (``Vary: Authorization, Cookie, Accept-Language``,
``Cache-Control: private``).

Django's own ``ConditionalGetMiddleware`` computes an ETag from the body of every GET response
that is not ``no-store`` (there is no ``USE_ETAGS`` setting any more), but on its own it would
act on the whole site, answers nothing for HEAD (Django Ninja's routes allow GET only, so HEAD
is a 405) and says nothing about who may cache the answer. This middleware restricts it to the
API, serves HEAD as the GET it mirrors, and marks the answer private and varying by caller.

CORS is django-cors-headers' job (``CorsMiddleware`` above this one in ``MIDDLEWARE``).
"""

from __future__ import annotations

from django.middleware.http import ConditionalGetMiddleware
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)

API_PREFIX = "/api/v3/"
#: The same URL answers differently per token, per session and per language.
VARY = ("Authorization", "Cookie", "Accept-Language")


class ApiConditionalGetMiddleware(ConditionalGetMiddleware):
    """ETags and conditional GET/HEAD for ``/api/v3/`` only; place it high in ``MIDDLEWARE``
    (below CORS, above the session middleware) so the ETag is computed over the final body."""

    # ``__call__`` below is synchronous; Django adapts it under ASGI.
    async_capable = False

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        head = request.method == "HEAD"
        if head:
            # The API declares GET only; HEAD is that GET without its body (RFC 9110 9.3.2).
            request.method = "GET"
        try:
            response = self.get_response(request)
            response = self.process_response(request, response)
        finally:
            if head:
                request.method = "HEAD"
        if head and not response.streaming:
            # Keep Content-Length (set below us by CommonMiddleware) as the GET's length.
            length = response.get("Content-Length")
            response.content = b""
            if length is not None:
                response["Content-Length"] = length
        return response

    def process_response(self, request, response):
        patch_vary_headers(response, VARY)
        if request.method != "GET":
            return response
        patch_cache_control(response, private=True)
        if response.status_code != 200 or not self.needs_etag(response) or response.streaming:
            return response
        if not response.has_header("ETag"):
            set_response_etag(response)
        return get_conditional_response(request, etag=response["ETag"], response=response)
