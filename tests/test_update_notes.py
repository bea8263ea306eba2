"""A change to a document series published with a new update note is an update: every
subscriber hears of it (immediately or in their digest) through the same outbox and the same
exactly-once bookkeeping as a new version; a change without a new note tells nobody."""

import importlib
import json
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from wagtail_localize.models import TranslationSource

from cms.events import run_handlers
from cms.models import DocumentUpdateNote, Membership, TrustDocument
from plugins.notifications.digests import send_digest
from plugins.notifications.models import EmailDelivery, PendingUpdate, WebhookEndpoint
from plugins.notifications.periods import period_key
from plugins.notifications.sending import send_deliveries
from tests import factories
from tests.helpers import NOTE, client_for, document_form_data, form_errors
from tests.notification_helpers import subscribers
from tests.webhook_receiver import Receiver
from workflows.models import OutboxEvent


def update_mails():
    return [m for m in mail.outbox if "List-Unsubscribe" in m.extra_headers]


def publish_in_the_admin(admin, document, capture, **changes):
    """What an editor does: change the series in its edit form and press Publish."""
    fields = {"title": document.title, "summary": document.summary}
    fields.update(update_note=document.update_note, **{"action-publish": "action-publish"})
    data = document_form_data(
        document.slug, document.category, document.access_level, **{**fields, **changes}
    )
    edit_url = reverse(TrustDocument.snippet_viewset.get_url_name("edit"), args=[document.pk])
    with capture(execute=True):
        response = client_for(admin).post(edit_url, data)
    assert response.status_code == 302, form_errors(response)
    document.refresh_from_db()
    return document


@pytest.mark.django_db
def test_the_admin_form_has_the_update_note(demo_users):
    document = factories.document("public")
    edit_url = reverse(TrustDocument.snippet_viewset.get_url_name("edit"), args=[document.pk])
    page = client_for(demo_users["admin"]).get(edit_url).content.decode()
    assert 'name="update_note"' in page and "Update note" in page
    # Scheduled publishing: the go-live and expiry fields of the admin's schedule dialog.
    assert 'name="go_live_at"' in page and 'name="expire_at"' in page


@pytest.mark.django_db
def test_a_new_update_note_notifies_every_subscriber_once(
    demo_users, django_capture_on_commit_callbacks
):
    admin = demo_users["admin"]
    document = factories.document("public", title="Noted SOC report")
    immediate = subscribers("un-now", 3, [document])
    daily = subscribers("un-day", 2, [document], frequency="daily")
    capture = django_capture_on_commit_callbacks
    mail.outbox.clear()

    publish_in_the_admin(admin, document, capture, summary="A better summary.")
    assert document.summary == "A better summary." and update_mails() == []
    assert not PendingUpdate.objects.filter(document=document).exists()

    publish_in_the_admin(admin, document, capture, update_note=NOTE)
    sent = update_mails()
    assert sorted(m.to[0] for m in sent) == sorted(u.email for u in immediate)
    for message in sent:
        assert "Noted SOC report" in message.body and NOTE in message.body
        assert NOTE in message.alternatives[0][0]
        assert "— version" not in message.body  # a note, not a new version
    # Digest readers: recorded with the note, sent with their digest.
    waiting = PendingUpdate.objects.filter(user__in=daily, document=document)
    assert [u.note for u in waiting] == [NOTE, NOTE] and not waiting.filter(delivery__isnull=False)
    mail.outbox.clear()
    send_digest("daily", period_key("daily", timezone.now()))
    digests = update_mails()
    assert sorted(m.to[0] for m in digests) == sorted(u.email for u in daily)
    assert all(NOTE in m.body for m in digests)

    # The same event again (a retried job) sends nothing; so does a later publish that leaves
    # the note as it is.
    event = OutboxEvent.objects.get(name="DocumentPublished", payload__update_note=NOTE)
    assert event.payload["document_id"] == document.pk and event.handled_at is not None
    mail.outbox.clear()
    run_handlers(event.name, event.payload, event_id=str(event.pk))
    send_deliveries(list(EmailDelivery.objects.values_list("pk", flat=True)))
    publish_in_the_admin(admin, document, capture, summary="Summary, corrected.")
    assert update_mails() == []
    assert PendingUpdate.objects.filter(document=document).count() == len(immediate + daily)


