"""What an archive carries: every concrete model with rows, except those listed here."""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.db import models

#: Rebuilt by the target installation itself, never copied.
EXCLUDED_MODELS = {
    # Recreated by ``migrate`` for the target's apps; other rows refer to them by natural key.
    "contenttypes.contenttype": "recreated by migrate; referred to by natural key",
    "auth.permission": "recreated by migrate; referred to by natural key",
    # Signed with the source's SECRET_KEY and tied to its cookies: readers sign in again.
    "sessions.session": "sessions end with the move",
}
#: Referred to by natural key, since the target's own ids for them differ.
NATURAL_KEY_TARGETS = {"contenttypes.contenttype", "auth.permission"}
#: Whole apps whose tables are a derived search index (the layout differs per database).
EXCLUDED_APPS = {
    "wagtailsearch": "search index, rebuilt after import (update_index)",
    # Its entries hold text the target's own full-text structure (FTS5 table or tsvector) is
    # computed from: rows copied without that structure searched nothing.
    "trustsearch": "the portal's search index, rebuilt after import (rebuild_search_index)",
}


def label(model) -> str:
    return model._meta.label_lower


def exported_models() -> list[type[models.Model]]:
    """Concrete, managed models of every installed app, in the serializers' dependency order."""
    from django.core.serializers import sort_dependencies

    app_list = []
    for config in apps.get_app_configs():
        if config.label in EXCLUDED_APPS:
            continue
        chosen = [
            model
            for model in config.get_models()
            if model._meta.managed
            and not model._meta.proxy
            and not model._meta.swapped
            and label(model) not in EXCLUDED_MODELS
        ]
        if chosen:
            app_list.append((config, chosen))
    return sort_dependencies(app_list, allow_cycles=True)


def file_fields(model) -> Iterator[models.FileField]:
    # Local fields only: a parent model's files travel with the parent.
    for field in model._meta.local_concrete_fields:
        if isinstance(field, models.FileField):
            yield field


def links(model) -> Iterator[models.ManyToManyField]:
    """The many-to-many fields whose links travel in the model's rows (their tables are made by
    Django, not models of their own; a parent model's links travel with the parent)."""
    for field in model._meta.local_many_to_many:
        if field.remote_field.through._meta.auto_created:
            yield field


def exclusions() -> dict[str, str]:
    return {**EXCLUDED_MODELS, **{f"{app}.*": why for app, why in EXCLUDED_APPS.items()}}
