"""Redis stopped, frozen and restarted empty under a served portal (gunicorn with two worker
processes, an rqworker, ``manage.py cron`` and an SMTP server; Redis is the test's own), while
readers keep asking from several threads and updates are published in each phase.

What must hold: every answer is a 200 (pages, searches, the API, a member's watermarked
download, ``/readyz`` saying "degraded"), and every e-mail the updates owe is delivered exactly
once, within two sweep intervals of Redis answering again, with no process restarted.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict

import pytest
import redis

from cms.caching import with_timeouts
from cms.delivery.links import signed_download_url
from cms.models import Membership, Organization
from tests import factories
from tests.concurrent_http import Browser, send
from tests.conftest import accept_current_nda
from tests.faults.conftest import SWEEP_SECONDS
from tests.notification_helpers import per_recipient, settled_with, subscribers, wait_until

PREFIX = "faults-traffic"
ANONYMOUS_PAGES = [
    "/en/",
    "/en/search/?q=faults",
    "/en/accounts/login/",
    "/api/v3/trust-documents/",
    "/api/v3/trust-documents/?q=faults",
    "/readyz",
]
READERS = 4


class Traffic:
    """Readers asking without pause from ``READERS`` threads; every answer is recorded with the
    phase the test was in when it was asked."""

    def __init__(self, requests):
        self.requests = requests
        self.phase = "up"
        self.answers: dict[str, Counter] = defaultdict(Counter)
        self.failures: list[tuple[str, str, int, bytes]] = []
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(READERS)
        ]

    def _run(self, offset: int) -> None:
        turn = offset
        while not self._stop.is_set():
            name, request = self.requests[turn % len(self.requests)]
            turn += 1
            phase = self.phase
            try:
                status, body = request()
            except OSError as error:  # no answer at all: the worst kind of failure
                status, body = 0, repr(error).encode()
            self.answers[phase][status] += 1
            if status != 200:
                self.failures.append((phase, name, status, body[:300]))

    def __enter__(self) -> Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def run_for(self, phase: str, seconds: float) -> None:
        self.phase = phase
        time.sleep(seconds)


def redis_answers(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_timeout=0.5).ping()
    except redis.RedisError:
        return False


def delivered_within(users, count: int, since: float) -> float:
    """Seconds from ``since`` until all ``count`` deliveries of ``users`` are settled (bounded
    at 90 s, so that a failure reports how late it was rather than hanging)."""
    assert wait_until(lambda: settled_with(users, count), timeout=90), "e-mails never sent"
    return time.monotonic() - since


@pytest.fixture
def world(cleanup):
    """A public document whose subscribers are told of updates, and a gated one a member has
    accepted the NDA for (the download is watermarked for them)."""
    cleanup["prefixes"].append(PREFIX)
    public = factories.document("public", title="Faults traffic SOC report")
    gated = factories.document("nda", title="Faults traffic pen test")
    cleanup["documents"] += [public, gated]
    users = subscribers(PREFIX, 12, [public])
    organization = Organization.objects.create(name="Faults traffic", slug="workers-faults")
    member = users[0]
    Membership.objects.create(user=member, organization=organization)
    accept_current_nda(member)
    return public, gated, users, member


def test_readers_are_served_and_every_email_sent_once_through_redis_faults(
    world, served_portal, redis_server, smtp, enqueue_with_timeouts
):
    public, gated, users, member = world
    base = served_portal.url
    browser = Browser(base, member)
    download = signed_download_url(gated.versions.get().pk, "en", member)
    requests = [(path, lambda path=path: send("GET", base + path, {})) for path in ANONYMOUS_PAGES]
    requests += [
        ("member search", lambda: browser.get("/en/search/?q=faults")),
        ("member download", lambda: browser.get(download)),
    ]
    expected = len(users)
    late: dict[str, float] = {}

    with Traffic(requests) as traffic:
        traffic.run_for("up", 2)
        factories.version(public, "second update")
        assert wait_until(lambda: settled_with(users, expected))

        # Stopped: the publish still succeeds (its event waits in the outbox).
        redis_server.stop()
        traffic.run_for("stopped", 1)
        factories.version(public, "third update")
        traffic.run_for("stopped", 2)
        redis_server.start()  # empty: no queue, no worker registry, no cron registry
        back = time.monotonic()
        traffic.phase = "restarted empty"
        expected += len(users)
        late["restarted empty"] = delivered_within(users, expected, back)

        # Frozen (SIGSTOP): connections stay open and nothing answers.
        redis_server.freeze()
        traffic.run_for("frozen", 1)
        factories.version(public, "fourth update")  # the enqueue gives up after its timeout
        traffic.run_for("frozen", 2)
        redis_server.thaw()
        assert redis_answers(redis_server.url)
        back = time.monotonic()
        traffic.phase = "thawed"
        expected += len(users)
        late["thawed"] = delivered_within(users, expected, back)
        traffic.run_for("thawed", 1)

    assert not traffic.failures, traffic.failures[:10]
    for phase in ["up", "stopped", "restarted empty", "frozen", "thawed"]:
        assert traffic.answers[phase][200] > 0, (phase, dict(traffic.answers))
    for phase, seconds in late.items():
        assert seconds <= 2 * SWEEP_SECONDS, f"{phase}: e-mails sent {seconds:.1f} s after Redis"

    # Exactly once: every reader got each of the three updates, one e-mail each; no more come.
    received = smtp.wait_for(3 * len(users))
    assert len(received) == 3 * len(users)
    assert set(per_recipient(received).values()) == {3}
    assert set(per_recipient(received)) == {user.email for user in users}
    for label in ["second update", "third update", "fourth update"]:
        assert sum(label in item.text for item in received) == len(users), label


@pytest.mark.django_db
def test_a_publish_while_redis_is_frozen_waits_in_the_outbox(
    settings, django_capture_on_commit_callbacks
):
    """The web process's side of the frozen phase, in this process: the enqueue gives up after
    its socket timeout instead of holding the editor's request for ever, and the event waits
    for the sweep. (Also makes pytest-django create the test database when this module runs
    alone: the test above uses the committed database only.)"""
    from tests.workers import RedisServer
    from workflows.models import OutboxEvent

    server = RedisServer().start()
    try:
        settings.TRUSTPORTAL_JOBS_INLINE = False
        settings.RQ_QUEUES = {
            "default": {"URL": with_timeouts(server.url, seconds=0.5), "DEFAULT_TIMEOUT": 600}
        }
        document = factories.document("public", versions=0)
        server.freeze()
        with django_capture_on_commit_callbacks(execute=True):
            version = factories.version(document, "v1")
        event = OutboxEvent.objects.get(name="VersionPublished", payload__version_id=version.pk)
        assert event.relayed_at is None and event.handled_at is None
    finally:
        server.cleanup()
