"""Shared by the export/import tests (tests/test_portability.py, test_portability_tampering.py):
a portal's history, snapshots of an installation (every table's rows and every stored file,
hashed), archives spoiled in every way the import must refuse, and a second installation on the
other kind of database, migrated once per module."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import connection, connections, models

from cms.audit import record
from cms.models import DocumentVersion, TrustDocument
from cms.portability import signing
from plugins.feedback.models import Feedback
from plugins.nda.models import NdaAcceptance, NdaVersion
from tests import factories

ROOT = Path(__file__).resolve().parents[1]
#: The signing keys the tests use (a real one is random: ``secrets.token_urlsafe(48)``).
KEY = b"portal-archive-key-for-tests-0123456789abcdef"
OTHER_KEY = b"another-portal-archive-key-for-tests-987654321"

IMPORT_POSTGRES_URL = os.environ.get(
    "TRUSTPORTAL_IMPORT_TEST_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/trustportal_import_roundtrip",
)


# --- a portal with a history -------------------------------------------------------------------


def add_history() -> None:
    """What a running portal accumulates beyond the demo: downloads, an NDA acceptance,
    feedback, a document published with an update note."""
    reader = get_user_model().objects.get(username="reader")
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


# --- what an installation holds ----------------------------------------------------------------


def row_digests(data: bytes) -> dict[str, str]:
    """SHA-256 of each model's rows in ``data`` (an archive's data.json), in any order and
    however the database orders a JSON object's keys (a stream field's text comes back from
    PostgreSQL's jsonb with its keys sorted)."""

    def canonical(value):
        if isinstance(value, str) and value[:1] in "[{":
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    rows: dict[str, list[str]] = {}
    for row in json.loads(data):
        fields = {name: canonical(value) for name, value in row["fields"].items()}
        rows.setdefault(row["model"], []).append(
            json.dumps([row.get("pk"), fields], sort_keys=True)
        )
    return {
        model: hashlib.sha256("\n".join(sorted(texts)).encode()).hexdigest()
        for model, texts in rows.items()
    }


def _plain(value):
    # A memoryview's repr names its address: compare its bytes.
    return bytes(value) if isinstance(value, memoryview) else value


def table_digests(using: str = "default") -> dict[str, str]:
    """SHA-256 of every table's rows (in a fixed order), and of the sequences' positions."""
    db = connections[using]
    digests = {}
    with db.cursor() as cursor:
        tables = db.introspection.table_names(cursor)
        if db.vendor == "sqlite":
            tables.append("sqlite_sequence")
        for table in tables:
            cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")
            rows = sorted(repr(tuple(map(_plain, row))) for row in cursor.fetchall())
            digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        if db.vendor == "postgresql":
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = current_schema() ORDER BY sequencename"
            )
            digests["<sequences>"] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return digests


def file_storages() -> dict[str, object]:
    """Every storage a file field of an installed model uses, and the default one."""
    found = {"default": default_storage}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                found[f"{model._meta.label_lower}.{field.name}"] = field.storage
    unique = {}
    for name, storage in found.items():
        where = getattr(storage, "location", None) or getattr(storage, "bucket_name", name)
        unique.setdefault(f"{type(storage).__name__}:{where}", storage)
    return unique


def stored_files(storage, path: str = "") -> dict[str, str]:
    """Every file under ``path`` with its SHA-256, every folder as ``name/``."""
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        return {}
    found = {}
    for name in files:
        with storage.open(f"{path}{name}", "rb") as stored:
            found[f"{path}{name}"] = hashlib.sha256(stored.read()).hexdigest()
    for name in directories:
        found[f"{path}{name}/"] = "folder"
        found.update(stored_files(storage, f"{path}{name}/"))
    return found


def snapshot(using: str = "default") -> dict:
    return {
        "tables": table_digests(using),
        "files": {key: stored_files(storage) for key, storage in file_storages().items()},
    }


