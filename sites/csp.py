"""A Content-Security-Policy on every response, chosen by what the response is.

django-csp's middleware writes one policy, ``CONTENT_SECURITY_POLICY``: the reader site's, with
no ``'unsafe-inline'`` script (an inline script must carry ``request.csp_nonce``). Three surfaces
need another one, chosen here by path because their views are not ours to decorate:

- the API (``TRUSTPORTAL_CSP_API``): JSON is never a document, so nothing may load at all;
- its interactive docs (``TRUSTPORTAL_CSP_API_DOCS``): Swagger UI from our own static files;
- Wagtail's admin (``TRUSTPORTAL_CSP_ADMIN``): its widgets still write inline scripts and style
  attributes, and its preview panel frames the admin's own pages.

A view that sets its own header keeps it: protected files go out with ``default-src 'none'``
(``cms.delivery.serving.protect``), stricter than any of these.
"""

from functools import cache
from urllib.parse import urlsplit

from csp.constants import SELF
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.urls import reverse


@cache
def _surfaces() -> tuple[tuple[str, bool, str], ...]:
    """(path, exact, setting) per surface, most specific first; reversed once, on first use
    (the URL configuration is not loaded yet when the middleware is built)."""
    return (
        (reverse("wagtailapi_v3:openapi-view"), True, "TRUSTPORTAL_CSP_API_DOCS"),
        (reverse("wagtailapi_v3:api-root"), False, "TRUSTPORTAL_CSP_API"),
        (reverse("wagtailadmin_home"), False, "TRUSTPORTAL_CSP_ADMIN"),
    )


def surface_directives(path: str) -> dict | None:
    """The directives for a request path, or None for the reader site's (django-csp's own)."""
    for prefix, exact, setting in _surfaces():
        if path == prefix or (not exact and path.startswith(prefix)):
            return getattr(settings, setting)
    return None


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


class PortalCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        # A view's own policy (django-csp's csp_replace/csp_update decorators) wins.
        if report_only or parts.config is not None:
            return parts
        # request.path, not path_info: the reversed prefixes include the script prefix.
        if (directives := surface_directives(request.path)) is not None:
            parts.config = directives
            return parts
        if getattr(request, "is_dummy", False):
            # A preview: Wagtail renders the page through the middleware as a reader would see
            # it (so under the reader's policy), for the admin's preview panel to frame.
            parts.replace = {**(parts.replace or {}), "frame-ancestors": [SELF]}
            return parts
        # Signing out of an OpenID Connect session posts to us and is redirected to the
        # provider's end_session_endpoint; browsers hold a redirect after a form post to
        # form-action, so the provider's origin is allowed too. Read per request, as settings
        # switch OpenID Connect on (in tests too).
        logout_origin = _origin(getattr(settings, "OIDC_OP_LOGOUT_ENDPOINT", ""))
        if settings.TRUSTPORTAL_OIDC_ENABLED and logout_origin:
            update = dict(parts.update or {})
            update["form-action"] = [*update.get("form-action", ()), logout_origin]
            parts.update = update
        return parts
