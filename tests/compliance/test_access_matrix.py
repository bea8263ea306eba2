"""Every Compliance Manager surface × every kind of user.

Routes and API operations are enumerated from the URL configuration and the API schema, so a
new one fails ``test_every_surface_is_in_the_matrix`` until it is classified here. Another
organization's objects are a 404 (as if they did not exist), never a 403, and their titles
appear on no page or answer for anyone outside the organization.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.api.v3.urls import api

from plugins.compliance_manager.models import Evidence
from tests.helpers import reader_route_names, refetch

from .conftest import build_world, item_of

WHO = ("anonymous", "personal", "reader", "contributor", "assessor", "administrator", "other_org")
MEMBERS = {"reader", "contributor", "assessor", "administrator"}
ANON = {"anonymous": 302}  # sent to sign in
NOT_MEMBER = {"personal": 403}  # a personal account: Compliance Manager needs an organization


def expect(members: int, at_least: str = "reader", other_org: int = 404) -> dict:
    """Status per user: ``members`` for members with ``at_least`` the role, 403 below it."""
    order = ["reader", "contributor", "assessor", "administrator"]
    allowed = set(order[order.index(at_least) :])
    statuses = {**ANON, **NOT_MEMBER, "other_org": other_org}
    statuses.update({who: members if who in allowed else 403 for who in MEMBERS})
    return statuses


#: route name -> (method, path builder, body builder, expected status per user)
ROUTES = {
    "index": ("get", lambda w: "/en/compliance/", None, expect(200, other_org=200)),
    "assessment_create": (
        "get",
        lambda w: "/en/compliance/assessments/new/",
        None,
        expect(200, "contributor", other_org=200),
    ),
    "assessment": ("get", lambda w: f"/en/compliance/assessments/{w.a.pk}/", None, expect(200)),
    "control": (
        "get",
        lambda w: f"/en/compliance/assessments/{w.a.pk}/controls/{w.control.pk}/",
        None,
        expect(200),
    ),
    "export_oscal": (
        "get",
        lambda w: f"/en/compliance/assessments/{w.a.pk}/oscal.json",
        None,
        expect(200),
    ),
    "export_csv": (
        "get",
        lambda w: f"/en/compliance/assessments/{w.a.pk}/report.csv",
        None,
        expect(200),
    ),
    "export_pdf": (
        "get",
        lambda w: f"/en/compliance/assessments/{w.a.pk}/report.pdf",
        None,
        expect(200),
    ),
    "action_items": (
        "get",
        lambda w: f"/en/compliance/assessments/{w.a.pk}/action-items/",
        None,
        expect(200),
    ),
    "group": ("get", lambda w: f"/en/compliance/groups/{w.a.group_id}/", None, expect(200)),
    "action": ("get", lambda w: f"/en/compliance/actions/{w.item.pk}/", None, expect(200)),
    "evidence_upload": (
        "post",
        lambda w: f"/en/compliance/actions/{w.item.pk}/evidence/",
        lambda w: {"file": SimpleUploadedFile("n.txt", b"evidence")},
        expect(302, "contributor"),
    ),
    "bulk_assign": (
        "post",
        lambda w: "/en/compliance/actions/assign/",
        lambda w: {"items": [w.item.pk], "assignee": w.users["reader"].pk},
        expect(302, "contributor"),
    ),
    "evidence": ("get", lambda w: f"/en/compliance/evidence/{w.evidence.pk}/", None, expect(200)),
    "roles": (
        "get",
        lambda w: "/en/compliance/settings/roles/",
        None,
        expect(200, "administrator", other_org=200),
    ),
    "automatic_updates": (
        "get",
        lambda w: "/en/compliance/settings/automatic-updates/",
        None,
        expect(200, "administrator", other_org=200),
    ),
    "privacy": (
        "get",
        lambda w: "/en/compliance/settings/privacy/",
        None,
        expect(200, "administrator", other_org=200),
    ),
    # The points table weighs every organization's actions: the portal's staff edit it, no
    # organization's member (``test_weighted_points`` has the staff's side).
    "points_table": (
        "get",
        lambda w: "/en/compliance/settings/points/",
        None,
        {**ANON, **NOT_MEMBER, "other_org": 403, **{who: 403 for who in MEMBERS}},
    ),
}


def api_expect(members: int, at_least: str = "reader", other_org: int = 404) -> dict:
    statuses = expect(members, at_least, other_org)
    statuses.update(anonymous=401)
    return statuses


#: (method, schema path) -> (concrete path builder, body, expected status per user)
API = {
    ("get", "/api/v3/compliance/assessments/"): (
        lambda w: "/api/v3/compliance/assessments/",
        None,
        api_expect(200, other_org=200),
    ),
    ("get", "/api/v3/compliance/assessments/{assessment_id}/"): (
        lambda w: f"/api/v3/compliance/assessments/{w.a.pk}/",
        None,
        api_expect(200),
    ),
    ("get", "/api/v3/compliance/assessments/{assessment_id}/action-items/"): (
        lambda w: f"/api/v3/compliance/assessments/{w.a.pk}/action-items/",
        None,
        api_expect(200),
    ),
    ("get", "/api/v3/compliance/assessments/{assessment_id}/oscal/"): (
        lambda w: f"/api/v3/compliance/assessments/{w.a.pk}/oscal/",
        None,
        api_expect(200),
    ),
    ("get", "/api/v3/compliance/action-items/{item_id}/"): (
        lambda w: f"/api/v3/compliance/action-items/{w.item.pk}/",
        None,
        api_expect(200),
    ),
    ("patch", "/api/v3/compliance/action-items/{item_id}/"): (
        lambda w: f"/api/v3/compliance/action-items/{w.item.pk}/",
        {"implementation_status": "planned"},
        api_expect(200, "contributor"),
    ),
    # Not a user's operation: it answers only to the organization's signed token.
    ("post", "/api/v3/compliance/signals/"): (
        lambda w: "/api/v3/compliance/signals/",
        {"action_key": "ac-2/implement", "implementation_status": "planned", "source": "x"},
        {who: 401 for who in WHO},
    ),
}


@pytest.fixture(scope="module")
def module_cm(module_db, django_db_blocker):
    """The organization, its members and assessments, built once for this module (each test
    rolls back what it changes; see ``module_db``)."""
    with django_db_blocker.unblock():
        return build_world()


@pytest.fixture
def cm(module_cm, db):
    return dataclasses.replace(module_cm, users=refetch(module_cm.users))


class Targets:
    def __init__(self, cm):
        self.users = cm.users
        self.a = cm.assessment
        self.item = item_of(cm.assessment)
        self.control = cm.assessment.links.get(action_item=self.item).control
        self.evidence = Evidence.objects.create(
            action_item=self.item,
            file=SimpleUploadedFile("proof.txt", b"proof"),
            original_name="proof.txt",
            size=5,
            sha256="0" * 64,
            uploaded_by_label="x",
        )


def test_every_surface_is_in_the_matrix():
    routes = {
        name.split(":", 1)[1] for name in reader_route_names() if name.startswith("compliance:")
    }
    assert routes == set(ROUTES)
    operations = {
        (method, path)
        for path, methods in api.get_openapi_schema()["paths"].items()
        if path.startswith("/api/v3/compliance/")
        for method in methods
    }
    assert operations == set(API)


@pytest.mark.django_db
@pytest.mark.parametrize("who", WHO)
def test_reader_routes_follow_roles_and_organizations(cm, who):
    targets = Targets(cm)
    client = cm.client(who)
    for name, (method, path, body, statuses) in ROUTES.items():
        response = getattr(client, method)(path(targets), body(targets) if body else {})
        assert response.status_code == statuses[who], (name, who, response.status_code)
        if who not in MEMBERS and not getattr(response, "streaming", False):
            assert cm.assessment.title not in response.content.decode(errors="replace"), name


@pytest.mark.django_db
@pytest.mark.parametrize("who", WHO)
def test_api_operations_follow_roles_and_organizations(cm, who):
    targets = Targets(cm)
    client = cm.client(who)
    for (method, _schema_path), (path, body, statuses) in API.items():
        kwargs = {"content_type": "application/json"}
        data = json.dumps(body) if body else None
        response = (
            getattr(client, method)(path(targets), data, **kwargs)
            if data
            else getattr(client, method)(path(targets))
        )
        assert response.status_code == statuses[who], (path(targets), who, response.status_code)
        if who not in MEMBERS:
            assert cm.assessment.title not in response.content.decode(), path(targets)
