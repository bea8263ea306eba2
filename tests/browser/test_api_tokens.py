"""In headless Chromium: a reader makes a personal API token on their account page, sees it
once, uses it with the API over real HTTP, then revokes it, and the API refuses it."""

import json
import os
import urllib.error
import urllib.request
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


def call_api(base_url: str, path: str, token: str) -> tuple[int, dict]:
    """A client of the API, not the browser: a plain HTTP request with the bearer token."""
    request = urllib.request.Request(
        f"{base_url}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_a_token_is_made_seen_once_used_and_revoked(page):
    page.goto(f"{page.base_url}/en/accounts/login/")
    page.fill("#id_username", "personal")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.locator(".account").get_by_role("link", name="API tokens").click()
    expect(page.locator("h1")).to_have_text("API tokens")

    page.get_by_label("Name").fill("Browser test script")
    page.get_by_label("Expires after").select_option(label="30 days")
    page.get_by_role("button", name="Make token").click()
    made = page.locator("#new-token")
    expect(made).to_be_visible()
    token = made.inner_text().strip()
    assert token.startswith("wagtail_")
    page.screenshot(path=str(ARTIFACTS / "api-token-made.png"), full_page=True)

    row = page.locator("table.tokens tbody tr", has_text="Browser test script")
    expect(row).to_contain_text(token[:12] + "…")
    expect(row.locator("td").nth(4)).to_have_text("never")

    status, me = call_api(page.base_url, "/api/v3/me/", token)
    assert status == 200 and me["username"] == "personal" and me["authenticated"] is True

    # Shown once: the page, opened again, lists the token without it, with its last use.
    page.goto(f"{page.base_url}/en/accounts/api-tokens/")
    expect(page.locator("#new-token")).to_have_count(0)
    assert token not in page.content()
    row = page.locator("table.tokens tbody tr", has_text="Browser test script")
    expect(row.locator("td").nth(4)).not_to_have_text("never")

    row.get_by_role("button", name="Revoke Browser test script").click()
    expect(page.get_by_text("The token was revoked").first).to_be_visible()
    expect(page.locator("table.tokens tbody tr", has_text="Browser test script")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "api-token-revoked.png"), full_page=True)

    status, problem = call_api(page.base_url, "/api/v3/me/", token)
    assert status == 401 and problem["status"] == 401
