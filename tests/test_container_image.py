"""The production image and compose.yaml, checked without a Docker daemon: the Dockerfile read by
Docker's own parser (and hadolint), its build stage run for real (scripts/check_image_steps.sh),
compose.yaml against the Compose Specification's schema, the proxy's Caddyfile in front of a
real gunicorn, and the image's entry point, health checks and one-shots run as the containers
run them."""

from __future__ import annotations

import os
import re
import secrets
import signal
import ssl
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import Message

import boto3
import pytest
from django.db import connection
from moto.server import ThreadedMotoServer
from redis import Redis
from rq.cron import CronScheduler
from rq.worker import Worker

from tests.container_files import (
    BIN,
    COMPOSE,
    PYPROJECT,
    ROOT,
    SECRET_NAME,
    dockerfile_stage,
    of,
    readme_section,
    run,
    stages,
)
from tests.smtp_server import free_port
from tests.workers import RedisServer


def test_the_image_runs_the_projects_python_on_an_official_slim_base():
    image = dockerfile_stage.global_args(dockerfile_stage.instructions())["PYTHON_IMAGE"]
    minimum = re.fullmatch(r">=(\d+\.\d+)", PYPROJECT["project"]["requires-python"]).group(1)
    assert re.fullmatch(rf"python:{re.escape(minimum)}-slim(-\w+)?", image), image
    assert PYPROJECT["tool"]["ruff"]["target-version"] == "py" + minimum.replace(".", "")
    found = stages()
    assert list(found) == ["build", "proxy", "runtime"]
    assert found["build"][0].value[0] == found["runtime"][0].value[0] == "${PYTHON_IMAGE}"


def test_the_runtime_stage_runs_as_a_user_with_a_health_check_and_one_entry_point():
    found = stages()
    runtime = found["runtime"]
    (user,) = of(runtime, "USER")
    uid = user.value[0].split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000, "a numeric, unprivileged uid"
    # Nothing runs after the switch: no step of the image runs as root in a container.
    assert runtime.index(user) > max(runtime.index(step) for step in of(runtime, "RUN"))
    # From the build stage, the virtualenv and the application only (not its apt caches).
    copied = [(c.flags, c.value) for c in of(runtime, "COPY")]
    assert copied == [
        (("--from=build",), ("/opt/venv", "/opt/venv")),
        (("--from=build",), ("/app", "/app")),
    ]
    (health,) = of(runtime, "HEALTHCHECK")
    assert health.value == ("CMD", "python", "/app/deploy/healthcheck.py", "web")
    (entry,) = of(runtime, "ENTRYPOINT")
    assert entry.value == ("/app/deploy/entrypoint.sh",) and entry.json
    assert of(runtime, "CMD")[0].value == ("web",)
    assert os.access(ROOT / "deploy" / "entrypoint.sh", os.X_OK)
    (proxy_user,) = of(found["proxy"], "USER")
    assert int(proxy_user.value[0].split(":")[0]) >= 1000


def test_the_dockerfile_holds_no_secret():
    for name, stage in stages().items():
        for command in of(stage, "ENV"):
            assert not [key for key in command.value[::2] if SECRET_NAME.search(key)], name
        for command in of(stage, "ARG"):
            assert not SECRET_NAME.search(command.value[0].split("=")[0]), name
        for command in of(stage, "RUN"):
            # Production settings want a SECRET_KEY to collect static files: a throwaway one.
            for value in re.findall(r"SECRET_KEY=(\S+)", command.value[0]):
                assert name == "build" and value.startswith("build-time-only-"), value
    assert "SECRET_KEY" not in "".join(c.original for c in stages()["runtime"])


def test_the_image_installs_production_and_every_deployment_extra_pyproject_declares():
    declared = set(PYPROJECT["project"]["optional-dependencies"])
    extras = dockerfile_stage.arg_default("EXTRAS").split(",")
    wanted = ["production"] + (["s3"] if "s3" in declared else [])
    assert extras == wanted, (
        "pyproject.toml declares the s3 extra: set the Dockerfile's ARG EXTRAS=production,s3"
        if "s3" in declared
        else extras
    )


