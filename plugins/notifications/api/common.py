"""What the notifications plugin's API routes share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from ninja.errors import HttpError

from cms.api.common import SignedInSessionAuth
from cms.api.tokens import PortalBearerTokenAuth

# Signed-in callers only (401 otherwise): settings and webhooks belong to someone. With a
# browser session, writes need the CSRF token (``X-CSRFToken``), as on the site.
SIGNED_IN = [PortalBearerTokenAuth(), SignedInSessionAuth()]


def refuse_invalid(form: forms.BaseForm) -> None:
    """400 naming each field the site's form refused, with the form's own messages."""
    if form.is_valid():
        return
    problems = [
        f"{field}: {' '.join(messages)}" if field != NON_FIELD_ERRORS else " ".join(messages)
        for field, messages in form.errors.items()
    ]
    raise HttpError(400, " ".join(problems))
