"""In headless Chromium: More › Admin on the reader site, as the portal's administrator (any
organization, chosen first) and as the demo's organization administrator (Rita, Example Bank);
and the Wagtail admin's Compliance Manager roles in its Organizations menu."""

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


def sign_in(page, username):
    page.goto(f"{page.base_url}/en/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.locator(".account .user")).to_be_visible()


def open_more_admin(page, entry):
    page.locator("nav.main-nav summary", has_text="More").click()
    page.locator("nav.main-nav a", has_text=entry).click()


def role_of(page, name):
    return page.locator("main table tbody tr", has_text=name).locator("td").nth(1)


def test_the_portal_administrator_manages_any_organization(page):
    sign_in(page, "admin")
    page.locator("nav.main-nav summary", has_text="More").click()
    more = page.locator("nav.main-nav details", has_text="More")
    for entry in ("Admin", "Compliance Manager roles", "Automatic updates", "User privacy"):
        expect(more.get_by_role("link", name=entry, exact=True)).to_be_visible()
    more.get_by_role("link", name="Compliance Manager roles").click()

    # Not a member of any organization: the organization comes first.
    expect(page.locator("h1")).to_have_text("Choose an organization")
    page.get_by_label("Organization").select_option(label="Example Bank")
    page.get_by_role("button", name="Manage this organization").click()
    expect(page.locator("h1")).to_have_text("Compliance Manager roles")
    expect(role_of(page, "Carl Contributor")).to_have_text("Contributor")
    expect(role_of(page, "Rita Reader")).to_have_text("Administrator")

    page.get_by_label("Member").select_option(label="contributor")
    page.get_by_label("Role").select_option(label="Assessor")
    page.get_by_role("button", name="Save role").click()
    expect(page.get_by_text("Role saved.").first).to_be_visible()
    expect(role_of(page, "Carl Contributor")).to_have_text("Assessor")
    assert "organization=" in page.url  # still about Example Bank
    page.screenshot(path=str(ARTIFACTS / "more-admin-portal-administrator.png"), full_page=True)

    # User privacy, for the same organization: its members are offered.
    open_more_admin(page, "User privacy")
    expect(page.locator("h1")).to_have_text("Choose an organization")
    page.get_by_label("Organization").select_option(label="Example Bank")
    page.get_by_role("button", name="Manage this organization").click()
    expect(page.locator("h1")).to_have_text("User privacy")
    expect(page.locator("#id_user option", has_text="contributor")).to_have_count(1)


def test_the_organization_administrator_manages_their_organization(page):
    sign_in(page, "reader")
    page.locator("nav.main-nav summary", has_text="More").click()
    more = page.locator("nav.main-nav details", has_text="More")
    expect(more.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
    more.get_by_role("link", name="Compliance Manager roles").click()
    expect(page.locator("h1")).to_have_text("Compliance Manager roles")
    expect(page.locator("main")).to_contain_text("Organization: Example Bank")
    expect(page.locator("#id_organization")).to_have_count(0)  # no other organization

    # Whatever the portal's administrator set before, Carl is a contributor again.
    page.get_by_label("Member").select_option(label="contributor")
    page.get_by_label("Role").select_option(label="Contributor")
    page.get_by_role("button", name="Save role").click()
    expect(role_of(page, "Carl Contributor")).to_have_text("Contributor")
    page.screenshot(path=str(ARTIFACTS / "more-admin-organization-administrator.png"))

    open_more_admin(page, "Automatic updates")
    expect(page.locator("h1")).to_have_text("Automatic updates")
    open_more_admin(page, "User privacy")
    expect(page.locator("h1")).to_have_text("User privacy")


def test_staff_find_compliance_manager_roles_in_the_organizations_menu(page):
    page.goto(f"{page.base_url}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{page.base_url}/admin/")
    page.get_by_role("button", name="Organizations").click()
    page.get_by_role("link", name="Compliance Manager roles").click()
    page.wait_for_url(f"{page.base_url}/admin/compliance-roles/")
    row = page.locator("tbody tr", has_text="contributor")
    expect(row).to_contain_text("Example Bank")
    page.screenshot(path=str(ARTIFACTS / "admin-compliance-roles.png"), full_page=True)
