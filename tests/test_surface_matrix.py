"""Every surface that can reveal a document × every kind of user.

The surfaces are enumerated from the URL configuration and the API schema: a new route fails
``test_every_route_is_classified`` until it is added here, so nothing escapes the matrix.
What is asserted everywhere: the title of a hidden restricted document appears on no page,
in no search result, snippet, facet or API answer for anyone not entitled; the summary of a
listed restricted document only for those entitled; files only for those who may download.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.api.v3.urls import api
from wagtail.models import Page

from cms.access import policy
from cms.delivery.links import signed_download_url
from cms.models import (
    AccessRequest,
    IndustryPage,
    Membership,
    Organization,
    Region,
    StarterPackPage,
)
from plugins.nda.models import NdaAcceptance, NdaVersion
from tests import factories
from tests.conftest import refetch
from tests.test_api_content import make_pack

#: Reader routes and how the matrix treats them. "document" routes reveal one document;
#: "listing" routes list documents; the rest reveal none (checked to hold no hidden title).
READER_ROUTES = {
    "portal:document": "document",
    "portal:request_access": "document",
    "portal:download": "file",
    "portal:search": "listing",
    "portal:pack_archive": "file",
    "sitemap": "listing",
    "healthz": "none",
    "readyz": "none",
    # Pages: home, Trust Documents, sections, industries, packs, regions.
    "wagtail_serve": "listing",
    "portal:login": "none",
    "portal:logout": "none",
    "portal:sign_up": "none",
    "portal:verify_email": "none",
    "nda:accept": "none",
    "feedback:form": "none",
    "feedback:thanks": "none",
    "sample:index": "none",
    # Compliance Manager reveals no trust document; its own matrix (every route and API
    # operation × every role) is tests/compliance/test_access_matrix.py.
    **{
        f"compliance:{name}": "compliance"
        for name in (
            "index",
            "assessment_create",
            "assessment",
            "control",
            "export_oscal",
            "export_csv",
            "export_pdf",
            "group",
            "action",
            "evidence_upload",
            "bulk_assign",
            "evidence",
            "roles",
            "automatic_updates",
            "privacy",
        )
    },
    "library:index": "listing",
    "library:save": "none",
    "library:remove": "none",
    "notifications:settings": "none",
    "notifications:confirm": "none",
    "notifications:unsubscribe": "none",
    "notifications:feed": "listing",
    "notifications:new_feed_address": "none",
    "notifications:webhooks": "none",
    "notifications:remove_webhook": "none",
    "set_language": "none",
    "oidc_authentication_init": "none",
    "oidc_authentication_callback": "none",
    "oidc_logout": "none",
    "wagtailcore_authenticate_with_password": "none",
    "wagtailcore_login": "none",
}
#: API paths that serve no trust document to readers. Wagtail's snippets API is the editors'
#: API: bearer token plus the model's admin permissions (checked below for anonymous callers);
API_ROUTES_WITHOUT_DOCUMENTS = (
    "/api/v3/pages",
    "/api/v3/sites",
    "/api/v3/images",
    "/api/v3/documents",
    "/api/v3/redirects",
    "/api/v3/schema",
    "/api/v3/whoami",
    "/api/v3/sample",
    "/api/v3/snippets",
    "/api/v3/taxonomy",
    "/api/v3/me",
    "/api/v3/nda",
    "/api/v3/compliance",  # see tests/compliance/test_access_matrix.py
)
#: API paths that serve trust documents: exercised for every kind of user below.
API_DOCUMENT_ROUTES = (
    "/api/v3/trust-documents",
    "/api/v3/library",
    "/api/v3/starter-packs",
    "/api/v3/industries",
    "/api/v3/regions",
)

USERS = [
    "anonymous",
    "personal",
    "member",
    "member_old_nda",
    "member_nda",
    "other_org",
    "entitled_org",
    "revoked",
    "editor",
    "administrator",
]
MAY_DOWNLOAD = {
    "public": set(USERS),
    "signed_in": set(USERS) - {"anonymous"},
    "nda": {"member_nda", "other_org"},
    "restricted_listed": {"entitled_org"},
    "restricted_hidden": {"entitled_org"},
}
SEES_HIDDEN = {"entitled_org"}
HIDDEN_NOTE = "Narwhal annex added to the dossier."


def reader_route_names():
    names = set()

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                if str(pattern.pattern).startswith(("admin/", "api/", "django-rq")):
                    continue
                walk(
                    pattern.url_patterns,
                    f"{namespace}:{inner}" if namespace and inner else inner or namespace,
                )
            elif pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_route_is_classified():
    assert reader_route_names() - set(READER_ROUTES) == set(), "classify new reader routes here"
    paths = api.get_openapi_schema()["paths"]
    unclassified = [
        p for p in paths if not p.startswith(API_ROUTES_WITHOUT_DOCUMENTS + API_DOCUMENT_ROUTES)
    ]
    assert unclassified == [], "API routes serving documents must join the matrix"


@pytest.fixture(scope="module")
def module_world(module_db, django_db_blocker):
    """Users of every kind and documents of every level, made once for this module (each test
    rolls back what it changes; see ``module_db``)."""
    with django_db_blocker.unblock():
        return build_world()


@pytest.fixture
def world(module_world, db):
    users, docs, category = module_world
    return refetch(users), refetch(docs), category


def build_world():
    User = get_user_model()
    customer = Organization.objects.create(name="Matrix Customer", slug="matrix-customer")
    other = Organization.objects.create(name="Matrix Other", slug="matrix-other")
    entitled = Organization.objects.create(name="Matrix Entitled", slug="matrix-entitled")
    current = NdaVersion.current()
    old = NdaVersion(
        locale=current.locale,
        version_label="2020-01",
        text="Old terms.",
        effective_at=timezone.now() - timedelta(days=2000),
    )
    old.save()
    old.save_revision().publish()

    users = {"anonymous": None}
    for name, organization in [
        ("personal", None),
        ("member", customer),
        ("member_old_nda", customer),
        ("member_nda", customer),
        ("other_org", other),
        ("entitled_org", entitled),
        ("revoked", customer),
    ]:
        user = User.objects.create_user(f"mx-{name}", f"{name}@matrix.test", "pw")
        if organization:
            Membership.objects.create(user=user, organization=organization)
        users[name] = user
    users["editor"] = User.objects.get(username="editor")
    users["administrator"] = User.objects.get(username="admin")
    for name, version in (("member_old_nda", old), ("member_nda", current), ("other_org", current)):
        NdaAcceptance.objects.create(
            user=users[name],
            username=name,
            nda_version=version,
            language="en",
            text_sha256=version.text_sha256(),
        )

    category = factories.category(section="data-protection", name="Matrix category")
    docs = {
        "public": factories.document("public", category_obj=category, title="Matrix public doc"),
        "signed_in": factories.document(
            "signed_in", category_obj=category, title="Matrix signed doc"
        ),
        "nda": factories.document("nda", category_obj=category, title="Matrix nda doc"),
        "restricted_listed": factories.document(
            "restricted",
            category_obj=category,
            listed=True,
            organizations=[entitled],
            title="Matrix listed doc",
        ),
        "restricted_hidden": factories.document(
            "restricted",
            category_obj=category,
            organizations=[entitled],
            title="Zebrafish hidden dossier",
        ),
    }
    AccessRequest.objects.create(
        user=users["revoked"], document=docs["restricted_hidden"], reason="x", status="revoked"
    )
    # Every level in a starter pack (and only the gated ones in another) and in a region.
    # (Named without "Matrix": Wagtail's pages API lists page titles.)
    finance = IndustryPage.objects.get(slug="financial-services", locale=current.locale)
    make_pack(finance, docs.values(), slug="surface-pack")
    make_pack(finance, [docs["nda"], docs["restricted_hidden"]], slug="surface-gated-pack")
    poland = Region.objects.get(slug="poland", locale=current.locale)
    for doc in docs.values():
        doc.regions.add(poland)
        doc.save_revision().publish()
    # A recent update note: My Library flags it and the feed lists it, for the entitled only.
    factories.update_note(docs["restricted_hidden"], HIDDEN_NOTE)
    return users, docs, category


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("who", USERS)
def test_hidden_titles_appear_nowhere_and_files_follow_the_policy(world, who):
    users, docs, category = world
    user = users[who]
    client = client_for(user)
    hidden = docs["restricted_hidden"]
    sees_hidden = who in SEES_HIDDEN

    # Every page of the site (all locales), every search (including the hidden title itself,
    # with the facets of its category), and the document pages.
    urls = [page.get_url() for page in Page.objects.live().filter(depth__gt=1).specific()]
    urls += [
        "/en/search/?q=Zebrafish",
        f"/en/search/?q=Zebrafish&category={category.slug}",
        "/de/search/?q=dossier",
        f"/en/trust-documents/?category={category.slug}",
    ]
    urls += [f"/en/documents/{doc.slug}/" for doc in docs.values()]
    urls += ["/sitemap.xml"]
    must_show = {
        f"/en/documents/{hidden.slug}/",
        "/en/search/?q=Zebrafish",
        f"/en/trust-documents/?category={category.slug}",
    }
    for url in urls:
        response = client.get(url)
        # Compare text, not markup: search results wrap the matched words in <mark>.
        html = strip_tags(response.content.decode())
        hidden_page = url == f"/en/documents/{hidden.slug}/"
        assert response.status_code == (404 if hidden_page and not sees_hidden else 200), url
        if not sees_hidden:
            assert "Zebrafish hidden dossier" not in html, url
        elif url in must_show:
            assert "Zebrafish hidden dossier" in html, url

    # The API, through the same session: list (searched by the hidden title), detail.
    found = client.get("/api/v3/trust-documents/", {"q": "Zebrafish", "limit": 100})
    assert ("Zebrafish hidden dossier" in found.content.decode()) == sees_hidden
    detail = client.get(f"/api/v3/trust-documents/{hidden.slug}/")
    assert detail.status_code == (200 if sees_hidden else 404)
    check_packs_and_regions(client, who, docs)

    listed = client.get(f"/en/documents/{docs['restricted_listed'].slug}/").content.decode()
    assert "Matrix listed doc" in listed
    assert (docs["restricted_listed"].summary in listed) == (
        who in MAY_DOWNLOAD["restricted_listed"]
    )

    # Files: through signed links issued to this user, and the policy's own answer.
    for level, doc in docs.items():
        version = doc.versions.get()
        allowed = who in MAY_DOWNLOAD[level]
        assert bool(policy.can_download(user, version)) == allowed, level
        response = client.get(signed_download_url(version.pk, "en", user))
        assert (response.status_code == 200) == allowed, (level, response.status_code)
        if level == "restricted_hidden" and not sees_hidden:
            assert response.status_code == 404  # the same answer as for no document at all

    # My Library, on the site and in the API: saving every document keeps only what the user
    # may see; the hidden title never shows for those not entitled.
    slugs = [doc.slug for doc in docs.values()]
    saved = client.post("/api/v3/library/", {"documents": slugs}, content_type="application/json")
    assert saved.status_code == (401 if user is None else 200)
    if user is not None:
        assert (hidden.slug in saved.json()["saved"]) == sees_hidden
        assert client.post("/en/library/save/", {"document": [hidden.pk]}).status_code == (
            302 if sees_hidden else 404
        )
        library_page = strip_tags(client.get("/en/library/").content.decode())
        library_api = client.get("/api/v3/library/").content.decode()
        assert ("Zebrafish hidden dossier" in library_page) == sees_hidden
        assert ("Zebrafish hidden dossier" in library_api) == sees_hidden
        assert (HIDDEN_NOTE in library_page) == (HIDDEN_NOTE in library_api) == sees_hidden
        assert "Matrix listed doc" in library_page
        # The update feed (no session: its secret URL is the credential).
        from plugins.notifications.models import NotificationSettings

        token = NotificationSettings.objects.get_or_create(user=user)[0].feed_token
        feed = Client().get(f"/en/notifications/feed/{token}.json").content.decode()
        assert ("Zebrafish hidden dossier" in feed) == (HIDDEN_NOTE in feed) == sees_hidden

    # Request access: only for listed documents, never revealing hidden ones.
    if user is not None:
        assert client.get(f"/en/documents/{hidden.slug}/request-access/").status_code == (
            302 if sees_hidden else 404
        )


def check_packs_and_regions(client, who, docs):
    """A starter pack and a region holding every level show each document to those who may see
    it, with its summary and lock as the policy says; the pack's archive link only for those
    who may download one of its files."""
    titles = {doc.title: level for level, doc in docs.items()}
    visible = {title for title, level in titles.items() if level != "restricted_hidden"}
    if who in SEES_HIDDEN:
        visible.add(docs["restricted_hidden"].title)
    pack = client.get("/api/v3/starter-packs/surface-pack/").json()
    region = client.get("/api/v3/regions/poland/").json()
    for answer in (pack, region):
        shown = {d["title"]: d for d in answer["documents"] if d["title"] in titles}
        assert set(shown) == visible, who
        for title, document in shown.items():
            level = titles[title]
            assert (document["locked"] is None) == (who in MAY_DOWNLOAD[level]), (who, level)
            if level == "restricted_listed":
                assert (document["summary"] != "") == (who in MAY_DOWNLOAD[level]), who
    assert pack["document_count"] == len(visible)
    assert [d["title"] for d in pack["documents"]] == [
        doc.title for doc in docs.values() if doc.title in visible
    ]
    gated = client.get("/api/v3/starter-packs/surface-gated-pack/").json()
    may_download = MAY_DOWNLOAD["nda"] | MAY_DOWNLOAD["restricted_hidden"]
    assert (gated["download_url"] is not None) == (who in may_download), who
    assert gated["document_count"] == (2 if who in SEES_HIDDEN else 1)
    for url in (
        "/api/v3/starter-packs/?limit=100",
        "/api/v3/industries/financial-services/",
        "/api/v3/industries/?limit=100",
        "/api/v3/regions/?limit=100",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        if who not in SEES_HIDDEN:
            assert "Zebrafish" not in response.content.decode(), url


@pytest.mark.django_db
def test_the_api_reveals_no_trust_document(world):
    users, docs, _category = world
    client = Client()
    for path in (
        "/api/v3/pages/",
        "/api/v3/pages/?offset=20",
        "/api/v3/documents/",
        "/api/v3/images/",
        "/api/v3/snippets/cms.trustdocument/",
        f"/api/v3/snippets/cms.trustdocument/{docs['restricted_hidden'].pk}/",
        # Wagtail's own view of a starter pack page holding every level.
        f"/api/v3/pages/{StarterPackPage.objects.get(slug='surface-pack').pk}/",
    ):
        response = client.get(path)
        assert response.status_code in {200, 401, 403}, path
        assert (
            "Zebrafish" not in response.content.decode()
            and "Matrix" not in response.content.decode()
        ), path
