"""Compare a reference with the work it matched, field by field.

This step is pure: ``compare(reference, match)`` returns the findings. How alike two fields
are is judged by :mod:`refcheck.similarity`, as the resolver judges them.

Finding codes (stable; see ``docs/findings.md``):

=================  ========  ======================================================
code               severity  meaning
=================  ========  ======================================================
author-spelling    error     a surname differs by a few letters ("Sinforio"/"Sinflorio")
author-mismatch    error     an author is not the record's author at that place
author-order       warning   an author of the work is cited at another place
author-initials    warning   initials dropped or different ("Cron R"/"Cron RQ")
author-missing     warning   fewer authors than the record, and no "et al"
author-extra       error     more authors than the record
title-mismatch     error     a title word misspelled, or most words differ
title-differs      warning   words added, dropped or reordered
journal-mismatch   warning   the journal is not the record's, nor an abbreviation of it
year-mismatch      error     a year that is neither the online nor the print year
volume-mismatch    error     the volume differs
issue-mismatch     warning   the issue differs
pages-mismatch     error     the first or last page differs
pages-suffix       info      the last page lacks the record's suffix ("1000"/"1000.e3")
now-published      info      cited as online-first; the record now has volume and pages
retracted          error     the work is retracted, withdrawn or removed (names the notice)
corrected          warning   a correction or erratum was published (names the notice's DOI)
expression-of-c... warning   an expression of concern was published (``expression-of-concern``)
reinstated         info      a retraction was reversed
update-notice      warning   the citation is of a notice, not the work; info when it says so
published-version  info      the work is a preprint with a published version to cite
doi-not-found      error     the cited DOI does not exist on Crossref
doi-mismatch       error     the cited DOI belongs to another work
unresolved         warning   no work on Crossref (or the other sources asked) agrees
preprint-only      warning   a journal citation of which only the preprint agrees (names
                             the published DOI when the preprint links to it)
may-be-fabricated  warning   unresolved, and its parts contradict the journal's records
ambiguous          warning   several works agree equally well
not-checked        warning   refcheck could not ask (offline, network failure)
=================  ========  ======================================================

The integrity codes come from :func:`refcheck.findings.integrity.integrity_findings` (see there).
"""

from __future__ import annotations

import difflib
import re

from rapidfuzz import fuzz

from refcheck.findings.integrity import integrity_findings
from refcheck.model import (
    Author,
    Finding,
    Match,
    MatchStatus,
    Reference,
    Severity,
    Work,
)
from refcheck.parsing.normalize import fold
from refcheck.similarity import container_matches, same_family

__all__ = ["compare", "compare_fields"]

_ERROR, _WARNING, _INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
_TOKEN = re.compile(r"[^\W_]+")
_SPELLING_RATIO = 70.0  # a surname this similar to the record's is a misspelling of it


def compare(reference: Reference, match: Match) -> tuple[Finding, ...]:
    """Everything that differs between ``reference`` and what it resolved to."""
    findings: list[Finding] = []
    if match.doi_status == "not-found" and reference.doi:
        findings.append(
            Finding(
                "doi-not-found",
                _ERROR,
                f"DOI {reference.doi} does not exist on Crossref",
                field="doi",
                cited=reference.doi,
                expected=match.doi,
            )
        )
    elif match.doi_status == "other-work" and reference.doi:
        other = match.doi_work
        about = f': it is "{other.title}"' if other is not None and other.title else ""
        findings.append(
            Finding(
                "doi-mismatch",
                _ERROR,
                f"DOI {reference.doi} belongs to another work{about}",
                field="doi",
                cited=reference.doi,
                expected=match.doi,
            )
        )
    if match.status is MatchStatus.MATCHED and match.work is not None:
        findings.extend(compare_fields(reference, match.work))
        findings.extend(integrity_findings(reference, match.work))
    elif match.status is MatchStatus.AMBIGUOUS:
        dois = ", ".join(c.work.doi or f"PMID {c.work.pmid}" for c in match.candidates[:3])
        where = _SERVICE_NAMES.get(match.source or "crossref", match.source or "Crossref")
        findings.append(
            Finding(
                "ambiguous",
                _WARNING,
                f"several works on {where} agree equally well: {dois}",
            )
        )
    elif match.status is MatchStatus.UNRESOLVED and match.version is not None:
        findings.append(_only_other_version(match.version))
    elif match.status is MatchStatus.UNRESOLVED:
        nearest = ""
        if match.candidates and match.candidates[0].score >= 0.5:
            best = match.candidates[0]
            nearest = f' (nearest: {best.work.doi}, "{best.work.title}", score {best.score:.2f})'
        findings.append(
            Finding(
                "unresolved",
                _WARNING,
                f"no work on {_services(match)} agrees with this reference{nearest}",
            )
        )
        if match.doubts:
            findings.append(
                Finding(
                    "may-be-fabricated",
                    _WARNING,
                    "this reference may not exist: " + "; ".join(match.doubts),
                )
            )
    elif match.status is MatchStatus.UNCHECKED:
        findings.append(
            Finding("not-checked", _WARNING, f"not checked ({match.reason or 'unknown reason'})")
        )
    return tuple(findings)


