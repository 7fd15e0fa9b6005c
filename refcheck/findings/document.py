"""Check a manuscript against itself.

Pure: takes the checked references and the rest of the text, returns findings with locations.

* ``name-variant`` (warning): the same person's surname spelled two ways in one document, for
  example "Audemard-Verger" in a signature and "Audemard-Vergier" in the prose. Names are taken
  from the cited author lists, from signature blocks (the lines above an e-mail address), and
  from "Firstname Lastname" in the prose when the first name agrees with a known person. Two
  spellings are variants when they differ by a few letters (similarity at least
  ``NAME_SIMILARITY``) and the given names do not contradict each other.
* ``citation-variant`` (warning): the same work cited with different details in two places
  (the same DOI, or the same title when unresolved), for example "Cron R" in one list and
  "Cron RQ" in another. The citation that differs from the others is flagged.
* ``duplicate-reference`` (warning): the same work twice in one reference list.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import attrs
from rapidfuzz import fuzz

from refcheck.model import CheckedReference, Finding, Location, Reference, Severity
from refcheck.parsing.normalize import fold, words
from refcheck.readers.text import TextLine

__all__ = ["NAME_SIMILARITY", "check_document"]

NAME_SIMILARITY = 85.0

_UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
_LOWER = "a-zß-öø-ÿā-ž"
_NAME = rf"[{_UPPER}][{_LOWER}'’]+(?:-[{_UPPER}][{_LOWER}'’]+)*"
# "Nihal Martis", "Alexandra Audemard-Vergier", "Randy Q Cron", "Jessica J. Manson"
# The look-behind makes a name start a word (not the middle of "Ab-Cd-Ef..."), which keeps the
# scan of a long hyphenated run linear.
_PROSE_NAME = re.compile(
    rf"(?<![\w'’-])(?P<given>{_NAME})\s+(?:[{_UPPER}]\.?\s+)?(?P<family>{_NAME})\b"
)
# "martis.n@chu-nice.fr", once the Markdown around it ("**...**", "*...*") is stripped.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MARKDOWN_AROUND = " \t*_"
_LONGEST_NAME = 120  # a signature piece longer than this is prose, not a name
_SIGNATURE_NAME = re.compile(
    rf"^(?P<given>{_NAME}(?:\s+{_NAME})*)\s+(?:[{_UPPER}]\.?\s+)*(?P<family>{_NAME})$"
)


@attrs.frozen
class _Name:
    family: str
    given: str
    location: Location
    source: str  # "reference", "signature" or "prose"

    @property
    def initial(self) -> str:
        return fold(self.given[:1])


def check_document(
    references: Sequence[CheckedReference], text_lines: Iterable[TextLine], file: str
) -> tuple[Finding, ...]:
    """Findings about the document as a whole (see the module docstring)."""
    lines = list(text_lines)
    findings = list(_name_variants(references, lines, file))
    findings.extend(_citation_variants(references))
    return tuple(findings)


# --- names ----------------------------------------------------------------------------------


def _reference_names(references: Sequence[CheckedReference]) -> list[_Name]:
    return [
        _Name(author.family, author.given or "", r.citation.location, "reference")
        for r in references
        for author in r.reference.authors
        if not author.organisation and author.family
    ]


def _signature_names(lines: list[TextLine], file: str) -> list[_Name]:
    names: list[_Name] = []
    for index, line in enumerate(lines):
        if not _EMAIL.fullmatch(line.text.strip(_MARKDOWN_AROUND)):
            continue
        block: list[TextLine] = []
        j = index - 1
        while j >= 0 and lines[j].text.strip() and lines[j].line == lines[index].line - (index - j):
            block.insert(0, lines[j])
            j -= 1
        for entry in block[-4:]:
            cleaned = re.sub(r"[*_\\]", "", entry.text)
            for piece in re.split(r",|\band\b", cleaned):
                if len(piece) > _LONGEST_NAME:
                    continue
                m = _SIGNATURE_NAME.match(piece.strip())
                if m:
                    names.append(
                        _Name(
                            m["family"],
                            m["given"],
                            Location(file, entry.line, page=entry.page),
                            "signature",
                        )
                    )
    return names


def _prose_names(lines: list[TextLine], file: str, known: list[_Name]) -> list[_Name]:
    """Prose "Firstname Lastname" pairs that may be a known person: a surname close to one
    already known, and a first name that does not contradict theirs.

    Each distinct known person and each distinct prose name is compared once, so that a long
    document with the same names over and over costs time in proportion to its length.
    """
    people = list({(person.family, person.given): person for person in known}.values())
    verdicts: dict[tuple[str, str], bool] = {}
    names: list[_Name] = []
    for line in lines:
        cleaned = re.sub(r"[*_\\]", "", line.text)
        for m in _PROSE_NAME.finditer(cleaned):
            candidate = _Name(
                m["family"], m["given"], Location(file, line.line, page=line.page), "prose"
            )
            key = (candidate.family, candidate.given)
            if key not in verdicts:
                folded = fold(candidate.family)
                verdicts[key] = any(
                    fuzz.ratio(folded, fold(person.family)) >= NAME_SIMILARITY
                    and _compatible(candidate, person)
                    for person in people
                )
            if verdicts[key]:
                names.append(candidate)
    return names


def _compatible(a: _Name, b: _Name) -> bool:
    """Given names that do not contradict: same initial, or one side unknown."""
    if not a.given or not b.given:
        return True
    if a.initial != b.initial:
        return False
    full_a, full_b = fold(a.given.split()[0]), fold(b.given.split()[0])
    if len(full_a) > 2 and len(full_b) > 2:
        return full_a == full_b
    return True


def _name_variants(
    references: Sequence[CheckedReference], lines: list[TextLine], file: str
) -> list[Finding]:
    known = _reference_names(references) + _signature_names(lines, file)
    names = known + _prose_names(lines, file, known)
    spellings: dict[str, list[_Name]] = defaultdict(list)
    for name in names:
        spellings[name.family].append(name)
    findings: list[Finding] = []
    reported: set[tuple[str, str]] = set()
    # The spelling used most often, then the one from a signature or an author list (where
    # people write their own or a record's name), is taken as the right one.
    rank = {"signature": 0, "reference": 1, "prose": 2}
    ordered = sorted(
        spellings,
        key=lambda s: (-len(spellings[s]), min(rank[n.source] for n in spellings[s]), s),
    )
    for i, common in enumerate(ordered):
        for rare in ordered[i + 1 :]:
            if (common, rare) in reported or fold(common) == fold(rare):
                continue
            if len(fold(rare)) < 4 or fuzz.ratio(fold(common), fold(rare)) < NAME_SIMILARITY:
                continue
            pair = next(
                ((a, b) for a in spellings[common] for b in spellings[rare] if _compatible(a, b)),
                None,
            )
            if pair is None:
                continue
            reported.add((common, rare))
            first, second = pair
            others = [n.location for n in spellings[common]]
            findings.append(
                Finding(
                    "name-variant",
                    Severity.WARNING,
                    f'"{_full(second)}" ({second.source}) is spelled "{_full(first)}" at '
                    f"{first.location.file}:{first.location.line} ({first.source})",
                    field="author",
                    cited=second.family,
                    expected=first.family,
                    location=second.location,
                    related=others,
                )
            )
    return findings


def _full(name: _Name) -> str:
    if name.source == "reference":
        return f"{name.family} {name.given}".strip()
    return f"{name.given} {name.family}".strip()


# --- the same work cited differently ---------------------------------------------------------


def _signature(reference: Reference) -> dict[str, str]:
    authors = ", ".join(
        f"{a.family} {a.initials}".strip() for a in reference.authors if not a.organisation
    )
    return {
        "authors": authors + (", et al" if reference.et_al else ""),
        "title": " ".join(words(reference.title or "")),
        "journal": " ".join(words(reference.container_title or "")),
        "year": reference.year or "",
        "volume": reference.volume or "",
        "pages": "-".join(p for p in (reference.first_page, reference.last_page) if p),
        "doi": fold(reference.doi or ""),
    }


def _work_key(checked: CheckedReference) -> str | None:
    if checked.match.work is not None:
        return "doi:" + checked.match.work.doi.lower()
    title = " ".join(words(checked.reference.title or ""))
    return "title:" + title if len(title) > 20 else None


def _citation_variants(references: Sequence[CheckedReference]) -> list[Finding]:
    groups: dict[str, list[CheckedReference]] = defaultdict(list)
    for checked in references:
        key = _work_key(checked)
        if key is not None:
            groups[key].append(checked)
    findings: list[Finding] = []
    for group in groups.values():
        if len(group) < 2:
            continue
        findings.extend(_duplicates(group))
        signatures = [_signature(c.reference) for c in group]
        votes = Counter(tuple(sorted(s.items())) for s in signatures)
        majority = dict(votes.most_common(1)[0][0])
        exemplar = group[signatures.index(majority)]
        for checked, signature in zip(group, signatures, strict=True):
            differences = [
                (field, signature[field], majority[field])
                for field in signature
                if signature[field] != majority[field] and signature[field] and majority[field]
            ]
            if not differences or checked is exemplar:
                continue
            field, mine, theirs = differences[0]
            detail = "; ".join(f'{f} "{a}" here, "{b}" there' for f, a, b in differences)
            findings.append(
                Finding(
                    "citation-variant",
                    Severity.WARNING,
                    f"[{checked.citation.label}] cites the same work as "
                    f"[{exemplar.citation.label}] ({exemplar.citation.file}:"
                    f"{exemplar.citation.line}) differently: {detail}",
                    field=field,
                    cited=mine,
                    expected=theirs,
                    location=checked.citation.location,
                    related=[exemplar.citation.location],
                )
            )
    return findings


def _duplicates(group: list[CheckedReference]) -> list[Finding]:
    """The same work twice in one list: labels with the same list letter."""
    seen: dict[str, CheckedReference] = {}
    findings: list[Finding] = []
    for checked in group:
        prefix = checked.citation.label.rstrip("0123456789")
        key = f"{checked.citation.file}|{prefix}"
        if key in seen:
            first = seen[key]
            findings.append(
                Finding(
                    "duplicate-reference",
                    Severity.WARNING,
                    f"[{checked.citation.label}] repeats [{first.citation.label}] in the same list",
                    location=checked.citation.location,
                    related=[first.citation.location],
                )
            )
        else:
            seen[key] = checked
    return findings
