"""Every surface that can reveal a document × every kind of user.

The surfaces are enumerated from the URL configuration and the API schema, both ways: a new
route fails ``test_every_route_is_classified`` until it is classified here, and an entry for a
route that no longer exists fails it too, so nothing escapes the matrix and nothing in it is
stale. What is asserted everywhere: the title of a hidden restricted document appears on no
page, in no search result, snippet, facet or API answer for anyone not entitled (and does for
the entitled where the page lists it); the summary of a listed restricted document only for
those entitled; files only for those who may download.

Each surface is its own test for each kind of user, so one failure hides no other. Each test
also checks that its requests reached every route the surface answers for
(``Surface.routes``), and ``test_every_route_is_classified`` that every route is answered for.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.api.v3.urls import api
from wagtail.models import Page

from cms.access import policy
from cms.delivery.links import signed_download_url
from cms.models import (
    StarterPackPage,
)
from plugins.notifications.composing import unsubscribe_token
from plugins.notifications.confirmation import confirmation_token
from plugins.notifications.models import NotificationSettings
from tests.helpers import reader_route_names, refetch
from tests.surface_world import (
    HIDDEN_NOTE,
    HIDDEN_TITLE,
    MAY_DOWNLOAD,
    SEES_HIDDEN,
    USERS,
    Browser,
    World,
    api_route_of,
    build_world,
    redirected_to_sign_in,
    save_every_document,
    text_of,
)

#: Reader routes and how the matrix treats them. "document" routes reveal one document;
#: "listing" routes list documents; "file" routes serve files; each is answered for by a
#: surface below (``SURFACES``). "none" routes reveal no document: every one of them is
#: requested for every kind of user and checked to hold no hidden title
#: (``routes_without_documents``). "compliance" routes reveal no trust document; their own
#: matrix (every route and API operation × every role) is tests/compliance/test_access_matrix.py.
READER_ROUTES = {
    "portal:document": "document",
    "portal:request_access": "document",
    "portal:download": "file",
    "portal:search": "listing",
    "portal:pack_archive": "file",
    "sitemap": "listing",
    "healthz": "none",
    "readyz": "none",
    # The provider's brand: its stylesheet, logo and favicon.
    "brand_css": "none",
    "brand_logo": "none",
    "brand_favicon": "none",
    # Pages: home, Trust Documents, sections, industries, packs, regions.
    "wagtail_serve": "listing",
    "portal:login": "none",
    "portal:logout": "none",
    "portal:sign_up": "none",
    "portal:verify_email": "none",
    "portal:password_reset": "none",
    "portal:password_reset_sent": "none",
    "portal:password_reset_confirm": "none",
    "portal:password_reset_complete": "none",
    "portal:api_tokens": "none",
    "portal:api_token_revoke": "none",
    "nda:accept": "none",
    "feedback:form": "none",
    "feedback:thanks": "none",
    # Subprocessors and the security FAQ (whose answers' own matrix is tests/test_trust_center.py).
    "trust_center:subprocessors": "none",
    "trust_center:faq": "none",
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
            "action_items",
            "points_table",
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
KINDS = {"document", "listing", "file", "none", "compliance"}
#: API routes (``/api/v3/<name>``) that serve no trust document to readers. Wagtail's snippets
#: API is the editors' API: bearer token plus the model's admin permissions (checked below for
#: anonymous callers).
API_ROUTES_WITHOUT_DOCUMENTS = (
    "/api/v3/pages",
    "/api/v3/sites",
    "/api/v3/images",
    "/api/v3/documents",
    "/api/v3/redirects",
    "/api/v3/schema",
    "/api/v3/whoami",
    "/api/v3/snippets",
    "/api/v3/taxonomy",
    "/api/v3/me",
    "/api/v3/nda",
    "/api/v3/compliance",  # see tests/compliance/test_access_matrix.py
    # Settings, the feed's address and webhooks; the feed itself is the "feed" surface.
    "/api/v3/notifications",
    # Subprocessors and the security FAQ (its answers' matrix: tests/test_trust_center.py).
    "/api/v3/trust_center",
    # The provider's brand (name, colours, logo and footer links).
    "/api/v3/branding",
)
#: API routes that serve trust documents: each answered for by a surface below.
API_DOCUMENT_ROUTES = (
    "/api/v3/trust-documents",
    "/api/v3/library",
    "/api/v3/starter-packs",
    "/api/v3/industries",
    "/api/v3/regions",
)


@pytest.fixture(scope="module")
def module_world(module_db, django_db_blocker):
    """Users of every kind and documents of every level, made once for this module (each test
    rolls back what it changes; see ``module_db``)."""
    with django_db_blocker.unblock():
        return build_world()


@pytest.fixture
def world(module_world, db) -> World:
    return World(refetch(module_world.users), refetch(module_world.docs), module_world.category)


def check_pages(browser: Browser, who: str, world: World) -> None:
    """Every page of the site (all locales), the sitemap, and the Trust Documents listing
    with the facets of the hidden document's category (it lists the hidden title to the
    entitled)."""
    sees_hidden = who in SEES_HIDDEN
    listing = f"/en/trust-documents/?category={world.category.slug}"
    urls = [page.get_url() for page in Page.objects.live().filter(depth__gt=1).specific()]
    for url in [*urls, listing, "/sitemap.xml"]:
        response = browser.get(url)
        assert response.status_code == 200, url
        if not sees_hidden:
            assert HIDDEN_TITLE not in text_of(response), url
    assert (HIDDEN_TITLE in text_of(browser.get(listing))) == sees_hidden


def check_search(browser: Browser, who: str, world: World) -> None:
    """Searches, including for the hidden title itself and with the facets of its category."""
    sees_hidden = who in SEES_HIDDEN
    for url in (
        f"/en/search/?q=Zebrafish&category={world.category.slug}",
        "/de/search/?q=dossier",
    ):
        response = browser.get(url)
        assert response.status_code == 200, url
        if not sees_hidden:
            assert HIDDEN_TITLE not in text_of(response), url
    response = browser.get("/en/search/?q=Zebrafish")
    assert response.status_code == 200
    assert (HIDDEN_TITLE in text_of(response)) == sees_hidden


def check_document_pages(browser: Browser, who: str, world: World) -> None:
    """Each document's page: the hidden one does not exist for those not entitled; a listed
    restricted one shows its title to all, its summary to the entitled alone."""
    sees_hidden = who in SEES_HIDDEN
    for level, doc in world.docs.items():
        response = browser.get(f"/en/documents/{doc.slug}/")
        hidden_page = level == "restricted_hidden"
        assert response.status_code == (404 if hidden_page and not sees_hidden else 200), level
        if hidden_page or not sees_hidden:
            assert (HIDDEN_TITLE in text_of(response)) == (hidden_page and sees_hidden), level
    listed = world.docs["restricted_listed"]
    page = browser.get(f"/en/documents/{listed.slug}/").content.decode()
    assert "Matrix listed doc" in page
    assert (listed.summary in page) == (who in MAY_DOWNLOAD["restricted_listed"])


def check_request_access(browser: Browser, who: str, world: World) -> None:
    """Request access: only for what the user may see, never revealing hidden documents; the
    anonymous are sent to sign in first, whatever the document."""
    response = browser.get(f"/en/documents/{world.hidden.slug}/request-access/")
    if world.users[who] is None:
        assert redirected_to_sign_in(response)
    else:
        assert response.status_code == (302 if who in SEES_HIDDEN else 404)
        assert HIDDEN_TITLE not in text_of(response)


def check_files(browser: Browser, who: str, world: World) -> None:
    """Files: through signed links issued to this user, the policy's own answer, and the
    starter packs' archives."""
    user = world.users[who]
    for level, doc in world.docs.items():
        version = doc.versions.get()
        allowed = who in MAY_DOWNLOAD[level]
        assert bool(policy.can_download(user, version)) == allowed, level
        response = browser.get(signed_download_url(version.pk, "en", user))
        assert (response.status_code == 200) == allowed, (level, response.status_code)
        if level == "restricted_hidden" and not allowed:
            assert response.status_code == 404  # the same answer as for no document at all
    gated = [world.docs["nda"], world.hidden]
    for slug, docs in (("surface-pack", list(world.docs.values())), ("surface-gated-pack", gated)):
        pack = StarterPackPage.objects.get(slug=slug)
        response = browser.get(f"/en/starter-packs/{pack.pk}/archive/")
        levels = {doc.pk: level for level, doc in world.docs.items()}
        may = [doc for doc in docs if who in MAY_DOWNLOAD[levels[doc.pk]]]
        if not may:
            assert response.status_code == 403, slug
            assert HIDDEN_TITLE not in text_of(response), slug
            continue
        assert response.status_code == 200, slug
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        names = archive.namelist()
        for doc in docs:
            included = any(f"-{doc.slug}-" in name for name in names)
            assert included == (doc in may), (slug, levels[doc.pk])
        # The archive's README names what it leaves out and why: only what the user may see.
        readme = archive.read("README.txt").decode()
        for doc in docs:
            level = levels[doc.pk]
            visible = level != "restricted_hidden" or who in SEES_HIDDEN
            assert (doc.title in readme) == (visible and doc not in may), (slug, level)


