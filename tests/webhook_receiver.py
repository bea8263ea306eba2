"""A webhook endpoint on a free local port that checks the portal's signature, for the webhook
tests (jobs inline or real workers)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """Answers 500 to the first ``failures`` requests, then 200; records what it accepted.
    With ``redirect_to``, answers every request with a 302 there instead."""

    def __init__(self, failures: int = 0, redirect_to: str = ""):
        self.failures = failures
        self.redirect_to = redirect_to
        self.secret = ""
        self.requests = []
        self.accepted = []
        #: When each request arrived (monotonic seconds), to check the backoff between them.
        self.arrived = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["X-TrustPortal-Timestamp"]
                expected = (
                    "sha256="
                    + hmac.new(
                        receiver.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
                    ).hexdigest()
                )
                valid = hmac.compare_digest(expected, self.headers["X-TrustPortal-Signature"])
                event_id = self.headers["X-TrustPortal-Event-Id"]
                receiver.arrived.append(time.monotonic())
                receiver.requests.append((event_id, valid))
                if receiver.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", receiver.redirect_to)
                elif not valid:
                    self.send_response(401)
                elif len(receiver.requests) <= receiver.failures:
                    self.send_response(500)
                else:
                    receiver.accepted.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
