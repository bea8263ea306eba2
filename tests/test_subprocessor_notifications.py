"""Readers who opt in are e-mailed when the subprocessors list changes (the core event
``SubprocessorChanged``, raised by the trust center plugin): opted in on the settings page or
through the API, sent through the same deliveries as document updates, received by a real SMTP
server, in the reader's language, once per reader and change however often the jobs run."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from wagtail.models import Locale

from cms.events import run_handlers
from plugins.notifications.digests import send_digest
from plugins.notifications.models import (
    EmailDelivery,
    NotificationSettings,
    PendingSubprocessorChange,
    SubprocessorNotice,
)
from plugins.notifications.periods import period_key
from plugins.notifications.sending import send_deliveries
from plugins.trust_center.models import Subprocessor, SubprocessorChange
from tests.helpers import bearer, client_for
from tests.html_forms import form_with_button
from tests.notification_helpers import per_recipient, settled_with, subscribers, wait_until
from workflows.models import OutboxEvent

SETTINGS_API = "/api/v3/notifications/settings/"
#: Subprocessor names no other test or the demo uses.
NAMES = (f"Dingo Data {n}" for n in itertools.count())


def readers(prefix: str, count: int, opted_in=True, language="en", frequency="immediately"):
    """``count`` active readers with e-mail on and a confirmed address."""
    return subscribers(
        prefix, count, (), frequency=frequency, language=language, subprocessor_changes=opted_in
    )


def publish(subprocessor: Subprocessor) -> Subprocessor:
    subprocessor.save()
    subprocessor.save_revision().publish()
    return subprocessor


def new_subprocessor(name: str) -> Subprocessor:
    return Subprocessor(
        locale=Locale.get_default(),
        name=name,
        purpose="Log analysis",
        location="Finland",
        since=date(2026, 3, 1),
    )


def add_change_remove(name: str) -> Subprocessor:
    """Publish a new subprocessor, change its location, unpublish it: three changes."""
    subprocessor = publish(new_subprocessor(name))
    subprocessor.location = "Finland and Estonia"
    publish(subprocessor)
    subprocessor.unpublish()
    return subprocessor


def events_about(subprocessor: Subprocessor):
    return OutboxEvent.objects.filter(
        name="SubprocessorChanged", payload__subprocessor_key=str(subprocessor.translation_key)
    ).order_by("created_at")


def run_the_jobs_again(subprocessor: Subprocessor, users) -> dict:
    """The fan-out of every change, then the sending of every delivery, run once more (a job
    retried, a worker that ran it twice)."""
    for event in events_about(subprocessor):
        run_handlers(event.name, event.payload, str(event.pk))
    ids = list(EmailDelivery.objects.filter(user__in=users).values_list("pk", flat=True))
    return send_deliveries(ids)


@pytest.fixture
def smtp_backend(smtp, settings):
    """Jobs run inline in this process, and e-mails go to the recording SMTP server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp.port
    return smtp


# --- opting in ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_reader_opts_in_on_the_settings_page_which_speaks_their_language(users):
    member = users["member"]
    NotificationSettings.objects.create(
        user=member, enabled=True, email="member@customer.test", frequency="weekly"
    )
    client = client_for(member)
    page = client.get("/de/notifications/").content.decode()
    label = "Mich auch per E-Mail informieren, wenn sich die Liste der Unterauftragsverarbeiter"
    assert label in page
    form = form_with_button(page, "Einstellungen speichern")
    data = form.data("Einstellungen speichern")
    assert "subprocessor_changes" not in data  # not ticked: off until the reader opts in
    assert "enabled" in data
    # A checkbox without a value attribute is posted as "on" by browsers (the parser gives "").
    data["enabled"] = "on"

    response = client.post("/de/notifications/", {**data, "subprocessor_changes": "on"})
    assert response.status_code == 302
    preferences = NotificationSettings.objects.get(user=member)
    assert preferences.subprocessor_changes and preferences.enabled
    assert (preferences.frequency, preferences.email) == ("weekly", "member@customer.test")
    again = client.get("/en/notifications/").content.decode()
    assert re.search(r'<input type="checkbox" name="subprocessor_changes"[^>]*\bchecked', again)

    # Unticked again, off again.
    client.post("/en/notifications/", data)
    preferences.refresh_from_db()
    assert not preferences.subprocessor_changes


