"""Notifications speak the reader's language: the e-mail (subject, text and HTML parts), the
settings and library pages, and the update note once its translation is published."""

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from plugins.notifications.digests import send_digest
from plugins.notifications.periods import period_key
from tests import factories
from tests.helpers import GERMAN_NOTE, NOTE, translate_to_german
from tests.notification_helpers import subscribers

#: What an English e-mail says that a translated one must not.
ENGLISH = ("A document in your library was updated", "Unsubscribe", "Stop these e-mails")


def update_mails():
    return [m for m in mail.outbox if "List-Unsubscribe" in m.extra_headers]


def parts(message) -> tuple[str, str, str]:
    return message.subject, message.body, message.alternatives[0][0]


@pytest.mark.django_db
def test_a_german_readers_update_email_is_in_german(django_capture_on_commit_callbacks):
    document = factories.document("public", title="Language test report")
    subscribers("nl-de", 1, [document], language="de")
    with django_capture_on_commit_callbacks(execute=True):
        factories.version(document, "v2")
    (message,) = update_mails()
    subject, text, html = parts(message)
    assert subject == "Trust Portal: 1 Dokument in Ihrer Bibliothek wurde aktualisiert"
    assert "Ein Dokument in Ihrer Bibliothek wurde aktualisiert:" in text
    assert "Language test report — Version v2" in text
    assert "Ändern Sie, wie oft Sie von uns hören: http://testserver/de/notifications/" in text
    assert "Diese E-Mails abbestellen: http://testserver/de/notifications/unsubscribe/" in text
    assert "Ein Dokument in Ihrer Bibliothek wurde aktualisiert:" in html
    assert "Benachrichtigungseinstellungen</a>" in html and "Abbestellen</a>" in html
    assert not [words for words in ENGLISH if words in text or words in html]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, subject",
    [
        ("fr", "Trust Portal : 1 document de votre bibliothèque a été mis à jour"),
        ("es", "Trust Portal: se actualizó 1 documento de su biblioteca"),
        ("ja", "Trust Portal: ライブラリのドキュメント 1 件が更新されました"),
    ],
)
def test_french_spanish_and_japanese_readers_get_their_language(
    language, subject, django_capture_on_commit_callbacks
):
    document = factories.document("public")
    subscribers(f"nl-{language}", 1, [document], language=language)
    with django_capture_on_commit_callbacks(execute=True):
        factories.version(document, "v2")
    (message,) = update_mails()
    assert message.subject == subject
    assert not [words for words in ENGLISH if words in message.body]


@pytest.mark.django_db
def test_the_settings_and_library_pages_render_in_german(users):
    client = Client()
    client.force_login(users["member"])
    page = client.get("/de/notifications/").content.decode()
    for words in (
        "<h1>Benachrichtigungseinstellungen</h1>",
        "Mich per E-Mail über Aktualisierungen informieren",
        "Tägliche Zusammenfassung",
        "Einstellungen speichern",
        "Aktualisierungs-Feed",
        "Neue Feed-Adresse anfordern",
        'href="/de/library/">Meine Bibliothek</a>',
    ):
        assert words in page, words
    assert "Save settings" not in page and "Update feed" not in page
    library = client.get("/de/library/").content.decode()
    assert "<h1>Meine Bibliothek</h1>" in library and "Ihre Bibliothek ist leer." in library


@pytest.mark.django_db
def test_the_note_is_mailed_in_german_once_its_translation_is_published(
    admin_client, django_capture_on_commit_callbacks
):
    document = factories.document("public", title="Noted language report")
    (at_once,) = subscribers("nl-now", 1, [document], language="de")
    (in_digest,) = subscribers("nl-day", 1, [document], frequency="daily", language="de")
    document.refresh_from_db()
    document.update_note = NOTE
    with django_capture_on_commit_callbacks(execute=True):
        document.save_revision().publish()
    # Mailed at once, before anyone translated the note: German e-mail, the note as written.
    (first,) = update_mails()
    assert first.to == [at_once.email] and NOTE in first.body
    assert "Ein Dokument in Ihrer Bibliothek wurde aktualisiert:" in first.body

    translate_to_german(
        admin_client,
        document,
        {"title": "Sprachbericht mit Hinweis", "update_note": GERMAN_NOTE},
        django_capture_on_commit_callbacks,
    )
    mail.outbox.clear()
    send_digest("daily", period_key("daily", timezone.now()))
    (digest,) = update_mails()
    subject, text, html = parts(digest)
    assert digest.to == [in_digest.email]
    assert subject == "Trust Portal: 1 Dokument in Ihrer Bibliothek wurde aktualisiert"
    assert "Diese Dokumente in Ihrer Bibliothek wurden aktualisiert:" in text
    for body in (text, html):
        assert "Sprachbericht mit Hinweis" in body and GERMAN_NOTE in body
        assert NOTE not in body and "Noted language report" not in body


@pytest.mark.django_db
def test_a_translation_older_than_the_note_is_not_mailed_as_its_translation(
    admin_client, django_capture_on_commit_callbacks
):
    document = factories.document("public", title="Twice noted report")
    document.refresh_from_db()
    document.update_note = "First note."
    document.save_revision().publish()
    translate_to_german(
        admin_client,
        document,
        {"update_note": "Erster Hinweis."},
        django_capture_on_commit_callbacks,
    )
    subscribers("nl-stale", 1, [document], language="de")
    document.refresh_from_db()
    document.update_note = NOTE
    with django_capture_on_commit_callbacks(execute=True):
        document.save_revision().publish()
    (message,) = update_mails()
    # The German translation still says the first note: the new one goes out as written.
    assert NOTE in message.body and "Erster Hinweis." not in message.body