def check_api_documents(browser: Browser, who: str, world: World) -> None:
    """The trust documents API: its list searched by the hidden title, and the detail."""
    sees_hidden = who in SEES_HIDDEN
    found = browser.get("/api/v3/trust-documents/", {"q": "Zebrafish", "limit": 100})
    assert found.status_code == 200
    assert (HIDDEN_TITLE in found.content.decode()) == sees_hidden
    detail = browser.get(f"/api/v3/trust-documents/{world.hidden.slug}/")
    assert detail.status_code == (200 if sees_hidden else 404)


def check_packs_and_regions(browser: Browser, who: str, world: World) -> None:
    """A starter pack and a region holding every level show each document to those who may see
    it, with its summary and lock as the policy says; the pack's archive link only for those
    who may download one of its files."""
    docs = world.docs
    titles = {doc.title: level for level, doc in docs.items()}
    visible = {title for title, level in titles.items() if level != "restricted_hidden"}
    if who in SEES_HIDDEN:
        visible.add(docs["restricted_hidden"].title)
    pack = browser.get("/api/v3/starter-packs/surface-pack/").json()
    region = browser.get("/api/v3/regions/poland/").json()
    # A region lists what is filed under it, which a document shown by its title alone does
    # not tell (its terms are part of its description); a pack lists what an editor put in it.
    described = set(visible)
    if who not in MAY_DOWNLOAD["restricted_listed"]:
        described.discard(docs["restricted_listed"].title)
    for answer, expected in ((pack, visible), (region, described)):
        shown = {d["title"]: d for d in answer["documents"] if d["title"] in titles}
        assert set(shown) == expected, who
        for title, document in shown.items():
            level = titles[title]
            assert (document["locked"] is None) == (who in MAY_DOWNLOAD[level]), (who, level)
            if level == "restricted_listed":
                assert (document["summary"] != "") == (who in MAY_DOWNLOAD[level]), who
    assert pack["document_count"] == len(visible)
    assert [d["title"] for d in pack["documents"]] == [
        doc.title for doc in docs.values() if doc.title in visible
    ]
    gated = browser.get("/api/v3/starter-packs/surface-gated-pack/").json()
    may_download = MAY_DOWNLOAD["nda"] | MAY_DOWNLOAD["restricted_hidden"]
    assert (gated["download_url"] is not None) == (who in may_download), who
    assert gated["document_count"] == (2 if who in SEES_HIDDEN else 1)
    for url in (
        "/api/v3/starter-packs/?limit=100",
        "/api/v3/industries/financial-services/",
        "/api/v3/industries/?limit=100",
        "/api/v3/regions/?limit=100",
    ):
        response = browser.get(url)
        assert response.status_code == 200, url
        if who not in SEES_HIDDEN:
            assert "Zebrafish" not in response.content.decode(), url


