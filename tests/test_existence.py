"""References that may not exist: evidence from the cited journal's own records."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import attrs
import pytest
import responses
from conftest import GENUINE_WORKS

from refcheck.check import check_text
from refcheck.findings import compare
from refcheck.model import Candidate, Match, MatchStatus, Reference, Work
from refcheck.sources.chain import SourceChain
from refcheck.sources.crossref import CrossrefClient, CrossrefSettings
from refcheck.sources.existence import fabrication_evidence
from refcheck.testing import load_works, serve_crossref

BASE = "https://api.example.org"


def _journal(count: int, *, volume: str = "2", year: str = "2020", pages: int = 10) -> list[Work]:
    """``count`` works of "The Lancet Rheumatology" in ``volume`` of ``year``, pages 1..."""
    return [
        Work(
            doi=f"10.1016/S2665-9913({year[2:]})30{i:03d}-X",
            container_title="The Lancet Rheumatology",
            short_container_title="Lancet Rheumatol",
            issued=f"{year}-0{1 + i % 9}",
            volume=volume,
            first_page=f"e{i * pages + 1}",
            last_page=f"e{(i + 1) * pages}",
            issn=("2665-9913",),
        )
        for i in range(count)
    ] + [
        Work(
            doi=f"10.1016/S2665-9913(20)31{i:03d}-X",
            container_title="The Lancet Rheumatology",
            issued=f"{year}-05",
            volume=volume,
            first_page=str(100 + i * pages),
            last_page=str(100 + (i + 1) * pages - 1),
        )
        for i in range(count)
    ]


UNRESOLVED = Match(MatchStatus.UNRESOLVED, reason="no candidate agrees with the reference")


def test_volume_far_from_the_years_volumes_is_evidence() -> None:
    """A volume the journal did not publish in the cited year is named with the real ones."""
    reference = Reference(
        container_title="Lancet Rheumatol",
        year="2020",
        volume="15",
        pages="101-9",
        first_page="101",
    )
    assert (
        "The Lancet Rheumatology published volume 2 in 2020 (40 works seen), not volume 15",
    ) == fabrication_evidence(reference, UNRESOLVED, _journal(20))


def test_pages_beyond_the_volume_are_evidence() -> None:
    """A first page more than twice the highest page of the volume's works is evidence."""
    reference = Reference(
        container_title="Lancet Rheumatol", year="2020", volume="2", first_page="4512"
    )
    assert (
        "the highest page among 40 works of The Lancet Rheumatology volume 2 is 299, "
        "far below the cited first page 4512",
    ) == fabrication_evidence(reference, UNRESOLVED, _journal(20))


def test_unknown_doi_with_another_prefix_is_evidence() -> None:
    """A DOI that does not exist and whose prefix is not the journal's is evidence."""
    reference = Reference(
        container_title="Lancet Rheumatol", year="2020", volume="2", doi="10.9999/lr.2020.77"
    )
    match = Match(MatchStatus.UNRESOLVED, doi_status="not-found")
    assert (
        "the cited DOI 10.9999/lr.2020.77 does not exist, and its prefix 10.9999 is not "
        "The Lancet Rheumatology's (10.1016 in 40 works of 2020)",
    ) == fabrication_evidence(reference, match, _journal(20))


def test_consistent_reference_gives_no_evidence() -> None:
    """A volume and pages that fit the journal's year say nothing: the work may just be absent."""
    reference = Reference(
        container_title="Lancet Rheumatol", year="2020", volume="2", first_page="120"
    )
    assert () == fabrication_evidence(reference, UNRESOLVED, _journal(20))


def test_small_sample_gives_no_evidence() -> None:
    """Too few works of the journal's year to speak for it: no evidence, however odd the volume."""
    reference = Reference(container_title="Lancet Rheumatol", year="2020", volume="15")
    assert () == fabrication_evidence(reference, UNRESOLVED, _journal(4))


def test_works_of_other_journals_are_ignored() -> None:
    """The sample is filtered to the cited journal: another journal's volumes are no evidence."""
    others = [
        attrs.evolve(w, container_title="Rheumatology", short_container_title=None)
        for w in _journal(20)
    ]
    reference = Reference(container_title="Lancet Rheumatol", year="2020", volume="15")
    assert () == fabrication_evidence(reference, UNRESOLVED, others)


def test_compare_reports_may_be_fabricated_with_the_evidence() -> None:
    """An unresolved match with doubts gives ``unresolved`` and ``may-be-fabricated``."""
    match = Match(MatchStatus.UNRESOLVED, doubts=("volume 15 was never published",))
    findings = compare(Reference(title="x"), match)
    assert [
        ("unresolved", None),
        ("may-be-fabricated", "this reference may not exist: volume 15 was never published"),
    ] == [(f.code, f.message if f.code != "unresolved" else None) for f in findings]


