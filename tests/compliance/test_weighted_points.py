"""Improvement actions weighted by kind: the score worked out by hand on a small assessment, the
points table that staff (and only staff) edit, and what the pages show."""

from __future__ import annotations

import importlib
import uuid

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from cms.models import Membership, Organization
from plugins.compliance_manager.models import (
    ActionItem,
    ActionPoints,
    ComplianceRole,
    Control,
    ControlFamily,
    ImprovementAction,
    Template,
)
from plugins.compliance_manager.scoring import group_score, summarize_assessment
from plugins.compliance_manager.weighting import recompute_points
from plugins.compliance_manager.workflow import create_assessment
from tests.helpers import client_for, make_user

from .conftest import low_template

POINTS_URL = "/en/compliance/settings/points/"
PM, PD = ("preventive", "mandatory"), ("preventive", "discretionary")
DM, DD = ("detective", "mandatory"), ("detective", "discretionary")
CM, CD = ("corrective", "mandatory"), ("corrective", "discretionary")


class Small:
    """Two families; four customer actions of four kinds (one with points of its own) and one
    provider control worth 2, passed:

    ======  =========  ========================  ======  =========================  ======
    family  control    action                    points  state                      earned
    ======  =========  ========================  ======  =========================  ======
    F1      c-1        a: preventive mandatory   27      implemented, passed        27
    F1      c-1        b: detective discret.      1      implemented, not assessed   0
    F1      c-2        c: corrective mandatory    5*     planned                     0
    F2      c-3        d: preventive discret.     9      alternative, passed         9
    F2      c-4 (prov) —                          2      provider test passed        2
    ======  =========  ========================  ======  =========================  ======

    (*: set for that action; its kind says 3.) F1: 27 of 33; F2: 11 of 11; total: 38 of 44.
    """

    def __init__(self):
        self.template = Template.objects.create(oscal_uuid=uuid.uuid4(), title="Small catalog")
        f1, f2 = (
            ControlFamily.objects.create(template=self.template, oscal_id=f, title=t, sort_order=n)
            for n, (f, t) in enumerate([("f1", "Family One"), ("f2", "Family Two")])
        )
        self.families = (f1, f2)
        controls = {}
        for n, (oscal_id, family, responsibility) in enumerate(
            [
                ("c-1", f1, "customer"),
                ("c-2", f1, "customer"),
                ("c-3", f2, "shared"),
                ("c-4", f2, "provider"),
            ]
        ):
            controls[oscal_id] = Control.objects.create(
                template=self.template,
                family=family,
                oscal_id=oscal_id,
                label=oscal_id.upper(),
                title=f"Control {oscal_id}",
                sort_order=n,
                responsibility=responsibility,
                provider_points=2,
                test_result="passed" if responsibility != "customer" else "not_tested",
            )
        # c-3 is shared: its provider side counts too; make it count nothing to keep the table
        # above small (a provider side not passed would be available but not earned).
        Control.objects.filter(pk=controls["c-3"].pk).update(provider_points=0)
        self.actions = {}
        for key, oscal_id, kind, override in [
            ("a", "c-1", PM, None),
            ("b", "c-1", DD, None),
            ("c", "c-2", CM, 5),
            ("d", "c-3", PD, None),
        ]:
            action = ImprovementAction(
                control=controls[oscal_id],
                key=key,
                title=f"Action {key}",
                action_type=kind[0],
                enforcement=kind[1],
                points_override=override,
            )
            action.save()
            self.actions[key] = action
        self.organization = Organization.objects.create(name="Small Org", slug="small-org")
        self.users = {}
        for role in ("reader", "contributor", "administrator"):
            user = make_user(f"small-{role}")
            Membership.objects.create(user=user, organization=self.organization)
            ComplianceRole.objects.create(user=user, organization=self.organization, role=role)
            self.users[role] = user
        self.assessment = create_assessment(
            self.organization,
            self.template,
            "Small assessment",
            "Small group",
            self.users["contributor"],
        )
        self.set("a", implementation_status="implemented", testing_status="passed")
        self.set("b", implementation_status="implemented")
        self.set("c", implementation_status="planned")
        self.set("d", implementation_status="alternative", testing_status="passed")

    def item(self, key) -> ActionItem:
        return ActionItem.objects.get(group=self.assessment.group, key__endswith=f"/{key}")

    def set(self, key, **fields):
        ActionItem.objects.filter(pk=self.item(key).pk).update(**fields)


