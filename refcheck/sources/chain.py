"""Resolve against several bibliographic sources: the right ones for each reference, in order.

:class:`SourceChain` asks, for each reference, the sources that suit it (:func:`route`), one
after the other while the reference is unresolved; the first source that matches wins, and
the match says which source it was (``Match.source``) and which were asked (``Match.asked``).
The order (see ``docs/configuration.md``):

==========================================  ===============================================
the reference                               sources, in order
==========================================  ===============================================
cites an arXiv identifier (any form)        arXiv, dblp, Semantic Scholar, Crossref,
                                            OpenAlex, DataCite
cites a DOI of a DataCite prefix (Zenodo,   DataCite, Crossref, OpenAlex, Semantic Scholar,
Figshare, Dryad, arXiv's 10.48550...)       dblp
cites arXiv without an identifier           Semantic Scholar, dblp, arXiv, Crossref,
("arXiv preprint", "CoRR")                  OpenAlex, DataCite
cites a computer-science venue (NeurIPS,    dblp, Crossref, Semantic Scholar, OpenAlex,
ICLR, ICML, ACL, CVPR, a workshop...)       DataCite
anything else (a DOI, a journal, a book)    Crossref, PubMed, OpenAlex, Semantic Scholar,
                                            DataCite, dblp
==========================================  ===============================================

Only the sources the chain was given are asked (``--sources``; by default every source but
PubMed, see :data:`DEFAULT_SOURCES`). A source whose ``name`` the chain does not know is asked
in the order given, after the routed ones. An ambiguous or unchecked answer from the first
source asked stops the chain: it is not "that source has no such work".

Whose word counts: a cited DOI is judged by its registry (Crossref, or DataCite), not by a
source that merely lacks it (``Match.doi_status``, ``Match.doi_source``; Crossref lacking a
DOI of a DataCite prefix, arXiv's 10.48550 among them, is not "not found"); a cited arXiv
identifier by arXiv (``Match.arxiv_status``), except that one the matched work carries (a
Semantic Scholar, dblp or OpenAlex record with that identifier) is not "not found".

A matched preprint's published version (``Match.published``) is the one its own record names
(arXiv's journal reference and DOI, Semantic Scholar's venue), else the one dblp lists beside
its CoRR record, else Semantic Scholar's, asked once (cached like every request).

A reference that every source leaves unresolved keeps the other version one of them found
(``Match.version``: a journal citation's preprint, see :mod:`refcheck.sources.versions`).

When every source leaves the reference unresolved, every one was asked (none unchecked),
and the first source can list a journal's works
(:class:`~refcheck.sources.existence.JournalSource`, as Crossref can), the chain asks for the
cited journal's works of the cited year, once per such reference, and attaches the evidence
that the reference may be fabricated (``Match.doubts``; see
:mod:`refcheck.sources.existence`), naming every source asked.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from refcheck.errors import ConfigError, ServiceError
from refcheck.model import Match, MatchStatus, Reference, Work
from refcheck.sources.arxiv import ArxivClient, bare_arxiv_id
from refcheck.sources.crossref import CrossrefSettings
from refcheck.sources.datacite import DataCiteClient
from refcheck.sources.dblp import DblpClient
from refcheck.sources.existence import fabrication_evidence, journal_issn, needs_assessment
from refcheck.sources.http.service import ServiceClient, SourceSettings
from refcheck.sources.http.service import check_base_url as _checked_base_url
from refcheck.sources.openalex import OpenAlexClient
from refcheck.sources.pubmed import PubMedClient
from refcheck.sources.resolve import Resolver, WorkSource
from refcheck.sources.semanticscholar import SemanticScholarClient

__all__ = [
    "BASE_URL_VARIABLES",
    "DATACITE_PREFIXES",
    "DEFAULT_SOURCES",
    "SOURCE_LABELS",
    "SOURCE_ORDER",
    "SourceChain",
    "SourceSettings",
    "base_urls_from_env",
    "is_cs_venue",
    "open_fallbacks",
    "parse_sources",
    "route",
    "source_name",
]

#: Every source refcheck knows, in the order ``--sources`` lists them.
SOURCE_ORDER = (
    "crossref",
    "arxiv",
    "dblp",
    "pubmed",
    "openalex",
    "semanticscholar",
    "datacite",
)
#: The sources asked by default (``--sources auto``): all but PubMed, which is asked on request.
DEFAULT_SOURCES = ("crossref", "arxiv", "dblp", "openalex", "semanticscholar", "datacite")
#: How each source is named in messages.
SOURCE_LABELS: Mapping[str, str] = {
    "crossref": "Crossref",
    "arxiv": "arXiv",
    "dblp": "dblp",
    "pubmed": "PubMed",
    "openalex": "OpenAlex",
    "semanticscholar": "Semantic Scholar",
    "datacite": "DataCite",
}

#: The variables that set the base URLs of the sources other than Crossref, as
#: ``REFCHECK_BASE_URL`` sets Crossref's.
BASE_URL_VARIABLES: Mapping[str, str] = {
    "pubmed": "REFCHECK_PUBMED_BASE_URL",
    "openalex": "REFCHECK_OPENALEX_BASE_URL",
    "datacite": "REFCHECK_DATACITE_BASE_URL",
    "arxiv": "REFCHECK_ARXIV_BASE_URL",
    "dblp": "REFCHECK_DBLP_BASE_URL",
    "semanticscholar": "REFCHECK_SEMANTICSCHOLAR_BASE_URL",
}

#: DOI prefixes registered with DataCite, not Crossref, that references cite most: arXiv,
#: Zenodo, Figshare, Dryad, OSF, PANGAEA, ICPSR, the GBIF, Mendeley Data.
DATACITE_PREFIXES = frozenset(
    {
        "10.48550",
        "10.5281",
        "10.6084",
        "10.5061",
        "10.17605",
        "10.31219",
        "10.1594",
        "10.3886",
        "10.15468",
        "10.17632",
    }
)

# A computer-science venue as cited: "Advances in Neural Information Processing Systems",
# "NeurIPS", "Proc. ICML", "International Conference on Learning Representations", "ACL",
# "Findings of EMNLP", "CVPR", "a workshop", "CoRR", "arXiv preprint".
_CS_VENUE = re.compile(
    r"\b(?:NeurIPS|NIPS|ICLR|ICML|AAAI|IJCAI|CVPR|ICCV|ECCV|WACV|BMVC|ACL|EMNLP|NAACL|EACL|"
    r"AACL|COLING|CoNLL|TACL|LREC|SIGIR|SIGKDD|KDD|WSDM|CIKM|RecSys|WWW|UAI|AISTATS|COLT|"
    r"ALT|CoRL|ICRA|IROS|RSS|Interspeech|ICASSP|MICCAI|SIGGRAPH|CHI|UIST|OSDI|SOSP|NSDI|"
    r"SIGCOMM|ISCA|MICRO|PLDI|POPL|ICSE|FSE|STOC|FOCS|SODA|ICDE|VLDB|SIGMOD|CoRR|arXiv|"
    r"JMLR|TMLR|TPAMI)\b"
    r"|Neural Information Processing|Learning Representations|Machine Learning"
    r"|Artificial Intelligence|Computational Linguistics|Computer Vision|Pattern Recognition"
    r"|Natural Language|Association for Computing Machinery|\bACM\b|\bIEEE\b|Workshop"
    r"|Lecture Notes in Computer Science|Data Mining|Robot|Computing|Computer Science",
    re.IGNORECASE,
)

_ORDERS: Mapping[str, tuple[str, ...]] = {
    "arxiv": ("arxiv", "dblp", "semanticscholar", "crossref", "openalex", "datacite", "pubmed"),
    "datacite": ("datacite", "crossref", "openalex", "semanticscholar", "dblp", "pubmed"),
    "preprint": ("semanticscholar", "dblp", "arxiv", "crossref", "openalex", "datacite"),
    "cs": ("dblp", "crossref", "semanticscholar", "openalex", "datacite", "pubmed"),
    "other": ("crossref", "pubmed", "openalex", "semanticscholar", "datacite", "dblp"),
}
_DOI_REGISTRIES = frozenset({"crossref", "datacite"})
# "arXiv preprint", "CoRR", "arXiv e-prints" cited without the identifier.
_ARXIV_CITED = re.compile(r"\b(?:arxiv|corr)\b", re.IGNORECASE)


def is_cs_venue(text: str | None) -> bool:
    """Whether a cited container names a computer-science venue (see :func:`route`)."""
    return bool(text) and _CS_VENUE.search(text or "") is not None


def _doi_prefix(doi: str) -> str:
    return doi.strip().split("/", 1)[0].lower()


def route(reference: Reference) -> tuple[str, ...]:
    """The sources that suit ``reference``, best first (the table in the module docstring).

    Pure: it reads only the reference. An arXiv identifier routes to arXiv first; a DOI of a
    DataCite prefix (:data:`DATACITE_PREFIXES`) to DataCite; arXiv cited without its
    identifier ("arXiv preprint") to Semantic Scholar and dblp, then arXiv's own title search;
    a computer-science venue (:func:`is_cs_venue`: the container, or the citation's text when
    there is none) to dblp; anything else to Crossref. arXiv (one request every 3 s) is asked
    only about preprints.
    """
    if reference.arxiv_id:
        return _ORDERS["arxiv"]
    if reference.doi and _doi_prefix(reference.doi) in DATACITE_PREFIXES:
        return _ORDERS["datacite"]
    if _ARXIV_CITED.search(reference.container_title or ""):
        return _ORDERS["preprint"]
    venue = reference.container_title
    if venue is None and reference.kind in (None, "proceedings-article", "report"):
        venue = reference.text
    if is_cs_venue(venue):
        return _ORDERS["cs"]
    return _ORDERS["other"]


def parse_sources(text: str | Sequence[str]) -> tuple[str, ...]:
    """ "crossref,pubmed" -> ("crossref", "pubmed"), in :data:`SOURCE_ORDER` whatever the order
    given; "auto" (or "default") is :data:`DEFAULT_SOURCES`, "all" every source;
    :class:`~refcheck.errors.ConfigError` for an unknown name or without Crossref."""
    names = text.split(",") if isinstance(text, str) else list(text)
    wanted = {n.strip().lower() for n in names if n.strip()}
    if wanted & {"auto", "default"}:
        wanted = (wanted - {"auto", "default"}) | set(DEFAULT_SOURCES)
    if "all" in wanted:
        wanted = (wanted - {"all"}) | set(SOURCE_ORDER)
    unknown = sorted(wanted - set(SOURCE_ORDER))
    if unknown:
        raise ConfigError(
            f"sources: expected names among auto, all, {', '.join(SOURCE_ORDER)}, "
            f"found {unknown[0]!r}"
        )
    if "crossref" not in wanted:
        raise ConfigError(f"sources: Crossref is always among the sources; found {sorted(wanted)}")
    return tuple(n for n in SOURCE_ORDER if n in wanted)


def _unknown_base_url_names(names: Iterable[str]) -> None:
    unknown = sorted(set(names) - set(BASE_URL_VARIABLES))
    if unknown:
        raise ConfigError(
            f"base URLs: expected names among {', '.join(BASE_URL_VARIABLES)}, found {unknown[0]!r}"
        )


def base_urls_from_env(
    environ: Mapping[str, str] | None = None, **overrides: str | None
) -> dict[str, str]:
    """The base URLs of the sources other than Crossref, by name: ``overrides``
    (``pubmed="https://..."``; ``None`` sets nothing), then the variables of
    :data:`BASE_URL_VARIABLES` (``REFCHECK_PUBMED_BASE_URL``, ``REFCHECK_ARXIV_BASE_URL``...).
    A source without one asks its public API.

    Each URL is checked as Crossref's base URL is (an http(s) URL; a trailing slash is dropped);
    one that cannot be used raises :class:`~refcheck.errors.ConfigError` naming the variable,
    or the setting (``pubmed_base_url``).
    """
    env = os.environ if environ is None else environ
    _unknown_base_url_names(overrides)
    urls: dict[str, str] = {}
    for name, variable in BASE_URL_VARIABLES.items():
        given, where = overrides.get(name), f"{name}_base_url"
        if given is None:
            given, where = env.get(variable), variable
        if given is None:
            continue
        try:
            urls[name] = _checked_base_url(given)
        except ConfigError:
            raise ConfigError(f"{where}: expected an http(s) URL, found {given!r}") from None
    return urls


_CLIENTS: Mapping[str, type[ServiceClient]] = {
    "pubmed": PubMedClient,
    "openalex": OpenAlexClient,
    "datacite": DataCiteClient,
    "arxiv": ArxivClient,
    "dblp": DblpClient,
    "semanticscholar": SemanticScholarClient,
}


def open_fallbacks(
    names: Sequence[str],
    settings: CrossrefSettings,
    *,
    ncbi_api_key: str | None = None,
    semanticscholar_api_key: str | None = None,
    base_urls: Mapping[str, str] | None = None,
) -> list[Any]:
    """Clients of the sources other than Crossref among ``names``, with Crossref's mailto,
    timeout, cache directory, offline mode and retries, each at its URL in ``base_urls`` (by
    name, see :func:`base_urls_from_env`) or else at its public API. Each key goes to its own
    service only. The caller closes them."""
    urls = dict(base_urls or {})
    _unknown_base_url_names(urls)
    common = SourceSettings.from_crossref(settings)
    keys = {"pubmed": ncbi_api_key, "semanticscholar": semanticscholar_api_key}
    clients: list[Any] = []
    for name in parse_sources(names):
        if name == "crossref":
            continue
        own = attrs.evolve(common, base_url=urls.get(name), api_key=keys.get(name))
        clients.append(_CLIENTS[name](own))
    return clients


def source_name(source: WorkSource) -> str | None:
    """The ``name`` a source declares ("crossref", "pubmed"...), or ``None``."""
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else None


def _tuple(sources: Iterable[WorkSource]) -> tuple[WorkSource, ...]:
    return tuple(sources)


def _lacks_anothers_doi(name: str, match: Match, reference: Reference) -> bool:
    """Whether ``match`` is Crossref's "not found" for a DOI of a DataCite prefix (arXiv's
    10.48550...): Crossref does not register those, so its lacking one is no evidence."""
    return (
        name == "crossref"
        and match.doi_status == "not-found"
        and bool(reference.doi)
        and _doi_prefix(reference.doi or "") in DATACITE_PREFIXES
    )


def _carries_arxiv_id(work: Work | None, arxiv_id: str | None) -> bool:
    """Whether ``work`` has the arXiv identifier ``arxiv_id`` (any version of it)."""
    if work is None or not arxiv_id:
        return False
    cited = bare_arxiv_id(arxiv_id).lower()
    own = work.arxiv_id or ""
    if not own and work.doi.lower().startswith("10.48550/arxiv."):
        own = work.doi[len("10.48550/arxiv.") :]
    return bool(own) and bare_arxiv_id(own).lower() == cited


def _is_preprint(work: Work) -> bool:
    return work.type == "posted-content" or (
        work.arxiv_id is not None and (work.container_title or "arXiv").lower() in ("arxiv", "corr")
    )


@attrs.frozen
class SourceChain:
    """Resolve each reference with the sources that suit it, in order (see the module
    docstring), until one matches.

    ``assess`` turns the existence check off (it costs one request per unresolved reference
    that has a journal, a year and a volume or DOI). ``threshold`` is each resolver's
    validation threshold (``None``: :attr:`Resolver.threshold
    <refcheck.sources.resolve.Resolver.threshold>`). ``routed`` ``False`` asks the sources in
    the order given, for every reference.
    """

    sources: tuple[WorkSource, ...] = attrs.field(converter=_tuple)
    assess: bool = True
    threshold: float | None = None
    routed: bool = True

    @sources.validator
    def _not_empty(self, attribute: attrs.Attribute[object], value: Sequence[WorkSource]) -> None:
        if not value:
            raise ValueError("SourceChain: expected at least one source, found none")

    def order(self, reference: Reference) -> tuple[WorkSource, ...]:
        """The sources asked for ``reference``, in order: the routed ones (:func:`route`),
        then, as given, those whose name refcheck does not know (a source the route leaves
        out, arXiv for a journal article, is not asked)."""
        if not self.routed:
            return self.sources
        by_name = {source_name(s): s for s in self.sources if source_name(s) in SOURCE_ORDER}
        routed = [by_name[n] for n in route(reference) if n in by_name]
        # A known source the route leaves out is not asked; one refcheck does not know is.
        # A local snapshot of Crossref (issue 19) is asked before every service.
        local = [s for s in self.sources if source_name(s) == "snapshot"]
        rest = [s for s in self.sources if source_name(s) not in (*SOURCE_ORDER, "snapshot")]
        return (*local, *routed, *rest)

    def prefetch(self, references: Sequence[Reference]) -> None:
        """Let each source that can (arXiv, Crossref's DOI filter) ask for many references'
        identifiers at once; not behind a local snapshot, which answers most of them."""
        if any(source_name(s) == "snapshot" for s in self.sources):
            return
        for source in self.sources:
            prefetch = getattr(source, "prefetch", None)
            if callable(prefetch):
                prefetch(references)

    def resolve(self, reference: Reference) -> Match:
        """The first match among the sources that suit ``reference`` (see :meth:`order`)."""
        order = self.order(reference)
        asked: list[str] = []
        unchecked: list[str] = []
        first: Match | None = None
        doi_verdicts: list[tuple[str, Match]] = []
        arxiv_verdict: Match | None = None
        versions: list[Work | None] = []
        for index, source in enumerate(order, 1):
            name = source_name(source) or f"source {index}"
            match = self._resolve(source, reference)
            if match.status is MatchStatus.UNCHECKED:
                if index == 1:
                    return attrs.evolve(match, asked=())
                unchecked.append(f"{SOURCE_LABELS.get(name, name)}: {match.reason}")
                continue
            asked.append(name)
            registry = name in _DOI_REGISTRIES or source_name(source) is None
            if match.doi_status and registry and not _lacks_anothers_doi(name, match, reference):
                doi_verdicts.append((name, match))
            if match.arxiv_status and arxiv_verdict is None:
                arxiv_verdict = match
            versions.append(match.version)
            if first is None:
                first = match
            if match.status is MatchStatus.AMBIGUOUS and index == 1:
                return attrs.evolve(match, asked=tuple(asked))
            if match.status is MatchStatus.MATCHED:
                result = self._verdicts(match, reference, doi_verdicts, arxiv_verdict)
                return self._published(attrs.evolve(result, asked=tuple(asked)))
        assert first is not None
        result = self._verdicts(first, reference, doi_verdicts, arxiv_verdict)
        reason = first.reason or "no candidate agrees with the reference"
        if len(self.sources) > 1:
            reason += f" (asked {', '.join(asked)})"
        if unchecked:
            reason += f"; not asked: {'; '.join(unchecked)}"
        result = attrs.evolve(result, reason=reason, asked=tuple(asked), status=first.status)
        if result.version is None and first.status is MatchStatus.UNRESOLVED:
            # Only another version (a journal citation's preprint) agreed, at a later source.
            result = attrs.evolve(result, version=next((v for v in versions if v), None))
        if self.assess and not unchecked:
            result = attrs.evolve(result, doubts=self._doubts(reference, result))
        return result

    def abort(self) -> None:
        """Call off every source's requests (Ctrl-C, from another thread): each source that
        can (``abort()``: the HTTP clients) cuts its requests in flight and refuses more."""
        for source in self.sources:
            stop = getattr(source, "abort", None)
            if callable(stop):
                stop()

    @staticmethod
    def _verdicts(
        match: Match,
        reference: Reference,
        doi_verdicts: Sequence[tuple[str, Match]],
        arxiv_verdict: Match | None,
    ) -> Match:
        """``match`` with the registry's word on the cited DOI and arXiv's on the arXiv id."""
        changes: dict[str, Any] = {}
        cited = (reference.doi or "").lower()
        if match.work is not None and cited and match.work.doi.lower() == cited:
            # The matched work has the cited DOI: whichever source found it, the DOI exists.
            changes.update(doi_status="agrees", doi_work=None, doi_source=match.source)
        elif doi_verdicts:
            ranked = sorted(
                doi_verdicts,
                key=lambda v: ("agrees", "other-work", "not-found").index(v[1].doi_status or ""),
            )
            name, verdict = ranked[0]
            if verdict.doi_status == "not-found":
                name = ",".join(n for n, v in doi_verdicts if v.doi_status == "not-found")
            changes.update(
                doi_status=verdict.doi_status, doi_work=verdict.doi_work, doi_source=name
            )
        else:
            changes.update(doi_status=None, doi_work=None)
        if arxiv_verdict is not None:
            status, other = arxiv_verdict.arxiv_status, arxiv_verdict.arxiv_work
            if status == "not-found" and _carries_arxiv_id(match.work, reference.arxiv_id):
                # The matched work (Semantic Scholar's, dblp's CoRR record, OpenAlex's) has the
                # cited identifier: it exists, whatever arXiv's API answered (an empty feed
                # for an identifier it has happens), as a DOI exists once a record has it.
                status, other = "agrees", None
            changes.update(arxiv_status=status, arxiv_work=other)
        return attrs.evolve(match, **changes)

    def _resolve(self, source: WorkSource, reference: Reference) -> Match:
        resolver = (
            Resolver(source)
            if self.threshold is None
            else Resolver(source, threshold=self.threshold)
        )
        match = resolver.resolve(reference)
        return attrs.evolve(match, source=source_name(source)) if match.source is None else match

    def _published(self, match: Match) -> Match:
        """A matched preprint with the published version its record, dblp or Semantic Scholar
        names (``Match.published``); any other match as it is."""
        work = match.work
        if work is None or not _is_preprint(work):
            return match
        if work.published_version is not None:
            return attrs.evolve(
                match, published=work.published_version, published_source=match.source
            )
        for source in self.sources:
            name = source_name(source)
            finder = getattr(source, "published_version", None)
            if name == match.source or not callable(finder):
                continue
            try:
                found = finder(work)
            except ServiceError:
                continue
            if found is not None:
                return attrs.evolve(match, published=found, published_source=name)
        return match

    def _doubts(self, reference: Reference, match: Match) -> tuple[str, ...]:
        journals = self.sources[0]
        lister = getattr(journals, "journal_works", None)
        if lister is None or not needs_assessment(reference, match):
            return ()
        assert reference.container_title is not None and reference.year is not None
        try:
            works = lister(
                reference.container_title, reference.year, issn=journal_issn(reference, match)
            )
        except ServiceError:
            return ()
        return fabrication_evidence(reference, match, works)
