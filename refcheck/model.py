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
Every text a value holds is :func:`printable`: whatever a manuscript or a service sent, no value
carries a control character (a terminal escape, a character XML forbids) to a report.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
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
    "printable",
]

#: C0 and C1 control characters but tab, line feed and carriage return, lone surrogates (which
#: no encoding can write) and U+FFFE/U+FFFF: what a terminal obeys (ESC, CSI, OSC, BEL) or
#: XML 1.0 forbids.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """``text`` with every control character (tab and line breaks aside), lone surrogate and
    non-character replaced by U+FFFD. The one sanitiser of refcheck: every value of this module
    applies it to its text, so every entry point (readers, services) is covered."""
    return _UNPRINTABLE.sub("\ufffd", text)


def _printable(value: str) -> str:
    return printable(str(value))


def _clean(value: str | None) -> str | None:
    """Collapse whitespace, replace control characters (:func:`printable`); turn empty
    strings into ``None``."""
    if value is None:
        return None
    value = " ".join(printable(str(value)).split())
    return value or None


def _message(text: str) -> str:
    return printable(visible(str(text)))


def _printable_tuple(items: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(_printable(i) for i in items or ())


def _clean_tuple(items: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(c for c in (_clean(i) for i in items or ()) if c is not None)


def _tuple(items: Iterable[object] | None) -> tuple[object, ...]:
    return tuple(items) if items is not None else ()


def _required(value: str | None) -> str:
    """Collapse whitespace; ``None`` becomes the empty string."""
    return _clean(value) or ""


def _unseen(char: str) -> bool:
    """A character a reader cannot see, or cannot tell from a space: controls (but tab and
    line breaks), format
    characters (zero-width space, soft hyphen, joiners, direction marks, byte-order mark), and
    spaces other than the space (no-break, thin, ideographic...)."""
    if char in "\t\n\r":
        return False  # layout, escaped by each output format (a GitHub annotation's %0A)
    category = unicodedata.category(char)
    return category in ("Cc", "Cf", "Zl", "Zp") or (category == "Zs" and char != " ")


def visible(text: str) -> str:
    """``text`` with each character a reader could not see written out by name, so that two
    spellings that differ only there look different: ``"Mirabet\u00a0V"`` ->
    ``"Mirabet⟨U+00A0 no-break space⟩V"``."""
    if not any(_unseen(c) for c in text):
        return text
    out = []
    for char in text:
        if _unseen(char):
            name = unicodedata.name(char, "").lower()
            out.append(f"⟨U+{ord(char):04X}{' ' + name if name else ''}⟩")
        else:
            out.append(char)
    return "".join(out)


_INITIAL_SPLIT = re.compile(r"[\s.\-‐‑]+")
_GIVEN_PARTICLES = frozenset(
    {"de", "da", "do", "dos", "das", "del", "della", "di", "du", "van", "von", "der", "den"}
    | {"e", "y"}  # "Roberta e Silva", "María y Luisa": a conjunction, no initial
)
_PARENTHESES = re.compile(r"\([^()]*\)")
# A transliterated initial of two letters after another initial: "B.YU.", "A. YA." (Ю, Я).
_TWO_LETTER_INITIAL = re.compile(r"(?<=\.)\s?([A-Z])[A-Z]\.")


@attrs.frozen(slots=True)
class Author:
    """One person (or organisation) in an author list.

    ``family`` is the surname with its particles ("de Jesus", "von Stebut"); ``given`` is the
    given names or initials as printed ("RQ", "Randy Q", "S. W."), or ``None``; ``suffix`` is a
    generational suffix ("Jr", "III"), never part of either.
    """

    family: str = attrs.field(converter=_required)
    given: str | None = attrs.field(default=None, converter=_clean)
    organisation: bool = False
    suffix: str | None = attrs.field(default=None, converter=_clean)

    @property
    def initials(self) -> str:
        """The initials of the given names, upper case, no punctuation: "Randy Q" -> "RQ"."""
        if not self.given:
            return ""
        given = _PARENTHESES.sub(" ", self.given)  # "Eunjin (EJ)": a nickname, no initials
        given = _TWO_LETTER_INITIAL.sub(r" \1.", given)  # "B.YU.": B and Yu, two initials
        parts = [p for p in _INITIAL_SPLIT.split(given) if p]
        # Lower-case particles in the given names are no initials ("P de TB", "Paulo de Tarso").
        parts = [p for p in parts if p not in _GIVEN_PARTICLES or len(parts) == 1]
        letters: list[str] = []
        for part in parts:
            if part.isupper() and len(part) <= 5 and (len(parts) == 1 or len(part) <= 3):
                # "RQ", "ANMR" as printed in Vancouver style: every letter is an initial.
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
    ``arxiv_id`` is the arXiv identifier as cited, without its "arXiv:" prefix, version kept
    ("1706.03762v5", "hep-th/9901001"); ``acl_id`` an ACL Anthology identifier ("P19-1001",
    "2020.acl-main.1").
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
    arxiv_id: str | None = attrs.field(default=None, converter=_clean)
    acl_id: str | None = attrs.field(default=None, converter=_clean)


@attrs.frozen(slots=True)
class Update:
    """A notice that changes a work: a retraction, correction, expression of concern...

    ``type`` is the service's word ("retraction", "correction", "erratum",
    "expression_of_concern", "new_version"...); ``doi`` is the notice's DOI; ``source`` says
    who asserted it ("publisher", "retraction-watch"); ``record_id`` is the Retraction Watch
    record number when that is the source; ``label`` is the service's display label.
    """

    type: str = attrs.field(converter=_required)
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

    type: str = attrs.field(converter=_required)
    id: str = attrs.field(converter=_required)
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
    ``arxiv_id`` is the work's arXiv identifier, without version ("1706.03762"), when the
    service knows it; ``key`` the work's own identifier at the service that gave it, for a
    work without a DOI (a DBLP key "conf/nips/VaswaniSPUJGKP17", a Semantic Scholar paper id).
    ``published_version`` is, for a preprint, the published version its own record names
    (arXiv's journal reference and DOI, the venue Semantic Scholar or DBLP gives).
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
    issn: tuple[str, ...] = attrs.field(default=(), converter=_clean_tuple)
    updates: tuple[Update, ...] = attrs.field(default=(), converter=_tuple)
    score: float | None = None
    update_to: tuple[Update, ...] = attrs.field(default=(), converter=_tuple)
    relations: tuple[Relation, ...] = attrs.field(default=(), converter=_tuple)
    pmid: str | None = attrs.field(default=None, converter=_clean)
    isbn: tuple[str, ...] = attrs.field(default=(), converter=_clean_tuple)
    editors: tuple[Author, ...] = attrs.field(default=(), converter=_tuple)
    arxiv_id: str | None = attrs.field(default=None, converter=_clean)
    key: str | None = attrs.field(default=None, converter=_clean)
    published_version: Work | None = None

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
    """A place in a manuscript: a file name and a 1-based line number, and where the reader
    knows them, the 1-based ``column`` on that line and the ``anchor``: the name the source
    gives the reference itself (a JATS ``<ref id="B12">``, a ``.bib`` or ``\\bibitem`` key), which
    still finds it in a file written on one line. In a PDF, also the 1-based ``page`` (``line``
    is then the row's number on that page) and the ``box`` of the place on it (x0, top, x1,
    bottom in points from the page's top left corner).
    """

    file: str = attrs.field(converter=_printable)
    line: int
    column: int | None = None
    anchor: str | None = None
    page: int | None = attrs.field(default=None, kw_only=True)
    box: tuple[float, float, float, float] | None = attrs.field(default=None, kw_only=True)


@attrs.frozen(slots=True)
class Finding:
    """One thing the checker reports.

    ``code`` is stable across versions (see ``docs/findings.md``); ``field`` names the reference
    field concerned, if any; ``cited`` is what the manuscript says and ``expected`` what the
    record (or the rest of the document) says. ``location`` is set for document-level findings;
    a reference's findings take their place from its citation. ``source`` names the service
    whose record the finding rests on ("crossref", "arxiv", "dblp"...), ``None`` for a
    finding about the document itself.
    """

    code: str
    severity: Severity
    #: For people: characters they could not see are written out (:func:`visible`), and what
    #: no encoder can write replaced (:func:`printable`); ``cited`` and ``expected`` keep the
    #: text as it is, printable.
    message: str = attrs.field(converter=_message)
    field: str | None = None
    cited: str | None = attrs.field(default=None, converter=attrs.converters.optional(_printable))
    expected: str | None = attrs.field(
        default=None, converter=attrs.converters.optional(_printable)
    )
    location: Location | None = None
    related: tuple[Location, ...] = attrs.field(default=(), converter=_tuple)
    source: str | None = None


@attrs.frozen(slots=True)
class Citation:
    """A citation as printed: its text, file, 1-based line, and label ("B3", or "3"); the
    1-based ``column`` and the source's own ``anchor`` for it where the reader knows them; in a
    PDF, its ``page`` and the ``box`` of its first row (see :class:`Location`)."""

    text: str = attrs.field(converter=_required)
    file: str = attrs.field(default="<text>", converter=_printable)
    line: int = 1
    label: str = attrs.field(default="", converter=_required)
    column: int | None = None
    anchor: str | None = attrs.field(default=None, converter=attrs.converters.optional(_printable))
    page: int | None = attrs.field(default=None, kw_only=True)
    box: tuple[float, float, float, float] | None = attrs.field(default=None, kw_only=True)

    @property
    def location(self) -> Location:
        return Location(
            self.file, self.line, self.column, self.anchor, page=self.page, box=self.box
        )


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
    evidence: tuple[str, ...] = attrs.field(default=(), converter=_clean_tuple)
    agreement: tuple[tuple[str, float], ...] = attrs.field(default=(), converter=_tuple)
    basis: str | None = None


@attrs.frozen(slots=True)
class Match:
    """What a reference resolved to.

    ``MATCHED`` carries the ``work``, its validation ``score`` and ``via`` ("doi", "search", or
    "relation": the version a searched candidate links to, looked up);
    ``AMBIGUOUS`` carries the close ``candidates``; ``UNRESOLVED`` means the service has no work
    that agrees with the reference; ``UNCHECKED`` means refcheck could not ask (``reason`` says
    why in a few words: offline, HTTP 503, unreachable...; ``detail`` has the whole error).

    When the citation carries a DOI, ``doi_status`` says what became of it: "agrees" (it is the
    matched work), "not-found" (Crossref has no such DOI) or "other-work" (it belongs to
    ``doi_work``, which does not agree with the citation).

    ``source`` names the service that answered ("crossref", "pubmed", "openalex",
    "datacite"), when known; ``asked`` names every source asked, in order, when a chain of
    sources resolved the reference (see :mod:`refcheck.sources.chain`). ``doubts`` is the evidence,
    for an unresolved reference, that it may not exist at all (see
    :mod:`refcheck.sources.existence`).

    When the citation carries an arXiv identifier, ``arxiv_status`` says what arXiv made of it,
    as ``doi_status`` does for a DOI ("agrees", "not-found", "other-work" with
    ``arxiv_work``); a version that differs from arXiv's latest still "agrees".
    ``doi_source`` names the registry whose word ``doi_status`` is ("crossref", "datacite").
    ``published`` is the published version of a matched preprint, and ``published_source``
    the source that named it (see :mod:`refcheck.sources.chain`).
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
    reason: str | None = attrs.field(default=None, converter=_clean)
    doi_status: str | None = None
    doi_work: Work | None = None
    source: str | None = None
    doubts: tuple[str, ...] = attrs.field(default=(), converter=_clean_tuple)
    asked: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    #: For ``UNCHECKED``: the service's error in full (the URL, the last error), for ``-v`` and
    #: the JSON report; ``reason`` says why in a few words.
    detail: str | None = attrs.field(default=None, converter=_clean)
    arxiv_status: str | None = None
    arxiv_work: Work | None = None
    doi_source: str | None = None
    published: Work | None = None
    published_source: str | None = None
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
    reason: str = attrs.field(converter=_printable)


@attrs.frozen(slots=True)
class Report:
    """The result of checking one or more manuscripts.

    ``ignored`` holds the references the configuration set aside (``ignore-references``):
    they are not in ``references`` and their findings count nowhere. ``unreachable`` says which
    services could not be reached (their references are not checked).
    """

    references: tuple[CheckedReference, ...] = attrs.field(default=(), converter=_tuple)
    findings: tuple[Finding, ...] = attrs.field(default=(), converter=_tuple)
    files: tuple[str, ...] = attrs.field(default=(), converter=_printable_tuple)
    ignored: tuple[IgnoredReference, ...] = attrs.field(default=(), converter=_tuple)
    #: The services that could not be reached at all, so that the run stopped asking them:
    #: one message each, "Crossref is unreachable (connection refused: http://...)".
    unreachable: tuple[str, ...] = attrs.field(default=(), converter=_tuple)

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
