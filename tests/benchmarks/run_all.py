"""Issue 20's side-by-side comparisons in one run (not collected by pytest):

    .venv/bin/python tests/benchmarks/run_all.py [--seconds 10] [--connections 16]

Seeds the demo portal into a PostgreSQL database of its own (``--database-url``, recreated),
starts the portal under gunicorn with production settings (``--workers`` processes, persistent
database connections, a redis-server of its own), and beside it a second gunicorn of the same
size serving the very bytes of the portal's answers as static files through whitenoise. Then
``wrk`` (Debian's) drives each request for ``--seconds`` with ``--connections`` connections:

- references: the static copies through whitenoise, and Wagtail's own pages API;
- anonymous: the API list and the home page, and each asked conditionally (``If-None-Match``);
- members: the same API list with a personal API token, the home page with a session;
- downloads: one 20 MB, 150-page PDF (``tests.pdf_samples.large_pdf``) attached to a public
  document and to a signed-in-only one, downloaded by the same signed-in reader: as uploaded
  (sent by the kernel, ``sendfile``) against the reader's watermarked copy.

Each figure is printed as a ratio to its reference measured in the same run, with the goal of
issue 20 beside it (the machine is shared and noisy: only ratios compare across runs). With
``--others`` the watermark and notification benchmarks run too, and their summaries follow.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_load import HOST, production_env, wait_for, workers_rss  # noqa: E402

STATIC_APP = """
from whitenoise import WhiteNoise

def not_found(environ, start_response):
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]

application = WhiteNoise(not_found, root={root!r}, autorefresh=False)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/trustportal_bench_all"
    )
    parser.add_argument("--others", action="store_true", help="also watermark, notifications")
    args = parser.parse_args()

    from tests.smtp_server import free_port
    from tests.workers import RedisServer, gunicorn_command

    redis = RedisServer().start()
    var = ROOT / "var" / "bench-all"
    var.mkdir(parents=True, exist_ok=True)
    env = production_env(args.database_url, redis.url, var)
    os.environ.update(env)
    prepared = prepare(args.database_url)
    portal_port, static_port = free_port(), free_port()
    static_root = Path(tempfile.mkdtemp(prefix="bench-static-", dir=var))
    servers = [
        subprocess.Popen(
            gunicorn_command(portal_port, args.workers, 1),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(var / "gunicorn.log").open("w"),
        )
    ]
    try:
        wait_for(portal_port)
        member_token = {"Authorization": f"Bearer {prepared['token']}"}
        member_session = {"Cookie": prepared["cookie"]}
        api_list = "/api/v3/trust-documents/?limit=20"
        pages_api = "/api/v3/pages/?limit=20"
        # The static copies are the portal's own answers, byte for byte.
        api_body, api_etag = get(portal_port, api_list)
        home_body, home_etag = get(portal_port, "/en/")
        (static_root / "api-list.json").write_bytes(api_body)
        (static_root / "home.html").write_bytes(home_body)
        (var / "static_app.py").write_text(STATIC_APP.format(root=str(static_root)))
        servers.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "static_app:application",
                    "--chdir",
                    str(var),
                    "--bind",
                    f"127.0.0.1:{static_port}",
                    "--workers",
                    str(args.workers),
                ],
                cwd=var,
                stdout=subprocess.DEVNULL,
                stderr=(var / "static.log").open("w"),
            )
        )
        wait_for_static(static_port)
        for path, headers in [
            (api_list, member_token),
            ("/en/", member_session),
            (pages_api, {}),
            (prepared["downloads"]["watermarked"], member_session),  # prepares the file once
        ]:
            get(portal_port, path, headers)  # warm, and check it answers at all

        def measure(port, path, headers=None) -> float:
            return wrk(port, path, headers or {}, args.seconds, args.connections)

        figures = {
            "whitenoise: API list bytes": measure(static_port, "/api-list.json"),
            "whitenoise: home page bytes": measure(static_port, "/home.html"),
            "Wagtail pages API, anonymous": measure(portal_port, pages_api),
            "API list, anonymous": measure(portal_port, api_list),
            "API list, anonymous, If-None-Match": measure(
                portal_port, api_list, {"If-None-Match": api_etag}
            ),
            "home page, anonymous": measure(portal_port, "/en/"),
            "home page, anonymous, If-None-Match": measure(
                portal_port, "/en/", {"If-None-Match": home_etag}
            ),
            "API list, member token": measure(portal_port, api_list, member_token),
            "home page, member session": measure(portal_port, "/en/", member_session),
        }
        # wrk receiving 1 GB/s shares the machine with the portal: the workers' own CPU time per
        # download says more than the rate does.
        download_cpu = {}
        for kind in ("public", "watermarked"):
            before = workers_cpu_seconds(servers[0].pid)
            rate = measure(portal_port, prepared["downloads"][kind], member_session)
            spent = workers_cpu_seconds(servers[0].pid) - before
            figures[f"download 20 MB PDF, {kind}"] = rate
            download_cpu[kind] = spent / (rate * args.seconds)
        memory = workers_rss(servers[0].pid)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        redis.cleanup()

    def ratio(a: str, b: str) -> float:
        return round(figures[a] / figures[b], 3)

    report = {
        "requests per second": {name: round(rate, 1) for name, rate in figures.items()},
        "ratios": [
            (
                "API list, anonymous / whitenoise",
                ratio("API list, anonymous", "whitenoise: API list bytes"),
                ">= 0.3",
            ),
            (
                "home page, anonymous / whitenoise",
                ratio("home page, anonymous", "whitenoise: home page bytes"),
                ">= 0.3",
            ),
            (
                "API list, anonymous / Wagtail pages API",
                ratio("API list, anonymous", "Wagtail pages API, anonymous"),
                "(was 0.97)",
            ),
            (
                "API list 304 / API list 200",
                ratio("API list, anonymous, If-None-Match", "API list, anonymous"),
                ">= 1",
            ),
            (
                "home 304 / home 200",
                ratio("home page, anonymous, If-None-Match", "home page, anonymous"),
                ">= 1",
            ),
            (
                "anonymous / member token, API list (CPU ratio)",
                ratio("API list, anonymous", "API list, member token"),
                "<= 1.3",
            ),
            (
                "anonymous / member session, home (CPU ratio)",
                ratio("home page, anonymous", "home page, member session"),
                "<= 1.3",
            ),
            (
                "plain / watermarked download, 20 MB PDF (rate ratio)",
                ratio("download 20 MB PDF, public", "download 20 MB PDF, watermarked"),
                "<= 2",
            ),
            (
                "watermarked / plain download, worker CPU per download",
                round(download_cpu["watermarked"] / download_cpu["public"], 3),
                "<= 2",
            ),
        ],
        "worker CPU ms per download": {
            kind: round(seconds * 1000, 1) for kind, seconds in download_cpu.items()
        },
        "portal worker memory MiB": memory,
        "wrk": f"-t2 -c{args.connections} -d{args.seconds}s, gunicorn {args.workers} workers",
    }
    print(json.dumps(report["requests per second"], indent=2))
    print("worker CPU ms per download:", report["worker CPU ms per download"])
    print(f"\n{'comparison':<50} {'ratio':>7}  goal")
    for name, value, goal in report["ratios"]:
        print(f"{name:<50} {value:>7}  {goal}")
    out = ROOT / "artifacts" / "benchmarks"
    out.mkdir(parents=True, exist_ok=True)
    (out / "run_all.json").write_text(json.dumps(report, indent=2))
    if args.others:
        run_others()


