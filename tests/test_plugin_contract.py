"""The plugin contract: every extension point is documented, and each one is exercised here
through tests/sample_plugin, which implements them all. The sample plugin is installed only for
the tests that ask for it (the ``sample_plugin`` fixture, ``registry.register_temporarily``), or
in a process of its own where the API is concerned."""

import inspect
import os
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory, override_settings
from django.urls import get_resolver

from cms import events
from cms.plugins import registry
from cms.plugins.base import EXTENSION_POINTS, PluginConfig
from cms.plugins.discovery import discover_plugin_apps
from cms.plugins.testing import install_temporarily
from tests import factories
from tests.helpers import run_python
from tests.sample_plugin.apps import SampleSearchProvider

ROOT = Path(__file__).resolve().parents[1]

#: extension point -> the test below that shows it reaching the portal
EXERCISED = {
    "reader_urls": "test_reader_urls_are_mounted_under_the_plugin_id",
    "menu_items": "test_menu_items_appear_in_the_main_menu",
    "admin_menu_items": "test_admin_menu_items_appear_under_more_admin_for_whom_they_are_for",
    "footer_links": "test_footer_links_appear_on_every_page",
    "api_router": "test_api_router_joins_the_wagtail_api_and_its_schema",
    "access_rules": "test_access_rules_are_consulted_by_the_policy",
    "event_handlers": "test_event_handlers_receive_core_events",
    "search_providers": "test_search_providers_add_a_tab",
    "document_actions": "test_document_actions_fill_the_dots_menu",
    "listing_actions": "test_listing_actions_act_on_checked_documents_and_whole_packs",
    "maintenance_tasks": "test_maintenance_tasks_run_with_every_sweep",
    "document_subscribers": "test_document_subscribers_are_mailed_about_updates",
    "private_models": "test_private_models_leave_the_visitors_cache_valid",
}


def test_every_extension_point_is_documented_and_exercised():
    methods = {
        name
        for name, member in inspect.getmembers(PluginConfig)
        if getattr(member, "is_extension_point", False)
    }
    assert methods == set(EXTENSION_POINTS)
    for name, doc in EXTENSION_POINTS.items():
        assert len(doc) > 20, f"extension point {name} has no real docstring"
    assert set(EXERCISED) == methods, "every extension point needs a test below"
    module = sys.modules[__name__]
    for test_name in EXERCISED.values():
        assert callable(getattr(module, test_name))
    docs = (ROOT / "docs" / "plugins.md").read_text()
    for name in methods:
        assert f"`{name}" in docs, f"docs/plugins.md does not document {name}"


def test_plugins_are_registered_with_unique_ids(sample_plugin):
    ids = [plugin.plugin_id for plugin in registry.installed_plugins()]
    assert {"feedback", "sample"} <= set(ids)
    assert len(ids) == len(set(ids))
    assert registry.get_plugin("sample").setting("GREETING") == "hello"
    with pytest.raises(KeyError):
        registry.get_plugin("sample").setting("UNDECLARED")


def test_plugin_settings_are_read_lazily(settings, sample_plugin):
    settings.TRUSTPORTAL_PLUGIN_SETTINGS = {"sample": {"GREETING": "bonjour"}}
    assert registry.get_plugin("sample").setting("GREETING") == "bonjour"


def test_entry_point_discovery_keeps_builtins_first_and_dedupes():
    found = discover_plugin_apps(["plugins.feedback", "plugins.feedback"], load_entry_points=False)
    assert found == ["plugins.feedback"]


def test_the_plugins_are_found_once_not_on_every_call(monkeypatch):
    found = registry.installed_plugins()
    walks = []
    get_app_configs = apps.get_app_configs
    monkeypatch.setattr(apps, "get_app_configs", lambda: walks.append(1) or get_app_configs())
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    for _ in range(3):
        registry.access_rules()
        registry.event_handlers(events.VersionPublished)
        registry.menu_items(request)
        registry.get_plugin("nda")
    assert registry.installed_plugins() is found
    assert walks == []


