"""Rate limits as deployed: sign-in counts failures only (per account and per address), the API
is throttled per address and per token, and every process counts in one shared store.

(OpenID Connect sign-ins against the real provider: tests/test_oidc.py.)"""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client

from tests.helpers import bearer, make_user, run_python
from tests.workers import database_url

ROOT = Path(__file__).resolve().parents[1]
LOGIN = "/en/accounts/login/"


def sign_in(username: str, password: str, address: str = "127.0.0.1"):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


def right(username: str) -> str:
    return f"pw-{username}"  # tests.helpers.make_user's password


@pytest.fixture
def limits(settings):
    def set_limits(**limits):
        settings.TRUSTPORTAL_RATE_LIMITS = {**settings.TRUSTPORTAL_RATE_LIMITS, **limits}

    return set_limits


# --- sign-in ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_successful_sign_ins_from_one_address_are_never_refused(limits):
    limits(sign_in=(2, 900), sign_in_address=(2, 900))
    colleagues = [make_user(f"office-{n}") for n in range(3)]
    codes = [sign_in(user.username, right(user.username)).status_code for user in colleagues * 3]
    assert codes == [302] * 9


@pytest.mark.django_db
def test_failed_sign_ins_lock_the_account_from_any_address(limits):
    limits(sign_in=(3, 900), sign_in_address=(100, 900))
    make_user("target")
    make_user("colleague")
    assert [sign_in("target", f"guess-{n}").status_code for n in range(3)] == [200] * 3

    locked = sign_in("target", right("target"))  # the right password does not get in either
    assert locked.status_code == 429 and locked["Retry-After"] == "900"
    assert "Too many attempts" in locked.content.decode()
    assert sign_in("Target", right("target"), address="10.9.8.7").status_code == 429
    # The address is not locked: someone else there signs in.
    assert sign_in("colleague", right("colleague")).status_code == 302


@pytest.mark.django_db
def test_the_admin_sign_in_shares_the_limits_of_the_reader_site(limits):
    """The same accounts sign in at /admin/login/: guessing there counts, and is locked, too."""
    limits(sign_in=(3, 900), sign_in_address=(100, 900))
    make_user("staff-target", is_staff=True)
    admin = "/admin/login/"
    codes = [
        Client().post(admin, {"username": "staff-target", "password": f"guess-{n}"}).status_code
        for n in range(2)
    ]
    codes.append(sign_in("staff-target", "guess-reader-site").status_code)
    locked = Client().post(admin, {"username": "staff-target", "password": right("staff-target")})
    assert codes == [200, 200, 200] and locked.status_code == 429
    assert sign_in("staff-target", right("staff-target")).status_code == 429


@pytest.mark.django_db
def test_a_successful_sign_in_clears_its_account_failures(limits):
    limits(sign_in=(3, 900), sign_in_address=(100, 900))
    make_user("forgetful")
    codes = [sign_in("forgetful", "typo").status_code for _ in range(2)]
    codes.append(sign_in("forgetful", right("forgetful")).status_code)
    codes += [sign_in("forgetful", "typo").status_code for _ in range(2)]
    codes.append(sign_in("forgetful", right("forgetful")).status_code)
    assert codes == [200, 200, 302, 200, 200, 302]


@pytest.mark.django_db
def test_failed_sign_ins_lock_the_address_for_every_account(limits):
    limits(sign_in=(100, 900), sign_in_address=(3, 900))
    for name in ("sprayed-1", "sprayed-2", "bystander"):
        make_user(name)
    address = "198.51.100.7"
    codes = [
        sign_in("sprayed-1", "Winter2026!", address).status_code,
        sign_in("sprayed-1", right("sprayed-1"), address).status_code,  # successes cost nothing
        sign_in("sprayed-2", "Winter2026!", address).status_code,
        sign_in("sprayed-2", right("sprayed-2"), address).status_code,
        sign_in("no-such-user", "Winter2026!", address).status_code,
    ]
    assert codes == [200, 302, 200, 302, 200]
    assert sign_in("bystander", right("bystander"), address).status_code == 429
    assert sign_in("bystander", right("bystander"), "198.51.100.8").status_code == 302


# --- the API ----------------------------------------------------------------------------------


@pytest.fixture
def api_rates(settings):
    settings.TRUSTPORTAL_API_THROTTLE_RATES = {"anonymous": "3/hour", "authenticated": "4/hour"}


def assert_throttled(response):
    assert response.status_code == 429, response.content[:300]
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["status"] == 429
    assert 0 < int(response["Retry-After"]) <= 3600


@pytest.mark.django_db
def test_anonymous_api_callers_are_throttled_per_address(api_rates):
    caller = Client(REMOTE_ADDR="203.0.113.5")
    paths = ["/api/v3/taxonomy/", "/api/v3/trust-documents/", "/api/v3/pages/"]
    assert [caller.get(path).status_code for path in paths] == [200, 200, 200]
    assert_throttled(caller.get("/api/v3/taxonomy/"))
    # A made-up X-Forwarded-For is no new address (no proxy is trusted: the default).
    assert_throttled(caller.get("/api/v3/taxonomy/", HTTP_X_FORWARDED_FOR="192.0.2.44"))
    assert Client(REMOTE_ADDR="203.0.113.6").get("/api/v3/taxonomy/").status_code == 200


