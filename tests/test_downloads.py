"""Download links: signed, expiring, bound to their user; the policy is asked again on use."""

import pytest
from django.test import Client
from django.utils.translation import override

from cms.delivery.links import signed_download_url
from cms.models import Membership
from tests import factories
from tests.helpers import client_for, expired_download_link


@pytest.mark.django_db
def test_a_link_works_only_for_the_user_it_was_issued_to(users):
    version = factories.document("signed_in").versions.get()
    # Issued from an English page (``reverse`` follows the active language, which an earlier
    # request in this process may have left as another).
    with override("en"):
        url = signed_download_url(version.pk, "en", users["member"])
    assert client_for(users["member"]).get(url).status_code == 200
    stolen = client_for(users["personal"]).get(url)
    assert stolen.status_code == 403 and "issued to someone else" in stolen.content.decode()
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


@pytest.mark.django_db
def test_an_expired_link_is_refused_with_a_clear_page(users, settings, monkeypatch):
    settings.TRUSTPORTAL_DOWNLOAD_LINK_MINUTES = 15
    version = factories.document("public").versions.get()
    url = expired_download_link(version, monkeypatch, minutes_ago=16)
    response = Client().get(url)
    assert response.status_code == 410 and "expired" in response.content.decode()


@pytest.mark.django_db
def test_a_tampered_link_is_not_found(users):
    version = factories.document("public").versions.get()
    url = signed_download_url(version.pk, "en", None)
    token = url.rstrip("/").rsplit("/", 1)[1]
    forged = url.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert Client().get(forged).status_code == 404
    assert Client().get("/en/download/not-a-token/").status_code == 404


@pytest.mark.django_db
def test_the_policy_is_asked_again_when_the_link_is_used(users):
    member = users["member"]
    doc = factories.document("restricted", organizations=[users["customer_org"]])
    url = signed_download_url(doc.versions.get().pk, "en", member)
    assert client_for(member).get(url).status_code == 200
    Membership.objects.filter(user=member).delete()
    # Hidden restricted document, no longer entitled: it does not exist for them.
    assert client_for(type(member).objects.get(pk=member.pk)).get(url).status_code == 404


@pytest.mark.django_db
def test_files_are_served_as_safe_attachments(users):
    from cms.models import VersionFile

    version = factories.document("nda").versions.get()
    VersionFile.objects.filter(version=version).update(original_filename="Prüfbericht «2026».pdf")
    response = client_for(users["member_nda"]).get(
        signed_download_url(version.pk, "en", users["member_nda"])
    )
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert (
        disposition.startswith("attachment;") and "filename*=utf-8''Pr%C3%BCfbericht" in disposition
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_files_have_no_public_url(settings):
    from cms.models import VersionFile

    version_file = VersionFile.objects.filter(version__document__slug="soc-3").first()
    with pytest.raises(ValueError):
        version_file.file.url  # noqa: B018  (the storage has no base URL)
    stored = version_file.file.name
    for url in (f"/media/{stored}", f"/{stored}", f"/protected/{stored}", f"/en/{stored}"):
        assert Client().get(url).status_code == 404, url


@pytest.mark.django_db
def test_the_admin_names_a_stored_file_without_linking_to_it(demo_users):
    from cms.models import DocumentVersion

    # The source version: a translated one is edited in wagtail-localize's translation editor,
    # which names no file.
    version = DocumentVersion.objects.filter(
        document__slug="soc-3", locale__language_code="en"
    ).first()
    stored = version.files.first().file.name
    response = client_for(demo_users["admin"]).get(
        f"/admin/snippets/cms/documentversion/edit/{version.pk}/"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Current file:" in html and f'href="/media/{stored}"' not in html


@pytest.mark.django_db
def test_downloads_and_sign_ins_are_rate_limited(users, settings):
    from django.core.cache import cache

    cache.clear()
    settings.TRUSTPORTAL_RATE_LIMITS = {"download": (2, 3600), "sign_in": (3, 900)}
    version = factories.document("public").versions.get()
    client = client_for(users["member"])
    url = signed_download_url(version.pk, "en", users["member"])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    limited = client.get(url)
    assert limited.status_code == 429 and limited["Retry-After"] == "3600"
    assert "Too many attempts" in limited.content.decode()

    guesser = Client()
    codes = [
        guesser.post(
            "/en/accounts/login/", {"username": "t-member", "password": f"wrong-{n}"}
        ).status_code
        for n in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    # The right password does not get through either while the limit holds.
    assert (
        guesser.post(
            "/en/accounts/login/", {"username": "t-member", "password": "pw-t-member"}
        ).status_code
        == 429
    )
    cache.clear()
