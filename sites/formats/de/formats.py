"""Dates in German: 3. Nov. 2026 (months of up to five letters written out: 3. Mai 2026)."""

from sites.formats import DATE_INPUT_FORMATS  # noqa: F401

DATE_FORMAT = "j. N Y"
DATETIME_FORMAT = "j. N Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
