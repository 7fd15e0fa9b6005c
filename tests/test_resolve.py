"""Resolution of references to works: DOI look-up, search, validation, failures as values."""

from __future__ import annotations

import attrs
import pytest
from seed import seed_citation, seed_works

from refcheck.errors import NotCached, ServiceUnavailable
from refcheck.model import Author, MatchStatus, Reference, Work
from refcheck.parsing import parse_citation
from refcheck.sources.resolve import Resolver, bibliographic_query, validate


@attrs.define
class FakeSource:
    """A WorkSource answering from a dict of works; ``search`` returns ``ranked`` as given."""

    works: dict[str, Work] = attrs.Factory(dict)
    ranked: list[Work] = attrs.Factory(list)
    error: Exception | None = None
    calls: list[str] = attrs.Factory(list)

    def get_work(self, doi: str) -> Work | None:
        self.calls.append(f"get {doi}")
        if self.error:
            raise self.error
        return self.works.get(doi.lower())

    def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
        self.calls.append(f"search {query}")
        if self.error:
            raise self.error
        return tuple(self.ranked[:rows])


def _all_works() -> list[Work]:
    return list(seed_works().values())


def test_search_matches_the_right_work_among_others() -> None:
    """B3, with its misspelled author, still resolves to its record, ranked last."""
    target = seed_works()["B3"]
    others = [w for w in _all_works() if w.doi != target.doi]
    match = Resolver(FakeSource(ranked=[*others[:4], target])).resolve(
        parse_citation(seed_citation("B3"))
    )
    assert (MatchStatus.MATCHED, target.doi, "search") == (match.status, match.doi, match.via)


def test_wrong_candidates_leave_the_reference_unresolved() -> None:
    """When no candidate agrees, the result is unresolved, never the best wrong work."""
    b5 = parse_citation(seed_citation("B5"))  # not in Crossref
    match = Resolver(FakeSource(ranked=_all_works())).resolve(b5)
    assert (MatchStatus.UNRESOLVED, None) == (match.status, match.doi)


def test_cited_doi_is_looked_up_directly() -> None:
    """A DOI in the citation is fetched and validated; no search is made."""
    work = seed_works()["C3"]
    source = FakeSource(works={work.doi.lower(): work})
    match = Resolver(source).resolve(parse_citation(seed_citation("C3")))
    assert (MatchStatus.MATCHED, "doi", "agrees") == (match.status, match.via, match.doi_status)
    assert [f"get {work.doi}"] == source.calls


def test_doi_of_another_work_is_reported_and_search_used() -> None:
    """A cited DOI whose record disagrees is flagged "other-work"; the search finds the right one."""
    right, wrong = seed_works()["B4"], seed_works()["A2"]
    citation = seed_citation("B4") + f" doi:{wrong.doi}"
    source = FakeSource(works={wrong.doi.lower(): wrong}, ranked=[right])
    match = Resolver(source).resolve(parse_citation(citation))
    assert (MatchStatus.MATCHED, right.doi, "other-work", wrong.doi) == (
        match.status,
        match.doi,
        match.doi_status,
        match.doi_work.doi if match.doi_work else None,
    )


def test_unknown_doi_is_reported_and_search_used() -> None:
    """A cited DOI Crossref does not know is flagged "not-found"; search still runs."""
    right = seed_works()["B4"]
    citation = seed_citation("B4") + " doi:10.9999/does-not-exist"
    match = Resolver(FakeSource(ranked=[right])).resolve(parse_citation(citation))
    assert (MatchStatus.MATCHED, "not-found") == (match.status, match.doi_status)


def test_two_equally_good_candidates_are_ambiguous() -> None:
    """The same record under two DOIs (e.g. a duplicate deposit) makes the match ambiguous."""
    work = seed_works()["B2"]
    twin = attrs.evolve(work, doi="10.9999/twin")
    match = Resolver(FakeSource(ranked=[work, twin])).resolve(parse_citation(seed_citation("B2")))
    assert (MatchStatus.AMBIGUOUS, 2) == (match.status, len(match.candidates))


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (NotCached("GET /works?query=x is not in the cache"), "offline, and not in the cache"),
        (ServiceUnavailable("Crossref timed out"), "no answer"),
        (
            ServiceUnavailable("GET /works: HTTP 503 after 5", reason="HTTP 503, 5 attempts"),
            "HTTP 503, 5 attempts",
        ),
    ],
)
def test_service_failure_is_unchecked_not_an_exception(error: Exception, reason: str) -> None:
    """Offline misses and network failures give an UNCHECKED match with the reason in a few
    words (the error's own, else its kind's), and the whole error as the detail."""
    match = Resolver(FakeSource(error=error)).resolve(parse_citation(seed_citation("B2")))
    assert (MatchStatus.UNCHECKED, reason, str(error)) == (match.status, match.reason, match.detail)


def test_validation_score_is_high_for_the_true_work_and_low_for_another() -> None:
    """Validation separates the cited work from an unrelated one by a wide margin."""
    reference = parse_citation(seed_citation("A1"))
    assert validate(reference, seed_works()["A1"]).score >= 0.95
    assert validate(reference, seed_works()["B4"]).score < 0.4


