"""The NDA plugin: accepting the current version, re-acceptance after a new one, evidence."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from cms.access import policy
from plugins.nda.models import NdaAcceptance, NdaVersion, OfflineNdaAgreement
from tests import factories


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def accept(client, next_url="/en/"):
    page = client.get("/en/nda/accept/", {"next": next_url})
    sha = re.search(r'name="text_sha256" value="([0-9a-f]{64})"', page.content.decode()).group(1)
    return client.post(
        "/en/nda/accept/",
        {"accept": "yes", "text_sha256": sha, "next": next_url},
        HTTP_USER_AGENT="pytest-browser/1.0",
        REMOTE_ADDR="203.0.113.9",
    )


def fresh(user):
    """The same user as a new request would load it (nothing cached on the object)."""
    return type(user).objects.get(pk=user.pk)


@pytest.mark.django_db
def test_member_accepts_the_nda_and_then_downloads(users):
    member = users["member"]
    doc = factories.document("nda")
    version = doc.versions.get()
    assert policy.can_download(member, version).reason == "nda"
    client = signed_in(member)
    page = client.get(f"/en/documents/{doc.slug}/").content.decode()
    assert "/en/nda/accept/?next=/en/documents/" in page

    response = accept(client, next_url=f"/en/documents/{doc.slug}/")
    assert response.status_code == 302 and response["Location"] == f"/en/documents/{doc.slug}/"
    acceptance = NdaAcceptance.objects.get(user=member)
    current = NdaVersion.current()
    assert acceptance.nda_version == current
    assert acceptance.text_sha256 == hashlib.sha256(current.text.encode()).hexdigest()
    assert acceptance.organization == users["customer_org"]
    assert (acceptance.ip, acceptance.user_agent) == ("203.0.113.9", "pytest-browser/1.0")
    assert policy.can_download(fresh(member), version)
    assert "/download/" in client.get(f"/en/documents/{doc.slug}/").content.decode()


@pytest.mark.django_db
def test_a_new_nda_version_requires_re_acceptance_and_keeps_old_evidence(users):
    member = users["member"]
    version = factories.document("nda").versions.get()
    accept(signed_in(member))
    assert policy.can_download(fresh(member), version)
    old = NdaAcceptance.objects.get(user=member)

    new_nda = NdaVersion(
        locale=NdaVersion.current().locale,
        version_label="2027-01",
        text="New terms.",
        effective_at=timezone.now() - timedelta(minutes=1),
    )
    new_nda.save()
    new_nda.save_revision().publish()
    assert NdaVersion.current() == new_nda
    assert policy.can_download(fresh(member), version).reason == "nda"
    accept(signed_in(member))
    assert policy.can_download(fresh(member), version)
    assert NdaAcceptance.objects.filter(user=member).count() == 2
    assert NdaAcceptance.objects.get(pk=old.pk).nda_version != new_nda  # untouched


@pytest.mark.django_db
def test_a_future_nda_version_is_not_current_yet(users):
    current = NdaVersion.current()
    future = NdaVersion(
        locale=current.locale,
        version_label="later",
        text="x",
        effective_at=timezone.now() + timedelta(days=3),
    )
    future.save()
    future.save_revision().publish()
    assert NdaVersion.current() == current


@pytest.mark.django_db
def test_text_changed_while_reading_is_not_accepted(users):
    client = signed_in(users["member"])
    response = client.post("/en/nda/accept/", {"accept": "yes", "text_sha256": "0" * 64})
    assert response.status_code == 409
    assert not NdaAcceptance.objects.filter(user=users["member"]).exists()
    unticked = client.post("/en/nda/accept/", {"text_sha256": NdaVersion.current().text_sha256()})
    assert unticked.status_code == 400


@pytest.mark.django_db
def test_personal_accounts_cannot_accept_and_anonymous_must_sign_in(users):
    client = signed_in(users["personal"])
    assert "organization account" in client.get("/en/nda/accept/").content.decode()
    sha = NdaVersion.current().text_sha256()
    response = client.post("/en/nda/accept/", {"accept": "yes", "text_sha256": sha})
    assert response.status_code == 403
    assert not NdaAcceptance.objects.filter(user=users["personal"]).exists()
    anonymous = Client().get("/en/nda/accept/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


@pytest.mark.django_db
def test_next_only_redirects_within_the_site(users):
    response = accept(signed_in(users["member"]), next_url="https://evil.example/phish")
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.django_db
def test_acceptances_are_never_changed_or_deleted(users):
    accept(signed_in(users["member"]))
    acceptance = NdaAcceptance.objects.get(user=users["member"])
    acceptance.text_sha256 = "f" * 64
    with pytest.raises(PermissionDenied):
        acceptance.save()
    with pytest.raises(PermissionDenied):
        acceptance.delete()


@pytest.mark.django_db
def test_offline_nda_covers_the_organization_until_it_lapses(users):
    member = users["member"]
    version = factories.document("nda").versions.get()
    agreement = OfflineNdaAgreement.objects.create(
        organization=users["customer_org"], note="MSA 42"
    )
    assert policy.can_download(fresh(member), version)
    agreement.valid_until = timezone.localdate() - timedelta(days=1)
    agreement.save()
    assert policy.can_download(fresh(member), version).reason == "nda"


@pytest.mark.django_db
def test_staff_export_acceptances_as_csv(users, demo_users):
    accept(signed_in(users["member"]))
    admin = signed_in(demo_users["admin"])
    response = admin.get("/admin/snippets/nda/ndaacceptance/", {"export": "csv"})
    assert response.status_code == 200
    body = (
        b"".join(response.streaming_content).decode()
        if response.streaming
        else response.content.decode()
    )
    assert "t-member" in body and NdaVersion.current().text_sha256() in body
    # Evidence cannot be edited through the admin, not even by a superuser.
    acceptance = NdaAcceptance.objects.get(user=users["member"])
    assert admin.get(f"/admin/snippets/nda/ndaacceptance/edit/{acceptance.pk}/").status_code in {
        302,
        403,
    }
    assert admin.get("/admin/snippets/nda/ndaacceptance/add/").status_code in {302, 403}
