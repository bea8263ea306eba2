"""Dates in French: 3 nov. 2026 (short months written out: 3 mai 2026, 3 juin 2026)."""

from sites.formats import DATE_INPUT_FORMATS  # noqa: F401

DATE_FORMAT = "j N Y"
DATETIME_FORMAT = "j N Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
