"""A member's reader pages from the cache (``sites/visitor_cache.py``, audience "session"): kept
for the member's own session, under their profile, the listing generation and the member pages
stamp (``search.models.MemberPagesStamp``).

Each change test primes a page (its second request must come from the cache, else the test
proves nothing), makes one change, and compares the next answer with the page rendered with the
cache off: a key that omitted what changed would serve the old page, and the comparison fails.
The CSRF tokens of two renders are different masks of one secret, so they are compared
unmasked.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import messages
from django.contrib.auth.models import Group
from django.contrib.messages import SUCCESS
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from cms.models import AccessLevel, DocumentIndexPage, HomePage, Membership
from plugins.compliance_manager.models import ComplianceRole, Role
from search.models import MemberPagesStamp
from tests import factories
from tests.conftest import accept_current_nda
from tests.helpers import make_user

HOME = "/en/"
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


#: A signed download link: what it names (version, language, user), then when it was signed.
SIGNED_LINK = re.compile(rb"/download/([^:/]+):[^/]+/")


def unmasked(body: bytes) -> bytes:
    """``body`` with each CSRF token replaced by the secret it masks, and each download link
    by what it names without when it was signed (two renders a second apart differ there)."""
    body = TOKEN.sub(
        lambda m: (
            b'name="csrfmiddlewaretoken" value="'
            + _unmask_cipher_token(m.group(1).decode()).encode()
            + b'"'
        ),
        body,
    )
    return SIGNED_LINK.sub(rb"/download/\1/", body)


class Reader:
    """A member's browser: signed in, with the CSRF cookie a first page gave it."""

    def __init__(self, user, client=None):
        self.user = user
        self.client = client or Client()
        if client is None:
            self.client.force_login(user)
        self.get(HOME)  # the first page sets the CSRF cookie

    def get(self, url=HOME):
        response = self.client.get(url)
        assert response.status_code == 200, response.content[:500]
        return response

    def uncached(self, url=HOME) -> bytes:
        with override_settings(TRUSTPORTAL_VISITOR_CACHE_SECONDS=0):
            return unmasked(self.get(url).content)

    def primed(self, url=HOME) -> bytes:
        first = self.get(url)
        second = self.get(url)
        assert getattr(second, "visitor_cache_hit", False), "not served from the cache"
        assert second.content == first.content
        return unmasked(second.content)


@pytest.mark.django_db
def test_a_members_page_is_served_from_their_sessions_cache(users, keeping):
    reader = Reader(users["member_nda"])
    page = reader.primed()
    assert b"t-member-nda" in page
    assert page == reader.uncached()


@pytest.mark.django_db
def test_a_member_page_hit_costs_two_queries(users, keeping):
    reader = Reader(users["member_nda"])
    reader.primed()
    with CaptureQueriesContext(connection) as queries:
        again = reader.get()
    assert getattr(again, "visitor_cache_hit", False)
    # The session, with the stamps and the generation read along (cms.accounts.sessions), and
    # the user: none of the page's.
    assert len(queries) == 2, [q["sql"] for q in queries]


