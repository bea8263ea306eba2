"""The NDA plugin's API: the version in effect, and accepting it with the site's evidence."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from wagtail.models import APIToken, Locale

from cms.access import policy
from cms.audit.models import AuditEntry
from plugins.nda.models import NdaAcceptance, NdaVersion

URL = "/api/v3/nda/"
ACCEPT = "/api/v3/nda/accept/"


def bearer(user) -> dict:
    _token, plaintext = APIToken.create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def post(client, body, path=ACCEPT, **extra):
    return client.post(path, json.dumps(body), content_type="application/json", **extra)


def fresh(user):
    return type(user).objects.get(pk=user.pk)


@pytest.mark.django_db
def test_anyone_reads_the_nda_in_effect():
    current = NdaVersion.current()
    data = Client().get(URL).json()
    assert data["id"] == current.pk and data["label"] == current.version_label
    assert data["text"] == current.text and data["language"] == "en"
    assert data["sha256"] == hashlib.sha256(current.text.encode()).hexdigest()
    assert (data["accepted"], data["accepted_at"], data["signed_by_organization"]) == (
        False,
        None,
        False,
    )


@pytest.mark.django_db
def test_a_member_accepts_with_a_token_and_the_evidence_is_the_sites(users):
    member = users["member"]
    headers = bearer(member)
    nda = Client().get(URL, **headers).json()
    assert nda["accepted"] is False
    response = post(
        Client(),
        {"version_id": nda["id"], "text_sha256": nda["sha256"]},
        HTTP_USER_AGENT="grc-tool/2.0",
        REMOTE_ADDR="203.0.113.7",
        **headers,
    )
    assert response.status_code == 201, response.content
    acceptance = NdaAcceptance.objects.get(user=member)
    assert response.json() == {
        "version_id": nda["id"],
        "label": nda["label"],
        "language": "en",
        "text_sha256": nda["sha256"],
        "accepted_at": response.json()["accepted_at"],
    }
    assert (acceptance.nda_version_id, acceptance.text_sha256) == (nda["id"], nda["sha256"])
    assert (acceptance.organization, acceptance.organization_name) == (
        users["customer_org"],
        "Test Customer",
    )
    assert (acceptance.ip, acceptance.user_agent) == ("203.0.113.7", "grc-tool/2.0")
    entry = AuditEntry.objects.filter(action="nda_accepted", user=member).get()
    assert entry.detail == {"text_sha256": nda["sha256"], "language": "en"}
    assert entry.nda_version == nda["label"] and entry.ip == "203.0.113.7"
    assert policy.nda_satisfied(fresh(member))

    # Accepting again changes nothing and answers with the acceptance on record.
    again = post(Client(), {"version_id": nda["id"], "text_sha256": nda["sha256"]}, **headers)
    assert again.status_code == 200 and again.json() == response.json()
    assert NdaAcceptance.objects.filter(user=member).count() == 1
    after = Client().get(URL, **headers).json()
    assert after["accepted"] is True and after["accepted_at"] == response.json()["accepted_at"]


@pytest.mark.django_db
def test_a_stale_version_or_text_is_a_conflict(users):
    headers = bearer(users["member"])
    read = Client().get(URL).json()
    newer = NdaVersion(
        locale=Locale.get_default(),
        version_label="2099-01",
        text="New terms.",
        effective_at=timezone.now() - timedelta(seconds=1),
    )
    newer.save()
    newer.save_revision().publish()
    stale = post(Client(), {"version_id": read["id"], "text_sha256": read["sha256"]}, **headers)
    assert stale.status_code == 409
    assert f"read version 2099-01 (id {newer.pk})" in stale.json()["detail"]
    changed = post(Client(), {"version_id": newer.pk, "text_sha256": read["sha256"]}, **headers)
    assert changed.status_code == 409 and "it changed since it was read" in changed.json()["detail"]
    assert not NdaAcceptance.objects.filter(user=users["member"]).exists()


@pytest.mark.django_db
def test_the_text_is_accepted_in_the_language_it_was_read_in(users):
    current = NdaVersion.current()
    # The demo ships a German text; this test gives it one of its own (created if absent).
    de = Locale.objects.get(language_code="de")
    german = current.get_translation_or_none(de) or current.copy_for_translation(de)
    german.text = "Deutsche Fassung der Vereinbarung."
    german.save()
    german.save_revision().publish()
    headers = bearer(users["member"])
    read = Client().get(URL, {"locale": "de"}).json()
    assert (read["id"], read["language"], read["text"]) == (current.pk, "de", german.text)
    body = {"version_id": read["id"], "text_sha256": read["sha256"]}
    # Read in German, sent without saying so: not the English text.
    assert post(Client(), body, **headers).status_code == 409
    accepted = post(Client(), body, path=f"{ACCEPT}?locale=de", **headers)
    assert accepted.status_code == 201 and accepted.json()["language"] == "de"
    assert NdaAcceptance.objects.get(user=users["member"]).text_sha256 == german.text_sha256()


@pytest.mark.django_db
def test_only_signed_in_members_of_an_organization_accept(users):
    nda = Client().get(URL).json()
    body = {"version_id": nda["id"], "text_sha256": nda["sha256"]}
    # Anonymous, with or without CSRF enforcement, and with a token nobody issued: 401.
    for client, extra in (
        (Client(), {}),
        (Client(enforce_csrf_checks=True), {}),
        (Client(), {"HTTP_AUTHORIZATION": "Bearer not-a-token"}),
    ):
        response = post(client, body, **extra)
        assert response.status_code == 401, response.content
    personal = post(Client(), body, **bearer(users["personal"]))
    assert personal.status_code == 403 and "organization" in personal.json()["detail"]
    assert not NdaAcceptance.objects.filter(user=users["personal"]).exists()
    # Malformed bodies are validation errors, not server errors.
    for bad in ({}, {"version_id": nda["id"], "text_sha256": "not-a-hash"}, {"version_id": "x"}):
        assert post(Client(), bad, **bearer(users["member"])).status_code == 422, bad
    assert Client().get(ACCEPT).status_code == 405


@pytest.mark.django_db
def test_a_browser_session_needs_the_csrf_token_and_a_token_does_not(users):
    nda = Client().get(URL).json()
    body = {"version_id": nda["id"], "text_sha256": nda["sha256"]}
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["member"])
    refused = post(browser, body)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not NdaAcceptance.objects.filter(user=users["member"]).exists()
    secret = "k" * 32
    browser.cookies[settings.CSRF_COOKIE_NAME] = secret
    assert post(browser, body, HTTP_X_CSRFTOKEN=secret).status_code == 201
    # A bearer token is no ambient credential: no CSRF token needed (the view answers that
    # this member accepted the NDA already).
    script = Client(enforce_csrf_checks=True)
    assert post(script, body, **bearer(users["member_nda"])).status_code == 200


@pytest.mark.django_db
def test_unknown_parameters_and_no_nda_in_effect(users):
    assert Client().get(URL, {"lang": "de"}).status_code == 400
    NdaVersion.objects.update(effective_at=timezone.now() + timedelta(days=1))
    response = Client().get(URL)
    assert response.status_code == 404 and "No NDA is in effect" in response.json()["detail"]
    nothing = post(Client(), {"version_id": 1, "text_sha256": "0" * 64}, **bearer(users["member"]))
    assert nothing.status_code == 404
