"""A client of the Semantic Scholar Academic Graph API: a broad index of papers, preprints and
conference papers included.

::

    from refcheck.sources.semanticscholar import SemanticScholarClient

    with SemanticScholarClient(api_key="...") as s2:
        work = s2.get_work("10.18653/v1/N19-1423")          # Work, or None
        work = s2.get_paper("ARXIV:1706.03762")             # by any of its identifiers
        found = s2.search_reference(reference)              # identifiers first, then title

Requests: ``/paper/{id}`` (``DOI:``, ``ARXIV:``, ``ACL:``, ``PMID:`` identifiers; 404 when
Semantic Scholar has no such paper) and ``/paper/search/match?query=<title>`` (the one paper
whose title matches best, or 404), with the ``fields`` :func:`work_from_semanticscholar`
reads. An API key, when set, is sent as the ``x-api-key`` header to Semantic Scholar's own
origin only (never on a redirect elsewhere, never in the cache's keys).

Limits (Semantic Scholar's API documentation): with a key, 1 request a second on every
endpoint; without one, requests share a pool with every other unauthenticated user, which
answers 429 when it is full. The client keeps 1 request a second in both cases (1.05 s apart,
one at a time), and the retry policy waits as a 429's ``Retry-After`` says.

:func:`work_from_semanticscholar` is the one place where the Graph API's keys are read. One
Semantic Scholar paper stands for a preprint and its published version together: when it has
an arXiv identifier and a venue that is not arXiv, the venue, year and (non-arXiv) DOI are the
work's ``published_version``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote

import requests

from refcheck.errors import ServiceResponseError
from refcheck.model import Author, Reference, Work
from refcheck.sources.http.service import ServiceClient

__all__ = ["DEFAULT_BASE_URL", "FIELDS", "SemanticScholarClient", "work_from_semanticscholar"]

DEFAULT_BASE_URL = "https://api.semanticscholar.org/graph/v1"
#: The fields asked for: what :func:`work_from_semanticscholar` reads.
FIELDS = (
    "paperId,externalIds,title,venue,year,authors,journal,publicationVenue,"
    "publicationDate,publicationTypes"
)
_KINDS = {
    "JournalArticle": "journal-article",
    "Conference": "proceedings-article",
    "Book": "book",
    "BookSection": "book-chapter",
    "Dataset": "dataset",
}
_ARXIV_VENUE = re.compile(r"^(?:arxiv(?:\.org)?|corr|arxiv\.org e-print archive)$", re.I)
_PAGES = re.compile(r"^\s*([^\s-]+)\s*[-–]+\s*([^\s-]+)\s*$")
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "le"})


def _text(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value.strip() or None if isinstance(value, str) else None


def _author(value: Any) -> Author | None:
    name = _text(value.get("name")) if isinstance(value, Mapping) else None
    if not name:
        return None
    words = name.split()
    if len(words) == 1:
        return Author(family=name)
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return Author(family=" ".join(words[start:]), given=" ".join(words[:start]))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def work_from_semanticscholar(record: Mapping[str, Any]) -> Work:
    """The :class:`~refcheck.model.Work` of one Graph API paper object."""
    if not isinstance(record, Mapping) or not _text(record.get("paperId")):
        raise ServiceResponseError("expected a Semantic Scholar paper object with a 'paperId'")
    ids = _mapping(record.get("externalIds"))
    journal = _mapping(record.get("journal"))
    venue = _mapping(record.get("publicationVenue"))
    # An arXiv paper with a venue has journal {"name": "ArXiv", "volume": "abs/..."} and the
    # venue in "venue": the venue is the container, arXiv only when there is no other.
    names = [_text(journal.get("name")), _text(record.get("venue")), _text(venue.get("name"))]
    named = [n for n in names if n]
    container = next((n for n in named if not _ARXIV_VENUE.match(n)), None) or next(
        iter(named), None
    )
    volume = _text(journal.get("volume"))
    if volume and volume.lower().startswith("abs/"):
        volume = None
    arxiv_id = _text(ids.get("ArXiv"))
    doi = _text(ids.get("DOI")) or ""
    pages = _text(journal.get("pages"))
    first = last = None
    if pages:
        split = _PAGES.match(pages)
        first, last = (split.group(1), split.group(2)) if split else (pages, None)
    year = _text(record.get("year"))
    issued = _text(record.get("publicationDate")) or year
    kinds = record.get("publicationTypes")
    kind = next((_KINDS[k] for k in kinds or () if k in _KINDS), None)
    published = None
    if arxiv_id and container and not _ARXIV_VENUE.match(container):
        published = Work(
            doi="" if doi.lower().startswith("10.48550/") else doi,
            container_title=container,
            issued=year,
            volume=volume,
            first_page=first,
            last_page=last,
        )
    is_preprint = bool(arxiv_id) and (container is None or _ARXIV_VENUE.match(container))
    return Work(
        doi=doi,
        pmid=_text(ids.get("PubMed")),
        type="posted-content" if is_preprint else kind,
        title=_text(record.get("title")),
        container_title=container,
        short_container_title=None,
        authors=tuple(a for a in map(_author, record.get("authors") or ()) if a is not None),
        issued=issued,
        volume=volume,
        first_page=first,
        last_page=last,
        issn=tuple(i for i in (_text(venue.get("issn")),) if i),
        arxiv_id=arxiv_id,
        key=_text(record.get("paperId")),
        published_version=published,
    )


class SemanticScholarClient(ServiceClient):
    """The Semantic Scholar Graph API with its own session, cache, spacing and retry policy.

    ``SemanticScholarClient(settings)`` or ``SemanticScholarClient(api_key=..., cache=None)``
    (keyword arguments are :class:`~refcheck.sources.http.service.SourceSettings` fields).
    """

    name: ClassVar[str] = "semanticscholar"
    label: ClassVar[str] = "Semantic Scholar"
    default_base_url: ClassVar[str] = DEFAULT_BASE_URL
    default_min_interval: ClassVar[float] = 1.05
    max_in_flight: ClassVar[int | None] = 1

    def _own_headers(self) -> dict[str, str]:
        """The User-Agent with the mailto, and the key as ``x-api-key``: for Semantic
        Scholar's own origin only (:meth:`SessionOwner._follow`)."""
        headers = super()._own_headers()
        if self.settings.api_key:
            headers["x-api-key"] = self.settings.api_key
        return headers

    def get_paper(self, paper_id: str) -> Work | None:
        """The paper of an identifier ("DOI:10...", "ARXIV:1706.03762", "ACL:P19-1001",
        "PMID:19872477", or a paper id), or ``None`` when Semantic Scholar has none (404)."""
        text = paper_id.strip()
        if not text:
            raise ValueError(f"get_paper: expected a paper identifier, found {paper_id!r}")
        path = "/paper/" + quote(text, safe="/:()-._;")
        what = f"Semantic Scholar paper {text} ({self.base_url}{path})"

        def read(response: requests.Response) -> Work | None:
            if response.status_code == 404:
                return None
            body = self._json(response, what)
            return self._convert(what, work_from_semanticscholar, [body])[0]

        return self._answer(path, {"fields": FIELDS}, read)

    def get_work(self, doi: str) -> Work | None:
        """The paper with this DOI, or ``None`` when Semantic Scholar has none."""
        bare = doi.strip()
        if not bare:
            raise ValueError(f"get_work: expected a DOI, found {doi!r}")
        return self.get_paper(f"DOI:{bare}")

    def match_title(self, title: str) -> tuple[Work, ...]:
        """The paper whose title matches ``title`` best (Semantic Scholar's title match), or
        nothing (404: "Title match not found")."""
        text = " ".join(title.split())
        if not text:
            return ()
        what = f"Semantic Scholar title match {text[:60]!r} ({self.base_url}/paper/search/match)"

        def read(response: requests.Response) -> tuple[Work, ...]:
            if response.status_code == 404:
                return ()
            body = self._json(response, what)
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise ServiceResponseError(f"{what}: expected a list of 'data'")
            return tuple(self._convert(what, work_from_semanticscholar, data[:1]))

        return self._answer("/paper/search/match", {"query": text[:300], "fields": FIELDS}, read)

    def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
        """The best title match for a free-text query (see :meth:`match_title`)."""
        return self.match_title(query)

    def search_reference(self, reference: Reference, *, rows: int = 5) -> tuple[Work, ...]:
        """The paper of the reference's first identifier Semantic Scholar knows (arXiv, ACL,
        PMID, DOI), else the best match of its title; a reference without either finds
        nothing."""
        for prefix, value in (
            ("ARXIV", reference.arxiv_id),
            ("ACL", reference.acl_id),
            ("PMID", reference.pmid),
            ("DOI", reference.doi),
        ):
            if value:
                bare = re.sub(r"v\d+$", "", value) if prefix == "ARXIV" else value
                work = self.get_paper(f"{prefix}:{bare}")
                if work is not None:
                    return (work,)
        if not reference.title:
            return ()
        return self.match_title(reference.title)

    def published_version(self, preprint: Work) -> Work | None:
        """The published version Semantic Scholar gives for an arXiv preprint (the venue,
        year and DOI of the paper's record), or ``None``."""
        if not preprint.arxiv_id:
            return None
        work = self.get_paper(f"ARXIV:{preprint.arxiv_id}")
        return work.published_version if work is not None else None
