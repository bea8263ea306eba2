"""Trust-document files at rest: the protected storage with no URL (a folder, or an S3-compatible
bucket chosen by the environment: ``locations``, ``object_store``), upload checks and naming
(with ``pdf_checks``: a PDF is accepted only if the watermarker can open it), text extraction for
search, the admin's file widget, and spreadsheet-safe CSV exports."""