@pytest.mark.django_db
def test_a_reader_opts_in_through_the_api_with_the_pages_checks(users):
    member = users["member"]
    headers = bearer(member)
    client = Client()
    assert client.get(SETTINGS_API, **headers).json()["subprocessor_changes"] is False

    changed = client.patch(
        SETTINGS_API, {"subprocessor_changes": True}, content_type="application/json", **headers
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["subprocessor_changes"] is True
    assert NotificationSettings.objects.get(user=member).subprocessor_changes
    assert client.get(SETTINGS_API, **headers).json()["subprocessor_changes"] is True

    null = client.patch(
        SETTINGS_API, {"subprocessor_changes": None}, content_type="application/json", **headers
    )
    assert null.status_code == 400 and "cannot be null" in null.json()["detail"]
    # A personal account cannot be e-mailed at all: asking for these e-mails is refused, as on
    # the page.
    personal = users["personal"]
    refused = client.patch(
        SETTINGS_API,
        {"subprocessor_changes": True},
        content_type="application/json",
        **bearer(personal),
    )
    assert refused.status_code == 400 and "verified domain" in refused.json()["detail"]
    assert not NotificationSettings.objects.get(user=personal).subprocessor_changes


# --- e-mails, jobs inline, through the SMTP server ----------------------------------------------


@pytest.mark.django_db
def test_each_change_is_mailed_once_to_each_opted_in_reader_in_their_language(
    smtp_backend, django_capture_on_commit_callbacks
):
    english = readers("sp-en", 2)
    german = readers("sp-de", 1, language="de")
    not_opted = readers("sp-no", 2, opted_in=False)
    # Opted in, but nobody to send to: a deactivated account, an address never confirmed.
    (gone,) = readers("sp-gone", 1)
    get_user_model().objects.filter(pk=gone.pk).update(is_active=False)
    (unconfirmed,) = readers("sp-unconfirmed", 1)
    NotificationSettings.objects.filter(user=unconfirmed).update(email="")
    name = next(NAMES)

    with django_capture_on_commit_callbacks(execute=True):
        subprocessor = add_change_remove(name)

    assert events_about(subprocessor).count() == 3
    received = smtp_backend.received
    recipients = english + german
    # One e-mail per opted-in reader and change; none for anyone else.
    assert per_recipient(received) == {user.email: 3 for user in recipients}
    assert not EmailDelivery.objects.filter(user__in=[*not_opted, gone, unconfirmed]).exists()

    english_mails = [r for r in received if r.recipients == [english[0].email]]
    texts = "\n".join(r.text for r in english_mails)
    for line in (f"Added: {name}", f"Changed: {name}", f"Removed: {name}"):
        assert line in texts
    assert "Trust Portal: the list of subprocessors changed" in texts
    assert "http://testserver/en/trust_center/subprocessors/" in texts
    assert "document in your library" not in texts

    (added_in_german, *_rest) = [r for r in received if r.recipients == [german[0].email]]
    text = added_in_german.text
    assert added_in_german.message["Subject"].strip() == (
        "Trust Portal: Die Liste der Unterauftragsverarbeiter hat sich geändert"
    )
    assert f"Hinzugefügt: {name}" in text
    assert "Die Liste der Unterauftragsverarbeiter (Dritte" in text
    assert "http://testserver/de/trust_center/subprocessors/" in text
    assert "Benachrichtigungseinstellungen" in text  # the HTML part
    assert "The list of subprocessors" not in text and "Added:" not in text

    # The jobs run again: nothing new is recorded, claimed or sent.
    assert run_the_jobs_again(subprocessor, recipients)["sent"] == 0
    assert len(smtp_backend.received) == len(received) == 9
    assert PendingSubprocessorChange.objects.filter(user__in=recipients).count() == 9
    assert (
        SubprocessorNotice.objects.filter(subprocessor_key=subprocessor.translation_key).count()
        == 3
    )


@pytest.mark.django_db
def test_digest_readers_get_the_changes_in_their_digest(
    smtp_backend, django_capture_on_commit_callbacks
):
    (daily,) = readers("sp-daily", 1, frequency="daily", language="fr")
    name = next(NAMES)
    with django_capture_on_commit_callbacks(execute=True):
        add_change_remove(name)
    assert smtp_backend.received == []  # nothing before the digest

    key = period_key("daily", timezone.now())
    assert send_digest("daily", key) == 1
    assert send_digest("daily", key) == 0  # the period's job run twice: one digest
    (digest,) = smtp_backend.received
    assert digest.recipients == [daily.email]
    assert (
        digest.message["Subject"].strip() == "Trust Portal : la liste des sous-traitants a changé"
    )
    for line in (f"Ajouté : {name}", f"Modifié : {name}", f"Retiré : {name}"):
        assert line in digest.text


@pytest.mark.django_db
def test_a_reader_who_opts_out_before_the_send_is_told_nothing(
    django_capture_on_commit_callbacks, smtp_backend
):
    (reader,) = readers("sp-out", 1, frequency="weekly")
    with django_capture_on_commit_callbacks(execute=True):
        publish(new_subprocessor(next(NAMES)))
    NotificationSettings.objects.filter(user=reader).update(subprocessor_changes=False)
    send_digest("weekly", period_key("weekly", timezone.now()))
    assert smtp_backend.received == []
    assert EmailDelivery.objects.get(user=reader).status == EmailDelivery.Status.SKIPPED


@pytest.mark.django_db
def test_opted_in_readers_see_the_changes_in_their_feed(users, django_capture_on_commit_callbacks):
    member = users["member"]
    preferences = NotificationSettings.objects.create(user=member)
    name = next(NAMES)
    with django_capture_on_commit_callbacks(execute=True):
        publish(new_subprocessor(name))

    def titles(language="en"):
        feed = Client().get(f"/{language}/notifications/feed/{preferences.feed_token}.json")
        return [item["title"] for item in feed.json()["items"]]

    assert f"Subprocessor added: {name}" not in titles()
    preferences.subprocessor_changes = True
    preferences.save()
    assert f"Subprocessor added: {name}" in titles()
    assert f"Unterauftragsverarbeiter hinzugefügt: {name}" in titles("de")


# --- through the real thing: Redis, rqworker processes, SMTP -----------------------------------


@pytest.fixture
def made_subprocessors(committed):
    """Remove the subprocessors a committed test made, with their history and notices."""
    made = []
    yield made
    for subprocessor in made:
        key = subprocessor.translation_key
        Subprocessor.objects.filter(translation_key=key).delete()
        SubprocessorChange.objects.filter(subprocessor_key=key).delete()
        SubprocessorNotice.objects.filter(subprocessor_key=str(key)).delete()


def test_workers_mail_each_change_once_to_each_opted_in_reader(
    on_the_queue, workers, smtp, cleanup, made_subprocessors, settings
):
    cleanup["prefixes"] += ["spw-en", "spw-de", "spw-no"]
    english = readers("spw-en", 4)
    german = readers("spw-de", 2, language="de")
    not_opted = readers("spw-no", 3, opted_in=False)
    recipients = english + german
    on_the_queue()
    workers(with_scheduler=True)
    workers()
    name = next(NAMES)
    subprocessor = add_change_remove(name)
    made_subprocessors.append(subprocessor)

    assert wait_until(lambda: settled_with(recipients, 3 * len(recipients)))
    received = smtp.wait_for(3 * len(recipients))
    assert len(received) == 3 * len(recipients)  # not one more: no duplicate
    assert per_recipient(received) == {user.email: 3 for user in recipients}
    assert not EmailDelivery.objects.filter(user__in=not_opted).exists()
    german_text = "\n".join(r.text for r in received if r.recipients == [german[0].email])
    assert f"Hinzugefügt: {name}" in german_text and f"Entfernt: {name}" in german_text
    assert "http://testserver/de/trust_center/subprocessors/" in german_text

    # Run again in this process (its e-mails to the same server): nothing is sent twice.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    assert run_the_jobs_again(subprocessor, recipients)["sent"] == 0
    assert not EmailDelivery.objects.filter(user__in=recipients).exclude(status="sent").exists()
    assert len(smtp.received) == 3 * len(recipients)
