"""A prepared copy: everything of a watermarked download that does not depend on the reader, made
once per stored file; each reader's copy is then the prepared bytes with a few kilobytes of stamp
inserted, read out as they are (issue 20: "watermark at the cost of a copy").

``prepare(source, path)`` does what used to be done for every download: qpdf (through pikepdf)
opens and checks the source, active content is removed, and every page's content is wrapped to
draw a stamp form after it (``stamping``). The stamp forms are *slots*: empty placeholder forms,
one per visible page size. The result is written to ``path`` (streams passed through, as
before), and what a reader's copy needs to know about that file is returned as a ``Prepared``:
where its objects are (its cross-reference entries, read back with qpdf), which objects are
slots, and the trailer's references.

``StampedCopy(prepared, lines)`` is a reader's copy, a read-only seekable file object:

    header of the prepared file
    the stamp forms, under the slots' object numbers, and the fonts they use   (per reader)
    the prepared file's objects, the slots cut out
    a cross-reference section and trailer for the whole                      (per reader)

The stamps come first, before any page: cutting the file short takes the pages with it, and
there is one cross-reference section and one ``%%EOF`` (a single revision; no unstamped
document is a prefix of it). The slots' placeholder bodies are not in the copy at all, so a
reader that rebuilds a damaged file's cross-reference table by scanning finds only the stamps.
The per-reader work is drawing the stamp (fpdf2), a few kilobytes of objects and the
cross-reference data; the bulk is read from the prepared file as a plain download reads the
stored one.
"""

from __future__ import annotations

import bisect
import io
import itertools
import json
import os
import secrets
import zlib
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

import pikepdf

from .active_content import remove_active_content
from .errors import WatermarkError, describe
from .geometry import pdf_number
from .source import OpenSource, PathLike, Source, open_pdf
from .stamping import SLOT_KEY, place_stamp_slots
from .stamps import render_stamps

#: What a prepared copy holds and how it is laid out; a prepared copy of another format is made
#: again (change it whenever preparing changes: active-content rules, page wrapping, layout).
FORMAT = 2

#: How the prepared file is written: streams as stored (no decoding, no recompression, object
#: streams kept as they were), no linearization. Constant alpha (/ca) in the stamp needs PDF 1.4.
SAVE_OPTIONS = {
    "min_version": "1.4",
    "stream_decode_level": pikepdf.StreamDecodeLevel.none,
    "compress_streams": False,
    "recompress_flate": False,
    "object_stream_mode": pikepdf.ObjectStreamMode.preserve,
    "linearize": False,
    "fix_metadata_version": False,
}

_FREE, _IN_FILE, _IN_OBJECT_STREAM = 0, 1, 2


@dataclass(frozen=True)
class Prepared:
    """Where things are in a prepared file (``path``), as ``StampedCopy`` needs them."""

    path: str
    format: int
    file_size: int
    page_count: int
    #: Length of the header (``%PDF-1.x`` and the binary comment), copied first.
    header: int
    #: ``[start, end)`` byte ranges of the prepared file copied after the stamps: every object
    #: but the slots' placeholders, up to the cross-reference section.
    body: tuple[tuple[int, int], ...]
    #: Per object number: (kind, a, b): free (0, 0, 0); in the file (1, where it starts counted
    #: from the start of the body as the copy has it, generation); in an object stream
    #: (2, stream, index). A copy's offset is then the length of its head plus ``a``.
    xref: tuple[tuple[int, int, int], ...]
    #: (object number, width, height) of each slot, in the order of ``render_stamps``' pages.
    slots: tuple[tuple[int, float, float], ...]
    root: int
    info: int | None
    #: The first half of the file identifier (hex): the document's; the second is per copy.
    first_id: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Prepared:
        """A description read back; raises ValueError unless it describes a file it could."""
        try:
            data = json.loads(text)
            data["body"] = tuple((int(a), int(b)) for a, b in data["body"])
            data["xref"] = tuple((int(k), int(a), int(b)) for k, a, b in data["xref"])
            data["slots"] = tuple((int(n), float(w), float(h)) for n, w, h in data["slots"])
            prepared = cls(**data)
        except (TypeError, KeyError, AttributeError) as error:
            raise ValueError(f"not a description: {error}") from error
        prepared.check()
        return prepared

    def check(self) -> None:
        """Raise ValueError unless every range and offset lies where a copy can read it."""
        if not 0 < self.header <= self.file_size:
            raise ValueError("a header outside the file")
        position, body = self.header, 0
        for start, end in self.body:
            if not position <= start < end <= self.file_size:
                raise ValueError("body ranges out of order or outside the file")
            position, body = end, body + end - start
        for kind, a, b in self.xref:
            if kind == _IN_FILE and not 0 <= a < body or kind not in (0, 1, 2) or min(a, b) < 0:
                raise ValueError("a cross-reference entry outside the body")
        numbers = [number for number, _, _ in self.slots]
        if not numbers or any(not 0 < n < len(self.xref) or self.xref[n][0] for n in numbers):
            raise ValueError("stamp slots missing or in use")
        if not 0 < self.root < len(self.xref) or (self.info is not None and self.info <= 0):
            raise ValueError("the trailer's objects are not in the file")


