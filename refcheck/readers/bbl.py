r"""Read what bibliography styles write into a ``.bbl`` as fields, not text:

* :func:`bibinfo_reference`: the ``\bibinfo{field}{value}`` tags that ACM-Reference-Format,
  the APS (revtex) styles and several natbib styles put around each part of a ``\bibitem``;
* :func:`biblatex_manuscript`: the field lists of a biblatex ``.bbl`` (``\entry ...
  \endentry``, written by biber).

Pure functions of the text; the LaTeX of each value becomes Unicode with
:func:`~refcheck.readers._tex.clean_latex`.
"""

from __future__ import annotations

import re

import attrs
from pybtex.database import Entry, Person
from pybtex.exceptions import PybtexError

from refcheck.model import Author, Citation, Reference
from refcheck.parsing.citation import page_ends
from refcheck.readers._fields import describe
from refcheck.readers._tex import braced, clean_latex
from refcheck.readers.bibtex import reference_from_bibtex
from refcheck.readers.text import Manuscript

__all__ = ["bibinfo_reference", "biblatex_manuscript"]

_BIBINFO = re.compile(r"\\bibinfo\s*\{\s*(?P<name>[A-Za-z]+)\s*\}")
_ARTICLE_TITLE = re.compile(r"\\showarticletitle\s*(?=\{)")
_DOI_URL = re.compile(r"https?://(?:dx\.)?doi\.org/(?P<doi>10\.\d{4,9}/[^\s{}\\]+)", re.I)
_DOI_COMMAND = re.compile(r"\\doi\s*(?=\{)")
_PEOPLE = frozenset({"person", "author"})
_KNOWN = frozenset(
    {"person", "author", "title", "journal", "booktitle", "year", "volume", "pages", "number"}
)


def _plain(value: str) -> str:
    return " ".join(clean_latex(value).replace("*", "").split()).strip(" ,;")


def _author(name: str) -> Author | None:
    name = _plain(name).rstrip(".") if name.rstrip().endswith("..") else _plain(name)
    if not name or name.lower() in {"others", "et al", "et al."}:
        return None
    try:
        person = Person(name)
    except PybtexError:
        return Author(name)
    family = " ".join(person.prelast_names + person.last_names)
    given = " ".join(person.first_names + person.middle_names + person.lineage_names)
    return Author(family or name, given or None)


def bibinfo_reference(raw: str, text: str) -> Reference | None:
    r"""The reference of a ``\bibitem`` whose style tags its parts with ``\bibinfo``, or
    ``None`` when it has fewer than two of the tags that make a reference (people, title,
    journal, book title, year, volume, pages, number). ``text`` is the item's cleaned text."""
    fields: dict[str, str] = {}
    people: list[str] = []
    for tag in _BIBINFO.finditer(raw):
        value = braced(raw, tag.end())
        if value is None:
            continue
        name = tag["name"].lower()
        if name in _PEOPLE:
            people.append(value[0])
        else:
            fields.setdefault(name, value[0])
    for shown in _ARTICLE_TITLE.finditer(raw):
        value = braced(raw, shown.end())
        if value is not None:
            fields["articletitle"] = value[0]
    if len(_KNOWN & ({*fields} | ({"person"} if people else set()))) < 2:
        return None
    authors = [a for a in (_author(p) for p in people) if a is not None]
    et_al = any(_plain(p).lower().startswith(("others", "et al")) for p in people)
    et_al = et_al or bool(re.search(r"\\emph\s*\{\s*et~?\s*al", raw))

    def field(*names: str) -> str | None:
        for name in names:
            if fields.get(name):
                return _plain(fields[name]) or None
        return None

    doi = field("doi")
    if doi is None:
        url = _DOI_URL.search(raw)
        command = _DOI_COMMAND.search(raw)
        found = braced(raw, command.end()) if command else None
        doi = url["doi"].rstrip(".,;") if url else (found[0].strip() if found else None)
    journal = field("journal")
    booktitle = field("booktitle")
    title = field("articletitle", "title")
    if journal:
        kind = "journal-article"
    elif booktitle:
        kind = "proceedings-article" if "proc" in booktitle.lower() else "book-chapter"
    elif fields.get("title") and field("publisher"):
        kind = "book"
    else:
        kind = None
    pages = field("pages")
    first, last = page_ends(pages)
    return Reference(
        text=text,
        authors=authors,
        et_al=et_al,
        title=title,
        container_title=journal or booktitle,
        year=(field("year") or "")[:4] or None,
        volume=field("volume"),
        issue=field("number", "issue"),
        pages=pages,
        first_page=first,
        last_page=last,
        doi=doi,
        url=field("url"),
        kind=kind,
        publisher=field("publisher", "institution", "school"),
    )


# --- biblatex ---------------------------------------------------------------------------------

