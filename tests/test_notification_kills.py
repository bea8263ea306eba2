"""A worker SIGKILLed at an exact moment of one e-mail's SMTP dialogue, then another worker.

The SMTP server holds the kth message (tests/smtp_server.py ``Trap``) and tells the test, which
kills the worker while it is held; no sleep decides when anything happens.

* Killed while the server is still receiving the message: the server never has it, the next
  worker sends it: exactly N e-mails arrive, one per recipient.
* Killed after the server queued the message and before it answered 250: the worker could not
  know it was sent, so the next worker sends it again, under the same Message-ID. That is the
  one duplicate SMTP allows (at least once on the wire); receivers and mail stores collapse it
  by Message-ID, so the recipient sees it once (see plugins/notifications/sending.py).
"""

from __future__ import annotations

from collections import Counter

import pytest

from plugins.notifications.models import EmailDelivery
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
    held = EmailDelivery.objects.get(user__in=users, status=EmailDelivery.Status.SENDING)
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


@pytest.mark.django_db
def test_every_attempt_of_a_delivery_carries_its_one_message_id(users):
    """What makes the duplicate above harmless. (Its database marker also makes pytest-django
    create the test database when this module runs alone.)"""
    first = EmailDelivery.objects.create(user=users["member"], key="event:a")
    other = EmailDelivery.objects.create(user=users["member"], key="event:b")
    again = EmailDelivery.objects.get(pk=first.pk)
    again.attempts = 3
    assert again.message_id == first.message_id != other.message_id
