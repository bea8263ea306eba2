"""Where the stamp goes on every page: one Form XObject per visible page size, drawn after the
page's own content, which is neither decoded nor rewritten."""

from __future__ import annotations

import zlib
from collections import Counter

import pikepdf

from .errors import WatermarkError
from .geometry import Geometry, page_geometry, pdf_number

_INFLATE_CHUNK = 1024 * 1024
_XOBJECT_PREFIX = "TPWatermark"
#: Marks a stamp slot in a prepared file, followed by a random part per preparation (the key
#: never reaches a reader: slots are cut out).
SLOT_KEY = "/TPWatermarkSlot"


def place_stamp_slots(pdf: pikepdf.Pdf, marker: str) -> int:
    """Make every page of ``pdf`` draw, after its own content, the stamp slot of its visible
    size (an empty form marked with the key ``marker``, its index among the sorted sizes);
    return the page count. ``prepared`` writes the stamps into the slots, per reader."""
    pages = _pages(pdf)
    geometries = [page_geometry(page) for page in pages]
    contents = [_contents(page) for page in pages]
    for streams in contents:
        for stream in streams:
            _check_stream(stream)
    sizes = sorted({g.display_size for g in geometries})
    stamper = _Stamper(pdf, _slots(pdf, sizes, marker), pages)
    for page, geometry, streams in zip(pages, geometries, contents, strict=True):
        stamper.stamp(page, geometry, streams)
    return len(pages)


def _pages(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """The page dictionaries, in order (qpdf has copied inherited attributes into them)."""
    try:
        pages = [page.obj for page in pdf.pages]
    except pikepdf.PdfError as error:
        message = f"the page tree is malformed: {error}"
        raise WatermarkError(WatermarkError.CORRUPT, message) from error
    if not pages:
        raise WatermarkError(WatermarkError.CORRUPT, "the PDF has no pages")
    return pages


def _slots(pdf: pikepdf.Pdf, sizes: list[tuple[float, float]], marker: str) -> dict:
    """One empty Form XObject in ``pdf`` per displayed size, marked with its index."""
    slots = {}
    for index, (width, height) in enumerate(sizes):
        form = pikepdf.Stream(pdf, b"")
        form.Type = pikepdf.Name.XObject
        form.Subtype = pikepdf.Name.Form
        form.FormType = 1
        form.BBox = pikepdf.Array([0, 0, width, height])
        form[marker] = index
        slots[(width, height)] = pdf.make_indirect(form)
    return slots


class _Stamper:
    """Puts ``q <page content> Q q <cm> /Stamp Do Q`` on pages, sharing what can be shared."""

    def __init__(self, pdf: pikepdf.Pdf, forms: dict, pages: list[pikepdf.Dictionary]) -> None:
        self.pdf = pdf
        self.forms = forms
        self.opening = pdf.make_indirect(pikepdf.Stream(pdf, b"q\n"))
        self.invocations: dict[tuple[str, Geometry], pikepdf.Stream] = {}
        self.stamped_resources: dict[tuple, tuple[pikepdf.Dictionary, str]] = {}
        self.resources_users = Counter(_shared_resources(page) for page in pages)

    def stamp(self, page: pikepdf.Dictionary, geometry: Geometry, contents: list) -> None:
        if "/MediaBox" not in page:  # the default, written out
            page.MediaBox = pikepdf.Array([geometry.x0, geometry.y0, geometry.x1, geometry.y1])
        size = geometry.display_size
        # Resources several pages share (one object for the whole document is common) get
        # one stamped copy per page size, shared the same way; the original is left as it was
        # (pages of another size, forms, annotations may use it).
        shared = _shared_resources(page)
        if shared is not None and self.resources_users[shared] > 1:
            key = (shared, size)
            if key not in self.stamped_resources:
                resources = page.get("/Resources").copy()
                name = self._add_stamp(resources, size)
                self.stamped_resources[key] = (self.pdf.make_indirect(resources), name)
            resources, name = self.stamped_resources[key]
            page.Resources = resources
        else:
            # A copy written in the page (the original may be referred to from elsewhere; if
            # not, it is no longer written: one object fewer a page).
            resources = page.get("/Resources")
            resources = (
                resources.copy()
                if isinstance(resources, pikepdf.Dictionary)
                else pikepdf.Dictionary()
            )
            name = self._add_stamp(resources, size)
            page.Resources = resources
        page.Contents = pikepdf.Array([self.opening, *contents, self._invocation(name, geometry)])

    def _add_stamp(self, resources: pikepdf.Dictionary, size) -> str:
        """Add the stamp form to ``resources`` under a free name, and return the name."""
        xobjects = resources.get("/XObject")
        if not isinstance(xobjects, pikepdf.Dictionary):
            xobjects = pikepdf.Dictionary()
        elif xobjects.is_indirect:  # maybe shared with other pages: changed in a copy
            xobjects = xobjects.copy()
        base = f"/{_XOBJECT_PREFIX}{int(size[0] * 100)}x{int(size[1] * 100)}"
        name, n = base, 0
        while name in xobjects:
            n += 1
            name = f"{base}n{n}"
        xobjects[name] = self.forms[size]
        resources.XObject = xobjects
        return name

    def _invocation(self, name: str, geometry: Geometry) -> pikepdf.Stream:
        key = (name, geometry)
        if key not in self.invocations:
            cm = " ".join(pdf_number(v) for v in geometry.matrix())
            # Marked as an artifact: not part of a tagged PDF's logical structure.
            data = f"\nQ\nq\n/Artifact BMC\n{cm} cm\n{name} Do\nEMC\nQ\n".encode("ascii")
            self.invocations[key] = self.pdf.make_indirect(pikepdf.Stream(self.pdf, data))
        return self.invocations[key]


def _check_stream(stream: pikepdf.Stream) -> None:
    """Raise WatermarkError if a content stream's data is damaged; keep nothing decoded.

    Flate, by far the most common filter, is checked with zlib directly, in bounded
    chunks whose output is thrown away (qpdf, told to pass streams through, never decodes
    them, and a damaged page would be served with missing text). A stream that merely lacks
    its final checksum (common, and harmless) passes.
    """
    filters = stream.get("/Filter")
    if filters is None:
        return
    names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters)]
    try:
        if names in (["/FlateDecode"], ["/Fl"]):
            inflater = zlib.decompressobj()
            chunk = inflater.decompress(stream.read_raw_bytes(), _INFLATE_CHUNK)
            while chunk and inflater.unconsumed_tail:
                chunk = inflater.decompress(inflater.unconsumed_tail, _INFLATE_CHUNK)
        else:
            stream.read_bytes()  # other filters: qpdf's decoder, result not kept
    except (zlib.error, pikepdf.PdfError) as error:
        raise WatermarkError(WatermarkError.CORRUPT, f"damaged content stream: {error}") from error


def _shared_resources(page: pikepdf.Dictionary) -> tuple[int, int] | None:
    """The object number of a page's /Resources when they are an object other pages may
    share, else None (a dictionary written in the page, or none at all)."""
    resources = page.get("/Resources")
    if isinstance(resources, pikepdf.Dictionary) and resources.is_indirect:
        return resources.objgen
    return None


def _contents(page: pikepdf.Dictionary) -> list[pikepdf.Stream]:
    """A page's content streams, in order."""
    target = page.get("/Contents")
    if target is None:  # no /Contents, or null: a blank page
        return []
    items = list(target) if isinstance(target, pikepdf.Array) else [target]
    if not all(isinstance(item, pikepdf.Stream) for item in items):
        raise WatermarkError(WatermarkError.CORRUPT, "a page content stream is missing")
    return items
