"""Compare a reference with the work it matched, field by field.

This step is pure: ``compare(reference, match)`` returns the findings. How alike two fields
are is judged by :mod:`refcheck.similarity`, as the resolver judges them.

Finding codes (stable; see ``docs/findings.md``, which states the severity policy: an error
is what makes a reader fail to find the work or find another one, a warning what is
incomplete or inconsistent, info a matter of style). An error needs evidence: a parse that
is unsure of a name gives a warning, and a citation that can be read to agree with the record
(the record's surname or year printed where the parse did not look) gives nothing.

==================  ========  =====================================================
code                severity  meaning
==================  ========  =====================================================
author-spelling     error     a surname differs by a few letters ("Sinforio"/"Sinflorio")
author-mismatch     error     an author is not the record's author at that place
author-order        warning   an author of the work is cited at another place
author-initials     warning   initials dropped or different ("Cron R"/"Cron RQ")
author-missing      warning   fewer authors than the record, and no "et al"
author-extra        warning   more authors than the record
title-mismatch      error     a title word misspelled, or most words differ
title-differs       warning   words added, dropped or reordered
journal-mismatch    warning   the journal is not the record's, nor an abbreviation of it
year-mismatch       error     a year that is neither the online nor the print year
volume-mismatch     error     the volume differs
issue-mismatch      warning   the issue differs
pages-mismatch      error     the first page (or article number) differs
last-page-mismatch  warning   the last page differs
pages-suffix        info      the last page lacks the record's suffix ("1000"/"1000.e3")
pages-abbreviated   info      the last page abbreviated too far ("1–3" for "1–13")
now-published       info      cited as online-first; the record now has volume and pages
retracted           error     the work is retracted, withdrawn or removed (names the notice)
corrected           warning   a correction or erratum was published (names the notice's DOI)
expression-of-c...  warning   an expression of concern was published (``expression-of-concern``)
reinstated          info      a retraction was reversed
update-notice       warning   the citation is of a notice, not the work; info when it says so
published-version   info      the work is a preprint with a published version to cite
doi-not-found       error     the cited DOI does not exist on Crossref (or DataCite)
doi-mismatch        error     the cited DOI belongs to another work
arxiv-not-found     error     the cited arXiv identifier does not exist on arXiv
arxiv-mismatch      error     the cited arXiv identifier belongs to another paper
unresolved          warning   no work on Crossref (or the other sources asked) agrees
preprint-only       warning   a journal citation of which only the preprint agrees (names
                              the published DOI when the preprint links to it)
may-be-fabricated   warning   unresolved, and its parts contradict the journal's records
ambiguous           warning   several works agree equally well
not-checked         warning   refcheck could not ask (offline, network failure)
==================  ========  =====================================================

The integrity codes come from :func:`refcheck.findings.integrity.integrity_findings` (see there).
"""

from __future__ import annotations

import difflib
import re

import attrs
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
from refcheck.parsing.citation import clean_citation
from refcheck.parsing.names import PARTICLES, initial_readings
from refcheck.parsing.normalize import fold, name_keys
from refcheck.similarity import (
    container_matches,
    printed,
    printed_times,
    same_family,
    same_person,
)
from refcheck.sources.versions import published_dois

__all__ = ["compare", "compare_fields"]

_ERROR, _WARNING, _INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
_TOKEN = re.compile(r"[^\W_]+")
_SPELLING_RATIO = 70.0  # a surname this similar to the record's is a misspelling of it


def compare(reference: Reference, match: Match) -> tuple[Finding, ...]:
    """Everything that differs between ``reference`` and what it resolved to; each finding
    names the source whose record it rests on (``Finding.source``)."""
    findings = _compare(reference, match)
    return tuple(
        f if f.source is not None else attrs.evolve(f, source=_finding_source(f, match))
        for f in findings
    )


def _finding_source(finding: Finding, match: Match) -> str | None:
    if finding.code in ("doi-not-found", "doi-mismatch"):
        return (match.doi_source or "crossref").split(",")[0]
    if finding.code in ("arxiv-not-found", "arxiv-mismatch"):
        return "arxiv"
    if finding.code in ("unresolved", "may-be-fabricated") and match.asked:
        return ",".join(match.asked)
    return match.source or "crossref"


