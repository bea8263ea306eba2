"""The stamp pages drawn with fpdf2, and the fonts (core or TrueType) they are drawn in."""

from __future__ import annotations

import functools
import itertools
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from .source import PathLike

FONTS_DIR = Path(__file__).parent.with_name("watermark_fonts")  # cms/watermark_fonts/
# Looked for after FONTS_DIR. Of the fonts found, the one that draws most of the characters
# Windows-1252 lacks is used (the first such, on a tie); it must also draw all of ASCII.
SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)

_STAMP_GREY = (150, 150, 150)
_STAMP_OPACITY = 0.3
_FOOTER_GREY = (110, 110, 110)
_FOOTER_OPACITY = 0.85
_STAMP_MAX_SIZE = 40.0
_FOOTER_MAX_SIZE = 7.0
_FOOTER_MIN_SIZE = 4.0
_FOOTER_SEPARATOR = "  |  "

# Letters that have no decomposition, for the core-font fallback.
_ASCII_APPROXIMATIONS = str.maketrans("ŁłĐđĦħıĿŀŦŧĸŊŋſ\u2010\u2011\u2212", "LlDdHhiLlTtkNns---")


def default_font_paths() -> list[Path]:
    """Unicode fonts to try, in order: bundled ones, then known system fonts."""
    bundled = (
        sorted(p for p in FONTS_DIR.glob("*") if p.suffix.lower() in {".ttf", ".otf", ".ttc"})
        if FONTS_DIR.is_dir()
        else []
    )
    return [*bundled, *(Path(p) for p in SYSTEM_FONTS if Path(p).is_file())]


def clean_lines(lines: Sequence[str]) -> list[str]:
    if isinstance(lines, str):
        raise TypeError("lines must be a list of strings, not a string")
    cleaned = []
    for line in lines:
        # NFC so "e" + combining accent becomes one drawable character.
        text = unicodedata.normalize("NFC", str(line))
        text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
        text = " ".join(text.split())
        if text:
            cleaned.append(text)
    if not cleaned:
        raise ValueError("no watermark text")
    return cleaned


# --- drawing the stamp with fpdf2 ---------------------------------------------------


def render_stamps(sizes, lines: list[str], font_paths: Iterable[PathLike] | None) -> bytes:
    """One fpdf2 page per visible page size, each carrying the stamp and footer."""
    pdf = FPDF(unit="pt")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0
    pdf.set_compression(True)
    pdf.core_fonts_encoding = "windows-1252"
    fonts, lines = _choose_fonts(pdf, lines, font_paths)
    for width, height in sizes:
        pdf.add_page(format=(width, height))
        _draw_diagonal(pdf, fonts, lines, width, height)
        _draw_footer(pdf, fonts, lines, width, height)
    return bytes(pdf.output())


def _draw_diagonal(pdf: FPDF, fonts: _Fonts, lines: list[str], width: float, height: float):
    diagonal = math.hypot(width, height)
    angle = math.degrees(math.atan2(height, width))
    widest = max(fonts.width(pdf, line, 1.0) for line in lines) or 1
    leading = 1.3
    # Fit the widest line along 70% of the diagonal, and the block across the page.
    size = min(
        _STAMP_MAX_SIZE,
        0.7 * diagonal / widest,
        0.45 * min(width, height) / (leading * len(lines)),
    )
    size = max(size, 2.0)
    cx, cy = width / 2, height / 2
    top = cy - leading * size * len(lines) / 2
    with pdf.local_context(fill_opacity=_STAMP_OPACITY, text_color=_STAMP_GREY):
        with pdf.rotation(angle, x=cx, y=cy):
            for i, line in enumerate(lines):
                line_width = fonts.width(pdf, line, size)
                pdf.set_font(fonts.primary, "", size)
                # Not set_xy(): fpdf2 reads a negative x or y as counted from the far edge.
                pdf.x, pdf.y = cx - line_width / 2, top + i * leading * size
                pdf.cell(w=line_width, h=leading * size, text=line)


def _draw_footer(pdf: FPDF, fonts: _Fonts, lines: list[str], width: float, height: float):
    margin = min(18.0, width * 0.05)
    room = width - 2 * margin
    joined = _FOOTER_SEPARATOR.join(lines)
    size = min(_FOOTER_MAX_SIZE, room / (fonts.width(pdf, joined, 1.0) or 1))
    rows = [joined]
    if size < _FOOTER_MIN_SIZE:  # too long for one line on this page: one row per line
        rows = lines
        widest = max(fonts.width(pdf, line, 1.0) for line in lines) or 1
        size = max(2.0, min(_FOOTER_MAX_SIZE, room / widest))
    size = min(size, height * 0.02 + 2)
    row_height = size * 1.25
    bottom = height - min(6.0, height * 0.015)
    with pdf.local_context(fill_opacity=_FOOTER_OPACITY, text_color=_FOOTER_GREY):
        for i, row in enumerate(reversed(rows)):
            pdf.set_font(fonts.primary, "", size)
            pdf.x, pdf.y = margin, bottom - (i + 1) * row_height
            pdf.cell(w=fonts.width(pdf, row, size), h=row_height, text=row)


