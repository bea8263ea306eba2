"""A worker SIGKILLed at an exact moment of one e-mail's SMTP dialogue, then another worker.

The SMTP server holds the kth message (tests/smtp_server.py ``Trap``) and tells the test, which
kills the worker while it is held; no sleep decides when anything happens.

* Killed while the server is still receiving the message: the server never has it, the next
  worker sends it: exactly N e-mails arrive, one per recipient.
* Killed after the server queued the message and before it answered 250: the worker could not
  know it was sent, so the next worker sends it again, under the same Message-ID. That is the
  one duplicate SMTP allows (at least once on the wire); receivers and mail stores collapse it
  by Message-ID, so the recipient sees it once (see plugins/notifications/sending.py).

What makes that duplicate harmless, that the resend carries the first copy's Message-ID, is
also checked in process (jobs inline, Django's test mailbox as the SMTP server): the worker
dies after the server queued the message, the sweep hands the delivery to the next worker once
the lease ran out, and that worker builds the e-mail again from the delivery as it then is.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

from plugins.notifications.digests import send_digest
from plugins.notifications.models import EmailDelivery
from plugins.notifications.periods import period_key
from plugins.notifications.sending import resume_deliveries, setting
from tests import factories
from tests.notification_helpers import per_recipient, settled_with, subscribers, wait_until
from tests.smtp_server import QUEUED, RECEIVING

RECIPIENTS = 12
#: The message held: the second of the second batch (batches of 5, tests/workers.py).
HELD = 7
#: However long a worker may take to reach the held message on a busy machine.
REACH_AT_MOST_SECONDS = 120


def kill_while_held(on_the_queue, workers, smtp, cleanup, prefix: str, stage: str):
    """Publish an update for RECIPIENTS readers, kill the one worker while the server holds
    message HELD at ``stage``, start another; return the readers and what arrived before."""
    document = factories.document("public", title=f"Kill test paper {prefix}")
    cleanup["documents"].append(document)
    cleanup["prefixes"].append(prefix)
    users = subscribers(prefix, RECIPIENTS, [document])
    trap = smtp.set_trap(HELD, stage)
    on_the_queue()
    doomed = workers()
    factories.version(document, "v2")

    assert trap.reached.wait(REACH_AT_MOST_SECONDS), "the worker never reached the message"
    doomed.kill()  # SIGKILL to its process group; returns once the worker is gone
    before = smtp.received
    # Claimed with the rest of its batch in one statement: "sending", like those after it, and
    # like those before it that the server accepted (the sent journal knows those).
    held = EmailDelivery.objects.get(user__in=users, user__email__in=trap.recipients)
    assert held.status == EmailDelivery.Status.SENDING and held.attempts == 1
    trap.release.set()
    # Its sweep (every 2 s on the scheduler) resumes what the dead worker left, the held
    # delivery once the dead worker's lease on it has run out.
    workers(with_scheduler=True)
    assert wait_until(lambda: settled_with(users, RECIPIENTS), timeout=REACH_AT_MOST_SECONDS)
    assert EmailDelivery.objects.filter(user__in=users, status="sent").count() == RECIPIENTS
    return users, before, held


def test_killed_before_the_server_has_the_message_exactly_n_arrive(
    on_the_queue, workers, smtp, cleanup
):
    users, before, held = kill_while_held(
        on_the_queue, workers, smtp, cleanup, "k-receiving", RECEIVING
    )
    assert len(before) == HELD - 1  # the held one was not complete: the server dropped it
    received = smtp.received
    assert len(received) == RECIPIENTS  # in total, over both workers: not one more
    counts = per_recipient(received)
    assert set(counts) == {user.email for user in users} and set(counts.values()) == {1}
    held.refresh_from_db()
    assert held.attempts == 2  # the killed worker's try, and the one that reached the server


def test_killed_between_queued_and_250_the_only_duplicate_has_the_same_message_id(
    on_the_queue, workers, smtp, cleanup
):
    users, before, held = kill_while_held(on_the_queue, workers, smtp, cleanup, "k-queued", QUEUED)
    assert len(before) == HELD  # the server has the held message: the worker died unaware
    first_copy = before[-1]
    received = smtp.received
    ids = Counter(item.message_id for item in received)
    assert len(ids) == RECIPIENTS  # N distinct e-mails
    counts = per_recipient(received)
    assert set(counts) == {user.email for user in users} and set(counts.values()) == {1}
    # One raw message came twice, and only that one: the resend of the held message, under
    # the Message-ID of its first copy, to the same recipient.
    assert len(received) == RECIPIENTS + 1
    assert [mid for mid, n in ids.items() if n > 1] == [first_copy.message_id]
    copies = [item for item in received if item.message_id == first_copy.message_id]
    assert [c.recipients for c in copies] == [first_copy.recipients] * 2
    assert first_copy.message_id == held.message_id
    held.refresh_from_db()
    assert held.attempts == 2 and held.recipient == first_copy.recipients[0]


class WorkerKilled(BaseException):
    """A SIGKILL, in process: no ``except Exception`` of the worker's code catches it, so
    nothing after the moment it is raised runs."""


class KilledWhenTheServerQueued(locmem.EmailBackend):
    """The SMTP server (Django's test mailbox) queues each message; the worker dies at that
    moment, before it hears the 250."""

    def send_messages(self, messages):
        super().send_messages(messages)
        raise WorkerKilled


@pytest.mark.django_db
def test_the_retry_after_a_kill_rebuilds_the_email_under_the_message_id_of_the_first_try(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    document = factories.document("public", title="Inline kill test paper")
    readers = subscribers("k-inline", 2, [document], frequency="daily")
    with django_capture_on_commit_callbacks(execute=True):
        factories.version(document, "v2")
    settings.EMAIL_BACKEND = f"{__name__}.{KilledWhenTheServerQueued.__name__}"
    with pytest.raises(WorkerKilled):
        send_digest("daily", period_key("daily", timezone.now()))
    (first_copy,) = mail.outbox
    killed = EmailDelivery.objects.get(user__in=readers, user__email__in=first_copy.to)
    assert killed.status == EmailDelivery.Status.SENDING and killed.attempts == 1
    # Claimed with it in the batch's one statement and never tried: it waits for the lease too.
    untouched = EmailDelivery.objects.exclude(pk=killed.pk).get(user__in=readers)
    assert untouched.status == EmailDelivery.Status.SENDING and untouched.sent_at is None

    # The next worker, once the dead one's lease has run out: the sweep hands it both.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = timezone.now() + timedelta(seconds=setting("LEASE_SECONDS") + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert resume_deliveries() == 2
    killed.refresh_from_db()
    assert killed.status == EmailDelivery.Status.SENT and killed.attempts == 2
    assert killed.claimed_at == later  # claimed anew: what changes between tries has changed

    first, *after = mail.outbox
    assert first is first_copy and len(after) == 2  # one resend, one first send: no more
    (resent,) = [item for item in after if item.to == first_copy.to]
    (other,) = [item for item in after if item.to == [untouched.user.email]]
    # What goes on the wire: the resend is the first copy again, under its Message-ID.
    message_ids = [item.message()["Message-ID"] for item in (first_copy, resent, other)]
    assert message_ids[0] == message_ids[1] == killed.message_id
    # The same e-mail; only its unsubscribe link is signed anew (a timestamped signature).
    assert (resent.subject, unsigned(resent.body)) == (
        first_copy.subject,
        unsigned(first_copy.body),
    )
    assert unsigned(resent.body) != resent.body  # the link is there, and masked
    # Another e-mail has another Message-ID.
    assert message_ids[2] == EmailDelivery.objects.get(pk=untouched.pk).message_id
    assert message_ids[2] != message_ids[0]


def unsigned(body: str) -> str:
    """``body`` with the signature of its unsubscribe link masked."""
    return re.sub(r"/unsubscribe/[^/\s]+/", "/unsubscribe/<signed>/", body)
