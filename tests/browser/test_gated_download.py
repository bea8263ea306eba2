"""The gated flow in the demo, in headless Chromium: locks for the anonymous visitor, a reader
signs in, accepts the NDA and downloads a report watermarked with her identity."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from pypdf import PdfReader

from cms.models import Membership, Organization, VersionFile
from tests.browser.conftest import ARTIFACTS
from tests.conftest import DEMO_PASSWORD

# django_db: the test database must exist even when only browser tests are selected.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def browser_reader(django_db_blocker, portal_url):
    """A fresh member of the demo organization (the server thread's writes are not rolled back,
    so the test does not use the shared demo reader)."""
    with django_db_blocker.unblock():
        user, _created = get_user_model().objects.get_or_create(
            username="bea.browser",
            defaults={
                "email": "bea.browser@bank.example",
                "first_name": "Bea",
                "last_name": "Browser",
            },
        )
        user.set_password("browser-pass-123")
        user.save()
        Membership.objects.get_or_create(
            user=user, organization=Organization.objects.get(slug="example-bank")
        )
    return user


def test_anonymous_locks_then_sign_in_accept_nda_and_download(
    page, browser_reader, django_db_blocker
):
    page.goto(f"{page.base_url}/en/trust-documents/audit-reports/")
    soc2 = page.locator(".document-card", has_text="SOC 2 Type 2 report")
    assert "Sign in to download" in soc2.inner_text()

    page.get_by_role("link", name="SOC 2 Type 2 report").click()
    page.locator(".gate a", has_text="Sign in").click()
    page.fill("#id_username", "bea.browser")
    page.fill("#id_password", "browser-pass-123")
    page.locator("main button[type=submit]").click()
    assert "/en/documents/soc-2-type-2/" in page.url
    assert "NDA required" in page.locator(".document .meta").inner_text()

    page.get_by_role("link", name="Review and accept the NDA").click()
    assert page.locator("h1").inner_text() == "Non-disclosure agreement"
    page.screenshot(path=str(ARTIFACTS / "nda.png"), full_page=True)
    page.get_by_label("I have read the agreement").check()
    page.get_by_role("button", name="Accept").click()
    assert "/en/documents/soc-2-type-2/" in page.url

    with page.expect_download() as download_info:
        page.locator(".versions tr.current a[download]").first.click()
    download = download_info.value
    pdf = PdfReader(io.BytesIO(open(download.path(), "rb").read()))
    text = pdf.pages[0].extract_text()
    assert "bea.browser@bank.example" in text and "Example Bank" in text
    download_id = re.search(r"Download id: (\S+)", text).group(1)

    # Downloaded again: a copy of its own, read from the file prepared for the first one
    # (cms/delivery/prepared_copies.py), kept under the stored file's SHA-256.
    with page.expect_download() as again_info:
        page.locator(".versions tr.current a[download]").first.click()
    again = PdfReader(io.BytesIO(open(again_info.value.path(), "rb").read()))
    again_ids = {re.search(r"Download id: (\S+)", p.extract_text()).group(1) for p in again.pages}
    assert len(again_ids) == 1 and download_id not in again_ids
    assert len(again.pages) == len(pdf.pages)
    with django_db_blocker.unblock():
        stored = VersionFile.objects.filter(
            version__document__slug="soc-2-type-2", version__live=True, language="en"
        ).values_list("sha256", flat=True)
    kept = {path.stem for path in Path(settings.TRUSTPORTAL_WATERMARK_CACHE_DIR).glob("*/*.pdf")}
    assert kept & set(stored)

    # Staff turn the id printed on the copy back into who downloaded it.
    admin = page.context.browser.new_context().new_page()
    admin.goto(f"{page.base_url}/admin/login/")
    admin.fill("#id_username", "admin")
    admin.fill("#id_password", DEMO_PASSWORD)
    admin.locator("button[type=submit]").click()
    admin.goto(f"{page.base_url}/admin/audit/lookup/?download_id={download_id}")
    found = admin.locator("main").inner_text()
    assert "bea.browser" in found and "SOC 2 Type 2 report" in found
    admin.screenshot(path=str(ARTIFACTS / "download-lookup.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / "after-download.png"), full_page=True)
