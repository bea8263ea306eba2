"""The registry of installed plugins and the functions the core calls to reach them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.urls import include, path

from .base import DocumentAction, FooterLink, ListingAction, MenuItem, PluginConfig


def installed_plugins() -> list[PluginConfig]:
    """Installed plugins, in INSTALLED_APPS order."""
    return [config for config in apps.get_app_configs() if isinstance(config, PluginConfig)]


def get_plugin(plugin_id: str) -> PluginConfig | None:
    return next((p for p in installed_plugins() if p.plugin_id == plugin_id), None)


def is_enabled(plugin_id: str) -> bool:
    return get_plugin(plugin_id) is not None


def check_plugin_ids() -> None:
    """Fail loudly at start-up on a plugin without an id or two plugins sharing one."""
    seen: dict[str, str] = {}
    for plugin in installed_plugins():
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


def mount_api_routers(api) -> None:
    """Join every plugin's router to the Wagtail API v3 instance (before ``api.urls`` is read)."""
    mounted = {prefix for prefix, _router in api._routers}
    for plugin in installed_plugins():
        router = plugin.api_router()
        prefix = f"/{plugin.plugin_id}/"
        if router is not None and prefix not in mounted:
            api.add_router(prefix, router)


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
