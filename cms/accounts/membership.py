"""Which organization a provider account joins when it signs in.

In order: the organization whose ``oidc_claim_value`` equals the organization claim, else the one
whose verified domain matches a *verified* e-mail address, else none (a personal account).
"""

from __future__ import annotations

from django.conf import settings

from cms.models import Membership, Organization


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


def join_organization(user, claims: dict) -> Membership | None:
    """Bring the user's membership in line with what the provider says.

    The provider is the authority on which organization its user belongs to today, so a user
    the claims place elsewhere moves there (waiting for approval again where that organization
    asks for it). Claims that name no organization leave an existing membership alone: an
    administrator may have placed a personal account by hand.
    """
    organization = organization_for_claims(claims)
    membership = Membership.objects.filter(user=user).first()
    if organization is None or (membership and membership.organization_id == organization.pk):
        return membership
    approved = not organization.requires_approval
    if membership is None:
        return Membership.objects.create(user=user, organization=organization, approved=approved)
    membership.organization = organization
    membership.approved = approved
    membership.role = Membership.Role.MEMBER
    membership.save(update_fields=["organization", "approved", "role"])
    return membership
