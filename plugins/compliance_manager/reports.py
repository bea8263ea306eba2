"""An assessment as a CSV or PDF report: score, then each control with its actions."""

from __future__ import annotations

import io

from fpdf import FPDF

from cms.files import spreadsheets

from .models import AssessmentAction
from .scoring import CONTROL_STATUSES, summarize_assessment

CSV_HEADER = [
    "control",
    "title",
    "responsibility",
    "control status",
    "action item",
    "points",
    "assigned to",
    "due date",
    "implementation status",
    "testing status",
]


def _items_by_control(assessment) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for link in (
        AssessmentAction.objects.filter(assessment=assessment)
        .select_related("action_item__assignee")
        .order_by("action_item__key")
    ):
        grouped.setdefault(link.control_id, []).append(link.action_item)
    return grouped


def csv_report(assessment) -> str:
    summary = summarize_assessment(assessment)
    items = _items_by_control(assessment)
    out = io.StringIO()
    writer = spreadsheets.writer(out)
    writer.writerow(CSV_HEADER)
    for control in summary.controls:
        base = [control.label, control.title, control.responsibility, control.status]
        for item in items.get(control.control_id, []) or [None]:
            if item is None:
                writer.writerow(base + [""] * 6)
                continue
            writer.writerow(
                base
                + [
                    item.title,
                    item.points,
                    item.assignee.get_username() if item.assignee else "",
                    item.due_date or "",
                    item.implementation_status,
                    item.testing_status,
                ]
            )
    return out.getvalue()


def _latin1(text: str) -> str:
    # The core PDF fonts are Latin-1; other characters degrade instead of failing the report.
    return str(text).encode("latin-1", "replace").decode("latin-1")


def pdf_report(assessment) -> bytes:
    summary = summarize_assessment(assessment)
    pdf = FPDF()
    pdf.set_title(_latin1(assessment.title))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, _latin1(assessment.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(
        0,
        6,
        _latin1(
            f"{assessment.template.title} - group {assessment.group.name} - "
            f"created {assessment.created_at:%Y-%m-%d}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 12)
    score = summary.score
    pdf.cell(
        0,
        8,
        f"Compliance score: {score.percent}% ({score.earned} of {score.available} points)",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", "", 10)
    for key, label in CONTROL_STATUSES.items():
        pdf.cell(
            0,
            6,
            _latin1(f"{label}: {summary.by_status.get(key, 0)} controls"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(3)
    with pdf.table(col_widths=(20, 90, 30, 30), text_align="LEFT") as table:
        table.row(["Control", "Title", "Managed by", "Status"])
        for control in summary.controls:
            table.row(
                [
                    _latin1(control.label),
                    _latin1(control.title),
                    control.responsibility,
                    _latin1(str(CONTROL_STATUSES[control.status])),
                ]
            )
    return bytes(pdf.output())
