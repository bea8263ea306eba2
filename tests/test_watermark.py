"""Unit tests of cms/delivery/watermark/: per-viewer stamps on every page of a downloaded PDF.

No database. PDFs are made here with fpdf2 (and pypdf for rotation, encryption and
incremental updates); the results are read back with pypdf."""

from __future__ import annotations

import io
import math
import os
import re
import threading
import zlib
from datetime import date
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from cms.delivery.watermark import (
    WatermarkError,
    default_font_paths,
    watermark_pdf,
    watermark_to_tempfile,
)
from sites.demo.pdf import render_document_pdf
from tests.pdf_samples import large_pdf

DOWNLOAD_ID = "Ab3dEf9hJk2L"
LINES = [
    "Downloaded by Rita Reader <rita@bank.example>",
    "Example Bank",
    "2026-11-28 15:04 UTC",
    f"Download id: {DOWNLOAD_ID}",
]
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian fonts-dejavu-core
DROID = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")  # fonts-droid-fallback

# (format, orientation, /Rotate set afterwards)
PAGES = [
    ("A4", "P", 0),
    ("Letter", "L", 0),  # landscape
    ((300, 500), "P", 0),  # custom size, in points
    ((419.53, 595.28), "P", 90),  # A5, turned a quarter clockwise when displayed
    ("A4", "L", 270),
    ((200, 200), "P", 180),
]


def _make_pdf(pages=PAGES) -> bytes:
    pdf = FPDF(unit="pt")
    pdf.set_font("Helvetica", size=12)
    for number, (size, orientation, _) in enumerate(pages, 1):
        pdf.add_page(format=size, orientation=orientation)
        pdf.text(30, 40, f"Original text of page {number}")
        # Content that leaves its graphics state changed must not move the stamp.
        pdf._out("0.5 0 0 0.5 0 0 cm 1 0 0 rg")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bytes(pdf.output()))))
    for page, (_, _, rotate) in zip(writer.pages, pages, strict=True):
        if rotate:
            page.rotation = rotate
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _watermarked(data: bytes, lines=LINES, **kwargs) -> tuple[int, bytes]:
    out = io.BytesIO()
    count = watermark_pdf(io.BytesIO(data), out, lines, **kwargs)
    return count, out.getvalue()


