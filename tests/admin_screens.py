"""What the Wagtail admin offers, found in its registries and its URL resolver rather than
listed by hand: its screens (``all_screens``: every model's listing, search, add form and object
screens, every admin page without arguments) and its menu (``menu_urls``). A model or an area
registered later is found too; the admin crawl (``tests/test_admin_crawl.py``) asks them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern
from wagtail.admin.menu import SubmenuMenuItem, admin_menu
from wagtail.admin.views.generic.base import BaseListingView
from wagtail.admin.viewsets import viewsets
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.models import Page, get_page_models

#: What the search boxes are asked.
SEARCH = "q=report"


# --- what the resolver knows -------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # what ``reverse`` takes
    namespace: str
    arguments: int


def admin_routes() -> dict[str, Route]:
    """Every named URL under /admin/."""
    routes = {}

    def walk(patterns, namespace, arguments):
        for pattern in patterns:
            found = arguments + argument_count(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                inner = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                walk(pattern.url_patterns, inner, found)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                routes.setdefault(name, Route(name, namespace or "", found))

    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and str(pattern.pattern) == "admin/":
            walk(pattern.url_patterns, None, 0)
    return routes


def argument_count(pattern) -> int:
    if isinstance(pattern, RegexPattern):
        return pattern.regex.groups
    return len(pattern.converters)


# --- the screens -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Of:
    """An argument: the pk of the crawled object of model ``label``; ``role`` "parent": the page
    under which a page of that type is added, "container": the page the object is listed in."""

    label: str
    role: str = "object"


@dataclass(frozen=True)
class Screen:
    #: A model's label, "page:" and a page type's label, or the URL namespace (the URL name if it
    #: has none) of a page that is not a model's.
    area: str
    view: str
    url_name: str
    args: tuple = ()
    query: str = ""
    #: Wagtail answers with a redirect to the screen proper (a type that has one possible
    #: parent, settings without their pk): followed.
    follow: bool = False

    @property
    def id(self) -> str:
        return f"{self.area}/{self.view}"

    def url(self, objects: dict) -> str:
        args = [objects[(arg.label, arg.role)] if isinstance(arg, Of) else arg for arg in self.args]
        url = reverse(self.url_name, args=args)
        return f"{url}?{self.query}" if self.query else url


def label(model) -> str:
    return model._meta.label_lower


def model_viewsets() -> list[ModelViewSet]:
    """Every model viewset of the admin: the snippets, the core's and the plugins' screens
    (``register_admin_viewset``), Wagtail's users, groups, sites, locales and API tokens."""
    reverse("wagtailadmin_home")  # loading the admin's URLs registers every viewset
    return [viewset for viewset in viewsets.viewsets if isinstance(viewset, ModelViewSet)]


def viewset_screens(routes: dict[str, Route]) -> list[Screen]:
    screens = []
    for viewset in model_viewsets():
        area, name = label(viewset.model), viewset.get_url_name
        index = "list" if name("list") in routes else "index"
        screens += [
            Screen(area, "list", name(index)),
            Screen(area, "search", name(index), query=SEARCH),
            Screen(area, "results", name(f"{index}_results"), query=SEARCH),
            Screen(area, "add", name("add")),
        ]
        screens += [
            Screen(area, view, name(view), (Of(area),))
            for view in ("edit", "history", "usage", "inspect", "delete")
            if name(view) in routes
        ]
    return screens


def setting_screens() -> list[Screen]:
    return [
        Screen(label(model), "edit", "wagtailsettings:edit", meta_names(model), follow=True)
        for model in settings_registry
    ]


def meta_names(model) -> tuple[str, str]:
    return model._meta.app_label, model._meta.model_name


def page_models() -> list[type[Page]]:
    return [model for model in get_page_models() if model is not Page]


def page_screens() -> list[Screen]:
    screens = []
    for model in page_models():
        area, page = f"page:{label(model)}", Of(label(model))
        listed_in = Of(label(model), "container")
        screens += [
            Screen(area, "list", "wagtailadmin_explore", (listed_in,)),
            Screen(area, "search", "wagtailadmin_explore", (listed_in,), SEARCH),
            Screen(area, "type_use", "wagtailadmin_pages:type_use", meta_names(model)),
            Screen(
                area,
                "choose_parent",
                "wagtailadmin_pages:choose_parent",
                meta_names(model),
                follow=True,
            ),
            Screen(
                area,
                "add",
                "wagtailadmin_pages:add",
                (*meta_names(model), Of(label(model), "parent")),
            ),
            *(
                Screen(area, view, f"wagtailadmin_pages:{view}", (page,))
                for view in ("edit", "history", "usage", "delete")
            ),
        ]
    return screens


