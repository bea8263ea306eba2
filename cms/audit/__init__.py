"""The tamper-evident audit log (a separate app so its table and migrations stand alone).

Its public API is ``record``, ``record_refusal``, ``new_download_id``, ``client_ip``,
``verify``, ``Action`` and ``Outcome``, imported from this package lazily, so that listing it
in INSTALLED_APPS loads no models. See ``cms.audit.log`` (writing), ``cms.audit.refusals``
(refusals, aggregated), ``cms.audit.verification`` (checking), ``cms.audit.chain`` (the exact
hashed form) and ``cms.audit.keys`` (the signing keys and their rotation).
"""

_EXPORTS = {
    "record": "log",
    "record_refusal": "refusals",
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
