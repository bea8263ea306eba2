"""More › Admin for Compliance Manager administrators, role settings, and the staff's control
editing in the Wagtail admin."""

from __future__ import annotations

import pytest
from django.test import Client

from plugins.compliance_manager.models import ComplianceRole
from plugins.compliance_manager.roles import role_of


@pytest.mark.django_db
def test_more_admin_holds_the_settings_for_administrators_only(cm):
    admin_html = cm.client("administrator").get("/en/").content.decode()
    assert "<summary>More</summary>" in admin_html
    for url in (
        "/en/compliance/settings/roles/",
        "/en/compliance/settings/automatic-updates/",
        "/en/compliance/settings/privacy/",
    ):
        assert f'href="{url}"' in admin_html
    for who in ("reader", "contributor", "assessor", "personal", "anonymous"):
        html = cm.client(who).get("/en/").content.decode()
        assert "/en/compliance/settings/" not in html, who
    assert 'href="/en/compliance/"' in cm.client("reader").get("/en/").content.decode()
    assert 'href="/en/compliance/"' not in cm.client("personal").get("/en/").content.decode()


@pytest.mark.django_db
def test_administrators_assign_roles_within_their_organization(cm):
    client = cm.client("administrator")
    reader = cm.users["reader"]
    response = client.post(
        "/en/compliance/settings/roles/", {"user": reader.pk, "role": "assessor"}
    )
    assert response.status_code == 302
    reader.refresh_from_db()
    assert role_of(reader) == "assessor"
    outsider = client.post(
        "/en/compliance/settings/roles/", {"user": cm.users["other_org"].pk, "role": "reader"}
    )
    assert outsider.status_code == 400
    assert not ComplianceRole.objects.filter(user=cm.users["other_org"]).exists()
    bad = client.post("/en/compliance/settings/roles/", {"user": reader.pk, "role": "owner"})
    assert bad.status_code == 400


@pytest.mark.django_db
def test_staff_attach_responsibility_provider_tests_and_actions_in_the_wagtail_admin(cm):
    control = cm.low.controls.get(oscal_id="ac-2")
    admin = Client()
    admin.force_login(cm.users["personal"].__class__.objects.get(username="admin"))
    url = f"/admin/snippets/compliance/control/edit/{control.pk}/"
    page = admin.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "improvement_actions-TOTAL_FORMS" in html and "implementation_description" in html
    listing = admin.get("/admin/snippets/compliance/control/")
    assert listing.status_code == 200