def _work_id(work: Work) -> str:
    """A work's identifier for a message: its DOI, else PMID, arXiv id or service key."""
    if work.doi:
        return work.doi
    if work.pmid:
        return f"PMID {work.pmid}"
    if work.arxiv_id:
        return f"arXiv:{work.arxiv_id}"
    return work.key or "(no identifier)"


def _registries(match: Match) -> str:
    names = (match.doi_source or "crossref").split(",")
    return " or ".join(_SERVICE_NAMES.get(n, n) for n in names if n)


def _arxiv_findings(reference: Reference, match: Match) -> list[Finding]:
    if match.arxiv_status == "not-found" and reference.arxiv_id:
        return [
            Finding(
                "arxiv-not-found",
                _ERROR,
                f"arXiv identifier {reference.arxiv_id} does not exist on arXiv",
                field="arxiv_id",
                cited=reference.arxiv_id,
                expected=match.work.arxiv_id if match.work is not None else None,
            )
        ]
    if match.arxiv_status == "other-work" and reference.arxiv_id:
        other = match.arxiv_work
        about = f': it is "{other.title}"' if other is not None and other.title else ""
        return [
            Finding(
                "arxiv-mismatch",
                _ERROR,
                f"arXiv identifier {reference.arxiv_id} belongs to another paper{about}",
                field="arxiv_id",
                cited=reference.arxiv_id,
                expected=match.work.arxiv_id if match.work is not None else None,
            )
        ]
    return []


def _published_finding(match: Match) -> list[Finding]:
    """A matched preprint's published version (``Match.published``), with venue and year."""
    published, work = match.published, match.work
    if published is None or work is None:
        return []
    where = ", ".join(p for p in (published.container_title, published.year) if p)
    ident = f" ({published.doi})" if published.doi else ""
    origin = _SERVICE_NAMES.get(match.published_source or "", match.published_source or "")
    said = f" (according to {origin})" if origin else ""
    return [
        Finding(
            "published-version",
            _INFO,
            f"the cited work is a preprint; it was published in {where or 'a venue'}"
            f"{ident}{said}: cite that",
            field="doi",
            cited=work.doi or None,
            expected=published.doi or where or None,
            source=match.published_source,
        )
    ]


def _compare(reference: Reference, match: Match) -> list[Finding]:
    findings: list[Finding] = []
    findings.extend(_arxiv_findings(reference, match))
    if match.doi_status == "not-found" and reference.doi:
        findings.append(
            Finding(
                "doi-not-found",
                _ERROR,
                f"DOI {reference.doi} does not exist on {_registries(match)}",
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
        integrity = integrity_findings(reference, match.work)
        findings.extend(integrity)
        if not any(f.code == "published-version" for f in integrity):
            findings.extend(_published_finding(match))
    elif match.status is MatchStatus.AMBIGUOUS:
        dois = ", ".join(_work_id(c.work) for c in match.candidates[:3])
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
                    "this reference may not exist: "
                    + "; ".join(match.doubts)
                    + (
                        f"; no work on {_services(match)} agrees (every applicable source asked)"
                        if len(match.asked) > 1
                        else ""
                    ),
                )
            )
    elif match.status is MatchStatus.UNCHECKED:
        # A few words: the service and why ("Crossref: HTTP 503, 5 attempts"); the whole
        # error is the match's detail, for -v and the JSON report.
        where = _SERVICE_NAMES.get(match.source or "crossref", match.source or "Crossref")
        findings.append(
            Finding(
                "not-checked", _WARNING, f"not checked ({where}: {match.reason or 'no answer'})"
            )
        )
    return findings


def _only_other_version(version: Work) -> Finding:
    """A journal citation of which only the preprint agrees: not verified, no year error."""
    published = list(published_dois(version))
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
    "arxiv": "arXiv",
    "dblp": "dblp",
    "semanticscholar": "Semantic Scholar",
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


def _author_region(reference: Reference) -> str:
    """Where the citation prints its authors: its cleaned text before the title (or before
    the journal, or the year, when the title is not found); empty for a reference that has no
    text (one built by hand)."""
    if not reference.text:
        return ""
    text = clean_citation(reference.text)
    for anchor in (reference.title, reference.container_title):
        if anchor:
            at = text.find(anchor[:24])
            if at > 0:
                return text[:at]
    if reference.year:
        at = text.find(reference.year)
        if at > 0:
            return text[:at]
    return text


