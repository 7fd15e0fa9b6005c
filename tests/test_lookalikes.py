"""refcheck.testing.with_lookalikes: an index whose works have look-alikes beside them, in
the shape real Crossref records them, and refcheck resolving against it over HTTP."""

# House style (STYLE.md) writes `assert expected == actual`; ruff's SIM300 calls that Yoda.

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from conftest import GENUINE_WORKS
from seed import seed_records

from refcheck.findings.compare import compare
from refcheck.model import MatchStatus
from refcheck.parsing import parse_citation
from refcheck.sources.crossref import CrossrefClient, work_from_crossref
from refcheck.sources.resolve import Resolver
from refcheck.sources.versions import NOTICE, PREPRINT, REPLY, REVIEW, work_kind
from refcheck.testing import (
    LOOKALIKE_KINDS,
    LookAlike,
    LookAlikeIndex,
    load_works,
    serve_crossref,
    with_lookalikes,
)


def _index(**options: Any) -> LookAlikeIndex:
    return with_lookalikes(seed_records(), **{"seed": 3, "share": 1.0, **options})


def _year(record: Mapping[str, Any]) -> int:
    return int(work_from_crossref(record).issued[:4])  # type: ignore[index]


def _citable(records: list[dict[str, Any]]) -> int:
    """The works with a title (its first, not blank) and an author with a family name."""
    return sum(
        1
        for r in records
        if str((r.get("title") or [""])[0]).strip()
        and any(str(a.get("family") or "").strip() for a in r.get("author") or ())
    )


def _one(index: LookAlikeIndex, kind: str) -> LookAlike:
    return next(la for la in index.lookalikes if la.kind == kind)


def test_the_same_arguments_give_the_same_index() -> None:
    """The generator is seeded: the same records, seed and share give the same records."""
    first, second = _index(), _index()
    assert json.dumps(first.records, sort_keys=True) == json.dumps(second.records, sort_keys=True)


def test_another_seed_gives_other_lookalikes() -> None:
    """A different seed draws other look-alikes."""
    assert [la.doi for la in _index().lookalikes] != [la.doi for la in _index(seed=4).lookalikes]


def test_the_records_given_are_not_changed() -> None:
    """The genuine records passed in are left as they were (the index holds amended copies)."""
    records = seed_records()
    before = json.dumps(records, sort_keys=True)
    with_lookalikes(records, seed=1, share=1.0)
    assert before == json.dumps(records, sort_keys=True)


def test_share_sets_how_many_works_have_lookalikes() -> None:
    """``share`` of the works with a title and an author get look-alikes, at least."""
    records = seed_records()
    index = with_lookalikes(records, seed=1, share=0.5)
    assert len({la.of for la in index.lookalikes}) >= _citable(records) / 2


def test_include_forces_lookalikes_beside_a_work() -> None:
    """A work named in ``include`` gets look-alikes even with a share of 0."""
    doi = str(seed_records()[0]["DOI"]).lower()
    index = with_lookalikes(seed_records(), seed=1, share=0.0, include=[doi])
    assert ({doi}, True) == ({la.of for la in index.lookalikes}, bool(index.beside(doi)))


def test_kinds_left_out_are_never_made() -> None:
    """``kinds`` weighs the kinds; only those weighed are made."""
    index = _index(kinds={"duplicate": 1.0})
    assert {"duplicate"} == {la.kind for la in index.lookalikes}


def test_an_unknown_kind_is_refused() -> None:
    """A kind that is not one of LOOKALIKE_KINDS is a ValueError naming it."""
    with pytest.raises(ValueError, match="'erratum'"):
        _index(kinds={"erratum": 1.0})


def test_every_lookalike_record_is_a_crossref_work_with_a_fresh_doi() -> None:
    """Each look-alike converts like a Crossref record, under a DOI no other record has."""
    index = _index(kinds=dict.fromkeys(LOOKALIKE_KINDS, 1.0))
    dois = [str(r["DOI"]).lower() for r in index.records]
    converted = [work_from_crossref(la.record).doi.lower() for la in index.lookalikes]
    assert (len(dois), [la.doi for la in index.lookalikes]) == (len(set(dois)), converted)


