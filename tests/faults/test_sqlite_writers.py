"""The embedded default takes concurrent writes: twenty of each kind at once, over real HTTP
against a multi-threaded server on the SQLite file database (twenty readers saving to My
Library and accepting the NDA through the API; versions and series published, and series
edited, from twenty admin sessions), and every write is there, none answered 500.

Twenty parallel writes once gave eleven 500s, "database is locked": SQLite's deferred
transactions cannot wait for another writer once they have read (Wagtail's edit view reads,
then writes: with deferred transactions, eighteen of the twenty edits here fail), and
publishes that failed that way left their new versions behind as drafts. The settings now
begin every transaction IMMEDIATE (a writer queues for the lock, up to 20 s) in WAL mode
(readers never wait), and the admin saves and publishes in one transaction
(``cms.admin_saves``; tests/faults/test_atomic_publishing.py).

SQLite only: PostgreSQL's row locks make writers wait anyway. The server's threads have
connections of their own, so these tests commit (``committed``) and remove what they made; the
audit entries stay (the log is append-only).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from wagtail.models import Locale

from cms.audit import AuditEntry
from cms.models import Category, DocumentVersion, Membership, Organization, TrustDocument
from plugins.library.models import SavedDocument
from plugins.nda.models import NdaAcceptance
from search.cards import source_documents
from tests import factories
from tests.concurrent_http import TIMES, Browser, at_once, post_json, send, statuses
from tests.helpers import bearer, document_form_data, make_user, version_form_data
from tests.live_server import serving_test_database

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's locking only (the embedded default)"
)

PREFIX = "writers"


# --- twenty requests at once --------------------------------------------------------------------


def without_server_errors(sends) -> Counter:
    """``sends`` at once; how many answered each status, none of them a 5xx."""
    answers = at_once(sends)
    errors = [body[:300] for status, body in answers if status >= 500]
    assert not errors, (statuses(answers), errors)
    return statuses(answers)


# --- a committed world, removed afterwards ------------------------------------------------------


@pytest.fixture(scope="module")
def portal(committed):
    with serving_test_database() as url:
        yield url


@pytest.fixture
def readers(portal, cleanup):
    """Twenty members of one organization (user names ``writers-…``), each with an API token;
    removed after the test with what they made."""
    cleanup["prefixes"].append(PREFIX)
    name = factories.unique(PREFIX)
    organization = Organization.objects.create(name=f"Org {name}", slug=name)
    users = [make_user(f"{name}-{number}") for number in range(TIMES)]
    for user in users:
        Membership.objects.create(user=user, organization=organization)
    yield [(user, {"Authorization": bearer(user)["HTTP_AUTHORIZATION"]}) for user in users]
    # Evidence is never deleted by the portal; these are a test's, and would outlive the users.
    NdaAcceptance.objects.filter(user__in=users).delete()
    organization.delete()


@pytest.fixture
def admin_sessions(portal, cleanup):
    admin = get_user_model().objects.get(username="admin")
    sessions = [Browser(portal, admin) for _ in range(TIMES)]
    yield sessions
    Session.objects.filter(pk__in=[session.session_key for session in sessions]).delete()


def public_document(reader) -> TrustDocument:
    return source_documents(reader).filter(access_level="public").order_by("pk").first()


# --- the connection's settings -----------------------------------------------------------------


# In a test transaction, which also has pytest-django set the test database up when this module
# runs alone (the committed tests below do not ask for it).
@pytest.mark.django_db
def test_connections_run_in_wal_mode_with_a_busy_timeout_and_immediate_transactions():
    with connection.cursor() as cursor:
        pragmas = {}
        for pragma in ("journal_mode", "busy_timeout", "synchronous"):
            cursor.execute(f"PRAGMA {pragma}")
            pragmas[pragma] = cursor.fetchone()[0]
    # busy_timeout in milliseconds; synchronous 1 is NORMAL.
    assert pragmas == {"journal_mode": "wal", "busy_timeout": 20_000, "synchronous": 1}
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


# --- readers: My Library and the NDA ------------------------------------------------------------


def test_twenty_readers_save_a_document_to_my_library_at_once(portal, readers):
    document = public_document(readers[0][0])
    url = f"{portal}/api/v3/library/"

    def saving(headers):
        return lambda: post_json(url, {"documents": [document.slug]}, headers)

    assert without_server_errors([saving(headers) for _user, headers in readers]) == {200: TIMES}
    users = [user for user, _headers in readers]
    assert SavedDocument.objects.filter(user__in=users, document=document).count() == TIMES


def test_twenty_readers_accept_the_nda_at_once(portal, readers):
    _user, headers = readers[0]
    status, body = send("GET", f"{portal}/api/v3/nda/", headers)
    assert status == 200, body
    nda = json.loads(body)
    accepted = {"version_id": nda["id"], "text_sha256": nda["sha256"]}
    url = f"{portal}/api/v3/nda/accept/"

    def accepting(headers):
        return lambda: post_json(url, accepted, headers)

    assert without_server_errors([accepting(headers) for _user, headers in readers]) == {201: TIMES}
    users = [user for user, _headers in readers]
    assert NdaAcceptance.objects.filter(user__in=users, nda_version_id=nda["id"]).count() == TIMES
    # Each with its entry in the hash-chained audit log, which every writer appends to.
    assert AuditEntry.objects.filter(action="nda_accepted", user__in=users).count() == TIMES


# --- editors: new versions and new series, published from the admin ----------------------------


def admin_url(model, name: str, *args) -> str:
    return reverse(model.snippet_viewset.get_url_name(name), args=args)


def test_twenty_versions_published_at_once_from_the_admin(portal, admin_sessions, cleanup):
    document = factories.document("public", category_obj=existing_category(), versions=0)
    cleanup["documents"].append(document)
    pdf = factories.pdf_file().read()
    path = admin_url(DocumentVersion, "add")

    def publishing(session, number):
        upload = SimpleUploadedFile(f"v{number}.pdf", pdf, content_type="application/pdf")
        form = version_form_data(
            document, upload, label=f"v{number}", **{"action-publish": "action-publish"}
        )
        return lambda: session.post_multipart(path, form)

    sends = [publishing(session, number) for number, session in enumerate(admin_sessions)]
    assert without_server_errors(sends) == {302: TIMES}
    versions = DocumentVersion.objects.filter(document=document)
    assert versions.filter(live=True).count() == TIMES
    assert all(version.files.count() == 1 for version in versions)


def test_twenty_series_published_then_edited_at_once_from_the_admin(
    portal, admin_sessions, cleanup
):
    category = existing_category()
    slugs = [factories.unique(f"{PREFIX}-series") for _ in range(TIMES)]
    sessions = dict(zip(slugs, admin_sessions, strict=True))

    def creating(slug):
        form = document_form_data(slug, category, "public", **{"action-publish": "publish"})
        return lambda: sessions[slug].post_multipart(admin_url(TrustDocument, "add"), form)

    def editing(document):
        form = document_form_data(
            document.slug,
            category,
            "public",
            title=f"Edited {document.slug}",
            # What the editor's form was loaded from: the latest revision (no stale save).
            loaded_revision_id=str(document.latest_revision.pk),
            loaded_revision_created_at=document.latest_revision.created_at.isoformat(),
            **{"action-publish": "publish"},
        )
        return lambda: sessions[document.slug].post_multipart(
            admin_url(TrustDocument, "edit", document.pk), form
        )

    try:
        assert without_server_errors([creating(slug) for slug in slugs]) == {302: TIMES}
        documents = TrustDocument.objects.filter(slug__in=slugs, live=True)
        assert documents.count() == TIMES
        documents = documents.select_related("latest_revision")

        assert without_server_errors([editing(document) for document in documents]) == {302: TIMES}
        edited = TrustDocument.objects.filter(slug__in=slugs, title__startswith="Edited ")
        assert edited.filter(live=True, has_unpublished_changes=False).count() == TIMES
    finally:
        cleanup["documents"].extend(TrustDocument.objects.filter(slug__in=slugs))


def existing_category() -> Category:
    """A category of the demo content: a test's own would outlive it in the committed database."""
    return Category.objects.filter(locale=Locale.get_default()).order_by("pk").first()
