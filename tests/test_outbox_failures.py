"""A poison event (a handler that fails every time) is retried with backoff a bounded number of
times, then left for staff, who see it in the admin and can retry it; the other handlers of the
event still run. (Jobs inline; the sweep is what a worker's scheduler runs.)"""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests import factories
from tests.notification_helpers import subscribers
from workflows.models import OutboxEvent
from workflows.sweep import sweep


class Poison(Exception):
    pass


@pytest.fixture
def poisoned_handler(monkeypatch, sample_plugin):
    """The sample plugin's handler of new versions fails until the test cures it."""
    from cms import events

    state = {"poisoned": True, "runs": Counter()}

    def handler(event):
        state["runs"][event.version_id] += 1
        if state["poisoned"]:
            raise Poison(f"cannot digest version {event.version_id}")

    monkeypatch.setattr(sample_plugin, "event_handlers", lambda: {events.VersionPublished: handler})
    return state


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def due_now(row: OutboxEvent) -> None:
    """The backoff is over (what waiting would do; the sweep decides by the stored time)."""
    OutboxEvent.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())


@pytest.mark.django_db
def test_a_failing_handler_is_retried_with_backoff_then_left_for_staff(
    poisoned_handler, settings, demo_users, django_capture_on_commit_callbacks
):
    settings.TRUSTPORTAL_OUTBOX_MAX_ATTEMPTS = 3
    settings.TRUSTPORTAL_OUTBOX_RETRY_SECONDS = 60
    document = factories.document("public", title="Poison test paper")
    (reader,) = subscribers("ob-poison", 1, [document])
    mail.outbox.clear()
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        version = factories.version(document, "v2")
    row = OutboxEvent.objects.get(name="VersionPublished", payload__version_id=version.pk)
    assert row.attempts == 1 and row.handled_at is None and row.failed_at is None
    assert "cannot digest version" in row.last_error
    assert timedelta(seconds=60) <= row.next_attempt_at - before <= timedelta(seconds=90)
    # The other handlers ran all the same: the subscriber was mailed.
    assert [m.to for m in mail.outbox if "List-Unsubscribe" in m.extra_headers] == [[reader.email]]

    sweep()  # not due yet: nothing runs
    row.refresh_from_db()
    assert row.attempts == 1 and poisoned_handler["runs"][version.pk] == 1

    due_now(row)
    second_try = timezone.now()
    sweep()
    row.refresh_from_db()
    assert row.attempts == 2 and row.failed_at is None
    # The wait doubles.
    assert timedelta(seconds=120) <= row.next_attempt_at - second_try <= timedelta(seconds=150)

    due_now(row)
    sweep()
    row.refresh_from_db()
    assert row.attempts == 3 and row.failed_at is not None and row.state == "failed"
    # Failed for good: no sweep picks it up again, however long it waits.
    due_now(row)
    sweep()
    row.refresh_from_db()
    assert row.attempts == 3 and poisoned_handler["runs"][version.pk] == 3

    # Staff see it, with the error, among the failed events.
    admin = signed_in(demo_users["admin"])
    listing = admin.get("/admin/outbox_events/?state=failed").content.decode()
    assert "VersionPublished" in listing and "cannot digest version" in listing
    assert f"/admin/outbox_events/retry/{row.pk}/" in listing
    handled = admin.get("/admin/outbox_events/?state=handled").content.decode()
    assert f"/admin/outbox_events/retry/{row.pk}/" not in handled

    # Once the plugin is mended, staff retry it and it is handled.
    poisoned_handler["poisoned"] = False
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/admin/outbox_events/retry/{row.pk}/")
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.handled_at is not None and row.failed_at is None and row.attempts == 1
    assert admin.post(f"/admin/outbox_events/retry/{row.pk}/").status_code == 404


@pytest.mark.django_db
def test_only_staff_allowed_to_change_the_outbox_may_retry(poisoned_handler, demo_users):
    document = factories.document("public")
    factories.version(document, "v2")
    row = OutboxEvent.objects.create(
        name="VersionPublished",
        payload={"document_id": document.pk, "version_id": 0},
        failed_at=timezone.now(),
        attempts=8,
        last_error="attempt 8: Poison()",
    )
    editor = signed_in(demo_users["editor"])
    refused = editor.post(f"/admin/outbox_events/retry/{row.pk}/")
    assert refused.status_code == 403 and b"may not retry" in refused.content
    assert Client().post(f"/admin/outbox_events/retry/{row.pk}/").status_code == 302  # sign in
    row.refresh_from_db()
    assert row.failed_at is not None and row.attempts == 8
    admin = signed_in(demo_users["admin"])
    assert admin.post("/admin/outbox_events/retry/not-a-uuid/").status_code == 404
    assert admin.get(f"/admin/outbox_events/retry/{row.pk}/").status_code == 405
