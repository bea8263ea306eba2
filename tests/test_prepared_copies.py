"""Prepared copies (cms/delivery/prepared_copies.py, cms/delivery/watermark/prepared.py): each
stored gated PDF is prepared once and kept; every reader's copy is that file with the reader's
stamp inserted. What a reader gets must be as good as a copy made from scratch, whatever state
the kept files are in."""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import threading
import zlib
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from cms.delivery import prepared_copies
from cms.delivery.prepared_copies import forget, trim, watermarked_file
from cms.delivery.watermark import WatermarkError, watermark_pdf
from cms.delivery.watermark import prepared as prepared_module
from tests.pdf_samples import large_pdf
from tests.test_watermark import PAGES, _make_pdf


def _lines(download_id: str) -> list[str]:
    return [f"Downloaded by Reader {download_id}", "Example Bank", f"Download id: {download_id}"]


class _AlwaysStored:
    """``VersionFile.objects`` as ``watermarked_file`` asks it: is a file of this content
    still stored? (Yes: the database test at the end asks the real one.)"""

    def filter(self, **lookups):
        return self

    def exists(self) -> bool:
        return True


class _VersionFile:
    """What ``watermarked_file`` reads of a VersionFile: the SHA-256 recorded at upload."""

    objects = _AlwaysStored()

    def __init__(self, data: bytes) -> None:
        self.sha256 = hashlib.sha256(data).hexdigest()


@pytest.fixture
def cache(settings, tmp_path) -> Path:
    folder = tmp_path / "watermark-cache"
    settings.TRUSTPORTAL_WATERMARK_CACHE_DIR = str(folder)
    return folder


@pytest.fixture
def preparations(monkeypatch) -> list:
    """Every preparation of a source, as it happens (from any thread)."""
    made = []
    real = prepared_copies.prepare

    def counting(source, path):
        made.append(path)
        return real(source, path)

    monkeypatch.setattr(prepared_copies, "prepare", counting)
    return made


def _download(data: bytes, download_id: str, version_file=None) -> bytes:
    with watermarked_file(
        version_file or _VersionFile(data), io.BytesIO(data), _lines(download_id)
    ) as copy:
        return copy.read()


def _ids_on_every_page(data: bytes) -> list[set[str]]:
    return [
        set(re.findall(r"Download id: (\w+)", page.extract_text()))
        for page in PdfReader(io.BytesIO(data), strict=True).pages
    ]


def test_readers_copies_come_from_one_preparation_and_carry_their_own_stamp(cache, preparations):
    source = _make_pdf(PAGES * 3)
    first, second = _download(source, "FirstReader1"), _download(source, "SecondReadr2")
    assert len(preparations) == 1
    assert _ids_on_every_page(first) == [{"FirstReader1"}] * len(PAGES) * 3
    assert _ids_on_every_page(second) == [{"SecondReadr2"}] * len(PAGES) * 3
    # The same document as a copy made from scratch: pages, their text, their boxes.
    scratch = io.BytesIO()
    watermark_pdf(io.BytesIO(source), scratch, _lines("SecondReadr2"))
    ours, theirs = PdfReader(io.BytesIO(second)), PdfReader(io.BytesIO(scratch.getvalue()))
    assert [p.extract_text() for p in ours.pages] == [p.extract_text() for p in theirs.pages]
    assert [(p.cropbox, p.rotation) for p in ours.pages] == [
        (p.cropbox, p.rotation) for p in theirs.pages
    ]
    # Each copy is its own file: a per-copy identifier, one revision, no slot left behind.
    ids = [PdfReader(io.BytesIO(d)).trailer["/ID"] for d in (first, second)]
    assert ids[0][0] == ids[1][0] and ids[0][1] != ids[1][1]
    for data in (first, second):
        assert data.count(b"%%EOF") == 1 and b"TPWatermarkSlot" not in data
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert pdf.check_pdf_syntax() == [] and pdf.get_warnings() == []


