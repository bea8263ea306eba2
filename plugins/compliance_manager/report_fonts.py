"""The fonts of the PDF report: the core Helvetica when Windows-1252 draws every text (nothing
embedded, the fastest), otherwise TrueType fonts found by the watermark's search (DejaVu Sans,
then fallbacks such as Droid Sans Fallback for Japanese), embedded as subsets."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError
from fpdf import FPDF

from cms.delivery.watermark import default_font_paths

CORE_FAMILY = "helvetica"
FAMILY = "report"


@dataclass(frozen=True)
class ReportFonts:
    family: str
    #: None: the core font, which draws Windows-1252 only.
    drawable: frozenset[str] | None

    def text(self, value) -> str:
        """``value`` as the chosen fonts can draw it; what none can is a "?"."""
        text = str(value)
        if self.drawable is None:
            return text.encode("cp1252", "replace").decode("cp1252")
        return "".join(c if c in self.drawable or c.isspace() else "?" for c in text)


def choose_fonts(pdf: FPDF, texts: Iterable[str], font_paths: list[Path] | None = None):
    """Register on ``pdf`` the fonts that draw ``texts`` and say which family to use."""
    pdf.core_fonts_encoding = "windows-1252"
    needed = {c for text in texts for c in str(text) if not _cp1252(c)}
    core = ReportFonts(CORE_FAMILY, None)
    if not needed:
        return core
    candidates = [
        (path, glyphs(str(path)))
        for path in (default_font_paths() if font_paths is None else font_paths)
    ]
    primaries = [(path, chars) for path, chars in candidates if _covers_ascii(chars)]
    if not primaries:
        return core
    primary, drawable = max(primaries, key=lambda candidate: len(needed & candidate[1]))
    bold = primary.with_name(f"{primary.stem}-Bold{primary.suffix}")
    pdf.add_font(FAMILY, "", str(primary))
    pdf.add_font(FAMILY, "B", str(bold if bold.is_file() else primary))
    missing = needed - drawable
    fallbacks = []
    for number, (path, chars) in enumerate(candidates):
        if path != primary and missing & chars:
            pdf.add_font(f"{FAMILY}{number}", "", str(path))
            fallbacks.append(f"{FAMILY}{number}")
            drawable |= chars
            missing -= chars
    if fallbacks:
        # Not exact: the fallbacks have no bold; a bold label is drawn in their regular face.
        pdf.set_fallback_fonts(fallbacks, exact_match=False)
    return ReportFonts(FAMILY, frozenset(drawable))


@functools.lru_cache(maxsize=16)
def glyphs(path: str) -> frozenset[str]:
    """The characters a TrueType/OpenType font has glyphs for (none if it cannot be read)."""
    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            cmap = font.getBestCmap() or {}
    except (OSError, TTLibError):
        return frozenset()
    return frozenset(chr(code) for code in cmap)


def _cp1252(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _covers_ascii(chars: frozenset[str]) -> bool:
    return all(chr(code) in chars for code in range(0x20, 0x7F))
