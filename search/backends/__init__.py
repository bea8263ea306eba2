"""Search backends: chosen by ``TRUSTPORTAL_SEARCH_BACKEND`` (the database unless
``ELASTICSEARCH_URL`` is set)."""

from django.conf import settings
from django.utils.module_loading import import_string


def get_backend():
    return import_string(settings.TRUSTPORTAL_SEARCH_BACKEND)()