@pytest.mark.django_db
def test_a_cached_pages_csrf_token_is_accepted(users, keeping):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["member_nda"])
    reader = Reader(users["member_nda"], client)
    reader.primed()
    served = reader.get()
    assert getattr(served, "visitor_cache_hit", False)
    token = TOKEN.search(served.content).group(1).decode()
    response = client.post("/en/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_no_other_member_or_session_is_served_a_members_page(users, keeping):
    # The same profile (both of the customer, both with the NDA), another member; and the same
    # member in a second browser, with a session (and a CSRF secret) of its own. Both signed in
    # before the page is primed, so that nothing changes between the priming and their asking.
    colleague = make_user("t-mpc-colleague")
    Membership.objects.create(user=colleague, organization=users["customer_org"])
    accept_current_nda(colleague)
    colleagues_browser = Reader(colleague)
    second_browser = Reader(users["member_nda"])
    first = Reader(users["member_nda"])
    first.primed()
    assert not getattr(second_browser.get(), "visitor_cache_hit", False)
    answer = colleagues_browser.get()
    assert not getattr(answer, "visitor_cache_hit", False)
    assert b"t-mpc-colleague" in answer.content and b"t-member-nda" not in answer.content


@pytest.mark.django_db
def test_signing_in_leaves_the_members_pages_kept(users, keeping):
    reader = Reader(users["member_nda"])
    reader.primed()
    stamp = MemberPagesStamp.current()
    Client().force_login(users["member_nda"])  # another browser: the user's last login
    assert MemberPagesStamp.current() == stamp
    assert getattr(reader.get(), "visitor_cache_hit", False)


@pytest.mark.django_db
def test_a_page_that_adds_a_message_is_not_kept(users, keeping, monkeypatch):
    reader = Reader(users["member_nda"])
    serve = HomePage.serve

    def serve_with_a_message(page, request, *args, **kwargs):
        messages.info(request, "Welcome back.")
        return serve(page, request, *args, **kwargs)

    monkeypatch.setattr(HomePage, "serve", serve_with_a_message)
    for _ in range(2):
        answer = reader.get()
        assert not getattr(answer, "visitor_cache_hit", False)


@pytest.mark.django_db
def test_a_waiting_message_is_shown_and_not_kept(users, keeping):
    reader = Reader(users["member_nda"])
    reader.primed()
    # A message for the next page, in the cookie a form's redirect leaves (the session, where
    # a long one goes, is part of the key anyway).
    storage = CookieStorage(HttpRequest())
    reader.client.cookies["messages"] = storage._encode(
        [Message(SUCCESS, "Saved to your library.")]
    )
    shown = reader.get()
    assert b"Saved to your library." in shown.content
    assert not getattr(shown, "visitor_cache_hit", False)
    after = reader.get()
    assert b"Saved to your library." not in after.content
    assert getattr(after, "visitor_cache_hit", False)


# --- A change of any input is on the member's next page -------------------------------------


def _renamed(user, users):
    user.first_name, user.last_name = "Renamed", "Reader"
    user.save()


def _joined_an_organization(user, users):
    Membership.objects.create(user=user, organization=users["customer_org"])


def _became_compliance_administrator(user, users):
    ComplianceRole.objects.create(
        user=user, organization=users["customer_org"], role=Role.ADMINISTRATOR
    )


def _accepted_the_nda(user, users):
    accept_current_nda(user)


def _document_published(user, users):
    factories.document(AccessLevel.PUBLIC, title="MPC newly published", listed=True)


CHANGES = {
    "renamed": ("personal", _renamed),
    "joined an organization": ("personal", _joined_an_organization),
    "became compliance administrator": ("member", _became_compliance_administrator),
    "accepted the NDA": ("member", _accepted_the_nda),
    "document published": ("member", _document_published),
}


def documents_page() -> str:
    return DocumentIndexPage.objects.live().filter(locale__language_code="en").first().url


@pytest.mark.django_db
@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_change_of_any_input_is_on_the_next_page(users, keeping, change):
    name, make_change = CHANGES[change]
    reader = Reader(users[name])
    urls = (HOME, documents_page())
    before = [reader.primed(url) for url in urls]
    make_change(reader.user, users)
    after = [unmasked(reader.get(url).content) for url in urls]
    for url, served in zip(urls, after, strict=True):
        # Line by line, so that a failure shows what differs.
        assert served.splitlines() == reader.uncached(url).splitlines(), url
    assert after != before, "the change shows nothing on the pages: pick another"


@pytest.mark.django_db
def test_a_member_leaving_a_group_no_longer_sees_its_private_page(users, keeping):
    group = Group.objects.create(name="t-mpc readers")
    page = Page.objects.live().filter(depth=3, locale__language_code="en").first()
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    ).groups.add(group)
    member = users["member_nda"]
    member.groups.add(group)
    reader = Reader(member)
    for _ in range(2):
        seen = reader.get(page.url)
    # Wagtail marks a private page's answer ``Cache-Control: private``: it is never kept.
    assert not getattr(seen, "visitor_cache_hit", False)
    member.groups.remove(group)
    response = reader.client.get(page.url)
    assert response.status_code == 302 and "login" in response["Location"]