def differences(before: dict, after: dict) -> list[str]:
    """What changed between two snapshots: tables, then files, by name."""
    changed = [
        f"table {name}"
        for name in sorted(set(before["tables"]) | set(after["tables"]))
        if before["tables"].get(name) != after["tables"].get(name)
    ]
    for storage in sorted(set(before["files"]) | set(after["files"])):
        was, now = before["files"].get(storage, {}), after["files"].get(storage, {})
        changed += [
            f"file {storage}/{name}"
            for name in sorted(set(was) | set(now))
            if was.get(name) != now.get(name)
        ]
    return changed


#: Run in a target installation: each import of ``sys.argv[1]`` (a JSON object of case names
#: and command arguments), its error, and what it changed.
ATTEMPTS = """
import io, json, sys, django
django.setup()
from django.core.management import CommandError, call_command
from tests.portal_archives import differences, snapshot
results, before = {}, snapshot()
for name, arguments in json.loads(sys.argv[1]).items():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_portal", *arguments, stdout=out, stderr=err)
        error = None
    except CommandError as refused:
        error = str(refused)
    after = snapshot()
    results[name] = {"error": error, "stderr": err.getvalue(), "stdout": out.getvalue(),
                     "changed": differences(before, after)}
    before = after
print(json.dumps(results))
"""


# --- spoiled archives --------------------------------------------------------------------------


@dataclass
class Spoiled:
    path: Path
    #: What the refusal says (a regular expression), given the key, and given none (``None``:
    #: without the key, nothing tells this archive from a genuine one).
    with_key: str
    without_key: str | None