# --- fonts --------------------------------------------------------------------------


@dataclass
class _Fonts:
    """The fpdf2 font families in use: the primary one first, then its fallbacks."""

    primary: str
    fallbacks: list[tuple[str, frozenset[str]]]
    primary_chars: frozenset[str] | None = None  # None: a core font (Windows-1252)

    def family_for(self, char: str) -> str:
        if self.primary_chars is None or char in self.primary_chars:
            return self.primary
        return next((f for f, chars in self.fallbacks if char in chars), self.primary)

    def width(self, pdf: FPDF, text: str, size: float) -> float:
        """The drawn width of ``text``, each run measured in the font that draws it."""
        total = 0.0
        for family, run in itertools.groupby(text, self.family_for):
            pdf.set_font(family, "", size)
            total += pdf.get_string_width("".join(run))
        return total


def _choose_fonts(
    pdf: FPDF, lines: list[str], font_paths: Iterable[PathLike] | None
) -> tuple[_Fonts, list[str]]:
    """Pick fonts to draw ``lines`` with, and the lines as those fonts can draw them.

    The core font when Windows-1252 covers everything. Otherwise the font covering most
    of the rest that also has all of ASCII, plus fallbacks (which may lack ASCII, like
    Droid Sans Fallback) for what it lacks; fpdf2 switches fonts within a line.
    """
    core = _Fonts("helvetica", [])
    if all(_cp1252(line) for line in lines):
        return core, lines
    paths = [Path(p) for p in (default_font_paths() if font_paths is None else font_paths)]
    needed = {c for line in lines for c in line if not _cp1252(c)}
    candidates = [(path, _font_chars(str(path))) for path in paths]
    primaries = [(p, chars) for p, chars in candidates if _covers_ascii(chars)]
    if not primaries:
        return core, [_fallback_text(line, None) for line in lines]
    primary, primary_chars = max(primaries, key=lambda item: len(needed & item[1]))
    missing = needed - primary_chars
    fonts = _Fonts("watermark", [], primary_chars)
    try:
        pdf.add_font("watermark", "", str(primary), collection_font_number=0)
        for number, (path, chars) in enumerate(candidates):
            if path != primary and missing & chars:
                family = f"watermark{number}"
                pdf.add_font(family, "", str(path), collection_font_number=0)
                fonts.fallbacks.append((family, chars))
                missing -= chars
    except Exception:  # noqa: BLE001 — an unreadable font must not stop a download
        return core, [_fallback_text(line, None) for line in lines]
    if fonts.fallbacks:
        pdf.set_fallback_fonts([family for family, _ in fonts.fallbacks], exact_match=False)
    drawable = primary_chars.union(*(chars for _, chars in fonts.fallbacks))
    return fonts, [_fallback_text(line, drawable) for line in lines]


def _cp1252(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _fallback_text(text: str, font_chars: frozenset[str] | set[str] | None) -> str:
    """Keep characters the font(s) draw; approximate or replace the others."""

    def drawable(c: str) -> bool:
        return _cp1252(c) if font_chars is None else (c in font_chars or c == " ")

    out = []
    for c in text:
        if drawable(c):
            out.append(c)
            continue
        approx = unicodedata.normalize("NFKD", c.translate(_ASCII_APPROXIMATIONS))
        approx = "".join(a for a in approx if not unicodedata.combining(a))
        out.append(approx if approx and all(drawable(a) for a in approx) else "?")
    return "".join(out)


@functools.lru_cache(maxsize=16)
def _font_chars(path: str) -> frozenset[str]:
    """The characters a TrueType/OpenType font has glyphs for (empty if unreadable)."""
    try:
        from fontTools.ttLib import TTFont

        with TTFont(path, lazy=True, fontNumber=0) as font:
            cmap = font.getBestCmap() or {}
    except Exception:  # noqa: BLE001 — a font fontTools cannot read draws nothing we can count on
        return frozenset()
    return frozenset(chr(code) for code in cmap)


def _covers_ascii(chars: frozenset[str]) -> bool:
    return all(chr(c) in chars for c in range(0x20, 0x7F))
