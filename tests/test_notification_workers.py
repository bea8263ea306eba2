"""Notification e-mails through the real thing: a Redis server, ``manage.py rqworker``
processes on the test database and an SMTP server that records what it receives.

These tests commit (the workers are other processes): they run outside test transactions and
remove what they made. A wait has a generous bound; no assertion is about time.

Exactly once, as the recipient sees it: every recipient gets one e-mail (one Message-ID) per
update. A worker killed with SIGKILL between the SMTP server's "250 OK" and the "sent" mark
makes the next worker send that one e-mail again, with the same Message-ID (see
``plugins/notifications/sending.py``); the kill test counts such resends and bounds them by the
one message the killed worker had in flight.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from cms.models import Organization, TrustDocument
from plugins.notifications.models import EmailDelivery
from tests import factories
from tests.notification_helpers import subscribers
from tests.smtp_server import RecordingSMTPServer
from tests.workers import RedisServer, Worker
from workflows.models import OutboxEvent

LOGS = Path(__file__).resolve().parents[1] / "var" / "test" / "worker-logs"
WORKER_PLUGIN_SETTINGS = {
    "notifications": {"BATCH_SIZE": 5, "LEASE_SECONDS": 2, "RETRY_BASE_SECONDS": 1}
}


@pytest.fixture(scope="module")
def committed(django_db_setup, django_db_blocker):
    """The seeded test database in autocommit mode, for this module only."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def redis_server(committed):
    server = RedisServer().start()
    yield server
    server.cleanup()


@pytest.fixture
def smtp():
    with RecordingSMTPServer() as server:
        yield server


@pytest.fixture
def on_the_queue(redis_server, cleanup):
    """From here on this process enqueues on the test's Redis instead of running jobs inline
    (what a test builds before, documents and subscribers, is handled inline)."""
    settings = override_settings(
        TRUSTPORTAL_JOBS_INLINE=False,
        REDIS_URL=redis_server.url,
        RQ_QUEUES={"default": {"URL": redis_server.url, "DEFAULT_TIMEOUT": 600}},
    )
    enabled = []

    def enable():
        settings.enable()
        enabled.append(settings)

    yield enable
    for active in enabled:
        active.disable()


@pytest.fixture
def workers(request, redis_server, smtp):
    started = []

    def start(with_scheduler=False):
        log = LOGS / f"{request.node.name}-{len(started)}.log"
        worker = Worker(redis_server.url, smtp.port, WORKER_PLUGIN_SETTINGS, log)
        started.append(worker.start(with_scheduler=with_scheduler))
        return worker

    yield start
    for worker in started:
        # The test is over and its Redis is thrown away: no need to wait for a warm shut-down.
        worker.kill()


@pytest.fixture
def cleanup(committed):
    """Remove the users, documents and outbox rows a test committed."""
    made = {"prefixes": [], "documents": []}
    started_at = OutboxEvent.objects.order_by("-created_at").values_list("created_at", flat=True)
    since = started_at.first()
    yield made
    User = get_user_model()
    for prefix in made["prefixes"]:
        User.objects.filter(username__startswith=f"{prefix}-").delete()
    for document in made["documents"]:
        TrustDocument.objects.filter(pk=document.pk).delete()
    Organization.objects.filter(slug__startswith="workers-").delete()
    events = OutboxEvent.objects.all()
    if since is not None:
        events = events.filter(created_at__gt=since)
    events.delete()


