"""Read a ``.bib`` file: each entry is a citation, and its reference is built from the
entry's fields (pybtex), not parsed from text."""

from __future__ import annotations

import os
import re
from typing import Any

import attrs
from pybtex.bibtex.utils import split_name_list
from pybtex.database import Entry, Person
from pybtex.database.input.bibtex import Parser as _BibParser
from pybtex.exceptions import PybtexError

from refcheck.errors import ParseError
from refcheck.model import Author, Citation, Location, Reference
from refcheck.parsing.citation import _page_ends, arxiv_identifier
from refcheck.readers._fields import describe
from refcheck.readers._files import read_manuscript
from refcheck.readers._tex import clean_latex
from refcheck.readers.text import Manuscript, ReadingNote

__all__ = ["MAX_MACRO_LENGTH", "bib_manuscript", "read_bib", "reference_from_bibtex"]

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
    ``pages``, ``doi``, ``url``, ``pmid`` (or ``eprint`` with ``eprinttype = pubmed``),
    ``publisher`` and the arXiv identifier (see :func:`_arxiv_id`); ``text`` is kept as the
    reference's text.
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
    arxiv_id = _arxiv_id(field)
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
        arxiv_id=arxiv_id,
    )


def _arxiv_id(field: Any) -> str | None:
    """The arXiv identifier of an entry: ``eprint`` with ``archiveprefix``/``eprinttype``
    arXiv (or an identifier's shape), ``journal = {CoRR}, volume = {abs/1706.03762}``, or an
    arxiv.org ``url``, ``doi`` 10.48550/arXiv... or ``journal = {arXiv preprint
    arXiv:...}`` (``booktitle`` too: an ``@inproceedings`` of a preprint)."""
    eprint = field("eprint")
    prefix = (field("archiveprefix", "eprinttype") or "").lower()
    if eprint and prefix in {"", "arxiv"}:
        found = arxiv_identifier(f"arXiv:{eprint.removeprefix('arXiv:')}")
        if found:
            return found
    volume = field("volume") or ""
    if volume.lower().startswith("abs/"):
        found = arxiv_identifier(f"CoRR {volume}")
        if found:
            return found
    for name in ("journal", "journaltitle", "booktitle", "url", "doi", "note", "howpublished"):
        value = field(name)
        if value and (found := arxiv_identifier(value)):
            return found
    return None


def read_bib(path: str | os.PathLike[str]) -> Manuscript:
    """A ``.bib`` file: each entry is a citation, its line the ``@`` line, its label its key.

    An entry pybtex cannot read is still a citation: its raw text, parsed as any citation.
    """
    file = os.fspath(path)
    text = read_manuscript(path)
    return bib_manuscript(text, file)


#: The longest text an ``@string`` macro may stand for. Macros concatenated from macros
#: (``@string{b = a # a}``) double at each step: thirty lines make gigabytes.
MAX_MACRO_LENGTH = 1_000_000
_STRING_START = re.compile(r"@\s*string\s*[{(]", re.IGNORECASE)


def _check_string_macros(text: str, file: str) -> None:
    """Refuse a ``.bib`` whose ``@string`` macros would expand past :data:`MAX_MACRO_LENGTH`.

    The lengths are added up without expanding anything (one pass over the text: each
    macro's body is looked for only up to the next ``@string``), before pybtex, which expands
    every macro in full, sees the file.
    """
    lengths: dict[str, int] = {}
    starts = list(_STRING_START.finditer(text))
    for index, start in enumerate(starts):
        # A macro's body ends before the next @string at the latest: each character is
        # scanned once, however many unclosed "@string{" there are (once quadratic).
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        body: list[str] = []
        depth, quoted = 0, False
        for ch in text[start.end() : min(end, start.end() + MAX_MACRO_LENGTH)]:
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
    notes: list[ReadingNote] = []
    for index, (start, line, key, entry_type) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
        chunk = text[start:end]
        before = len(parser.found)
        try:
            parser.parse_string(chunk)
        except PybtexError as exc:
            parser.errors.append(exc)
        if entry_type in _NOT_ENTRIES:
            parser.errors.clear()
            continue
        found = parser.found[before:]
        where = Location(file, line, anchor=key or None)
        entry: Entry | None = found[0][1] if len(found) == 1 and not parser.errors else None
        if entry is None:
            problem = _error_text(parser.errors, line) or "BibTeX cannot read it"
            entry, repairs = _tolerant_entry(chunk)
            kept = ", ".join([*entry.persons, *entry.fields]) if entry is not None else ""
            only_commas = all("Too many commas" in str(e) for e in parser.errors)
            if not (entry is not None and repairs and only_commas):
                notes.append(
                    ReadingNote(
                        "unreadable-entry",
                        f"entry {key!r} (line {line}): {problem}; "
                        + (
                            f"read with a tolerant parser, fields kept: {kept}"
                            if entry is not None and kept
                            else "no field could be read; its text is parsed as a citation"
                        ),
                        where,
                        cited=" ".join(chunk.split())[:300],
                    )
                )
        else:
            repairs = _repair_names(entry)
        for field_name, value in repairs:
            notes.append(
                ReadingNote(
                    "author-list-commas",
                    f"entry {key!r} (line {line}): the {field_name} list is separated by commas; "
                    "BibTeX separates names with 'and', and reads this as one person",
                    where,
                    cited=value,
                )
            )
        if entry is not None:
            reference = reference_from_bibtex(entry)
            description = describe(reference)
            citations.append(Citation(description, file=file, line=line, label=key, anchor=key))
            references.append(attrs.evolve(reference, text=description))
        else:  # nothing could be read: parse its text like any citation
            raw = " ".join(clean_latex(chunk).split())
            citations.append(Citation(raw or "@", file=file, line=line, label=key, anchor=key))
            references.append(None)
        parser.errors.clear()
    return Manuscript(
        file=file,
        citations=tuple(citations),
        text_lines=(),
        references=tuple(references),
        notes=tuple(notes),
    )