@pytest.fixture
def small(db):
    return Small()


def figures(score):
    return (score.earned, score.available)


@pytest.mark.django_db
def test_the_weighted_score_adds_up_by_hand(small):
    assert {key: small.item(key).points for key in "abcd"} == {"a": 27, "b": 1, "c": 5, "d": 9}
    summary = summarize_assessment(small.assessment)
    assert figures(summary.score) == (38, 44)
    f1, f2 = small.families
    assert figures(summary.by_family[f1.pk]) == (27, 33)
    assert figures(summary.by_family[f2.pk]) == (11, 11)
    assert {kind: figures(score) for kind, score in summary.by_kind.items()} == {
        PM: (27, 27),
        DD: (0, 1),
        CM: (0, 5),
        PD: (9, 9),
        None: (2, 2),
    }
    assert figures(group_score(small.assessment.group)) == (38, 44)


@pytest.mark.django_db
def test_a_new_table_reweighs_every_action_once_and_keeps_overrides(small):
    staff = make_user("points-staff", is_superuser=True)
    response = client_for(staff).post(
        POINTS_URL,
        {
            "preventive_mandatory": 10,
            "preventive_discretionary": 9,
            "detective_mandatory": 3,
            "detective_discretionary": 2,
            "corrective_mandatory": 4,
            "corrective_discretionary": 1,
        },
    )
    assert response.status_code == 302
    assert ActionPoints.table()[PM] == 10
    # a: 10, b: 2, c: still its own 5, d: 9 (unchanged kind); provider 2.
    assert {key: small.item(key).points for key in "abcd"} == {"a": 10, "b": 2, "c": 5, "d": 9}
    assert ImprovementAction.objects.get(pk=small.actions["a"].pk).points == 10
    summary = summarize_assessment(small.assessment)
    assert figures(summary.score) == (10 + 9 + 2, 10 + 2 + 5 + 9 + 2)
    # Idempotent: a second run finds nothing to change.
    again = recompute_points()
    assert (again.actions, again.action_items) == (0, 0)


@pytest.mark.django_db
def test_an_actions_new_kind_or_override_reaches_its_items(small):
    action = small.actions["b"]
    action.action_type, action.enforcement = DM
    action.save()
    assert (small.item("b").points, small.item("b").action_type) == (3, "detective")
    action.points_override = 12
    action.save(update_fields=["points_override"])
    assert ImprovementAction.objects.get(pk=action.pk).points == 12
    assert (small.item("b").points, small.item("b").points_override) == (12, 12)
    action.points_override = None
    action.save()
    assert small.item("b").points == 3


@pytest.mark.django_db
def test_only_staff_edit_the_points_table(small):
    values = {"_".join(kind): 5 for kind in (PM, PD, DM, DD, CM, CD)}
    for who in ("reader", "contributor", "administrator"):
        client = client_for(small.users[who])
        assert client.get(POINTS_URL).status_code == 403
        response = client.post(POINTS_URL, values)
        assert response.status_code == 403 and "staff" in response.content.decode()
    assert client_for(make_user("points-personal")).post(POINTS_URL, values).status_code == 403
    assert client_for(None).post(POINTS_URL, values).status_code == 302
    assert ActionPoints.table()[PM] == 27 and small.item("a").points == 27

    editors = Group.objects.create(name="Points editors")
    editors.permissions.add(Permission.objects.get(codename="change_actionpoints"))
    editor = make_user("points-editor", groups=["Points editors"])
    client = client_for(editor)
    page = client.get(POINTS_URL)
    assert (
        page.status_code == 200
        and 'name="preventive_mandatory" value="27"' in page.content.decode()
    )
    for bad in ("-1", "abc", "1000000", ""):
        response = client.post(POINTS_URL, {**values, "detective_mandatory": bad})
        assert response.status_code == 400, bad
    assert ActionPoints.table()[PM] == 27
    assert client.post(POINTS_URL, values).status_code == 302
    assert set(ActionPoints.table().values()) == {5}
    assert small.item("a").points == 5 and small.item("c").points == 5  # c: its own 5
    # The portal's administrators (any organization) have the table under More › Admin.
    portal_admin = make_user("points-portal-admin")
    portal_admin.user_permissions.add(
        Permission.objects.get(codename="administer_any_organization")
    )
    assert client_for(portal_admin).get(POINTS_URL).status_code == 200


