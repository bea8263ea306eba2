"""Idempotent set-up run after every ``migrate``: locales, the editors' permissions and the
database cache's table (where rate limits are counted without Redis).

Both follow the settings (a language added to ``WAGTAIL_CONTENT_LANGUAGES`` gets its locale and
its page tree synchronised from the default locale by wagtail-localize).
"""

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from wagtail.models import Locale
from wagtail_localize.models import LocaleSynchronization

EDITABLE_MODELS = [
    "trustdocument",
    "documentversion",
    "category",
    "service",
    "region",
    "industry",
    "standard",
]


def ensure_locales() -> None:
    default = Locale.objects.filter(language_code=settings.LANGUAGE_CODE).first()
    if default is None:
        default = Locale.objects.create(language_code=settings.LANGUAGE_CODE)
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        locale, _created = Locale.objects.get_or_create(language_code=code)
        if locale != default and not LocaleSynchronization.objects.filter(locale=locale).exists():
            LocaleSynchronization.objects.create(locale=locale, sync_from=default)


def ensure_editor_permissions() -> None:
    """Editors and Moderators may manage documents, versions and taxonomy as snippets."""
    content_types = ContentType.objects.filter(app_label="cms", model__in=EDITABLE_MODELS)
    permissions = Permission.objects.filter(content_type__in=content_types).exclude(
        codename__startswith="view_"
    )
    for name in ("Editors", "Moderators"):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def ensure_administrator_permissions() -> None:
    """Administrators may read the audit log (no permission to change it exists)."""
    group, _created = Group.objects.get_or_create(name="Administrators")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="audit", codename="view_auditentry"),
        *Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin"),
    )


def post_migrate(sender, using="default", verbosity=1, **kwargs) -> None:
    # Run once, after the last app's turn, when every app's permissions exist.

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    # The table of every database cache in CACHES (none with Redis); a fresh clone needs no
    # step of its own, and an existing table is left as it is.
    call_command("createcachetable", database=using, verbosity=verbosity)
    ensure_locales()
    ensure_editor_permissions()
    ensure_administrator_permissions()
