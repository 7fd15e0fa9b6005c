"""Read a Word ``.docx`` file (python-docx, the ``docx`` extra): its numbered or headed
reference paragraphs (tables and content controls included), its footnotes and endnotes, and
the CSL JSON of Zotero's and Mendeley's fields; the paragraph number is the line."""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import attrs
from rapidfuzz import fuzz

from refcheck._version import install_hint
from refcheck.errors import ParseError
from refcheck.model import Citation, Reference
from refcheck.parsing import parse_citation
from refcheck.parsing.normalize import fold
from refcheck.readers._fields import describe
from refcheck.readers._files import read_bytes
from refcheck.readers.csl import csl_items, reference_from_csl
from refcheck.readers.text import (
    Manuscript,
    ReadingNote,
    TextLine,
    extract_citations,
    looks_like_reference,
)

__all__ = ["MAX_UNPACKED_BYTES", "FieldItems", "Note", "docx_manuscript", "read_docx"]


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_NOT_NOTES = frozenset({"separator", "continuationSeparator", "continuationNotice"})


@attrs.frozen(slots=True)
class Note:
    """A footnote or endnote: its kind ("footnote", "endnote"), id, text, and the body
    paragraph (1-based) that refers to it, or ``None``."""

    kind: str
    id: str
    text: str
    paragraph: int | None = None


@attrs.frozen(slots=True)
class FieldItems:
    """The CSL items of one reference manager's citation field, and its body paragraph."""

    items: tuple[dict[str, Any], ...]
    paragraph: int


def read_docx(path: str | os.PathLike[str]) -> Manuscript:
    """A Word ``.docx`` file: its reference list, numbered or under a References heading.

    Each body paragraph is one line (the paragraph's 1-based index is its line number); a
    table row is one paragraph (its cells joined), and content controls are read through.
    Word's own numbered lists (automatic numbering, whose numbers are not in the text) count
    as numbered. Italic runs are read as ``*...*``, so that the parser sees the journal.
    Footnotes and endnotes that read as references are citations too (at the paragraph that
    refers to them). Zotero and Mendeley citation fields (``ADDIN ZOTERO_ITEM CSL_CITATION``,
    ``ADDIN CSL_CITATION``) carry each work's CSL JSON: it is the structured reference of
    the printed entry it matches (by DOI or title), and a ``field-code-mismatch`` note where
    the two disagree; with no printed list, the fields' items are the references.
    """
    try:
        import docx
    except ImportError as exc:
        raise ParseError(
            f"{os.fspath(path)}: reading .docx needs python-docx: {install_hint('docx')}"
        ) from exc
    file = os.fspath(path)
    # Read once, bounded (size, regular file): the archive is opened from these bytes only.
    data = read_bytes(Path(path))
    from docx.opc.exceptions import OpcError
    from lxml import etree

    _check_parts(data, file)
    try:
        document = docx.Document(io.BytesIO(data))
        # Parts are parsed as they are first used (styles, numbering, notes): inside the same
        # guard; content controls nested beyond the recursion limit too.
        body = _Body(document)
        body.walk(document.element.body)
        notes = _notes(document, body)
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError, etree.LxmlError) as exc:
        raise ParseError(f"{file} is not a readable .docx file: {exc}") from exc
    except RecursionError:
        raise ParseError(f"{file} is not a readable .docx file: nested too deeply") from None
    return docx_manuscript(body.paragraphs, file, notes=notes, fields=body.fields)