def _raw_pdf(objects: list[bytes]) -> bytes:
    """A hand-written PDF (object 1 is the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.3\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _stream(content: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)


def _stamp_placement(page):
    """The stamp's matrix and the corners of its form, mapped into the page's space."""
    contents = page["/Contents"]
    first = contents[0].get_object().get_data()
    last = contents[-1].get_object().get_data()
    match = re.search(rb"((?:-?[\d.]+ ){6})cm\s*/(\S+) Do", last)
    assert first.strip() == b"q" and last.lstrip().startswith(b"Q"), (first, last)
    matrix = [float(v) for v in match[1].split()]
    form = page["/Resources"]["/XObject"]["/" + match[2].decode()].get_object()
    _, _, width, height = (float(v) for v in form["/BBox"])
    a, b, c, d, e, f = matrix
    corners = {
        (round(a * x + c * y + e, 2), round(b * x + d * y + f, 2))
        for x, y in ((0, 0), (width, 0), (0, height), (width, height))
    }
    return matrix, corners


def _visible_corners(page):
    box = page.cropbox
    return {
        (round(float(x), 2), round(float(y), 2))
        for x in (box.left, box.right)
        for y in (box.bottom, box.top)
    }


# --- every page, every size ---------------------------------------------------------


def test_every_page_carries_the_stamp_and_keeps_its_content():
    count, data = _watermarked(_make_pdf())
    assert count == len(PAGES)
    reader = PdfReader(io.BytesIO(data), strict=True)
    assert len(reader.pages) == len(PAGES)
    for number, page in enumerate(reader.pages, 1):
        text = page.extract_text()
        assert f"Original text of page {number}" in text
        assert DOWNLOAD_ID in text
        assert "Rita Reader" in text
        assert "Example Bank" in text
        # Diagonal stamp and footer line: the id is there at least twice.
        assert text.count(DOWNLOAD_ID) >= 2


def test_page_sizes_and_rotations_are_kept_and_the_stamp_fits_each_page():
    source = PdfReader(io.BytesIO(_make_pdf()))
    _, data = _watermarked(_make_pdf())
    reader = PdfReader(io.BytesIO(data))
    for before, page, (_, _, rotate) in zip(source.pages, reader.pages, PAGES, strict=True):
        assert page.rotation == rotate
        assert [float(v) for v in page.mediabox] == [float(v) for v in before.mediabox]
        matrix, corners = _stamp_placement(page)
        # The stamp covers exactly the visible box ...
        assert corners == _visible_corners(page)
        # ... and its "up" is the displayed up: user space turned back by /Rotate.
        up = (matrix[2], matrix[3])
        radians = math.radians(rotate)
        assert up == pytest.approx((-math.sin(radians), math.cos(radians)), abs=1e-9)


def test_the_stamp_is_a_shared_form_per_page_size():
    source = _make_pdf(PAGES * 20)
    _, data = _watermarked(source)
    reader = PdfReader(io.BytesIO(data))
    forms = {
        page["/Resources"]["/XObject"].raw_get(name).idnum
        for page in reader.pages
        for name in page["/Resources"]["/XObject"]
    }
    displayed = {
        (round(float(p.mediabox.width)), round(float(p.mediabox.height)))[
            :: -1 if p.rotation % 180 else 1
        ]
        for p in reader.pages
    }
    # One form per distinct displayed size (an A4 landscape page turned 270 degrees shows
    # as A4 portrait), however many pages there are.
    assert len(displayed) == 5
    assert len(forms) == len(displayed)
    assert len(data) < len(source) * 1.2  # measured: 54.7 kB -> 61.0 kB for 120 pages


def test_inherited_boxes_rotation_and_resources_and_an_offset_crop_box():
    text1 = b"BT /F1 12 Tf 120 120 Td (Inherited page text) Tj ET"
    text2 = b"BT /F1 12 Tf 200 200 Td (Second stream text) Tj ET"
    data = _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 /MediaBox [0 0 400 300]"
            b" /Rotate 90 /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Type /Page /Parent 2 0 R /Contents 6 0 R >>",
            b"<< /Type /Page /Parent 2 0 R /Contents [6 0 R 7 0 R]"
            b" /MediaBox [100 100 500 700] /CropBox [150 150 450 650] /Rotate 0 >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            _stream(text1),
            _stream(text2),
        ]
    )
    count, out = _watermarked(data)
    assert count == 2
    first, second = PdfReader(io.BytesIO(out), strict=True).pages
    assert first.rotation == 90
    assert [float(v) for v in first.mediabox] == [0, 0, 400, 300]
    assert "Inherited page text" in first.extract_text()
    assert DOWNLOAD_ID in first.extract_text()
    assert "Second stream text" in second.extract_text()
    assert DOWNLOAD_ID in second.extract_text()
    assert _stamp_placement(first)[1] == _visible_corners(first)
    assert _stamp_placement(second)[1] == {(150, 150), (450, 150), (150, 650), (450, 650)}
    # The inherited font still reaches the page through its own copy of the resources.
    assert "/F1" in first["/Resources"]["/Font"]


def test_shared_resources_stay_shared_and_untouched():
    show = b"BT /F1 12 Tf 50 50 Td (Page %d) Tj ET"
    data = _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R 6 0 R] /Count 4 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] /Resources 7 0 R"
            b" /Contents 9 0 R >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] /Resources 7 0 R"
            b" /Contents 10 0 R >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 300] /Resources 7 0 R"
            b" /Contents 11 0 R >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300]"
            b" /Resources << /Font << /F1 8 0 R >> /XObject << /TPWatermark30000x30000 8 0 R >> >>"
            b" /Contents 12 0 R >>",
            b"<< /Font << /F1 8 0 R >> >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            *(_stream(show % n) for n in range(1, 5)),
        ]
    )
    _, out = _watermarked(data)
    pages = PdfReader(io.BytesIO(out), strict=True).pages
    refs = [page.raw_get("/Resources") for page in pages]
    assert refs[0].idnum == refs[1].idnum  # same size: one stamped copy, still shared
    assert refs[2].idnum != refs[0].idnum  # another size: its own copy
    for number, page in enumerate(pages, 1):
        text = page.extract_text()
        assert f"Page {number}" in text and DOWNLOAD_ID in text
        assert _stamp_placement(page)[1] == _visible_corners(page)
    # A name already taken in the page's resources is not overwritten.
    assert set(pages[3]["/Resources"]["/XObject"]) == {
        "/TPWatermark30000x30000",
        "/TPWatermark30000x30000n1",
    }


def test_a_page_without_content_is_stamped_too():
    data = _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        ]
    )
    count, out = _watermarked(data)
    assert count == 1
    assert DOWNLOAD_ID in PdfReader(io.BytesIO(out), strict=True).pages[0].extract_text()


def test_a_demo_document_is_watermarked():
    pdf = render_document_pdf(
        "SOC 2 Type II report", "2.1", date(2026, 1, 5), "Independent audit.", "First issue."
    )
    count, out = _watermarked(pdf)
    text = PdfReader(io.BytesIO(out)).pages[0].extract_text()
    assert count == 1
    assert "SOC 2 Type II report" in text and DOWNLOAD_ID in text and "Rita Reader" in text


def test_output_is_one_full_revision_without_the_unstamped_original():
    base = _make_pdf(PAGES[:2])
    # The source itself carries an incremental update replacing page 1's content.
    writer = PdfWriter(io.BytesIO(base), incremental=True)
    new_content = DecodedStreamObject()
    new_content.set_data(b"BT /F1 12 Tf 30 700 Td (Revised text) Tj ET")
    writer.pages[0][NameObject("/Contents")] = writer._add_object(new_content)
    updated = io.BytesIO()
    writer.write(updated)
    assert updated.getvalue().count(b"%%EOF") == 2

    _, out = _watermarked(updated.getvalue())
    # A single revision: cutting the file at an earlier %%EOF gives nothing back.
    assert out.count(b"%%EOF") == 1 and out.count(b"\nxref\n") == 1
    reader = PdfReader(io.BytesIO(out), strict=True)
    assert "Revised text" in reader.pages[0].extract_text()
    assert "Original text of page 1" not in _all_stream_text(out)


def _all_stream_text(data: bytes) -> str:
    """Every stream of the file, inflated where possible, as one string."""
    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(match[1]))
        except zlib.error:
            chunks.append(match[1])
    return b"\n".join(chunks).decode("latin-1")


def test_paths_and_non_seekable_streams_work(tmp_path):
    source = tmp_path / "report.pdf"
    source.write_bytes(_make_pdf(PAGES[:2]))
    target = tmp_path / "out.pdf"
    assert watermark_pdf(source, target, LINES) == 2
    assert DOWNLOAD_ID in PdfReader(target).pages[1].extract_text()

    class OneWay(io.RawIOBase):  # a network body: read() only
        def __init__(self, data):
            self._inner = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            return self._inner.readinto(buffer)

    out = io.BytesIO()
    assert watermark_pdf(OneWay(source.read_bytes()), out, LINES) == 2
    assert DOWNLOAD_ID in PdfReader(out).pages[0].extract_text()


def test_watermark_to_tempfile_is_rewound_and_deleted_on_close(tmp_path):
    tmp = watermark_to_tempfile(io.BytesIO(_make_pdf(PAGES[:1])), LINES, dir=tmp_path)
    assert tmp.tell() == 0 and tmp.name.endswith(".pdf")
    assert tmp.read(5) == b"%PDF-"
    tmp.seek(0)
    assert DOWNLOAD_ID in PdfReader(tmp).pages[0].extract_text()
    tmp.close()
    assert not os.path.exists(tmp.name)

    with pytest.raises(WatermarkError):
        watermark_to_tempfile(io.BytesIO(b"not a pdf"), LINES, dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_lines_without_text_are_refused():
    with pytest.raises(ValueError):
        watermark_pdf(io.BytesIO(_make_pdf(PAGES[:1])), io.BytesIO(), ["", "  "])
    with pytest.raises(TypeError):
        watermark_pdf(io.BytesIO(_make_pdf(PAGES[:1])), io.BytesIO(), "Download id: x")


# --- what must not be served ----------------------------------------------------------


@pytest.mark.parametrize(
    "user_password, algorithm",
    [("", "AES-256"), ("", "RC4-128"), ("reader-secret", "AES-128")],
)
def test_encrypted_pdfs_are_refused(user_password, algorithm):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_make_pdf(PAGES[:2]))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm=algorithm)
    encrypted = io.BytesIO()
    writer.write(encrypted)
    if not user_password:  # opens without a password in any viewer...
        assert "Original text" in PdfReader(encrypted).pages[0].extract_text()
    out = io.BytesIO()
    with pytest.raises(WatermarkError) as caught:  # ... and is still not passed through
        watermark_pdf(io.BytesIO(encrypted.getvalue()), out, LINES)
    assert caught.value.reason == "encrypted"
    assert out.getvalue() == b""


def _damaged_content_stream(data: bytes) -> bytes:
    """The same file with bytes inside the first compressed content stream overwritten."""
    match = re.search(rb"/Filter /FlateDecode[^>]*>>\s*stream\r?\n", data)
    start = match.end() + 2
    garbage = b"\x00damaged-damaged-damaged\xff"
    return data[:start] + garbage + data[start + len(garbage) :]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda d: d[: len(d) // 2], id="cut-in-half"),
        pytest.param(lambda d: d[:-7], id="end-marker-cut-off"),
        pytest.param(lambda d: d[: len(d) // 2] + b"\n%%EOF\n", id="cut-with-end-marker"),
        pytest.param(lambda d: d[:200] + b"\n%%EOF\n", id="header-only"),
        pytest.param(_damaged_content_stream, id="damaged-content-stream"),
        pytest.param(
            lambda d: d.replace(b"/Type /Pages", b"/Type /Nopes").replace(b"/Kids", b"/Kidz"),
            id="no-pages",
        ),
    ],
)
def test_corrupt_pdfs_are_refused(damage, tmp_path):
    source = tmp_path / "damaged.pdf"
    source.write_bytes(damage(_make_pdf(PAGES[:3])))
    target = tmp_path / "out.pdf"
    with pytest.raises(WatermarkError) as caught:
        watermark_pdf(source, target, LINES)
    assert caught.value.reason == "corrupt"
    assert not target.exists()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x89PNG\r\n\x1a\n" + bytes(200),
        b"<!doctype html><title>Sign in</title>",
        b"PK\x03\x04" + bytes(100),
        b"%PD",
    ],
)
def test_files_that_are_not_pdfs_are_refused(data):
    with pytest.raises(WatermarkError) as caught:
        watermark_pdf(io.BytesIO(data), io.BytesIO(), LINES)
    assert caught.value.reason == "not_pdf"


# --- names in any script --------------------------------------------------------------


def test_unicode_names_with_the_core_font_only():
    lines = [
        "Downloaded by José Müller <jose@bank.example>",
        "山田太郎 · Łukasz Wałęsa · Иван",
        f"Download id: {DOWNLOAD_ID}",
    ]
    count, data = _watermarked(_make_pdf(PAGES[:2]), lines, font_paths=[])
    assert count == 2
    for page in PdfReader(io.BytesIO(data)).pages:
        text = page.extract_text()
        assert DOWNLOAD_ID in text
        assert "José Müller" in text  # Windows-1252 covers it: drawn as is
        assert "Lukasz Walesa" in text  # approximated
        assert "???? · " in text  # no glyphs for these: replaced, not dropped


@pytest.mark.skipif(not DEJAVU.is_file(), reason="DejaVu Sans is not installed")
def test_unicode_names_with_a_unicode_font():
    lines = ["Downloaded by Иван Петров, Łukasz Wałęsa, 山田太郎", f"Download id: {DOWNLOAD_ID}"]
    _, data = _watermarked(_make_pdf(PAGES[:2]), lines, font_paths=[DEJAVU])
    for page in PdfReader(io.BytesIO(data)).pages:
        text = page.extract_text()
        assert DOWNLOAD_ID in text
        assert "Иван Петров" in text and "Łukasz Wałęsa" in text
        assert "Original text of page" in text


@pytest.mark.skipif(
    not (DEJAVU.is_file() and DROID.is_file()), reason="DejaVu Sans or Droid Sans Fallback missing"
)
def test_a_fallback_font_without_latin_draws_what_the_main_font_lacks():
    lines = ["Downloaded by 山田太郎 / Иван Петров", f"Download id: {DOWNLOAD_ID}"]
    _, data = _watermarked(_make_pdf(PAGES[:1]), lines, font_paths=[DEJAVU, DROID])
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Downloaded by 山田太郎 / Иван Петров" in text and DOWNLOAD_ID in text


def test_an_unreadable_font_falls_back_to_the_core_font(tmp_path):
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    lines = ["Downloaded by Иван", f"Download id: {DOWNLOAD_ID}"]
    _, data = _watermarked(_make_pdf(PAGES[:1]), lines, font_paths=[broken])
    assert DOWNLOAD_ID in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert all(Path(p).is_file() for p in default_font_paths())


# --- a large file ----------------------------------------------------------------------


def _anonymous_memory() -> int:
    """This process's resident memory that is not file pages (RssAnon), in bytes: what
    qpdf's C++ allocations add to, unlike Python's heap (tracemalloc does not see them)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no RssAnon in /proc/self/status")