def test_a_plugin_registered_temporarily_is_answered_for_the_duration_only():
    installed = registry.installed_plugins()
    assert registry.get_plugin("sample") is None
    with registry.register_temporarily("tests.sample_plugin") as plugin:
        assert registry.installed_plugins() == (*installed, plugin)
        assert registry.get_plugin("sample") is plugin
        assert any(isinstance(p, SampleSearchProvider) for p in registry.search_providers())
    assert registry.installed_plugins() == installed
    assert registry.get_plugin("sample") is None
    assert not any(isinstance(p, SampleSearchProvider) for p in registry.search_providers())


@registry.register_temporarily("tests.sample_plugin")
def test_register_temporarily_decorates_a_test_too():
    assert registry.is_enabled("sample")


def test_a_plugin_registered_temporarily_needs_an_id_of_its_own(sample_plugin):
    twin = registry.register_temporarily("tests.sample_plugin")
    with pytest.raises(ValueError, match="share the id 'sample'"), twin:
        pass
    not_a_plugin = registry.register_temporarily("django.contrib.sitemaps")
    with pytest.raises(TypeError, match="not a plugin"), not_a_plugin:
        pass
    assert [p for p in registry.installed_plugins() if p.plugin_id == "sample"] == [sample_plugin]


@pytest.mark.django_db
def test_a_plugin_installed_for_a_while_reaches_the_portal_then_leaves_it():
    client = Client()
    assert client.get("/en/sample/").status_code == 404
    with install_temporarily("tests.sample_plugin"):
        assert client.get("/en/sample/").content == b"sample plugin page"
        assert "Sample footer" in client.get("/en/").content.decode()
    assert client.get("/en/sample/").status_code == 404
    assert "Sample footer" not in client.get("/en/").content.decode()


def test_a_plugin_installed_for_a_while_leaves_whatever_settings_the_test_changed():
    """A test's own settings overrides are undone after the plugin's (the ``settings`` fixture's
    are, when the test changed settings): its reader URLs still go."""
    with install_temporarily("tests.sample_plugin"):
        later = override_settings(TRUSTPORTAL_PLUGIN_SETTINGS={"sample": {"GREETING": "hi"}})
        later.enable()
        assert "sample" in get_resolver().namespace_dict
    later.disable()
    assert "sample" not in get_resolver().namespace_dict


@pytest.mark.django_db
def test_reader_urls_are_mounted_under_the_plugin_id(sample_plugin):
    response = Client().get("/en/sample/")
    assert response.status_code == 200 and response.content == b"sample plugin page"
    assert Client().get("/de/sample/").status_code == 200


@pytest.mark.django_db
def test_menu_items_appear_in_the_main_menu(sample_plugin):
    html = Client().get("/en/").content.decode()
    assert 'href="/sample/">Sample</a>' in html


@pytest.mark.django_db
def test_admin_menu_items_appear_under_more_admin_for_whom_they_are_for(users, sample_plugin):
    from django.contrib.auth.models import Group

    from tests.sample_plugin.apps import SAMPLE_ADMINS_GROUP

    user = users["personal"]
    client = Client()
    client.force_login(user)
    assert "/sample/settings/" not in client.get("/en/").content.decode()
    user.groups.add(Group.objects.get_or_create(name=SAMPLE_ADMINS_GROUP)[0])
    html = client.get("/en/").content.decode()
    assert "<summary>More</summary>" in html
    assert '<a href="/sample/settings/">Sample settings</a>' in html
    # A portal administrator sees the portal's own admin first, then the plugins' entries.
    admin = Client()
    admin.force_login(users["personal"].__class__.objects.get(username="admin"))
    admin_html = admin.get("/en/").content.decode()
    assert '<a href="/admin/">Admin</a>' in admin_html


@pytest.mark.django_db
def test_footer_links_appear_on_every_page(sample_plugin):
    for url in ("/en/", "/en/trust-documents/", "/en/documents/soc-3/", "/en/search/?q=iso"):
        html = Client().get(url).content.decode()
        assert "Sample footer" in html and "/feedback/" in html, url


