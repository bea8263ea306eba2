"""More › Admin for every organization: the portal's administrators (superusers, or a group given
the permission) manage any organization's Compliance Manager roles, automatic updates and user
privacy on the reader site; an organization's administrator manages their own organization and
no other; members below administrator get a 403."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from cms.models import Membership, Organization
from plugins.compliance_manager.automatic_updates import settings_for
from plugins.compliance_manager.models import ActionItem, ComplianceRole
from plugins.compliance_manager.roles import role_of
from plugins.compliance_manager.workflow import change_action_item
from tests.helpers import client_for, make_user

from .conftest import item_of

pytestmark = pytest.mark.django_db

ROLES = "/en/compliance/settings/roles/"
UPDATES = "/en/compliance/settings/automatic-updates/"
PRIVACY = "/en/compliance/settings/privacy/"
SCREENS = (ROLES, UPDATES, PRIVACY)


def portal_admin():
    return get_user_model().objects.get(username="admin")


def about(url: str, organization) -> str:
    return f"{url}?organization={organization.pk}"


def test_the_portal_administrator_finds_the_screens_under_more_admin(cm):
    html = client_for(portal_admin()).get("/en/").content.decode()
    assert "<summary>More</summary>" in html
    assert '<a href="/admin/">Admin</a>' in html
    for url in SCREENS:
        assert f'href="{url}"' in html


def test_without_an_organization_of_their_own_they_choose_one_first(cm):
    client = client_for(portal_admin())
    for url in SCREENS:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Choose an organization" in html
        assert f'<option value="{cm.organization.pk}">CM Customer</option>' in html
        assert f'<option value="{cm.other_organization.pk}">CM Other</option>' in html


def test_the_portal_administrator_sets_roles_in_any_organization(cm):
    client = client_for(portal_admin())
    page = client.get(about(ROLES, cm.organization))
    assert page.status_code == 200
    html = page.content.decode()
    assert "CM Customer" in html and "cm-assessor" in html
    # The organization can be switched from the screen itself.
    assert f'<option value="{cm.other_organization.pk}">CM Other</option>' in html

    reader = cm.users["reader"]
    response = client.post(about(ROLES, cm.organization), {"user": reader.pk, "role": "assessor"})
    assert response.status_code == 302
    assert response["Location"] == about(ROLES, cm.organization)
    assert role_of(get_user_model().objects.get(pk=reader.pk)) == "assessor"
    assert ComplianceRole.objects.get(user=reader).organization == cm.organization

    # Only that organization's members: the other organization's administrator is not one.
    outsider = cm.users["other_org"]
    refused = client.post(about(ROLES, cm.organization), {"user": outsider.pk, "role": "reader"})
    assert refused.status_code == 400
    assert not ComplianceRole.objects.filter(user=outsider).exists()


def test_the_portal_administrator_handles_user_privacy_and_updates_of_any_organization(cm):
    client = client_for(portal_admin())
    item = item_of(cm.assessment)
    change_action_item(item, cm.users["contributor"], {"assignee": cm.users["reader"]})

    report = client.post(
        about(PRIVACY, cm.organization), {"action": "export", "user": cm.users["reader"].pk}
    )
    assert report.status_code == 200 and report["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(report.content.decode())))
    assert [row["control"] for row in rows] == ["AC-2"]

    moved = client.post(
        about(PRIVACY, cm.organization),
        {"action": "reassign", "user": cm.users["reader"].pk, "to_user": cm.users["assessor"].pk},
    )
    assert moved.status_code == 302 and moved["Location"] == about(PRIVACY, cm.organization)
    assert ActionItem.objects.get(pk=item.pk).assignee == cm.users["assessor"]

    switched = client.post(about(UPDATES, cm.other_organization), {"action": "enable"})
    assert switched.status_code == 200
    assert settings_for(cm.other_organization).enabled is True
    assert settings_for(cm.organization).enabled is False


@pytest.mark.parametrize("value", ["999999999", "abc", "1.5", "²"])
def test_an_organization_that_is_not_there_is_a_404(cm, value):
    client = client_for(portal_admin())
    for url in SCREENS:
        assert client.get(f"{url}?organization={value}").status_code == 404, url


def test_a_group_given_the_permission_administers_every_organization(cm):
    staff = make_user("cm-portal-staff")
    group = Group.objects.create(name="Customer success")
    group.permissions.add(Permission.objects.get(codename="administer_any_organization"))
    client = client_for(staff)
    assert client.get(ROLES).status_code == 403  # not yet
    staff.groups.add(group)
    client = client_for(get_user_model().objects.get(pk=staff.pk))
    assert f'href="{ROLES}"' in client.get("/en/").content.decode()
    assert client.get(ROLES).status_code == 200
    assert client.get(about(PRIVACY, cm.other_organization)).status_code == 200


def test_an_organization_administrator_manages_their_own_organization_only(cm):
    client = cm.client("administrator")
    assert client.get(about(ROLES, cm.organization)).status_code == 200
    for url in SCREENS:
        assert client.get(about(url, cm.other_organization)).status_code == 404, url
    # Naming the other organization changes nothing there, whatever is posted.
    theirs = cm.users["other_org"]
    data = {"user": theirs.pk, "role": "reader"}
    refused = client.post(about(ROLES, cm.other_organization), data)
    assert refused.status_code == 404
    assert role_of(get_user_model().objects.get(pk=theirs.pk)) == "administrator"
    refused = client.post(about(UPDATES, cm.other_organization), {"action": "enable"})
    assert refused.status_code == 404
    assert settings_for(cm.other_organization).enabled is False


@pytest.mark.parametrize("who", ["reader", "contributor", "assessor", "personal"])
def test_members_below_administrator_get_a_403(cm, who):
    client = cm.client(who)
    for url in SCREENS:
        assert client.get(url).status_code == 403, (who, url)
        assert client.get(about(url, cm.organization)).status_code == 403, (who, url)
    refused = client.post(ROLES, {"user": cm.users[who].pk, "role": "administrator"})
    assert refused.status_code == 403
    assert role_of(get_user_model().objects.get(pk=cm.users[who].pk)) != "administrator"


def test_anonymous_visitors_are_sent_to_sign_in(cm):
    for url in SCREENS:
        response = client_for(None).get(about(url, cm.organization))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_demo_reader_administers_example_bank_with_a_contributor(demo_users):
    reader = demo_users["reader"]
    bank = Organization.objects.get(slug="example-bank")
    assert Membership.objects.get(user=reader).role == Membership.Role.ADMIN
    contributor = get_user_model().objects.get(username="contributor")
    assert Membership.objects.get(user=contributor).organization == bank
    assert role_of(contributor) == "contributor"

    client = client_for(reader)
    html = client.get("/en/").content.decode()
    assert "<summary>More</summary>" in html and '<a href="/admin/">Admin</a>' not in html
    for url in SCREENS:
        assert f'href="{url}"' in html
    roles = client.get(ROLES).content.decode()
    assert "Organization: Example Bank" in roles
    assert "Carl Contributor</td><td>Contributor" in roles
    assert "Rita Reader</td><td>Administrator" in roles
