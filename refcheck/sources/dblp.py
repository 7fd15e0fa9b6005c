"""A client of the dblp search API: computer-science venues (conference and workshop papers,
journals, CoRR preprints), with their venue, year, pages and DOI when there is one.

::

    from refcheck.sources.dblp import DblpClient

    with DblpClient(mailto="you@example.org") as dblp:
        works = dblp.search("Attention is all you need Vaswani")
        works = dblp.search_reference(reference)         # title words and first author

Requests: ``/search/publ/api?q=...&format=json&h=<rows>&c=0``. dblp's FAQ asks clients to wait
"at least one or two seconds between two consecutive requests" and answers 429 with a
``Retry-After`` beyond its limit: the client keeps 1.05 s between the starts of two requests
(a second and a margin for the network's jitter), one at a time, and the retry policy waits
as ``Retry-After`` says. dblp takes no key. One request per reference: the title's words and
the first author's surname (dblp ANDs the words of a query), their diacritics taken off: dblp
matches an ASCII query "diacritic insensitive" but a query with any diacritic exactly, and
keeps names in Latin-1 ("Dragojevic" for "Dragojević"; `dblp's author-search help
<https://dblp.org/db/indices/a-help.html>`_).

dblp's search API has no DOI look-up: :meth:`DblpClient.get_work` answers ``None`` without
asking, and the chain never takes dblp's word on a DOI (see :mod:`refcheck.sources.chain`).

:func:`work_from_dblp` is the one place where the search API's keys are read. dblp names a
venue by its short name ("NeurIPS", "ICLR", "ACL (1)"); the full names of the venues machine
learning papers cite most (:data:`VENUE_NAMES`, from dblp's venue pages) become the work's
``container_title``, with the short name as ``short_container_title``, so that a citation
of "Advances in Neural Information Processing Systems" agrees with a dblp "NeurIPS" record.
A CoRR record (``venue`` "CoRR", ``volume`` "abs/1706.03762") is the arXiv preprint: its
``arxiv_id`` is set. dblp lists a paper's preprint and its venue version as two records:
:meth:`DblpClient.search_reference` leaves out the CoRR one when both are found and the
citation names a venue other than arXiv.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any, ClassVar

import requests

from refcheck.errors import ServiceResponseError
from refcheck.model import Author, Reference, Work
from refcheck.similarity import same_family, title_similarity
from refcheck.sources.http.service import ServiceClient

__all__ = ["DEFAULT_BASE_URL", "VENUE_NAMES", "DblpClient", "work_from_dblp"]

DEFAULT_BASE_URL = "https://dblp.org"

#: Full names of the short venue names dblp gives, for the venues ML and CS papers cite most.
VENUE_NAMES: Mapping[str, str] = {
    "NeurIPS": "Advances in Neural Information Processing Systems",
    "NIPS": "Advances in Neural Information Processing Systems",
    "ICLR": "International Conference on Learning Representations",
    "ICML": "International Conference on Machine Learning",
    "AAAI": "AAAI Conference on Artificial Intelligence",
    "IJCAI": "International Joint Conference on Artificial Intelligence",
    "CVPR": "IEEE/CVF Conference on Computer Vision and Pattern Recognition",
    "ICCV": "IEEE/CVF International Conference on Computer Vision",
    "ECCV": "European Conference on Computer Vision",
    "ACL": "Annual Meeting of the Association for Computational Linguistics",
    "EMNLP": "Conference on Empirical Methods in Natural Language Processing",
    "NAACL-HLT": "Conference of the North American Chapter of the Association for "
    "Computational Linguistics: Human Language Technologies",
    "EACL": "Conference of the European Chapter of the Association for Computational Linguistics",
    "COLING": "International Conference on Computational Linguistics",
    "KDD": "ACM SIGKDD International Conference on Knowledge Discovery and Data Mining",
    "SIGIR": "International ACM SIGIR Conference on Research and Development in Information "
    "Retrieval",
    "WWW": "The Web Conference",
    "UAI": "Conference on Uncertainty in Artificial Intelligence",
    "AISTATS": "International Conference on Artificial Intelligence and Statistics",
    "COLT": "Conference on Learning Theory",
    "CoRL": "Conference on Robot Learning",
    "ICRA": "IEEE International Conference on Robotics and Automation",
    "Interspeech": "Conference of the International Speech Communication Association",
    "ICASSP": "IEEE International Conference on Acoustics, Speech and Signal Processing",
    "J. Mach. Learn. Res.": "Journal of Machine Learning Research",
    "Trans. Assoc. Comput. Linguistics": "Transactions of the Association for Computational "
    "Linguistics",
    "Trans. Mach. Learn. Res.": "Transactions on Machine Learning Research",
    "Neural Comput.": "Neural Computation",
    "CoRR": "arXiv",
}
_TYPES = {
    "Conference and Workshop Papers": "proceedings-article",
    "Journal Articles": "journal-article",
    "Informal and Other Publications": "posted-content",
    "Books and Theses": "book",
    "Parts in Books or Collections": "book-chapter",
    "Editorship": "proceedings",
}
_HOMONYM = re.compile(r"(?<!\s)\s+\d{4}$")  # dblp's "Wei Wang 0001"
_PAGES = re.compile(r"^\s*([^\s-]+)\s*-+\s*([^\s-]+)\s*$")
_ARXIV_EE = re.compile(r"arxiv\.org/abs/(?P<id>\d{4}\.\d{4,5}|[a-z-]+/\d{7})", re.I)
_VENUE_PART = re.compile(r"(?<!\s)\s*\(\d+\)$")  # "ACL (1)": the first volume of ACL's proceedings
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "le"})


def _text(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value.strip() or None if isinstance(value, str) else None


def _first(value: Any) -> str | None:
    """A field dblp gives as a string, or as a list when there are several ("venue")."""
    if isinstance(value, list):
        return next((t for t in map(_text, value) if t), None)
    return _text(value)


def _author(value: Any) -> Author | None:
    name = _text(value.get("text")) if isinstance(value, Mapping) else _text(value)
    if not name:
        return None
    words = _HOMONYM.sub("", name).split()
    if len(words) == 1:
        return Author(family=words[0])
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return Author(family=" ".join(words[start:]), given=" ".join(words[:start]))


def _authors(info: Mapping[str, Any]) -> tuple[Author, ...]:
    block = info.get("authors")
    people = block.get("author") if isinstance(block, Mapping) else None
    if isinstance(people, Mapping | str):  # one author: an object, not a list
        people = [people]
    found = (_author(p) for p in people or ())
    return tuple(a for a in found if a is not None)


def work_from_dblp(info: Mapping[str, Any]) -> Work:
    """The :class:`~refcheck.model.Work` of one search hit's ``info`` object."""
    if not isinstance(info, Mapping) or not _text(info.get("key")):
        raise ServiceResponseError("expected a dblp hit 'info' object with a 'key'")
    venue = _first(info.get("venue"))
    short = _VENUE_PART.sub("", venue) if venue else None
    full = VENUE_NAMES.get(short or "")
    volume = _text(info.get("volume"))
    arxiv_id = None
    if short == "CoRR" and volume and volume.lower().startswith("abs/"):
        arxiv_id = volume[4:]
    else:
        found = _ARXIV_EE.search(_first(info.get("ee")) or "")
        arxiv_id = found["id"] if found and short == "CoRR" else None
    pages = _text(info.get("pages"))
    first = last = None
    if pages:
        split = _PAGES.match(pages)
        first, last = (split.group(1), split.group(2)) if split else (pages, None)
    title = _text(info.get("title"))
    if title and title.endswith(".") and not title.endswith(".."):
        title = title[:-1]
    return Work(
        doi=_text(info.get("doi")) or "",
        type=_TYPES.get(_text(info.get("type")) or ""),
        title=title,
        container_title=full or venue,
        short_container_title=venue if full else None,
        authors=_authors(info),
        issued=_text(info.get("year")),
        volume=None if arxiv_id else volume,
        issue=_text(info.get("number")),
        first_page=first,
        last_page=last,
        arxiv_id=arxiv_id,
        key=_text(info.get("key")),
    )