def test_api_router_joins_the_wagtail_api_and_its_schema():
    """Wagtail's API takes routers until it has generated its URLs, once per process: the
    plugin is installed through the settings in a process of its own, as a deployment does."""
    script = """
import django, json
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
print(json.dumps({
    "ping": client.get("/api/v3/sample/ping").json(),
    "paths": sorted(client.get("/api/v3/openapi.json").json()["paths"]),
}))
"""
    out = run_portal(script, plugins=[*settings.TRUSTPORTAL_PLUGINS, "tests.sample_plugin"])
    assert out["ping"] == {"pong": True}
    assert "/api/v3/sample/ping" in out["paths"]
    # One schema: Wagtail's pages, the core's and the other plugins' routes beside it.
    for prefix in ("/api/v3/pages/", "/api/v3/trust-documents/", "/api/v3/nda/"):
        assert any(path.startswith(prefix) for path in out["paths"]), prefix


@pytest.mark.django_db
def test_access_rules_are_consulted_by_the_policy(users, sample_plugin):
    from django.contrib.auth.models import Group

    from cms.access import policy
    from tests.sample_plugin.apps import EXTRA_ENTITLED_GROUP, NDA_GROUP

    hidden = factories.document("restricted")
    user = users["personal"]
    assert not policy.can_view(user, hidden)
    user.groups.add(Group.objects.get(name=EXTRA_ENTITLED_GROUP))
    assert policy.can_view(user, hidden)
    assert policy.can_download(user, hidden.versions.get())
    # A member who never accepted the NDA (in the nda plugin) has it by the sample rule alone.
    nda = factories.document("nda").versions.get()
    member = users["member"]
    assert not policy.can_download(member, nda)
    member.groups.add(Group.objects.get_or_create(name=NDA_GROUP)[0])
    member = type(member).objects.get(pk=member.pk)  # a new request: nothing cached
    assert policy.can_download(member, nda)
    assert policy.accepted_nda_label(member) == "sample NDA"


