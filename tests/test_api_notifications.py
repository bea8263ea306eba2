"""The notifications plugin's API: notification settings, the update feed's secret address and
an organization's webhooks, with the site's forms, checks, permissions and confirmation e-mail;
reached with a personal API token or a browser session (CSRF token included)."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from django.test import Client

from cms.models import Membership
from plugins.notifications.models import NotificationSettings, WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.helpers import bearer, client_for, make_user
from tests.html_forms import form_with_button
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db

SETTINGS = "/api/v3/notifications/settings/"
ROTATE = "/api/v3/notifications/settings/feed-secret/"
WEBHOOKS = "/api/v3/notifications/webhooks/"
TOKEN = re.compile(r"wagtail_[0-9A-Za-z]{20,}")
FEED_PATH = re.compile(r"http://testserver(/en/notifications/feed/[^\"]+\.json)")
HOSTILE_URLS = [
    "http://tools.customer.test/hook",
    "ftp://tools.customer.test/hook",
    "javascript:alert(1)",
    "https://127.0.0.1/hook",
    "https://10.1.2.3/hook",
    "https://192.168.0.1:8443/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://localhost/hook",
    "https://admin.localhost/hook",
    "https://2130706433/hook",
    "not a url",
]


def personal_token(user) -> dict:
    """Headers with a personal API token ``user`` made on the site's API tokens page."""
    client = client_for(user)
    page = "/en/accounts/api-tokens/"
    form = form_with_button(client.get(page).content.decode(), "Make token")
    data = {**form.data("Make token"), "name": "GRC tool", "lifetime": "30"}
    [plaintext] = TOKEN.findall(client.post(page, data).content.decode())
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def send(method: str, path: str, body=None, client=None, **headers):
    client = client or Client()
    call = getattr(client, method)
    if body is None:
        return call(path, **headers)
    return call(path, json.dumps(body), content_type="application/json", **headers)


def problem(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    return response.json()["detail"]


def make_admin(user) -> None:
    Membership.objects.filter(user=user).update(role=Membership.Role.ADMIN)


# --- notification settings ------------------------------------------------------------------


def test_signed_in_callers_only(users):
    before = NotificationSettings.objects.count(), WebhookEndpoint.objects.count()
    assert problem(send("get", SETTINGS), 401)
    assert problem(send("patch", SETTINGS, {"frequency": "daily"}), 401)
    assert problem(send("post", ROTATE), 401)
    assert problem(send("get", WEBHOOKS), 401)
    assert problem(send("post", WEBHOOKS, {"url": "https://hooks.example/x"}), 401)
    # Nothing made (other modules may have committed rows of their own on a shared database).
    assert (NotificationSettings.objects.count(), WebhookEndpoint.objects.count()) == before


def test_a_personal_token_reads_and_changes_the_settings_the_page_shows(users):
    member = users["member"]
    headers = personal_token(member)
    read = send("get", SETTINGS, **headers)
    assert read.status_code == 200
    data = read.json()
    preferences = NotificationSettings.objects.get(user=member)
    assert data == {
        "enabled": False,
        "frequency": "immediately",
        "email": None,
        "pending_email": None,
        "active": False,
        "subprocessor_changes": False,
        "language": "en",
        "feed_url": f"http://testserver/en/notifications/feed/{preferences.feed_token}.json",
    }
    # The settings page shows the same feed address.
    page = client_for(member).get("/en/notifications/").content.decode()
    assert data["feed_url"] in page

    changed = send("patch", SETTINGS, {"language": "de"}, **headers)
    assert changed.status_code == 200, changed.content
    assert changed.json() == {**data, "language": "de"}
    preferences.refresh_from_db()
    assert (preferences.language, preferences.enabled) == ("de", False)
    # Sent again, nothing changes: PATCH is idempotent.
    assert send("patch", SETTINGS, {"language": "de"}, **headers).json() == changed.json()
    # As on the page, how often means something only while e-mail is on: not silently ignored.
    off = send("patch", SETTINGS, {"frequency": "weekly"}, **headers)
    assert "only be changed while e-mail is enabled" in problem(off, 400)
    preferences.refresh_from_db()
    assert preferences.frequency == "immediately"


def test_a_new_address_is_confirmed_by_the_sites_e_mailed_link(users):
    member = users["member"]
    headers = personal_token(member)
    body = {"enabled": True, "frequency": "daily", "email": "Alice@Customer.test"}
    response = send("patch", SETTINGS, body, **headers)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["email"], data["pending_email"], data["active"]) == (
        None,
        "alice@customer.test",
        False,
    )
    (confirmation,) = mail.outbox
    assert confirmation.to == ["alice@customer.test"]
    link = re.search(r"http://testserver(/en/notifications/confirm/\S+/)", confirmation.body)[1]

    # The same PATCH again mails nothing more.
    assert send("patch", SETTINGS, body, **headers).json() == data
    assert len(mail.outbox) == 1

    assert Client().post(link).status_code == 200
    confirmed = send("get", SETTINGS, **headers).json()
    assert (confirmed["email"], confirmed["pending_email"], confirmed["active"]) == (
        "alice@customer.test",
        None,
        True,
    )
    # Removing the address stops the e-mails; enabling needs one, as on the page.
    off = send("patch", SETTINGS, {"email": None, "enabled": False}, **headers).json()
    assert (off["email"], off["active"]) == (None, False)
    refused = send("patch", SETTINGS, {"enabled": True}, **headers)
    assert "email: Give the address to send notifications to." in problem(refused, 400)


