"""Personal API tokens on the reader site's account page: made with a name and an expiry, shown
once, kept as a digest; they read through the API what their user may read, and stop working
when revoked or expired. Limits: tokens per user, the longest lifetime, CSRF, POST only, one
token per form however often it is sent, and an audit entry for each token made and revoked."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from wagtail.models import APIToken

from cms.accounts import personal_tokens
from cms.accounts.models import PersonalAPIToken
from cms.audit import AuditEntry
from tests import factories
from tests.helpers import client_for
from tests.html_forms import form_with_button

pytestmark = pytest.mark.django_db

PAGE = "/en/accounts/api-tokens/"
TOKEN = re.compile(r"wagtail_[0-9A-Za-z]{20,}")


def form_data(client, name="CI pipeline", lifetime=90) -> dict:
    """What the page's form posts (its hidden submission id), with a name and a lifetime."""
    form = form_with_button(client.get(PAGE).content.decode(), "Make token")
    return {**form.data("Make token"), "name": name, "lifetime": str(lifetime)}


def make_token(client, **kwargs) -> str:
    response = client.post(PAGE, form_data(client, **kwargs))
    assert response.status_code == 200, response.content.decode()[:2000]
    [plaintext] = TOKEN.findall(response.content.decode())
    return plaintext


def row_of(html: str, token) -> str:
    """The token's row of the page's list ("" when it is not listed)."""
    found = re.search(rf'<tr data-token="{token.pk}">(.*?)</tr>', html, re.S)
    return found.group(1) if found else ""


def api(path, plaintext):
    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def test_the_page_is_for_signed_in_users_and_linked_from_the_account_menu(demo_users):
    response = client_for(None).get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    home = client_for(demo_users["personal"]).get("/en/").content.decode()
    account = home[home.index('<div class="account">') :]
    assert f'<a href="{PAGE}">API tokens</a>' in account[: account.index("</div>")]
    page = client_for(demo_users["personal"]).get(PAGE)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert "You have no API tokens." in page.content.decode()


def test_a_token_is_shown_once_kept_as_a_digest_and_reads_as_its_user(demo_users):
    user = demo_users["reader"]
    client = client_for(user)
    response = client.post(PAGE, form_data(client, name="CI pipeline", lifetime=30))
    html = response.content.decode()
    [plaintext] = TOKEN.findall(html)
    assert "no-store" in response["Cache-Control"]
    assert "Copy it now: it is shown only once." in html

    token = APIToken.objects.get(user=user, name="CI pipeline")
    assert token.key_hash == APIToken.hash_token(plaintext) and plaintext not in token.key_hash
    assert token.personal.expires_at - timezone.now() == pytest.approx(
        timedelta(days=30), abs=timedelta(minutes=5)
    )
    # Never again: the page lists the token by its name and prefix.
    listed = client.get(PAGE).content.decode()
    assert plaintext not in listed and TOKEN.findall(listed) == []
    row = row_of(listed, token)
    assert "CI pipeline" in row and f"{token.prefix}…" in row and "never" in row

    me = api("/api/v3/me/", plaintext)
    assert me.status_code == 200
    assert me.json()["username"] == "reader" and me.json()["organization"] == "Example Bank"
    token.refresh_from_db()
    assert token.last_used_at is not None
    row = row_of(client.get(PAGE).content.decode(), token)
    assert "CI pipeline" in row and "never" not in row  # the last use is shown

    entry = AuditEntry.objects.filter(action=personal_tokens.CREATED).latest("sequence")
    assert entry.username == "reader" and entry.detail["token_id"] == token.pk
    assert entry.detail["name"] == "CI pipeline" and entry.detail["prefix"] == token.prefix
    assert plaintext not in str(entry.detail)


def test_a_token_reads_what_its_user_may_read_and_nothing_more(users):
    secret = factories.document("restricted", organizations=[users["customer_org"]])
    url = f"/api/v3/trust-documents/{secret.slug}/"
    member = make_token(client_for(users["member"]))
    outsider = make_token(client_for(users["personal"]))
    assert api(url, member).status_code == 200
    assert api(url, outsider).status_code == 404
    assert api("/api/v3/me/", outsider).json()["username"] == "t-personal"


def test_revoking_stops_the_token_and_is_audited_once(demo_users):
    client = client_for(demo_users["personal"])
    plaintext = make_token(client)
    token = APIToken.objects.get(key_hash=APIToken.hash_token(plaintext))
    revoke = f"/en/accounts/api-tokens/{token.pk}/revoke/"
    assert client.get(revoke).status_code == 405  # POST only
    assert api("/api/v3/me/", plaintext).status_code == 200

    response = client.post(revoke)
    assert response.status_code == 302 and response["Location"] == PAGE
    refused = api("/api/v3/me/", plaintext)
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused["WWW-Authenticate"]
    assert f'data-token="{token.pk}"' not in client.get(PAGE).content.decode()

    again = client.post(revoke)
    assert again.status_code == 302
    revocations = AuditEntry.objects.filter(action=personal_tokens.REVOKED)
    assert [e.detail["token_id"] for e in revocations if e.username == "personal"] == [token.pk]


