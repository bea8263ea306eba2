"""Password reset on the reader site, over HTTP: the mail, the link, the new password; the same
answer whatever the address; rate limits; links built from TRUSTPORTAL_BASE_URL whatever Host
the request names; the reader's language; a link works once and ends every session."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from tests.helpers import make_user

ASK = "/en/accounts/password-reset/"
SENT = "/en/accounts/password-reset/sent/"
LOGIN = "/en/accounts/login/"
NEW_PASSWORD = "a-long-Unusual-passphrase-42"
#: The link in the mail: its origin, and its path (language, user id, token).
LINK = re.compile(r"(https?://[^/\s]+)(/(\w\w)/accounts/reset/([^/\s]+)/([^/\s]+)/)")


@pytest.fixture
def reader(db):
    return make_user("r-reset", email="Rosa.Reset@reset.test", first_name="Rosa")


def ask_for_reset(email, language="en", client=None, **headers):
    mail.outbox.clear()
    url = f"/{language}/accounts/password-reset/"
    return (client or Client()).post(url, {"email": email}, **headers)


def link_in(message) -> re.Match:
    found = LINK.search(message.body)
    assert found, message.body
    return found


def open_link(client, path):
    """Follow the mailed link: Django's view keeps the token in the session and sends the
    browser on to a URL without it."""
    opened = client.get(path)
    assert opened.status_code == 302, opened.status_code
    return opened["Location"]


def choose(client, form_url, password=NEW_PASSWORD):
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def reset_password(user, client=None, password=NEW_PASSWORD):
    """The whole flow for ``user``, from asking to the new password; the mailed link's path."""
    client = client or Client()
    assert ask_for_reset(user.email, client=client).status_code == 302
    path = link_in(mail.outbox[0]).group(2)
    done = choose(client, open_link(client, path), password)
    assert done.status_code == 302 and done["Location"] == "/en/accounts/reset/done/"
    return path


def signs_in(username, password) -> bool:
    response = Client().post(LOGIN, {"username": username, "password": password})
    return response.status_code == 302


@pytest.mark.django_db
def test_a_reader_resets_a_forgotten_password(reader):
    client = Client()
    sign_in_page = client.get(LOGIN).content.decode()
    assert f'href="{ASK}"' in sign_in_page and "Forgot your password?" in sign_in_page
    assert client.get(ASK).status_code == 200

    asked = ask_for_reset("rosa.reset@RESET.test", client=client)  # any case finds the account
    assert asked.status_code == 302 and asked["Location"] == SENT
    assert "Check your e-mail" in client.get(SENT).content.decode()
    [message] = mail.outbox
    assert message.to == ["Rosa.Reset@reset.test"]
    assert message.subject == "Reset your Trust Portal password"
    assert "Hello Rosa" in message.body and "Your user name: r-reset" in message.body
    assert "within 72 hours" in message.body  # Django's PASSWORD_RESET_TIMEOUT, three days
    link = link_in(message)
    assert link.group(1) == "http://testserver"  # TRUSTPORTAL_BASE_URL of the test settings

    # The page with the form has no token in its URL, so no Referer can carry it away.
    form_url = open_link(client, link.group(2))
    token = link.group(5)
    assert form_url == f"/en/accounts/reset/{link.group(4)}/set-password/"
    form_page = client.get(form_url)
    page = form_page.content.decode()
    assert form_page.status_code == 200 and token not in page
    assert "Choose a new password" in page
    # What the validators ask for, as the list Django builds (not escaped into text).
    assert "<li>Your password must contain at least 8 characters.</li>" in page

    # Django's password validators apply.
    weak = choose(client, form_url, "12345678")
    assert weak.status_code == 200 and "too common" in weak.content.decode()
    # (Checked in the database: signing in would change last_login, which voids the link.)
    assert get_user_model().objects.get(pk=reader.pk).check_password("pw-r-reset")

    done = choose(client, form_url)
    assert done.status_code == 302 and done["Location"] == "/en/accounts/reset/done/"
    complete = client.get(done["Location"])
    assert "Password changed" in complete.content.decode()
    assert f'href="{LOGIN}"' in complete.content.decode()
    assert signs_in("r-reset", NEW_PASSWORD)
    assert not signs_in("r-reset", "pw-r-reset")


@pytest.mark.django_db
def test_every_address_gets_the_same_answer_and_only_usable_accounts_get_mail(reader):
    make_user("r-inactive", email="inactive@reset.test", is_active=False)
    single_sign_on = make_user("r-oidc", email="oidc@reset.test")
    single_sign_on.set_unusable_password()  # how OpenID Connect accounts are made
    single_sign_on.save()

    def answer(email):
        response = ask_for_reset(email)
        return response.status_code, response["Location"], len(mail.outbox)

    assert answer(reader.email) == (302, SENT, 1)
    for email in ("nobody@reset.test", "inactive@reset.test", "oidc@reset.test"):
        assert answer(email) == (302, SENT, 0), email
    # Not an address at all: the form says so, and nothing is looked up.
    not_an_address = ask_for_reset("not-an-address")
    assert not_an_address.status_code == 400 and not mail.outbox


