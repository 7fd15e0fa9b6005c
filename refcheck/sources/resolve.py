"""Resolve a reference to the work it cites.

``Resolver(source).resolve(reference) -> Match``. The source is anything with ``get_work`` and
``search`` (a :class:`~refcheck.sources.crossref.CrossrefClient`, or a fake in tests). The
algorithm:

1. A DOI in the citation is looked up directly. The record must still agree with the citation
   (validation score at least ``doi_threshold``); otherwise the DOI is reported as belonging to
   another work, and refcheck searches as if no DOI had been cited. A DOI that Crossref does not
   know is reported too, and refcheck searches.
2. A bibliographic search (``query.bibliographic``, ``rows`` candidates) on the reference's
   authors, title, journal, year, volume and first page.
3. Each candidate is validated twice, and the better view wins:

   * *by fields* (:func:`_validate`): the parsed fields against the record's: title
     similarity, first author's surname, year (online or print), journal (abbreviations
     allowed), volume and first page, each weighted, over the fields both sides have. Accepted
     when the score reaches ``threshold`` *and* the title agrees (``title_threshold``), or, for
     a citation without a title, at least four fields agree;
   * *by text* (:func:`_validate_text`): the record's fields looked for in the citation's
     text, whatever the parser made of it: the title (fuzzy, so that OCR errors pass), the
     first author's surname (or one of the next two), year (OCR digits "20l8" read as
     "2018"), journal (full, short or abbreviated), volume and first page. Every field the
     record has counts, found or not. Accepted when the score reaches ``text_threshold``, the
     title ``text_title_threshold``, an author is found, and at least two of year, journal,
     volume and page are (one, for a record with neither volume nor page). A short title
     (fewer than four words that are not stop words) must be all but exact (0.95) and come
     with three of them, or two and the first page.

4. Look-alikes and versions (:mod:`refcheck.sources.versions`): a notice (correction,
   erratum, retraction notice), comment, reply or peer review is not accepted unless the
   citation cites one; a preprint is not the match of a citation of the published version
   (a volume or pages, or a journal the preprint lacks), and a citation of a preprint
   ("bioRxiv ...", "arXiv:") gets the preprint rather than its article. When only the other
   version agrees, the one cited is looked up through the record's ``is-preprint-of`` /
   ``has-preprint`` relation and validated; a journal citation of which only the preprint
   agrees is unresolved, with the preprint as ``Match.version``.

   The best accepted candidate wins. Two accepted candidates within ``ambiguity_margin`` of
   each other make the reference ambiguous, and so do two DOIs of one work (twins: one kind,
   the same title and first author, no field that differs). Otherwise it is unresolved: a
   wrong DOI is worse than none.

A source that has a ``search_reference(reference, rows=...)`` method is searched with it, with
the parsed reference rather than the query text (PubMed's ECitMatch takes journal, year, volume,
first page and author).

A source that has a ``get_arxiv(arxiv_id)`` method (arXiv) first looks up the cited arXiv
identifier, and judges it as a cited DOI is judged (``Match.arxiv_status``): an identifier
arXiv does not know, or whose paper does not agree with the citation, is reported, and
refcheck goes on as if none had been cited. Any version of the cited paper agrees.

Network failures and offline misses are not errors here: they make the match ``UNCHECKED``,
with the reason in a few words (:func:`short_reason`) and the error's whole text as its
``detail``, so one reference's failure never stops the others.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, Protocol

import attrs
from rapidfuzz import fuzz

from refcheck.errors import NotCached, ServiceError, ServiceUnavailable
from refcheck.model import Candidate, Match, MatchStatus, Reference, Work
from refcheck.parsing.normalize import fold, words
from refcheck.similarity import container_matches, same_family, title_similarity
from refcheck.sources.versions import (
    ARTICLE,
    COMMENT,
    NOTICE,
    PREPRINT,
    REPLY,
    REVIEW,
    cited_form,
    cites_kind,
    cites_number_of,
    is_preprint,
    preprint_dois,
    published_dois,
    twins,
    unexplained_words,
    versions,
    work_kind,
)

__all__ = ["Resolver", "WorkSource", "bibliographic_query", "explain", "validate"]


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
_MARKUP = re.compile(r"[*_`]|\\(?=[()\[\]])|<[^<>]+>|\[|\]\([^()]*\)")


def bibliographic_query(reference: Reference) -> str:
    """The free-text query for a reference: its fields, or its text when it has no title."""
    if not reference.title:
        return " ".join(_MARKUP.sub(" ", reference.text).split())[:400]
    parts = [a.family for a in reference.authors[:3]]
    parts += [reference.title, reference.container_title or "", reference.year or ""]
    parts += [reference.volume or "", reference.first_page or ""]
    return " ".join(" ".join(p for p in parts if p).split())[:400]


def validate(reference: Reference, work: Work) -> Candidate:
    """Score (0-1) how well ``work`` agrees with ``reference``, with the evidence.

    The better of two views: the parsed fields compared with the record's
    (:func:`_validate`), and the record's fields looked for in the citation's text
    (:func:`_validate_text`), which does not depend on how well the citation was parsed.
    """
    by_fields, _ = _validate(reference, work)
    by_text, _ = _validate_text(reference.text, work)
    return by_text if by_text.score > by_fields.score else by_fields


_STOP = frozenset({"the", "of", "and", "a", "an", "in", "on", "for", "to", "with", "by", "at"})
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")


def _significant(text: str) -> list[str]:
    return [w for w in words(text) if w not in _STOP]


def _validate_text(text: str, work: Work) -> tuple[Candidate, dict[str, float]]:
    """How much of ``work`` the citation's text contains, field by field, weighted (0-1).

    Every field the record has counts, found or not: title (fuzzy, so that OCR errors and
    small differences pass), first author's surname (or another of the first three), year,
    journal (full, short, or abbreviated word by word), volume and first page (as words).
    """
    flat, tokens, flat_numbers = _text_view(text)
    found: dict[str, float] = {}
    evidence: list[str] = []
    titles = [t for t in (work.title, _full_title(work)) if t]
    if titles and flat:
        found["title"] = max(_contained(" ".join(words(t)), flat) for t in titles)
        evidence.append(f"title in text {found['title']:.2f}")
    recorded = [a for a in work.authors if not a.organisation]
    if recorded:
        found["author"] = _name_in(recorded[0].family, tokens)
        if found["author"] < 1.0 and any(_name_in(a.family, tokens) == 1 for a in recorded[1:3]):
            found["author"] = 0.7
        evidence.append(f"first author {recorded[0].family} in text {found['author']:.1f}")
    elif work.authors:
        name = " ".join(words(work.authors[0].family))
        found["author"] = 1.0 if _contained(name, flat) >= 0.9 else 0.0
        evidence.append(f"author {work.authors[0].family} in text {found['author']:.1f}")
    if work.years:
        years = set(_YEAR.findall(flat_numbers))
        if years & set(work.years):
            found["year"] = 1.0
        elif any(abs(int(y) - int(w)) == 1 for y in years for w in work.years if w.isdigit()):
            found["year"] = 0.5
        else:
            found["year"] = 0.0
        evidence.append(f"year {'|'.join(work.years)} in text {found['year']:.1f}")
    if work.container_titles:
        found["journal"] = 1.0 if _journal_in(work.container_titles, flat, tokens) else 0.0
        evidence.append(f"journal in text {found['journal']:.0f}")
    if work.volume:
        volume = words(work.volume)
        found["volume"] = 1.0 if volume and all(v in tokens for v in volume) else 0.0
        evidence.append(f"volume {work.volume} in text {found['volume']:.0f}")
    pages = [p for p in (work.first_page, work.article_number) if p]
    if pages:
        found["page"] = 1.0 if any(fold(p) in tokens for p in pages) else 0.0
        evidence.append(f"page {pages[0]} in text {found['page']:.0f}")
    if not found:
        return Candidate(work, 0.0, ("no field to compare",), basis="text"), found
    total = sum(_WEIGHTS[k] for k in found)
    score = sum(_WEIGHTS[k] * v for k, v in found.items()) / total
    candidate = Candidate(
        work, round(score, 4), tuple(evidence), agreement=tuple(found.items()), basis="text"
    )
    return candidate, found


@functools.lru_cache(maxsize=512)
def _text_view(text: str) -> tuple[str, frozenset[str], str]:
    """The citation's text as :func:`_validate_text` reads it, once for all its candidates:
    its words joined, the set of its words (and of its OCR-misread numbers, "20l8" as "2018"),
    and the words with those numbers after them."""
    flat = " ".join(words(_MARKUP.sub(" ", text)))
    tokens = set(flat.split())
    numbers = {_OCR_DIGITS.sub(_digit, t) for t in tokens if _NUMBERISH.fullmatch(t)}
    tokens |= numbers
    return flat, frozenset(tokens), flat + " " + " ".join(sorted(numbers))


#: A word of digits in which OCR read a digit as a letter: "20l8", "2O18", "l1".
_NUMBERISH = re.compile(r"(?<![\dlio])(?:(?=[lio]*\d)[\dlio]{2,}|[lio]?\d[\dlio]*)")
_OCR_DIGITS = re.compile(r"[lio]")


def _digit(match: re.Match[str]) -> str:
    return "0" if match.group() == "o" else "1"


def _full_title(work: Work) -> str | None:
    if work.title and work.subtitle:
        return f"{work.title} {work.subtitle}"
    return None


def _contained(needle: str, haystack: str) -> float:
    """0-1: how well ``needle`` matches its best-aligned stretch of ``haystack``."""
    if not needle or not haystack:
        return 0.0
    if len(needle) > len(haystack):
        return fuzz.ratio(needle, haystack) / 100
    return fuzz.partial_ratio(needle, haystack) / 100


def _name_in(family: str, tokens: frozenset[str]) -> float:
    """1 when every word of a surname is a word of the text (one OCR slip allowed), else 0."""
    parts = words(family)
    if not parts:
        return 0.0
    for part in parts:
        if part in tokens:
            continue
        if len(part) >= 5 and any(
            abs(len(t) - len(part)) <= 1 and fuzz.ratio(part, t) >= 80 for t in tokens
        ):
            continue
        return 0.0
    return 1.0


def _journal_in(titles: tuple[str, ...], flat: str, tokens: frozenset[str]) -> bool:
    """A journal's full or short title, or its words abbreviated ("J Chem Phys"), in the text."""
    for title in titles:
        name = " ".join(words(title))
        if len(name) >= 4 and _contained(name, flat) >= 0.92:
            return True
        significant = _significant(title)
        if len(significant) >= 2 and all(
            any((len(t) >= 2 or t == "j") and w.startswith(t) for t in tokens if t[0] == w[0])
            for w in significant
        ):
            # Every word of the title begins a word of the text, in some order: an abbreviation.
            return True
        if len(significant) == 1 and significant[0] in tokens:
            return True
    return False


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
        return Candidate(work, 0.0, ("no field to compare",), basis="fields"), agreement
    total = sum(_WEIGHTS[k] for k in agreement)
    score = sum(_WEIGHTS[k] * v for k, v in agreement.items()) / total
    # Few fields to compare make a weak case: shrink the score towards zero.
    coverage = min(1.0, (len(agreement) + 1) / 4)
    candidate = Candidate(
        work,
        round(score * coverage, 4),
        tuple(evidence),
        agreement=tuple(agreement.items()),
        basis="fields",
    )
    return candidate, agreement


