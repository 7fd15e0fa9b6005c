"""Read a PDF (pypdfium2, the ``pdf`` extra): its reference lists, each entry with its page.

:func:`read_pdf` opens the file with pypdfium2 (PDFium, the PDF engine of Chromium: fast, and
maintained), reads each page's glyphs with their boxes, sizes and weights, and its link
annotations, in a process of its own (:mod:`refcheck.readers._pdf_worker`), within bounds
(:data:`MAX_PAGES`, :data:`MAX_OBJECTS` a page, :data:`MAX_GLYPHS`, :data:`MAX_MEMORY`,
:data:`TIME_LIMIT`); :mod:`refcheck.readers._pdf_layout` does the rest
(rows, columns, headers, headings, entries; pure). Why pypdfium2 rather than pdfminer.six or
pypdf: ``docs/benchmarks.md`` has the measurements.

Each entry becomes a :class:`~refcheck.model.Citation` whose ``page`` is the page its first
row is on, ``line`` that row's number on the page, and ``box`` that row's box (points, from
the page's top left). Where a link annotation over the entry points at a DOI, that DOI is the
reference's, even when the printed DOI is cut or absent.

A file that cannot be read is a :class:`~refcheck.errors.ParseError` that says why, in one
line: encrypted, no text layer (a scan: refcheck does no OCR), damaged, or beyond the bounds.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import struct
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from refcheck._version import install_hint
from refcheck.errors import ParseError
from refcheck.model import Citation, Reference
from refcheck.readers._files import read_bytes
from refcheck.readers._pdf_layout import Entry, Glyph, Link, Page, extract_entries
from refcheck.readers.text import Manuscript, TextLine

__all__ = [
    "MAX_GLYPHS",
    "MAX_MEMORY",
    "MAX_OBJECTS",
    "MAX_PAGES",
    "TIME_LIMIT",
    "is_pdf",
    "pdf_manuscript",
    "read_pdf",
]

#: The most pages refcheck reads from one PDF.
MAX_PAGES = 2000
#: The most objects (text, paths, images) one page may draw.
MAX_OBJECTS = 200_000
#: The most characters refcheck reads from one PDF.
MAX_GLYPHS = 5_000_000
#: The most seconds reading one PDF may take.
TIME_LIMIT = 60.0
#: The most memory (address space, in bytes) the process that reads a PDF may take.
MAX_MEMORY = 1024 * 1024 * 1024

_INSTALL = f"reading PDF needs pypdfium2: {install_hint('pdf')}"
# pypdfium2 is not thread-safe: in this process, one PDF is read at a time.
_LOCK = threading.Lock()


def is_pdf(path: str | os.PathLike[str]) -> bool:
    """Whether the file starts like a PDF (``%PDF-`` within its first kilobyte). Opened without
    blocking, and only a regular file can be one: a FIFO or a device is left to the reader's
    refusal (:func:`~refcheck.readers._files.read_bytes`), not waited for."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return False
        return b"%PDF-" in os.read(descriptor, 1024)
    except OSError:
        return False
    finally:
        os.close(descriptor)


def read_pdf(path: str | os.PathLike[str]) -> Manuscript:
    """A PDF's reference lists (see the module's docstring)."""
    file = os.fspath(path)
    data = read_bytes(Path(path))
    return pdf_manuscript(pdf_pages(data, file), file)


def pdf_manuscript(pages: Sequence[Page], file: str) -> Manuscript:
    """The :class:`Manuscript` of a document's pages. Pure (parsing a linked entry aside)."""
    entries, rest = extract_entries(pages)
    lists = {e.list_index for e in entries}
    citations = []
    references: list[Reference | None] = []
    for entry in entries:
        prefix = _letter(entry.list_index) if len(lists) > 1 else ""
        citations.append(
            Citation(
                entry.text,
                file=file,
                line=entry.line,
                label=prefix + entry.label,
                page=entry.page,
                box=entry.box,
            )
        )
        references.append(_linked(entry))
    if all(r is None for r in references):
        references = []
    lines = tuple(TextLine(row.line, row.text, page=row.page) for row in rest)
    return Manuscript(
        file=file, citations=tuple(citations), text_lines=lines, references=references
    )


