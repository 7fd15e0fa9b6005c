"""Read a Markdown or plain-text manuscript: find its reference lists.

:func:`read_text` reads the file (:func:`~refcheck.readers._files.read_manuscript`), and
:func:`extract_citations` does the rest. That is pure: it takes
the text and a file name for messages, and returns a :class:`Manuscript` holding every
:class:`~refcheck.model.Citation` (with its file, 1-based line and label) and the rest of the
text, line by line, for the document-level checks.

A reference list is a run of numbered items that counts up from 1::

    - 1 Mehta P, Cron R, Hartwell J, ... *Lancet Rheumatol* 2020; **2**: e358–67.
    1. Mehta P, Cron R, ...
    [1] P. Mehta, R. Q. Cron, ...

An item may be wrapped over several lines (a non-blank line that follows an item and is not an
item itself continues it), and items may be separated by a blank line or two. A list may also be
the paragraphs or lines under a heading such as "References" or "Bibliography", numbered or not.
When a manuscript has several lists, labels are the list's letter and the item's number ("B3");
with one list they are the number alone ("3").
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Iterable

import attrs

from refcheck.model import Citation, Location, Reference, printable
from refcheck.readers._files import read_manuscript

__all__ = [
    "CitedKey",
    "Manuscript",
    "ReadingNote",
    "TextLine",
    "extract_citations",
    "looks_like_reference",
    "read_text",
]

# "- 1 Mehta P, ..." (Markdown list of Lancet PDFs), "1. Mehta P", "1) ...", "[1] P. Mehta",
# "- [1] ...". A number continues a list only when it is the next one, so a year at the start
# of a line ("2020 saw ...") does not; nine digits are more items than 50 MB can hold (a
# four-digit bound once ended every list silently at item 9,999).
_ITEM = re.compile(
    r"""^[ \t]*(?:[-*+][ \t]+)?          # optional Markdown bullet
        (?:\[(?P<bracketed>\d{1,9})\]     # [12]
          |(?P<number>\d{1,9})[.)]?       # 12  12.  12)
        )[ \t]+(?P<rest>\S.*)$""",
    re.VERBOSE,
)
# "References", "## References", "**Bibliography**", "Literature cited:", "Works Cited".
# No two runs of optional blanks touch (each optional part starts with a character the blanks
# cannot match), so a line of 100,000 blanks is refused in linear time, not quadratic.
_HEADING = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*)?(?:[*_]+[ \t]*)?"
    r"(?:references?|bibliography|literature[ \t]+cited|works[ \t]+cited|reference[ \t]+list"
    r"|sources[ \t]+cited|cited[ \t]+literature|literatur(?:verzeichnis)?|quellen(?:verzeichnis)?"
    r"|r[ée]f[ée]rences(?:[ \t]+bibliographiques)?|bibliograph(?:ie|y)|bibliograf[íi]a"
    r"|referencias(?:[ \t]+bibliogr[áa]ficas)?|refer[êe]ncias(?:[ \t]+bibliogr[áa]ficas)?"
    r"|riferimenti(?:[ \t]+bibliografici)?|literatuur(?:lijst)?|referenser|litteratur"
    r"|kaynaklar|kaynak[çc]a|参考文献|引用文献|文献|참고[ \t]*문헌"
    r"|список[ \t]+литературы|литература)"
    r"(?:[ \t]*[*_]+:?|[ \t]*:)?[ \t]*$",
    re.IGNORECASE,
)
_ANY_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+\S")
# "[sim1]: http://www.pmean.com/03/equivalence.html": a Markdown link definition, no reference.
_LINK_DEFINITION = re.compile(r"^[ \t]{0,3}\[[^\[\]]{1,200}\]:[ \t]*\S")
# What a reference has and prose seldom does: a year, a DOI, an address, "pp.", "vol.".
_REFERENCE_MARK = re.compile(
    r"(?<!\d)(?:1[6-9]\d\d|20\d\d)(?!\d)|\b10\.\d{4,9}/|https?://|www\.|\bdoi\b"
    r"|\b(?:pp?|vol|ed|eds)\.",
    re.IGNORECASE,
)
_MAX_GAP = 2  # blank lines allowed between two items of one list


@attrs.frozen(slots=True)
class TextLine:
    """A line of the manuscript outside its reference lists (in a PDF: the row's number on
    its ``page``); its text :func:`~refcheck.model.printable`, from whichever reader."""

    line: int
    text: str = attrs.field(converter=printable)
    page: int | None = attrs.field(default=None, kw_only=True)


@attrs.frozen(slots=True)
class ReadingNote:
    """Something a reader met that the user should know: an entry it could read only in part,
    printed text that disagrees with the structured data beside it. Data, not yet a finding:
    the findings step (:mod:`refcheck.findings.reading`) turns it into one. ``code`` is the
    finding's code; ``cited`` is what the source says, ``expected`` the other reading."""

    code: str
    message: str
    location: Location
    cited: str | None = None
    expected: str | None = None


