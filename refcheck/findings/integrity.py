"""Integrity findings: what has happened to a cited work since it was published.

Pure, like :mod:`refcheck.findings.compare`, which calls :func:`integrity_findings` for every
matched reference. It reads the work's update metadata (Crossref ``updated-by`` and ``update-to``,
publisher-deposited or from the Retraction Watch database that Crossref carries) and its
relations (``is-preprint-of``):

=====================  ========  ================================================================
code                   severity  meaning
=====================  ========  ================================================================
retracted              error     the work is retracted (or withdrawn, removed); names the notice
corrected              warning   a correction or erratum was published; names the notice's DOI
expression-of-concern  warning   the publisher has issued an expression of concern
reinstated             info      a retraction was reversed; names the notice
update-notice          warning   the citation points at a notice (retraction, erratum) rather
                                 than at the work it is about; info when the citation says so
published-version      info      a preprint that has since been published: the version to cite
=====================  ========  ================================================================

A record that names itself as its own ``new_version`` (PLOS does) is not a notice; a
retraction (or correction...) that names the work's own DOI still counts, as a notice without
a DOI of its own. The same
notice asserted by both the publisher and Retraction Watch gives one finding naming both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from refcheck.model import Finding, Reference, Severity, Update, Work

__all__ = ["RETRACTION_TYPES", "integrity_findings", "notice_kind"]

#: Update types that take a work out of the citable record.
RETRACTION_TYPES = frozenset({"retraction", "partial_retraction", "withdrawal", "removal"})
_CORRECTION_TYPES = frozenset({"correction", "erratum", "corrigendum", "addendum", "clarification"})
_CONCERN_TYPES = frozenset({"expression_of_concern", "expression-of-concern"})
_REINSTATEMENT_TYPES = frozenset({"reinstatement"})

_KINDS = {
    **{t: "retraction" for t in RETRACTION_TYPES},
    **{t: "correction" for t in _CORRECTION_TYPES},
    **{t: "expression of concern" for t in _CONCERN_TYPES},
    **{t: "reinstatement" for t in _REINSTATEMENT_TYPES},
}

# "Retraction: Grape Seed ...", "Correction to: ...", "Erratum", "Expression of Concern: ..."
_NOTICE_TITLE = re.compile(
    r"^\s*(?:notice of\s+)?(?:partial\s+)?(?:retraction|retracted|withdrawal|withdrawn|removal|"
    r"correction|corrigendum|erratum|errata|addendum|clarification|expression of concern)\b",
    re.IGNORECASE,
)


def notice_kind(update_type: str) -> str | None:
    """The kind of notice an update type is ("retraction", "correction", ...), or ``None``."""
    return _KINDS.get(update_type.lower().replace(" ", "_"))


def integrity_findings(reference: Reference, work: Work) -> list[Finding]:
    """The integrity findings about ``work``, the work ``reference`` matched."""
    findings: list[Finding] = []
    findings.extend(_notice_findings(reference, work))
    findings.extend(_update_findings(work))
    findings.extend(_version_findings(work))
    return findings


def _others(work: Work, updates: Iterable[Update]) -> list[Update]:
    """The updates that point at another work (not the record's own "new_version")."""
    own = work.doi.lower()
    return [u for u in updates if not (u.doi and u.doi.lower() == own)]


def _notices(work: Work) -> list[Update]:
    """The notices about ``work``. One that names the work's own DOI (a retraction in place,
    or a Retraction Watch entry without the notice's DOI) still counts, without a notice
    DOI; a record's own "new_version" does not (it is no notice)."""
    own = work.doi.lower()
    notices = []
    for update in work.updates:
        if update.doi and update.doi.lower() == own:
            if notice_kind(update.type) is None:
                continue
            update = Update(
                type=update.type,
                date=update.date,
                source=update.source,
                record_id=update.record_id,
                label=update.label,
            )
        notices.append(update)
    return notices


def _grouped(updates: list[Update]) -> list[list[Update]]:
    """Updates grouped by notice (same kind and DOI), in the order first seen."""
    groups: dict[tuple[str, str], list[Update]] = {}
    for update in updates:
        key = (notice_kind(update.type) or update.type, (update.doi or "").lower())
        groups.setdefault(key, []).append(update)
    return list(groups.values())


def _sources(group: list[Update]) -> str:
    """ "publisher, Retraction Watch record 45678" -> the parenthesised evidence."""
    shown: list[str] = []
    for update in group:
        if update.source == "retraction-watch":
            record = f" record {update.record_id}" if update.record_id else ""
            shown.append(f"Retraction Watch{record}")
        elif update.source:
            shown.append(update.source)
    unique = list(dict.fromkeys(shown))
    return f" (source: {', '.join(unique)})" if unique else ""


def _update_findings(work: Work) -> list[Finding]:
    findings: list[Finding] = []
    for group in _grouped(_notices(work)):
        first = group[0]
        kind = notice_kind(first.type)
        if kind is None:
            continue
        notice = f" by {first.doi}" if first.doi else ""
        dated = f" on {first.date}" if first.date else ""
        evidence = _sources(group)
        if kind == "retraction":
            verb = {"withdrawal": "withdrawn", "removal": "removed"}.get(first.type, "retracted")
            partly = "partially " if first.type == "partial_retraction" else ""
            findings.append(
                Finding(
                    "retracted",
                    Severity.ERROR,
                    f"the cited work was {partly}{verb}{notice}{dated}{evidence}",
                    field="doi",
                    cited=work.doi,
                    expected=first.doi,
                )
            )
        elif kind == "correction":
            label = (first.label or first.type).lower()
            findings.append(
                Finding(
                    "corrected",
                    Severity.WARNING,
                    f"a {label} to the cited work was published{dated}: "
                    f"{first.doi or 'notice without a DOI'}{evidence}",
                    field="doi",
                    cited=work.doi,
                    expected=first.doi,
                )
            )
        elif kind == "expression of concern":
            findings.append(
                Finding(
                    "expression-of-concern",
                    Severity.WARNING,
                    f"an expression of concern about the cited work was published{dated}: "
                    f"{first.doi or 'notice without a DOI'}{evidence}",
                    field="doi",
                    cited=work.doi,
                    expected=first.doi,
                )
            )
        else:
            findings.append(
                Finding(
                    "reinstated",
                    Severity.INFO,
                    f"the cited work was reinstated{notice}{dated}{evidence}",
                    field="doi",
                    cited=work.doi,
                    expected=first.doi,
                )
            )
    return findings


def _notice_findings(reference: Reference, work: Work) -> list[Finding]:
    """A citation of a notice: deliberate when its title says so, a likely slip otherwise."""
    targets = _others(work, work.update_to)
    findings: list[Finding] = []
    for group in _grouped(targets):
        first = group[0]
        kind = notice_kind(first.type)
        if kind is None or kind == "reinstatement":
            continue
        deliberate = bool(reference.title and _NOTICE_TITLE.match(reference.title))
        about = first.doi or "another work"
        if deliberate:
            message = f"cites the {kind} notice about {about}"
        else:
            message = (
                f"the cited DOI is the {kind} notice about {about}, not that work; "
                f"cite {about} (and the notice, if the {kind} is the point)"
            )
        findings.append(
            Finding(
                "update-notice",
                Severity.INFO if deliberate else Severity.WARNING,
                message,
                field="doi",
                cited=work.doi,
                expected=None if deliberate else first.doi,
            )
        )
    return findings


def _version_findings(work: Work) -> list[Finding]:
    """A preprint whose published version exists: the version to cite."""
    published = [
        r.id
        for r in work.relations
        if r.type == "is-preprint-of" and r.id.lower() != work.doi.lower()
    ]
    published = list(dict.fromkeys(published))
    if not published:
        return []
    versions = ", ".join(published)
    return [
        Finding(
            "published-version",
            Severity.INFO,
            f"the cited work is a preprint; its published version is {versions}: cite that",
            field="doi",
            cited=work.doi,
            expected=published[0],
        )
    ]
