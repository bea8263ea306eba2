"""The tamper-evident audit log (a separate app so its table and migrations stand alone).

Public API (imported lazily so that listing this package in INSTALLED_APPS loads no models)::

    from cms.audit import record, new_download_id, verify, Action, Outcome

See ``cms.audit.log`` (writing), ``cms.audit.verification`` (checking) and ``cms.audit.chain`` (the
exact hashed form).
"""

_EXPORTS = {
    "record": "log",
    "new_download_id": "log",
    "client_ip": "log",
    "verify": "verification",
    "Anchor": "verification",
    "Action": "models",
    "Outcome": "models",
    "AuditEntry": "models",
    "AppendOnlyError": "models",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
