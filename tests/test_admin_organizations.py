"""The administrator's screens for customer organizations and their members (a membership kept
by hand is shown as such); editors have no business there."""

import re

import pytest
from django.test import Client

from cms.models import Membership, Organization
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(demo_users):
    return signed_in(demo_users["admin"])


@pytest.mark.parametrize(
    "url",
    [
        "/admin/organizations/",
        "/admin/organizations/?q=example",
        "/admin/organizations/?q=%00%27",
        "/admin/organizations/new/",
        "/admin/memberships/",
        "/admin/memberships/?q=reader",
        "/admin/memberships/?q=Example+Bank",
        "/admin/memberships/?pinned=true",
        "/admin/memberships/new/",
    ],
)
def test_every_screen_answers(admin_client, url):
    assert admin_client.get(url).status_code == 200, url


def test_the_listing_finds_members_by_name_and_shows_who_is_kept_by_hand(admin_client, demo_users):
    reader = demo_users["reader"]
    membership = Membership.objects.get(user=reader)
    membership.pinned = True
    membership.save()

    found = admin_client.get("/admin/memberships/", {"q": reader.email}).content.decode()
    assert reader.get_username() in found and membership.organization.name in found
    kept = admin_client.get("/admin/memberships/", {"pinned": "true"}).content.decode()
    assert reader.get_username() in kept
    other = make_user("zz-other-member")
    Membership.objects.create(user=other, organization=membership.organization)
    answer = admin_client.get("/admin/memberships/", {"q": "reader"}).content.decode()
    assert reader.get_username() in answer and "zz-other-member" not in answer


def test_a_member_added_by_hand_is_kept_by_default(admin_client, demo_users):
    form = admin_client.get("/admin/memberships/new/").content.decode()
    [pinned] = re.findall(r'<input[^>]*name="pinned"[^>]*>', form)
    assert "checked" in pinned  # unless the administrator unticks it

    organization = Organization.objects.create(name="Partner Ltd", slug="partner-ltd")
    personal = demo_users["personal"]
    response = admin_client.post(
        "/admin/memberships/new/",
        {
            "user": personal.pk,
            "organization": organization.pk,
            "role": "member",
            "approved": "on",
            "pinned": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=personal)
    assert (membership.organization, membership.pinned) == (organization, True)


def test_a_second_membership_for_one_user_is_a_form_error_not_a_500(admin_client, demo_users):
    reader = demo_users["reader"]
    organization = Organization.objects.create(name="Partner Ltd", slug="partner-ltd")
    response = admin_client.post(
        "/admin/memberships/new/",
        {"user": reader.pk, "organization": organization.pk, "role": "member"},
    )
    assert response.status_code == 200
    assert re.search(r"already exists", response.content.decode())
    assert Membership.objects.get(user=reader).organization != organization


def test_an_organization_is_edited_with_its_domains(admin_client):
    organization = Organization.objects.create(name="Partner Ltd", slug="partner-ltd")
    response = admin_client.post(
        f"/admin/organizations/edit/{organization.pk}/",
        {
            "name": "Partner Ltd",
            "slug": "partner-ltd",
            "email_domains": "partner.example\nPartner.Example.",
            "oidc_claim_value": "partner",
        },
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.domains == ["partner.example", "partner.example"]
    assert organization.requires_approval is False


@pytest.mark.parametrize("url", ["/admin/organizations/", "/admin/memberships/"])
def test_editors_may_not_manage_organizations(demo_users, url):
    editor = signed_in(demo_users["editor"])
    assert editor.get(url).status_code in (302, 403)
    organization = Organization.objects.create(name="Partner Ltd", slug="partner-ltd")
    refused = editor.post(
        "/admin/memberships/new/",
        {"user": demo_users["editor"].pk, "organization": organization.pk, "role": "admin"},
    )
    assert refused.status_code in (302, 403)
    assert not Membership.objects.filter(user=demo_users["editor"]).exists()
