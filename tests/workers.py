"""Real background processes for the delivery tests: a Redis server of their own on a free port
(the machine's shared one is left alone, and it can be stopped) and ``manage.py rqworker``
processes pointed at the test database."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

from tests.smtp_server import free_port

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / "var" / "test" / "worker-logs"
#: Short leases and backoffs, so what a dead worker left comes back within seconds.
WORKER_PLUGIN_SETTINGS = {
    "notifications": {"BATCH_SIZE": 5, "LEASE_SECONDS": 2, "RETRY_BASE_SECONDS": 1}
}


class RedisServer:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder = tempfile.mkdtemp(prefix="tp-redis-")
        self.process = None

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.folder,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def freeze(self) -> None:
        """Stop answering, connections left open (a hung server, a network black hole)."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.thaw()  # a frozen server would not hear SIGTERM
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def gunicorn_command(port: int, workers: int = 1, threads: int = 1) -> list[str]:
    """gunicorn serving the portal on 127.0.0.1:``port`` (settings from the environment)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "sites.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "60",
    ]


def database_url() -> str:
    """The test database, as a URL another process can open."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


class Worker:
    """``manage.py rqworker`` in its own process group, so SIGKILL takes its work horse too."""

    def __init__(self, redis_url: str, smtp_port: int, plugin_settings: dict, log: Path):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sites.settings.test",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "TRUSTPORTAL_TEST_WORKER": "1",
            "TRUSTPORTAL_TEST_SMTP_PORT": str(smtp_port),
            "TRUSTPORTAL_TEST_PLUGIN_SETTINGS": json.dumps(plugin_settings),
            "TRUSTPORTAL_SWEEP_SECONDS": "2",
        }
        self.log = log
        self.process = None
        self.is_cron = False

    def start(self, with_scheduler: bool = False) -> Worker:
        command = [sys.executable, "manage.py", "rqworker", "default"]
        if with_scheduler:
            command.append("--with-scheduler")
        return self._run(command)

    def start_cron(self) -> Worker:
        """``manage.py cron`` instead: the periodic sweep (every 2 s here)."""
        self.is_cron = True
        return self._run([sys.executable, "manage.py", "cron"])

    def start_web(self, port: int, workers: int = 1, threads: int = 1) -> Worker:
        """gunicorn on 127.0.0.1:``port`` with this process's environment, instead."""
        return self._run(gunicorn_command(port, workers=workers, threads=threads))

    def _run(self, command: list[str]) -> Worker:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self) -> None:
        """``kill -9`` the worker and its work horse, mid-job or not; return once neither can
        run another instruction. (RQ puts the horse in a process group of its own, so killing
        the worker's group alone would leave the horse sending.)"""
        if not self.process or self.process.poll() is not None:
            return
        doomed = [self.process.pid, *descendants(self.process.pid)]
        os.killpg(self.process.pid, signal.SIGKILL)
        for pid in doomed:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(is_running(pid) for pid in doomed):
            if time.monotonic() > deadline:
                raise RuntimeError(f"processes {doomed} survived SIGKILL")
            time.sleep(0.01)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def _parents() -> dict[int, list[int]]:
    """``{parent pid: [child pids]}`` of every process, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    return children


def descendants(pid: int) -> list[int]:
    children, found, todo = _parents(), [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def is_running(pid: int) -> bool:
    """Alive and not a zombie (a killed child nobody reaped yet runs nothing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")
