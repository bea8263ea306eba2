"""In headless Chromium, axe-core checks the reader's main pages: no serious or critical
violation on the home page, search (with results), a document, My Library, the notification
settings and the Compliance Manager's dashboard, each as the reader who sees it.

axe-core is npm's package, pinned in tests/browser/package-lock.json (``npm ci --prefix
tests/browser``, run by scripts/test.sh): no copy from a CDN. It is run with Playwright's
``evaluate``, which the pages' Content Security Policy does not apply to, so the pages are
checked under their own CSP, as served (a ``<script>`` tag with axe's source inline would be
refused by it)."""

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.conftest import DEMO_PASSWORD

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="chromium not installed"
    ),
    pytest.mark.skipif(
        not AXE.exists() and not os.environ.get("CI"),
        reason="axe-core not installed (npm ci --prefix tests/browser)",
    ),
]

#: What fails the test: axe's two highest impacts.
BLOCKING = {"serious", "critical"}


def axe_results(page) -> dict:
    """axe-core's findings on the page as it is now (all its rules: WCAG 2.x A and AA, and
    its best practices): the violations, and how many rules passed."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return {
                passed: results.passes.length,
                violations: results.violations.map(v => ({
                    id: v.id,
                    impact: v.impact,
                    help: v.help,
                    nodes: v.nodes.map(n => ({
                        target: n.target.join(" "), summary: n.failureSummary,
                    })),
                })),
            };
        }"""
    )


def described(violations) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']} ({violation['help']})")
        for node in violation["nodes"][:5]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}: {summary[:300]}")
    return "\n".join(lines)


def sign_in(page, username):
    page.goto(f"{page.base_url}/en/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.locator(".account .user")).to_be_visible()


@pytest.fixture(scope="module")
def dashboard_path(django_db_blocker, portal_url):
    """The Compliance Manager dashboard of the demo reader's organization's assessment."""
    from plugins.compliance_manager.models import Assessment

    with django_db_blocker.unblock():
        assessment = Assessment.objects.filter(organization__slug="example-bank").first()
    assert assessment is not None
    return f"/en/compliance/assessments/{assessment.pk}/"


def assert_no_blocking_violations(page, name):
    """No serious or critical violation; all of them (the minor and moderate ones too) are
    kept in the artifacts with a screenshot."""
    page.wait_for_load_state()
    results = axe_results(page)
    assert results["passed"] > 10  # axe ran over the page's content
    (ARTIFACTS / f"a11y-{name}.json").write_text(json.dumps(results, indent=2))
    page.screenshot(path=str(ARTIFACTS / f"a11y-{name}.png"), full_page=True)
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING]
    assert blocking == [], f"{name}: {page.url}\n{described(blocking)}"


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("home", "/en/"),
        ("search", "/en/search/?q=SOC"),
        ("document", "/en/documents/soc-2-type-2/"),
    ],
)
def test_public_pages_have_no_serious_violations(page, name, path):
    page.goto(f"{page.base_url}{path}")
    if name == "search":
        expect(page.locator(".document-card").first).to_be_visible()
    assert_no_blocking_violations(page, name)


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("home-signed-in", "/en/"),
        ("document-signed-in", "/en/documents/soc-2-type-2/"),
        ("library", "/en/library/"),
        ("notifications", "/en/notifications/"),
    ],
)
def test_the_readers_pages_have_no_serious_violations(page, name, path):
    sign_in(page, "reader")
    page.goto(f"{page.base_url}{path}")
    assert_no_blocking_violations(page, name)


def test_the_compliance_manager_dashboard_has_no_serious_violations(page, dashboard_path):
    sign_in(page, "reader")
    page.goto(f"{page.base_url}{dashboard_path}")
    expect(page.locator("h1")).to_be_visible()
    assert_no_blocking_violations(page, "compliance-dashboard")
