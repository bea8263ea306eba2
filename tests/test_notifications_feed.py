"""The update feed lists new versions and update notes together, newest first, with ids that
stay put, only for documents its owner may see at the moment of each fetch, and in the feed's
language."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from plugins.notifications.models import NotificationSettings
from tests import factories
from tests.helpers import GERMAN_NOTE, NOTE, translate_to_german

TODAY = timezone.localdate()


def feed(user, language: str = "en") -> list[dict]:
    token = NotificationSettings.objects.get_or_create(user=user)[0].feed_token
    response = Client().get(f"/{language}/notifications/feed/{token}.json")
    assert response.status_code == 200
    return response.json()["items"]


def items_of(items: list[dict], *documents) -> list[dict]:
    """The items about ``documents`` (the demo portal's own documents have updates too)."""
    slugs = {f"/documents/{document.slug}/" for document in documents}
    return [item for item in items if any(slug in item["url"] for slug in slugs)]


@pytest.mark.django_db
def test_notes_and_versions_are_listed_together_newest_first(users):
    member = users["member"]
    older = factories.document("public", title="Feed older", published_on=TODAY - timedelta(20))
    newer = factories.document("public", title="Feed newer", published_on=TODAY - timedelta(10))
    older_note = factories.update_note(older, "Older note.").update_notes.get()
    newer_v2 = factories.version(newer, "v2")
    newer_note = factories.update_note(newer, "Newer note.").update_notes.get()

    items = items_of(feed(member), older, newer)
    older_v1 = older.versions.get(version_label="v1")
    newer_v1 = newer.versions.get(version_label="v1")
    expected = [
        (f"#note-{newer_note.pk}", "Feed newer", "Newer note."),
        (f"#version-{newer_v2.pk}", "Feed newer — v2", "Changes in v2"),
        (f"#note-{older_note.pk}", "Feed older", "Older note."),
        (f"#version-{newer_v1.pk}", "Feed newer — v1", "Changes in v1"),
        (f"#version-{older_v1.pk}", "Feed older — v1", "Changes in v1"),
    ]
    assert [
        (item["id"][item["id"].index("#") :], item["title"], item["content_text"]) for item in items
    ] == expected
    published = [datetime.fromisoformat(item["date_published"]) for item in items]
    assert published == sorted(published, reverse=True)
    assert published[0] == newer_note.published_at
    assert published[3].date() == TODAY - timedelta(10)

    # Ids belong to the updates, not to their places: a new update leaves the others' alone.
    factories.update_note(older, "Newest note.")
    again = items_of(feed(member), older, newer)
    assert again[0]["content_text"] == "Newest note."
    assert [item["id"] for item in again[1:]] == [item["id"] for item in items]


@pytest.mark.django_db
def test_the_feed_never_lists_a_note_its_owner_may_not_see(users):
    member = users["member"]
    hidden = factories.document(
        "restricted", organizations=[users["other_org_obj"]], title="Feed walrus dossier"
    )
    entitled = factories.document(
        "restricted", organizations=[users["customer_org"]], title="Feed entitled memo"
    )
    factories.update_note(hidden, "The walrus annex was added.")
    factories.update_note(entitled, NOTE)

    items = feed(member)
    notes = [item["content_text"] for item in items_of(items, hidden, entitled)]
    assert notes == [NOTE, "Changes in v1"]
    assert "walrus" not in str(items).lower()

    # Decided on every fetch: once the organization loses the entitlement, its note is gone.
    entitled.refresh_from_db()
    entitled.restricted_organizations.set([])
    entitled.save_revision().publish()
    items = feed(member)
    assert items_of(items, entitled) == [] and NOTE not in str(items)


@pytest.mark.django_db
def test_notes_are_in_the_feeds_language_as_their_translation_says_them(
    users, admin_client, django_capture_on_commit_callbacks
):
    member = users["member"]
    document = factories.document("public", title="Feed language report")
    first = factories.update_note(document, NOTE).update_notes.get()
    translate_to_german(
        admin_client,
        document,
        {"title": "Sprachbericht im Feed", "update_note": GERMAN_NOTE},
        django_capture_on_commit_callbacks,
    )
    second = factories.update_note(document, "The scope now names Warsaw.").update_notes.first()

    german = {item["id"].split("#")[1]: item for item in items_of(feed(member, "de"), document)}
    # The translation was made of the first note: it says that one, not the newer note.
    assert german[f"note-{first.pk}"]["content_text"] == GERMAN_NOTE
    assert german[f"note-{second.pk}"]["content_text"] == "The scope now names Warsaw."
    assert german[f"note-{first.pk}"]["title"] == "Sprachbericht im Feed"
    english = {item["id"].split("#")[1]: item for item in items_of(feed(member), document)}
    assert english[f"note-{first.pk}"]["content_text"] == NOTE


@pytest.mark.django_db
def test_a_fetch_costs_the_same_queries_whatever_the_number_of_updates(users):
    member = users["member"]
    token = NotificationSettings.objects.get_or_create(user=member)[0].feed_token
    documents = []

    def queries_for(count: int) -> int:
        while len(documents) < count:
            document = factories.document("public", published_on=TODAY - timedelta(3))
            factories.update_note(document, f"Note {len(documents)}")
            factories.version(document, "v2")
            documents.append(document)
        Client().get(f"/de/notifications/feed/{token}.json")  # warm the per-process caches
        with CaptureQueriesContext(connection) as context:
            items = Client().get(f"/de/notifications/feed/{token}.json").json()["items"]
        # Each document's note, v1 and v2.
        assert len(items_of(items, *documents)) == 3 * count
        return len(context.captured_queries)

    assert queries_for(2) == queries_for(8)
