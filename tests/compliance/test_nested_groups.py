"""Catalogs of nested groups (chapters › sections › topics) keep their tree: the top groups are
the families, the groups below them sub-groups folded under their family on the dashboard and
in its filter; a family's score and filter take in its sub-groups. NIST SP 800-53 catalogs (one
level of groups) read as before."""

from __future__ import annotations

import json
import re

import pytest

from plugins.compliance_manager.models import (
    ActionItem,
    Control,
    ControlFamily,
    ControlSubgroup,
    Template,
)
from plugins.compliance_manager.oscal.importing import import_bytes
from plugins.compliance_manager.scoring import summarize_assessment
from plugins.compliance_manager.workflow import create_assessment

from .test_query_counts import queries

NESTED_UUID = "7a1c0b9e-1d2e-4f3a-8b4c-5d6e7f8a9b0c"


def control(oscal_id: str, title: str, *enhancements: dict) -> dict:
    result = {
        "id": oscal_id,
        "title": title,
        "parts": [{"id": f"{oscal_id}_smt", "name": "statement", "prose": f"Do {title}."}],
    }
    if enhancements:
        result["controls"] = list(enhancements)
    return result


def nested_catalog(move_review_to_roles=False, drop=(), retitle_policies="") -> dict:
    """Three levels of groups, ISO-style: chapters › sections › topics, with a control directly
    in a chapter, an enhancement, an empty section and an empty chapter (both left out)."""
    review = control("c-3", "Review of the policies")
    roles = [control("c-4", "Segregation of duties")] + ([review] if move_review_to_roles else [])
    policies = {
        "id": "sec-1-1",
        "title": retitle_policies or "Policies",
        "controls": [
            control("c-2", "Information security policy", control("c-2.1", "Policy exceptions"))
        ],
        "groups": []
        if move_review_to_roles
        else [{"id": "top-1-1-1", "title": "Review", "controls": [review]}],
    }
    groups = [
        {
            "id": "ch-1",
            "title": "Organizational controls",
            "controls": [control("c-1", "Management direction")],
            "groups": [
                policies,
                {"id": "sec-1-2", "title": "Roles", "controls": roles},
                {"id": "sec-1-3", "title": "Placeholder section"},
            ],
        },
        {
            "id": "ch-2",
            "title": "People controls",
            "groups": [
                {
                    "id": "sec-2-1",
                    "title": "Screening",
                    "controls": [control("c-5", "Background checks")],
                }
            ],
        },
        {"id": "ch-3", "title": "Empty chapter", "groups": [{"id": "sec-3-1", "title": "Nothing"}]},
    ]

    def without_dropped(controls):
        return [c for c in controls if c["id"] not in drop]

    def prune(items):
        for group in items:
            group["controls"] = without_dropped(group.get("controls", []))
            prune(group.get("groups", []))

    prune(groups)
    return {
        "catalog": {
            "uuid": NESTED_UUID,
            "metadata": {"title": "Nested test catalog", "version": "1", "oscal-version": "1.1.2"},
            "groups": groups,
        }
    }


def import_nested(**changes):
    return import_bytes(json.dumps(nested_catalog(**changes)).encode(), "nested.json")


def group_of(template: Template) -> dict[str, tuple[str | None, str | None]]:
    """Each control's (family, nearest sub-group) by OSCAL id."""
    return {
        oscal_id: (family, subgroup)
        for oscal_id, family, subgroup in template.controls.values_list(
            "oscal_id", "family__oscal_id", "subgroup__oscal_id"
        )
    }


def tree_of(template: Template) -> list[tuple[str, str, str, str | None]]:
    return list(
        template.subgroups.order_by("sort_order").values_list(
            "oscal_id", "title", "family__oscal_id", "parent__oscal_id"
        )
    )


TREE = [
    ("sec-1-1", "Policies", "ch-1", None),
    ("top-1-1-1", "Review", "ch-1", "sec-1-1"),
    ("sec-1-2", "Roles", "ch-1", None),
    ("sec-2-1", "Screening", "ch-2", None),
]


@pytest.mark.django_db
def test_families_are_the_top_groups_and_sub_groups_keep_their_parents():
    report = import_nested()
    template = report.template
    assert list(template.families.values_list("oscal_id", "title")) == [
        ("ch-1", "Organizational controls"),
        ("ch-2", "People controls"),
    ]  # not the empty chapter, and no section as a family of its own
    assert tree_of(template) == TREE  # the empty section left out
    assert group_of(template) == {
        "c-1": ("ch-1", None),
        "c-2": ("ch-1", "sec-1-1"),
        "c-2.1": ("ch-1", "sec-1-1"),  # an enhancement stays in its control's group
        "c-3": ("ch-1", "top-1-1-1"),
        "c-4": ("ch-1", "sec-1-2"),
        "c-5": ("ch-2", "sec-2-1"),
    }
    assert template.controls.get(oscal_id="c-2.1").parent.oscal_id == "c-2"
    assert "6 controls (5 top-level) in 2 families (4 sub-groups)" in report.summary()


