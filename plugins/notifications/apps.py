from django.urls import path
from django.utils.translation import gettext_lazy as _

from cms import events
from cms.plugins.base import PluginConfig
from workflows.jobs import inline


class NotificationsConfig(PluginConfig):
    """E-mails (immediately or as digests) about updates to documents readers subscribed to and,
    for readers who opted in, changes to the subprocessors list (the core event
    ``SubprocessorChanged``); webhooks and a feed. Document subscribers come from other plugins
    through the contract's ``document_subscribers`` (My Library: who saved the document);
    without such a plugin no document update has a recipient, while the feed and webhooks work
    as before."""

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
        "WEBHOOK_TIMEOUT_SECONDS": 10,
        # Hosts a webhook may reach over plain HTTP or at a private address (none in
        # production: HTTPS to public addresses only).
        "WEBHOOK_HTTP_HOSTS": [],
        # A CA bundle to verify endpoints' certificates with ("": the system's).
        "WEBHOOK_CA_FILE": "",
    }

    def reader_urls(self):
        from . import feed, views, webhook_views

        return [
            path("", views.settings_page, name="settings"),
            path("confirm/<str:token>/", views.confirm, name="confirm"),
            path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
            path("feed/<str:token>.json", feed.update_feed, name="feed"),
            path("feed/new-address/", views.new_feed_address, name="new_feed_address"),
            path("webhooks/", webhook_views.webhooks_page, name="webhooks"),
            path("webhooks/<id:pk>/remove/", webhook_views.remove_endpoint, name="remove_webhook"),
        ]

    def api_router(self):
        from .api import router

        return router

    def event_handlers(self):
        from . import fanout, subprocessors, webhooks

        def on_version_published(event):
            fanout.on_version_published(event)
            webhooks.on_version_published(event)

        def on_document_published(event):
            fanout.on_document_published(event)
            webhooks.on_document_published(event)

        return {
            events.VersionPublished: on_version_published,
            events.DocumentPublished: on_document_published,
            # Public content, told to the readers who opted in (settings page or API).
            events.SubprocessorChanged: subprocessors.on_subprocessor_changed,
        }

    def private_models(self):
        # Settings, pending updates and deliveries are each one member's.
        return [model._meta.label for model in self.get_models()]

    def maintenance_tasks(self):
        from .digests import schedule_digests
        from .sending import resume_deliveries
        from .webhooks import resume_webhooks

        tasks = [resume_deliveries, resume_webhooks]
        return tasks if inline() else [*tasks, schedule_digests]