class _FakeJournalSource:
    """A source that finds nothing, and lists a journal's works."""

    name = "crossref"

    def __init__(self, works: list[Work]) -> None:
        self.works = works
        self.asked: list[tuple[str, str, str | None]] = []

    def get_work(self, doi: str) -> Work | None:
        return None

    def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
        return ()

    def journal_works(
        self, container_title: str, year: str, *, issn: str | None = None, rows: int = 100
    ) -> tuple[Work, ...]:
        self.asked.append((container_title, year, issn))
        return tuple(self.works)


def test_chain_attaches_doubts_to_an_unresolved_reference() -> None:
    """The chain asks the first source for the journal's works and keeps the evidence."""
    source = _FakeJournalSource(_journal(20))
    reference = Reference(
        title="A study that does not exist",
        container_title="Lancet Rheumatol",
        year="2020",
        volume="15",
    )
    match = SourceChain((source,)).resolve(reference)
    assert (MatchStatus.UNRESOLVED, 1) == (match.status, len(match.doubts))


def test_chain_does_not_assess_without_a_volume_or_doi() -> None:
    """A reference without volume or DOI has nothing to contradict: no request is made."""
    source = _FakeJournalSource(_journal(20))
    SourceChain((source,)).resolve(
        Reference(title="Some title", container_title="Lancet Rheumatol", year="2020")
    )
    assert [] == source.asked


def test_chain_uses_the_issn_of_a_candidate_in_the_journal() -> None:
    """The journal-scoped request is narrowed to the ISSN a search candidate carries."""
    source = _FakeJournalSource(_journal(20))
    reference = Reference(container_title="Lancet Rheumatol", year="2020", volume="15")
    candidate = Candidate(_journal(1)[0], 0.3)
    chain = SourceChain((source,))
    chain._doubts(reference, Match(MatchStatus.UNRESOLVED, candidates=(candidate,)))
    assert [("Lancet Rheumatol", "2020", "2665-9913")] == source.asked


@responses.activate
def test_journal_works_asks_a_journal_and_year_scoped_search() -> None:
    """``journal_works`` sends ``query.container-title`` and date and ISSN filters."""
    body = {
        "status": "ok",
        "message-type": "work-list",
        "message-version": "1.0.0",
        "message": {"items": [{"DOI": "10.1016/x", "volume": "2"}], "total-results": 1},
    }
    responses.get(f"{BASE}/works", json=body)
    with CrossrefClient(base_url=BASE, cache=None) as client:
        works = client.journal_works("Lancet Rheumatol", "2020", issn="2665-9913", rows=50)
    query = parse_qs(urlsplit(responses.calls[0].request.url).query)
    assert (
        ["Lancet Rheumatol"],
        ["from-pub-date:2020,until-pub-date:2020,issn:2665-9913"],
        ["50"],
        ("10.1016/x",),
    ) == (
        query["query.container-title"],
        query["filter"],
        query["rows"],
        tuple(w.doi for w in works),
    )


def _jama_2006() -> list[dict[str, object]]:
    """The genuine JAMA records of the shared data set (skips when it is absent)."""
    if not GENUINE_WORKS.exists():
        pytest.skip(f"{GENUINE_WORKS} is absent")
    return [r for r in load_works(GENUINE_WORKS) if (r.get("container-title") or [""])[0] == "JAMA"]


FABRICATED = """# References

1. Whitfield AR, Okonkwo BT. Long-term outcomes of a structured walking programme in older
   adults: a randomized trial. JAMA 2006; 312: 1123-30.
2. Whitfield AR, Okonkwo BT. Effects of a structured walking programme on frailty in older
   adults. JAMA 2006; 295: 9120-8.
3. Whitfield AR, Okonkwo BT. Walking speed and falls in older adults: a cohort study.
   JAMA 2006; 295: 1201-8.
"""


def test_fabricated_references_are_flagged_against_genuine_records() -> None:
    """End to end on the stand-in with genuine JAMA records: a 2006 citation of volume 312
    (JAMA's 2014 volume) and one of page 9120 of volume 295 are flagged, with the evidence;
    an unknown citation whose parts fit JAMA's 2006 volume is not."""
    with serve_crossref(_jama_2006()) as crossref:
        settings = CrossrefSettings(base_url=crossref.base_url, cache=None)
        report = check_text(FABRICATED, settings=settings, concurrency=1)
    flagged = [
        [f.message for f in r.findings if f.code == "may-be-fabricated"] for r in report.references
    ]
    assert [
        [
            "this reference may not exist: JAMA published volume 295 in 2006 (50 works seen), "
            "not volume 312"
        ],
        [
            "this reference may not exist: the highest page among 50 works of JAMA volume 295 "
            "is 2415, far below the cited first page 9120"
        ],
        [],
    ] == flagged
