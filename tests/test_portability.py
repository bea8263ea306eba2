"""export_portal / import_portal: the seeded portal (with downloads in its audit log, NDA
acceptances and feedback) moved to a new installation on the other kind of database (SQLite →
PostgreSQL, or PostgreSQL → SQLite when the suite runs on PostgreSQL), compared model by model
and file by file by a separate process that reads the target itself; replaced there by a later
state of the portal; and refused, leaving the new installation byte for byte as it was, in
every way an archive can be damaged or tampered with. The target is migrated once for the
module (``Target``) and brought back to just migrated where a test needs it so."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from cms.files.storage import protected_storage
from cms.models import DocumentVersion, TrustDocument, VersionFile
from cms.portability import scope, signing
from plugins.feedback.models import Feedback
from plugins.nda.models import NdaAcceptance
from tests import factories
from tests.helpers import run_python
from tests.portal_archives import (
    ATTEMPTS,
    KEY,
    Target,
    add_history,
    members_of,
    row_digests,
    spoiled_archives,
    write_archive,
)

pytestmark = pytest.mark.django_db

#: Run in the target installation after the import: what it holds, read by itself.
TARGET_REPORT = """
import hashlib, json, sys, tempfile, zipfile, django
SEARCHES = json.loads(sys.argv[1])
django.setup()
from django.test import Client
from cms.audit import verify
from cms.portability import scope
from cms.portability.archive import export_archive
from tests.portal_archives import row_digests
counts = {scope.label(m): m._base_manager.count() for m in scope.exported_models()}
files = {}
for model in scope.exported_models():
    for field in scope.file_fields(model):
        stored_names = model._base_manager.exclude(**{field.attname: ""})
        for name in stored_names.values_list(field.attname, flat=True):
            with field.storage.open(name, "rb") as stored:
                digest = hashlib.sha256(stored.read()).hexdigest()
            files[f"{scope.label(model)}/{field.name}/{name}"] = digest
with tempfile.TemporaryDirectory() as folder:
    export_archive(f"{folder}/again.zip")
    with zipfile.ZipFile(f"{folder}/again.zip") as again:
        rows = row_digests(again.read("data.json"))
page = Client(HTTP_HOST="localhost").get("/en/documents/soc-2-type-2/")
search = {q: Client(HTTP_HOST="localhost").get("/api/v3/trust-documents/", {"q": q}).json()
          for q in SEARCHES}
