"""Read manuscripts of every kind into a :class:`~refcheck.extract.Manuscript`.

The step before extraction: ``file -> read -> Manuscript(citations, text lines)``. One function
per format, each returning the same :class:`~refcheck.extract.Manuscript`: citations with their
file, line and label, and the rest of the text, line by line, for the document checks.
:func:`read_file` picks the reader by the file's extension:

=====================  =====================================================================
``.bib``               :func:`read_bib`: each entry is a citation (line of its ``@``, its key
                       as label); its reference is built from the entry's fields, not parsed
``.tex``, ``.bbl``     :func:`read_latex`: the ``\\bibitem`` of ``thebibliography``, LaTeX
                       markup cleaned; the label is the citation key
``.docx``              :func:`read_docx` (python-docx, the ``docx`` extra): the numbered or
                       headed reference paragraphs; the paragraph number is the line
``.xml``, ``.nxml``    :func:`read_jats`: JATS ``<ref-list>``; ``element-citation`` fields are
                       mapped directly, ``mixed-citation`` text is parsed; lines from the parser
anything else          :func:`read_text`: Markdown or plain text (:mod:`refcheck.extract`)
=====================  =====================================================================

Readers read the file; what they build from its content is done by pure functions
(:func:`reference_from_bibtex`, :func:`clean_latex`). Errors of pybtex, python-docx and the XML
parser are translated into :class:`~refcheck.errors.ParseError` where they enter; an entry
that cannot be read is still a citation (its raw text, parsed as any citation), so one broken
entry never hides the others.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import attrs
import latexcodec  # noqa: F401  (registers the "latex" codec)
from pybtex.bibtex.utils import split_name_list
from pybtex.database import Entry, Person
from pybtex.database.input.bibtex import Parser as _BibParser
from pybtex.exceptions import PybtexError

from refcheck.errors import ParseError
from refcheck.extract import Manuscript, TextLine, extract_citations
from refcheck.model import Author, Citation, Reference
from refcheck.parse import _page_ends, parse_citation

__all__ = [
    "READERS",
    "bib_manuscript",
    "bibitem_reference",
    "clean_latex",
    "docx_manuscript",
    "jats_manuscript",
    "latex_manuscript",
    "read_bib",
    "read_docx",
    "read_file",
    "read_jats",
    "read_latex",
    "read_text",
    "reference_from_bibtex",
    "reference_from_element_citation",
]

_MAX_BYTES = 50 * 1024 * 1024


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > _MAX_BYTES:
            raise ParseError(f"{path}: {size} bytes is more than the {_MAX_BYTES} refcheck reads")
        return path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read manuscript {path}: {exc.strerror or exc}") from exc


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or Latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# --- plain text -----------------------------------------------------------------------------


def read_text(path: str | os.PathLike[str]) -> Manuscript:
    """A Markdown or plain-text manuscript: its numbered or headed reference lists."""
    # Imported here: refcheck.check dispatches to this module, and keeps read_manuscript.
    from refcheck.check import read_manuscript

    return extract_citations(read_manuscript(path), os.fspath(path))


# --- BibTeX ---------------------------------------------------------------------------------

# "@article{mehta2020silencing," at the start of a line (after blanks): an entry and its key.
_BIB_ENTRY = re.compile(r"^[ \t]*@[ \t]*(?P<type>\w+)[ \t]*[{(][ \t]*(?P<key>[^,\s{}()]*)", re.M)
_NOT_ENTRIES = frozenset({"string", "preamble", "comment"})
#: Crossref's type of each BibTeX entry type (the ``kind`` of a reference).
_BIB_KINDS = {
    "article": "journal-article",
    "book": "book",
    "inbook": "book-chapter",
    "incollection": "book-chapter",
    "inproceedings": "proceedings-article",
    "conference": "proceedings-article",
    "proceedings": "proceedings",
    "phdthesis": "dissertation",
    "mastersthesis": "dissertation",
    "thesis": "dissertation",
    "techreport": "report",
    "report": "report",
    "online": "posted-content",
}
_DOI_PREFIX = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)


class _Parser(_BibParser):  # type: ignore[misc]
    """pybtex's parser, keeping every entry in order (repeated keys too) and every error."""

    def __init__(self) -> None:
        super().__init__(encoding="utf-8")
        self.found: list[tuple[str, Entry]] = []
        self.errors: list[PybtexError] = []

    def handle_error(self, error: PybtexError) -> None:
        self.errors.append(error)

    def process_entry(self, entry_type: str, key: str, fields: Any) -> None:
        try:
            self.found.append((key, self._entry(entry_type, fields)))
        except PybtexError as exc:  # a name pybtex cannot split: the entry is read as text
            self.errors.append(exc)

    def _entry(self, entry_type: str, fields: Any) -> Entry:
        entry = Entry(entry_type)
        for name, value_list in fields:
            value = " ".join(self.flatten_value_list(value_list).split())
            if name.lower() in {"author", "editor"}:
                for person in split_name_list(value):
                    entry.add_person(Person(person), name.lower())
            elif name.lower() not in entry.fields:
                entry.fields[name] = value
        return entry


