"""The demo's brand (Settings › Branding) as a reader's browser shows it, under the reader
site's Content-Security-Policy: the colours from the brand's stylesheet, the logo, the favicon
and the footer links. Screenshots: artifacts/branding-home.png (desktop) and
artifacts/branding-home-phone.png (390 px)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sites.demo.brand import BRAND, FOOTER_LINKS, footer_link_url
from tests.browser.conftest import ARTIFACTS, CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="chromium not installed"
    ),
]


def rgb(hex_color: str) -> str:
    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def test_the_branded_home_page(page):
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{page.base_url}/en/")
    page.wait_for_load_state("networkidle")

    brand = page.locator(".site-header a.brand")
    expect(brand).to_have_text(BRAND["portal_name"])
    expect(page).to_have_title(re.compile(re.escape(BRAND["portal_name"]) + "$"))
    header = page.locator(".site-header")
    expect(header).to_have_css("background-color", rgb(BRAND["header_background_color"]))
    expect(brand).to_have_css("color", rgb(BRAND["header_text_color"]))
    # Links and buttons in the primary colour: the hero's search button.
    expect(page.locator("main button").first).to_have_css(
        "background-color", rgb(BRAND["primary_color"])
    )
    logo = brand.locator("img")
    expect(logo).to_be_visible()
    assert logo.evaluate("img => img.complete && img.naturalWidth > 0")
    assert logo.bounding_box()["height"] == pytest.approx(40, abs=1)
    favicon = page.locator("link[rel=icon]").get_attribute("href")
    assert favicon.startswith("/brand/favicon?v=")
    assert page.request.get(f"{page.base_url}{favicon}").headers["content-type"] == "image/png"
    for label, address in FOOTER_LINKS["en"]:
        url = footer_link_url("en", address)
        expect(page.locator(f'.site-footer a[href="{url}"]')).to_have_text(label)
    assert blocked == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "branding-home.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".site-header a.brand img")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "branding-home-phone.png"), full_page=False)
