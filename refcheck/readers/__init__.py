"""The first step: ``file -> read -> Manuscript``.

Takes a manuscript file; gives a :class:`~refcheck.readers.text.Manuscript`: its citations
(with file, line and label; a reference too where the source has fields) and the rest of its
text, line by line, for the document checks. One module per format; :func:`read_file` picks
the reader by the file's extension:

=====================  =====================================================================
``.bib``               :func:`read_bib`: each entry is a citation (line of its ``@``, its key
                       as label); its reference is built from the entry's fields, not parsed
``.tex``               :func:`read_tex`: the ``\\bibitem`` of ``thebibliography``; or the
                       ``.bib`` its ``\\bibliography``/``\\addbibresource`` names (or the
                       ``.bbl`` beside it), keeping the entries the text cites
``.bbl``               :func:`read_latex`: the ``\\bibitem`` of ``thebibliography`` (their
                       ``\\bibinfo`` tags where the style writes them), or a biblatex
                       ``.bbl``'s entries, field by field; the label is the citation key
``.docx``              :func:`read_docx` (python-docx, the ``docx`` extra): the numbered or
                       headed reference paragraphs; the paragraph number is the line
``.xml``, ``.nxml``    :func:`read_jats`: JATS ``<ref-list>``; ``element-citation`` fields are
                       and tagged ``mixed-citation`` fields mapped directly, untagged text parsed
``.pdf``               :func:`read_pdf` (pypdfium2, the ``pdf`` extra): the entries of its
                       reference lists, each with its page and box; a file of another
                       extension that starts as a PDF does (``%PDF-``) is read so too
anything else          :func:`read_pandoc`: Markdown or plain text (:func:`read_text`); pandoc
                       Markdown whose front matter names a ``bibliography``: the cited
                       entries of that ``.bib``
=====================  =====================================================================

Readers read the file; what they build from its content is done by pure functions
(:func:`reference_from_bibtex`, :func:`clean_latex`). Errors of pybtex, python-docx and the XML
parser are translated into :class:`~refcheck.errors.ParseError` where they enter; an entry
that cannot be read is still a citation (its raw text, parsed as any citation), so one broken
entry never hides the others.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from refcheck.readers._files import MAX_BYTES, decode_text, read_manuscript
from refcheck.readers.bibtex import bib_manuscript, read_bib, reference_from_bibtex
from refcheck.readers.docx import docx_manuscript, read_docx
from refcheck.readers.jats import jats_manuscript, read_jats, reference_from_element_citation
from refcheck.readers.latex import bibitem_reference, clean_latex, latex_manuscript, read_latex
from refcheck.readers.linked import read_pandoc, read_tex
from refcheck.readers.pdf import is_pdf, pdf_manuscript, read_pdf
from refcheck.readers.text import Manuscript, TextLine, extract_citations, read_text

__all__ = [
    "MAX_BYTES",
    "READERS",
    "Manuscript",
    "TextLine",
    "bib_manuscript",
    "bibitem_reference",
    "clean_latex",
    "decode_text",
    "docx_manuscript",
    "extract_citations",
    "jats_manuscript",
    "latex_manuscript",
    "pdf_manuscript",
    "read_bib",
    "read_docx",
    "read_file",
    "read_jats",
    "read_latex",
    "read_manuscript",
    "read_pandoc",
    "read_pdf",
    "read_tex",
    "read_text",
    "reference_from_bibtex",
    "reference_from_element_citation",
]

#: The reader of each file extension; any other extension is read as text.
READERS: dict[str, Callable[[str | os.PathLike[str]], Manuscript]] = {
    ".bib": read_bib,
    ".tex": read_tex,
    ".bbl": read_latex,
    ".docx": read_docx,
    ".xml": read_jats,
    ".nxml": read_jats,
    ".jats": read_jats,
    ".pdf": read_pdf,
}


def read_file(path: str | os.PathLike[str]) -> Manuscript:
    """The :class:`Manuscript` of a file, read by the reader of its extension (see above), or
    as a PDF when it starts as one."""
    reader = READERS.get(Path(path).suffix.lower())
    if reader is None:
        reader = read_pdf if is_pdf(path) else read_pandoc
    return reader(path)