def prepare(source: Source, path: PathLike) -> Prepared:
    """Write the prepared copy of ``source`` to ``path`` (created readable by this user only)
    and describe it.

    Raises ``WatermarkError`` for a source that cannot be watermarked (``path`` is then
    removed), exactly as ``watermark_pdf`` refuses it.
    """
    # The slots' mark is new for each preparation: a source carrying a key of that name
    # (by accident or on purpose) cannot pass its own objects off as slots.
    marker = f"{SLOT_KEY}{secrets.token_hex(8)}"
    try:
        with OpenSource(source) as stream, open_pdf(stream) as pdf:
            try:
                remove_active_content(pdf)
                count = place_stamp_slots(pdf, marker)
                info = pdf.trailer.get("/Info")
                if isinstance(info, pikepdf.Dictionary) and not info.is_indirect:
                    # A copy's trailer refers to the document information by object number.
                    pdf.trailer.Info = pdf.make_indirect(info)
            except WatermarkError:
                raise
            except Exception as error:  # qpdf raises PdfError, pikepdf others, on malformed input
                raise WatermarkError(WatermarkError.CORRUPT, describe(error)) from error
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(descriptor, "wb") as out:
                try:
                    pdf.save(out, **SAVE_OPTIONS)
                except pikepdf.PdfError as error:  # an object qpdf cannot read, met while writing
                    raise WatermarkError(WatermarkError.CORRUPT, describe(error)) from error
        return _describe(Path(path), count, marker)
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise


def _describe(path: Path, page_count: int, marker: str) -> Prepared:
    size = path.stat().st_size
    with open(path, "rb") as stream:
        stream.seek(max(0, size - 1024))
        tail = stream.read()
    xref_start = int(tail.rsplit(b"startxref", 1)[1].split()[0])
    with pikepdf.open(path) as pdf:
        table = pdf.get_xref_table()
        slots = []
        for objgen, entry in table.items():
            if entry.type != _IN_FILE:
                continue
            obj = pdf.get_object(objgen)
            if isinstance(obj, pikepdf.Stream) and marker in obj.stream_dict:
                _, _, width, height = (float(v) for v in obj.stream_dict.BBox)
                slots.append((int(obj.stream_dict[marker]), objgen[0], width, height))
        trailer = pdf.trailer
        root = trailer.Root.objgen[0]
        info = trailer.Info.objgen[0] if "/Info" in trailer and trailer.Info.is_indirect else None
        first_id = bytes(trailer.ID[0]).hex() if "/ID" in trailer else secrets.token_hex(16)
    slots.sort()
    xref: list[tuple[int, int, int]] = [(_FREE, 0, 0)] * (max(number for number, _ in table) + 1)
    for (number, generation), entry in table.items():
        if entry.type == _IN_FILE and entry.offset < xref_start:  # not its own xref stream
            xref[number] = (_IN_FILE, entry.offset, generation)
        elif entry.type == _IN_OBJECT_STREAM:
            xref[number] = (_IN_OBJECT_STREAM, entry.obj_stream_number, entry.obj_stream_index)
    offsets = sorted(a for kind, a, _ in xref if kind == _IN_FILE)
    slot_offsets = {xref[number][1] for _, number, _, _ in slots}
    body = _ranges_without(offsets, xref_start, slot_offsets)
    for _, number, _, _ in slots:
        xref[number] = (_FREE, 0, 0)  # written anew with the stamps
    return Prepared(
        path=str(path),
        format=FORMAT,
        file_size=size,
        page_count=page_count,
        header=offsets[0],
        body=tuple(body),
        xref=_in_body(xref, body),
        slots=tuple((number, width, height) for _, number, width, height in slots),
        root=root,
        info=info,
        first_id=first_id,
    )


def _ranges_without(offsets: list[int], end: int, cut: set[int]) -> list[tuple[int, int]]:
    """The byte ranges from the first object to ``end`` without the objects starting at the
    offsets in ``cut`` (each object runs to the next one's start)."""
    ranges, start = [], offsets[0]
    for begin, following in zip(offsets, [*offsets[1:], end], strict=True):
        if begin in cut:
            if begin > start:
                ranges.append((start, begin))
            start = following
    ranges.append((start, end))
    return ranges


