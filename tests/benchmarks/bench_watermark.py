"""Watermarked download against a plain download of the same PDF (issue 20, goal 3); not
collected by pytest, run by hand:

    .venv/bin/python tests/benchmarks/bench_watermark.py
    .venv/bin/python tests/benchmarks/bench_watermark.py --pages 150 --side 365 --rounds 9

The source is made here (``tests.pdf_samples.large_pdf``): 150 pages of text, each with its own
incompressible greyscale image, about 20 MB. Both sides are what the portal does for a reader,
in this process, alternating A B A B so that a noisy machine slows both alike:

* plain: the stored file opened and streamed out as Django's ``FileResponse`` streams it (what
  a public document's reader gets);
* watermarked: what ``cms.delivery.serving`` does for a gated PDF: ``watermarked_file`` (the
  prepared copy of the stored file, kept under its SHA-256 in a cache folder made here, with
  this reader's stamp inserted, ``cms.delivery.prepared_copies``) streamed out the same way.
  The first download of a file prepares it; the rounds measure the downloads after it, and the
  first download's cost (``watermark_to_tempfile``: prepare and stamp, no cache) is printed too.

Printed: the median of each, wall-clock and CPU time, their ratio (the goal is at most 2; on a
machine busy with other work the CPU ratio is the steadier one), and the peak resident memory
of a fresh process making 1 and then 8 watermarked downloads at once (threads, as gunicorn's
threads do), next to the file's size. ``--module`` measures another implementation with the
same interface through its ``watermark_to_tempfile``, e.g. the previous one copied elsewhere
(``--path /tmp/old --module old_wm``).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sites.settings.test")

LINES = [
    "Downloaded by Rita Reader <rita@bank.example>",
    "Example Bank",
    "2026-12-07 10:04 UTC",
    "Download id: Ab3dEf9hJk2L",
]
GOAL = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=150)
    parser.add_argument("--side", type=int, default=365, help="image side in pixels, per page")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--module", default="cms.delivery.watermark")
    parser.add_argument("--path", default="", help="put this folder first on sys.path")
    parser.add_argument("--source", default="", help="an existing PDF instead of a new one")
    parser.add_argument("--memory-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.path:
        sys.path.insert(0, args.path)

    import django

    django.setup()
    module = importlib.import_module(args.module)

    if args.memory_only:
        from django.conf import settings

        with tempfile.TemporaryDirectory(prefix="bench-watermark-") as folder:
            settings.TRUSTPORTAL_WATERMARK_CACHE_DIR = folder
            watermarked_download(module, Path(args.source))  # prepared, as after a first download
            print(memory_figures(module, Path(args.source), args.concurrency))
        return

    with tempfile.TemporaryDirectory(prefix="bench-watermark-") as folder:
        from django.conf import settings

        settings.TRUSTPORTAL_WATERMARK_CACHE_DIR = str(Path(folder) / "cache")
        source = Path(args.source) if args.source else Path(folder) / "source.pdf"
        if not args.source:
            from tests.pdf_samples import large_pdf

            large_pdf(source, pages=args.pages, side=args.side)
        size = source.stat().st_size
        print(f"{args.module}: {source.name}, {size / 1e6:.1f} MB, {args.pages} pages")

        plain_times, marked_times, first_times = [], [], []
        plain_download(source)  # warm-up: the file in the page cache, imports, fonts
        watermarked_download(module, source)  # and, for the portal's path, the prepared copy
        for _ in range(args.rounds):
            plain_times.append(timed(plain_download, source))
            marked_times.append(timed(watermarked_download, module, source))
            first_times.append(timed(uncached_download, module, source))
        for label, index in (("wall-clock", 0), ("CPU (this process)", 1)):
            plain = statistics.median(t[index] for t in plain_times)
            marked = statistics.median(t[index] for t in marked_times)
            ratio = marked / plain
            verdict = "met" if ratio <= GOAL else "NOT met"
            print(
                f"{label:>18}: plain {plain * 1000:6.1f} ms, watermarked {marked * 1000:6.1f} ms"
                f" (medians of {args.rounds}): {ratio:.2f}x  (goal <= {GOAL}x: {verdict})"
            )
            # Streaming the copy out costs what streaming the original does: the rest is
            # the making of the copy ("watermark at the cost of a copy").
            print(f"{'':>18}  the copy alone (watermarked - plain): {ratio - 1:.2f}x plain")
            first = statistics.median(t[index] for t in first_times)
            print(
                f"{'':>18}  a file's first download (prepared then stamped, no cache):"
                f" {first * 1000:.1f} ms, {first / plain:.2f}x plain"
            )

        # Memory in a fresh process, so that this one's history does not count.
        command = [sys.executable, __file__, "--memory-only", "--source", str(source)]
        command += ["--module", args.module, "--concurrency", str(args.concurrency)]
        if args.path:
            command += ["--path", args.path]
        print(subprocess.run(command, check=True, capture_output=True, text=True).stdout, end="")


def timed(function, *arguments) -> tuple[float, float]:
    """Wall-clock and CPU seconds of ``function(*arguments)``: CPU time is what a shared,
    busy machine disturbs least."""
    wall, cpu = time.perf_counter(), time.process_time()
    function(*arguments)
    return time.perf_counter() - wall, time.process_time() - cpu


def drain(response) -> int:
    total = sum(len(chunk) for chunk in response.streaming_content)
    response.close()
    return total


def stored(source: Path):
    """The file as ``cms.delivery.serving`` gets it from storage (``FieldFile.open()``)."""
    from django.core.files import File

    return File(open(source, "rb"))


def plain_download(source: Path) -> int:
    from django.http import FileResponse

    return drain(FileResponse(stored(source), as_attachment=True, filename="report.pdf"))


_SHA256: dict[Path, str] = {}


class _AlwaysStored:
    def filter(self, **lookups):
        return self

    def exists(self) -> bool:
        return True


class _StoredFile:
    """What ``watermarked_file`` reads of a ``VersionFile``: the SHA-256 recorded at upload (and
    whether a file of that content is still stored: yes)."""

    objects = _AlwaysStored()

    def __init__(self, source: Path) -> None:
        if source not in _SHA256:
            _SHA256[source] = hashlib.sha256(source.read_bytes()).hexdigest()
        self.sha256 = _SHA256[source]


def watermarked_download(module, source: Path) -> int:
    from django.http import FileResponse

    if module.__name__ != "cms.delivery.watermark":  # another implementation: its own path
        return uncached_download(module, source)
    from cms.delivery.prepared_copies import watermarked_file

    with stored(source) as original:
        copy = watermarked_file(_StoredFile(source), original, LINES)
    return drain(FileResponse(copy, as_attachment=True, filename="report.pdf"))


def uncached_download(module, source: Path) -> int:
    from django.http import FileResponse

    with stored(source) as original:
        copy = module.watermark_to_tempfile(original, LINES)
    return drain(FileResponse(copy, as_attachment=True, filename="report.pdf"))


def memory_figures(module, source: Path, concurrency: int) -> str:
    """Peak resident memory above this process's baseline, for 1 then ``concurrency``
    downloads at once; sampled every millisecond (VmRSS, and RssAnon: memory that is not
    the page cache's)."""
    size = source.stat().st_size
    plain_download(source)
    baseline = _status()
    sampler = _Sampler()
    sampler.start()
    watermarked_download(module, source)
    one = sampler.take()
    threads = [
        threading.Thread(target=watermarked_download, args=(module, source))
        for _ in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    many = sampler.take()
    sampler.stop()

    def mb(value: int) -> str:
        return f"{value / 1e6:6.1f} MB"

    lines = [
        f"memory, above the process's {mb(baseline['VmRSS'])} before (file: {mb(size)}):",
        f"  1 download:   peak RSS +{mb(one['VmRSS'] - baseline['VmRSS'])}, "
        f"anonymous +{mb(one['RssAnon'] - baseline['RssAnon'])}",
        f"  {concurrency} at once:    peak RSS +{mb(many['VmRSS'] - baseline['VmRSS'])}, "
        f"anonymous +{mb(many['RssAnon'] - baseline['RssAnon'])}",
    ]
    return "\n".join(lines) + "\n"


def _status() -> dict[str, int]:
    figures = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon"):
                figures[key] = int(value.split()[0]) * 1024
    return figures


class _Sampler(threading.Thread):
    """The highest VmRSS and RssAnon seen since the last ``take()``."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = _status()
        self.lock = threading.Lock()
        self.running = True

    def run(self) -> None:
        while self.running:
            now = _status()
            with self.lock:
                self.peak = {key: max(value, now[key]) for key, value in self.peak.items()}
            time.sleep(0.001)

    def take(self) -> dict[str, int]:
        with self.lock:
            peak, self.peak = self.peak, _status()
        return peak

    def stop(self) -> None:
        self.running = False
        self.join()


if __name__ == "__main__":
    main()
