"""Recent delivery failures, for staff: what readers could not be given and what did not get out.

Staff alerts go by e-mail (``ADMINS``), and e-mail can fail too, or have no recipient; the admin's
dashboard lists the same failures (``cms.delivery.dashboard``) from where they are recorded:

* files that could not be served (a gated PDF that cannot be watermarked): the audit log's
  ``download_denied`` entries with reason ``watermark_failed``, written by ``serving``; a file
  since replaced is no longer listed;
* whatever the layers above record: they register a function under the Wagtail hook
  ``FAILURES_HOOK`` (``workflows``: outbox events whose handlers failed for good;
  ``notifications``: e-mails and webhook deliveries that failed for good).

A source takes ``(user, since)`` and returns the ``DeliveryFailure`` rows since then that the user
may see, or None when the user may not see that kind at all (then it adds nothing, and a user for
whom every source answers None is not shown the panel).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail import hooks

from cms.audit.models import AuditEntry
from cms.files.pdf_checks import problem_label
from cms.models import DocumentVersion, VersionFile

FAILURES_HOOK = "register_delivery_failures"
RECENT_DAYS = 14
#: Rows the dashboard shows, newest first; the listings the rows link to have the rest.
SHOWN = 10
#: Audit entries read at most: refusals are aggregated (1, 2, 4, 8… per reader and hour), so a
#: few hundred cover many failing downloads of the files listed.
_ENTRIES_READ = 500


@dataclass(frozen=True)
class DeliveryFailure:
    when: datetime.datetime
    kind: str  # what failed, in a word or two: "File not served", "E-mail"...
    subject: str  # which one
    reason: str
    url: str = ""  # where staff act on it
    count: int = 1  # failures folded into this row


FailureSource = Callable[[object, datetime.datetime], "Iterable[DeliveryFailure] | None"]


def unserved_files(user, since) -> list[DeliveryFailure] | None:
    """Files refused to readers because they could not be watermarked, one row per version
    (its latest refusal), for staff who can replace them."""
    if not user.has_perm("cms.change_documentversion"):
        return None
    entries = (
        AuditEntry.objects.filter(
            action="download_denied", detail__reason="watermark_failed", created_at__gte=since
        )
        .order_by("-created_at")
        .values("created_at", "version_id", "document_title", "version_label", "detail")
    )[:_ENTRIES_READ]
    latest: dict[int, dict] = {}
    counts: dict[int, int] = {}
    for entry in entries:
        version_id = entry["version_id"]
        latest.setdefault(version_id, entry)
        counts[version_id] = counts.get(version_id, 0) + 1
    still_there = _files_still_stored(latest.values())
    edit_url = DocumentVersion.snippet_viewset.get_url_name("edit")
    return [
        DeliveryFailure(
            when=entry["created_at"],
            kind=_("File not served"),
            subject=" — ".join(
                part
                for part in (entry["document_title"], entry["version_label"], _file_of(entry))
                if part
            ),
            reason=problem_label(entry["detail"].get("detail", "")),
            url=reverse(edit_url, args=[version_id]),
            count=counts[version_id],
        )
        for version_id, entry in latest.items()
        if version_id is not None and (version_id, _sha256_of(entry)) in still_there
    ]


def _file_of(entry) -> str:
    return entry["detail"].get("file", "")


def _sha256_of(entry) -> str | None:
    # Entries written before the file's checksum was recorded stand for the version's files.
    return entry["detail"].get("sha256")


def _files_still_stored(entries) -> set[tuple[int, str | None]]:
    """(version id, sha256) of the refused files still in place, and (version id, None) for
    versions that still have files: a replaced file no longer fails."""
    version_ids = {entry["version_id"] for entry in entries if entry["version_id"] is not None}
    stored = set(
        VersionFile.objects.filter(version_id__in=version_ids).values_list("version_id", "sha256")
    )
    return stored | {(version_id, None) for version_id, _sha in stored}


def recent_failures(user, *, days: int = RECENT_DAYS) -> tuple[list[DeliveryFailure], bool]:
    """The failures of the last ``days`` that ``user`` may see, newest first, and whether the
    user may see any kind of them at all."""
    since = timezone.now() - datetime.timedelta(days=days)
    sources: list[FailureSource] = [unserved_files, *hooks.get_hooks(FAILURES_HOOK)]
    failures: list[DeliveryFailure] = []
    may_see = False
    for source in sources:
        found = source(user, since)
        if found is not None:
            may_see = True
            failures.extend(found)
    failures.sort(key=lambda failure: failure.when, reverse=True)
    return failures, may_see
