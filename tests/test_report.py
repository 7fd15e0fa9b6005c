"""Rendering of reports: the text lines, the JSON layout and its schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from refcheck.model import (
    CheckedReference,
    Citation,
    Finding,
    Location,
    Match,
    MatchStatus,
    Reference,
    Report,
    Severity,
    Work,
)
from refcheck.output.report import format_json, format_text, report_to_dict, summary_line

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "report.schema.json").read_text())


@pytest.fixture
def report() -> Report:
    work = Work(doi="10.1371/journal.ppat.1007887", title="Non-canonical NLRP3")
    finding = Finding(
        "author-spelling",
        Severity.ERROR,
        'author 2 "Sinforio" is spelled "Sinflorio" in the record',
        field="author",
        cited="Sinforio DA",
        expected="Sinflorio DA",
    )
    checked = CheckedReference(
        Citation("Chaves MM, Sinforio DA. Non-canonical NLRP3.", "m.md", 53, "B3"),
        Reference(text="Chaves MM, Sinforio DA. Non-canonical NLRP3.", title="Non-canonical NLRP3"),
        Match(MatchStatus.MATCHED, work=work, score=0.97, via="search"),
        [finding],
    )
    unchecked = CheckedReference(
        Citation("Koné-Paut I. Visceral leishmaniasis.", "m.md", 55, "B5"),
        Reference(text="Koné-Paut I. Visceral leishmaniasis."),
        Match(MatchStatus.UNCHECKED, reason="offline"),
        [Finding("not-checked", Severity.WARNING, "not checked (offline)")],
    )
    document = Finding(
        "name-variant",
        Severity.WARNING,
        "spelled two ways",
        location=Location("m.md", 75),
        related=[Location("m.md", 46)],
    )
    return Report([checked, unchecked], [document], ["m.md"])


def test_text_line_is_compiler_like(report: Report) -> None:
    """Each finding is one `file:line: [label] code (severity): message [doi]` line."""
    first = format_text(report).splitlines()[0]
    assert (
        'm.md:53: [B3] author-spelling (error): author 2 "Sinforio" is spelled "Sinflorio" '
        "in the record [10.1371/journal.ppat.1007887]"
    ) == first


def test_text_ends_with_summary(report: Report) -> None:
    """The last line counts references by status and findings by severity."""
    assert (
        "2 references: 1 mismatch, 1 unchecked; 1 error, 2 warnings, 0 info"
        == format_text(report).splitlines()[-1]
        == summary_line(report)
    )


def test_json_validates_against_the_documented_schema(report: Report) -> None:
    """The JSON output is valid against docs/report.schema.json."""
    jsonschema.validate(json.loads(format_json(report)), SCHEMA)


def test_json_reference_fields(report: Report) -> None:
    """Per reference: file, line, label, citation, status, doi, score and findings."""
    data = report_to_dict(report)["references"][0]
    assert (
        "m.md",
        53,
        "B3",
        "mismatch",
        "10.1371/journal.ppat.1007887",
        0.97,
        ["author-spelling"],
    ) == (
        data["file"],
        data["line"],
        data["label"],
        data["status"],
        data["doi"],
        data["score"],
        [f["code"] for f in data["findings"]],
    )


def test_json_document_finding_has_location(report: Report) -> None:
    """Document-level findings carry their file, line and related places."""
    [finding] = report_to_dict(report)["findings"]
    assert ("m.md", 75, [{"file": "m.md", "line": 46}]) == (
        finding["file"],
        finding["line"],
        finding["related"],
    )
