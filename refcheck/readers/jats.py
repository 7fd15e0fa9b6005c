"""Read a JATS XML article: the ``<ref>`` elements of its ``<ref-list>``, parsed with
defusedxml (no entities, nothing fetched), each element's line kept."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import attrs

from refcheck.errors import ParseError
from refcheck.model import Author, Citation, Reference
from refcheck.readers._fields import describe
from refcheck.readers._files import read_bytes
from refcheck.readers.text import Manuscript, TextLine

__all__ = [
    "MAX_DEPTH",
    "jats_manuscript",
    "read_jats",
    "reference_from_element_citation",
    "reference_from_mixed_citation",
]

_LINE = "{urn:refcheck}line"
_COLUMN = "{urn:refcheck}column"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_DOI_LINK = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)(?P<doi>10\.\S+?)\s*$", re.I)
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


#: The deepest nesting of elements read (real JATS articles nest a few tens deep); deeper
#: documents are refused before any recursive walk of the tree could overflow the stack.
MAX_DEPTH = 256


class _LineBuilder(ET.TreeBuilder):
    """A tree builder that notes each element's line in a reserved attribute, and refuses
    elements nested deeper than :data:`MAX_DEPTH`."""

    def __init__(self) -> None:
        super().__init__()
        self.line: Callable[[], tuple[int, int]] = lambda: (0, 0)
        self.depth = 0

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self.depth += 1
        line, column = self.line()
        if self.depth > MAX_DEPTH:
            raise _TooDeep(line)
        return super().start(tag, {**attrs, _LINE: str(line), _COLUMN: str(column)})

    def end(self, tag: str) -> ET.Element:
        self.depth -= 1
        return super().end(tag)


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _parse_xml(data: bytes, file: str) -> ET.Element:
    """Parse XML with defusedxml: no DTD entities, no external entities, line numbers kept."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=False, forbid_entities=True)
    builder.line = lambda: (
        int(parser.parser.CurrentLineNumber),
        int(parser.parser.CurrentColumnNumber) + 1,
    )
    try:
        parser.feed(data)
        root: ET.Element = parser.close()
    except _TooDeep as exc:
        raise ParseError(
            f"{file}:{exc.line}: elements nested more than {MAX_DEPTH} deep; refcheck reads "
            "JATS articles up to that depth"
        ) from None
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


def _column(element: ET.Element) -> int:
    return int(element.get(_COLUMN, "0"))


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
    groups = list(_children(element, "person-group"))
    authored = [g for g in groups if g.get("person-group-type", "author") == "author"]
    direct = any(_local(c.tag) in _PERSONS for c in element)
    # Names directly under the citation are its authors (PMC's BMC conversions put them there,
    # beside an editors' group). With neither, the names printed first are the editors' (an
    # edited book), the inventors' (a patent) or the sponsor's (a clinical trial).
    sources = authored or ([element] if direct or not groups else groups[:1])
    for group in sources:
        for child in group:
            name = _local(child.tag)
            if name in {"name", "string-name"}:
                family = _text(_first(child, "surname")) or _text(child) or ""
                authors.append(Author(family, _text(_first(child, "given-names"))))
            elif name == "collab":
                authors.append(Author(_text(child) or "", organisation=True))
            elif name == "etal":
                et_al = True
    kind = _KINDS.get(element.get("publication-type") or element.get("citation-type") or "journal")
    title = _text(_first(element, "article-title", "chapter-title"))
    container = _text(_first(element, "source"))
    if title is None and kind in {"book", "dissertation", "report"}:
        title, container = container, None
    first = _text(_first(element, "fpage")) or _text(_first(element, "elocation-id"))
    last = _text(_first(element, "lpage"))
    pages = f"{first}–{last}" if first and last else first
    ids = {p.get("pub-id-type"): _text(p) for p in element.iter() if _local(p.tag) == "pub-id"}
    uri = _first(element, "ext-link", "uri")
    if not ids.get("doi"):  # eLife tags the DOI as a link: <ext-link xlink:href="http://dx.doi...">
        for link in (e for e in element.iter() if _local(e.tag) in {"ext-link", "uri"}):
            found = _DOI_LINK.match(link.get(_XLINK_HREF) or _text(link) or "")
            if found or link.get("ext-link-type") == "doi":
                ids["doi"] = found["doi"] if found else _text(link)
                break
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


#: The children that make a ``mixed-citation`` (or NLM ``citation``) a tagged one, read field
#: by field as an ``element-citation`` is.
_TAGGED = frozenset(
    {"surname", "collab", "article-title", "chapter-title", "source", "pub-id", "fpage"}
)


_PERSONS = frozenset({"name", "string-name", "collab"})


def _tagged(element: ET.Element) -> bool:
    return sum(1 for e in element.iter() if _local(e.tag) in _TAGGED) >= 2


