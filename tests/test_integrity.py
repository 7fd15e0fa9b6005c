"""Integrity findings: retractions, corrections, expressions of concern, notices, preprints.

The records below are written by hand in the shape of genuine Crossref records (PLOS and
Elsevier records of ``../shared/data/crossref/works.jsonl.gz``, and the ``updated-by`` entries
Crossref adds from the Retraction Watch database, which carry ``source: retraction-watch`` and
a ``record-id``).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import GENUINE_WORKS

from refcheck.cli import cli
from refcheck.findings import compare
from refcheck.findings.integrity import integrity_findings
from refcheck.model import Finding, Match, MatchStatus, Reference, Relation, Severity, Update
from refcheck.sources.crossref import work_from_crossref
from refcheck.testing import serve_crossref


def _date(y: int, m: int, d: int) -> dict[str, Any]:
    return {
        "date-parts": [[y, m, d]],
        "date-time": f"{y:04d}-{m:02d}-{d:02d}T00:00:00Z",
        "timestamp": 0,
    }


def _record(**extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "DOI": "10.1371/journal.pone.0031093",
        "type": "journal-article",
        "title": [
            "Grape Seed Proanthocyanidins Inhibit the Invasiveness of Human HNSCC Cells by "
            "Targeting EGFR and Reversing the Epithelial-To-Mesenchymal Transition"
        ],
        "container-title": ["PLoS ONE"],
        "author": [{"given": "Tripti", "family": "Singh", "sequence": "first"}],
        "issued": {"date-parts": [[2012, 2, 10]]},
        "volume": "7",
        "issue": "2",
        "page": "e31093",
    }
    record.update(extra)
    return record


RETRACTION_BY_PUBLISHER = {
    "updated": _date(2018, 12, 31),
    "DOI": "10.1371/journal.pone.0210346",
    "type": "retraction",
    "source": "publisher",
    "label": "Retraction",
}
RETRACTION_BY_RETRACTION_WATCH = {
    "updated": _date(2018, 12, 31),
    "DOI": "10.1371/journal.pone.0210346",
    "type": "retraction",
    "source": "retraction-watch",
    "label": "Retraction",
    "record-id": 23981,
}
CORRECTION = {
    "DOI": "10.1371/journal.pbio.0060304",
    "type": "correction",
    "label": "Correction",
    "source": "publisher",
    "updated": _date(2008, 11, 25),
}
CONCERN = {
    "DOI": "10.1371/journal.pone.0290001",
    "type": "expression_of_concern",
    "label": "Expression of Concern",
    "source": "publisher",
    "updated": _date(2023, 8, 2),
}
REFERENCE = Reference(
    text="Singh T et al. Grape seed proanthocyanidins ... PLoS One 2012;7:e31093.",
    title="Grape Seed Proanthocyanidins Inhibit the Invasiveness of Human HNSCC Cells by "
    "Targeting EGFR and Reversing the Epithelial-To-Mesenchymal Transition",
)


def _codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def test_converter_reads_retraction_watch_updates() -> None:
    """An ``updated-by`` entry from Retraction Watch keeps its source and record id."""
    work = work_from_crossref(_record(**{"updated-by": [RETRACTION_BY_RETRACTION_WATCH]}))
    assert (
        Update(
            type="retraction",
            doi="10.1371/journal.pone.0210346",
            date="2018-12-31",
            source="retraction-watch",
            record_id="23981",
            label="Retraction",
        ),
    ) == work.updates


def test_converter_reads_update_to_and_relations() -> None:
    """``update-to`` and ``relation`` become ``Work.update_to`` and ``Work.relations``."""
    record = _record(
        **{
            "update-to": [RETRACTION_BY_PUBLISHER | {"DOI": "10.1371/journal.pone.0083541"}],
            "relation": {
                "is-preprint-of": [
                    {"id-type": "doi", "id": "10.5194/hess-10-715-2006", "asserted-by": "object"}
                ],
                "cites": [],
            },
        }
    )
    work = work_from_crossref(record)
    assert (
        ("10.1371/journal.pone.0083541",),
        (Relation("is-preprint-of", "10.5194/hess-10-715-2006", "doi"),),
    ) == (
        tuple(u.doi for u in work.update_to),
        work.relations,
    )


def test_retracted_work_is_an_error_naming_the_notice() -> None:
    """A cited work retracted by its publisher gives one ``retracted`` error with the notice."""
    work = work_from_crossref(_record(**{"updated-by": [RETRACTION_BY_PUBLISHER]}))
    assert [
        Finding(
            "retracted",
            Severity.ERROR,
            "the cited work was retracted by 10.1371/journal.pone.0210346 on 2018-12-31 "
            "(source: publisher)",
            field="doi",
            cited="10.1371/journal.pone.0031093",
            expected="10.1371/journal.pone.0210346",
        )
    ] == integrity_findings(REFERENCE, work)


def test_same_retraction_from_two_sources_is_one_finding() -> None:
    """Publisher and Retraction Watch asserting the same notice give one finding naming both."""
    updates = [RETRACTION_BY_PUBLISHER, RETRACTION_BY_RETRACTION_WATCH]
    work = work_from_crossref(_record(**{"updated-by": updates}))
    [finding] = integrity_findings(REFERENCE, work)
    assert finding.message.endswith("(source: publisher, Retraction Watch record 23981)")


def test_corrected_work_is_a_warning_naming_the_notice_doi() -> None:
    """A correction gives a ``corrected`` warning whose message names the notice's DOI."""
    work = work_from_crossref(_record(**{"updated-by": [CORRECTION]}))
    [finding] = integrity_findings(REFERENCE, work)
    assert ("corrected", Severity.WARNING, "10.1371/journal.pbio.0060304") == (
        finding.code,
        finding.severity,
        finding.expected,
    )
    assert "10.1371/journal.pbio.0060304" in finding.message


