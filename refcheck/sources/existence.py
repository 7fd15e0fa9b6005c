"""Evidence that a reference no source knows may not exist at all.

"Crossref has no such work" (``UNRESOLVED``) is not "not checked" (``UNCHECKED``); and an
unresolved reference is usually real, only absent from the services (an old journal without
DOIs, a book, a report). It *may be fabricated* when its parts contradict each other in a way
that the cited journal's own records can show:

* the volume: the journal's works of the cited year are in volumes far from the cited one;
* the pages: the journal's works of the cited volume end far before the cited first page;
* the DOI: the cited DOI does not exist, and its prefix is not the journal's.

:func:`fabrication_evidence` is pure: it reads a sample of the journal's works of the cited
year (from :meth:`JournalSource.journal_works`, one cached request per reference; see
:meth:`refcheck.sources.crossref.CrossrefClient.journal_works`) and returns the evidence as
sentences, or nothing. It says nothing when the sample is empty (the journal may simply have no
DOIs) or too small to speak for the journal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from refcheck.model import Match, MatchStatus, Reference, Work
from refcheck.similarity import container_matches

__all__ = [
    "MIN_SAMPLE",
    "JournalSource",
    "fabrication_evidence",
    "journal_issn",
    "needs_assessment",
]

#: The fewest works of a journal's year (or volume) that refcheck lets speak for it.
MIN_SAMPLE = 10
_NUMBER = re.compile(r"^\d+$")


class JournalSource(Protocol):
    """A service that can list a journal's works of one year (a sample of them)."""

    def journal_works(
        self, container_title: str, year: str, *, issn: str | None = None, rows: int = 100
    ) -> tuple[Work, ...]:
        """Works of the journal (by title, or ISSN when given) published in ``year``."""


def needs_assessment(reference: Reference, match: Match) -> bool:
    """Whether an unresolved reference has the parts that could contradict each other."""
    return (
        match.status is MatchStatus.UNRESOLVED
        and match.version is None
        and reference.container_title is not None
        and reference.year is not None
        and (reference.volume is not None or reference.doi is not None)
    )


def journal_issn(reference: Reference, match: Match) -> str | None:
    """The ISSN of the cited journal, when a candidate of the failed search is in it."""
    if not reference.container_title:
        return None
    for candidate in match.candidates:
        work = candidate.work
        if work.issn and container_matches(reference.container_title, work.container_titles):
            return work.issn[0]
    return None


def _prefix(doi: str) -> str:
    return doi.split("/", 1)[0].lower()


def _int(value: str | None) -> int | None:
    return int(value) if value and _NUMBER.match(value) else None


def fabrication_evidence(
    reference: Reference, match: Match, journal_works: Sequence[Work]
) -> tuple[str, ...]:
    """Sentences of evidence that ``reference`` contradicts its journal's own records."""
    if not reference.container_title or not reference.year:
        return ()
    year = reference.year[:4]
    works = [
        w
        for w in journal_works
        if container_matches(reference.container_title, w.container_titles) and year in w.years
    ]
    if not works:
        return ()
    journal = works[0].container_title or reference.container_title
    evidence: list[str] = []
    volume = _int(reference.volume)
    volumes = sorted({v for w in works if (v := _int(w.volume)) is not None})
    volume_contradicts = False
    if (
        volume is not None
        and volumes
        and len(works) >= MIN_SAMPLE
        and not volumes[0] - 1 <= volume <= volumes[-1] + 1
    ):
        volume_contradicts = True
        shown = str(volumes[0]) if volumes[0] == volumes[-1] else f"{volumes[0]}-{volumes[-1]}"
        evidence.append(
            f"{journal} published volume {shown} in {year} ({len(works)} works seen), "
            f"not volume {volume}"
        )
    first = _int(reference.first_page)
    if volume is not None and first is not None and not volume_contradicts:
        in_volume = [w for w in works if _int(w.volume) == volume]
        pages = [p for w in in_volume for p in (_int(w.last_page), _int(w.first_page)) if p]
        if len(in_volume) >= MIN_SAMPLE and pages and first > 2 * max(pages):
            evidence.append(
                f"the highest page among {len(in_volume)} works of {journal} volume {volume} "
                f"is {max(pages)}, far below the cited first page {first}"
            )
    if reference.doi and match.doi_status == "not-found":
        prefixes = sorted({_prefix(w.doi) for w in works if w.doi})
        cited = _prefix(reference.doi)
        if prefixes and cited not in prefixes:
            evidence.append(
                f"the cited DOI {reference.doi} does not exist, and its prefix {cited} is not "
                f"{journal}'s ({', '.join(prefixes)} in {len(works)} works of {year})"
            )
    return tuple(evidence)
