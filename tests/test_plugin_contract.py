"""The plugin contract: every extension point is documented, and each one is exercised here
through tests/sample_plugin, which implements them all."""

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from cms import events
from cms.plugins import registry
from cms.plugins.base import EXTENSION_POINTS, PluginConfig
from cms.plugins.discovery import discover_plugin_apps
from tests import factories

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


def test_plugins_are_registered_with_unique_ids():
    ids = [plugin.plugin_id for plugin in registry.installed_plugins()]
    assert {"feedback", "sample"} <= set(ids)
    assert len(ids) == len(set(ids))
    assert registry.get_plugin("sample").setting("GREETING") == "hello"
    with pytest.raises(KeyError):
        registry.get_plugin("sample").setting("UNDECLARED")


def test_plugin_settings_are_read_lazily(settings):
    settings.TRUSTPORTAL_PLUGIN_SETTINGS = {"sample": {"GREETING": "bonjour"}}
    assert registry.get_plugin("sample").setting("GREETING") == "bonjour"


def test_entry_point_discovery_keeps_builtins_first_and_dedupes():
    apps = discover_plugin_apps(["plugins.feedback", "plugins.feedback"], load_entry_points=False)
    assert apps == ["plugins.feedback"]


@pytest.mark.django_db
def test_reader_urls_are_mounted_under_the_plugin_id():
    response = Client().get("/en/sample/")
    assert response.status_code == 200 and response.content == b"sample plugin page"
    assert Client().get("/de/sample/").status_code == 200


@pytest.mark.django_db
def test_menu_items_appear_in_the_main_menu():
    html = Client().get("/en/").content.decode()
    assert 'href="/sample/">Sample</a>' in html


@pytest.mark.django_db
def test_admin_menu_items_appear_under_more_admin_for_whom_they_are_for(users):
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
def test_footer_links_appear_on_every_page():
    for url in ("/en/", "/en/trust-documents/", "/en/documents/soc-3/", "/en/search/?q=iso"):
        html = Client().get(url).content.decode()
        assert "Sample footer" in html and "/feedback/" in html, url


@pytest.mark.django_db
def test_api_router_joins_the_wagtail_api_and_its_schema():
    client = Client()
    assert client.get("/api/v3/sample/ping").json() == {"pong": True}
    schema = client.get("/api/v3/openapi.json").json()
    assert "/api/v3/sample/ping" in schema["paths"]
    assert any(path.startswith("/api/v3/pages") for path in schema["paths"])


@pytest.mark.django_db
def test_access_rules_are_consulted_by_the_policy(users):
    from django.contrib.auth.models import Group

    from cms.access import policy
    from tests.sample_plugin.apps import EXTRA_ENTITLED_GROUP

    hidden = factories.document("restricted")
    user = users["personal"]
    assert not policy.can_view(user, hidden)
    user.groups.add(Group.objects.get(name=EXTRA_ENTITLED_GROUP))
    assert policy.can_view(user, hidden)
    assert policy.can_download(user, hidden.versions.get())
    nda = factories.document("nda")
    assert not policy.can_download(users["member"], nda.versions.get())
    assert policy.can_download(users["member_nda"], nda.versions.get())


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
def test_search_providers_add_a_tab():
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
from django.test.utils import setup_test_environment
from django.test import Client
from django.urls import resolve
call_command("check")
setup_test_environment()
out = {}
for url in ("/en/feedback/", "/en/sample/"):
    # Without the plugin the path falls through to Wagtail's page serving (a 404 there).
    match = resolve(url)
    out[url] = "plugin" if set(match.namespaces) & {"feedback", "sample"} else "gone"
from wagtail.api.v3.urls import api
schema = api.get_openapi_schema()
out["api_paths"] = sorted(schema["paths"])
print(json.dumps(out))
"""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sites.settings.test",
        "TRUSTPORTAL_PLUGINS": "",
        "TRUSTPORTAL_TEST_SAMPLE_PLUGIN": "0",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["/en/feedback/"] == "gone" and out["/en/sample/"] == "gone"
    assert not any("sample" in path or "feedback" in path for path in out["api_paths"])
    assert any(path.startswith("/api/v3/pages") for path in out["api_paths"])


@pytest.mark.django_db
def test_document_actions_fill_the_dots_menu():
    html = Client().get("/en/trust-documents/").content.decode()
    assert 'aria-label="More actions for' in html and "Sample action on " in html
    detail = Client().get("/en/documents/soc-3/").content.decode()
    assert "Sample action on soc-3" in detail and 'name="document"' in detail


@pytest.mark.django_db
def test_listing_actions_act_on_checked_documents_and_whole_packs():
    from cms.models import StarterPackPage

    html = Client().get("/en/trust-documents/").content.decode()
    assert "Sample bulk action" in html
    assert 'type="checkbox" name="document"' in html and 'form="bulk-actions"' in html
    pack = StarterPackPage.objects.live().filter(locale__language_code="en").first()
    pack_html = Client().get(pack.url).content.decode()
    assert "Sample all" in pack_html


def test_maintenance_tasks_run_with_every_sweep():
    from tests.sample_plugin.apps import MAINTENANCE_RUNS
    from workflows.sweep import sweep

    MAINTENANCE_RUNS.clear()
    with pytest.MonkeyPatch.context() as patch:
        # The sweep's own outbox relay needs the database; this test is about the plugin hook.
        patch.setattr("workflows.sweep.relay_pending", lambda: 0)
        sweep(reschedule=False)
    assert MAINTENANCE_RUNS == ["swept"]


@pytest.mark.django_db
def test_document_subscribers_are_mailed_about_updates(django_capture_on_commit_callbacks):
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
