"""What every core endpoint shares: who may call (token, session or nobody), strict query
parameters, and paginated answers with a total count."""

from __future__ import annotations

from typing import Annotated

from django.conf import settings
from django.utils import translation
from ninja import Path, Schema
from ninja.errors import HttpError
from ninja.security import SessionAuth
from pydantic import BaseModel, Field
from wagtail.api.v3.auth import AllowAnonymous

from cms.converters import MAX_ID

from .tokens import PortalBearerTokenAuth

MAX_LIMIT = 100
#: The furthest a list may be paged: beyond any real list, short of an overflow in the database.
MAX_OFFSET = 1_000_000


class PageQuery(Schema):
    """``?limit=&offset=`` of a paginated list (a plugin's too), bounded in the OpenAPI schema
    so that an extreme value is a 422 naming the parameter, never a slow or failing query."""

    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


#: A row's id in a request body. A number no column holds is a 422 naming the field, like any
#: other invalid value, instead of an overflow in the database (a 500).
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]

#: A row's id in a path, for routes declared as ``{id:name}``: the ``id`` converter
#: (``cms.converters``) already answers 404 for what no column holds; the bounds here put the
#: same range in the OpenAPI schema.
PathId = Path(..., ge=1, le=MAX_ID)


class SignedInSessionAuth(SessionAuth):
    """Ninja's session authentication, CSRF token included, for a signed-in session; a caller
    without one is simply not authenticated (there is no session to forge), so an anonymous
    POST gets the policy's answer rather than a CSRF failure."""

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


# A bearer token first, then the browser session, else an anonymous reader.
READER_AUTH = [PortalBearerTokenAuth(), SignedInSessionAuth(), AllowAnonymous()]


def reject_unknown_parameters(request, allowed: set[str]) -> None:
    """Answer 400 naming the parameters this endpoint does not know, instead of ignoring them."""
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise HttpError(
            400,
            f"Unknown query parameter(s): {', '.join(unknown)}. "
            f"Allowed: {', '.join(sorted(allowed))}.",
        )


class Answer(BaseModel):
    """A response body built from plain values. Pydantic's own validation, without the ORM
    getter ninja's ``Schema`` wraps around every nested object (a page of 50 documents holds
    hundreds of them)."""


class TermSchema(Answer):
    slug: str
    name: str


def activate_locale(request) -> None:
    """``?locale=de`` answers in German; unknown languages are a 400, not a silent fallback."""
    code = request.GET.get("locale")
    if code is None:
        return
    if code not in dict(settings.LANGUAGES):
        raise HttpError(
            400, f"Unknown locale {code!r}. Available: {', '.join(dict(settings.LANGUAGES))}."
        )
    translation.activate(code)
