"""A client of the DataCite REST API: DOIs that Crossref does not register (datasets,
software, repository preprints: Zenodo, Figshare, arXiv's DOIs...).

::

    from refcheck.sources.datacite import DataCiteClient

    with DataCiteClient(mailto="you@example.org") as datacite:
        work = datacite.get_work("10.5281/zenodo.3509134")     # Work, or None
        works = datacite.search("Piwowar depsy software")

Requests: ``/dois/<doi>`` and ``/dois?query=...&page[size]=...``. DataCite takes no mailto
parameter; the address goes in the User-Agent. Its documented limit is 3,000 requests per 5
minutes per address: the client spaces requests by 0.1 s.

:func:`work_from_datacite` is the one place where DataCite's keys are read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote

import requests

from refcheck.errors import ServiceResponseError
from refcheck.model import Author, Work
from refcheck.sources.http.service import ServiceClient

__all__ = ["DEFAULT_BASE_URL", "DataCiteClient", "work_from_datacite"]

DEFAULT_BASE_URL = "https://api.datacite.org"


def _text(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value.strip() or None if isinstance(value, str) else None


def _author(value: Any) -> Author | None:
    if not isinstance(value, Mapping):
        return None
    family = _text(value.get("familyName"))
    if family:
        return Author(family=family, given=_text(value.get("givenName")))
    name = _text(value.get("name"))
    if not name:
        return None
    if value.get("nameType") == "Organizational":
        return Author(family=name, organisation=True)
    surname, comma, given = name.partition(",")
    return Author(family=surname, given=given if comma else None)


def _issued(attributes: Mapping[str, Any]) -> str | None:
    for date in attributes.get("dates") or ():
        if isinstance(date, Mapping) and date.get("dateType") == "Issued":
            text = _text(date.get("date"))
            if text and text[:4].isdigit():
                return text[:10]
    return _text(attributes.get("publicationYear"))


def work_from_datacite(data: Mapping[str, Any]) -> Work:
    """The :class:`~refcheck.model.Work` of one DataCite ``data`` object (type ``dois``)."""
    attributes = data.get("attributes") if isinstance(data, Mapping) else None
    if not isinstance(attributes, Mapping):
        raise ServiceResponseError("expected a DataCite 'data' object with 'attributes'")
    doi = _text(attributes.get("doi")) or _text(data.get("id"))
    if not doi:
        raise ServiceResponseError("expected a DataCite record with a DOI")
    titles = [t for t in attributes.get("titles") or () if isinstance(t, Mapping)]
    title = next((_text(t.get("title")) for t in titles if not t.get("titleType")), None)
    subtitle = next(
        (_text(t.get("title")) for t in titles if t.get("titleType") == "Subtitle"), None
    )
    container = attributes.get("container")
    container = container if isinstance(container, Mapping) else {}
    publisher = attributes.get("publisher")
    if isinstance(publisher, Mapping):  # publisher=true gives {"name": ...}
        publisher = publisher.get("name")
    types = attributes.get("types")
    kind = _text(types.get("resourceTypeGeneral")) if isinstance(types, Mapping) else None
    return Work(
        doi=doi,
        type=kind.lower() if kind else None,
        title=title or (_text(titles[0].get("title")) if titles else None),
        subtitle=subtitle,
        container_title=_text(container.get("title")),
        authors=tuple(a for a in map(_author, attributes.get("creators") or ()) if a is not None),
        issued=_issued(attributes),
        volume=_text(container.get("volume")),
        issue=_text(container.get("issue")),
        first_page=_text(container.get("firstPage")),
        last_page=_text(container.get("lastPage")),
        publisher=_text(publisher),
    )


class DataCiteClient(ServiceClient):
    """The DataCite REST API with its own session, cache, rate limit and retry policy."""

    name: ClassVar[str] = "datacite"
    label: ClassVar[str] = "DataCite"
    default_base_url: ClassVar[str] = DEFAULT_BASE_URL
    default_min_interval: ClassVar[float] = 0.1

    def get_work(self, doi: str) -> Work | None:
        """The DataCite work with this DOI, or ``None`` when DataCite has none (404)."""
        bare = doi.strip()
        if not bare:
            raise ValueError(f"get_work: expected a DOI, found {doi!r}")
        path = "/dois/" + quote(bare, safe="/()-._;:")
        what = f"DataCite DOI {bare} ({self.base_url}{path})"

        def read(response: requests.Response) -> Work | None:
            if response.status_code == 404:
                return None
            body = self._json(response, what)
            data = body.get("data") if isinstance(body, dict) else None
            record = data if isinstance(data, Mapping) else {}
            return self._convert(what, work_from_datacite, [record])[0]

        return self._answer(path, {}, read)

    def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
        """DataCite's works for a free-text query, by its relevance, best first."""
        text = " ".join(query.split())
        if not text:
            return ()
        what = f"DataCite search {text[:60]!r} ({self.base_url}/dois)"

        def read(response: requests.Response) -> tuple[Work, ...]:
            body = self._json(response, what)
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise ServiceResponseError(f"{what}: expected a list of 'data'")
            return tuple(self._convert(what, work_from_datacite, data[:rows]))

        return self._answer("/dois", {"query": text, "page[size]": str(rows)}, read)