def check_library(browser: Browser, who: str, world: World) -> None:
    """My Library, on the site and in the API: saving every document keeps only what the user
    may see; the hidden title and its update note never show for those not entitled."""
    user, hidden = world.users[who], world.hidden
    sees_hidden = who in SEES_HIDDEN
    saved = save_every_document(browser, world)
    if user is None:
        assert saved.status_code == 401
        assert redirected_to_sign_in(browser.post("/en/library/save/", {"document": [hidden.pk]}))
        assert redirected_to_sign_in(browser.get("/en/library/"))
        return
    assert saved.status_code == 200
    assert (hidden.slug in saved.json()["saved"]) == sees_hidden
    assert browser.post("/en/library/save/", {"document": [hidden.pk]}).status_code == (
        302 if sees_hidden else 404
    )
    library_page = text_of(browser.get("/en/library/"))
    library_api = browser.get("/api/v3/library/").content.decode()
    assert (HIDDEN_TITLE in library_page) == sees_hidden
    assert (HIDDEN_TITLE in library_api) == sees_hidden
    assert (HIDDEN_NOTE in library_page) == (HIDDEN_NOTE in library_api) == sees_hidden
    assert "Matrix listed doc" in library_page


def check_feed(browser: Browser, who: str, world: World) -> None:
    """The update feed of the user's library (no session: its secret URL is the credential).
    Every document saved first, as in ``check_library``."""
    user = world.users[who]
    # Without a session: the address alone opens the feed.
    feed_reader = Browser(reached=browser.reached)
    if user is None:  # the anonymous have no feed; a made-up address opens none
        assert feed_reader.get("/en/notifications/feed/made-up-token.json").status_code == 404
        return
    save_every_document(browser, world)
    token = NotificationSettings.objects.get_or_create(user=user)[0].feed_token
    response = feed_reader.get(f"/en/notifications/feed/{token}.json")
    assert response.status_code == 200
    feed = response.content.decode()
    assert "Matrix public doc" in feed  # the feed lists the library
    assert (HIDDEN_TITLE in feed) == (HIDDEN_NOTE in feed) == (who in SEES_HIDDEN)