def _identity(work: Work) -> str:
    """What tells two works apart: the DOI, or the PMID of a work that has none."""
    return work.doi.lower() or f"pmid:{work.pmid or ''}"


def short_reason(error: ServiceError) -> str:
    """Why a service could not answer, in a few words for people: the error's own ``reason``
    ("HTTP 503, 5 attempts"), else what its kind says."""
    if error.reason:
        return error.reason
    if isinstance(error, NotCached):
        return "offline, and not in the cache"
    if isinstance(error, ServiceUnavailable):
        return "no answer"
    return "an answer refcheck cannot use"


@attrs.frozen
class Resolver:
    """Resolves references against a :class:`WorkSource` (see the module docstring)."""

    source: WorkSource
    rows: int = 5
    threshold: float = 0.80
    doi_threshold: float = 0.55
    title_threshold: float = 0.75
    text_threshold: float = 0.70
    text_title_threshold: float = 0.88
    ambiguity_margin: float = 0.02

    def resolve(self, reference: Reference) -> Match:
        """Find the work ``reference`` cites; never raises for service failures."""
        try:
            return self._resolve(reference)
        except ServiceError as exc:
            return Match(MatchStatus.UNCHECKED, reason=short_reason(exc), detail=str(exc))

    def _resolve(self, reference: Reference) -> Match:
        by_arxiv = getattr(self.source, "get_arxiv", None)
        if not (reference.arxiv_id and callable(by_arxiv)):
            return self._resolve_doi(reference)
        # A source that knows arXiv identifiers (arXiv) judges the cited one as a DOI is
        # judged: it must exist and be the cited work; any version of it agrees.
        work = by_arxiv(reference.arxiv_id)
        match, status = self._identified(reference, work, via="arxiv")
        if match is not None:
            return attrs.evolve(match, arxiv_status=status)
        match = self._resolve_doi(reference)
        return attrs.evolve(match, arxiv_status=status, arxiv_work=work)

    def _resolve_doi(self, reference: Reference) -> Match:
        if not reference.doi:
            return self._search(reference)
        work = self.source.get_work(reference.doi)
        match, status = self._identified(reference, work, via="doi")
        if match is not None:
            return attrs.evolve(match, doi_status=status)
        match = self._search(reference)
        return attrs.evolve(match, doi_status=status, doi_work=work)

    def _identified(
        self, reference: Reference, work: Work | None, *, via: str
    ) -> tuple[Match | None, str]:
        """Judge the work a cited identifier (DOI, arXiv id) names: the match when it is the
        cited work, with the status "agrees"; else no match, with "not-found" or
        "other-work"."""
        if work is None:
            return None, "not-found"
        candidate, by_text = self._judge(reference, work)
        if by_text or self._doi_agrees(reference, validate(reference, work)):
            match = Match(
                MatchStatus.MATCHED,
                work=work,
                score=candidate.score,
                via=via,
                candidates=(candidate,),
            )
            return match, "agrees"
        return None, "other-work"

    def _judge(self, reference: Reference, work: Work) -> tuple[Candidate, bool]:
        """The better of the two validations of ``work``, and whether either accepts it."""
        by_fields, fields = _validate(reference, work)
        by_text, found = _validate_text(reference.text, work)
        fields_ok = self._fields_acceptable(by_fields, fields)
        text_ok = self._text_acceptable(by_text, found, work)
        if (text_ok, by_text.score) > (fields_ok, by_fields.score):
            return by_text, text_ok
        return by_fields, fields_ok

    def _fields_acceptable(self, candidate: Candidate, agreement: dict[str, float]) -> bool:
        """The parsed fields agree: score and title, or four fields when there is no title."""
        if candidate.score < self.threshold:
            return False
        if agreement.get("year") == 0.0 and not any(
            agreement.get(key) == 1.0 for key in ("journal", "volume", "page")
        ):
            # Title and author alone, and another year: a preprint and its article, or an
            # earlier edition. Without a journal, volume or page to say which, not a match.
            return False
        if "title" in agreement:
            return agreement["title"] >= self.title_threshold
        return sum(1 for value in agreement.values() if value == 1.0) >= 4

    def _text_acceptable(self, candidate: Candidate, found: dict[str, float], work: Work) -> bool:
        """The record's title, first author and enough of its other fields are in the text."""
        title = found.get("title", 0.0)
        if candidate.score < self.text_threshold or title < self.text_title_threshold:
            return False
        if found.get("author", 0.0) < 0.7:
            # No author to find (an edited book) is no evidence: a chapter's citation holds
            # its book's title too.
            return False
        numbers = sum(1 for key in ("year", "journal", "volume", "page") if found.get(key) == 1.0)
        if len(_significant(work.title or "")) < 4:
            # A short title ("Editorial", "Questions and answers") is weak evidence on its own.
            page = found.get("page") == 1.0
            return title >= 0.95 and (numbers >= 3 or (numbers >= 2 and page))
        return numbers >= 2 or (numbers >= 1 and "volume" not in found and "page" not in found)

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
            (self._judge(reference, work) for work in works),
            key=lambda c: (c[1], c[0].score),
            reverse=True,
        )
        admitted = [self._admit(reference, candidate, ok) for candidate, ok in scored]
        refused = [
            c
            for (c, ok), (_, kept) in zip(scored, admitted, strict=True)
            if ok and not kept and work_kind(c.work) in _NOT_CITED
        ]
        match = self._choose(reference, admitted)
        best = refused[0] if refused else None
        if (
            best is not None
            and match.status is MatchStatus.MATCHED
            and match.score is not None
            and best.score - match.score > self.ambiguity_margin
        ):
            # A notice (or comment, reply) agrees better than the work chosen: the citation
            # may cite it, its mark misread ("Crrcctin: ..."). Neither is a safe answer.
            return Match(
                MatchStatus.UNRESOLVED,
                candidates=tuple(c for c, _ in admitted[:3]),
                reason=(
                    f"a {work_kind(best.work)} ({best.work.doi}) agrees better than "
                    f"{match.doi}, and the citation does not say it cites one"
                ),
            )
        return match

    def _admit(
        self, reference: Reference, candidate: Candidate, ok: bool
    ) -> tuple[Candidate, bool]:
        """A look-alike (a notice, comment, reply or review) that the citation does not cite
        is not accepted, however well it agrees; nor is an article when the citation cites
        one of them (see :func:`~refcheck.sources.versions.cites_kind`)."""
        kind = work_kind(candidate.work)
        if not ok or cites_kind(reference, kind):
            return candidate, ok
        why = _NOT_CITED.get(kind, "the citation cites a notice, comment or reply; this is not one")
        return attrs.evolve(candidate, evidence=(*candidate.evidence, why)), False

    def _choose(self, reference: Reference, scored: list[tuple[Candidate, bool]]) -> Match:
        """The accepted candidate of the version the citation cites; ambiguous between two
        works (or two DOIs of one work) that agree as well.

        A citation with a volume or pages, or one that names a journal the preprint does not
        have, cites the published version: a preprint is not its match. When only a preprint
        agrees, or none does but a preprint has the citation's title and first author, the
        preprint's published version (``is-preprint-of``) is looked up and validated;
        failing that, the reference is unresolved and ``Match.version`` holds the preprint.
        A citation of a preprint ("bioRxiv", "arXiv:", "Preprint at Research Square", or the
        number its DOI holds: "bioRxiv 2020.03.01.123456") gets the preprint, looked up
        through the article's ``has-preprint`` when only the article has the citation's
        title. A citation that says neither gets the version whose year it gives, else the
        version of record.
        """
        candidates = [candidate for candidate, _ in scored]
        accepted = [candidate for candidate, ok in scored if ok]
        form = cited_form(reference)
        if any(cites_number_of(reference, c.work) for c in candidates[:3]):
            form = PREPRINT  # its number, "bioRxiv 2020.03.01.123456", however else cited
        if form == PREPRINT:
            preprints = [c for c in accepted if is_preprint(c.work)]
            article = accepted[0] if accepted else _same_title(scored, preprint=False)
            if not preprints and article is not None:
                followed = self._other_version(reference, article, scored, preprint_dois)
                if followed.status is MatchStatus.MATCHED:
                    return followed
            accepted = preprints or accepted
        else:
            published = [c for c in accepted if not _not_cited_preprint(reference, c)]
            preprint = accepted[0] if accepted else _same_title(scored, preprint=True)
            journal = form == ARTICLE or len(published) < len(accepted)
            if (
                not accepted
                and preprint is not None
                and form is None
                and _not_cited_preprint(reference, preprint)
            ):
                journal = True  # no numbers, but a journal the preprint does not have
            if journal and not published and preprint is not None:
                return self._other_version(reference, preprint, scored, published_dois)
            accepted = published if journal else _by_year(reference, accepted)
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
            and not versions(best.work, c.work)
            and (best.score - c.score < self.ambiguity_margin or twins(best.work, c.work))
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

    def _other_version(
        self,
        reference: Reference,
        found: Candidate,
        scored: list[tuple[Candidate, bool]],
        related: Callable[[Work], tuple[str, ...]],
    ) -> Match:
        """The version of ``found`` that its record links to (``related``), looked up (unless
        the search brought it already) and validated: the match if it agrees; else the
        reference is unresolved, with ``found`` as the other ``version``."""
        judged = {_identity(c.work): (c, ok) for c, ok in scored}
        for doi in related(found.work)[:2]:
            known = judged.get(doi.lower())
            if known is None:
                work = self.source.get_work(doi)
                if work is None:
                    continue
                known = self._admit(reference, *self._judge(reference, work))
            candidate, ok = known
            if ok:
                return Match(
                    MatchStatus.MATCHED,
                    work=candidate.work,
                    score=candidate.score,
                    via="relation",
                    candidates=(candidate, found),
                )
        linked = ", ".join(related(found.work)) or "none linked"
        return Match(
            MatchStatus.UNRESOLVED,
            candidates=tuple(c for c, _ in scored[:3]),
            reason=(
                f"only another version agrees: {found.work.doi} "
                f"({'preprint' if is_preprint(found.work) else 'published version'}); "
                f"the version cited ({linked}) does not"
            ),
            version=found.work,
        )


