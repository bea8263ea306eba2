"""Opening the source: a seekable stream, checked to be a whole, unencrypted PDF."""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from typing import IO, BinaryIO

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from .errors import WatermarkError, describe

PathLike = str | os.PathLike[str]
Source = BinaryIO | IO[bytes] | PathLike

# The PDF specification lets readers find the header in the first 1024 bytes and the
# end-of-file marker in the last 1024 bytes; we are as lenient as readers are.
_HEADER_WINDOW = 1024
_EOF_WINDOW = 1024
_SPOOL_LIMIT = 1024 * 1024


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


def open_reader(stream: IO[bytes]) -> tuple[PdfReader, str]:
    head = stream.read(_HEADER_WINDOW)
    header = re.search(rb"%PDF-(\d)\.(\d)", head)
    if header is None:
        raise WatermarkError(WatermarkError.NOT_PDF, "no %PDF- header")
    # Constant alpha (/ca) in the stamp needs PDF 1.4.
    version = max((int(header[1]), int(header[2])), (1, 4))
    size = stream.seek(0, io.SEEK_END)
    stream.seek(max(0, size - _EOF_WINDOW))
    if b"%%EOF" not in stream.read():
        raise WatermarkError(WatermarkError.CORRUPT, "truncated: no %%EOF marker at the end")
    stream.seek(0)
    try:
        reader = PdfReader(stream, strict=False)
    except (FileNotDecryptedError, DependencyError) as error:
        raise WatermarkError(WatermarkError.ENCRYPTED, str(error)) from error
    except Exception as error:  # pypdf raises many kinds on malformed input
        if "encrypt" in str(error).lower():
            raise WatermarkError(WatermarkError.ENCRYPTED, str(error)) from error
        raise WatermarkError(WatermarkError.CORRUPT, describe(error)) from error
    if reader.is_encrypted:
        raise WatermarkError(WatermarkError.ENCRYPTED, "the PDF is encrypted")
    return reader, f"{version[0]}.{version[1]}"
