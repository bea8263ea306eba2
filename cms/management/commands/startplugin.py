"""``python manage.py startplugin NAME [DIRECTORY]``: a new plugin as an installable package,
rendered from ``cms/plugins/plugin_template`` the way ``startapp --template`` renders an app:
``pyproject.toml`` with the entry point the portal discovers, a ``PluginConfig`` with a menu
item, an API route and an event handler, and its tests."""

from pathlib import Path

from django.core.management.base import CommandError
from django.core.management.templates import TemplateCommand

from cms.plugins.discovery import ENTRY_POINT_GROUP
from cms.plugins.versions import CONTRACT_VERSION

TEMPLATE = Path(__file__).resolve().parents[2] / "plugins" / "plugin_template"


class Command(TemplateCommand):
    help = (
        "Create a Trust Portal plugin package named NAME (a Python package name, also the "
        "plugin's id) in DIRECTORY, or in ./NAME."
    )
    # The template's files keep a -tpl suffix so that no tool takes them for the portal's own.
    rewrite_template_suffixes = (
        (".py-tpl", ".py"),
        (".toml-tpl", ".toml"),
        (".md-tpl", ".md"),
    )

    def handle(self, **options):
        name, target = options.pop("name"), options.pop("directory")
        if not (name.isidentifier() and name == name.lower()):
            raise CommandError(
                f"{name!r} is not a valid plugin name: use lowercase letters, digits and "
                "underscores (it names the Python package, the plugin id and its URLs)."
            )
        options["template"] = options["template"] or str(TEMPLATE)
        options["extensions"] = [*options["extensions"], "toml", "md"]
        options.update(
            distribution_name="trustportal-" + name.replace("_", "-"),
            plugin_title=name.replace("_", " ").title(),
            contract_version=CONTRACT_VERSION,
            entry_point_group=ENTRY_POINT_GROUP,
        )
        super().handle("plugin", name, target, **options)
        where = Path(target or name).resolve()
        self.stdout.write(
            f"Created the plugin {name!r} in {where}. Install it into this portal's "
            f"environment, then see what it adds:\n"
            f"  pip install -e {where}\n"
            f"  python manage.py plugins {name}"
        )