def test_nobody_revokes_another_users_token(demo_users):
    plaintext = make_token(client_for(demo_users["reader"]))
    token = APIToken.objects.get(key_hash=APIToken.hash_token(plaintext))
    other = client_for(demo_users["personal"])
    assert other.post(f"/en/accounts/api-tokens/{token.pk}/revoke/").status_code == 404
    assert other.post("/en/accounts/api-tokens/99999999999999999999/revoke/").status_code == 404
    assert api("/api/v3/me/", plaintext).status_code == 200


def test_an_expired_token_is_refused_and_shown_as_expired(demo_users):
    client = client_for(demo_users["personal"])
    plaintext = make_token(client, name="Old script", lifetime=7)
    token = APIToken.objects.get(key_hash=APIToken.hash_token(plaintext))
    PersonalAPIToken.objects.filter(token=token).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    used_before = APIToken.objects.get(pk=token.pk).last_used_at
    refused = api("/api/v3/me/", plaintext)
    assert refused.status_code == 401
    assert refused["Content-Type"].startswith("application/problem+json")
    # Wagtail's own endpoints never see it either.
    assert api("/api/v3/pages/", plaintext).status_code == 401
    assert APIToken.objects.get(pk=token.pk).last_used_at == used_before
    assert "expired" in row_of(client.get(PAGE).content.decode(), token)


def test_tokens_staff_made_do_not_expire_and_are_listed(demo_users):
    user = demo_users["personal"]
    token, plaintext = APIToken.create_token(user=user, name="made by staff")
    APIToken.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=3000))
    assert api("/api/v3/me/", plaintext).status_code == 200
    row = row_of(client_for(user).get(PAGE).content.decode(), token)
    assert "made by staff" in row and "never" in row


def test_a_form_sent_twice_makes_one_token(demo_users):
    client = client_for(demo_users["personal"])
    data = form_data(client, name="Double click")
    first = client.post(PAGE, data)
    second = client.post(PAGE, data)
    assert first.status_code == second.status_code == 200
    assert len(TOKEN.findall(first.content.decode())) == 1
    assert TOKEN.findall(second.content.decode()) == []
    assert "This form had made its token already" in second.content.decode()
    assert APIToken.objects.filter(user=demo_users["personal"], name="Double click").count() == 1
    made = AuditEntry.objects.filter(action=personal_tokens.CREATED, username="personal")
    assert made.count() == 1


def test_csrf_is_required(demo_users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_users["personal"])
    data = {**form_data(client), "csrfmiddlewaretoken": "forged"}
    assert client.post(PAGE, data).status_code == 403
    assert not APIToken.objects.filter(user=demo_users["personal"]).exists()

    plaintext = make_token(client_for(demo_users["personal"]))
    token = APIToken.objects.get(key_hash=APIToken.hash_token(plaintext))
    revoke = f"/en/accounts/api-tokens/{token.pk}/revoke/"
    assert client.post(revoke, {"csrfmiddlewaretoken": "forged"}).status_code == 403
    assert api("/api/v3/me/", plaintext).status_code == 200


def test_a_user_has_at_most_the_allowed_number_of_working_tokens(settings, demo_users):
    settings.TRUSTPORTAL_API_TOKENS_PER_USER = 2
    user = demo_users["personal"]
    client = client_for(user)
    first = make_token(client, name="one")
    make_token(client, name="two")
    page = client.get(PAGE).content.decode()
    assert "You have 2 working tokens, the most you may have" in page
    refused = client.post(PAGE, form_data(client, name="three"))
    assert refused.status_code == 400
    assert "revoke one to make another" in refused.content.decode()
    assert TOKEN.findall(refused.content.decode()) == []
    assert not APIToken.objects.filter(user=user, name="three").exists()

    # A revoked or an expired token no longer counts.
    one = APIToken.objects.get(key_hash=APIToken.hash_token(first))
    client.post(f"/en/accounts/api-tokens/{one.pk}/revoke/")
    make_token(client, name="three")
    PersonalAPIToken.objects.filter(token__user=user, token__name="two").update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    make_token(client, name="four")
    assert personal_tokens.working(APIToken.objects.filter(user=user)).count() == 2


@pytest.mark.parametrize("lifetime", ["400", "3650", "0", "-7", "ninety", ""])
def test_a_token_lasts_at_most_a_year(demo_users, lifetime):
    client = client_for(demo_users["personal"])
    response = client.post(PAGE, {**form_data(client), "lifetime": lifetime})
    assert response.status_code == 400
    assert not APIToken.objects.filter(user=demo_users["personal"]).exists()


def test_the_longest_lifetime_follows_the_setting(settings, demo_users):
    settings.TRUSTPORTAL_API_TOKEN_MAX_DAYS = 30
    client = client_for(demo_users["personal"])
    page = client.get(PAGE).content.decode()
    assert re.findall(r'<option value="(\d+)"', page) == ["7", "30"]
    assert client.post(PAGE, form_data(client, lifetime=90)).status_code == 400
    make_token(client, lifetime=30)


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "two\nlines"])
def test_a_token_needs_a_short_one_line_name(demo_users, name):
    client = client_for(demo_users["personal"])
    response = client.post(PAGE, {**form_data(client), "name": name})
    assert response.status_code == 400
    assert not APIToken.objects.filter(user=demo_users["personal"]).exists()


def test_an_inactive_users_token_is_refused(demo_users):
    user = demo_users["personal"]
    plaintext = make_token(client_for(user))
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert api("/api/v3/me/", plaintext).status_code == 401
