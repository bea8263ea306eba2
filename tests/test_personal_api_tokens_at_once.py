"""Personal API tokens under requests that arrive together, over real HTTP against a portal
serving the committed test database: one form sent many times at once makes one token (shown in
one answer), and many forms at once never make more tokens than a user may have.

These tests commit (``committed``) and remove the users they made, with their tokens; the audit
entries stay (the log is append-only).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from wagtail.models import APIToken

from cms.accounts import personal_tokens
from cms.audit import AuditEntry
from tests import factories
from tests.concurrent_http import TIMES, Browser, at_once, send, statuses
from tests.helpers import make_user
from tests.live_server import serving_test_database

PREFIX = "tokens-once"
PAGE = "/en/accounts/api-tokens/"
TOKEN = re.compile(rb"wagtail_[0-9A-Za-z]{20,}")


@pytest.fixture(scope="module")
def portal(committed):
    with serving_test_database() as url:
        yield url


@pytest.fixture
def user(portal, cleanup):
    cleanup["prefixes"].append(PREFIX)
    return make_user(f"{factories.unique(PREFIX)}-reader")


def form(name: str, submission) -> dict:
    return {"name": name, "lifetime": "30", "submission": str(submission)}


def test_one_form_sent_many_times_at_once_makes_one_token(portal, user):
    browser = Browser(portal, user)
    data = form("double click", personal_tokens.new_submission())
    answers = at_once([lambda: browser.post(PAGE, data)] * TIMES)
    assert statuses(answers) == {200: TIMES}
    shown = [TOKEN.findall(body) for _status, body in answers]
    assert sorted(len(found) for found in shown) == [0] * (TIMES - 1) + [1]
    assert APIToken.objects.filter(user=user).count() == 1
    [plaintext] = next(found for found in shown if found)
    token = APIToken.objects.get(user=user)
    assert token.key_hash == APIToken.hash_token(plaintext.decode())
    assert AuditEntry.objects.filter(action=personal_tokens.CREATED, user=user).count() == 1

    status, body = send(
        "GET", f"{portal}/api/v3/me/", {"Authorization": f"Bearer {plaintext.decode()}"}
    )
    assert status == 200 and user.get_username().encode() in body


def test_many_forms_at_once_make_no_more_tokens_than_the_limit(portal, user, settings):
    settings.TRUSTPORTAL_API_TOKENS_PER_USER = 3
    browser = Browser(portal, user)
    sends = [
        (lambda n=n: browser.post(PAGE, form(f"script {n}", personal_tokens.new_submission())))
        for n in range(TIMES)
    ]
    answers = at_once(sends)
    assert statuses(answers) == {200: 3, 400: TIMES - 3}
    assert APIToken.objects.filter(user=user).count() == 3
    assert AuditEntry.objects.filter(action=personal_tokens.CREATED, user=user).count() == 3


def test_a_get_never_makes_a_token(portal, user):
    browser = Browser(portal, user)
    query = urlencode(form("by link", personal_tokens.new_submission()))
    status, body = browser.get(f"{PAGE}?{query}")
    assert status == 200 and TOKEN.findall(body) == []
    assert not APIToken.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_the_service_itself_refuses_a_lifetime_beyond_the_setting(settings, rf):
    # (Also what makes this module set up the test database when it runs alone.)
    settings.TRUSTPORTAL_API_TOKEN_MAX_DAYS = 30
    request = rf.post(PAGE)
    request.user = make_user(f"{factories.unique(PREFIX)}-service")
    with pytest.raises(ValueError):
        personal_tokens.create(
            request, name="too long", days=90, submission=personal_tokens.new_submission()
        )
    assert not APIToken.objects.filter(user=request.user).exists()
