"""The error raised for a file that cannot be watermarked, and how causes are described."""

from __future__ import annotations


class WatermarkError(Exception):
    """The file cannot be watermarked, so it must not be served."""

    ENCRYPTED = "encrypted"
    CORRUPT = "corrupt"
    NOT_PDF = "not_pdf"
    REASONS = (ENCRYPTED, CORRUPT, NOT_PDF)

    def __init__(self, reason: str, detail: str = "") -> None:
        if reason not in self.REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]
