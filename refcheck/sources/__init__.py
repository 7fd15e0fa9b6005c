"""The fourth step: ``Reference -> resolve -> Match(Work)``.

Takes a reference; gives a :class:`~refcheck.model.Match`: the work it cites (validated
against the citation), or why none was chosen. :class:`~refcheck.sources.resolve.Resolver`
asks one :class:`WorkSource` (look up the cited arXiv identifier and DOI, else search, then
validate every candidate and choose the version cited, never a look-alike:
:mod:`~refcheck.sources.versions`); :class:`~refcheck.sources.chain.SourceChain` routes each
reference to the sources that suit it (:func:`~refcheck.sources.chain.route`), asks them in
order, names a matched preprint's published version, and adds the evidence that an unresolved
reference may not exist (:mod:`~refcheck.sources.existence`). One module per service, each only that
service's URLs and converter: :mod:`~refcheck.sources.crossref`,
:mod:`~refcheck.sources.arxiv`, :mod:`~refcheck.sources.dblp`,
:mod:`~refcheck.sources.semanticscholar`, :mod:`~refcheck.sources.pubmed`,
:mod:`~refcheck.sources.openalex`, :mod:`~refcheck.sources.datacite`,
:mod:`~refcheck.sources.habanero`; the HTTP machinery they share is
:mod:`refcheck.sources.http`. Only this subpackage talks to the network.
"""

from refcheck.sources.chain import (
    DEFAULT_SOURCES,
    SOURCE_ORDER,
    SourceChain,
    open_fallbacks,
    parse_sources,
    route,
)
from refcheck.sources.resolve import Resolver, WorkSource

__all__ = [
    "DEFAULT_SOURCES",
    "SOURCE_ORDER",
    "Resolver",
    "SourceChain",
    "WorkSource",
    "open_fallbacks",
    "parse_sources",
    "route",
]
