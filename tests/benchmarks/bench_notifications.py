"""Benchmark: one update to a document saved by 10,000 users, sent by 2 real workers.

Not collected by default (not named test_*). Run it explicitly:

    BENCH_SUBSCRIBERS=10000 .venv/bin/python -m pytest -s -p no:logging \
        tests/benchmarks/bench_notifications.py

Reports the time from the publish to the last e-mail reaching the SMTP server, and the SQL
queries per recipient: of the fan-out (counted in this process, which runs it) and of the
sending (a batch of 100 sent in this process, on the queue and so with the sent journal in its
Redis, as the workers have; they run the same code for the rest), and the two together (the
goal: at most 0.1). The journal's Redis commands per recipient are counted too.

The SMTP server's own INFO log (aiosmtpd's ``mail.log``, a line per SMTP command) is
silenced: it cost the recording server, in this process, more than the portal's whole path.
PostgreSQL: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/tp_<name> ... --create-db``.

The machine is shared, so the run also measures a baseline on the same SMTP server: this
process sending 500 e-mails of the same size over one SMTP session, no database at all. The
time per e-mail of the whole path is reported as a multiple of that, with the load average.
"""

from __future__ import annotations

import logging
import os
import smtplib
import time

import pytest
import redis
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from plugins.notifications.journal import PREFIX
from plugins.notifications.models import EmailDelivery
from plugins.notifications.sending import send_deliveries
from tests import factories
from tests.notification_helpers import subscribers, wait_until
from tests.smtp_server import RecordingSMTPServer
from tests.workers import LOGS, RedisServer, Worker
from workflows.models import OutboxEvent
from workflows.outbox import handle

SUBSCRIBERS = int(os.environ.get("BENCH_SUBSCRIBERS", "10000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
SAMPLE = 100
BASELINE = 500


def smtp_baseline(port: int, message: bytes) -> float:
    """Seconds per e-mail for bare SMTP to the test server: one session, no database."""
    started = time.monotonic()
    with smtplib.SMTP("127.0.0.1", port) as session:
        for n in range(BASELINE):
            session.sendmail("bench@example.test", [f"baseline-{n}@example.test"], message)
    return (time.monotonic() - started) / BASELINE


def _commands(client) -> int:
    """Commands the Redis server has processed so far."""
    return int(client.info("stats")["total_commands_processed"])


@pytest.mark.django_db
def test_database_is_created():
    """(Makes pytest-django create the test database when this file runs alone.)"""


def test_one_update_to_a_document_saved_by_many(django_db_setup, django_db_blocker):
    from django.contrib.auth import get_user_model

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    with django_db_blocker.unblock():
        redis_server = RedisServer().start()
        smtp = RecordingSMTPServer()
        smtp.__enter__()
        document = factories.document("public", title="Benchmark report")
        users = subscribers("bench", SUBSCRIBERS, [document])
        queue = override_settings(
            TRUSTPORTAL_JOBS_INLINE=False,
            REDIS_URL=redis_server.url,
            RQ_QUEUES={"default": {"URL": redis_server.url, "DEFAULT_TIMEOUT": 3600}},
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=smtp.port,
        )
        queue.enable()
        started = []
        try:
            published_at = time.monotonic()
            version = factories.version(document, "v2")
            row = OutboxEvent.objects.get(name="VersionPublished", payload__version_id=version.pk)
            # The fan-out, here, counted: the relay put it on the queue too, where it will
            # find its work done.
            with CaptureQueriesContext(connection) as fanout:
                handle(str(row.pk))
            sample = list(
                EmailDelivery.objects.filter(user__in=users[:SAMPLE]).values_list("pk", flat=True)
            )
            redis_client = redis.Redis.from_url(redis_server.url)
            redis_before = _commands(redis_client)
            with CaptureQueriesContext(connection) as sending:
                send_deliveries(sample)
            redis_commands = _commands(redis_client) - redis_before - 1  # the INFO itself
            for n in range(WORKERS):
                worker = Worker(redis_server.url, smtp.port, {}, LOGS / f"bench-{n}.log")
                started.append(worker.start())
            deadline = time.monotonic() + 1800
            while time.monotonic() < deadline:
                if len(smtp.received) >= SUBSCRIBERS:
                    break
                time.sleep(0.2)
            elapsed = time.monotonic() - published_at
            load_during = os.getloadavg()
            received = smtp.received
            distinct = len({r.message_id for r in received})
            per_recipient_sending = len(sending.captured_queries) / len(sample)
            per_email = smtp_baseline(smtp.port, received[0].raw)
            print(
                f"\n{SUBSCRIBERS} subscribers, {WORKERS} workers, {connection.vendor}:"
                f"\n  publish -> last e-mail at the SMTP server: {elapsed:.1f} s"
                f" ({len(received) / elapsed:.0f} e-mails/s), {distinct} distinct,"
                f" {len(received)} received"
                f"\n  fan-out: {len(fanout.captured_queries)} queries"
                f" ({len(fanout.captured_queries) / SUBSCRIBERS:.3f} per recipient)"
                f"\n  sending: {len(sending.captured_queries) / len(sample):.2f} queries per"
                f" recipient (batch of {len(sample)}: {len(sending.captured_queries)} queries);"
                f" {redis_commands / len(sample):.2f} Redis commands per recipient"
                f"\n  queries per recipient in all: "
                f"{len(fanout.captured_queries) / SUBSCRIBERS + per_recipient_sending:.3f}"
                f" (goal <= 0.1)"
                f"\n  baseline, bare SMTP from one process: {per_email * 1000:.2f} ms per e-mail;"
                f" the whole path took {elapsed / SUBSCRIBERS * 1000:.2f} ms per e-mail"
                f" = {elapsed / SUBSCRIBERS / per_email:.1f}x the baseline"
                f"\n  load average at the end (1, 5, 15 min): "
                + ", ".join(f"{value:.2f}" for value in load_during)
            )
            assert distinct == SUBSCRIBERS and len(received) == SUBSCRIBERS
            # Every delivery marked sent (in bulk, as each batch ends), none left to the journal.
            marked = EmailDelivery.objects.filter(user__in=users, status="sent")
            assert wait_until(lambda: marked.count() == SUBSCRIBERS, timeout=120)
            assert not redis_client.keys(f"{PREFIX}*")
        finally:
            for worker in started:
                worker.stop()
            queue.disable()
            get_user_model().objects.filter(username__startswith="bench-").delete()
            document.delete()
            smtp.__exit__(None, None, None)
            redis_server.cleanup()
