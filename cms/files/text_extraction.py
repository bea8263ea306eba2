"""Plain text of an uploaded file, for full-text search: read once at upload, never at query time.

Bounded on purpose: a 900-page audit report must not stall an upload or bloat the index, and a
malformed PDF must never fail a publish — it simply contributes no text.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

MAX_PAGES = 60
MAX_CHARS = 100_000


def extract_text(file, name: str) -> str:
    """Searchable text of ``file`` (PDF or plain text; other types give ``""``)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        file.seek(0)
        if extension == "pdf":
            return _pdf_text(file)
        if extension in {"txt", "csv", "md"}:
            return _clean(file.read(MAX_CHARS * 4).decode("utf-8", errors="replace"))
    except Exception:  # noqa: BLE001 — any parser failure means "no text", never a failed upload
        logger.warning("Could not extract text from %s", name, exc_info=True)
    finally:
        file.seek(0)
    return ""


def _pdf_text(file) -> str:
    from pypdf import PdfReader

    reader = PdfReader(file)
    parts, size = [], 0
    for page in reader.pages[:MAX_PAGES]:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size >= MAX_CHARS:
            break
    return _clean(" ".join(parts))


def _clean(text: str) -> str:
    # NUL and other control characters are refused by PostgreSQL and mean nothing to a search.
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(printable.split())[:MAX_CHARS]