def _latex_text(value: str) -> str:
    """A BibTeX field as text: LaTeX decoded, braces dropped: "Zer{\\'o}n" -> "Zerón"."""
    return " ".join(clean_latex(value).replace("*", "").split())


def _person(person: Person) -> Author:
    last = " ".join(person.prelast_names + person.last_names)
    given = " ".join(person.first_names + person.middle_names)
    if person.lineage_names:
        given = (given + " " + " ".join(person.lineage_names)).strip()
    organisation = last.startswith("{") and last.endswith("}") and not given
    return Author(_latex_text(last), _latex_text(given) or None, organisation=organisation)


def reference_from_bibtex(entry: Entry, text: str = "") -> Reference:
    """The :class:`~refcheck.model.Reference` of a pybtex entry, field by field. Pure.

    ``author`` (``and others`` sets ``et_al``), ``title``, ``journal``/``journaltitle``/
    ``booktitle`` (the container), ``year`` (or ``date``), ``volume``, ``number`` (the issue),
    ``pages``, ``doi``, ``url``, ``pmid`` (or ``eprint`` with ``eprinttype = pubmed``) and
    ``publisher``; ``text`` is kept as the reference's text.
    """
    fields = {k.lower(): v for k, v in entry.fields.items()}

    def field(*names: str) -> str | None:
        for name in names:
            if fields.get(name):
                return _latex_text(fields[name]) or None
        return None

    persons = list(entry.persons.get("author", ()))
    et_al = any(str(p) == "others" for p in persons)
    authors = [_person(p) for p in persons if str(p) != "others"]
    year = field("year") or (field("date") or "")[:4] or None
    pages = field("pages")
    first, last = _page_ends(pages)
    doi = field("doi")
    pmid = field("pmid")
    if pmid is None and (field("eprinttype") or "").lower() == "pubmed":
        pmid = field("eprint")
    kind = _BIB_KINDS.get(entry.type.lower())
    container = field("journal", "journaltitle")
    if container is None and kind in {"book-chapter", "proceedings-article"}:
        container = field("booktitle")
    return Reference(
        text=text,
        authors=authors,
        et_al=et_al,
        title=field("title", "chapter"),
        container_title=container,
        year=year,
        volume=field("volume"),
        issue=field("number", "issue"),
        pages=pages,
        first_page=first,
        last_page=last,
        doi=_DOI_PREFIX.sub("", doi) if doi else None,
        url=field("url"),
        pmid=pmid,
        kind=kind,
        publisher=field("publisher", "institution", "school"),
    )


def _describe(reference: Reference) -> str:
    """A citation's text for a reference built from fields: Vancouver-like, for reports."""
    names = ", ".join(f"{a.family} {a.initials}".strip() for a in reference.authors)
    if reference.et_al:
        names += ", et al"
    parts = [p for p in (names, reference.title) if p]
    source = "; ".join(p for p in (reference.year, reference.volume) if p)
    if reference.issue:
        source += f"({reference.issue})"
    if reference.pages:
        source += f": {reference.pages}"
    parts.append(" ".join(p for p in (reference.container_title, source) if p))
    if reference.doi:
        parts.append(f"doi:{reference.doi}")
    return ". ".join(p.rstrip(".") for p in parts if p) + "."


