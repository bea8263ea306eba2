"""``python manage.py plugins``: what each installed plugin contributes to this portal, read
through the plugin contract (Datasette's ``datasette plugins`` is the model).

Extension points that take a request are asked with a request made up here: an anonymous
reader's unless ``--as-user`` names a user, so entries shown only to some users appear only
when asked as one of them.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from importlib.metadata import entry_points, packages_distributions, version
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver
from django.utils import translation
from wagtail.api.v3.urls import api

from cms.access import policy
from cms.plugins import registry
from cms.plugins.access import AccessRule
from cms.plugins.base import PluginConfig
from cms.plugins.discovery import ENTRY_POINT_GROUP
from cms.plugins.versions import (
    CONTRACT_VERSION,
    UNDECLARED_CONTRACT_VERSION,
    deprecated_overrides,
)

#: Sections of the listing, in order, with their headings in the text output.
SECTIONS = {
    "menu_items": "menu items",
    "admin_menu_items": "admin menu items",
    "footer_links": "footer links",
    "reader_urls": "reader URLs",
    "api_routes": "API routes",
    "access_rules": "access rules",
    "event_handlers": "event handlers",
    "search_providers": "search providers",
    "maintenance_tasks": "maintenance tasks",
    "document_subscribers": "document subscribers",
    "document_actions": "document actions",
    "listing_actions": "listing actions",
}


def _dotted(obj: Any) -> str:
    """A class's or function's dotted path; for any other callable (a partial, an instance),
    its class's."""
    named = obj if hasattr(obj, "__qualname__") else type(obj)
    return f"{named.__module__}.{named.__qualname__}"


def _overrides(obj: Any, base: type, name: str) -> bool:
    return getattr(type(obj), name) is not getattr(base, name)


def _origin(plugin: PluginConfig) -> dict:
    """Where the plugin came from (the setting or an entry point) and its distribution."""
    config_path = _dotted(type(plugin))
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.value in (config_path, plugin.name) and entry_point.dist is not None:
            return {
                "source": f"entry point {entry_point.name} = {entry_point.value}",
                "distribution": entry_point.dist.name,
                "version": entry_point.dist.version,
            }
    listed = {config_path, plugin.name} & set(getattr(settings, "TRUSTPORTAL_PLUGINS", []))
    source = "TRUSTPORTAL_PLUGINS" if listed else "INSTALLED_APPS"
    names = packages_distributions().get(plugin.name.split(".")[0], [])
    if not names:
        return {"source": source, "distribution": None, "version": None}
    return {"source": source, "distribution": names[0], "version": version(names[0])}


def _mounted_urls(patterns, prefix: str, namespace: str) -> list[dict]:
    """The reader URLs mounted in ``namespace``, found in the project's URLconf itself."""
    found = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if not isinstance(entry, URLResolver):
            continue
        if entry.namespace == namespace:
            found.extend(_leaves(entry.url_patterns, route, namespace))
        elif entry.namespace is None:
            found.extend(_mounted_urls(entry.url_patterns, route, namespace))
    return found


def _leaves(patterns, prefix: str, namespace: str) -> list[dict]:
    found = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            found.extend(_leaves(entry.url_patterns, route, inner))
        else:
            name = f"{namespace}:{entry.name}" if entry.name else ""
            found.append({"path": "/" + route, "name": name})
    return found


def _api_routes(schema: dict, root: str, plugin_id: str) -> list[dict]:
    prefix = f"{root}{plugin_id}/"
    return [
        {"method": method.upper(), "path": path, "summary": operation.get("summary", "")}
        for path, operations in schema["paths"].items()
        if path.startswith(prefix)
        for method, operation in operations.items()
    ]


def _access_rule(rule: AccessRule) -> dict:
    answers = [
        name
        for name, member in vars(AccessRule).items()
        if callable(member) and not name.startswith("_") and _overrides(rule, AccessRule, name)
    ]
    return {"class": _dotted(type(rule)), "answers": answers}


