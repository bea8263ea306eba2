"""Validation and naming of uploaded trust-document files.

The type is decided by the file's content (its magic bytes), not by the name the uploader gave
it; the name only has to agree. A new PDF must also open in the watermarker (``pdf_checks``): a
damaged or truncated one is refused whatever the document. Stored names are generated, so
nothing an uploader chooses ends up as a path on disk.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename, slugify
from django.utils.translation import gettext as _

from . import pdf_checks

#: extension -> MIME type of every kind of file a trust document may be.
ALLOWED_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "zip": "application/zip",
    "png": "image/png",
    "jpg": "image/jpeg",
    "csv": "text/csv",
    "txt": "text/plain",
    "json": "application/json",
}
TEXT_TYPES = {"csv", "txt", "json"}
SNIFF_BYTES = 8192


def extension_of(name: str) -> str:
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    return "jpg" if ext == "jpeg" else ext


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # Only a multi-byte character cut by the end of the sniffed block is forgiven.
        return len(head) == SNIFF_BYTES and error.reason == "unexpected end of data"
    return True


def detect_type(upload) -> str | None:
    """The extension the content of ``upload`` proves it to be, or None."""
    head = _head(upload)
    kind = filetype.guess(head)
    if kind is not None:
        return "jpg" if kind.extension == "jpeg" else kind.extension
    return "txt" if _looks_like_text(head) else None


def validate_upload(upload) -> None:
    max_bytes = settings.TRUSTPORTAL_UPLOAD_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the largest allowed is %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)},
            code="file_too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty_file")
    claimed = extension_of(upload.name)
    if claimed not in ALLOWED_TYPES:
        raise ValidationError(
            _("Files of type “.%(ext)s” are not allowed. Allowed: %(allowed)s.")
            % {"ext": claimed or "?", "allowed": ", ".join(sorted(ALLOWED_TYPES))},
            code="type_not_allowed",
        )
    actual = detect_type(upload)
    # Office documents are ZIP containers; filetype recognises them by their parts.
    consistent = actual == claimed or (claimed in TEXT_TYPES and actual == "txt")
    if not consistent:
        raise ValidationError(
            _("The file is named “.%(ext)s” but its content is not a %(kind)s file.")
            % {"ext": claimed, "kind": claimed.upper()},
            code="content_mismatch",
        )
    if actual == "pdf" and _is_new(upload):
        _refuse_unreadable_pdf(upload)


def _is_new(upload) -> bool:
    """Not yet in storage: an upload, or a file being assigned. A stored file was checked when
    it was uploaded; reading it whole again on every save of its version would cost as much as
    a download."""
    return not getattr(upload, "_committed", False)


def _refuse_unreadable_pdf(upload) -> None:
    # Damaged, truncated and header-less PDFs are refused for every document: no reader could
    # open them, watermarked or not. An encrypted PDF passes here: a public document may publish
    # one (opened without a password but locked against editing, or opened with a password its
    # readers are given), and public files are served as uploaded. Readers of gated documents
    # only get watermarked copies, which an encrypted PDF cannot give, so the version's form
    # refuses it there (``cms.models.servable``), knowing the document.
    problem = pdf_checks.problem_of(upload)
    if problem in (pdf_checks.CORRUPT, pdf_checks.NOT_PDF):
        raise ValidationError(pdf_checks.unreadable_message(problem), code=f"pdf_{problem}")


def safe_stored_name(instance, filename: str) -> str:
    """``versions/<random>/<slugified-name>.<ext>``: unguessable and safe on any filesystem."""
    base = os.path.basename(filename.replace("\\", "/"))
    stem, _ext = os.path.splitext(base)
    ext = re.sub(r"[^a-z0-9]", "", extension_of(base)) or "bin"
    clean_stem = slugify(stem)[:80] or "document"
    return f"versions/{uuid.uuid4().hex}/{get_valid_filename(clean_stem)}.{ext}"


def sha256_of(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()
