"""The trust center's subprocessors list and security FAQ in headless Chromium, on a desktop and
a 390 px phone: reached from the footer, the FAQ searched as an anonymous visitor (gated answers
stay locked, and their words match nothing) and as the demo reader, and in German.
Screenshots: artifacts/trust-center-*.png."""

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

PHONE = {"width": 390, "height": 844}


def search_the_faq(page, words):
    """Submit the FAQ's own search form (the header has a site-wide search with a button of
    the same name)."""
    form = page.get_by_role("main").get_by_role("search")
    form.get_by_label("Search the FAQ").fill(words)
    form.get_by_role("button", name="Search").click()


def test_subprocessors_page_from_the_footer(page):
    page.goto(f"{page.base_url}/en/")
    page.locator("footer a", has_text="Subprocessors").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Subprocessors")
    rows = page.locator("table.subprocessors tbody tr")
    expect(rows).to_have_count(6)
    nimbus = rows.filter(has_text="Nimbus Compute GmbH")
    expect(nimbus).to_contain_text("Cloud hosting and storage of customer data")
    expect(nimbus).to_contain_text("Germany and Ireland (EU)")
    expect(nimbus).to_contain_text("1 Mar 2021")
    expect(page.locator(".last-changed")).to_contain_text("Last changed")
    page.screenshot(path=str(ARTIFACTS / "trust-center-subprocessors.png"), full_page=True)

    page.set_viewport_size(PHONE)
    page.reload()
    expect(rows).to_have_count(6)
    page.screenshot(path=str(ARTIFACTS / "trust-center-subprocessors-phone.png"), full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{page.base_url}/de/trust_center/subprocessors/")
    expect(page.locator("h1")).to_have_text("Unterauftragsverarbeiter")
    expect(rows.filter(has_text="Nimbus Compute GmbH")).to_contain_text(
        "Cloud-Hosting und Speicherung von Kundendaten"
    )
    page.screenshot(path=str(ARTIFACTS / "trust-center-subprocessors-de.png"), full_page=True)


def test_faq_search_as_a_visitor_and_as_a_reader(page):
    page.goto(f"{page.base_url}/en/")
    page.locator("footer a", has_text="Security FAQ").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Security FAQ")
    expect(page.locator("details.faq")).to_have_count(8)

    # A word of a public answer finds its question, open.
    search_the_faq(page, "AES-256")
    page.wait_for_load_state()
    found = page.locator("details.faq")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Is customer data encrypted at rest and in transit?")
    expect(found.locator(".answer")).to_contain_text("TLS 1.2")
    page.screenshot(path=str(ARTIFACTS / "trust-center-faq-search.png"), full_page=True)

    # A word only the NDA answer holds matches nothing for a visitor ...
    search_the_faq(page, "medium findings")
    page.wait_for_load_state()
    expect(page.locator("details.faq")).to_have_count(0)
    expect(page.locator(".empty")).to_have_text("No questions match your search.")
    # ... while its question is found, with the answer locked.
    search_the_faq(page, "penetration")
    page.wait_for_load_state()
    locked = page.locator("details.faq")
    expect(locked).to_have_count(1)
    expect(locked.locator(".lock")).to_contain_text("Sign in to read the answer")
    expect(locked).not_to_contain_text("medium findings")
    page.screenshot(path=str(ARTIFACTS / "trust-center-faq-locked.png"), full_page=True)

    # The demo reader (an organization member without the NDA) reads signed-in answers.
    page.locator("details.faq .lock a").click()
    page.fill("#id_username", "reader")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert "/en/trust_center/faq/" in page.url
    expect(page.locator("details.faq .lock")).to_contain_text("Accept the NDA to read the answer")
    search_the_faq(page, "72 hours")
    page.wait_for_load_state()
    incident = page.locator("details.faq")
    expect(incident).to_have_count(1)
    expect(incident.locator(".answer")).to_contain_text("within 72 hours of confirmation")

    page.set_viewport_size(PHONE)
    page.goto(f"{page.base_url}/ja/trust_center/faq/?q=暗号")
    expect(page.locator("h1")).to_have_text("セキュリティに関するよくある質問")
    expect(page.locator("details.faq").first).to_contain_text("暗号化")
    page.screenshot(path=str(ARTIFACTS / "trust-center-faq-ja-phone.png"), full_page=True)