@attrs.frozen(slots=True)
class CitedKey:
    """A citation key the text cites (``\\cite{key}``, ``[@key]``) and where."""

    key: str
    location: Location


def _note_tuple(items: Iterable[ReadingNote]) -> tuple[ReadingNote, ...]:
    return tuple(items)


def _citation_tuple(items: Iterable[Citation]) -> tuple[Citation, ...]:
    return tuple(items)


def _reference_tuple(items: Iterable[Reference | None]) -> tuple[Reference | None, ...]:
    return tuple(items)


def _references(
    instance: Manuscript,
    attribute: attrs.Attribute[tuple[Reference | None, ...]],
    value: tuple[Reference | None, ...],
) -> None:
    if value and len(value) != len(instance.citations):
        raise ValueError(
            f"references: expected one per citation ({len(instance.citations)}), found {len(value)}"
        )


@attrs.frozen(slots=True)
class Manuscript:
    """A manuscript split into its citations and the rest of its text.

    ``references`` is empty, or holds one item per citation: the reference a reader built
    from structured fields (a ``.bib`` entry, a JATS ``element-citation``), or ``None`` where
    the citation's text is to be parsed.

    ``notes`` are what the reader could not read as written (:class:`ReadingNote`).
    ``cited_keys`` is ``None`` for a manuscript whose text does not cite by key; for a
    ``.tex`` or pandoc Markdown file that keeps its references in a ``.bib`` it holds every
    key the text cites, and ``uncited`` the bibliography's entries that the text never cites
    (which are not checked). A cited key that no citation's ``anchor`` carries is missing
    from the bibliography.
    """

    file: str
    citations: tuple[Citation, ...]
    text_lines: tuple[TextLine, ...]
    references: tuple[Reference | None, ...] = attrs.field(
        default=(), converter=_reference_tuple, validator=_references
    )
    notes: tuple[ReadingNote, ...] = attrs.field(default=(), converter=_note_tuple)
    cited_keys: tuple[CitedKey, ...] | None = None
    uncited: tuple[Citation, ...] = attrs.field(default=(), converter=_citation_tuple)


@attrs.define
class _Item:
    number: str
    line: int
    parts: list[str]


def looks_like_reference(text: str) -> bool:
    """Whether an item reads like a reference (a year, a DOI, an address...), not like a step
    of a numbered list in the body ("Establish adequate power") or closing prose."""
    return len(text) >= 10 and _REFERENCE_MARK.search(text) is not None


def _mostly_references(items: list[_Item], share: float = 0.5) -> bool:
    marked = sum(1 for item in items if looks_like_reference(" ".join(item.parts)))
    return marked >= max(1, share * len(items))


def extract_citations(text: str, file: str = "<text>") -> Manuscript:
    """Split ``text`` into its citations and the rest of its lines."""
    lines = text.splitlines()
    lists: list[list[_Item]] = []
    used: set[int] = set()
    i = 0
    while i < len(lines):
        found = _numbered_list_at(lines, i) or _headed_list_at(lines, i)
        if found is None:
            i += 1
            continue
        items, end = found
        lists.append(items)
        used.update(range(i, end))
        i = end
    if not lists:
        whole = _unheaded_list(lines)
        if whole is not None:
            lists.append(whole)
            used.update(range(len(lines)))
    citations = _label(lists, file)
    rest = tuple(TextLine(n + 1, line) for n, line in enumerate(lines) if n not in used)
    return Manuscript(file=file, citations=citations, text_lines=rest)


