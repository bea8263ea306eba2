"""Sign-ins, failed sign-ins and sign-outs, recorded from Django's auth signals.

Every way of signing in (local accounts, OpenID Connect through mozilla-django-oidc, the admin
login) ends in ``django.contrib.auth.login`` / ``logout`` / a failed ``authenticate``, so this
is the one place that sees them all; callers must not record these actions themselves.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.views.debug import SafeExceptionReporterFilter

from .log import record
from .models import Action, Outcome


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def record_sign_in(sender, request, user, **kwargs):
    record(Action.SIGN_IN, outcome=Outcome.OK, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def record_sign_out(sender, request, user, **kwargs):
    if user is not None:  # logging out an anonymous session is nothing to record
        record(Action.SIGN_OUT, outcome=Outcome.OK, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def record_failed_sign_in(sender, credentials, request=None, **kwargs):
    record(
        Action.SIGN_IN_FAILED,
        outcome=Outcome.FAILED,
        request=request,
        detail=_harmless(credentials),
    )


def _harmless(credentials) -> dict:
    """What was tried (the username, or an OpenID Connect error code), without secrets: keys
    Django itself would hide in an error report (password, token, key...) are dropped, not
    masked, and values are cut short."""
    hidden = SafeExceptionReporterFilter.hidden_settings
    return {
        str(key)[:40]: str(value)[:150]
        for key, value in (credentials or {}).items()
        if not hidden.search(str(key))
    }
