"""Notification e-mails through the real thing: a Redis server, ``manage.py rqworker``
processes on the test database and an SMTP server that records what it receives.

These tests commit (the workers are other processes): they run outside test transactions and
remove what they made (the fixtures are in tests/conftest.py). A wait has a generous bound; no
assertion is about time. Workers killed at chosen moments of the SMTP dialogue:
tests/faults/test_notification_kills.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from cms.models import Organization
from plugins.notifications.models import EmailDelivery
from tests import factories
from tests.notification_helpers import (
    all_settled,
    per_recipient,
    settled_with,
    subscribers,
    wait_until,
)
from workflows.models import OutboxEvent


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

    assert wait_until(lambda: settled_with(users, len(users)))
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
    assert wait_until(lambda: settled_with(users, len(users)))
    received = smtp.wait_for(len(users))
    assert len(received) == len(users)
    assert set(per_recipient(received).values()) == {1}
    waiting.refresh_from_db()
    assert waiting.handled_at is not None


def test_running_workers_heal_when_redis_comes_back_empty(
    on_the_queue, redis_server, workers, smtp, cleanup
):
    """Redis restarted without its data (no persistence, a failover, a flush) while workers
    and the cron scheduler run: what was published meanwhile, and what RQ's scheduler held,
    is sent without restarting anything (manage.py cron enqueues the sweep every 2 s here)."""
    document = factories.document("public")
    cleanup["documents"].append(document)
    cleanup["prefixes"].append("w-empty")
    users = subscribers("w-empty", 15, [document])
    on_the_queue()
    workers(with_scheduler=True)
    workers()
    publish_update(document, "v2")
    assert wait_until(lambda: settled_with(users, len(users)))

    redis_server.stop()
    version = publish_update(document, "v3")  # waits in the outbox
    waiting = OutboxEvent.objects.get(name="VersionPublished", payload__version_id=version.pk)
    assert waiting.relayed_at is None
    redis_server.start()  # empty: no queue, no scheduled job, no worker registry

    assert wait_until(lambda: settled_with(users, 2 * len(users)))
    received = smtp.wait_for(2 * len(users))
    assert len(received) == 2 * len(users)
    assert set(per_recipient(received).values()) == {2}  # each reader: v2 once, v3 once
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
    assert wait_until(lambda: settled_with(users, 2 * len(users)))
    # Every delivery is settled, so what reached the SMTP server is all there will be.
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

    assert wait_until(lambda: settled_with(users, len(users)))
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
    from plugins.notifications.digests import send_digest
    from plugins.notifications.periods import digest_job_id, period_key
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
    # The same period again (a retried job): it runs to its end and finds nothing to send.
    again = schedule(
        send_digest, timedelta(seconds=0), "daily", key, job_id=digest_job_id(key) + "-again"
    )
    assert wait_until(lambda: again.get_status(refresh=True) == "finished")
    assert again.return_value() == 0  # no delivery left open: no batch enqueued
    assert EmailDelivery.objects.filter(user__in=users).count() == len(users)
    assert len(smtp.received) == len(users)


def test_a_webhook_receiver_failing_twice_gets_the_event_once_from_a_worker_with_backoff(
    on_the_queue, workers, cleanup
):
    from django.contrib.auth import get_user_model

    from plugins.notifications.models import WebhookDelivery, WebhookEndpoint
    from tests.webhook_receiver import Receiver
    from tests.workers import WORKER_PLUGIN_SETTINGS

    organization = Organization.objects.create(name="Workers hooks", slug="workers-hooks")
    cleanup["prefixes"].append("w-hook")
    admin = get_user_model().objects.create_user("w-hook-admin")
    receiver = Receiver(failures=2)
    try:
        endpoint = WebhookEndpoint.objects.create(
            organization=organization, url=receiver.url, created_by=admin
        )
        receiver.secret = endpoint.secret
        document = factories.document("public", title="Workers webhook paper")
        cleanup["documents"].append(document)
        hooks = {**WORKER_PLUGIN_SETTINGS["notifications"], "WEBHOOK_HTTP_HOSTS": ["127.0.0.1"]}
        on_the_queue()  # from here on, this process only enqueues: the worker delivers
        workers(with_scheduler=True, plugin_settings={"notifications": hooks})
        factories.version(document, "v2")

        delivered = WebhookDelivery.objects.filter(endpoint=endpoint, status="delivered")
        assert wait_until(delivered.exists)
        delivery = delivered.get()
        assert delivery.attempts == 3 and delivery.last_status_code == 200
        (event,) = receiver.accepted  # once, though it was sent three times
        assert event["document"]["title"] == "Workers webhook paper"
        assert receiver.requests == [(delivery.event_id, True)] * 3  # signed, one event id
        # Backoff: RETRY_BASE_SECONDS 1, then twice that; RQ's scheduler never runs early.
        first, second, third = receiver.arrived
        assert second - first >= 1 and third - second >= 2
    finally:
        receiver.close()
    import django_rq
    from rq.registry import FinishedJobRegistry

    # Both retries were scheduled jobs. The last may find the delivery done already (the
    # periodic sweep also sends what is due, whichever comes first): it still runs, as a no-op.
    retries = {f"webhook-{delivery.pk}-1", f"webhook-{delivery.pk}-2"}
    registry = FinishedJobRegistry(queue=django_rq.get_queue("default"))
    assert wait_until(lambda: retries <= set(registry.get_job_ids()), timeout=30)
    assert WebhookDelivery.objects.get(pk=delivery.pk).attempts == 3


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
