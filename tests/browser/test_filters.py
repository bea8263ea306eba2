"""The document filters in headless Chromium, on a desktop and on a 390 px phone: dropdowns of
checkboxes that apply at once with JavaScript and through "Apply filters" without it, chips by
label, the results before the filters on a phone, and the download offered in a result row."""

import io
import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect
from pypdf import PdfReader

from cms.models import Membership, Organization
from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.conftest import accept_current_nda

# django_db: the test database must exist even when only browser tests are selected.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="chromium not installed"
    ),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Two standards (either) and one category: of the demo, the SOC 2 report and the ISO/IEC 27001
# audit report; not the ISO/IEC 27001 certificate (a certificate, not an audit report).
EXPECTED = ["ISO/IEC 27001 audit report", "SOC 2 Type 2 report"]


def chosen(url: str) -> dict:
    params = parse_qs(urlsplit(url).query)
    return {name: sorted(params.get(name, [])) for name in ("standard", "category")}


def titles(page) -> list[str]:
    return sorted(page.locator(".document-card h3").all_inner_texts())


def chips(page) -> list[str]:
    # The chip's text without its "×" and the words for screen readers.
    return sorted(
        text.split(" ×")[0].strip() for text in page.locator(".active-filters a").all_inner_texts()
    )


def tick(page, name: str, value: str) -> None:
    """Open the filter's dropdown (if closed) and tick ``value``: with JavaScript the page
    reloads with the filter applied."""
    dropdown = page.locator(f"#filter-{name}")
    if dropdown.get_attribute("open") is None:
        dropdown.locator("summary").click()
    with page.expect_navigation():
        dropdown.locator(f"input[value={value}]").click()
    page.wait_for_load_state()


def test_desktop_filters_with_javascript(page):
    page.goto(f"{page.base_url}/en/trust-documents/")
    # Shown beside the results on a wide screen: no "Filters (n)" button to press first.
    expect(page.locator("#filter-standard > summary")).to_be_visible()
    expect(page.locator(".filter-panel > summary")).to_be_hidden()
    tick(page, "standard", "soc-2")
    # Reopened after the reload, so a second value is one more click.
    expect(page.locator("#filter-standard")).to_have_attribute("open", "")
    tick(page, "standard", "iso-27001")
    tick(page, "category", "audit-report")
    assert chosen(page.url) == {
        "standard": ["iso-27001", "soc-2"],
        "category": ["audit-report"],
    }
    assert titles(page) == EXPECTED
    assert chips(page) == ["Audit reports", "ISO/IEC 27001", "SOC 2"]
    expect(page.locator("#filter-standard > summary")).to_have_text("Standard (2)")
    expect(page.locator(".filter-panel > summary")).to_have_text("Filters (3)")
    # Each option says how many documents it would show.
    expect(page.locator("#filter-category input[value=audit-report] ~ .facet-count")).to_have_text(
        "(2)"
    )
    page.screenshot(path=str(ARTIFACTS / "filters-desktop-js.png"), full_page=True)

    # A chip removes its own value; "Clear all" the rest.
    page.locator(".active-filters a", has_text="SOC 2").click()
    page.wait_for_load_state()
    assert chosen(page.url) == {"standard": ["iso-27001"], "category": ["audit-report"]}
    assert titles(page) == ["ISO/IEC 27001 audit report"]
    page.get_by_role("link", name="Clear all").click()
    page.wait_for_load_state()
    assert chosen(page.url) == {"standard": [], "category": []}
    expect(page.locator(".active-filters")).to_have_count(0)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_filters_without_javascript(page, viewport):
    context = page.context.browser.new_context(
        viewport=viewport, locale="en-US", java_script_enabled=False
    )
    plain = context.new_page()
    try:
        plain.goto(f"{page.base_url}/en/trust-documents/")
        if viewport is PHONE:
            plain.locator(".filter-panel > summary").click()
        for name, values in (("standard", ["soc-2", "iso-27001"]), ("category", ["audit-report"])):
            plain.locator(f"#filter-{name} > summary").click()
            for value in values:
                plain.locator(f"#filter-{name} input[value={value}]").check()
        # Nothing applied before the button: no script.
        assert "standard=" not in plain.url
        size = "phone" if viewport is PHONE else "desktop"
        plain.screenshot(path=str(ARTIFACTS / f"filters-{size}-nojs-chosen.png"), full_page=True)
        plain.get_by_role("button", name="Apply filters").click()
        plain.wait_for_load_state()
        assert chosen(plain.url) == {
            "standard": ["iso-27001", "soc-2"],
            "category": ["audit-report"],
        }
        assert titles(plain) == EXPECTED
        assert chips(plain) == ["Audit reports", "ISO/IEC 27001", "SOC 2"]
        plain.screenshot(path=str(ARTIFACTS / f"filters-{size}-nojs.png"), full_page=True)
    finally:
        context.close()