@pytest.mark.django_db
def test_pages_show_kinds_points_and_the_breakdown(small):
    client = client_for(small.users["reader"])
    dashboard = client.get(f"/en/compliance/assessments/{small.assessment.pk}/").content.decode()
    assert "38 of 44 points" in dashboard
    for row in ("Family One</th><td>27/33", "Family Two</th><td>11/11"):
        assert row in dashboard.replace("\n", ""), row
    kinds = dashboard[dashboard.index('id="kind-heading"') :]
    for label, each, figures_ in (
        ("Preventive · Mandatory", 27, "27/27"),
        ("Preventive · Discretionary", 9, "9/9"),
        ("Detective · Discretionary", 1, "0/1"),
        ("Corrective · Mandatory", 3, "0/5"),
        ("Provider-managed controls", "—", "2/2"),
        ("Total", "", "38/44"),
    ):
        assert f"{label}</th><td>{each}</td><td>{figures_}</td>" in kinds, label
    page = client.get(f"/en/compliance/actions/{small.item('c').pk}/").content.decode()
    assert "Corrective · Mandatory" in page and "5 points" in page
    assert "set for this action" in page
    page = client.get(f"/en/compliance/actions/{small.item('a').pk}/").content.decode()
    assert "Preventive · Mandatory" in page and "27 points" in page
    assert "set for this action" not in page
    api = client.get(f"/api/v3/compliance/action-items/{small.item('c').pk}/").json()
    assert (api["action_type"], api["enforcement"], api["points"]) == ("corrective", "mandatory", 5)


@pytest.mark.django_db
def test_imported_actions_are_preventive_and_mandatory():
    actions = ImprovementAction.objects.filter(control__template=low_template())
    assert actions.exists()
    assert set(actions.values_list("action_type", "enforcement", "points")) == {
        ("preventive", "mandatory", 27)
    }


@pytest.mark.django_db
def test_the_migration_keeps_points_staff_had_set(small):
    """Before kinds, every action and provider control was worth 1 unless staff typed another
    number: those numbers become overrides (for the action and its items); the rest take the
    default kind's points."""
    migration = importlib.import_module("plugins.compliance_manager.migrations.0005_action_kinds")
    before_kinds = {"action_type": "preventive", "enforcement": "mandatory"}
    ImprovementAction.objects.update(points_override=None, points=1, **before_kinds)
    ImprovementAction.objects.filter(pk=small.actions["c"].pk).update(points=4)
    ActionItem.objects.update(points_override=None, points=1, **before_kinds)
    ActionItem.objects.filter(pk=small.item("c").pk).update(points=4)
    ActionPoints.objects.all().delete()
    provider = Control.objects.get(template=small.template, oscal_id="c-4")
    Control.objects.filter(pk=provider.pk).update(provider_points=1)
    migration.weigh_existing_actions(apps, None)
    # A provider's control left at the former default weighs as a default action; c-3's 0,
    # set by hand, stays.
    points = dict(small.template.controls.values_list("oscal_id", "provider_points"))
    assert (points["c-4"], points["c-3"]) == (27, 0)
    assert ActionPoints.table()[DM] == 3 and ActionPoints.objects.count() == 6
    assert ImprovementAction.objects.get(pk=small.actions["c"].pk).points_override == 4
    assert {key: small.item(key).points for key in "abcd"} == {"a": 27, "b": 27, "c": 4, "d": 27}
    assert small.item("c").points_override == 4
