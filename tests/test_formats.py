"""The CI formats: GitHub Actions workflow commands, JUnit XML and SARIF 2.1.0."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from refcheck.cli import cli
from refcheck.errors import ConfigError
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
from refcheck.output.formats import (
    RULES,
    format_github,
    format_gitlab,
    format_junit,
    format_sarif,
    render,
    report_to_sarif,
)

ROOT = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
EXAMPLE = ROOT / "examples" / "anakinra"


def _checked(
    label: str, line: int, findings: list[Finding], *, file: str = "m.md"
) -> CheckedReference:
    text = f"Author A. Title {label}. J 2020; 1: 1-2."
    return CheckedReference(
        Citation(text, file, line, label),
        Reference(text=text, title=f"Title {label}"),
        Match(MatchStatus.MATCHED, work=Work(doi=f"10.1/{label.lower()}"), score=0.9, via="search"),
        findings,
    )


@pytest.fixture
def report() -> Report:
    """B3 has an error, B4 an info finding, B5 was not checked; one document-level finding."""
    spelling = Finding(
        "author-spelling",
        Severity.ERROR,
        'author 2 "Sinforio" is spelled "Sinflorio" in the record',
        field="author",
        cited="Sinforio DA",
        expected="Sinflorio DA",
    )
    suffix = Finding("pages-suffix", Severity.INFO, 'last page "1000" is "1000.e3"', field="pages")
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
    return Report(
        [_checked("B3", 53, [spelling]), _checked("B4", 54, [suffix]), unchecked],
        [document],
        ["m.md"],
    )


# --- GitHub Actions -------------------------------------------------------------------------


def test_github_lines_are_workflow_commands_then_the_summary(report: Report) -> None:
    """One command per finding, at the citation's line (the document's own for its findings)."""
    expected = [
        '::error file=m.md,line=53,title=[B3] author-spelling::author 2 "Sinforio" is spelled '
        '"Sinflorio" in the record [10.1/b3]',
        '::notice file=m.md,line=54,title=[B4] pages-suffix::last page "1000" is "1000.e3" [10.1/b4]',
        "::warning file=m.md,line=55,title=[B5] not-checked::not checked (offline)",
        "::warning file=m.md,line=75,title=name-variant::spelled two ways",
        "3 references: 1 verified, 1 mismatch, 1 unchecked; 1 error, 2 warnings, 1 info",
    ]
    assert expected == format_github(report).splitlines()


def test_github_escapes_properties_and_message_as_the_toolkit_does() -> None:
    """% CR LF are escaped everywhere; ':' and ',' in properties too (file, title)."""
    where = Location("a:b,c%.md", 3)
    finding = Finding("name-variant", Severity.WARNING, "100% sure:\r\nno, really", location=where)
    expected = (
        "::warning file=a%3Ab%2Cc%25.md,line=3,title=name-variant::100%25 sure:%0D%0Ano, really"
    )
    assert expected == format_github(Report([], [finding])).splitlines()[0]


def test_github_document_finding_without_a_place_has_no_file() -> None:
    """A document-level finding with no location is annotated without file or line."""
    finding = Finding("name-variant", Severity.WARNING, "two ways")
    expected = "::warning title=name-variant::two ways"
    assert expected == format_github(Report([], [finding], ["m.md"])).splitlines()[0]


# --- GitLab Code Quality --------------------------------------------------------------------


def test_gitlab_issues_have_the_fields_gitlab_reads(report: Report) -> None:
    """check_name, severity, path and line per finding, in GitLab's severity words."""
    issues = json.loads(format_gitlab(report))
    got = [
        (i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"])
        for i in issues
    ]
    expected = [
        ("author-spelling", "major", "m.md", 53),
        ("pages-suffix", "info", "m.md", 54),
        ("not-checked", "minor", "m.md", 55),
        ("name-variant", "minor", "m.md", 75),
    ]
    assert expected == got


def test_gitlab_fingerprints_are_unique_even_for_twin_findings() -> None:
    """The same finding twice in one place still gets two fingerprints (GitLab requires it)."""
    twin = Finding("duplicate-reference", Severity.WARNING, "twice", location=Location("m.md", 4))
    issues = json.loads(format_gitlab(Report([], [twin, twin], ["m.md"])))
    assert 2 == len({issue["fingerprint"] for issue in issues})


# --- JUnit XML ------------------------------------------------------------------------------


def _junit(report: Report, fail_on: Severity | None = Severity.ERROR) -> ET.Element:
    return ET.fromstring(format_junit(report, fail_on=fail_on).encode("utf-8"))


def _outcomes(root: ET.Element) -> dict[str, str]:
    """Test case name -> "failure", "skipped" or "passed"."""
    outcomes = {}
    for case in root.iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "skipped")]
        outcomes[case.get("name", "")[:4]] = kinds[0] if kinds else "passed"
    return outcomes


