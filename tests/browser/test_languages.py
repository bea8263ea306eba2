"""The demo read in Japanese and German in headless Chromium, on a desktop and a 390 px phone:
the home page and a document page show the reader's language, with none of the English texts
of the list below left (``tests/test_demo_translations.py`` walks every page of every language
for the whole list; this looks at them as a browser draws them). Screenshots:
artifacts/language-<lang>-<page>[-phone].png."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="chromium not installed"
    ),
]

PHONE = {"width": 390, "height": 844}

#: English the English pages show in menus, rows and the document page.
ENGLISH = [
    "Trust Documents",
    "Industries & Regions",
    "Audit reports",
    "Requires NDA",
    "Requires sign-in",
    "Sign in to download",
    "Current version",
    "Recently updated",
    "Type 2 report",
    "Download (English",
    "What changed",
]

#: What each language shows instead: the menu's documents entry, the locked row's sign-in.
EXPECTED = {
    "ja": {"menu": "トラストドキュメント", "sign_in": "サインイン"},
    "de": {"menu": "Vertrauensdokumente", "sign_in": "Zum Herunterladen anmelden"},
}


def english_left(page) -> list[str]:
    text = page.locator("body").inner_text()
    return [english for english in ENGLISH if english in text]


@pytest.mark.parametrize("language", ["ja", "de"])
def test_home_and_document_pages_read_in_the_language(page, language):
    expected = EXPECTED[language]
    page.goto(f"{page.base_url}/{language}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("header nav")).to_contain_text(expected["menu"])
    assert english_left(page) == []
    page.screenshot(path=str(ARTIFACTS / f"language-{language}-home.png"), full_page=True)

    page.goto(f"{page.base_url}/{language}/documents/soc-2-type-2/")
    expect(page.locator("h1")).to_contain_text("SOC")
    expect(page.locator("main")).to_contain_text(expected["sign_in"])
    assert english_left(page) == []
    page.screenshot(path=str(ARTIFACTS / f"language-{language}-document.png"), full_page=True)

    page.set_viewport_size(PHONE)
    for name, path in (("home", "/"), ("document", "/documents/soc-2-type-2/")):
        page.goto(f"{page.base_url}/{language}{path}")
        assert english_left(page) == []
        page.screenshot(
            path=str(ARTIFACTS / f"language-{language}-{name}-phone.png"), full_page=True
        )