def _well_formed(author: Author) -> bool:
    """Whether a cited author reads as a name one can call wrong: a family name of letters, not
    initials, a suffix or the word that ends a list ("Jr", "C.A", "Coauthors")."""
    family = author.family.strip(" .,")
    if len(family) < 2 or not any(c.isalpha() for c in family):
        return False
    if family.isupper() and len(family) <= 3 and "." not in family:
        return False  # "RQ": initials read as a name
    if "." in family or any(c.isdigit() for c in family):
        return False
    first = family.split()[0]
    if all(w.lower().strip(".") in PARTICLES for w in family.split()):
        return False  # "da", "de": a particle alone is not a surname
    if family[0].islower() and first.lower() not in PARTICLES and not re.match(r"[a-z]['’]", first):
        return False  # "aaaa": a lower-case word is not a surname (but "van Dijk", "d'Allonnes")
    return family.lower() not in _NOT_NAMES


_NOT_NAMES = frozenset(
    {"jr", "sr", "and", "et", "al", "others", "coauthors", "co-authors", "colleagues", "eds", "ed"}
)


def _compare_authors(reference: Reference, work: Work) -> list[Finding]:
    cited = [a for a in reference.authors if not a.organisation]
    recorded = [a for a in work.authors if not a.organisation]
    if not cited or not recorded:
        return []
    region = _author_region(reference)
    findings: list[Finding] = []
    for index, author in enumerate(cited):
        place = index + 1
        if index >= len(recorded):
            if _well_formed(author) and not any(same_person(author, r) for r in recorded):
                findings.append(
                    Finding(
                        "author-extra",
                        _WARNING,
                        f'author {place} "{_show(author)}" is not among the record\'s '
                        f"{len(recorded)} authors",
                        field="author",
                        cited=_show(author),
                    )
                )
            continue
        record_author = recorded[index]
        if same_person(author, record_author):
            if same_family(author.family, record_author.family):
                findings.extend(_compare_initials(place, author, record_author))
            continue
        elsewhere = next((j for j, r in enumerate(recorded) if same_person(author, r)), None)
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
            continue
        # The cited authors of that surname who are, at their own place, another recorded
        # author of it ("Zhang A" for the record's fourth author "Zhang A").
        others = sum(
            1
            for j, other in enumerate(cited)
            if j != index
            and j < len(recorded)
            and same_family(other.family, record_author.family)
            and same_person(other, recorded[j])
        )
        if region and printed_times(record_author.family, region) > others:
            # The record's author is printed where the citation names its authors (and not
            # only as another cited author of that name): read that way, the citation
            # agrees, and the parse's cut is no evidence against it.
            continue
        # An error needs a name read without doubt; anything else is worth a look, no more.
        severity = _ERROR if _well_formed(author) else _WARNING
        if _key_ratio(author.family, record_author.family) >= _SPELLING_RATIO:
            findings.append(
                Finding(
                    "author-spelling",
                    severity,
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
                    severity,
                    f'author {place} "{_show(author)}" is "{_record_display(record_author)}" '
                    "in the record",
                    field="author",
                    cited=_show(author),
                    expected=_record_display(record_author),
                )
            )
    missing_authors = recorded[len(cited) :]
    if (
        not reference.et_al
        and missing_authors
        and not (region and all(printed(a.family, region) for a in missing_authors))
    ):
        missing = ", ".join(_record_display(a) for a in missing_authors[:3])
        more = ", ..." if len(missing_authors) > 3 else ""
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


def _key_ratio(cited: str, recorded: str) -> float:
    """How alike two surnames are (0-100), transliterated: the best of their spellings."""
    return max(
        (fuzz.ratio(a, b) for a in name_keys(cited) for b in name_keys(recorded)), default=0.0
    )


def _compare_initials(place: int, cited: Author, recorded: Author) -> list[Finding]:
    mine, theirs = cited.initials, recorded.initials
    readings = initial_readings(recorded)
    if not mine or not readings or mine.startswith(theirs) or mine in readings:
        # Records often lack middle initials; more initials cited than recorded is no error.
        # A hyphenated given name printed with its first initial is a style ("Liu Q" for
        # "Qing-Jun"), and Chinese characters have no initials to compare.
        return []
    if initial_readings(cited) == frozenset():
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
    if work.publisher and fold(reference.container_title) == fold(work.publisher):
        return []  # the publisher printed where the journal would be ("... (APA) (2007).")
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
    if cited in work.years or _year_printed(reference, work):
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