def test_hadolint_finds_nothing_to_fix():
    # DL3008 (pin versions in apt-get install): Debian's security updates replace a package's
    # version, and a pinned one then fails the build; the base image's tag pins the release.
    result = run([str(BIN / "hadolint"), "--ignore", "DL3008", "Dockerfile"], cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_build_context_holds_the_code_and_no_local_state_or_secret():
    context = {path.as_posix() for path in dockerfile_stage.context_files()}
    for needed in ("manage.py", "pyproject.toml", "deploy/entrypoint.sh", "deploy/healthcheck.py"):
        assert needed in context
    for package in ("cms", "plugins", "search", "sites", "workflows"):
        assert f"{package}/__init__.py" in context
    assert "sites/locale/de/LC_MESSAGES/django.po" in context
    left_out = re.compile(
        r"^(\.git|\.venv|var|artifacts|tests|secrets|docs)/|node_modules/|__pycache__/|\.mo$"
        r"|(^|/)\.env|\.sqlite3$"
    )
    assert not [path for path in context if left_out.search(path)]
    patterns = dockerfile_stage.ignore_patterns()
    for path in ("secrets/secret_key", ".env", "portal.env", "tests/oidc/node_modules/x/y.js"):
        assert dockerfile_stage.is_ignored(path, patterns), path


@pytest.mark.image_build
def test_the_images_build_steps_run_here_and_pass_the_deployment_checklist():
    if connection.vendor != "sqlite":
        # It builds and checks with a virtualenv and a SQLite file of its own: once is enough.
        pytest.skip("runs once, in the SQLite run of the suite")
    result = subprocess.run(
        ["bash", "scripts/check_image_steps.sh"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHON": sys.executable},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "=== The image's build steps pass ===" in output
    assert re.search(r"translations compiled: \d+ catalogues", output)


# The proxy.


def test_the_caddyfile_is_valid_for_the_caddy_the_image_runs(tmp_path):
    (proxy_from,) = [c for c in stages()["proxy"] if c.cmd == "FROM"]
    image_minor = re.fullmatch(r"caddy:(\d+\.\d+)-alpine", proxy_from.value[0]).group(1)
    version = run([str(BIN / "caddy"), "version"]).stdout
    assert version.startswith(f"v{image_minor}."), (version, image_minor)
    result = run(
        [str(BIN / "caddy"), "validate", "--config", "deploy/Caddyfile", "--adapter", "caddyfile"],
        cwd=ROOT,
        env=caddy_env(tmp_path, TRUSTPORTAL_HOST="portal.example.com"),
    )
    assert result.returncode == 0, result.stderr[-3000:]


def caddy_env(tmp_path, **values) -> dict:
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "caddy-data"),
        "XDG_CONFIG_HOME": str(tmp_path / "caddy-config"),
        **values,
    }


def wait_for(url: str, context=None, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2, context=context)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """The portal in gunicorn with the production settings and compose.yaml's proxy count."""
    folder = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sites.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TRUSTPORTAL_AUDIT_KEYS": f"2026={secrets.token_urlsafe(48)}",
        "ALLOWED_HOSTS": "portal.example,localhost",
        "TRUSTPORTAL_TRUSTED_PROXY_COUNT": "1",
        "TRUSTPORTAL_VAR_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'portal.sqlite3'}",
        "REDIS_URL": "",
    }
    for name in [name for name in env if name.startswith("TRUSTPORTAL_S3_")]:
        del env[name]
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "sites.wsgi:application"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(folder / "gunicorn.log").open("wb"),
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        yield port
    finally:
        stop(process)


