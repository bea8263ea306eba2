"""The tools around the plugin contract: ``manage.py plugins`` shows what each plugin
contributes, the contract's version is checked when a plugin is installed and deprecations
warn, and ``manage.py startplugin`` scaffolds a package that, built and installed like any
third-party plugin, reaches the portal (and leaves it when uninstalled)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import warnings
from importlib.metadata import entry_points
from io import StringIO
from pathlib import Path

import pytest
from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from cms.plugins import registry
from cms.plugins.base import CONTRACT_VERSION, PluginConfig
from cms.plugins.discovery import ENTRY_POINT_GROUP
from cms.plugins.versions import (
    RemovedInContract2Warning,
    TrustPortalDeprecationWarning,
    check_contract_version,
    deprecated_extension_point,
    deprecated_overrides,
)
from tests.workers import database_url

ROOT = Path(__file__).resolve().parents[1]
BUILT_IN = ["nda", "feedback", "library", "notifications", "compliance"]


def plugins_report(*args: str) -> dict:
    out = StringIO()
    call_command("plugins", *BUILT_IN, "--json", *args, stdout=out)
    report = json.loads(out.getvalue())
    return {"report": report, **{p["id"]: p for p in report["plugins"]}}


# manage.py plugins


@pytest.mark.django_db
def test_plugins_command_lists_what_each_builtin_plugin_contributes():
    found = plugins_report()
    assert found["report"]["contract_version"] == CONTRACT_VERSION
    assert found["report"]["asked_as"] is None
    assert [p["id"] for p in found["report"]["plugins"]] == BUILT_IN
    feedback, library = found["feedback"], found["library"]
    assert feedback["app"] == "plugins.feedback" and feedback["source"] == "TRUSTPORTAL_PLUGINS"
    assert feedback["distribution"] == "trust-portal" and feedback["version"]
    assert feedback["contract_version"] == "1.0" and not feedback["contract_version_declared"]
    assert {"path": "/en/feedback/", "name": "feedback:form"} in feedback["reader_urls"]
    assert feedback["footer_links"][0]["url"].startswith("/en/feedback/?from=")
    assert feedback["maintenance_tasks"] == ["plugins.feedback.notifications.notify_unnotified"]
    # Asked as an anonymous reader: My Library offers nothing to save to, but subscribes.
    assert library["menu_items"] == [] and library["document_actions"] == []
    assert library["document_subscribers"] is True
    assert ("DELETE", "/api/v3/library/{slug}/") in {
        (route["method"], route["path"]) for route in library["api_routes"]
    }
    (rule,) = found["nda"]["access_rules"]
    assert rule["class"] == "plugins.nda.rules.NdaAccepted"
    assert "nda_satisfied" in rule["answers"] and "restricted_visible_q" not in rule["answers"]
    handlers = {h["event"] for h in found["notifications"]["event_handlers"]}
    assert handlers == {"DocumentPublished", "VersionPublished", "SubprocessorChanged"}
    compliance = found["compliance"]
    assert [p["id"] for p in compliance["search_providers"]] == ["compliance"]
    assert all(r["path"].startswith("/api/v3/compliance/") for r in compliance["api_routes"])
    assert ("PATCH", "/api/v3/compliance/action-items/{item_id}/") in {
        (r["method"], r["path"]) for r in compliance["api_routes"]
    }
    assert all(p["errors"] == {} and p["deprecated"] == [] for p in found["report"]["plugins"])


@pytest.mark.django_db
def test_plugins_command_asks_as_the_user_it_is_told():
    get_user_model().objects.create_user("t-plugins-reader", password="pw")
    found = plugins_report("--as-user", "t-plugins-reader")
    assert found["report"]["asked_as"] == "t-plugins-reader"
    library = found["library"]
    assert [item["label"] for item in library["menu_items"]] == ["My Library"]
    assert [action["label"] for action in library["document_actions"]] == ["Save to library"]
    assert found["report"]["document"]["title"]
    with pytest.raises(CommandError, match="No user 'nobody-here'"):
        call_command("plugins", "--as-user", "nobody-here", stdout=StringIO())
    with pytest.raises(CommandError, match="No plugin installed with the id nope"):
        call_command("plugins", "nope", stdout=StringIO())


@pytest.mark.django_db
def test_plugins_command_prints_text_for_an_operator():
    out = StringIO()
    call_command("plugins", "feedback", "notifications", stdout=out)
    text = out.getvalue()
    assert text.startswith(
        f"Plugin contract {CONTRACT_VERSION}. Extension points that take a request were "
        "asked as an anonymous reader"
    )
    assert "\nfeedback: Feedback\n" in text and "\nnotifications: Notifications\n" in text
    assert "  reader URLs           /en/feedback/  feedback:form\n" in text
    assert "  contract              1.0 (not declared)\n" in text
    assert "  event handlers        VersionPublished -> plugins.notifications." in text
    assert "\nlibrary: My Library\n" not in text


@pytest.mark.django_db
def test_one_failing_extension_point_is_reported_not_fatal(monkeypatch):
    feedback = type(registry.get_plugin("feedback"))

    def broken(self, request):
        raise RuntimeError("footer exploded")

    monkeypatch.setattr(feedback, "footer_links", broken)
    feedback_report = plugins_report()["feedback"]
    assert feedback_report["errors"] == {"footer_links": "RuntimeError: footer exploded"}
    assert feedback_report["footer_links"] == [] and feedback_report["reader_urls"]
    out = StringIO()
    call_command("plugins", "feedback", stdout=out)
    assert "  footer links          error: RuntimeError: footer exploded\n" in out.getvalue()


@pytest.mark.django_db
def test_plugins_command_names_the_deprecated_extension_points_a_plugin_overrides(monkeypatch):
    def footer_links(self, request):
        return []

    retired = deprecated_extension_point(RemovedInContract2Warning, "use the menu.")(footer_links)
    monkeypatch.setattr(PluginConfig, "footer_links", retired)
    found = plugins_report()
    assert found["feedback"]["deprecated"] == [
        {"extension_point": "footer_links", "removed_in": "2.0"}
    ]
    assert found["library"]["deprecated"] == []
    out = StringIO()
    call_command("plugins", "feedback", stdout=out)
    assert (
        "  deprecated            overrides footer_links(), which changes or goes in contract 2.0\n"
    ) in out.getvalue()


# Contract versions and deprecations

THIS_MODULE = sys.modules[__name__]


class FuturePlugin(PluginConfig):
    name = __name__
    label = "future_plugin"
    plugin_id = "future"
    contract_version = "2.0"


class RecentPlugin(PluginConfig):
    name = __name__
    label = "recent_plugin"
    plugin_id = "recent"
    contract_version = CONTRACT_VERSION


class ContractWithRetiredPoint(PluginConfig):
    """The contract as it would look with an extension point on its way out."""

    @deprecated_extension_point(RemovedInContract2Warning, "return them from menu_items().")
    def sidebar_items(self, request):
        """Entries of a sidebar that contract 2.0 no longer has."""
        return []


class PluginUsingRetiredPoint(ContractWithRetiredPoint):
    name = __name__
    label = "retired_plugin"
    plugin_id = "retired"

    def sidebar_items(self, request):
        return ["an entry"]


class PluginIgnoringRetiredPoint(ContractWithRetiredPoint):
    name = __name__
    label = "current_plugin"
    plugin_id = "current"


def test_a_plugin_for_a_newer_contract_stops_the_portal_at_start_up():
    # AppConfig.create is how Django installs each entry of INSTALLED_APPS at start-up.
    with pytest.raises(ImproperlyConfigured) as error:
        AppConfig.create(f"{__name__}.FuturePlugin")
    assert str(error.value) == (
        f"Plugin 'future' ({__name__}.FuturePlugin) is written for plugin contract 2.0, newer "
        f"than the contract {CONTRACT_VERSION} this Trust Portal implements, and may rely on "
        f"what it lacks. Upgrade the Trust Portal, or install a release of the plugin written "
        f"for contract {CONTRACT_VERSION} or older (within 1.x)."
    )
    assert isinstance(AppConfig.create(f"{__name__}.RecentPlugin"), RecentPlugin)


@pytest.mark.parametrize(
    "written_for, core, runs",
    [
        ("1.0", "1.0", True),
        ("1.0", "1.3", True),  # an older minor: the contract only grew since
        ("1.3", "1.3", True),
        ("1.4", "1.3", False),  # a newer minor may rely on an extension point this core lacks
        ("2.0", "1.3", False),
        ("1.3", "2.0", False),  # 2.0 removed what 1.x deprecated
        ("", "1.3", True),  # undeclared: written for 1.0
        ("", "2.0", False),
    ],
)
def test_which_contract_versions_a_core_runs(written_for, core, runs):
    plugin = type("Plugin", (PluginConfig,), {"contract_version": written_for, "plugin_id": "p"})
    if runs:
        check_contract_version(plugin, core)
    else:
        declared = re.escape(written_for or "1.0")
        stated = rf"written for plugin contract {declared}[,;] .*contract {re.escape(core)}\b"
        with pytest.raises(ImproperlyConfigured, match=stated):
            check_contract_version(plugin, core)


def test_a_contract_version_is_major_dot_minor():
    plugin = type("Plugin", (PluginConfig,), {"contract_version": "one", "plugin_id": "p"})
    with pytest.raises(ImproperlyConfigured, match="MAJOR.MINOR, not 'one'"):
        check_contract_version(plugin)


def test_overriding_a_deprecated_extension_point_warns_with_the_version_it_goes_in():
    assert issubclass(RemovedInContract2Warning, TrustPortalDeprecationWarning)
    assert issubclass(TrustPortalDeprecationWarning, DeprecationWarning)
    with pytest.warns(RemovedInContract2Warning) as record:
        PluginUsingRetiredPoint(__name__, THIS_MODULE)
    (warning,) = record
    assert str(warning.message) == (
        f"Plugin 'retired' ({__name__}.PluginUsingRetiredPoint) overrides sidebar_items(), "
        "which changes or goes in plugin contract 2.0: return them from menu_items()."
    )
    # It points at the plugin's own method, where the author has to change something.
    override = PluginUsingRetiredPoint.sidebar_items.__code__
    assert (warning.filename, warning.lineno) == (override.co_filename, override.co_firstlineno)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PluginIgnoringRetiredPoint(__name__, THIS_MODULE)
        ContractWithRetiredPoint(__name__, THIS_MODULE)
    (deprecation,) = deprecated_overrides(PluginUsingRetiredPoint)
    assert (deprecation.extension_point, deprecation.removed_in) == ("sidebar_items", "2.0")


def test_no_builtin_plugin_overrides_a_deprecated_extension_point():
    for plugin in registry.installed_plugins():
        assert deprecated_overrides(type(plugin)) == [], plugin.plugin_id


# manage.py startplugin, built and installed as a third-party plugin

PORTAL_CHECK = """
import io, json
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
listing = io.StringIO()
call_command("plugins", "--json", stdout=listing)
page = client.get("/en/acme_hello/")
hello = client.get("/api/v3/acme_hello/hello/")
print(json.dumps({
    "home": client.get("/en/").content.decode(),
    "page": [page.status_code, page.content.decode()],
    "api_paths": sorted(client.get("/api/v3/openapi.json").json()["paths"]),
    "hello": [hello.status_code, hello.content.decode()],
    "plugins": {p["id"]: p for p in json.loads(listing.getvalue())["plugins"]},
}))
"""


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def throwaway_env(tmp_path):
    """A virtual environment of its own that also sees this project's packages, so that a
    plugin is installed into (and uninstalled from) it, never into the project's."""
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    own = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    project = sysconfig.get_paths()["purelib"]
    Path(own.stdout.strip(), "trust_portal_env.pth").write_text(
        f"import site; site.addsitedir({project!r})\n"
    )
    return python


