"""Fixtures of the browser journeys: a server thread over the seeded test database and a
headless Debian Chromium driven by Playwright."""

import os
import shutil
from pathlib import Path

import pytest

from tests.live_server import serving_test_database

ARTIFACTS = Path(
    os.environ.get("TRUSTPORTAL_ARTIFACTS", Path(__file__).resolve().parents[2] / "artifacts")
)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def portal_url(django_db_setup, django_db_blocker):
    """The portal over the seeded test database (see tests/live_server.py). Only the browser
    tests, which run last, write through it."""
    with django_db_blocker.unblock(), serving_test_database() as url:
        yield url


@pytest.fixture
def page(portal_url, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM is only used by the
    # server's own thread, so Django's async-safety guard does not apply here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None
        )
        page.base_url = portal_url
        yield page
        browser.close()
        assert errors == []