def test_the_stamps_come_before_the_pages(cache):
    """Cutting a copy short takes pages with it: no cut of it is the unstamped document."""
    data = _download(_make_pdf(PAGES), "CutHereOrNot")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        offsets = {objgen: entry.offset for objgen, entry in pdf.get_xref_table().items()}
        stamps = [
            form.objgen
            for page in pdf.pages
            for form in page.obj.Resources.XObject.values()
            if str(form.get("/Subtype")) == "/Form"
        ]
        pages = [page.obj.objgen for page in pdf.pages]
    assert max(offsets[s] for s in stamps) < min(offsets[p] for p in pages)


def test_sources_with_object_streams_get_a_cross_reference_stream(cache):
    with pikepdf.open(io.BytesIO(_make_pdf(PAGES))) as pdf:
        packed = io.BytesIO()
        pdf.save(packed, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    data = _download(packed.getvalue(), "PackedObjcts")
    assert b"/Type /XRef" in data and b"\nxref\n" not in data
    assert _ids_on_every_page(data) == [{"PackedObjcts"}] * len(PAGES)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.check_pdf_syntax() == [] and pdf.get_warnings() == []


def test_non_latin_names_embed_their_font_in_the_copy(cache):
    name = "Downloaded by 山田太郎 / Иван"
    with watermarked_file(
        _VersionFile(_make_pdf(PAGES[:2])),
        io.BytesIO(_make_pdf(PAGES[:2])),
        [name, "Download id: Unicode5678"],
    ) as copy:
        data = copy.read()
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Иван" in text and "Unicode5678" in text


def test_first_downloads_at_once_prepare_the_file_once(cache, preparations):
    source = _make_pdf(PAGES * 5)
    copies: dict[int, bytes] = {}

    def reader(n: int) -> None:
        copies[n] = _download(source, f"Concurrent{n:02d}")

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(preparations) == 1
    for n, data in copies.items():
        assert _ids_on_every_page(data) == [{f"Concurrent{n:02d}"}] * len(PAGES) * 5
    assert len(copies) == 8


@pytest.mark.parametrize("damage", ["truncated", "replaced", "description", "format"])
def test_a_damaged_or_outdated_kept_copy_is_prepared_again(
    cache, preparations, damage, monkeypatch
):
    source = _make_pdf(PAGES)
    _download(source, "BeforeDamage")
    sha = _VersionFile(source).sha256
    kept, description = cache / sha[:2] / f"{sha}.pdf", cache / sha[:2] / f"{sha}.json"
    if damage == "truncated":
        kept.write_bytes(kept.read_bytes()[:-100])
    elif damage == "replaced":  # another file of another size under the name
        kept.write_bytes(_make_pdf(PAGES[:1]))
    elif damage == "description":
        description.write_text("{not json")
    else:  # a release that prepares differently
        monkeypatch.setattr(prepared_copies, "FORMAT", prepared_module.FORMAT + 1)
    prepared_copies._described.clear()  # as another process (or a restarted one) reads it
    data = _download(source, "AfterDamage1")
    assert len(preparations) == 2
    assert _ids_on_every_page(data) == [{"AfterDamage1"}] * len(PAGES)


def test_a_stored_file_that_does_not_match_its_hash_is_watermarked_but_not_kept(
    cache, preparations
):
    recorded, stored = _make_pdf(PAGES[:2]), _make_pdf(PAGES[2:4])
    data = _download(stored, "Mismatched12", version_file=_VersionFile(recorded))
    assert _ids_on_every_page(data) == [{"Mismatched12"}] * 2
    assert "Original text of page 1" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert not list(cache.glob("*/*.pdf")) and not list(cache.glob("*/*.json"))


def test_a_file_that_cannot_be_watermarked_leaves_nothing_behind(cache):
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_make_pdf(PAGES[:1]))))
    writer.encrypt(user_password="", owner_password="owner")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    with pytest.raises(WatermarkError) as raised:
        _download(encrypted.getvalue(), "NeverServed1")
    assert raised.value.reason == "encrypted"
    assert [p for p in cache.rglob("*") if p.is_file() and p.suffix != ".lock"] == []


