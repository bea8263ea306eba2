"""Viewer analytics from a seeded audit log: the aggregates, the admin page, CSV, permissions."""

import csv
import io
from datetime import date

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from cms.analytics import reports
from cms.analytics.reports import Period
from cms.audit import verify
from cms.audit.models import AuditEntry
from tests import factories
from tests.audit_data import append, at
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ANALYTICS = "/admin/analytics/"
MARCH = Period(date(2025, 3, 1), date(2025, 3, 5))
ACME = {"organization_id": 9001, "organization_name": "Acme Bank"}
BETA = {"organization_id": 9002, "organization_name": "Beta Insurance"}
SOC_V2024 = {
    "document_id": 501,
    "document_title": "SOC 2",
    "version_id": 11,
    "version_label": "2024",
}
SOC_V2025 = {**SOC_V2024, "version_id": 12, "version_label": "2025"}
SOC = {"document_id": 501, "document_title": "SOC 2"}
ISO_V1 = {"document_id": 502, "document_title": "ISO 27001", "version_id": 21, "version_label": "1"}
ISO = {"document_id": 502, "document_title": "ISO 27001"}


def download(when, who, org, subject):
    return {
        "created_at": when,
        "action": "download",
        "outcome": "allowed",
        "username": who,
        **org,
        **subject,
    }


def view(when, who, org, subject):
    return {
        "created_at": when,
        "action": "document_view",
        "outcome": "ok",
        "username": who,
        **org,
        **subject,
    }


def march_log():
    return [
        download(at(2025, 2, 28, 23, 59, 59), "alice", ACME, ISO_V1),  # the day before
        download(at(2025, 3, 1, 0, 0, 0), "alice", ACME, SOC_V2025),
        download(at(2025, 3, 1, 9), "bob", ACME, SOC_V2024),
        view(at(2025, 3, 1, 9), "alice", ACME, SOC),
        view(at(2025, 3, 1, 10), "", {}, ISO),  # anonymous
        download(at(2025, 3, 2), "carol", BETA, ISO_V1),
        {
            "created_at": at(2025, 3, 2),
            "action": "download_denied",
            "outcome": "denied",
            "username": "dave",
            **SOC_V2025,
        },
        view(at(2025, 3, 2), "carol", BETA, SOC),
        download(at(2025, 3, 5, 23, 59, 59), "carol", BETA, SOC_V2025),
        {
            "created_at": at(2025, 3, 5),
            "action": "nda_accepted",
            "outcome": "ok",
            "username": "alice",
            "nda_version": "2025-01",
            **ACME,
        },
        {
            "created_at": at(2025, 3, 5),
            "action": "nda_accepted",
            "outcome": "ok",
            "username": "carol",
            "nda_version": "2025-01",
            **BETA,
        },
        {
            "created_at": at(2025, 3, 5),
            "action": "sign_in",
            "outcome": "ok",
            "username": "carol",
            **BETA,
        },
        download(at(2025, 3, 6, 0, 0, 0), "carol", BETA, SOC_V2025),  # the day after
    ]


@pytest.fixture
def seeded_log():
    append(march_log())


def test_totals_count_only_the_period(seeded_log):
    assert reports.totals(MARCH) == {
        "downloads": 4,
        "views": 3,
        "denied": 1,
        "nda_acceptances": 2,
        "documents": 2,
        "organizations": 2,
    }


def test_timeline_has_every_day_of_the_period(seeded_log):
    assert [(p["bucket"], p["downloads"], p["views"]) for p in reports.timeline(MARCH)] == [
        (date(2025, 3, 1), 2, 2),
        (date(2025, 3, 2), 1, 1),
        (date(2025, 3, 3), 0, 0),
        (date(2025, 3, 4), 0, 0),
        (date(2025, 3, 5), 1, 0),
    ]


def test_longer_periods_are_charted_per_week_and_month(seeded_log):
    quarter = Period(date(2025, 1, 1), date(2025, 6, 30))
    weeks = reports.timeline(quarter)
    assert quarter.granularity == "week" and len(weeks) == 27
    assert all(point["bucket"].weekday() == 0 for point in weeks)
    assert sum(p["downloads"] for p in weeks) == 6 and sum(p["views"] for p in weeks) == 3
    # Week of Mon 24 Feb: 28 Feb, 1 Mar (two), 2 Mar; week of Mon 3 Mar: 5 and 6 Mar.
    by_week = {p["bucket"]: p["downloads"] for p in weeks}
    assert (by_week[date(2025, 2, 24)], by_week[date(2025, 3, 3)]) == (4, 2)
    years = Period(date(2024, 1, 1), date(2025, 12, 31))
    months = reports.timeline(years)
    assert years.granularity == "month" and len(months) == 24
    assert {p["bucket"]: p["downloads"] for p in months if p["downloads"]} == {
        date(2025, 2, 1): 1,
        date(2025, 3, 1): 5,
    }


