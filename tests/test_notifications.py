"""Notification settings and e-mails on the embedded default (jobs inline, Django's test
mailbox). The same code through real workers and SMTP: tests/test_notification_workers.py."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cms.events import run_handlers
from cms.models import Membership, Organization
from plugins.notifications.digests import send_digest
from plugins.notifications.models import (
    EmailDelivery,
    NotificationSettings,
    WebhookDelivery,
    WebhookEndpoint,
)
from plugins.notifications.periods import period_key
from plugins.notifications.sending import send_deliveries
from tests import factories
from tests.helpers import make_user
from tests.html_forms import submit
from tests.notification_helpers import subscribers
from workflows.models import OutboxEvent


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def update_mails():
    return [m for m in mail.outbox if "List-Unsubscribe" in m.extra_headers]


@pytest.mark.django_db
def test_the_address_must_be_in_the_organizations_domains_and_confirmed_by_link(users):
    client = signed_in(users["member"])
    assert client.get("/en/notifications/").status_code == 200
    choice = {"enabled": "on", "frequency": "weekly"}
    outside = client.post("/en/notifications/", {**choice, "email": "me@gmail.test"})
    assert outside.status_code == 400 and "customer.test" in outside.content.decode()

    response = client.post("/en/notifications/", {**choice, "email": "Alice@Customer.test"})
    assert response.status_code == 302
    preferences = NotificationSettings.objects.get(user=users["member"])
    assert preferences.email == "" and preferences.pending_email == "alice@customer.test"
    assert not preferences.active  # nothing is sent before the address is confirmed
    (confirmation,) = mail.outbox
    assert confirmation.to == ["alice@customer.test"]
    link = re.search(r"http://testserver(/en/notifications/confirm/\S+/)", confirmation.body)[1]

    anyone = Client()  # the link works from the mailbox, without a session
    assert "Confirm" in anyone.get(link).content.decode()
    preferences.refresh_from_db()
    assert preferences.email == ""  # opening the link (a mail scanner) confirms nothing
    assert anyone.post(link).status_code == 200
    preferences.refresh_from_db()
    assert preferences.email == "alice@customer.test" and preferences.active
    assert preferences.frequency == "weekly"
    assert Client().get("/en/notifications/confirm/forged-token/").status_code == 400


@pytest.mark.django_db
def test_confirmation_mails_are_rate_limited(users, settings):
    settings.TRUSTPORTAL_RATE_LIMITS = {"confirmation_mail": (2, 3600)}
    client = signed_in(users["member"])
    choice = {"enabled": "on", "frequency": "weekly"}
    answers = [
        client.post("/en/notifications/", {**choice, "email": f"n{i}@customer.test"}).status_code
        for i in range(3)
    ]
    assert answers == [302, 302, 429] and len(mail.outbox) == 2


@pytest.mark.django_db
def test_personal_accounts_have_no_organization_address(users):
    response = signed_in(users["personal"]).post(
        "/en/notifications/", {"enabled": "on", "frequency": "daily", "email": "me@home.test"}
    )
    assert response.status_code == 400
    assert "verified domain" in response.content.decode()
    assert Client().get("/en/notifications/").status_code == 302  # sign in first


@pytest.mark.django_db
def test_one_email_per_subscriber_in_their_language_with_links_and_unsubscribe(
    django_capture_on_commit_callbacks,
):
    document = factories.document("public", title="Inline SOC report")
    german = subscribers("n-de", 3, [document], language="de")
    english = subscribers("n-en", 2, [document])
    with django_capture_on_commit_callbacks(execute=True):
        version = factories.version(document, "v2")
    sent = update_mails()
    assert sorted(m.to[0] for m in sent) == sorted(u.email for u in german + english)
    assert len({m.extra_headers["Message-ID"] for m in sent}) == len(sent)

    german_mail = next(m for m in sent if m.to[0] == german[0].email)
    assert german_mail.extra_headers["Content-Language"] == "de"
    assert f"http://testserver/de/documents/{document.slug}/" in german_mail.body
    assert version.change_description in german_mail.body
    html, mimetype = german_mail.alternatives[0]
    assert mimetype == "text/html" and f"/de/documents/{document.slug}/" in html
    assert "Inline SOC report" in html
    unsubscribe = german_mail.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://testserver/de/notifications/unsubscribe/")
    assert german_mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The job again, with the same event (a retried job): nothing more is sent.
    row = OutboxEvent.objects.get(name="VersionPublished", payload__version_id=version.pk)
    mail.outbox.clear()
    run_handlers(row.name, row.payload, event_id=str(row.pk))
    send_deliveries(list(EmailDelivery.objects.values_list("pk", flat=True)))
    assert update_mails() == []


@pytest.mark.django_db
def test_a_deactivated_account_is_mailed_nothing(django_capture_on_commit_callbacks):
    document = factories.document("public")
    staying, leaving = subscribers("n-left", 2, [document])
    leaving.is_active = False
    leaving.save()
    with django_capture_on_commit_callbacks(execute=True):
        factories.version(document, "v2")
    assert [m.to for m in update_mails()] == [[staying.email]]


@pytest.mark.django_db
def test_one_click_unsubscribe(django_capture_on_commit_callbacks):
    document = factories.document("public")
    (user,) = subscribers("n-unsub", 1, [document])
    with django_capture_on_commit_callbacks(execute=True):
        factories.version(document, "v2")
    (message,) = update_mails()
    url = message.extra_headers["List-Unsubscribe"].strip("<>").replace("http://testserver", "")
    assert "Unsubscribe" in Client().get(url).content.decode()
    assert NotificationSettings.objects.get(user=user).enabled
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click", no cookie, no CSRF token.
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not NotificationSettings.objects.get(user=user).enabled
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        factories.version(document, "v3")
    assert update_mails() == []
    assert Client().post("/en/notifications/unsubscribe/forged/").status_code == 400


@pytest.mark.django_db
def test_a_digest_lists_each_update_once_and_only_what_the_reader_may_still_see(
    users, django_capture_on_commit_callbacks
):
    secret = factories.document(
        "restricted", organizations=[users["customer_org"]], title="Okapi restricted memo"
    )
    public = factories.document("public", title="Digest public paper")
    readers = subscribers("n-digest", 3, [secret, public], frequency="daily")
    for reader in readers:
        Membership.objects.create(user=reader, organization=users["customer_org"])
    with django_capture_on_commit_callbacks(execute=True):
        factories.version(secret, "v2")
        factories.version(public, "v2")
        factories.version(public, "v3")
    assert update_mails() == []  # digests wait for their time

    key = period_key("daily", timezone.now())
    # Before the digest goes out, the organization loses the restricted memo.
    secret.restricted_organizations.set([])
    secret.save_revision().publish()
    send_digest("daily", key)
    sent = update_mails()
    assert sorted(m.to[0] for m in sent) == sorted(r.email for r in readers)
    for message in sent:
        assert "Digest public paper" in message.body and "Okapi" not in message.body
        assert "Okapi" not in message.alternatives[0][0] and "Okapi" not in message.subject
        assert message.body.count("Digest public paper") == 1  # one line per document
    mail.outbox.clear()
    send_digest("daily", key)  # the same period again: nothing more
    assert update_mails() == []
    later = period_key("daily", timezone.now() + timedelta(days=1))
    send_digest("daily", later)
    assert update_mails() == []


@pytest.mark.django_db
def test_staff_see_failed_deliveries(demo_users):
    document = factories.document("public")
    (user,) = subscribers("n-failed", 1, [document])
    EmailDelivery.objects.create(user=user, key="event:x", status="failed", error="550 no")
    client = signed_in(demo_users["admin"])
    page = client.get("/admin/email_deliveries/?status=failed").content.decode()
    assert "550 no" in page and "event:x" in page


def delivery_logs(admin) -> dict:
    """A row of each delivery log, by the URL namespace of its admin screens."""
    endpoint = WebhookEndpoint.objects.create(
        organization=Organization.objects.get(slug="example-bank"),
        url="https://hooks.bank.example/log",
        created_by=admin,
    )
    return {
        "email_deliveries": EmailDelivery.objects.create(
            user=admin, key="event:log", recipient="ops@bank.example", status="failed"
        ),
        "webhook_log": WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_id="log-1",
            document=factories.document("public"),
            status="failed",
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("namespace", ["email_deliveries", "webhook_log"])
def test_the_delivery_logs_are_read_not_written_by_hand(demo_users, namespace):
    """Staff given the view permission read a log in its listing and inspect view; nobody, the
    administrator included, adds, edits or deletes a row of it (cms/admin_policies.py)."""
    row = delivery_logs(demo_users["admin"])[namespace]
    readers = Group.objects.create(name="Delivery log readers")
    readers.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename=f"view_{row._meta.model_name}"),
    )
    reader = make_user("log-reader", groups=[readers.name])
    inspect = reverse(f"{namespace}:inspect", args=[row.pk])
    listing = signed_in(reader).get(reverse(f"{namespace}:index"))
    assert listing.status_code == 200
    assert f'href="{inspect}"' in listing.content.decode()  # the row leads to it
    assert signed_in(reader).get(inspect).status_code == 200

    refused = (reverse("wagtailadmin_home"), "you do not have permission")
    for user in (reader, demo_users["admin"]):
        client = signed_in(user)
        for url in (
            reverse(f"{namespace}:add"),
            reverse(f"{namespace}:edit", args=[row.pk]),
            reverse(f"{namespace}:delete", args=[row.pk]),
        ):
            for response in (client.get(url), client.post(url, {"status": "sent"})):
                assert response.status_code == 302 and response["Location"] == refused[0], url
            assert refused[1] in client.get(refused[0]).content.decode().lower()
    row.refresh_from_db()
    assert row.status == "failed"


@pytest.mark.django_db
def test_the_update_feed_shows_what_its_owner_may_see_without_a_session(users):
    mine = factories.document(
        "restricted", organizations=[users["customer_org"]], title="Feed entitled memo"
    )
    hidden = factories.document(
        "restricted", organizations=[users["other_org_obj"]], title="Feed hidden memo"
    )
    public = factories.document("public", title="Feed public paper")
    for document in (mine, hidden, public):
        factories.version(document, "v2", published_on=timezone.localdate())
    page = signed_in(users["member"]).get("/en/notifications/").content.decode()
    feed_path = FEED_URL.search(page)[1]

    response = Client().get(feed_path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/feed+json")
    feed = response.json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    titles = [item["title"] for item in feed["items"]]
    assert "Feed entitled memo — v2" in titles and "Feed public paper — v2" in titles
    assert "Feed hidden memo" not in response.content.decode()
    assert Client().get("/en/notifications/feed/not-a-token.json").status_code == 404


FEED_URL = re.compile(
    r'<code id="feed-url"[^>]*>http://testserver(/en/notifications/feed/[^<]+\.json)</code>'
)


@pytest.mark.django_db
def test_the_feed_address_can_be_revoked_from_the_settings_page(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["member"])
    page = client.get("/en/notifications/").content.decode()
    old_feed = FEED_URL.search(page)[1]
    assert Client().get(old_feed).status_code == 200

    response = submit(client, "/en/notifications/", page, "Get a new feed address")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "the old one no longer works" in page
    new_feed = FEED_URL.search(page)[1]
    assert new_feed != old_feed
    assert Client().get(old_feed).status_code == 404  # revoked at once
    assert Client().get(new_feed).status_code == 200
    # Only its owner, signed in, by POST.
    assert Client().post("/en/notifications/feed/new-address/").status_code == 302
    assert client.get("/en/notifications/feed/new-address/").status_code == 405
    assert Client().get(new_feed).status_code == 200