@pytest.mark.django_db
def test_reimport_is_idempotent_and_reports_a_move_between_groups_as_a_change():
    template = import_nested().template
    sizes = (
        ControlFamily.objects.count(),
        ControlSubgroup.objects.count(),
        Control.objects.count(),
    )
    again = import_nested()
    assert again.summary().startswith("Unchanged:")
    assert (again.controls_created, again.controls_updated, again.controls_retired) == (0, 0, 0)
    assert (again.families_created, again.subgroups_created) == (0, 0)
    assert sizes == (
        ControlFamily.objects.count(),
        ControlSubgroup.objects.count(),
        Control.objects.count(),
    )

    moved = import_nested(move_review_to_roles=True, retitle_policies="Policies (2027)")
    assert (
        moved.controls_created,
        moved.controls_updated,
        moved.controls_retired,
        moved.controls_unchanged,
    ) == (0, 1, 0, 5)
    assert group_of(template)["c-3"] == ("ch-1", "sec-1-2")
    # The emptied topic is gone; the renamed section is the same row, renamed.
    assert [row[:2] for row in tree_of(template)] == [
        ("sec-1-1", "Policies (2027)"),
        ("sec-1-2", "Roles"),
        ("sec-2-1", "Screening"),
    ]


@pytest.mark.django_db
def test_a_retired_control_keeps_its_groups_and_empty_ones_go():
    template = import_nested().template
    report = import_nested(drop=("c-5",))
    assert report.controls_retired == 1
    # The chapter and section are no longer in the catalog, but the retired control is kept
    # where it was, so are they.
    retired = template.controls.get(oscal_id="c-5")
    assert retired.retired_at is not None
    assert (retired.family.oscal_id, retired.subgroup.oscal_id) == ("ch-2", "sec-2-1")
    retired.delete()
    import_nested(drop=("c-5",))
    assert list(template.families.values_list("oscal_id", flat=True)) == ["ch-1"]
    assert "sec-2-1" not in {row[0] for row in tree_of(template)}


@pytest.mark.django_db
def test_reimport_folds_the_flat_families_of_an_earlier_import():
    """Before groups were a tree every group holding controls was a family titled with its
    path: importing the catalog again turns them into the tree and leaves no stray family."""
    template = import_nested().template
    flat = {}
    for subgroup in ControlSubgroup.objects.filter(template=template):
        flat[subgroup.pk] = ControlFamily.objects.create(
            template=template,
            oscal_id=subgroup.oscal_id,
            title=f"{subgroup.family.title} › {subgroup.title}",
            sort_order=10 + subgroup.sort_order,
        )
    for row in Control.objects.filter(template=template, subgroup__isnull=False):
        Control.objects.filter(pk=row.pk).update(family=flat[row.subgroup_id], subgroup=None)
    ControlSubgroup.objects.filter(template=template).delete()
    ControlFamily.objects.filter(template=template, oscal_id="ch-2").delete()  # held no control
    assert template.families.count() == 5

    report = import_nested()
    assert (report.controls_created, report.controls_retired) == (0, 0)
    assert report.controls_updated == 5  # every control that was in a section moved
    assert list(template.families.values_list("oscal_id", flat=True)) == ["ch-1", "ch-2"]
    assert tree_of(template) == TREE
    assert group_of(template)["c-3"] == ("ch-1", "top-1-1-1")


@pytest.fixture
def nested(cm):
    """An assessment of the nested catalog with C-3 (a topic of a section of chapter 1)
    implemented and passed."""
    template = import_nested().template
    assessment = create_assessment(cm.organization, template, "Nested", "Nested product", None)
    ActionItem.objects.filter(links__assessment=assessment, links__control__oscal_id="c-3").update(
        implementation_status="implemented", testing_status="passed"
    )
    return template, assessment


def points_under(assessment, *oscal_ids) -> int:
    return sum(
        ActionItem.objects.filter(
            links__assessment=assessment, links__control__oscal_id__in=oscal_ids
        ).values_list("points", flat=True)
    )


@pytest.mark.django_db
def test_a_familys_score_includes_its_sub_groups_controls(nested, cm):
    template, assessment = nested
    summary = summarize_assessment(assessment)
    chapter_1 = template.families.get(oscal_id="ch-1")
    score = summary.by_family[chapter_1.pk]
    in_chapter_1 = ("c-1", "c-2", "c-2.1", "c-3", "c-4")
    assert score.available == points_under(assessment, *in_chapter_1)
    assert score.available > points_under(assessment, "c-1")  # not only its own control
    assert score.earned == points_under(assessment, "c-3") > 0  # a topic two levels down
    api = cm.client("reader").get(f"/api/v3/compliance/assessments/{assessment.pk}/").json()
    assert [f["family"] for f in api["families"]] == ["Organizational controls", "People controls"]
    assert api["families"][0]["score"]["earned"] == score.earned


