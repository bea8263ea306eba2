"""Members' answers from the cache (``sites/visitor_cache.py`` keyed by the entitlement profile
of ``cms/access/profile.py``): members with the same profile share an answer; no member is
ever served one made for another profile; a change of any input of a profile is visible on the
member's next request.

Each test compares what the cache serves with what the API answers with the cache off: a key
that omitted an input would hand one member another's answer, and the comparison would fail.
Answers are primed first and must come from the cache (else the test would prove nothing).
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.access import profile
from cms.models import AccessLevel, AccessRequest, Membership
from tests import factories
from tests.conftest import accept_current_nda
from tests.helpers import bearer, make_user

URL = "/api/v3/trust-documents/?limit=100&sort=title"


@pytest.fixture
def world(users):
    """Documents each profile input decides: NDA, the customer organization's, the group's,
    and a listed one to be granted by an access request."""
    group = users["customer_group"]
    documents = {
        "nda": factories.document(AccessLevel.NDA, title="MC nda"),
        "org": factories.document(
            AccessLevel.RESTRICTED, title="MC org", organizations=[users["customer_org"]]
        ),
        "group": factories.document(AccessLevel.RESTRICTED, title="MC group", groups=[group]),
        "listed": factories.document(AccessLevel.RESTRICTED, title="MC listed", listed=True),
    }
    return users, documents


class Caller:
    """A member calling the API with their own token."""

    def __init__(self, user):
        self.user = user
        self.headers = bearer(user)
        self.client = Client()

    def get(self):
        response = self.client.get(URL, **self.headers)
        assert response.status_code == 200, response.content
        return response

    def uncached(self) -> dict:
        with override_settings(TRUSTPORTAL_VISITOR_CACHE_SECONDS=0):
            return self.get().json()

    def primed(self) -> dict:
        first = self.get()
        second = self.get()
        assert getattr(second, "visitor_cache_hit", False), "not served from the cache"
        assert second.content == first.content
        return second.json()


def view(answer: dict) -> dict[str, str | None]:
    """What the member is shown of the test's documents: title -> why locked (None: free)."""
    return {i["title"]: i["locked"] for i in answer["items"] if i["title"].startswith("MC ")}


def member_of_customer(name: str, users) -> object:
    user = make_user(name)
    Membership.objects.create(user=user, organization=users["customer_org"])
    return user


# --- Two members differing in one input never share an answer --------------------------------


def _differ_by_organization(users, documents):
    return users["personal"], users["member"]


def _differ_by_nda(users, documents):
    return users["member"], users["member_nda"]


def _differ_by_organization_entitlement(users, documents):
    # Both in an organization, both with the NDA; only the customer is on "MC org".
    return users["other_org"], users["member_nda"]


def _differ_by_group(users, documents):
    grouped = member_of_customer("t-mc-grouped", users)
    grouped.groups.add(users["customer_group"])
    return users["member"], grouped


def _differ_by_grant(users, documents):
    granted = member_of_customer("t-mc-granted", users)
    AccessRequest.objects.create(
        user=granted, document=documents["listed"], reason="x", status="approved"
    )
    return users["member"], granted


@pytest.mark.django_db
@pytest.mark.parametrize(
    "differ",
    [
        _differ_by_organization,
        _differ_by_nda,
        _differ_by_organization_entitlement,
        _differ_by_group,
        _differ_by_grant,
    ],
    ids=lambda f: f.__name__.removeprefix("_differ_by_"),
)
def test_members_of_different_profiles_never_share_an_answer(world, keeping, differ):
    users, documents = world
    first, second = (Caller(user) for user in differ(users, documents))
    seen_first = first.primed()
    served_second = second.get()
    assert served_second.json() == second.uncached()
    # The two profiles really are answered differently (else this would prove nothing).
    assert view(served_second.json()) != view(seen_first)


@pytest.mark.django_db
def test_members_of_one_profile_share_an_answer(world, keeping):
    users, _documents = world
    colleague = Caller(member_of_customer("t-mc-colleague", users))
    member = Caller(users["member"])
    member.primed()
    shared = colleague.get()
    assert getattr(shared, "visitor_cache_hit", False)
    assert shared.json() == colleague.uncached()


@pytest.mark.django_db
def test_a_member_hit_costs_a_fixed_number_of_queries(world, keeping):
    users, _documents = world
    member = Caller(users["member_nda"])
    member.primed()
    with CaptureQueriesContext(connection) as queries:
        again = member.get()
    assert getattr(again, "visitor_cache_hit", False)
    # The token, with the entitlement stamp and the listing generation read along: no query
    # of the answer's own.
    assert len(queries) == 1, [q["sql"] for q in queries]


