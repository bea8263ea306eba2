"""The local user for a provider account, found by (issuer, sub) and kept up to date."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from .errors import DISABLED, SignInError
from .membership import email_is_verified, place_in_organization
from .models import OidcIdentity
from .notices import tell_about_membership


def _username(issuer: str, subject: str) -> str:
    # Stable and meaningless: usernames show up in places, e-mail addresses must not leak there.
    digest = hashlib.sha256(f"{issuer}\0{subject}".encode()).hexdigest()
    return f"oidc-{digest[:24]}"


def _profile(claims: dict) -> dict:
    name = str(claims.get("name") or "").strip()
    given = str(claims.get("given_name") or "").strip()
    family = str(claims.get("family_name") or "").strip()
    if not (given or family) and name:
        given, _space, family = name.rpartition(" ") if " " in name else (name, "", "")
    return {
        # An unverified address is not stored: it would be printed on watermarks and shown in
        # the audit log as this person's, and anyone can type anyone's address at a provider.
        "email": str(claims["email"]).strip()[:254] if email_is_verified(claims) else "",
        "first_name": given[:150],
        "last_name": family[:150],
    }


def _identity(issuer: str, subject: str) -> OidcIdentity:
    found = OidcIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject)
    identity = found.first()
    if identity is not None:
        return identity
    username = _username(issuer, subject)
    users = get_user_model().objects
    if users.filter(username=username).exists():
        # An administrator unlinked this identity and kept its user: do not hand that back.
        username = f"{username}-{secrets.token_hex(4)}"
    try:
        with transaction.atomic():
            user = users.create_user(username)  # no password: it signs in at the provider only
            return OidcIdentity.objects.create(issuer=issuer, subject=subject, user=user)
    except IntegrityError:
        # The same account signing in from two tabs at once: the other request created it.
        return found.get()


def user_for_claims(issuer: str, claims: dict, request=None):
    """Sign-in's user: never an existing account with the same e-mail, only this identity's.
    Its membership follows the claims (``membership``); ``request`` is told what changed."""
    with transaction.atomic():
        identity = _identity(issuer, claims["sub"])
        user = identity.user
        if not user.is_active:
            raise SignInError("account-disabled", DISABLED)
        profile = _profile(claims)
        changed = [field for field, value in profile.items() if getattr(user, field) != value]
        for field in changed:
            setattr(user, field, profile[field])
        if changed:
            user.save(update_fields=changed)
        change = place_in_organization(user, claims, request)
        identity.last_login_at = timezone.now()
        identity.save(update_fields=["last_login_at"])
    if change is not None and request is not None:
        tell_about_membership(request, change)
    return user
