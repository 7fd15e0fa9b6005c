"""Resolve a reference to the work it cites.

``Resolver(source).resolve(reference) -> Match``. The source is anything with ``get_work`` and
``search`` (a :class:`~refcheck.crossref.CrossrefClient`, or a fake in tests). The algorithm:

1. A DOI in the citation is looked up directly. The record must still agree with the citation
   (validation score at least ``doi_threshold``); otherwise the DOI is reported as belonging to
   another work, and refcheck searches as if no DOI had been cited. A DOI that Crossref does not
   know is reported too, and refcheck searches.
2. A bibliographic search (``query.bibliographic``, ``rows`` candidates) on the reference's
   authors, title, journal, year, volume and first page.
3. Each candidate is validated field by field (:func:`validate`): title similarity, first
   author's surname, year (online or print), journal (abbreviations allowed), volume and first
   page, each weighted, over the fields both sides have. The best candidate is accepted when its
   score reaches ``threshold`` *and* its title agrees (or, for a citation without a title, at
   least four fields agree). Two accepted candidates within ``ambiguity_margin`` of each other
   make the reference ambiguous. Otherwise it is unresolved: a wrong DOI is worse than none.

A source that has a ``search_reference(reference, rows=...)`` method is searched with it, with
the parsed reference rather than the query text (PubMed's ECitMatch takes journal, year, volume,
first page and author).

Network failures and offline misses are not errors here: they make the match ``UNCHECKED``,
with the reason, so one reference's failure never stops the others.
"""

from __future__ import annotations

import re
from typing import Protocol

import attrs
from rapidfuzz import fuzz

from refcheck.compare import container_matches, same_family, title_similarity
from refcheck.errors import NotCached, ServiceError
from refcheck.model import Candidate, Match, MatchStatus, Reference, Work
from refcheck.normalize import fold

__all__ = ["Resolver", "WorkSource", "bibliographic_query", "validate"]


class WorkSource(Protocol):
    """What the resolver needs of a bibliographic service."""

    def get_work(self, doi: str) -> Work | None:
        """The work with this DOI, or ``None`` when the service has no such DOI."""

    def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
        """Works ranked by the service's relevance to a free-text bibliographic query."""


_WEIGHTS = {
    "title": 0.45,
    "author": 0.15,
    "year": 0.10,
    "journal": 0.10,
    "volume": 0.10,
    "page": 0.10,
}
_MARKUP = re.compile(r"[*_`]|\\(?=[()\[\]])|<[^>]+>|\[|\]\([^)]*\)")


def bibliographic_query(reference: Reference) -> str:
    """The free-text query for a reference: its fields, or its text when it has no title."""
    if not reference.title:
        return " ".join(_MARKUP.sub(" ", reference.text).split())[:400]
    parts = [a.family for a in reference.authors[:3]]
    parts += [reference.title, reference.container_title or "", reference.year or ""]
    parts += [reference.volume or "", reference.first_page or ""]
    return " ".join(" ".join(p for p in parts if p).split())[:400]


def validate(reference: Reference, work: Work) -> Candidate:
    """Score (0-1) how well ``work`` agrees with ``reference``, with the evidence."""
    return _validate(reference, work)[0]


def _validate(reference: Reference, work: Work) -> tuple[Candidate, dict[str, float]]:
    agreement: dict[str, float] = {}
    evidence: list[str] = []
    if reference.title and work.title:
        agreement["title"] = title_similarity(reference.title, work)
        evidence.append(f"title {agreement['title']:.2f}")
    people = [a for a in reference.authors if not a.organisation]
    recorded = [a for a in work.authors if not a.organisation]
    if people and recorded:
        first, theirs = people[0].family, recorded[0].family
        if same_family(first, theirs):
            agreement["author"] = 1.0
        elif any(same_family(first, r.family) for r in recorded[1:4]):
            agreement["author"] = 0.7
        else:
            agreement["author"] = max(0.0, (fuzz.ratio(fold(first), fold(theirs)) - 50) / 50)
        evidence.append(f"first author {first}/{theirs} {agreement['author']:.2f}")
    if reference.year and work.years:
        year = reference.year[:4]
        if year in work.years:
            agreement["year"] = 1.0
        elif year.isdigit() and any(
            abs(int(year) - int(y)) == 1 for y in work.years if y.isdigit()
        ):
            agreement["year"] = 0.5
        else:
            agreement["year"] = 0.0
        evidence.append(f"year {year}/{'|'.join(work.years)} {agreement['year']:.1f}")
    if reference.container_title and work.container_titles:
        agreement["journal"] = (
            1.0 if container_matches(reference.container_title, work.container_titles) else 0.3
        )
        evidence.append(f"journal {agreement['journal']:.1f}")
    if reference.volume and work.volume:
        agreement["volume"] = 1.0 if fold(reference.volume) == fold(work.volume) else 0.0
        evidence.append(f"volume {reference.volume}/{work.volume} {agreement['volume']:.0f}")
    first_page = work.first_page or work.article_number
    if reference.first_page and first_page:
        same = fold(reference.first_page) in {fold(first_page), fold(work.article_number or "")}
        agreement["page"] = 1.0 if same else 0.0
        evidence.append(f"page {reference.first_page}/{first_page} {agreement['page']:.0f}")
    if not agreement:
        return Candidate(work, 0.0, ("no field to compare",)), agreement
    total = sum(_WEIGHTS[k] for k in agreement)
    score = sum(_WEIGHTS[k] * v for k, v in agreement.items()) / total
    # Few fields to compare make a weak case: shrink the score towards zero.
    coverage = min(1.0, (len(agreement) + 1) / 4)
    return Candidate(work, round(score * coverage, 4), tuple(evidence)), agreement


