"""The seeded test database, made once per test run and copied for each pytest-xdist worker.

Every test runs against the demo portal as a fresh install would look (``seed_demo``): migrations,
then the demo in five languages, minutes of work. Rather than each worker doing it again, the
first worker of a run builds a **template** database under a lock; every worker then takes a
copy of it under its own test database name (PostgreSQL: ``CREATE DATABASE … TEMPLATE``;
SQLite: the file, through SQLite's backup API) and of the files the demo uploaded. The template
lives in ``var/test/seeded-<run>/`` (SQLite, files) and in the database ``<test name>_seeded``
(PostgreSQL); the controlling process removes both at the end of the run.
"""

from __future__ import annotations

import fcntl
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connections

#: The folders the demo's uploads land in (``sites/settings/test.py``), copied with the database.
FILE_SETTINGS = ("MEDIA_ROOT", "PROTECTED_MEDIA_ROOT")


def template_folder(run_id: str) -> Path:
    return Path(settings.VAR_DIR) / "test" / f"seeded-{run_id}"


def template_database_name(test_name: str, run_id: str) -> str:
    """Where the template lives, from the test database name without a worker's suffix."""
    if connections["default"].vendor == "sqlite":
        return str(template_folder(run_id) / "test.sqlite3")
    return f"{test_name}_seeded"


@contextmanager
def _locked(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def set_up_for_worker(worker: str, run_id: str, seed: Callable[[], None], verbosity: int) -> str:
    """Give this worker its copy of the run's seeded database (building the template first if no
    worker has); return the name to hand ``destroy_test_db`` at the end (the original one)."""
    connection = connections["default"]
    creation = connection.creation
    original_name = connection.settings_dict["NAME"]
    worker_name = creation._get_test_db_name()
    template = template_database_name(worker_name.removesuffix(f"_{worker}"), run_id)
    folder = template_folder(run_id)
    with _locked(folder):
        if not (folder / "ready").exists():
            _build_template(template, folder, seed, verbosity)
        _copy_template(template, worker_name, folder)
    settings.DATABASES[connection.alias]["NAME"] = worker_name
    connection.settings_dict["NAME"] = worker_name
    connection.close()
    return original_name


def _build_template(template: str, folder: Path, seed, verbosity: int) -> None:
    connection = connections["default"]
    test_settings = connection.settings_dict.setdefault("TEST", {})
    worker_test_name = test_settings.get("NAME")
    test_settings["NAME"] = template
    try:
        connection.creation.create_test_db(verbosity=verbosity, autoclobber=True, serialize=False)
        seed()
    finally:
        test_settings["NAME"] = worker_test_name
    connection.close()
    for name in FILE_SETTINGS:
        uploaded = Path(getattr(settings, name))
        if uploaded.is_dir():
            shutil.copytree(uploaded, folder / name, dirs_exist_ok=True)
    (folder / "ready").write_text("")


def _copy_template(template: str, worker_name: str, folder: Path) -> None:
    connection = connections["default"]
    if connection.vendor == "sqlite":
        Path(worker_name).parent.mkdir(parents=True, exist_ok=True)
        Path(worker_name).unlink(missing_ok=True)
        source, copy = sqlite3.connect(template), sqlite3.connect(worker_name)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()
    else:
        quote = connection.ops.quote_name
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(worker_name)}")
            cursor.execute(f"CREATE DATABASE {quote(worker_name)} TEMPLATE {quote(template)}")
    for name in FILE_SETTINGS:
        seeded = folder / name
        if seeded.is_dir():
            shutil.copytree(seeded, Path(getattr(settings, name)), dirs_exist_ok=True)


def remove_template(run_id: str) -> None:
    """At the end of the run, from the controlling process: the template's database and folder."""
    connection = connections["default"]
    if connection.vendor != "sqlite":
        template = template_database_name(connection.creation._get_test_db_name(), run_id)
        quote = connection.ops.quote_name
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(template)}")
    shutil.rmtree(template_folder(run_id), ignore_errors=True)
