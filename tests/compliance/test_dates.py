"""Compliance Manager dates: shown in the reader's language ("3 Nov 2026", sites/formats/),
entered through ``<input type="date">`` as ISO in every language, a bad one named (400)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from plugins.compliance_manager.models import Assessment

from .conftest import item_of

pytestmark = pytest.mark.django_db

DUE = date(2026, 11, 3)
SHOWN = {"en": "3 Nov 2026", "de": "3. Nov. 2026", "fr": "3 nov. 2026", "es": "3 nov 2026"}


def action_url(item, language="en") -> str:
    return f"/{language}/compliance/actions/{item.pk}/"


@pytest.mark.parametrize("language", ["en", "de", "fr", "es", "ja"])
def test_the_due_date_input_holds_an_iso_value_in_every_language(cm, language):
    item = item_of(cm.assessment)
    item.due_date = DUE
    item.save()
    html = cm.client("assessor").get(action_url(item, language)).content.decode()
    # Not "03.11.2026" in German: a date input only takes YYYY-MM-DD as its value.
    assert 'type="date" name="due_date" value="2026-11-03"' in html


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_due_dates_and_creation_dates_read_in_the_readers_language(cm, language):
    item = item_of(cm.assessment)
    item.due_date = DUE
    item.save()
    Assessment.objects.filter(pk=cm.assessment.pk).update(
        created_at=datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    )
    client = cm.client("assessor")
    items = client.get(f"/{language}/compliance/assessments/{cm.assessment.pk}/action-items/")
    assert f"<td>{SHOWN[language]}</td>" in items.content.decode()
    index = client.get(f"/{language}/compliance/").content.decode()
    assert SHOWN[language] in index and "11/03/2026" not in index


def test_an_iso_due_date_is_accepted_in_german_and_a_numeric_one_refused(cm):
    item = item_of(cm.assessment)
    client = cm.client("assessor")
    form = {"implementation_status": "planned", "testing_status": "not_assessed"}
    response = client.post(action_url(item, "de"), {**form, "due_date": "2026-11-03"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.due_date == DUE
    # Is 11/03/2026 the 3rd of November or the 11th of March? Neither: refused, with a reason.
    response = client.post(action_url(item, "de"), {**form, "due_date": "11/03/2026"})
    assert response.status_code == 400
    assert "Bitte ein gültiges Datum eingeben." in response.content.decode()
    item.refresh_from_db()
    assert item.due_date == DUE


def test_the_pdf_report_header_dates_in_the_readers_language(cm):
    Assessment.objects.filter(pk=cm.assessment.pk).update(
        created_at=datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    )
    url = f"/{{}}/compliance/assessments/{cm.assessment.pk}/report.pdf"
    for language, shown in SHOWN.items():
        pdf = cm.client("reader").get(url.format(language)).content
        text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
        assert shown in text, language
        assert "11/03/2026" not in text