def read_bib(path: str | os.PathLike[str]) -> Manuscript:
    """A ``.bib`` file: each entry is a citation, its line the ``@`` line, its label its key.

    An entry pybtex cannot read is still a citation: its raw text, parsed as any citation.
    """
    file = os.fspath(path)
    text = _decode(_read_bytes(Path(path)))
    return bib_manuscript(text, file)


#: The longest text an ``@string`` macro may stand for. Macros concatenated from macros
#: (``@string{b = a # a}``) double at each step: thirty lines make gigabytes.
MAX_MACRO_LENGTH = 1_000_000
_STRING_START = re.compile(r"@\s*string\s*[{(]", re.IGNORECASE)


def _check_string_macros(text: str, file: str) -> None:
    """Refuse a ``.bib`` whose ``@string`` macros would expand past :data:`MAX_MACRO_LENGTH`.

    The lengths are added up without expanding anything (one pass over the text), before
    pybtex, which expands every macro in full, sees the file.
    """
    lengths: dict[str, int] = {}
    for start in _STRING_START.finditer(text):
        body: list[str] = []
        depth, quoted = 0, False
        for ch in text[start.end() : start.end() + MAX_MACRO_LENGTH]:
            if ch == '"' and depth == 0:
                quoted = not quoted
            elif ch == "{" and not quoted:
                depth += 1
            elif ch in "})" and not quoted:
                if depth == 0:
                    break
                depth -= 1 if ch == "}" else 0
            body.append(ch)
        name, _, value = "".join(body).partition("=")
        total = 0
        for part in _split_concatenation(value):
            part = part.strip()
            total += lengths.get(part.lower(), len(part))
        lengths[name.strip().lower()] = total
        if total > MAX_MACRO_LENGTH:
            line = text.count("\n", 0, start.start()) + 1
            raise ParseError(
                f"{file}:{line}: @string {name.strip()!r} would expand to {total:,} characters, "
                f"more than the {MAX_MACRO_LENGTH:,} refcheck accepts"
            )


def _split_concatenation(value: str) -> list[str]:
    """``"a" # b # {c}`` -> its parts, split at ``#`` outside quotes and braces."""
    parts: list[str] = []
    current: list[str] = []
    depth, quoted = 0, False
    for ch in value:
        if ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "{" and not quoted:
            depth += 1
        elif ch == "}" and not quoted:
            depth -= 1
        elif ch == "#" and depth == 0 and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


def bib_manuscript(text: str, file: str) -> Manuscript:
    """The :class:`Manuscript` of the text of a ``.bib`` file (pure; see :func:`read_bib`)."""
    _check_string_macros(text, file)
    # Each entry is parsed on its own (macros carry over), so that a broken entry cannot
    # swallow the next one.
    parser = _Parser()
    starts = []
    line, counted = 1, 0
    for m in _BIB_ENTRY.finditer(text):
        line += text.count("\n", counted, m.start())  # counted once: linear in the file
        counted = m.start()
        starts.append((m.start(), line, m["key"], m["type"].lower()))
    citations: list[Citation] = []
    references: list[Reference | None] = []
    for index, (start, line, key, entry_type) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
        chunk = text[start:end]
        before = len(parser.found)
        try:
            parser.parse_string(chunk)
        except PybtexError as exc:
            parser.errors.append(exc)
        if entry_type in _NOT_ENTRIES:
            continue
        found = parser.found[before:]
        if len(found) == 1 and not parser.errors:
            reference = reference_from_bibtex(found[0][1])
            description = _describe(reference)
            citations.append(Citation(description, file=file, line=line, label=key))
            references.append(attrs.evolve(reference, text=description))
        else:  # pybtex could not read this entry: parse its text like any citation
            raw = " ".join(clean_latex(chunk).split())
            citations.append(Citation(raw or "@", file=file, line=line, label=key))
            references.append(None)
        parser.errors.clear()
    return Manuscript(
        file=file, citations=tuple(citations), text_lines=(), references=tuple(references)
    )