def test_expression_of_concern_is_a_warning() -> None:
    """An expression of concern gives an ``expression-of-concern`` warning."""
    work = work_from_crossref(_record(**{"updated-by": [CONCERN]}))
    assert [("expression-of-concern", Severity.WARNING)] == [
        (f.code, f.severity) for f in integrity_findings(REFERENCE, work)
    ]


def test_own_new_version_is_not_a_finding() -> None:
    """PLOS records list themselves as their own "new_version": that is no notice."""
    own = {
        "DOI": "10.1371/journal.pone.0031093",
        "type": "new_version",
        "label": "New version",
        "source": "publisher",
        "updated": _date(2020, 1, 30),
    }
    work = work_from_crossref(_record(**{"updated-by": [own], "update-to": [own]}))
    assert ([], False) == (integrity_findings(REFERENCE, work), work.is_update_notice)


def test_citing_a_notice_by_its_title_is_info() -> None:
    """A citation whose title says "Retraction: ..." cites the notice on purpose: info."""
    notice = work_from_crossref(
        _record(
            DOI="10.1371/journal.pone.0210346",
            title=["Retraction: Grape Seed Proanthocyanidins Inhibit the Invasiveness"],
            **{"update-to": [RETRACTION_BY_PUBLISHER | {"DOI": "10.1371/journal.pone.0031093"}]},
        )
    )
    reference = Reference(title="Retraction: Grape Seed Proanthocyanidins Inhibit the Invasiveness")
    assert [("update-notice", Severity.INFO)] == [
        (f.code, f.severity) for f in integrity_findings(reference, notice)
    ]


def test_citing_a_notice_as_if_it_were_the_work_is_a_warning() -> None:
    """A citation that matched a retraction notice without saying so names the work to cite."""
    notice = work_from_crossref(
        _record(
            DOI="10.1371/journal.pone.0210346",
            **{"update-to": [RETRACTION_BY_PUBLISHER | {"DOI": "10.1371/journal.pone.0031093"}]},
        )
    )
    [finding] = integrity_findings(REFERENCE, notice)
    assert ("update-notice", Severity.WARNING, "10.1371/journal.pone.0031093") == (
        finding.code,
        finding.severity,
        finding.expected,
    )


