"""Sending notification e-mails: exactly once per delivery as far as the recipient can tell,
in a number of queries that does not grow with the batch.

What is guaranteed, and what SMTP does not allow:

* **Recorded exactly once.** A delivery (one e-mail: per user per event, or per digest period)
  is a row unique per (user, key). A worker claims a whole batch with one conditional UPDATE
  (only rows nobody holds: waiting, or "sending" under an expired lease), so two workers, or a
  job and its retry, never both send one while the claim holds (``LEASE_SECONDS``, renewed in
  one UPDATE when a batch runs longer than half of it). The batch is marked sent in one UPDATE
  when it is done.
* **Each 250 noted at once.** Between two bulk marks, every e-mail the SMTP server accepted is
  noted in the sent journal (``journal``: one key in the queue's Redis, written right after the
  250) before the next is sent. A worker killed mid-batch leaves its batch "sending"; once the
  lease runs out the sweep hands it to another worker, which marks what the journal holds as
  sent and sends only the rest. Without a journal (jobs inline, or Redis failing at that
  moment) each accepted e-mail is marked in the database right away instead, as a journal entry
  would have been.
* **At least once on the wire.** SMTP has no two-phase commit: a worker killed after the server
  queued a message and before that note leaves it looking unsent, and the next worker sends it
  again. The window is the server's answer travelling back plus that one write: milliseconds,
  but not nothing.
* **Exactly once per Message-ID.** Every attempt of a delivery carries the same Message-ID
  (``EmailDelivery.message_id``), so the only duplicate that can reach a mailbox is a
  byte-for-byte repeat of an e-mail under an identifier the receiving servers and mail stores
  already hold, and collapse. A worker killed *before* the server had the whole message leaves
  nothing behind at the server: the resend is the only copy. Losing the journal (Redis
  restarted empty) widens the window to the batch, under the same Message-IDs.

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
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.apps import apps
from django.core.mail import get_connection
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from workflows.jobs import backoff_seconds, enqueue, inline, schedule

from . import batches
from .journal import SentJournal
from .models import EmailDelivery, NotificationSettings

logger = logging.getLogger(__name__)
Status = EmailDelivery.Status

#: Rows per bulk "sent" UPDATE.
MARK_CHUNK = 500


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


@dataclass
class Claim:
    """The deliveries of a batch this worker holds: "sending", claimed at ``stamp`` (the lease's
    start, which also tells its rows from any other worker's)."""

    stamp: datetime
    #: When the lease was last taken or renewed, on this process's clock.
    since: float = field(default_factory=time.monotonic)

    def ours(self) -> Q:
        return Q(status=Status.SENDING, claimed_at=self.stamp)


def claim_batch(delivery_ids: list[int]) -> Claim:
    """Take every open delivery of ``delivery_ids`` in one UPDATE; which ones this worker got
    is read back with the batch (``Claim.ours``). The claim also fixes each e-mail's address
    (the reader's confirmed one, now): the e-mail goes there, so the row records where it went
    without a value per row to write after the send."""
    now = timezone.now()
    address = NotificationSettings.objects.filter(user=OuterRef("user")).values("email")[:1]
    EmailDelivery.objects.filter(claimable(now), pk__in=delivery_ids).update(
        status=Status.SENDING,
        claimed_at=now,
        attempts=F("attempts") + 1,
        recipient=Coalesce(Subquery(address), Value("")),
    )
    return Claim(now)


def renew(claim: Claim, delivery_ids: list[int]) -> set[int]:
    """Extend the lease on the batch's unsent deliveries (one UPDATE) and return those still
    this worker's (a sweep may have handed some to another worker if this one stalled)."""
    now = timezone.now()
    renewed = EmailDelivery.objects.filter(claim.ours(), pk__in=delivery_ids).update(claimed_at=now)
    claim.stamp, claim.since = now, time.monotonic()
    if renewed == len(delivery_ids):
        return set(delivery_ids)
    return set(
        EmailDelivery.objects.filter(claim.ours(), pk__in=delivery_ids).values_list("pk", flat=True)
    )


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
    claim = claim_batch(delivery_ids)
    prepared = batches.prepare(delivery_ids, claim.ours())
    journal = SentJournal(setting("QUEUE"))
    recalled = _recall(prepared, journal)
    counts["sent"] += len(recalled)
    counts["skipped"] = _skip(claim, [pk for pk, item in prepared.items() if item.message is None])
    to_send = [
        pk
        for pk in delivery_ids
        if pk in prepared and prepared[pk].message is not None and pk not in recalled
    ]
    sent, retry_later, failures = [], [], []
    connection = get_connection(timeout=setting("SMTP_TIMEOUT_SECONDS"))
    # One SMTP session for the whole batch (Django would open one per message otherwise). If
    # it cannot be opened now, each message meets the same error below and is retried or
    # failed as that error deserves.
    _open(connection)
    lease = setting("LEASE_SECONDS")
    remaining = set(to_send)
    try:
        for delivery_id in to_send:
            if time.monotonic() - claim.since > lease / 2:
                remaining &= renew(claim, sorted(remaining))
            if delivery_id not in remaining:
                continue  # another worker took it over while this one stalled
            remaining.discard(delivery_id)
            outcome = _send_one(prepared[delivery_id], connection, journal, sent)
            counts[outcome] += 1
            if outcome == "retry":
                retry_later.append(delivery_id)
            elif outcome == "failed":
                failures.append(delivery_id)
    except Exception:
        # Not a kill (nothing runs after one): record what the server accepted, and give back
        # what was never tried now rather than when the lease runs out.
        _mark_sent(sent, journal)
        _release(claim, remaining)
        raise
    finally:
        _drop(connection)
    _mark_sent(sent, journal)
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


def _recall(prepared: dict[int, batches.Prepared], journal: SentJournal) -> set[int]:
    """What a dead worker sent from this batch and never marked: marked now (at the times the
    server accepted them), not sent again. Only deliveries tried before can be there."""
    tried_before = [pk for pk, item in prepared.items() if item.delivery.attempts > 1]
    accepted = journal.recall(tried_before)
    if accepted:
        # Rare (after a kill): one CASE arm per row is fine here.
        EmailDelivery.objects.filter(pk__in=list(accepted)).update(
            status=Status.SENT,
            error="",
            sent_at=Case(
                *[When(pk=pk, then=Value(at)) for pk, at in accepted.items()],
                output_field=models.DateTimeField(),
            ),
        )
        journal.forget(list(accepted))
    return set(accepted)


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


def _skip(claim: Claim, delivery_ids: list[int]) -> int:
    """Close, in one query, the deliveries with nothing left to tell."""
    if not delivery_ids:
        return 0
    return EmailDelivery.objects.filter(claim.ours(), pk__in=delivery_ids).update(
        status=Status.SKIPPED
    )


def _release(claim: Claim, delivery_ids) -> None:
    """Hand back, untried, deliveries this worker claimed and will not send."""
    if delivery_ids:
        EmailDelivery.objects.filter(claim.ours(), pk__in=list(delivery_ids)).update(
            status=Status.PENDING, claimed_at=None, attempts=F("attempts") - 1
        )


def _mark_sent(sent: list[int], journal: SentJournal) -> None:
    """Mark the accepted e-mails sent, a chunk per UPDATE, then drop their journal notes. (The
    recipient was written with the claim; ``sent_at`` is when the mark was made, at most a
    batch's sending after the server's 250.)"""
    now = timezone.now()
    for start in range(0, len(sent), MARK_CHUNK):
        chunk = sent[start : start + MARK_CHUNK]
        EmailDelivery.objects.filter(pk__in=chunk).update(status=Status.SENT, sent_at=now, error="")
    journal.forget(sent)


def _attempts(delivery_ids) -> int:
    return max(
        EmailDelivery.objects.filter(pk__in=delivery_ids).values_list("attempts", flat=True),
        default=1,
    )


def backoff(attempts: int) -> int:
    """Seconds before the next try of an e-mail or webhook that failed ``attempts`` times."""
    return backoff_seconds(setting("RETRY_BASE_SECONDS"), attempts)


def _send_one(item: batches.Prepared, connection, journal: SentJournal, sent: list) -> str:
    delivery_id = item.delivery.pk
    try:
        connection.send_messages([item.message])
    except Exception as error:  # noqa: BLE001 — classified there; anything but SMTP is re-raised
        return _after_failure(item, error, connection)
    # The server said 250: note it at once (the journal, else the database). Nothing may come
    # between these lines, as a worker killed here is the one way an e-mail can go out twice
    # (with the same Message-ID).
    if journal.record(delivery_id, timezone.now()):
        sent.append(delivery_id)
    else:
        _mark_sent([delivery_id], journal)
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
    attempts = item.delivery.attempts  # this one included: the batch was read after its claim
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
