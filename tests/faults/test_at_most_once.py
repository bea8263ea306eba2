"""Once means once in the database: each "at most one" rule holds when the same request arrives
twenty times at once, over real HTTP, against a portal serving the committed test database.

Twenty parallel NDA acceptances once made eight rows (each with its audit entry): the code
looked, found nothing, and inserted. Now a database constraint keeps one row per rule, and the
request that loses the race answers with the row that is there (``cms.once``).

The portal serves from other threads with their own connections, so these tests commit
(``committed``) and remove what they made; the audit entries stay (the log is append-only).
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import IntegrityError, transaction

from cms.access.requests import open_request
from cms.accounts import signup
from cms.audit import AuditEntry
from cms.models import AccessRequest, Membership, Organization, TrustDocument
from cms.once import insert_or_existing
from plugins.compliance_manager.models import (
    ActionItem,
    Assessment,
    AssessmentGroup,
    ComplianceRole,
    Template,
)
from plugins.library.models import SavedDocument
from plugins.nda.acceptance import record_acceptance
from plugins.nda.models import NdaAcceptance, NdaVersion
from plugins.notifications.models import NotificationSettings, WebhookEndpoint
from search.cards import source_documents
from tests import factories
from tests.concurrent_http import TIMES, Browser, at_once, post_json, send, statuses
from tests.helpers import bearer, make_user
from tests.live_server import serving_test_database

PREFIX = "once"


def at_once_each(request) -> list[tuple[int, bytes]]:
    """The same ``request()`` ``TIMES`` times at once."""
    return at_once([request] * TIMES)


# --- a committed world, removed afterwards -----------------------------------------------------


@pytest.fixture(scope="module")
def portal(committed):
    with serving_test_database() as url:
        yield url


@pytest.fixture
def world(portal, cleanup):
    """An organization with an administrator and a member (prefix ``once-``), signed-in
    browsers for them; removed after the test with everything they made."""
    cleanup["prefixes"].append(PREFIX)
    name = factories.unique(PREFIX)
    organization = Organization.objects.create(
        name=f"Org {name}", slug=name, email_domains=f"{name}.test"
    )
    admin = make_user(f"{name}-admin", email=f"admin@{name}.test")
    member = make_user(f"{name}-member", email=f"member@{name}.test")
    Membership.objects.create(user=admin, organization=organization, role=Membership.Role.ADMIN)
    Membership.objects.create(user=member, organization=organization)
    browsers = {"admin": Browser(portal, admin), "member": Browser(portal, member)}
    yield {
        "url": portal,
        "organization": organization,
        "admin": admin,
        "member": member,
        "browsers": browsers,
    }
    Session.objects.filter(pk__in=[b.session_key for b in browsers.values()]).delete()
    # Evidence is never deleted by the portal; these are a test's, and would outlive the users.
    NdaAcceptance.objects.filter(user__in=[admin, member]).delete()
    # Assessments protect their group, which the organization would take with it.
    Assessment.objects.filter(organization=organization).delete()
    organization.delete()


def browser(world, who: str) -> Browser:
    return world["browsers"][who]


# --- NDA acceptances: one per user and NDA version, one audit entry ----------------------------


ALREADY_ACCEPTED = "You have accepted this version of the agreement."


def nda_accepted_entries(user) -> int:
    return AuditEntry.objects.filter(action="nda_accepted", user=user).count()


def test_the_nda_form_sent_twenty_times_at_once_records_one_acceptance(world):
    member, nda = world["member"], NdaVersion.current()
    reader = browser(world, "member")
    form = {"accept": "yes", "text_sha256": nda.text_sha256(), "next": "/en/"}

    answers = at_once_each(lambda: reader.post("/en/nda/accept/", form))

    # Those that found nothing recorded go on to ``next``, whichever of them recorded it; those
    # that came later are shown the agreement as accepted.
    for status, body in answers:
        assert status == 302 or (status == 200 and ALREADY_ACCEPTED in body.decode()), status
    assert NdaAcceptance.objects.filter(user=member, nda_version=nda).count() == 1
    assert nda_accepted_entries(member) == 1


def test_the_nda_api_called_twenty_times_at_once_records_one_acceptance(world):
    member, nda = world["member"], NdaVersion.current()
    headers = {"Authorization": bearer(member)["HTTP_AUTHORIZATION"]}
    body = {"version_id": nda.pk, "text_sha256": nda.text_sha256()}
    url = f"{world['url']}/api/v3/nda/accept/?locale=en"

    answers = at_once_each(lambda: post_json(url, body, headers))

    # One request recorded it (201); the others answer with that acceptance (200).
    assert statuses(answers) == {201: 1, 200: TIMES - 1}
    assert len({json.loads(body)["accepted_at"] for _status, body in answers}) == 1
    assert NdaAcceptance.objects.filter(user=member, nda_version=nda).count() == 1
    assert nda_accepted_entries(member) == 1


# --- My Library: a document saved once per reader ----------------------------------------------


def test_saving_a_document_twenty_times_at_once_keeps_one_library_item(world):
    member = world["member"]
    document = source_documents(member).filter(access_level="public").first()
    reader = browser(world, "member")

    answers = at_once_each(lambda: reader.post("/en/library/save/", {"document": document.pk}))

    assert statuses(answers) == {302: TIMES}
    assert SavedDocument.objects.filter(user=member, document=document).count() == 1


# --- access requests: one pending request per reader and document ------------------------------


def test_requesting_access_twenty_times_at_once_opens_one_request(world):
    member = world["member"]
    document = TrustDocument.objects.get(slug="pen-test-full-report", locale__language_code="en")
    reader = browser(world, "member")
    path = f"/en/documents/{document.slug}/request-access/"

    answers = at_once_each(lambda: reader.post(path, {"reason": "Vendor review"}))

    pending = AccessRequest.objects.filter(user=member, document=document, status="pending")
    assert pending.count() == 1
    # The one that opened it redirects; the others show the request waiting for a decision.
    assert set(statuses(answers)) <= {200, 302}, statuses(answers)


# --- notifications: one settings row per reader, one active endpoint per organization and URL --


def test_the_notification_settings_page_opened_twenty_times_at_once_makes_one_row(world):
    member = world["member"]
    reader = browser(world, "member")

    answers = at_once_each(lambda: reader.get("/en/notifications/"))

    assert statuses(answers) == {200: TIMES}
    assert NotificationSettings.objects.filter(user=member).count() == 1


def test_a_webhook_endpoint_added_twenty_times_at_once_is_registered_once(world):
    organization = world["organization"]
    admin = browser(world, "admin")
    url = f"https://hooks.{organization.slug}.test/trust-portal"

    answers = at_once_each(lambda: admin.post("/en/notifications/webhooks/", {"url": url}))

    assert statuses(answers) == {200: TIMES}
    endpoint = WebhookEndpoint.objects.get(organization=organization, url=url)
    # Each answer shows the sender the secret of the one endpoint there is.
    assert all(endpoint.secret in body.decode() for _status, body in answers)


# --- memberships: one per user -----------------------------------------------------------------


def test_a_sign_up_link_followed_twenty_times_at_once_makes_one_membership(world):
    organization = world["organization"]
    joiner = make_user(
        f"{organization.slug}-joiner", email=f"joiner@{organization.slug}.test", is_active=False
    )
    token = signing.dumps({"u": joiner.pk, "e": joiner.email}, salt=signup.SALT)
    url = f"{world['url']}/en/accounts/verify/{token}/"
    sessions_before = set(Session.objects.values_list("pk", flat=True))

    answers = at_once_each(lambda: send("GET", url, {}))

    Session.objects.exclude(pk__in=sessions_before).delete()
    # The link works once (it signs the new member in); the others find it used.
    assert statuses(answers) == {302: 1, 400: TIMES - 1}
    assert Membership.objects.filter(user=joiner).get().organization == organization


# --- Compliance Manager: one role per member, one action item per group and key ----------------


def test_a_role_assigned_twenty_times_at_once_is_one_role(world):
    member, organization = world["member"], world["organization"]
    admin = browser(world, "admin")
    form = {"user": member.pk, "role": "assessor"}

    answers = at_once_each(lambda: admin.post("/en/compliance/settings/roles/", form))

    assert statuses(answers) == {302: TIMES}
    role = ComplianceRole.objects.get(user=member)
    assert (role.organization, role.role) == (organization, "assessor")


def test_twenty_assessments_created_at_once_share_one_set_of_action_items(world):
    organization = world["organization"]
    admin = browser(world, "admin")
    template = Template.objects.get(title__contains="LOW IMPACT BASELINE")
    form = {"title": "Parallel", "template": template.pk, "group": "Product X", "service": ""}

    answers = at_once_each(lambda: admin.post("/en/compliance/assessments/new/", form))

    assert statuses(answers) == {302: TIMES}
    assert Assessment.objects.filter(organization=organization).count() == TIMES
    assert AssessmentGroup.objects.filter(organization=organization).count() == 1
    items = ActionItem.objects.filter(organization=organization)
    assert items.count() == items.values("key").distinct().count() > 0


# --- the pattern itself (in a test transaction) ------------------------------------------------


def test_a_conflict_answers_the_row_there_and_the_transaction_goes_on(users):
    member = users["member"]
    document = TrustDocument.objects.get(slug="pen-test-full-report", locale__language_code="en")
    with transaction.atomic():
        first, opened = open_request(member, document, "Vendor review")
        again, opened_again = open_request(member, document, "Vendor review, again")
        # The refused insert was rolled back to its savepoint, not the whole transaction.
        assert AccessRequest.objects.filter(user=member).count() == 1
    assert (opened, opened_again) == (True, False) and again == first


def test_a_refusal_no_row_explains_is_raised_again(users):
    taken = users["member"].get_username()
    User = get_user_model()
    with pytest.raises(IntegrityError):
        insert_or_existing(lambda: User.objects.create(username=taken), lambda: None)


def test_an_acceptance_recorded_twice_is_one_row_with_one_audit_entry(users, rf):
    member, nda = users["member"], NdaVersion.current()
    request = rf.post("/en/nda/accept/")
    request.user = member
    first, recorded = record_acceptance(request, nda, nda, users["customer_org"])
    # No look before inserting: the second insert is refused by the constraint.
    again, recorded_again = record_acceptance(request, nda, nda, users["customer_org"])
    assert (recorded, recorded_again) == (True, False) and again == first
    assert NdaAcceptance.objects.filter(user=member).count() == 1
    assert nda_accepted_entries(member) == 1