def test_junit_document_finding_without_a_place_goes_to_the_first_manuscript() -> None:
    """A located-nowhere document finding is not lost: the first suite's document case has it."""
    finding = Finding("name-variant", Severity.ERROR, "two ways")
    report = Report([_checked("1", 3, [], file="n.md")], [finding], ["m.md", "n.md"])
    root = _junit(report)
    cases = [(s.get("name"), c.get("name"), c.find("failure") is not None) for s in root for c in s]
    assert [
        ("m.md", "document", True),
        ("n.md", "[1] Author A. Title 1. J 2020; 1: 1-2.", False),
    ] == cases


def test_junit_has_one_suite_per_manuscript_and_one_case_per_reference() -> None:
    """Two manuscripts give two suites; each reference is a test case in its file's suite."""
    report = Report(
        [_checked("1", 10, []), _checked("2", 11, []), _checked("1", 5, [], file="n.md")],
        [],
        ["m.md", "n.md"],
    )
    root = _junit(report)
    suites = {s.get("name"): [c.get("name", "")[:3] for c in s.iter("testcase")] for s in root}
    assert {"m.md": ["[1]", "[2]"], "n.md": ["[1]"]} == suites


def test_junit_outcomes_follow_fail_on_and_unchecked_is_skipped(report: Report) -> None:
    """At --fail-on error: the error fails, the info passes, the unchecked one is skipped."""
    expected = {"[B3]": "failure", "[B4]": "passed", "[B5]": "skipped", "docu": "passed"}
    assert expected == _outcomes(_junit(report, Severity.ERROR))


def test_junit_fail_on_info_fails_every_reference_with_a_finding(report: Report) -> None:
    """At --fail-on info the info finding and the document's warning fail too."""
    expected = {"[B3]": "failure", "[B4]": "failure", "[B5]": "skipped", "docu": "failure"}
    assert expected == _outcomes(_junit(report, Severity.INFO))


def test_junit_fail_on_never_has_no_failure(report: Report) -> None:
    """fail_on=None (``--fail-on never``) reports findings without failing a test."""
    assert 0 == len(list(_junit(report, None).iter("failure")))


def test_junit_counts_on_suites_and_root_agree_with_the_cases(report: Report) -> None:
    """tests/failures/skipped attributes count the test cases as parsed back."""
    root = _junit(report)
    suite = root.find("testsuite")
    assert suite is not None
    counts = {k: (root.get(k), suite.get(k)) for k in ("tests", "failures", "skipped", "errors")}
    expected = {
        "tests": ("4", "4"),
        "failures": ("1", "1"),
        "skipped": ("1", "1"),
        "errors": ("0", "0"),
    }
    assert expected == counts


def test_junit_failure_carries_the_code_the_message_and_every_finding(report: Report) -> None:
    """The failure's type is the finding code; its text lists file:line: code (severity): ..."""
    failure = _junit(report).find(".//testcase/failure")
    assert failure is not None
    expected = (
        "author-spelling",
        'author 2 "Sinforio" is spelled "Sinflorio" in the record [10.1/b3]',
        'm.md:53: author-spelling (error): author 2 "Sinforio" is spelled "Sinflorio" in the record [10.1/b3]',
    )
    assert expected == (failure.get("type"), failure.get("message"), failure.text)


def test_junit_testcases_carry_file_and_line(report: Report) -> None:
    """Each test case names the manuscript and the citation's line (for CI viewers)."""
    lines = [(c.get("file"), c.get("line")) for c in _junit(report).iter("testcase")]
    assert [("m.md", "53"), ("m.md", "54"), ("m.md", "55"), ("m.md", "75")] == lines


# --- SARIF ----------------------------------------------------------------------------------


def test_sarif_is_valid_against_the_sarif_2_1_0_schema(report: Report) -> None:
    """The log validates against the official OASIS schema (tests/schemas)."""
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(format_sarif(report)))


