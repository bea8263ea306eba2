"""Charts of the PDF report, drawn as vector paths with fpdf2 (no image, no plotting library):
a donut of controls by status and horizontal progress bars."""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF

RGB = tuple[int, int, int]

TRACK = (226, 230, 234)
WHITE = (255, 255, 255)


def donut(
    pdf: FPDF, x: float, y: float, diameter: float, parts: Sequence[tuple[int, RGB]], hole=0.58
):
    """Slices in proportion to each count, clockwise from the top, around a white hole.
    Nothing to show draws the empty ring."""
    total = sum(count for count, _color in parts)
    shown = [(count, color) for count, color in parts if count]
    with pdf.local_context():
        if len(shown) <= 1:
            # One slice of 360 degrees is the full disc: an arc from 90 to 90 would be nothing.
            pdf.set_fill_color(*(shown[0][1] if shown and total else TRACK))
            pdf.ellipse(x, y, diameter, diameter, style="F")
        else:
            # fpdf2 counts angles from 3 o'clock, growing clockwise on the page (y grows down),
            # and takes the bounding box's width as ``a``: -90 is 12 o'clock.
            start = -90.0
            for count, color in shown:
                sweep = 360.0 * count / total
                pdf.set_fill_color(*color)
                pdf.set_draw_color(*color)
                # Drawn with its own outline too, so that no hairline gap shows between slices.
                pdf.solid_arc(x, y, diameter, start, start + sweep, style="DF")
                start += sweep
        inner = diameter * hole
        offset = (diameter - inner) / 2
        pdf.set_fill_color(*WHITE)
        pdf.ellipse(x + offset, y + offset, inner, inner, style="F")


def progress_bar(pdf: FPDF, x: float, y: float, width: float, height: float, fraction, color):
    """A track of ``width`` filled for ``fraction`` (0..1) of it."""
    fraction = min(max(fraction, 0.0), 1.0)
    with pdf.local_context():
        pdf.set_fill_color(*TRACK)
        pdf.rect(x, y, width, height, style="F")
        if fraction:
            pdf.set_fill_color(*color)
            pdf.rect(x, y, width * fraction, height, style="F")


def swatch(pdf: FPDF, x: float, y: float, size: float, color: RGB):
    with pdf.local_context():
        pdf.set_fill_color(*color)
        pdf.rect(x, y, size, size, style="F")
