"""In headless Chromium: a reader sends feedback from a document page's footer link (no
JavaScript needed); staff find it in the admin, then read the viewer analytics."""

import csv
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.audit_data import append
from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.conftest import DEMO_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="chromium not installed"
    ),
]


@pytest.fixture(scope="module")
def recent_activity(django_db_blocker, portal_url):
    """A fortnight of downloads and views in the audit log (the server thread reads it)."""
    now = timezone.now()
    rows = []
    for days_ago in range(14):
        for n in range(days_ago % 4 + 1):
            rows.append(
                {
                    "created_at": now - timedelta(days=days_ago, minutes=n),
                    "action": "download",
                    "outcome": "allowed",
                    "username": f"browser-{n}",
                    "organization_id": 77001,
                    "organization_name": "Browser Bank",
                    "document_id": 88001,
                    "document_title": "Browser SOC 2",
                    "version_id": 88002,
                    "version_label": "2026",
                }
            )
        rows.append(
            {
                "created_at": now - timedelta(days=days_ago, hours=1),
                "action": "document_view",
                "outcome": "ok",
                "document_id": 88001,
                "document_title": "Browser SOC 2",
            }
        )
    with django_db_blocker.unblock():
        append(rows)
    return rows


def sign_in_to_admin(page):
    page.goto(f"{page.base_url}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{page.base_url}/admin/")


def test_feedback_from_a_document_page_reaches_the_staff_list(page):
    page.goto(f"{page.base_url}/en/documents/soc-3/")
    page.locator("footer a", has_text="Feedback").click()
    assert page.locator("h1").inner_text() == "Send us feedback"
    assert "About the page /en/documents/soc-3/" in page.locator("main").inner_text()

    # Keyboard and labels only: the radio buttons and fields are reachable by their names.
    page.get_by_label("A problem with a document").check()
    page.get_by_label("Comment").fill("The SOC 3 PDF has a blank page 4 (browser test).")
    page.get_by_label("Contact address (optional)").fill("auditor@bank.example")
    page.screenshot(path=str(ARTIFACTS / "feedback-form.png"), full_page=True)
    page.get_by_role("button", name="Send feedback").click()
    assert page.locator("h1").inner_text() == "Thank you"

    # Staff see it in the admin (read through the server: the browser's writes belong to the
    # server thread's connection), filtered by kind, with the page it came from.
    sign_in_to_admin(page)
    page.goto(f"{page.base_url}/admin/snippets/feedback/feedback/?kind=document_problem")
    row = page.locator("tbody tr", has_text="blank page 4")
    assert "New" in row.inner_text() and "/en/documents/soc-3/" in row.inner_text()
    assert "A problem with a document" in row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "feedback-admin.png"), full_page=True)


def test_staff_read_the_viewer_analytics(page, recent_activity):
    sign_in_to_admin(page)
    page.goto(f"{page.base_url}/admin/")
    page.get_by_role("button", name="Reports").click()
    page.get_by_role("link", name="Viewer analytics").click()
    assert page.locator("h1").inner_text().strip() == "Viewer analytics"

    expected_downloads = sum(1 for row in recent_activity if row["action"] == "download")
    totals = int(page.locator('[data-total="downloads"]').inner_text())
    assert totals >= expected_downloads
    chart = page.locator('svg[data-chart="timeline"]')
    assert chart.is_visible() and chart.get_attribute("role") == "img"
    bars = page.locator('svg[data-chart="timeline"] rect[data-series="downloads"]')
    expect(bars).to_have_count(30)
    assert "Browser SOC 2" in page.locator('[data-table="documents"]').inner_text()
    assert "Browser Bank" in page.locator('[data-table="organizations"]').inner_text()
    page.screenshot(path=str(ARTIFACTS / "analytics.png"), full_page=True)

    # A shorter period through the date fields; the URL keeps it.
    today = timezone.now().date()
    page.fill("#id_start", (today - timedelta(days=6)).isoformat())
    page.fill("#id_end", today.isoformat())
    page.get_by_role("button", name="Show").click()
    # Wait for the new page: counting at once could read the old one, or one still loading.
    page.wait_for_url(f"**start={(today - timedelta(days=6)).isoformat()}**")
    expect(bars).to_have_count(7)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV (all organizations)").click()
    download = download_info.value
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert any(row["organization"] == "Browser Bank" for row in rows)
