"""The values refcheck passes from step to step.

The vocabulary, used everywhere in refcheck:

* a :class:`Citation` is the raw string as printed in a manuscript, with where it was found;
* a :class:`Reference` is a citation parsed into fields;
* a :class:`Work` is a record from a bibliographic service (Crossref's own word);
* a :class:`Match` says which work, if any, a reference points to;
* a :class:`Finding` is one thing the checker reports;
* a :class:`CheckedReference` ties the four together, and a :class:`Report` holds a whole check.

All are frozen, slotted ``attrs`` classes that normalise in their constructor. A missing field is
``None``, never an empty string, and a field has one type: volumes, issues and pages are strings.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable

import attrs

__all__ = [
    "Author",
    "Candidate",
    "CheckedReference",
    "Citation",
    "Finding",
    "IgnoredReference",
    "Location",
    "Match",
    "MatchStatus",
    "Reference",
    "ReferenceStatus",
    "Relation",
    "Report",
    "Severity",
    "Update",
    "Work",
]


def _clean(value: str | None) -> str | None:
    """Collapse whitespace; turn empty strings into ``None``."""
    if value is None:
        return None
    value = " ".join(str(value).split())
    return value or None


def _tuple(items: Iterable[object] | None) -> tuple[object, ...]:
    return tuple(items) if items is not None else ()


def _required(value: str | None) -> str:
    """Collapse whitespace; ``None`` becomes the empty string."""
    return _clean(value) or ""


_INITIAL_SPLIT = re.compile(r"[\s.\-‐‑]+")


@attrs.frozen(slots=True)
class Author:
    """One person (or organisation) in an author list.

    ``family`` is the surname with its particles ("de Jesus", "von Stebut"); ``given`` is the
    given names or initials as printed ("RQ", "Randy Q", "S. W."), or ``None``.
    """

    family: str = attrs.field(converter=_required)
    given: str | None = attrs.field(default=None, converter=_clean)
    organisation: bool = False

    @property
    def initials(self) -> str:
        """The initials of the given names, upper case, no punctuation: "Randy Q" -> "RQ"."""
        if not self.given:
            return ""
        parts = [p for p in _INITIAL_SPLIT.split(self.given) if p]
        letters: list[str] = []
        for part in parts:
            if part.isupper() and len(part) <= 3 and len(parts) == 1:
                # "RQ" as printed in Vancouver style: every letter is an initial.
                letters.extend(ch for ch in part if ch.isalpha())
            else:
                letters.append(part[0])
        return "".join(letters).upper()

    def __str__(self) -> str:
        return f"{self.family} {self.given}" if self.given else self.family


@attrs.frozen(slots=True)
class Reference:
    """A citation parsed into bibliographic fields. Absent fields are ``None``.

    ``pages`` is the page range exactly as printed ("e358–67"); ``first_page`` and ``last_page``
    are its expanded ends ("e358", "e367"). ``published_online`` is an ISO date ("2020-06-16"),
    set when the citation says "published online ...". ``text`` is the citation that was parsed.
    """

    text: str = attrs.field(default="", converter=_required)
    authors: tuple[Author, ...] = attrs.field(default=(), converter=_tuple)
    et_al: bool = False
    title: str | None = attrs.field(default=None, converter=_clean)
    container_title: str | None = attrs.field(default=None, converter=_clean)
    year: str | None = attrs.field(default=None, converter=_clean)
    volume: str | None = attrs.field(default=None, converter=_clean)
    issue: str | None = attrs.field(default=None, converter=_clean)
    pages: str | None = attrs.field(default=None, converter=_clean)
    first_page: str | None = attrs.field(default=None, converter=_clean)
    last_page: str | None = attrs.field(default=None, converter=_clean)
    doi: str | None = attrs.field(default=None, converter=_clean)
    url: str | None = attrs.field(default=None, converter=_clean)
    pmid: str | None = attrs.field(default=None, converter=_clean)
    published_online: str | None = attrs.field(default=None, converter=_clean)
    kind: str | None = attrs.field(default=None, converter=_clean)
    publisher: str | None = attrs.field(default=None, converter=_clean)


@attrs.frozen(slots=True)
class Update:
    """A notice that changes a work: a retraction, correction, expression of concern...

    ``type`` is the service's word ("retraction", "correction", "erratum",
    "expression_of_concern", "new_version"...); ``doi`` is the notice's DOI; ``source`` says
    who asserted it ("publisher", "retraction-watch"); ``record_id`` is the Retraction Watch
    record number when that is the source; ``label`` is the service's display label.
    """

    type: str
    doi: str | None = attrs.field(default=None, converter=_clean)
    date: str | None = attrs.field(default=None, converter=_clean)
    source: str | None = attrs.field(default=None, converter=_clean)
    record_id: str | None = attrs.field(default=None, converter=_clean)
    label: str | None = attrs.field(default=None, converter=_clean)


@attrs.frozen(slots=True)
class Relation:
    """A link from a work to another: ``type`` as the service names it ("is-preprint-of",
    "has-preprint", "is-version-of"...), ``id`` the other work's identifier and ``id_type``
    its kind ("doi", "uri"...)."""

    type: str
    id: str
    id_type: str | None = attrs.field(default=None, converter=_clean)


@attrs.frozen(slots=True)
class Work:
    """A bibliographic record from a service such as Crossref.

    Dates are ISO strings of the precision the record has ("2020", "2020-06", "2020-06-16").
    ``score`` is the service's own relevance score when the work came from a search.
    ``updates`` are the notices that change this work (Crossref ``updated-by``);
    ``update_to`` are the works this one is a notice about (Crossref ``update-to``: a
    retraction notice has the retracted work there); ``relations`` link it to other versions.
    ``doi`` is empty for a work of a source that has none for it (a PubMed record: ``pmid``).
    ``container_title`` is the journal, or the book of a chapter, or the proceedings of a paper.
    """

    doi: str = attrs.field(converter=_required)
    type: str | None = attrs.field(default=None, converter=_clean)
    title: str | None = attrs.field(default=None, converter=_clean)
    subtitle: str | None = attrs.field(default=None, converter=_clean)
    container_title: str | None = attrs.field(default=None, converter=_clean)
    short_container_title: str | None = attrs.field(default=None, converter=_clean)
    authors: tuple[Author, ...] = attrs.field(default=(), converter=_tuple)
    issued: str | None = attrs.field(default=None, converter=_clean)
    published_print: str | None = attrs.field(default=None, converter=_clean)
    published_online: str | None = attrs.field(default=None, converter=_clean)
    volume: str | None = attrs.field(default=None, converter=_clean)
    issue: str | None = attrs.field(default=None, converter=_clean)
    first_page: str | None = attrs.field(default=None, converter=_clean)
    last_page: str | None = attrs.field(default=None, converter=_clean)
    article_number: str | None = attrs.field(default=None, converter=_clean)
    publisher: str | None = attrs.field(default=None, converter=_clean)
    issn: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    updates: tuple[Update, ...] = attrs.field(default=(), converter=_tuple)
    score: float | None = None
    update_to: tuple[Update, ...] = attrs.field(default=(), converter=_tuple)
    relations: tuple[Relation, ...] = attrs.field(default=(), converter=_tuple)
    pmid: str | None = attrs.field(default=None, converter=_clean)
    isbn: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    editors: tuple[Author, ...] = attrs.field(default=(), converter=_tuple)

    @property
    def is_update_notice(self) -> bool:
        """Whether this work is a notice about another work (a retraction notice, an erratum).

        A record that lists itself as its own "new_version" is not a notice.
        """
        own = self.doi.lower()
        return any(u.doi and u.doi.lower() != own for u in self.update_to)

    @property
    def years(self) -> tuple[str, ...]:
        """Every year the work can rightly be cited with (issued, online, print), no repeats."""
        seen: list[str] = []
        for date in (self.issued, self.published_online, self.published_print):
            if date and date[:4] not in seen:
                seen.append(date[:4])
        return tuple(seen)

    @property
    def year(self) -> str | None:
        """The year of the version of record: print if known, else issued."""
        for date in (self.published_print, self.issued, self.published_online):
            if date:
                return date[:4]
        return None

    @property
    def pages(self) -> str | None:
        """The page range, "e358-e367", or the single page or article number."""
        if self.first_page and self.last_page and self.last_page != self.first_page:
            return f"{self.first_page}-{self.last_page}"
        return self.first_page or self.article_number

    @property
    def container_titles(self) -> tuple[str, ...]:
        """The full and the short container titles that the record has."""
        return tuple(t for t in (self.container_title, self.short_container_title) if t)


@functools.total_ordering
class Severity(enum.Enum):
    """How much a finding matters. Ordered: ``INFO < WARNING < ERROR``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@attrs.frozen(slots=True)