def test_the_address_is_checked_by_the_sites_form(users):
    member_headers = personal_token(users["member"])
    outside = send("patch", SETTINGS, {"email": "me@gmail.test"}, **member_headers)
    assert "customer.test" in problem(outside, 400)
    malformed = send("patch", SETTINGS, {"email": "not-an-address"}, **member_headers)
    assert "email:" in problem(malformed, 400)
    # A personal account has no organization, so no address it could use (as on the site).
    personal = send(
        "patch", SETTINGS, {"email": "me@home.test"}, **personal_token(users["personal"])
    )
    assert "verified domain" in problem(personal, 400)
    assert send("get", SETTINGS, **bearer(users["personal"])).status_code == 200
    assert "frequency cannot be null" in problem(
        send("patch", SETTINGS, {"frequency": None}, **member_headers), 400
    )
    invalid = send("patch", SETTINGS, {"frequency": "hourly"}, **member_headers)
    assert invalid.status_code == 422
    assert mail.outbox == []
    assert NotificationSettings.objects.get(user=users["member"]).pending_email == ""


def test_confirmation_mails_are_rate_limited_as_on_the_site(users, settings):
    settings.TRUSTPORTAL_RATE_LIMITS = {"confirmation_mail": (2, 3600)}
    headers = bearer(users["member"])
    answers = [
        send("patch", SETTINGS, {"email": f"n{i}@customer.test"}, **headers).status_code
        for i in range(3)
    ]
    assert answers == [200, 200, 429] and len(mail.outbox) == 2
    refused = send("patch", SETTINGS, {"email": "n9@customer.test"}, **headers)
    assert "Too many new addresses" in problem(refused, 429)
    assert refused["Retry-After"] == "3600"
    pending = NotificationSettings.objects.get(user=users["member"]).pending_email
    assert pending == "n1@customer.test"


def test_a_session_needs_the_csrf_token_to_write(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["member"])
    assert send("get", SETTINGS, client=client).status_code == 200
    assert problem(send("patch", SETTINGS, {"language": "fr"}, client=client), 403)
    client.get("/en/notifications/")  # sets the CSRF cookie, as the page would
    token = client.cookies["csrftoken"].value
    changed = send("patch", SETTINGS, {"language": "fr"}, client=client, HTTP_X_CSRFTOKEN=token)
    assert changed.status_code == 200 and changed.json()["language"] == "fr"


@pytest.mark.parametrize("who", ["member", "personal"])
def test_a_new_feed_secret_stops_the_old_feed_address(users, who):
    headers = personal_token(users[who])
    old = FEED_PATH.match(send("get", SETTINGS, **headers).json()["feed_url"])[1]
    assert Client().get(old).status_code == 200
    rotated = send("post", ROTATE, **headers)
    assert rotated.status_code == 200
    new = FEED_PATH.match(rotated.json()["feed_url"])[1]
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    assert send("get", SETTINGS, **headers).json()["feed_url"] == rotated.json()["feed_url"]


# --- webhooks --------------------------------------------------------------------------------


def test_only_organization_administrators_have_webhooks(users):
    for name in ("member", "personal"):
        headers = personal_token(users[name])
        assert "administrators" in problem(send("get", WEBHOOKS, **headers), 403)
        refused = send("post", WEBHOOKS, {"url": "https://hooks.example/x"}, **headers)
        assert problem(refused, 403)
    assert not WebhookEndpoint.objects.exists()