def test_sarif_rules_are_the_finding_codes_with_default_levels(report: Report) -> None:
    """tool.driver.rules: one per catalogued code, in order, with its default level."""
    rules = report_to_sarif(report)["runs"][0]["tool"]["driver"]["rules"]
    level = {"error": "error", "warning": "warning", "info": "note"}
    expected = [(r.code, level[r.severity.value]) for r in RULES.values()]
    assert expected == [(r["id"], r["defaultConfiguration"]["level"]) for r in rules]


def test_sarif_results_point_at_their_rule_and_line(report: Report) -> None:
    """Each result's ruleIndex is its ruleId's rule; its region is the citation's line."""
    run = report_to_sarif(report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    got = [
        (
            r["ruleId"],
            rules[r["ruleIndex"]]["id"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in run["results"]
    ]
    expected = [
        ("author-spelling", "author-spelling", "error", "m.md", 53),
        ("pages-suffix", "pages-suffix", "note", "m.md", 54),
        ("not-checked", "not-checked", "warning", "m.md", 55),
        ("name-variant", "name-variant", "warning", "m.md", 75),
    ]
    assert expected == got


def test_sarif_document_finding_has_its_related_locations(report: Report) -> None:
    """A name variant points at the other spelling's line as a related location."""
    result = report_to_sarif(report)["runs"][0]["results"][-1]
    related = [loc["physicalLocation"]["region"]["startLine"] for loc in result["relatedLocations"]]
    assert [46] == related


def test_sarif_document_finding_without_a_place_is_valid_and_unlocated() -> None:
    """A finding with no location is a result with no locations, and the log stays valid."""
    log = report_to_sarif(Report([], [Finding("name-variant", Severity.WARNING, "x")], ["m.md"]))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    assert [] == log["runs"][0]["results"][0]["locations"]


def test_sarif_unknown_code_gets_a_rule_of_its_own() -> None:
    """A code missing from RULES still has a rule, so the log stays consistent."""
    finding = Finding("shiny-new", Severity.INFO, "new", location=Location("m.md", 2))
    run = report_to_sarif(Report([], [finding], ["m.md"]))["runs"][0]
    rule = run["tool"]["driver"]["rules"][run["results"][0]["ruleIndex"]]
    assert ("shiny-new", "note") == (rule["id"], rule["defaultConfiguration"]["level"])


def test_sarif_fingerprints_ignore_line_moves() -> None:
    """The same finding on another line keeps its partial fingerprint."""
    finding = Finding("volume-mismatch", Severity.ERROR, "volume", field="volume", cited="3")
    prints = [
        report_to_sarif(Report([_checked("1", line, [finding])]))["runs"][0]["results"][0][
            "partialFingerprints"
        ]
        for line in (10, 20)
    ]
    assert prints[0] == prints[1]


def test_rules_agree_with_the_findings_documentation() -> None:
    """Every code in docs/findings.md is a rule with the same severity, and the reverse."""
    text = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| `([a-z-]+)` \| (error|warning|info) \|", text, re.MULTILINE))
    assert documented == {code: rule.severity.value for code, rule in RULES.items()}


# --- choosing a format, and the command line ------------------------------------------------


def test_render_rejects_an_unknown_format(report: Report) -> None:
    """A format name refcheck does not know is a ConfigError naming it."""
    with pytest.raises(ConfigError, match="'xml'"):
        render(report, "xml")


@pytest.mark.parametrize("output_format", ["github", "gitlab", "junit", "sarif"])
def test_cli_writes_each_ci_format_to_the_output_file(tmp_path: Path, output_format: str) -> None:
    """`check --format F -o FILE` on the offline example writes the same text render() makes."""
    out = tmp_path / f"report.{output_format}"
    args = [
        "check",
        str(EXAMPLE / "manuscript.md"),
        "--replay",
        str(EXAMPLE / "crossref-responses.jsonl"),
        "--format",
        output_format,
        "-o",
        str(out),
    ]
    result = CliRunner().invoke(cli, args)
    assert (1, "") == (result.exit_code, result.stdout)
    text = out.read_text(encoding="utf-8")
    if output_format == "sarif":
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(text))
    elif output_format == "gitlab":
        assert 12 == len(json.loads(text))
    elif output_format == "junit":
        # 15 references and the test case of the document-level findings.
        assert 16 == len(ET.fromstring(text.encode()).findall(".//testcase"))
    else:
        assert 12 == sum(line.startswith("::") for line in text.splitlines())
