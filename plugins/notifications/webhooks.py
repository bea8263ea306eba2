"""Webhooks: each document update an organization may see, POSTed as signed JSON.

Signature: ``X-TrustPortal-Signature: sha256=<hex>``, the HMAC-SHA256 with the endpoint's secret
of ``<X-TrustPortal-Timestamp>.<body>``; receivers check it and refuse old timestamps (replay).
``X-TrustPortal-Event-Id`` is the same on every retry, so a receiver that answered 2xx too late
for us to notice drops the repeat. Non-2xx answers and network errors are retried with backoff.
Endpoints are HTTPS only and redirects are not followed. The host is resolved once per
attempt, refused if any of its addresses is not public, and the connection goes to the address
that was checked (pinned), with the host name kept in the ``Host`` header and for TLS (SNI and
certificate verification): a DNS answer that changes between the check and the connection (DNS
rebinding) cannot point the POST at an internal address. Plain HTTP and private addresses only
for hosts the ``WEBHOOK_HTTP_HOSTS`` setting lists (the tests' local receivers); they are pinned
too.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
import urllib.parse
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from cms.access import policy
from cms.i18n import default_locale
from cms.models import DocumentVersion
from workflows.jobs import enqueue, inline, schedule

from .composing import absolute
from .fanout import note_event_id
from .models import WebhookDelivery, WebhookEndpoint
from .sending import backoff, claimable, setting

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


def resolve(host: str) -> list[str]:
    """The addresses of ``host``, from one DNS lookup."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def pinned_address(url: str) -> tuple[str, str]:
    """``(address to connect to, "")`` for ``url``'s host, resolved now; or ``("", why it is
    refused)``. Every address must be public, unless ``WEBHOOK_HTTP_HOSTS`` lists the host.
    A failed lookup raises ``OSError`` (it may work next time)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    listed = host in setting("WEBHOOK_HTTP_HOSTS")
    if parts.scheme != "https" and not listed:
        # The form allows HTTPS only; a row stored otherwise is refused here all the same.
        return "", f"Refused: {parts.scheme}:// is not HTTPS."
    addresses = resolve(host)
    if not addresses:
        raise OSError(f"Cannot resolve {host}: no address.")
    if not listed:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global:
                return "", f"Refused: {host} resolves to a non-public address ({ip})."
    return addresses[0], ""


def _pinned(connection: http.client.HTTPConnection, address: str):
    """Make ``connection`` open its socket to ``address`` instead of looking its host up again
    (http.client still sends the host name in ``Host`` and, for HTTPS, as SNI, and verifies
    the certificate against it)."""

    def create_connection(host_and_port, *args, **kwargs):
        return socket.create_connection((address, host_and_port[1]), *args, **kwargs)

    connection._create_connection = create_connection
    return connection


def post(url: str, address: str, body: bytes, headers: dict) -> int:
    """POST ``body`` to ``url`` through ``address``; the answer's status (redirects are
    answers, never followed: following one would send the POST wherever the receiver says)."""
    parts = urllib.parse.urlsplit(url)
    timeout = setting("WEBHOOK_TIMEOUT_SECONDS")
    if parts.scheme == "https":
        context = ssl.create_default_context(cafile=setting("WEBHOOK_CA_FILE") or None)
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout, context=context
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        _pinned(connection, address).request("POST", path, body=body, headers=headers)
        with connection.getresponse() as answer:
            answer.read(65536)  # a bounded read: the answer's body is not ours to keep
            return answer.status
    finally:
        connection.close()


def deliver(delivery_id: int) -> str:
    """Job body: POST one delivery if it is due and nobody else holds it."""
    now = timezone.now()
    taken = WebhookDelivery.objects.filter(claimable(now), pk=delivery_id).update(
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
    try:
        address, refusal = pinned_address(delivery.endpoint.url)
    except OSError as error:
        return _retry_later(delivery, None, f"Cannot resolve the host: {error}")
    if refusal:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=Status.FAILED, last_error=refusal
        )
        return "failed"
    body = json.dumps(body_data, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "TrustPortal-Webhooks/1",
        "X-TrustPortal-Event-Id": delivery.event_id,
        "X-TrustPortal-Timestamp": timestamp,
        "X-TrustPortal-Signature": signature(delivery.endpoint.secret, timestamp, body),
    }
    code, error = None, ""
    try:
        code = post(delivery.endpoint.url, address, body, headers)
    except (OSError, http.client.HTTPException) as failure:
        error = str(failure) or type(failure).__name__
    if code is not None and not 200 <= code < 300:
        error = f"HTTP {code}"
    elif code is not None:
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
    wait = backoff(delivery.attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.PENDING,
        last_status_code=code,
        last_error=error[:2000],
        next_attempt_at=timezone.now() + timedelta(seconds=wait),
    )

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
    ids = list(
        WebhookDelivery.objects.filter(claimable(), attempts__gt=0).values_list("pk", flat=True)
    )
    for delivery_id in ids:
        enqueue(deliver, delivery_id, queue=setting("QUEUE"))
    return len(ids)
