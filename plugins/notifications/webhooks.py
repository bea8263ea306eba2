"""Webhooks: each document update an organization may see, POSTed as signed JSON.

Signature: ``X-TrustPortal-Signature: sha256=<hex>``, the HMAC-SHA256 with the endpoint's secret
of ``<X-TrustPortal-Timestamp>.<body>``; receivers check it and refuse old timestamps (replay).
``X-TrustPortal-Event-Id`` is the same on every retry, so a receiver that answered 2xx too late
for us to notice drops the repeat. Non-2xx answers and network errors are retried with backoff.
Endpoints are HTTPS only, redirects are not followed, and a host resolving to a non-public
address is refused at send time; plain HTTP and private addresses only for hosts the
``WEBHOOK_HTTP_HOSTS`` setting lists (the tests' local receiver).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from cms.access import policy
from cms.i18n import default_locale
from cms.models import DocumentVersion

from .composing import absolute
from .models import WebhookDelivery, WebhookEndpoint
from .sending import setting

logger = logging.getLogger(__name__)
Status = WebhookDelivery.Status


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def on_version_published(event) -> None:
    """Record one delivery per active endpoint; access is checked when each one is sent."""
    version = DocumentVersion.objects.filter(pk=event.version_id, live=True).first()
    if version is not None:
        record_deliveries(event.event_id or f"version:{version.pk}", version.document_id, version)


def on_document_published(event) -> None:
    """A series change with a new update note is POSTed like a new version."""
    from .fanout import note_event_id

    if event.update_note:
        record_deliveries(note_event_id(event), event.document_id, None, event.update_note)


def record_deliveries(event_id: str, document_id: int, version, note: str = "") -> None:
    endpoints = WebhookEndpoint.objects.filter(active=True).values_list("pk", flat=True)
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint_id=pk,
                event_id=event_id,
                document_id=document_id,
                version=version,
                note=note,
            )
            for pk in endpoints
        ],
        ignore_conflicts=True,
    )
    from workflows.jobs import enqueue

    for delivery_id in WebhookDelivery.objects.filter(
        event_id=event_id, status=Status.PENDING
    ).values_list("pk", flat=True):
        enqueue(deliver, delivery_id, queue=setting("QUEUE"))


def payload(delivery: WebhookDelivery) -> dict | None:
    """The JSON body, or None when the endpoint's organization may not see the document (as an
    organization: not through the grants of the admin who registered the endpoint)."""
    document = (
        policy.organization_documents(delivery.endpoint.organization)
        .filter(pk=delivery.document_id, locale=default_locale())
        .first()
    )
    version = delivery.version
    if document is None or (version is not None and not version.live):
        return None
    about = {
        "event_id": delivery.event_id,
        "document": {
            "slug": document.slug,
            "title": document.title,
            "url": absolute(document.get_url()),
        },
    }
    if version is None:
        return {"event": "document.updated", **about, "update": {"note": delivery.note}}
    return {
        "event": "document.version_published",
        **about,
        "version": {
            "label": version.version_label,
            "published_on": version.published_on.isoformat(),
            "description": version.change_description,
        },
    }


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: following one would turn the POST into a
    request to wherever the receiver points (plain HTTP, an internal host)."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def address_refusal(url: str) -> str:
    """Why ``url``'s host may not be called ("" if it may): its addresses, resolved now, must
    be public; hosts ``WEBHOOK_HTTP_HOSTS`` lists (a local test receiver) are trusted."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host in setting("WEBHOOK_HTTP_HOSTS"):
        return ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError as error:
        return f"Cannot resolve {host}: {error}"
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            return f"Refused: {host} resolves to a non-public address ({ip})."
    return ""


def _claimable(now) -> Q:
    lease = now - timedelta(seconds=setting("LEASE_SECONDS"))
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return Q(status=Status.PENDING) & due | Q(status=Status.SENDING, claimed_at__lt=lease)


def deliver(delivery_id: int) -> str:
    """Job body: POST one delivery if it is due and nobody else holds it."""
    now = timezone.now()
    taken = WebhookDelivery.objects.filter(_claimable(now), pk=delivery_id).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not taken:
        return "not due"
    delivery = WebhookDelivery.objects.select_related("endpoint__organization", "version").get(
        pk=delivery_id
    )
    body_data = payload(delivery) if delivery.endpoint.active else None
    if body_data is None:
        WebhookDelivery.objects.filter(pk=delivery_id).update(status=Status.SKIPPED)
        return "skipped"
    refusal = address_refusal(delivery.endpoint.url)
    if refusal:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=Status.FAILED, last_error=refusal
        )
        return "failed"
    body = json.dumps(body_data, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "TrustPortal-Webhooks/1",
            "X-TrustPortal-Event-Id": delivery.event_id,
            "X-TrustPortal-Timestamp": timestamp,
            "X-TrustPortal-Signature": signature(delivery.endpoint.secret, timestamp, body),
        },
    )
    code, error = None, ""
    try:
        with _opener.open(request, timeout=setting("WEBHOOK_TIMEOUT_SECONDS")) as answer:
            code = answer.status
    except urllib.error.HTTPError as failure:
        code, error = failure.code, str(failure)
    except (urllib.error.URLError, OSError) as failure:
        error = str(failure)
    if code is not None and 200 <= code < 300:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=Status.DELIVERED,
            delivered_at=timezone.now(),
            last_status_code=code,
            last_error="",
        )
        return "delivered"
    return _retry_later(delivery, code, error)


def _retry_later(delivery: WebhookDelivery, code, error: str) -> str:
    if delivery.attempts >= setting("MAX_ATTEMPTS"):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=Status.FAILED, last_status_code=code, last_error=error[:2000]
        )
        return "failed"
    wait = min(setting("RETRY_BASE_SECONDS") * 2 ** (delivery.attempts - 1), 3600)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.PENDING,
        last_status_code=code,
        last_error=error[:2000],
        next_attempt_at=timezone.now() + timedelta(seconds=wait),
    )
    from workflows.jobs import inline, schedule

    if not inline():
        schedule(
            deliver,
            timedelta(seconds=wait),
            delivery.pk,
            job_id=f"webhook-{delivery.pk}-{delivery.attempts}",
            queue=setting("QUEUE"),
        )
    return "retry"


def resume_webhooks() -> int:
    """Maintenance task: deliveries due for a retry or left by a dead worker."""
    from workflows.jobs import enqueue

    ids = list(
        WebhookDelivery.objects.filter(_claimable(timezone.now()), attempts__gt=0).values_list(
            "pk", flat=True
        )
    )
    for delivery_id in ids:
        enqueue(deliver, delivery_id, queue=setting("QUEUE"))
    return len(ids)