@pytest.mark.django_db
def test_a_reader_who_cannot_see_the_document_hears_nothing_of_its_note(
    users, django_capture_on_commit_callbacks
):
    document = factories.document(
        "restricted", organizations=[users["customer_org"]], title="Noted restricted memo"
    )
    member, outsider = subscribers("un-access", 2, [document])
    Membership.objects.create(user=member, organization=users["customer_org"])
    document.refresh_from_db()
    document.update_note = NOTE
    with django_capture_on_commit_callbacks(execute=True):
        document.save_revision().publish()
    assert [m.to for m in update_mails()] == [[member.email]]
    assert EmailDelivery.objects.get(user=outsider).status == "skipped"


@pytest.mark.django_db
def test_webhooks_receive_the_note_as_a_document_update(
    users, settings, django_capture_on_commit_callbacks
):
    settings.TRUSTPORTAL_PLUGIN_SETTINGS = {"notifications": {"WEBHOOK_HTTP_HOSTS": ["127.0.0.1"]}}
    receiver = Receiver()
    try:
        endpoint = WebhookEndpoint.objects.create(
            organization=users["customer_org"], url=receiver.url, created_by=users["member"]
        )
        receiver.secret = endpoint.secret
        document = factories.document("public", title="Noted webhook paper")
        document.refresh_from_db()
        document.update_note = NOTE
        with django_capture_on_commit_callbacks(execute=True):
            document.save_revision().publish()
        (event,) = receiver.accepted
        assert event["event"] == "document.updated" and event["update"] == {"note": NOTE}
        assert event["document"]["title"] == "Noted webhook paper"
        assert json.dumps(event).count(NOTE) == 1
    finally:
        receiver.close()


@pytest.mark.django_db
def test_the_update_note_is_translated_like_the_other_metadata():
    document = factories.document("public")
    document.refresh_from_db()
    document.update_note = NOTE
    document.save_revision().publish()
    source, _created = TranslationSource.get_or_create_from_instance(document)
    paths = set(source.stringsegment_set.values_list("context__path", flat=True))
    assert {"title", "summary", "update_note"} <= paths


@pytest.mark.django_db
def test_each_new_note_is_kept_with_the_moment_it_went_live(
    demo_users, django_capture_on_commit_callbacks
):
    admin = demo_users["admin"]
    document = factories.document("public", title="History of notes")
    capture = django_capture_on_commit_callbacks

    publish_in_the_admin(admin, document, capture, update_note=NOTE)
    (first,) = DocumentUpdateNote.objects.filter(document=document)
    assert (first.note, first.published_at) == (NOTE, document.last_published_at)
    first_revision = document.live_revision

    publish_in_the_admin(admin, document, capture, summary="Only the summary changed.")
    assert DocumentUpdateNote.objects.filter(document=document).count() == 1
    carried_over = document.live_revision  # the same note, carried into a later revision
    publish_in_the_admin(admin, document, capture, update_note="The scope now names Warsaw.")
    second = DocumentUpdateNote.objects.filter(document=document).first()
    assert (second.note, second.published_at) == (
        "The scope now names Warsaw.",
        document.last_published_at,
    )

    # Publishing the first revision again rewrites the series' field, not the history, and
    # tells nobody its note a second time: it went out when that revision first went live.
    with capture(execute=True):
        first_revision.publish()
    rows = list(DocumentUpdateNote.objects.filter(document=document).order_by("pk"))
    assert [(r.pk, r.note, r.published_at) for r in rows] == [
        (first.pk, NOTE, first.published_at),
        (second.pk, second.note, second.published_at),
    ]
    # Nor does a later revision that carried the first note over unchanged.
    publish_in_the_admin(admin, document, capture, update_note="The scope now names Warsaw.")
    with capture(execute=True):
        carried_over.publish()
    assert DocumentUpdateNote.objects.filter(document=document).count() == 2
    published = OutboxEvent.objects.filter(
        name="DocumentPublished", payload__document_id=document.pk
    ).order_by("created_at")
    assert [event.payload["update_note"] for event in published][-6:] == [
        NOTE,
        "",
        "The scope now names Warsaw.",
        "",  # the republished first revision
        "",  # the note of the newest revision is live again: nothing new to tell
        "",  # the republished revision that carried the first note over
    ]

    # The same words in a new revision are a new note: the editor is telling readers again.
    publish_in_the_admin(admin, document, capture, update_note="An interim note.")
    publish_in_the_admin(admin, document, capture, update_note=NOTE)
    newest = DocumentUpdateNote.objects.filter(document=document).first()
    assert DocumentUpdateNote.objects.filter(document=document).count() == 4
    assert (newest.note, newest.published_at) == (NOTE, document.last_published_at)