_NUMBER_PARTS = re.compile(r"\d+|[^\W\d_]+")


def _year_printed(reference: Reference, work: Work) -> bool:
    """Whether one of the record's years is printed in the citation as a year of its own,
    outside the title, and not taken by the volume, issue or pages: the parse took another
    year ("... Sørenson 1868 - 1939. J Am Chem Soc. 1939"), and the citation can be read to
    agree."""
    if not reference.text:
        return False
    text = clean_citation(reference.text)
    for field in (reference.title, reference.container_title):
        if field:
            text = text.replace(field, " ")
    numbers = [reference.volume, reference.issue, reference.first_page, reference.last_page]
    for year in work.years:
        printed_times = len(re.findall(rf"(?<![\w./-]){year}(?![\w/]|-\d|–\d)", text))
        if printed_times > sum(1 for n in numbers if n == year):
            return True
    return False


def _same_number(a: str, b: str) -> bool:
    """Whether two volumes, issues or pages are one number: case, dashes, spaces and leading
    zeros of each numeric part aside ("MA2024–1" is "MA2024-01", "012" is "12")."""
    mine, theirs = _NUMBER_PARTS.findall(fold(a)), _NUMBER_PARTS.findall(fold(b))
    return bool(mine) and [p.lstrip("0") or "0" for p in mine] == [
        p.lstrip("0") or "0" for p in theirs
    ]


def _compare_numbers(reference: Reference, work: Work) -> list[Finding]:
    findings: list[Finding] = []
    volume_is_year = reference.volume is not None and reference.volume == reference.year
    if (
        reference.volume
        and work.volume
        and not _same_number(reference.volume, work.volume)
        and not volume_is_year  # "SPIE 2016:96973B": the year read as the volume
    ):
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


_ROMAN_PAGE = re.compile(r"[ivxlcdm]{1,8}", re.IGNORECASE)


def _page_agrees(cited: str, recorded: str) -> bool:
    """Whether a cited first page is the record's, or the record's with a part the record
    adds after a period or slash, or a prefix before one ("87" for "87.2", "A33" for
    "A33.1", "e4580" for "e4580/correction-1", "11895" for a record's "lno.11895")."""
    if _same_number(cited, recorded):
        return True
    head = re.split(r"[./]", recorded, maxsplit=1)[0]
    tail = re.split(r"[./]", recorded)[-1]
    return ("." in recorded or "/" in recorded) and (
        _same_number(cited, head) or _same_number(cited, tail)
    )


def _compare_pages(reference: Reference, work: Work) -> list[Finding]:
    first = work.first_page or work.article_number
    if not reference.first_page or not first:
        return []
    if not any(c.isdigit() for c in first) and not _ROMAN_PAGE.fullmatch(first):
        return []  # a record whose page is "n/a" has no page to compare
    cited_range = reference.pages or reference.first_page
    first_ok = _page_agrees(reference.first_page, first) or (
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
    printed_last = _printed_last_page(cited_range)
    if printed_last and len(printed_last) < len(theirs) and theirs.endswith(printed_last):
        # "1–3" for "1–13": an abbreviation of the record's last page, too short to be right.
        return [
            Finding(
                "pages-abbreviated",
                _INFO,
                f'last page "{printed_last}" reads as an abbreviation of the record\'s "{theirs}"',
                field="pages",
                cited=cited_range,
                expected=work.pages,
            )
        ]
    return [
        Finding(
            "last-page-mismatch",
            _WARNING,
            f'last page "{mine}" is "{theirs}" in the record (pages "{cited_range}")',
            field="pages",
            cited=cited_range,
            expected=work.pages,
        )
    ]


_RANGE_END = re.compile(r"[-–—]\s?(?P<last>[A-Za-z]{0,3}\d{1,9})\s?$")


def _printed_last_page(pages: str) -> str | None:
    """The last page as printed, not expanded: "1–3" -> "3", "e358–67" -> "67"."""
    found = _RANGE_END.search(pages)
    return found["last"] if found else None


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
