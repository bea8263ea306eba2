"""In headless Chromium, translation as editors do it: the demo's editor opens a document
series in the admin, chooses Translate in the edit view's header menu, picks German, fills
each segment in wagtail-localize's translation editor and publishes; the German reader page
and the API's German answer then show the translation."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.conftest import DEMO_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="chromium not installed"
    ),
]

TITLE = "Encryption key management overview"
SUMMARY = "How customer data is encrypted and how its keys are rotated."
#: What the editor types for each source string (the slug stays as it is).
GERMAN = {
    TITLE: "Übersicht zur Verwaltung kryptografischer Schlüssel",
    SUMMARY: "Wie Kundendaten verschlüsselt und ihre Schlüssel rotiert werden.",
}


@pytest.fixture(scope="module")
def series(django_db_blocker, portal_url):
    """A live public series with one version, not yet in German, in a category the demo has
    translated. Committed (the server thread's writes are too), and removed afterwards with
    its translations."""
    from wagtail_localize.models import TranslationSource

    from cms.models import Category, TrustDocument
    from tests import factories

    with django_db_blocker.unblock():
        category = Category.objects.filter(locale__language_code="en", slug="audit-report")
        document = factories.document("public", title=TITLE, category_obj=category.get())
        TrustDocument.objects.filter(pk=document.pk).update(summary=SUMMARY)
        document.refresh_from_db()
        document.save_revision().publish()
    yield document
    with django_db_blocker.unblock():
        TrustDocument.objects.filter(translation_key=document.translation_key).delete()
        TranslationSource.objects.filter(object_id=document.translation_key).delete()


def sign_in_to_admin(page, username):
    page.goto(f"{page.base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(f"{page.base_url}/admin/")


def test_an_editor_translates_a_series_in_the_translation_editor(page, series):
    sign_in_to_admin(page, "editor")
    page.goto(f"{page.base_url}/admin/snippets/cms/trustdocument/edit/{series.pk}/")
    expect(page.get_by_role("textbox", name="Title*")).to_have_value(TITLE)

    # The edit view's header menu ("…") has Translate.
    header_menu = page.get_by_role("navigation", name="Actions", exact=True)
    header_menu.get_by_role("button", name="Actions", exact=True).click()
    header_menu.get_by_role("link", name=f"Translate '{TITLE}'").click()
    page.wait_for_load_state()
    page.get_by_label("German").check()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state()

    # wagtail-localize's translation editor, on the German series: every segment translated.
    editor = page.locator("#main")
    expect(editor).to_contain_text("German")
    # Each segment: its source text, a Translate button that opens a text area, then Save.
    segments = page.locator("li:has(> p)")
    untranslated = segments.filter(has=page.get_by_role("button", name="Translate", exact=True))
    expect(untranslated.first).to_be_visible()
    filled = []
    while untranslated.count():
        source = untranslated.first.locator("> p").inner_text().strip()
        segment = segments.filter(has=page.get_by_text(source, exact=True))
        segment.get_by_role("button", name="Translate", exact=True).click()
        segment.locator("textarea").fill(GERMAN.get(source, source))
        segment.get_by_role("button", name="Save", exact=True).click()
        expect(segment).to_contain_text("Translated manually")  # saved, not "Saving…"
        filled.append(source)
    assert set(GERMAN) <= set(filled), filled
    page.screenshot(path=str(ARTIFACTS / "localize-editor.png"), full_page=True)

    page.get_by_role("button", name="Publish in German").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text(f"Published '{GERMAN[TITLE]}' in German.")

    # The German reader page and the API's German answer.
    page.goto(f"{page.base_url}/de/documents/{series.slug}/")
    expect(page.locator("h1")).to_have_text(GERMAN[TITLE])
    expect(page.locator("main")).to_contain_text(GERMAN[SUMMARY])
    response = page.request.get(
        f"{page.base_url}/api/v3/trust-documents/{series.slug}/", params={"locale": "de"}
    )
    assert response.ok
    answer = response.json()
    assert answer["title"] == GERMAN[TITLE]
    assert answer["summary"] == GERMAN[SUMMARY]
    # The English series is as it was.
    page.goto(f"{page.base_url}/en/documents/{series.slug}/")
    expect(page.locator("h1")).to_have_text(TITLE)
