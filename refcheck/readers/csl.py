"""CSL JSON, the data that reference managers (Zotero, Mendeley) keep inside a Word file's
field codes: :func:`csl_items` finds the items of a field's instruction, and
:func:`reference_from_csl` builds a :class:`~refcheck.model.Reference` from one. Pure."""

from __future__ import annotations

import json
import re
from typing import Any

from refcheck.model import Author, Reference
from refcheck.parsing.citation import page_ends

__all__ = ["MAX_FIELD_JSON", "csl_items", "reference_from_csl"]

#: The longest field instruction whose JSON is read.
MAX_FIELD_JSON = 2_000_000
# " ADDIN ZOTERO_ITEM CSL_CITATION {...}" (Zotero), " ADDIN CSL_CITATION {...}" (Mendeley).
_CITATION_FIELD = re.compile(r"^\s*ADDIN\s+(?:ZOTERO_ITEM\s+)?CSL_CITATION\s*(?=\{)")
_KINDS = {
    "article-journal": "journal-article",
    "article": "journal-article",
    "book": "book",
    "chapter": "book-chapter",
    "paper-conference": "proceedings-article",
    "thesis": "dissertation",
    "report": "report",
    "dataset": "dataset",
    "article-magazine": "journal-article",
    "article-newspaper": "journal-article",
    "webpage": "posted-content",
    "manuscript": "posted-content",
}


def csl_items(instruction: str) -> list[dict[str, Any]]:
    """The CSL items (``itemData``) of a Zotero or Mendeley citation field's instruction;
    none for any other field, or for JSON that cannot be read."""
    found = _CITATION_FIELD.match(instruction)
    if found is None or len(instruction) > MAX_FIELD_JSON:
        return []
    try:
        data, _ = json.JSONDecoder().raw_decode(instruction[found.end() :])
    except (ValueError, RecursionError):
        return []
    items = data.get("citationItems") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    return [
        item["itemData"]
        for item in items
        if isinstance(item, dict) and isinstance(item.get("itemData"), dict)
    ]


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        return None
    # Mendeley keeps BibTeX's case-protecting braces: "Inclusive of {ANYONE}?".
    return " ".join(value.replace("{", "").replace("}", "").split()) or None


def _year(item: dict[str, Any]) -> str | None:
    issued = item.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return _text(parts[0][0])
        return (_text(issued.get("raw")) or _text(issued.get("literal")) or "")[:4] or None
    return None


def reference_from_csl(item: dict[str, Any], text: str = "") -> Reference:
    """The :class:`~refcheck.model.Reference` of one CSL JSON item, field by field."""
    authors: list[Author] = []
    for person in item.get("author") or []:
        if not isinstance(person, dict):
            continue
        if person.get("family"):
            authors.append(Author(_text(person.get("family")), _text(person.get("given"))))
        elif person.get("literal"):
            authors.append(Author(_text(person.get("literal")), organisation=True))
    pages = _text(item.get("page"))
    first, last = page_ends(pages)
    doi = _text(item.get("DOI"))
    if doi:
        doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.I)
    return Reference(
        text=text,
        authors=authors,
        title=_text(item.get("title")),
        container_title=_text(item.get("container-title")),
        year=_year(item),
        volume=_text(item.get("volume")),
        issue=_text(item.get("issue")),
        pages=pages,
        first_page=first,
        last_page=last,
        doi=doi,
        url=_text(item.get("URL")),
        pmid=_text(item.get("PMID")),
        kind=_KINDS.get(str(item.get("type", ""))),
        publisher=_text(item.get("publisher")),
    )