def test_kept_copies_are_readable_by_the_portal_only(cache):
    source = _make_pdf(PAGES[:1])
    _download(source, "Permissions1")
    sha = _VersionFile(source).sha256
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE((cache / sha[:2]).stat().st_mode) == 0o700
    assert stat.S_IMODE((cache / sha[:2] / f"{sha}.pdf").stat().st_mode) == 0o600


def test_a_copy_being_read_survives_its_file_being_forgotten(cache):
    source = _make_pdf(PAGES * 4)
    _download(source, "Warmup123456")
    with watermarked_file(_VersionFile(source), io.BytesIO(source), _lines("WhileForgot1")) as copy:
        head = copy.read(1000)
        forget(_VersionFile(source).sha256)
        data = head + copy.read()
    assert not list(cache.glob("*/*.pdf"))
    assert _ids_on_every_page(data) == [{"WhileForgot1"}] * len(PAGES) * 4


def test_the_least_recently_used_copies_go_first(cache):
    sources = [_make_pdf(PAGES[: n + 1]) for n in range(3)]
    for n, source in enumerate(sources):
        _download(source, f"Trim{n}0000000")
        description = (
            cache / _VersionFile(source).sha256[:2] / f"{_VersionFile(source).sha256}.json"
        )
        os.utime(description, (1_000_000 + n, 1_000_000 + n))
    _download(sources[0], "TrimUsedAgain")  # the oldest, used again: now the most recent
    sizes = {
        n: (cache / _VersionFile(s).sha256[:2] / f"{_VersionFile(s).sha256}.pdf").stat().st_size
        for n, s in enumerate(sources)
    }
    trim(cache, limit=sizes[0] + sizes[2])
    kept = {
        n
        for n, s in enumerate(sources)
        if (cache / _VersionFile(s).sha256[:2] / f"{_VersionFile(s).sha256}.pdf").exists()
    }
    assert kept == {0, 2}


def test_without_a_cache_folder_every_copy_is_made_from_the_stored_file(settings, preparations):
    settings.TRUSTPORTAL_WATERMARK_CACHE_DIR = ""
    source = _make_pdf(PAGES[:2])
    assert _ids_on_every_page(_download(source, "NoCacheAt001")) == [{"NoCacheAt001"}] * 2
    assert preparations == []  # prepared inside watermark_to_tempfile, into a temporary folder


def test_a_large_copy_is_read_from_the_kept_file_not_memory(cache, tmp_path):
    path = tmp_path / "large.pdf"
    large_pdf(path, pages=30, side=200)
    data = path.read_bytes()
    with watermarked_file(_VersionFile(data), open(path, "rb"), _lines("LargeCopy123")) as copy:
        raw = copy.raw
        # The reader's part in memory is the header, the stamps and the cross-reference data:
        # kilobytes, however large the file.
        in_memory = sum(length for _, length, where in raw._parts if isinstance(where, bytes))
        assert in_memory < 64 * 1024 < len(data)
        out = copy.read()
    assert _ids_on_every_page(out) == [{"LargeCopy123"}] * 30


