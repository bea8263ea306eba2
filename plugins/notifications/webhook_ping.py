"""A test delivery: one signed ``ping`` POSTed to an endpoint at once, through the same checks
as every delivery (HTTPS, a public address resolved once and pinned, no redirect followed), so
an administrator sees whether their tool receives and verifies what we send. Nothing is
recorded in the delivery log and nothing is retried."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from dataclasses import dataclass

from .models import WebhookEndpoint
from .webhooks import pinned_address, post, signature

PING = "ping"
REFUSED = "Refused: the endpoint is not HTTPS at a public address."


@dataclass(frozen=True)
class PingResult:
    delivered: bool
    status_code: int | None
    #: Why it was not delivered ("" when it was).
    error: str
    event_id: str


def ping(endpoint: WebhookEndpoint) -> PingResult:
    event_id = f"ping:{uuid.uuid4()}"
    try:
        address, refusal = pinned_address(endpoint.url)
    except OSError as error:
        return PingResult(False, None, f"Cannot resolve the host: {error}", event_id)
    if refusal:
        # Not the refusal itself: it names the address a name resolves to here, which would
        # map internal names for whoever asks.
        return PingResult(False, None, REFUSED, event_id)
    body = json.dumps({"event": PING, "event_id": event_id, "endpoint": endpoint.pk}).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "TrustPortal-Webhooks/1",
        "X-TrustPortal-Event-Id": event_id,
        "X-TrustPortal-Timestamp": timestamp,
        "X-TrustPortal-Signature": signature(endpoint.secret, timestamp, body),
    }
    try:
        code = post(endpoint.url, address, body, headers)
    except (OSError, http.client.HTTPException) as failure:
        return PingResult(False, None, str(failure) or type(failure).__name__, event_id)
    if 200 <= code < 300:
        return PingResult(True, code, "", event_id)
    return PingResult(False, code, f"HTTP {code}", event_id)