def members_of(archive: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(archive) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def write_archive(path: Path, members: dict[str, bytes], *, sign_with: bytes | None = None):
    """Write ``members`` as an archive; with ``sign_with``, ``signature.json`` is made anew for
    the manifest (as someone holding that key would)."""
    members = dict(members)
    if sign_with is not None:
        members[signing.SIGNATURE] = signing.signature(members["manifest.json"], sign_with)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, content in members.items():
            bundle.writestr(name, content)
    return path


def with_data(members: dict[str, bytes], rows: list, *, counts_too: bool = True) -> dict:
    """``members`` with ``data.json`` holding ``rows`` and the manifest describing it."""
    data = json.dumps(rows).encode()
    manifest = json.loads(members["manifest.json"])
    manifest["data"] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    if counts_too:
        counted: dict[str, int] = {}
        for row in rows:
            counted[row["model"]] = counted.get(row["model"], 0) + 1
        manifest["counts"] = {label: counted.get(label, 0) for label in manifest["counts"]}
    return {**members, "data.json": data, "manifest.json": json.dumps(manifest).encode()}


def with_manifest(members: dict[str, bytes], change) -> dict:
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    return {**members, "manifest.json": json.dumps(manifest).encode()}


def _pdf_member(members: dict[str, bytes]) -> str:
    return sorted(name for name in members if name.endswith(".pdf"))[0]


def _damaged_member(good: Path, path: Path) -> Path:
    """Bytes in the middle of a PDF's compressed stream overwritten: the archive opens, the
    member does not inflate (or fails its CRC)."""
    with zipfile.ZipFile(good) as bundle:
        info = bundle.getinfo(_pdf_member(members_of(good)))
    raw = bytearray(good.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 8, start + min(info.compress_size - 8, 64)):
        raw[offset] ^= 0xA5
    path.write_bytes(raw)
    return path


def _edited_rows(rows: list) -> list:
    """An NDA acceptance's text hash and address changed, ``personal`` made superuser."""
    rows = [dict(row, fields=dict(row["fields"])) for row in rows]
    acceptance = next(row for row in rows if row["model"] == "nda.ndaacceptance")
    acceptance["fields"].update(text_sha256="0" * 64, ip="203.0.113.66")
    user = next(
        r for r in rows if r["model"] == "auth.user" and r["fields"]["username"] == "personal"
    )
    user["fields"].update(is_superuser=True, is_staff=True)
    return rows


def _audit_row_edited(rows: list) -> list:
    rows = [dict(row, fields=dict(row["fields"])) for row in rows]
    entry = next(row for row in rows if row["model"] == "audit.auditentry")
    entry["fields"]["ip"] = "198.51.100.7"
    return rows


def _version_of_no_document(rows: list) -> list:
    """A version pointing at a document that is not there: the load fails half-way."""
    version = next(row for row in rows if row["model"] == "cms.documentversion")
    fields = {**version["fields"], "document": 987654321, "translation_key": str(uuid.uuid4())}
    orphan = dict(version, pk=987654320, fields=fields)
    return rows + [orphan]


def _latest_migration_dropped(manifest: dict) -> None:
    manifest["migrations"]["cms"] = sorted(manifest["migrations"]["cms"])[:-1]


def spoiled_archives(good: Path, directory: Path) -> dict[str, Spoiled]:
    """Every way an archive (``good``, signed with ``KEY``) can be damaged or tampered with,
    and what the import says of each."""
    directory.mkdir(parents=True, exist_ok=True)
    members = members_of(good)
    rows = json.loads(members["data.json"])
    acceptances = sum(1 for row in rows if row["model"] == "nda.ndaacceptance")
    pdf = _pdf_member(members)
    swapped = bytearray(members[pdf])
    swapped[200:400] = swapped[200:400][::-1]
    unsigned = {name: content for name, content in members.items() if name != signing.SIGNATURE}
    changed = "the manifest was changed after the archive was signed"
    altered = r"'s SHA-256 differs from the manifest's| is \d+ bytes; the manifest says"
    spoiled = {
        "damaged member": Spoiled(
            _damaged_member(good, directory / "damaged.zip"),
            rf"damaged: {pdf} cannot be read",
            rf"damaged: {pdf} cannot be read",
        ),
        "truncated zip": Spoiled(
            directory / "truncated.zip", "truncated or damaged", "truncated or damaged"
        ),
        "swapped PDF bytes": Spoiled(
            write_archive(directory / "swapped.zip", {**members, pdf: bytes(swapped)}),
            rf"{pdf}'s SHA-256 differs",
            rf"{pdf}'s SHA-256 differs",
        ),
        "edited data.json": Spoiled(
            write_archive(
                directory / "edited-data.zip",
                {**members, "data.json": json.dumps(_edited_rows(rows)).encode()},
            ),
            rf"data\.json({altered})",
            rf"data\.json({altered})",
        ),
        "edited data.json and manifest": Spoiled(
            write_archive(directory / "edited-both.zip", with_data(members, _edited_rows(rows))),
            changed,
            None,
        ),
        "edited manifest": Spoiled(
            write_archive(
                directory / "edited-manifest.zip",
                with_manifest(
                    members, lambda m: m["counts"].update({"nda.ndaacceptance": acceptances + 1})
                ),
            ),
            changed,
            f"data.json holds {acceptances} rows of nda.ndaacceptance; the manifest says "
            f"{acceptances + 1}",
        ),
        "missing signature": Spoiled(
            write_archive(directory / "unsigned.zip", unsigned),
            "not signed, and a signing key was given",
            None,
        ),
        "signed with another key": Spoiled(
            write_archive(directory / "other-key.zip", unsigned, sign_with=OTHER_KEY),
            "signed with another key",
            None,
        ),
        "audit row edited": Spoiled(
            write_archive(
                directory / "audit-edited.zip",
                with_data(unsigned, _audit_row_edited(rows)),
                sign_with=KEY,
            ),
            "audit log does not verify: Audit chain broken at entry 1 .altered.",
            "audit log does not verify: Audit chain broken at entry 1 .altered.",
        ),
        "migrations ahead": Spoiled(
            write_archive(
                directory / "newer.zip",
                with_manifest(
                    unsigned, lambda m: m["migrations"]["cms"].append("9999_from_the_future")
                ),
                sign_with=KEY,
            ),
            "lacks migrations the archive was made with .*cms: 9999_from_the_future",
            "lacks migrations the archive was made with .*cms: 9999_from_the_future",
        ),
        "migrations behind": Spoiled(
            write_archive(
                directory / "older.zip",
                with_manifest(unsigned, _latest_migration_dropped),
                sign_with=KEY,
            ),
            "archive was made before migrations this installation has .*cms: ",
            "archive was made before migrations this installation has .*cms: ",
        ),
        "rows that do not load": Spoiled(
            write_archive(
                directory / "unloadable.zip",
                with_data(unsigned, _version_of_no_document(rows)),
                sign_with=KEY,
            ),
            "data could not be loaded",
            "data could not be loaded",
        ),
    }
    raw = good.read_bytes()
    spoiled["truncated zip"].path.write_bytes(raw[: len(raw) // 2])
    return spoiled


# --- a second installation ---------------------------------------------------------------------


def _postgres_reachable(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
        return True
    except psycopg.Error:
        return False


def _admin_sql(server: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(server + "/postgres", autocommit=True) as admin:
        for statement in statements:
            admin.execute(statement)


class Target:
    """A new installation on the other kind of database than this run's (PostgreSQL when the
    suite runs on SQLite, and the other way round), with its own files. Migrated once; ``reset``
    brings it back to just migrated in a second (a copy of the database as migrate left it),
    so that a module pays for one migration whatever its tests do to it."""

    #: The archive it was last given, for a test that needs it to hold a portal.
    holds: Path | None = None

    def __init__(self, directory: Path):
        self.directory = directory
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sites.settings.test",
            "TRUSTPORTAL_VAR_DIR": str(directory / "var"),
            # Its files in one folder whichever process of it runs (the test settings name the
            # folder after the run, and after the pytest-xdist worker if there is one).
            "TRUSTPORTAL_TEST_RUN": "target",
            "REDIS_URL": "",
        }
        for name in ("PYTEST_XDIST_WORKER", signing.ENVIRONMENT_VARIABLE):
            self.env.pop(name, None)
        if connection.vendor == "sqlite":
            if not _postgres_reachable(IMPORT_POSTGRES_URL):
                pytest.skip("PostgreSQL is not reachable for the import target")
            self.server, self.name = IMPORT_POSTGRES_URL.rsplit("/", 1)
            self.env["DATABASE_URL"] = IMPORT_POSTGRES_URL
            _admin_sql(
                self.server,
                f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
                f'DROP DATABASE IF EXISTS "{self.name}_template"',
                f'CREATE DATABASE "{self.name}"',
            )
        else:
            self.server = None
            self.sqlite = directory / "target.sqlite3"
            self.env["DATABASE_URL"] = f"sqlite:///{self.sqlite}"
        migrated = self.manage("migrate", "--verbosity", "0", timeout=600)
        assert migrated.returncode == 0, migrated.stderr
        if self.server:
            _admin_sql(
                self.server, f'CREATE DATABASE "{self.name}_template" TEMPLATE "{self.name}"'
            )
        else:
            shutil.copyfile(self.sqlite, directory / "template.sqlite3")

    @property
    def files(self) -> Path:
        """The folder of its storages' folders (``protected/``, ``media/``)."""
        return self.directory / "var" / "test" / "target"

    @property
    def vendor(self) -> str:
        return "postgresql" if self.server else "sqlite"

    def reset(self) -> None:
        """As just migrated: the database as migrate left it, no files."""
        shutil.rmtree(self.directory / "var", ignore_errors=True)
        if self.server:
            _admin_sql(
                self.server,
                f'DROP DATABASE "{self.name}" WITH (FORCE)',
                f'CREATE DATABASE "{self.name}" TEMPLATE "{self.name}_template"',
            )
        else:
            shutil.copyfile(self.directory / "template.sqlite3", self.sqlite)

    def drop(self) -> None:
        if self.server:
            _admin_sql(
                self.server,
                f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
                f'DROP DATABASE IF EXISTS "{self.name}_template"',
            )

    def manage(self, *args: str, timeout: int = 300, env: dict | None = None):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
