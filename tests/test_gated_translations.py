"""Gated documents cannot go live without review in another language either: wagtail-localize's
paths that publish a translation (the translation editor's Publish, "Sync translated snippets"
with "Publish immediately", and a submission for translation, which publishes the translations of
live content at once) ask ``cms.review`` as the admin's forms do. An editor's translation of an
NDA or restricted series or version is refused, or saved as a draft, and stays offline; a
Moderator (and a superuser) publishes it; translations of public material an editor still
publishes at once.

Each path is used as a user would, over HTTP (the admin's forms and the translation editor's
JSON API), and what went live is read back."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from wagtail.models import Locale
from wagtail_localize.models import StringSegment, Translation, TranslationSource

from tests import factories
from tests.helpers import client_for, document_form_data, make_user

#: What a refused editor is told.
REFUSAL = "ask a Moderator to publish"
GATED = ["nda", "restricted"]


# --- helpers ---------------------------------------------------------------------------------


def submit_url(obj) -> str:
    return reverse(
        "wagtail_localize:submit_snippet_translation",
        kwargs={"app_label": "cms", "model_name": obj._meta.model_name, "pk": obj.pk},
    )


def edit_url(obj) -> str:
    """The edit view of a translation: wagtail-localize's translation editor."""
    return reverse(obj.snippet_viewset.get_url_name("edit"), args=[obj.pk])


def sync_url(source: TranslationSource) -> str:
    return reverse(
        "wagtail_localize:update_translations", kwargs={"translation_source_id": source.pk}
    )


def submit_for_translation(client, obj, locale):
    """The admin's "Translate" of ``obj`` into ``locale``: its translation, read back."""
    response = client.post(submit_url(obj), {"locales": [locale.pk]})
    assert response.status_code == 302, response.content
    return type(obj).objects.get(translation_key=obj.translation_key, locale=locale)


def translation_of(obj, locale) -> Translation:
    return Translation.objects.get(
        source=TranslationSource.objects.get_for_instance(obj), target_locale=locale
    )