def test_preprint_with_published_version_is_info_naming_it() -> None:
    """A posted preprint whose record says ``is-preprint-of`` names the version to cite."""
    preprint = work_from_crossref(
        {
            "DOI": "10.5194/hessd-3-731-2006",
            "type": "posted-content",
            "title": ["Centrifuge modeling of one-step outflow tests"],
            "relation": {
                "is-preprint-of": [
                    {"id-type": "doi", "id": "10.5194/hess-10-715-2006", "asserted-by": "object"}
                ]
            },
        }
    )
    assert [("published-version", Severity.INFO, "10.5194/hess-10-715-2006")] == [
        (f.code, f.severity, f.expected) for f in integrity_findings(Reference(), preprint)
    ]


def test_published_article_with_a_preprint_is_no_finding() -> None:
    """``has-preprint`` on the cited article is fine: the published version is the one cited."""
    article = work_from_crossref(
        _record(
            relation={
                "has-preprint": [
                    {"id-type": "doi", "id": "10.7287/peerj.preprints.764", "asserted-by": "object"}
                ]
            }
        )
    )
    assert [] == integrity_findings(REFERENCE, article)


def test_compare_reports_retraction_of_a_matched_work() -> None:
    """``compare`` includes the integrity findings of the matched work."""
    work = work_from_crossref(_record(**{"updated-by": [RETRACTION_BY_RETRACTION_WATCH]}))
    match = Match(MatchStatus.MATCHED, work=work, score=1.0, via="doi")
    assert ["retracted"] == _codes(list(compare(REFERENCE, match)))


def test_genuine_retraction_notices_are_notices() -> None:
    """Every genuine record with a retraction in ``update-to`` converts to a notice."""
    if not GENUINE_WORKS.exists():
        pytest.skip(f"{GENUINE_WORKS} is absent")
    notices = []
    with gzip.open(GENUINE_WORKS, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)["record"]
            if any(u.get("type") == "retraction" for u in record.get("update-to") or ()):
                notices.append(work_from_crossref(record))
    assert (True, [True] * len(notices)) == (bool(notices), [w.is_update_notice for w in notices])


def test_retraction_naming_the_works_own_doi_still_counts() -> None:
    """A retraction entry that carries the work's own DOI (no notice DOI) is still an error."""
    in_place = RETRACTION_BY_RETRACTION_WATCH | {"DOI": "10.1371/journal.pone.0031093"}
    work = work_from_crossref(_record(**{"updated-by": [in_place]}))
    assert [
        (
            "retracted",
            Severity.ERROR,
            "the cited work was retracted on 2018-12-31 (source: Retraction Watch record 23981)",
        )
    ] == [(f.code, f.severity, f.message) for f in integrity_findings(REFERENCE, work)]


def test_cli_reports_a_retracted_citation_end_to_end(tmp_path: Path) -> None:
    """On the stand-in, a cited work whose record Crossref marks retracted (found by search,
    so through the search ``select`` list) is an error line, and the exit code is 1."""
    record = _record(**{"updated-by": [RETRACTION_BY_RETRACTION_WATCH]})
    manuscript = tmp_path / "m.md"
    manuscript.write_text(
        "# References\n\n1. Singh T. Grape seed proanthocyanidins inhibit the invasiveness of "
        "human HNSCC cells by targeting EGFR and reversing the epithelial-to-mesenchymal "
        "transition. PLoS One 2012; 7: e31093.\n",
        encoding="utf-8",
    )
    with serve_crossref([record]) as crossref:
        result = CliRunner().invoke(
            cli, ["check", str(manuscript), "--base-url", crossref.base_url, "--no-cache"]
        )
    retracted = [line for line in result.stdout.splitlines() if " retracted (error)" in line]
    assert (1, 1) == (result.exit_code, len(retracted))