class Location:
    """A place in a manuscript: a file name and a 1-based line number."""

    file: str
    line: int


@attrs.frozen(slots=True)
class Finding:
    """One thing the checker reports.

    ``code`` is stable across versions (see ``docs/findings.md``); ``field`` names the reference
    field concerned, if any; ``cited`` is what the manuscript says and ``expected`` what the
    record (or the rest of the document) says. ``location`` is set for document-level findings;
    a reference's findings take their place from its citation.
    """

    code: str
    severity: Severity
    message: str
    field: str | None = None
    cited: str | None = None
    expected: str | None = None
    location: Location | None = None
    related: tuple[Location, ...] = attrs.field(default=(), converter=_tuple)


@attrs.frozen(slots=True)
class Citation:
    """A citation as printed: its text, file, 1-based line, and label ("B3", or "3")."""

    text: str = attrs.field(converter=_required)
    file: str = "<text>"
    line: int = 1
    label: str = ""

    @property
    def location(self) -> Location:
        return Location(self.file, self.line)


class MatchStatus(enum.Enum):
    """The outcome of resolving one reference."""

    MATCHED = "matched"
    AMBIGUOUS = "ambiguous"
    UNRESOLVED = "unresolved"
    UNCHECKED = "unchecked"


@attrs.frozen(slots=True)
class Candidate:
    """A work a search proposed, with refcheck's validation score (0-1) and its evidence.

    ``agreement`` is each compared field with how well it agreed (0-1), in order;
    ``basis`` says how it was validated: "fields" (the parsed fields against the record's)
    or "text" (the record's fields looked for in the citation's text).
    """

    work: Work
    score: float
    evidence: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    agreement: tuple[tuple[str, float], ...] = attrs.field(default=(), converter=_tuple)
    basis: str | None = None