class _Body:
    """The body of a document read in order: paragraphs (a table row as one), the paragraph
    of each note reference, and the reference manager's fields."""

    def __init__(self, document: Any) -> None:
        from docx.text.paragraph import Paragraph

        parent = document._body
        self._paragraph: Callable[[Any], Any] = lambda p: Paragraph(p, parent)
        self.paragraphs: list[tuple[str, str | None, str]] = []
        self.note_paragraphs: dict[tuple[str, str], int] = {}
        self.fields: list[FieldItems] = []
        self._instructions: list[list[str]] = []

    def walk(self, element: Any) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if tag == _W + "p":
                self._add(child)
            elif tag == _W + "tbl":
                for row in child.iterchildren(_W + "tr"):
                    cells = [
                        " ".join(self._text(p) for p in cell.iter(_W + "p")).strip()
                        for cell in row.iterchildren(_W + "tc")
                    ]
                    self.paragraphs.append((" ".join(c for c in cells if c), None, ""))
                    for p in row.iter(_W + "p"):
                        self._scan(p)
            elif tag == _W + "sdt":
                for content in child.iterchildren(_W + "sdtContent"):
                    self.walk(content)

    def _text(self, p: Any) -> str:
        return _paragraph_text(self._paragraph(p))

    def _add(self, p: Any) -> None:
        paragraph = self._paragraph(p)
        self.paragraphs.append(
            (_paragraph_text(paragraph), _numbering(paragraph), _style(paragraph))
        )
        self._scan(p)

    def _scan(self, p: Any, number: int | None = None) -> None:
        """Note references and field instructions of a paragraph (by default the current
        one; a note's paragraphs take the number of the paragraph that refers to the note)."""
        number = len(self.paragraphs) if number is None else number
        for node in p.iter():
            tag = node.tag
            if not isinstance(tag, str) or any(a.tag == _MC_FALLBACK for a in node.iterancestors()):
                continue
            if tag in {_W + "footnoteReference", _W + "endnoteReference"}:
                kind = "footnote" if tag.endswith("footnoteReference") else "endnote"
                self.note_paragraphs.setdefault((kind, node.get(_W + "id", "")), number)
            elif tag == _W + "fldChar":
                kind = node.get(_W + "fldCharType")
                if kind == "begin":
                    self._instructions.append([])
                elif kind == "end" and self._instructions:
                    self._field("".join(self._instructions.pop()), number)
            elif tag == _W + "instrText" and self._instructions:
                self._instructions[-1].append(node.text or "")
            elif tag == _W + "fldSimple":
                self._field(node.get(_W + "instr", ""), number)

    def _field(self, instruction: str, paragraph: int) -> None:
        items = csl_items(instruction)
        if items:
            self.fields.append(FieldItems(tuple(items), max(1, paragraph)))


def _notes(document: Any, body: _Body) -> list[Note]:
    """The footnotes and endnotes of a document, in order; their fields are added to the
    body's (Zotero and Mendeley put note styles' citations in the notes)."""
    paragraphs = body.note_paragraphs
    from docx.oxml import parse_xml
    from docx.text.paragraph import Paragraph

    notes: list[Note] = []
    for rel in document.part.rels.values():
        kind = rel.reltype.rsplit("/", 1)[-1]
        if kind not in {"footnotes", "endnotes"} or rel.is_external:
            continue
        try:
            root = parse_xml(rel.target_part.blob)
        except Exception:
            continue
        for note in root.iterchildren(_W + kind[:-1]):
            if note.get(_W + "type") in _NOT_NOTES:
                continue
            text = " ".join(
                _paragraph_text(Paragraph(p, document._body)) for p in note.iter(_W + "p")
            )
            note_id = note.get(_W + "id", "")
            where = paragraphs.get((kind[:-1], note_id))
            for p in note.iter(_W + "p"):
                body._scan(p, where or 1)
            notes.append(Note(kind[:-1], note_id, " ".join(text.split()), where))
    return notes


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