_ERROR_LINE = re.compile(r"\bline (\d+)")


def _error_text(errors: list[PybtexError], line: int) -> str:
    """pybtex's messages, with the line in the chunk made the line in the file."""
    return "; ".join(
        _ERROR_LINE.sub(lambda m: f"line {line + int(m[1]) - 1}", str(e)) for e in errors[:2]
    )


# "A. Anjos", "M. G\"unther": a name that starts with an initial is given names first, so the
# comma after it separates two people rather than a surname from its given names.
_INITIAL_FIRST = re.compile(r"^[A-Z][a-z]?\.(?:\s|-|$)")


def _split_persons(value: str) -> tuple[list[Person], bool]:
    """The persons of a name list, and whether commas separated some of them (a list BibTeX
    would misread: "A. Anjos, M. Günther and S. Marcel")."""
    persons: list[Person] = []
    commas = False
    for name in split_name_list(value):
        pieces = [p.strip() for p in name.split(",")]
        listed = len(pieces) > 3 or (
            len(pieces) >= 2
            and all(_INITIAL_FIRST.match(p) or " " in p for p in pieces[:2])
            and bool(_INITIAL_FIRST.match(pieces[0]))
        )
        if listed:
            commas = True
            persons.extend(Person(p) for p in pieces if p)
            continue
        try:
            persons.append(Person(name))
        except PybtexError:
            commas = True
            persons.extend(Person(p) for p in pieces if p)
    return persons, commas


def _repair_names(entry: Entry) -> list[tuple[str, str]]:
    """Split author and editor lists that commas separate (in place); what was repaired."""
    repaired: list[tuple[str, str]] = []
    for role in ("author", "editor"):
        persons = entry.persons.get(role)
        if not persons:
            continue
        value = " and ".join(str(p) for p in persons)
        if not any(len(str(p).split(",")) >= 2 for p in persons):
            continue
        split, commas = _split_persons(value)
        if commas:
            entry.persons[role] = split
            repaired.append((role, value))
    return repaired


def _tolerant_entry(chunk: str) -> tuple[Entry | None, list[tuple[str, str]]]:
    """An entry pybtex rejected, read by bibtexparser 2's tolerant splitter: the fields it can
    read, none invented. Commented-out field lines (``%SERIES = {...}``) are dropped, author
    lists separated by commas split. ``None`` when no field can be read."""
    import bibtexparser
    from bibtexparser import model as bpm

    try:
        library = bibtexparser.parse_string(chunk)  # type: ignore[attr-defined]
    except Exception:
        return None, []
    found = [b for b in library.blocks if isinstance(b, bpm.Entry)]
    if not found or not found[0].fields:
        return None, []
    parsed = found[0]
    entry = Entry(parsed.entry_type)
    repairs: list[tuple[str, str]] = []
    for item in parsed.fields:
        name = str(item.key).strip()
        if not name or name.startswith("%") or not isinstance(item.value, str):
            continue
        value = " ".join(item.value.split())
        if name.lower() in {"author", "editor"}:
            try:
                persons, commas = _split_persons(value)
            except PybtexError:
                continue
            entry.persons[name.lower()] = persons
            if commas:
                repairs.append((name.lower(), value))
        elif name.lower() not in {k.lower() for k in entry.fields}:
            entry.fields[name] = value
    return entry, repairs