def test_volume_typo_still_matches() -> None:
    """One wrong field (volume) lowers the score but does not lose the match."""
    reference = attrs.evolve(parse_citation(seed_citation("B2")), volume="384")
    match = Resolver(FakeSource(ranked=[seed_works()["B2"]])).resolve(reference)
    assert MatchStatus.MATCHED == match.status


def test_title_only_citation_is_not_matched_on_title_alone() -> None:
    """A bare title gives too little evidence: the score is shrunk below the threshold."""
    work = seed_works()["B2"]
    match = Resolver(FakeSource(ranked=[work])).resolve(Reference(title=work.title))
    assert MatchStatus.UNRESOLVED == match.status


def test_query_uses_fields() -> None:
    """The bibliographic query is built from authors, title, journal, year, volume, page."""
    reference = parse_citation(seed_citation("B2"))
    assert (
        "Ramos-Casals Brito-Zerón López-Guillermo Adult haemophagocytic syndrome Lancet 2014 383 1503"
        == bibliographic_query(reference)
    )


_CERMINE = Work(
    doi="10.1007/s10032-015-0249-8",
    type="journal-article",
    title="CERMINE: automatic extraction of structured metadata from scientific literature",
    authors=(Author("Tkaczyk", "Dominika"), Author("Szostek", "Paweł")),
    container_title="International Journal on Document Analysis and Recognition (IJDAR)",
    short_container_title="IJDAR",
    issued="2015-07-03",
    volume="18",
    issue="4",
    first_page="317",
    last_page="335",
)
_NATURE_STYLE = (
    "Tkaczyk, D. & Szostek, P. CERMINE: automatic extraction of structured metadata from "
    "scientific literature. International Journal on Document Analysis and Recognition (IJDAR) "
    "18, 317–335 (2015)."
)


def test_citation_the_parser_cannot_read_matches_on_its_text() -> None:
    """A Nature-style citation is matched from its text: the record's fields are all in it."""
    match = Resolver(FakeSource(ranked=[_CERMINE])).resolve(parse_citation(_NATURE_STYLE))
    assert (MatchStatus.MATCHED, _CERMINE.doi) == (match.status, match.doi)


def test_ocr_digit_errors_do_not_hide_the_year() -> None:
    """ "20l5" (an l read for a 1) counts as the year 2015."""
    clean = validate(Reference(text=_NATURE_STYLE), _CERMINE)
    ocr = validate(Reference(text=_NATURE_STYLE.replace("2015", "20l5")), _CERMINE)
    assert clean.score == ocr.score


def test_chapter_citation_is_not_matched_to_its_book() -> None:
    """A book without authors, whose title is the chapter's container, is not the chapter."""
    book = Work(
        doi="10.1017/cbo9780511545665",
        type="book",
        title="Handbook of Women's Health",
        issued="2001",
    )
    citation = (
        "Tavernier, L. & Connor, P. Special issues with lesbian patients. in Handbook of "
        "Women's Health 197–205 (Cambridge University Press, 2001)."
    )
    match = Resolver(FakeSource(ranked=[book])).resolve(parse_citation(citation))
    assert MatchStatus.UNRESOLVED == match.status


def test_other_work_of_the_same_author_and_year_is_not_matched() -> None:
    """Same first author, year and journal, another title: no match from the text."""
    other = attrs.evolve(
        _CERMINE,
        doi="10.9999/other",
        title="Machine learning for metadata extraction from PDF articles",
        volume="19",
        first_page="1",
    )
    match = Resolver(FakeSource(ranked=[other])).resolve(parse_citation(_NATURE_STYLE))
    assert MatchStatus.UNRESOLVED == match.status


def test_cited_doi_agreeing_by_text_is_matched_without_search() -> None:
    """A Nature-style citation with its DOI: the record is in the text, so no search is made."""
    source = FakeSource(works={_CERMINE.doi.lower(): _CERMINE})
    match = Resolver(source).resolve(parse_citation(_NATURE_STYLE + f" doi:{_CERMINE.doi}"))
    assert (MatchStatus.MATCHED, "doi", [f"get {_CERMINE.doi}"]) == (
        match.status,
        match.via,
        source.calls,
    )


def test_same_title_and_author_in_another_year_is_not_matched() -> None:
    """A preprint of 2019 cited, its article of 2021 found: without journal or numbers, no match."""
    article = Work(
        doi="10.1111/ele.13828",
        title="Grazer behavior can regulate large-scale patterning of community states",
        authors=(Author("Karatayev", "Vadim A"), Author("Baskett", "Marissa L")),
        container_title="Ecology Letters",
        issued="2021",
        volume="24",
        first_page="1917",
    )
    citation = (
        "Karatayev, V.A., Baskett, M.L., Kushner, D.J.: Grazer behavior can regulate "
        "large-scale patterning of community states, (2019)."
    )
    match = Resolver(FakeSource(ranked=[article])).resolve(parse_citation(citation))
    assert MatchStatus.UNRESOLVED == match.status