@attrs.frozen(slots=True)
class Match:
    """What a reference resolved to.

    ``MATCHED`` carries the ``work``, its validation ``score`` and ``via`` ("doi", "search", or
    "relation": the version a searched candidate links to, looked up);
    ``AMBIGUOUS`` carries the close ``candidates``; ``UNRESOLVED`` means the service has no work
    that agrees with the reference; ``UNCHECKED`` means refcheck could not ask (``reason`` says
    why: offline, network failure...).

    When the citation carries a DOI, ``doi_status`` says what became of it: "agrees" (it is the
    matched work), "not-found" (Crossref has no such DOI) or "other-work" (it belongs to
    ``doi_work``, which does not agree with the citation).

    ``source`` names the service that answered ("crossref", "pubmed", "openalex",
    "datacite"), when known; ``asked`` names every source asked, in order, when a chain of
    sources resolved the reference (see :mod:`refcheck.sources.chain`). ``doubts`` is the evidence,
    for an unresolved reference, that it may not exist at all (see
    :mod:`refcheck.sources.existence`).

    ``version`` is another version of the cited work that agrees with the citation but is not
    the version it cites: the preprint of a journal citation (volume, pages) whose published
    version refcheck could not match. The match is then ``UNRESOLVED``: the preprint's DOI is
    not the cited work's (see :mod:`refcheck.sources.versions`).
    """

    status: MatchStatus
    work: Work | None = None
    score: float | None = None
    via: str | None = None
    candidates: tuple[Candidate, ...] = attrs.field(default=(), converter=_tuple)
    reason: str | None = None
    doi_status: str | None = None
    doi_work: Work | None = None
    source: str | None = None
    doubts: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    asked: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    version: Work | None = None

    @property
    def doi(self) -> str | None:
        """The matched work's DOI; ``None`` when there is no work or it has no DOI."""
        return (self.work.doi or None) if self.work else None


class ReferenceStatus(enum.Enum):
    """The verdict on one reference, as shown in reports."""

    VERIFIED = "verified"
    MISMATCH = "mismatch"
    UNRESOLVED = "unresolved"
    UNCHECKED = "unchecked"


@attrs.frozen(slots=True)
class CheckedReference:
    """One citation, its parsed reference, what it matched, and the findings about it."""

    citation: Citation
    reference: Reference
    match: Match
    findings: tuple[Finding, ...] = attrs.field(default=(), converter=_tuple)

    @property
    def status(self) -> ReferenceStatus:
        if self.match.status is MatchStatus.UNCHECKED:
            return ReferenceStatus.UNCHECKED
        if self.match.status is not MatchStatus.MATCHED:
            return ReferenceStatus.UNRESOLVED
        if any(f.severity >= Severity.WARNING for f in self.findings):
            return ReferenceStatus.MISMATCH
        return ReferenceStatus.VERIFIED


@attrs.frozen(slots=True)
class IgnoredReference:
    """A checked reference that the configuration set aside, with the reason it gives."""

    checked: CheckedReference
    reason: str


@attrs.frozen(slots=True)
class Report:
    """The result of checking one or more manuscripts.

    ``ignored`` holds the references the configuration set aside (``ignore-references``):
    they are not in ``references`` and their findings count nowhere.
    """

    references: tuple[CheckedReference, ...] = attrs.field(default=(), converter=_tuple)
    findings: tuple[Finding, ...] = attrs.field(default=(), converter=_tuple)
    files: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    ignored: tuple[IgnoredReference, ...] = attrs.field(default=(), converter=_tuple)

    @property
    def all_findings(self) -> tuple[Finding, ...]:
        """Every finding: those of each reference, then the document-level ones."""
        return tuple(f for r in self.references for f in r.findings) + self.findings

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.all_findings if f.severity is severity)

    @property
    def worst(self) -> Severity | None:
        """The most severe finding's severity, or ``None`` when there is none."""
        severities = [f.severity for f in self.all_findings]
        return max(severities, key=lambda s: s.rank) if severities else None
