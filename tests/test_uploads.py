"""Unit tests of cms/files/uploads.py: type checks by content, size limits and safe stored names.

No database: these run without the demo seed."""

from __future__ import annotations

import functools
import io
import re
import zipfile
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from cms.files.uploads import (
    ALLOWED_TYPES,
    SNIFF_BYTES,
    detect_type,
    extension_of,
    safe_stored_name,
    sha256_of,
    validate_upload,
)
from sites.demo.pdf import render_document_pdf

# --- sample files ----------------------------------------------------------------------------


@functools.cache
def pdf_bytes() -> bytes:
    return render_document_pdf("Audit report", "2026", date(2026, 1, 1), "Summary", "Changes")


def zip_bytes(members: dict[str, str]) -> bytes:
    """A ZIP whose entries are written in the given order (filetype looks at that order)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


CONTENT_TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
RELS = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'


def docx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": RELS,
            "word/document.xml": "<w:document/>",
        }
    )


def xlsx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": RELS,
            "xl/workbook.xml": "<workbook/>",
        }
    )


def pptx_bytes() -> bytes:
    return zip_bytes(
        {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": RELS, "ppt/presentation.xml": "<p/>"}
    )


def plain_zip_bytes() -> bytes:
    return zip_bytes({"readme.txt": "hello", "data/report.csv": "a,b\n1,2\n"})


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    + b"\x00" * 32
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
UTF8_CSV = "city,note\nZürich,größer €\nKraków,żółć\n東京,テスト\n".encode()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def rejection(name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_upload(upload(name, content))
    return caught.value


# --- accepted --------------------------------------------------------------------------------

ACCEPTED = {
    "pdf": ("audit-report.pdf", pdf_bytes),
    "pdf_upper_case_extension": ("AUDIT-REPORT.PDF", pdf_bytes),
    "docx": ("policy.docx", docx_bytes),
    "xlsx": ("controls.xlsx", xlsx_bytes),
    "pptx": ("overview.pptx", pptx_bytes),
    "zip": ("evidence.zip", plain_zip_bytes),
    "utf8_csv": ("sub-processors.csv", lambda: UTF8_CSV),
    "utf8_csv_with_bom": ("sub-processors.csv", lambda: b"\xef\xbb\xbf" + UTF8_CSV),
    "txt": ("notes.txt", lambda: "Plain notes — with a dash.\n".encode()),
    "json": ("sbom.json", lambda: b'{"components": []}'),
    "png": ("diagram.png", lambda: PNG),
    "jpeg_as_jpeg": ("photo.jpeg", lambda: JPEG),
    "jpeg_as_jpg": ("photo.jpg", lambda: JPEG),
}


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_accepts_files_whose_content_matches_their_name(case):
    name, make = ACCEPTED[case]
    content = make()
    file = upload(name, content)
    assert validate_upload(file) is None
    # Validation rewinds the upload, so saving it afterwards stores all of it.
    assert file.tell() == 0
    assert file.read() == content


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (pdf_bytes, "pdf"),
        (docx_bytes, "docx"),
        (xlsx_bytes, "xlsx"),
        (pptx_bytes, "pptx"),
        (plain_zip_bytes, "zip"),
        (lambda: UTF8_CSV, "txt"),
        (lambda: PNG, "png"),
        (lambda: JPEG, "jpg"),
        (lambda: EXE, "exe"),
        (lambda: b"\x00\x01\x02binary", None),
    ],
)
def test_detect_type_goes_by_content(make, expected):
    assert detect_type(ContentFile(make(), name="whatever.bin")) == expected


def test_utf8_text_cut_inside_a_character_at_the_sniff_boundary_is_still_text():
    # "€" is three bytes; put one across the end of the sniffed block.
    content = b"a" * (SNIFF_BYTES - 1) + "€ and more text\n".encode()
    assert detect_type(ContentFile(content)) == "txt"
    validate_upload(upload("big.csv", content))


def test_accepts_a_file_of_exactly_the_maximum_size(settings):
    settings.TRUSTPORTAL_UPLOAD_MAX_BYTES = len(UTF8_CSV)
    validate_upload(upload("list.csv", UTF8_CSV))


def test_accepts_a_django_content_file_as_well():
    # Factories and the demo seed pass ContentFile objects rather than uploads.
    validate_upload(ContentFile(pdf_bytes(), name="seeded.pdf"))


# --- rejected --------------------------------------------------------------------------------

MISMATCHES = {
    "pdf_named_docx": ("policy.docx", pdf_bytes, "docx"),
    "exe_named_pdf": ("report.pdf", lambda: EXE, "pdf"),
    "text_named_pdf": ("report.pdf", lambda: b"%not really a PDF\njust text\n", "pdf"),
    "plain_zip_named_docx": ("policy.docx", plain_zip_bytes, "docx"),
    "docx_named_xlsx": ("controls.xlsx", docx_bytes, "xlsx"),
    "pdf_named_csv": ("list.csv", pdf_bytes, "csv"),
    "exe_named_txt": ("notes.txt", lambda: EXE, "txt"),
    "binary_named_txt": ("notes.txt", lambda: b"abc\x00\x01\x02def", "txt"),
    "png_named_jpg": ("photo.jpg", lambda: PNG, "jpg"),
    "latin1_csv": ("list.csv", lambda: "Zürich,Genève,ok\n".encode("latin-1") + b"x" * 20, "csv"),
}


@pytest.mark.parametrize("case", sorted(MISMATCHES))
def test_rejects_content_that_does_not_match_the_name(case):
    name, make, ext = MISMATCHES[case]
    error = rejection(name, make())
    assert error.code == "content_mismatch"
    assert error.messages == [
        f"The file is named “.{ext}” but its content is not a {ext.upper()} file."
    ]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("setup.exe", "exe"),
        ("page.html", "html"),
        ("script.js", "js"),
        ("archive.tar.gz", "gz"),
        ("README", "?"),
    ],
)
def test_rejects_extensions_that_are_not_allowed(name, shown):
    error = rejection(name, b"MZ" + b"\x00" * 10)
    assert error.code == "type_not_allowed"
    (message,) = error.messages
    assert message.startswith(f"Files of type “.{shown}” are not allowed. Allowed: ")
    assert message.endswith(", ".join(sorted(ALLOWED_TYPES)) + ".")


def test_rejects_empty_files():
    error = rejection("report.pdf", b"")
    assert error.code == "empty_file"
    assert error.messages == ["The file is empty."]


def test_rejects_files_over_the_limit(settings):
    settings.TRUSTPORTAL_UPLOAD_MAX_BYTES = 1024
    error = rejection("report.pdf", pdf_bytes())
    assert len(pdf_bytes()) > 1024
    assert error.code == "file_too_large"
    (message,) = error.messages
    assert message.startswith("The file is ")
    assert message.endswith("; the largest allowed is 1.0\xa0KB.")


def test_size_limit_is_checked_before_reading_the_content(settings):
    settings.TRUSTPORTAL_UPLOAD_MAX_BYTES = 10
    # An over-size file is refused for its size, whatever it claims to be.
    assert rejection("setup.exe", EXE).code == "file_too_large"


def test_one_byte_over_the_limit_is_refused(settings):
    settings.TRUSTPORTAL_UPLOAD_MAX_BYTES = len(UTF8_CSV) - 1
    assert rejection("list.csv", UTF8_CSV).code == "file_too_large"


def test_rejects_non_utf8_text_even_when_the_bad_byte_is_at_the_end():
    error = rejection("cities.csv", "city\nGeneva\nCafé".encode("latin-1"))
    assert error.code == "content_mismatch"


# --- stored names ----------------------------------------------------------------------------

STORED_NAME = re.compile(r"^versions/[0-9a-f]{32}/[a-z0-9_-]{1,80}\.[a-z0-9]+$")


@pytest.mark.parametrize(
    ("uploaded_name", "extension"),
    [
        ("audit-report.pdf", "pdf"),
        ("Audit Report 2026 (final).PDF", "pdf"),
        ("../../etc/passwd.pdf", "pdf"),
        ("/absolute/path/to/report.docx", "docx"),
        ("..\\..\\windows\\system32\\evil.xlsx", "xlsx"),
        ("C:\\Users\\eli\\Desktop\\controls.xlsx", "xlsx"),
        ("report.pdf/../../../x.zip", "zip"),
        ("....pdf.zip", "zip"),
        ("a..pdf", "pdf"),
        ("ünïcödé nämé.csv", "csv"),
        ("photo.JPEG", "jpg"),
        ("東京.pdf", "pdf"),
        ("<script>alert(1)</script>.txt", "txt"),
        ("x" * 300 + ".pdf", "pdf"),
    ],
)
def test_safe_stored_name_drops_paths_and_keeps_the_extension(uploaded_name, extension):
    stored = safe_stored_name(None, uploaded_name)
    assert STORED_NAME.match(stored), stored
    assert stored.endswith(f".{extension}")
    assert ".." not in stored
    assert "\\" not in stored
    directory, _slash, file_name = stored.rpartition("/")
    assert directory.count("/") == 1  # versions/<random>/, nothing from the uploader
    assert file_name.rsplit(".", 1)[0]  # a stem is always there ("document" if nothing is left)


def test_safe_stored_name_falls_back_to_document_and_is_unguessable():
    first = safe_stored_name(None, "東京.pdf")
    second = safe_stored_name(None, "東京.pdf")
    assert first.endswith("/document.pdf") and second.endswith("/document.pdf")
    assert first != second  # a fresh random directory each time
    assert safe_stored_name(None, "Audit Report.pdf").endswith("/audit-report.pdf")


@pytest.mark.parametrize(
    "uploaded_name", ["evil.p\\df", "a.pdf\\..\\..\\b", "x.\\..\\..\\pdf", "README"]
)
def test_safe_stored_name_sanitises_even_names_validation_would_refuse(uploaded_name):
    stored = safe_stored_name(None, uploaded_name)
    assert STORED_NAME.match(stored), stored


# --- helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "extension"),
    [("a.PDF", "pdf"), ("a.jpeg", "jpg"), ("a.tar.gz", "gz"), ("README", ""), ("dir.d/file", "")],
)
def test_extension_of(name, extension):
    assert extension_of(name) == extension


def test_sha256_of_hashes_everything_and_rewinds():
    import hashlib

    content = pdf_bytes() + b"x" * 200_000  # several 64 KiB chunks
    file = ContentFile(content)
    file.read(10)
    assert sha256_of(file) == hashlib.sha256(content).hexdigest()
    assert file.tell() == 0