def get(url: str, context=None, **headers) -> tuple[int, Message, bytes]:
    """Status, headers (their names in any case) and body."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_the_proxy_passes_what_the_production_settings_expect(gunicorn, tmp_path):
    store_port = free_port()
    store = ThreadedMotoServer(ip_address="127.0.0.1", port=store_port)
    store.start()
    https_port = free_port()
    caddy = subprocess.Popen(
        [str(BIN / "caddy"), "run", "--config", "deploy/Caddyfile", "--adapter", "caddyfile"],
        cwd=ROOT,
        env=caddy_env(
            tmp_path,
            TRUSTPORTAL_HOST=f"localhost:{https_port}",
            TRUSTPORTAL_PROXY_HTTP_PORT=str(free_port()),
            TRUSTPORTAL_PROXY_HTTPS_PORT=str(https_port),
            TRUSTPORTAL_WEB_HOST="127.0.0.1",
            TRUSTPORTAL_WEB_PORT=str(gunicorn),
            TRUSTPORTAL_OBJECTSTORE=f"127.0.0.1:{store_port}",
            TRUSTPORTAL_S3_BUCKET="proxied-files",
        ),
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "caddy.log").open("wb"),
    )
    # Caddy's own authority signs the certificate for localhost; the test does not trust it.
    insecure = ssl._create_unverified_context()
    proxied = f"https://localhost:{https_port}"
    try:
        wait_for(f"{proxied}/healthz", context=insecure)
        status, headers, _ = get(
            f"{proxied}/healthz", insecure, **{"X-Request-ID": "chosen-by-the-client"}
        )
        assert status == 200
        # The portal took the request for HTTPS (X-Forwarded-Proto): HSTS, sent on secure
        # requests alone, which the same request straight to gunicorn does not get.
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        direct = get(f"http://127.0.0.1:{gunicorn}/healthz", Host="localhost")
        assert direct[0] == 200 and "Strict-Transport-Security" not in direct[1]
        # The request id is the proxy's, whatever the client sent.
        assert re.fullmatch(r"[0-9a-f-]{36}", headers["X-Request-ID"])

        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{store_port}",
            aws_access_key_id="any",
            aws_secret_access_key="any",
            region_name="us-east-1",
        )
        # Public media: the proxy asks the store unsigned, as anyone; the store decides (compose's
        # lets anyone read the `media/` prefix alone, as this object's ACL does here).
        s3.create_bucket(Bucket="proxied-files")
        s3.put_object(
            Bucket="proxied-files",
            Key="media/images/logo.png",
            Body=b"\x89PNG logo",
            ACL="public-read",
        )
        s3.put_object(Bucket="proxied-files", Key="media/images/private.png", Body=b"no")
        status, _, body = get(f"{proxied}/media/images/logo.png", insecure)
        assert (status, body) == (200, b"\x89PNG logo")
        assert get(f"{proxied}/media/images/private.png", insecure)[0] == 403
    finally:
        stop(caddy)
        store.stop()


# The image's health checks and entry point, run as the containers run them.


def healthcheck(kind: str, **env) -> subprocess.CompletedProcess:
    return run(
        [sys.executable, "deploy/healthcheck.py", kind],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
    )


def test_the_web_health_check_asks_healthz_with_a_host_the_portal_accepts(gunicorn):
    assert healthcheck("web", PORT=str(gunicorn), ALLOWED_HOSTS=".portal.example").returncode == 0
    refused = healthcheck("web", PORT=str(gunicorn), ALLOWED_HOSTS="elsewhere.example")
    assert refused.returncode == 1 and "answered 400" in refused.stderr
    nobody = healthcheck("web", PORT=str(free_port()), ALLOWED_HOSTS="portal.example")
    assert nobody.returncode == 1 and "did not answer" in nobody.stderr


def test_worker_and_cron_health_checks_find_their_process_in_redis():
    server = RedisServer().start()
    try:
        env = {"REDIS_URL": server.url}
        assert healthcheck("worker", **env).returncode == 1
        assert healthcheck("cron", **env).returncode == 1
        connection = Redis.from_url(server.url)
        worker = Worker(["default"], connection=connection)
        worker.register_birth()
        scheduler = CronScheduler(connection=connection)
        scheduler.register_birth()
        assert healthcheck("worker", **env).returncode == 0
        assert healthcheck("cron", **env).returncode == 0
        worker.register_death()
        scheduler.register_death()
        assert healthcheck("worker", **env).returncode == 1
        assert healthcheck("cron", **env).returncode == 1
        server.stop()
        gone = healthcheck("worker", **env)
        assert gone.returncode == 1 and "Redis did not answer" in gone.stderr
    finally:
        server.cleanup()


@pytest.fixture
def stub_commands(tmp_path):
    """``gunicorn`` and ``python`` that print how they were called."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in ("gunicorn", "python"):
        stub = folder / name
        stub.write_text(f'#!/bin/sh\necho {name} "$@"\n')
        stub.chmod(0o755)
    return {"PATH": f"{folder}:/usr/bin:/bin"}


def entrypoint(*command: str, **env) -> subprocess.CompletedProcess:
    return run([str(ROOT / "deploy" / "entrypoint.sh"), *command], env=env)


