"""Webhooks against a real HTTP receiver that checks the signature (jobs inline; retries are
driven by the sweep's maintenance task, as a worker's scheduler would)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from cms.models import Membership
from plugins.notifications.models import WebhookDelivery, WebhookEndpoint
from plugins.notifications.webhooks import deliver, payload, pinned_address, resume_webhooks
from tests import factories
from tests.webhook_receiver import Receiver


@pytest.fixture
def receiver():
    receiver = Receiver(failures=2)
    yield receiver
    receiver.close()


@pytest.fixture
def local_http(settings):
    settings.TRUSTPORTAL_PLUGIN_SETTINGS = {"notifications": {"WEBHOOK_HTTP_HOSTS": ["127.0.0.1"]}}


def make_due():
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db
def test_an_org_admin_registers_an_endpoint_that_gets_each_update_once_despite_failures(
    users, receiver, local_http, django_capture_on_commit_callbacks
):
    admin = users["member"]
    Membership.objects.filter(user=admin).update(role=Membership.Role.ADMIN)
    client = Client()
    client.force_login(admin)
    response = client.post("/en/notifications/webhooks/", {"url": receiver.url})
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get(organization=users["customer_org"])
    assert endpoint.secret in response.content.decode()  # shown once, to copy into the tool
    receiver.secret = endpoint.secret

    document = factories.document("public", title="Webhook SOC report")
    hidden = factories.document("restricted", organizations=[users["other_org_obj"]])
    with django_capture_on_commit_callbacks(execute=True):
        factories.version(document, "v2")
        factories.version(hidden, "v2")
    delivery = WebhookDelivery.objects.get(endpoint=endpoint, document=document)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert delivery.next_attempt_at > timezone.now()  # backoff
    assert WebhookDelivery.objects.get(endpoint=endpoint, document=hidden).status == "skipped"

    for _ in range(2):
        make_due()
        resume_webhooks()
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 3
    (event,) = receiver.accepted
    assert event["document"]["title"] == "Webhook SOC report"
    assert event["version"]["label"] == "v2" and event["event"] == "document.version_published"
    assert all(valid for _event_id, valid in receiver.requests)
    assert {event_id for event_id, _valid in receiver.requests} == {delivery.event_id}
    assert len(receiver.requests) == 3
    make_due()
    resume_webhooks()  # nothing is due any more
    assert len(receiver.requests) == 3
    log = client.get("/en/notifications/webhooks/").content.decode()
    assert delivery.event_id in log and "Delivered" in log.title()


@pytest.mark.django_db
def test_endpoints_must_use_https_and_only_org_admins_have_the_page(users):
    admin = users["member"]
    client = Client()
    client.force_login(admin)
    assert client.get("/en/notifications/webhooks/").status_code == 404  # not an admin
    Membership.objects.filter(user=admin).update(role=Membership.Role.ADMIN)
    response = client.post("/en/notifications/webhooks/", {"url": "http://tools.customer.test/"})
    assert response.status_code == 400 and "HTTPS" in response.content.decode()
    response = client.post("/en/notifications/webhooks/", {"url": "https://tools.customer.test/"})
    assert response.status_code == 200
    assert WebhookEndpoint.objects.filter(url="https://tools.customer.test/").exists()


def _delivery(endpoint, document):
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=f"test-{document.pk}",
        document=document,
        version=document.versions.get(),
    )


@pytest.mark.django_db
def test_a_webhook_gets_the_organizations_view_not_its_registrants(users):
    admin = users["member"]
    group = Group.objects.create(name="Personally entitled")
    admin.groups.add(group)
    endpoint = WebhookEndpoint.objects.create(
        organization=users["customer_org"], url="https://hooks.example/x", created_by=admin
    )
    personal = factories.document("restricted", groups=[group])
    entitled = factories.document("restricted", organizations=[users["customer_org"]])
    listed = factories.document("restricted", listed=True)
    # The admin may see the first through a group of their own; the organization may not.
    assert payload(_delivery(endpoint, personal)) is None
    assert payload(_delivery(endpoint, listed)) is None
    assert payload(_delivery(endpoint, entitled))["document"]["slug"] == entitled.slug


@pytest.mark.django_db
def test_private_addresses_are_refused_and_redirects_not_followed(users, local_http):
    assert "non-public" in pinned_address("https://10.1.2.3/hook")[1]
    assert "non-public" in pinned_address("https://localhost:8443/hook")[1]
    assert pinned_address("http://127.0.0.1:9/hook") == ("127.0.0.1", "")  # the test receiver
    inner = Receiver()
    outer = Receiver(redirect_to=inner.url)
    try:
        endpoint = WebhookEndpoint.objects.create(
            organization=users["customer_org"], url=outer.url, created_by=users["member"]
        )
        delivery = _delivery(endpoint, factories.document("public"))
        assert deliver(delivery.pk) == "retry"
        delivery.refresh_from_db()
        assert delivery.last_status_code == 302
        assert len(outer.requests) == 1 and inner.requests == []
    finally:
        inner.close()
        outer.close()
