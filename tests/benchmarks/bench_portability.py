"""Export and import times of a whole portal (issue 18): not part of the test suite, run by hand.

    .venv/bin/python tests/benchmarks/bench_portability.py --source sqlite --target postgresql
    .venv/bin/python tests/benchmarks/bench_portability.py --source postgresql --target sqlite
    .venv/bin/python tests/benchmarks/bench_portability.py --source postgresql \\
        --target postgresql --documents 10000

The source is a new installation with the demo (``seed_demo``) and, with ``--documents N``, N
more documents bulk-seeded (``seed.py``), each with a version whose file is a small PDF, and as
many downloads in the audit log (``--downloads``). The target is a new installation, migrated.
Timed, each as the operator runs it (a ``manage.py`` process, from start to exit):
``export_portal`` on the source and ``import_portal --skip-search-index`` on the target, both
with a signing key; then, each on its own, what ``import_portal`` does next without that flag:
``update_index`` (Wagtail's admin search) and ``rebuild_search_index`` (the portal's).

PostgreSQL databases are ``<prefix>_source`` and ``<prefix>_target`` on ``--pg-server``
(``--pg-prefix``, default ``trustportal_bench_portability``), created and dropped here; SQLite
databases and the installations' files are in a temporary folder. Figures go to
``artifacts/benchmarks/portability-<source>-<target>-<documents>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "artifacts" / "benchmarks"

#: Run in the source installation: the bulk documents, a file for each of their versions, and
#: downloads in the audit log.
SEED = """
import sys, django
django.setup()
from tests.benchmarks.bench_portability import add_files_and_downloads
from tests.benchmarks.seed import seed
seed(int(sys.argv[1]), log=lambda *a, **k: None)
add_files_and_downloads(int(sys.argv[2]))
"""


def tiny_pdf(number: int) -> bytes:
    """A small PDF of its own for each version (the bench does not open it)."""
    text = f"Benchmark document {number}".encode()
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% " + text + b"\n%%EOF\n"
    ) + secrets.token_bytes(1024)


def add_files_and_downloads(downloads: int) -> None:
    import hashlib

    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile

    from cms.audit import record
    from cms.models import DocumentVersion, VersionFile

    storage = VersionFile._meta.get_field("file").storage
    rows = []
    for version in DocumentVersion.objects.filter(files__isnull=True).only("pk").iterator():
        content = tiny_pdf(version.pk)
        name = storage.save(f"versions/bench/{version.pk}.pdf", ContentFile(content))
        rows.append(
            VersionFile(
                version_id=version.pk,
                language="en",
                file=name,
                original_filename=f"{version.pk}.pdf",
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
            )
        )
    VersionFile.objects.bulk_create(rows, batch_size=2000)
    reader = get_user_model().objects.get(username="reader")
    versions = list(DocumentVersion.objects.filter(files__isnull=False).order_by("pk")[:downloads])
    for number in range(downloads):
        record("download", outcome="allowed", user=reader, version=versions[number % len(versions)])


class Installation:
    def __init__(self, name: str, database: str, folder: Path, pg_server: str, pg_prefix: str):
        self.name, self.database = name, database
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sites.settings.test",
            "TRUSTPORTAL_VAR_DIR": str(folder / name),
            "TRUSTPORTAL_TEST_RUN": name,
            "REDIS_URL": "",
        }
        self.env.pop("TRUSTPORTAL_ARCHIVE_SIGNING_KEY", None)
        if database == "postgresql":
            self.server, self.db_name = pg_server, f"{pg_prefix}_{name}"
            self._admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.db_name}"')
            self.env["DATABASE_URL"] = f"{pg_server}/{self.db_name}"
        else:
            self.env["DATABASE_URL"] = f"sqlite:///{folder / f'{name}.sqlite3'}"

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as admin:
            admin.execute(statement)

    def drop(self) -> None:
        if self.database == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    def run(self, *args: str, label: str) -> tuple[float, str]:
        """Run ``args`` in this installation; return its wall-clock seconds and stdout."""
        print(f"[{self.name}] {label}: {shlex.join(args)}", file=sys.stderr)
        started = time.perf_counter()
        done = subprocess.run(args, cwd=ROOT, env=self.env, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"{label} failed:\n{done.stdout}\n{done.stderr}")
        return round(elapsed, 1), done.stdout

    def manage(self, *args: str, label: str) -> tuple[float, str]:
        return self.run(sys.executable, "manage.py", *args, label=label)


def bench(args) -> dict:
    result = {"source": args.source, "target": args.target, "documents": args.documents}
    with tempfile.TemporaryDirectory(prefix="bench-portability-") as folder:
        folder = Path(folder)
        key = folder / "archive.key"
        key.write_text(secrets.token_urlsafe(48))
        archive = folder / "portal.zip"
        source = Installation("source", args.source, folder, args.pg_server, args.pg_prefix)
        target = Installation("target", args.target, folder, args.pg_server, args.pg_prefix)
        try:
            source.manage("migrate", "--verbosity", "0", label="migrate")
            source.manage("seed_demo", "--password", "bench-password-0", label="seed_demo")
            if args.documents:
                downloads = args.documents if args.downloads is None else args.downloads
                seconds, _ = source.run(
                    sys.executable, "-c", SEED, str(args.documents), str(downloads), label="seed"
                )
                result["seed_s"] = seconds
            export = ("export_portal", str(archive), "--signing-key-file", str(key))
            result["export_s"], exported = source.manage(*export, label="export")
            result["exported"] = exported.strip().splitlines()[-1]
            result["archive_bytes"] = archive.stat().st_size
            target.manage("migrate", "--verbosity", "0", label="migrate")
            imported_command = (
                "import_portal", str(archive), "--signing-key-file", str(key),
                "--skip-search-index",
            )  # fmt: skip
            result["import_s"], imported = target.manage(*imported_command, label="import")
            result["imported"] = imported.strip().splitlines()
            # What import_portal does next by default, timed on its own: the search indexes.
            result["update_index_s"], _ = target.manage(
                "update_index", "--verbosity", "0", label="update_index"
            )
            result["rebuild_search_index_s"], _ = target.manage(
                "rebuild_search_index", label="rebuild_search_index"
            )
            result["commands"] = {
                "export": f"manage.py {shlex.join(export)}",
                "import": f"manage.py {shlex.join(imported_command)}",
                "indexes": "manage.py update_index; manage.py rebuild_search_index",
            }
        finally:
            source.drop()
            target.drop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--target", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--documents", type=int, default=0, help="bulk documents beyond the demo")
    parser.add_argument("--downloads", type=int, help="audit entries (default: --documents)")
    parser.add_argument("--pg-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-prefix", default="trustportal_bench_portability")
    args = parser.parse_args()
    result = bench(args)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"portability-{args.source}-{args.target}-{args.documents}.json"
    path.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