def test_the_entry_point_runs_the_process_its_command_names(stub_commands):
    web = entrypoint("web", **stub_commands).stdout.split()
    # The README's production command and the tests' gunicorn (tests/workers.py), on all
    # interfaces of the container.
    assert web[:2] == ["gunicorn", "sites.wsgi:application"]
    flags = dict(zip(web[2::2], web[3::2], strict=True))
    assert flags == {
        "--bind": "0.0.0.0:8000",
        "--workers": "4",
        "--threads": "1",
        "--timeout": "60",
        "--worker-tmp-dir": "/dev/shm",
    }
    assert "--workers 4 --timeout 60" in readme_section("Running it in production")
    scaled = entrypoint("web", WEB_CONCURRENCY="9", **stub_commands).stdout
    assert "--workers 9" in scaled
    assert entrypoint(**stub_commands).stdout.split()[:2] == ["gunicorn", "sites.wsgi:application"]
    for command, runs in {
        "worker": "python manage.py rqworker default --with-scheduler",
        "cron": "python manage.py cron",
        "migrate": "python manage.py migrate --noinput",
    }.items():
        assert entrypoint(command, **stub_commands).stdout.strip() == runs
    assert entrypoint("python", "manage.py", "shell", **stub_commands).stdout.strip() == (
        "python manage.py shell"
    )


def test_the_entry_point_reads_secrets_from_files(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("from-a-file\n")
    show = [
        "python3",
        "-c",
        "import os; print(os.environ['SECRET_KEY'], 'SECRET_KEY_FILE' in os.environ)",
    ]
    base = {"PATH": os.environ["PATH"]}
    result = entrypoint(*show, SECRET_KEY_FILE=str(secret), **base)
    assert (result.returncode, result.stdout) == (0, "from-a-file False\n")
    both = entrypoint(*show, SECRET_KEY_FILE=str(secret), SECRET_KEY="x", **base)
    assert both.returncode == 64 and "both SECRET_KEY and SECRET_KEY_FILE" in both.stderr
    missing = entrypoint(*show, SECRET_KEY_FILE=str(tmp_path / "none"), **base)
    assert missing.returncode == 66 and "cannot be read" in missing.stderr


# The one-shots and helpers.


def test_requirements_are_pyprojects_with_the_extras_named(tmp_path):
    script = ["python3", str(ROOT / "deploy" / "requirements.py"), "pyproject.toml"]
    listed = run([*script, "production"], cwd=ROOT).stdout.splitlines()
    project = PYPROJECT["project"]
    assert listed == project["dependencies"] + project["optional-dependencies"]["production"]
    unknown = run([*script, "production,nonexistent"], cwd=ROOT)
    assert unknown.returncode == 1 and "declares no extra nonexistent" in unknown.stderr


def test_the_bucket_one_shot_creates_the_bucket_once():
    store_port = free_port()
    store = ThreadedMotoServer(ip_address="127.0.0.1", port=store_port)
    store.start()
    endpoint = f"http://127.0.0.1:{store_port}"
    env = {
        "PATH": os.environ["PATH"],
        "TRUSTPORTAL_S3_BUCKET": "portal-files",
        "TRUSTPORTAL_S3_ENDPOINT_URL": endpoint,
        "TRUSTPORTAL_S3_ACCESS_KEY_ID": "portal",
        "TRUSTPORTAL_S3_SECRET_ACCESS_KEY": "portal-secret",
    }
    try:
        first = run([sys.executable, "deploy/create_bucket.py"], cwd=ROOT, env=env)
        again = run([sys.executable, "deploy/create_bucket.py"], cwd=ROOT, env=env)
        assert first.stdout == "create_bucket: portal-files created\n", first.stderr
        assert again.stdout == "create_bucket: portal-files exists already\n", again.stderr
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="a",
            aws_secret_access_key="b",
            region_name="us-east-1",
        )
        # moto's state is the test process's: other tests' buckets may be there too.
        assert "portal-files" in [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
    finally:
        store.stop()


def test_compose_secrets_are_made_once_readable_inside_a_closed_folder(tmp_path):
    folder = tmp_path / "secrets"
    env = {**os.environ, "COMPOSE_SECRETS_DIR": str(folder)}
    assert run(["bash", "scripts/compose_secrets.sh"], cwd=ROOT, env=env).returncode == 0
    made = {path.name: path.read_text() for path in folder.iterdir()}
    assert set(made) == set(COMPOSE["secrets"])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {stat.S_IMODE(path.stat().st_mode) for path in folder.iterdir()} == {0o644}
    assert len(made["secret_key"].strip()) >= 32  # what the production settings require
    assert re.fullmatch(r"\d{4}=[0-9a-f]{64}\n", made["audit_keys"])
    assert made["email_host_password"] == "\n"
    again = run(["bash", "scripts/compose_secrets.sh"], cwd=ROOT, env=env)
    assert again.stdout.count(": kept\n") == len(made)
    assert {path.name: path.read_text() for path in folder.iterdir()} == made


# compose.yaml.