def _only_other_version(version: Work) -> Finding:
    """A journal citation of which only the preprint agrees: not verified, no year error."""
    published = [
        r.id
        for r in version.relations
        if r.type == "is-preprint-of" and r.id.lower() != version.doi.lower()
    ]
    posted = f", posted {version.issued[:4]}" if version.issued else ""
    known = (
        f"published DOI {published[0]}"
        if published
        else "its published version is not linked to it"
    )
    return Finding(
        "preprint-only",
        _WARNING,
        f"cites the published version of a preprint; refcheck found only the preprint "
        f"({version.doi}{posted}), whose title and authors agree; {known}",
        field="doi",
        cited=None,
        expected=published[0] if published else None,
    )


_SERVICE_NAMES = {
    "crossref": "Crossref",
    "pubmed": "PubMed",
    "openalex": "OpenAlex",
    "datacite": "DataCite",
}


def _services(match: Match) -> str:
    """ "Crossref", or "Crossref, PubMed or OpenAlex" when a chain asked several sources."""
    names = [_SERVICE_NAMES.get(n, n) for n in match.asked] or ["Crossref"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def compare_fields(reference: Reference, work: Work) -> list[Finding]:
    """The field-by-field differences between a reference and its work."""
    findings: list[Finding] = []
    findings.extend(_compare_authors(reference, work))
    findings.extend(_compare_title(reference, work))
    findings.extend(_compare_container(reference, work))
    findings.extend(_compare_year(reference, work))
    findings.extend(_compare_numbers(reference, work))
    return findings


# --- authors -------------------------------------------------------------------------------


def _show(author: Author) -> str:
    return str(author)


def _record_display(author: Author) -> str:
    return f"{author.family} {author.initials}".strip()


def _compare_authors(reference: Reference, work: Work) -> list[Finding]:
    cited = [a for a in reference.authors if not a.organisation]
    recorded = [a for a in work.authors if not a.organisation]
    if not cited or not recorded:
        return []
    findings: list[Finding] = []
    for index, author in enumerate(cited):
        place = index + 1
        if index >= len(recorded):
            findings.append(
                Finding(
                    "author-extra",
                    _ERROR,
                    f'author {place} "{_show(author)}" is not among the record\'s '
                    f"{len(recorded)} authors",
                    field="author",
                    cited=_show(author),
                )
            )
            continue
        record_author = recorded[index]
        if same_family(author.family, record_author.family):
            findings.extend(_compare_initials(place, author, record_author))
            continue
        elsewhere = next(
            (j for j, r in enumerate(recorded) if same_family(author.family, r.family)), None
        )
        if elsewhere is not None:
            findings.append(
                Finding(
                    "author-order",
                    _WARNING,
                    f'author {place} "{_show(author)}" is author {elsewhere + 1} in the record',
                    field="author",
                    cited=_show(author),
                    expected=_record_display(record_author),
                )
            )
        elif fuzz.ratio(fold(author.family), fold(record_author.family)) >= _SPELLING_RATIO:
            findings.append(
                Finding(
                    "author-spelling",
                    _ERROR,
                    f'author {place} "{author.family}" is spelled "{record_author.family}" '
                    "in the record",
                    field="author",
                    cited=_show(author),
                    expected=_record_display(record_author),
                )
            )
        else:
            findings.append(
                Finding(
                    "author-mismatch",
                    _ERROR,
                    f'author {place} "{_show(author)}" is "{_record_display(record_author)}" '
                    "in the record",
                    field="author",
                    cited=_show(author),
                    expected=_record_display(record_author),
                )
            )
    if not reference.et_al and len(cited) < len(recorded):
        missing = ", ".join(_record_display(a) for a in recorded[len(cited) : len(cited) + 3])
        more = ", ..." if len(recorded) - len(cited) > 3 else ""
        findings.append(
            Finding(
                "author-missing",
                _WARNING,
                f'{len(cited)} authors cited without "et al"; the record has {len(recorded)} '
                f"(missing {missing}{more})",
                field="author",
                cited=str(len(cited)),
                expected=str(len(recorded)),
            )
        )
    return findings


def _compare_initials(place: int, cited: Author, recorded: Author) -> list[Finding]:
    mine, theirs = cited.initials, recorded.initials
    if not mine or not theirs or mine == theirs or mine.startswith(theirs):
        # Records often lack middle initials; more initials cited than recorded is no error.
        return []
    what = "lacks initials" if theirs.startswith(mine) else "has other initials"
    return [
        Finding(
            "author-initials",
            _WARNING,
            f'author {place} "{cited.family} {mine}" {what}: the record has '
            f'"{recorded.family} {theirs}"',
            field="author",
            cited=f"{cited.family} {mine}",
            expected=f"{recorded.family} {theirs}",
        )
    ]


# --- title ---------------------------------------------------------------------------------


def _tokens(text: str) -> list[tuple[str, str, int, int]]:
    """(folded, as printed, start, end) for each word of a title."""
    return [(fold(m.group()), m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _span(text: str, tokens: list[tuple[str, str, int, int]]) -> str:
    """The text a run of tokens covers, punctuation inside it included: "GM-CSF"."""
    return text[tokens[0][2] : tokens[-1][3]] if tokens else ""


def _changes(cited: list[str], recorded: list[str]) -> list[tuple[int, int, int, int]]:
    """Word-level differences, merging changes that only one or two words separate, so that a
    reordering reads as one change ("opportunities and challenges" for "challenges and ...")."""
    matcher = difflib.SequenceMatcher(a=cited, b=recorded, autojunk=False)
    merged: list[tuple[int, int, int, int]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if merged:
            p1, p2, q1, q2 = merged[-1]
            if i1 - p2 <= 2 and j1 - q2 <= 2:
                merged[-1] = (p1, i2, q1, j2)
                continue
        merged.append((i1, i2, j1, j2))
    return merged


def _compare_title(reference: Reference, work: Work) -> list[Finding]:
    if not reference.title or not work.title:
        return []
    full = _join_title(work) or work.title
    cited = _tokens(reference.title)
    cited_words = [t[0] for t in cited]
    options = [work.title] if full == work.title else [work.title, full]
    if any(cited_words == [t[0] for t in _tokens(title)] for title in options):
        return []
    # Compare with the title or title+subtitle, whichever the citation is closer to in length.
    expected = min(options, key=lambda t: abs(len(_tokens(t)) - len(cited)))
    recorded = _tokens(expected)
    recorded_words = [t[0] for t in recorded]
    changes: list[str] = []
    typo = False
    for i1, i2, j1, j2 in _changes(cited_words, recorded_words):
        mine = _span(reference.title, cited[i1:i2])
        theirs = _span(expected, recorded[j1:j2])
        if mine and theirs:
            one_word = i2 - i1 == 1 and j2 - j1 == 1
            if one_word and fuzz.ratio(cited_words[i1], recorded_words[j1]) >= 60:
                typo = True
            changes.append(f'"{mine}" for "{theirs}"')
        elif mine:
            changes.append(f'"{mine}" added')
        else:
            changes.append(f'"{theirs}" missing')
    similarity = difflib.SequenceMatcher(a=cited_words, b=recorded_words, autojunk=False).ratio()
    severity = _ERROR if typo or similarity < 0.8 else _WARNING
    code = "title-mismatch" if severity is _ERROR else "title-differs"
    listed = "; ".join(changes[:4]) + ("; ..." if len(changes) > 4 else "")
    return [
        Finding(
            code,
            severity,
            f"title differs from the record: {listed}",
            field="title",
            cited=reference.title,
            expected=expected,
        )
    ]


def _join_title(work: Work) -> str | None:
    return f"{work.title}: {work.subtitle}" if work.subtitle else work.title


# --- journal -------------------------------------------------------------------------------


def _compare_container(reference: Reference, work: Work) -> list[Finding]:
    if not reference.container_title or not work.container_titles:
        return []
    if container_matches(reference.container_title, work.container_titles):
        return []
    expected = work.short_container_title or work.container_title
    return [
        Finding(
            "journal-mismatch",
            _WARNING,
            f'journal "{reference.container_title}" is "{work.container_title}" in the record',
            field="container_title",
            cited=reference.container_title,
            expected=expected,
        )
    ]


# --- year, volume, issue, pages --------------------------------------------------------------


def _compare_year(reference: Reference, work: Work) -> list[Finding]:
    if not reference.year or not work.years:
        return []
    cited = reference.year[:4]
    if cited in work.years:
        return []
    dates = (
        ", ".join(
            f"{label} {date[:4]}"
            for label, date in (("online", work.published_online), ("print", work.published_print))
            if date
        )
        or f"issued {work.years[0]}"
    )
    return [
        Finding(
            "year-mismatch",
            _ERROR,
            f"year {cited} is not the record's ({dates})",
            field="year",
            cited=cited,
            expected=work.year,
        )
    ]


def _same_number(a: str, b: str) -> bool:
    return fold(a).lstrip("0") == fold(b).lstrip("0")


def _compare_numbers(reference: Reference, work: Work) -> list[Finding]:
    findings: list[Finding] = []
    if reference.volume and work.volume and not _same_number(reference.volume, work.volume):
        findings.append(
            Finding(
                "volume-mismatch",
                _ERROR,
                f'volume "{reference.volume}" is "{work.volume}" in the record',
                field="volume",
                cited=reference.volume,
                expected=work.volume,
            )
        )
    if reference.issue and work.issue and not _same_number(reference.issue, work.issue):
        findings.append(
            Finding(
                "issue-mismatch",
                _WARNING,
                f'issue "{reference.issue}" is "{work.issue}" in the record',
                field="issue",
                cited=reference.issue,
                expected=work.issue,
            )
        )
    findings.extend(_compare_pages(reference, work))
    online_first = reference.published_online is not None or reference.doi is not None
    if (
        online_first
        and not reference.volume
        and not reference.first_page
        and work.volume
        and (work.first_page or work.article_number)
    ):
        issue = f"({work.issue})" if work.issue else ""
        published = f"{work.volume}{issue}: {work.pages}"
        year = f" ({work.published_print[:4]})" if work.published_print else ""
        findings.append(
            Finding(
                "now-published",
                _INFO,
                f"cited as online-first; it has since been published in volume {published}{year}",
                field="volume",
                cited=reference.published_online or None,
                expected=published,
            )
        )
    return findings


def _compare_pages(reference: Reference, work: Work) -> list[Finding]:
    first = work.first_page or work.article_number
    if not reference.first_page or not first:
        return []
    cited_range = reference.pages or reference.first_page
    first_ok = _same_number(reference.first_page, first) or (
        work.article_number is not None and _same_number(reference.first_page, work.article_number)
    )
    if not first_ok:
        return [_pages_finding(reference, work, cited_range)]
    mine, theirs = reference.last_page, work.last_page
    if not mine or not theirs or _same_number(mine, theirs):
        return []
    if fold(theirs).startswith(fold(mine) + "."):
        return [
            Finding(
                "pages-suffix",
                _INFO,
                f'last page "{mine}" is "{theirs}" in the record',
                field="pages",
                cited=cited_range,
                expected=work.pages,
            )
        ]
    return [_pages_finding(reference, work, cited_range)]


def _pages_finding(reference: Reference, work: Work, cited_range: str) -> Finding:
    expanded = reference.first_page
    if reference.last_page:
        expanded = f"{reference.first_page}-{reference.last_page}"
    shown = cited_range if cited_range == expanded else f"{cited_range}, i.e. {expanded}"
    return Finding(
        "pages-mismatch",
        _ERROR,
        f'pages "{shown}" are "{work.pages}" in the record',
        field="pages",
        cited=cited_range,
        expected=work.pages,
    )