#: Arguments of the routes without documents that take some: real ones where the user has
#: them (a confirmation or unsubscribe link of their own), made-up ones otherwise.
ROUTE_ARGS: dict[str, Callable] = {
    "portal:verify_email": lambda user: ["made-up-token"],
    "portal:password_reset_confirm": lambda user: ["made-up-uid", "made-up-token"],
    "notifications:confirm": lambda user: [
        confirmation_token(user.pk, user.email) if user else "made-up-token"
    ],
    "notifications:unsubscribe": lambda user: [
        unsubscribe_token(user.pk) if user else "made-up-token"
    ],
    "notifications:remove_webhook": lambda user: [999999],
    "portal:api_token_revoke": lambda user: [999999],
    "wagtailcore_authenticate_with_password": lambda user: [999999, 999999],
}


def check_routes_without_documents(browser: Browser, who: str, world: World) -> None:
    """Every route classified as revealing no document, requested as this user: no error, and
    no hidden title, whoever asks (the entitled included: these pages show no document, even
    to a user who saved every document they may see)."""
    user = world.users[who]
    if user is not None:
        save_every_document(browser, world)
    for name in ROUTES_WITHOUT_DOCUMENTS:
        args = ROUTE_ARGS[name](user) if name in ROUTE_ARGS else []
        # A browser of its own for each: one route (logging out) must not change the next.
        response = Browser(user, browser.reached).get(reverse(name, args=args))
        assert response.status_code < 500, name
        # The brand's logo and favicon are files, streamed: their bytes are read all the same.
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode(errors="replace")
        assert HIDDEN_TITLE not in body, name
        assert HIDDEN_NOTE not in body, name


ROUTES_WITHOUT_DOCUMENTS = sorted(name for name, kind in READER_ROUTES.items() if kind == "none")


