"""Every refused download, and every refused request for a download link, is in the audit log
with its reason, who asked (or that nobody was signed in) and from where; repeats of the same
refusal are aggregated (1, 2, 4, 8… attempts per window), never dropped."""

import pytest
from django.test import Client

from cms.audit import AuditEntry, verify
from cms.delivery.links import signed_download_url
from cms.models import StarterPackPage, VersionFile
from tests import factories
from tests.helpers import bearer, expired_download_link

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.77"


def browser(user=None) -> Client:
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT="RefusalTest")
    if user is not None:
        client.force_login(user)
    return client


def refusals(**detail) -> list[AuditEntry]:
    """The ``download_denied`` entries written so far, oldest first, whose detail has these."""
    entries = AuditEntry.objects.filter(action="download_denied").order_by("sequence")
    return [e for e in entries if all(e.detail.get(k) == v for k, v in detail.items())]


def the_refusal(**detail) -> AuditEntry:
    found = refusals(**detail)
    assert len(found) == 1, [e.detail for e in refusals()]
    return found[0]


def test_a_refused_download_link_request_is_audited(users):
    version = factories.document("nda").versions.get()
    url = f"/api/v3/trust-documents/versions/{version.pk}/download-link/"
    response = browser().post(url, **bearer(users["member"]))
    assert response.status_code == 403
    entry = the_refusal(reason="nda", step="link")
    assert (entry.outcome, entry.username, entry.ip) == ("denied", "t-member", ADDRESS)
    assert (entry.version_id, entry.document_id) == (version.pk, version.document_id)
    assert browser().post(url).status_code == 403  # anonymous: must sign in first
    assert the_refusal(reason="sign_in", step="link").username == ""


def test_a_link_request_for_a_missing_version_is_audited():
    response = browser().post("/api/v3/trust-documents/versions/999999/download-link/")
    assert response.status_code == 404
    entry = the_refusal(reason="not_found", step="link")
    assert (entry.username, entry.ip, entry.version_id) == ("", ADDRESS, None)


def test_a_link_replayed_by_another_user_is_audited(users):
    version = factories.document("signed_in").versions.get()
    url = signed_download_url(version.pk, "en", users["member"])
    assert browser(users["personal"]).get(url).status_code == 403
    entry = the_refusal(reason="link_other_user")
    assert (entry.username, entry.ip, entry.version_id) == ("t-personal", ADDRESS, version.pk)
    assert entry.detail["link_user_id"] == users["member"].pk
    # Opened without signing in: sent to sign in, and the log says whose link it was.
    assert browser().get(url).status_code == 302
    anonymous = the_refusal(reason="sign_in", link_user_id=users["member"].pk)
    assert (anonymous.username, anonymous.ip) == ("", ADDRESS)


def test_an_expired_link_is_audited_with_what_it_was_for(settings, monkeypatch):
    settings.TRUSTPORTAL_DOWNLOAD_LINK_MINUTES = 15
    version = factories.document("public").versions.get()
    url = expired_download_link(version, monkeypatch, minutes_ago=16)
    assert browser().get(url).status_code == 410
    entry = the_refusal(reason="link_expired")
    assert (entry.username, entry.ip, entry.version_id) == ("", ADDRESS, version.pk)


@pytest.mark.parametrize("tamper", ["signature", "garbage"])
def test_a_bad_signature_is_audited(users, tamper):
    version = factories.document("public").versions.get()
    url = signed_download_url(version.pk, "en", users["member"])
    token = url.rstrip("/").rsplit("/", 1)[1]
    if tamper == "signature":
        url = url.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    else:
        url = "/en/download/not-a-token/"
    assert browser(users["member"]).get(url).status_code == 404
    entry = the_refusal(reason="bad_signature")
    assert (entry.username, entry.ip, entry.version_id) == ("t-member", ADDRESS, None)


def test_a_policy_refusal_and_a_version_without_a_file_are_audited(users):
    nda = factories.document("nda").versions.get()
    url = signed_download_url(nda.pk, "en", users["member"])
    assert browser(users["member"]).get(url).status_code == 403
    assert the_refusal(reason="nda").version_id == nda.pk
    empty = factories.document("public").versions.get()
    VersionFile.objects.filter(version=empty).delete()
    assert browser().get(signed_download_url(empty.pk, "en", None)).status_code == 404
    assert the_refusal(reason="no_file").version_id == empty.pk


def test_rate_limited_downloads_are_audited(users, settings):
    settings.TRUSTPORTAL_RATE_LIMITS = {"download": (1, 3600)}
    version = factories.document("public").versions.get()
    client = browser(users["member"])
    url = signed_download_url(version.pk, "en", users["member"])
    assert [client.get(url).status_code for _ in range(3)] == [200, 429, 429]
    entries = refusals(reason="rate_limited")
    assert [e.detail["attempts"] for e in entries] == [1, 2]
    assert all(e.username == "t-member" and e.ip == ADDRESS for e in entries)


def test_a_flood_of_one_refusal_is_aggregated_not_dropped(users):
    version = factories.document("signed_in").versions.get()
    url = signed_download_url(version.pk, "en", users["member"])
    thief = browser(users["personal"])
    for _ in range(9):
        assert thief.get(url).status_code == 403
    # Written at the 1st, 2nd, 4th and 8th attempt, each saying how many so far.
    entries = refusals(reason="link_other_user")
    assert [e.detail["attempts"] for e in entries] == [1, 2, 4, 8]
    assert len({e.detail["window"] for e in entries}) == 1
    # Another refusal (another reason, user or document) is counted on its own.
    browser(users["other_org"]).get(url)
    assert refusals(reason="link_other_user")[-1].username == "t-other"
    assert verify().ok


def test_refusals_are_audited_one_by_one_when_the_cache_cannot_count(users, monkeypatch):
    def unavailable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr("django.core.cache.cache.add", unavailable)
    version = factories.document("signed_in").versions.get()
    url = signed_download_url(version.pk, "en", users["member"])
    thief = browser(users["personal"])
    for _ in range(3):
        assert thief.get(url).status_code == 403
    entries = refusals(reason="link_other_user")
    assert len(entries) == 3 and all("attempts" not in e.detail for e in entries)


def test_files_left_out_of_a_starter_pack_archive_are_audited():
    pack = StarterPackPage.objects.get(slug="evaluation-starter-pack", locale__language_code="en")
    response = browser().get(f"/en/starter-packs/{pack.pk}/archive/")
    assert response.status_code == 200  # the archive is built (and audited) before it is sent
    entry = the_refusal(reason="sign_in", step="archive")
    assert (entry.document_title, entry.ip) == ("Financial services compliance FAQ", ADDRESS)
    assert entry.detail["archive"] == "evaluation-starter-pack"
