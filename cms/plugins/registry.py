"""The registry of installed plugins and the functions the core calls to reach them.

The plugins are found once, the first time they are asked for after the app registry is
populated (as Wagtail's hooks are found once), not on every call; their extension points are
still asked on every call, since what those answer may depend on the request or on settings.
INSTALLED_APPS does not change in a running process (Wagtail's apps, and ours, join routers to
the API in ``ready()``, which cannot run twice); tests install a plugin for a while with
``register_temporarily`` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import ContextDecorator
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig, apps
from django.urls import include, path

from .base import DocumentAction, FooterLink, ListingAction, MenuItem, PluginConfig

if TYPE_CHECKING:
    from ninja import Router

_plugins: tuple[PluginConfig, ...] | None = None


def installed_plugins() -> tuple[PluginConfig, ...]:
    """Installed plugins, in INSTALLED_APPS order (then those registered temporarily)."""
    global _plugins
    if _plugins is None:
        _plugins = tuple(
            config for config in apps.get_app_configs() if isinstance(config, PluginConfig)
        )
    return _plugins


class TemporaryPlugin(ContextDecorator):
    def __init__(self, plugin: PluginConfig | str) -> None:
        self.entry = plugin
        self.plugin: PluginConfig | None = None

    def __enter__(self) -> PluginConfig:
        global _plugins
        plugin = self.entry
        if not isinstance(plugin, AppConfig):
            plugin = AppConfig.create(plugin)
        if not isinstance(plugin, PluginConfig):
            raise TypeError(f"The app {plugin.name!r} is not a plugin (no PluginConfig)")
        plugins = (*installed_plugins(), plugin)
        _check_ids(plugins)
        _plugins, self.plugin = plugins, plugin
        return plugin

    def __exit__(self, *exc_info: object) -> None:
        global _plugins
        _plugins = tuple(p for p in installed_plugins() if p is not self.plugin)
        self.plugin = None


def register_temporarily(plugin: PluginConfig | str) -> TemporaryPlugin:
    """Install ``plugin`` for the duration of a ``with`` block or of a decorated test, as
    Wagtail's ``hooks.register_temporarily`` does a hook: the registry answers with it, after
    the installed plugins, then forgets it.

    ``plugin`` is a ``PluginConfig`` or an entry as INSTALLED_APPS would list it
    (``"acme_portal"``, ``"acme_portal.apps.AcmePortalConfig"``). Django's app registry does not
    learn of it, so the app must have no models. Extension points the portal reads once, when it
    loads its URLconf (``reader_urls``, ``api_router``), need more: see ``cms.plugins.testing``.
    """
    return TemporaryPlugin(plugin)


def get_plugin(plugin_id: str) -> PluginConfig | None:
    return next((p for p in installed_plugins() if p.plugin_id == plugin_id), None)


def is_enabled(plugin_id: str) -> bool:
    return get_plugin(plugin_id) is not None


def check_plugin_ids() -> None:
    """Fail loudly at start-up on a plugin without an id or two plugins sharing one."""
    _check_ids(installed_plugins())


def _check_ids(plugins: Iterable[PluginConfig]) -> None:
    seen: dict[str, str] = {}
    for plugin in plugins:
        if not plugin.plugin_id or not plugin.plugin_id.replace("_", "").isalnum():
            raise ValueError(f"Plugin app {plugin.name!r} must declare a slug plugin_id")
        if plugin.plugin_id in seen:
            raise ValueError(
                f"Plugins {seen[plugin.plugin_id]!r} and {plugin.name!r} share the id "
                f"{plugin.plugin_id!r}"
            )
        seen[plugin.plugin_id] = plugin.name


def reader_urlpatterns() -> list:
    patterns = []
    for plugin in installed_plugins():
        urls = list(plugin.reader_urls())
        if urls:
            patterns.append(
                path(
                    f"{plugin.plugin_id}/",
                    include((urls, plugin.plugin_id), namespace=plugin.plugin_id),
                )
            )
    return patterns


def menu_items(request) -> list[MenuItem]:
    items = [item for plugin in installed_plugins() for item in plugin.menu_items(request)]
    return sorted(items, key=lambda item: item.order)


def admin_menu_items(request) -> list[MenuItem]:
    items = [item for plugin in installed_plugins() for item in plugin.admin_menu_items(request)]
    return sorted(items, key=lambda item: item.order)


def footer_links(request) -> list[FooterLink]:
    links = [link for plugin in installed_plugins() for link in plugin.footer_links(request)]
    return sorted(links, key=lambda link: link.order)


def api_routers() -> list[tuple[str, Router]]:
    """``(prefix, router)`` of every plugin with an API router: the prefix is ``/<plugin_id>/``."""
    found = [(f"/{plugin.plugin_id}/", plugin.api_router()) for plugin in installed_plugins()]
    return [(prefix, router) for prefix, router in found if router is not None]


def access_rules() -> list:
    return [rule for plugin in installed_plugins() for rule in plugin.access_rules()]


def event_handlers(event_type: type) -> list[Callable[[Any], None]]:
    handlers = []
    for plugin in installed_plugins():
        handler = plugin.event_handlers().get(event_type)
        if handler is not None:
            handlers.append(handler)
    return handlers


def search_providers() -> list:
    return [provider for plugin in installed_plugins() for provider in plugin.search_providers()]


def maintenance_tasks() -> list[Callable[[], None]]:
    return [task for plugin in installed_plugins() for task in plugin.maintenance_tasks()]


def private_models() -> set[str]:
    """Labels of the plugins' models no anonymous visitor is shown (see the extension point)."""
    return {label for plugin in installed_plugins() for label in plugin.private_models()}


def document_subscribers(document_id: int) -> list:
    """The plugins' querysets of user ids subscribed to ``document_id`` (none: nobody is)."""
    found = [plugin.document_subscribers(document_id) for plugin in installed_plugins()]
    return [queryset for queryset in found if queryset is not None]


def document_actions(request, document) -> list[DocumentAction]:
    actions = [
        action
        for plugin in installed_plugins()
        for action in plugin.document_actions(request, document)
    ]
    return sorted(actions, key=lambda action: action.order)


def listing_actions(request) -> list[ListingAction]:
    actions = [a for plugin in installed_plugins() for a in plugin.listing_actions(request)]
    return sorted(actions, key=lambda action: action.order)