def test_a_preprint_is_posted_content_earlier_without_numbers() -> None:
    """A preprint: posted-content (subtype preprint) of the work's title and first author,
    posted before the work, with no journal, volume or pages."""
    index = _index(kinds={"preprint": 1.0})
    lookalike = _one(index, "preprint")
    work = next(r for r in index.records if str(r["DOI"]).lower() == lookalike.of)
    record = lookalike.record
    preprint = work_from_crossref(record)
    assert (
        "posted-content",
        "preprint",
        work["author"][0]["family"],
        None,
        None,
        None,
        True,
    ) == (
        record["type"],
        record["subtype"],
        record["author"][0]["family"],
        preprint.container_title,
        preprint.volume,
        preprint.first_page,
        _year(record) <= _year(work),
    )


def test_linked_preprints_link_both_ways_as_crossref_does() -> None:
    """A preprint's is-preprint-of names its article; the article's has-preprint, when
    present, names the preprint."""
    index = _index(kinds={"preprint": 1.0})
    by_doi = {str(r["DOI"]).lower(): r for r in index.records}
    pairs = []
    for lookalike in index.lookalikes:
        targets = [
            link["id"].lower()
            for link in lookalike.record.get("relation", {}).get("is-preprint-of", [])
        ]
        back = [
            link["id"].lower()
            for link in by_doi[lookalike.of].get("relation", {}).get("has-preprint", [])
        ]
        pairs.append((targets in ([], [lookalike.of]), not back or lookalike.doi in back))
    assert [(True, True)] * len(pairs) == pairs


def test_a_correction_updates_its_work_and_the_work_is_updated_by_it() -> None:
    """A correction notice is update-to the work, which is updated-by the notice."""
    index = _index(kinds={"correction": 1.0})
    lookalike = _one(index, "correction")
    work = next(r for r in index.records if str(r["DOI"]).lower() == lookalike.of)
    assert (lookalike.of, lookalike.doi) == (
        lookalike.record["update-to"][0]["DOI"].lower(),
        work["updated-by"][-1]["DOI"].lower(),
    )


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("correction", NOTICE), ("retraction", NOTICE), ("reply", REPLY), ("review", REVIEW)],
)
def test_lookalikes_are_what_they_look_like_to_the_resolver(kind: str, expected: str) -> None:
    """Notices, replies and reviews are told apart by their records, as real ones are."""
    index = _index(kinds={kind: 1.0})
    kinds = {work_kind(work_from_crossref(la.record)) for la in index.lookalikes}
    assert {expected} == kinds


def test_a_namesake_has_the_title_but_other_authors_and_journal() -> None:
    """A namesake: another work's authors and journal, with the work's title or nearly."""
    index = _index(kinds={"namesake": 1.0})
    by_doi = {str(r["DOI"]).lower(): r for r in index.records}
    lookalike = _one(index, "namesake")
    work, namesake = by_doi[lookalike.of], lookalike.record
    assert (False, False) == (
        namesake["author"][0]["family"] == work["author"][0]["family"],
        namesake.get("container-title") == work.get("container-title"),
    )


def test_a_duplicate_is_the_same_record_under_another_doi() -> None:
    """A duplicate has the work's title, authors and journal, and another DOI."""
    index = _index(kinds={"duplicate": 1.0})
    by_doi = {str(r["DOI"]).lower(): r for r in index.records}
    lookalike = _one(index, "duplicate")
    work = by_doi[lookalike.of]
    keys = ("title", "author", "container-title")
    assert ([work[k] for k in keys], True) == (
        [lookalike.record[k] for k in keys],
        lookalike.doi != lookalike.of,
    )


# --- end to end: the stand-in serving look-alikes, the real client ------------------------


def _pick(kind: str) -> tuple[LookAlikeIndex, LookAlike, Mapping[str, Any]]:
    """An index with a look-alike of ``kind`` beside a journal article with volume and pages."""
    index = _index(kinds={kind: 1.0})
    by_doi = {str(r["DOI"]).lower(): r for r in index.records}
    for lookalike in index.lookalikes:
        work = by_doi[lookalike.of]
        if work.get("volume") and (work.get("page") or work.get("article-number")):
            return index, lookalike, work
    raise AssertionError(f"no {kind} beside an article with volume and pages")


def _citation(record: Mapping[str, Any]) -> str:
    """A Vancouver-style citation of a record: authors, title, journal year;volume:page."""
    work = work_from_crossref(record)
    authors = ", ".join(f"{a.family} {a.initials}" for a in work.authors[:3])
    return (
        f"{authors}. {work.title}. {work.container_title}. {work.year};{work.volume}:"
        f"{work.first_page or work.article_number}."
    )


