"""Read a JATS XML article: the ``<ref>`` elements of its ``<ref-list>``, parsed with
defusedxml (no entities, nothing fetched), each element's line kept."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import attrs

from refcheck.errors import ParseError
from refcheck.model import Author, Citation, Reference
from refcheck.readers._fields import describe
from refcheck.readers._files import read_bytes
from refcheck.readers.text import Manuscript, TextLine

__all__ = ["MAX_DEPTH", "jats_manuscript", "read_jats", "reference_from_element_citation"]

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


#: The deepest nesting of elements read (real JATS articles nest a few tens deep); deeper
#: documents are refused before any recursive walk of the tree could overflow the stack.
MAX_DEPTH = 256


class _LineBuilder(ET.TreeBuilder):
    """A tree builder that notes each element's line in a reserved attribute, and refuses
    elements nested deeper than :data:`MAX_DEPTH`."""

    def __init__(self) -> None:
        super().__init__()
        self.line: Callable[[], int] = lambda: 0
        self.depth = 0

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep(self.line())
        return super().start(tag, {**attrs, _LINE: str(self.line())})

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
    builder.line = lambda: int(parser.parser.CurrentLineNumber)
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
    return jats_manuscript(read_bytes(Path(path)), file)


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
                description = describe(reference)
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
