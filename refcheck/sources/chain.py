"""Resolve against several bibliographic sources, in a fixed order.

:class:`SourceChain` asks Crossref first (through a :class:`~refcheck.sources.resolve.Resolver`),
and only when Crossref leaves a reference *unresolved* asks the next source, and so on: PubMed,
OpenAlex, DataCite (:data:`SOURCE_ORDER`). The first source that matches wins, and the match
says which source it was (``Match.source``). An ambiguous or unchecked answer from Crossref
stops the chain: it is not "Crossref has no such work".

When every source leaves the reference unresolved, and the first source can list a journal's
works (:class:`~refcheck.sources.existence.JournalSource`, as Crossref can), the chain asks for the
cited journal's works of the cited year, once per such reference (cached like every request),
and attaches the evidence that the reference may be fabricated (``Match.doubts``; see
:mod:`refcheck.sources.existence`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

import attrs

from refcheck.errors import ConfigError, ServiceError
from refcheck.model import Match, MatchStatus, Reference
from refcheck.sources.crossref import CrossrefSettings
from refcheck.sources.datacite import DataCiteClient
from refcheck.sources.existence import fabrication_evidence, journal_issn, needs_assessment
from refcheck.sources.http.service import SourceSettings
from refcheck.sources.http.service import check_base_url as _checked_base_url
from refcheck.sources.openalex import OpenAlexClient
from refcheck.sources.pubmed import PubMedClient
from refcheck.sources.resolve import Resolver, WorkSource

__all__ = [
    "BASE_URL_VARIABLES",
    "SOURCE_ORDER",
    "SourceChain",
    "SourceSettings",
    "base_urls_from_env",
    "open_fallbacks",
    "parse_sources",
    "source_name",
]

#: The order in which sources are asked; Crossref is always first.
SOURCE_ORDER = ("crossref", "pubmed", "openalex", "datacite")

#: The variables that set the base URLs of the sources after Crossref, as ``REFCHECK_BASE_URL``
#: sets Crossref's.
BASE_URL_VARIABLES: Mapping[str, str] = {
    "pubmed": "REFCHECK_PUBMED_BASE_URL",
    "openalex": "REFCHECK_OPENALEX_BASE_URL",
    "datacite": "REFCHECK_DATACITE_BASE_URL",
}


def parse_sources(text: str | Sequence[str]) -> tuple[str, ...]:
    """ "crossref,pubmed" -> ("crossref", "pubmed"), in :data:`SOURCE_ORDER` whatever the order
    given; :class:`~refcheck.errors.ConfigError` for an unknown name or without Crossref."""
    names = text.split(",") if isinstance(text, str) else list(text)
    wanted = {n.strip().lower() for n in names if n.strip()}
    unknown = sorted(wanted - set(SOURCE_ORDER))
    if unknown:
        raise ConfigError(
            f"sources: expected names among {', '.join(SOURCE_ORDER)}, found {unknown[0]!r}"
        )
    if "crossref" not in wanted:
        raise ConfigError(f"sources: Crossref is always asked first; found {sorted(wanted)}")
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
    """The base URLs of the sources after Crossref, by name: ``overrides``
    (``pubmed="https://..."``; ``None`` sets nothing), then ``REFCHECK_PUBMED_BASE_URL``,
    ``REFCHECK_OPENALEX_BASE_URL``, ``REFCHECK_DATACITE_BASE_URL``. A source without one asks
    its public API.

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


def open_fallbacks(
    names: Sequence[str],
    settings: CrossrefSettings,
    *,
    ncbi_api_key: str | None = None,
    base_urls: Mapping[str, str] | None = None,
) -> list[PubMedClient | OpenAlexClient | DataCiteClient]:
    """Clients of the sources after Crossref among ``names``, with Crossref's mailto, timeout,
    cache directory, offline mode and retries, each at its URL in ``base_urls`` (by name, see
    :func:`base_urls_from_env`) or else at its public API. The caller closes them."""
    urls = dict(base_urls or {})
    _unknown_base_url_names(urls)
    common = SourceSettings.from_crossref(settings)
    clients: list[PubMedClient | OpenAlexClient | DataCiteClient] = []
    for name in parse_sources(names):
        own = attrs.evolve(common, base_url=urls.get(name))
        if name == "pubmed":
            clients.append(PubMedClient(own, api_key=ncbi_api_key))
        elif name == "openalex":
            clients.append(OpenAlexClient(own))
        elif name == "datacite":
            clients.append(DataCiteClient(own))
    return clients


def source_name(source: WorkSource) -> str | None:
    """The ``name`` a source declares ("crossref", "pubmed"...), or ``None``."""
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else None


def _tuple(sources: Iterable[WorkSource]) -> tuple[WorkSource, ...]:
    return tuple(sources)


@attrs.frozen
class SourceChain:
    """Resolve with ``sources[0]``, then each next source while the reference is unresolved.

    ``assess`` turns the existence check off (it costs one request per unresolved reference
    that has a journal, a year and a volume or DOI). ``threshold`` is each resolver's
    validation threshold (``None``: :attr:`Resolver.threshold
    <refcheck.sources.resolve.Resolver.threshold>`).
    """

    sources: tuple[WorkSource, ...] = attrs.field(converter=_tuple)
    assess: bool = True
    threshold: float | None = None

    @sources.validator
    def _not_empty(self, attribute: attrs.Attribute[object], value: Sequence[WorkSource]) -> None:
        if not value:
            raise ValueError("SourceChain: expected at least one source, found none")

    def resolve(self, reference: Reference) -> Match:
        """The first source's match, or the first later source's match when it is unresolved."""
        first = self._resolve(self.sources[0], reference)
        if first.status is not MatchStatus.UNRESOLVED:
            return first
        asked = [source_name(self.sources[0]) or "source 1"]
        unchecked: list[str] = []
        for index, source in enumerate(self.sources[1:], 2):
            name = source_name(source) or f"source {index}"
            match = self._resolve(source, reference)
            if match.status is MatchStatus.MATCHED:
                doi_status = match.doi_status or first.doi_status
                return attrs.evolve(
                    match,
                    doi_status=doi_status,
                    doi_work=match.doi_work or first.doi_work,
                    asked=(*asked, name),
                )
            if match.status is MatchStatus.UNCHECKED:
                unchecked.append(f"{name}: {match.reason}")
            else:
                asked.append(name)
        reason = first.reason or "no candidate agrees with the reference"
        if len(self.sources) > 1:
            reason += f" (asked {', '.join(asked)})"
        if unchecked:
            reason += f"; not asked: {'; '.join(unchecked)}"
        result = attrs.evolve(first, reason=reason, asked=tuple(asked))
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

    def _resolve(self, source: WorkSource, reference: Reference) -> Match:
        resolver = (
            Resolver(source)
            if self.threshold is None
            else Resolver(source, threshold=self.threshold)
        )
        match = resolver.resolve(reference)
        return attrs.evolve(match, source=source_name(source)) if match.source is None else match

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
