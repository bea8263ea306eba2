"""End-to-end in headless Chromium: home → Trust Documents → filter → a document → language."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, CHROMIUM

# django_db: the test database must exist even when only browser tests are selected.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="chromium not installed"
    ),
]


def test_reader_journey(page):
    page.goto(f"{page.base_url}/en/")
    assert page.locator("h1").inner_text() == "Trust Portal"
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)

    # Main menu: the Trust Documents pull-down, then its Audit Reports section.
    page.locator("nav.main-nav summary", has_text="Trust Documents").click()
    page.locator("nav.main-nav a", has_text="Audit Reports").click()
    assert page.locator("h1").inner_text() == "Audit Reports"

    # Filter by a standard: its dropdown of checkboxes applies a ticked box at once; the URL
    # keeps the state and the chip (by its label) can remove it.
    page.locator("#filter-standard > summary").click()
    with page.expect_navigation():
        page.locator("#filter-standard input[value=soc-2]").click()
    # The navigation waits for the next page to commit, not for its cards: wait for all of it.
    page.wait_for_load_state()
    assert "standard=soc-2" in page.url
    expect(page.locator(".active-filters a")).to_have_count(1)
    expect(page.locator(".active-filters a")).to_contain_text("SOC 2")
    titles = page.locator(".document-card h3").all_inner_texts()
    assert "SOC 2 Type 2 report" in titles and "ISO/IEC 27001 certificate" not in titles
    page.screenshot(path=str(ARTIFACTS / "filtered.png"), full_page=True)

    page.get_by_role("link", name="SOC 2 Type 2 report").click()
    assert page.locator("h1").inner_text() == "SOC 2 Type 2 report"
    expect(page.locator(".versions tbody tr")).to_have_count(3)
    meta = page.locator(".document .meta").inner_text()
    assert "Requires NDA" in meta and "Sign in to download" in meta

    # The globe in the footer switches to German: same document, German metadata.
    page.locator(".language-switcher summary").click()
    page.locator(".language-switcher a[hreflang=de]").click()
    assert "/de/documents/soc-2-type-2/" in page.url
    assert page.locator("h1").inner_text() == "SOC-2-Typ-2-Bericht"
    assert page.locator("html").get_attribute("lang") == "de"
    page.screenshot(path=str(ARTIFACTS / "document-de.png"), full_page=True)


def test_phone_layout_and_keyboard(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}/en/trust-documents/")
    assert page.locator("h1").inner_text() == "Trust Documents"
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # The skip link is the first thing the keyboard reaches and it moves focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.screenshot(path=str(ARTIFACTS / "phone.png"), full_page=False)
