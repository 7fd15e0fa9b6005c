"""Render a :class:`~refcheck.model.Report` for CI systems: GitHub, GitLab, JUnit XML, SARIF.

Pure, like :mod:`refcheck.output.report` next to it: each function takes a report and returns a
string. :func:`render` picks a renderer by the name ``refcheck check --format`` takes.

* ``github``: one `workflow command`_ per finding (``::error file=...,line=...,title=...::``),
  which GitHub Actions shows as an annotation on the manuscript's line, then the summary.
* ``junit``: JUnit XML, one ``testsuite`` per manuscript and one ``testcase`` per reference;
  findings at or above ``fail_on`` make it a ``failure``, unchecked references are ``skipped``.
* ``gitlab``: a GitLab Code Quality report (Code Climate JSON), one issue per finding.
* ``sarif``: SARIF 2.1.0, one rule per finding code (:data:`RULES`), one result per finding,
  for GitHub code scanning and other SARIF viewers.

.. _workflow command:
   https://docs.github.com/actions/reference/workflow-commands-for-github-actions
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

import attrs

from refcheck._version import __version__
from refcheck.errors import ConfigError
from refcheck.model import (
    CheckedReference,
    Finding,
    Location,
    ReferenceStatus,
    Report,
    Severity,
    printable,
)
from refcheck.output.report import (
    format_json,
    format_text,
    place,
    printable_data,
    summary_line,
    terminal_line,
)

__all__ = [
    "FORMATS",
    "RULES",
    "Rule",
    "format_github",
    "format_gitlab",
    "format_junit",
    "format_sarif",
    "github_lines",
    "render",
    "report_to_gitlab",
    "report_to_sarif",
]

#: Where each finding code is explained (the SARIF rules' ``helpUri``).
DOCS_URL = "https://refcheck.readthedocs.io/en/latest/findings/"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


@attrs.frozen(slots=True)
class Rule:
    """A finding code as a rule of a CI report: its default severity and what it means."""

    code: str
    severity: Severity
    description: str

    @property
    def name(self) -> str:
        """The code in CamelCase, as SARIF rule names are written: "AuthorSpelling"."""
        return "".join(part.capitalize() for part in self.code.split("-"))


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

#: Every finding code refcheck reports, as documented in ``docs/findings.md``.
RULES: Mapping[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("author-spelling", _E, "A surname differs by a few letters from the record's."),
        Rule("author-mismatch", _E, "An author is not the record's author at that place."),
        Rule("author-order", _W, "An author of the work is cited at another place."),
        Rule("author-initials", _W, "An author's initials are dropped or different."),
        Rule("author-missing", _W, "Fewer authors than the record has, without 'et al'."),
        Rule("author-extra", _W, "More authors than the record has."),
        Rule("title-mismatch", _E, "A title word is misspelled, or most words differ."),
        Rule("title-differs", _W, "Title words are added, dropped or reordered."),
        Rule("journal-mismatch", _W, "The journal is neither the record's nor an abbreviation."),
        Rule("year-mismatch", _E, "The year is neither the online nor the print year."),
        Rule("volume-mismatch", _E, "The volume differs from the record's."),
        Rule("issue-mismatch", _W, "The issue differs from the record's."),
        Rule("pages-mismatch", _E, "The first page (or article number) differs from the record's."),
        Rule("last-page-mismatch", _W, "The last page differs from the record's."),
        Rule("pages-suffix", _I, "The last page lacks the record's suffix."),
        Rule("pages-abbreviated", _I, "The last page is abbreviated too far to be read right."),
        Rule("now-published", _I, "Cited as online-first; the work now has a volume and pages."),
        Rule("retracted", _E, "The cited work is retracted, withdrawn or removed."),
        Rule("corrected", _W, "A correction or erratum to the cited work was published."),
        Rule("expression-of-concern", _W, "An expression of concern about the work was issued."),
        Rule("reinstated", _I, "A retraction of the cited work was reversed."),
        Rule("update-notice", _W, "The citation is of a notice, not of the work it is about."),
        Rule("published-version", _I, "The cited preprint has a published version to cite."),
        Rule("doi-not-found", _E, "The cited DOI does not exist on Crossref."),
        Rule("doi-mismatch", _E, "The cited DOI belongs to another work."),
        Rule("arxiv-not-found", _E, "The cited arXiv identifier does not exist on arXiv."),
        Rule("arxiv-mismatch", _E, "The cited arXiv identifier belongs to another paper."),
        Rule("unresolved", _W, "No work on Crossref agrees with the reference."),
        Rule(
            "preprint-only",
            _W,
            "A journal citation of which only the preprint agrees; names the published DOI.",
        ),
        Rule(
            "may-be-fabricated", _W, "Unresolved, and its parts contradict the journal's records."
        ),
        Rule("ambiguous", _W, "Several works on Crossref agree equally well."),
        Rule("not-checked", _W, "refcheck could not ask Crossref about the reference."),
        Rule("name-variant", _W, "One person's surname is spelled two ways in the document."),
        Rule("citation-variant", _W, "The same work is cited with different details."),
        Rule("duplicate-reference", _W, "The same work appears twice in one reference list."),
        Rule("unreadable-entry", _W, "A bibliography entry BibTeX cannot read as written."),
        Rule("author-list-commas", _W, "An author list separated by commas, not 'and'."),
        Rule("field-code-mismatch", _W, "A reference manager's field disagrees with the print."),
        Rule("cited-key-missing", _E, "The text cites a key the bibliography does not have."),
        Rule("uncited-entry", _I, "A bibliography entry the text never cites."),
    )
}


def _rule(finding: Finding) -> Rule:
    """The catalogued rule of a finding, or one made from the finding for a code not listed."""
    return RULES.get(finding.code) or Rule(finding.code, finding.severity, finding.code)


def _findings(
    report: Report,
) -> Iterator[tuple[Finding, Location | None, CheckedReference | None]]:
    """Every finding with its place: a reference's citation, or the finding's own location
    (``None`` for a document-level finding without one)."""
    for checked in report.references:
        for finding in checked.findings:
            yield finding, checked.citation.location, checked
    for finding in report.findings:
        yield finding, finding.location, None


def _message(finding: Finding, checked: CheckedReference | None) -> str:
    """The finding's message, with the matched work's DOI like the text report."""
    doi = checked.match.doi if checked is not None else None
    return f"{finding.message} [{doi}]" if doi and finding.field is not None else finding.message


def _title(finding: Finding, checked: CheckedReference | None) -> str:
    label = checked.citation.label if checked is not None else ""
    where = checked.citation.location if checked is not None else finding.location
    page = f" (p{where.page})" if where is not None and where.page is not None else ""
    return (f"[{label}] {finding.code}" if label else finding.code) + page


# --- GitHub Actions -------------------------------------------------------------------------

_GITHUB_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (``escapeData``), with
    control characters replaced first (:func:`~refcheck.model.printable`): the log GitHub
    shows interprets terminal escapes."""
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value (``escapeProperty``): also ``:`` and ``,``."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_lines(report: Report) -> Iterator[str]:
    """The GitHub Actions report, line by line: one workflow command per finding, a summary."""
    for finding, location, checked in _findings(report):
        properties = [("file", location.file), ("line", str(location.line))] if location else []
        if location is not None and location.column:
            properties.append(("col", str(location.column)))
        properties.append(("title", _title(finding, checked)))
        props = ",".join(f"{key}={_escape_property(value)}" for key, value in properties)
        command = _GITHUB_COMMAND[finding.severity]
        yield f"::{command} {props}::{_escape_data(_message(finding, checked))}"
    yield terminal_line(summary_line(report))