# --- LaTeX: thebibliography and .bbl --------------------------------------------------------

_BRACED = r"\{(?P<arg>(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}"
_ITALIC = re.compile(r"\\(?:emph|textit|textsl|mathit)\s*" + _BRACED)
_ITALIC_GROUP = re.compile(r"\{\\(?:em|it|sl)\b\s*(?P<arg>(?:[^{}]|\{[^{}]*\})*)\}")
_BOLD = re.compile(r"\\(?:textbf|mathbf)\s*" + _BRACED)
_BOLD_GROUP = re.compile(r"\{\\bf\b\s*(?P<arg>(?:[^{}]|\{[^{}]*\})*)\}")
_HREF = re.compile(r"\\href\s*\{(?P<url>[^{}]*)\}\s*" + _BRACED)
_URL = re.compile(r"\\(?:url|path|nolinkurl)\s*\{(?P<arg>[^{}]*)\}")
_DOI = re.compile(r"\\doi\s*\{(?P<arg>[^{}]*)\}")
_DROP = re.compile(
    r"\\(?:newblock|penalty\s*-?\d+|relax|BibitemOpen|BibitemShut\s*\{\w*\}"
    r"|bibinfo\s*\{\w+\}|bibfield\s*\{\w+\})\s*"
)
_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
_COMMAND = re.compile(r"\\[A-Za-z]+\*?\s*")


def clean_latex(text: str) -> str:
    """LaTeX markup as plain text; italics as ``*...*`` and bold as ``**...**`` (Markdown, which
    the citation parser reads: italics mark the journal). Pure.

    ``\\emph{Lancet}`` -> ``*Lancet*``; ``Zer{\\'o}n`` -> ``Zerón``; ``1140--46`` -> ``1140–46``;
    ``et~al.`` -> ``et al.``; ``\\url{x}`` -> ``x``; other commands dropped, braces removed.
    """
    text = _COMMENT.sub("", text)
    text = _DROP.sub(" ", text)
    text = _HREF.sub(lambda m: m["arg"] if m["arg"].strip() else m["url"], text)
    text = _URL.sub(lambda m: m["arg"], text)
    text = _DOI.sub(lambda m: "doi:" + m["arg"], text)
    text = text.replace(r"\&", "&").replace(r"\%", "%").replace(r"\_", "_").replace(r"\#", "#")
    for _ in range(2):  # nested once: \emph{Cell \emph{Host}}
        text = _ITALIC.sub(lambda m: "*" + m["arg"] + "*", text)
        text = _ITALIC_GROUP.sub(lambda m: "*" + m["arg"] + "*", text)
        text = _BOLD.sub(lambda m: "**" + m["arg"] + "**", text)
        text = _BOLD_GROUP.sub(lambda m: "**" + m["arg"] + "**", text)
    # Undecodable markup is kept as it is; its commands are dropped below.
    with contextlib.suppress(UnicodeError, ValueError):
        text = codecs.decode(text.encode("utf-8"), "latex+utf8")
    text = _COMMAND.sub("", text)
    text = text.replace("{", "").replace("}", "").replace("\u00a0", " ").replace("~", " ")
    text = text.replace("****", "")  # an empty \textbf{}
    return " ".join(text.split())


_BIBLIOGRAPHY = re.compile(
    r"\\begin\s*\{thebibliography\}(?:\s*\{[^{}]*\})?(?P<body>.*?)\\end\s*\{thebibliography\}",
    re.S,
)
_BIBITEM = re.compile(
    r"\\bibitem\s*(?:\[(?P<option>(?:[^\[\]]|\[[^\[\]]*\])*)\])?\s*\{(?P<key>[^{}]*)\}"
)


