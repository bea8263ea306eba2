"""Showing source-language content in the reader's language.

Documents and taxonomy are authored in the default locale and translated with wagtail-localize.
Listings query the source rows (so filters, access checks and counts are language-independent)
and swap in the live translation for display, in one query per model, whatever the page size.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Model
from django.utils import translation
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import DraftStateMixin, Locale

#: ``{language code: (Locale, when it was read)}``: every listing asks for the active and the
#: default locale several times, and a locale changes only when an administrator adds or removes
#: a language. A change clears this process's copy at once (``forget_locales``); other processes
#: (workers, other web processes) read theirs again after ``LOCALE_CACHE_SECONDS``.
_locales: dict[str, tuple[Locale, float]] = {}
LOCALE_CACHE_SECONDS = 60.0
_clock = time.monotonic


def locale_for(language_code: str) -> Locale:
    code = get_supported_content_language_variant(language_code)
    cached = _locales.get(code)
    now = _clock()
    if cached is not None and now - cached[1] < LOCALE_CACHE_SECONDS:
        return cached[0]
    locale = Locale.objects.get(language_code=code)
    _locales[code] = (locale, now)
    return locale


def forget_locales(**kwargs) -> None:
    """Connected to every save and delete of a ``Locale`` (and called between tests)."""
    _locales.clear()


def active_locale() -> Locale:
    try:
        return locale_for(translation.get_language() or settings.LANGUAGE_CODE)
    except (Locale.DoesNotExist, LookupError):
        return default_locale()


def default_locale() -> Locale:
    return locale_for(settings.LANGUAGE_CODE)


def translations(objects: Iterable[Model], locale: Locale | None = None) -> dict:
    """``{(model, translation_key): translated object}`` for every object with a translation
    in ``locale`` (live ones only, for models with drafts). One query per model."""
    locale = locale or active_locale()
    keys_by_model: dict[type, set] = defaultdict(set)
    for obj in objects:
        if obj is not None and obj.locale_id != locale.pk:
            keys_by_model[type(obj)].add(obj.translation_key)
    found = {}
    for model, keys in keys_by_model.items():
        queryset = model.objects.filter(locale=locale, translation_key__in=keys)
        if issubclass(model, DraftStateMixin):
            queryset = queryset.filter(live=True)
        for translated in queryset:
            found[(model, translated.translation_key)] = translated
    return found


class Localizer:
    """Looks up translations fetched in bulk; falls back to the object itself."""

    def __init__(self, objects: Iterable[Model], locale: Locale | None = None):
        self.map = translations(objects, locale)

    def __call__(self, obj):
        if obj is None:
            return None
        return self.map.get((type(obj), obj.translation_key), obj)


def localized(obj, locale: Locale | None = None):
    return Localizer([obj], locale)(obj)
