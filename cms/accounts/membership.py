"""Which organization a provider account belongs to, re-decided at each of its sign-ins.

In order: the organization whose ``oidc_claim_value`` equals the organization claim, else the one
whose verified domain matches a *verified* e-mail address, else none (a personal account).

The provider is the authority on where its user works today: a user it places elsewhere moves
there, and one it no longer places in an organization loses that membership, and with it the
organization's NDA and entitlements (an e-mail moved to another domain, a claim removed). Only a
membership an administrator keeps by hand (``Membership.pinned``) is left as it is. Every change
is audited, and the user is told on the page they land on.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from cms.audit.log import record
from cms.audit.models import Action, Outcome
from cms.models import Membership, Organization

#: Audit actions of the changes a sign-in makes.
JOINED = Action.MEMBERSHIP_JOINED
MOVED = Action.MEMBERSHIP_MOVED
ENDED = Action.MEMBERSHIP_ENDED


def email_is_verified(claims: dict) -> bool:
    # Some providers (AWS Cognito among them) send the boolean as the string "true".
    return bool(claims.get("email")) and claims.get("email_verified") in (True, "true")


def organization_for_claims(claims: dict) -> Organization | None:
    claim = getattr(settings, "TRUSTPORTAL_OIDC_ORGANIZATION_CLAIM", "org")
    value = claims.get(claim)
    # A non-empty string only: an empty claim must not match organizations that have none set.
    if isinstance(value, str) and value.strip():
        organization = Organization.objects.filter(oidc_claim_value=value.strip()).first()
        if organization is not None:
            return organization
    if email_is_verified(claims):
        return Organization.for_email(claims["email"])
    return None


@dataclass(frozen=True)
class MembershipChange:
    """What a sign-in changed: ``action`` (one of the audit actions above), the organization
    left (``before``) and the one joined (``after``), either None, and whether the new
    membership is ``approved`` (or waits for the organization's administrator)."""

    action: str
    before: Organization | None
    after: Organization | None
    approved: bool = False


def place_in_organization(user, claims: dict, request=None) -> MembershipChange | None:
    """Bring ``user``'s membership in line with the provider's ``claims``; the change made, if
    any (recorded in the audit log). Call inside a transaction: the membership row is locked so
    that two sign-ins at once decide one after the other."""
    membership = Membership.objects.select_for_update().filter(user=user).first()
    if membership is not None and membership.pinned:
        return None
    organization = organization_for_claims(claims)
    before = membership.organization if membership is not None else None
    if before == organization:
        return None
    if organization is None:
        membership.delete()
        change = MembershipChange(ENDED, before, None)
    elif membership is None:
        if not _create_membership(user, organization):
            return None  # the same account signing in twice at once: the other request joined
        change = MembershipChange(JOINED, None, organization, not organization.requires_approval)
    else:
        membership.organization = organization
        # A new organization decides again whether its new member needs approval, and which
        # role they have there.
        membership.approved = not organization.requires_approval
        membership.role = Membership.Role.MEMBER
        membership.save(update_fields=["organization", "approved", "role"])
        change = MembershipChange(MOVED, before, organization, membership.approved)
    record(
        change.action,
        outcome=Outcome.OK,
        request=request,
        user=user,
        detail={
            "from": before.name if before else "",
            "to": organization.name if organization else "",
            "by": "identity provider",
            "approved": change.approved,
        },
    )
    return change


def _create_membership(user, organization: Organization) -> bool:
    try:
        with transaction.atomic():
            Membership.objects.create(
                user=user, organization=organization, approved=not organization.requires_approval
            )
    except IntegrityError:
        return False
    return True
