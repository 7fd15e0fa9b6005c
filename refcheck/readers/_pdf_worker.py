"""PDFium in a process of its own: a PDF's glyphs and links, within bounds of memory and time.

:mod:`refcheck.readers.pdf` runs this file as a script (``python _pdf_worker.py LIMITS``), gives
it the PDF's bytes on stdin and reads its frames from stdout. Before pypdfium2 is imported, the
process limits its own address space (``RLIMIT_AS``) to the memory bound: a stream that would
inflate to gigabytes (a PDF bomb) makes PDFium's allocation fail, which ends this process and
nothing else. Past the time bound, the reader kills it. It imports nothing of refcheck (it is
started afresh for each PDF) and is also importable, for a reading in the caller's process
where no interpreter can be started.

Frames, in order: for each page, a line of JSON (``{"page": number, "width", "height",
"glyphs": n, "text": bytes, "links": [[x0, top, x1, bottom, uri], ...]}``) followed by the UTF-8
text of its ``n`` glyphs (one character each), ``5 n`` doubles (each glyph's x0, top, x1, bottom
in points from the page's top left, and font size; native byte order) and ``n`` bytes (1 where
the glyph's font is bold); then ``{"end": true}``. A PDF that cannot be read ends with
``{"error": kind, ...}`` instead (kinds: ``install``, ``encrypted``, ``damaged``,
``no-pages``, ``pages``, ``page``, ``objects``, ``glyphs``, ``memory``).
"""

from __future__ import annotations

import ctypes
import json
import math
import sys
import unicodedata
from array import array
from collections.abc import Callable, Iterator
from typing import Any

Frame = tuple[dict[str, Any], bytes]


def limit_memory(limit: int) -> bool:
    """Limit this process's address space to ``limit`` bytes; whether the system allows it."""
    try:
        import resource
    except ImportError:  # Windows
        return False
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY and hard < limit:
            limit = hard
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        return False
    return True