def format_github(report: Report) -> str:
    """GitHub Actions workflow commands: an annotation per finding, then the summary line."""
    return "\n".join(github_lines(report)) + "\n"


# --- JUnit XML ------------------------------------------------------------------------------


def _finding_text(finding: Finding, location: Location, checked: CheckedReference | None) -> str:
    severity = finding.severity.value
    return f"{place(location)}: {finding.code} ({severity}): {_message(finding, checked)}"


def _testcase(
    name: str,
    classname: str,
    location: Location,
    findings: list[Finding],
    checked: CheckedReference | None,
    fail_on: Severity | None,
) -> tuple[ET.Element, str]:
    """One ``testcase`` and its outcome: "passed", "failed" or "skipped"."""
    case = ET.Element(
        "testcase",
        name=name,
        classname=classname,
        file=location.file,
        line=str(location.line),
        time="0",
    )
    failing = [f for f in findings if fail_on is not None and f.severity >= fail_on]
    lines = [
        _finding_text(f, location if f.location is None else f.location, checked) for f in findings
    ]
    outcome = "passed"
    if checked is not None and checked.status is ReferenceStatus.UNCHECKED:
        ET.SubElement(case, "skipped", message=checked.match.reason or "not checked")
        outcome = "skipped"
    elif failing:
        worst = max(failing, key=lambda f: f.severity.rank)
        count = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
        failure = ET.SubElement(
            case, "failure", message=_message(worst, checked) + count, type=worst.code
        )
        failure.text = "\n".join(lines)
        outcome = "failed"
    if lines and outcome != "failed":
        ET.SubElement(case, "system-out").text = "\n".join(lines)
    return case, outcome


