"""Read LaTeX: the ``\\bibitem`` entries of ``thebibliography`` in a ``.tex`` or ``.bbl`` file,
their markup cleaned (:func:`clean_latex`, pure)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import attrs

from refcheck.model import Author, Citation, Reference
from refcheck.parsing import parse_citation
from refcheck.readers._files import decode_source, read_bytes
from refcheck.readers._tex import COMMENT as _COMMENT
from refcheck.readers._tex import clean_latex
from refcheck.readers.bbl import bibinfo_reference, biblatex_manuscript
from refcheck.readers.text import Manuscript, TextLine

__all__ = ["bibitem_reference", "clean_latex", "latex_manuscript", "read_latex"]

_BIBLATEX = re.compile(r"\\entry\s*\{[^{}]*\}\s*\{")
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
    return latex_manuscript(decode_source(read_bytes(Path(path))), file)


def latex_manuscript(text: str, file: str) -> Manuscript:
    """The :class:`Manuscript` of LaTeX source (pure; see :func:`read_latex`)."""
    if "\\endentry" in text and "thebibliography" not in text and _BIBLATEX.search(text):
        return biblatex_manuscript(text, file)
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
                key = item["key"].strip()
                citations.append(Citation(cleaned, file=file, line=line, label=key, anchor=key))
                tagged = bibinfo_reference(raw, cleaned)
                references.append(tagged if tagged is not None else bibitem_reference(raw, cleaned))
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
