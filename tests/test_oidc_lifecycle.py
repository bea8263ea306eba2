"""A provider account's organization, re-decided at every sign-in against a real provider whose
directory changes between sign-ins (tests/oidc/flows.py), and a misconfigured client told apart
in the log."""

from __future__ import annotations

import importlib
import logging

import pytest
from django.apps import apps
from django.test import Client

from cms.audit.models import AuditEntry
from cms.models import Membership, Organization
from tests.conftest import accept_current_nda
from tests.oidc.flows import ACCOUNTS, RP, assert_refused, sign_in, user_of
from tests.oidc.harness import ProviderBrowser


def signed_in(login: str) -> Client:
    client = Client()
    response, _callback = sign_in(client, ProviderBrowser(RP), login)
    assert response.status_code == 302, response.content[:300]
    return client


def me(client) -> dict:
    return client.get("/api/v3/me/").json()


def landing_page(client) -> str:
    """The page the sign-in sent the reader to, with what it was told."""
    return client.get("/en/").content.decode()


def audited(user, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(user_id=user.pk, action=action).order_by("sequence"))


def test_claims_that_no_longer_name_the_organization_end_the_membership_and_its_nda(
    oidc, organizations
):
    client = signed_in("alice")
    alice = user_of(client)
    accept_current_nda(alice)
    assert me(client)["organization"] == "Acme OIDC" and me(client)["nda_accepted"]
    [joined] = audited(alice, "membership_joined")
    assert joined.detail["to"] == "Acme OIDC"

    # Alice left Acme: the directory drops the tenant claim and her address moves elsewhere.
    oidc.set_claims("alice", {**ACCOUNTS["alice"], "org": None, "email": "alice@elsewhere.test"})
    client = signed_in("alice")

    assert not Membership.objects.filter(user=alice).exists()
    assert me(client) | {"username": None} == {
        "authenticated": True,
        "username": None,
        "organization": None,
        "nda_accepted": False,  # the NDA was accepted for Acme, not for a personal account
        "nda_version": me(client)["nda_version"],
    }
    [ended] = audited(alice, "membership_ended")
    assert ended.detail == {
        "from": "Acme OIDC",
        "to": "",
        "by": "identity provider",
        "approved": False,
    }
    assert "no longer names Acme OIDC as your organization" in landing_page(client)


def test_an_address_moved_to_another_verified_domain_moves_the_member(oidc, organizations):
    client = signed_in("alice")
    alice = user_of(client)
    oidc.set_claims("alice", {**ACCOUNTS["alice"], "org": None, "email": "alice@globex.test"})

    client = signed_in("alice")

    membership = Membership.objects.get(user=alice)
    # Globex approves its members: Alice waits, with a personal account meanwhile.
    assert (membership.organization, membership.approved) == (organizations["globex"], False)
    assert me(client)["organization"] is None
    [moved] = audited(alice, "membership_moved")
    assert (moved.detail["from"], moved.detail["to"]) == ("Acme OIDC", "Globex OIDC")
    page = landing_page(client)
    assert "now names Globex OIDC as your organization instead of Acme OIDC" in page
    assert "waits for its administrator" in page


def test_a_domain_the_organization_no_longer_verifies_ends_the_membership(oidc, organizations):
    bob = user_of(signed_in("bob"))
    Membership.objects.filter(user=bob).update(approved=True)
    globex = organizations["globex"]
    globex.email_domains = "globex.example"  # the customer's administrators changed its domain
    globex.save()

    signed_in("bob")

    assert not Membership.objects.filter(user=bob).exists()
    assert audited(bob, "membership_ended")[0].detail["from"] == "Globex OIDC"


def test_a_membership_an_administrator_keeps_survives_any_claims(oidc, organizations):
    client = signed_in("dave")  # a personal account by the claims
    dave = user_of(client)
    partner = Organization.objects.create(name="Partner Ltd", slug="partner-ltd")
    Membership.objects.create(user=dave, organization=partner, pinned=True)

    client = signed_in("dave")
    assert me(client)["organization"] == "Partner Ltd"
    # Even claims naming another organization leave a kept membership where it is.
    oidc.set_claims("dave", {**ACCOUNTS["dave"], "org": "acme"})
    client = signed_in("dave")
    assert me(client)["organization"] == "Partner Ltd"
    assert not audited(dave, "membership_ended") and not audited(dave, "membership_moved")

    # Unpinned, the next sign-in follows the provider again.
    Membership.objects.filter(user=dave).update(pinned=False)
    client = signed_in("dave")
    assert me(client)["organization"] == "Acme OIDC"
    assert audited(dave, "membership_moved")[0].detail["from"] == "Partner Ltd"


def test_unchanged_claims_change_nothing_and_record_nothing(oidc, organizations):
    alice = user_of(signed_in("alice"))
    signed_in("alice")
    signed_in("alice")
    assert len(audited(alice, "membership_joined")) == 1
    assert not audited(alice, "membership_moved") and not audited(alice, "membership_ended")


def test_a_wrong_client_secret_is_logged_as_such_but_not_shown(oidc, settings, caplog):
    settings.OIDC_RP_CLIENT_SECRET = "not-the-registered-secret"
    client = Client()
    with caplog.at_level(logging.WARNING):
        response, _callback = sign_in(client, ProviderBrowser(RP), "alice")

    # The reader sees what any refused code shows; nothing about the portal's configuration.
    assert_refused(response, "code-refused", status=403)
    assert "client" not in response.content.decode().lower().split("sign-in-problem", 1)[1]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "invalid_client" in errors[0].getMessage()
    assert "OIDC_RP_CLIENT_SECRET" in errors[0].getMessage()
    failure = AuditEntry.objects.filter(action="sign_in_failed").latest("sequence")
    assert failure.detail == {"oidc": "client-refused"}


@pytest.mark.django_db
def test_the_upgrade_keeps_memberships_only_an_administrator_could_have_made(users):
    migration = importlib.import_module("cms.migrations.0011_membership_pinned")
    by_hand = Organization.objects.create(name="By Hand", slug="by-hand")
    placed = Membership.objects.create(user=users["personal"], organization=by_hand)
    claimed = Membership.objects.get(user=users["member"])  # its organization has a domain
    Membership.objects.update(pinned=False)

    migration.pin_hand_placed_memberships(apps, schema_editor=None)

    placed.refresh_from_db()
    claimed.refresh_from_db()
    assert placed.pinned and not claimed.pinned
