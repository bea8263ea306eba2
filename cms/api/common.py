"""What every core endpoint shares: who may call (token, session or nobody), strict query
parameters, and paginated answers with a total count."""

from __future__ import annotations

from ninja import Schema
from ninja.errors import HttpError
from ninja.security import SessionAuth
from wagtail.api.v3.auth import AllowAnonymous, BearerTokenAuth

MAX_LIMIT = 100

# A bearer token first, then the browser session, else an anonymous reader.
READER_AUTH = [BearerTokenAuth(), SessionAuth(), AllowAnonymous()]


def reject_unknown_parameters(request, allowed: set[str]) -> None:
    """Answer 400 naming the parameters this endpoint does not know, instead of ignoring them."""
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise HttpError(
            400,
            f"Unknown query parameter(s): {', '.join(unknown)}. Allowed: {', '.join(sorted(allowed))}.",
        )


def page_bounds(request) -> tuple[int, int]:
    def number(name, default, lowest, highest):
        raw = request.GET.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise HttpError(400, f"{name} must be a whole number.") from None
        if not lowest <= value <= highest:
            raise HttpError(400, f"{name} must be between {lowest} and {highest}.")
        return value

    return number("limit", 20, 1, MAX_LIMIT), number("offset", 0, 0, 10**9)


class TermSchema(Schema):
    slug: str
    name: str


def activate_locale(request) -> None:
    """``?locale=de`` answers in German; unknown languages are a 400, not a silent fallback."""
    from django.conf import settings
    from django.utils import translation

    code = request.GET.get("locale")
    if code is None:
        return
    if code not in dict(settings.LANGUAGES):
        raise HttpError(
            400, f"Unknown locale {code!r}. Available: {', '.join(dict(settings.LANGUAGES))}."
        )
    translation.activate(code)