def docx_manuscript(
    paragraphs: Iterable[tuple[str, str | None, str]],
    file: str,
    *,
    notes: Iterable[Note] = (),
    fields: Iterable[FieldItems] = (),
) -> Manuscript:
    """The :class:`Manuscript` of a document's paragraphs: ``(text, numbering, style)`` each,
    its footnotes and endnotes, and its reference manager's fields (see :func:`read_docx`).

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
    citations = [
        Citation(c.text, file=file, line=(c.line + 1) // 2, label=c.label)
        for c in extracted.citations
    ]
    for note in notes:
        if looks_like_reference(note.text):
            label = ("fn" if note.kind == "footnote" else "en") + note.id
            citations.append(
                Citation(
                    note.text,
                    file=file,
                    line=note.paragraph or 1,
                    label=label,
                    anchor=f"{note.kind} {note.id}",
                )
            )
    rest = tuple(
        TextLine((t.line + 1) // 2, t.text.removeprefix("## "))
        for t in extracted.text_lines
        if t.text
    )
    references, readings, citations = _with_fields(citations, list(fields), file)
    return Manuscript(
        file=file,
        citations=tuple(citations),
        text_lines=rest,
        references=references,
        notes=readings,
    )


def _item_key(item: dict[str, Any]) -> str:
    doi = str(item.get("DOI") or "").lower().strip()
    return doi or fold(str(item.get("title") or "")) or str(item.get("id") or id(item))


def _with_fields(
    citations: list[Citation], fields: list[FieldItems], file: str
) -> tuple[list[Reference | None], list[ReadingNote], list[Citation]]:
    """The structured reference of each printed citation that a field item matches, the notes
    where they disagree; with no printed citation, a citation per field item."""
    items: dict[str, tuple[dict[str, Any], int]] = {}
    for field in fields:
        for item in field.items:
            items.setdefault(_item_key(item), (item, field.paragraph))
    if not items:
        return [None] * len(citations), [], citations
    if not citations:
        made = [
            (Citation(describe(r), file=file, line=line, label=str(n)), r)
            for n, (item, line) in enumerate(items.values(), 1)
            for r in (reference_from_csl(item),)
        ]
        return (
            [attrs.evolve(r, text=c.text) for c, r in made],
            [],
            [c for c, _ in made],
        )
    references: list[Reference | None] = []
    notes: list[ReadingNote] = []
    for citation in citations:
        matched = _matching_item(citation.text, [i for i, _ in items.values()])
        if matched is None:
            references.append(None)
            continue
        reference = reference_from_csl(matched, text=citation.text)
        references.append(reference)
        notes.extend(_disagreements(citation, reference))
    return references, notes, citations


def _matching_item(text: str, items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The field item a printed reference is: the same DOI, else a title the text holds."""
    lowered = text.lower()
    for item in items:
        doi = str(item.get("DOI") or "").lower().strip()
        if doi and doi in lowered:
            return item
    folded = fold(text)
    best, best_score = None, 0.0
    for item in items:
        title = fold(str(item.get("title") or ""))
        if len(title) < 10:
            continue
        score = fuzz.partial_ratio(title, folded)
        if score > best_score:
            best, best_score = item, score
    return best if best_score >= _TITLE_MATCH else None


_TITLE_MATCH = 90.0
_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\]>\)\"]+", re.I)
_YEAR = re.compile(r"(?<!\d)(?:1[6-9]\d\d|20\d\d)(?!\d)")


def _disagreements(citation: Citation, field: Reference) -> list[ReadingNote]:
    """Where the printed reference says otherwise than its field: DOI, year, volume, first
    page; only where the print has a value of its own that differs."""
    printed = parse_citation(citation.text)
    text = citation.text
    found: list[tuple[str, str | None, str | None]] = []
    dois = [d.rstrip(".,;").lower() for d in _DOI.findall(text)]
    if field.doi and dois and field.doi.lower() not in dois:
        found.append(("DOI", dois[0], field.doi))
    years = _YEAR.findall(text)
    if field.year and years and field.year not in years:
        found.append(("year", years[0], field.year))
    for name, mine, theirs in (
        ("volume", printed.volume, field.volume),
        ("first page", printed.first_page, field.first_page),
    ):
        if (
            mine
            and theirs
            and mine.lower() != theirs.lower()
            and not re.search(rf"(?<![\w]){re.escape(theirs)}(?![\w])", text)
        ):
            found.append((name, mine, theirs))
    return [
        ReadingNote(
            "field-code-mismatch",
            f"the printed reference [{citation.label}] has {name} {cited!r}, its reference "
            f"manager's field {expected!r}",
            citation.location,
            cited=cited,
            expected=expected,
        )
        for name, cited, expected in found
    ]
