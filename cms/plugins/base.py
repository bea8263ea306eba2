"""The base every plugin's AppConfig subclasses, and the extension points it may implement.

A plugin is an ordinary Django app (its models, migrations, templates and ``wagtail_hooks.py``
work as in any Wagtail app). What it contributes to the rest of the portal goes through the
methods marked ``@extension_point`` below and nowhere else; ``cms`` never imports a plugin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.conf import settings

from .access import AccessRule
from .search import SearchProvider
from .versions import CONTRACT_VERSION as CONTRACT_VERSION
from .versions import check_plugin_class

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest
    from django.urls import URLPattern, URLResolver
    from ninja import Router


EXTENSION_POINTS: dict[str, str] = {}


def extension_point(method: Callable) -> Callable:
    """Mark a ``PluginConfig`` method as an extension point (its docstring is its documentation)."""
    EXTENSION_POINTS[method.__name__] = (method.__doc__ or "").strip()
    method.is_extension_point = True
    return method


@dataclass(frozen=True)
class MenuItem:
    """An entry of the reader site's main menu; ``children`` make it a pull-down."""

    label: str
    url: str
    order: int = 100
    children: tuple[MenuItem, ...] = field(default_factory=tuple)
    icon: str = ""


@dataclass(frozen=True)
class FooterLink:
    label: str
    url: str
    order: int = 100


@dataclass(frozen=True)
class DocumentAction:
    """An entry of a document's "…" menu: a button that POSTs ``document=<id>`` (and ``next``,
    the page to come back to) to ``url``."""

    label: str
    url: str
    order: int = 100


@dataclass(frozen=True)
class ListingAction:
    """A button above document listings that POSTs the checked documents (``document=<id>``,
    repeated) to ``url``. With ``all_label``, starter packs also offer it for all their
    documents at once ("Save all to library")."""

    label: str
    url: str
    all_label: str = ""
    order: int = 100


class PluginConfig(AppConfig):
    """Base AppConfig of every Trust Portal plugin.

    Subclasses set ``plugin_id`` (a slug, unique among plugins: it names the plugin's URL prefix,
    URL namespace, API prefix and settings namespace) and override the extension points they need.
    """

    plugin_id: str = ""
    #: The plugin contract (``CONTRACT_VERSION``, "MAJOR.MINOR") the plugin is written for;
    #: undeclared means 1.0. Checked when the plugin is installed (see ``cms.plugins.versions``).
    contract_version: str = ""
    default_auto_field = "django.db.models.BigAutoField"
    #: Settings with defaults; read through ``self.setting(name)`` so ``override_settings`` works.
    default_settings: dict[str, Any] = {}

    def __init__(self, app_name: str, app_module: Any) -> None:
        # Django creates each app's config once, at start-up: a plugin written for a contract
        # this core does not implement stops it here, before any model is loaded.
        check_plugin_class(type(self))
        super().__init__(app_name, app_module)

    def setting(self, name: str) -> Any:
        """A plugin setting: ``TRUSTPORTAL_PLUGIN_SETTINGS[plugin_id][name]`` or the default."""
        if name not in self.default_settings:
            raise KeyError(f"Plugin {self.plugin_id!r} declares no setting {name!r}")
        overrides = getattr(settings, "TRUSTPORTAL_PLUGIN_SETTINGS", {}).get(self.plugin_id, {})
        return overrides.get(name, self.default_settings[name])

    @extension_point
    def reader_urls(self) -> Iterable[URLPattern | URLResolver]:
        """URL patterns of the reader site, mounted at ``/<language>/<plugin_id>/`` in namespace
        ``<plugin_id>``."""
        return []

    @extension_point
    def menu_items(self, request: HttpRequest) -> Iterable[MenuItem]:
        """Entries of the reader site's main menu for this request (return none to hide)."""
        return []

    @extension_point
    def admin_menu_items(self, request: HttpRequest) -> Iterable[MenuItem]:
        """Entries of the More › Admin pull-down for this request; return none unless the user
        administers what the entry leads to (More appears only when it has entries)."""
        return []

    @extension_point
    def footer_links(self, request: HttpRequest) -> Iterable[FooterLink]:
        """Links in the footer of every reader page (e.g. the feedback form)."""
        return []

    @extension_point
    def document_actions(self, request: HttpRequest, document: Any) -> Iterable[DocumentAction]:
        """Entries of the "…" menu beside a document (``TrustDocument``) the reader can see, on
        every listing and on its own page. Called once per document: no queries here."""
        return []

    @extension_point
    def listing_actions(self, request: HttpRequest) -> Iterable[ListingAction]:
        """Buttons above document listings acting on the documents the reader checks (and on a
        whole starter pack when ``all_label`` is set)."""
        return []

    @extension_point
    def api_router(self) -> Router | None:
        """A Django Ninja router joined to the headless API (Wagtail API v3) at
        ``/api/v3/<plugin_id>/``, so it shares one OpenAPI schema and one token scheme."""
        return None

    @extension_point
    def access_rules(self) -> Iterable[AccessRule]:
        """Rules the one access policy consults (``cms.plugins.access.AccessRule``), e.g. whether
        a user has accepted the current NDA."""
        return []

    @extension_point
    def event_handlers(self) -> dict[type, Callable[[Any], None]]:
        """Handlers of core events (``cms.events``: document published, version published,
        document withdrawn, access level changed), run as background jobs after commit."""
        return {}

    @extension_point
    def maintenance_tasks(self) -> Iterable[Callable[[], None]]:
        """Idempotent callables the sweep runs when a worker starts and then periodically, e.g.
        resending what a worker killed mid-job left unsent. They must be safe to run at once in
        several workers."""
        return []

    @extension_point
    def document_subscribers(self, document_id: int) -> QuerySet | None:
        """Who asked to hear about updates to one document (a ``TrustDocument`` id): a values
        queryset of user ids (e.g. My Library: the readers who saved it), or None. Notification
        plugins mail them; access is checked again when each e-mail is built."""
        return None

    @extension_point
    def private_models(self) -> Iterable[str]:
        """Labels (``"app_label.ModelName"``) of this plugin's models whose rows no anonymous
        visitor is ever shown, on a page or in the API (a member's acceptances, saved documents,
        settings, deliveries): writing them leaves the cached answers to visitors valid. Every
        other model's writes invalidate those answers, so an omission costs speed, never a
        stale page."""
        return []

    @extension_point
    def search_providers(self) -> Iterable[SearchProvider]:
        """Extra result types for the search page (each becomes a tab beside documents)."""
        return []
