"""Access requests for listed restricted documents: ask, decide, expire, revoke."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from cms.access import policy
from cms.models import AccessRequest
from tests import factories
from tests.helpers import client_for


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def decide(admin_client, access_request, status, expires_at=""):
    return admin_client.post(
        f"/admin/snippets/cms/accessrequest/edit/{access_request.pk}/",
        {"status": status, "expires_at": expires_at, "decision_note": "Per contract 7"},
    )


@pytest.fixture
def listed(users):
    return factories.document("restricted", listed=True, organizations=[users["other_org_obj"]])


@pytest.mark.django_db
def test_request_approve_then_revoke(users, demo_users, listed):
    requester = users["member"]
    requester.email = "member@customer.test"
    requester.save()
    version = listed.versions.get()
    client = client_for(requester)
    page = client.get(listed.get_url()).content.decode()
    assert "Request access" in page and listed.summary not in page

    assert (
        client.post(f"/en/documents/{listed.slug}/request-access/", {"reason": ""}).status_code
        == 400
    )
    response = client.post(
        f"/en/documents/{listed.slug}/request-access/", {"reason": "Vendor review"}
    )
    assert response.status_code == 302
    access_request = AccessRequest.objects.get(user=requester, document=listed)
    assert access_request.status == "pending"
    assert "waiting for a decision" in client.get(response["Location"]).content.decode()
    assert not policy.can_download(fresh(requester), version)

    admin = client_for(demo_users["admin"])
    mail.outbox.clear()
    assert decide(admin, access_request, "approved").status_code == 302
    access_request.refresh_from_db()
    assert access_request.decided_by == demo_users["admin"] and access_request.decided_at
    assert policy.can_download(fresh(requester), version)
    assert [m.subject for m in mail.outbox] == [f"Access granted: {listed.title}"]
    assert "Per contract 7" in mail.outbox[0].body

    decide(admin, access_request, "revoked")
    assert not policy.can_download(fresh(requester), version)  # the very next request
    assert mail.outbox[-1].subject == f"Access revoked: {listed.title}"
    # Saving again without a change of status tells nobody anything new.
    before = len(mail.outbox)
    decide(admin, AccessRequest.objects.get(pk=access_request.pk), "revoked")
    assert len(mail.outbox) == before


@pytest.mark.django_db
def test_approval_with_an_expiry(users, listed):
    requester = users["member"]
    version = listed.versions.get()
    granted = AccessRequest.objects.create(
        user=requester,
        document=listed,
        reason="x",
        status="approved",
        expires_at=timezone.now() + timedelta(seconds=2),
    )
    assert policy.can_download(fresh(requester), version)
    # The clock alone ends the grant: no write tells the cached entitlement profile.
    time.sleep(max(0.0, (granted.expires_at - timezone.now()).total_seconds()) + 0.1)
    assert not policy.can_download(fresh(requester), version)


@pytest.mark.django_db
def test_hidden_documents_cannot_be_requested(users):
    hidden = factories.document("restricted", organizations=[users["other_org_obj"]])
    client = client_for(users["member"])
    assert client.get(f"/en/documents/{hidden.slug}/request-access/").status_code == 404
    assert (
        client.post(f"/en/documents/{hidden.slug}/request-access/", {"reason": "x"}).status_code
        == 404
    )
    assert not AccessRequest.objects.exists()


@pytest.mark.django_db
def test_anonymous_visitors_sign_in_first(listed):
    response = Client().get(f"/en/documents/{listed.slug}/request-access/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
