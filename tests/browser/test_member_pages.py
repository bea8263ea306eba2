"""A signed-in member's pages from the cache, as a browser meets them (``sites/visitor_cache.py``,
audience "session"): the same page twice is the kept one (its CSRF tokens, masks minted once per
render, are the same), its forms still post, a message shows once, and signing out works from
a kept page."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.browser.test_accessibility import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="chromium not installed"
    ),
]

LISTING = "/en/trust-documents/"


def csrf_tokens(page) -> list[str]:
    return page.locator("input[name=csrfmiddlewaretoken]").evaluate_all(
        "inputs => inputs.map(input => input.value)"
    )


def test_a_members_kept_page_in_the_browser(page):
    sign_in(page, "reader")
    page.goto(f"{page.base_url}{LISTING}")
    page.goto(f"{page.base_url}{LISTING}")  # rendered and kept
    kept = csrf_tokens(page)
    page.reload()
    # A render masks each token afresh: the same masks are the kept page.
    assert csrf_tokens(page) == kept and kept
    expect(page.locator(".account .user")).to_have_text("Rita Reader")

    # A form of the kept page posts (its token is the session's), and the message shows once.
    page.locator("details.document-actions summary").first.click()
    page.locator("details.document-actions[open] button[type=submit]").first.click()
    expect(page.locator(".messages")).to_contain_text("to your library")
    page.screenshot(path=str(ARTIFACTS / "member-kept-page.png"))
    page.goto(f"{page.base_url}{LISTING}")
    expect(page.locator(".messages")).to_have_count(0)

    # Signing out from a kept page.
    page.goto(f"{page.base_url}{LISTING}")
    page.locator(".account form button[type=submit]").click()
    expect(page.locator(".account a", has_text="Sign in")).to_be_visible()