def _punctuated(element: ET.Element) -> bool:
    """Whether a ``mixed-citation`` prints its own punctuation between its children (most
    do); PMC's conversions of BMC and NPG references often glue the tags together."""
    return any((child.tail or "").strip() for child in element)


def _display_text(element: ET.Element) -> str:
    """The printed text of a ``mixed-citation``, a blank where two tagged children touch
    ("<surname>Avery</surname><given-names>SV</given-names>" -> "Avery SV"); italics kept as
    ``*...*``. Pure."""
    parts: list[str] = []

    def join(separator: str) -> None:
        last = next((p for p in reversed(parts) if p.strip()), "")
        if last[-1:].isalnum():
            parts.append(separator)

    def walk(node: ET.Element) -> None:
        name = _local(node.tag)
        if node is not element and name == "label":
            return
        italic = name == "italic"
        if italic:
            parts.append("*")
        text = node.text or ""
        if text.strip() and text[:1].isalnum():
            join(" ")
        parts.append(text)
        for child in node:
            if _local(child.tag) not in {"italic", "bold", "sup", "sub", "sc"}:
                join(" ")
            walk(child)
            tail = child.tail or ""
            if tail.strip() and tail[:1].isalnum() and _local(child.tag) != "italic":
                join(" ")
            parts.append(tail)
        if italic:
            parts.append("*")

    walk(element)
    text = "".join(parts).replace("**", "")
    return " ".join(text.split())


def reference_from_mixed_citation(element: ET.Element) -> Reference:
    """The :class:`~refcheck.model.Reference` of a tagged JATS ``mixed-citation`` or NLM
    ``citation``, field by field as :func:`reference_from_element_citation`. Its text is the
    printed text where the citation has its own punctuation, else the fields' display text
    (:func:`~refcheck.readers._fields.describe`, with the PMID), never the tags glued
    together. Pure."""
    reference = reference_from_element_citation(element)
    if _punctuated(element):
        text = _display_text(element)
    else:
        text = describe(reference) + (f" PMID: {reference.pmid}." if reference.pmid else "")
    return attrs.evolve(reference, text=text)


def read_jats(path: str | os.PathLike[str]) -> Manuscript:
    """A JATS XML article: the ``<ref>`` elements of its ``<ref-list>``.

    An ``<element-citation>`` becomes a reference field by field, and so does a tagged
    ``<mixed-citation>`` or NLM ``<citation>`` (one whose children tag names, titles, the
    source or identifiers: how PMC ships BMC, NPG and older PLOS articles); its printed text,
    with separators where tags touch, is the citation. An untagged ``<mixed-citation>`` is read
    as text (italics kept) and parsed. The line and column are those of the ``<ref>``
    element and its ``id`` is the anchor; the label is its ``<label>`` or, failing that, its
    ``id``. The text lines are the article's paragraphs outside the reference list. Parsed
    with defusedxml: entities declared in the document and external entities are refused;
    nothing is fetched.
    """
    file = os.fspath(path)
    return jats_manuscript(read_bytes(Path(path)), file)


def jats_manuscript(data: bytes, file: str) -> Manuscript:
    """The :class:`Manuscript` of a JATS document's bytes (see :func:`read_jats`)."""
    root = _parse_xml(data, file)
    citations: list[Citation] = []
    references: list[Reference | None] = []
    in_refs: set[int] = set()
    for ref_list in (e for e in root.iter() if _local(e.tag) == "ref-list"):
        if id(ref_list) in in_refs:
            continue  # a ref-list nested in one already read
        in_refs.update(id(e) for e in ref_list.iter())
        for number, ref in enumerate((e for e in ref_list.iter() if _local(e.tag) == "ref"), 1):
            label = _text(_first(ref, "label")) or ref.get("id") or str(number)
            label = label.strip("[]().")
            where = {
                "file": file,
                "line": _line(ref),
                "label": label,
                "column": _column(ref) or None,
                "anchor": ref.get("id"),
            }
            element = _first(ref, "element-citation")
            mixed = _first(ref, "mixed-citation", "citation", "nlm-citation")
            if element is not None:
                reference = reference_from_element_citation(element)
                description = describe(reference)
                references.append(attrs.evolve(reference, text=description))
                citations.append(Citation(description, **where))  # type: ignore[arg-type]
            elif mixed is not None and _tagged(mixed):
                reference = reference_from_mixed_citation(mixed)
                references.append(reference)
                citations.append(Citation(reference.text, **where))  # type: ignore[arg-type]
            elif mixed is not None and _display_text(mixed):
                references.append(None)
                citations.append(Citation(_display_text(mixed), **where))  # type: ignore[arg-type]
    lines = tuple(
        TextLine(_line(p), _text(p) or "")
        for p in root.iter()
        if _local(p.tag) in {"p", "title", "article-title"} and id(p) not in in_refs and _text(p)
    )
    return Manuscript(
        file=file, citations=tuple(citations), text_lines=lines, references=references
    )