def pip(python: Path, *args: str) -> None:
    run([sys.executable, "-m", "pip", "--python", str(python), *args])


# The subprocesses read the demo portal this run's test database holds.
@pytest.mark.django_db
def test_startplugin_scaffolds_a_plugin_that_installs_and_uninstalls(tmp_path, throwaway_env):
    project = tmp_path / "acme-hello"
    project.mkdir()
    call_command("startplugin", "acme_hello", str(project), stdout=StringIO())
    pyproject = (project / "pyproject.toml").read_text()
    assert f'[project.entry-points."{ENTRY_POINT_GROUP}"]' in pyproject
    assert 'acme_hello = "acme_hello.apps.AcmeHelloConfig"' in pyproject
    apps_module = (project / "acme_hello" / "apps.py").read_text()
    assert f'contract_version = "{CONTRACT_VERSION}"' in apps_module
    assert not list(project.rglob("*-tpl"))

    # Its own tests pass against the portal's test settings.
    test_env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    tests = run(
        [str(throwaway_env), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=test_env,
    )
    assert "3 passed" in tests.stdout

    # Built into a wheel and installed as an operator would, outside this project's venv, with
    # no network: the build uses this venv's setuptools (a test requirement).
    dist = tmp_path / "dist"
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(project),
        ]
    )
    (wheel,) = dist.glob("trustportal_acme_hello-0.1.0-*.whl")
    pip(throwaway_env, "install", "--no-deps", "--no-index", str(wheel))
    assert not [e for e in entry_points(group=ENTRY_POINT_GROUP) if e.name == "acme_hello"]

    env = {
        **os.environ,
        # The settings an operator runs, entry points on (the test settings turn them off).
        "DJANGO_SETTINGS_MODULE": "sites.settings.dev",
        "TRUSTPORTAL_LOAD_ENTRY_POINTS": "1",
        "DATABASE_URL": database_url(),
        "TRUSTPORTAL_VAR_DIR": str(tmp_path / "var"),
    }
    for name in ("TRUSTPORTAL_PLUGINS", "REDIS_URL", "ELASTICSEARCH_URL"):
        env.pop(name, None)

    def portal() -> dict:
        result = run([str(throwaway_env), "-c", PORTAL_CHECK], cwd=ROOT, env=env)
        return json.loads(result.stdout.strip().splitlines()[-1])

    installed = portal()
    assert 'href="/en/acme_hello/">Acme Hello</a>' in installed["home"]
    status, page = installed["page"]
    assert status == 200 and "Hello from the Acme Hello plugin." in page
    assert "/api/v3/acme_hello/hello/" in installed["api_paths"]
    status, body = installed["hello"]
    assert (status, json.loads(body)) == (
        200,
        {"plugin": "acme_hello", "message": "Hello from Acme Hello"},
    )
    listed = installed["plugins"]["acme_hello"]
    assert listed["source"] == "entry point acme_hello = acme_hello.apps.AcmeHelloConfig"
    assert (listed["distribution"], listed["version"]) == ("trustportal-acme-hello", "0.1.0")
    assert listed["contract_version_declared"] and listed["menu_items"][0]["label"] == "Acme Hello"
    assert listed["api_routes"][0]["path"] == "/api/v3/acme_hello/hello/"
    assert listed["event_handlers"] == [
        {"event": "DocumentPublished", "handler": "acme_hello.handlers.on_document_published"}
    ]

    pip(throwaway_env, "uninstall", "-y", "trustportal-acme-hello")
    removed = portal()
    assert "Acme Hello" not in removed["home"]
    assert removed["page"][0] == 404 and removed["hello"][0] == 404
    assert not any(path.startswith("/api/v3/acme_hello/") for path in removed["api_paths"])
    assert "acme_hello" not in removed["plugins"] and "library" in removed["plugins"]