@pytest.mark.django_db
def test_event_handlers_receive_core_events(received_events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        doc = factories.document("public", versions=0)
    assert events.DocumentPublished(document_id=doc.pk, first_publish=True) in received_events
    with django_capture_on_commit_callbacks(execute=True):
        version = factories.version(doc, "v1")
    assert events.VersionPublished(document_id=doc.pk, version_id=version.pk) in received_events
    doc.refresh_from_db()
    doc.access_level = "nda"
    with django_capture_on_commit_callbacks(execute=True):
        doc.save_revision().publish()
    changed = events.AccessLevelChanged(document_id=doc.pk, old_level="public", new_level="nda")
    assert changed in received_events
    with django_capture_on_commit_callbacks(execute=True):
        doc.unpublish()
    assert events.DocumentWithdrawn(document_id=doc.pk) in received_events


@pytest.mark.django_db
def test_events_wait_for_the_transaction_to_commit(
    received_events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        factories.document("public", versions=0)
    assert received_events == [] and len(callbacks) >= 1


@pytest.mark.django_db
def test_search_providers_add_a_tab(sample_plugin):
    client = Client()
    html = client.get("/en/search/?q=iso").content.decode()
    assert "Sample results" in html
    hits = client.get("/en/search/?q=iso&tab=sample").content.decode()
    assert "Sample hit for iso" in hits


def test_removing_plugins_from_settings_removes_their_routes_menus_and_api():
    """With no plugins at all, the portal still starts, and the plugins' surfaces are gone."""
    script = """
import django, json
django.setup()
from django.core.management import call_command
from django.urls import get_resolver, resolve
call_command("check")
from wagtail.api.v3.urls import api
print(json.dumps({
    # Without the plugin the path falls through to Wagtail's page serving (a 404 there).
    "feedback": resolve("/en/feedback/").url_name,
    "namespaces": sorted(get_resolver().namespace_dict),
    "api_paths": sorted(api.get_openapi_schema()["paths"]),
}))
"""
    built_in = {plugin.plugin_id for plugin in registry.installed_plugins()}
    assert {"nda", "feedback", "library", "notifications", "compliance"} <= built_in
    out = run_portal(script, plugins=[])
    assert out["feedback"] == "wagtail_serve"
    assert "portal" in out["namespaces"] and not built_in & set(out["namespaces"])
    assert not [p for p in out["api_paths"] if p.split("/")[3] in built_in]
    assert any(path.startswith("/api/v3/pages") for path in out["api_paths"])


def run_portal(script: str, plugins: list[str]) -> dict:
    """Run ``script`` in a new process of the portal with ``plugins`` installed through the
    setting, as a deployment installs them, and return the JSON it printed last."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sites.settings.test",
        "TRUSTPORTAL_PLUGINS": ",".join(plugins),
    }
    env.pop("DATABASE_URL", None)
    return run_python(script, env)


@pytest.mark.django_db
def test_document_actions_fill_the_dots_menu(sample_plugin):
    html = Client().get("/en/trust-documents/").content.decode()
    assert 'aria-label="More actions for' in html and "Sample action on " in html
    detail = Client().get("/en/documents/soc-3/").content.decode()
    assert "Sample action on soc-3" in detail and 'name="document"' in detail


@pytest.mark.django_db
def test_listing_actions_act_on_checked_documents_and_whole_packs(sample_plugin):
    from cms.models import StarterPackPage

    html = Client().get("/en/trust-documents/").content.decode()
    assert "Sample bulk action" in html
    assert 'type="checkbox" name="document"' in html and 'form="bulk-actions"' in html
    pack = StarterPackPage.objects.live().filter(locale__language_code="en").first()
    pack_html = Client().get(pack.url).content.decode()
    assert "Sample all" in pack_html


def test_maintenance_tasks_run_with_every_sweep(sample_plugin):
    from tests.sample_plugin.apps import MAINTENANCE_RUNS
    from workflows.sweep import sweep

    MAINTENANCE_RUNS.clear()
    with pytest.MonkeyPatch.context() as patch:
        # The sweep's own outbox relay needs the database; this test is about the plugin hook.
        patch.setattr("workflows.sweep.relay_pending", lambda: 0)
        sweep()
    assert MAINTENANCE_RUNS == ["swept"]


@pytest.mark.django_db
def test_document_subscribers_are_mailed_about_updates(
    sample_plugin, django_capture_on_commit_callbacks
):
    """Notifications find their recipients through the contract, not in another plugin's
    models: a reader subscribed by the sample plugin alone (nothing saved in My Library) is
    mailed about an update."""
    from django.contrib.auth.models import Group
    from django.core import mail

    from plugins.notifications.models import NotificationSettings
    from tests.conftest import make_user
    from tests.sample_plugin.apps import SUBSCRIBERS_GROUP

    document = factories.document("public", title="Contract subscribed paper")
    reader = make_user("t-contract-subscriber")
    reader.groups.add(Group.objects.get_or_create(name=SUBSCRIBERS_GROUP)[0])
    NotificationSettings.objects.create(user=reader, enabled=True, email="sub@customer.test")
    subscribed = [row for ids in registry.document_subscribers(document.pk) for row in ids]
    assert {"pk": reader.pk} in subscribed
    with django_capture_on_commit_callbacks(execute=True):
        factories.version(document, "v2")
    (message,) = [m for m in mail.outbox if m.to == ["sub@customer.test"]]
    assert "Contract subscribed paper" in message.body


@pytest.mark.django_db
def test_private_models_leave_the_visitors_cache_valid():
    from wagtail.models import Collection

    from search.facets import current_generation

    with install_temporarily("tests.sample_plugin"):
        before = current_generation()
        Collection.get_first_root_node().add_child(name="Private to the sample plugin")
        assert current_generation() == before
    # Without the plugin nobody says the model is private: its writes invalidate again.
    Collection.get_first_root_node().add_child(name="Shown without the plugin")
    assert current_generation() > before
