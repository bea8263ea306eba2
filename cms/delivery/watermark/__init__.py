"""Per-viewer watermarks for downloaded PDFs (issue 3, "Protected downloads").

``watermark_pdf(source, destination, lines)`` writes a copy of ``source`` in which every
page carries ``lines`` (viewer, organization, date, download id) twice: as a large,
diagonal, semi-transparent light-grey stamp and as a small footer line. Both are real
text, so ``pypdf``'s ``extract_text()`` or ``pdftotext`` read the download id back from
a leaked copy.

How
---
* A source is *prepared* once (``prepared``): qpdf (through pikepdf) opens it, and writes a
  copy in which every page draws an empty stamp form (a slot, one per visible page size)
  after its own content. Streams are passed through as they are stored
  (``stream_decode_level=none``, no recompression, object streams as they were): images,
  fonts and the original content streams are neither decoded nor rewritten.
  ``cms.delivery.prepared_copies`` keeps prepared files on disk, per stored file.
* A reader's copy (``watermarked_copy``) is the prepared file read out with the reader's stamp
  forms written into the slots' object numbers, before the pages, and a cross-reference
  section of its own: the per-reader work is a few kilobytes, so a watermarked download
  costs about what a plain one does (issue 20). ``watermark_pdf`` prepares into a temporary
  folder and stamps from there.
* The stamp is drawn with fpdf2, one stamp page per distinct *visible* page size (the
  crop box, which defaults to the media box, with width and height swapped for pages
  turned by 90 or 270 degrees). Each stamp page becomes one Form XObject, shared by all
  pages of that size, so a 300-page report gains a few kilobytes (``stamping``).
* Each page's ``/Contents`` becomes ``[q, <original streams...>, Q q <cm> /Stamp Do Q]``
  (the stamp marked as an ``/Artifact`` for tagged PDFs): the ``q``/``Q`` pair keeps
  whatever graphics state the original content leaves behind away from the stamp, and
  ``cm`` maps the upright stamp onto the page's own box and ``/Rotate`` (0/90/180/270),
  so it reads upright in a viewer whatever the page's size, origin or rotation.
  Attributes a page inherits from the page tree (``/MediaBox``, ``/CropBox``,
  ``/Rotate``, ``/Resources``) are made the page's own. The stamp's name goes into a copy
  of the page's resources; resources several pages share get one shared copy per page
  size, and the original resources are left as they were.
* Active content is left out of the copy (``active_content``): document and page
  scripts (``/OpenAction``, ``/AA``, the ``/JavaScript`` name tree), launch, submit-form
  and import-data actions, embedded files and file attachment annotations, XFA forms.
  The text, pages, links to pages and web addresses, bookmarks and form fields stay.
* The output is a single revision, never an incremental update: an incremental update
  keeps the original file as a prefix, and cutting the file at the first ``%%EOF``
  would give the unwatermarked document back. qpdf writes only the objects the trailer
  reaches: old revisions and other unreferenced objects of the source are not carried
  over (nor is linearization). The stamps come before the pages in the copy, so no cut
  of it is the document without them.
* Nothing that cannot be watermarked is passed through: a file without a ``%PDF-``
  header raises ``WatermarkError("not_pdf")``; an encrypted one (even with an empty
  user password, which opens without asking) raises ``WatermarkError("encrypted")``; a
  truncated file (no ``%%EOF`` near its end), one qpdf cannot open, one whose page tree
  qpdf had to repair (pages may be missing), one without pages or with a missing or
  damaged page content stream raises ``WatermarkError("corrupt")``. A broken
  cross-reference table alone is repaired by qpdf and accepted, as readers accept it.
  These are checked, and the prepared file written, before anything of a reader's copy
  is: a refused source leaves nothing written.

Memory
------
The whole file is never held in memory, not even once. Preparing, qpdf reads objects from the
source when they are needed (a file on disk is memory-mapped: its pages are the page cache's)
and writes each stream as it goes. A non-seekable source (a network stream) is first spooled
to a temporary file (``SpooledTemporaryFile``, on disk above 1 MiB). A reader's copy holds in
memory only its header, stamps and cross-reference data (about 20 bytes per object of the
file), and reads the rest from the prepared file as it is read.
``tests/benchmarks/bench_watermark.py`` measures the time against a plain download of the same
file and the resident memory of 8 downloads at once;
``test_large_pdf_memory_stays_below_file_size`` asserts the Python heap's peak.

Unicode
-------
Text that fits Windows-1252 (most Western European names: "José Müller", "Øster",
"Œuvre") is drawn with the core Helvetica font: nothing is embedded. Other text is drawn
with the TrueType font among ``font_paths`` that covers most of it (default: any
``.ttf``/``.otf``/``.ttc`` in ``cms/watermark_fonts/``, which does not exist yet, then
DejaVu Sans, Noto Sans CJK and Droid Sans Fallback where the system has them: Debian's
``fonts-dejavu-core``, ``fonts-noto-cjk``, ``fonts-droid-fallback``), subset and
embedded by fpdf2 with a ``ToUnicode`` map so it stays extractable (about 0.1 s and
8 kB more for DejaVu). That font must have all of ASCII; other fonts found, even
without Latin letters (Droid Sans Fallback), serve as fallbacks for the characters it
lacks: with DejaVu and Droid, "山田太郎 / Иван" is drawn in full (about 0.8 s, the CJK
font being large). Characters no font found can draw are approximated (accents
dropped: "Łukasz Wałęsa" -> "Lukasz Walesa" with the core font) or replaced by ``?``.
ASCII is always drawable, so an ASCII download id is always present verbatim.

Layout
------
``errors`` (``WatermarkError``), ``source`` (opening and checking the source),
``geometry`` (a page's visible box, rotation and stamp matrix), ``stamping`` (the stamp
slots put on the pages), ``active_content`` (what the copy leaves out), ``stamps``
(drawing the stamp pages; fonts), ``prepared`` (the prepared file, and a reader's copy).

``watermark_problem(source)`` answers, without writing anything anywhere, whether
``watermark_pdf`` would refuse a file and why: uploads are checked with it, so a file
accepted for a gated document is one this module can watermark.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, BinaryIO

from .errors import WatermarkError
from .prepared import FORMAT, Prepared, StampedCopy, prepare
from .source import PathLike, Source
from .stamps import clean_lines, default_font_paths

__all__ = [
    "FORMAT",
    "Prepared",
    "StampedCopy",
    "WatermarkError",
    "default_font_paths",
    "prepare",
    "watermark_pdf",
    "watermark_problem",
    "watermark_to_tempfile",
    "watermarked_copy",
]

_COPY_CHUNK = 1024 * 1024
#: What a reader's copy is read by from the prepared file at a time: callers read small blocks
#: (``FileResponse``: 4 KiB), which a buffer answers without a call into the copy each.
_READ_BUFFER = 256 * 1024


def watermarked_copy(
    prepared: Prepared, lines: Sequence[str], *, font_paths: Iterable[PathLike] | None = None
) -> io.BufferedReader:
    """This reader's copy of a prepared file: a read-only, seekable file object
    (``FileResponse`` takes it), to be closed. ``lines`` and ``font_paths`` as for
    ``watermark_pdf``."""
    return io.BufferedReader(
        StampedCopy(prepared, clean_lines(lines), font_paths=font_paths), _READ_BUFFER
    )


def watermark_pdf(
    source: Source,
    destination: BinaryIO | IO[bytes] | PathLike,
    lines: Sequence[str],
    *,
    font_paths: Iterable[PathLike] | None = None,
) -> int:
    """Write a copy of ``source`` with ``lines`` stamped on every page; return the page count.

    ``source`` and ``destination`` are paths or binary file objects. A file object
    ``source`` is read from its start and left open; ``destination`` is written from its
    current position and left open. ``lines`` are the watermark's lines of text, e.g.
    viewer, organization, date and download id. ``font_paths`` overrides
    ``default_font_paths()`` (``[]``: core font only).

    The source is prepared into a temporary file first (``prepare``), then stamped: a source
    served many times is better prepared once and kept (``cms.delivery.prepared_copies``).

    Raises ``WatermarkError`` for a file that cannot be watermarked, ``ValueError`` if
    ``lines`` hold no text; nothing is written then.
    """
    text_lines = clean_lines(lines)
    with tempfile.TemporaryDirectory(prefix="watermark-") as folder:
        prepared = prepare(source, Path(folder) / "prepared.pdf")
        with StampedCopy(prepared, text_lines, font_paths=font_paths) as copy:
            if isinstance(destination, (str, os.PathLike)):
                try:
                    with open(destination, "wb") as out:
                        shutil.copyfileobj(copy, out, _COPY_CHUNK)
                except BaseException:
                    Path(destination).unlink(missing_ok=True)
                    raise
            else:
                shutil.copyfileobj(copy, destination, _COPY_CHUNK)
        return prepared.page_count


def watermark_to_tempfile(
    source: Source,
    lines: Sequence[str],
    *,
    font_paths: Iterable[PathLike] | None = None,
    dir: PathLike | None = None,  # noqa: A002 - same name as tempfile's argument
) -> IO[bytes]:
    """Watermark into a ``NamedTemporaryFile`` on disk, rewound to its start.

    The file is deleted when closed; ``django.http.FileResponse(tmp, as_attachment=True,
    filename=...)`` closes it once the response is sent. Its name ends in ``.pdf`` (so a
    ``FileResponse`` guesses ``application/pdf``), but pass ``filename=`` for the user.
    """
    tmp = tempfile.NamedTemporaryFile(prefix="watermarked-", suffix=".pdf", dir=dir)
    try:
        watermark_pdf(source, tmp.file, lines, font_paths=font_paths)
        tmp.flush()
        tmp.seek(0)
    except BaseException:
        tmp.close()
        raise
    return tmp


def watermark_problem(source: Source) -> str | None:
    """Why ``watermark_pdf`` would refuse ``source`` (a ``WatermarkError`` reason:
    ``"encrypted"``, ``"corrupt"``, ``"not_pdf"``), or None if it can be watermarked.

    A dry run: the file is prepared (qpdf writes the whole copy, so what is met only while
    writing, a damaged object deep in the file, counts too) and a stamp made for it, into a
    temporary folder removed at once; the prepared bytes are not read back, as a reader's
    copy would read them unchanged. A file object ``source`` is left open and rewound.
    """
    try:
        with tempfile.TemporaryDirectory(prefix="watermark-check-") as folder:
            prepared = prepare(source, Path(folder) / "prepared.pdf")
            StampedCopy(prepared, ["Upload check"], font_paths=[]).close()
    except WatermarkError as error:
        return error.reason
    finally:
        if not isinstance(source, (str, os.PathLike)) and _rewindable(source):
            source.seek(0)
    return None


def _rewindable(stream) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError):
        return False
