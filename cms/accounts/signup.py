"""Self-service sign-up with e-mail verification.

The account is created inactive; the link in the e-mail (signed, valid for
``TRUSTPORTAL_SIGN_UP_LINK_HOURS``) activates it and places the user: an address in an
organization's verified domain joins that organization (waiting for approval when the
organization asks for it), any other address gets a personal account.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from cms.models import Membership, Organization

SALT = "trustportal.sign-up"


class VerificationFailed(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def link_lifetime_seconds() -> int:
    return int(getattr(settings, "TRUSTPORTAL_SIGN_UP_LINK_HOURS", 48)) * 3600


def create_pending_account(email: str, full_name: str, password: str):
    User = get_user_model()
    first, _space, last = full_name.strip().partition(" ")
    user = User(
        username=email.lower(), email=email.lower(), first_name=first[:150], last_name=last[:150]
    )
    user.set_password(password)
    user.is_active = False
    user.save()
    return user


def send_verification(user) -> None:
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=SALT)
    # From the configured address, never the request's Host header, which the client chooses:
    # a forged Host would otherwise mail the victim a link to the attacker's site.
    path = reverse("portal:verify_email", kwargs={"token": token})
    url = settings.TRUSTPORTAL_BASE_URL.rstrip("/") + path
    context = {"user": user, "url": url, "hours": link_lifetime_seconds() // 3600}
    body = render_to_string("portal/email/verify_email.txt", context)
    subject = render_to_string("portal/email/verify_email_subject.txt", context).strip()
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def verify(token: str):
    """Activate the account the token names and place it in its organization."""
    try:
        data = signing.loads(token, salt=SALT, max_age=link_lifetime_seconds())
    except signing.SignatureExpired as error:
        raise VerificationFailed("expired") from error
    except signing.BadSignature as error:
        raise VerificationFailed("invalid") from error
    User = get_user_model()
    user = User.objects.select_for_update().filter(pk=data.get("u"), email=data.get("e")).first()
    if user is None:
        raise VerificationFailed("invalid")
    if user.is_active or user.last_login is not None:
        # Used before (or an account an administrator manages): a link works once.
        raise VerificationFailed("used")
    user.is_active = True
    user.save(update_fields=["is_active"])
    organization = Organization.for_email(user.email)
    if organization is not None and not Membership.objects.filter(user=user).exists():
        Membership.objects.create(
            user=user, organization=organization, approved=not organization.requires_approval
        )
    return user