def format_junit(report: Report, *, fail_on: Severity | None = Severity.ERROR) -> str:
    """JUnit XML: a ``testsuite`` per manuscript, a ``testcase`` per reference.

    A reference with a finding at or above ``fail_on`` (``None``: never) has a ``failure``
    listing all its findings; an unchecked reference is ``skipped``; other findings go to
    ``system-out``. A manuscript with document-level findings has one more test case,
    ``document``, that holds them.
    """
    root = ET.Element("testsuites", name="refcheck")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for file in report.files or sorted({c.citation.file for c in report.references}):
        suite = ET.SubElement(root, "testsuite", name=file)
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        cases: list[tuple[ET.Element, str]] = []
        for checked in report.references:
            if checked.citation.file != file:
                continue
            label = f"[{checked.citation.label}] " if checked.citation.label else ""
            text = checked.citation.text
            name = label + (text if len(text) <= 80 else text[:79] + "…")
            cases.append(
                _testcase(
                    name, file, checked.citation.location, list(checked.findings), checked, fail_on
                )
            )
        # Document-level findings without a place go with the first manuscript's.
        unplaced = file == (report.files or (file,))[0]
        document = [
            f for f in report.findings if (f.location.file == file if f.location else unplaced)
        ]
        if document:
            first = document[0].location or Location(file, 1)
            cases.append(_testcase("document", file, first, document, None, fail_on))
        for case, outcome in cases:
            suite.append(case)
            counts["tests"] += 1
            counts["failures"] += outcome == "failed"
            counts["skipped"] += outcome == "skipped"
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("errors", "0")
        suite.set("time", "0")
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    _printable_tree(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _printable_tree(root: ET.Element) -> None:
    """Replace, in every attribute and text of the tree, what XML 1.0 cannot hold (control
    characters, lone surrogates: :func:`~refcheck.model.printable`), so that the document is
    well-formed whatever the report holds (ElementTree escapes ``<&"`` but writes the rest
    as it is)."""
    for element in root.iter():
        for name, value in element.attrib.items():
            element.set(name, printable(value))
        if element.text:
            element.text = printable(element.text)
        if element.tail:
            element.tail = printable(element.tail)


# --- SARIF 2.1.0 ----------------------------------------------------------------------------

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(file: str) -> str:
    """A file name as a SARIF artifact URI: relative paths as they are, with forward slashes."""
    if PureWindowsPath(file).drive or file.startswith("/"):
        posix = PureWindowsPath(file).as_posix() if PureWindowsPath(file).drive else file
        return "file://" + ("" if posix.startswith("/") else "/") + posix
    return str(PurePosixPath(PureWindowsPath(file).as_posix()))


def _physical(location: Location) -> dict[str, Any]:
    """A SARIF location: the line and column (a region), and the source's own name for the
    reference (a logical location: the JATS ``ref`` id, the ``.bib`` key), which still
    finds it in a file written on one line. A PDF's region is the row's number on its page,
    with the page and the box on it (points from the top left) in the region's property bag."""
    region: dict[str, Any] = {"startLine": max(1, location.line)}
    if location.column:
        region["startColumn"] = location.column
    if location.page is not None:
        region["properties"] = {"page": location.page}
        if location.box is not None:
            region["properties"]["box"] = list(location.box)
    found: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": _uri(location.file)}, "region": region}
    }
    if location.anchor:
        found["logicalLocations"] = [{"name": location.anchor, "kind": "element"}]
    return found


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.description},
        "fullDescription": {"text": rule.description},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        "helpUri": DOCS_URL,
        "properties": {"tags": ["references"]},
    }


