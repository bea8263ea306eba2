"""A customer organization with one member per Compliance Manager role and an assessment made
from the built-in LOW baseline (imported once per session by ``seed_demo``)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from cms.models import Membership, Organization
from plugins.compliance_manager.models import ComplianceRole, Role, Template
from plugins.compliance_manager.oscal import BUILTIN_MAPPINGS
from plugins.compliance_manager.oscal.mapping_importing import import_mapping_file
from plugins.compliance_manager.workflow import create_assessment
from tests.helpers import client_for, make_user

ROLE_USERS = ("reader", "contributor", "assessor", "administrator")


@dataclass
class World:
    organization: Organization
    other_organization: Organization
    users: dict
    assessment: object
    other_assessment: object
    low: Template
    privacy: Template

    def client(self, who: str) -> Client:
        return client_for(self.users.get(who))


def low_template() -> Template:
    return Template.objects.get(title__contains="LOW IMPACT BASELINE")


def privacy_template() -> Template:
    return Template.objects.get(title__contains="PRIVACY BASELINE")


@pytest.fixture
def cm(db):
    return build_world()


def build_world() -> World:
    organization = Organization.objects.create(name="CM Customer", slug="cm-customer")
    other = Organization.objects.create(name="CM Other", slug="cm-other")
    users = {"anonymous": None, "personal": make_user("cm-personal")}
    for role in ROLE_USERS:
        user = make_user(f"cm-{role}", email=f"{role}@cm.test")
        Membership.objects.create(user=user, organization=organization)
        ComplianceRole.objects.create(user=user, organization=organization, role=role)
        users[role] = user
    users["other_org"] = make_user("cm-other-admin")
    Membership.objects.create(
        user=users["other_org"], organization=other, role=Membership.Role.ADMIN
    )
    low, privacy = low_template(), privacy_template()
    assessment = create_assessment(
        organization, low, "Our LOW assessment", "Product A", users["contributor"]
    )
    other_assessment = create_assessment(
        other, low, "Their assessment", "Their product", users["other_org"]
    )
    return World(organization, other, users, assessment, other_assessment, low, privacy)


def item_of(assessment, oscal_id: str = "ac-2"):
    return (
        assessment.links.select_related("action_item").get(control__oscal_id=oscal_id).action_item
    )


__all__ = ["Role"]


# --- mappings between frameworks (test_framework_mappings, test_mapping_credit) ---


@pytest.fixture
def privacy_b(cm):
    """A PRIVACY assessment of the same organization, in another group than its LOW one."""
    return create_assessment(cm.organization, cm.privacy, "Privacy review", "Product B", None)


@pytest.fixture
def demo_mapping(db):
    """The shipped LOW ↔ PRIVACY mapping (``seed_demo`` imported it; importing is idempotent)."""
    return import_mapping_file(BUILTIN_MAPPINGS[0]).collection
