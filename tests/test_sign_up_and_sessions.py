"""Self-service sign-up with e-mail verification, and session hygiene."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from cms.models import Membership, Organization, PortalSettings

PASSWORD = "a-long-Unusual-passphrase-42"


@pytest.fixture
def sign_up_enabled(db):
    portal_settings = PortalSettings.load()
    portal_settings.allow_sign_up = True
    portal_settings.save()
    return portal_settings


def sign_up(client, email, name="Sam Prospect"):
    mail.outbox.clear()
    response = client.post(
        "/en/accounts/sign-up/", {"full_name": name, "email": email, "password": PASSWORD}
    )
    link = (
        re.search(r"http://testserver(/en/accounts/verify/\S+/)", mail.outbox[0].body).group(1)
        if mail.outbox
        else None
    )
    return response, link


@pytest.mark.django_db
def test_sign_up_is_off_unless_an_administrator_enables_it():
    assert Client().get("/en/accounts/sign-up/").status_code == 404


@pytest.mark.django_db
def test_a_verified_domain_joins_its_organization(users, sign_up_enabled):
    client = Client()
    response, link = sign_up(client, "Sam@Customer.test")
    assert response.status_code == 200 and "Check your e-mail" in response.content.decode()
    user = get_user_model().objects.get(email="sam@customer.test")
    assert not user.is_active
    # Not yet verified: the password does not sign in.
    assert not Client().login(username="sam@customer.test", password=PASSWORD)
    assert client.get(link).status_code == 302
    user.refresh_from_db()
    assert user.is_active
    assert Membership.objects.get(user=user).organization == users["customer_org"]
    assert Membership.objects.get(user=user).approved
    # A link works once.
    assert Client().get(link).status_code == 400


@pytest.mark.django_db
def test_the_link_points_at_the_portal_whatever_host_the_request_names(sign_up_enabled, settings):
    """A forged Host header must not put the attacker's site in the victim's verification mail."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.example"]
    settings.TRUSTPORTAL_BASE_URL = "https://portal.example"
    mail.outbox.clear()
    Client(HTTP_HOST="evil.example").post(
        "/en/accounts/sign-up/",
        {"full_name": "Sam", "email": "sam@customer.test", "password": PASSWORD},
        HTTP_X_FORWARDED_HOST="evil.example",
    )
    [message] = mail.outbox
    assert "https://portal.example/en/accounts/verify/" in message.body
    assert "evil.example" not in message.body


@pytest.mark.django_db
def test_organizations_may_require_approval(users, sign_up_enabled):
    Organization.objects.filter(pk=users["customer_org"].pk).update(requires_approval=True)
    _response, link = sign_up(Client(), "pat@customer.test")
    Client().get(link)
    assert not Membership.objects.get(user__email="pat@customer.test").approved


@pytest.mark.django_db
def test_other_addresses_get_a_personal_account(sign_up_enabled):
    _response, link = sign_up(Client(), "someone@gmail.example")
    Client().get(link)
    user = get_user_model().objects.get(email="someone@gmail.example")
    assert user.is_active and not Membership.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_bad_input_and_tampered_links(users, sign_up_enabled):
    client = Client()
    weak = client.post(
        "/en/accounts/sign-up/", {"full_name": "A", "email": "a@b.example", "password": "123"}
    )
    assert weak.status_code == 400
    taken = client.post(
        "/en/accounts/sign-up/",
        {"full_name": "A", "email": "rita.reader@bank.example", "password": PASSWORD},
    )
    assert taken.status_code == 400 and "exists" in taken.content.decode()
    assert client.get("/en/accounts/verify/forged-token/").status_code == 400


@pytest.mark.django_db
def test_login_changes_the_session_id_and_next_stays_on_site(users):
    client = Client()
    session = client.session  # an anonymous session exists before signing in
    session["probe"] = 1
    session.save()
    client.cookies["sessionid"] = before = session.session_key
    response = client.post(
        "/en/accounts/login/?next=https://evil.example/",
        {"username": "t-member", "password": "pw-t-member", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.cookies["sessionid"].value not in {"", before}
    ok = Client().post(
        "/en/accounts/login/",
        {"username": "t-member", "password": "pw-t-member", "next": "/en/search/"},
    )
    assert ok["Location"] == "/en/search/"


@pytest.mark.django_db
def test_disabling_a_user_ends_their_sessions(users):
    client = Client()
    assert client.login(username="t-member", password="pw-t-member")
    assert "Sign out" in client.get("/en/").content.decode()
    get_user_model().objects.filter(username="t-member").update(is_active=False)
    assert "Sign out" not in client.get("/en/").content.decode()
