"""The reader site's Compliance Manager pages. Every object is fetched through the querysets in
``roles`` (another organization's assessment is a 404); every change goes through
``workflow``."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from ..roles import role_of

MAX_ID = 2**63 - 1


def member_required(view):
    """Sign-in first; then an organization account (personal accounts get a 403 saying why);
    a PermissionDenied from below becomes a 403 page naming the missing role."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if any(isinstance(v, int) and v > MAX_ID for v in kwargs.values()):
            # The database cannot even compare such an id: it names nothing.
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if role_of(request.user) is None:
            return render(
                request, "compliance/forbidden.html", {"reason": "organization"}, status=403
            )
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as denied:
            return render(request, "compliance/forbidden.html", {"reason": str(denied)}, status=403)

    return wrapper


def is_object_id(value: str) -> bool:
    """A database id as a form or query parameter: ASCII digits that fit a 64-bit integer
    ("²" is a digit to ``str.isdigit`` and 2**64 overflows the database: both are no id)."""
    return value.isascii() and value.isdigit() and len(value) <= 18
