"""The world of the surface matrix (tests/test_surface_matrix.py): users of every kind the access
policy tells apart, documents of every level, and a test client that notes the routes its
requests reach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.html import strip_tags

from cms.models import (
    AccessRequest,
    Category,
    IndustryPage,
    Membership,
    Organization,
    Region,
)
from plugins.nda.models import NdaAcceptance, NdaVersion
from tests import factories
from tests.helpers import make_pack

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
HIDDEN_TITLE = "Zebrafish hidden dossier"
HIDDEN_NOTE = "Narwhal annex added to the dossier."


def api_route_of(path: str) -> str:
    """``/api/v3/<name>`` of an API path."""
    return "/".join(path.split("/")[:4])


def route_of(path: str) -> str | None:
    """The reader route (``namespace:name``) or API route a path reaches."""
    if path.startswith("/api/"):
        return api_route_of(path)
    language = path.split("/")[1]
    codes = {code for code, _name in settings.LANGUAGES}
    with translation.override(language if language in codes else translation.get_language()):
        try:
            return resolve(path).view_name
        except Resolver404:
            return None


class Browser(Client):
    """A client signed in as ``user`` (``None``: anonymous) that notes the routes its requests
    reach in ``reached`` (shared by the browsers of one test)."""

    def __init__(self, user=None, reached: set | None = None):
        super().__init__()
        self.user = user
        self.reached = set() if reached is None else reached
        if user is not None:
            self.force_login(user)

    def request(self, **request):
        self.reached.add(route_of(request["PATH_INFO"]))
        return super().request(**request)


# --- the world: users of every kind, documents of every level -------------------------------


@dataclass
class World:
    users: dict
    docs: dict
    category: Category

    @property
    def hidden(self):
        return self.docs["restricted_hidden"]


def build_world() -> World:
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
            title=HIDDEN_TITLE,
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
    return World(users, docs, category)


def text_of(response) -> str:
    """A page's text, not its markup: search results wrap the matched words in <mark>."""
    return strip_tags(response.content.decode())


def save_every_document(browser: Browser, world: World):
    """Save every document to My Library through the API (it keeps what the user may see)."""
    slugs = [doc.slug for doc in world.docs.values()]
    saved = browser.post("/api/v3/library/", {"documents": slugs}, content_type="application/json")
    assert saved.status_code == (401 if browser.user is None else 200)
    return saved


def redirected_to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/en/accounts/login/")


# --- the surfaces ----------------------------------------------------------------------------
