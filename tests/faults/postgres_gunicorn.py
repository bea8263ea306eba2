"""Helpers of the fault tests that serve the portal with gunicorn over a PostgreSQL database of
its own (fixtures ``postgres_portal`` and ``gunicorn`` in ``tests/faults/conftest.py``)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

POSTGRES = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"


def postgres_admin():
    """An autocommit connection to the local PostgreSQL as ``postgres``; ``None`` if there is
    none to be had."""
    try:
        return psycopg.connect(POSTGRES, autocommit=True)
    except psycopg.Error:
        return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def send(url: str, *, data: bytes | None = None, headers: dict | None = None):
    """``(status, headers, body)`` of one request, whatever its status."""
    request = urllib.request.Request(
        url, data=data, headers={"Host": "localhost", **(headers or {})}
    )
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_until_serving(base: str) -> None:
    for _attempt in range(150):
        try:
            if send(base + "/healthz")[0] == 200:
                return
        except OSError:  # refused until gunicorn listens
            time.sleep(0.2)
    pytest.fail("gunicorn did not answer")


def log_lines(log_file: Path) -> list[dict]:
    return [
        json.loads(line)
        for line in log_file.read_text().splitlines()
        if line.startswith("{") and line.endswith("}")
    ]
