"""CSV that is safe to open in a spreadsheet: a cell a reader, an uploader or an editor wrote
that starts like a formula (``=HYPERLINK(…)``, ``@SUM``, ``+cmd|…``) is kept as text.

Every CSV export of the portal writes through here: analytics, the audit log, feedback and the
plugins' reports.
"""

from __future__ import annotations

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _SafeWriter:
    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(out, **options) -> _SafeWriter:
    """``csv.writer`` whose every cell goes through ``safe_cell``."""
    return _SafeWriter(out, **options)


class SafeCsvExportMixin:
    """For Wagtail's spreadsheet exports (``list_export`` views): its XLSX export already keeps
    formulas as text, its CSV export does not."""

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV and isinstance(value, str):
            return safe_cell(value)
        return value