_NOT_CITED = {
    NOTICE: "a notice (correction, erratum, retraction...) that the citation does not cite",
    COMMENT: "a comment on the work, which the citation does not cite",
    REPLY: "a reply about the work, which the citation does not cite",
    REVIEW: "a peer review of the work, which the citation does not cite",
}


def _same_title(scored: list[tuple[Candidate, bool]], *, preprint: bool) -> Candidate | None:
    """The best candidate, a preprint (or not), whose title and first author agree with the
    citation although it was not accepted (another year, no volume or pages: the other
    version of the cited work)."""
    for candidate, _ in scored:
        agreement = dict(candidate.agreement)
        if (
            is_preprint(candidate.work) is preprint
            and work_kind(candidate.work) in (ARTICLE, PREPRINT)
            and agreement.get("title", 0.0) >= 0.9
            and agreement.get("author", 0.0) >= 0.7
        ):
            return candidate
    return None


def _not_cited_preprint(reference: Reference, candidate: Candidate) -> bool:
    """A preprint that the citation does not cite: the citation's volume or first page is
    not the preprint's (it has none, as a rule); or, without them, the citation names
    something the preprint's record does not have, as a journal (two words or more that
    its title, authors, container and publisher do not account for: "Auton Robot"; "PeerJ"
    is a PeerJ preprint's own publisher)."""
    if not is_preprint(candidate.work):
        return False
    agreement = dict(candidate.agreement)
    if agreement.get("volume") == 1.0 or agreement.get("page") == 1.0:
        return False
    if reference.volume or reference.first_page:
        return True  # numbers the preprint lacks: "PeerJ 7, e5066" is not a PeerJ preprint
    return unexplained_words(reference, candidate.work) >= 2


