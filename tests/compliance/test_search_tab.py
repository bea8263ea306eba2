"""The Compliance Manager tab of the search page."""

from __future__ import annotations

import pytest
from django.utils.html import strip_tags

from plugins.compliance_manager.workflow import create_assessment


@pytest.mark.django_db
def test_matching_controls_of_visible_assessments_link_into_them(cm):
    control = cm.low.controls.get(oscal_id="ac-2")
    html = cm.client("reader").get("/en/search/?q=Account+Management&tab=compliance")
    text = strip_tags(html.content.decode())
    assert html.status_code == 200
    assert f"/en/compliance/assessments/{cm.assessment.pk}/controls/{control.pk}/" in (
        html.content.decode()
    )
    assert "AC-2 Account Management" in text
    assert "Product A" in text  # the assessment's group
    assert control.get_responsibility_display() in text
    assert cm.assessment.created_at.strftime("%Y") in text
    # Another organization's assessment of the same template is not listed.
    assert f"/en/compliance/assessments/{cm.other_assessment.pk}/" not in html.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "personal", "other_org"])
def test_nobody_else_sees_the_organizations_assessments(cm, who):
    create_assessment(cm.organization, cm.privacy, "Secret privacy review", "Hidden", None)
    html = cm.client(who).get("/en/search/?q=Account+Management&tab=compliance").content.decode()
    assert "Secret privacy review" not in html and "Our LOW assessment" not in html
    assert f"/en/compliance/assessments/{cm.assessment.pk}/" not in html


@pytest.mark.django_db
def test_the_tab_is_offered_beside_documents(cm):
    html = cm.client("reader").get("/en/search/?q=policy").content.decode()
    assert "tab=compliance" in html and "Compliance Manager" in html
