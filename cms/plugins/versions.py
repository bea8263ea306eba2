"""The plugin contract's version, and how an extension point is retired.

``CONTRACT_VERSION`` is ``MAJOR.MINOR``. A minor release only adds to the contract (an extension
point, an optional argument, a field of a contract type); a major release changes or removes
what a plugin may rely on, and only what a minor release before it announced with a
``TrustPortalDeprecationWarning``. A plugin states the version it was written for in
``PluginConfig.contract_version`` and runs on a core of the same major and the same or a later
minor; any other plugin stops the portal at start-up, with a message that says what to do.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

CONTRACT_VERSION = "1.0"
#: What a plugin that declares no ``contract_version`` is taken to be written for: the contract
#: as it stood when versions were introduced.
UNDECLARED_CONTRACT_VERSION = "1.0"


class TrustPortalDeprecationWarning(DeprecationWarning):
    """A plugin overrides an extension point that changes or goes in contract ``removed_in``."""

    removed_in = ""


class RemovedInContract2Warning(TrustPortalDeprecationWarning):
    removed_in = "2.0"


@dataclass(frozen=True)
class Deprecation:
    extension_point: str
    warning: type[TrustPortalDeprecationWarning]
    advice: str

    @property
    def removed_in(self) -> str:
        return self.warning.removed_in


def deprecated_extension_point(
    warning: type[TrustPortalDeprecationWarning], advice: str
) -> Callable[[Callable], Callable]:
    """Announce that an extension point changes or goes in contract ``warning.removed_in``;
    ``advice`` tells plugin authors what to do instead. Every plugin that overrides the method
    gets ``warning`` when it is installed (``PluginConfig.__init__``)."""

    def mark(method: Callable) -> Callable:
        method.deprecation = Deprecation(method.__name__, warning, advice)
        return method

    return mark


def parse(version: str) -> tuple[int, int]:
    major, dot, minor = str(version).partition(".")
    if not (dot and major.isdigit() and minor.isdigit()):
        raise ImproperlyConfigured(f"A plugin contract version is MAJOR.MINOR, not {version!r}")
    return int(major), int(minor)


def _describe(plugin_class: type) -> str:
    plugin_id = getattr(plugin_class, "plugin_id", "") or "?"
    return f"Plugin {plugin_id!r} ({plugin_class.__module__}.{plugin_class.__qualname__})"


def check_contract_version(plugin_class: type, core: str = CONTRACT_VERSION) -> None:
    """Refuse a plugin written for a contract this core does not implement."""
    declared = plugin_class.contract_version or UNDECLARED_CONTRACT_VERSION
    (major, minor), (core_major, core_minor) = parse(declared), parse(core)
    if major == core_major and minor <= core_minor:
        return
    plugin = _describe(plugin_class)
    if (major, minor) > (core_major, core_minor):
        raise ImproperlyConfigured(
            f"{plugin} is written for plugin contract {declared}, newer than the contract "
            f"{core} this Trust Portal implements, and may rely on what it lacks. Upgrade the "
            f"Trust Portal, or install a release of the plugin written for contract {core} or "
            f"older (within {core_major}.x)."
        )
    raise ImproperlyConfigured(
        f"{plugin} is written for plugin contract {declared}; this Trust Portal implements "
        f"contract {core}, which changed or removed what {major}.x deprecated (see 'Contract "
        f"versions and deprecations' in docs/plugins.md). Install a release of the plugin "
        f"written for contract {core_major}.x."
    )


def deprecated_overrides(plugin_class: type) -> list[Deprecation]:
    """The deprecated extension points ``plugin_class`` (or a base of it) overrides."""
    found = []
    for name in dir(plugin_class):
        declared = next((vars(k)[name] for k in plugin_class.__mro__ if name in vars(k)), None)
        for base in plugin_class.__mro__:
            member = vars(base).get(name)
            deprecation = getattr(member, "deprecation", None)
            if isinstance(deprecation, Deprecation):
                if declared is not member:
                    found.append(deprecation)
                break
    return found


def warn_deprecated_overrides(plugin_class: type) -> None:
    """Warn once per deprecated extension point ``plugin_class`` overrides, pointing at the
    plugin's own method (pytest shows these; so does ``python -W default``)."""
    for deprecation in deprecated_overrides(plugin_class):
        override = inspect.unwrap(inspect.getattr_static(plugin_class, deprecation.extension_point))
        code = getattr(override, "__code__", None)
        warnings.warn_explicit(
            f"{_describe(plugin_class)} overrides {deprecation.extension_point}(), which "
            f"changes or goes in plugin contract {deprecation.removed_in}: {deprecation.advice}",
            deprecation.warning,
            filename=code.co_filename if code else plugin_class.__module__,
            lineno=code.co_firstlineno if code else 0,
            module=plugin_class.__module__,
        )


def check_plugin_class(plugin_class: type) -> None:
    check_contract_version(plugin_class)
    warn_deprecated_overrides(plugin_class)
