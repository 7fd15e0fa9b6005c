"""A client of NCBI's E-utilities for PubMed: a second source for works Crossref lacks.

::

    from refcheck.sources.pubmed import PubMedClient

    with PubMedClient(mailto="you@example.org", api_key="...") as pubmed:
        work = pubmed.get_work("10.1093/rheumatology/kem155")   # Work, or None
        works = pubmed.search_reference(reference)              # ECitMatch, then esearch

Requests: ``ecitmatch.cgi`` (a citation's journal, year, volume, first page and first author
to a PMID), ``esearch.fcgi`` (a query to PMIDs) and ``esummary.fcgi`` (PMIDs to records, JSON).
Every request carries ``tool=refcheck`` and, when set, ``email`` (the mailto) and ``api_key``;
the key is NCBI's and is sent to no other service. NCBI allows 3 requests a second without a
key and 10 with one: the client keeps that spacing (``min_interval``).

:func:`work_from_pubmed` converts one esummary record; it is the one place where esummary's
keys are read. The publication type "Retracted Publication" becomes a retraction (without a
notice DOI). A PubMed record without a DOI becomes a :class:`~refcheck.model.Work` whose
``doi`` is empty and whose ``pmid`` is set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import requests

from refcheck.errors import ServiceResponseError
from refcheck.model import Author, Reference, Update, Work
from refcheck.sources.http.service import ServiceClient, SourceSettings

__all__ = ["DEFAULT_BASE_URL", "PubMedClient", "work_from_pubmed"]

DEFAULT_BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_NAME = re.compile(r"^(?P<family>.*\S)\s+(?P<initials>[A-Z]{1,4})$")
_PMID = re.compile(r"^\d{1,9}$")


def _date(text: Any) -> str | None:
    """ "2007 Mar-Apr" -> "2007-03"; "2020 Jun 16" -> "2020-06-16"; "2019" -> "2019"."""
    if not isinstance(text, str):
        return None
    parts = text.replace("/", " ").split()
    if not parts or not re.fullmatch(r"\d{4}", parts[0]):
        return None
    result = parts[0]
    if len(parts) > 1:
        month = _MONTHS.get(parts[1][:3].lower()) or (
            int(parts[1]) if parts[1].isdigit() and 1 <= int(parts[1]) <= 12 else None
        )
        if month:
            result += f"-{month:02d}"
            if len(parts) > 2 and parts[2].isdigit() and 1 <= int(parts[2]) <= 31:
                result += f"-{int(parts[2]):02d}"
    return result


def _pages(text: Any) -> tuple[str | None, str | None]:
    """ "345-6" -> ("345", "346"); "e1007887" -> ("e1007887", None)."""
    if not isinstance(text, str) or not text.strip():
        return None, None
    first, _, last = text.strip().partition("-")
    first, last = first.strip(), last.strip()
    if last and first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return first or None, last or None


def _author(value: Any) -> Author | None:
    """ "Cron RQ" -> Author("Cron", "RQ"); a collective name is an organisation."""
    if not isinstance(value, Mapping) or not isinstance(value.get("name"), str):
        return None
    name = value["name"].strip()
    if not name:
        return None
    if value.get("authtype") == "CollectiveName":
        return Author(family=name, organisation=True)
    match = _NAME.match(name)
    if match:
        return Author(family=match["family"], given=match["initials"])
    return Author(family=name)


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def work_from_pubmed(record: Mapping[str, Any]) -> Work:
    """The :class:`~refcheck.model.Work` of one esummary (``retmode=json``) record."""
    if not isinstance(record, Mapping) or not _text(record.get("uid")):
        raise ServiceResponseError("expected a PubMed esummary record with a 'uid'")
    ids = {
        str(i.get("idtype")): str(i.get("value"))
        for i in record.get("articleids") or ()
        if isinstance(i, Mapping) and i.get("value")
    }
    first, last = _pages(record.get("pages"))
    authors = (_author(a) for a in record.get("authors") or ())
    title = _text(record.get("title"))
    if title and title.endswith(".") and not title.endswith(".."):
        title = title[:-1]
    issn = tuple(i for i in (_text(record.get("issn")), _text(record.get("essn"))) if i)
    return Work(
        doi=ids.get("doi", ""),
        pmid=str(record["uid"]),
        type="journal-article",
        title=title,
        container_title=_text(record.get("fulljournalname")),
        short_container_title=_text(record.get("source")),
        authors=tuple(a for a in authors if a is not None),
        issued=_date(record.get("pubdate")),
        published_online=_date(record.get("epubdate")),
        volume=_text(record.get("volume")),
        issue=_text(record.get("issue")),
        first_page=first,
        last_page=last,
        issn=issn,
        updates=_retraction(record.get("pubtype")),
    )


def _retraction(pubtypes: Any) -> tuple[Update, ...]:
    """PubMed's publication type "Retracted Publication" as a retraction (no notice DOI)."""
    if isinstance(pubtypes, list) and "Retracted Publication" in pubtypes:
        return (Update("retraction", source="pubmed"),)
    return ()