@pytest.mark.django_db
def test_a_publish_that_rolls_back_keeps_no_note():
    document = factories.document("public")
    document.refresh_from_db()
    document.update_note = NOTE
    events_before = OutboxEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        document.save_revision().publish()
        raise RuntimeError("the editor's request failed after the publish")
    assert not DocumentUpdateNote.objects.filter(document=document).exists()
    assert OutboxEvent.objects.count() == events_before


@pytest.mark.django_db
def test_the_migration_recovers_earlier_notes_from_the_outbox():
    migration = importlib.import_module("cms.migrations.0010_document_update_notes")
    document, withdrawn = factories.document("public"), factories.document("public")
    published_at = timezone.now() - timedelta(days=3)
    for payload in (
        {"document_id": document.pk, "first_publish": False, "update_note": NOTE},
        {"document_id": document.pk, "first_publish": False, "update_note": ""},
        {"document_id": withdrawn.pk, "first_publish": False, "update_note": "Gone."},
    ):
        OutboxEvent.objects.create(
            name="DocumentPublished", payload=payload, created_at=published_at
        )
    withdrawn.delete()
    DocumentUpdateNote.objects.all().delete()

    migration.notes_from_the_outbox(django_apps, schema_editor=None)
    recovered = DocumentUpdateNote.objects.values_list("document_id", "note", "published_at")
    assert list(recovered) == [(document.pk, NOTE, published_at)]


@pytest.mark.django_db
def test_a_scheduled_note_is_told_when_its_revision_goes_live(
    demo_users, django_capture_on_commit_callbacks
):
    """As editors meet it: published with a go-live time in the admin, the revision waits; the
    note is recorded, and its event sent, when ``publish_scheduled`` (cron) puts it live, and
    only once."""
    from django.core.management import call_command
    from wagtail.models import Revision

    admin = demo_users["admin"]
    document = factories.document("public", title="Scheduled notes")
    later = timezone.localtime() + timedelta(days=1)
    publish_in_the_admin(
        admin,
        document,
        django_capture_on_commit_callbacks,
        update_note="Scheduled: the scope adds Lisbon.",
        go_live_at=later.strftime("%Y-%m-%d %H:%M"),
    )
    scheduled = Revision.objects.for_instance(document).get(approved_go_live_at__isnull=False)
    assert not DocumentUpdateNote.objects.filter(document=document).exists()

    # A day passes: the go-live time, in the schedule and in the revision's content, is past.
    past = timezone.now() - timedelta(minutes=1)
    scheduled.content["go_live_at"] = past.isoformat()
    scheduled.approved_go_live_at = past
    scheduled.save(update_fields=["content", "approved_go_live_at"])
    for _run in range(2):  # cron runs again: nothing more is told
        with django_capture_on_commit_callbacks(execute=True):
            call_command("publish_scheduled")
    document.refresh_from_db()
    (note,) = DocumentUpdateNote.objects.filter(document=document)
    assert (note.note, note.published_at) == (
        "Scheduled: the scope adds Lisbon.",
        document.last_published_at,
    )
    events = OutboxEvent.objects.filter(name="DocumentPublished", payload__document_id=document.pk)
    assert [e.payload["update_note"] for e in events.order_by("created_at")][-1] == note.note
    assert events.filter(payload__update_note=note.note).count() == 1