def _in_body(xref: list, body: list[tuple[int, int]]) -> tuple[tuple[int, int, int], ...]:
    """The cross-reference entries with each offset in the file turned into a position in the
    body as a copy has it (the slots cut out): a copy then adds one length, and searches
    nothing."""
    starts = [start for start, _ in body]
    before = [0, *itertools.accumulate(end - start for start, end in body)]
    entries = []
    for kind, offset, generation in xref:
        if kind == _IN_FILE:
            index = bisect.bisect_right(starts, offset) - 1
            offset = before[index] + offset - body[index][0]
        entries.append((kind, offset, generation))
    return tuple(entries)


class StampedCopy(io.RawIOBase):
    """A reader's copy of a prepared file, read like a file (``FileResponse`` streams it)."""

    def __init__(self, prepared: Prepared, lines: list[str], *, font_paths=None) -> None:
        super().__init__()
        self._file = open(prepared.path, "rb")  # noqa: SIM115 - closed by close()
        try:
            if os.fstat(self._file.fileno()).st_size != prepared.file_size:
                raise WatermarkError(WatermarkError.CORRUPT, "the prepared copy changed")
            header = os.pread(self._file.fileno(), prepared.header, 0)
            head, tail = _head_and_tail(prepared, header, lines, font_paths)
        except BaseException:
            self._file.close()
            raise
        # (position in this copy, length, bytes in memory or offset in the prepared file)
        self._parts: list[tuple[int, int, bytes | int]] = []
        position = 0
        for length, where in [
            (len(head), head),
            *((end - start, start) for start, end in prepared.body),
            (len(tail), tail),
        ]:
            self._parts.append((position, length, where))
            position += length
        self._starts = [start for start, _, _ in self._parts]
        self.size = position
        self._position = 0
        self.name = ""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self._position < self.size:
            start, length, where = self._part_at(self._position)
            inside = self._position - start
            count = min(len(view) - done, length - inside)
            if isinstance(where, bytes):
                view[done : done + count] = where[inside : inside + count]
            else:
                count = os.preadv(self._file.fileno(), [view[done : done + count]], where + inside)
                if count == 0:
                    raise WatermarkError(WatermarkError.CORRUPT, "the prepared copy is short")
            done += count
            self._position += count
        return done

    def _part_at(self, position: int) -> tuple[int, int, bytes | int]:
        return self._parts[bisect.bisect_right(self._starts, position) - 1]

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


def _head_and_tail(prepared: Prepared, header: bytes, lines, font_paths) -> tuple[bytes, bytes]:
    """The copy's first part (header, stamps and their fonts) and its last (cross-reference
    section and trailer); the prepared file's body goes between them."""
    sizes = [(width, height) for _, width, height in prepared.slots]
    stamps = pikepdf.open(io.BytesIO(render_stamps(sizes, lines, font_paths)))
    with stamps:
        writer = _ObjectWriter(first_free=len(prepared.xref))
        for (number, width, height), page in zip(prepared.slots, stamps.pages, strict=True):
            writer.add_form(number, page.obj, width, height)
        objects = writer.finish()
    head = bytearray(header)
    new_offsets = {}
    for number, data in objects:
        new_offsets[number] = len(head)
        head += data
    shift = len(head)  # the prepared body follows the head
    position = shift + sum(end - start for start, end in prepared.body)
    entries = [
        (kind, a + shift, b) if kind == _IN_FILE else (kind, a, b) for kind, a, b in prepared.xref
    ]
    entries += [(_FREE, 0, 0)] * (writer.next_number - len(prepared.xref))
    for number, offset in new_offsets.items():
        entries[number] = (_IN_FILE, offset, 0)
    trailer = b"/Root %d 0 R" % prepared.root
    if prepared.info is not None:
        trailer += b" /Info %d 0 R" % prepared.info
    trailer += b" /ID [<%s> <%s>]" % (prepared.first_id.encode(), secrets.token_hex(16).encode())
    return bytes(head), _cross_reference(entries, trailer, position)


