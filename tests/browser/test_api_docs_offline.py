"""In headless Chromium on a network that reaches nothing but this machine: the API docs
(Swagger UI, from the portal's own static files) load, list the operations, and request nothing
from anywhere else."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error, expect

from tests.browser.conftest import ARTIFACTS, CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="chromium not installed"
    ),
]

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture
def blocked(page):
    """Every request of the browser to a host other than this machine is aborted, as on a
    network without internet; the list of those it had to abort."""
    aborted = []

    def route(route):
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            aborted.append(route.request.url)
            route.abort("internetdisconnected")

    page.context.route("**/*", route)
    return aborted


def test_the_api_docs_work_without_internet(page, blocked):
    loaded = []
    page.on("requestfinished", lambda request: loaded.append(request.url))
    page.goto(f"{page.base_url}/api/v3/docs/")
    # The operations list, rendered by Swagger UI from the schema: an operation's summary.
    operation = page.locator(".opblock-get", has_text="/api/v3/taxonomy/").first
    expect(operation.locator(".opblock-summary-description")).to_have_text(
        "Every filter and its terms"
    )
    expect(page.locator(".opblock-summary-description", has_text="Who am I")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / "api-docs-offline.png"))
    assert blocked == []
    # Swagger UI came from the portal's static files, and the schema from the portal.
    assert any(url.endswith("/static/ninja/swagger-ui-bundle.js") for url in loaded)
    assert any(urlsplit(url).path == "/api/v3/openapi.json" for url in loaded)


def test_the_blocking_itself_works(page, blocked):
    """What the test above relies on: a request to another host fails, and is listed."""
    with pytest.raises(Error, match="ERR_INTERNET_DISCONNECTED"):
        page.goto("https://unpkg.com/swagger-ui-dist/swagger-ui-bundle.js")
    assert blocked == ["https://unpkg.com/swagger-ui-dist/swagger-ui-bundle.js"]