class PubMedClient(ServiceClient):
    """NCBI E-utilities (PubMed) with its own session, cache, rate limit and retry policy.

    ``PubMedClient(settings)`` or ``PubMedClient(mailto=..., api_key=..., cache=None)``
    (keyword arguments are :class:`~refcheck.sources.http.service.SourceSettings` fields).
    """

    name: ClassVar[str] = "pubmed"
    label: ClassVar[str] = "PubMed"
    default_base_url: ClassVar[str] = DEFAULT_BASE_URL
    default_min_interval: ClassVar[float] = 0.34

    def __init__(self, settings: SourceSettings | None = None, **changes: Any) -> None:
        super().__init__(settings, **changes)
        if self.settings.min_interval is None and self.settings.api_key:
            self.min_interval = 0.1

    def _identity(self) -> dict[str, str]:
        identity = {"tool": "refcheck"}
        if self.settings.mailto:
            identity["email"] = self.settings.mailto
        if self.settings.api_key:
            identity["api_key"] = self.settings.api_key
        return identity

    def _esearch(self, term: str, rows: int) -> list[str]:
        what = f"PubMed esearch {term[:60]!r} ({self.base_url}/esearch.fcgi)"

        def read(response: requests.Response) -> list[str]:
            body = self._json(response, what)
            result = body.get("esearchresult") if isinstance(body, dict) else None
            ids = result.get("idlist") if isinstance(result, dict) else None
            if not isinstance(ids, list):
                raise ServiceResponseError(f"{what}: expected 'esearchresult' with an 'idlist'")
            return [str(i) for i in ids if _PMID.match(str(i))][:rows]

        return self._answer(
            "/esearch.fcgi",
            {"db": "pubmed", "term": term, "retmax": str(rows), "retmode": "json"},
            read,
        )

    def summaries(self, pmids: Sequence[str]) -> tuple[Work, ...]:
        """The works of these PMIDs, in the order given (unknown PMIDs are left out)."""
        if not pmids:
            return ()
        ids = ",".join(pmids)
        what = f"PubMed esummary {ids[:60]} ({self.base_url}/esummary.fcgi)"

        def read(response: requests.Response) -> tuple[Work, ...]:
            body = self._json(response, what)
            result = body.get("result") if isinstance(body, dict) else None
            if not isinstance(result, dict):
                raise ServiceResponseError(f"{what}: expected a 'result' object")
            records = [result.get(pmid) for pmid in pmids]
            found = [r for r in records if isinstance(r, dict) and not r.get("error")]
            return tuple(self._convert(what, work_from_pubmed, found))

        return self._answer("/esummary.fcgi", {"db": "pubmed", "id": ids, "retmode": "json"}, read)

    def get_work(self, doi: str) -> Work | None:
        """The PubMed work with this DOI, or ``None`` when PubMed has none."""
        bare = doi.strip()
        if not bare:
            raise ValueError(f"get_work: expected a DOI, found {doi!r}")
        pmids = self._esearch(f'"{bare}"[doi]', 1)
        works = self.summaries(pmids)
        return works[0] if works else None

    def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
        """PubMed's works for a free-text query (esearch's own term mapping), best first."""
        text = " ".join(query.split())
        if not text:
            return ()
        return self.summaries(self._esearch(text, rows))

    def citation_pmid(self, reference: Reference) -> str | None:
        """The PMID ECitMatch gives for a reference's journal, year, volume, first page and
        first author; ``None`` when it finds none, finds several, or the parts are missing."""
        parts = (
            reference.container_title,
            (reference.year or "")[:4] or None,
            reference.volume,
            reference.first_page,
        )
        if not all(parts):
            return None
        author = reference.authors[0] if reference.authors else None
        name = f"{author.family} {author.initials}".strip() if author else ""
        fields = [*(str(p).replace("|", " ") for p in parts), name.replace("|", " "), "ref1"]
        bdata = "|".join(fields) + "|"
        what = f"PubMed ECitMatch {bdata[:60]!r} ({self.base_url}/ecitmatch.cgi)"

        def read(response: requests.Response) -> str | None:
            if response.status_code != 200:
                raise ServiceResponseError(f"{what}: expected HTTP 200, got {response.status_code}")
            text = response.content.decode(response.encoding or "utf-8", "replace")
            for line in text.splitlines():
                cells = line.strip().split("|")
                if len(cells) >= 7 and cells[5] == "ref1":
                    pmid = cells[6].strip()
                    return pmid if _PMID.match(pmid) else None
            return None

        return self._answer(
            "/ecitmatch.cgi", {"db": "pubmed", "retmode": "xml", "bdata": bdata}, read
        )

    def search_reference(self, reference: Reference, *, rows: int = 5) -> tuple[Work, ...]:
        """ECitMatch first (exact citation parts), then esearch on title words and author."""
        pmid = self.citation_pmid(reference)
        if pmid:
            works = self.summaries([pmid])
            if works:
                return works
        terms = []
        if reference.title:
            terms.append(" ".join(re.findall(r"\w+", reference.title)[:12]) + "[ti]")
        if reference.authors:
            terms.append(f"{reference.authors[0].family}[au]")
        if reference.year:
            terms.append(f"{reference.year[:4]}[dp]")
        if not reference.title:
            return ()
        return self.summaries(self._esearch(" AND ".join(terms), rows))
