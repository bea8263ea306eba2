"""The same request many times at once, over real HTTP (tests/live_server.py serves the test
database): double clicks, retries and parallel writers as a server meets them."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from django.conf import settings
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils.crypto import get_random_string

TIMES = 20


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to check, not a page to fetch."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def send(method: str, url: str, headers: dict, body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with _opener.open(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def post_json(url: str, data: dict, headers: dict) -> tuple[int, bytes]:
    headers = {**headers, "Content-Type": "application/json"}
    return send("POST", url, headers, json.dumps(data).encode())


def at_once(sends) -> list[tuple[int, bytes]]:
    """Run the ``sends`` from as many threads, released together by a barrier so that the
    requests overlap on the server instead of following one another; their (status, body)
    answers."""
    barrier = threading.Barrier(len(sends))

    def one(send):
        barrier.wait(timeout=60)
        return send()

    with ThreadPoolExecutor(max_workers=len(sends)) as pool:
        return [future.result() for future in [pool.submit(one, s) for s in sends]]


def statuses(answers) -> Counter:
    return Counter(status for status, _body in answers)


class Browser:
    """A signed-in browser's cookies (session and CSRF), for requests over real HTTP."""

    def __init__(self, base_url: str, user):
        client = Client()
        client.force_login(user)
        self.session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.csrf = get_random_string(32)
        self.base_url = base_url

    def _cookies(self) -> dict:
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={self.session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={self.csrf}"
        )
        return {"Cookie": cookie}

    def get(self, path: str) -> tuple[int, bytes]:
        return send("GET", self.base_url + path, self._cookies())

    def post(self, path: str, data: dict) -> tuple[int, bytes]:
        body = urlencode({**data, "csrfmiddlewaretoken": self.csrf}, doseq=True).encode()
        headers = {**self._cookies(), "Content-Type": "application/x-www-form-urlencoded"}
        return send("POST", self.base_url + path, headers, body)

    def post_multipart(self, path: str, data: dict) -> tuple[int, bytes]:
        """As a form with files (the admin's)."""
        body = encode_multipart(BOUNDARY, {**data, "csrfmiddlewaretoken": self.csrf})
        headers = {**self._cookies(), "Content-Type": MULTIPART_CONTENT}
        return send("POST", self.base_url + path, headers, body)