print(json.dumps({"counts": counts, "files": files, "rows": rows, "audit_ok": verify().ok,
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


@pytest.fixture(scope="module")
def portal(module_db, django_db_blocker, tmp_path_factory):
    """The portal with its history, exported once, signed with ``KEY``."""
    directory = tmp_path_factory.mktemp("portal")
    key_file = directory / "archive.key"
    key_file.write_bytes(KEY + b"\n")
    archive = directory / "portal.zip"
    with django_db_blocker.unblock():
        add_history()
        call_command(
            "export_portal", str(archive), "--signing-key-file", str(key_file), stdout=io.StringIO()
        )
        counts, files = source_snapshot()
    return SimpleNamespace(archive=archive, key_file=key_file, counts=counts, files=files)


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    installation = Target(tmp_path_factory.mktemp("target"))
    yield installation
    installation.drop()


def test_round_trip_to_the_other_database_keeps_counts_checksums_and_the_audit_chain(
    portal, target
):
    counts, files = portal.counts, portal.files
    assert counts["audit.auditentry"] >= 4 and counts["nda.ndaacceptance"] == 1
    assert counts["cms.documentupdatenote"] == 1
    assert counts["wagtailcore.page"] > 50 and counts["wagtailcore.revision"] > 0
    assert counts["wagtailcore.locale"] == 5 and counts["wagtail_localize.translation"] > 0
    assert len(files) > 50  # the demo's PDFs in protected storage

    with zipfile.ZipFile(portal.archive) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        data = bundle.read("data.json")
        assert signing.SIGNATURE in bundle.namelist()
    assert manifest["counts"] == counts
    assert {
        f"{f['model']}/{f['field']}/{f['name']}": f["sha256"] for f in manifest["files"]
    } == files
    assert manifest["data"] == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    found = {}
    for q in SEARCHES:
        answer = Client(HTTP_HOST="localhost").get("/api/v3/trust-documents/", {"q": q}).json()
        found[q] = sorted(item["slug"] for item in answer["items"])
        assert found[q], q  # the source finds something: the comparison below means something
    target.reset()
    imported = target.manage(
        "import_portal", str(portal.archive), "--signing-key-file", str(portal.key_file)
    )
    assert imported.returncode == 0, imported.stderr
    assert "Signature verified with the signing key given." in imported.stdout
    assert "Counts, file checksums and the audit chain match." in imported.stdout
    moved = run_python(TARGET_REPORT, target.env, json.dumps(SEARCHES))
    assert moved["vendor"] == target.vendor != connection.vendor
    assert moved["counts"] == counts
    # Every row as it was, many-to-many links included (the target exports itself again).
    assert moved["rows"] == row_digests(data)
    assert moved["files"] == files
    assert moved["audit_ok"] is True
    assert moved["document_page"] == 200  # the moved portal serves its pages
    # Search finds in the moved portal what it found in the source (its index is rebuilt).
    assert moved["search"] == found

    again = target.manage("import_portal", str(portal.archive))
    assert again.returncode != 0 and "--replace" in again.stderr  # nothing overwritten
    target.holds = portal.archive


def test_replace_leaves_only_the_files_of_the_portal_imported(portal, target, tmp_path):
    if target.holds != portal.archive:
        target.reset()
        first = target.manage(
            "import_portal", str(portal.archive), "--skip-search-index", "--signing-key-file",
            str(portal.key_file),
        )  # fmt: skip
        assert first.returncode == 0, first.stderr
    # A later state of the portal: one file gone with its version, one new version and file.
    # The demo's translated versions hold their source's files (same stored names): the file
    # goes when no version holds it any longer.
    gone_name = VersionFile.objects.order_by("pk").first().file.name
    DocumentVersion.objects.filter(files__file=gone_name).delete()
    soc2 = TrustDocument.objects.get(slug="soc-2-type-2", locale__language_code="en")
    added = factories.version(soc2, label="2027").files.get().file.name
    later = tmp_path / "later.zip"
    call_command(
        "export_portal",
        str(later),
        "--signing-key-file",
        str(portal.key_file),
        stdout=io.StringIO(),
    )
    later_manifest = json.loads(members_of(later)["manifest.json"])
    later_files = {record["name"] for record in later_manifest["files"]}
    # Protected files (versions) and public media (the branding's images) in their own folders.
    later_stored = {f"{_folder_of(record)}/{record['name']}" for record in later_manifest["files"]}
    assert any(name.startswith("media/original_images/") for name in later_stored)
    assert added in later_files and gone_name not in later_files

    # Imported without the key: it is, but the operator is told the signature went unchecked.
    replaced = target.manage("import_portal", str(later), "--replace", "--skip-search-index")
    assert replaced.returncode == 0, replaced.stderr
    assert "its signature was NOT checked" in replaced.stdout
    assert re.search(r"\b1 of the replaced portal removed", replaced.stdout), replaced.stdout
    target.holds = later

    # Nothing of the replaced portal left, nothing staged left (not even a folder): the target's
    # files are the archive's files, each in its storage under its stored name, and nothing else.
    stored = list(target.files.rglob("*"))
    assert {
        str(path.relative_to(target.files)) for path in stored if path.is_file()
    } == later_stored
    assert not [path for path in stored if "portal-import-staging-" in str(path)]


def _folder_of(record) -> str:
    """The target's folder of the storage a manifest's file record belongs to."""
    storage = apps.get_model(record["model"])._meta.get_field(record["field"]).storage
    return "protected" if storage is protected_storage else "media"


def test_bad_archives_change_nothing_in_a_new_installation(portal, target, tmp_path):
    """Each damaged or tampered archive, imported into a just-migrated installation (no
    --replace needed), with the signing key and without: refused in one line, and the
    installation's every table and file as before (``ATTEMPTS`` compares them)."""
    target.reset()
    target.holds = None
    spoiled = spoiled_archives(portal.archive, tmp_path)
    key = ["--signing-key-file", str(portal.key_file)]
    attempts = {name: [str(bad.path), *key] for name, bad in spoiled.items()}
    # Without the key too, but for the rows that do not load: that refusal does not depend on
    # the key, and loading them is the slowest attempt (tests/test_portability_tampering.py
    # tries it without the key).
    attempts |= {
        f"{name}, no key": [str(bad.path)]
        for name, bad in spoiled.items()
        if bad.without_key and name != "rows that do not load"
    }
    results = run_python(ATTEMPTS, target.env, json.dumps(attempts), timeout=600)
    assert set(results) == set(attempts)
    for name, result in results.items():
        bad = spoiled[name.removesuffix(", no key")]
        expected = bad.without_key if name.endswith(", no key") else bad.with_key
        assert result["error"] and re.search(expected, result["error"]), (name, result)
        assert "\n" not in result["error"] and result["stderr"] == "", (name, result)
        assert result["error"].endswith("The installation is unchanged."), (name, result)
        assert result["changed"] == [], (name, result["changed"])

    # As the operator sees it: one line on stderr, a non-zero exit status (and the key read
    # from the environment).
    refused = target.manage(
        "import_portal", str(spoiled["missing signature"].path),
        env={signing.ENVIRONMENT_VARIABLE: KEY.decode()},
    )  # fmt: skip
    assert refused.returncode == 1, refused.stderr
    assert refused.stderr.startswith("CommandError: The archive is not signed, and a signing key")
    assert refused.stderr.count("\n") == 1, refused.stderr


def test_import_refuses_what_is_not_an_archive_or_would_overwrite(portal, tmp_path):
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("hello")
    with pytest.raises(CommandError, match="not a portal archive.*File is not a zip"):
        call_command("import_portal", str(not_zip), "--replace")
    no_manifest = write_archive(tmp_path / "empty.zip", {"data.json": b"[]"})
    with pytest.raises(CommandError, match="no manifest.json"):
        call_command("import_portal", str(no_manifest), "--replace")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_portal", str(tmp_path / "missing.zip"), "--replace")

    users_before = Feedback.objects.count(), NdaAcceptance.objects.count()
    with pytest.raises(CommandError, match="--replace"):
        call_command("import_portal", str(portal.archive))
    assert (Feedback.objects.count(), NdaAcceptance.objects.count()) == users_before
    assert Client().get("/en/documents/soc-2-type-2/").status_code == 200


def test_a_signing_key_must_be_long_and_readable(portal, tmp_path):
    short = tmp_path / "short.key"
    short.write_text("too-short")
    with pytest.raises(CommandError, match="shorter than 32 characters"):
        call_command("export_portal", str(tmp_path / "x.zip"), "--signing-key-file", str(short))
    assert not (tmp_path / "x.zip").exists()
    # The key typed where its file's name goes: refused, and not echoed.
    with pytest.raises(CommandError, match="Cannot read the signing key file") as refused:
        call_command("import_portal", str(portal.archive), "--signing-key-file", KEY.decode())
    assert KEY.decode() not in str(refused.value)
