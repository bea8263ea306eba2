"""Per-viewer watermarks for downloaded PDFs (issue 3, "Protected downloads").

``watermark_pdf(source, destination, lines)`` writes a copy of ``source`` in which every
page carries ``lines`` (viewer, organization, date, download id) twice: as a large,
diagonal, semi-transparent light-grey stamp and as a small footer line. Both are real
text, so ``pypdf``'s ``extract_text()`` or ``pdftotext`` read the download id back from
a leaked copy.

How
---
* The source is copied object by object by a small streaming writer (``StreamingCopy``)
  on top of pypdf's reader: objects are renumbered in the order they are reached from
  the catalog, written out at once and then dropped. Streams keep their encoded bytes;
  the original content streams are neither decoded nor rewritten.
* The stamp is drawn with fpdf2, one stamp page per distinct *visible* page size (the
  crop box, which defaults to the media box, with width and height swapped for pages
  turned by 90 or 270 degrees). Each stamp page becomes one Form XObject, shared by all
  pages of that size, so a 300-page report gains a few kilobytes.
* Each page's ``/Contents`` becomes ``[q, <original streams...>, Q q <cm> /Stamp Do Q]``
  (the stamp marked as an ``/Artifact`` for tagged PDFs): the ``q``/``Q`` pair keeps
  whatever graphics state the original content leaves behind away from the stamp, and
  ``cm`` maps the upright stamp onto the page's own box and ``/Rotate`` (0/90/180/270),
  so it reads upright in a viewer whatever the page's size, origin or rotation.
  Attributes a page inherits from the page tree (``/MediaBox``, ``/CropBox``,
  ``/Rotate``, ``/Resources``) are copied onto the page itself. The stamp's name goes
  into a copy of the page's resources; resources several pages share get one shared
  copy per page size.
* Active content is left out of the copy (``active_content``): document and page
  scripts (``/OpenAction``, ``/AA``, the ``/JavaScript`` name tree), launch, submit-form
  and import-data actions, embedded files and file attachment annotations, XFA forms.
  The text, pages, links to pages and web addresses, bookmarks and form fields stay.
* The output is a full rewrite, never an incremental update: an incremental update
  keeps the original file as a prefix, and cutting the file at the first ``%%EOF``
  would give the unwatermarked document back. Old revisions, linearization data and
  other unreferenced objects of the source are not carried over.
* Nothing that cannot be watermarked is passed through: a file without a ``%PDF-``
  header raises ``WatermarkError("not_pdf")``; an encrypted one (even with an empty
  user password, which opens without asking) raises ``WatermarkError("encrypted")``; a
  truncated file (no ``%%EOF`` near its end), one pypdf cannot parse, one without pages
  or with a damaged page content stream raises ``WatermarkError("corrupt")``. These are
  checked before anything is written. An object that turns out to be unreadable only
  while copying (say a damaged font dictionary) raises ``WatermarkError("corrupt")``
  part-way: a path destination is then deleted, ``watermark_to_tempfile`` closes (and
  so deletes) its file, and a caller-supplied stream must be discarded.

Memory
------
The whole file is never held in memory, not even once:

* The source is read from a seekable binary file. A path is opened here and the file
  object handed to pypdf (given a *path*, ``PdfReader`` would read the whole file into
  a ``BytesIO`` first). pypdf reads each object from the file when it is asked for.
  A non-seekable source (a network stream) is first spooled to a temporary file
  (``SpooledTemporaryFile``, on disk above 1 MiB).
* Each object is written to ``destination`` as soon as it is reached, then evicted from
  pypdf's cache. What stays in memory: the page tree nodes, one small geometry record
  per page, the old-to-new object number map, the objects pypdf unpacked from object
  streams (small dictionaries: pypdf parses an object stream whole, and re-parsing it
  for each of its objects would be quadratic), and the object being copied. Page
  content streams are inflated only to check them, in 1 MiB chunks that are dropped.
* No ``BytesIO``/``getvalue()`` of the output is built: ``watermark_to_tempfile`` writes
  to a ``NamedTemporaryFile`` on disk that a Django ``FileResponse`` streams.
* One exception, pypdf's: a file whose cross-reference table is broken is repaired by
  pypdf by scanning the whole file, which it reads into memory once for that.

Measured (peak traced by tracemalloc during the call; ``/tmp`` files; 2-core machine):

=========================================  ========  ==========  =========
source (made with fpdf2)                   size      peak        time
=========================================  ========  ==========  =========
300 pages, a 14 kB image each (the test)   4.6 MB    0.68 MB     0.3 s
1000 pages, a 14 kB image each             15.4 MB   2.1 MB      1.2 s
100 pages, a 1.4 MB image each             144 MB    1.7 MB      0.2-0.7 s
300 pages of text only                     0.24 MB   0.67 MB     0.25 s
the same, with object streams (qpdf)       0.16 MB   2.1 MB      0.25 s
=========================================  ========  ==========  =========

About 0.3 MB of it is the fixed cost of drawing the stamp; the rest grows with the
number of pages and objects and with the largest single stream, not with the file.
``test_large_pdf_memory_stays_below_file_size`` asserts less than one times the size.

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
``geometry`` (a page's visible box, rotation and stamp matrix), ``copier`` (the
streaming copy, ``StreamingCopy``), ``active_content`` (what the copy leaves out),
``stamps`` (drawing the stamp pages; fonts).

``watermark_problem(source)`` answers, without writing anything anywhere, whether
``watermark_pdf`` would refuse a file and why: uploads are checked with it, so a file
accepted for a gated document is one this module can watermark.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, BinaryIO

from pypdf import PdfReader

from .copier import StreamingCopy
from .errors import WatermarkError, describe
from .source import OpenSource, PathLike, Source, open_reader
from .stamps import clean_lines, default_font_paths, render_stamps

__all__ = [
    "WatermarkError",
    "default_font_paths",
    "watermark_pdf",
    "watermark_problem",
    "watermark_to_tempfile",
]


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

    Raises ``WatermarkError`` for a file that cannot be watermarked, ``ValueError`` if
    ``lines`` hold no text. See the module docstring for when a ``WatermarkError`` can
    come after writing started.
    """
    text_lines = clean_lines(lines)
    with OpenSource(source) as stream:
        reader, version = open_reader(stream)
        copy = StreamingCopy(reader, version)
        try:
            geometries = copy.read_pages()
        except WatermarkError:
            raise
        except Exception as error:  # pypdf raises many kinds on malformed input
            raise WatermarkError(WatermarkError.CORRUPT, describe(error)) from error
        sizes = sorted({g.display_size for g in geometries})
        stamp_reader = PdfReader(io.BytesIO(render_stamps(sizes, text_lines, font_paths)))
        copy.add_stamps(stamp_reader, sizes)
        if isinstance(destination, (str, os.PathLike)):
            try:
                with open(destination, "wb") as out:
                    _write(copy, out)
            except BaseException:
                Path(destination).unlink(missing_ok=True)
                raise
        else:
            _write(copy, destination)
        return len(geometries)


