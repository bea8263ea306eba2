"""The architecture holds: the layers and contracts of docs/architecture.md are declared, kept
and not loosened; imports inside functions stay rare and explained; the plugin contract can be
imported before any model is loaded."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sites", "plugins", "search", "workflows", "cms")

#: The contracts as docs/architecture.md states them. Removing one, or loosening it (another
#: layer order, an ignored import, a plugin left out), fails here even if lint-imports passes.
EXPECTED_CONTRACTS = {
    "layers": {
        "type": "layers",
        "layers": ["sites", "plugins", "search", "workflows", "cms"],
    },
    "plugins-independent": {"type": "independence", "modules": ["plugins.*"]},
    "core-knows-no-plugin": {
        "type": "forbidden",
        "source_modules": ["cms"],
        "forbidden_modules": ["plugins"],
    },
    "no-cycles": {"type": "acyclic_siblings", "ancestors": list(PACKAGES)},
}
MAX_FUNCTION_LEVEL_IMPORTS = 10


def importlinter_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_every_contract_is_declared_as_documented():
    config = importlinter_config()
    assert config["root_packages"] == list(PACKAGES)
    assert not config.get("exclude_type_checking_imports", False)
    declared = {contract["id"]: contract for contract in config["contracts"]}
    assert set(declared) == set(EXPECTED_CONTRACTS)
    for contract_id, expected in EXPECTED_CONTRACTS.items():
        contract = {k: v for k, v in declared[contract_id].items() if k not in {"id", "name"}}
        assert contract == expected, f"contract {contract_id!r} was changed"


def test_lint_imports_keeps_every_contract():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(EXPECTED_CONTRACTS)} kept, 0 broken." in result.stdout


def _source_files():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _nested_imports(tree: ast.Module):
    """Import statements that are not at a module's top level (in a function, a class or an
    ``if TYPE_CHECKING`` block)."""
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in top_level:
            yield node


def _project_module(node) -> str | None:
    if isinstance(node, ast.ImportFrom):
        if node.level:
            return "." * node.level + (node.module or "")
        names = [node.module or ""]
    else:
        names = [alias.name for alias in node.names]
    return next((name for name in names if name.split(".")[0] in PACKAGES), None)


def test_imports_inside_functions_are_few_and_each_says_why():
    absolute, relative_outside_app_configs, unexplained = [], [], []
    for path in _source_files():
        lines = path.read_text().splitlines()
        for node in _nested_imports(ast.parse("\n".join(lines))):
            module = _project_module(node)
            if module is None:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if module.startswith("."):
                # An AppConfig imports its own modules in its methods (Django loads apps.py
                # before any model); anywhere else a relative import belongs at the top.
                if path.name != "apps.py":
                    relative_outside_app_configs.append(where)
                continue
            absolute.append(where)
            comment_above = lines[node.lineno - 2].strip().startswith("#")
            if not comment_above and "#" not in lines[node.lineno - 1]:
                unexplained.append(where)
    assert len(absolute) <= MAX_FUNCTION_LEVEL_IMPORTS, absolute
    assert not unexplained, f"say why these cannot be at the top: {unexplained}"
    assert not relative_outside_app_configs, relative_outside_app_configs


def test_the_plugin_contract_loads_no_model():
    """A plugin's AppConfig imports the contract while Django is still loading apps, before any
    model exists: importing it must not import a models module."""
    code = (
        "import django.conf; django.conf.settings.configure();"
        "import cms.plugins.base, cms.plugins.access, cms.plugins.search, cms.events, cms.listings"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


#: Private APIs of Django and Django Ninja that have public counterparts: ``QuerySet.extra()``
#: (expressions and lookups), ``connection.run_on_commit`` (``transaction.on_commit``), the
#: ``_routers`` of a NinjaAPI.
PRIVATE_APIS = {
    "extra": "QuerySet.extra()",
    "run_on_commit": "connection.run_on_commit",
    "_routers": "NinjaAPI._routers",
}
#: Attributes of the same name that are another library's public API.
NOT_PRIVATE = {("search/backends/elasticsearch.py", "extra"): "elasticsearch-dsl's Search.extra()"}


def test_no_private_api_of_a_library_and_no_private_name_across_modules():
    found = []
    for path in _source_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in PRIVATE_APIS
                and (str(where), node.attr) not in NOT_PRIVATE
            ):
                found.append(f"{where}:{node.lineno} uses {PRIVATE_APIS[node.attr]}")
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                private = [
                    alias.name
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
                if private:
                    found.append(f"{where}:{node.lineno} imports private {private}")
    assert not found, "\n".join(found)