def prepare(database_url: str) -> dict:
    """The demo portal in a fresh database, a member's session and personal API token."""
    from tests.benchmarks.bench_load import prepare as prepare_demo

    prepared = prepare_demo(database_url)
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from wagtail.models import APIToken

    from cms.accounts.models import PersonalAPIToken

    reader = get_user_model().objects.get(username="reader")
    token, plaintext = APIToken.create_token(user=reader, name="benchmark")
    PersonalAPIToken.objects.create(
        token=token, expires_at=timezone.now() + timedelta(days=1), submission=uuid.uuid4()
    )
    return {**prepared, "token": plaintext, "downloads": large_downloads(reader)}


def large_downloads(reader) -> dict:
    """Download links of one 20 MB PDF, as a public document's file and as a signed-in-only
    document's (watermarked for ``reader``), both valid for the whole run."""
    from django.core.files import File

    from cms.delivery.links import signed_download_url
    from cms.models import AccessLevel, TrustDocument, VersionFile
    from tests.pdf_samples import large_pdf

    path = Path(tempfile.mkdtemp(prefix="bench-download-")) / "large-report.pdf"
    large_pdf(path, pages=150, side=365)
    links = {}
    for key, level in (("public", AccessLevel.PUBLIC), ("watermarked", AccessLevel.SIGNED_IN)):
        documents = TrustDocument.objects.live().filter(
            access_level=level, locale__language_code="en"
        )
        stored = next(
            file
            for document in documents
            if (version := document.current_version()) is not None
            for file in VersionFile.objects.filter(version=version, language="en")
        )
        with open(path, "rb") as handle:
            # Saved as an upload is (FieldFile.save() would commit the file before the model's
            # save, which then records no fingerprint): the SHA-256 the watermark cache uses.
            stored.file = File(handle, name=f"large-{key}.pdf")
            stored.save()
        links[key] = signed_download_url(stored.version_id, "en", reader)
    return links


def get(port: int, path: str, headers: dict | None = None) -> tuple[bytes, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(
        "GET", path, headers={"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})}
    )
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}")
    return body, response.getheader("ETag") or ""


def workers_cpu_seconds(master: int) -> float:
    """User and system CPU time of the gunicorn workers (the master's children) so far."""
    from tests.workers import descendants

    ticks = 0
    for pid in descendants(master):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_for_static(port: int) -> None:
    for _attempt in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api-list.json")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the static server did not answer")


def wrk(port: int, path: str, headers: dict, seconds: float, connections: int) -> float:
    """Requests per second wrk reaches (and every answer a 2xx or 304)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s"]
    for name, value in {"Host": HOST, "X-Forwarded-Proto": "https", **headers}.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx or 3xx responses" in output:
        raise SystemExit(f"{path}: errors under load\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def run_others() -> None:
    for script in ("bench_watermark.py", "bench_notifications.py"):
        path = ROOT / "tests" / "benchmarks" / script
        if path.exists():
            print(f"\n=== {script} ===", flush=True)
            subprocess.run([sys.executable, str(path)], cwd=ROOT, check=False)


if __name__ == "__main__":
    main()
