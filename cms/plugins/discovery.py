"""Finding plugin apps at settings time, before Django's app registry exists."""

from importlib.metadata import entry_points

ENTRY_POINT_GROUP = "trustportal.plugins"


def discover_plugin_apps(builtin: list[str], load_entry_points: bool = True) -> list[str]:
    """Return the dotted paths of plugin apps to install: the built-in list, then entry points.

    An entry point's value is the dotted path of a Django app (module or AppConfig class), e.g.
    ``acme_portal = "acme_portal.apps.AcmePortalConfig"``. Duplicates keep their first place.
    """
    apps = list(builtin)
    if load_entry_points:
        for entry_point in entry_points(group=ENTRY_POINT_GROUP):
            apps.append(entry_point.value)
    seen: set[str] = set()
    return [app for app in apps if not (app in seen or seen.add(app))]
