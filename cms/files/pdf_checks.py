"""Whether a PDF can be served, asked at upload, and what the editor is told when it cannot.

Gated documents' PDFs go out watermarked per reader (``cms.delivery.watermark``); a PDF the
watermarker cannot open is never served, so it must be refused when it is uploaded, not
discovered by the first reader. "Can be opened" is the watermarker's own answer: it registers
its check here (``register``, from ``CmsConfig.ready``) because ``cms.files`` sits below
``cms.delivery`` (delivery reads the models, and the models hold files), so this module may
not import it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from django.utils.translation import gettext as _

#: The reasons the watermarker gives (``WatermarkError.reason``).
ENCRYPTED = "encrypted"
CORRUPT = "corrupt"
NOT_PDF = "not_pdf"

#: Why the registered reader refuses a stream (one of the reasons above), or None.
PdfReaderCheck = Callable[[IO[bytes]], str | None]

_check: PdfReaderCheck | None = None
_CACHE_ATTRIBUTE = "_trustportal_pdf_problem"
_UNKNOWN = object()


def register(check: PdfReaderCheck) -> None:
    """Make ``check`` the answer to "can this PDF be opened" (the watermarker's)."""
    global _check
    _check = check


def problem_of(file) -> str | None:
    """Why the PDF ``file`` cannot be watermarked (``ENCRYPTED``, ``CORRUPT``, ``NOT_PDF``), or
    None. Asked once per file object (an upload is checked by its field's validator, then by
    the form that knows the document): the answer is kept on the object. ``file`` is rewound."""
    known = getattr(file, _CACHE_ATTRIBUTE, _UNKNOWN)
    if known is not _UNKNOWN:
        return known
    if _check is None:
        return None
    file.seek(0)
    try:
        problem = _check(file)
    finally:
        file.seek(0)
    setattr(file, _CACHE_ATTRIBUTE, problem)
    return problem


def stored_problem(field_file) -> str | None:
    """``problem_of`` a file already in storage (opened for the check, then closed)."""
    with field_file.open("rb") as stored:
        return problem_of(stored)


def unreadable_message(problem: str) -> str:
    """What an editor is told about a PDF nobody could be served (damaged, or not a PDF)."""
    if problem == NOT_PDF:
        return _(
            "This file is not a PDF: it has no PDF header, so no reader could open it. "
            "Upload the PDF itself."
        )
    return _(
        "This PDF is damaged or truncated, so it cannot be opened. Export or download it "
        "again, then upload the complete file."
    )


def unwatermarkable_message(problem: str, level_label: str) -> str:
    """What an editor is told about a PDF a document at ``level_label`` could not serve."""
    if problem == ENCRYPTED:
        return _(
            "This PDF is encrypted with a password, so it cannot be watermarked, and readers "
            "of this document (%(level)s) are only given watermarked copies. Upload a copy "
            "without password protection."
        ) % {"level": level_label}
    return unreadable_message(problem)


def problem_label(problem: str) -> str:
    """The reason in a few words, for lists of files."""
    return {
        ENCRYPTED: _("encrypted with a password"),
        NOT_PDF: _("not a PDF"),
    }.get(problem, _("damaged or truncated"))
