"""Refuse to start with a half-configured provider instead of failing at the first sign-in."""

from django.conf import settings
from django.core import checks

REQUIRED = (
    "OIDC_OP_ISSUER",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_RP_CLIENT_SECRET",
)


def check_oidc_settings(app_configs=None, **kwargs):
    if not getattr(settings, "TRUSTPORTAL_OIDC_ENABLED", False):
        return []
    errors = [
        checks.Error(f"OpenID Connect is enabled but {name} is empty.", id="accounts.E001")
        for name in REQUIRED
        if not getattr(settings, name, "")
    ]
    if getattr(settings, "OIDC_RP_SIGN_ALGO", "") != "RS256":
        errors.append(checks.Error("OIDC_RP_SIGN_ALGO must be RS256.", id="accounts.E002"))
    return errors