@pytest.mark.django_db
def test_a_published_change_is_on_a_members_next_request(world, keeping):
    # The generation a member's answer is keyed by is read with their token (cms.database's
    # carry_along): a stale one would serve the answer from before the change.
    users, documents = world
    member = Caller(users["member_nda"])
    assert "MC nda" in view(member.primed())
    document = documents["nda"]
    document.title = "MC nda renamed"
    document.save_revision().publish()
    answer = member.get()
    assert not getattr(answer, "visitor_cache_hit", False)
    assert "MC nda renamed" in view(answer.json())
    assert answer.json() == member.uncached()


@pytest.mark.django_db
def test_a_member_hit_reads_their_profile_from_this_process(world, keeping, monkeypatch):
    users, documents = world
    member = Caller(users["member_nda"])
    member.primed()
    asked = []
    shared_get = profile.shared_cache.get
    monkeypatch.setattr(
        profile.shared_cache, "get", lambda *a, **k: asked.append(a) or shared_get(*a, **k)
    )
    assert getattr(member.get(), "visitor_cache_hit", False)
    assert not [key for key, *_ in asked if key.startswith("trustportal:profile:")]
    # A change of an input makes a new stamp: this process's copy is not read under it.
    AccessRequest.objects.create(
        user=users["member_nda"], document=documents["listed"], reason="x", status="approved"
    )
    assert member.get().json() == member.uncached()
    assert [key for key, *_ in asked if key.startswith("trustportal:profile:")]


@pytest.mark.django_db
def test_anonymous_and_member_answers_are_kept_apart(world, keeping):
    users, _documents = world
    Client().get(URL)
    visitor = Client().get(URL)
    assert getattr(visitor, "visitor_cache_hit", False)
    member = Caller(users["member_nda"])
    answer = member.get()
    assert not getattr(answer, "visitor_cache_hit", False)
    assert view(answer.json())["MC nda"] is None
    assert view(visitor.json())["MC nda"] == "sign_in"


# --- A change of any input is on the member's next request ----------------------------------


def _accept_nda(user, users, documents):
    accept_current_nda(user)


def _join_group(user, users, documents):
    user.groups.add(users["customer_group"])


def _group_gets_the_document(user, users, documents):
    # The admin adds an entitled group to the document: the member was in it already.
    other = Group.objects.create(name="t-mc later group")
    user.groups.add(other)
    document = documents["group"]

    def add_the_group():
        # As an editor does: the list changed in the form, the change published.
        document.refresh_from_db()
        document.restricted_groups.add(other)
        document.save_revision().publish()

    return add_the_group


def _grant_access(user, users, documents):
    AccessRequest.objects.create(
        user=user, document=documents["listed"], reason="x", status="approved"
    )


def _revoke_access(user, users, documents):
    granted = AccessRequest.objects.create(
        user=user, document=documents["listed"], reason="x", status="approved"
    )

    def revoke():
        granted.status = AccessRequest.Status.REVOKED
        granted.save()

    return revoke


def _leave_organization(user, users, documents):
    return lambda: Membership.objects.filter(user=user).delete()


def _grant_expires(user, users, documents):
    granted = AccessRequest.objects.create(
        user=user,
        document=documents["listed"],
        reason="x",
        status="approved",
        expires_at=timezone.now() + timedelta(seconds=3),
    )
    # No write at all: the clock ends the grant.
    return lambda: time.sleep(max(0.0, (granted.expires_at - timezone.now()).total_seconds()) + 0.1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        _accept_nda,
        _join_group,
        _group_gets_the_document,
        _grant_access,
        _revoke_access,
        _leave_organization,
        _grant_expires,
    ],
    ids=lambda f: f.__name__.removeprefix("_"),
)
def test_a_change_of_any_input_is_on_the_next_request(world, keeping, change):
    users, documents = world
    user = member_of_customer("t-mc-changing", users)
    caller = Caller(user)
    # A change returns its last step when it needs a state to start from (a grant to revoke).
    last_step = change(user, users, documents) if change.__name__ in _TWO_STEPS else None
    before = caller.primed()
    if last_step is not None:
        last_step()
    else:
        change(user, users, documents)
    after = caller.get().json()
    assert after == caller.uncached()
    assert view(after) != view(before), "the change did not change the answer"


_TWO_STEPS = {
    "_group_gets_the_document",
    "_revoke_access",
    "_leave_organization",
    "_grant_expires",
}
