"""Helpers for testing code that uses refcheck: a stand-in Crossref server, and no-wait retries.

A stand-in Crossref
-------------------
:func:`serve_crossref` starts a small HTTP server on ``127.0.0.1`` (a free port) in a
background thread, serving the works you give it (Crossref work records, the ``message`` of
``/works/{doi}``, e.g. the ``record`` of each line of a ``works.jsonl``) the way the Crossref
REST API does::

    from refcheck.sources.crossref import CrossrefClient
    from refcheck.testing import serve_crossref, set_testing

    set_testing(True)                      # retries do not wait
    with serve_crossref(records) as crossref:
        client = CrossrefClient(base_url=crossref.base_url, cache=None)
        assert client.get_work("10.1000/x") is not None
        crossref.fail_next(2, status=503)  # the next two requests fail
        assert [r.path for r in crossref.requests][-1] == "/works/10.1000/x"

It speaks:

* ``GET /works/{doi}`` -> ``{"status": "ok", "message-type": "work", "message": {...}}``, or
  ``404`` with the text/plain body ``Resource not found.`` as Crossref does;
* ``GET /works?query.bibliographic=...&rows=&offset=&select=&filter=&cursor=&mailto=`` ->
  ``{"status": "ok", "message-type": "work-list", "message": {"items": [...],
  "total-results": N, ...}}``. Items are ranked by SQLite FTS5's bm25 over title, subtitle,
  authors, container titles, and volume/issue/page/year, the query's words OR-ed, and each
  item gets a ``score`` (higher is better). ``select`` keeps only the named fields;
  ``filter`` understands ``type``, ``doi``, ``issn``, ``from-pub-date``, ``until-pub-date``,
  ``from-index-date``, ``until-index-date``, ``from-update-date`` and ``until-update-date``
  (the record's ``indexed`` and ``deposited`` dates); ``cursor=*`` pages deeply, each answer
  giving the ``next-cursor``; unknown parameters, select fields, filters and bad ``rows`` get
  Crossref's ``400 validation-failure``.

Repeated filters of one name are OR-ed, as Crossref does (``filter=doi:A,doi:B`` finds both
works); filters of different names must all hold.

Knobs: ``latency`` (seconds each answer takes, at least), ``rate_limit`` (single-work requests,
``/works/{doi}``, per second, ``429`` beyond), ``list_rate_limit`` (list requests, ``/works?...``,
per second, ``429`` beyond; by default ``rate_limit``), ``max_concurrency`` (requests of
either kind in flight, ``429`` beyond), and at run time
:meth:`CrossrefStandIn.fail_next` (the next *n* requests answer 500/502/503/504/429, with an
optional ``Retry-After``), :meth:`CrossrefStandIn.truncate_next` (the next *n* bodies are
cut short), :meth:`CrossrefStandIn.reset_next` (the connection is reset, nothing answered),
:meth:`CrossrefStandIn.slow_next` (the body trickles in, ``delay`` seconds a piece),
:meth:`CrossrefStandIn.answer_next` (any body and status instead of the answer: an HTML error
page with ``200``, JSON of the wrong shape) and :meth:`CrossrefStandIn.redirect_next` (a 3xx to
any ``Location``, another host's too). The ``*_next`` faults queue up in the order they are
asked for, one per request. Every request is logged, thread-safely, in
:attr:`CrossrefStandIn.requests` (a reset one with status ``0``).

Stand-ins for arXiv, dblp, Semantic Scholar and OpenAlex
--------------------------------------------------------
:func:`serve_arxiv`, :func:`serve_dblp`, :func:`serve_semanticscholar` and
:func:`serve_openalex` start the same kind of server for the other sources, each serving
recorded records in its service's own format (see :class:`ArxivStandIn`,
:class:`DblpStandIn`, :class:`SemanticScholarStandIn`, :class:`OpenAlexStandIn`), with
``latency``, ``rate_limit`` and ``max_concurrency`` knobs and a request log::

    with serve_arxiv(arxiv_entries(recorded_feed)) as arxiv:
        client = ArxivClient(base_url=arxiv.base_url, cache=None)

No-wait retries
---------------
:func:`set_testing` (from :mod:`refcheck.sources.http.retry`) turns backoff off process-wide, so
tests of retries run instantly; waits are still computed and passed to ``RetryPolicy.on_retry``.
"""

from __future__ import annotations

import bisect
import gzip
import json
import math
import random
import re
import socket
import sqlite3
import struct
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

import attrs

from refcheck.sources.http.retry import is_testing, set_testing

__all__ = [
    "LOOKALIKE_KINDS",
    "ArxivStandIn",
    "CrossrefStandIn",
    "DblpStandIn",
    "LoggedRequest",
    "LookAlike",
    "LookAlikeIndex",
    "OpenAlexStandIn",
    "SemanticScholarStandIn",
    "ServiceStandIn",
    "arxiv_entries",
    "is_testing",
    "load_works",
    "serve_arxiv",
    "serve_crossref",
    "serve_dblp",
    "serve_openalex",
    "serve_semanticscholar",
    "set_testing",
    "with_lookalikes",
]

_NOT_FOUND = b"Resource not found."
_TOO_MANY = (
    b"<html><body><h1>429 Too Many Requests</h1>\n"
    b"You have sent too many requests in a given amount of time.\n</body></html>\n"
)
_FAILURE_BODIES = {
    500: b'{"status":"error","message-type":"exception","message":"Internal server error"}',
    502: b"<html><body><h1>502 Bad Gateway</h1></body></html>",
    503: b"<html><body><h1>503 Service Unavailable</h1></body></html>",
    504: b"<html>\n<head><title>504 Gateway Time-out</title></head>\n<body>\n"
    b"<center><h1>504 Gateway Time-out</h1></center>\n</body>\n</html>\n",
    429: _TOO_MANY,
}
_KNOWN_PARAMS = frozenset(
    {
        "query",
        "query.bibliographic",
        "query.title",
        "query.author",
        "query.container-title",
        "rows",
        "offset",
        "select",
        "filter",
        "mailto",
        "sort",
        "order",
        "cursor",
    }
)
#: The fields Crossref's ``select`` accepts.
_SELECTABLE = frozenset(
    {
        "abstract",
        "URL",
        "member",
        "posted",
        "score",
        "created",
        "degree",
        "update-policy",
        "short-title",
        "license",
        "ISSN",
        "container-title",
        "issued",
        "update-to",
        "issue",
        "prefix",
        "approved",
        "indexed",
        "article-number",
        "clinical-trial-number",
        "accepted",
        "author",
        "group-title",
        "DOI",
        "is-referenced-by-count",
        "updated-by",
        "event",
        "chair",
        "standards-body",
        "original-title",
        "funder",
        "translator",
        "archive",
        "published-print",
        "alternative-id",
        "subject",
        "subtitle",
        "published-online",
        "publisher-location",
        "content-domain",
        "reference",
        "title",
        "link",
        "type",
        "publisher",
        "volume",
        "references-count",
        "ISBN",
        "issn-type",
        "assertion",
        "deposited",
        "page",
        "content-created",
        "short-container-title",
        "relation",
        "editor",
        "published",
    }
)
_FILTERS = frozenset(
    {
        "type",
        "doi",
        "issn",
        "from-pub-date",
        "until-pub-date",
        "from-index-date",
        "until-index-date",
        "from-update-date",
        "until-update-date",
    }
)
_WORD = re.compile(r"\w+", re.UNICODE)
#: The stand-in's cursors (Crossref's are opaque too): the prefix and the offset.
_CURSOR = "DXF1ZXJ5"


def load_works(path: Path | str) -> list[dict[str, Any]]:
    """The work records of a JSON Lines file (``.gz`` too): each line's ``record``, or the line."""
    path = Path(path)
    opener: Any = gzip.open if path.suffix == ".gz" else open
    records = []
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                item = json.loads(line)
                records.append(item.get("record", item))
    return records


# --- look-alikes ---------------------------------------------------------------------------

#: The kinds of look-alike :func:`with_lookalikes` makes, and how often each is drawn for a
#: work that gets one (a journal article: every kind; another work: a namesake or a duplicate).
LOOKALIKE_KINDS: Mapping[str, float] = {
    "preprint": 0.34,
    "correction": 0.14,
    "retraction": 0.05,
    "comment": 0.08,
    "reply": 0.08,
    "review": 0.04,
    "namesake": 0.17,
    "duplicate": 0.10,
}
#: The kinds that only a journal article has beside it.
_ARTICLE_ONLY = frozenset({"preprint", "correction", "retraction", "comment", "reply", "review"})


@attrs.frozen(slots=True)
class LookAlike:
    """One record :func:`with_lookalikes` made: its ``kind`` (a key of
    :data:`LOOKALIKE_KINDS`), its ``doi`` (lower case), the DOI of the genuine work it stands
    beside (``of``, lower case) and the Crossref ``record`` itself."""

    kind: str
    doi: str
    of: str
    record: Mapping[str, Any] = attrs.field(eq=False, repr=False)


@attrs.frozen(slots=True)
class LookAlikeIndex:
    """Genuine records with look-alikes beside some of them, ready for :func:`serve_crossref`.

    ``records`` are the genuine records (those with a look-alike amended as Crossref amends
    them: ``has-preprint`` on an article whose preprint links to it, ``updated-by`` on a work
    a notice is about) followed by the look-alikes' records; ``lookalikes`` says what each
    look-alike is and beside which work it stands.
    """

    records: tuple[Mapping[str, Any], ...]
    lookalikes: tuple[LookAlike, ...]
    _by_work: Mapping[str, tuple[LookAlike, ...]] = attrs.field(init=False, repr=False, eq=False)
    _by_doi: Mapping[str, LookAlike] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        grouped: dict[str, list[LookAlike]] = {}
        for lookalike in self.lookalikes:
            grouped.setdefault(lookalike.of, []).append(lookalike)
        object.__setattr__(self, "_by_work", {d: tuple(g) for d, g in grouped.items()})
        object.__setattr__(self, "_by_doi", {la.doi: la for la in self.lookalikes})

    def beside(self, doi: str) -> tuple[LookAlike, ...]:
        """The look-alikes beside the work with this DOI (none: an empty tuple)."""
        return self._by_work.get(doi.lower(), ())

    def kind(self, doi: str) -> str | None:
        """The kind of look-alike this DOI is, or ``None`` for a genuine record's DOI."""
        found = self._by_doi.get(doi.lower())
        return found.kind if found is not None else None