def test_journal_citation_finds_the_article_beside_its_preprint_over_http() -> None:
    """Against the stand-in serving the look-alike index, a journal citation of an article
    whose preprint is indexed gets the article."""
    index, _, work = _pick("preprint")
    with (
        serve_crossref(index.records) as crossref,
        CrossrefClient(base_url=crossref.base_url, cache=None) as client,
    ):
        match = Resolver(client).resolve(parse_citation(_citation(work)))
    assert (MatchStatus.MATCHED, str(work["DOI"]).lower()) == (
        match.status,
        (match.doi or "").lower(),
    )


def test_journal_citation_whose_article_is_withheld_gets_preprint_only_over_http() -> None:
    """With the article withheld from the index, its preprint is not presented as the match
    of its journal citation: unresolved, one preprint-only finding, no year error."""
    index, lookalike, work = _pick("preprint")
    served = [r for r in index.records if r["DOI"] != work["DOI"]]
    reference = parse_citation(_citation(work))
    with (
        serve_crossref(served) as crossref,
        CrossrefClient(base_url=crossref.base_url, cache=None) as client,
    ):
        match = Resolver(client).resolve(reference)
    assert (MatchStatus.UNRESOLVED, None, lookalike.doi, ["preprint-only"]) == (
        match.status,
        match.doi,
        match.version.doi.lower() if match.version else None,
        [f.code for f in compare(reference, match)],
    )


@pytest.mark.parametrize("kind", ["correction", "retraction", "reply", "duplicate"])
def test_journal_citation_is_never_matched_to_a_lookalike_over_http(kind: str) -> None:
    """With the article withheld, its correction, retraction notice or reply is not its
    match; a duplicate is (it is the same work), not a look-alike."""
    index, lookalike, work = _pick(kind)
    served = [r for r in index.records if r["DOI"] != work["DOI"]]
    with (
        serve_crossref(served) as crossref,
        CrossrefClient(base_url=crossref.base_url, cache=None) as client,
    ):
        match = Resolver(client).resolve(parse_citation(_citation(work)))
    expected = lookalike.doi if kind == "duplicate" else None
    assert expected == (match.doi.lower() if match.doi else None)


@pytest.mark.skipif(not GENUINE_WORKS.exists(), reason="../shared/data is absent")
def test_half_the_genuine_works_get_lookalikes_of_every_kind() -> None:
    """On the genuine Crossref records: look-alikes beside at least half the works with a
    title and an author, of every kind, each a record refcheck converts."""
    records = load_works(GENUINE_WORKS)
    index = with_lookalikes(records, seed=2, share=0.5)
    citable = _citable(records)
    beside = len({la.of for la in index.lookalikes})
    kinds = {la.kind for la in index.lookalikes}
    preprints = [work_from_crossref(la.record) for la in index.lookalikes if la.kind == "preprint"]
    assert (True, set(LOOKALIKE_KINDS), {PREPRINT}) == (
        beside >= citable / 2,
        kinds,
        {work_kind(p) for p in preprints},
    )


def test_cli_reports_a_journal_citation_of_which_only_the_preprint_is_indexed(
    tmp_path: Path,
) -> None:
    """The real CLI against the stand-in, the article withheld: the reference is unresolved
    with its preprint-only finding naming the published DOI; no DOI, no year error; exit 0
    (a warning)."""
    index = _index(kinds={"preprint": 1.0})
    by_doi = {str(r["DOI"]).lower(): r for r in index.records}
    work = next(
        by_doi[la.of]
        for la in index.lookalikes
        if la.record.get("relation", {}).get("is-preprint-of")
        and by_doi[la.of].get("volume")
        and (by_doi[la.of].get("page") or by_doi[la.of].get("article-number"))
    )
    served = [r for r in index.records if r["DOI"] != work["DOI"]]
    manuscript = tmp_path / "refs.txt"
    manuscript.write_text(f"References\n\n1. {_citation(work)}\n", encoding="utf-8")
    with serve_crossref(served) as crossref:
        result = subprocess.run(
            [
                *(sys.executable, "-m", "refcheck", "check", str(manuscript)),
                *("--format", "json", "--base-url", crossref.base_url),
                *("--cache", str(tmp_path / "c.sqlite")),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    [reference] = json.loads(result.stdout)["references"]
    assert (0, "unresolved", None, [("preprint-only", work["DOI"])]) == (
        result.returncode,
        reference["status"],
        reference["doi"],
        [(f["code"], f["expected"]) for f in reference["findings"]],
    )
