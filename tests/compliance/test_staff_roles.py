"""The Wagtail admin's Compliance Manager roles, in its Organizations menu beside Organizations and
Members: the plugin adds the screen through the menu's registration point, the core names no
plugin."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cms.accounts.admin_menu import ORGANIZATIONS_MENU_HOOK
from cms.models import Membership
from plugins.compliance_manager.models import ComplianceRole
from plugins.compliance_manager.roles import role_of
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

LISTING = "/admin/compliance-roles/"


@pytest.fixture
def admin_client(demo_users):
    client = Client(raise_request_exception=False)
    client.force_login(demo_users["admin"])
    return client


def test_the_screen_sits_in_the_organizations_menu(admin_client):
    from wagtail import hooks

    # Registered through the core's hook, not the main menu's.
    entries = [fn() for fn in hooks.get_hooks(ORGANIZATIONS_MENU_HOOK)]
    assert [entry.url for entry in entries] == [LISTING]
    home = admin_client.get("/admin/").content.decode()
    assert home.count(LISTING) == 1  # not in the main menu as well
    # The sidebar's props: the Organizations menu holds the three screens, in this order.
    menu = home[home.index('"name": "organizations"') :]
    positions = [menu.index(url) for url in ("/admin/organizations/", "/admin/memberships/")]
    assert positions == sorted(positions) and menu.index(LISTING) > positions[-1]


@pytest.mark.parametrize(
    "query", ["", "?q=contributor", "?q=Example+Bank", "?q=%00%27", "?role=contributor"]
)
def test_the_listing_answers_and_finds_members(admin_client, query):
    response = admin_client.get(LISTING + query)
    assert response.status_code == 200, query
    if "contributor" in query or "Bank" in query:
        html = response.content.decode()
        assert "contributor" in html and "Example Bank" in html


def test_every_screen_of_a_role_answers(admin_client):
    role = ComplianceRole.objects.get(user__username="contributor")
    for url in (
        f"{LISTING}new/",
        f"{LISTING}edit/{role.pk}/",
        f"{LISTING}history/{role.pk}/",
        f"{LISTING}usage/{role.pk}/",
        f"{LISTING}delete/{role.pk}/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_a_role_is_given_to_a_member_for_their_organization(admin_client, cm):
    member = make_user("cm-new-member")
    Membership.objects.create(user=member, organization=cm.organization)
    form = admin_client.get(f"{LISTING}new/").content.decode()
    option = f'<option value="{member.pk}">cm-new-member (cm-new-member, CM Customer)</option>'
    assert option in form
    response = admin_client.post(f"{LISTING}new/", {"user": member.pk, "role": "assessor"})
    assert response.status_code == 302, response.content.decode()[:3000]
    role = ComplianceRole.objects.get(user=member)
    assert (role.organization, role.role) == (cm.organization, "assessor")
    assert role_of(get_user_model().objects.get(pk=member.pk)) == "assessor"

    # Editing it: the role changes, the organization follows the member.
    response = admin_client.post(
        f"{LISTING}edit/{role.pk}/", {"user": member.pk, "role": "contributor"}
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert (role.organization, role.role) == (cm.organization, "contributor")


def test_only_approved_members_of_an_organization_get_a_role(admin_client, demo_users, cm):
    personal = demo_users["personal"]
    waiting = make_user("cm-waiting")
    Membership.objects.create(user=waiting, organization=cm.organization, approved=False)
    for user in (personal, waiting):
        response = admin_client.post(f"{LISTING}new/", {"user": user.pk, "role": "reader"})
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        assert not ComplianceRole.objects.filter(user=user).exists()


def test_a_second_role_for_a_member_is_a_form_error(admin_client, cm):
    reader = cm.users["reader"]
    response = admin_client.post(f"{LISTING}new/", {"user": reader.pk, "role": "assessor"})
    assert response.status_code == 200
    assert re.search(r"already exists", response.content.decode())
    assert ComplianceRole.objects.get(user=reader).role == "reader"


def test_editors_may_not_manage_roles(demo_users, cm):
    editor = Client(raise_request_exception=False)
    editor.force_login(demo_users["editor"])
    assert editor.get(LISTING).status_code in (302, 403)
    refused = editor.post(f"{LISTING}new/", {"user": cm.users["reader"].pk, "role": "assessor"})
    assert refused.status_code in (302, 403)
    assert ComplianceRole.objects.get(user=cm.users["reader"]).role == "reader"
