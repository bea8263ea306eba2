"""The admin crawl (issue 17 §1): signed in as the demo's ``editor`` and as ``admin``, every
screen of the Wagtail admin answers 200, or the refusal the permission model intends.

Crawled, for every model the admin manages (snippets and the other model viewsets, settings,
page types, and Wagtail's areas that are plain views): its listing with and without a search,
the listing's results as its search box asks them, its add form, and for a real object of the
demo its edit form, history, usage, inspect and delete confirmation where the admin offers
them; and every other admin page without arguments (reports, the audit log, analytics, ...).
The screens are found in Wagtail's registries and the URL resolver (``tests/admin_screens.py``)
when the module is collected: a model registered later is crawled without a change here, and
``test_every_admin_area_is_crawled`` fails when an area escapes the discovery.

What is refused on purpose is listed in ``REFUSED``, so that a permission that changes either
way fails a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

import PIL.Image
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from wagtail.contrib.redirects.models import Redirect
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import APIToken, Collection, Locale, Page
from wagtail.snippets.models import get_snippet_models

from cms.models import AccessRequest, Organization, TrustDocument
from plugins.feedback.models import Feedback
from plugins.nda.models import NdaAcceptance, NdaVersion, OfflineNdaAgreement
from plugins.notifications.models import EmailDelivery, WebhookDelivery, WebhookEndpoint
from tests.admin_screens import (
    Of,
    Screen,
    admin_routes,
    all_screens,
    is_chooser_or_api,
    label,
    menu_urls,
    model_viewsets,
    page_models,
)
from workflows.models import OutboxEvent

#: Who crawls: the demo's editor (group Editors) and its administrator (a superuser).
WHO = ("editor", "admin")

#: Every screen of the admin, found when the module is collected.
SCREENS = all_screens()


# --- what the permission model refuses ---------------------------------------------------------

#: Wagtail's refusal: back to the dashboard, "Sorry, you do not have permission to access this
#: area."
DENIED = "denied"
#: The object is not among those the user may manage.
NOT_FOUND = 404
ANYONE = "*"
EVERY_VIEW = "*"

#: Areas only the administrator opens: the Editors group has no permission there (``cms.setup``
#: gives it documents, versions and taxonomy; Wagtail pages, images and the dashboard's reports).
ADMINISTRATOR_AREAS = [
    "cms.accessrequest",
    "cms.organization",
    "cms.membership",
    "cms.portalsettings",
    "cms.brandingsettings",
    "nda.ndaversion",
    "nda.ndaacceptance",
    "nda.offlinendaagreement",
    "feedback.feedback",
    "compliance.template",
    "compliance.control",
    "compliance.compliancerole",
    "notifications.emaildelivery",
    "notifications.webhookendpoint",
    "notifications.webhookdelivery",
    "workflows.outboxevent",
    "auth.user",
    "auth.group",
    "wagtailcore.locale",
    "wagtailcore.site",
    "wagtailredirects",
    "wagtailadmin_workflows",
    "audit",
    "trustportal_analytics",
]

#: (who, area) -> {view: answer}; ``EVERY_VIEW`` answers for the views not named.
REFUSED: dict[tuple[str, str], dict[str, object]] = {
    **{("editor", area): {EVERY_VIEW: DENIED} for area in ADMINISTRATOR_AREAS},
    # An API token or a collection the editor may not manage is not found at all.
    ("editor", "wagtailcore.apitoken"): {EVERY_VIEW: DENIED, "delete": NOT_FOUND},
    ("editor", "wagtailadmin_collections"): {EVERY_VIEW: DENIED, "delete": NOT_FOUND},
    # Locking pages is the Moderators' (the administrator's) permission, and so its report.
    ("editor", "wagtailadmin_reports"): {
        "locked_pages": DENIED,
        "locked_pages?q": DENIED,
        "locked_pages_results?q": DENIED,
    },
    # Editors add and change pages; deleting one is the administrator's.
    **{("editor", f"page:{label(model)}"): {"delete": DENIED} for model in page_models()},
    # One home page under the root, and the demo has it.
    (ANYONE, "page:cms.homepage"): {"add": DENIED, "choose_parent": DENIED},
    # NDA acceptances are evidence, never written by hand (plugins/nda/wagtail_hooks.py): listed,
    # inspected, exported; Wagtail's history and usage screens ask for a write permission.
    (ANYONE, "nda.ndaacceptance"): dict.fromkeys(
        ("add", "edit", "history", "usage", "delete"), DENIED
    ),
    # Feedback is written by readers only; staff triage it.
    (ANYONE, "feedback.feedback"): {"add": DENIED},
    # Logs the portal writes itself (cms/admin_policies.py): listed and inspected, never
    # written by hand. The outbox by publishing (workflows/wagtail_hooks.py), the deliveries by
    # the senders of e-mails and webhooks (plugins/notifications/wagtail_hooks.py).
    **{
        (ANYONE, area): dict.fromkeys(("add", "edit", "history", "usage", "delete"), DENIED)
        for area in (
            "workflows.outboxevent",
            "notifications.emaildelivery",
            "notifications.webhookdelivery",
        )
    },
    # Every snippet has its own menu item: Wagtail's snippets index has nothing left to list.
    (ANYONE, "wagtailsnippets"): {EVERY_VIEW: DENIED},
    # Wagtail's document library is closed (cms/document_library.py).
    (ANYONE, "wagtaildocs"): {EVERY_VIEW: DENIED},
}


def expected_answer(who: str, screen: Screen):
    for key in ((who, screen.area), (ANYONE, screen.area)):
        views = REFUSED.get(key, {})
        answer = views.get(screen.view, views.get(EVERY_VIEW))
        if answer is not None:
            return answer
    return 200


# --- the demo, with a row for every model it leaves empty ---------------------------------------


def build_missing_rows() -> None:
    """The demo has no access request, feedback, deliveries, redirect, image... yet: one of
    each, so that every listing has a row and every object screen a real object."""
    User = get_user_model()
    admin, reader = User.objects.get(username="admin"), User.objects.get(username="reader")
    bank = Organization.objects.get(slug="example-bank")
    document = TrustDocument.objects.filter(locale=Locale.get_default()).order_by("pk").first()
    nda = NdaVersion.current()
    if not AccessRequest.objects.exists():
        AccessRequest.objects.create(user=reader, document=document, reason="Our yearly audit")
    if not Feedback.objects.exists():
        Feedback.objects.create(kind="question", comment="Where is the SOC 2 report?", user=reader)
    if not NdaAcceptance.objects.exists():
        NdaAcceptance.objects.create(
            user=reader,
            username=reader.username,
            email=reader.email,
            organization=bank,
            organization_name=bank.name,
            nda_version=nda,
            language="en",
            text_sha256=nda.text_sha256(),
        )
    if not OfflineNdaAgreement.objects.exists():
        OfflineNdaAgreement.objects.create(organization=bank, note="MSA 42", recorded_by=admin)
    if not EmailDelivery.objects.exists():
        EmailDelivery.objects.create(user=reader, key="event:crawl", recipient=reader.email)
    endpoint = WebhookEndpoint.objects.first() or WebhookEndpoint.objects.create(
        organization=bank, url="https://hooks.bank.example/portal", created_by=admin
    )
    if not WebhookDelivery.objects.exists():
        WebhookDelivery.objects.create(endpoint=endpoint, event_id="crawl", document=document)
    if not OutboxEvent.objects.exists():
        OutboxEvent.objects.create(name="document_published", payload={"document": document.pk})
    if not APIToken.objects.exists():
        APIToken.create_token(user=reader, name="crawl")
    if not Redirect.objects.exists():
        Redirect.objects.create(old_path="/old-trust-center", redirect_link="https://example.com/")
    root = Collection.get_first_root_node()
    collection = root.get_children().first() or root.add_child(name="Crawl collection")
    if not get_image_model().objects.exists():
        get_image_model().objects.create(
            title="Crawl image", file=ContentFile(png(), name="crawl.png"), collection=collection
        )
    # The library is closed to the admin (cms/document_library.py), not to the crawl's data.
    if not get_document_model().objects.exists():
        get_document_model().objects.create(
            title="Crawl document",
            file=ContentFile(b"text", name="crawl.txt"),
            collection=collection,
        )


def png() -> bytes:
    picture = BytesIO()
    PIL.Image.new("RGB", (8, 8), "teal").save(picture, "PNG")
    return picture.getvalue()


def crawled_object(model) -> Model:
    """The object a model's screens are crawled for: its first in the default locale; a user
    who does not crawl (nobody may delete themself); a collection that is not the root."""
    queryset = model._default_manager.order_by("pk")
    if any(field.name == "locale" for field in model._meta.fields):
        queryset = queryset.filter(locale=Locale.get_default())
    if model is get_user_model():
        queryset = queryset.exclude(username__in=WHO)
    if label(model) == "wagtailcore.collection":
        queryset = queryset.filter(depth__gt=1)
    found = queryset.first()
    assert found is not None, f"nothing to crawl of {label(model)}: add it to build_missing_rows"
    return found


def page_parent(model) -> Page:
    """Where a page of type ``model`` would be added: the first page that may have one more;
    for a type allowed once and already there, a page of a type it goes under."""
    candidates = Page.objects.filter(locale=Locale.get_default()) | Page.objects.filter(depth=1)
    candidates = list(candidates.order_by("path").specific())
    creatable = [page for page in candidates if model.can_create_at(page)]
    if creatable:
        return creatable[0]
    parent_types = tuple(model.allowed_parent_page_models())
    return next(page for page in candidates if isinstance(page, parent_types))


def crawled_pk(argument: Of):
    model = apps.get_model(argument.label)
    if argument.role == "parent":
        return page_parent(model).pk
    if argument.role == "container":
        return crawled_object(model).get_parent().pk
    return crawled_object(model).pk


@dataclass
class Crawl:
    objects: dict
    clients: dict[str, Client]

    def url(self, screen: Screen) -> str:
        return screen.url(self.objects)


@pytest.fixture(scope="module")
def crawl(module_db, django_db_blocker) -> Crawl:
    """The demo with its missing rows, the crawled objects, and a client per crawler: built once
    for the module (each test's changes, like an editing session an edit form opens, are rolled
    back after it)."""
    with django_db_blocker.unblock():
        build_missing_rows()
        arguments = {arg for screen in SCREENS for arg in screen.args if isinstance(arg, Of)}
        objects = {(arg.label, arg.role): crawled_pk(arg) for arg in arguments}
        clients = {}
        for who in WHO:
            clients[who] = Client()
            clients[who].force_login(get_user_model().objects.get(username=who))
    return Crawl(objects, clients)


# --- the crawl ---------------------------------------------------------------------------------


def answer(client: Client, url: str, follow: bool) -> tuple[int, str]:
    """The status and redirect target of ``url``; with ``follow``, of the screen it redirects
    to, unless that is the dashboard (a refusal) or the sign-in (a lost session)."""
    dashboard, sign_in = reverse("wagtailadmin_home"), reverse("wagtailadmin_login")
    response = client.get(url)
    for _hop in range(3 if follow else 0):
        location = response.get("Location", "")
        if response.status_code != 302 or location == dashboard or location.startswith(sign_in):
            break
        response = client.get(location)
    return response.status_code, response.get("Location", "")


CRAWL = [(who, screen) for who in WHO for screen in SCREENS]


@pytest.mark.parametrize("who, screen", CRAWL, ids=[f"{w}-{s.id}" for w, s in CRAWL])
def test_the_screen_answers(crawl, db, who, screen):
    url = crawl.url(screen)
    status, location = answer(crawl.clients[who], url, screen.follow)
    expected = expected_answer(who, screen)
    if expected == DENIED:
        assert (status, location) == (302, reverse("wagtailadmin_home")), url
    else:
        assert status == expected, f"{url}: {status} {location}"


#: Listings whose rows link to none of their object's screens, and why they are let be: none.
ROWS_LINK_NOWHERE: dict[str, str] = {}


@pytest.mark.parametrize(
    "screen",
    [screen for screen in SCREENS if screen.view == "list"],
    ids=lambda screen: screen.area,
)
def test_the_listing_shows_rows_that_lead_to_their_object(crawl, db, screen):
    """A listing is crawled with rows in it, and a row links to its object's edit form or
    inspect view (a page type's listing, to the crawled page's)."""
    content = crawl.clients["admin"].get(crawl.url(screen)).content.decode()
    body = content.partition("<tbody")[2]
    assert "<tr" in body.partition("</tbody>")[0], crawl.url(screen)
    if screen.area in ROWS_LINK_NOWHERE:
        return
    own_screens = [
        crawl.url(own)
        for own in SCREENS
        if own.area == screen.area and own.view in ("edit", "inspect")
    ]
    if screen.area.startswith("page:"):
        links = own_screens
    else:  # any object's: the crawled one may be on another page of the listing
        pk = str(crawl.objects[(screen.area, "object")])
        links = [url.rsplit(pk, 1)[0] for url in own_screens]
    assert any(link in content for link in links), (crawl.url(screen), links)


# --- nothing escapes the crawl -----------------------------------------------------------------


def test_every_admin_area_is_crawled():
    """Every model the admin manages has its listing or edit form crawled, and every admin URL
    that edits an object, lists objects or edits settings is a crawled screen (a new area
    whose URLs this module cannot discover fails here: add it to ``PLAIN_OBJECT_SCREENS``)."""
    crawled_names = {screen.url_name for screen in SCREENS}
    crawled_areas = {screen.area for screen in SCREENS}
    managed = {
        *(label(model) for model in get_snippet_models()),
        *(label(viewset.model) for viewset in model_viewsets()),
        *(label(model) for model in settings_registry),
        *(f"page:{label(model)}" for model in page_models()),
    }
    assert managed - crawled_areas == set()
    assert "cms.trustdocument" in managed and "page:cms.homepage" in managed
    screens_of_objects = {
        name
        for name, route in admin_routes().items()
        if name.rpartition(":")[2] in ("edit", "index", "list", "delete", "usage", "history")
        and not is_chooser_or_api(route)
    }
    assert screens_of_objects - crawled_names == set()


@pytest.mark.parametrize("who", WHO)
def test_every_menu_item_is_a_screen_the_user_may_open(crawl, db, who):
    """What the menu offers is crawled, and answers that user: a menu item that leads to a
    refusal is a permission out of step with the menu."""
    user = get_user_model().objects.get(username=who)
    offered = menu_urls(user)
    assert offered, who
    crawled = {crawl.url(screen): screen for screen in SCREENS}
    assert offered - set(crawled) == set()
    refused = {url for url in offered if expected_answer(who, crawled[url]) != 200}
    assert refused == set()
