"""Parameters read as NIST prints them: "[Assignment: organization-defined …]" and
"[Selection (one or more): a; b]", placeholders nested in a selection rendered too."""

from __future__ import annotations

import pytest

from plugins.compliance_manager.models import Control
from plugins.compliance_manager.oscal.parameters import describe, parameter, render

from .conftest import low_template

#: AC-7 of the LOW baseline (SP 800-53 5.1.1) as NIST prints it.
AC_7 = [
    "a. Enforce a limit of [Assignment: organization-defined number] consecutive invalid logon "
    "attempts by a user during a [Assignment: organization-defined time period]; and",
    "b. Automatically [Selection (one or more): lock the account or node for [Assignment: "
    "organization-defined time period]; lock the account or node until released by an "
    "administrator; delay next logon prompt per [Assignment: organization-defined delay "
    "algorithm]; notify system administrator; take other [Assignment: organization-defined "
    "action]] when the maximum number of unsuccessful attempts is exceeded.",
]


@pytest.mark.django_db
def test_ac_7_reads_as_nist_prints_it():
    control = low_template().controls.get(oscal_id="ac-7")
    assert [line.strip() for line in control.statement.splitlines()] == AC_7
    texts = {p["id"]: p["text"] for p in control.parameters}
    assert texts["ac-07_odp.01"] == "[Assignment: organization-defined number]"
    assert texts["ac-07_odp.03"].startswith(
        "[Selection (one or more): lock the account or node for "
        "[Assignment: organization-defined time period]; "
    )


@pytest.mark.django_db
def test_no_placeholder_is_left_raw_in_any_imported_statement():
    assert not Control.objects.filter(statement__contains="{{").exists()
    assert not Control.objects.filter(statement__contains="[Assignment: Selection").exists()


@pytest.mark.django_db
def test_the_control_page_shows_the_rendered_statement(cm):
    control = cm.low.controls.get(oscal_id="ac-7")
    response = cm.client("reader").get(
        f"/en/compliance/assessments/{cm.assessment.pk}/controls/{control.pk}/"
    )
    assert response.status_code == 200
    assert "Automatically [Selection (one or more): lock the account or node for [" in (
        response.content.decode()
    )


def params(*raw: dict) -> dict[str, dict]:
    return {p["id"]: parameter(p, p["id"]) for p in raw}


def test_a_selection_of_exactly_one_and_a_nested_selection():
    by_id = params(
        {"id": "x_prm_1", "select": {"choice": ["daily", "every {{ insert: param, x_prm_2 }}"]}},
        {"id": "x_prm_2", "select": {"how-many": "one-or-more", "choice": ["week", "month"]}},
        {"id": "x_prm_3", "label": "organization-defined frequency"},
    )
    assert describe(by_id["x_prm_1"], by_id) == (
        "[Selection: daily; every [Selection (one or more): week; month]]"
    )
    assert render("Review {{ insert: param, x_prm_3 }}.", by_id) == (
        "Review [Assignment: organization-defined frequency]."
    )


def test_a_selection_naming_itself_or_an_unknown_parameter_ends():
    by_id = params({"id": "loop", "select": {"choice": ["again {{ insert: param, loop }}"]}})
    assert describe(by_id["loop"], by_id) == "[Selection: again [Assignment: loop]]"
    assert render("{{ insert: param, nowhere }}", by_id) == "[Assignment: nowhere]"
