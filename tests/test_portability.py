"""export_portal / import_portal: the seeded portal (with downloads in its audit log, NDA
acceptances and feedback) moved to a fresh database of the other kind (SQLite → PostgreSQL, or
PostgreSQL → SQLite when the suite runs on PostgreSQL), compared model by model and file by file
by a separate process that reads the target itself."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from cms.audit import record
from cms.models import DocumentVersion, TrustDocument
from cms.portability import scope
from plugins.feedback.models import Feedback
from plugins.nda.models import NdaAcceptance, NdaVersion
from tests import factories
from tests.helpers import run_python

ROOT = Path(__file__).resolve().parents[1]
IMPORT_POSTGRES_URL = os.environ.get(
    "TRUSTPORTAL_IMPORT_TEST_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/trustportal_import_roundtrip",
)

#: Run in the target installation after the import: what it holds, read by itself.
TARGET_REPORT = """
import hashlib, json, sys, django
SEARCHES = json.loads(sys.argv[1])
django.setup()
from django.test import Client
from cms.audit import verify
from cms.portability import scope
counts = {scope.label(m): m._base_manager.count() for m in scope.exported_models()}
files = {}
for model in scope.exported_models():
    for field in scope.file_fields(model):
        stored_names = model._base_manager.exclude(**{field.attname: ""})
        for name in stored_names.values_list(field.attname, flat=True):
            with field.storage.open(name, "rb") as stored:
                digest = hashlib.sha256(stored.read()).hexdigest()
            files[f"{scope.label(model)}/{field.name}/{name}"] = digest
page = Client(HTTP_HOST="localhost").get("/en/documents/soc-2-type-2/")
search = {q: Client(HTTP_HOST="localhost").get("/api/v3/trust-documents/", {"q": q}).json()
          for q in SEARCHES}
print(json.dumps({"counts": counts, "files": files, "audit_ok": verify().ok,
                  "document_page": page.status_code, "vendor": django.db.connection.vendor,
                  "search": {q: sorted(i["slug"] for i in a["items"]) for q, a in search.items()}}))
"""
#: Words the moved portal must find as the source did: a title word, a word of a summary, a
#: word of a file's text (the demo PDFs'), and a taxonomy name.
SEARCHES = ["bridge", "availability", "penetration", "ISO"]


def source_snapshot() -> tuple[dict, dict]:
    counts = {scope.label(m): m._base_manager.count() for m in scope.exported_models()}
    files = {}
    for model in scope.exported_models():
        for field in scope.file_fields(model):
            names = model._base_manager.exclude(**{field.attname: ""}).values_list(
                field.attname, flat=True
            )
            for name in names:
                with field.storage.open(name, "rb") as stored:
                    key = f"{scope.label(model)}/{field.name}/{name}"
                    files[key] = hashlib.sha256(stored.read()).hexdigest()
    return counts, files


def postgres_reachable(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
        return True
    except psycopg.Error:
        return False


def fresh_target(tmp_path: Path) -> tuple[dict, callable]:
    """Environment of a new installation on the other kind of database, and its clean-up."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sites.settings.test",
        "TRUSTPORTAL_VAR_DIR": str(tmp_path / "target"),
        "REDIS_URL": "",
    }
    if connection.vendor != "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'target.sqlite3'}"
        return env, lambda: None
    if not postgres_reachable(IMPORT_POSTGRES_URL):
        pytest.skip("PostgreSQL is not reachable for the import target")
    import psycopg

    server, name = IMPORT_POSTGRES_URL.rsplit("/", 1)

    def run(sql):
        with psycopg.connect(server + "/postgres", autocommit=True) as admin:
            admin.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}"')
    run(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = IMPORT_POSTGRES_URL
    return env, lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env, *args, timeout=300):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def portal_with_history(demo_users):
    """The demo plus what a running portal accumulates: downloads, an NDA acceptance, feedback,
    a document published with an update note."""
    reader = demo_users["reader"]
    for version in DocumentVersion.objects.filter(files__isnull=False).distinct()[:3]:
        record("download", outcome="allowed", user=reader, version=version, download_id=None)
    current = NdaVersion.current()
    NdaAcceptance.objects.create(
        user=reader,
        username=reader.username,
        nda_version=current,
        language="en",
        text_sha256=current.text_sha256(),
    )
    record("nda_accepted", outcome="ok", user=reader, nda_version=current.version_label)
    Feedback.objects.create(kind="question", comment="Ünïcode survives the move ✓")
    soc2 = TrustDocument.objects.get(slug="soc-2-type-2", locale__language_code="en")
    factories.update_note(soc2, "The bridge letter now covers the fourth quarter.")


