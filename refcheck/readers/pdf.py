"""Read a PDF (pypdfium2, the ``pdf`` extra): its reference lists, each entry with its page.

:func:`read_pdf` opens the file with pypdfium2 (PDFium, the PDF engine of Chromium: fast, and
maintained), reads each page's glyphs with their boxes, sizes and weights, and its link
annotations, within bounds (:data:`MAX_PAGES`, :data:`MAX_OBJECTS` a page,
:data:`MAX_GLYPHS`, :data:`TIME_LIMIT`); :mod:`refcheck.readers._pdf_layout` does the rest
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

import atexit
import ctypes
import os
import stat
import sys
import threading
import time
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

_INSTALL = f"reading PDF needs pypdfium2: {install_hint('pdf')}"
# pypdfium2 is not thread-safe: one PDF is read at a time.
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


# --- reading with pypdfium2 -------------------------------------------------------------------


def pdf_pages(data: bytes, file: str) -> list[Page]:
    """The pages of a PDF's bytes: glyphs and links (see the module's docstring)."""
    try:
        import pypdfium2 as pdfium
    except ImportError as exc:
        raise ParseError(f"{file}: {_INSTALL}") from exc
    if not _LOCK.acquire(timeout=TIME_LIMIT):
        raise ParseError(f"{file}: another PDF is still being read; try again later")
    # PDFium runs in a thread of its own, so that a page that takes forever (a stream that
    # inflates to gigabytes) cannot hang refcheck: past the time limit, the read is given up
    # (the thread ends when PDFium returns; it holds the lock until then).
    result: list[list[Page]] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            result.append(_pages(pdfium, data, file))
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)
        finally:
            _LOCK.release()

    thread = threading.Thread(target=work, name="refcheck-pdf", daemon=True)
    thread.start()
    thread.join(TIME_LIMIT + 1)
    if thread.is_alive():
        _on_exit_wait_for(thread)
        raise ParseError(f"{file}: reading took longer than {TIME_LIMIT:g} s; given up")
    if failure:
        raise failure[0]
    return result[0]


#: How long the interpreter's exit waits for a PDF read that was given up.
EXIT_GRACE = 10.0


def _on_exit_wait_for(thread: threading.Thread) -> None:
    """At exit, wait for a given-up PDF read to return before pypdfium2 closes PDFium (which
    would crash under it); past :data:`EXIT_GRACE`, end the process at once, with exit
    code 2 (the file could not be read)."""

    def wait() -> None:
        thread.join(EXIT_GRACE)
        if thread.is_alive():
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(2)

    atexit.register(wait)


def _pages(pdfium: Any, data: bytes, file: str) -> list[Page]:
    deadline = time.monotonic() + TIME_LIMIT
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise ParseError(
                f"{file} is encrypted: refcheck cannot read a password-protected PDF"
            ) from exc
        raise ParseError(f"{file} is not a readable PDF (damaged or not a PDF): {message}") from exc
    try:
        count = len(document)
        if count == 0:
            raise ParseError(f"{file} is a PDF without pages")
        if count > MAX_PAGES:
            raise ParseError(
                f"{file} has {count:,} pages, more than the {MAX_PAGES:,} refcheck reads"
            )
        pages: list[Page] = []
        glyphs = 0
        for index in range(count):
            if time.monotonic() > deadline:
                raise ParseError(
                    f"{file}: reading took longer than {TIME_LIMIT:g} s "
                    f"(page {index + 1} of {count})"
                )
            page = _page(pdfium, document, index, file, deadline)
            glyphs += len(page.glyphs)
            if glyphs > MAX_GLYPHS:
                raise ParseError(
                    f"{file} holds more than the {MAX_GLYPHS:,} characters refcheck reads"
                )
            pages.append(page)
    finally:
        document.close()
    if not any(g.text.strip() for page in pages for g in page.glyphs):
        raise ParseError(
            f"{file} has no text layer (a scanned PDF?): refcheck does not do OCR; run OCR "
            "first (for example ocrmypdf) and check the result"
        )
    return pages


def _page(pdfium: Any, document: Any, index: int, file: str, deadline: float) -> Page:
    raw = pdfium.raw
    try:
        page = document[index]
    except pdfium.PdfiumError as exc:
        raise ParseError(f"{file}: page {index + 1} cannot be read: {exc}") from exc
    try:
        objects = raw.FPDFPage_CountObjects(page.raw)
        if objects > MAX_OBJECTS:
            raise ParseError(
                f"{file}: page {index + 1} draws {objects:,} objects, more than the "
                f"{MAX_OBJECTS:,} refcheck reads"
            )
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            glyphs = _glyphs(raw, textpage.raw, height, file, index, deadline)
        finally:
            textpage.close()
        links = _links(raw, document.raw, page.raw, height)
    finally:
        page.close()
    return Page(index + 1, width, height, tuple(glyphs), tuple(links))


def _glyphs(
    raw: Any, text: Any, height: float, file: str, index: int, deadline: float
) -> list[Glyph]:
    count = raw.FPDFText_CountChars(text)
    rect = raw.FS_RECTF()
    box = ctypes.byref(rect)
    fonts: dict[int, bool] = {}
    out: list[Glyph] = []
    for i in range(count):
        if i % 5000 == 4999 and time.monotonic() > deadline:
            raise ParseError(
                f"{file}: reading took longer than {TIME_LIMIT:g} s (page {index + 1})"
            )
        code = raw.FPDFText_GetUnicode(text, i)
        if code == 0:
            continue
        try:
            ch = chr(code)
        except (ValueError, OverflowError):
            continue
        if ch in "\r\n":
            continue
        if ch in "\x02\ufffe":
            ch = "-"  # PDFium's mark for a hyphen at a line end: the layout decides
        if ch == " " and raw.FPDFText_IsGenerated(text, i) == 1:
            continue  # PDFium's guess; the layout puts spaces by the gaps between glyphs
        angle = raw.FPDFText_GetCharAngle(text, i)
        if 0.02 < angle < 6.26:
            continue  # turned text: a watermark ("DRAFT"), a margin note, a rotated table
        # The loose box: the font's advance and its ascent and descent, not the ink, so that
        # the gap between two glyphs is the spacing the PDF drew.
        if not raw.FPDFText_GetLooseCharBox(text, i, box):
            continue
        size = raw.FPDFText_GetFontSize(text, i)
        top, bottom = sorted((height - rect.top, height - rect.bottom))
        out.append(
            Glyph(
                ch,
                min(rect.left, rect.right),
                top,
                max(rect.left, rect.right),
                bottom,
                size,
                _bold(raw, text, i, fonts),
            )
        )
    return out


def _bold(raw: Any, text: Any, index: int, fonts: dict[int, bool]) -> bool:
    """Whether the glyph's font is bold: its weight, else its name ("CMBX10", "Arial-Bold")."""
    weight = raw.FPDFText_GetFontWeight(text, index)
    obj = raw.FPDFText_GetTextObject(text, index)
    key = ctypes.cast(obj, ctypes.c_void_p).value or 0
    known = fonts.get(key)
    if known is not None:
        return known
    bold = bool(weight >= 600)
    # FPDFFont_GetBaseFontName is PDFium's newer name of FPDFFont_GetFontName.
    name_of = getattr(raw, "FPDFFont_GetBaseFontName", None) or getattr(
        raw, "FPDFFont_GetFontName", None
    )
    if not bold and obj and name_of is not None:
        font = raw.FPDFTextObj_GetFont(obj)
        if font:
            buffer = ctypes.create_string_buffer(256)
            length = name_of(font, buffer, 256)
            name = buffer.raw[: max(0, length - 1)].decode("latin-1").casefold()
            bold = any(m in name for m in ("bold", "cmbx", "black", "heavy", "semibold", "demi"))
    fonts[key] = bold
    return bold


def _links(raw: Any, document: Any, page: Any, height: float) -> list[Link]:
    links: list[Link] = []
    position = ctypes.c_int(0)
    link = raw.FPDF_LINK()
    rect = raw.FS_RECTF()
    while raw.FPDFLink_Enumerate(page, ctypes.byref(position), ctypes.byref(link)):
        action = raw.FPDFLink_GetAction(link)
        if not action or raw.FPDFAction_GetType(action) != raw.PDFACTION_URI:
            continue
        length = raw.FPDFAction_GetURIPath(document, action, None, 0)
        if length <= 1 or length > 4096:
            continue
        buffer = ctypes.create_string_buffer(length)
        raw.FPDFAction_GetURIPath(document, action, buffer, length)
        uri = buffer.raw[: length - 1].decode("latin-1")
        if not raw.FPDFLink_GetAnnotRect(link, ctypes.byref(rect)):
            continue
        top, bottom = sorted((height - rect.top, height - rect.bottom))
        links.append(Link(min(rect.left, rect.right), top, max(rect.left, rect.right), bottom, uri))
        if len(links) > 10_000:
            break
    return links
