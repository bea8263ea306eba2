"""Notifications in the headless API (``/api/v3/notifications/``): a reader's notification
settings and update feed, and their organization's webhooks — what the settings and webhooks
pages let them set, with the same forms, checks and permissions."""

from ninja import Router

from . import preferences, webhooks
from .common import SIGNED_IN

router = Router(tags=["notifications"], auth=SIGNED_IN)
router.add_router("/settings/", preferences.router)
router.add_router("/webhooks/", webhooks.router)