#: The object screens of Wagtail's areas that are plain views rather than viewsets (their
#: listings and add forms are pages without arguments), with the model of their object.
PLAIN_OBJECT_SCREENS = {
    "wagtailadmin_collections:edit": "wagtailcore.collection",
    "wagtailadmin_collections:delete": "wagtailcore.collection",
    "wagtailadmin_collections:set_privacy": "wagtailcore.collection",
    "wagtailadmin_workflows:edit": "wagtailcore.workflow",
    "wagtailadmin_workflows:usage": "wagtailcore.workflow",
    "wagtailadmin_workflows:edit_task": "wagtailcore.task",
    "wagtailredirects:edit": "wagtailredirects.redirect",
    "wagtailredirects:delete": "wagtailredirects.redirect",
    "wagtaildocs:edit": "wagtaildocs.document",
    "wagtaildocs:delete": "wagtaildocs.document",
    "wagtaildocs:document_usage": "wagtaildocs.document",
    "wagtailimages:edit": "wagtailimages.image",
    "wagtailimages:delete": "wagtailimages.image",
    "wagtailimages:image_usage": "wagtailimages.image",
}


def plain_object_screens() -> list[Screen]:
    return [
        Screen(*name.split(":"), name, (Of(model),)) for name, model in PLAIN_OBJECT_SCREENS.items()
    ]


#: Admin URLs without arguments that are no screen of a signed-in user, and why.
NOT_SCREENS = {
    "wagtailadmin_login": "the sign-in, for those not signed in",
    "wagtailadmin_logout": "POST only",
    "wagtailadmin_password_reset": "for those not signed in",
    "wagtailadmin_password_reset_done": "for those not signed in",
    "wagtailadmin_password_reset_complete": "for those not signed in",
    "wagtailadmin_error_test": "fails on purpose: Wagtail's test of its error page",
    "wagtailadmin_javascript_catalog": "a script",
    "wagtail_localize:javascript_catalog": "a script",
    "wagtailadmin_sprite": "the icons",
    "wagtailadmin_dismissibles": "JSON for the editor's widgets",
    "wagtailadmin_tag_autocomplete": "JSON for the editor's widgets",
    "wagtailadmin_block_preview": "a fragment of the block editor, asked for one block",
    "wagtailredirects:process_import": "the POST step of an import",
}


def is_chooser_or_api(route: Route) -> bool:
    """Choosers are the editor's modal dialogs (``tests/test_admin_choosers.py``); the admin's
    API answers the page explorer's scripts."""
    return (
        "choose" in route.name
        or route.namespace.startswith("wagtailadmin_api")
        or route.name.startswith("wagtail_localize:snippets_api")
    )


def pages_without_arguments(routes: dict[str, Route]) -> list[Screen]:
    """Every other admin page without arguments: the dashboard, reports, the audit log,
    analytics, the listings and add forms of Wagtail's plain areas. A listing among them is
    asked a search; its results alone (what its search box asks) only with one."""
    viewset_namespaces = {viewset.url_namespace for viewset in model_viewsets()}
    screens = []
    for route in routes.values():
        if (
            route.arguments
            or route.namespace in viewset_namespaces
            or route.name in NOT_SCREENS
            or is_chooser_or_api(route)
        ):
            continue
        area, _colon, view = route.name.rpartition(":")
        area, view = area or route.name, view if area else "page"
        view_class = getattr(resolve(reverse(route.name)).func, "view_class", None)
        is_listing = view_class is not None and issubclass(view_class, BaseListingView)
        if not (is_listing and route.name.endswith("_results")):
            screens.append(Screen(area, view, route.name))
        if is_listing:
            screens.append(Screen(area, f"{view}?q", route.name, query=SEARCH))
    return screens


def all_screens() -> list[Screen]:
    routes = admin_routes()
    return [
        *viewset_screens(routes),
        *setting_screens(),
        *page_screens(),
        *plain_object_screens(),
        *pages_without_arguments(routes),
    ]


# --- the menu ----------------------------------------------------------------------------------


def menu_urls(user) -> set[str]:
    """The admin URLs of every item of the admin's menu, submenus included, shown to ``user``."""
    request = RequestFactory().get(reverse("wagtailadmin_home"))
    request.user = user
    urls = set()

    def walk(menu):
        for item in menu.menu_items_for_request(request):
            if isinstance(item, SubmenuMenuItem):
                walk(item.menu)
            elif item.url.startswith("/admin/"):
                urls.add(item.url)

    walk(admin_menu)
    return urls