def test_per_document_version_and_organization(seeded_log):
    assert [
        (r["document_id"], r["title"], r["downloads"], r["views"], r["organizations"])
        for r in reports.by_document(MARCH)
    ] == [(501, "SOC 2", 3, 2, 2), (502, "ISO 27001", 1, 1, 1)]
    assert [(r["version_id"], r["downloads"]) for r in reports.by_version(MARCH)] == [
        (12, 2),
        (21, 1),
        (11, 1),
    ]
    assert [
        (r["name"], r["downloads"], r["views"], r["documents"], r["people"])
        for r in reports.by_organization(MARCH)
    ] == [("Acme Bank", 2, 1, 1, 2), ("Beta Insurance", 2, 1, 2, 1)]
    assert [
        (r["name"], r["acceptances"], r["nda_version"]) for r in reports.nda_organizations(MARCH)
    ] == [
        ("Acme Bank", 1, "2025-01"),
        ("Beta Insurance", 1, "2025-01"),
    ]
    # Top-N keeps the order.
    assert [r["title"] for r in reports.by_document(MARCH, limit=1)] == ["SOC 2"]


def test_the_seeded_log_still_verifies(seeded_log):
    assert verify().ok


def test_pending_access_requests_oldest_first(users):
    document = factories.document("restricted", title="Pending dossier")
    from cms.models import AccessRequest

    first = AccessRequest.objects.create(user=users["member"], document=document, reason="audit")
    AccessRequest.objects.create(
        user=users["other_org"], document=document, reason="x", status="approved"
    )
    second = AccessRequest.objects.create(user=users["personal"], document=document, reason="y")
    pending = list(reports.pending_access_requests())
    assert [r.pk for r in pending if r.document_id == document.pk] == [first.pk, second.pk]


def admin_client(demo_users):
    client = Client()
    client.force_login(demo_users["admin"])
    return client


def test_the_page_shows_totals_charts_and_tables(seeded_log, demo_users):
    response = admin_client(demo_users).get(ANALYTICS, {"start": "2025-03-01", "end": "2025-03-05"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-total="downloads">4<' in html and 'data-total="views">3<' in html
    assert html.count('data-series="downloads"') == 5 and html.count('data-series="views"') == 5
    assert 'data-value="2"' in html  # the first day's two downloads
    assert "Acme Bank" in html and "Beta Insurance" in html and "SOC 2" in html
    assert 'role="img"' in html and "<title>" in html
    assert "?start=2025-03-01&amp;end=2025-03-05&amp;export=documents" in html


def test_the_page_costs_the_same_queries_whatever_the_data(demo_users):
    client = admin_client(demo_users)
    params = {"start": "2025-03-01", "end": "2025-03-05"}
    append(march_log())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(ANALYTICS, params).status_code == 200
    append(march_log() * 20)
    with CaptureQueriesContext(connection) as large:
        assert client.get(ANALYTICS, params).status_code == 200
    assert len(large) == len(small)


def test_csv_export_of_each_report(seeded_log, demo_users):
    client = admin_client(demo_users)
    params = {"start": "2025-03-01", "end": "2025-03-05"}

    def rows(name):
        response = client.get(ANALYTICS, {**params, "export": name})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        assert f"analytics-{name}-2025-03-01-2025-03-05.csv" in response["Content-Disposition"]
        return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert [(r["period_start"], r["downloads"], r["views"]) for r in rows("timeline")][:2] == [
        ("2025-03-01", "2", "2"),
        ("2025-03-02", "1", "1"),
    ]
    assert [(r["title"], r["downloads"]) for r in rows("documents")] == [
        ("SOC 2", "3"),
        ("ISO 27001", "1"),
    ]
    assert len(rows("versions")) == 3
    assert [r["organization"] for r in rows("organizations")] == ["Acme Bank", "Beta Insurance"]
    assert [r["latest_nda_version"] for r in rows("nda")] == ["2025-01", "2025-01"]


def test_spreadsheet_formulas_in_titles_are_defused(demo_users):
    append([download(at(2025, 3, 1), "x", ACME, {**SOC_V2025, "document_title": "=HYPERLINK(1)"})])
    response = admin_client(demo_users).get(
        ANALYTICS, {"start": "2025-03-01", "end": "2025-03-05", "export": "documents"}
    )
    assert "'=HYPERLINK(1)" in b"".join(response.streaming_content).decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2025-03-05", "end": "2025-03-01"}, "must not be after"),
        ({"start": "2015-01-01", "end": "2025-03-01"}, "at most five years"),
        ({"start": "yesterday"}, "Enter a valid date"),
    ],
)
def test_bad_dates_are_a_400_with_a_message(params, message, demo_users):
    client = admin_client(demo_users)
    response = client.get(ANALYTICS, params)
    assert response.status_code == 400 and message in response.content.decode()
    export = client.get(ANALYTICS, {**params, "export": "documents"})
    assert export.status_code == 400