@pytest.mark.django_db
def test_deleting_the_last_version_file_of_a_content_forgets_its_copy(
    cache, users, django_capture_on_commit_callbacks
):
    from django.test import Client

    from cms.delivery.links import signed_download_url
    from cms.models import VersionFile
    from tests import factories

    version = factories.document("nda").versions.get()
    client = Client()
    client.force_login(users["member_nda"])
    response = client.get(signed_download_url(version.pk, "en", users["member_nda"]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    stored = VersionFile.objects.get(version=version)
    kept = cache / stored.sha256[:2] / f"{stored.sha256}.pdf"
    assert kept.exists()
    others = VersionFile.objects.filter(sha256=stored.sha256).exclude(pk=stored.pk)
    with django_capture_on_commit_callbacks(execute=True):
        others.delete()
    with django_capture_on_commit_callbacks(execute=True):
        stored.delete()
    assert not kept.exists()


def test_an_unusable_cache_folder_still_serves_the_reader(settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    settings.TRUSTPORTAL_WATERMARK_CACHE_DIR = str(blocker / "watermark-cache")
    data = _download(_make_pdf(PAGES[:2]), "NoFolder1234")
    assert _ids_on_every_page(data) == [{"NoFolder1234"}] * 2


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: {**d, "body": [[d["body"][0][0], d["file_size"] + 100]]},  # past the end
        lambda d: {**d, "body": list(reversed(d["body"])) + [[0, 1]]},  # out of order
        lambda d: {**d, "xref": [*d["xref"][:1], [1, 10**9, 0], *d["xref"][2:]]},  # outside
        lambda d: {**d, "slots": []},
        lambda d: {**d, "header": -5},
        lambda d: {**d, "xref": "nothing"},
    ],
)
def test_a_description_that_does_not_fit_its_file_is_prepared_again(cache, preparations, tamper):
    import json

    source = _make_pdf(PAGES)
    _download(source, "BeforeTamper")
    sha = _VersionFile(source).sha256
    description = cache / sha[:2] / f"{sha}.json"
    description.write_text(json.dumps(tamper(json.loads(description.read_text()))))
    prepared_copies._described.clear()
    assert _ids_on_every_page(_download(source, "AfterTamper1")) == [{"AfterTamper1"}] * len(PAGES)
    assert len(preparations) == 2


def test_a_source_that_names_its_objects_like_slots_is_stamped_all_the_same(cache):
    with pikepdf.open(io.BytesIO(_make_pdf(PAGES[:3]))) as pdf:
        fake = pikepdf.Stream(pdf, b"")
        fake["/TPWatermarkSlot"] = pikepdf.Name("/NotANumber")
        fake["/BBox"] = pikepdf.Array([0, 0, 1, 1])
        pdf.Root.Decoy = pdf.make_indirect(fake)
        out = io.BytesIO()
        pdf.save(out)
    assert _ids_on_every_page(_download(out.getvalue(), "DecoySlot123")) == [{"DecoySlot123"}] * 3


def test_document_information_written_in_the_trailer_is_kept(cache):
    with pikepdf.open(io.BytesIO(_make_pdf(PAGES[:2]))) as pdf:
        pdf.trailer.Info = pikepdf.Dictionary(Title=pikepdf.String("SOC 2 Type 2 report"))
        assert not pdf.trailer.Info.is_indirect
        out = io.BytesIO()
        pdf.save(out)
    data = _download(out.getvalue(), "InfoDirect12")
    reader = PdfReader(io.BytesIO(data), strict=True)
    assert reader.metadata.title == "SOC 2 Type 2 report"
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.get_warnings() == []


def test_an_object_stream_index_beyond_two_bytes_is_written_wide_enough():
    entries = [(0, 0, 65535), (1, 15, 0), (2, 1, 70_000), (1, 400, 0)]
    section = prepared_module._cross_reference(entries, b"/Root 1 0 R", 1000)
    header, _, rest = section.partition(b"stream\n")
    assert b"/W [1 4 3]" in header
    rows = zlib.decompress(rest.partition(b"\nendstream")[0])
    width = 1 + 4 + 3
    third_row = rows[2 * width : 3 * width]
    assert third_row[0] == 2 and int.from_bytes(third_row[5:], "big") == 70_000


def test_forgetting_waits_for_a_preparation_under_way(cache):
    source = _make_pdf(PAGES[:1])
    sha = _VersionFile(source).sha256
    _download(source, "FirstOfAll12")
    base = cache / sha[:2] / sha
    finished = threading.Event()
    with prepared_copies._locked(base):  # a preparation of this file, under way
        forgetting = threading.Thread(target=lambda: (forget(sha), finished.set()))
        forgetting.start()
        assert not finished.wait(0.3)  # forget waits for it...
        assert base.with_suffix(".pdf").exists()
    forgetting.join(5)
    assert finished.is_set() and not base.with_suffix(".pdf").exists()  # ...then removes it


def test_a_file_deleted_while_its_first_download_waited_is_not_kept(cache):
    source = _make_pdf(PAGES[:1])
    sha = _VersionFile(source).sha256
    prepared = prepared_copies.prepared_copy(sha, io.BytesIO(source), wanted=lambda: False)
    assert prepared is None
    assert not list(cache.glob("*/*.pdf")) and not list(cache.glob("*/*.json"))