def test_phone_search_shows_the_first_result_above_the_fold(page):
    page.set_viewport_size(PHONE)
    page.goto(f"{page.base_url}/en/search/?q=report")
    first = page.locator(".document-card").first
    box = first.bounding_box()
    assert box is not None and box["y"] + 40 < PHONE["height"], box
    # The filters wait behind one button, above the results.
    button = page.locator(".filter-panel > summary")
    expect(button).to_have_text("Filters (0)")
    assert button.bounding_box()["y"] < box["y"]
    expect(page.locator("#filter-standard")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(ARTIFACTS / "filters-phone-search.png"), full_page=False)

    button.click()
    expect(page.locator("#filter-standard")).to_be_visible()
    tick(page, "standard", "soc-2")
    tick(page, "standard", "iso-27001")
    tick(page, "category", "audit-report")
    assert titles(page) == EXPECTED
    page.screenshot(path=str(ARTIFACTS / "filters-phone-js.png"), full_page=True)
    # Applied: the panel closed, the results are first again.
    page.goto(page.url)
    assert page.locator(".document-card").first.bounding_box()["y"] < PHONE["height"]
    expect(page.locator(".filter-panel > summary")).to_have_text("Filters (3)")


@pytest.fixture(scope="module")
def nda_member(django_db_blocker, portal_url):
    """A member of the demo organization who accepted the NDA (committed: the server thread
    reads it)."""
    with django_db_blocker.unblock():
        user, created = get_user_model().objects.get_or_create(
            username="fd.rowdownload",
            defaults={"email": "fd.rowdownload@bank.example", "first_name": "Row"},
        )
        user.set_password("row-download-123")
        user.save()
        Membership.objects.get_or_create(
            user=user, organization=Organization.objects.get(slug="example-bank")
        )
        if created:
            accept_current_nda(user)
    return user


def test_download_from_a_result_row(page, nda_member):
    # Anonymous: the row says what to do, and links to the sign-in page.
    page.goto(f"{page.base_url}/en/search/?q=SOC+2+Type+2")
    row = page.locator(".document-card", has_text="SOC 2 Type 2 report")
    expect(row.locator(".row-download")).to_have_text("Sign in to download")
    expect(row.locator("a.download")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "row-download-anonymous.png"), full_page=True)

    row.get_by_role("link", name="Sign in to download").click()
    page.fill("#id_username", "fd.rowdownload")
    page.fill("#id_password", "row-download-123")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    # Back on the results, the row now offers the file.
    assert "/en/search/" in page.url
    row = page.locator(".document-card", has_text="SOC 2 Type 2 report")
    expect(row.locator("a.download")).to_contain_text("Download (English,")
    page.screenshot(path=str(ARTIFACTS / "row-download-member.png"), full_page=True)
    with page.expect_download() as download_info:
        row.locator("a.download").click()
    download = download_info.value
    with open(download.path(), "rb") as handle:
        text = PdfReader(io.BytesIO(handle.read())).pages[0].extract_text()
    # The same watermarked copy as the document's page: through the download view.
    assert "fd.rowdownload@bank.example" in text and "Example Bank" in text