def _numbered_list_at(lines: list[str], start: int) -> tuple[list[_Item], int] | None:
    """A list of items numbered 1, 2, 3... starting at ``lines[start]``, and the line after it."""
    first = _ITEM.match(lines[start])
    if first is None or _item_number(first) != "1":
        return None
    items = [_Item("1", start + 1, [first["rest"]])]
    i = start + 1
    end = i
    blanks = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            blanks += 1
            if blanks > _MAX_GAP:
                break
            i += 1
            continue
        item = _ITEM.match(line)
        if item is not None and _item_number(item) == str(len(items) + 1):
            items.append(_Item(_item_number(item), i + 1, [item["rest"]]))
        elif blanks == 0 and not _ANY_HEADING.match(line):
            items[-1].parts.append(line)
        else:
            break
        blanks = 0
        i += 1
        end = i
    headed = _follows_heading(lines, start)
    if len(items) < 2 and not headed:
        return None
    if not headed and not _mostly_references(items):
        return None  # a numbered list in the body: steps, aims, findings
    return items, end


def _headed_list_at(lines: list[str], start: int) -> tuple[list[_Item], int] | None:
    """Unnumbered entries under a "References" heading: one per paragraph, or one per line."""
    if not _HEADING.match(lines[start]):
        return None
    i = start + 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and _ITEM.match(lines[i]):
        numbered = _numbered_list_at(lines, i)
        if numbered is not None:
            return numbered
    paragraphs: list[_Item] = []
    current: _Item | None = None
    end = i
    while i < len(lines) and not _ANY_HEADING.match(lines[i]):
        line = lines[i]
        if not line.strip() or _LINK_DEFINITION.match(line):
            current = None
        elif current is None or _starts_entry(line, current):
            current = _Item(str(len(paragraphs) + 1), i + 1, [line])
            paragraphs.append(current)
        else:
            current.parts.append(line)
        i += 1
        end = i
    if _mostly_references(paragraphs):
        # Closing prose ("You can find an earlier version of this page ...") is no reference.
        paragraphs = [p for p in paragraphs if looks_like_reference(" ".join(p.parts))]
        for number, paragraph in enumerate(paragraphs, 1):
            paragraph.number = str(number)
    if not paragraphs:
        return None
    return paragraphs, end


def _unheaded_list(lines: list[str]) -> list[_Item] | None:
    """A file that is nothing but a list of references, neither headed nor numbered: its
    entries (one per paragraph, or per line), when nearly all of them read as references."""
    entries: list[_Item] = []
    current: _Item | None = None
    for i, line in enumerate(lines):
        if not line.strip() or _LINK_DEFINITION.match(line) or _ANY_HEADING.match(line):
            current = None
        elif current is None or _starts_entry(line, current):
            current = _Item(str(len(entries) + 1), i + 1, [line])
            entries.append(current)
        else:
            current.parts.append(line)
    if len(entries) < 3 or not _mostly_references(entries, share=0.8):
        return None
    return entries


def _starts_entry(line: str, current: _Item) -> bool:
    """In a block of unnumbered lines, does ``line`` start a new entry rather than wrap one?

    An indented line continues the entry (a hanging indent). Otherwise a previous line that
    ends a sentence and a line that starts with a capital letter (a surname) or a bullet start
    a new entry; anything else continues the current one.
    """
    if line[:1].isspace():
        return False  # a hanging indent continues the entry
    previous = current.parts[-1].rstrip()
    stripped = line.lstrip()
    if stripped[:1] in "-*+" and stripped[1:2] == " ":
        return True
    return previous.endswith((".", ")")) and stripped[:1] in string.ascii_uppercase


def _follows_heading(lines: list[str], start: int) -> bool:
    i = start - 1
    while i >= 0 and not lines[i].strip():
        i -= 1
    return i >= 0 and bool(_HEADING.match(lines[i]))


def _item_number(match: re.Match[str]) -> str:
    return str(int(match["bracketed"] or match["number"]))


def _label(lists: list[list[_Item]], file: str) -> tuple[Citation, ...]:
    citations: list[Citation] = []
    for index, items in enumerate(lists):
        prefix = _list_letter(index) if len(lists) > 1 else ""
        for item in items:
            text = " ".join(part.strip() for part in item.parts)
            citations.append(Citation(text, file=file, line=item.line, label=prefix + item.number))
    return tuple(citations)


def _list_letter(index: int) -> str:
    letters = string.ascii_uppercase
    return letters[index] if index < len(letters) else f"L{index + 1}-"


def read_text(path: str | os.PathLike[str]) -> Manuscript:
    """A Markdown or plain-text manuscript: its numbered or headed reference lists."""
    return extract_citations(read_manuscript(path), os.fspath(path))