@pytest.mark.django_db
def test_api_token_callers_are_throttled_per_token(api_rates, users):
    first, second = bearer(users["member"]), bearer(users["member"])
    caller = Client(REMOTE_ADDR="203.0.113.9")
    assert [caller.get("/api/v3/me/", **first).status_code for _ in range(4)] == [200] * 4
    assert_throttled(caller.get("/api/v3/me/", **first))
    # Another token has a budget of its own, and tokens never use the address's.
    assert caller.get("/api/v3/me/", **second).status_code == 200
    assert [caller.get("/api/v3/taxonomy/").status_code for _ in range(3)] == [200] * 3


@pytest.mark.django_db
def test_requests_with_bad_tokens_are_limited_per_address(limits, users):
    """A bad token is answered 401 before any throttle counts a caller; guessing tokens from
    one address is limited on its own."""
    limits(api_bad_token=(3, 3600))
    from wagtail.models import APIToken

    guesser = Client(REMOTE_ADDR="203.0.113.20")
    guesses = [
        guesser.get("/api/v3/me/", HTTP_AUTHORIZATION=f"Bearer {APIToken.generate_token()}")
        for _ in range(4)
    ]
    assert [g.status_code for g in guesses[:3]] == [401] * 3
    assert_throttled(guesses[3])
    # Another address is not limited; a valid token from the same address is served.
    other = Client(REMOTE_ADDR="203.0.113.21")
    assert other.get("/api/v3/me/", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert guesser.get("/api/v3/me/", **bearer(users["member"])).status_code == 200


# --- one store for every process ----------------------------------------------------------------

#: What sites/settings/base.py uses without Redis.
EMBEDDED = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "trustportal_ratelimit",
}

OTHER_PROCESS = """
import json, django
django.setup()
from django.test import Client
from django.core.cache import caches
there = Client(HTTP_HOST="localhost")
print(json.dumps({
    "store": type(caches["ratelimit"]).__name__,
    "api": there.get("/api/v3/taxonomy/").status_code,
    "sign_in": there.post("/en/accounts/login/", {"username": "shared-probe", "password": "x"})
    .status_code,
}))
"""


def test_processes_share_the_counts_on_the_embedded_default(committed, settings):
    """Two processes, as two gunicorn workers: what one counted, the other sees. The other runs
    the development settings on the test database, i.e. the embedded default without Redis."""
    settings.CACHES = {**settings.CACHES, "ratelimit": EMBEDDED}
    # What a fresh install runs: migrate creates the cache table (it needs no step of its own).
    call_command("migrate", verbosity=0, stdout=StringIO())
    # Counts from zero: servers of other modules on this committed database (the fault tests'
    # gunicorn, its Redis stopped) count in the same table when Redis is away.
    caches["ratelimit"].clear()
    settings.TRUSTPORTAL_RATE_LIMITS = {**settings.TRUSTPORTAL_RATE_LIMITS, "sign_in": (2, 900)}
    settings.TRUSTPORTAL_API_THROTTLE_RATES = {"anonymous": "2/hour", "authenticated": None}
    try:
        here = Client()
        assert [here.get("/api/v3/taxonomy/").status_code for _ in range(2)] == [200, 200]
        failed = [here.post(LOGIN, {"username": "shared-probe", "password": "x"}) for _ in "ab"]
        assert [response.status_code for response in failed] == [200, 200]

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sites.settings.dev",
            "DATABASE_URL": database_url(),
            "REDIS_URL": "",
            "TRUSTPORTAL_LOAD_ENTRY_POINTS": "0",
            "TRUSTPORTAL_FAILED_SIGN_INS_PER_ACCOUNT": "2",
            "TRUSTPORTAL_API_RATE_ANONYMOUS": "2/hour",
        }
        there = run_python(OTHER_PROCESS, env)
        assert there == {"store": "DatabaseCache", "api": 429, "sign_in": 429}
    finally:
        caches["ratelimit"].clear()


# --- check --deploy ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "store, says",
    [
        (EMBEDDED, "Rate limits are counted in the 'ratelimit' cache (the database cache"),
        (
            {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "trustportal.W102) Rate limits are counted per process",
        ),
    ],
)
def test_check_deploy_names_the_store_and_warns_when_it_is_per_process(settings, store, says):
    settings.CACHES = {**settings.CACHES, "ratelimit": store}
    out, err = StringIO(), StringIO()
    call_command("check", deploy=True, tags=["security"], stdout=out, stderr=err)
    assert says in out.getvalue() + err.getvalue()


@pytest.mark.django_db
def test_a_failing_store_limits_nobody_and_the_site_keeps_serving(settings, limits, api_rates):
    """Redis down, or a missing table: sign-ins and the API work (the failure is logged), as
    refusing everyone would turn the store's outage into the site's."""
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "no_such_ratelimit_table",
        },
    }
    limits(sign_in=(1, 900), sign_in_address=(1, 900))
    make_user("while-down")
    assert sign_in("while-down", "wrong").status_code == 200  # a failure, not counted
    assert sign_in("while-down", right("while-down")).status_code == 302
    caller = Client(REMOTE_ADDR="203.0.113.9")
    assert [caller.get("/api/v3/taxonomy/").status_code for _ in range(5)] == [200] * 5
