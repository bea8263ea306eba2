"""An assessment as a CSV or PDF report: score, then each control with its actions."""

from __future__ import annotations

import io

from cms.files import spreadsheets

from . import report_data, report_pdf
from .scoring import summarize_assessment

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


def csv_report(assessment) -> str:
    summary = summarize_assessment(assessment)
    items = report_data.items_by_control(assessment)
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


def pdf_report(assessment) -> bytes:
    """A summary page (score, charts, open and overdue work), then every control by family."""
    return report_pdf.render(report_data.gather(assessment))
