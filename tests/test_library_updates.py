"""My Library's "updated" flag: a document whose current version or whose newest update note
came out in the flag period is flagged, with the newer of the two as its tooltip, in the
reader's language; never for a document the reader can no longer see."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import DocumentUpdateNote
from plugins.library.models import SavedDocument
from tests import factories
from tests.helpers import GERMAN_NOTE, NOTE, bearer, client_for, translate_to_german

OLD = timezone.localdate() - timedelta(days=90)


def tooltip(page: str, saved: SavedDocument) -> str | None:
    """The text of the flag's tooltip of one saved document, None when it is not flagged."""
    pattern = rf'<span role="tooltip" id="update-{saved.pk}">(.*?)</span>'
    match = re.search(pattern, page, re.S)
    return match[1].strip() if match else None


def recent_update(client, document, **headers):
    items = client.get("/api/v3/library/", **headers).json()["items"]
    return next(item["recent_update"] for item in items if item["slug"] == document.slug)


@pytest.mark.django_db
def test_a_recent_update_note_flags_the_document_and_an_old_one_does_not(users):
    member = users["member"]
    noted = factories.document("public", title="Recently noted", published_on=OLD)
    aged = factories.document("public", title="Noted long ago", published_on=OLD)
    factories.update_note(noted, NOTE)
    factories.update_note(aged, "An old note nobody needs flagged.")
    DocumentUpdateNote.objects.filter(document=aged).update(
        published_at=timezone.now() - timedelta(days=31)
    )
    saved = SavedDocument.objects.create(user=member, document=noted)
    SavedDocument.objects.create(user=member, document=aged)
    client = client_for(member)

    page = client.get("/en/library/").content.decode()
    today = timezone.localdate()
    # The date as English dates read everywhere on the site (sites/formats/en: "7 Dec 2026").
    assert tooltip(page, saved) == f"Update note ({today.day} {today:%b %Y}): {NOTE}"
    # The flag is a button (reachable by keyboard) that the tooltip describes.
    assert f'class="badge" aria-describedby="update-{saved.pk}"' in page
    assert page.count('class="badge"') == 1
    assert "An old note nobody needs flagged." not in page
    assert recent_update(client, noted) == {
        "kind": "note",
        "version": None,
        "published_on": today.isoformat(),
        "description": NOTE,
    }
    assert recent_update(client, aged) is None


@pytest.mark.django_db
def test_the_newer_of_the_note_and_the_version_is_shown(users):
    member = users["member"]
    document = factories.document("public", published_on=timezone.localdate() - timedelta(days=5))
    saved = SavedDocument.objects.create(user=member, document=document)
    client = client_for(member)

    factories.update_note(document, NOTE)
    assert NOTE in tooltip(client.get("/en/library/").content.decode(), saved)
    # A version published after the note, the same day: the version is the newer update.
    factories.version(document, "v2")
    shown = tooltip(client.get("/en/library/").content.decode(), saved)
    assert (
        shown.startswith("Version v2 (") and shown.endswith("Changes in v2") and NOTE not in shown
    )
    assert recent_update(client, document)["kind"] == "version"
    factories.update_note(document, "The scope now names Warsaw.")
    shown = tooltip(client.get("/en/library/").content.decode(), saved)
    assert shown.endswith("The scope now names Warsaw.") and "v2" not in shown


@pytest.mark.django_db
def test_a_document_the_reader_can_no_longer_see_shows_no_note(users):
    member = users["member"]
    document = factories.document(
        "restricted", organizations=[users["customer_org"]], title="Walrus memo", published_on=OLD
    )
    factories.update_note(document, NOTE)
    saved = SavedDocument.objects.create(user=member, document=document)
    client = client_for(member)
    headers = bearer(member)
    assert NOTE in tooltip(client.get("/en/library/").content.decode(), saved)

    document.refresh_from_db()
    document.restricted_organizations.set([])
    document.save_revision().publish()
    page = client.get("/en/library/").content.decode()
    assert "Document no longer available" in page and tooltip(page, saved) is None
    assert NOTE not in page and 'class="badge"' not in page
    api = client.get("/api/v3/library/", **headers).json()
    assert api["items"][0]["available"] is False and api["items"][0]["recent_update"] is None
    assert NOTE not in str(api)


@pytest.mark.django_db
def test_the_note_is_shown_in_the_readers_language_once_its_translation_is_published(
    users, admin_client, django_capture_on_commit_callbacks
):
    member = users["member"]
    document = factories.document("public", title="Noted language report", published_on=OLD)
    factories.update_note(document, NOTE)
    saved = SavedDocument.objects.create(user=member, document=document)
    client = client_for(member)
    assert NOTE in tooltip(client.get("/de/library/").content.decode(), saved)

    translate_to_german(
        admin_client,
        document,
        {"title": "Sprachbericht mit Hinweis", "update_note": GERMAN_NOTE},
        django_capture_on_commit_callbacks,
    )
    german = client.get("/de/library/").content.decode()
    shown = tooltip(german, saved)
    assert shown.startswith("Aktualisierungshinweis (") and shown.endswith(GERMAN_NOTE)
    assert "Sprachbericht mit Hinweis" in german
    assert NOTE in tooltip(client.get("/en/library/").content.decode(), saved)
    api = client.get("/api/v3/library/?locale=de").json()
    assert api["items"][0]["recent_update"]["description"] == GERMAN_NOTE

    # A newer note than the translation: the translation still says the old one, so the new
    # note shows as the editor wrote it.
    factories.update_note(document, "The scope now names Warsaw.")
    shown = tooltip(client.get("/de/library/").content.decode(), saved)
    assert shown.endswith("The scope now names Warsaw.") and GERMAN_NOTE not in shown


@pytest.mark.django_db
def test_flagging_costs_the_same_queries_whatever_the_number_of_documents(users):
    member = users["member"]
    client = client_for(member)
    headers = bearer(member)

    def queries_for(count: int) -> tuple[int, int]:
        SavedDocument.objects.filter(user=member).delete()
        for n in range(count):
            document = factories.document("public", published_on=OLD)
            factories.update_note(document, f"Note {n}")
            if n % 2:
                factories.version(document, "v2")  # newer than the note
            SavedDocument.objects.create(user=member, document=document)
        # Warm the per-process caches (site, locales).
        client.get("/de/library/")
        client.get("/api/v3/library/?locale=de", **headers)
        with CaptureQueriesContext(connection) as site:
            page = client.get("/de/library/").content.decode()
        assert page.count('class="badge"') == count
        with CaptureQueriesContext(connection) as api:
            items = client.get("/api/v3/library/?locale=de", **headers).json()["items"]
        assert [item["recent_update"]["kind"] for item in items].count("version") == count // 2
        return len(site.captured_queries), len(api.captured_queries)

    assert queries_for(2) == queries_for(8)