def _cross_reference(entries: list, trailer: bytes, start: int) -> bytes:
    """The cross-reference section and trailer of the copy, starting at byte ``start``: a table
    when every object is in the file, else (objects in object streams) a cross-reference
    stream, the only form that can say so."""
    if all(kind != _IN_OBJECT_STREAM for kind, _, _ in entries):
        rows = [b"0000000000 65535 f \n"]
        for kind, offset, generation in entries[1:]:
            rows.append(
                b"%010d %05d n \n" % (offset, generation)
                if kind == _IN_FILE
                else b"0000000000 00000 f \n"
            )
        return (
            b"xref\n0 %d\n%s" % (len(entries), b"".join(rows))
            + b"trailer\n<< /Size %d %s >>\n" % (len(entries), trailer)
            + b"startxref\n%d\n%%%%EOF\n" % start
        )
    number = len(entries)  # the cross-reference stream is an object too, listed in itself
    entries = [*entries, (_IN_FILE, start, 0)]
    entries[0] = (_FREE, 0, 65535)
    width = max(4, (max(a for _, a, _ in entries).bit_length() + 7) // 8)
    # An object stream may hold more than 65,535 objects: the third field as wide as needed.
    third = max(2, (max(b for _, _, b in entries).bit_length() + 7) // 8)
    data = zlib.compress(
        b"".join(
            kind.to_bytes(1, "big") + a.to_bytes(width, "big") + b.to_bytes(third, "big")
            for kind, a, b in entries
        )
    )
    return (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 %d %d] %s /Filter /FlateDecode /Length %d >>\n"
        % (number, len(entries), width, third, trailer, len(data))
        + b"stream\n"
        + data
        + b"\nendstream\nendobj\n"
        + b"startxref\n%d\n%%%%EOF\n" % start
    )


class _ObjectWriter:
    """Writes the stamp forms, and the objects they refer to (fonts, graphics states) under new
    numbers after the prepared file's, as PDF object syntax."""

    def __init__(self, first_free: int) -> None:
        self.next_number = first_free
        self.numbers: dict[tuple[int, int], int] = {}
        self.pending: list[tuple[int, pikepdf.Object]] = []
        self.written: list[tuple[int, bytes]] = []

    def add_form(self, number: int, stamp_page: pikepdf.Dictionary, width, height) -> None:
        contents = stamp_page.get("/Contents")  # fpdf2: one Flate stream a page
        entries = {
            "/Type": b"/XObject",
            "/Subtype": b"/Form",
            "/FormType": b"1",
            "/BBox": b"[0 0 %s %s]" % (pdf_number(width).encode(), pdf_number(height).encode()),
            "/Resources": self.value(stamp_page.get("/Resources")),
        }
        for key in ("/Filter", "/DecodeParms"):
            if key in contents.stream_dict:
                entries[key] = self.value(contents.stream_dict[key])
        self.written.append((number, _stream_object(number, entries, contents.read_raw_bytes())))

    def finish(self) -> list[tuple[int, bytes]]:
        while self.pending:
            number, obj = self.pending.pop()
            if isinstance(obj, pikepdf.Stream):
                entries = {
                    key: self.value(value)
                    for key, value in obj.stream_dict.items()
                    if key != "/Length"
                }
                self.written.append((number, _stream_object(number, entries, obj.read_raw_bytes())))
            else:
                self.written.append(
                    (number, b"%d 0 obj\n%s\nendobj\n" % (number, self.value(obj, direct=True)))
                )
        return self.written

    def value(self, obj, *, direct: bool = False) -> bytes:
        if isinstance(obj, pikepdf.Object) and obj.is_indirect and not direct:
            if obj.objgen not in self.numbers:
                self.numbers[obj.objgen] = self.next_number
                self.pending.append((self.next_number, obj))
                self.next_number += 1
            return b"%d 0 R" % self.numbers[obj.objgen]
        if isinstance(obj, pikepdf.Dictionary):
            return (
                b"<<"
                + b"".join(
                    pikepdf.Name(key).unparse() + b" " + self.value(value) + b"\n"
                    for key, value in obj.items()
                )
                + b">>"
            )
        if isinstance(obj, pikepdf.Array):
            return b"[" + b" ".join(self.value(item) for item in obj) + b"]"
        if isinstance(obj, bool):
            return b"true" if obj else b"false"
        if isinstance(obj, int):
            return b"%d" % obj
        if isinstance(obj, Decimal):
            return format(obj, "f").encode()
        if isinstance(obj, float):
            return repr(obj).encode()
        if obj is None:
            return b"null"
        return obj.unparse()  # names, strings, and any other scalar pikepdf keeps as an Object


def _stream_object(number: int, entries: dict, data: bytes) -> bytes:
    dictionary = b"".join(pikepdf.Name(k).unparse() + b" " + v + b"\n" for k, v in entries.items())
    return (
        b"%d 0 obj\n<<%s/Length %d\n>>\nstream\n" % (number, dictionary, len(data))
        + data
        + b"\nendstream\nendobj\n"
    )