class Command(BaseCommand):
    help = "List the installed plugins and what each one contributes to the portal."

    def add_arguments(self, parser):
        parser.add_argument(
            "plugin_ids", nargs="*", metavar="PLUGIN_ID", help="Only these plugins."
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print JSON instead of text."
        )
        parser.add_argument(
            "--as-user",
            metavar="USERNAME",
            help="Ask the extension points that take a request as this user (default: an "
            "anonymous reader).",
        )

    def handle(self, plugin_ids=(), as_json=False, as_user=None, **options):
        plugins = registry.installed_plugins()
        unknown = set(plugin_ids) - {plugin.plugin_id for plugin in plugins}
        if unknown:
            raise CommandError(f"No plugin installed with the id {', '.join(sorted(unknown))}")
        plugins = [p for p in plugins if not plugin_ids or p.plugin_id in plugin_ids]
        with translation.override(settings.LANGUAGE_CODE):
            request = self._request(as_user)
            visible = policy.visible_documents(request.user)
            document = (
                visible.filter(locale__language_code=settings.LANGUAGE_CODE).order_by("pk").first()
            )
            # The URLconf, loaded, and the API (its routers joined in SiteConfig.ready()).
            resolver = get_resolver()
            schema = api.get_openapi_schema()
            root = api.get_root_path({})
            report = {
                "contract_version": CONTRACT_VERSION,
                "asked_as": as_user or None,
                "document": {"id": document.pk, "title": document.title} if document else None,
                "plugins": [
                    self._describe(plugin, request, document, resolver, schema, root)
                    for plugin in plugins
                ],
            }
        if as_json:
            self.stdout.write(json.dumps(report, indent=2, default=str))
        else:
            self._write_text(report)

    def _request(self, username: str | None):
        hosts = [h for h in settings.ALLOWED_HOSTS if h != "*" and not h.startswith(".")]
        request = RequestFactory(SERVER_NAME=hosts[0] if hosts else "localhost").get("/")
        request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        request.session = {}
        if username is None:
            request.user = AnonymousUser()
            return request
        try:
            request.user = get_user_model()._default_manager.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {username!r}") from None
        return request

    def _describe(self, plugin, request, document, resolver, schema, root) -> dict:
        declared = plugin.contract_version
        described = {
            "id": plugin.plugin_id,
            "name": str(plugin.verbose_name),
            "app": plugin.name,
            "config": _dotted(type(plugin)),
            **_origin(plugin),
            "contract_version": declared or UNDECLARED_CONTRACT_VERSION,
            "contract_version_declared": bool(declared),
            "deprecated": [
                {"extension_point": d.extension_point, "removed_in": d.removed_in}
                for d in deprecated_overrides(type(plugin))
            ],
            "errors": {},
        }
        asks = {
            "menu_items": lambda: [asdict(i) for i in plugin.menu_items(request)],
            "admin_menu_items": lambda: [asdict(i) for i in plugin.admin_menu_items(request)],
            "footer_links": lambda: [asdict(link) for link in plugin.footer_links(request)],
            "reader_urls": lambda: _mounted_urls(resolver.url_patterns, "", plugin.plugin_id),
            "api_routes": lambda: _api_routes(schema, root, plugin.plugin_id),
            "access_rules": lambda: [_access_rule(rule) for rule in plugin.access_rules()],
            "event_handlers": lambda: [
                {"event": event.__name__, "handler": _dotted(handler)}
                for event, handler in plugin.event_handlers().items()
            ],
            "search_providers": lambda: [
                {"id": p.id, "label": str(p.label), "class": _dotted(type(p))}
                for p in plugin.search_providers()
            ],
            "maintenance_tasks": lambda: [_dotted(task) for task in plugin.maintenance_tasks()],
            # Asked about no document: the answer is a queryset, and whether it has one is all
            # an operator needs to know.
            "document_subscribers": lambda: _overrides(
                plugin, PluginConfig, "document_subscribers"
            ),
            "document_actions": lambda: (
                [asdict(a) for a in plugin.document_actions(request, document)] if document else []
            ),
            "listing_actions": lambda: [asdict(a) for a in plugin.listing_actions(request)],
        }
        for key, ask in asks.items():
            try:
                described[key] = ask()
            except Exception as error:  # noqa: BLE001 - one plugin's failure is part of the report
                described[key] = []
                described["errors"][key] = f"{type(error).__name__}: {error}"
        return described

    def _write_text(self, report: dict) -> None:
        who = f"user {report['asked_as']!r}" if report["asked_as"] else "an anonymous reader"
        lines = [
            f"Plugin contract {report['contract_version']}. Extension points that take a request "
            f"were asked as {who} (GET /, language {settings.LANGUAGE_CODE}).",
        ]
        if report["document"]:
            lines.append(f"Document actions were asked about {report['document']['title']!r}.")
        if not report["plugins"]:
            lines.append("No plugin is installed.")
        for plugin in report["plugins"]:
            lines.extend(["", *self._plugin_lines(plugin)])
        self.stdout.write("\n".join(lines))

    def _plugin_lines(self, plugin: dict) -> list[str]:
        distribution = (
            f", distribution {plugin['distribution']} {plugin['version']}"
            if plugin["distribution"]
            else ""
        )
        contract = plugin["contract_version"] + (
            "" if plugin["contract_version_declared"] else " (not declared)"
        )
        lines = [
            f"{plugin['id']}: {plugin['name']}",
            f"  app                   {plugin['app']} ({plugin['config']})",
            f"  from                  {plugin['source']}{distribution}",
            f"  contract              {contract}",
        ]
        for deprecated in plugin["deprecated"]:
            lines.append(
                f"  deprecated            overrides {deprecated['extension_point']}(), which "
                f"changes or goes in contract {deprecated['removed_in']}"
            )
        for key, heading in SECTIONS.items():
            entries = _text_entries(key, plugin[key])
            if key in plugin["errors"]:
                entries.append(f"error: {plugin['errors'][key]}")
            for index, entry in enumerate(entries):
                lines.append(f"  {heading if index == 0 else '':<22}{entry}")
        return lines


def _text_entries(key: str, value: Any) -> list[str]:
    if key == "document_subscribers":
        return ["yes"] if value else []
    if key in {"menu_items", "admin_menu_items"}:
        return [line for item in value for line in _menu_lines(item)]
    if key in {"footer_links", "document_actions", "listing_actions"}:
        return [f"{entry['label']} -> {entry['url']} (order {entry['order']})" for entry in value]
    if key == "reader_urls":
        return [f"{url['path']}  {url['name']}".rstrip() for url in value]
    if key == "api_routes":
        return [f"{route['method']:<6} {route['path']}" for route in value]
    if key == "access_rules":
        return [f"{rule['class']} ({', '.join(rule['answers'])})" for rule in value]
    if key == "event_handlers":
        return [f"{handler['event']} -> {handler['handler']}" for handler in value]
    if key == "search_providers":
        return [f"tab {p['id']!r}: {p['label']} ({p['class']})" for p in value]
    return [str(entry) for entry in value]


def _menu_lines(item: dict, depth: int = 0) -> list[str]:
    lines = [f"{'  ' * depth}{item['label']} -> {item['url']} (order {item['order']})"]
    for child in item["children"]:
        lines.extend(_menu_lines(child, depth + 1))
    return lines
