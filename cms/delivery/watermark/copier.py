"""The streaming copy: the source rewritten object by object, its pages stamped on the way."""

from __future__ import annotations

import itertools
import secrets
import zlib
from collections import deque
from typing import IO

from pypdf import PdfReader
from pypdf.filters import decode_stream_data
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

from .active_content import kept_entries
from .errors import WatermarkError
from .geometry import Geometry, page_geometry, pdf_number

_INFLATE_CHUNK = 1024 * 1024
_XOBJECT_PREFIX = "TPWatermark"

_Key = tuple[int, int, int]  # (id() of the document read from, object number, generation)


class StreamingCopy:
    """Copy a PDF object by object into ``out``, stamping its pages on the way.

    Objects are renumbered 1..N in the order they are first referenced (starting from
    the catalog), written as soon as they are reached and then dropped from pypdf's
    cache, so memory holds the page list, the object number map and one object at a
    time, not the document. Objects nothing refers to (old revisions, linearization
    hints, object and cross-reference streams) are left out; compressed objects are
    written uncompressed, streams keep their encoded bytes. Every dictionary is copied
    without its active content (scripts, launch and submit actions, embedded files: see
    ``active_content``), so what only those referred to is never written either.
    """

    def __init__(self, reader: PdfReader, version: str) -> None:
        self.reader = reader
        self.version = version
        self.ids: dict[_Key, int] = {}
        self.queue: deque[tuple[int, object, int, int]] = deque()
        self.created: dict[int, PdfObject] = {}  # our own objects, by new number
        self.next_id = 1
        self.pages: dict[tuple[int, int], Geometry] = {}  # (idnum, gen) -> geometry
        self.forms: dict[tuple[float, float], IndirectObject] = {}
        self.invocations: dict[tuple[str, Geometry], IndirectObject] = {}
        self.stamped_resources: dict[tuple, tuple[IndirectObject, str]] = {}
        self.resources_users: dict[tuple, int] = {}  # where resources come from -> pages
        self.page_tree_nodes: set[tuple[int, int]] = set()
        self.object_streams = {stream for stream, _ in reader.xref_objStm.values()}

    # -- reading ------------------------------------------------------------------

    def read_pages(self) -> list[Geometry]:
        """Walk the page tree; note each page's geometry; check its content streams."""
        trailer = self.reader.trailer
        # Numbered first, so the catalog is object 1 and the info dictionary object 2.
        self.root = self._ref(trailer.raw_get("/Root"))
        info = trailer.raw_get("/Info") if "/Info" in trailer else None
        self.info = self._ref(info) if isinstance(info, IndirectObject) else None
        root = trailer["/Root"].get_object()
        tree = root.raw_get("/Pages")
        if not isinstance(tree, IndirectObject):
            raise WatermarkError(WatermarkError.CORRUPT, "the page tree is not an object")
        order: list[Geometry] = []
        visited: set[tuple[int, int]] = set()
        stack: list[tuple[IndirectObject, int]] = [(tree, 0)]
        while stack:
            ref, depth = stack.pop()
            key = (ref.idnum, ref.generation)
            if key in visited:
                raise WatermarkError(WatermarkError.CORRUPT, "a page tree node is listed twice")
            if depth > 64:
                raise WatermarkError(WatermarkError.CORRUPT, "the page tree is too deep")
            visited.add(key)
            mark = self._cached()
            node = ref.get_object()
            if not isinstance(node, DictionaryObject):
                raise WatermarkError(WatermarkError.CORRUPT, "a page tree node is not a dict")
            if node.get("/Type") == "/Pages" or "/Kids" in node:
                kids = node.get("/Kids")
                kids = kids.get_object() if kids is not None else ArrayObject()
                if not isinstance(kids, ArrayObject):
                    raise WatermarkError(WatermarkError.CORRUPT, "a page tree node has no /Kids")
                for kid in reversed(kids):
                    if not isinstance(kid, IndirectObject):
                        raise WatermarkError(WatermarkError.CORRUPT, "a page is not an object")
                    stack.append((kid, depth + 1))
                self.page_tree_nodes.add(key)
                continue  # page tree nodes stay cached: every page asks them for inherited values
            if depth == 0 or node.get("/Type", "/Page") != "/Page":
                raise WatermarkError(WatermarkError.CORRUPT, "the page tree is malformed")
            geometry = page_geometry(node)
            self.pages[key] = geometry
            origin = _resources_origin(node)
            self.resources_users[origin] = self.resources_users.get(origin, 0) + 1
            order.append(geometry)
            for stream_ref in _content_refs(node):
                stream = stream_ref.get_object()
                if not isinstance(stream, StreamObject):
                    raise WatermarkError(WatermarkError.CORRUPT, "a page content stream is missing")
                _check_stream(stream)
            self._evict_since(mark)
        if not order:
            raise WatermarkError(WatermarkError.CORRUPT, "the PDF has no pages")
        return order

    def _cached(self) -> int:
        return len(self.reader.resolved_objects)

    def _evict_since(self, mark: int) -> None:
        """Drop the objects pypdf cached since ``_cached()`` returned ``mark``.

        Object streams and the objects stored in them stay cached: pypdf parses all
        objects of an object stream at once, so dropping them would mean decompressing
        and parsing the stream again for each of its objects. They are small,
        stream-less objects (dictionaries, arrays, numbers), never page content or images.
        """
        cache = self.reader.resolved_objects
        added = len(cache) - mark
        if added <= 0:
            return
        compressed = self.reader.xref_objStm
        for key in list(itertools.islice(reversed(cache.keys()), added)):
            if key[1] not in self.object_streams and not (key[0] == 0 and key[1] in compressed):
                del cache[key]

    # -- our own objects --------------------------------------------------------------

    def add(self, obj: PdfObject) -> IndirectObject:
        """Register one of our objects (already referring only to final numbers)."""
        new_id = self._allocate()
        self.created[new_id] = obj
        self.queue.append((new_id, None, 0, 0))
        return IndirectObject(new_id, 0, None)

    def add_stamps(self, stamp_reader: PdfReader, sizes) -> None:
        for size, stamp_page in zip(sizes, stamp_reader.pages, strict=True):
            contents = stamp_page.get_contents()
            data = contents.get_data() if contents is not None else b""
            resources = stamp_page.get("/Resources")
            form = DecodedStreamObject()
            form.set_data(data)
            form.update(
                {
                    NameObject("/Type"): NameObject("/XObject"),
                    NameObject("/Subtype"): NameObject("/Form"),
                    NameObject("/FormType"): NumberObject(1),
                    NameObject("/BBox"): ArrayObject(
                        [FloatObject(0), FloatObject(0), FloatObject(size[0]), FloatObject(size[1])]
                    ),
                    NameObject("/Resources"): (
                        self._relocate(resources.get_object())
                        if resources is not None
                        else DictionaryObject()
                    ),
                }
            )
            self.forms[size] = self.add(form.flate_encode())
        opening = DecodedStreamObject()
        opening.set_data(b"q\n")
        self.opening = self.add(opening)

    def _invocation(self, name: str, geometry: Geometry) -> IndirectObject:
        key = (name, geometry)
        if key not in self.invocations:
            cm = " ".join(pdf_number(v) for v in geometry.matrix())
            stream = DecodedStreamObject()
            # Marked as an artifact: not part of a tagged PDF's logical structure.
            stream.set_data(f"\nQ\nq\n/Artifact BMC\n{cm} cm\n{name} Do\nEMC\nQ\n".encode("ascii"))
            self.invocations[key] = self.add(stream)
        return self.invocations[key]

    # -- renumbering ----------------------------------------------------------------

    def _allocate(self) -> int:
        new_id = self.next_id
        self.next_id += 1
        return new_id

    def _ref(self, ref: IndirectObject) -> IndirectObject:
        if ref.pdf is None:  # one of ours, already final
            return ref
        key = (id(ref.pdf), ref.idnum, ref.generation)
        new_id = self.ids.get(key)
        if new_id is None:
            new_id = self.ids[key] = self._allocate()
            self.queue.append((new_id, ref.pdf, ref.idnum, ref.generation))
        return IndirectObject(new_id, 0, None)

    def _relocate(self, obj):
        """A copy of ``obj`` whose references use output numbers (stream data shared)."""
        if isinstance(obj, IndirectObject):
            return self._ref(obj)
        if isinstance(obj, StreamObject):
            copy = StreamObject()
            copy._data = obj._data  # the same bytes object: no copy of the stream
            for key, value in kept_entries(obj):
                if key != "/Length":  # written from the data, never as a reference
                    copy[NameObject(key)] = self._relocate(value)
            return copy
        if isinstance(obj, DictionaryObject):
            copy = DictionaryObject()
            for key, value in kept_entries(obj):
                copy[NameObject(key)] = self._relocate(value)
            return copy
        if isinstance(obj, ArrayObject):
            return ArrayObject(self._relocate(value) for value in obj)
        return obj

    # -- writing ----------------------------------------------------------------------

    def write(self, destination: IO[bytes]) -> None:
        out = _CountingWriter(destination)
        trailer = self.reader.trailer
        root, info = self.root, self.info
        out.write(f"%PDF-{self.version}\n%\xe2\xe3\xcf\xd3\n".encode("latin-1"))
        offsets: dict[int, int] = {}
        while self.queue:
            new_id, source, idnum, generation = self.queue.popleft()
            obj = self._load(new_id, source, idnum, generation)
            offsets[new_id] = out.position
            out.write(f"{new_id} 0 obj\n".encode("ascii"))
            obj.write_to_stream(out)
            out.write(b"\nendobj\n")
        xref_at = out.position
        size = self.next_id
        out.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode("ascii"))
        for new_id in range(1, size):
            out.write(f"{offsets[new_id]:010d} 00000 n \n".encode("ascii"))
        final = DictionaryObject(
            {NameObject("/Size"): NumberObject(size), NameObject("/Root"): root}
        )
        if info is not None:
            final[NameObject("/Info")] = info
        final[NameObject("/ID")] = _file_id(trailer)
        out.write(b"trailer\n")
        final.write_to_stream(out)
        out.write(f"\nstartxref\n{xref_at}\n%%EOF\n".encode("ascii"))

    def _load(self, new_id: int, source, idnum: int, generation: int) -> PdfObject:
        if source is None:
            return self.created.pop(new_id)
        mark = self._cached()
        obj = source.get_object(IndirectObject(idnum, generation, source))
        if obj is None:
            obj = NullObject()
        if source is self.reader and (idnum, generation) in self.pages:
            obj = self._stamped_page(obj, self.pages[(idnum, generation)])
        else:
            obj = self._relocate(obj)
        if source is self.reader and (idnum, generation) not in self.page_tree_nodes:
            self._evict_since(mark)
        return obj

    def _stamped_page(self, page: DictionaryObject, geometry: Geometry) -> DictionaryObject:
        """The page with its inherited attributes made its own, and the stamp added."""
        new = DictionaryObject()
        for key, value in kept_entries(page):
            if key not in ("/Contents", "/Resources"):
                new[NameObject(key)] = self._relocate(value)
        for key in ("/MediaBox", "/CropBox", "/Rotate"):
            if key not in page:
                value = page.get_inherited(key, None)
                if value is not None:
                    new[NameObject(key)] = self._relocate(value)
        if "/MediaBox" not in new:
            new[NameObject("/MediaBox")] = ArrayObject(
                FloatObject(v) for v in (geometry.x0, geometry.y0, geometry.x1, geometry.y1)
            )
        resources = page.get_inherited("/Resources", None)
        resources = resources.get_object() if resources is not None else None
        if not isinstance(resources, DictionaryObject):
            resources = DictionaryObject()
        size = geometry.display_size
        # Resources shared by several pages (one dictionary for the whole document is
        # common) get one stamped copy per page size, shared the same way; others are
        # copied into the page, which is written at once.
        origin = _resources_origin(page)
        shared = origin[0] in ("object", "node") and self.resources_users.get(origin, 0) > 1
        shared_key = (*origin, size) if shared else None
        if shared_key in self.stamped_resources:
            resources_ref, name = self.stamped_resources[shared_key]
        else:
            new_resources, name = self._stamped_resources(resources, size)
            resources_ref = new_resources
            if shared_key is not None:
                resources_ref = self.add(new_resources)
                self.stamped_resources[shared_key] = (resources_ref, name)
        new[NameObject("/Resources")] = resources_ref
        contents = [self._ref(ref) for ref in _content_refs(page)]
        new[NameObject("/Contents")] = ArrayObject(
            [self.opening, *contents, self._invocation(name, geometry)]
        )
        return new

    def _stamped_resources(self, resources: DictionaryObject, size) -> tuple[DictionaryObject, str]:
        """A copy of ``resources`` with the stamp form added under a free name."""
        new_resources = DictionaryObject()
        for key, value in resources.items():
            if key != "/XObject":
                new_resources[NameObject(key)] = self._relocate(value)
        xobjects = resources.get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else None
        xobjects = (
            self._relocate(xobjects)
            if isinstance(xobjects, DictionaryObject)
            else DictionaryObject()
        )
        base = f"/{_XOBJECT_PREFIX}{int(size[0] * 100)}x{int(size[1] * 100)}"
        name, n = base, 0
        while name in xobjects:
            n += 1
            name = f"{base}n{n}"
        xobjects[NameObject(name)] = self.forms[size]
        new_resources[NameObject("/XObject")] = xobjects
        return new_resources, name


