"""Opening the source: a seekable stream, checked to be a whole, unencrypted PDF, opened by qpdf."""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from typing import IO, BinaryIO

import pikepdf

from .errors import WatermarkError, describe

PathLike = str | os.PathLike[str]
Source = BinaryIO | IO[bytes] | PathLike

# The PDF specification lets readers find the header in the first 1024 bytes and the
# end-of-file marker in the last 1024 bytes; we are as lenient as readers are.
_HEADER_WINDOW = 1024
_EOF_WINDOW = 1024
_SPOOL_LIMIT = 1024 * 1024
# What qpdf says when the cross-reference data does not match the file and it rebuilds it by
# scanning: the file was cut short or damaged in transfer, and what it found may lack pages
# or content (it skips what it cannot find). Its other repairs (a page without /Resources
# given an empty one) lose nothing and are accepted.
_RECONSTRUCTED = re.compile(r"file is damaged|reconstruct", re.IGNORECASE)


class OpenSource:
    """Context manager giving a seekable binary stream positioned at the file start."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.owned: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes]:
        if isinstance(self.source, (str, os.PathLike)):
            self.owned = open(self.source, "rb")  # noqa: SIM115 - closed in __exit__
            return self.owned
        stream = self.source
        if not _seekable(stream):
            spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_LIMIT)
            shutil.copyfileobj(stream, spool)
            self.owned = spool
            stream = spool
        stream.seek(0)
        return stream

    def __exit__(self, *exc_info: object) -> None:
        if self.owned is not None:
            self.owned.close()


def _seekable(stream: IO[bytes]) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError):
        return False


def open_pdf(stream: IO[bytes]) -> pikepdf.Pdf:
    """The PDF in ``stream``, opened by qpdf; the caller closes it.

    qpdf reads objects from the file when they are asked for (from a memory map when the
    stream is a file on disk), so opening costs the cross-reference table, not the file.
    qpdf copies the attributes pages inherit from the page tree (``/MediaBox``,
    ``/CropBox``, ``/Rotate``, ``/Resources``) into each page. A file whose cross-reference
    data qpdf had to rebuild is refused as corrupt.
    """
    head = stream.read(_HEADER_WINDOW)
    if re.search(rb"%PDF-(\d)\.(\d)", head) is None:
        raise WatermarkError(WatermarkError.NOT_PDF, "no %PDF- header")
    size = stream.seek(0, io.SEEK_END)
    stream.seek(max(0, size - _EOF_WINDOW))
    if b"%%EOF" not in stream.read():
        raise WatermarkError(WatermarkError.CORRUPT, "truncated: no %%EOF marker at the end")
    stream.seek(0)
    try:
        # Memory-mapped when the stream is a file on disk (else read through the stream):
        # through Python's read() calls, parsing the objects costs ten times as much.
        pdf = pikepdf.open(stream, access_mode=pikepdf.AccessMode.mmap)
    except pikepdf.PasswordError as error:
        raise WatermarkError(WatermarkError.ENCRYPTED, str(error)) from error
    except Exception as error:  # qpdf raises PdfError, and others on malformed input
        if "encrypt" in str(error).lower():
            raise WatermarkError(WatermarkError.ENCRYPTED, describe(error)) from error
        raise WatermarkError(WatermarkError.CORRUPT, describe(error)) from error
    if pdf.is_encrypted:  # even with an empty user password, which opens without asking
        pdf.close()
        raise WatermarkError(WatermarkError.ENCRYPTED, "the PDF is encrypted")
    damage = next((w for w in pdf.get_warnings() if _RECONSTRUCTED.search(w)), None)
    if damage is not None:
        pdf.close()
        raise WatermarkError(WatermarkError.CORRUPT, damage.rpartition(": ")[2])
    return pdf
