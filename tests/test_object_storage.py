"""Files in an S3-compatible object store (``TRUSTPORTAL_S3_*``), against a real S3 API server
the module starts (moto in server mode, tests/s3_server.py): uploads land in the bucket and not
on disk, downloads (public, watermarked, a starter pack's archive, evidence) stream the objects
through the application, a portal whose files are in a bucket moves to another, and two app
instances on one database, Redis and bucket serve each other's links and NDA acceptances.

The demo's files are copied into the bucket first (what an operator does when moving to one).
This process reads and writes through ``STORAGES`` pointed at the bucket, as the settings make
it from the ``TRUSTPORTAL_S3_*`` variables; the processes the tests start (gunicorn, the import)
get those variables. The export and the two instances commit (``committed``) and remove what
they made.
"""

from __future__ import annotations

import hashlib
import http.cookiejar
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader
from wagtail.images import get_image_model

from cms.files.locations import ObjectStore
from cms.files.object_store import ProtectedObjectStorage
from cms.files.storage import protected_storage
from cms.models import DocumentVersion, Membership, Organization, VersionFile
from plugins.compliance_manager.models import ComplianceRole, Evidence, Role, Template
from plugins.compliance_manager.workflow import create_assessment
from sites.demo.pdf import render_document_pdf
from tests import factories
from tests.helpers import client_for, industry_page, make_pack, make_user, version_form_data
from tests.html_forms import form_with_button
from tests.s3_server import S3Server
from tests.smtp_server import free_port
from tests.workers import (
    LOGS,
    ROOT,
    WORKER_PLUGIN_SETTINGS,
    Worker,
    database_url,
)

BUCKET = "tp-portal"
MOVED_BUCKET = "tp-moved-portal"
DOWNLOAD_LINK = re.compile(r'href="(/en/download/[^"]+/)"')


@pytest.fixture(scope="module")
def s3(django_db_setup):
    """The S3 API server, with the portal's bucket holding the demo's files (copied from this
    run's folders, under the prefixes the portal uses) and an empty one to move a portal to."""
    server = S3Server().start()
    try:
        server.create_bucket(BUCKET)
        server.create_bucket(MOVED_BUCKET)
        client = server.client()
        for root, prefix in (
            (settings.PROTECTED_MEDIA_ROOT, "protected"),
            (settings.MEDIA_ROOT, "media"),
        ):
            for path in Path(root).rglob("*"):
                if path.is_file():
                    key = f"{prefix}/{path.relative_to(root).as_posix()}"
                    client.upload_file(str(path), BUCKET, key)
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def in_the_bucket(s3):
    """This process's storages are the bucket's, as the settings make them from the variables."""
    with override_settings(STORAGES=s3.storages(BUCKET)):
        yield


def object_key(field_file) -> str:
    return f"protected/{field_file.name}"


