"""The portal and a real OpenID Connect provider (tests/oidc/provider.mjs, npm oidc-provider),
as fixtures: the provider runs as a node process on 127.0.0.1 (one per test module); the
portal's side is Django's test client, so everything a sign-in writes stays inside each test's
transaction on SQLite and PostgreSQL. Registered in tests/conftest.py (``pytest_plugins``)."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model

from cms.models import Organization
from tests.oidc.harness import CLIENT_ID, CLIENT_SECRET, ProviderBrowser, running_provider

RP = "http://testserver"
ACCOUNTS = {
    "alice": {
        "email": "alice@acme.test",
        "email_verified": True,
        "name": "Alice Acme",
        "org": "acme",
    },
    "bob": {"email": "bob@globex.test", "email_verified": True, "name": "Bob Globex"},
    "carol": {"email": "carol@globex.test", "email_verified": False, "name": "Carol Claims"},
    "dave": {"email": "dave@personal.test", "email_verified": True, "name": "Dave Personal"},
    "twin": {"email": "twin@portal.test", "email_verified": True, "name": "Someone Else"},
}


@pytest.fixture(scope="module")
def accounts_app():
    # Not an override: changing INSTALLED_APPS re-runs every app's ready(), which Wagtail refuses.
    from django.apps import apps

    if not apps.is_installed("cms.accounts"):
        pytest.fail("cms.accounts must be in INSTALLED_APPS (its identity table is migrated)")


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    with running_provider(
        tmp_path_factory.mktemp("oidc"),
        accounts=ACCOUNTS,
        redirect_uri=f"{RP}/oidc/callback/",
        after_logout=f"{RP}/",
    ) as running:
        yield running


@pytest.fixture
def oidc(accounts_app, provider, settings, db):
    """What a deployment puts in the environment; the rest comes from sites/settings/base.py."""
    config = provider.config
    settings.TRUSTPORTAL_OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = config["issuer"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = config["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = config["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = config["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = config["jwks_uri"]
    settings.OIDC_OP_LOGOUT_ENDPOINT = config["end_session_endpoint"]
    settings.AUTHENTICATION_BACKENDS = [
        "cms.accounts.backends.OIDCBackend",
        "cms.accounts.backends.PasswordBackend",
    ]
    # A test may change what the provider says of its users; the next test starts afresh.
    with provider.directory_restored():
        yield provider


@pytest.fixture
def organizations(db):
    return {
        "acme": Organization.objects.create(
            name="Acme OIDC", slug="acme-oidc", oidc_claim_value="acme"
        ),
        "globex": Organization.objects.create(
            name="Globex OIDC",
            slug="globex-oidc",
            email_domains="globex.test",
            requires_approval=True,
        ),
    }


@pytest.fixture
def browser():
    return ProviderBrowser(RP)


def start(client, next_url="/en/") -> str:
    """The portal's redirect to the provider's authorization endpoint."""
    response = client.get("/oidc/authenticate/", {"next": next_url})
    assert response.status_code == 302
    return response["Location"]


def sign_in(client, browser, login):
    callback = browser.authorize(start(client), login)
    return client.get(callback), callback


def user_of(client):
    user_id = client.session.get(SESSION_KEY)
    return get_user_model().objects.get(pk=user_id) if user_id else None


def assert_refused(response, reason, status=400):
    assert response.status_code == status, response.content[:500]
    html = response.content.decode()
    assert f'data-reason="{reason}"' in html
    assert "Sign in again" in html


def identity_of(provider, login):
    from cms.accounts.models import OidcIdentity

    return OidcIdentity.objects.filter(issuer=provider.issuer, subject=login).first()