def wait_until(condition, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def all_settled(users) -> bool:
    """Every delivery of these users is done (sent or knowingly skipped/failed)."""
    open_states = [EmailDelivery.Status.PENDING, EmailDelivery.Status.SENDING]
    return not EmailDelivery.objects.filter(user__in=users, status__in=open_states).exists()


def per_recipient(received) -> Counter:
    """Distinct e-mails (Message-IDs) per recipient address."""
    return Counter(rcpt for rcpt, _mid in {(r.recipients[0], r.message_id) for r in received})


def publish_update(document, label):
    return factories.version(document, label)


def test_one_update_n_subscribers_two_workers_exactly_n_emails(
    on_the_queue, workers, smtp, cleanup
):
    document = factories.document("public", title="Workers SOC report")
    cleanup["documents"].append(document)
    cleanup["prefixes"].append("w-n")
    users = subscribers("w-n", 24, [document])
    on_the_queue()
    workers(with_scheduler=True)
    workers()
    publish_update(document, "v2")

    assert wait_until(
        lambda: (
            all_settled(users)
            and EmailDelivery.objects.filter(user__in=users).count() == len(users)
        )
    )
    received = smtp.wait_for(len(users))
    assert len(received) == len(users)  # not one more: no duplicate
    counts = per_recipient(received)
    assert set(counts) == {user.email for user in users}
    assert set(counts.values()) == {1}
    message = received[0].message
    assert "Workers SOC report" in received[0].text
    assert (
        message["List-Unsubscribe"]
        .strip()
        .startswith("<http://testserver/en/notifications/unsubscribe/")
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert {part.get_content_type() for part in message.walk()} >= {"text/plain", "text/html"}
    assert OutboxEvent.objects.filter(
        name="VersionPublished", payload__document_id=document.pk, handled_at__isnull=False
    ).exists()


def test_a_worker_killed_mid_batch_leaves_nothing_unsent_and_nothing_doubled(
    on_the_queue, workers, smtp, cleanup
):
    smtp.handler.delay = 0.05  # slow enough that the kill lands in the middle of a batch
    document = factories.document("public")
    cleanup["documents"].append(document)
    cleanup["prefixes"].append("w-kill")
    users = subscribers("w-kill", 30, [document])
    on_the_queue()
    first = workers()
    publish_update(document, "v2")

    assert wait_until(lambda: len(smtp.received) >= 8)
    first.kill()
    before_restart = len(smtp.received)
    assert before_restart < len(users), "the worker was to be killed mid-way"
    # The killed worker's current delivery is "sending" until its lease runs out.
    time.sleep(WORKER_PLUGIN_SETTINGS["notifications"]["LEASE_SECONDS"] + 0.5)
    workers()

    assert wait_until(lambda: all_settled(users))
    received = smtp.wait_for(len(users))
    counts = per_recipient(received)
    assert set(counts) == {user.email for user in users}
    assert set(counts.values()) == {1}, "one distinct e-mail per recipient"
    resent = len(received) - len(users)
    # Only the message in flight at the kill can come twice, under the same Message-ID.
    assert resent in (0, 1), resent
    assert EmailDelivery.objects.filter(user__in=users, status="sent").count() == len(users)


def test_an_update_published_while_redis_is_down_is_sent_when_it_is_back(
    on_the_queue, redis_server, workers, smtp, cleanup
):
    document = factories.document("public")
    cleanup["documents"].append(document)
    cleanup["prefixes"].append("w-down")
    users = subscribers("w-down", 12, [document])
    on_the_queue()
    redis_server.stop()
    version = publish_update(document, "v2")  # the publish itself succeeds

    waiting = OutboxEvent.objects.get(name="VersionPublished", payload__version_id=version.pk)
    assert waiting.relayed_at is None and waiting.handled_at is None
    assert not EmailDelivery.objects.filter(user__in=users).exists()

    redis_server.start()
    workers()  # a worker starting sweeps: the outbox event goes on the queue
    assert wait_until(
        lambda: (
            all_settled(users)
            and EmailDelivery.objects.filter(user__in=users).count() == len(users)
        )
    )
    received = smtp.wait_for(len(users))
    assert len(received) == len(users)
    assert set(per_recipient(received).values()) == {1}
    waiting.refresh_from_db()
    assert waiting.handled_at is not None


def test_a_reader_who_loses_access_before_the_send_hears_nothing_about_it(
    on_the_queue, workers, smtp, cleanup
):
    organization = Organization.objects.create(name="Workers Org", slug="workers-org")
    secret = factories.document(
        "restricted", organizations=[organization], title="Narwhal restricted report"
    )
    public = factories.document("public", title="Workers public paper")
    cleanup["documents"] += [secret, public]
    cleanup["prefixes"].append("w-lost")
    users = subscribers("w-lost", 5, [secret, public])
    from cms.models import Membership

    for user in users:
        Membership.objects.create(user=user, organization=organization)
    on_the_queue()
    publish_update(secret, "v2")
    publish_update(public, "v2")
    # Between the publish and the send (no worker runs yet), the organization loses access.
    secret.refresh_from_db()
    secret.restricted_organizations.set([])
    secret.save_revision().publish()

    workers()
    assert wait_until(
        lambda: (
            all_settled(users)
            and EmailDelivery.objects.filter(user__in=users).count() == 2 * len(users)
        )
    )
    received = smtp.wait_for(len(users))
    time.sleep(0.5)
    received = smtp.received
    assert len(received) == len(users)  # the e-mails about the public paper only
    for item in received:
        text = item.text
        assert "Workers public paper" in text and "Narwhal" not in text
    skipped = EmailDelivery.objects.filter(user__in=users, status="skipped").count()
    assert skipped == len(users)


def test_smtp_errors_are_retried_with_backoff_and_refusals_are_failed_jobs(
    on_the_queue, workers, smtp, cleanup, redis_server
):
    smtp.handler.script = ["451 4.3.0 Try again later"] * 2
    document = factories.document("public")
    cleanup["documents"].append(document)
    cleanup["prefixes"].append("w-retry")
    users = subscribers("w-retry", 3, [document])
    on_the_queue()
    workers(with_scheduler=True)
    publish_update(document, "v2")

    assert wait_until(
        lambda: (
            all_settled(users)
            and EmailDelivery.objects.filter(user__in=users).count() == len(users)
        )
    )
    received = smtp.wait_for(len(users))
    assert smtp.handler.refused == 2
    assert len(received) == len(users)
    assert set(per_recipient(received).values()) == {1}
    retried = EmailDelivery.objects.filter(user__in=users, attempts__gt=1)
    assert retried.exists()

    # A permanent refusal: marked failed for staff, and the job shows among failed jobs.
    smtp.clear()
    smtp.handler.script = ["550 5.1.1 No such mailbox"]
    publish_update(document, "v3")
    assert wait_until(
        lambda: (
            EmailDelivery.objects.filter(user__in=users, status="failed").exists()
            and all_settled(users)
        )
    )
    failed = EmailDelivery.objects.get(user__in=users, status="failed")
    assert "550" in failed.error
    import redis
    from rq import Queue
    from rq.registry import FailedJobRegistry

    queue = Queue("default", connection=redis.Redis.from_url(redis_server.url))
    assert wait_until(lambda: FailedJobRegistry(queue=queue).count >= 1, timeout=30)


def test_digests_run_once_on_rqs_scheduler_even_with_two_workers(
    on_the_queue, workers, smtp, cleanup
):
    from plugins.notifications.digests import digest_job_id, period_key, send_digest
    from workflows.jobs import schedule

    document = factories.document("public", title="Workers digest paper")
    other = factories.document("public", title="Workers second paper")
    cleanup["documents"] += [document, other]
    cleanup["prefixes"].append("w-digest")
    users = subscribers("w-digest", 6, [document, other], frequency="daily")
    on_the_queue()
    workers(with_scheduler=True)
    workers(with_scheduler=True)
    publish_update(document, "v2")
    publish_update(other, "v2")
    from plugins.notifications.models import PendingUpdate

    assert wait_until(
        lambda: PendingUpdate.objects.filter(user__in=users).count() == 2 * len(users)
    )
    assert smtp.received == []  # digests wait for their time
    import django_rq
    from django.utils import timezone
    from rq.job import Job

    key = period_key("daily", timezone.now())
    queue = django_rq.get_queue("default")
    job_id = digest_job_id(key)
    # The workers' sweep put this period's digest on RQ's scheduler, for its hour (07:00 UTC).
    assert wait_until(lambda: Job.exists(job_id, connection=queue.connection), timeout=30)
    # Scheduling the same period again (another worker, a retry) makes no second job.
    assert schedule(send_digest, timedelta(seconds=1), "daily", key, job_id=job_id) is None
    # Bring its hour forward to now; of the two workers' schedulers, one runs it.
    soon = timezone.now() + timedelta(seconds=1)
    queue.schedule_job(Job.fetch(job_id, connection=queue.connection), soon)
    assert wait_until(
        lambda: (
            all_settled(users)
            and EmailDelivery.objects.filter(user__in=users, key=key).count() == len(users)
        )
    )
    received = smtp.wait_for(len(users))
    assert len(received) == len(users)
    text = received[0].text
    assert "Workers digest paper" in text and "Workers second paper" in text
    # The same period again (a retried job): nothing new is sent.
    schedule(send_digest, timedelta(seconds=0), "daily", key, job_id=digest_job_id(key) + "-again")
    time.sleep(3)
    assert len(smtp.received) == len(users)


@pytest.mark.django_db
def test_the_outbox_row_lives_and_dies_with_the_publish(django_capture_on_commit_callbacks):
    """(Also makes pytest-django create the test database when this module runs alone.)"""
    from django.db import transaction

    document = factories.document("public", versions=0)
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.version(document, "rolled-back")
        raise RuntimeError("the publish fails")
    assert not OutboxEvent.objects.filter(payload__document_id=document.pk, name="VersionPublished")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        version = factories.version(document, "v1")
    row = OutboxEvent.objects.get(name="VersionPublished", payload__version_id=version.pk)
    assert row.relayed_at is None and row.handled_at is None and callbacks