@pytest.mark.django_db
def test_a_link_works_once_and_not_after_it_expires_or_its_account_is_disabled(reader, settings):
    used = reset_password(reader)
    refused = Client().get(used)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "This link does not work" in page and f'href="{ASK}"' in page
    assert Client().get("/en/accounts/reset/MQ/made-up-token/").status_code == 400

    ask_for_reset(reader.email)
    expiring = link_in(mail.outbox[0]).group(2)
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link made so far is too old
    assert Client().get(expiring).status_code == 400

    settings.PASSWORD_RESET_TIMEOUT = 3600
    ask_for_reset(reader.email)
    client = Client()
    form_url = open_link(client, link_in(mail.outbox[0]).group(2))
    get_user_model().objects.filter(pk=reader.pk).update(is_active=False)
    assert choose(client, form_url).status_code == 400


@pytest.mark.django_db
def test_a_reset_ends_every_session_and_clears_the_sign_in_lock(reader, settings):
    settings.TRUSTPORTAL_RATE_LIMITS = {**settings.TRUSTPORTAL_RATE_LIMITS, "sign_in": (2, 900)}
    signed_in = Client()
    signing_in = signed_in.post(LOGIN, {"username": "r-reset", "password": "pw-r-reset"})
    assert signing_in.status_code == 302
    assert "Sign out" in signed_in.get("/en/").content.decode()
    # Someone guesses until the account is locked: the right password is refused too.
    for guess in ("guess-1", "guess-2"):
        assert not signs_in("r-reset", guess)
    locked = Client().post(LOGIN, {"username": "r-reset", "password": "pw-r-reset"})
    assert locked.status_code == 429

    reset_password(reader)
    assert "Sign out" not in signed_in.get("/en/").content.decode()
    assert signs_in("r-reset", NEW_PASSWORD)


@pytest.mark.django_db
def test_requests_are_limited_per_mailbox_and_per_client_address(reader, settings):
    settings.TRUSTPORTAL_RATE_LIMITS = {
        **settings.TRUSTPORTAL_RATE_LIMITS,
        "password_reset": (3, 3600),
        "password_reset_email": (2, 3600),
    }

    def from_address(address, email):
        return ask_for_reset(email, client=Client(REMOTE_ADDR=address)).status_code

    # One mailbox, from many client addresses: known or not, the third request is refused.
    for email in (reader.email, "nobody@reset.test"):
        codes = [from_address(f"192.0.2.{n}", email) for n in (1, 2, 3)]
        assert codes == [302, 302, 429], email
    refused = ask_for_reset(reader.email.upper(), client=Client(REMOTE_ADDR="192.0.2.4"))
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert "Too many attempts" in refused.content.decode() and not mail.outbox

    # One client address, many mailboxes: the fourth request is refused, another address not.
    codes = [from_address("198.51.100.7", f"someone-{n}@reset.test") for n in range(4)]
    assert codes == [302, 302, 302, 429]
    assert from_address("198.51.100.8", "someone-9@reset.test") == 302


@pytest.mark.django_db
def test_a_forged_host_never_reaches_the_mail(reader, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.example"]
    settings.TRUSTPORTAL_BASE_URL = "https://portal.example"
    client = Client()
    asked = ask_for_reset(
        reader.email,
        client=client,
        HTTP_HOST="evil.example",
        HTTP_X_FORWARDED_HOST="evil.example",
    )
    assert asked.status_code == 302
    [message] = mail.outbox
    assert link_in(message).group(1) == "https://portal.example"
    assert "evil.example" not in message.body
    # The link leads to the form all the same.
    assert client.get(open_link(client, link_in(message).group(2))).status_code == 200


@pytest.mark.django_db
def test_a_german_reader_gets_german_pages_and_a_german_mail(reader):
    client = Client()
    sign_in_page = client.get("/de/accounts/login/").content.decode()
    assert 'href="/de/accounts/password-reset/"' in sign_in_page
    assert "Passwort vergessen?" in sign_in_page
    assert "Passwort zurücksetzen" in client.get("/de/accounts/password-reset/").content.decode()

    asked = ask_for_reset(reader.email, language="de", client=client)
    assert asked["Location"] == "/de/accounts/password-reset/sent/"
    assert "Prüfen Sie Ihre E-Mails" in client.get(asked["Location"]).content.decode()
    [message] = mail.outbox
    assert message.subject == "Setzen Sie Ihr Trust-Portal-Passwort zurück"
    assert "Guten Tag Rosa" in message.body and "72 Stunden" in message.body
    link = link_in(message)
    assert link.group(3) == "de"
    form_page = client.get(open_link(client, link.group(2)))
    assert "Neues Passwort wählen" in form_page.content.decode()