def is_preprint(work: Work) -> bool:
    """Whether a dblp work is a CoRR (arXiv) record."""
    return work.arxiv_id is not None or work.short_container_title == "CoRR"


def _bare(text: str) -> str:
    """``text`` without its combining marks ("Dragojević" -> "Dragojevic"): dblp matches an
    ASCII query diacritic-insensitively, and one with any diacritic exactly."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class DblpClient(ServiceClient):
    """The dblp search API with its own session, cache, spacing and retry policy."""

    name: ClassVar[str] = "dblp"
    label: ClassVar[str] = "dblp"
    default_base_url: ClassVar[str] = DEFAULT_BASE_URL
    default_min_interval: ClassVar[float] = 1.05
    max_in_flight: ClassVar[int | None] = 1

    def get_work(self, doi: str) -> Work | None:
        """Always ``None``, without asking: dblp's search API has no DOI look-up."""
        if not doi.strip():
            raise ValueError(f"get_work: expected a DOI, found {doi!r}")
        return None

    def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
        """dblp's works for a query (its words AND-ed, as dblp's search does), best first."""
        words = re.findall(r"[^\W_]+", _bare(query))[:16]
        if not words:
            return ()
        text = " ".join(words)
        what = f"dblp search {text[:60]!r} ({self.base_url}/search/publ/api)"

        def read(response: requests.Response) -> tuple[Work, ...]:
            body = self._json(response, what)
            result = body.get("result") if isinstance(body, dict) else None
            hits = result.get("hits") if isinstance(result, Mapping) else None
            if not isinstance(hits, Mapping):
                raise ServiceResponseError(f"{what}: expected 'result' with 'hits'")
            found = hits.get("hit") or []
            if isinstance(found, Mapping):
                found = [found]
            if not isinstance(found, list):
                raise ServiceResponseError(f"{what}: expected a list of 'hit'")
            infos = [h.get("info") for h in found if isinstance(h, Mapping)]
            return tuple(self._convert(what, work_from_dblp, infos[:rows]))

        return self._answer(
            "/search/publ/api", {"q": text, "format": "json", "h": str(rows), "c": "0"}, read
        )

    def search_reference(self, reference: Reference, *, rows: int = 5) -> tuple[Work, ...]:
        """By title words and the first author's surname (a reference without a title: its
        text); the CoRR record of a paper is left out when its venue record is found too and
        the citation names a venue other than arXiv."""
        if not reference.title:
            return ()
        query = reference.title
        people = [a for a in reference.authors if not a.organisation]
        if people:
            query += " " + people[0].family
        works = self.search(query, rows=rows)
        cites_arxiv = reference.arxiv_id is not None or re.search(
            r"\b(?:arxiv|corr)\b", reference.container_title or "", re.I
        )
        if cites_arxiv:
            return works
        venues = {(w.title or "").lower() for w in works if not is_preprint(w)}
        return tuple(w for w in works if not (is_preprint(w) and (w.title or "").lower() in venues))

    def published_version(self, preprint: Work) -> Work | None:
        """The venue record dblp lists for a preprint: a record that is not CoRR's, with the
        preprint's title (all but exactly) and first author; ``None`` when there is none."""
        if not preprint.title:
            return None
        query = preprint.title
        if preprint.authors:
            query += " " + preprint.authors[0].family
        for work in self.search(query, rows=10):
            if is_preprint(work) or not work.title:
                continue
            if title_similarity(preprint.title, work) < 0.95:
                continue
            if (
                preprint.authors
                and work.authors
                and not same_family(preprint.authors[0].family, work.authors[0].family)
            ):
                continue
            return work
        return None
