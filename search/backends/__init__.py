"""Search backends: chosen by ``TRUSTPORTAL_SEARCH_BACKEND`` (the database unless
``ELASTICSEARCH_URL`` is set). Each subclasses ``search.backends.base.SearchBackend``."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .base import SearchBackend


def get_backend() -> SearchBackend:
    backend = import_string(settings.TRUSTPORTAL_SEARCH_BACKEND)()
    if not isinstance(backend, SearchBackend):
        raise ImproperlyConfigured(
            f"TRUSTPORTAL_SEARCH_BACKEND {settings.TRUSTPORTAL_SEARCH_BACKEND!r} is not a "
            "subclass of search.backends.base.SearchBackend"
        )
    return backend