def _identity(work: Work) -> str:
    """What tells two works apart: the DOI, or the PMID of a work that has none."""
    return work.doi.lower() or f"pmid:{work.pmid or ''}"


@attrs.frozen
class Resolver:
    """Resolves references against a :class:`WorkSource` (see the module docstring)."""

    source: WorkSource
    rows: int = 5
    threshold: float = 0.80
    doi_threshold: float = 0.55
    title_threshold: float = 0.75
    ambiguity_margin: float = 0.02

    def resolve(self, reference: Reference) -> Match:
        """Find the work ``reference`` cites; never raises for service failures."""
        try:
            return self._resolve(reference)
        except NotCached as exc:
            return Match(MatchStatus.UNCHECKED, reason=f"offline: {exc}")
        except ServiceError as exc:
            return Match(MatchStatus.UNCHECKED, reason=str(exc))

    def _resolve(self, reference: Reference) -> Match:
        doi_status: str | None = None
        doi_work: Work | None = None
        if reference.doi:
            work = self.source.get_work(reference.doi)
            if work is None:
                doi_status = "not-found"
            else:
                candidate = validate(reference, work)
                if self._doi_agrees(reference, candidate):
                    return Match(
                        MatchStatus.MATCHED,
                        work=work,
                        score=candidate.score,
                        via="doi",
                        candidates=(candidate,),
                        doi_status="agrees",
                    )
                doi_status, doi_work = "other-work", work
        match = self._search(reference)
        return attrs.evolve(match, doi_status=doi_status, doi_work=doi_work)

    def _doi_agrees(self, reference: Reference, candidate: Candidate) -> bool:
        if reference.title and candidate.work.title:
            similarity = title_similarity(reference.title, candidate.work)
            return similarity >= 0.6 or candidate.score >= self.threshold
        return candidate.score >= self.doi_threshold

    def _search(self, reference: Reference) -> Match:
        query = bibliographic_query(reference)
        if not query:
            return Match(MatchStatus.UNRESOLVED, reason="nothing to search for")
        # A source that can search with the reference's parts (PubMed's ECitMatch) does so.
        by_parts = getattr(self.source, "search_reference", None)
        if callable(by_parts):
            works = tuple(by_parts(reference, rows=self.rows))
        else:
            works = self.source.search(query, rows=self.rows)
        scored = sorted(
            (_validate(reference, work) for work in works), key=lambda c: c[0].score, reverse=True
        )
        candidates = [candidate for candidate, _ in scored]
        accepted = [c for c, agreement in scored if self._acceptable(c, agreement)]
        if not accepted:
            return Match(
                MatchStatus.UNRESOLVED,
                candidates=tuple(candidates[:3]),
                reason="no candidate agrees with the reference",
            )
        best = accepted[0]
        rivals = [
            c
            for c in accepted[1:]
            if _identity(c.work) != _identity(best.work)
            and best.score - c.score < self.ambiguity_margin
        ]
        if rivals:
            return Match(MatchStatus.AMBIGUOUS, candidates=(best, *rivals), score=best.score)
        return Match(
            MatchStatus.MATCHED,
            work=best.work,
            score=best.score,
            via="search",
            candidates=tuple(candidates[:3]),
        )

    def _acceptable(self, candidate: Candidate, agreement: dict[str, float]) -> bool:
        if candidate.score < self.threshold:
            return False
        if "title" in agreement:
            return agreement["title"] >= self.title_threshold
        return sum(1 for value in agreement.values() if value == 1.0) >= 4