def on_disk(root, stem: str) -> list[Path]:
    return [path for path in Path(root).rglob(f"*{stem}*") if path.is_file()]


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def streamed(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response.streaming  # through the application, never a redirect to the store
    return b"".join(response.streaming_content)


def download_link(html: str) -> str:
    links = DOWNLOAD_LINK.findall(html)
    assert links, "no download link on the page"
    return links[0]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


# --- configuration ---------------------------------------------------------------------------


def test_the_environment_chooses_the_store_and_keeps_protected_objects_unreachable(s3):
    assert ObjectStore.from_environment({}) is None  # the embedded default: folders
    storages = s3.storages(BUCKET)
    assert storages["protected"]["BACKEND"] == "cms.files.object_store.ProtectedObjectStorage"
    assert storages["protected"]["OPTIONS"]["location"] == "protected"
    assert storages["default"]["OPTIONS"]["location"] == "media"
    for overlapping in ({"PUBLIC_PREFIX": "protected/images"}, {"PUBLIC_PREFIX": ""}):
        with pytest.raises(ImproperlyConfigured, match="overlap"):
            s3.storages(BUCKET, **overlapping)
    assert s3.storages(BUCKET, PUBLIC_BUCKET="tp-media", PUBLIC_PREFIX="")  # a bucket of its own
    for opening in ({"querystring_auth": True}, {"default_acl": "public-read"}):
        with pytest.raises(ImproperlyConfigured, match="private"):
            ProtectedObjectStorage(bucket_name=BUCKET, **opening)
    with pytest.raises(ValueError, match="no URL"):
        protected_storage.url("versions/anything.pdf")


@pytest.mark.django_db
def test_a_file_uploaded_in_the_admin_lands_in_the_bucket_private_and_not_on_disk(s3, demo_users):
    document = factories.document("public", versions=0)
    stem = factories.unique("bucket-upload")
    content = render_document_pdf("Bucket upload", "2026", date(2026, 3, 1), "s", "c")
    response = client_for(demo_users["editor"]).post(
        reverse(DocumentVersion.snippet_viewset.get_url_name("add")),
        version_form_data(document, SimpleUploadedFile(f"{stem}.pdf", content), label=stem),
    )
    assert response.status_code == 302, response.status_code
    stored = DocumentVersion.objects.get(version_label=stem).files.get()
    keys = [key for key in s3.keys(BUCKET, "protected/") if stem in key]
    assert keys == [object_key(stored.file)]
    assert s3.read(BUCKET, keys[0]) == content and stored.sha256 == sha256(content)
    grants = s3.client().get_object_acl(Bucket=BUCKET, Key=keys[0])["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner's alone
    assert "URI" not in grants[0]["Grantee"]  # no AllUsers / AuthenticatedUsers group
    assert not on_disk(settings.PROTECTED_MEDIA_ROOT, stem)

    # Public media (Wagtail's image library) go to their own prefix, linked pre-signed.
    image_stem = factories.unique("bucket-image")
    response = client_for(demo_users["admin"]).post(
        reverse("wagtailimages:add"),
        {"title": image_stem, "file": SimpleUploadedFile(f"{image_stem}.png", png())},
    )
    assert response.status_code == 302, response.status_code
    image_keys = [key for key in s3.keys(BUCKET, "media/") if image_stem in key]
    assert image_keys == [f"media/original_images/{image_stem}.png"]
    assert not on_disk(settings.MEDIA_ROOT, image_stem)
    url = get_image_model().objects.get(title=image_stem).file.url
    assert url.startswith(f"{s3.endpoint_url}/{BUCKET}/media/") and "X-Amz-Signature=" in url


# --- downloads ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_and_watermarked_downloads_stream_the_objects_through_the_application(s3, users):
    public = factories.document("public")
    public_file = public.versions.get().files.get()
    page = Client().get(f"/en/documents/{public.slug}/").content.decode()
    served = streamed(Client().get(download_link(page)))
    assert served == s3.read(BUCKET, object_key(public_file.file))  # byte for byte
    assert sha256(served) == public_file.sha256

    gated = factories.document("nda")
    gated_file = gated.versions.get().files.get()
    reader = client_for(users["member_nda"])
    page = reader.get(f"/en/documents/{gated.slug}/").content.decode()
    response = reader.get(download_link(page))
    copy = streamed(response)
    original = s3.read(BUCKET, object_key(gated_file.file))
    assert copy != original and copy.startswith(b"%PDF")
    text = pdf_text(copy)
    assert f"Download id: {response['X-Download-Id']}" in text and "t-member-nda" in text
    assert len(PdfReader(io.BytesIO(copy)).pages) == len(PdfReader(io.BytesIO(original)).pages)


@pytest.mark.django_db
def test_a_starter_pack_archive_carries_the_objects_and_watermarked_copies(s3, users):
    public, gated = factories.document("public"), factories.document("nda")
    pack = make_pack(industry_page("financial-services"), [public, gated])
    response = client_for(users["member_nda"]).get(f"/en/starter-packs/{pack.pk}/archive/")
    bundle = zipfile.ZipFile(io.BytesIO(streamed(response)))
    pdfs = sorted(name for name in bundle.namelist() if name.endswith(".pdf"))
    assert len(pdfs) == 2
    public_file = public.versions.get().files.get()
    assert bundle.read(pdfs[0]) == s3.read(BUCKET, object_key(public_file.file))
    copy = bundle.read(pdfs[1])
    assert copy.startswith(b"%PDF") and "Download id:" in pdf_text(copy)
    assert "2 documents included." in bundle.read("README.txt").decode()


@pytest.mark.django_db
def test_compliance_evidence_is_uploaded_to_and_downloaded_from_the_bucket(s3):
    organization = Organization.objects.create(name="Bucket Customer", slug="bucket-customer")
    people = {}
    for role in (Role.CONTRIBUTOR, Role.READER):
        people[role] = make_user(f"bucket-{role}")
        Membership.objects.create(user=people[role], organization=organization)
        ComplianceRole.objects.create(user=people[role], organization=organization, role=role)
    template = Template.objects.get(title__contains="LOW IMPACT BASELINE")
    assessment = create_assessment(
        organization, template, "Bucket", "Product", people[Role.CONTRIBUTOR]
    )
    item = assessment.links.select_related("action_item").first().action_item
    content = png()
    response = client_for(people[Role.CONTRIBUTOR]).post(
        f"/en/compliance/actions/{item.pk}/evidence/",
        {"file": SimpleUploadedFile("bucket-shot.png", content)},
    )
    assert response.status_code == 302, response.status_code
    evidence = Evidence.objects.get(action_item=item)
    key = object_key(evidence.file)
    assert key.startswith("protected/compliance-evidence/") and key in s3.keys(BUCKET)
    assert s3.read(BUCKET, key) == content
    assert not on_disk(settings.PROTECTED_MEDIA_ROOT, Path(evidence.file.name).stem)
    download = client_for(people[Role.READER]).get(f"/en/compliance/evidence/{evidence.pk}/")
    assert streamed(download) == content


# --- moving a portal whose files are in a bucket ---------------------------------------------


def copy_of_the_test_database(tmp_path) -> tuple[str, callable]:
    """A database holding what the test database holds (the target of an import with
    ``--replace``, quicker to make than a migrated one), and its removal."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        target = tmp_path / "moved.sqlite3"
        source, copy = sqlite3.connect(settings_dict["NAME"]), sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()
        return f"sqlite:///{target}", lambda: None
    name = settings_dict["NAME"].removeprefix("test_") + "_moved"
    server = database_url().rsplit("/", 1)[0]

    def run(sql):
        with psycopg.connect(server + "/postgres", autocommit=True) as admin:
            admin.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}"')
    connection.close()  # a template database must have no other session
    for attempt in range(50):
        try:
            run(f'CREATE DATABASE "{name}" TEMPLATE "{settings_dict["NAME"]}"')
            break
        except psycopg.errors.ObjectInUse:  # sessions of servers just stopped, ending
            if attempt == 49:
                raise
            time.sleep(0.2)
    return f"{server}/{name}", lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_portal_whose_files_are_in_a_bucket_moves_to_another_bucket(s3, committed, tmp_path):
    archive = tmp_path / "portal.zip"
    call_command("export_portal", str(archive), stdout=io.StringIO())
    with zipfile.ZipFile(archive) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
    # Every file the rows name was read from the bucket, where the portal keeps it.
    assert manifest["missing_files"] == []
    in_bucket = {
        f"{stored_location(record)}/{record['name']}": record["sha256"]
        for record in manifest["files"]
    }
    assert len(in_bucket) > 50  # the demo's PDFs
    assert {key: sha256(s3.read(BUCKET, key)) for key in in_bucket} == in_bucket

    database_url, drop = copy_of_the_test_database(tmp_path)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sites.settings.test",
        "DATABASE_URL": database_url,
        "TRUSTPORTAL_VAR_DIR": str(tmp_path / "moved"),
        "REDIS_URL": "",
        **s3.environment(MOVED_BUCKET),
    }
    try:
        imported = subprocess.run(
            [sys.executable, "manage.py", "import_portal", str(archive), "--replace"]
            + ["--skip-search-index"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        drop()
    assert imported.returncode == 0, imported.stderr
    assert "Counts, file checksums and the audit chain match." in imported.stdout
    moved = {key: sha256(s3.read(MOVED_BUCKET, key)) for key in s3.keys(MOVED_BUCKET)}
    assert moved == in_bucket  # each file under its prefix in the new bucket, byte for byte
    assert not [path for path in (tmp_path / "moved").rglob("*") if path.is_file()]


def stored_location(record: dict) -> str:
    """The prefix of the storage a manifest's file record belongs to (protected or media)."""
    return apps.get_model(record["model"])._meta.get_field(record["field"]).storage.location


# --- two app instances on one database, Redis and bucket ---------------------------------------

PREFIX = "s3-instances"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """A browser over real HTTP with cookies of its own (session, CSRF); a redirect is an answer
    to check, not a page to fetch."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies, _NoRedirects)

    def get(self, path: str) -> tuple[int, bytes]:
        return self._open(urllib.request.Request(self.base_url + path))

    def post(self, path: str, data: dict) -> tuple[int, bytes]:
        body = urlencode(data, doseq=True).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=body, method="POST"))

    def sign_in(self, username: str, password: str) -> None:
        _status, page = self.get("/en/accounts/login/")
        data = form_with_button(page.decode(), "Sign in").data("Sign in")
        status, _body = self.post(
            "/en/accounts/login/", {**data, "username": username, "password": password}
        )
        assert status == 302, f"signing in on {self.base_url}: {status}"

    def _open(self, request) -> tuple[int, bytes]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def serving(url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:  # refused until gunicorn listens
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"gunicorn did not answer; see {log}")
        time.sleep(0.2)


@pytest.fixture
def two_instances(request, s3, redis_server, smtp):
    """Two gunicorn instances, A and B, as two machines would run them: one test database,
    one Redis, one bucket, nothing else in common."""
    instances = []
    try:
        for name in ("a", "b"):
            web = Worker(
                redis_server.url,
                smtp.port,
                WORKER_PLUGIN_SETTINGS,
                LOGS / f"{request.node.name}-{name}.log",
            )
            web.env.update(s3.environment(BUCKET))
            port = free_port()
            web.start_web(port, workers=1, threads=2)
            instances.append((f"http://127.0.0.1:{port}", web))
        for url, web in instances:
            serving(url, web.log)
        yield [url for url, _web in instances]
    finally:
        for _url, web in instances:
            web.kill()


def test_two_instances_serve_each_others_links_and_nda_acceptances(s3, two_instances, cleanup):
    a, b = two_instances
    # A download link handed out by A is served by B, from the bucket.
    _status, page = Visitor(a).get("/en/documents/soc-3/")
    status, served = Visitor(b).get(download_link(page.decode()))
    public_file = VersionFile.objects.get(
        version__document__slug="soc-3",
        version__document__locale__language_code="en",
        language="en",
    )
    assert status == 200 and served == s3.read(BUCKET, object_key(public_file.file))

    # An NDA accepted on A (signed in there) is honoured by B (signed in there on its own).
    cleanup["prefixes"].append(PREFIX)
    username = f"{factories.unique(PREFIX)}-reader"
    user = make_user(username, first_name="Rita", last_name="Bucket")
    organization = Organization.objects.create(
        name="Bucket Bank", slug=factories.unique("workers-bucket-bank")
    )
    Membership.objects.create(user=user, organization=organization)
    report = "/en/documents/soc-2-type-2/"
    on_a, on_b = Visitor(a), Visitor(b)
    on_a.sign_in(username, f"pw-{username}")
    on_b.sign_in(username, f"pw-{username}")
    _status, page = on_b.get(report)
    assert not DOWNLOAD_LINK.findall(page.decode())  # the NDA first

    _status, page = on_a.get(f"/en/nda/accept/?{urlencode({'next': report})}")
    accept = form_with_button(page.decode(), "Accept").data("Accept")
    status, _body = on_a.post("/en/nda/accept/", {**accept, "accept": "yes"})
    assert status == 302, status

    _status, page = on_b.get(report)
    status, copy = on_b.get(download_link(page.decode()))
    assert status == 200 and copy.startswith(b"%PDF")
    text = pdf_text(copy)
    assert "Rita Bucket" in text and "Bucket Bank" in text  # watermarked for her, on B
