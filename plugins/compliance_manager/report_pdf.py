"""The PDF report of an assessment: a summary page (the score, controls by status, progress by
family, who has open action items, what is overdue), then every control, family by family.

Laid out by hand in fixed-height rows: fpdf2's table helper lays out every cell as a paragraph,
which took 8.5 s for the full SP 800-53 catalog. The charts are vector shapes (report_charts).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import get_language, gettext, ngettext
from fpdf import FPDF

from .models import Responsibility
from .report_charts import donut, progress_bar, swatch
from .report_data import ReportData
from .report_fonts import ReportFonts, choose_fonts
from .scoring import CONTROL_STATUSES

MARGIN = 12.0
PAGE_WIDTH = 210.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
#: Where content stops, leaving room for the footer.
CONTENT_BOTTOM = 297.0 - 16.0

STATUS_COLORS = {
    "passed": (46, 125, 50),
    "failed": (198, 40, 40),
    "in_progress": (230, 120, 0),
    "not_assessed": (150, 150, 150),
    "out_of_scope": (84, 110, 122),
}
ACCENT = (21, 101, 192)
INK = (33, 33, 33)
MUTED = (97, 97, 97)
HEADER_FILL = (228, 233, 239)
FAMILY_FILL = (236, 242, 250)
ZEBRA_FILL = (247, 248, 250)

#: The summary page lists this many assignees and overdue items, and counts the rest.
SUMMARY_ROWS = 8
#: Families charted on the summary page; a catalog with more lists them all in the detail.
FAMILY_ROWS = 22
TITLE_LINES = 3
#: Detail columns: (key, width in mm).
DETAIL_COLUMNS = (
    ("control", 18.0),
    ("title", 70.0),
    ("managed_by", 30.0),
    ("status", 24.0),
    ("points", 15.0),
    ("assigned_to", 29.0),
)


def labels() -> dict[str, str]:
    """Every fixed text of the report, in the active language."""
    return {
        "score": gettext("Compliance score"),
        "by_status": gettext("Controls by status"),
        "by_family": gettext("Progress by family"),
        "assignees": gettext("Open action items by assignee"),
        "overdue_items": gettext("Overdue action items"),
        "detail": gettext("Controls"),
        "control": gettext("Control"),
        "title": gettext("Title"),
        "managed_by": gettext("Managed by"),
        "status": gettext("Status"),
        "points": gettext("Points"),
        "assigned_to": gettext("Assigned to"),
        "open": gettext("Open"),
        "overdue": gettext("Overdue"),
        "action_item": gettext("Action item"),
        "due": gettext("Due date"),
        "unassigned": gettext("Unassigned"),
        "no_open_items": gettext("No open action items."),
        "no_overdue": gettext("No action item is overdue."),
        "no_points": gettext("no points"),
        "other_family": gettext("Other controls"),
    }


@dataclass(frozen=True)
class ControlRow:
    label: str
    title: str
    managed_by: str
    status: str
    status_label: str
    points: str
    assigned_to: str


@dataclass(frozen=True)
class FamilySection:
    title: str
    score_text: str
    rows: list[ControlRow]


class ReportPDF(FPDF):
    """A4 pages with a footer naming the assessment and the page."""

    def __init__(self, footer_text: str):
        super().__init__(format="A4", unit="mm")
        self.footer_text = footer_text
        self.report_fonts = ReportFonts("helvetica", None)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)

    def footer(self):
        self.set_font(self.report_fonts.family, "", 7.5)
        self.set_text_color(*MUTED)
        self.set_xy(MARGIN, -11)
        self.cell(CONTENT_WIDTH * 0.75, 4, fit(self, self.footer_text, CONTENT_WIDTH * 0.7))
        page = gettext("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.set_xy(MARGIN + CONTENT_WIDTH * 0.75, -11)
        self.cell(CONTENT_WIDTH * 0.25, 4, self.report_fonts.text(page), align="R")


def render(data: ReportData) -> bytes:
    text = labels()
    assessment = data.assessment
    sections = family_sections(data, text)
    subtitle = " · ".join(
        part
        for part in (
            assessment.template.title,
            assessment.group.name,
            assessment.service.name if assessment.service_id else "",
            gettext("created %(date)s") % {"date": date_text(assessment.created_at)},
            gettext("report of %(date)s") % {"date": date_text(data.today)},
        )
        if part
    )
    pdf = ReportPDF(f"{assessment.title} · {assessment.organization.name}")
    pdf.report_fonts = choose_fonts(pdf, all_texts(data, text, sections, subtitle, pdf.footer_text))
    pdf.footer_text = pdf.report_fonts.text(pdf.footer_text)
    pdf.set_title(pdf.report_fonts.text(assessment.title))
    pdf.set_creator("Trust Portal")
    pdf.set_lang(get_language() or "en")
    pdf.alias_nb_pages()
    pdf.add_page()
    y = draw_heading(pdf, assessment.title, subtitle)
    y = draw_score(pdf, data, text, y)
    y = draw_charts(pdf, data, text, y)
    draw_work(pdf, data, text, y)
    draw_detail(pdf, sections, text)
    return bytes(pdf.output())


# --- what is written ------------------------------------------------------------------


def date_text(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def status_color(status: str):
    return STATUS_COLORS.get(status, STATUS_COLORS["not_assessed"])


def percent_text(score) -> str:
    return f"{score.percent}%"


def family_sections(data: ReportData, text: dict[str, str]) -> list[FamilySection]:
    """The controls grouped by family, in catalog order, each row already as text."""
    by_family: dict[int | None, list] = {}
    for control in data.summary.controls:
        by_family.setdefault(control.family_id, []).append(control)
    sections = []
    for family in data.families:
        rows = [control_row(control, data) for control in by_family.get(family.family_id, [])]
        if rows:
            title = family.title or text["other_family"]
            sections.append(FamilySection(title, score_text(family.score, text), rows))
    return sections


def score_text(score, text: dict[str, str]) -> str:
    if not score.available:
        return text["no_points"]
    return f"{score.earned}/{score.available} · {percent_text(score)}"


def control_row(control, data: ReportData) -> ControlRow:
    earned = sum(part.earned for part in control.parts)
    available = sum(part.available for part in control.parts)
    names: dict[str, None] = {}
    if control.responsibility != Responsibility.PROVIDER:
        for item in data.items_by_control.get(control.control_id, []):
            if item.assignee_id:
                names.setdefault(item.assignee.get_full_name() or item.assignee.get_username())
    return ControlRow(
        control.label or control.oscal_id,
        control.title,
        str(Responsibility(control.responsibility).label),
        control.status,
        str(CONTROL_STATUSES.get(control.status, control.status)),
        f"{earned}/{available}" if available else "–",
        ", ".join(names),
    )


def all_texts(data: ReportData, text, sections, *more: str):
    """Every string the report draws, to choose fonts that draw them all."""
    yield from text.values()
    yield from more
    yield data.assessment.title
    yield from (str(label) for label in CONTROL_STATUSES.values())
    for family in data.families:
        yield family.title
    for load in data.assignees:
        yield load.name
    for item in data.overdue[:SUMMARY_ROWS]:
        yield from (item.control_label, item.title, item.assignee)
    for section in sections:
        yield section.title
        for row in section.rows:
            yield from (row.label, row.title, row.managed_by, row.status_label, row.assigned_to)


# --- drawing helpers ------------------------------------------------------------------


def fit(pdf: FPDF, value: str, width: float) -> str:
    """``value`` cut (with an ellipsis) to ``width`` in the current font."""
    if pdf.get_string_width(value) <= width:
        return value
    low, high = 0, len(value)
    while low < high:
        middle = (low + high + 1) // 2
        if pdf.get_string_width(value[:middle].rstrip() + "…") <= width:
            low = middle
        else:
            high = middle - 1
    return value[:low].rstrip() + "…"


def wrap(pdf: FPDF, value: str, width: float, max_lines: int) -> list[str]:
    """Word-wrapped lines of ``value`` in the current font; the last one cut if more remain."""
    words = value.split()
    lines: list[str] = []
    current = ""
    for index, word in enumerate(words):
        candidate = f"{current} {word}" if current else word
        if not current or pdf.get_string_width(candidate) <= width:
            current = candidate
            continue
        lines.append(current)
        if len(lines) == max_lines - 1:
            current = " ".join(words[index:])
            break
        current = word
    lines.append(current)
    return [fit(pdf, line, width) for line in lines]


def write(pdf: ReportPDF, x, y, width, height, value, size=9.0, style="", color=INK, align="L"):
    pdf.set_font(pdf.report_fonts.family, style, size)
    pdf.set_text_color(*color)
    pdf.set_xy(x, y)
    pdf.cell(width, height, fit(pdf, value, width - 2 * pdf.c_margin), align=align)


# --- the summary page -----------------------------------------------------------------


def draw_heading(pdf: ReportPDF, title: str, subtitle: str) -> float:
    pdf.set_font(pdf.report_fonts.family, "B", 16)
    pdf.set_text_color(*INK)
    y = MARGIN
    for line in wrap(pdf, pdf.report_fonts.text(title), CONTENT_WIDTH - 2, 2):
        write(pdf, MARGIN, y, CONTENT_WIDTH, 7, line, 16, "B")
        y += 7
    pdf.set_font(pdf.report_fonts.family, "", 8.5)
    for line in wrap(pdf, pdf.report_fonts.text(subtitle), CONTENT_WIDTH - 2, 2):
        write(pdf, MARGIN, y, CONTENT_WIDTH, 4.5, line, 8.5, color=MUTED)
        y += 4.5
    return y + 4


def draw_score(pdf: ReportPDF, data: ReportData, text, y: float) -> float:
    score = data.summary.score
    with pdf.local_context():
        pdf.set_fill_color(*ZEBRA_FILL)
        pdf.rect(MARGIN, y, CONTENT_WIDTH, 30, style="F")
    t = pdf.report_fonts.text
    write(pdf, MARGIN + 3, y + 3, 70, 5, t(text["score"]), 10, "B")
    write(pdf, MARGIN + 3, y + 10, 70, 12, percent_text(score), 28, "B", ACCENT)
    points = gettext("%(earned)s of %(available)s points") % {
        "earned": score.earned,
        "available": score.available,
    }
    write(pdf, MARGIN + 3, y + 23, 70, 5, t(points), 9, color=MUTED)
    bar_x = MARGIN + 76
    bar_width = CONTENT_WIDTH - 82
    progress_bar(pdf, bar_x, y + 11, bar_width, 6, score.percent / 100, STATUS_COLORS["passed"])
    controls = len(data.summary.controls)
    facts = [
        ngettext("%(count)s control", "%(count)s controls", controls) % {"count": controls},
        ngettext("%(count)s open action item", "%(count)s open action items", data.open_items)
        % {"count": data.open_items},
        ngettext("%(count)s overdue", "%(count)s overdue", len(data.overdue))
        % {"count": len(data.overdue)},
    ]
    set_aside = len(data.summary.set_aside)
    if set_aside:
        facts.append(
            ngettext(
                "%(count)s withdrawn or retired control not counted",
                "%(count)s withdrawn or retired controls not counted",
                set_aside,
            )
            % {"count": set_aside}
        )
    pdf.set_font(pdf.report_fonts.family, "", 8.5)
    for number, line in enumerate(wrap(pdf, t(" · ".join(facts)), bar_width - 1, 2)):
        write(pdf, bar_x - 1, y + 20 + 4.2 * number, bar_width + 2, 4.2, line, 8.5, color=MUTED)
    return y + 36


def draw_charts(pdf: ReportPDF, data: ReportData, text, y: float) -> float:
    t = pdf.report_fonts.text
    # Left: controls by status, a donut and its legend.
    write(pdf, MARGIN, y, 70, 5, t(text["by_status"]), 10, "B")
    by_status = data.summary.by_status
    total = sum(by_status.values())
    diameter = 38.0
    chart_x = MARGIN + 14
    donut(
        pdf,
        chart_x,
        y + 8,
        diameter,
        [(by_status.get(key, 0), status_color(key)) for key in CONTROL_STATUSES],
    )
    write(pdf, chart_x, y + 8 + diameter / 2 - 5, diameter, 6, str(total), 14, "B", align="C")
    controls_word = ngettext("control", "controls", total)
    write(
        pdf,
        chart_x,
        y + 8 + diameter / 2 + 1,
        diameter,
        4,
        t(controls_word),
        7,
        color=MUTED,
        align="C",
    )
    legend_y = y + 8 + diameter + 4
    for key, label in CONTROL_STATUSES.items():
        count = by_status.get(key, 0)
        swatch(pdf, MARGIN + 2, legend_y + 1, 3, status_color(key))
        write(pdf, MARGIN + 6, legend_y, 44, 5, t(str(label)), 8.5)
        write(pdf, MARGIN + 50, legend_y, 11, 5, str(count), 8.5, "B", align="R")
        share = round(100 * count / total) if total else 0
        write(pdf, MARGIN + 61, legend_y, 12, 5, f"{share}%", 8.5, color=MUTED, align="R")
        legend_y += 5
    # Right: points earned per family, one bar each.
    left = MARGIN + 78
    width = CONTENT_WIDTH - 78
    write(pdf, left, y, width, 5, t(text["by_family"]), 10, "B")
    row_y = y + 8
    shown = data.families
    if len(shown) > FAMILY_ROWS:
        shown = shown[: FAMILY_ROWS - 1]
    for family in shown:
        title = family.title or text["other_family"]
        write(pdf, left, row_y, 48, 4.4, t(title), 7.5)
        score = family.score
        progress_bar(pdf, left + 49, row_y + 1.1, 28, 2.4, score.percent / 100, ACCENT)
        write(
            pdf,
            left + 78,
            row_y,
            width - 78,
            4.4,
            t(score_text(score, text)),
            7,
            color=MUTED,
            align="R",
        )
        row_y += 4.4
    hidden = len(data.families) - len(shown)
    if hidden:
        more = ngettext(
            "%(count)s more family: see the controls below",
            "%(count)s more families: see the controls below",
            hidden,
        ) % {"count": hidden}
        write(pdf, left, row_y, width, 4.4, t(more), 7.5, color=MUTED)
        row_y += 4.4
    return max(legend_y, row_y) + 6


def draw_work(pdf: ReportPDF, data: ReportData, text, y: float):
    """Who has open action items, and which are overdue."""
    t = pdf.report_fonts.text
    half = (CONTENT_WIDTH - 8) / 2
    # Left: assignees.
    write(pdf, MARGIN, y, half, 5, t(text["assignees"]), 10, "B")
    columns = [
        (text["assigned_to"], half - 36, "L"),
        (text["open"], 18, "R"),
        (text["overdue"], 18, "R"),
    ]
    rows = [
        [t(load.name), str(load.open), str(load.overdue)] for load in data.assignees[:SUMMARY_ROWS]
    ]
    hidden = len(data.assignees) - len(rows)
    if data.unassigned:
        rows.append([t(text["unassigned"]), str(data.unassigned), str(data.unassigned_overdue)])
    small_table(pdf, MARGIN, y + 7, columns, rows, t(text["no_open_items"]), hidden)
    # Right: overdue items, the longest overdue first.
    left = MARGIN + half + 8
    write(pdf, left, y, half, 5, t(text["overdue_items"]), 10, "B")
    columns = [
        (text["control"], 17, "L"),
        (text["action_item"], half - 61, "L"),
        (text["assigned_to"], 22, "L"),
        (text["due"], 22, "R"),
    ]
    rows = [
        [
            t(item.control_label),
            t(item.title),
            t(item.assignee or text["unassigned"]),
            date_text(item.due_date),
        ]
        for item in data.overdue[:SUMMARY_ROWS]
    ]
    small_table(
        pdf, left, y + 7, columns, rows, t(text["no_overdue"]), len(data.overdue) - len(rows)
    )


def small_table(pdf: ReportPDF, x: float, y: float, columns, rows, empty: str, hidden: int):
    height = 4.8
    with pdf.local_context():
        pdf.set_fill_color(*HEADER_FILL)
        pdf.rect(x, y, sum(width for _label, width, _align in columns), height, style="F")
    column_x = x
    for label, width, align in columns:
        write(pdf, column_x, y, width, height, pdf.report_fonts.text(label), 7.5, "B", align=align)
        column_x += width
    y += height
    if not rows:
        write(
            pdf,
            x,
            y,
            sum(width for _label, width, _align in columns),
            height,
            empty,
            8,
            color=MUTED,
        )
        return
    for row in rows:
        column_x = x
        for value, (_label, width, align) in zip(row, columns, strict=True):
            write(pdf, column_x, y, width, height, value, 8, align=align)
            column_x += width
        y += height
    if hidden > 0:
        more = ngettext("and %(count)s more", "and %(count)s more", hidden) % {"count": hidden}
        write(pdf, x, y, 80, height, pdf.report_fonts.text(more), 7.5, color=MUTED)


# --- the detail pages -----------------------------------------------------------------


def draw_detail(pdf: ReportPDF, sections: list[FamilySection], text):
    t = pdf.report_fonts.text
    pdf.add_page()
    write(pdf, MARGIN, MARGIN, CONTENT_WIDTH, 7, t(text["detail"]), 13, "B")
    y = detail_header(pdf, MARGIN + 9, text)
    line = 3.7
    for section in sections:
        if y + 5.5 + line + 1.2 > CONTENT_BOTTOM:
            pdf.add_page()
            y = detail_header(pdf, MARGIN, text)
        y = family_row(pdf, y, section)
        for index, row in enumerate(section.rows):
            pdf.set_font(pdf.report_fonts.family, "", 7.5)
            title_lines = wrap(
                pdf, t(row.title), DETAIL_COLUMNS[1][1] - 2 * pdf.c_margin, TITLE_LINES
            )
            height = line * len(title_lines) + 1.2
            if y + height > CONTENT_BOTTOM:
                pdf.add_page()
                y = detail_header(pdf, MARGIN, text)
            control_line(pdf, y, row, title_lines, height, line, striped=index % 2 == 1)
            y += height


def detail_header(pdf: ReportPDF, y: float, text) -> float:
    with pdf.local_context():
        pdf.set_fill_color(*HEADER_FILL)
        pdf.rect(MARGIN, y, CONTENT_WIDTH, 5.5, style="F")
    x = MARGIN
    for key, width in DETAIL_COLUMNS:
        write(pdf, x, y, width, 5.5, pdf.report_fonts.text(text[key]), 7.5, "B")
        x += width
    return y + 5.5


def family_row(pdf: ReportPDF, y: float, section: FamilySection) -> float:
    with pdf.local_context():
        pdf.set_fill_color(*FAMILY_FILL)
        pdf.rect(MARGIN, y, CONTENT_WIDTH, 5.5, style="F")
    t = pdf.report_fonts.text
    write(pdf, MARGIN, y, CONTENT_WIDTH - 40, 5.5, t(section.title), 8.5, "B", ACCENT)
    write(pdf, MARGIN + CONTENT_WIDTH - 40, y, 40, 5.5, t(section.score_text), 8, "B", ACCENT, "R")
    return y + 5.5


def control_line(pdf: ReportPDF, y, row: ControlRow, title_lines, height, line, striped):
    t = pdf.report_fonts.text
    if striped:
        with pdf.local_context():
            pdf.set_fill_color(*ZEBRA_FILL)
            pdf.rect(MARGIN, y, CONTENT_WIDTH, height, style="F")
    top = y + 0.6
    widths = dict(DETAIL_COLUMNS)
    x = MARGIN
    write(pdf, x, top, widths["control"], line, t(row.label), 7.5, "B")
    x += widths["control"]
    for number, text_line in enumerate(title_lines):
        write(pdf, x, top + number * line, widths["title"], line, text_line, 7.5)
    x += widths["title"]
    write(pdf, x, top, widths["managed_by"], line, t(row.managed_by), 7.5)
    x += widths["managed_by"]
    swatch(pdf, x + 1, top + 0.8, 2.2, status_color(row.status))
    write(pdf, x + 3, top, widths["status"] - 3, line, t(row.status_label), 7.5)
    x += widths["status"]
    write(pdf, x, top, widths["points"], line, row.points, 7.5, align="R")
    x += widths["points"]
    write(pdf, x, top, widths["assigned_to"], line, t(row.assigned_to), 7.5)