@dataclass(frozen=True)
class Surface:
    check: Callable[[Browser, str, World], None]
    #: The routes, reader and API, this surface answers for: its requests reach each of them.
    routes: frozenset = field(default_factory=frozenset)


SURFACES = {
    "pages": Surface(check_pages, frozenset({"wagtail_serve", "sitemap"})),
    "search": Surface(check_search, frozenset({"portal:search"})),
    "document_pages": Surface(check_document_pages, frozenset({"portal:document"})),
    "request_access": Surface(check_request_access, frozenset({"portal:request_access"})),
    "files": Surface(check_files, frozenset({"portal:download", "portal:pack_archive"})),
    "api_documents": Surface(check_api_documents, frozenset({"/api/v3/trust-documents"})),
    "packs_and_regions": Surface(
        check_packs_and_regions,
        frozenset({"/api/v3/starter-packs", "/api/v3/industries", "/api/v3/regions"}),
    ),
    "library": Surface(check_library, frozenset({"library:index", "/api/v3/library"})),
    "feed": Surface(check_feed, frozenset({"notifications:feed"})),
    "routes_without_documents": Surface(
        check_routes_without_documents, frozenset(ROUTES_WITHOUT_DOCUMENTS)
    ),
}


# --- the tests -------------------------------------------------------------------------------


def test_every_route_is_classified():
    routes = reader_route_names()
    assert routes - set(READER_ROUTES) == set(), "classify new reader routes here"
    assert set(READER_ROUTES) - routes == set(), "remove routes that no longer exist"
    assert set(READER_ROUTES.values()) <= KINDS
    api_routes = {api_route_of(path) for path in api.get_openapi_schema()["paths"]}
    classified = set(API_ROUTES_WITHOUT_DOCUMENTS + API_DOCUMENT_ROUTES)
    assert api_routes - classified == set(), "API routes serving documents must join the matrix"
    assert classified - api_routes == set(), "remove API routes that no longer exist"


def test_every_route_is_answered_for_by_a_surface():
    """What the classification promises is checked: each document, listing and file route and
    each API route serving documents by a surface of this matrix, each route without documents
    by ``routes_without_documents``, the Compliance Manager's by its own matrix."""
    answered = set().union(*(surface.routes for surface in SURFACES.values()))
    for name, kind in READER_ROUTES.items():
        if kind == "compliance":
            assert name.startswith("compliance:"), name
        elif kind == "none":
            assert name in SURFACES["routes_without_documents"].routes, name
        else:
            others = set().union(
                *(s.routes for key, s in SURFACES.items() if key != "routes_without_documents")
            )
            assert name in others, f"{name} ({kind}) is checked by no surface"
    assert set(API_DOCUMENT_ROUTES) <= answered
    assert set(ROUTE_ARGS) <= set(ROUTES_WITHOUT_DOCUMENTS), "arguments of unknown routes"


@pytest.mark.django_db
@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("surface", SURFACES)
def test_hidden_titles_appear_nowhere_and_files_follow_the_policy(world, surface, who):
    browser = Browser(world.users[who])
    SURFACES[surface].check(browser, who, world)
    missed = SURFACES[surface].routes - browser.reached
    assert missed == set(), f"the {surface} surface never reached {sorted(missed)}"


@pytest.mark.django_db
def test_the_api_reveals_no_trust_document(world):
    client = Client()
    for path in (
        "/api/v3/pages/",
        "/api/v3/pages/?offset=20",
        "/api/v3/documents/",
        "/api/v3/images/",
        "/api/v3/snippets/cms.trustdocument/",
        f"/api/v3/snippets/cms.trustdocument/{world.hidden.pk}/",
        # Wagtail's own view of a starter pack page holding every level.
        f"/api/v3/pages/{StarterPackPage.objects.get(slug='surface-pack').pk}/",
    ):
        response = client.get(path)
        assert response.status_code in {200, 401, 403}, path
        assert (
            "Zebrafish" not in response.content.decode()
            and "Matrix" not in response.content.decode()
        ), path