class _PeakSampler(threading.Thread):
    """The highest RssAnon seen while it runs, sampled every millisecond."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = _anonymous_memory()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.001):
            self.peak = max(self.peak, _anonymous_memory())


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux /proc")
def test_large_pdf_memory_stays_below_file_size(tmp_path):
    source, target = tmp_path / "large.pdf", tmp_path / "large-out.pdf"
    large_pdf(source, pages=300, side=120)
    size = source.stat().st_size
    assert size > 4_000_000

    with open(target, "wb") as out:
        watermark_pdf(source, io.BytesIO(), ["warm-up"])  # fonts, imports, allocator pools
        before = _anonymous_memory()
        sampler = _PeakSampler()
        sampler.start()
        try:
            count = watermark_pdf(source, out, LINES)
        finally:
            sampler.done.set()
            sampler.join()

    # Objects are parsed, stamped and written by qpdf with streams passed through: the file
    # is never in memory, not even once (the source is memory-mapped: page cache, not this
    # process's own memory). Measured: ~2 MB above the start for this 4.7 MB file.
    growth = max(sampler.peak, _anonymous_memory()) - before
    assert growth < size, f"peak {growth} bytes more for a {size}-byte file"
    assert count == 300
    reader = PdfReader(target)
    assert len(reader.pages) == 300
    for number in (0, 3, 150, 299):
        text = reader.pages[number].extract_text()
        assert DOWNLOAD_ID in text and f"Page {number + 1}," in text
    # Image data is copied as it was, not re-encoded: the file hardly grows.
    assert target.stat().st_size < size * 1.05
