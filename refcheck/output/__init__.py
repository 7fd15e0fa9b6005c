"""The last step: ``Report -> text, JSON, CI formats / BibTeX``.

Takes a :class:`~refcheck.model.Report`; gives text. :mod:`~refcheck.output.report` writes
the compiler-like text report and the JSON report; :mod:`~refcheck.output.formats` the
formats CI systems read (GitHub, GitLab, JUnit, SARIF) and the rules behind each finding
code; :mod:`~refcheck.output.bibtex` the resolved works as BibTeX. Pure, but for
:mod:`~refcheck.output.files`, which checks and writes an output file whole (and
:func:`~refcheck.output.bibtex.write_bibtex`, through it).
"""

from refcheck.output.bibtex import to_bibtex, write_bibtex
from refcheck.output.formats import FORMATS, RULES, render
from refcheck.output.report import format_json, format_text, report_to_dict

__all__ = [
    "FORMATS",
    "RULES",
    "format_json",
    "format_text",
    "render",
    "report_to_dict",
    "to_bibtex",
    "write_bibtex",
]
