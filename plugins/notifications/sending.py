"""Sending notification e-mails: exactly once per delivery as far as the recipient can tell.

What is guaranteed, and what SMTP does not allow:

* **Recorded exactly once.** A delivery (one e-mail: per user per event, or per digest period)
  is a row unique per (user, key). A worker claims it with a conditional UPDATE just before
  sending, so two workers, or a job and its retry, never both send it while the claim holds
  (``LEASE_SECONDS``); it is marked sent in the first statement after the SMTP server answered
  250 to the message, with nothing in between.
* **At least once on the wire.** SMTP has no two-phase commit: a worker killed (SIGKILL, a
  crash, a lost connection) after the server queued the message and before the mark leaves
  the delivery "sending"; once the lease runs out, the sweep hands it to another worker, which
  sends it again. The window is the server's answer travelling back plus that one UPDATE:
  milliseconds, but not nothing.
* **Exactly once per Message-ID.** Every attempt of a delivery carries the same Message-ID
  (``EmailDelivery.message_id``), so the only duplicate that can reach a mailbox is a
  byte-for-byte repeat of an e-mail under an identifier the receiving servers and mail stores
  already hold, and collapse. A worker killed *before* the server had the whole message leaves
  nothing behind at the server: the resend is the only copy.

``tests/faults/test_notification_kills.py`` kills a worker at both moments (the SMTP server
holds the message and tells the test) and checks these counts exactly. Access is decided when a
batch is built (``plugins.notifications.batches``), just before its e-mails are sent.

SMTP 4xx answers, time-outs and refused connections are retried with backoff; permanent
failures are marked failed (listed for staff in the admin) and the job itself fails, so it also
shows among django-rq's failed jobs.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from django.apps import apps
from django.core.mail import get_connection
from django.db.models import F, Q
from django.utils import timezone

from workflows.jobs import backoff_seconds, enqueue, inline, schedule

from . import batches
from .models import EmailDelivery

logger = logging.getLogger(__name__)
Status = EmailDelivery.Status


#: Refusals of one message in a session that stays good for the next (smtplib resets it).
REFUSED_THIS_MESSAGE = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
)


class PermanentDeliveryFailure(Exception):
    """Some e-mails of a batch were refused for good (they are marked failed)."""


def setting(name: str):
    return apps.get_app_config("notifications").setting(name)


def claimable(now=None) -> Q:
    """Deliveries a worker may take now: waiting and due, or "sending" under an expired lease
    (a dead worker's). For e-mail and webhook deliveries alike (same states and fields)."""
    now = now or timezone.now()
    lease_expired = now - timedelta(seconds=setting("LEASE_SECONDS"))
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return (Q(status=Status.PENDING) & due) | Q(status=Status.SENDING, claimed_at__lt=lease_expired)


def claim(delivery_id: int) -> bool:
    """Take one delivery for this worker; False if another has it or it is done."""
    now = timezone.now()
    taken = EmailDelivery.objects.filter(claimable(now), pk=delivery_id).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return taken == 1


def is_temporary(error: Exception) -> bool:
    """Whether the same e-mail may go through if tried again later.

    A server's reply code decides where there is one: 5xx is permanent, anything else (4xx, or a
    garbled reply) temporary. A connection refused, lost or timed out is temporary. Any other
    SMTP error is the server lacking what the message or the settings require (no STARTTLS, no
    AUTH, no SMTPUTF8: ``SMTPNotSupportedError`` and the like): no retry changes that.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(not _permanent_code(code) for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return not _permanent_code(error.smtp_code)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPException):
        return False
    # Every SMTPException is an OSError too: only now does OSError mean the network.
    return isinstance(error, OSError)


def _permanent_code(code: int) -> bool:
    return 500 <= code < 600


def enqueue_batches(delivery_ids: list[int], job_prefix: str = "") -> None:
    size = setting("BATCH_SIZE")
    for start in range(0, len(delivery_ids), size):
        batch = delivery_ids[start : start + size]
        job_id = f"notify-{job_prefix}-{start // size}" if job_prefix else None
        enqueue(send_deliveries, batch, job_id=job_id, queue=setting("QUEUE"))


def send_deliveries(delivery_ids: list[int]) -> dict:
    """Job body: send the e-mails of a batch that nobody else has sent or is sending."""
    counts = {"sent": 0, "skipped": 0, "retry": 0, "failed": 0}
    prepared = batches.prepare(delivery_ids, claimable())
    counts["skipped"] = _skip([pk for pk, item in prepared.items() if item.message is None])
    retry_later, failures = [], []
    connection = get_connection(timeout=setting("SMTP_TIMEOUT_SECONDS"))
    # One SMTP session for the whole batch (Django would open one per message otherwise). If
    # it cannot be opened now, each message meets the same error below and is retried or
    # failed as that error deserves.
    _open(connection)
    try:
        for delivery_id in delivery_ids:
            item = prepared.get(delivery_id)
            if item is None or item.message is None or not claim(delivery_id):
                continue
            outcome = _send_one(item, connection)
            counts[outcome] += 1
            if outcome == "retry":
                retry_later.append(delivery_id)
            elif outcome == "failed":
                failures.append(delivery_id)
    finally:
        _drop(connection)
    if retry_later and not inline():
        attempts = _attempts(retry_later)
        schedule(
            send_deliveries,
            timedelta(seconds=backoff(attempts)),
            retry_later,
            job_id=f"notify-retry-{retry_later[0]}-{attempts}",
            queue=setting("QUEUE"),
        )
    if failures:
        raise PermanentDeliveryFailure(f"E-mail deliveries refused for good: {failures}")
    return counts


def _open(connection) -> None:
    try:
        connection.open()
    except OSError as error:
        logger.warning("SMTP session could not be opened: %s", error)


def _drop(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 — a broken session cannot be closed politely; nothing to keep
        logger.debug("SMTP connection close failed", exc_info=True)


def _skip(delivery_ids: list[int]) -> int:
    """Close, in one query, the deliveries with nothing left to tell (unless another worker
    took one meanwhile)."""
    if not delivery_ids:
        return 0
    return EmailDelivery.objects.filter(claimable(), pk__in=delivery_ids).update(
        status=Status.SKIPPED
    )


def _attempts(delivery_ids) -> int:
    return max(
        EmailDelivery.objects.filter(pk__in=delivery_ids).values_list("attempts", flat=True),
        default=1,
    )


def backoff(attempts: int) -> int:
    """Seconds before the next try of an e-mail or webhook that failed ``attempts`` times."""
    return backoff_seconds(setting("RETRY_BASE_SECONDS"), attempts)


def _send_one(item: batches.Prepared, connection) -> str:
    delivery_id = item.delivery.pk
    sent = EmailDelivery.objects.filter(pk=delivery_id)
    try:
        connection.send_messages([item.message])
    except Exception as error:  # noqa: BLE001 — classified there; anything but SMTP is re-raised
        return _after_failure(item, error, connection)
    # The server said 250: record it at once. Nothing may come between these two lines, as a
    # worker killed here is the one way an e-mail can go out twice (with the same Message-ID).
    sent.update(status=Status.SENT, sent_at=timezone.now(), recipient=item.recipient, error="")
    return "sent"


def _after_failure(item: batches.Prepared, error: Exception, connection) -> str:
    delivery = EmailDelivery.objects.filter(pk=item.delivery.pk)
    if not isinstance(error, REFUSED_THIS_MESSAGE):
        # The session broke or never opened: a fresh one for the rest of the batch.
        _drop(connection)
        _open(connection)
    if not is_temporary(error):
        if not isinstance(error, smtplib.SMTPException):
            raise error
        delivery.update(status=Status.FAILED, error=str(error)[:2000])
        return "failed"
    attempts = item.delivery.attempts + 1  # this one, claimed after the batch was read
    gave_up = delivery.filter(attempts__gte=setting("MAX_ATTEMPTS")).update(
        status=Status.FAILED, error=f"gave up after {attempts} attempts: {error}"[:2000]
    )
    if gave_up:
        return "failed"
    delivery.update(
        status=Status.PENDING,
        error=str(error)[:2000],
        next_attempt_at=timezone.now() + timedelta(seconds=backoff(attempts)),
    )
    return "retry"


def resume_deliveries() -> int:
    """Maintenance task: hand to workers every delivery that is due and nobody holds (never
    started, due for a retry, or left "sending" by a worker that died)."""
    now = timezone.now()
    # Never-tried deliveries younger than the lease are still in their first batch's queue.
    lease = timedelta(seconds=setting("LEASE_SECONDS"))
    settled = Q(attempts__gt=0) | Q(created_at__lt=now - lease)
    ids = list(
        EmailDelivery.objects.filter(claimable(now), settled)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ids:
        enqueue_batches(ids)
    return len(ids)
