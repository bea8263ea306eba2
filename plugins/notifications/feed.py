"""A reader's update feed (JSON Feed 1.1): new versions and update notes of the documents
they may see and, for readers who opted in, changes to the subprocessors list, newest first.

Feed readers and GRC tools fetch it without a session, so the URL carries a per-user secret;
the feed shows exactly what the access policy lets that user see, decided on every fetch.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cms.access import policy
from cms.updates import DocumentUpdate, update_history
from search.query import in_listing

from .composing import absolute, subprocessors_url
from .models import NotificationSettings, SubprocessorNotice

FEED_DAYS = 365
FEED_ITEMS = 50


def feed_items(user, subprocessor_changes: bool = False) -> list[dict]:
    """Newest first; with ``subprocessor_changes`` (the reader opted in to them) the changes
    of the subprocessors list too."""
    since = timezone.localdate() - timedelta(days=FEED_DAYS)
    # The feed describes what changed: a listed title alone is not enough to be told it.
    described = in_listing(policy.described_documents(user))
    updates = update_history(described, since, FEED_ITEMS)
    items = [(update.published_at, feed_item(update)) for update in updates]
    if subprocessor_changes:
        notices = SubprocessorNotice.objects.filter(created_at__date__gte=since)
        items += [
            (notice.created_at, subprocessor_item(notice))
            for notice in notices.order_by("-created_at", "-pk")[:FEED_ITEMS]
        ]
    items.sort(key=lambda pair: pair[0], reverse=True)
    return [item for _at, item in items[:FEED_ITEMS]]


def subprocessor_item(notice: SubprocessorNotice) -> dict:
    """A change of the subprocessors list (public content), in the feed's language."""
    titles = {
        SubprocessorNotice.Change.ADDED: _("Subprocessor added: %(name)s"),
        SubprocessorNotice.Change.REMOVED: _("Subprocessor removed: %(name)s"),
    }
    title = titles.get(notice.change, _("Subprocessor changed: %(name)s")) % {"name": notice.name}
    url = subprocessors_url() or absolute("/")
    return {
        "id": f"{absolute('/')}#subprocessor-change-{notice.pk}",
        "url": url,
        "title": title,
        "content_text": title,
        "date_published": notice.created_at.isoformat(),
    }


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
        "items": feed_items(preferences.user, preferences.subprocessor_changes),
    }
    response = JsonResponse(feed, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/feed+json; charset=utf-8"
    response["Cache-Control"] = "private, no-store"
    return response
