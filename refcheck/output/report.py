"""Render a :class:`~refcheck.model.Report` for people (text) and for machines (JSON).

Pure: each function returns a string. The JSON layout is documented, with its JSON Schema, in
``docs/json-output.md`` and ``docs/report.schema.json``; ``SCHEMA_VERSION`` changes when it does.

Every format escapes what it writes, whatever the report holds: the text report is one line
per item with no control character (:func:`terminal_line`: no escape sequence reaches a
terminal), JSON is written from :func:`printable_data` (nothing an encoder cannot write).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import attrs

from refcheck._version import __version__
from refcheck.model import (
    CheckedReference,
    Finding,
    Location,
    Reference,
    ReferenceStatus,
    Report,
    Severity,
    printable,
)

__all__ = [
    "SCHEMA_VERSION",
    "checked_to_dict",
    "format_json",
    "format_text",
    "location_dict",
    "place",
    "printable_data",
    "report_to_dict",
    "summary_line",
    "terminal_line",
]

SCHEMA_VERSION = 1


def terminal_line(text: str) -> str:
    """One line of a text report, safe for a terminal: control characters become U+FFFD
    (:func:`~refcheck.model.printable`), and line breaks and tabs inside it spaces."""
    return printable(text).replace("\r", " ").replace("\n", " ").replace("\t", " ")


def printable_data(data: Any) -> Any:
    """JSON-ready ``data`` with every string :func:`~refcheck.model.printable` (keys too)."""
    if isinstance(data, str):
        return printable(data)
    if isinstance(data, dict):
        return {printable_data(k): printable_data(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [printable_data(v) for v in data]
    return data


def place(location: Location) -> str:
    """Where a location is, as a compiler prints it: "paper.md:41", "paper.xml:1:5230" where
    the column is known, or "paper.pdf:p12" for a page of a PDF (its row on the page and its
    box are in the JSON report)."""
    if location.page is not None:
        return f"{location.file}:p{location.page}"
    column = f":{location.column}" if location.column else ""
    return f"{location.file}:{location.line}{column}"


def location_dict(location: Location, *, known_only: bool = False) -> dict[str, Any]:
    """The JSON fields of a location: ``file``, ``line``, ``column`` and ``anchor`` (``null``
    where unknown, or left out with ``known_only``); ``page`` and ``box`` for a PDF."""
    data: dict[str, Any] = {"file": location.file, "line": location.line}
    for key in ("column", "anchor"):
        if getattr(location, key) is not None or not known_only:
            data[key] = getattr(location, key)
    if location.page is not None:
        data["page"] = location.page
        data["box"] = list(location.box) if location.box is not None else None
    return data


def _finding_line(prefix: str, finding: Finding, doi: str | None) -> str:
    suffix = f" [{doi}]" if doi and finding.field is not None else ""
    return f"{prefix} {finding.code} ({finding.severity.value}): {finding.message}{suffix}"


#: How the sources other than Crossref are named after a matched work's identifier.
_SOURCE_LABELS = {
    "pubmed": "PubMed",
    "openalex": "OpenAlex",
    "datacite": "DataCite",
    "arxiv": "arXiv",
    "dblp": "dblp",
    "semanticscholar": "Semantic Scholar",
}


def _identifier(checked: CheckedReference) -> str | None:
    """The matched work's DOI, or "PMID 17524143", "arXiv:1706.03762" or the service's key
    for a work that has no DOI; followed by the source when it is not Crossref
    ("10.48550/arXiv.1706.03762, arXiv")."""
    match = checked.match
    work = match.work
    if work is None:
        return None
    if work.doi:
        shown = work.doi
    elif work.pmid:
        shown = f"PMID {work.pmid}"
    elif work.arxiv_id:
        shown = f"arXiv:{work.arxiv_id}"
    elif work.key:
        shown = f"{match.source or ''}:{work.key}".lstrip(":")
    else:
        return None
    label = _SOURCE_LABELS.get(match.source or "")
    return f"{shown}, {label}" if label and match.source != "pubmed" else shown


def text_lines(report: Report, *, verbose: bool = False) -> Iterator[str]:
    """The text report, line by line: findings grouped by reference, then the document's."""
    for checked in report.references:
        where = f"{place(checked.citation.location)}: [{checked.citation.label}]"
        if verbose and not checked.findings:
            score = f" (score {checked.match.score:.2f})" if checked.match.score is not None else ""
            yield f"{where} {checked.status.value} {_identifier(checked) or ''}{score}".rstrip()
        for finding in checked.findings:
            yield _finding_line(where, finding, _identifier(checked))
            if verbose and finding.code == "not-checked" and checked.match.detail:
                # The whole error, which the finding sums up in a few words.
                yield f"    {checked.match.detail}"
    for finding in report.findings:
        where = f"{place(finding.location)}:" if finding.location else "<document>:"
        yield f"{where} {finding.code} ({finding.severity.value}): {finding.message}"
    if verbose:
        for ignored in report.ignored:
            citation = ignored.checked.citation
            yield f"{place(citation.location)}: [{citation.label}] ignored: {ignored.reason}"
    yield summary_line(report)