def read_latex(path: str | os.PathLike[str]) -> Manuscript:
    """A ``.tex`` or ``.bbl`` file: the ``\\bibitem`` entries of its ``thebibliography``.

    Each item's line is the line of its ``\\bibitem``, its label the citation key. A file with
    no ``thebibliography`` (a ``.tex`` that uses ``\\bibliography{refs}``) has no citations:
    check its ``.bib`` or ``.bbl`` instead.
    """
    file = os.fspath(path)
    return latex_manuscript(_decode(_read_bytes(Path(path))), file)


def latex_manuscript(text: str, file: str) -> Manuscript:
    """The :class:`Manuscript` of LaTeX source (pure; see :func:`read_latex`)."""
    if "\\entry{" in text and "\\endentry" in text and "thebibliography" not in text:
        raise ParseError(
            f"{file} is a biblatex .bbl (\\entry ... \\endentry), which refcheck does not read: "
            "check the .bib file instead"
        )
    citations: list[Citation] = []
    references: list[Reference | None] = []
    used: set[int] = set()
    # Comments blanked out, keeping every offset and line: "% \bibitem{old}" is no item.
    uncommented = _COMMENT.sub(lambda m: " " * len(m.group()), text)
    for block in _BIBLIOGRAPHY.finditer(uncommented):
        body_start = block.start("body")
        first_line = text.count("\n", 0, block.start()) + 1
        last_line = text.count("\n", 0, block.end()) + 1
        used.update(range(first_line, last_line + 1))
        items = list(_BIBITEM.finditer(block["body"]))
        for index, item in enumerate(items):
            end = items[index + 1].start() if index + 1 < len(items) else len(block["body"])
            raw = block["body"][item.end() : end]
            line = text.count("\n", 0, body_start + item.start()) + 1
            cleaned = clean_latex(raw)
            if cleaned:
                citations.append(Citation(cleaned, file=file, line=line, label=item["key"].strip()))
                references.append(bibitem_reference(raw, cleaned))
    lines = tuple(
        TextLine(n, line)
        for n, line in enumerate(text.splitlines(), 1)
        if n not in used and line.strip() and not line.lstrip().startswith("%")
    )
    return Manuscript(
        file=file, citations=tuple(citations), text_lines=lines, references=tuple(references)
    )


_NEWBLOCK = re.compile(r"\\newblock\b")
_NAME_SEPARATOR = re.compile(r"(?<!\s)(?:\s*,\s*and\s+|\s+and\s+|\s*,\s*)")
_ITALIC_SPAN = re.compile(r"(?<!\*)\*(?P<inner>[^*]+)\*(?!\*)")


def bibitem_reference(raw: str, cleaned: str) -> Reference | None:
    """The reference of a ``\\bibitem`` that BibTeX's standard styles wrote, or ``None``.

    Pure. When the citation parser reads authors and a title from the cleaned text, that
    reading stands (``None``: parse the text). Otherwise, an item in the blocks of the
    ``plain``/``abbrv``/``unsrt`` styles ("P.~Mehta and R.~Cron. \\newblock Title. \\newblock
    {\\em Journal}, 2(6):e358--e367, 2020.") is read block by block: names given-first, then
    the title, then the source, whose numbers the parser reads.
    """
    parsed = parse_citation(cleaned)
    blocks = [clean_latex(b) for b in _NEWBLOCK.split(raw)]
    if (parsed.authors and parsed.title) or len(blocks) < 3:
        return None
    authors: list[Author] = []
    et_al = False
    for name in _NAME_SEPARATOR.split(blocks[0].rstrip(".").replace("*", "")):
        if not name.strip():
            continue
        if name.strip().rstrip(".").lower() in {"et al", "others"}:
            et_al = True
            continue
        tokens = name.split()
        cut = next((i for i, t in enumerate(tokens[1:], 1) if t[:1].islower()), len(tokens) - 1)
        authors.append(Author(" ".join(tokens[cut:]), " ".join(tokens[:cut]) or None))
    source = " ".join(blocks[2:])
    italic = _ITALIC_SPAN.search(source)
    numbers = parse_citation(_ITALIC_SPAN.sub("", source))
    return attrs.evolve(
        numbers,
        text=cleaned,
        authors=authors,
        et_al=et_al,
        title=blocks[1].rstrip(".").replace("*", "") or None,
        container_title=italic["inner"].strip(" ,.") if italic else None,
        kind="journal-article" if italic and numbers.volume else numbers.kind,
    )


