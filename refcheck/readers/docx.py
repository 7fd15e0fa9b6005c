"""Read a Word ``.docx`` file (python-docx, the ``docx`` extra): its numbered or headed
reference paragraphs, the paragraph number as the line."""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from refcheck.errors import ParseError
from refcheck.model import Citation
from refcheck.readers._files import read_bytes
from refcheck.readers.text import Manuscript, TextLine, extract_citations

__all__ = ["MAX_UNPACKED_BYTES", "docx_manuscript", "read_docx"]


def read_docx(path: str | os.PathLike[str]) -> Manuscript:
    """A Word ``.docx`` file: its reference list, numbered or under a References heading.

    Each body paragraph is one line (the paragraph's 1-based index is its line number). Word's
    own numbered lists (automatic numbering, whose numbers are not in the text) count as
    numbered. Italic runs are read as ``*...*``, so that the parser sees the journal.
    """
    try:
        import docx
    except ImportError as exc:
        raise ParseError(
            f"{os.fspath(path)}: reading .docx needs python-docx: pip install 'refcheck[docx]'"
        ) from exc
    file = os.fspath(path)
    # Read once, bounded (size, regular file): the archive is opened from these bytes only.
    data = read_bytes(Path(path))
    from docx.opc.exceptions import OpcError
    from lxml import etree

    _check_parts(data, file)
    try:
        document = docx.Document(io.BytesIO(data))
        # Parts are parsed as they are first used (styles, numbering): inside the same guard.
        paragraphs = [(_paragraph_text(p), _numbering(p), _style(p)) for p in document.paragraphs]
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError, etree.LxmlError) as exc:
        raise ParseError(f"{file} is not a readable .docx file: {exc}") from exc
    return docx_manuscript(paragraphs, file)


#: The most a ``.docx`` may unpack to: a small archive of highly compressed XML (a "zip
#: bomb") would otherwise be inflated in memory by python-docx.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


#: How much of each XML part is searched for a document type declaration (it can only stand
#: in the prolog, before the root element).
_PROLOG = 64 * 1024


def _check_parts(data: bytes, file: str) -> None:
    """Refuse a ``.docx`` whose parts unpack to more than :data:`MAX_UNPACKED_BYTES`, or one
    of whose XML parts declares a DTD (Word writes none; a DTD is how entity bombs and
    external entities come in)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            unpacked = sum(info.file_size for info in parts)
            if unpacked > MAX_UNPACKED_BYTES:
                raise ParseError(
                    f"{file} unpacks to {unpacked:,} bytes, more than the "
                    f"{MAX_UNPACKED_BYTES:,} refcheck reads from a .docx"
                )
            for info in parts:
                if not info.filename.endswith((".xml", ".rels")):
                    continue
                with archive.open(info) as part:
                    prolog = part.read(_PROLOG)
                wide = prolog[:2] in (b"\xff\xfe", b"\xfe\xff")
                text = prolog.decode("utf-16" if wide else "utf-8", "replace")
                if "<!DOCTYPE" in text or "<!ENTITY" in text:
                    raise ParseError(
                        f"{file}: refused: {info.filename} declares a DTD (entities), which "
                        "Word never writes"
                    )
    except ParseError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise ParseError(f"{file} is not a readable .docx file: {exc}") from exc


def _style(paragraph: Any) -> str:
    try:
        return str(paragraph.style.name or "")
    except (AttributeError, KeyError):
        return ""


def _numbering(paragraph: Any) -> str | None:
    """The list a paragraph is auto-numbered in ("numId:level"), or ``None``."""
    ppr = paragraph._p.pPr
    numpr = ppr.numPr if ppr is not None else None
    if numpr is not None and numpr.numId is not None and numpr.numId.val != 0:
        level = numpr.ilvl.val if numpr.ilvl is not None else 0
        return f"{numpr.numId.val}:{level}"
    if _style(paragraph).startswith("List Number"):
        return "style:" + _style(paragraph)
    return None


_EDGE_SPACE = re.compile(r"^(\s*)(.*?)(\s*)$", re.S)


def _paragraph_text(paragraph: Any) -> str:
    """A paragraph's text, hyperlinks included (a DOI is often one), italic runs as ``*...*``."""
    runs: list[Any] = []
    for item in paragraph.iter_inner_content():
        runs.extend(item.runs if hasattr(item, "runs") else [item])  # a Hyperlink, or a Run
    parts: list[str] = []
    for run in runs:
        text = str(run.text)
        edges = _EDGE_SPACE.match(text)
        if run.italic and text.strip() and edges is not None:
            text = f"{edges[1]}*{edges[2]}*{edges[3]}"
        parts.append(text)
    return " ".join(("".join(parts) or str(paragraph.text)).split())


def docx_manuscript(paragraphs: Iterable[tuple[str, str | None, str]], file: str) -> Manuscript:
    """The :class:`Manuscript` of a document's paragraphs: ``(text, numbering, style)`` each.

    Pure. Paragraph *n* (1-based) becomes line ``2n - 1`` of a text with blank lines between
    paragraphs (a paragraph is always one entry), which is extracted as any text; lines are
    then mapped back to paragraph numbers.
    """
    lines: list[str] = []
    counters: dict[str, int] = {}
    for text, numbering, style in paragraphs:
        if numbering is not None and text:
            counters[numbering] = counters.get(numbering, 0) + 1
            text = f"{counters[numbering]}. {text}"
        elif style.startswith(("Heading", "Title")) and text:
            text = "## " + text
        lines.extend([text, ""])
    extracted = extract_citations("\n".join(lines), file)
    citations = tuple(
        Citation(c.text, file=c.file, line=(c.line + 1) // 2, label=c.label)
        for c in extracted.citations
    )
    rest = tuple(
        TextLine((t.line + 1) // 2, t.text.removeprefix("## "))
        for t in extracted.text_lines
        if t.text
    )
    return Manuscript(file=file, citations=citations, text_lines=rest)
