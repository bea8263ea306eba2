"""Trust-document files at rest: the protected storage with no URL, upload checks and naming,
text extraction for search, the admin's file widget, and spreadsheet-safe CSV exports."""
