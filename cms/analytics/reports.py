"""The aggregates behind the analytics page. Every function is one query whose cost depends on
the size of the audit log, never a Python loop over its rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from cms.audit.models import AuditEntry
from cms.models import AccessRequest

DOWNLOAD = Q(action="download", outcome="allowed")
VIEW = Q(action="document_view")
DENIED = Q(action="download_denied")
NDA_ACCEPTED = Q(action="nda_accepted")
# Ranges up to this many days are charted per day, then per week, then per month.
DAILY_UP_TO_DAYS = 92
WEEKLY_UP_TO_DAYS = 366


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both whole days (UTC) included."""

    start: date
    end: date

    @classmethod
    def last_days(cls, days: int, today: date | None = None) -> Period:
        today = today or timezone.now().date()
        return cls(today - timedelta(days=days - 1), today)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        first = datetime.combine(self.start, time.min, tzinfo=tz)
        after = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz)
        return first, after

    @property
    def granularity(self) -> str:
        if self.days <= DAILY_UP_TO_DAYS:
            return "day"
        return "week" if self.days <= WEEKLY_UP_TO_DAYS else "month"

    def buckets(self) -> list[date]:
        """Every bucket start in the period, so that quiet days show as zero (bounded by the
        period's length, not by the data)."""
        step = self.granularity
        if step == "day":
            return [self.start + timedelta(days=n) for n in range(self.days)]
        if step == "week":
            first = self.start - timedelta(days=self.start.weekday())
            return [first + timedelta(weeks=n) for n in range((self.end - first).days // 7 + 1)]
        months, current = [], self.start.replace(day=1)
        while current <= self.end:
            months.append(current)
            current = (current + timedelta(days=32)).replace(day=1)
        return months


def entries_in(period: Period) -> QuerySet:
    first, after = period.bounds()
    # order_by(): the model's default ordering would otherwise join every GROUP BY.
    return AuditEntry.objects.filter(created_at__gte=first, created_at__lt=after).order_by()


def totals(period: Period) -> dict[str, int]:
    return entries_in(period).aggregate(
        downloads=Count("pk", filter=DOWNLOAD),
        views=Count("pk", filter=VIEW),
        denied=Count("pk", filter=DENIED),
        nda_acceptances=Count("pk", filter=NDA_ACCEPTED),
        documents=Count("document_id", filter=DOWNLOAD | VIEW, distinct=True),
        organizations=Count("organization_id", filter=DOWNLOAD | VIEW, distinct=True),
    )


def timeline(period: Period) -> list[dict]:
    """Downloads and views per day (week, month), every bucket of the period present."""
    trunc = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}[period.granularity]
    rows = (
        entries_in(period)
        .filter(DOWNLOAD | VIEW)
        .annotate(bucket=trunc("created_at"))
        .values("bucket")
        .annotate(downloads=Count("pk", filter=DOWNLOAD), views=Count("pk", filter=VIEW))
        .order_by("bucket")
    )
    found = {_as_date(row["bucket"]): row for row in rows}
    return [
        {
            "bucket": bucket,
            "downloads": found.get(bucket, {}).get("downloads", 0),
            "views": found.get(bucket, {}).get("views", 0),
        }
        for bucket in period.buckets()
    ]


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def by_document(period: Period, limit: int | None = None) -> QuerySet:
    """Documents by downloads, then views. The title is the latest one the log recorded."""
    rows = (
        entries_in(period)
        .filter(DOWNLOAD | VIEW, document_id__isnull=False)
        .values("document_id")
        .annotate(
            title=Max("document_title"),
            downloads=Count("pk", filter=DOWNLOAD),
            views=Count("pk", filter=VIEW),
            organizations=Count("organization_id", filter=DOWNLOAD, distinct=True),
            last_download=Max("created_at", filter=DOWNLOAD),
        )
        .order_by("-downloads", "-views", "title")
    )
    return rows[:limit] if limit else rows


def by_version(period: Period, limit: int | None = None) -> QuerySet:
    rows = (
        entries_in(period)
        .filter(DOWNLOAD | VIEW, version_id__isnull=False)
        .values("document_id", "version_id")
        .annotate(
            title=Max("document_title"),
            version=Max("version_label"),
            downloads=Count("pk", filter=DOWNLOAD),
            views=Count("pk", filter=VIEW),
        )
        .order_by("-downloads", "-views", "title", "version")
    )
    return rows[:limit] if limit else rows


def by_organization(period: Period, limit: int | None = None) -> QuerySet:
    """Readers' organizations (personal accounts and anonymous readers are left out)."""
    rows = (
        entries_in(period)
        .filter(DOWNLOAD | VIEW, organization_id__isnull=False)
        .values("organization_id")
        .annotate(
            name=Max("organization_name"),
            downloads=Count("pk", filter=DOWNLOAD),
            views=Count("pk", filter=VIEW),
            documents=Count("document_id", filter=DOWNLOAD, distinct=True),
            people=Count("username", distinct=True),
        )
        .order_by("-downloads", "-views", "name")
    )
    return rows[:limit] if limit else rows


def nda_organizations(period: Period, limit: int | None = None) -> QuerySet:
    """Organizations whose people accepted an NDA in the period, as the audit log recorded it."""
    rows = (
        entries_in(period)
        .filter(NDA_ACCEPTED, organization_id__isnull=False)
        .values("organization_id")
        .annotate(
            name=Max("organization_name"),
            acceptances=Count("pk"),
            people=Count("username", distinct=True),
            first_accepted=Min("created_at"),
            last_accepted=Max("created_at"),
            nda_version=Max("nda_version"),
        )
        .order_by("-last_accepted", "name")
    )
    return rows[:limit] if limit else rows


def pending_access_requests(limit: int | None = None) -> QuerySet:
    """Requests waiting for a decision now, oldest first (a state, not a period)."""
    rows = (
        AccessRequest.objects.filter(status=AccessRequest.Status.PENDING)
        .select_related("user", "document")
        .order_by("created_at", "pk")
    )
    return rows[:limit] if limit else rows