def translate_string(client, translation: Translation, path: str, text: str) -> None:
    """Translate one source string the way the translation editor does (its JSON API)."""
    segment = StringSegment.objects.get(source=translation.source, context__path=path)
    response = client.put(
        reverse(
            "wagtail_localize:edit_string_translation",
            kwargs={"translation_id": translation.pk, "string_segment_id": segment.pk},
        ),
        data=urlencode({"value": text}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (200, 201), response.content


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_refused(response, back_to: str) -> None:
    """Sent back where the user was, told why (never a 500, never a 403 page)."""
    assert response.status_code == 302, response.status_code
    assert response["Location"] == back_to
    told = messages_of(response)
    assert any(REFUSAL in message for message in told), told
    assert not any("Published" in message or "Successfully" in message for message in told)


def own_live_revision(obj):
    """The revision of ``obj`` that is live, if any (a new translation copies its source's
    ``live_revision``, a revision of the source, even as a draft)."""
    return obj.revisions.filter(pk=obj.live_revision_id).values_list("pk", flat=True).first()


def live_state(obj) -> tuple:
    obj.refresh_from_db()
    return obj.live, own_live_revision(obj), getattr(obj, "title", None)


@pytest.fixture
def german(db):
    return Locale.objects.get(language_code="de")


@pytest.fixture
def people(demo_users):
    """The demo's editor and administrator (a superuser and Moderator), and a Moderator who is
    nothing else."""
    moderator = make_user(factories.unique("t-moderator"), groups=["Moderators"])
    assert not moderator.is_superuser
    return {
        "editor": client_for(demo_users["editor"]),
        "moderator": client_for(moderator),
        "admin": client_for(demo_users["admin"]),
    }


# --- the translation editor's Publish ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("level", GATED)
def test_an_editor_cannot_publish_the_translation_of_a_gated_series(
    people, german, level, django_capture_on_commit_callbacks
):
    document = factories.document(level, versions=0)
    editor = people["editor"]

    # The editor submits it for translation: a German draft, not published as wagtail-localize
    # would publish the translation of a live series.
    target = submit_for_translation(editor, document, german)
    assert live_state(target) == (False, None, document.title)
    assert target.access_level == level
    # The translation editor opens, telling the editor who publishes it.
    assert REFUSAL in editor.get(edit_url(target)).content.decode()
    translate_string(editor, translation_of(document, german), "title", "Geheimer Bericht")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = editor.post(edit_url(target), {"action": "publish"})

    assert_refused(response, edit_url(target))
    assert callbacks == []
    assert live_state(target) == (False, None, document.title)
    # The refusal is shown on the translation editor the editor is sent back to.
    assert REFUSAL in editor.get(edit_url(target)).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_a_moderator_publishes_the_translation_of_a_gated_series(
    people, german, role, django_capture_on_commit_callbacks
):
    document = factories.document("nda", versions=0)
    target = submit_for_translation(people["editor"], document, german)
    translation = translation_of(document, german)
    translate_string(people["editor"], translation, "title", "Geheimer Bericht")

    with django_capture_on_commit_callbacks(execute=True):
        response = people[role].post(edit_url(target), {"action": "publish"})

    assert response.status_code == 302, response.status_code
    assert any("Published" in message for message in messages_of(response))
    target.refresh_from_db()
    assert target.live and own_live_revision(target) is not None
    assert (target.title, target.access_level) == ("Geheimer Bericht", "nda")


@pytest.mark.django_db
def test_an_editor_publishes_the_translation_of_a_public_series(
    people, german, django_capture_on_commit_callbacks
):
    document = factories.document("public", title="Public report", versions=0)
    editor = people["editor"]
    # Submitted, its translation goes live at once (the source's text until translated).
    with django_capture_on_commit_callbacks(execute=True):
        target = submit_for_translation(editor, document, german)
    assert target.live
    translate_string(editor, translation_of(document, german), "title", "Öffentlicher Bericht")

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(edit_url(target), {"action": "publish"})

    assert response.status_code == 302
    assert any("Published" in message for message in messages_of(response))
    target.refresh_from_db()
    assert target.live and target.title == "Öffentlicher Bericht"
    assert "Öffentlicher Bericht" in Client().get(f"/de/documents/{document.slug}/").text


@pytest.mark.django_db
def test_an_editor_cannot_publish_the_translation_of_a_version_of_a_gated_series(
    people, german, django_capture_on_commit_callbacks
):
    document = factories.document("restricted", versions=0)
    version = factories.version(document)
    editor = people["editor"]

    target = submit_for_translation(editor, version, german)
    # Its series, which wagtail-localize translates along with it, is a German draft too.
    german_series = document.get_translation(german)
    assert not target.live and not german_series.live
    assert target.document_id == german_series.pk

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(edit_url(target), {"action": "publish"})

    assert_refused(response, edit_url(target))
    target.refresh_from_db()
    assert live_state(target)[:2] == (False, None)

    with django_capture_on_commit_callbacks(execute=True):
        response = people["moderator"].post(edit_url(target), {"action": "publish"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.live


@pytest.mark.django_db
def test_stopping_or_restarting_the_translation_opens_no_way_around(
    people, german, django_capture_on_commit_callbacks
):
    """Stopped ("convert to manual"), a translation is edited with the admin's own form, which
    refuses an editor's Publish of gated material; restarted, it is back in the translation
    editor, which refuses it too."""
    document = factories.document("nda", versions=0)
    editor = people["editor"]
    target = submit_for_translation(editor, document, german)
    translation = translation_of(document, german)

    stop = reverse("wagtail_localize:stop_translation", args=[translation.pk])
    assert editor.post(stop, {"next": edit_url(target)}).status_code == 302
    form = document_form_data(
        target.slug,
        target.category,
        "nda",
        title="Manuell übersetzt",
        summary=target.summary,
        **{"action-publish": "action-publish"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(edit_url(target), form)
    assert response.status_code == 200, response.status_code  # the form again, with why
    assert "go live only after review" in str(response.context["form"].non_field_errors())
    assert live_state(target)[:2] == (False, None)

    restart = {"localize-restart-translation": "localize-restart-translation"}
    assert editor.post(edit_url(target), restart).status_code == 302
    translation.refresh_from_db()
    assert translation.enabled
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(edit_url(target), {"action": "publish"})
    assert_refused(response, edit_url(target))
    assert live_state(target)[:2] == (False, None)


# --- submitting for translation ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_moderator_submitting_a_live_gated_series_publishes_its_translation(
    people, german, django_capture_on_commit_callbacks
):
    """What wagtail-localize does for whoever may publish: the translation of live content is
    live at once."""
    document = factories.document("nda", versions=0)

    with django_capture_on_commit_callbacks(execute=True):
        target = submit_for_translation(people["moderator"], document, german)

    live, revision, _title = live_state(target)
    assert live and revision is not None


@pytest.mark.django_db
def test_submitting_a_version_leaves_the_live_translation_of_its_gated_series_alone(
    people, german, django_capture_on_commit_callbacks
):
    """wagtail-localize would update the German series from the English one and publish it
    again; saved as a draft, it would go offline: it stays as a Moderator published it."""
    document = factories.document("nda", versions=0)
    with django_capture_on_commit_callbacks(execute=True):
        german_series = submit_for_translation(people["moderator"], document, german)
    published = live_state(german_series)
    document.refresh_from_db()
    document.title = "Renamed, waiting for its translation"
    document.save_revision().publish()
    version = factories.version(document)

    with django_capture_on_commit_callbacks(execute=True):
        target = submit_for_translation(people["editor"], version, german)

    assert not target.live and target.document_id == german_series.pk
    assert live_state(german_series) == published


# --- "Sync translated snippets" with "Publish immediately" ------------------------------------


def series_translated_by_a_moderator(people, german, level, capture) -> tuple:
    """A live series at ``level`` with a live German translation, whose English title then
    changed (and was published by a Moderator)."""
    document = factories.document(level, title="First title", versions=0)
    with capture(execute=True):
        target = submit_for_translation(people["moderator"], document, german)
    document.refresh_from_db()
    document.title = "Second title"
    document.save_revision().publish()
    return document, target


@pytest.mark.django_db
@pytest.mark.parametrize("level", GATED)
def test_an_editor_cannot_sync_and_publish_the_translations_of_a_gated_series(
    people, german, level, django_capture_on_commit_callbacks
):
    document, target = series_translated_by_a_moderator(
        people, german, level, django_capture_on_commit_callbacks
    )
    published = live_state(target)
    url = sync_url(TranslationSource.objects.get_for_instance(document))
    editor = people["editor"]
    assert editor.get(url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = editor.post(url, {"publish_translations": "on"})

    assert_refused(response, url)
    assert callbacks == []
    assert live_state(target) == published == (True, published[1], "First title")

    # Synced without publishing, the source is brought up to date and nothing goes live.
    response = editor.post(url, {})
    assert response.status_code == 302
    assert live_state(target) == published


@pytest.mark.django_db
@pytest.mark.parametrize(
    "access, who",
    [("nda", "moderator"), ("public", "editor")],
    ids=["a moderator, a gated series", "an editor, a public series"],
)
def test_who_may_publish_the_series_syncs_and_publishes_its_translations(
    people, german, django_capture_on_commit_callbacks, access, who
):
    document, target = series_translated_by_a_moderator(
        people, german, access, django_capture_on_commit_callbacks
    )
    url = sync_url(TranslationSource.objects.get_for_instance(document))

    with django_capture_on_commit_callbacks(execute=True):
        response = people[who].post(url, {"publish_translations": "on"})

    assert response.status_code == 302
    assert live_state(target)[::2] == (True, "Second title")
    if access == "public":
        assert "Second title" in Client().get(f"/de/documents/{document.slug}/").text


@pytest.mark.django_db
def test_an_editor_cannot_sync_a_series_made_gated_into_its_public_translation(
    people, german, django_capture_on_commit_callbacks
):
    """The German translation is public, the English series was since raised to NDA (by a
    Moderator): publishing the sync would make the German one NDA without a review."""
    document, target = series_translated_by_a_moderator(
        people, german, "public", django_capture_on_commit_callbacks
    )
    document.refresh_from_db()
    document.access_level = "nda"
    document.save_revision().publish()
    url = sync_url(TranslationSource.objects.get_for_instance(document))

    with django_capture_on_commit_callbacks(execute=True):
        response = people["editor"].post(url, {"publish_translations": "on"})

    assert_refused(response, url)
    target.refresh_from_db()
    assert (target.access_level, target.title) == ("public", "First title")