class _CountingWriter:
    """Pass writes through to ``stream``, counting bytes for the cross-reference table."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.position = 0

    def write(self, data: bytes) -> int:
        self.stream.write(data)
        self.position += len(data)
        return len(data)


def _file_id(trailer) -> ArrayObject:
    original = trailer.get("/ID")
    original = original.get_object() if original is not None else None
    first = None
    if isinstance(original, ArrayObject) and original:
        first = original[0].get_object()
    if not isinstance(first, (ByteStringObject, TextStringObject)):
        first = ByteStringObject(secrets.token_bytes(16))
    return ArrayObject([first, ByteStringObject(secrets.token_bytes(16))])


def _check_stream(stream: StreamObject) -> None:
    """Raise WatermarkError if a content stream's data is damaged; keep nothing decoded.

    Flate, by far the most common filter, is checked with zlib directly, in bounded
    chunks whose output is thrown away: pypdf's decoder, when not strict, logs a damaged
    stream and returns what it could read, which would serve a page with missing text.
    A stream that merely lacks its final checksum (common, and harmless) passes.
    """
    filters = stream.get("/Filter")
    filters = filters.get_object() if filters is not None else None
    if filters is None or isinstance(filters, NullObject):
        return
    names = list(filters) if isinstance(filters, ArrayObject) else [filters]
    if [str(name) for name in names] in (["/FlateDecode"], ["/Fl"]):
        inflater = zlib.decompressobj()
        data = stream._data
        try:
            chunk = inflater.decompress(data, _INFLATE_CHUNK)
            while chunk and inflater.unconsumed_tail:
                chunk = inflater.decompress(inflater.unconsumed_tail, _INFLATE_CHUNK)
        except zlib.error as error:
            raise WatermarkError(
                WatermarkError.CORRUPT, f"damaged content stream: {error}"
            ) from error
        return
    decode_stream_data(stream)  # other filters: pypdf's decoder, result not kept


def _resources_origin(page: DictionaryObject) -> tuple:
    """Where a page's /Resources come from, to tell which pages share them.

    ``("object", n, g)`` for a resources object, ``("node", n, g)`` for a dictionary
    written in the page tree node ``n g``, ``("page",)`` for one written in the page
    itself (never shared), ``("none",)`` if there are none.
    """
    node, node_ref, hops = page, None, 0
    while isinstance(node, DictionaryObject) and hops < 64:
        if "/Resources" in node:
            raw = node.raw_get("/Resources")
            if isinstance(raw, IndirectObject):
                return ("object", raw.idnum, raw.generation)
            if node_ref is None:
                return ("page",)
            return ("node", node_ref.idnum, node_ref.generation)
        node_ref = node.raw_get("/Parent") if "/Parent" in node else None
        if not isinstance(node_ref, IndirectObject):
            break
        node, hops = node_ref.get_object(), hops + 1
    return ("none",)


def _content_refs(page: DictionaryObject) -> list[IndirectObject]:
    """The references to a page's content streams, in order."""
    raw = page.raw_get("/Contents") if "/Contents" in page else None
    if raw is None:
        return []
    target = raw.get_object()
    if target is None or isinstance(target, NullObject):
        return []
    if isinstance(target, StreamObject):
        if not isinstance(raw, IndirectObject):
            raise WatermarkError(WatermarkError.CORRUPT, "a content stream is not an object")
        return [raw]
    if isinstance(target, ArrayObject):
        if not all(isinstance(item, IndirectObject) for item in target):
            raise WatermarkError(WatermarkError.CORRUPT, "a content stream is not an object")
        return list(target)
    raise WatermarkError(WatermarkError.CORRUPT, "a page's /Contents is not a stream")
