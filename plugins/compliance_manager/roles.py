"""Who may do what in Compliance Manager, and the querysets every surface reads through.

Roles rank reader < contributor < assessor < administrator; each includes those below it.
Members without a role are readers, organization administrators are administrators.
Everything of another organization is simply not in the querysets below (a 404, not a 403).

More › Admin (roles, automatic updates, user privacy) is for an organization's administrators,
about their own organization, and for the portal's administrators (superusers, or a group given
``ANY_ORGANIZATION_PERMISSION`` in the Wagtail admin), about any organization.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from cms.models import Membership, organization_of

from .models import ActionItem, Assessment, AssessmentGroup, ComplianceRole, Evidence, Role

RANK = {Role.READER: 1, Role.CONTRIBUTOR: 2, Role.ASSESSOR: 3, Role.ADMINISTRATOR: 4}

#: Whoever holds it manages More › Admin of every organization, member of one or not.
ANY_ORGANIZATION_PERMISSION = "compliance.administer_any_organization"
#: Whoever holds it edits the points table (More › Admin › Action points), as the portal's
#: administrators do; staff groups are given it in Settings › Groups.
POINTS_TABLE_PERMISSION = "compliance.change_actionpoints"


def role_of(user) -> Role | None:
    """The user's role in their organization, or None without an organization account."""
    organization = organization_of(user)
    if organization is None:
        return None
    cached = getattr(user, "_compliance_role", None)
    if cached is not None:
        return cached
    explicit = ComplianceRole.objects.filter(user=user, organization=organization).first()
    if explicit is not None:
        role = Role(explicit.role)
    elif Membership.objects.filter(user=user, role=Membership.Role.ADMIN).exists():
        role = Role.ADMINISTRATOR
    else:
        role = Role.READER
    user._compliance_role = role
    return role


def has_role(user, needed: Role) -> bool:
    role = role_of(user)
    return role is not None and RANK[role] >= RANK[needed]


def require_role(user, needed: Role):
    """The user's organization if they hold ``needed`` (or more); PermissionDenied otherwise."""
    if not has_role(user, needed):
        raise PermissionDenied(f"This needs the Compliance Manager {needed.label} role.")
    return organization_of(user)


def administers_any_organization(user) -> bool:
    return bool(user.is_authenticated and user.has_perm(ANY_ORGANIZATION_PERMISSION))


def edits_points_table(user) -> bool:
    """The points table weighs every organization's actions: the portal's staff edit it (portal
    administrators and groups given ``POINTS_TABLE_PERMISSION``), no organization's members."""
    return bool(
        user.is_authenticated
        and (administers_any_organization(user) or user.has_perm(POINTS_TABLE_PERMISSION))
    )


def administers_an_organization(user) -> bool:
    """Whether More › Admin has something for this user: their own organization's settings or,
    for a portal administrator, any organization's."""
    return has_role(user, Role.ADMINISTRATOR) or administers_any_organization(user)


def visible_groups(user):
    organization = organization_of(user)
    if organization is None:
        return AssessmentGroup.objects.none()
    return AssessmentGroup.objects.filter(organization=organization)


def visible_assessments(user):
    organization = organization_of(user)
    if organization is None:
        return Assessment.objects.none()
    return Assessment.objects.filter(organization=organization)


def visible_action_items(user):
    organization = organization_of(user)
    if organization is None:
        return ActionItem.objects.none()
    return ActionItem.objects.filter(organization=organization)


def visible_evidence(user):
    organization = organization_of(user)
    if organization is None:
        return Evidence.objects.none()
    return Evidence.objects.filter(action_item__organization=organization)


def organization_members(organization):
    """Users an action item may be assigned to: approved members of the organization."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(membership__organization=organization, membership__approved=True)
        .order_by("username")
    )
