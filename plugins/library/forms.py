"""The documents a POST names: ``document=<id>`` repeated, checked before anything is done."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


class BadSelection(ValueError):
    """The request names no document, or something that is no document id (answered 400)."""


def document_ids(request: HttpRequest, limit: int) -> list[int]:
    values = request.POST.getlist("document")
    if not values:
        raise BadSelection(_("Choose at least one document."))
    if len(values) > limit:
        raise BadSelection(_("Choose at most %(limit)d documents at once.") % {"limit": limit})
    try:
        return sorted({int(value) for value in values})
    except ValueError:
        raise BadSelection(_("That is not a document.")) from None


def next_url(request: HttpRequest, default: str) -> str:
    """Where to go back after the action: the page it came from, if it is on this site."""
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