def _fingerprint(
    finding: Finding, location: Location | None, checked: CheckedReference | None
) -> str:
    """Stable across runs and line moves: the code, the file, the citation or the message."""
    what = checked.citation.text if checked is not None else finding.message
    file = location.file if location else ""
    key = "\0".join((finding.code, file, what, finding.cited or ""))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def report_to_sarif(report: Report) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log (plain JSON-ready data)."""
    rules = dict(RULES)
    for finding, _, _ in _findings(report):
        rules.setdefault(finding.code, _rule(finding))
    index = {code: i for i, code in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for finding, location, checked in _findings(report):
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": _SARIF_LEVEL[finding.severity],
            "message": {"text": _message(finding, checked)},
            "locations": [_physical(location)] if location else [],
            "partialFingerprints": {"refcheck/v1": _fingerprint(finding, location, checked)},
        }
        if finding.related:
            result["relatedLocations"] = [
                {"id": i, **_physical(loc)} for i, loc in enumerate(finding.related)
            ]
        properties = {
            key: value
            for key, value in (
                ("label", checked.citation.label if checked else None),
                ("doi", checked.match.doi if checked else None),
                ("field", finding.field),
                ("cited", finding.cited),
                ("expected", finding.expected),
            )
            if value
        }
        if properties:
            result["properties"] = properties
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "refcheck",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": DOCS_URL.removesuffix("findings/"),
                        "rules": [_sarif_rule(rule) for rule in rules.values()],
                    }
                },
                "artifacts": [
                    {"location": {"uri": _uri(file)}, "roles": ["analysisTarget"]}
                    for file in report.files
                ],
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def format_sarif(report: Report) -> str:
    """The report as a SARIF 2.1.0 log, indented JSON."""
    return json.dumps(printable_data(report_to_sarif(report)), indent=2, ensure_ascii=False) + "\n"


# --- GitLab Code Quality --------------------------------------------------------------------

_GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def _gitlab_location(where: Location) -> dict[str, Any]:
    """Lines, or with a column the positions form Code Climate also defines."""
    line = max(1, where.line)
    if where.column:
        position = {"line": line, "column": where.column}
        return {"path": where.file, "positions": {"begin": position, "end": position}}
    return {"path": where.file, "lines": {"begin": line}}


def report_to_gitlab(report: Report) -> list[dict[str, Any]]:
    """The report as a GitLab Code Quality report (the Code Climate issue subset GitLab reads)."""
    issues: list[dict[str, Any]] = []
    seen: set[str] = set()
    for finding, location, checked in _findings(report):
        fingerprint = _fingerprint(finding, location, checked)
        where = location or Location((report.files or ("<document>",))[0], 1)
        unique, n = fingerprint, 1
        while unique in seen:
            n += 1
            unique = f"{fingerprint}-{n}"
        seen.add(unique)
        issues.append(
            {
                "type": "issue",
                "check_name": finding.code,
                "description": f"{_title(finding, checked)}: {_message(finding, checked)}",
                "categories": ["Bug Risk"],
                "severity": _GITLAB_SEVERITY[finding.severity],
                "fingerprint": unique,
                "location": _gitlab_location(where),
            }
        )
    return issues


def format_gitlab(report: Report) -> str:
    """A GitLab Code Quality report (``artifacts:reports:codequality``), indented JSON."""
    return json.dumps(printable_data(report_to_gitlab(report)), indent=2, ensure_ascii=False) + "\n"


# --- choosing a format ----------------------------------------------------------------------

#: The names ``refcheck check --format`` takes.
FORMATS = ("text", "json", "github", "gitlab", "junit", "sarif")


def render(
    report: Report,
    output_format: str,
    *,
    verbose: bool = False,
    fail_on: Severity | None = Severity.ERROR,
) -> str:
    """The report in one of :data:`FORMATS`. ``verbose`` is for text, ``fail_on`` for JUnit."""
    if output_format == "text":
        return format_text(report, verbose=verbose)
    if output_format == "json":
        return format_json(report)
    if output_format == "github":
        return format_github(report)
    if output_format == "gitlab":
        return format_gitlab(report)
    if output_format == "junit":
        return format_junit(report, fail_on=fail_on)
    if output_format == "sarif":
        return format_sarif(report)
    raise ConfigError(f"unknown report format {output_format!r}: expected one of {FORMATS}")
