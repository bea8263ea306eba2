"""A reader's update feed (JSON Feed 1.1): new versions and update notes of the documents
they may see, newest first.

Feed readers and GRC tools fetch it without a session, so the URL carries a per-user secret;
the feed shows exactly what the access policy lets that user see, decided on every fetch.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from cms.access import policy
from cms.updates import DocumentUpdate, update_history
from search.query import in_listing

from .composing import absolute
from .models import NotificationSettings

FEED_DAYS = 365
FEED_ITEMS = 50


def feed_items(user) -> list[dict]:
    since = timezone.localdate() - timedelta(days=FEED_DAYS)
    # The feed describes what changed: a listed title alone is not enough to be told it.
    described = in_listing(policy.described_documents(user))
    updates = update_history(described, since, FEED_ITEMS)
    return [feed_item(update) for update in updates]


def feed_item(update: DocumentUpdate) -> dict:
    url = absolute(update.document.get_url())
    # Ids name the row, never a position, so a feed reader shows each update once.
    if update.version is not None:
        item_id = f"{url}#version-{update.version.pk}"
        title = f"{update.display.title} — {update.version.version_label}"
    else:
        item_id, title = f"{url}#note-{update.note.pk}", update.display.title
    return {
        "id": item_id,
        "url": url,
        "title": title,
        "content_text": update.description,
        "date_published": update.published_at.isoformat(),
    }


@require_GET
def update_feed(request, token):
    preferences = (
        NotificationSettings.objects.select_related("user").filter(feed_token=token).first()
    )
    if preferences is None or not preferences.user.is_active:
        raise Http404("No such feed.")
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"{settings.WAGTAIL_SITE_NAME}: document updates",
        "home_page_url": absolute("/"),
        "feed_url": absolute(reverse("notifications:feed", args=[token])),
        "items": feed_items(preferences.user),
    }
    response = JsonResponse(feed, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/feed+json; charset=utf-8"
    response["Cache-Control"] = "private, no-store"
    return response
