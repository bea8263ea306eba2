"""A reader's update feed (JSON Feed 1.1): new versions of the documents they may see.

Feed readers and GRC tools fetch it without a session, so the URL carries a per-user secret;
the feed shows exactly what the access policy lets that user see, decided on every fetch.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from cms.i18n import Localizer
from cms.listing import source_documents
from cms.models import DocumentVersion

from .composing import absolute
from .models import NotificationSettings

FEED_DAYS = 365
FEED_ITEMS = 50


def feed_items(user) -> list[dict]:
    since = timezone.localdate() - timedelta(days=FEED_DAYS)
    versions = list(
        DocumentVersion.objects.filter(
            live=True,
            published_on__gte=since,
            document__in=source_documents(user).values("pk"),
        )
        .select_related("document")
        .order_by("-published_on", "-pk")[:FEED_ITEMS]
    )
    localize = Localizer(versions + [v.document for v in versions])
    items = []
    for version in versions:
        document = localize(version.document)
        url = absolute(version.document.get_url())
        items.append(
            {
                "id": f"{url}#version-{version.pk}",
                "url": url,
                "title": f"{document.title} — {version.version_label}",
                "content_text": localize(version).change_description,
                "date_published": datetime.combine(
                    version.published_on, time(), tzinfo=UTC
                ).isoformat(),
            }
        )
    return items


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
