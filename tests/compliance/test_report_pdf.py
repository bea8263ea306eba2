"""The PDF report: a summary first page (score, charts drawn as vector shapes, open and overdue
work by assignee) in the reader's language, then every control; a fixed number of queries
however many controls the assessment has.

Page 1 is rendered to PNG with PDFium (pypdfium2) and its text read back with pypdf."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pypdfium2
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from cms.delivery.watermark import default_font_paths
from cms.models import Membership
from plugins.compliance_manager.models import (
    ActionItem,
    Control,
    ControlFamily,
    ImprovementAction,
    Template,
)
from plugins.compliance_manager.report_data import gather
from plugins.compliance_manager.report_fonts import glyphs
from plugins.compliance_manager.report_pdf import STATUS_COLORS, SUMMARY_ROWS
from plugins.compliance_manager.scoring import summarize_assessment
from plugins.compliance_manager.workflow import create_assessment
from tests.helpers import make_user

from .conftest import item_of

pytestmark = pytest.mark.django_db


def report_url(assessment, language="en") -> str:
    return f"/{language}/compliance/assessments/{assessment.pk}/report.pdf"


def page_text(pdf: bytes, number: int = 0) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[number].extract_text().split())


def first_page_png(pdf: bytes, path) -> Image.Image:
    document = pypdfium2.PdfDocument(pdf)
    try:
        document[0].render(scale=1).to_pil().save(path, format="PNG")
    finally:
        document.close()
    return Image.open(path)


def set_item(assessment, oscal_id, implementation, testing, assignee=None, due=None):
    item = item_of(assessment, oscal_id)
    item.implementation_status, item.testing_status = implementation, testing
    item.assignee, item.due_date = assignee, due
    item.save()
    return item


@pytest.fixture
def worked(cm):
    """Passed, failed and open items; the contributor has one overdue item, the assessor none."""
    today = timezone.localdate()
    users = cm.users
    set_item(cm.assessment, "ac-2", "implemented", "passed", users["assessor"])
    set_item(cm.assessment, "ac-3", "implemented", "failed_high", users["contributor"])
    set_item(
        cm.assessment, "ac-7", "planned", "not_assessed", users["contributor"], today - timedelta(3)
    )
    set_item(cm.assessment, "ac-8", "planned", "not_assessed", users["assessor"], today)
    set_item(cm.assessment, "at-2", "out_of_scope", "not_assessed", None, today - timedelta(9))
    return cm


def test_the_first_page_summarizes_score_statuses_families_and_work(worked, tmp_path):
    response = worked.client("reader").get(report_url(worked.assessment))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    summary = summarize_assessment(worked.assessment)
    score = summary.score
    assert 0 < score.earned < score.available
    text = page_text(response.content)
    assert "Compliance score" in text
    assert f"{score.percent}%" in text
    assert f"{score.earned} of {score.available} points" in text
    assert "Controls by status" in text and "Progress by family" in text
    assert f"Passed {summary.by_status['passed']} " in text
    assert f"Failed {summary.by_status['failed']} " in text
    assert "Access Control" in text and "Open action items by assignee" in text
    # Open items: everything not passed and in scope; AC-7 is the only one overdue.
    data = gather(worked.assessment)
    loads = {load.name: (load.open, load.overdue) for load in data.assignees}
    assert loads == {"cm-contributor": (2, 1), "cm-assessor": (1, 0)}
    assert "cm-contributor 2 1" in text and "cm-assessor 1 0" in text
    assert f"Unassigned {data.unassigned} 0" in text
    assert [item.control_label for item in data.overdue] == ["AC-7"]
    assert "Overdue action items" in text and "AC-7 Implement AC-7" in text
    # The detail starts on the next page, family by family.
    assert page_text(response.content, 1).startswith("Controls Control Title Managed by Status")


def test_the_first_page_renders_with_vector_charts(worked, tmp_path):
    pdf = worked.client("reader").get(report_url(worked.assessment)).content
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert list(page.images) == []  # the charts are paths, not pictures
    image = first_page_png(pdf, tmp_path / "page-1.png")
    assert (tmp_path / "page-1.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert image.format == "PNG" and image.size == (596, 842)  # A4 at 72 dpi, rounded up
    rgb = image.convert("RGB")
    darkest, lightest = zip(*rgb.getextrema(), strict=True)
    assert max(darkest) < 60 and min(lightest) > 240  # text on a white page
    colors = {color for _count, color in rgb.getcolors(maxcolors=1 << 20)}
    # The donut's slices and the score bar in the status colours, solid inside each shape.
    assert {STATUS_COLORS["passed"], STATUS_COLORS["failed"]} <= colors


def test_labels_follow_the_readers_language(worked):
    summary = summarize_assessment(worked.assessment)
    german = page_text(worked.client("reader").get(report_url(worked.assessment, "de")).content)
    assert "Compliance-Bewertung" in german and "Kontrollen nach Status" in german
    assert f"{summary.score.earned} von {summary.score.available} Punkten" in german
    assert "Compliance score" not in german
    french = page_text(worked.client("reader").get(report_url(worked.assessment, "fr")).content)
    assert "Score de conformité" in french and "Progression par famille" in french


def cjk_font_available() -> bool:
    return any("準" in glyphs(str(path)) for path in default_font_paths())


@pytest.mark.skipif(not cjk_font_available(), reason="no font with Japanese glyphs installed")
def test_japanese_labels_are_drawn_with_an_embedded_font(worked):
    pdf = worked.client("reader").get(report_url(worked.assessment, "ja")).content
    text = page_text(pdf)
    assert "コンプライアンススコア" in text and "ステータス別のコントロール" in text
    fonts = {
        str(font["/BaseFont"])
        for font in (
            PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].get_object().values()
        )
    }
    assert not {"/Helvetica", "/Helvetica-Bold"} & fonts


# --- queries ---------------------------------------------------------------------------


def synthetic_assessment(organization, controls: int, people) -> object:
    """An assessment of a made-up catalog: ``controls`` controls in 4 families, one action
    each, items assigned round the members (so that names cost no query each), all due."""
    template = Template.objects.create(oscal_uuid=uuid.uuid4(), title=f"Synthetic {controls}")
    families = ControlFamily.objects.bulk_create(
        ControlFamily(template=template, oscal_id=f"f{n}", title=f"Family {n}", sort_order=n)
        for n in range(4)
    )
    created = Control.objects.bulk_create(
        Control(
            template=template,
            family=families[n % 4],
            oscal_id=f"c-{n}",
            label=f"C-{n}",
            title=f"Control {n}",
            sort_order=n,
        )
        for n in range(controls)
    )
    ImprovementAction.objects.bulk_create(
        ImprovementAction(control=control, key="a", title=f"Do {control.label}")
        for control in created
    )
    assessment = create_assessment(organization, template, f"Size {controls}", "Sizes", None)
    items = list(ActionItem.objects.filter(links__assessment=assessment).order_by("pk"))
    yesterday = timezone.localdate() - timedelta(1)
    for n, item in enumerate(items):
        item.assignee, item.due_date = people[n % len(people)], yesterday
        item.testing_status = ("passed", "not_assessed", "failed_low")[n % 3]
        item.implementation_status = "implemented"
    ActionItem.objects.bulk_update(
        items, ["assignee", "due_date", "testing_status", "implementation_status"]
    )
    return assessment


def test_the_number_of_queries_does_not_grow_with_the_controls(cm, django_assert_max_num_queries):
    people = []
    for n in range(31):
        person = make_user(f"cm-member-{n}", first_name="Member", last_name=str(n))
        Membership.objects.create(user=person, organization=cm.organization)
        people.append(person)
    small = synthetic_assessment(cm.organization, 6, people)
    large = synthetic_assessment(cm.organization, 120, people)
    client = cm.client("reader")
    counts = {}
    for assessment in (small, large):
        client.get(report_url(assessment))  # the session and the role, read once
        with CaptureQueriesContext(connection) as context:
            response = client.get(report_url(assessment))
        assert response.status_code == 200
        counts[assessment.pk] = len(context.captured_queries)
    assert counts[small.pk] == counts[large.pk]
    with django_assert_max_num_queries(counts[large.pk]):
        pdf = client.get(report_url(large)).content
    # The large one has its 120 controls and 31 assignees: the busiest listed, the rest counted.
    text = page_text(pdf)
    loads = gather(large).assignees
    assert "120 controls" in text
    assert all(f"{load.name} {load.open} {load.overdue}" in text for load in loads[:SUMMARY_ROWS])
    assert f"and {len(loads) - SUMMARY_ROWS} more" in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 3
