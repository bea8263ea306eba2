from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cms import events


class WorkflowsConfig(AppConfig):
    name = "workflows"
    label = "workflows"
    verbose_name = _("Editorial workflows")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import notifications
        from .outbox import record

        # The core's events are kept in this app's outbox, written with the editor's transaction.
        events.register_store(record)
        notifications.connect()
