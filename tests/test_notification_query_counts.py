"""With a queue (and so the sent journal in its Redis), a batch of notification e-mails costs the
same number of database queries whatever its size: claimed in one UPDATE, built from a fixed
number of SELECTs, marked sent in one UPDATE. Each e-mail the server accepted is noted in the
journal instead, and a worker that dies mid-batch leaves what it sent to be marked, not sent
again (plugins/notifications/sending.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import Membership
from plugins.notifications.fanout import attach_to_deliveries
from plugins.notifications.journal import PREFIX
from plugins.notifications.models import EmailDelivery
from plugins.notifications.periods import period_key
from plugins.notifications.sending import send_deliveries, setting
from tests import factories
from tests.notification_helpers import subscribers
from tests.workers import RedisServer


@pytest.fixture(scope="module")
def queue_redis():
    server = RedisServer().start()
    yield server
    server.cleanup()


@pytest.fixture
def on_a_queue(queue_redis):
    """Jobs go to this Redis (enable it after publishing: the fan-out itself runs inline)."""
    import redis

    client = redis.Redis.from_url(queue_redis.url)
    client.flushall()
    queued = override_settings(
        TRUSTPORTAL_JOBS_INLINE=False,
        REDIS_URL=queue_redis.url,
        RQ_QUEUES={"default": {"URL": queue_redis.url, "DEFAULT_TIMEOUT": 600}},
    )
    yield queued, client


def digest_deliveries(prefix: str, size: int, documents, organization) -> list[int]:
    readers = subscribers(prefix, size, documents, frequency="daily", language="de")
    for reader in readers[: size // 2]:
        Membership.objects.create(user=reader, organization=organization)
    return readers


def attach(readers) -> list[int]:
    key = period_key("daily", timezone.now())
    deliveries = attach_to_deliveries(key, [reader.pk for reader in readers])
    assert len(deliveries) == len(readers)
    return deliveries


@pytest.mark.django_db
def test_a_batch_of_2n_costs_the_queries_of_a_batch_of_n(
    users, on_a_queue, django_capture_on_commit_callbacks
):
    queued, client = on_a_queue
    organization = users["customer_org"]
    restricted = factories.document(
        "restricted", organizations=[organization], title="Counted restricted memo"
    )
    public = factories.document("public", title="Counted public paper")
    small = digest_deliveries("qc-small", 10, [restricted, public], organization)
    large = digest_deliveries("qc-large", 20, [restricted, public], organization)
    with django_capture_on_commit_callbacks(execute=True):
        factories.version(restricted, "v2")
        factories.version(public, "v2")

    def send(deliveries) -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as context:
            counts = send_deliveries(deliveries)
        return len(context.captured_queries), counts

    with queued:
        send([])  # warm the per-process caches (locales, the site) so both batches start alike
        small_ids, large_ids = attach(small), attach(large)
        small_queries, small_counts = send(small_ids)
        large_queries, large_counts = send(large_ids)

    assert small_counts == {"sent": 10, "skipped": 0, "retry": 0, "failed": 0}
    assert large_counts == {"sent": 20, "skipped": 0, "retry": 0, "failed": 0}
    assert small_queries == large_queries
    sent = EmailDelivery.objects.filter(pk__in=small_ids + large_ids)
    assert sent.filter(status="sent", sent_at__isnull=False).count() == 30
    for delivery in sent.select_related("user"):
        assert delivery.recipient == delivery.user.email  # each row its own address
    assert not client.keys(f"{PREFIX}*")  # the journal's notes go once the batch is marked
    messages = [m for m in mail.outbox if "List-Unsubscribe" in m.extra_headers]
    assert len(messages) == 30
    members = {reader.email for reader in small[:5] + large[:10]}
    for message in messages:
        assert "Counted public paper" in message.body
        # Access decided per recipient in the batch: only members hear of the restricted memo.
        assert ("Counted restricted memo" in message.body) is (message.to[0] in members)


class WorkerKilled(BaseException):
    """A SIGKILL, in process: nothing after it runs (no ``except Exception`` catches it)."""


class KilledAtTheThirdMessage(locmem.EmailBackend):
    """The server accepts two e-mails; the worker dies as the third is on the wire."""

    def send_messages(self, messages):
        if len(mail.outbox) == 2:
            raise WorkerKilled
        return super().send_messages(messages)


@pytest.mark.django_db
def test_what_a_dead_worker_sent_is_marked_from_the_journal_not_sent_again(
    on_a_queue, monkeypatch, django_capture_on_commit_callbacks
):
    queued, client = on_a_queue
    document = factories.document("public", title="Journal kill paper")
    readers = subscribers("qc-kill", 4, [document], frequency="daily")
    with django_capture_on_commit_callbacks(execute=True):
        factories.version(document, "v2")
    with queued:
        deliveries = attach(readers)
        dying = override_settings(EMAIL_BACKEND=f"{__name__}.{KilledAtTheThirdMessage.__name__}")
        with dying, pytest.raises(WorkerKilled):
            send_deliveries(deliveries)
        first, second = mail.outbox
        # Nothing marked in the database yet (one UPDATE at the end of the batch), but the
        # journal holds the two the server accepted.
        states = EmailDelivery.objects.filter(pk__in=deliveries)
        assert set(states.values_list("status", flat=True)) == {"sending"}
        assert len(client.keys(f"{PREFIX}*")) == 2

        # The next worker, once the dead one's lease has run out.
        later = timezone.now() + timedelta(seconds=setting("LEASE_SECONDS") + 1)
        monkeypatch.setattr(timezone, "now", lambda: later)
        counts = send_deliveries(deliveries)

    assert counts == {"sent": 4, "skipped": 0, "retry": 0, "failed": 0}
    resent = mail.outbox[2:]
    assert len(resent) == 2  # the one on the wire at the kill, and the one never tried
    assert not {tuple(m.to) for m in resent} & {tuple(first.to), tuple(second.to)}
    rows = {d.user.email: d for d in states.select_related("user")}
    assert {d.status for d in rows.values()} == {"sent"}
    for accepted in (first, second):
        row = rows[accepted.to[0]]
        # Marked from the journal: its recipient, and the time the server accepted it.
        assert row.recipient == accepted.to[0] and row.sent_at < later
        assert accepted.extra_headers["Message-ID"] == row.message_id
    for again in resent:
        assert rows[again.to[0]].sent_at == later
    assert not client.keys(f"{PREFIX}*")
