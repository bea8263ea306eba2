"""Installing a plugin for one test, its reader URLs included.

``registry.register_temporarily`` makes the registry answer with a plugin, which is enough for
every extension point the portal asks per request or per event. The portal reads the plugins'
``reader_urls`` only when it loads its URLconf, so ``install_temporarily`` also loads the
URLconf again, with the plugin, and once more without it afterwards.

One extension point stays out of reach: ``api_router``. Wagtail's API takes routers only until
it has generated its URLs, once per process; a plugin's API is tested in a process that installs
the plugin through the settings (``tests/test_plugin_contract.py`` shows how).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.urls import clear_url_caches

from . import registry
from .base import PluginConfig


def reload_urlconf() -> None:
    """Run the ROOT_URLCONF module again, so that the URLconf reads the registry as it answers
    now. (The module is reloaded in place rather than replaced in the settings: overriding
    ``ROOT_URLCONF`` would not survive a test's own ``settings`` overrides undone in another
    order.)"""
    urlconf = settings.ROOT_URLCONF
    importlib.reload(importlib.import_module(urlconf) if isinstance(urlconf, str) else urlconf)
    clear_url_caches()


@contextmanager
def install_temporarily(plugin: PluginConfig | str) -> Iterator[PluginConfig]:
    """``registry.register_temporarily(plugin)`` with the URLconf loaded again, so that the
    plugin's reader URLs are served (and reversed) for the duration, and gone afterwards."""
    try:
        with registry.register_temporarily(plugin) as config:
            reload_urlconf()
            yield config
    finally:
        reload_urlconf()