def with_lookalikes(
    records: Iterable[Mapping[str, Any]],
    *,
    seed: int = 0,
    share: float = 0.5,
    include: Iterable[str] = (),
    kinds: Mapping[str, float] | None = None,
) -> LookAlikeIndex:
    """``records`` with look-alikes beside ``share`` of the works, as real Crossref holds them.

    Real Crossref holds, beside most works, records that look like them; each look-alike is
    built from the work's genuine record in the shape Crossref gives such records (the same
    fields, types, relations and title conventions, after real records of each kind):

    * ``preprint``: ``posted-content`` (subtype ``preprint``) on bioRxiv, medRxiv, Research
      Square, SSRN, PeerJ Preprints, ESSOAr or ChemRxiv (after the publisher), with that
      server's DOI pattern, publisher, ``institution`` and ``group-title``; the same title
      (now and then a little different) and authors, posted 2 to 18 months before the
      article, no journal, volume or pages; most link to the article (``relation``
      ``is-preprint-of``, and the article ``has-preprint``);
    * ``correction``: a notice in the same journal, later, titled as its publisher titles
      them ("Correction: <title>" at PLOS, "Corrigendum to “<title>” [<journal> <volume>
      (<year>) <pages>]" at Elsevier, "Correction to: <title>" at Springer, "Author
      Correction: <title>" at Nature...), ``update-to`` the work, which is ``updated-by`` it;
    * ``retraction``: a retraction notice ("Retraction: <title>", "Retraction Note:
      <title>", "Retraction notice to “<title>” [...]", "Retracted: <title>" at Hindawi),
      ``update-to`` the work, often by the journal's editors;
    * ``comment``: "Comment on “<title>”" by other authors, in the same journal as a rule;
    * ``reply``: the authors' reply ("Reply to <Surname> et al.: <title>", "Response to
      Comment on “<title>”"), by the work's own authors, in its journal;
    * ``review``: a ``peer-review`` record ("Review for “<title>”", "Decision letter:
      <title>"), ``is-review-of`` the work;
    * ``namesake``: another genuine record of the index (other authors, another journal)
      with the work's title, or nearly, and numbers of its own;
    * ``duplicate``: the same record registered again under a second DOI of its prefix
      (now and then with ``is-identical-to``, or without the pages).

    ``share`` of the works that have a title and a named author (a family name) get one
    look-alike or two (chosen with ``random.Random(seed)``: the same arguments always give
    the same index); ``include`` names works (DOIs) that get them in any case. ``kinds``
    weighs the kinds (by default :data:`LOOKALIKE_KINDS`; a kind left out, or weighed 0, is
    never made). The records given are not changed.
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"with_lookalikes: expected 0 <= share <= 1, found {share!r}")
    weights = dict(LOOKALIKE_KINDS if kinds is None else kinds)
    unknown = sorted(set(weights) - set(LOOKALIKE_KINDS))
    if unknown:
        raise ValueError(
            f"with_lookalikes: expected kinds among {', '.join(LOOKALIKE_KINDS)}, "
            f"found {unknown[0]!r}"
        )
    originals = [json.loads(json.dumps(dict(r))) for r in records]
    by_doi = {str(r.get("DOI", "")).lower(): r for r in originals}
    taken = set(by_doi)
    rng = random.Random(seed)
    citable = [d for d, r in by_doi.items() if d and _lookalike_title(r) and _people(r)]
    forced = {d.lower() for d in include} & set(citable)
    rest = sorted(set(citable) - forced)
    count = max(0, math.ceil(share * len(citable)) - len(forced))
    chosen = sorted(forced | set(rng.sample(rest, min(count, len(rest)))))
    eligible = set(citable)
    donors = [r for d, r in sorted(by_doi.items()) if d in eligible]
    maker = _Maker(rng, taken, donors)
    made: list[LookAlike] = []
    for doi in chosen:
        work = by_doi[doi]
        allowed = {k: w for k, w in weights.items() if w > 0 and _fits(k, work)}
        if not allowed:
            continue
        picked = [_draw(rng, allowed)]
        if rng.random() < 0.35 and len(allowed) > 1:
            second = _draw(rng, {k: w for k, w in allowed.items() if k != picked[0]})
            picked.append(second)
        before = len(made)
        for kind in picked:
            made.extend(maker.make(kind, work))
        if len(made) == before:
            # No other work to borrow from (a namesake, a comment): a duplicate, always.
            made.extend(maker.make("duplicate", work))
    lookalikes = tuple(made)
    return LookAlikeIndex(
        records=(*originals, *(m.record for m in lookalikes)), lookalikes=lookalikes
    )


def _fits(kind: str, work: Mapping[str, Any]) -> bool:
    """Whether real Crossref could hold a look-alike of this kind beside ``work``: notices,
    comments and replies stand beside journal articles; preprints beside articles of the
    years of preprint servers (SSRN's from 1994 on), peer reviews beside those of open peer
    review (2012 on)."""
    if kind not in _ARTICLE_ONLY:
        return True
    if work.get("type") != "journal-article" or work.get("update-to"):
        return False
    if _NOT_AN_ARTICLE.match(_lookalike_title(work)):
        return False  # a notice, a comment or a reply itself: no preprint, no erratum of it
    year = (_when(work) or (0, 0, 0))[0]
    return {"preprint": year >= 1995, "review": year >= 2012}.get(kind, True)


_NOT_AN_ARTICLE = re.compile(
    r"^\s*(?:correction|corrigendum|erratum|errata|retraction|comments?|commentary|reply|"
    r"in reply|response to|expression of concern|letter)\b",
    re.IGNORECASE,
)


def _draw(rng: random.Random, weights: Mapping[str, float]) -> str:
    names = sorted(weights)
    return rng.choices(names, weights=[weights[n] for n in names])[0]


def _lookalike_title(record: Mapping[str, Any]) -> str:
    titles = record.get("title")
    if isinstance(titles, list) and titles and isinstance(titles[0], str):
        return titles[0]
    return titles if isinstance(titles, str) else ""


def _people(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        dict(a)
        for a in record.get("author") or ()
        if isinstance(a, Mapping) and isinstance(a.get("family"), str) and a["family"].strip()
    ]


def _first_str(value: Any) -> str:
    if isinstance(value, list):
        return next((v for v in value if isinstance(v, str) and v.strip()), "")
    return value if isinstance(value, str) else ""


def _when(record: Mapping[str, Any]) -> tuple[int, int, int] | None:
    """The earliest date of a record (online, issued, print), months and days filled in."""
    dates = []
    for key in ("published-online", "issued", "published-print", "published", "posted"):
        try:
            parts = record[key]["date-parts"][0]
            year = int(parts[0])
        except (KeyError, IndexError, TypeError, ValueError):
            continue
        month = int(parts[1]) if len(parts) > 1 and parts[1] else 6
        day = int(parts[2]) if len(parts) > 2 and parts[2] else 15
        dates.append((year, min(max(month, 1), 12), min(max(day, 1), 28)))
    return min(dates) if dates else None


def _shifted(when: tuple[int, int, int], days: int) -> tuple[int, int, int]:
    import datetime

    day = datetime.date(*when) + datetime.timedelta(days=days)
    return day.year, day.month, day.day


def _date(when: tuple[int, int, int]) -> dict[str, Any]:
    return {"date-parts": [list(when)]}


def _stamp(when: tuple[int, int, int]) -> dict[str, Any]:
    """An ``updated`` date of ``update-to`` / ``updated-by``, as Crossref writes it."""
    import datetime

    moment = datetime.datetime(*when, tzinfo=datetime.timezone.utc)
    return {
        "date-parts": [list(when)],
        "date-time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "timestamp": int(moment.timestamp() * 1000),
    }


def _relate(record: dict[str, Any], kind: str, doi: str, asserted_by: str) -> None:
    relation = record.setdefault("relation", {})
    relation.setdefault(kind, []).append({"id-type": "doi", "id": doi, "asserted-by": asserted_by})


#: The preprint servers: DOI prefix, the publisher and ``institution`` their records carry,
#: the ``group-title`` they give, and the year they began.
_SERVERS: Mapping[str, tuple[str, str | None, tuple[str, ...], int]] = {
    "bioRxiv": (
        "Cold Spring Harbor Laboratory",
        "bioRxiv",
        ("Microbiology", "Neuroscience", "Genomics", "Cell Biology", "Ecology", "Bioinformatics"),
        2014,
    ),
    "medRxiv": (
        "Cold Spring Harbor Laboratory",
        "medRxiv",
        (
            "Epidemiology",
            "Infectious Diseases (except HIV/AIDS)",
            "Oncology",
            "Public and Global Health",
            "Psychiatry and Clinical Psychology",
        ),
        2019,
    ),
    "Research Square": ("Research Square Platform LLC", "Research Square", ("In Review",), 2019),
    "SSRN": ("Elsevier BV", None, ("SSRN",), 1994),
    "PeerJ Preprints": ("PeerJ", None, ("PeerJ PrePrints",), 2013),
    "ESSOAr": (
        "Wiley",
        "Earth and Space Science Open Archive",
        ("Geochemistry", "Oceanography", "Atmospheric Sciences", "Hydrology"),
        2018,
    ),
    "ChemRxiv": ("American Chemical Society (ACS)", None, ("Chemistry",), 2017),
}
_MEDICAL = re.compile(
    r"\b(?:med|medic|clin|health|lancet|jama|bmj|epidemiol|infect|cancer|oncol|surg|cardi|"
    r"pediatr|psychiatr|nurs|hosp|ther|pharm|dermatol|rheumatol|gastro|obstet|radiol)",
    re.IGNORECASE,
)


class _Maker:
    """Builds look-alike records; holds the random generator and the DOIs already taken."""

    def __init__(self, rng: random.Random, taken: set[str], donors: list[dict[str, Any]]) -> None:
        self.rng = rng
        self.taken = taken
        self.donors = donors

    # -- shared pieces --

    def _doi(self, make: Any) -> str:
        for _ in range(100):
            doi = str(make())
            if doi.lower() not in self.taken:
                self.taken.add(doi.lower())
                return doi
        raise RuntimeError("with_lookalikes: could not find a free DOI")  # pragma: no cover

    def _digits(self, count: int) -> str:
        return "".join(str(self.rng.randint(0, 9)) for _ in range(count))

    def _donor(self, work: Mapping[str, Any], *, other_journal: bool) -> dict[str, Any] | None:
        """Another genuine record: other first author (and another journal, if asked)."""
        own = {a["family"].lower() for a in _people(work)}
        journal = _first_str(work.get("container-title")).lower()
        for _ in range(50):
            donor = self.rng.choice(self.donors)
            people = _people(donor)
            if donor is work or not people or people[0]["family"].lower() in own:
                continue
            theirs = _first_str(donor.get("container-title")).lower()
            if other_journal and (not theirs or theirs == journal):
                continue
            return donor
        return None

    def _base(self, work: Mapping[str, Any], doi: str, kind: str) -> dict[str, Any]:
        """The fields a journal's notice shares with the work: journal, ISSN, publisher."""
        record: dict[str, Any] = {"DOI": doi, "type": kind, "prefix": doi.split("/")[0]}
        for key in (
            "publisher",
            "container-title",
            "short-container-title",
            "ISSN",
            "issn-type",
            "member",
            "language",
        ):
            if key in work:
                record[key] = json.loads(json.dumps(work[key]))
        record["source"] = "Crossref"
        record["URL"] = f"https://doi.org/{doi}"
        return record

    def _later(
        self, work: Mapping[str, Any], record: dict[str, Any], low: int, high: int
    ) -> tuple[int, int, int]:
        """Date ``record`` ``low`` to ``high`` days after ``work``; volume and pages to fit."""
        start = _when(work) or (2015, 6, 15)
        when = _shifted(start, self.rng.randint(low, high))
        record["published-online"] = _date(when)
        record["issued"] = _date(when)
        record["published"] = _date(when)
        record["created"] = _stamp(when)
        years = when[0] - start[0]
        volume = work.get("volume")
        if isinstance(volume, str) and volume.isdigit():
            record["volume"] = str(int(volume) + years)
        elif isinstance(volume, str):
            record["volume"] = volume
        if isinstance(work.get("issue"), str):
            record["issue"] = str(self.rng.randint(1, 12))
        page = _first_str(work.get("page")) or _first_str(work.get("article-number"))
        if page[:1] in ("e", "E") and page[1:].isdigit():
            record["page"] = page[0] + str(int(page[1:]) + self.rng.randint(50, 5000)).zfill(
                len(page) - 1
            )
        elif page.isdigit() and len(page) >= 5:
            record["article-number"] = str(int(page) + self.rng.randint(50, 5000))
            record["page"] = record["article-number"]
        elif page:
            record["page"] = str(self.rng.randint(1, 900))
        return when

    def _notify(
        self,
        work: dict[str, Any],
        notice: dict[str, Any],
        kind: str,
        label: str,
        when: tuple[int, int, int],
    ) -> None:
        """``notice`` is ``update-to`` ``work``; ``work`` is ``updated-by`` it (as Crossref)."""
        entry = {
            "updated": _stamp(when),
            "DOI": work["DOI"],
            "type": kind,
            "label": label,
            "source": "publisher",
        }
        notice["update-to"] = [entry]
        work.setdefault("updated-by", []).append(dict(entry, DOI=notice["DOI"]))

    def _cite(self, work: Mapping[str, Any]) -> str:
        """ "[Soil Biol. Biochem. 195 (2024) 109456]": the bracket of an Elsevier notice."""
        journal = _first_str(work.get("short-container-title")) or _first_str(
            work.get("container-title")
        )
        when = _when(work)
        year = when[0] if when else ""
        page = _first_str(work.get("page")) or _first_str(work.get("article-number"))
        return f"[{journal} {work.get('volume') or ''} ({year}) {page}]".replace("  ", " ")

    # -- the kinds --

    def make(self, kind: str, work: dict[str, Any]) -> list[LookAlike]:
        made = getattr(self, f"_{kind}")(work)
        return [LookAlike(kind, str(r["DOI"]).lower(), str(work["DOI"]).lower(), r) for r in made]

    def _preprint(self, work: dict[str, Any]) -> list[dict[str, Any]]:
        rng = self.rng
        start = _when(work) or (2019, 6, 15)
        posted = _shifted(start, -rng.randint(60, 540))
        server = self._server(work, posted[0])
        publisher, institution, groups, _ = _SERVERS[server]
        y, m, d = posted
        makers = {
            "bioRxiv": lambda: (
                f"10.1101/{y}.{m:02d}.{d:02d}.{rng.randint(100000, 999999)}"
                if (y, m) >= (2019, 12)
                else f"10.1101/{rng.randint(10000, 899999):06d}"
            ),
            "medRxiv": lambda: f"10.1101/{y}.{m:02d}.{d:02d}.{rng.randint(20000000, 21999999)}",
            "Research Square": lambda: (
                f"10.21203/rs.3.rs-{rng.randint(10000, 999999)}/v{rng.choice((1, 1, 1, 2))}"
            ),
            "SSRN": lambda: f"10.2139/ssrn.{rng.randint(1000000, 4999999)}",
            "PeerJ Preprints": lambda: f"10.7287/peerj.preprints.{rng.randint(100, 27999)}v1",
            "ESSOAr": lambda: f"10.1002/essoar.{rng.randint(10500000, 10512999)}.1",
            "ChemRxiv": lambda: "10.26434/chemrxiv-{}-{}".format(
                y, "".join(rng.choice("abcdefghjkmnpqrstvwxz0123456789") for _ in range(5))
            ),
        }
        doi = self._doi(makers[server])
        title = _lookalike_title(work)
        if rng.random() < 0.25:
            title = self._retitled(title)
        authors = [dict(a, affiliation=[]) for a in _people(work)]
        if len(authors) > 2 and rng.random() < 0.1:
            authors = authors[:-1]
        record: dict[str, Any] = {
            "DOI": doi,
            "type": "posted-content",
            "subtype": "preprint",
            "prefix": doi.split("/")[0],
            "publisher": publisher,
            "group-title": rng.choice(groups),
            "title": [title],
            "author": authors,
            "posted": _date(posted),
            "issued": _date(posted),
            "published": _date(posted),
            "created": _stamp(posted),
            "accepted": _date(_shifted(posted, -rng.randint(0, 20))),
            "container-title": [],
            "source": "Crossref",
            "URL": f"https://doi.org/{doi}",
        }
        if institution:
            record["institution"] = [{"name": institution}]
        if rng.random() < 0.7:
            _relate(record, "is-preprint-of", str(work["DOI"]), "subject")
            if rng.random() < 0.9:
                _relate(work, "has-preprint", doi, "object")
        return [record]

    def _server(self, work: Mapping[str, Any], year: int) -> str:
        """The preprint server an article's authors would most likely have used."""
        prefix = str(work.get("DOI", "")).split("/")[0]
        journal = _first_str(work.get("container-title"))
        by_prefix = {"10.7717": "PeerJ Preprints", "10.1029": "ESSOAr", "10.1021": "ChemRxiv"}
        choice = by_prefix.get(prefix)
        if choice is None and prefix in ("10.1186", "10.1007") and self.rng.random() < 0.6:
            choice = "Research Square"
        if choice is None and prefix == "10.1016" and self.rng.random() < 0.5:
            choice = "SSRN"
        if choice is None and _MEDICAL.search(journal):
            choice = "medRxiv"
        if choice is None:
            choice = self.rng.choice(("bioRxiv", "bioRxiv", "medRxiv", "Research Square", "SSRN"))
        if year < _SERVERS[choice][3] or (choice == "PeerJ Preprints" and year > 2019):
            choice = "bioRxiv" if year >= 2014 else "SSRN"
        return choice

    def _retitled(self, title: str) -> str:
        """A preprint's title, a little different from the article's (as they often are)."""
        words = title.split()
        if len(words) < 5:
            return title
        roll = self.rng.random()
        if ":" in title and roll < 0.4:
            return title.split(":", 1)[0].strip()
        if roll < 0.7:
            i = self.rng.randrange(1, len(words))
            return " ".join(words[:i] + words[i + 1 :])
        extra = self.rng.choice(("novel", "new", "human", "comprehensive", "large-scale"))
        i = self.rng.randrange(1, len(words))
        return " ".join([*words[:i], extra, *words[i:]])

    def _correction(self, work: dict[str, Any]) -> list[dict[str, Any]]:
        rng = self.rng
        title = _lookalike_title(work)
        prefix = str(work["DOI"]).split("/")[0]
        journal = _first_str(work.get("container-title"))
        start = _when(work) or (2015, 6, 15)
        authors: list[dict[str, Any]] = [dict(a) for a in _people(work)]
        kind, label = "correction", "Correction"
        if prefix == "10.1371":
            code = str(work["DOI"]).split("/")[1].split(".")[1:2] or ["pone"]
            doi = self._doi(lambda: f"10.1371/journal.{code[0]}.{self._digits(7)}")
            notice_title = f"Correction: {title}"
            if rng.random() < 0.5:
                authors = [
                    {
                        "name": f"The {journal or 'PLOS ONE'} Staff",
                        "sequence": "first",
                        "affiliation": [],
                    }
                ]
        elif prefix == "10.1016":
            doi = self._doi(lambda: f"10.1016/j.x.{start[0] + 1}.{self._digits(6)}")
            notice_title = f"Corrigendum to “{title}” {self._cite(work)}"
            kind, label = "erratum", "Erratum"
        elif prefix in ("10.1007", "10.1186"):
            doi = self._doi(
                lambda: (
                    f"{prefix}/s{self._digits(5)}-0{self._digits(2)}-"
                    f"{self._digits(5)}-{rng.randint(0, 9)}"
                )
            )
            notice_title = f"Correction to: {title}" if start[0] >= 2017 else f"Erratum to: {title}"
        elif prefix == "10.1038":
            doi = self._doi(
                lambda: (
                    f"10.1038/s{self._digits(5)}-0{self._digits(2)}-"
                    f"{self._digits(4)}-{rng.randint(0, 9)}"
                )
            )
            notice_title = rng.choice(("Author Correction: ", "Publisher Correction: ")) + title
        elif prefix == "10.1155":
            doi = self._doi(lambda: f"10.1155/{start[0] + 1}/{self._digits(7)}")
            notice_title = f"Corrigendum to “{title}”"
            authors = authors if rng.random() < 0.5 else []
        elif prefix == "10.1001":
            doi = self._doi(
                lambda: (
                    f"10.1001/{str(work['DOI']).split('/')[1].split('.')[0]}."
                    f"{start[0] + 1}.{self._digits(4)}"
                )
            )
            notice_title = rng.choice(
                (
                    "Error in Figure",
                    "Errors in Results",
                    "Error in Table 2",
                    "Incorrect Affiliation",
                    "Error in Author Name",
                )
            )
            authors = []
        elif prefix == "10.1021":
            doi = self._doi(lambda: f"10.1021/acs.x.{self._digits(1)}c{self._digits(5)}")
            notice_title = f"Correction to “{title}”"
        else:
            doi = self._doi(lambda: f"{prefix}/{self._suffix(work)}")
            notice_title = rng.choice(("Erratum: ", "Correction: ", "Corrigendum: ")) + title
            kind, label = rng.choice((("erratum", "Erratum"), ("correction", "Correction")))
        record = self._base(work, doi, "journal-article")
        record["title"] = [notice_title]
        if authors:
            record["author"] = authors
        when = self._later(work, record, 40, 700)
        self._notify(work, record, kind, label, when)
        return [record]

    def _retraction(self, work: dict[str, Any]) -> list[dict[str, Any]]:
        rng = self.rng
        title = _lookalike_title(work)
        prefix = str(work["DOI"]).split("/")[0]
        journal = _first_str(work.get("container-title"))
        authors: list[dict[str, Any]] = []
        if prefix == "10.1371":
            code = str(work["DOI"]).split("/")[1].split(".")[1:2] or ["pone"]
            doi = self._doi(lambda: f"10.1371/journal.{code[0]}.{self._digits(7)}")
            notice_title = f"Retraction: {title}"
            authors = [
                {
                    "name": f"The {journal or 'PLOS ONE'} Editors",
                    "sequence": "first",
                    "affiliation": [],
                }
            ]
        elif prefix == "10.1016":
            doi = self._doi(lambda: f"10.1016/j.x.{self._digits(4)}.{self._digits(6)}")
            notice_title = f"Retraction notice to “{title}” {self._cite(work)}"
        elif prefix in ("10.1007", "10.1186", "10.1038"):
            doi = self._doi(
                lambda: (
                    f"{prefix}/s{self._digits(5)}-0{self._digits(2)}-"
                    f"{self._digits(5)}-{rng.randint(0, 9)}"
                )
            )
            notice_title = f"Retraction Note: {title}"
            authors = [dict(a) for a in _people(work)]
        elif prefix == "10.1155":
            doi = self._doi(lambda: f"10.1155/{self._digits(4)}/{self._digits(7)}")
            notice_title = f"Retracted: {title}"
            authors = [
                {"name": journal or "Journal Editors", "sequence": "first", "affiliation": []}
            ]
        else:
            doi = self._doi(lambda: f"{prefix}/{self._suffix(work)}")
            notice_title = (
                rng.choice(("Retraction: ", "Notice of Retraction: ", "Retraction Notice: "))
                + title
            )
        record = self._base(work, doi, "journal-article")
        record["title"] = [notice_title]
        if authors:
            record["author"] = authors
        when = self._later(work, record, 180, 1500)
        self._notify(work, record, "retraction", "Retraction", when)
        return [record]

    def _comment(self, work: dict[str, Any]) -> list[dict[str, Any]]:
        donor = self._donor(work, other_journal=False)
        if donor is None:
            return []
        title = _lookalike_title(work)
        first = _people(work)[0]["family"]
        when = _when(work)
        cited = (
            f"{first} et al. {title}. {_first_str(work.get('short-container-title'))} "
            f"{when[0] if when else ''};{work.get('volume') or ''}"
        )
        forms = (
            f"Comment on “{title}”",
            f"Comment on: {cited.rstrip(';')}",
            f"Commentary on “{title}”",
            f"Letter to the Editor regarding “{title}”",
        )
        doi = self._doi(lambda: f"{str(work['DOI']).split('/')[0]}/{self._suffix(work)}")
        record = self._base(work, doi, "journal-article")
        if self.rng.random() < 0.3:
            for key in ("container-title", "short-container-title", "ISSN", "publisher"):
                if key in donor:
                    record[key] = json.loads(json.dumps(donor[key]))
        record["title"] = [self.rng.choice(forms)]
        record["author"] = [dict(a) for a in _people(donor)[:3]]
        self._later(work, record, 30, 400)
        if self.rng.random() < 0.2:
            _relate(record, "is-comment-on", str(work["DOI"]), "subject")
        return [record]

    def _reply(self, work: dict[str, Any]) -> list[dict[str, Any]]:
        donor = self._donor(work, other_journal=False)
        if donor is None:
            return []
        title = _lookalike_title(work)
        critic = _people(donor)[0]["family"]
        forms = (
            f"Reply to {critic} et al.: {title}",
            f"Response to Comment on “{title}”",
            f"Reply to “Comment on ‘{title}’”",
            f"Authors’ reply to “{title}”",
        )
        doi = self._doi(lambda: f"{str(work['DOI']).split('/')[0]}/{self._suffix(work)}")
        record = self._base(work, doi, "journal-article")
        record["title"] = [self.rng.choice(forms)]
        record["author"] = [dict(a) for a in _people(work)]
        self._later(work, record, 60, 500)
        if self.rng.random() < 0.3:
            _relate(record, "is-reply-to", str(work["DOI"]), "subject")
        return [record]

    def _review(self, work: dict[str, Any]) -> list[dict[str, Any]]:
        title = _lookalike_title(work)
        forms = (
            f"Review for “{title}”",
            f"Decision letter: {title}",
            f"Author response: {title}",
            f"Peer Review #1 of “{title} (v0.1)”",
        )
        doi = self._doi(lambda: f"{work['DOI']}/v1/review{self.rng.randint(1, 3)}")
        record: dict[str, Any] = {
            "DOI": doi,
            "type": "peer-review",
            "prefix": doi.split("/")[0],
            "publisher": work.get("publisher"),
            "title": [self.rng.choice(forms)],
            "source": "Crossref",
            "URL": f"https://doi.org/{doi}",
        }
        if self.rng.random() < 0.4:
            donor = self._donor(work, other_journal=False)
            if donor is not None:
                record["author"] = [dict(_people(donor)[0])]
        start = _when(work) or (2018, 6, 15)
        when = _shifted(start, -self.rng.randint(10, 120))
        record["issued"] = _date(when)
        record["published"] = _date(when)
        _relate(record, "is-review-of", str(work["DOI"]), "subject")
        return [record]

    def _namesake(self, work: dict[str, Any]) -> list[dict[str, Any]]:
        donor = self._donor(work, other_journal=True)
        if donor is None:
            return []
        rng = self.rng
        title = _lookalike_title(work)
        if rng.random() < 0.4:
            title = self._retitled(title)
        prefix = str(donor["DOI"]).split("/")[0]
        doi = self._doi(lambda: f"{prefix}/{self._suffix(donor)}")
        record = json.loads(json.dumps(donor))
        for key in ("updated-by", "update-to", "relation", "subtitle", "alternative-id"):
            record.pop(key, None)
        record.update(DOI=doi, title=[title], URL=f"https://doi.org/{doi}", prefix=prefix)
        # Numbers of its own: a namesake is another work, not the donor again.
        when = _when(donor) or (2015, 6, 15)
        shift = rng.choice((-3, -2, -1, 1, 2, 3))
        moved = (max(when[0] + shift, 1900), when[1], when[2])
        for key in ("issued", "published", "published-online", "published-print"):
            if key in record:
                record[key] = _date(moved)
        volume = record.get("volume")
        if isinstance(volume, str) and volume.isdigit():
            record["volume"] = str(max(1, int(volume) + shift))
        if record.get("page") or record.get("article-number"):
            first = rng.randint(1, 2000)
            record["page"] = f"{first}-{first + rng.randint(3, 20)}"
            record.pop("article-number", None)
        return [record]

    def _duplicate(self, work: dict[str, Any]) -> list[dict[str, Any]]:
        prefix = str(work["DOI"]).split("/")[0]
        doi = self._doi(lambda: f"{prefix}/{self._suffix(work)}")
        record = json.loads(json.dumps(work))
        for key in ("updated-by", "relation"):
            record.pop(key, None)
        record.update(DOI=doi, URL=f"https://doi.org/{doi}")
        roll = self.rng.random()
        if roll < 0.3:
            _relate(record, "is-identical-to", str(work["DOI"]), "subject")
            _relate(work, "is-identical-to", doi, "object")
        elif roll < 0.45:
            record.pop("page", None)
            record.pop("article-number", None)
        return [record]

    def _suffix(self, work: Mapping[str, Any]) -> str:
        """A DOI suffix like the work's, its last run of digits drawn anew."""
        suffix = str(work["DOI"]).split("/", 1)[1]
        runs = list(re.finditer(r"\d+", suffix))
        if not runs:
            return f"{suffix}.{self._digits(6)}"
        last = runs[-1]
        digits = self._digits(max(len(last.group()), 5))
        return suffix[: last.start()] + digits + suffix[last.end() :]


@attrs.frozen(slots=True)
class LoggedRequest:
    """One request the stand-in received: path (decoded), query parameters, headers, answer,
    and ``target``, the request target exactly as received (path and query, still encoded)."""

    method: str
    path: str
    params: Mapping[str, tuple[str, ...]]
    headers: Mapping[str, str]
    status: int
    target: str = ""


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    if isinstance(value, Mapping):
        return " ".join(_text(v) for v in value.values())
    return "" if value is None else str(value)


def _year(record: Mapping[str, Any]) -> str:
    for key in ("issued", "published-print", "published-online", "published"):
        try:
            return str(int(record[key]["date-parts"][0][0]))
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    return ""


def _authors(record: Mapping[str, Any]) -> str:
    names = []
    for author in record.get("author") or ():
        if isinstance(author, Mapping):
            names.append(" ".join(str(author.get(k) or "") for k in ("given", "family", "name")))
    return " ".join(names)


class _Index:
    """The works by DOI, and an FTS5 index of them. One connection, used under a lock."""

    def __init__(self, works: Iterable[Mapping[str, Any]]) -> None:
        self.by_doi: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE works USING fts5(doi UNINDEXED, title, authors, containers,"
            " numbers, tokenize = 'unicode61 remove_diacritics 2')"
        )
        for work in works:
            record = dict(work)
            doi = str(record.get("DOI", "")).lower()
            if not doi:
                raise ValueError(f"serve_crossref: a work record without a DOI: {record!r:.100}")
            if doi not in self.by_doi:
                self.order.append(doi)
            self.by_doi[doi] = record
        for doi in self.order:
            record = self.by_doi[doi]
            self._db.execute(
                "INSERT INTO works VALUES (?, ?, ?, ?, ?)",
                (
                    doi,
                    _text(record.get("title")) + " " + _text(record.get("subtitle")),
                    _authors(record),
                    _text(record.get("container-title"))
                    + " "
                    + _text(record.get("short-container-title")),
                    " ".join(
                        _text(record.get(k)) for k in ("volume", "issue", "page", "article-number")
                    )
                    + " "
                    + _year(record),
                ),
            )

    def search(self, text: str) -> list[tuple[str, float]]:
        """(doi, score) of the works matching any word of ``text``, best first."""
        words = list(dict.fromkeys(w.lower() for w in _WORD.findall(text)))
        if not words:
            return [(doi, 1.0) for doi in self.order]
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        with self._lock:
            rows = self._db.execute(
                "SELECT doi, bm25(works, 0.0, 4.0, 2.0, 2.0, 1.0) AS rank FROM works"
                " WHERE works MATCH ? ORDER BY rank, doi",
                (match,),
            ).fetchall()
        return [(doi, round(-rank, 6)) for doi, rank in rows]


class _Failure:
    """How the stand-in misbehaves for one request.

    ``kind`` is ``"status"`` (a canned error page of ``status``), ``"reset"`` (the connection
    is dropped with a TCP reset before any answer), ``"slow"`` (the right answer, its body sent
    in ``pieces`` with ``delay`` seconds before each), ``"body"`` (``body`` with ``status`` and
    ``content_type`` instead of the answer) or ``"redirect"`` (``status`` and a ``Location``).
    """

    def __init__(
        self,
        status: int,
        retry_after: str | None,
        *,
        kind: str = "status",
        delay: float = 0.0,
        pieces: int = 1,
        body: bytes = b"",
        content_type: str = "text/html",
        location: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.headers = dict(headers or {})
        self.status = status
        self.retry_after = retry_after
        self.kind = kind
        self.delay = delay
        self.pieces = pieces
        self.body = body
        self.content_type = content_type
        self.location = location


_Stand = TypeVar("_Stand", bound="_Served")


class _Served:
    """The life cycle every stand-in shares: an HTTP server on 127.0.0.1 (port 0) in a
    background thread, started and stopped by hand or by a ``with`` block. Subclasses name
    their request handler (:meth:`_handler`), a ``label`` for messages and the API's ``prefix``."""

    #: The path the service's API lives under ("/api" for arXiv's "/api/query").
    prefix = ""
    label = "service"
    _server: ThreadingHTTPServer | None
    _thread: threading.Thread | None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        """The request handler class; it reaches this stand-in as ``self.stand_in``."""
        raise NotImplementedError

    def start(self: _Stand) -> _Stand:
        """Start serving in a background thread; returns ``self``."""
        if self._server is None:
            served = self._handler()
            handler = type(served.__name__, (served,), {"stand_in": self})
            server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            server.daemon_threads = True
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"{self.label}-stand-in",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self: _Stand) -> _Stand:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The base URL to give the service's client (``http://127.0.0.1:<port>`` + prefix)."""
        if self._server is None:
            raise RuntimeError(
                f"the {self.label} stand-in is not running: use it in a `with` block"
            )
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self.prefix}"


