"""refcheck: check the references of scholarly manuscripts against Crossref.

The data flow, one module per step::

    text -> extract -> Citation -> parse -> Reference -> resolve -> Match(Work)
         -> compare -> Finding -> report (text, JSON, GitHub, GitLab, JUnit, SARIF) / BibTeX

Typical use::

    import refcheck

    report = refcheck.check_file("manuscript.md")
    for finding in report.all_findings:
        print(finding.code, finding.message)

    reference = refcheck.parse_citation(
        "Mehta P, Cron RQ. Title. Lancet Rheumatol 2020; 2: e358-67."
    )
    match = refcheck.resolve_reference(reference)
"""

from refcheck._version import __version__
from refcheck.check import check_file, check_files, check_text, resolve_reference
from refcheck.errors import (
    CacheError,
    ConfigError,
    ExportError,
    NotCached,
    ParseError,
    RefcheckError,
    ServiceError,
    ServiceResponseError,
    ServiceUnavailable,
    ServiceUnreachable,
)
from refcheck.findings import compare
from refcheck.model import (
    Author,
    Candidate,
    CheckedReference,
    Citation,
    Finding,
    IgnoredReference,
    Location,
    Match,
    MatchStatus,
    Reference,
    ReferenceStatus,
    Relation,
    Report,
    Severity,
    Update,
    Work,
)
from refcheck.output.bibtex import to_bibtex, write_bibtex
from refcheck.output.formats import format_github, format_gitlab, format_junit, format_sarif
from refcheck.output.report import format_json, format_text, report_to_dict
from refcheck.parsing import parse_citation, parse_citations
from refcheck.readers import read_manuscript
from refcheck.readers.text import Manuscript, extract_citations
from refcheck.sources.chain import SourceChain
from refcheck.sources.crossref import CrossrefClient, CrossrefSettings, work_from_crossref
from refcheck.sources.datacite import DataCiteClient
from refcheck.sources.http.limits import Limits
from refcheck.sources.http.retry import RetryPolicy
from refcheck.sources.http.service import SourceSettings
from refcheck.sources.openalex import OpenAlexClient
from refcheck.sources.pubmed import PubMedClient
from refcheck.sources.resolve import Resolver, WorkSource
from refcheck.sources.snapshot import SnapshotSource

__all__ = [
    "Author",
    "CacheError",
    "Candidate",
    "CheckedReference",
    "Citation",
    "ConfigError",
    "CrossrefClient",
    "CrossrefSettings",
    "DataCiteClient",
    "ExportError",
    "Finding",
    "IgnoredReference",
    "Limits",
    "Location",
    "Manuscript",
    "Match",
    "MatchStatus",
    "NotCached",
    "OpenAlexClient",
    "ParseError",
    "PubMedClient",
    "RefcheckError",
    "Reference",
    "ReferenceStatus",
    "Relation",
    "Report",
    "Resolver",
    "RetryPolicy",
    "ServiceError",
    "ServiceResponseError",
    "ServiceUnavailable",
    "ServiceUnreachable",
    "Severity",
    "SnapshotSource",
    "SourceChain",
    "SourceSettings",
    "Update",
    "Work",
    "WorkSource",
    "__version__",
    "check_file",
    "check_files",
    "check_text",
    "compare",
    "extract_citations",
    "format_github",
    "format_gitlab",
    "format_json",
    "format_junit",
    "format_sarif",
    "format_text",
    "parse_citation",
    "parse_citations",
    "read_manuscript",
    "report_to_dict",
    "resolve_reference",
    "to_bibtex",
    "work_from_crossref",
    "write_bibtex",
]