def test_unknown_export_is_a_400(demo_users):
    response = admin_client(demo_users).get(ANALYTICS, {"export": "passwords"})
    assert response.status_code == 400 and "timeline" in response.content.decode()


def test_default_period_is_the_last_thirty_days(demo_users):
    response = admin_client(demo_users).get(ANALYTICS)
    assert response.status_code == 200
    period = response.context["period"]
    assert period.days == 30 and period.granularity == "day"


def test_only_staff_allowed_to_read_the_audit_log_see_analytics(demo_users):
    editor = Client()
    editor.force_login(demo_users["editor"])
    assert editor.get(ANALYTICS).status_code in {302, 403}
    assert editor.get(ANALYTICS, {"export": "organizations"}).status_code in {302, 403}
    assert "Viewer analytics" not in editor.get("/admin/").content.decode()
    reader = Client()
    reader.force_login(demo_users["reader"])
    assert reader.get(ANALYTICS).status_code in {302, 403}
    assert Client().get(ANALYTICS).status_code == 302

    auditors = Group.objects.create(name="Auditors")
    auditors.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(content_type__app_label="audit", codename="view_auditentry"),
    )
    auditor = Client()
    auditor.force_login(make_user("auditor", groups=["Auditors"]))
    page = auditor.get(ANALYTICS)
    assert page.status_code == 200
    assert "Viewer analytics" in auditor.get("/admin/").content.decode()
    # Reading the audit log is not handling access requests: who asked for what stays hidden.
    assert 'data-total="pending"' not in page.content.decode()
    admin = Client()
    admin.force_login(demo_users["admin"])
    assert 'data-total="pending"' in admin.get(ANALYTICS).content.decode()


def test_a_period_ending_in_the_future_is_a_clear_400(demo_users):
    admin = Client()
    admin.force_login(demo_users["admin"])
    response = admin.get(ANALYTICS, {"end": "9999-12-31"})
    assert response.status_code == 400 and "future" in response.content.decode()


def test_document_page_views_are_recorded_and_counted(demo_users):
    document = factories.document("public", title="Counted white paper")
    hidden = factories.document("restricted", title="Unseen dossier")
    reader = Client()
    reader.force_login(demo_users["reader"])
    before = AuditEntry.objects.filter(action="document_view").count()
    assert reader.get(f"/en/documents/{document.slug}/").status_code == 200
    assert Client().get(f"/en/documents/{document.slug}/").status_code == 200
    assert reader.get(f"/en/documents/{hidden.slug}/").status_code == 404
    entries = AuditEntry.objects.filter(action="document_view").order_by("sequence")
    assert entries.count() == before + 2
    assert {e.document_id for e in entries[before:]} == {document.pk}
    today = Period.last_days(1)
    [row] = [r for r in reports.by_document(today) if r["document_id"] == document.pk]
    assert (row["views"], row["downloads"]) == (2, 0)
    assert verify().ok


def test_views_are_not_recorded_when_switched_off(settings):
    settings.TRUSTPORTAL_AUDIT_DOCUMENT_VIEWS = False
    document = factories.document("public", title="Quiet white paper")
    before = AuditEntry.objects.count()
    assert Client().get(f"/en/documents/{document.slug}/").status_code == 200
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    ("largest", "grid"),
    [(0, [0, 1, 2, 3, 4]), (4, [0, 1, 2, 3, 4]), (5, [0, 2, 4, 6, 8]), (37, [0, 10, 20, 30, 40])],
)
def test_chart_grid_lines_are_whole_numbers_above_the_largest_value(largest, grid):
    from cms.analytics import charts

    points = [{"day": 1, "downloads": largest, "views": 0}]
    chart = charts.column_chart(points, ["downloads", "views"], "day", str)
    assert [tick.value for tick in chart["ticks"]] == grid
    [downloads, _views] = chart["bars"]
    # The bar reaches exactly its value's height on the axis.
    assert downloads.height == pytest.approx((chart["baseline"] - 12) * largest / grid[-1])