# --- Word -----------------------------------------------------------------------------------


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
    _read_bytes(Path(path))  # the size limit and a clear error for a missing file
    from docx.opc.exceptions import OpcError

    _check_unpacked_size(Path(path), file)
    try:
        document = docx.Document(os.fspath(path))
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ParseError(f"{file} is not a readable .docx file: {exc}") from exc
    paragraphs = [(_paragraph_text(p), _numbering(p), _style(p)) for p in document.paragraphs]
    return docx_manuscript(paragraphs, file)


#: The most a ``.docx`` may unpack to: a small archive of highly compressed XML (a "zip
#: bomb") would otherwise be inflated in memory by python-docx.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def _check_unpacked_size(path: Path, file: str) -> None:
    """Refuse a ``.docx`` whose parts unpack to more than :data:`MAX_UNPACKED_BYTES`."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ParseError(f"{file} is not a readable .docx file: {exc}") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise ParseError(
            f"{file} unpacks to {unpacked:,} bytes, more than the {MAX_UNPACKED_BYTES:,} "
            "refcheck reads from a .docx"
        )


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


# --- JATS XML -------------------------------------------------------------------------------

_LINE = "{urn:refcheck}line"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_KINDS = {
    "journal": "journal-article",
    "book": "book",
    "chapter": "book-chapter",
    "confproc": "proceedings-article",
    "conference": "proceedings-article",
    "thesis": "dissertation",
    "report": "report",
    "preprint": "posted-content",
    "data": "dataset",
}


class _LineBuilder(ET.TreeBuilder):
    """A tree builder that notes each element's line in a reserved attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.line: Callable[[], int] = lambda: 0

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        return super().start(tag, {**attrs, _LINE: str(self.line())})