_ENTRY = re.compile(r"\\entry\s*\{(?P<key>[^{}]*)\}\s*\{(?P<type>[^{}]*)\}")
_END_ENTRY = re.compile(r"\\endentry\b")
_FIELD = re.compile(r"\\(?P<kind>field|list|name|range)\s*\{(?P<name>[^{}]*)\}")
_VERB = re.compile(r"\\verb\s*\{(?P<name>[^{}]*)\}\s*\\verb\s?(?P<value>.*?)\s*\\endverb", re.S)
_RANGE_DASH = re.compile(r"\\bibrangedash\b\s*")
_NAME_PART = re.compile(r"(?<![a-z])(?P<key>[a-z]+)\s*=\s*(?=\{)")
_POSITIONAL = ("last", "lasti", "first", "firsti", "prefix", "prefixi", "suffix", "suffixi")


def _groups(text: str, limit: int = 100_000) -> list[str]:
    """The top-level ``{...}`` groups of ``text``, in order."""
    groups: list[str] = []
    i = 0
    while i < len(text) and len(groups) < limit:
        if text[i] == "{":
            found = braced(text, i)
            if found is None:
                break
            groups.append(found[0])
            i = found[1]
        else:
            i += 1
    return groups


def _biblatex_person(groups: list[str]) -> Person | None:
    """One name of a ``\\name`` list, given as its groups: ``{options}{family={Smith},
    given={John}}`` (biber 2.x and later), or the positional ``{options}{Smith}{S.}{John}{J.}
    {}{}{}{}`` of older biber."""
    parts: dict[str, str] = {}
    data = groups[-1] if len(groups) == 2 else ""
    for key in _NAME_PART.finditer(data):
        value = braced(data, key.end())
        if value is not None:
            parts[key["key"]] = value[0]
    if not parts:
        named = dict(zip(_POSITIONAL, groups[1:], strict=False))
        parts = {"family": named.get("last", ""), "given": named.get("first", ""),
                 "prefix": named.get("prefix", ""), "suffix": named.get("suffix", "")}  # fmt: skip
    family = parts.get("family", "")
    if not family.strip():
        return None
    return Person(
        first=parts.get("given", ""),
        prelast=parts.get("prefix", ""),
        last=family,
        lineage=parts.get("suffix", ""),
    )


def _biblatex_entry(kind: str, body: str) -> Entry:
    """A pybtex entry of a biblatex ``\\entry`` body's fields, lists and names."""
    entry = Entry(kind)
    for verb in _VERB.finditer(body):
        entry.fields.setdefault(verb["name"], " ".join(verb["value"].split()))
    for item in _FIELD.finditer(body):
        name = item["name"]
        if item["kind"] == "name":
            # \name{author}{3}{options}{ {{hash}{family=...}} ... }
            rest = body[item.end() :]
            count = braced(rest, 0)
            options = braced(rest, count[1]) if count else None
            names = braced(rest, options[1]) if options else None
            if names is None:
                continue
            persons = []
            for group in _groups(names[0]):
                person = _biblatex_person(_groups(group))
                if person is not None:
                    persons.append(person)
            entry.persons[name] = persons
            continue
        rest = body[item.end() :]
        if item["kind"] == "list":  # \list{publisher}{1}{{ACM}}
            count = braced(rest, 0)
            value = braced(rest, count[1]) if count else None
            text = ", ".join(_groups(value[0])) if value else ""
        elif item["kind"] == "range":  # \range{pages}{10}
            continue
        else:
            value = braced(rest, 0)
            text = value[0] if value else ""
        if text and name not in entry.fields:
            entry.fields[name] = _RANGE_DASH.sub("--", text)
    return entry


def biblatex_manuscript(text: str, file: str) -> Manuscript:
    """The :class:`Manuscript` of a biblatex ``.bbl``: each ``\\entry`` is a citation (its line,
    its key as label and anchor), its reference built from the entry's fields. An entry that
    appears in several sorting lists is read once."""
    citations: list[Citation] = []
    references: list[Reference | None] = []
    seen: set[str] = set()
    line, counted = 1, 0
    for start in _ENTRY.finditer(text):
        line += text.count("\n", counted, start.start())
        counted = start.start()
        key = start["key"].strip()
        end = _END_ENTRY.search(text, start.end())
        if end is None or key in seen:
            continue
        seen.add(key)
        entry = _biblatex_entry(start["type"].strip(), text[start.end() : end.start()])
        reference = reference_from_bibtex(entry)
        description = describe(reference)
        citations.append(Citation(description, file=file, line=line, label=key, anchor=key))
        references.append(attrs.evolve(reference, text=description))
    return Manuscript(
        file=file,
        citations=tuple(citations),
        text_lines=(),
        references=tuple(references),
    )
