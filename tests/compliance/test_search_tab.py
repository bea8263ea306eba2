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
@pytest.mark.parametrize("who", ["reader", "anonymous", "personal", "other_org"])
def test_nobody_else_sees_the_organizations_assessments(cm, who):
    """The same search for everyone: a member sees both of the organization's assessments (the
    query matches a control of each template), the other organization only its own, the rest
    none."""
    secret = create_assessment(cm.organization, cm.privacy, "Secret privacy review", "Hidden", None)
    response = cm.client(who).get("/en/search/?q=Access+Enforcement&tab=compliance")
    assert response.status_code == 200
    html = response.content.decode()
    text = strip_tags(html)
    assert 'tab=compliance" aria-current="page"' in html  # this tab, not the documents
    ours = {
        "Secret privacy review": secret,
        "Our LOW assessment": cm.assessment,
        "Their assessment": cm.other_assessment,
    }
    sees = {
        "reader": {"Secret privacy review", "Our LOW assessment"},
        "other_org": {"Their assessment"},
    }.get(who, set())
    assert ("No results." in text) == (not sees)
    for title, assessment in ours.items():
        assert (title in text) == (title in sees), title
        assert (f"/en/compliance/assessments/{assessment.pk}/" in html) == (title in sees), title


@pytest.mark.django_db
def test_the_tab_is_offered_beside_documents(cm):
    html = cm.client("reader").get("/en/search/?q=policy").content.decode()
    assert "tab=compliance" in html and "Compliance Manager" in html