def _parse_xml(data: bytes, file: str) -> ET.Element:
    """Parse XML with defusedxml: no DTD entities, no external entities, line numbers kept."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=False, forbid_entities=True)
    builder.line = lambda: int(parser.parser.CurrentLineNumber)
    try:
        parser.feed(data)
        root: ET.Element = parser.close()
    except ET.ParseError as exc:
        raise ParseError(f"{file} is not well-formed XML: {exc}") from exc
    except DefusedXmlException as exc:
        raise ParseError(f"{file}: refused XML ({exc})") from exc
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (child for child in element if _local(child.tag) == name)


def _line(element: ET.Element) -> int:
    return int(element.get(_LINE, "0"))


def _text(element: ET.Element | None, markup: bool = False) -> str | None:
    """The text of an element, whitespace collapsed; italics as ``*...*`` when ``markup``."""
    if element is None:
        return None
    parts: list[str] = []

    def walk(node: ET.Element) -> None:
        italic = markup and _local(node.tag) == "italic"
        if node is not element and _local(node.tag) in {"label"}:
            parts.append(node.tail or "")
            return
        parts.append("*" if italic else "")
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")
        parts.append("*" if italic else "")

    walk(element)
    return " ".join("".join(parts).split()) or None


def _first(element: ET.Element, *names: str) -> ET.Element | None:
    for name in names:
        for child in element.iter():
            if _local(child.tag) == name:
                return child
    return None


def reference_from_element_citation(element: ET.Element, text: str = "") -> Reference:
    """The :class:`~refcheck.model.Reference` of a JATS ``<element-citation>``. Pure."""
    authors: list[Author] = []
    et_al = False
    groups = list(_children(element, "person-group")) or [element]
    for group in groups:
        if group is not element and group.get("person-group-type", "author") != "author":
            continue
        for child in group:
            name = _local(child.tag)
            if name in {"name", "string-name"}:
                family = _text(_first(child, "surname")) or _text(child) or ""
                authors.append(Author(family, _text(_first(child, "given-names"))))
            elif name == "collab":
                authors.append(Author(_text(child) or "", organisation=True))
            elif name == "etal":
                et_al = True
    kind = _KINDS.get(element.get("publication-type", "journal"))
    title = _text(_first(element, "article-title", "chapter-title"))
    container = _text(_first(element, "source"))
    if title is None and kind in {"book", "dissertation", "report"}:
        title, container = container, None
    first = _text(_first(element, "fpage")) or _text(_first(element, "elocation-id"))
    last = _text(_first(element, "lpage"))
    pages = f"{first}–{last}" if first and last else first
    ids = {p.get("pub-id-type"): _text(p) for p in element.iter() if _local(p.tag) == "pub-id"}
    uri = _first(element, "ext-link", "uri")
    return Reference(
        text=text,
        authors=authors,
        et_al=et_al,
        title=title,
        container_title=container,
        year=_text(_first(element, "year")),
        volume=_text(_first(element, "volume")),
        issue=_text(_first(element, "issue")),
        pages=pages,
        first_page=first,
        last_page=last,
        doi=ids.get("doi"),
        pmid=ids.get("pmid"),
        url=(uri.get("{http://www.w3.org/1999/xlink}href") or _text(uri))
        if uri is not None
        else None,
        kind=kind,
        publisher=_text(_first(element, "publisher-name")),
    )


def read_jats(path: str | os.PathLike[str]) -> Manuscript:
    """A JATS XML article: the ``<ref>`` elements of its ``<ref-list>``.

    An ``<element-citation>`` becomes a reference field by field; a ``<mixed-citation>`` is
    read as text (italics kept) and parsed. The line is that of the ``<ref>`` element, the
    label its ``<label>`` or, failing that, its ``id``. The text lines are the article's
    paragraphs outside the reference list. Parsed with defusedxml: entities declared in the
    document and external entities are refused; nothing is fetched.
    """
    file = os.fspath(path)
    return jats_manuscript(_read_bytes(Path(path)), file)


def jats_manuscript(data: bytes, file: str) -> Manuscript:
    """The :class:`Manuscript` of a JATS document's bytes (see :func:`read_jats`)."""
    root = _parse_xml(data, file)
    citations: list[Citation] = []
    references: list[Reference | None] = []
    in_refs: set[int] = set()
    for ref_list in (e for e in root.iter() if _local(e.tag) == "ref-list"):
        in_refs.update(id(e) for e in ref_list.iter())
        for number, ref in enumerate((e for e in ref_list.iter() if _local(e.tag) == "ref"), 1):
            label = _text(_first(ref, "label")) or ref.get("id") or str(number)
            label = label.strip("[]().")
            element = _first(ref, "element-citation")
            mixed = _first(ref, "mixed-citation", "citation", "nlm-citation")
            if element is not None:
                reference = reference_from_element_citation(element)
                description = _describe(reference)
                references.append(attrs.evolve(reference, text=description))
                citations.append(Citation(description, file=file, line=_line(ref), label=label))
            elif mixed is not None and _text(mixed):
                references.append(None)
                text = _text(mixed, markup=True) or ""
                citations.append(Citation(text, file=file, line=_line(ref), label=label))
    lines = tuple(
        TextLine(_line(p), _text(p) or "")
        for p in root.iter()
        if _local(p.tag) in {"p", "title", "article-title"} and id(p) not in in_refs and _text(p)
    )
    return Manuscript(
        file=file, citations=tuple(citations), text_lines=lines, references=references
    )


# --- dispatch -------------------------------------------------------------------------------

#: The reader of each file extension; any other extension is read as text.
READERS: dict[str, Callable[[str | os.PathLike[str]], Manuscript]] = {
    ".bib": read_bib,
    ".tex": read_latex,
    ".bbl": read_latex,
    ".docx": read_docx,
    ".xml": read_jats,
    ".nxml": read_jats,
    ".jats": read_jats,
}


def read_file(path: str | os.PathLike[str]) -> Manuscript:
    """The :class:`Manuscript` of a file, read by the reader of its extension (see above)."""
    reader = READERS.get(Path(path).suffix.lower(), read_text)
    return reader(path)
