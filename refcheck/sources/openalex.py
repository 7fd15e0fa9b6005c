"""A client of the OpenAlex API: a second source for works Crossref lacks.

::

    from refcheck.sources.openalex import OpenAlexClient

    with OpenAlexClient(mailto="you@example.org") as openalex:
        work = openalex.get_work("10.7717/peerj.4375")       # Work, or None
        works = openalex.search("Piwowar state of OA 2018")

Requests: ``/works/https://doi.org/<doi>`` and ``/works?search=...`` (or, for a reference
with a title, ``filter=title.search:...,publication_year:...`` with the cited year and one
either side), ``per-page`` candidates.
``mailto`` is sent as a parameter (OpenAlex's polite pool); an ``api_key``, when set, is sent
as ``api_key`` to OpenAlex only. OpenAlex allows 10 requests a second: the client keeps that
spacing.

:func:`work_from_openalex` is the one place where OpenAlex's keys are read. It reads
``is_retracted: true`` as a retraction without a notice DOI. OpenAlex gives authors as display
names ("Heather A. Piwowar"): the last word is taken as the surname, which splits particles
("van der Berg") wrongly; the resolver's surname comparison tolerates that.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote

import requests

from refcheck.errors import ServiceResponseError
from refcheck.model import Author, Reference, Update, Work
from refcheck.sources.http.service import ServiceClient
from refcheck.sources.resolve import bibliographic_query

__all__ = ["DEFAULT_BASE_URL", "OpenAlexClient", "work_from_openalex"]

DEFAULT_BASE_URL = "https://api.openalex.org"
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/", re.IGNORECASE)
_PMID_URL = re.compile(r"(?<!\d)(\d+)/?$")  # starts a digit run: linear
# arXiv's DataCite DOI (10.48550/arXiv.2408.00118), or an arxiv.org/abs/ landing page.
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(?P<id>\S+)$", re.IGNORECASE)
_ARXIV_PAGE = re.compile(r"^https?://(?:www\.)?arxiv\.org/abs/(?P<id>[^?#\s]+)$", re.IGNORECASE)
_VERSION = re.compile(r"v\d+$")


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _author(value: Any) -> Author | None:
    if not isinstance(value, Mapping):
        return None
    author = value.get("author")
    name = _text(author.get("display_name")) if isinstance(author, Mapping) else None
    name = name or _text(value.get("raw_author_name"))
    if not name:
        return None
    family, _, _ = name.rpartition(" ")
    if not family:
        return Author(family=name)
    given, surname = family, name.rsplit(" ", 1)[1]
    return Author(family=surname, given=given)


def _arxiv_id(doi: str, record: Mapping[str, Any]) -> str | None:
    """The arXiv identifier of a work whose DOI is arXiv's, or one of whose locations is an
    arXiv abstract page (OpenAlex lists the preprint among a paper's locations)."""
    found = _ARXIV_DOI.match(doi)
    if found:
        return _VERSION.sub("", found["id"])
    for location in record.get("locations") or ():
        if isinstance(location, Mapping):
            page = _ARXIV_PAGE.match(_text(location.get("landing_page_url")) or "")
            if page:
                return _VERSION.sub("", page["id"])
    return None


def work_from_openalex(record: Mapping[str, Any]) -> Work:
    """The :class:`~refcheck.model.Work` of one OpenAlex work object."""
    if not isinstance(record, Mapping) or not _text(record.get("id")):
        raise ServiceResponseError("expected an OpenAlex work object with an 'id'")
    doi = _DOI_URL.sub("", _text(record.get("doi")) or "")
    ids = record.get("ids") if isinstance(record.get("ids"), Mapping) else {}
    pmid_url = _text(ids.get("pmid")) if isinstance(ids, Mapping) else None
    pmid_match = _PMID_URL.search(pmid_url or "")
    location = record.get("primary_location")
    source = location.get("source") if isinstance(location, Mapping) else None
    source = source if isinstance(source, Mapping) else {}
    biblio = record.get("biblio") if isinstance(record.get("biblio"), Mapping) else {}
    assert isinstance(biblio, Mapping)
    first, last = _text(biblio.get("first_page")), _text(biblio.get("last_page"))
    year = record.get("publication_year")
    issn = tuple(i for i in source.get("issn") or () if isinstance(i, str))
    return Work(
        doi=doi,
        arxiv_id=_arxiv_id(doi, record),
        pmid=pmid_match.group(1) if pmid_match else None,
        type=_text(record.get("type")),
        title=_text(record.get("title")) or _text(record.get("display_name")),
        container_title=_text(source.get("display_name")),
        authors=tuple(a for a in map(_author, record.get("authorships") or ()) if a is not None),
        issued=_text(record.get("publication_date")) or (str(year) if year else None),
        volume=_text(biblio.get("volume")),
        issue=_text(biblio.get("issue")),
        first_page=first,
        last_page=last if last != first else None,
        publisher=_text(source.get("host_organization_name")),
        issn=issn,
        # OpenAlex marks retracted works but names no notice.
        updates=(Update("retraction", source="openalex"),)
        if record.get("is_retracted") is True
        else (),
    )


class OpenAlexClient(ServiceClient):
    """The OpenAlex API with its own session, cache, rate limit and retry policy."""

    name: ClassVar[str] = "openalex"
    label: ClassVar[str] = "OpenAlex"
    default_base_url: ClassVar[str] = DEFAULT_BASE_URL
    default_min_interval: ClassVar[float] = 0.1

    def _identity(self) -> dict[str, str]:
        identity = {}
        if self.settings.mailto:
            identity["mailto"] = self.settings.mailto
        if self.settings.api_key:
            identity["api_key"] = self.settings.api_key
        return identity

    def get_work(self, doi: str) -> Work | None:
        """The OpenAlex work with this DOI, or ``None`` when OpenAlex has none (404)."""
        bare = _DOI_URL.sub("", doi.strip())
        if not bare:
            raise ValueError(f"get_work: expected a DOI, found {doi!r}")
        path = "/works/https://doi.org/" + quote(bare, safe="/()-._;:")
        what = f"OpenAlex work {bare} ({self.base_url}{path})"

        def read(response: requests.Response) -> Work | None:
            if response.status_code == 404:
                return None
            body = self._json(response, what)
            return self._convert(what, work_from_openalex, [body])[0]

        return self._answer(path, {}, read)

    def _works(self, params: dict[str, str], what: str) -> tuple[Work, ...]:
        def read(response: requests.Response) -> tuple[Work, ...]:
            body = self._json(response, what)
            results = body.get("results") if isinstance(body, dict) else None
            if not isinstance(results, list):
                raise ServiceResponseError(f"{what}: expected a list of 'results'")
            return tuple(self._convert(what, work_from_openalex, results))

        return self._answer("/works", params, read)

    def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
        """OpenAlex's works for a free-text query, by its relevance, best first."""
        text = " ".join(query.split())
        if not text:
            return ()
        what = f"OpenAlex search {text[:60]!r} ({self.base_url}/works)"
        return self._works({"search": text, "per-page": str(rows)}, what)

    def search_reference(self, reference: Reference, *, rows: int = 5) -> tuple[Work, ...]:
        """By title words (and year) when the reference has a title; else a free-text search."""
        if not reference.title:
            return self.search(bibliographic_query(reference), rows=rows)
        words = " ".join(re.findall(r"\w+", reference.title))
        filters = f"title.search:{words}"
        if reference.year and reference.year[:4].isdigit():
            year = int(reference.year[:4])
            # The cited year may be the online or the print year: one either side.
            filters += f",publication_year:{year - 1}|{year}|{year + 1}"
        what = f"OpenAlex title search {words[:60]!r} ({self.base_url}/works)"
        return self._works({"filter": filters, "per-page": str(rows)}, what)