def _by_year(reference: Reference, accepted: list[Candidate]) -> list[Candidate]:
    """Of a preprint and its article that both agree with a citation that names neither
    form, the one whose year the citation gives; when both have it, the article."""
    year = (reference.year or "")[:4]
    dropped: set[int] = set()
    for i, one in enumerate(accepted):
        for j, other in enumerate(accepted):
            if i >= j or i in dropped or j in dropped or not versions(one.work, other.work):
                continue
            preprint, article = (i, j) if is_preprint(one.work) else (j, i)
            prefer_preprint = year in accepted[preprint].work.years and (
                year not in accepted[article].work.years
            )
            dropped.add(article if prefer_preprint else preprint)
    return [c for k, c in enumerate(accepted) if k not in dropped]


def _work_summary(work: Work) -> dict[str, Any]:
    return {
        "doi": work.doi,
        "title": work.title,
        "authors": [str(a) for a in work.authors[:3]]
        + (["et al."] if len(work.authors) > 3 else []),
        "container_title": work.container_title,
        "year": work.year,
        "volume": work.volume,
        "issue": work.issue,
        "pages": work.pages,
    }


def _candidate_summary(candidate: Candidate) -> dict[str, Any]:
    return {
        **_work_summary(candidate.work),
        "score": candidate.score,
        "basis": candidate.basis,
        "agreed": [name for name, value in candidate.agreement if value >= 0.7],
        "disagreed": [name for name, value in candidate.agreement if value < 0.7],
        "agreement": dict(candidate.agreement),
        "evidence": list(candidate.evidence),
    }


def explain(match: Match) -> dict[str, Any]:
    """What a match rests on, as plain data (for ``refcheck resolve`` and its JSON).

    ``work`` is the chosen work with its score, the fields that agreed (0.7 or more) and those
    that did not; ``runner_up`` is the best other candidate, or ``None``; ``candidates`` are all
    the candidates kept, best first; ``version`` is the other version of the cited work that
    agrees when the version cited does not (a journal citation's preprint), or ``None``.
    """
    chosen = next(
        (c for c in match.candidates if match.work is not None and c.work.doi == match.work.doi),
        None,
    )
    if chosen is None and match.work is not None:
        chosen = Candidate(match.work, match.score or 0.0)
    others = [c for c in match.candidates if chosen is None or c.work.doi != chosen.work.doi]
    return {
        "status": match.status.value,
        "doi": match.doi,
        "score": match.score,
        "via": match.via,
        "reason": match.reason,
        "doi_status": match.doi_status,
        "arxiv_status": match.arxiv_status,
        "work": _candidate_summary(chosen) if chosen is not None else None,
        "runner_up": _candidate_summary(others[0]) if others else None,
        "candidates": [_candidate_summary(c) for c in match.candidates],
        "version": _work_summary(match.version) if match.version is not None else None,
    }