def family_table(html: str) -> str:
    return html[html.index('id="family-heading"') :].split("</table>")[0]


def listed_titles(html: str) -> set[str]:
    table = html[html.index('<table class="cm-controls">') :].split("</table>")[0]
    return set(re.findall(r'/controls/\d+/">([^<]+)</a>', table))


ALL_TITLES = {
    "Management direction",
    "Information security policy",
    "Policy exceptions",
    "Review of the policies",
    "Segregation of duties",
    "Background checks",
}


@pytest.mark.django_db
def test_the_dashboard_shows_the_families_with_their_sub_groups_folded(nested, cm):
    _template, assessment = nested
    html = cm.client("reader").get(f"/en/compliance/assessments/{assessment.pk}/").content.decode()
    table = family_table(html)
    rows = re.findall(r'<th scope="row">(.*?)</th>', table, flags=re.S)
    assert len(rows) == 2  # two families, however many sections
    chapter_1, chapter_2 = rows
    assert chapter_1.startswith(
        '<details class="cm-subgroups"><summary>Organizational controls</summary>'
    )
    # Sections inside the chapter's fold, the topic inside its section's fold.
    assert chapter_1.index("Policies") < chapter_1.index("Review") < chapter_1.index("Roles")
    policies = chapter_1[chapter_1.index("Policies") : chapter_1.index("Roles")]
    assert "<details" in policies and "1 sub-group" in policies
    assert "Screening" in chapter_2 and "Screening" not in chapter_1
    # The filter lists the families with their sub-groups set under them.
    options = re.findall(
        r'<option value="([^"]+)">([^<]*)</option>',
        html.split('id="cm-group"')[1].split("</select>")[0],
    )
    assert options == [
        ("ch-1", "Organizational controls"),
        ("sec-1-1", "\u00a0" * 3 + "Policies"),
        ("top-1-1-1", "\u00a0" * 6 + "Review"),
        ("sec-1-2", "\u00a0" * 3 + "Roles"),
        ("ch-2", "People controls"),
        ("sec-2-1", "\u00a0" * 3 + "Screening"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "group, titles",
    [
        ("ch-1", ALL_TITLES - {"Background checks"}),
        ("sec-1-1", {"Information security policy", "Policy exceptions", "Review of the policies"}),
        ("top-1-1-1", {"Review of the policies"}),
        ("ch-2", {"Background checks"}),
        ("no-such-group", ALL_TITLES),  # names nothing: filters nothing
    ],
)
def test_filtering_by_a_family_takes_in_its_sub_groups(nested, cm, group, titles):
    _template, assessment = nested
    response = cm.client("reader").get(
        f"/en/compliance/assessments/{assessment.pk}/", {"group": group}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert listed_titles(html) == titles
    if group != "no-such-group":
        assert f'<option value="{group}" selected>' in html


@pytest.mark.django_db
def test_a_control_page_names_its_whole_group_path(nested, cm):
    template, assessment = nested
    control = template.controls.get(oscal_id="c-3")
    html = (
        cm.client("reader")
        .get(f"/en/compliance/assessments/{assessment.pk}/controls/{control.pk}/")
        .content.decode()
    )
    kicker = html[html.index('<p class="kicker">') :].split("</p>")[0]
    assert kicker.endswith("</a> › Organizational controls › Policies › Review")


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow_with_the_page_for_a_nested_catalog(nested, cm, settings):
    _template, assessment = nested
    client = cm.client("reader")
    url = f"/en/compliance/assessments/{assessment.pk}/"
    settings.TRUSTPORTAL_PLUGIN_SETTINGS = {"compliance": {"CONTROLS_PER_PAGE": 2}}
    few = queries(client, url)
    settings.TRUSTPORTAL_PLUGIN_SETTINGS = {"compliance": {"CONTROLS_PER_PAGE": 200}}
    assert queries(client, url) == few


@pytest.mark.django_db
def test_nist_catalogs_keep_one_level_of_families(cm, settings):
    assert not ControlSubgroup.objects.filter(template=cm.low).exists()
    assert not cm.low.controls.filter(subgroup__isnull=False).exists()
    html = (
        cm.client("reader").get(f"/en/compliance/assessments/{cm.assessment.pk}/").content.decode()
    )
    table = family_table(html)
    rows = re.findall(r'<th scope="row">(.*?)</th>', table, flags=re.S)
    assert len(rows) == len(summarize_assessment(cm.assessment).by_family) == 18
    assert "<details" not in table and rows[0] == "Access Control"
    settings.TRUSTPORTAL_PLUGIN_SETTINGS = {"compliance": {"CONTROLS_PER_PAGE": 200}}
    response = cm.client("reader").get(
        f"/en/compliance/assessments/{cm.assessment.pk}/", {"group": "ac"}
    )
    access_control = set(
        cm.low.controls.in_force().filter(family__oscal_id="ac").values_list("title", flat=True)
    )
    assert len(access_control) > 1
    assert listed_titles(response.content.decode()) == access_control