def test_an_administrator_registers_an_endpoint_and_sees_its_secret_once(users):
    admin = users["member"]
    make_admin(admin)
    headers = personal_token(admin)
    created = send("post", WEBHOOKS, {"url": "hooks.customer.test/in"}, **headers)
    assert created.status_code == 201, created.content
    endpoint = WebhookEndpoint.objects.get(organization=users["customer_org"])
    data = created.json()
    # A URL without a scheme means HTTPS, as in the page's form.
    assert endpoint.url == data["url"] == "https://hooks.customer.test/in"
    assert data["secret"] == endpoint.secret and len(endpoint.secret) == 64
    assert (data["id"], data["active"], data["created_by"]) == (endpoint.pk, True, "t-member")
    assert data["events"] == ["document.version_published", "document.updated"]

    # Sent again by the same caller (a retry): the same endpoint, as the page answers.
    retry = send("post", WEBHOOKS, {"url": "https://hooks.customer.test/in"}, **headers)
    assert retry.status_code == 200 and retry.json() == data
    assert WebhookEndpoint.objects.count() == 1

    # Never shown again.
    detail = send("get", f"{WEBHOOKS}{endpoint.pk}/", **headers)
    listing = send("get", WEBHOOKS, **headers)
    for answer in (detail, listing):
        assert answer.status_code == 200 and endpoint.secret not in answer.content.decode()
    assert detail.json() == {key: value for key, value in data.items() if key != "secret"}
    assert listing.json() == {"count": 1, "limit": 20, "offset": 0, "items": [detail.json()]}

    # Another administrator of the organization at the same URL: a conflict, no secret.
    colleague = make_user("t-colleague")
    Membership.objects.create(
        user=colleague, organization=users["customer_org"], role=Membership.Role.ADMIN
    )
    conflict = send("post", WEBHOOKS, {"url": endpoint.url}, **bearer(colleague))
    assert "already has an active endpoint" in problem(conflict, 409)
    assert endpoint.secret not in conflict.content.decode()


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_urls_are_refused_as_the_page_refuses_them(users, url):
    admin = users["member"]
    make_admin(admin)
    refused = send("post", WEBHOOKS, {"url": url}, **bearer(admin))
    assert problem(refused, 400).startswith("url: ")
    page = client_for(admin).post("/en/notifications/webhooks/", {"url": url})
    assert page.status_code == 400
    endpoint = WebhookEndpoint.objects.create(
        organization=users["customer_org"], url="https://hooks.example/x", created_by=admin
    )
    changed = send("patch", f"{WEBHOOKS}{endpoint.pk}/", {"url": url}, **bearer(admin))
    assert problem(changed, 400).startswith("url: ")
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example/x"
    assert WebhookEndpoint.objects.count() == 1


def test_another_organizations_endpoint_is_not_found(users):
    make_admin(users["member"])
    Membership.objects.filter(user=users["other_org"]).update(role=Membership.Role.ADMIN)
    theirs = WebhookEndpoint.objects.create(
        organization=users["other_org_obj"],
        url="https://hooks.other.test/",
        created_by=users["other_org"],
    )
    WebhookDelivery.objects.create(
        endpoint=theirs, event_id="theirs-1", document=factories.document("public")
    )
    headers = bearer(users["member"])
    path = f"{WEBHOOKS}{theirs.pk}/"
    for method, url, body in (
        ("get", path, None),
        ("patch", path, {"active": False}),
        ("delete", path, None),
        ("post", f"{path}test/", None),
        ("get", f"{path}deliveries/", None),
    ):
        assert problem(send(method, url, body, **headers), 404)
    assert send("get", WEBHOOKS, **headers).json()["count"] == 0
    theirs.refresh_from_db()
    assert theirs.active
    assert problem(send("get", f"{WEBHOOKS}999999/", **headers), 404)