@pytest.mark.django_db
def test_round_trip_to_the_other_database_keeps_counts_checksums_and_the_audit_chain(
    portal_with_history, tmp_path
):
    archive = tmp_path / "portal.zip"
    call_command("export_portal", str(archive), stdout=open(os.devnull, "w"))
    counts, files = source_snapshot()
    assert counts["audit.auditentry"] >= 4 and counts["nda.ndaacceptance"] == 1
    assert counts["cms.documentupdatenote"] == 1
    assert counts["wagtailcore.page"] > 50 and counts["wagtailcore.revision"] > 0
    assert counts["wagtailcore.locale"] == 5 and counts["wagtail_localize.translation"] > 0
    assert len(files) > 50  # the demo's PDFs in protected storage

    with zipfile.ZipFile(archive) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
    assert manifest["counts"] == counts
    assert {
        f"{f['model']}/{f['field']}/{f['name']}": f["sha256"] for f in manifest["files"]
    } == files

    found = {}
    for q in SEARCHES:
        answer = Client(HTTP_HOST="localhost").get("/api/v3/trust-documents/", {"q": q}).json()
        found[q] = sorted(item["slug"] for item in answer["items"])
        assert found[q], q  # the source finds something: the comparison below means something
    env, drop = fresh_target(tmp_path)
    try:
        migrated = manage(env, "migrate", "--verbosity", "0")
        assert migrated.returncode == 0, migrated.stderr
        imported = manage(env, "import_portal", str(archive))
        assert imported.returncode == 0, imported.stderr
        assert "Counts, file checksums and the audit chain match." in imported.stdout
        target = run_python(TARGET_REPORT, env, json.dumps(SEARCHES))
        assert target["vendor"] != connection.vendor
        assert target["counts"] == counts
        assert target["files"] == files
        assert target["audit_ok"] is True
        assert target["document_page"] == 200  # the moved portal serves its pages
        # Search finds in the moved portal what it found in the source (its index is rebuilt).
        assert target["search"] == found

        again = manage(env, "import_portal", str(archive))
        assert again.returncode != 0 and "--replace" in again.stderr  # nothing overwritten
    finally:
        drop()


@pytest.mark.django_db
def test_import_refuses_what_is_not_an_archive_or_would_overwrite(tmp_path):
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("hello")
    with pytest.raises(CommandError, match="not a zip file|File is not a zip"):
        call_command("import_portal", str(not_zip))
    no_manifest = tmp_path / "empty.zip"
    with zipfile.ZipFile(no_manifest, "w") as bundle:
        bundle.writestr("data.json", "[]")
    with pytest.raises(CommandError, match="no manifest.json"):
        call_command("import_portal", str(no_manifest))
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_portal", str(tmp_path / "missing.zip"))

    archive = tmp_path / "portal.zip"
    call_command("export_portal", str(archive), stdout=open(os.devnull, "w"))
    users_before = Feedback.objects.count(), NdaAcceptance.objects.count()
    with pytest.raises(CommandError, match="--replace"):
        call_command("import_portal", str(archive))
    assert (Feedback.objects.count(), NdaAcceptance.objects.count()) == users_before


@pytest.mark.django_db
def test_an_archive_from_a_newer_schema_is_refused(tmp_path):
    archive = tmp_path / "portal.zip"
    call_command("export_portal", str(archive), stdout=open(os.devnull, "w"))
    with zipfile.ZipFile(archive) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        members = {name: bundle.read(name) for name in bundle.namelist() if name != "manifest.json"}
    manifest["migrations"]["cms"].append("9999_from_the_future")
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(newer, "w") as bundle:
        bundle.writestr("manifest.json", json.dumps(manifest))
        for name, content in members.items():
            bundle.writestr(name, content)
    with pytest.raises(CommandError, match="9999_from_the_future"):
        call_command("import_portal", str(newer), "--replace")
    assert Client().get("/en/documents/soc-2-type-2/").status_code == 200


@pytest.mark.django_db
def test_a_damaged_archive_changes_nothing(tmp_path):
    archive = tmp_path / "portal.zip"
    call_command("export_portal", str(archive), stdout=open(os.devnull, "w"))
    with zipfile.ZipFile(archive) as bundle:
        members = {name: bundle.read(name) for name in bundle.namelist()}
    data = json.loads(members["data.json"])
    # A version pointing at a document that is not there: the load fails half-way.
    broken = [dict(row) for row in data if row["model"] == "cms.documentversion"][:1]
    broken[0] = {**broken[0], "pk": 987654320}
    broken[0]["fields"] = {**broken[0]["fields"], "document": 987654321}
    members["data.json"] = json.dumps(broken + data).encode()
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(damaged, "w") as bundle:
        for name, content in members.items():
            bundle.writestr(name, content)
    counts_before = {scope.label(m): m._base_manager.count() for m in scope.exported_models()}
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_portal", str(damaged), "--replace")
    counts_after = {scope.label(m): m._base_manager.count() for m in scope.exported_models()}
    assert counts_after == counts_before
    assert "SOC 2 Type 2 report" in Client().get("/en/documents/soc-2-type-2/").content.decode()
