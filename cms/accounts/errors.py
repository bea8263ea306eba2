"""Why a sign-in through the identity provider was refused, in words a person can act on."""

from __future__ import annotations

# Kinds decide the page's explanation and status; the reason is a short code for the logs,
# the audit trail and the tests ("token-expired", "state-unknown", ...).
STALE = "stale"  # the answer does not belong to a sign-in started in this browser (any more)
REFUSED = "refused"  # the provider refused to complete the sign-in
UNTRUSTED = "untrusted"  # the provider's answer failed verification
DISABLED = "disabled"  # the account exists but may not sign in
UNAVAILABLE = "unavailable"  # the provider could not be reached

STATUS = {STALE: 400, REFUSED: 403, UNTRUSTED: 400, DISABLED: 403, UNAVAILABLE: 502}


class SignInError(Exception):
    """Raised by the backend and turned into an explanatory page by the callback view.

    Deliberately not a ``SuspiciousOperation``: mozilla-django-oidc swallows those into a bare
    failure, and Django would answer them with a generic 400 that explains nothing.
    """

    def __init__(self, reason: str, kind: str, logged_reason: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        #: What the log and the audit trail say, where it must differ from what the reader is
        #: shown: a fault of the portal's own configuration is the operators' business.
        self.logged_reason = logged_reason or reason

    @property
    def status(self) -> int:
        return STATUS[self.kind]