class CrossrefStandIn(_Served):
    """A stand-in Crossref REST API on 127.0.0.1; see the module docs. Use as a context manager.

    ``works`` are Crossref work records (dicts with at least ``DOI``). Every answer takes
    ``latency`` seconds at least (the search's own time included); ``rate_limit`` is single-work
    requests per second, ``list_rate_limit`` list requests per second (``None``: the same as
    ``rate_limit``; Crossref limits the two apart, see
    :class:`~refcheck.sources.http.limits.Limits`) and ``max_concurrency`` requests of either
    kind in flight, beyond which the stand-in answers
    ``429`` like Crossref (with a ``Retry-After`` header when ``retry_after`` is given;
    Crossref's documented 429 has none);
    :attr:`refused` counts those refusals. Answers carry Crossref's limit headers
    (``x-rate-limit-limit``, ``x-rate-limit-interval``, ``x-concurrency-limit``, and
    ``x-api-pool``: ``polite`` when the request gives a ``mailto``), advertising the limits
    set here for the kind of request answered, or Crossref's historical 50 a second and 5 at a
    time when none is. ``headers``
    (also the attribute :attr:`headers`, which may be changed while serving) are added to
    every API answer, after those: ``{"x-rate-limit-interval": "3600s"}`` advertises a limit
    of another kind.
    """

    label = "Crossref"

    def __init__(
        self,
        works: Iterable[Mapping[str, Any]],
        *,
        latency: float = 0.0,
        rate_limit: float | None = None,
        max_concurrency: int | None = None,
        retry_after: str | None = None,
        list_rate_limit: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.latency = latency
        self.list_rate_limit = list_rate_limit
        self.retry_after = retry_after
        self.headers: dict[str, str] = dict(headers or {})
        self.refused = 0
        self.rate_limit = rate_limit
        self.max_concurrency = max_concurrency
        self._index = _Index(works)
        self._lock = threading.Lock()
        self._log: list[LoggedRequest] = []
        self._failures: deque[_Failure] = deque()
        self._truncate = 0
        self._recent: dict[str, deque[float]] = {"single": deque(), "list": deque()}
        self._in_flight = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        return _Handler

    # -- knobs --

    def fail_next(
        self, count: int = 1, *, status: int = 503, retry_after: str | None = None
    ) -> None:
        """Answer the next ``count`` requests with ``status`` (and ``Retry-After``, if given)."""
        if status not in _FAILURE_BODIES:
            raise ValueError(f"fail_next: status must be one of {sorted(_FAILURE_BODIES)}")
        with self._lock:
            self._failures.extend(_Failure(status, retry_after) for _ in range(count))

    def reset_next(self, count: int = 1) -> None:
        """Drop the connection of the next ``count`` requests with a TCP reset; no answer."""
        with self._lock:
            self._failures.extend(_Failure(0, None, kind="reset") for _ in range(count))

    def slow_next(self, count: int = 1, *, delay: float, pieces: int = 4) -> None:
        """Send the next ``count`` answers slowly: headers at once, then the body in ``pieces``
        parts with ``delay`` seconds before each (a client read timeout shorter than ``delay``
        times out mid-body; a longer one gets the whole answer, late)."""
        if delay < 0 or pieces < 1:
            raise ValueError("slow_next: expected delay >= 0 and pieces >= 1")
        with self._lock:
            self._failures.extend(
                _Failure(200, None, kind="slow", delay=delay, pieces=pieces) for _ in range(count)
            )

    def answer_next(
        self,
        count: int = 1,
        *,
        body: bytes | str,
        status: int = 200,
        content_type: str = "text/html",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next ``count`` requests with ``body`` (e.g. an HTML error page, or JSON
        of the wrong shape) instead of the API's answer, with ``headers`` added (say
        ``{"Content-Encoding": "gzip"}`` for a body that is gzip already)."""
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        with self._lock:
            self._failures.extend(
                _Failure(
                    status,
                    None,
                    kind="body",
                    body=data,
                    content_type=content_type,
                    headers=headers,
                )
                for _ in range(count)
            )

    def redirect_next(self, count: int = 1, *, location: str, status: int = 302) -> None:
        """Redirect the next ``count`` requests to ``location``; ``{path}`` in it is replaced
        by the request's path and query (``"http://127.0.0.1:8/elsewhere{path}"``)."""
        if status not in (301, 302, 303, 307, 308):
            raise ValueError(f"redirect_next: {status} is not a redirect status")
        with self._lock:
            self._failures.extend(
                _Failure(status, None, kind="redirect", location=location) for _ in range(count)
            )

    def truncate_next(self, count: int = 1) -> None:
        """Cut the body of the next ``count`` answers in half (the Content-Length stays whole)."""
        with self._lock:
            self._truncate += count

    # -- the log --

    @property
    def requests(self) -> tuple[LoggedRequest, ...]:
        """Every request received so far, oldest first."""
        with self._lock:
            return tuple(self._log)

    @property
    def in_flight(self) -> int:
        """How many requests are being answered right now (those not refused)."""
        with self._lock:
            return self._in_flight

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    # -- used by the handler --

    def _rate_of(self, kind: str) -> float | None:
        if kind == "list" and self.list_rate_limit is not None:
            return self.list_rate_limit
        return self.rate_limit

    def _admit(self, kind: str = "single") -> tuple[_Failure | None, bool]:
        """Decide, under the lock, whether this request (of ``kind``, "single" or "list")
        fails, and whether it is truncated."""
        with self._lock:
            now = time.monotonic()
            recent = self._recent[kind]
            while recent and now - recent[0] >= 1.0:
                recent.popleft()
            recent.append(now)
            if self._failures:
                failure = self._failures.popleft()
                self._in_flight += failure.kind == "slow"
                return failure, False
            rate = self._rate_of(kind)
            if rate is not None and len(recent) > rate:
                self.refused += 1
                return _Failure(429, self.retry_after), False
            if self.max_concurrency is not None and self._in_flight >= self.max_concurrency:
                self.refused += 1
                return _Failure(429, self.retry_after), False
            self._in_flight += 1
            truncate = self._truncate > 0
            self._truncate -= truncate
            return None, truncate

    def _limit_headers(
        self, params: Mapping[str, list[str]], user_agent: str | None, kind: str = "single"
    ) -> dict[str, str]:
        """Crossref's limit headers: the pool, and the limits the stand-in enforces for the
        ``kind`` of request answered."""
        polite = bool(params.get("mailto")) or "mailto:" in (user_agent or "")
        return {
            "x-api-pool": "polite" if polite else "public",
            "x-rate-limit-limit": f"{self._rate_of(kind) or 50:g}",
            "x-rate-limit-interval": "1s",
            "x-concurrency-limit": str(self.max_concurrency or 5),
        }

    def _done(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._log.append(entry)

    def answer(self, path: str, params: Mapping[str, list[str]]) -> tuple[int, str, bytes]:
        """(status, content type, body) of a GET, without the knobs. Public for unit tests."""
        if path.startswith("/works/"):
            return self._work(unquote(path[len("/works/") :]), params)
        if path.rstrip("/") == "/works":
            return self._works(params)
        return 404, "text/plain", _NOT_FOUND

    def _work(self, doi: str, params: Mapping[str, list[str]]) -> tuple[int, str, bytes]:
        unknown = sorted(set(params) - {"mailto"})
        if unknown:
            return _validation(
                unknown[0], "parameter-not-allowed", f"This route does not support {unknown[0]}"
            )
        record = self._index.by_doi.get(doi.lower())
        if record is None:
            return 404, "text/plain", _NOT_FOUND
        return (
            200,
            "application/json",
            _json(
                {
                    "status": "ok",
                    "message-type": "work",
                    "message-version": "1.0.0",
                    "message": record,
                }
            ),
        )

    def _works(self, params: Mapping[str, list[str]]) -> tuple[int, str, bytes]:
        unknown = sorted(set(params) - _KNOWN_PARAMS)
        if unknown:
            return _validation(
                unknown[0],
                "unknown-parameter",
                f"Parameter {unknown[0]} specified but there is no such parameter",
            )
        one = {k: v[-1] for k, v in params.items()}
        cursor = one.get("cursor")
        if cursor is not None and "offset" in one:
            return _validation(
                "cursor", "cursor-with-offset", "Cursors cannot be combined with offset"
            )
        try:
            rows = int(one.get("rows", "20"))
            offset = int(one.get("offset", "0"))
            if cursor is not None and cursor != "*":
                if not cursor.startswith(_CURSOR):
                    raise ValueError(cursor)
                offset = int(cursor[len(_CURSOR) :])
            if not (0 <= rows <= 1000 and offset >= 0):
                raise ValueError
        except ValueError:
            return _validation(
                "rows",
                "integer-not-valid",
                "Integer specified as rows or offset is not valid (0 to 1000 for rows)",
            )
        select = [f for f in one.get("select", "").split(",") if f]
        bad = [f for f in select if f not in _SELECTABLE]
        if bad:
            return _validation(
                "select",
                "select-field-not-valid",
                f"Select field {bad[0]} is not a valid select field",
            )
        filters: list[tuple[str, str]] = []
        for clause in (one.get("filter") or "").split(","):
            if not clause:
                continue
            name, _, value = clause.partition(":")
            if name not in _FILTERS:
                return _validation(
                    "filter",
                    "filter-not-available",
                    f"Filter {name} specified but there is no such filter",
                )
            filters.append((name, value))
        text = " ".join(v for k, v in one.items() if k == "query" or k.startswith("query."))
        ranked = [
            (self._index.by_doi[doi], score)
            for doi, score in self._index.search(text)
            if _passes(self._index.by_doi[doi], filters)
        ]
        items = []
        for record, score in ranked[offset : offset + rows]:
            item = dict(record, score=score)
            if select:
                item = {k: item[k] for k in select if k in item}
            items.append(item)
        return (
            200,
            "application/json",
            _json(
                {
                    "status": "ok",
                    "message-type": "work-list",
                    "message-version": "1.0.0",
                    "message": {
                        "facets": {},
                        "total-results": len(ranked),
                        "items": items,
                        "items-per-page": rows,
                        "query": {"start-index": offset, "search-terms": text or None},
                        **(
                            {"next-cursor": f"{_CURSOR}{offset + len(items)}"}
                            if cursor is not None
                            else {}
                        ),
                    },
                }
            ),
        )


def _passes(record: Mapping[str, Any], filters: list[tuple[str, str]]) -> bool:
    """Whether ``record`` passes: every filter name holds for one of its values (Crossref ORs
    a repeated filter, ``doi:A,doi:B``, and ANDs different ones)."""
    values: dict[str, list[str]] = {}
    for name, value in filters:
        values.setdefault(name, []).append(value)
    return all(
        any(_passes_one(record, name, value) for value in group) for name, group in values.items()
    )


def _passes_one(record: Mapping[str, Any], name: str, value: str) -> bool:
    if name == "type":
        return bool(record.get("type") == value)
    if name == "doi":
        return str(record.get("DOI", "")).lower() == value.lower()
    if name == "issn":
        return value in (record.get("ISSN") or ())
    if name in ("from-pub-date", "until-pub-date"):
        year = _year(record)
        if not year:
            return False
        return year >= value[:4] if name == "from-pub-date" else year <= value[:4]
    # from-index-date, until-index-date (the "indexed" date), from-update-date and
    # until-update-date (the "deposited" date, when the member last updated the record).
    day = _day(record, "indexed" if name.endswith("index-date") else "deposited")
    if not day:
        return False
    return day >= value[:10] if name.startswith("from-") else day <= value[:10]


def _day(record: Mapping[str, Any], key: str) -> str:
    """ "2021-03-04" of a record's ``{"date-time": "2021-03-04T10:00:00Z"}`` date, or ""."""
    value = record.get(key)
    if isinstance(value, Mapping) and isinstance(value.get("date-time"), str):
        return str(value["date-time"])[:10]
    return ""


def _json(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _validation(name: str, kind: str, message: str) -> tuple[int, str, bytes]:
    return (
        400,
        "application/json",
        _json(
            {
                "status": "failed",
                "message-type": "validation-failure",
                "message": [{"value": name, "message": message, "type": kind}],
            }
        ),
    )


class _Handler(BaseHTTPRequestHandler):
    stand_in: CrossrefStandIn
    server_version = "CrossrefStandIn"
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        stand_in = self.stand_in
        parts = urlsplit(self.path)
        params = parse_qs(parts.query, keep_blank_values=True)
        arrived = time.monotonic()
        kind = "list" if parts.path.rstrip("/").endswith("/works") else "single"
        failure, truncate = stand_in._admit(kind)
        # Only answered requests (and slow ones) count as in flight: see ``_admit``.
        done = not (failure is None or failure.kind == "slow")
        try:
            if failure is not None and failure.kind == "reset":
                if stand_in.latency:
                    time.sleep(stand_in.latency)
                self._log(parts.path, params, 0)
                self._reset()
                return
            headers: dict[str, str] = {}
            slow: _Failure | None = None
            if failure is not None and failure.kind == "status":
                status = failure.status
                body = _FAILURE_BODIES[status]
                content_type = "application/json" if status == 500 else "text/html"
                headers["Cache-Control"] = "no-cache"
                if failure.retry_after is not None:
                    headers["Retry-After"] = failure.retry_after
            elif failure is not None and failure.kind == "body":
                status, content_type, body = failure.status, failure.content_type, failure.body
                headers.update(failure.headers)
            elif failure is not None and failure.kind == "redirect":
                status, content_type, body = failure.status, "text/plain", b""
                headers["Location"] = failure.location.replace("{path}", self.path)
            else:
                slow = failure
                status, content_type, body = stand_in.answer(parts.path, params)
                headers.update(
                    stand_in._limit_headers(params, self.headers.get("User-Agent"), kind)
                )
                headers.update(stand_in.headers)
            # Every answer takes ``latency`` in all, however long the search itself took.
            remaining = stand_in.latency - (time.monotonic() - arrived)
            if remaining > 0:
                time.sleep(remaining)
            self._log(parts.path, params, status)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            # The request stops counting as in flight before its answer can reach the client,
            # so that a client that waits for whole answers never sees a concurrency refusal.
            if not done:
                stand_in._done()
                done = True
            if slow is not None:
                self._trickle(body, slow.delay, slow.pieces)
            else:
                self.wfile.write(body[: len(body) // 2] if truncate else body)
            if truncate:
                self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a timeout): nothing to answer
        finally:
            if not done:
                stand_in._done()

    def _log(self, path: str, params: Mapping[str, list[str]], status: int) -> None:
        self.stand_in._record(
            LoggedRequest(
                method="GET",
                path=unquote(path),
                params={k: tuple(v) for k, v in params.items()},
                headers=dict(self.headers.items()),
                status=status,
                target=self.path,
            )
        )

    def _trickle(self, body: bytes, delay: float, pieces: int) -> None:
        size = max(1, -(-len(body) // pieces))
        for start in range(0, max(len(body), 1), size):
            time.sleep(delay)
            self.wfile.write(body[start : start + size])
            self.wfile.flush()

    def _reset(self) -> None:
        """Close the socket with SO_LINGER 0, so that the client sees a connection reset."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


def serve_crossref(
    works: Iterable[Mapping[str, Any]],
    *,
    latency: float = 0.0,
    rate_limit: float | None = None,
    max_concurrency: int | None = None,
    retry_after: str | None = None,
    list_rate_limit: float | None = None,
    headers: Mapping[str, str] | None = None,
) -> CrossrefStandIn:
    """A :class:`CrossrefStandIn` for ``works``, not yet started: use it in a ``with`` block."""
    return CrossrefStandIn(
        works,
        latency=latency,
        rate_limit=rate_limit,
        max_concurrency=max_concurrency,
        retry_after=retry_after,
        list_rate_limit=list_rate_limit,
        headers=headers,
    )


# ---------------------------------------------------------------------------------------------
# Stand-ins for arXiv, dblp and Semantic Scholar
# ---------------------------------------------------------------------------------------------
#
# Each serves the records it is given (recorded answers of the real service: Atom entries of
# arXiv's feeds, ``info`` objects of dblp's search hits, Semantic Scholar paper objects) in
# that service's own response format, on 127.0.0.1 (a free port), with the same knobs:
# ``latency`` (seconds an answer takes, at least), ``rate_limit`` (requests in any second,
# 429 with ``Retry-After: 1`` beyond) and ``max_concurrency`` (requests in flight, 429
# beyond); :meth:`ServiceStandIn.fail_next` makes the next requests fail, and every request
# is logged (:attr:`ServiceStandIn.requests`, with its headers).


class ServiceStandIn(_Served):
    """The HTTP server every second stand-in shares; subclasses answer (:meth:`answer`)."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        rate_limit: float | None = None,
        max_concurrency: int | None = None,
    ) -> None:
        self.latency = latency
        self.rate_limit = rate_limit
        self.max_concurrency = max_concurrency
        self.refused = 0
        self.max_seen_in_flight = 0
        self._lock = threading.Lock()
        self._log: list[LoggedRequest] = []
        self._failures: deque[int] = deque()
        self._recent: deque[float] = deque()
        self._in_flight = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        return _ServiceHandler

    def fail_next(self, count: int = 1, *, status: int = 503) -> None:
        """Answer the next ``count`` requests with ``status`` (500, 502, 503, 504 or 429)."""
        if status not in _FAILURE_BODIES:
            raise ValueError(f"fail_next: status must be one of {sorted(_FAILURE_BODIES)}")
        with self._lock:
            self._failures.extend([status] * count)

    @property
    def requests(self) -> tuple[LoggedRequest, ...]:
        """Every request received so far, oldest first."""
        with self._lock:
            return tuple(self._log)

    def answer(
        self, path: str, params: Mapping[str, list[str]]
    ) -> tuple[int, str, bytes]:  # pragma: no cover - every subclass answers
        """(status, content type, body) of a GET to ``path`` below :attr:`prefix`."""
        raise NotImplementedError

    def _admit(self) -> int | None:
        """The status to refuse this request with, or ``None`` to answer it."""
        with self._lock:
            now = time.monotonic()
            while self._recent and now - self._recent[0] >= 1.0:
                self._recent.popleft()
            self._recent.append(now)
            if self._failures:
                return self._failures.popleft()
            if self.rate_limit is not None and len(self._recent) > self.rate_limit:
                self.refused += 1
                return 429
            if self.max_concurrency is not None and self._in_flight >= self.max_concurrency:
                self.refused += 1
                return 429
            self._in_flight += 1
            self.max_seen_in_flight = max(self.max_seen_in_flight, self._in_flight)
            return None

    def _done(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._log.append(entry)


class _ServiceHandler(BaseHTTPRequestHandler):
    stand_in: ServiceStandIn
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        stand_in = self.stand_in
        parts = urlsplit(self.path)
        params = parse_qs(parts.query, keep_blank_values=True)
        arrived = time.monotonic()
        refusal = stand_in._admit()
        headers: dict[str, str] = {}
        try:
            if refusal is not None:
                status, content_type, body = refusal, "text/html", _FAILURE_BODIES[refusal]
                if refusal == 429:
                    headers["Retry-After"] = "1"
            else:
                path = unquote(parts.path)
                if not path.startswith(stand_in.prefix):
                    status, content_type, body = 404, "text/plain", b"Not Found"
                else:
                    status, content_type, body = stand_in.answer(
                        path[len(stand_in.prefix) :], params
                    )
                remaining = stand_in.latency - (time.monotonic() - arrived)
                if remaining > 0:
                    time.sleep(remaining)
            stand_in._record(
                LoggedRequest(
                    method="GET",
                    path=unquote(parts.path),
                    params={k: tuple(v) for k, v in params.items()},
                    headers=dict(self.headers.items()),
                    status=status,
                    target=self.path,
                )
            )
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if refusal is None:
                stand_in._done()
                refusal = 0
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            if refusal is None:
                stand_in._done()


def _without_marks(word: str) -> str:
    """``word`` without its combining marks ("dragojević" -> "dragojevic")."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _overlap(query: list[str], text: str) -> float:
    """The share of the query's words found in ``text`` (0-1)."""
    if not query:
        return 0.0
    have = set(_words(text))
    return sum(1 for w in query if w in have) / len(query)


# --- arXiv ----------------------------------------------------------------------------------

_ATOM_NS = "http://www.w3.org/2005/Atom"
_ARXIV_ID = re.compile(r"(?P<id>\d{4}\.\d{4,5}|(?<![a-z-])[a-z-]+(?:\.[A-Za-z-]+)?/\d{7})(?:v\d+)?")
_ARXIV_SHAPE = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Za-z-]+)?/\d{7})(?:v\d+)?$")
_FEED_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
)


def arxiv_entries(feed: str | bytes) -> list[str]:
    """The ``<entry>`` elements of a recorded arXiv API feed, as XML text (namespaces kept)."""
    from xml.etree import ElementTree

    from defusedxml import ElementTree as SafeTree

    ElementTree.register_namespace("", _ATOM_NS)
    ElementTree.register_namespace("arxiv", "http://arxiv.org/schemas/atom")
    ElementTree.register_namespace("opensearch", "http://a9.com/-/spec/opensearch/1.1/")
    root = SafeTree.fromstring(feed)
    return [ElementTree.tostring(e, encoding="unicode") for e in root.iter(f"{{{_ATOM_NS}}}entry")]


class ArxivStandIn(ServiceStandIn):
    """The arXiv API (``/api/query``) serving recorded Atom entries (:func:`arxiv_entries`).

    ``id_list`` gives the entries of the identifiers it knows (any version asked for gives the
    entry recorded), in the order asked, and leaves the others out, as arXiv does; an
    identifier of a shape arXiv cannot have gets arXiv's HTTP 400 with an error entry.
    ``search_query`` understands ``ti:``, ``au:`` and ``all:`` terms joined by ``AND``
    (phrases in quotes): every term's words must be in the field; ranked by the share of the
    title's words asked for.
    """

    prefix = "/api"
    label = "arXiv"

    def __init__(self, entries: Iterable[str], **knobs: Any) -> None:
        super().__init__(**knobs)
        from defusedxml import ElementTree as SafeTree

        self.entries: dict[str, tuple[str, str, str]] = {}
        for text in entries:
            element = SafeTree.fromstring(text)
            address = (element.findtext(f"{{{_ATOM_NS}}}id") or "").strip()
            start = address.rfind("arxiv.org/abs/")
            found = _ARXIV_ID.fullmatch(address, start + 14) if start >= 0 else None
            if found is None:
                raise ValueError(f"ArxivStandIn: an entry without an arXiv id: {text[:80]!r}")
            title = " ".join((element.findtext(f"{{{_ATOM_NS}}}title") or "").split())
            names = " ".join(
                a.findtext(f"{{{_ATOM_NS}}}name") or ""
                for a in element.findall(f"{{{_ATOM_NS}}}author")
            )
            self.entries[found["id"]] = (text, title, names)

    def answer(self, path: str, params: Mapping[str, list[str]]) -> tuple[int, str, bytes]:
        if path.rstrip("/") != "/query":
            return 404, "text/plain", b"Not Found"
        one = {k: v[-1] for k, v in params.items()}
        try:
            rows = int(one.get("max_results", "10"))
        except ValueError:
            rows = 10
        chosen: list[str] = []
        if one.get("id_list"):
            for asked in one["id_list"].split(","):
                asked = asked.strip()
                if not _ARXIV_SHAPE.match(asked):
                    return 400, "application/atom+xml", self._error(asked)
                bare = re.sub(r"v\d+$", "", asked)
                if bare in self.entries:
                    chosen.append(self.entries[bare][0])
        elif one.get("search_query"):
            chosen = self._search(one["search_query"])
        feed = _FEED_HEAD + (
            f"  <title>arXiv Query: {_xml(self._query_text(one))}</title>\n"
            f"  <opensearch:totalResults>{len(chosen)}</opensearch:totalResults>\n"
            f"  <opensearch:startIndex>0</opensearch:startIndex>\n"
            f"  <opensearch:itemsPerPage>{rows}</opensearch:itemsPerPage>\n"
            + "".join(f"  {e}\n" for e in chosen[:rows])
            + "</feed>\n"
        )
        return 200, "application/atom+xml; charset=UTF-8", feed.encode("utf-8")

    @staticmethod
    def _query_text(one: Mapping[str, str]) -> str:
        return "&".join(f"{k}={v}" for k, v in one.items())

    @staticmethod
    def _error(asked: str) -> bytes:
        return (
            _FEED_HEAD + "  <title>arXiv Search Results</title>\n  <entry>\n"
            f"    <id>https://arxiv.org/api/errors#incorrect_id_format_for_{_xml(asked)}</id>\n"
            "    <title>Error</title>\n"
            f"    <summary>incorrect id format for {_xml(asked)}</summary>\n"
            "    <author>\n      <name>arXiv api core</name>\n    </author>\n  </entry>\n"
            "</feed>\n"
        ).encode("utf-8")

    def _search(self, query: str) -> list[str]:
        terms = re.findall(r'(ti|au|all|abs):("[^"]*"|\S+)', query)
        scored = []
        for text, title, names in self.entries.values():
            ok = True
            for field, value in terms:
                words = _words(value)
                haystack = {"ti": title, "au": names}.get(field, f"{title} {names}")
                if _overlap(words, haystack) < 1.0:
                    ok = False
                    break
            if ok and terms:
                title_words = [w for f, v in terms if f in ("ti", "all") for w in _words(v)]
                scored.append((len(set(title_words)) / max(1, len(_words(title))), text))
        scored.sort(key=lambda pair: -pair[0])
        return [text for _, text in scored]


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- dblp -----------------------------------------------------------------------------------


class DblpStandIn(ServiceStandIn):
    """dblp's publication search (``/search/publ/api?q=...&format=json&h=...``) serving
    recorded hit ``info`` objects.

    As dblp's search does, every word of the query must begin a word of the record (title,
    authors, venue, year: dblp matches prefixes), without regard to diacritics for a word in
    ASCII ("dragojevic" finds "Dragojević") and exactly for one with a diacritic; hits come
    in dblp's JSON shape (``result.hits.hit[].info``, ``@total``, ``@sent``...), at most
    ``h`` (default 30); a request without ``format=json`` gets HTTP 400.
    """

    label = "dblp"

    def __init__(self, infos: Iterable[Mapping[str, Any]], **knobs: Any) -> None:
        super().__init__(**knobs)
        self.infos = [dict(i) for i in infos]
        # Every word of every record, sorted, with the records it is in: a query word is a
        # prefix, found by bisection (fast on a store of 100,000 records).
        # The words as written (for a query word with a diacritic, matched exactly) and
        # without their diacritics (for an ASCII query word).
        exact: dict[str, set[int]] = {}
        bare: dict[str, set[int]] = {}
        for n, info in enumerate(self.infos):
            for word in set(_words(_dblp_text(info))):
                exact.setdefault(word, set()).add(n)
                bare.setdefault(_without_marks(word), set()).add(n)
        self._indexes = {
            index: (sorted(postings), [postings[w] for w in sorted(postings)])
            for index, postings in (("exact", exact), ("bare", bare))
        }

    def _having(self, prefix: str) -> set[int]:
        """The records with a word that begins with ``prefix`` (any diacritics of the record's
        word left out when ``prefix`` is ASCII)."""
        vocabulary, postings = self._indexes["bare" if prefix.isascii() else "exact"]
        found: set[int] = set()
        start = bisect.bisect_left(vocabulary, prefix)
        for n in range(start, len(vocabulary)):
            if not vocabulary[n].startswith(prefix):
                break
            found |= postings[n]
        return found

    def answer(self, path: str, params: Mapping[str, list[str]]) -> tuple[int, str, bytes]:
        if path.rstrip("/") != "/search/publ/api":
            return 404, "text/plain", b"Not Found"
        one = {k: v[-1] for k, v in params.items()}
        if one.get("format") != "json":
            return 400, "text/plain", b"refcheck's dblp stand-in answers format=json only"
        try:
            rows = min(1000, int(one.get("h", "30")))
        except ValueError:
            rows = 30
        query = _words(one.get("q", ""))
        chosen: set[int] | None = None
        for word in sorted(set(query), key=len, reverse=True):
            having = self._having(word)
            chosen = having if chosen is None else chosen & having
            if not chosen:
                break
        found = [self.infos[n] for n in sorted(chosen or ())]
        hits: dict[str, Any] = {
            "@total": str(len(found)),
            "@computed": str(len(found)),
            "@sent": str(min(rows, len(found))),
            "@first": "0",
        }
        if found:
            hits["hit"] = [
                {"@score": "1", "@id": str(n), "info": info, "url": f"URL#{n}"}
                for n, info in enumerate(found[:rows])
            ]
        body = {
            "result": {
                "query": one.get("q", ""),
                "status": {"@code": "200", "text": "OK"},
                "time": {"@unit": "msecs", "text": "1.00"},
                "completions": {"@total": "0", "@computed": "0", "@sent": "0"},
                "hits": hits,
            }
        }
        return 200, "application/json", _json(body)


def _dblp_text(info: Mapping[str, Any]) -> str:
    people = info.get("authors", {}).get("author", []) if isinstance(info, Mapping) else []
    if isinstance(people, Mapping | str):
        people = [people]
    names = " ".join(p.get("text", "") if isinstance(p, Mapping) else str(p) for p in people)
    return " ".join(
        [_text(info.get("title")), names, _text(info.get("venue")), _text(info.get("year"))]
    )


# --- Semantic Scholar -----------------------------------------------------------------------

_S2_PREFIXES = {"DOI": "DOI", "ARXIV": "ArXiv", "ACL": "ACL", "PMID": "PubMed", "MAG": "MAG"}


class SemanticScholarStandIn(ServiceStandIn):
    """The Semantic Scholar Graph API (``/graph/v1``) serving recorded paper objects.

    ``/paper/{id}`` finds a paper by its ``paperId``, ``CorpusId:``, or an external id
    (``DOI:``, ``ARXIV:``, ``ACL:``, ``PMID:``; DOIs in any case), else 404 with
    ``{"error": "Paper with id ... not found"}``; ``/paper/search/match?query=`` gives the one
    paper whose title matches best (``matchScore``) when most of its words are the query's,
    else 404 ``{"error": "Title match not found"}``. ``fields`` keeps the named fields (and
    ``paperId``). ``require_key`` answers 403 to a request without that ``x-api-key``.
    """

    prefix = "/graph/v1"
    label = "Semantic Scholar"

    def __init__(
        self, papers: Iterable[Mapping[str, Any]], *, require_key: str | None = None, **knobs: Any
    ) -> None:
        super().__init__(**knobs)
        self.papers = [dict(p) for p in papers]
        self.require_key = require_key
        self._ids: dict[str, dict[str, Any]] = {}
        for paper in self.papers:
            self._ids[str(paper.get("paperId", "")).lower()] = paper
            ids = paper.get("externalIds") or {}
            if ids.get("CorpusId") is not None:
                self._ids[f"corpusid:{ids['CorpusId']}"] = paper
            for prefix, key in _S2_PREFIXES.items():
                if ids.get(key):
                    self._ids[f"{prefix.lower()}:{str(ids[key]).lower()}"] = paper

    def answer(self, path: str, params: Mapping[str, list[str]]) -> tuple[int, str, bytes]:
        one = {k: v[-1] for k, v in params.items()}
        fields = [f for f in one.get("fields", "title").split(",") if f]
        if path.rstrip("/") == "/paper/search/match":
            paper = self._match(one.get("query", ""))
            if paper is None:
                return 404, "application/json", _json({"error": "Title match not found"})
            chosen = self._fields(paper, fields)
            chosen["matchScore"] = 100.0
            return 200, "application/json", _json({"data": [chosen]})
        if path.startswith("/paper/"):
            asked = path[len("/paper/") :]
            paper = self._ids.get(asked.lower())
            if paper is None:
                return 404, "application/json", _json({"error": f"Paper with id {asked} not found"})
            return 200, "application/json", _json(self._fields(paper, fields))
        return 404, "application/json", _json({"message": "Not Found"})

    @staticmethod
    def _fields(paper: Mapping[str, Any], fields: list[str]) -> dict[str, Any]:
        chosen = {"paperId": paper.get("paperId")}
        chosen.update({f: paper.get(f) for f in fields if f != "paperId"})
        return chosen

    def _match(self, query: str) -> dict[str, Any] | None:
        asked = _words(query)
        best, best_score = None, 0.0
        for paper in self.papers:
            title = _words(str(paper.get("title") or ""))
            if not title or not asked:
                continue
            both = len(set(title) & set(asked))
            score = 2 * both / (len(set(title)) + len(set(asked)))
            if score > best_score:
                best, best_score = paper, score
        return best if best_score >= 0.8 else None


# --- OpenAlex -------------------------------------------------------------------------------

_OPENALEX_DOI = re.compile(r"^https?://(?:dx\.)?doi\.org/", re.IGNORECASE)


class OpenAlexStandIn(ServiceStandIn):
    """The OpenAlex API (``/works``) serving recorded work objects.

    ``/works/https://doi.org/{doi}`` (or ``/works/doi:{doi}``, ``/works/W...``) gives the work
    with that DOI or id, any case, else 404 with OpenAlex's JSON error; ``/works?filter=`` with
    ``title.search:<words>`` keeps the works whose title has every word, and
    ``publication_year:<y>|<y>...`` those of one of the years; ``/works?search=<text>`` the
    works whose title and authors have every word. Results come in OpenAlex's list shape
    (``meta``, ``results``), ranked by the share of the title's words asked for, at most
    ``per-page`` (default 25, at most 200).
    """

    label = "OpenAlex"

    def __init__(self, works: Iterable[Mapping[str, Any]], **knobs: Any) -> None:
        super().__init__(**knobs)
        self.works = [dict(w) for w in works]
        self._ids: dict[str, dict[str, Any]] = {}
        self._texts: list[tuple[set[str], set[str], int]] = []
        for work in self.works:
            self._ids[str(work.get("id", "")).rsplit("/", 1)[-1].lower()] = work
            doi = _OPENALEX_DOI.sub("", str(work.get("doi") or "")).lower()
            if doi:
                self._ids[f"doi:{doi}"] = work
            title = set(_words(str(work.get("title") or work.get("display_name") or "")))
            names = " ".join(
                str((a.get("author") or {}).get("display_name") or "")
                for a in work.get("authorships") or ()
                if isinstance(a, Mapping)
            )
            year = work.get("publication_year")
            self._texts.append((title, set(_words(names)), year if isinstance(year, int) else 0))

    def answer(self, path: str, params: Mapping[str, list[str]]) -> tuple[int, str, bytes]:
        one = {k: v[-1] for k, v in params.items()}
        if path.startswith("/works/"):
            asked = path[len("/works/") :]
            key = asked.lower()
            if _OPENALEX_DOI.match(key):
                key = "doi:" + _OPENALEX_DOI.sub("", key)
            work = self._ids.get(key)
            if work is None:
                error = {"error": "404 Not Found", "message": f"'{asked}' is not a valid ID"}
                return 404, "application/json", _json(error)
            return 200, "application/json", _json(work)
        if path.rstrip("/") != "/works":
            return 404, "application/json", _json({"error": "404 Not Found"})
        try:
            rows = max(1, min(200, int(one.get("per-page", "25"))))
        except ValueError:
            rows = 25
        title_words: list[str] = []
        any_words: list[str] = []
        years: set[int] = set()
        for part in (one.get("filter") or "").split(","):
            name, _, value = part.partition(":")
            if name == "title.search":
                title_words += _words(value)
            elif name == "publication_year":
                years |= {int(y) for y in value.split("|") if y.strip().isdigit()}
        any_words += _words(one.get("search") or "")
        scored = []
        for n, (title, names, year) in enumerate(self._texts):
            if years and year not in years:
                continue
            if title_words and not set(title_words) <= title:
                continue
            if any_words and not set(any_words) <= title | names:
                continue
            if not title_words and not any_words and not years:
                continue
            wanted = set(title_words or any_words)
            scored.append((-len(wanted & title) / max(1, len(title)), n))
        scored.sort()
        results = [self.works[n] for _, n in scored[:rows]]
        meta = {"count": len(scored), "db_response_time_ms": 1, "page": 1, "per_page": rows}
        return 200, "application/json", _json({"meta": meta, "results": results})


def serve_arxiv(entries: Iterable[str], **knobs: Any) -> ArxivStandIn:
    """An :class:`ArxivStandIn` for recorded Atom entries, not yet started (``with`` it)."""
    return ArxivStandIn(entries, **knobs)


def serve_dblp(infos: Iterable[Mapping[str, Any]], **knobs: Any) -> DblpStandIn:
    """A :class:`DblpStandIn` for recorded hit ``info`` objects, not yet started."""
    return DblpStandIn(infos, **knobs)


def serve_openalex(works: Iterable[Mapping[str, Any]], **knobs: Any) -> OpenAlexStandIn:
    """An :class:`OpenAlexStandIn` for recorded OpenAlex work objects, not yet started."""
    return OpenAlexStandIn(works, **knobs)


def serve_semanticscholar(
    papers: Iterable[Mapping[str, Any]], **knobs: Any
) -> SemanticScholarStandIn:
    """A :class:`SemanticScholarStandIn` for recorded paper objects, not yet started."""
    return SemanticScholarStandIn(papers, **knobs)
