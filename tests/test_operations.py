"""Running the portal: request ids in responses and logs, JSON logs, the production settings
checklist (check --deploy) and gunicorn serving the probes."""

import io
import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

from sites.logs import JsonFormatter, RequestIdFilter
from tests.workers import gunicorn_command

ROOT = Path(__file__).resolve().parents[1]


def production_env(tmp_path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sites.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TRUSTPORTAL_AUDIT_KEYS": f"2026={secrets.token_urlsafe(48)}",
        "ALLOWED_HOSTS": "portal.example,localhost",
        "TRUSTPORTAL_VAR_DIR": str(tmp_path),
        "REDIS_URL": "",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
    }


@pytest.fixture
def json_log():
    """The request logger's records as the production handler writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("trustportal.request")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


@pytest.mark.django_db
def test_every_response_carries_a_request_id_that_the_log_lines_share(json_log):
    response = Client().get("/healthz")
    generated = response["X-Request-ID"]
    assert len(generated) == 32 and int(generated, 16) >= 0

    forwarded = Client().get("/en/feedback/", HTTP_X_REQUEST_ID="edge-7f3a9c21-42")
    assert forwarded["X-Request-ID"] == "edge-7f3a9c21-42"

    [first, second] = json_log()
    assert (first["request_id"], first["path"], first["status"]) == (generated, "/healthz", 200)
    assert (second["request_id"], second["method"]) == ("edge-7f3a9c21-42", "GET")
    assert second["logger"] == "trustportal.request" and second["duration_ms"] >= 0
    assert second["message"] == "GET /en/feedback/ 200"


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["short", "x" * 129, "id with spaces", "id\nforged log line"])
def test_unlikely_request_ids_are_replaced(sent):
    response = Client().get("/healthz", HTTP_X_REQUEST_ID=sent)
    assert response["X-Request-ID"] != sent and len(response["X-Request-ID"]) == 32


def test_log_lines_outside_a_request_and_exceptions_are_json():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.operations")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("broken ünïcode")
        except ValueError:
            logger.exception("Job %s failed", "reindex", extra={"job": "reindex"})
    finally:
        logger.removeHandler(handler)
    entry = json.loads(stream.getvalue())
    assert entry["request_id"] == "-" and entry["level"] == "ERROR"
    assert entry["message"] == "Job reindex failed" and entry["job"] == "reindex"
    assert "ValueError: broken ünïcode" in entry["exception"]


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Nothing to fix; an information says where rate limits are counted (without Redis).
    assert "WARNINGS" not in result.stderr and "ERRORS" not in result.stderr
    says = "(trustportal.I101) Rate limits are counted in the 'ratelimit' cache (the database"
    assert says in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**production_env(tmp_path), "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_serves_the_probes_behind_a_proxy_with_json_logs(tmp_path):
    pytest.importorskip("gunicorn")
    # No migrate: neither the probe nor the HTTPS redirect touches the database.
    env = production_env(tmp_path)
    port = free_port()
    server = subprocess.Popen(
        gunicorn_command(port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz",
            headers={
                "Host": "portal.example",
                "X-Forwarded-Proto": "https",
                "X-Request-ID": "proxy-req-000123",
            },
        )
        for _attempt in range(100):
            try:
                # A slow first answer is the worker still importing Django.
                with urllib.request.urlopen(request, timeout=60) as response:
                    status, headers = response.status, response.headers
                break
            except OSError:  # refused until gunicorn listens
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer")
        assert status == 200 and headers["X-Request-ID"] == "proxy-req-000123"
        # Plain HTTP to a page is redirected to HTTPS; the probes are exempt (above).
        plain = urllib.request.Request(
            f"http://127.0.0.1:{port}/en/", headers={"Host": "portal.example"}
        )
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(plain, timeout=5)
        assert redirect.value.code == 301
        assert redirect.value.headers["Location"].startswith("https://portal.example/")
    finally:
        server.terminate()
        _out, err = server.communicate(timeout=30)
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(
        line["request_id"] == "proxy-req-000123" and line["path"] == "/healthz" for line in lines
    ), err


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.django_db
def test_secret_tokens_in_paths_stay_out_of_the_request_log(caplog):
    from django.test import Client

    with caplog.at_level("INFO", logger="trustportal.request"):
        Client().get("/en/download/secret-token-abc123/")
    lines = [r.getMessage() for r in caplog.records if r.name == "trustportal.request"]
    assert lines and not any("secret-token-abc123" in line for line in lines)