def frames(data: bytes, limits: dict[str, Any]) -> Iterator[Frame]:
    """The frames of a PDF's bytes (see the module's docstring)."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        yield {"error": "install"}, b""
        return
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        kind = "encrypted" if "password" in str(exc).lower() else "damaged"
        yield {"error": kind, "message": str(exc)}, b""
        return
    try:
        count = len(document)
        if count == 0:
            yield {"error": "no-pages"}, b""
            return
        if count > limits["max_pages"]:
            yield {"error": "pages", "count": count}, b""
            return
        glyphs = 0
        for index in range(count):
            try:
                frame = _page(pdfium, document, index, limits)
            except pdfium.PdfiumError as exc:
                yield {"error": "page", "page": index + 1, "message": str(exc)}, b""
                return
            if "error" in frame[0]:
                yield frame
                return
            glyphs += frame[0]["glyphs"]
            if glyphs > limits["max_glyphs"]:
                yield {"error": "glyphs"}, b""
                return
            yield frame
    finally:
        document.close()
    yield {"end": True}, b""


def _page(pdfium: Any, document: Any, index: int, limits: dict[str, Any]) -> Frame:
    raw = pdfium.raw
    page = document[index]
    try:
        objects = raw.FPDFPage_CountObjects(page.raw)
        if objects > limits["max_objects"]:
            return {"error": "objects", "page": index + 1, "count": objects}, b""
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            chars, numbers, bold = _glyphs(raw, textpage.raw, height)
        finally:
            textpage.close()
        links = _links(raw, document.raw, page.raw, height)
    finally:
        page.close()
    text = "".join(chars).encode("utf-8", "replace")
    head = {
        "page": index + 1,
        "width": width,
        "height": height,
        "glyphs": len(chars),
        "text": len(text),
        "links": links,
    }
    return head, text + numbers.tobytes() + bytes(bold)


#: Mathematical alphanumerics (italic, bold, script letters that TeX math and some
#: publishers' fonts print words in) are the letters they are drawn as.
_MATH = range(0x1D400, 0x1D800)


def _glyphs(raw: Any, text: Any, height: float) -> tuple[list[str], array[float], list[int]]:
    count = raw.FPDFText_CountChars(text)
    rect = raw.FS_RECTF()
    box = ctypes.byref(rect)
    matrix = raw.FS_MATRIX()
    transform = ctypes.byref(matrix)
    fonts: dict[int, bool] = {}
    chars: list[str] = []
    numbers: array[float] = array("d")
    bold: list[int] = []
    skip = -1
    for i in range(count):
        if i == skip:
            continue
        code = raw.FPDFText_GetUnicode(text, i)
        if code == 0:
            continue
        if 0xD800 <= code < 0xDC00:
            # PDFium gives a character beyond the first plane as two UTF-16 units.
            low = raw.FPDFText_GetUnicode(text, i + 1) if i + 1 < count else 0
            if not 0xDC00 <= low < 0xE000:
                continue
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            skip = i + 1
        elif 0xDC00 <= code < 0xE000:
            continue
        try:
            ch = chr(code)
        except (ValueError, OverflowError):
            continue
        if code in _MATH:
            ch = unicodedata.normalize("NFKC", ch)[:1] or ch
        if ch in "\r\n":
            continue
        if ch in "\x02\ufffe":
            ch = "-"  # PDFium's mark for a hyphen at a line end: the layout decides
        if ch == " " and raw.FPDFText_IsGenerated(text, i) == 1:
            continue  # PDFium's guess; the layout puts spaces by the gaps between glyphs
        # The direction of the glyph's baseline: its matrix's first column. (PDFium's char
        # angle also turns with a shear: the slant of an italic that a PDF draws sheared.)
        placed = bool(raw.FPDFText_GetMatrix(text, i, transform))
        if placed:
            angle = math.atan2(matrix.b, matrix.a) % math.tau
        else:
            angle = raw.FPDFText_GetCharAngle(text, i)
        if 0.02 < angle < 6.26:
            continue  # turned text: a watermark ("DRAFT"), a margin note, a rotated table
        # The loose box: the font's advance and its ascent and descent, not the ink, so that
        # the gap between two glyphs is the spacing the PDF drew.
        if not raw.FPDFText_GetLooseCharBox(text, i, box):
            continue
        size = raw.FPDFText_GetFontSize(text, i)
        # PDFium's font size is the size the font is set at; a PDF that sets it at 1 and
        # scales the text (Tm) prints it at that scale: the size the glyph is drawn at.
        if placed:
            scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
            if scale > 0:
                size *= scale
        # A font whose ascent and descent are wrong (some publishers' subsets say three
        # lines' worth) draws boxes that overlap the next rows: such a box is the size's
        # from the glyph's baseline instead.
        tall = rect.top - rect.bottom
        if size > 0 and not 0.3 * size <= tall <= 1.8 * size:
            x, y = ctypes.c_double(0.0), ctypes.c_double(0.0)
            if raw.FPDFText_GetCharOrigin(text, i, ctypes.byref(x), ctypes.byref(y)):
                rect.top, rect.bottom = y.value + 0.8 * size, y.value - 0.2 * size
        top, bottom = sorted((height - rect.top, height - rect.bottom))
        chars.append(ch)
        numbers.extend((min(rect.left, rect.right), top, max(rect.left, rect.right), bottom, size))
        bold.append(1 if _bold(raw, text, i, fonts) else 0)
    return chars, numbers, bold


def _bold(raw: Any, text: Any, index: int, fonts: dict[int, bool]) -> bool:
    """Whether the glyph's font is bold: its weight, else its name ("CMBX10", "Arial-Bold")."""
    obj = raw.FPDFText_GetTextObject(text, index)
    key = ctypes.cast(obj, ctypes.c_void_p).value or 0
    known = fonts.get(key)
    if known is not None:
        return known
    bold = bool(raw.FPDFText_GetFontWeight(text, index) >= 600)
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


def _links(raw: Any, document: Any, page: Any, height: float) -> list[list[Any]]:
    links: list[list[Any]] = []
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
        links.append([min(rect.left, rect.right), top, max(rect.left, rect.right), bottom, uri])
        if len(links) > 10_000:
            break
    return links


def write(frame: Frame, out: Callable[[bytes], object]) -> None:
    head, body = frame
    out(json.dumps(head).encode() + b"\n" + body)


def main() -> int:
    limits = json.loads(sys.argv[1])
    limit_memory(int(limits["memory"]))
    out = sys.stdout.buffer
    try:
        data = sys.stdin.buffer.read()
        for frame in frames(data, limits):
            write(frame, out.write)
    except MemoryError:
        write(({"error": "memory"}, b""), out.write)
    out.flush()
    return 0


if __name__ == "__main__":
    # Run as a script: this folder first on the path would let refcheck's reader modules
    # ("text", "pdf", "docx"...) shadow libraries of those names.
    sys.path.pop(0)
    sys.exit(main())