def test_an_endpoint_is_switched_off_renamed_and_removed_idempotently(users):
    admin = users["member"]
    make_admin(admin)
    headers = bearer(admin)
    first = send("post", WEBHOOKS, {"url": "https://a.customer.test/"}, **headers).json()
    second = send("post", WEBHOOKS, {"url": "https://b.customer.test/"}, **headers).json()
    path = f"{WEBHOOKS}{first['id']}/"
    off = send("patch", path, {"active": False}, **headers)
    assert off.status_code == 200 and off.json()["active"] is False
    assert send("patch", path, {"active": False}, **headers).json() == off.json()
    # An inactive endpoint may share a URL; switching it on again may not.
    moved = send("patch", path, {"url": "https://b.customer.test/"}, **headers)
    assert moved.status_code == 200 and moved.json()["url"] == "https://b.customer.test/"
    assert "already has an active endpoint" in problem(
        send("patch", path, {"active": True}, **headers), 409
    )
    assert WebhookEndpoint.objects.get(pk=first["id"]).active is False
    assert problem(send("patch", path, {"active": None}, **headers), 400)
    # The secret stays what it was when the URL changes.
    assert WebhookEndpoint.objects.get(pk=first["id"]).secret == first["secret"]

    assert send("delete", path, **headers).status_code == 204
    assert problem(send("delete", path, **headers), 404)
    assert list(WebhookEndpoint.objects.values_list("pk", flat=True)) == [second["id"]]


def test_the_delivery_log_lists_the_endpoints_deliveries_newest_first(users):
    admin = users["member"]
    make_admin(admin)
    endpoint = WebhookEndpoint.objects.create(
        organization=users["customer_org"], url="https://hooks.example/x", created_by=admin
    )
    other = WebhookEndpoint.objects.create(
        organization=users["customer_org"], url="https://hooks.example/y", created_by=admin
    )
    document = factories.document("public")
    for number in range(3):
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_id=f"event-{number}",
            document=document,
            status="delivered",
            attempts=1,
            last_status_code=200,
            last_error="",
        )
    WebhookDelivery.objects.create(
        endpoint=other, event_id="elsewhere", document=document, last_error="Refused: 10.0.0.5"
    )
    answer = send("get", f"{WEBHOOKS}{endpoint.pk}/deliveries/?limit=2", **bearer(admin)).json()
    assert answer["count"] == 3 and answer["limit"] == 2
    assert [item["event_id"] for item in answer["items"]] == ["event-2", "event-1"]
    assert answer["items"][0]["status"] == "delivered"
    assert answer["items"][0]["last_status_code"] == 200
    rest = send("get", f"{WEBHOOKS}{endpoint.pk}/deliveries/?offset=2", **bearer(admin)).json()
    assert [item["event_id"] for item in rest["items"]] == ["event-0"]
    assert problem(send("get", f"{WEBHOOKS}{endpoint.pk}/deliveries/?page=2", **bearer(admin)), 400)
    # As on the page, the log tells no error text (a refusal names internal addresses).
    elsewhere = send("get", f"{WEBHOOKS}{other.pk}/deliveries/", **bearer(admin)).content
    assert b"10.0.0.5" not in elsewhere


def test_a_test_delivery_is_signed_and_goes_through_the_delivery_checks(users, settings):
    settings.TRUSTPORTAL_PLUGIN_SETTINGS = {"notifications": {"WEBHOOK_HTTP_HOSTS": ["127.0.0.1"]}}
    admin = users["member"]
    make_admin(admin)
    headers = bearer(admin)
    receiver = Receiver()
    try:
        created = send("post", WEBHOOKS, {"url": receiver.url}, **headers).json()
        receiver.secret = created["secret"]
        answer = send("post", f"{WEBHOOKS}{created['id']}/test/", **headers)
        assert answer.status_code == 200, answer.content
        result = answer.json()
        assert (result["delivered"], result["status_code"], result["error"]) == (True, 200, "")
        (event,) = receiver.accepted
        assert event == {"event": "ping", "event_id": result["event_id"], "endpoint": created["id"]}
        assert receiver.requests == [(result["event_id"], True)]
        # A wrong secret on the receiver's side is what the test shows.
        receiver.secret = "not-the-secret"
        failed = send("post", f"{WEBHOOKS}{created['id']}/test/", **headers).json()
        assert (failed["delivered"], failed["status_code"]) == (False, 401)
    finally:
        receiver.close()
    assert not WebhookDelivery.objects.exists()  # tests are not logged

    # A row stored before the checks (or a listed host taken off the list) is refused when
    # sending, without telling where the name resolves.
    settings.TRUSTPORTAL_PLUGIN_SETTINGS = {}
    refused = send("post", f"{WEBHOOKS}{created['id']}/test/", **headers).json()
    assert refused["delivered"] is False and refused["status_code"] is None
    assert refused["error"] == "Refused: the endpoint is not HTTPS at a public address."
