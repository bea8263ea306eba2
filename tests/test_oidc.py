"""OpenID Connect sign-in against a real provider (the fixtures of tests/oidc/flows.py).

Forged ID tokens come from a token endpoint that forwards to the real one and swaps the token,
so every other part of those flows (state, code, PKCE, userinfo) is genuine.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client, RequestFactory

from cms.models import Membership, organization_of
from tests.conftest import make_user
from tests.oidc.flows import (
    RP,
    assert_refused,
    identity_of,
    sign_in,
    start,
    user_of,
)
from tests.oidc.harness import (
    CLIENT_ID,
    CLIENT_SECRET,
    KEY_ID,
    ProviderBrowser,
    TamperingTokenEndpoint,
)


def test_code_flow_with_pkce_signs_in_with_a_new_session_id(oidc, organizations, browser):
    client = Client()
    authorize = start(client, next_url="/en/search/")
    params = {key: values[0] for key, values in parse_qs(urlsplit(authorize).query).items()}
    assert authorize.startswith(oidc.config["authorization_endpoint"])
    assert params["response_type"] == "code" and params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) >= 43 and params["nonce"] and params["state"]
    session_before = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    callback = browser.authorize(authorize, "alice")
    assert browser.asked_to_sign_in
    response = client.get(callback)

    assert response.status_code == 302 and response["Location"] == "/en/search/"
    assert client.cookies[django_settings.SESSION_COOKIE_NAME].value != session_before
    user = user_of(client)
    assert user == identity_of(oidc, "alice").user
    assert (user.email, user.first_name, user.last_name) == ("alice@acme.test", "Alice", "Acme")
    assert not user.has_usable_password()
    assert organization_of(user) == organizations["acme"]  # by the org claim
    header = jwt.get_unverified_header(client.session["oidc_id_token"])
    assert header["alg"] == "RS256" and header["kid"] == KEY_ID


@pytest.mark.parametrize(
    "login, organization, approved, email",
    [
        ("bob", "globex", False, "bob@globex.test"),  # verified domain; Globex approves members
        ("carol", None, None, ""),  # same domain, unverified: no organization, address not kept
        ("dave", None, None, "dave@personal.test"),  # nothing matches: a personal account
    ],
)
def test_organization_from_verified_email_domain_or_none(
    oidc, organizations, browser, login, organization, approved, email
):
    client = Client()
    response, _callback = sign_in(client, browser, login)
    assert response.status_code == 302
    user = user_of(client)
    membership = Membership.objects.filter(user=user).first()
    if organization is None:
        assert membership is None
    else:
        assert membership.organization == organizations[organization]
        assert membership.approved is approved
    assert organization_of(user) is None  # unapproved members count as personal accounts
    assert user.email == email


def test_users_are_matched_by_subject_never_merged_by_email(oidc, browser):
    local = make_user("local-twin", email="twin@portal.test")
    first, _callback = sign_in(Client(), browser, "twin")
    assert first.status_code == 302
    created = identity_of(oidc, "twin").user
    assert created != local and created.email == local.email
    assert not local.oidc_identities.exists()

    client = Client()  # the same provider account again, from another browser
    response, _callback = sign_in(client, ProviderBrowser(RP), "twin")
    assert response.status_code == 302 and user_of(client) == created
    assert get_user_model().objects.filter(email="twin@portal.test").count() == 2


def test_logout_by_post_also_ends_the_provider_session(oidc, organizations, browser):
    client = Client()
    sign_in(client, browser, "alice")
    id_token = client.session["oidc_id_token"]
    # Signed in at the provider: another sign-in there passes without the form.
    browser.authorize(start(Client()), login=None)

    assert client.get("/oidc/logout/").status_code == 405
    response = client.post("/oidc/logout/")
    assert response.status_code == 302 and SESSION_KEY not in client.session
    end_session = response["Location"]
    assert end_session.startswith(oidc.config["end_session_endpoint"] + "?")
    query = parse_qs(urlsplit(end_session).query)
    assert query["id_token_hint"] == [id_token] and query["client_id"] == [CLIENT_ID]
    assert query["post_logout_redirect_uri"] == [f"{RP}/"]

    # The provider asks to confirm with a one-button form, then sends the browser back.
    page = browser.session.get(end_session, timeout=10)
    action = re.search(r'action="([^"]+)"', page.text).group(1)
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text).group(1)
    done = browser.session.post(
        urljoin(page.url, action), data={"xsrf": xsrf, "logout": "yes"}, allow_redirects=False
    )
    assert done.status_code in (302, 303) and done.headers["Location"] == f"{RP}/"

    with pytest.raises(AssertionError, match="asked to sign in again"):
        browser.authorize(start(Client()), login=None)


@pytest.mark.parametrize(
    "tamper, reason",
    [
        ({"state": "forged-state"}, "state-unknown"),
        ({"iss": "http://127.0.0.1:1"}, "issuer-mismatch"),  # RFC 9207 mix-up
    ],
    ids=["forged-state", "another-issuer"],
)
def test_a_tampered_callback_is_refused(oidc, browser, tamper, reason):
    client = Client()
    callback = browser.authorize(start(client), "dave")
    query = {key: values[0] for key, values in parse_qs(urlsplit(callback).query).items()}
    response = client.get("/oidc/callback/?" + urlencode({**query, **tamper}))
    assert_refused(response, reason)
    assert SESSION_KEY not in client.session and identity_of(oidc, "dave") is None


def test_a_callback_without_a_sign_in_in_this_browser_is_refused(oidc, browser):
    callback = browser.authorize(start(Client()), "dave")
    assert_refused(Client().get(callback), "state-unknown")  # someone else's answer


def test_a_replayed_callback_is_refused(oidc, browser):
    client = Client()
    response, callback = sign_in(client, browser, "dave")
    assert response.status_code == 302
    assert_refused(client.get(callback), "state-unknown")
    assert_refused(Client().get(callback), "state-unknown")


def test_a_replayed_code_is_refused_by_the_provider(oidc, browser, caplog):
    client = Client()
    callback = browser.authorize(start(client), "dave")
    state = parse_qs(urlsplit(callback).query)["state"][0]
    pending = client.session["oidc_states"][state]  # state, nonce and PKCE verifier
    assert client.get(callback).status_code == 302

    # Put the used state back, so only the provider's one-time code check can stop the replay.
    session = client.session
    session["oidc_states"] = {state: pending}
    session.save()
    with caplog.at_level(logging.WARNING):
        assert_refused(client.get(callback), "code-refused", status=403)
    # A reader's stale code, not the portal's configuration (see test_oidc_lifecycle.py).
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_a_code_carried_to_another_browser_fails_pkce(oidc, browser):
    stolen = parse_qs(urlsplit(browser.authorize(start(Client()), "dave")).query)["code"][0]
    attacker = Client()
    own_state = parse_qs(urlsplit(start(attacker)).query)["state"][0]
    response = attacker.get("/oidc/callback/", {"code": stolen, "state": own_state})
    assert_refused(response, "code-refused", status=403)
    assert SESSION_KEY not in attacker.session


def _unsigned(header: dict, claims: dict) -> str:
    def part(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({**header, 'alg': 'none'})}.{part(claims)}."


def _signed_by_another_key(header: dict, claims: dict) -> str:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": header["kid"]})


FORGERIES = {
    "alg-none": (_unsigned, "token-algorithm"),
    "hs256-with-client-secret": (
        lambda header, claims: jwt.encode(claims, CLIENT_SECRET, "HS256", {"kid": header["kid"]}),
        "token-algorithm",
    ),
    "another-key": (_signed_by_another_key, "token-signature"),
    "wrong-audience": ({"aud": "another-client"}, "token-audience"),
    "extra-audience-without-azp": ({"aud": [CLIENT_ID, "another-client"]}, "token-audience"),
    "expired": ({"exp": int(time.time()) - 600, "iat": int(time.time()) - 1200}, "token-expired"),
    "wrong-nonce": ({"nonce": "another-sign-in"}, "token-nonce"),
    "wrong-issuer": ({"iss": "http://127.0.0.1:1"}, "token-issuer"),
}


@pytest.fixture(scope="module")
def tampering(provider):
    with TamperingTokenEndpoint(provider.config["token_endpoint"]) as endpoint:
        yield endpoint


@pytest.mark.parametrize("forgery", [None, *FORGERIES], ids=["genuine-control", *FORGERIES])
def test_forged_id_tokens_are_refused(oidc, browser, tampering, settings, forgery):
    settings.OIDC_OP_TOKEN_ENDPOINT = tampering.url
    if forgery is None:  # the control: re-signed unchanged with the provider's key, accepted
        tampering.forge = lambda header, claims: oidc.sign(claims)
    else:
        forge, reason = FORGERIES[forgery]
        if isinstance(forge, dict):  # claims changed, signed with the provider's own key
            tampering.forge = lambda header, claims, changes=forge: oidc.sign({**claims, **changes})
        else:
            tampering.forge = forge
    client = Client()
    try:
        response, _callback = sign_in(client, browser, "dave")
    finally:
        tampering.forge = None
    if forgery is None:
        assert response.status_code == 302 and user_of(client) == identity_of(oidc, "dave").user
        return
    assert_refused(response, reason)
    assert SESSION_KEY not in client.session and identity_of(oidc, "dave") is None


def test_parallel_sign_ins_in_two_tabs_never_fail_with_500(oidc, organizations, browser):
    client = Client()
    first_tab, second_tab = start(client), start(client)  # two states in one session
    first_callback = browser.authorize(first_tab, "alice")
    second_callback = browser.authorize(second_tab, login=None)  # signed in at the provider now

    assert client.get(second_callback).status_code == 302
    assert client.get(first_callback).status_code == 302
    assert user_of(client) == identity_of(oidc, "alice").user
    assert_refused(client.get(first_callback), "state-unknown")


def test_an_error_answer_from_the_provider_is_explained(oidc, browser):
    client = Client()
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get("/oidc/callback/", {"error": "access_denied", "state": state})
    assert_refused(response, "provider-access_denied", status=403)
    # The state is spent: the answer cannot be followed by a code for the same sign-in.
    assert_refused(client.get("/oidc/callback/", {"code": "x", "state": state}), "state-unknown")

    # An error answer for no sign-in of ours (a link on another site) signs nobody out.
    sign_in(client, browser, "dave")
    response = client.get("/oidc/callback/", {"error": "access_denied", "state": "forged"})
    assert_refused(response, "state-unknown")
    assert user_of(client) == identity_of(oidc, "dave").user


def test_a_half_configured_provider_fails_the_system_checks(accounts_app, settings):
    from cms.accounts.checks import check_oidc_settings

    settings.TRUSTPORTAL_OIDC_ENABLED = True
    settings.OIDC_OP_ISSUER = ""
    assert "OIDC_OP_ISSUER" in " ".join(error.msg for error in check_oidc_settings())


def test_a_disabled_account_cannot_sign_in(oidc, browser):
    sign_in(Client(), browser, "dave")
    user = identity_of(oidc, "dave").user
    user.is_active = False
    user.save(update_fields=["is_active"])
    client = Client()
    response, _callback = sign_in(client, browser, "dave")
    assert_refused(response, "account-disabled", status=403)
    assert SESSION_KEY not in client.session


def test_the_local_login_form_never_runs_the_code_flow(oidc):
    from cms.accounts.backends import OIDCBackend

    request = RequestFactory().post("/en/accounts/login/?code=stolen&state=any")
    request.session = {}
    assert OIDCBackend().authenticate(request, username="dave", password="x") is None


def test_the_views_answer_404_until_a_provider_is_configured(client, settings, db):
    settings.TRUSTPORTAL_OIDC_ENABLED = False
    for path in ("/oidc/authenticate/", "/oidc/callback/", "/oidc/logout/"):
        # As for any unknown path, the locale middleware first tries the /en/ prefixed one.
        assert client.get(path, follow=True).status_code == 404
        assert client.post(path, follow=True).status_code == 404


def test_sso_sign_ins_are_never_refused_by_the_sign_in_limits(oidc, organizations, settings):
    """An office behind one address: its SSO sign-ins count against no limit, not even once the
    address is locked by wrong passwords, and no callback is refused after the provider has
    signed the user in."""
    settings.TRUSTPORTAL_RATE_LIMITS = {"sign_in": (1, 900), "sign_in_address": (1, 900)}
    guesser = Client()
    wrong = {"username": "alice", "password": "wrong"}
    assert guesser.post("/en/accounts/login/", wrong).status_code == 200
    assert guesser.post("/en/accounts/login/", wrong).status_code == 429  # the address is locked

    for _colleague in range(6):
        client = Client()
        response, _callback = sign_in(client, ProviderBrowser(RP), "alice")
        assert response.status_code == 302 and response["Location"] == "/en/"
        assert user_of(client) == identity_of(oidc, "alice").user

    # A failed callback (here a replay) is refused for what it is, never for a limit, and
    # costs nothing either.
    client = Client()
    response, callback = sign_in(client, ProviderBrowser(RP), "alice")
    assert response.status_code == 302
    assert_refused(client.get(callback), "state-unknown")
    assert sign_in(Client(), ProviderBrowser(RP), "alice")[0].status_code == 302
