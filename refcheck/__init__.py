"""refcheck: check the references of scholarly manuscripts against Crossref.

The data flow, one module per step::

    text -> extract -> Citation -> parse -> Reference -> resolve -> Match(Work)
         -> compare -> Finding -> report (text, JSON)

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
from refcheck.check import check_file, check_files, check_text, read_manuscript, resolve_reference
from refcheck.compare import compare
from refcheck.crossref import CrossrefClient, CrossrefSettings, work_from_crossref
from refcheck.errors import (
    CacheError,
    ConfigError,
    NotCached,
    ParseError,
    RefcheckError,
    ServiceError,
    ServiceResponseError,
    ServiceUnavailable,
)
from refcheck.extract import Manuscript, extract_citations
from refcheck.limits import Limits
from refcheck.model import (
    Author,
    Candidate,
    CheckedReference,
    Citation,
    Finding,
    Location,
    Match,
    MatchStatus,
    Reference,
    ReferenceStatus,
    Report,
    Severity,
    Update,
    Work,
)
from refcheck.parse import parse_citation
from refcheck.report import format_json, format_text, report_to_dict
from refcheck.resolve import Resolver, WorkSource
from refcheck.retry import RetryPolicy

__all__ = [
    "Author",
    "CacheError",
    "Candidate",
    "CheckedReference",
    "Citation",
    "ConfigError",
    "CrossrefClient",
    "CrossrefSettings",
    "Finding",
    "Limits",
    "Location",
    "Manuscript",
    "Match",
    "MatchStatus",
    "NotCached",
    "ParseError",
    "RefcheckError",
    "Reference",
    "ReferenceStatus",
    "Report",
    "Resolver",
    "RetryPolicy",
    "ServiceError",
    "ServiceResponseError",
    "ServiceUnavailable",
    "Severity",
    "Update",
    "Work",
    "WorkSource",
    "__version__",
    "check_file",
    "check_files",
    "check_text",
    "compare",
    "extract_citations",
    "format_json",
    "format_text",
    "parse_citation",
    "read_manuscript",
    "report_to_dict",
    "resolve_reference",
    "work_from_crossref",
]
