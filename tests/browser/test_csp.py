"""In headless Chromium, under the Content-Security-Policy each surface is served with: the reader
site, Wagtail's admin and the API docs work, and the browser reports no violation."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cms.models import StarterPackPage, TrustDocument
from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.conftest import DEMO_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="chromium not installed"
    ),
]

# Reported by every frame (the admin's preview panel too) to Python as it happens.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => window.reportCspViolation({
  page: document.location.href, directive: event.violatedDirective,
  blocked: event.blockedURI, source: `${event.sourceFile}:${event.lineNumber}`,
}));
"""


@pytest.fixture
def violations(page):
    """What the browser blocked: its console messages and securitypolicyviolation events."""
    found = []
    page.expose_function("reportCspViolation", lambda violation: found.append(violation))
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return found


def settle(page):
    """Let late scripts (Swagger UI, Wagtail's controllers, the userbar) run and report."""
    page.wait_for_load_state("networkidle")


def test_the_reader_site_works_under_its_policy(page, violations):
    for path in ("/en/", "/en/search/?q=soc", "/en/documents/soc-3/", "/en/accounts/login/"):
        page.goto(f"{page.base_url}{path}")
        settle(page)
    # Signing in and out are form posts (form-action 'self').
    page.fill("#id_username", "reader")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.locator(".account .user")).to_be_visible()
    page.goto(f"{page.base_url}/en/documents/soc-2-type-2/")
    settle(page)
    page.get_by_role("button", name="Sign out").click()
    # The header's account area: result rows carry their own "Sign in to download" links.
    account = page.locator(".account")
    expect(account.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    expect(account.locator(".user")).to_have_count(0)
    assert violations == []


def test_the_api_docs_work_under_their_policy(page, violations):
    page.goto(f"{page.base_url}/api/v3/docs/")
    operation = page.locator(".opblock-get", has_text="/api/v3/taxonomy/").first
    operation.locator(".opblock-summary").click()
    # "Try it out" fetches from the API (connect-src 'self').
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status")
    expect(status).to_have_text("200")
    page.screenshot(path=str(ARTIFACTS / "csp-api-docs.png"))
    assert violations == []


def test_the_admin_works_under_its_policy(page, violations, django_db_blocker):
    with django_db_blocker.unblock():
        document = TrustDocument.objects.select_related("category").get(
            slug="pen-test-summary", locale__language_code="en"
        )
        pack = StarterPackPage.objects.get(
            slug="evaluation-starter-pack", locale__language_code="en"
        )
        industry = pack.get_parent()
    page.goto(f"{page.base_url}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{page.base_url}/admin/")
    settle(page)

    # The page explorer, then a page in the editor with its preview panel (a framed preview).
    page.goto(f"{page.base_url}/admin/pages/")
    settle(page)
    page.goto(f"{page.base_url}/admin/pages/{industry.pk}/")
    settle(page)
    page.get_by_role("link", name=pack.title).first.click()
    page.wait_for_url(f"**/admin/pages/{pack.pk}/edit/")
    page.locator("[data-side-panel-toggle=preview]").first.click()
    preview = page.frame_locator("[data-w-preview-target=iframe]").first
    expect(preview.locator("h1")).to_have_text(pack.title)
    page.screenshot(path=str(ARTIFACTS / "csp-admin-preview.png"))

    # A document in the editor; its category chooser opens and chooses.
    page.goto(f"{page.base_url}/admin/snippets/cms/trustdocument/edit/{document.pk}/")
    settle(page)
    # (Selectors that do not depend on the admin's language, which is the user's choice.)
    chooser = page.locator("#id_category-chooser")
    chooser.locator("[data-w-dropdown-target=toggle]").click()
    chooser.locator("[data-chooser-action-choose]:not(.chooser__choose-button)").click()
    modal = page.locator(".modal")
    modal.locator("a[data-chooser-modal-choice]", has_text=document.category.name).click()
    expect(modal).to_be_hidden()
    expect(chooser).to_contain_text(document.category.name)
    page.screenshot(path=str(ARTIFACTS / "csp-admin-document.png"))

    # The reader site with Wagtail's userbar, which loads the admin's scripts and styles.
    page.goto(f"{page.base_url}/en/documents/{document.slug}/")
    settle(page)
    expect(page.locator("wagtail-userbar")).to_be_attached()
    assert violations == []
