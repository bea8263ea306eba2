"""Where a page shows (visible box and rotation), and the matrix that puts the stamp there."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pikepdf

from .errors import WatermarkError


@dataclass(frozen=True)
class Geometry:
    """Where a page shows: its visible box in user space and its /Rotate."""

    x0: float
    y0: float
    x1: float
    y1: float
    rotate: int  # 0, 90, 180 or 270, clockwise as displayed

    @property
    def display_size(self) -> tuple[float, float]:
        w, h = round(self.x1 - self.x0, 2), round(self.y1 - self.y0, 2)
        return (h, w) if self.rotate in (90, 270) else (w, h)

    def matrix(self) -> tuple[float, ...]:
        """Map stamp space (upright, origin at the displayed lower left) to user space."""
        x0, y0, x1, y1 = self.x0, self.y0, self.x1, self.y1
        return {
            0: (1, 0, 0, 1, x0, y0),
            90: (0, 1, -1, 0, x1, y0),
            180: (-1, 0, 0, -1, x1, y1),
            270: (0, -1, 1, 0, x0, y1),
        }[self.rotate]


def page_geometry(page: pikepdf.Dictionary) -> Geometry:
    """The geometry of a page whose inherited attributes qpdf copied into it."""
    media = _box(page.get("/MediaBox")) or (0.0, 0.0, 612.0, 792.0)
    crop = _box(page.get("/CropBox")) or media
    x0, y0 = max(crop[0], media[0]), max(crop[1], media[1])
    x1, y1 = min(crop[2], media[2]), min(crop[3], media[3])
    if x1 - x0 < 1 or y1 - y0 < 1:  # a crop box outside the media box: use the media box
        x0, y0, x1, y1 = media
    if x1 - x0 < 1 or y1 - y0 < 1:
        raise WatermarkError(WatermarkError.CORRUPT, "a page has an empty media box")
    try:
        rotate = int(page.get("/Rotate") or 0)
    except (TypeError, ValueError):
        rotate = 0
    rotate = (round(rotate / 90) * 90) % 360
    return Geometry(round(x0, 3), round(y0, 3), round(x1, 3), round(y1, 3), rotate)


def _box(value) -> tuple[float, float, float, float] | None:
    """A rectangle as (left, bottom, right, top), or None if it is not one."""
    if not isinstance(value, pikepdf.Array) or len(value) < 4:
        return None
    try:
        a, b, c, d = (float(v) for v in list(value)[:4])
    except (TypeError, ValueError):
        return None
    if not all(math.isfinite(v) and abs(v) < 1e6 for v in (a, b, c, d)):
        return None
    return min(a, c), min(b, d), max(a, c), max(b, d)


def pdf_number(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
