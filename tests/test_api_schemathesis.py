"""Schemathesis against the live server: the GET operations of our routers and of Wagtail's
pages, sites and images endpoints, anonymously and with the demo reader's bearer token (writes
are tested in each router's own tests: fuzzed, a webhook test would POST to whatever public
address was generated). Every answer must be free of 5xx and conform to the schema served at
/api/v3/openapi.json.

The server is a thread over the seeded test database, as the browser tests' ``portal_url``
(pytest-django's ``live_server`` would flush the demo content). The examples are bounded and
derandomized so a CI run is reproducible and short.
"""

import pytest

from tests.live_server import serving_test_database

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

# django_db: the test database must exist even when only this file is selected.
pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 20
CHECKS = [not_a_server_error, response_schema_conformance]

OPERATIONS = [
    # Ours (cms/api/*).
    "/api/v3/trust-documents/",
    "/api/v3/trust-documents/{slug}/",
    "/api/v3/taxonomy/",
    "/api/v3/me/",
    "/api/v3/starter-packs/",
    "/api/v3/starter-packs/{slug}/",
    "/api/v3/industries/",
    "/api/v3/industries/{slug}/",
    "/api/v3/regions/",
    "/api/v3/regions/{slug}/",
    "/api/v3/branding/",
    # The NDA plugin's.
    "/api/v3/nda/",
    # plugins/compliance_manager (the demo reader's organization has one assessment).
    "/api/v3/compliance/assessments/",
    "/api/v3/compliance/assessments/{assessment_id}/",
    "/api/v3/compliance/assessments/{assessment_id}/action-items/",
    "/api/v3/compliance/assessments/{assessment_id}/oscal/",
    "/api/v3/compliance/action-items/{item_id}/",
    # plugins/notifications (the demo reader administers Example Bank: it has webhooks).
    "/api/v3/notifications/settings/",
    "/api/v3/notifications/webhooks/",
    "/api/v3/notifications/webhooks/{webhook_id}/",
    "/api/v3/notifications/webhooks/{webhook_id}/deliveries/",
    # plugins/trust_center (the demo's subprocessors and security FAQ).
    "/api/v3/trust_center/subprocessors/",
    "/api/v3/trust_center/faq/",
    # Wagtail's.
    "/api/v3/pages/",
    "/api/v3/pages/find/",
    "/api/v3/pages/{page_id}/",
    "/api/v3/pages/{page_id}/revisions/",
    "/api/v3/pages/{page_id}/revisions/{revision_id}/",
    "/api/v3/sites/",
    "/api/v3/sites/{site_id}/",
    "/api/v3/images/",
    "/api/v3/images/{image_id}/",
]
#: Operations of Wagtail's own endpoints known to break the checks, with the bug they hit.
EXCLUDED: dict[str, str] = {}

#: Stands for the id of the webhook endpoint ``api_server`` registers.
WEBHOOK = "<the fixture's webhook>"

#: Path parameters nothing in the schema lets Schemathesis guess (random slugs are all 404s):
#: these operations also run against a real object of the demo content.
KNOWN = {
    "/api/v3/trust-documents/{slug}/": {"slug": "security-white-paper"},
    "/api/v3/starter-packs/{slug}/": {"slug": "audit-starter-pack"},
    "/api/v3/industries/{slug}/": {"slug": "financial-services"},
    "/api/v3/regions/{slug}/": {"slug": "germany"},
    # The seeded demo assessment and its first action item are the first rows of their tables.
    "/api/v3/compliance/assessments/{assessment_id}/": {"assessment_id": 1},
    "/api/v3/compliance/assessments/{assessment_id}/action-items/": {"assessment_id": 1},
    "/api/v3/compliance/action-items/{item_id}/": {"item_id": 1},
    # The endpoint the fixture registers for the reader's organization (its id is known then).
    "/api/v3/notifications/webhooks/{webhook_id}/": {"webhook_id": WEBHOOK},
    "/api/v3/notifications/webhooks/{webhook_id}/deliveries/": {"webhook_id": WEBHOOK},
}

HEADERS = {
    "anonymous": {},
    "reader": None,  # filled with the reader's bearer token by the fixture
}


@pytest.fixture(scope="module")
def api_server(django_db_setup, django_db_blocker):
    """The portal served from a thread over the seeded test database, with the API's HTTP
    middleware (CORS, ETags) from the settings, a bearer token of the demo ``reader`` and a
    webhook endpoint of the organization they administer, with one delivery logged."""
    from django.contrib.auth import get_user_model
    from wagtail.models import APIToken

    from cms.models import TrustDocument, organization_of
    from plugins.notifications.models import WebhookDelivery, WebhookEndpoint

    with django_db_blocker.unblock(), serving_test_database() as url:
        reader = get_user_model().objects.get(username="reader")
        token, plaintext = APIToken.create_token(user=reader, name="schemathesis")
        webhook = WebhookEndpoint.objects.create(
            organization=organization_of(reader),
            url="https://grc.bank.example/hooks/schemathesis",
            created_by=reader,
        )
        WebhookDelivery.objects.create(
            endpoint=webhook, event_id="schemathesis-1", document=TrustDocument.objects.first()
        )
        try:
            schema = schemathesis.openapi.from_url(f"{url}/api/v3/openapi.json").include(
                method="GET"
            )
            yield {"url": url, "schema": schema, "token": plaintext, "webhook": webhook.pk}
        finally:
            webhook.delete()
            token.delete()


def test_every_read_of_the_covered_routers_is_exercised(api_server):
    """A new GET operation on a covered prefix must be added to OPERATIONS (or EXCLUDED)."""
    covered = ("/api/v3/trust-documents/", "/api/v3/taxonomy/", "/api/v3/me/", "/api/v3/nda/")
    covered += ("/api/v3/starter-packs/", "/api/v3/industries/", "/api/v3/regions/")
    covered += ("/api/v3/branding/", "/api/v3/compliance/", "/api/v3/notifications/")
    covered += ("/api/v3/trust_center/",)
    covered += ("/api/v3/pages/", "/api/v3/sites/", "/api/v3/images/")
    paths = {
        result.ok().path
        for result in api_server["schema"].get_all_operations()
        if result.ok().path.startswith(covered)
    }
    assert paths == set(OPERATIONS)


@pytest.mark.parametrize("who", sorted(HEADERS))
@pytest.mark.parametrize(
    "path, known",
    [(path, None) for path in OPERATIONS] + [(path, KNOWN[path]) for path in KNOWN],
)
def test_no_server_error_and_schema_conformance(api_server, path, known, who):
    if path in EXCLUDED:
        pytest.skip(EXCLUDED[path])
    operation = api_server["schema"][path]["GET"]
    if known is not None:
        known = {
            name: api_server["webhook"] if value == WEBHOOK else value
            for name, value in known.items()
        }
    headers = {"Authorization": f"Bearer {api_server['token']}"} if who == "reader" else {}

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(path_parameters=known))
    def run(case):
        case.call_and_validate(
            base_url=api_server["url"], headers=headers, checks=CHECKS, timeout=30
        )

    run()
