from django.urls import path
from django.utils.translation import gettext_lazy as _

from cms import events
from cms.plugins.base import PluginConfig


class NotificationsConfig(PluginConfig):
    """E-mails (immediately or as digests) about updates to documents in readers' libraries.
    Needs the library plugin: subscribers are the readers who saved the document."""

    name = "plugins.notifications"
    label = "notifications"
    plugin_id = "notifications"
    default = True
    verbose_name = _("Notifications")
    default_settings = {
        "QUEUE": "default",
        "BATCH_SIZE": 100,
        # A delivery "sending" for longer belongs to a dead worker and is sent again.
        "LEASE_SECONDS": 300,
        "MAX_ATTEMPTS": 6,
        "RETRY_BASE_SECONDS": 60,
        "SMTP_TIMEOUT_SECONDS": 30,
        "DIGEST_HOUR": 7,  # UTC
    }

    def reader_urls(self):
        from . import views

        return [
            path("", views.settings_page, name="settings"),
            path("confirm/<str:token>/", views.confirm, name="confirm"),
            path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
        ]

    def event_handlers(self):
        from .fanout import on_version_published

        return {events.VersionPublished: on_version_published}

    def maintenance_tasks(self):
        from workflows.jobs import inline

        from .digests import schedule_digests
        from .sending import resume_deliveries

        return [resume_deliveries] if inline() else [resume_deliveries, schedule_digests]
