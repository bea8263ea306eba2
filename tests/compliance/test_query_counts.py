"""Queries per request stay the same however many controls, action items, assessments or
groups are shown (dashboard, lists, API)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plugins.compliance_manager.workflow import create_assessment


def queries(client, url) -> int:
    client.get(url)  # warm the per-process caches (site, locales) so only the page is counted
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow_with_controls_or_page_size(cm, settings):
    client = cm.client("reader")
    small = create_assessment(cm.organization, cm.privacy, "Small", "Product A", None)
    assert small.links.count() < cm.assessment.links.count()
    settings.TRUSTPORTAL_PLUGIN_SETTINGS = {"compliance": {"CONTROLS_PER_PAGE": 10}}
    few = queries(client, f"/en/compliance/assessments/{small.pk}/")
    settings.TRUSTPORTAL_PLUGIN_SETTINGS = {"compliance": {"CONTROLS_PER_PAGE": 200}}
    many = queries(client, f"/en/compliance/assessments/{cm.assessment.pk}/")
    assert few == many


@pytest.mark.django_db
def test_index_queries_do_not_grow_with_groups_and_assessments(cm):
    client = cm.client("reader")
    one_group = queries(client, "/en/compliance/")
    for number in range(3):
        create_assessment(cm.organization, cm.privacy, f"Extra {number}", f"Group {number}", None)
    assert queries(client, "/en/compliance/") == one_group


@pytest.mark.django_db
def test_api_lists_do_not_grow_with_page_size(cm):
    client = cm.client("reader")
    items = f"/api/v3/compliance/assessments/{cm.assessment.pk}/action-items/"
    assert queries(client, items + "?limit=2") == queries(client, items + "?limit=100")
    lists = "/api/v3/compliance/assessments/"
    one = queries(client, lists)
    for number in range(3):
        create_assessment(cm.organization, cm.privacy, f"More {number}", "Product A", None)
    assert queries(client, lists) == one
    detail = f"/api/v3/compliance/assessments/{cm.assessment.pk}/"
    small = create_assessment(cm.organization, cm.privacy, "Smaller", "Product C", None)
    assert queries(client, detail) == queries(client, f"/api/v3/compliance/assessments/{small.pk}/")