def format_text(report: Report, *, verbose: bool = False) -> str:
    """The compiler-like text report, ending with a summary line; each line
    :func:`terminal_line`."""
    return "\n".join(map(terminal_line, text_lines(report, verbose=verbose))) + "\n"


def summary_line(report: Report) -> str:
    """ "15 references: 7 verified, 5 mismatch, ...; 4 errors, 6 warnings, 2 info"."""
    statuses = _status_counts(report)
    parts = ", ".join(f"{n} {status}" for status, n in statuses.items() if n)
    severities = (
        f"{report.count(Severity.ERROR)} error{'s' if report.count(Severity.ERROR) != 1 else ''}, "
        f"{report.count(Severity.WARNING)} warning"
        f"{'s' if report.count(Severity.WARNING) != 1 else ''}, "
        f"{report.count(Severity.INFO)} info"
    )
    n = len(report.references)
    ignored = f"; {len(report.ignored)} ignored" if report.ignored else ""
    return f"{n} reference{'s' if n != 1 else ''}: {parts or 'none'}; {severities}{ignored}"


def _status_counts(report: Report) -> dict[str, int]:
    counts = {status.value: 0 for status in ReferenceStatus}
    for checked in report.references:
        counts[checked.status.value] += 1
    return counts


def _finding_dict(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": finding.code,
        "severity": finding.severity.value,
        "field": finding.field,
        "cited": finding.cited,
        "expected": finding.expected,
        "message": finding.message,
        "source": finding.source,
    }
    if finding.location is not None:
        data.update(location_dict(finding.location))
        data["related"] = [location_dict(loc, known_only=True) for loc in finding.related]
    return data


def _reference_dict(reference: Reference) -> dict[str, Any]:
    data = attrs.asdict(reference, recurse=True)
    data.pop("text")
    data["authors"] = [
        {"family": a.family, "given": a.given, "organisation": a.organisation, "suffix": a.suffix}
        for a in reference.authors
    ]
    return data


def _checked_dict(checked: CheckedReference) -> dict[str, Any]:
    match = checked.match
    return {
        **location_dict(checked.citation.location),
        "label": checked.citation.label,
        "citation": checked.citation.text,
        "status": checked.status.value,
        "match": match.status.value,
        "doi": match.doi,
        "score": match.score,
        "via": match.via,
        "source": match.source,
        "asked": list(match.asked),
        "arxiv_id": match.work.arxiv_id if match.work is not None else None,
        "published": _published_dict(checked),
        "reason": match.reason,
        "detail": match.detail,
        "reference": _reference_dict(checked.reference),
        "findings": [_finding_dict(f) for f in checked.findings],
    }


def checked_to_dict(checked: CheckedReference) -> dict[str, Any]:
    """One checked reference as the JSON report's ``references`` hold it (``refcheck batch``
    writes one a line)."""
    return _checked_dict(checked)


def _published_dict(checked: CheckedReference) -> dict[str, Any] | None:
    """The published version of a matched preprint, and the source that names it."""
    published = checked.match.published
    if published is None:
        return None
    return {
        "doi": published.doi or None,
        "container_title": published.container_title,
        "year": published.year,
        "source": checked.match.published_source,
    }


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data (see ``docs/json-output.md``)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "refcheck_version": __version__,
        "files": list(report.files),
        "summary": {
            "references": len(report.references),
            **_status_counts(report),
            **{s.value: report.count(s) for s in Severity},
            "ignored": len(report.ignored),
        },
        "references": [_checked_dict(c) for c in report.references],
        "findings": [_finding_dict(f) for f in report.findings],
        "unreachable": list(report.unreachable),
        "ignored": [
            {
                **location_dict(i.checked.citation.location),
                "label": i.checked.citation.label,
                "doi": i.checked.match.doi,
                "reason": i.reason,
            }
            for i in report.ignored
        ],
    }


def format_json(report: Report) -> str:
    """The report as indented JSON."""
    return json.dumps(printable_data(report_to_dict(report)), indent=2, ensure_ascii=False) + "\n"