def _linked(entry: Entry) -> Reference | None:
    """The entry parsed, with the DOI of its link when the printed one is cut or missing."""
    if not entry.link_dois:
        return None
    from refcheck.parsing import parse_citation

    reference = parse_citation(entry.text)
    doi = entry.link_dois[0]
    printed = (reference.doi or "").lower()
    if printed == doi.lower():
        return None
    return attrs.evolve(reference, doi=doi)


def _letter(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else f"L{index + 1}-"


# --- reading with pypdfium2, in a process of its own ------------------------------------------

#: The worker: a script run by the interpreter refcheck runs in (see its docstring).
_WORKER = Path(__file__).with_name("_pdf_worker.py")
_GLYPH = struct.Struct("5d")


def pdf_pages(data: bytes, file: str) -> list[Page]:
    """The pages of a PDF's bytes: glyphs and links (see the module's docstring).

    PDFium reads them in a process of its own (:mod:`refcheck.readers._pdf_worker`), whose
    address space is limited to :data:`MAX_MEMORY` (where the system allows it: Linux, the
    BSDs) and which is killed past :data:`TIME_LIMIT`: a PDF bomb costs that process, and
    nothing else. Where no interpreter can be started, PDFium reads in this process, bounded
    in pages, objects and characters only."""
    try:
        import pypdfium2  # noqa: F401  (the worker's import; the error belongs here)
    except ImportError as exc:
        raise ParseError(f"{file}: {_INSTALL}") from exc
    limits = {
        "max_pages": MAX_PAGES,
        "max_objects": MAX_OBJECTS,
        "max_glyphs": MAX_GLYPHS,
        "memory": MAX_MEMORY,
    }
    try:
        output, crashed = _run_worker(data, limits, file)
    except OSError:
        from refcheck.readers import _pdf_worker

        output, crashed = _in_process(_pdf_worker, data, limits), None
    pages = _decode(output, file, crashed)
    if not any(g.text.strip() for page in pages for g in page.glyphs):
        raise ParseError(
            f"{file} has no text layer (a scanned PDF?): refcheck does not do OCR; run OCR "
            "first (for example ocrmypdf) and check the result"
        )
    return pages


def _in_process(worker: Any, data: bytes, limits: dict[str, Any]) -> bytes:
    parts: list[bytes] = []
    with _LOCK:
        for frame in worker.frames(data, limits):
            worker.write(frame, parts.append)
    return b"".join(parts)


def _run_worker(data: bytes, limits: dict[str, Any], file: str) -> tuple[bytes, str | None]:
    """The worker's output, and how it ended when it did not end well (``None`` when it did):
    "memory" (aborted: PDFium aborts when an allocation fails, as the address-space bound makes
    it), "crash" (killed by another signal: a segmentation fault, PDFium's checks), or the
    last line it wrote on stderr when it exited with an error. (Its peak memory would not
    tell: a child's ``ru_maxrss`` counts what its parent held when it was forked.)"""
    process = subprocess.Popen(
        [sys.executable, str(_WORKER), json.dumps(limits)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    chunks: list[bytes] = []
    errors = bytearray()  # the tail of what it wrote on stderr (a traceback, a warning)
    ended: list[int] = []  # the exit status (negative: the signal that ended it)

    def feed() -> None:
        assert process.stdin is not None
        try:
            process.stdin.write(data)
        except OSError:  # the worker stopped reading: it ended, or was ended
            pass
        finally:
            with contextlib.suppress(OSError):
                process.stdin.close()

    def drain() -> None:
        assert process.stdout is not None
        for chunk in iter(lambda: process.stdout.read(1 << 16), b""):  # type: ignore[union-attr]
            chunks.append(chunk)

    def drain_errors() -> None:
        assert process.stderr is not None
        for chunk in iter(lambda: process.stderr.read(1 << 12), b""):  # type: ignore[union-attr]
            errors.extend(chunk)
            del errors[: max(0, len(errors) - 4096)]

    def reap() -> None:
        ended.append(process.wait())

    threads = [threading.Thread(target=t, daemon=True) for t in (feed, drain, drain_errors)]
    reaper = threading.Thread(target=reap, daemon=True)
    for thread in (*threads, reaper):
        thread.start()
    reaper.join(TIME_LIMIT)
    if reaper.is_alive():
        process.kill()
        reaper.join()
        for thread in threads:
            thread.join(5)
        raise ParseError(f"{file}: reading took longer than {TIME_LIMIT:g} s; given up")
    # The worker has ended: its pipes close, and what it wrote is read to the end (a loaded
    # machine may take a while to hand it over; a cut output would read as a damaged PDF).
    for thread in threads:
        thread.join(TIME_LIMIT)
    status = ended[0]
    ending = None
    if status < 0:
        # Killed by a signal: PDFium ends the process when an allocation fails (the address
        # space bound), or when it crashes on a damaged file.
        ending = "memory" if -status == getattr(signal, "SIGABRT", 6) else "crash"
    elif status > 0:
        lines = bytes(errors).decode("utf-8", "replace").strip().splitlines()
        ending = f"exit status {status}" + (f": {lines[-1].strip()}" if lines else "")
    return b"".join(chunks), ending


def _decode(output: bytes, file: str, crashed: str | None) -> list[Page]:
    """The pages of the worker's frames; a :class:`ParseError` for the frame that says why
    the PDF cannot be read, or for output cut short."""
    pages: list[Page] = []
    view = memoryview(output)
    at = 0
    while True:
        end = output.find(b"\n", at)
        if end < 0:
            break
        head = json.loads(output[at:end])
        at = end + 1
        if "error" in head:
            raise _error(head, file, len(pages))
        if head.get("end"):
            return pages
        n, size = int(head["glyphs"]), int(head["text"])
        text = bytes(view[at : at + size]).decode("utf-8", "replace")
        at += size
        numbers = view[at : at + n * _GLYPH.size]
        at += n * _GLYPH.size
        bold = view[at : at + n]
        at += n
        glyphs = tuple(
            Glyph(ch, x0, top, x1, bottom, fsize, bool(b))
            for ch, (x0, top, x1, bottom, fsize), b in zip(
                text, _GLYPH.iter_unpack(numbers), bold, strict=True
            )
        )
        links = tuple(Link(*link) for link in head["links"])
        pages.append(Page(int(head["page"]), head["width"], head["height"], glyphs, links))
    if crashed == "memory":
        raise ParseError(
            f"{file}: reading it needed more than the {MAX_MEMORY // 2**20:,} MiB of memory "
            f"refcheck gives a PDF (a stream that inflates to gigabytes?); given up at page "
            f"{len(pages) + 1}"
        )
    if crashed is not None and crashed != "crash":
        raise ParseError(
            f"{file}: refcheck's PDF reading process failed at page {len(pages) + 1} "
            f"({crashed}); please report it with the file"
        )
    raise ParseError(
        f"{file} is not a readable PDF (damaged?): PDFium stopped at page {len(pages) + 1}"
    )


def _error(head: dict[str, Any], file: str, read: int) -> ParseError:
    kind = head["error"]
    if kind == "install":
        return ParseError(f"{file}: {_INSTALL}")
    if kind == "encrypted":
        return ParseError(f"{file} is encrypted: refcheck cannot read a password-protected PDF")
    if kind == "damaged":
        return ParseError(
            f"{file} is not a readable PDF (damaged or not a PDF): {head.get('message', '')}"
        )
    if kind == "no-pages":
        return ParseError(f"{file} is a PDF without pages")
    if kind == "pages":
        return ParseError(
            f"{file} has {head['count']:,} pages, more than the {MAX_PAGES:,} refcheck reads"
        )
    if kind == "page":
        return ParseError(f"{file}: page {head['page']} cannot be read: {head.get('message')}")
    if kind == "objects":
        return ParseError(
            f"{file}: page {head['page']} draws {head['count']:,} objects, more than the "
            f"{MAX_OBJECTS:,} refcheck reads"
        )
    if kind == "glyphs":
        return ParseError(f"{file} holds more than the {MAX_GLYPHS:,} characters refcheck reads")
    return ParseError(
        f"{file}: reading it needed more than the {MAX_MEMORY // 2**20:,} MiB of memory "
        f"refcheck gives a PDF; given up at page {read + 1}"
    )