def _write(copy: StreamingCopy, out: IO[bytes]) -> None:
    try:
        copy.write(out)
    except (WatermarkError, OSError):
        raise
    except Exception as error:  # an object that pypdf cannot parse, met while copying
        raise WatermarkError(WatermarkError.CORRUPT, describe(error)) from error


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
        watermark_pdf(source, tmp, lines, font_paths=font_paths)
        tmp.flush()
        tmp.seek(0)
    except BaseException:
        tmp.close()
        raise
    return tmp


def watermark_problem(source: Source) -> str | None:
    """Why ``watermark_pdf`` would refuse ``source`` (a ``WatermarkError`` reason:
    ``"encrypted"``, ``"corrupt"``, ``"not_pdf"``), or None if it can be watermarked.

    A dry run: the whole copy is made, stamp and all, and thrown away as it is written, so
    what is met only while copying (a damaged object deep in the file) counts too. A file
    object ``source`` is left open and rewound.
    """
    try:
        watermark_pdf(source, _Nowhere(), ["Upload check"], font_paths=[])
    except WatermarkError as error:
        return error.reason
    finally:
        if not isinstance(source, (str, os.PathLike)) and _rewindable(source):
            source.seek(0)
    return None


class _Nowhere:
    """A destination that keeps nothing."""

    def write(self, data: bytes) -> int:
        return len(data)


def _rewindable(stream) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError):
        return False
