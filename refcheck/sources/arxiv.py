"""A client of the arXiv API: preprints by their arXiv identifier, and a title search.

::

    from refcheck.sources.arxiv import ArxivClient

    with ArxivClient(mailto="you@example.org") as arxiv:
        work = arxiv.get_arxiv("1706.03762v5")            # Work, or None: no such identifier
        works = arxiv.get_arxivs(["1706.03762", "hep-th/9901001"])   # one request for many
        found = arxiv.search_reference(reference)          # by title words and first author

Requests: ``/query?id_list=...&max_results=...`` (the identifiers without their versions, up
to :data:`BATCH` at once) and ``/query?search_query=ti:"..." AND au:...``; the answer is an
Atom feed. arXiv's terms of use ask for no more than one request every three seconds, on one
connection at a time: the client keeps that spacing with a 5 % margin for the network's
jitter (``min_interval`` 3.15 s) and sends one request at a time. arXiv takes no key; the
mailto goes in the User-Agent. Before a check, :meth:`ArxivClient.prefetch` asks for every
cited identifier in a few batched requests, so that a list citing 40 preprints costs one
request, not 40 (2 minutes at arXiv's pace).

An identifier that arXiv does not know answers with an empty feed (or, for an identifier of
the wrong shape, HTTP 400 with an error entry): :meth:`ArxivClient.get_arxiv` gives ``None``,
and the resolver reports it as it reports a DOI that does not exist.

:func:`work_from_arxiv` is the one place where the Atom feed's elements are read. A work's
``doi`` is its arXiv DOI (``10.48550/arXiv.<id>``, registered by arXiv at DataCite for every
paper), its ``arxiv_id`` the identifier without version, ``key`` with it, its container
"arXiv", its ``issued`` date the first version's. The DOI of the published version and the
journal reference that authors add (``arxiv:doi``, ``arxiv:journal_ref``) become the work's
``published_version``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar
from xml.etree.ElementTree import Element

import requests
from defusedxml import ElementTree as SafeTree

from refcheck.errors import ServiceError, ServiceResponseError
from refcheck.model import Author, Reference, Work
from refcheck.sources.http.service import ServiceClient, SourceSettings

__all__ = [
    "ARXIV_DOI_PREFIX",
    "BATCH",
    "DEFAULT_BASE_URL",
    "ArxivClient",
    "bare_arxiv_id",
    "work_from_arxiv",
]

DEFAULT_BASE_URL = "https://export.arxiv.org/api"
#: The DOI prefix of arXiv's own DOIs (DataCite): 10.48550/arXiv.1706.03762.
ARXIV_DOI_PREFIX = "10.48550/arxiv."
#: The most identifiers asked for in one request.
BATCH = 100

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_ABS_PATH = "arxiv.org/abs/"
_ABS_ID = re.compile(
    r"(?P<id>\d{4}\.\d{4,5}|(?<![a-z-])[a-z-]+(?:\.[A-Za-z-]+)?/\d{7})(?P<version>v\d+)?"
)
_VERSION = re.compile(r"v\d+$")
_SHAPE = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Za-z-]+)?/\d{7})(?:v\d+)?$")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "le"})


def bare_arxiv_id(arxiv_id: str) -> str:
    """The identifier without its version: "1706.03762v5" -> "1706.03762"."""
    return _VERSION.sub("", arxiv_id.strip())


def _text(element: Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return " ".join(element.text.split()) or None


def _author(name: str) -> Author:
    """ "Ashish Vaswani" -> Author("Vaswani", "Ashish"); "Aaron van den Oord" keeps "van den"."""
    words = name.split()
    if len(words) == 1:
        return Author(family=name)
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return Author(family=" ".join(words[start:]), given=" ".join(words[:start]))


def _published_version(doi: str | None, journal_ref: str | None) -> Work | None:
    """The published version the authors name: its DOI and journal reference, with the year."""
    if not doi and not journal_ref:
        return None
    year = _YEAR.search(journal_ref or "")
    return Work(
        doi=doi or "",
        container_title=journal_ref,
        issued=year.group(1) if year else None,
    )


def work_from_arxiv(entry: Element) -> Work:
    """The :class:`~refcheck.model.Work` of one Atom ``<entry>`` of an arXiv API feed."""
    address = _text(entry.find(f"{_ATOM}id")) or ""
    start = address.rfind(_ABS_PATH)
    found = _ABS_ID.fullmatch(address, start + len(_ABS_PATH)) if start >= 0 else None
    if found is None:
        raise ServiceResponseError(
            f"expected an arXiv entry whose <id> is an arxiv.org/abs/ address, found "
            f"{address[:80]!r}"
        )
    arxiv_id = found["id"]
    names = (_text(a.find(f"{_ATOM}name")) for a in entry.findall(f"{_ATOM}author"))
    published = _text(entry.find(f"{_ATOM}published"))
    updated = _text(entry.find(f"{_ATOM}updated"))
    return Work(
        doi=f"10.48550/arXiv.{arxiv_id}",
        type="posted-content",
        title=_text(entry.find(f"{_ATOM}title")),
        container_title="arXiv",
        authors=tuple(_author(n) for n in names if n),
        issued=(published or updated or "")[:10] or None,
        publisher="arXiv",
        arxiv_id=arxiv_id,
        key=arxiv_id + (found["version"] or ""),
        published_version=_published_version(
            _text(entry.find(f"{_ARXIV}doi")), _text(entry.find(f"{_ARXIV}journal_ref"))
        ),
    )


def _is_error(entry: Element) -> bool:
    return "/api/errors" in (_text(entry.find(f"{_ATOM}id")) or "")


class ArxivClient(ServiceClient):
    """The arXiv API with its own session, cache, spacing (one request every 3 s, one at a
    time) and retry policy. ``ArxivClient(settings)`` or ``ArxivClient(mailto=...)``."""

    name: ClassVar[str] = "arxiv"
    label: ClassVar[str] = "arXiv"
    default_base_url: ClassVar[str] = DEFAULT_BASE_URL
    default_min_interval: ClassVar[float] = 3.15
    max_in_flight: ClassVar[int | None] = 1

    def __init__(self, settings: SourceSettings | None = None, **changes: Any) -> None:
        super().__init__(settings, **changes)
        self._known: dict[str, Work | None] = {}

    def _feed(self, params: Mapping[str, str], what: str) -> list[Element]:
        """The entries of a feed; an error entry (HTTP 400: a malformed identifier) fails."""

        def read(response: requests.Response) -> list[Element]:
            if response.status_code not in (200, 400):
                raise self._unexpected(response, what)
            start = response.content[:240].decode(response.encoding or "utf-8", "replace")
            try:
                root = SafeTree.fromstring(response.content)
            except SafeTree.ParseError as exc:
                raise ServiceResponseError(
                    f"{what}: expected an Atom feed, found {start[:60]!r}",
                    reason="an answer that is not an Atom feed",
                ) from exc
            entries = list(root.iter(f"{_ATOM}entry"))
            errors = [e for e in entries if _is_error(e)]
            if errors or response.status_code == 400:
                detail = _text(errors[0].find(f"{_ATOM}summary")) if errors else start[:80]
                raise ServiceResponseError(f"{what}: arXiv refused the request: {detail}")
            return entries

        # Kept in the cache once the feed parsed and holds no error entry.
        return self._answer("/query", params, read)

    def get_arxivs(self, arxiv_ids: Iterable[str]) -> dict[str, Work | None]:
        """The works of these identifiers, by identifier without version (``None``: arXiv has
        no such paper); :data:`BATCH` identifiers a request. Identifiers of a shape arXiv
        cannot have are ``None`` without asking."""
        wanted = list(dict.fromkeys(bare_arxiv_id(i) for i in arxiv_ids if i.strip()))
        found: dict[str, Work | None] = {i: self._known[i] for i in wanted if i in self._known}
        ask = [i for i in wanted if i not in found and _SHAPE.match(i)]
        for start in range(0, len(ask), BATCH):
            chunk = ask[start : start + BATCH]
            what = f"arXiv identifiers {','.join(chunk)[:60]} ({self.base_url}/query)"
            entries = self._feed({"id_list": ",".join(chunk), "max_results": str(len(chunk))}, what)
            works = self._convert(what, work_from_arxiv, entries)
            by_id: dict[str, Work | None] = {w.arxiv_id or "": w for w in works}
            for arxiv_id in chunk:
                found[arxiv_id] = by_id.get(arxiv_id)
        for arxiv_id in wanted:
            found.setdefault(arxiv_id, None)
        self._known.update(found)
        return found

    def get_arxiv(self, arxiv_id: str) -> Work | None:
        """The work of an arXiv identifier (any version), or ``None`` when arXiv has none."""
        bare = bare_arxiv_id(arxiv_id)
        if not bare:
            raise ValueError(f"get_arxiv: expected an arXiv identifier, found {arxiv_id!r}")
        return self.get_arxivs([bare])[bare]

    def prefetch(self, references: Sequence[Reference]) -> None:
        """Ask for every identifier the references cite, in batches, before they are resolved
        one by one (a failure here is left for each reference's own request to report)."""
        ids = [r.arxiv_id for r in references if r.arxiv_id]
        if len(ids) < 2:
            return
        try:
            self.get_arxivs(ids)
        except ServiceError:
            return  # each reference's own request reports the failure

    def get_work(self, doi: str) -> Work | None:
        """The work of an arXiv DOI (10.48550/arXiv.1706.03762); ``None`` for any other DOI,
        without asking (arXiv knows only its own)."""
        bare = doi.strip()
        if not bare:
            raise ValueError(f"get_work: expected a DOI, found {doi!r}")
        if not bare.lower().startswith(ARXIV_DOI_PREFIX):
            return None
        return self.get_arxiv(bare[len(ARXIV_DOI_PREFIX) :])

    def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
        """arXiv's works for a free-text query (``all:`` words), by its relevance."""
        words = re.findall(r"\w+", query)[:12]
        if not words:
            return ()
        text = " AND ".join(f"all:{w}" for w in words)
        what = f"arXiv search {query[:60]!r} ({self.base_url}/query)"
        entries = self._feed({"search_query": text, "max_results": str(rows)}, what)
        return tuple(self._convert(what, work_from_arxiv, entries[:rows]))

    def search_reference(self, reference: Reference, *, rows: int = 5) -> tuple[Work, ...]:
        """The cited identifier's work when there is one; else by title words and first
        author (``ti:"..." AND au:...``); a reference without a title is not searched (the
        chain asks arXiv only about preprints: see :func:`refcheck.sources.chain.route`)."""
        if reference.arxiv_id:
            work = self.get_arxiv(reference.arxiv_id)
            if work is not None:
                return (work,)
        if not reference.title:
            return ()
        title = " ".join(re.findall(r"\w+", reference.title)[:20])
        query = f'ti:"{title}"'
        people = [a for a in reference.authors if not a.organisation]
        if people:
            surname = re.findall(r"\w+", people[0].family)
            if surname:
                query += f" AND au:{surname[-1]}"
        what = f"arXiv title search {title[:60]!r} ({self.base_url}/query)"
        entries = self._feed({"search_query": query, "max_results": str(rows)}, what)
        return tuple(self._convert(what, work_from_arxiv, entries[:rows]))
