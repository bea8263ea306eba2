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

Most responses carry no nonce and no policy of their view's (every answer served from the
visitors' cache among them): their header is the same string for the same surface, so it is
built once per process (``PortalCSPMiddleware.process_response``) rather than on every
response; a change of settings (in tests) forgets it.
"""

from dataclasses import asdict
from functools import cache
from urllib.parse import urlsplit

from csp.constants import HEADER, SELF
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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


def surface_setting(path: str) -> str | None:
    """The setting of the directives for a request path, or None for the reader site's
    (django-csp's own)."""
    for prefix, exact, setting in _surfaces():
        if path == prefix or (not exact and path.startswith(prefix)):
            return setting
    return None


def surface_directives(path: str) -> dict | None:
    """The directives for a request path, or None for the reader site's (django-csp's own)."""
    setting = surface_setting(path)
    return None if setting is None else getattr(settings, setting)


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


#: Where a view may have put a policy of its own on its response (django-csp's decorators).
_VIEW_POLICY_ATTRIBUTES = tuple(
    f"_csp_{kind}{suffix}"
    for kind in ("config", "update", "replace", "exempt")
    for suffix in ("", "_ro")
)

#: The header of plain responses (``_plain``), by surface setting (None: the reader site's).
_plain_headers: dict[str | None, str] = {}


class PortalCSPMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if not self._plain(request, response):
            return super().process_response(request, response)
        # What django-csp's own does for such a response, with the header built once.
        surface = surface_setting(request.path)
        header = _plain_headers.get(surface)
        if header is None:
            parts = self.get_policy_parts(request=request, response=response)
            header = _plain_headers[surface] = build_policy(**asdict(parts))
        if header and HEADER not in response:
            response[HEADER] = header
        # As django-csp's: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @staticmethod
    def _plain(request, response) -> bool:
        """A response whose header depends on its surface alone: no nonce, no policy of its
        view's, not a preview, and none of django-csp's settings that we do not use (a
        report-only policy, excluded prefixes, debug pages)."""
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        return (
            getattr(request, "_csp_nonce", None) is None
            and not getattr(request, "is_dummy", False)
            and not any(hasattr(response, name) for name in _VIEW_POLICY_ATTRIBUTES)
            and not settings.DEBUG
            and not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            and not policy.get("EXCLUDE_URL_PREFIXES")
        )

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


@receiver(setting_changed)
def _forget_plain_headers(**kwargs) -> None:
    _plain_headers.clear()
