"""Every CSV the portal writes keeps formula-like text as text."""

import io

import pytest
from django.test import Client

from cms.files.spreadsheets import safe_cell, writer


def test_formula_starts_are_quoted_and_the_rest_untouched():
    assert [safe_cell(v) for v in ("=1+1", "+x", "-2", "@SUM(A1)", "SOC 2", None)] == [
        "'=1+1",
        "'+x",
        "'-2",
        "'@SUM(A1)",
        "SOC 2",
        "",
    ]
    out = io.StringIO()
    writer(out).writerow(["=cmd|' /C calc'!A0", 3])
    assert out.getvalue() == "'=cmd|' /C calc'!A0,3\r\n"


@pytest.mark.django_db
def test_the_audit_log_csv_keeps_a_hostile_user_agent_as_text(demo_users):
    from django.test import RequestFactory
    from django.urls import reverse

    from cms.audit import record

    hostile = RequestFactory().get("/", HTTP_USER_AGENT='=HYPERLINK("http://evil.example")')
    hostile.user = demo_users["reader"]
    record("download", outcome="ok", request=hostile, user=demo_users["reader"])
    client = Client()
    client.force_login(demo_users["admin"])
    response = client.get(reverse("audit:entries"), {"export": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body
