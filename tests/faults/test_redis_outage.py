"""Readers are served while Redis is stopped or frozen: the caches fall back (cms/caching.py),
rate limits keep counting in the database, /readyz says "degraded" and stays 200, and Redis is
used again once it answers. A real redis-server on a free port, stopped and frozen (SIGSTOP)."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import caches
from django.test import Client

from cms import caching
from cms.delivery.links import signed_download_url
from tests import factories
from tests.helpers import client_for
from tests.workers import RedisServer

#: Short, so that a frozen server costs the test little; production uses its own setting.
TIMEOUT = 0.3

READER_PAGES = [
    "/en/",
    "/en/search/?q=soc",
    "/en/search/?q=soc&standard=soc-2",
    "/api/v3/trust-documents/",
    "/api/v3/trust-documents/?q=audit&category=audit-report",
    "/en/accounts/login/",
]


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.cleanup()


@pytest.fixture
def redis_caches(redis_server, settings, monkeypatch):
    """The production configuration of caches, with Redis at ``redis_server``."""
    settings.REDIS_URL = redis_server.url
    settings.CACHES = caching.redis_caches(redis_server.url, TIMEOUT)
    monkeypatch.setattr(caching, "RETRY_SECONDS", 0.5)
    caching._failed_until.clear()
    yield redis_server
    caching._failed_until.clear()


def redis_keys(server) -> int:
    import redis

    return len(redis.Redis.from_url(server.url).keys("*"))


@pytest.fixture
def public_version(db):
    return factories.document("signed_in").versions.get()


def served(users, version) -> dict[str, int]:
    """What readers get from every kind of page, anonymous and signed in."""
    statuses = {url: Client().get(url).status_code for url in READER_PAGES}
    member = client_for(users["member"])
    statuses["member search"] = member.get("/en/search/?q=soc").status_code
    statuses["download"] = member.get(
        signed_download_url(version.pk, "en", users["member"])
    ).status_code
    failed = Client().post("/en/accounts/login/", {"username": "t-member", "password": "wrong"})
    statuses["failed sign-in"] = failed.status_code
    return statuses


ALL_SERVED = {
    **dict.fromkeys(READER_PAGES, 200),
    "member search": 200,
    "download": 200,
    "failed sign-in": 200,  # the form again, with its error
}


@pytest.mark.django_db
def test_with_redis_up_the_caches_live_in_redis(redis_caches, users, public_version):
    assert served(users, public_version) == ALL_SERVED
    assert redis_keys(redis_caches) > 0  # facet counts and the failed sign-in's count
    assert isinstance(caches["default"].active(), type(caches["redis"]))


@pytest.mark.django_db
@pytest.mark.parametrize("fault", ["stopped", "frozen"])
def test_readers_are_served_while_redis_is_down(redis_caches, users, public_version, fault, caplog):
    served(users, public_version)  # warm, with Redis
    if fault == "stopped":
        redis_caches.stop()
    else:
        redis_caches.freeze()
    with caplog.at_level(logging.WARNING, logger="cms.caching"):
        for _round in range(3):
            assert served(users, public_version) == ALL_SERVED
    # Logged once per outage and cache, not once per request.
    started = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert 1 <= len(started) <= 2, [r.getMessage() for r in started]

    ready = Client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["services"]["redis"] == {"configured": True, "reachable": False}
    assert ready.json()["services"]["database"]["reachable"] is True


@pytest.mark.django_db
def test_sign_in_limits_keep_counting_in_the_database(redis_caches, users, settings):
    settings.TRUSTPORTAL_RATE_LIMITS = {
        **settings.TRUSTPORTAL_RATE_LIMITS,
        "sign_in": (3, 900),
    }
    redis_caches.stop()
    answers = [
        Client().post("/en/accounts/login/", {"username": "t-member", "password": "wrong"})
        for _ in range(5)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_redis_is_used_again_once_it_answers(redis_caches, users, public_version, monkeypatch):
    redis_caches.freeze()
    assert served(users, public_version) == ALL_SERVED
    assert caches["default"].active() is caches["process"]
    redis_caches.thaw()
    redis_caches.stop()  # and it comes back empty, as after a restart without persistence
    redis_caches.start()
    monkeypatch.setattr(caching, "RETRY_SECONDS", 0)
    assert served(users, public_version) == ALL_SERVED
    assert caches["default"].active() is caches["redis"]
    assert redis_keys(redis_caches) > 0
