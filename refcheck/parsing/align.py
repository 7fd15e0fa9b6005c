"""Align a matched reference with its work, so that "cited" is what the citation says. Pure.

The first parse of a citation cuts it into fields from the text alone, and can cut in the wrong
place: a title run into its journal ("... gauge symmetry New J Phys"), a volume missed. Once the
reference has matched a work, the work says what to look for: :func:`align` finds the work's
title and container title inside the citation's own text and re-cuts those fields at what it
finds, and fills a volume, issue or first page that the parse missed when the work's value is
printed in the citation.

Names and numbers are re-cut too. The authors' part of the citation (before the title) is
read again in each order a name can have (:func:`refcheck.parsing.names.parse_names`), and
the reading that agrees with the most of the work's authors, place by place, is kept when it
agrees with more than the parse did: "Xu Jun" is family "Xu" when the record says so. The
numbers printed after the title are given to the volume, issue and pages again when the parse
put them in the wrong field or cut one short ("Jama 2001: 285(9); 1206-8." read as issue 9,
pages 285; "12A530" cut to "12A"): each printed number goes to one field only, a field that
agrees with the work keeps its number, and the re-cut is kept only if more fields then agree.

Every field it sets is a piece of the citation, as printed (markup cleaned): align never copies
a value from the work. A title the citation misspells stays misspelt, so that the comparison
still reports it; a field the citation does not show stays as the parse left it; a wrong
volume stays wrong, since the work's volume is not printed in it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import attrs
from rapidfuzz import fuzz

from refcheck.model import Author, Reference, Work
from refcheck.parsing.citation import clean_citation, page_ends
from refcheck.parsing.names import parse_names
from refcheck.parsing.normalize import fold, name_key, name_keys

__all__ = ["align"]

#: How alike (0-100, rapidfuzz's partial ratio) a piece of the citation must be to the work's
#: title to be taken as the title: a typo or two in a long title, no more.
TITLE_SCORE = 90.0
#: Container titles are short, so they must be found almost exactly.
CONTAINER_SCORE = 95.0
_SHORTEST = 4
# A number next to a month is a day of a date: "published online June 16".
_MONTH_NEAR = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\b", re.IGNORECASE
)
_EDGE = " .,;:"


def _fold(text: str) -> tuple[str, list[int]]:
    """Letters and digits only, lower case, no accents, one space between words; and for each
    character kept, its offset in ``text`` ("New J. Phys." -> "new j phys")."""
    out: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        base = unicodedata.normalize("NFKD", char)[:1] or char
        if base.isalnum():
            lower = base.lower()
            out.append(lower if len(lower) == 1 else base)
            where.append(index)
        elif out and out[-1] != " ":
            out.append(" ")
            where.append(index)
    return "".join(out), where


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Stretch a span to whole words, then trim the punctuation at its edges."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return start, end


def _locate(
    needle: str | None, text: str, folded: tuple[str, list[int]], offset: int, score: float
) -> tuple[int, int] | None:
    """Where ``needle`` (from the work) is printed in ``text`` at or after ``offset``."""
    if not needle:
        return None
    wanted = _fold(needle)[0].strip()
    if len(wanted) < _SHORTEST:
        return None
    haystack, where = folded
    skip = next((i for i, at in enumerate(where) if at >= offset), len(where))
    found = fuzz.partial_ratio_alignment(wanted, haystack[skip:], score_cutoff=score)
    if found is None or found.dest_end <= found.dest_start:
        return None
    start = where[skip + found.dest_start]
    end = where[skip + found.dest_end - 1] + 1
    start, end = _trim_words(text, *_widen(text, start, end), set(wanted.split()), wanted.split())
    if (
        end < len(text)
        and text[end] == ")"
        and text.count("(", start, end) > text.count(")", start, end)
    ):
        end += 1  # "(ISMAR'05)": the closing parenthesis of a value is part of it
    return (start, end) if end - start >= _SHORTEST else None


_WORD = re.compile(r"\w+")


def _edge_word(word: str, wanted: set[str], edge: str) -> bool:
    """Whether a word at the edge of the span belongs to the work's value: one of its words,
    or the value's own edge word misspelt ("Mechanivms" for "Mechanisms"), which must stay
    for the comparison to report."""
    return word in wanted or (len(word) >= 4 and fuzz.ratio(word, edge) >= 75)


def _trim_words(
    text: str, start: int, end: int, wanted: set[str], order: list[str] | None = None
) -> tuple[int, int]:
    """Drop words at either edge of the span that the work's value does not have (a fuzzy
    alignment can slip by a word: "T. Anakinra for sever ..." -> "Anakinra for sever ...")."""
    spans = [m.span() for m in _WORD.finditer(text, start, end)]
    first, last = (order[0], order[-1]) if order else ("", "")
    while spans and not _edge_word(_fold(text[slice(*spans[0])])[0], wanted, first):
        spans.pop(0)
    while spans and not _edge_word(_fold(text[slice(*spans[-1])])[0], wanted, last):
        spans.pop()
    if not spans:
        return start, start
    return _widen(text, spans[0][0], spans[-1][1])


def _number(value: str | None, text: str, taken: set[str]) -> str | None:
    """``value`` if it is printed in ``text`` as a number of its own and not already a field."""
    if not value or value in taken:
        return None
    pattern = rf"(?<![\w.]){re.escape(value)}(?![\w])"
    for found in re.finditer(pattern, text, re.IGNORECASE):
        if _IN_RANGE_BEFORE.search(text, max(0, found.start() - 4), found.start()) or (
            _IN_RANGE_AFTER.match(text, found.end())
        ):
            continue  # an end of a page range ("100–2"), not a number of its own
        if not _MONTH_NEAR.search(text, max(0, found.start() - 12), found.end() + 5):
            return value
    return None


_IN_RANGE_BEFORE = re.compile(r"\w\s?[-–—]\s?$")
_IN_RANGE_AFTER = re.compile(r"\s?[-–—]\s?\w")


def _pages(first: str | None, text: str, taken: set[str]) -> str | None:
    """The page range as printed in ``text`` that starts at the work's ``first`` page."""
    if not first or first in taken:
        return None
    pattern = rf"(?<![\w.]){re.escape(first)}(?:\s?[-–—]\s?[A-Za-z]{{0,3}}\d{{1,8}})?(?![\w])"
    found = re.search(pattern, text, re.IGNORECASE)
    return found[0] if found else None


def _spill(parsed: str, found: str, work: Work) -> bool:
    """Whether what the parsed container says beyond the work's container is another field
    spilt into it: the title's last words ("... winter wheat Crop Protection"), the volume
    ("JAMA XXV"), the publisher ("SPIE Proceedings. SPIE")."""
    at = parsed.find(found)
    before, after = parsed[:at], parsed[at + len(found) :]
    extra = _fold(f"{before} {after}")[0].split()
    if not extra:
        return False
    title = _fold(" ".join(t for t in (work.title, work.subtitle) if t))[0]
    numbers = (work.volume, work.issue, work.publisher, work.first_page, work.last_page)
    others = set(_fold(" ".join(v for v in (*numbers, *work.years) if v))[0].split())
    tail = " ".join(_fold(before)[0].split())
    if tail and title.endswith(tail) and not _fold(after)[0].strip():
        return True
    # The whole publisher after the journal ("PsycEXTRA Dataset. American Psychological
    # Association (APA)") is spilt, parentheses or not.
    publisher = set(_fold(work.publisher or "")[0].split())
    if publisher and publisher <= set(extra) and all(w in others for w in extra):
        return True
    # "In" before a book's title ("In Men Under Stress. Blakiston") is no word of a field.
    return all(word in others or word in title.split() or word == "in" for word in extra) and not (
        "(" in after and ")" in after and not _fold(before)[0].strip()
    )


def align(reference: Reference, work: Work) -> Reference:
    """The reference re-cut along what ``work`` says, every value taken from the citation.

    >>> from refcheck.parsing.citation import parse_citation
    >>> cited = parse_citation("Zohar E, Burrello M. Building projected entangled pair states "
    ...     "with a local gauge symmetry New J Phys 2016;18:043008.")
    >>> work = Work(doi="10.1088/1367-2630/18/4/043008", container_title="New Journal of Physics",
    ...     short_container_title="New J. Phys.", title="Building projected entangled pair "
    ...     "states with a local gauge symmetry")
    >>> aligned = align(cited, work)
    >>> aligned.title, aligned.container_title
    ('Building projected entangled pair states with a local gauge symmetry', 'New J Phys')
    """
    text = clean_citation(reference.text)
    folded = _fold(text)
    changes: dict[str, Any] = {}

    title_span = _locate(work.title, text, folded, 0, TITLE_SCORE)
    after = 0
    if title_span is not None:
        printed = text[title_span[0] : title_span[1]]
        if printed != reference.title:
            changes["title"] = printed
        after = title_span[1]
    parsed = reference.container_title
    title: str | None = changes.get("title", reference.title)
    # The parsed container stands when it holds the work's container and no title words: it
    # may say more than the record ("Rheumatology (Oxford)" for "Rheumatology"), as printed.
    keep = parsed is not None and not (title and title in parsed)
    for container in work.container_titles:
        span = _locate(container, text, folded, after, CONTAINER_SCORE)
        if span is not None:
            found = text[span[0] : span[1]]
            if found != parsed and not (
                keep and parsed and found in parsed and not _spill(parsed, found, work)
            ):
                changes["container_title"] = found
            break

    if title_span is not None and parsed and "container_title" not in changes:
        changes.update(_past_title(parsed, text, title_span))

    taken = {v for v in (reference.year, reference.volume, reference.issue) if v}
    taken.update(v for v in (reference.first_page, reference.last_page) if v)
    rest = text[after:]
    for name, value in (("volume", work.volume), ("issue", work.issue)):
        if getattr(reference, name) is None:
            number = _number(value, rest, taken)
            if number is not None:
                changes[name] = number
                taken.add(number)
    if reference.first_page is None and reference.pages is None:
        printed_pages = _pages(work.first_page or work.article_number, rest, taken)
        if printed_pages is not None:
            changes["pages"] = printed_pages
            changes["first_page"], changes["last_page"] = page_ends(printed_pages)
    if title_span is not None:
        # A volume or issue not printed after the title came from the title ("(2+) cations").
        for name in ("volume", "issue"):
            value = changes.get(name, getattr(reference, name))
            if value and not re.search(rf"(?<![\w.]){re.escape(value)}(?![\w])", rest):
                changes[name] = None
    changes.update(_recut_numbers(attrs.evolve(reference, **changes), work, rest))
    changes.update(_odd_page(attrs.evolve(reference, **changes), work, rest))
    start = title_span[0] if title_span is not None else 0
    changes.update(_recut_authors(reference, work, text[:start] if start > 0 else ""))
    return attrs.evolve(reference, **changes) if changes else reference


def _past_title(parsed: str, text: str, title_span: tuple[int, int]) -> dict[str, Any]:
    """The parsed container cut where the work's title ends, when the parse ran the title's
    last words into it ("... in Multiband Galaxy Surveys. ApJ" -> "ApJ"): a container too
    short to be looked for ("ApJ", "CDT", "mph") is what is printed after the title. A parsed
    container that is the title itself ("Kessler, A.: Chemical Ecology, (2012).", a chapter
    cited without its book) is no container."""
    start, after = title_span
    at = text.find(parsed)
    if at < 0:
        return {}
    if start <= at and at + len(parsed) <= after:
        return {"container_title": None}
    if not at < after < at + len(parsed):
        return {}
    rest = text[after : at + len(parsed)].strip(_EDGE)
    return {"container_title": rest} if _fold(rest)[0].strip() else {}


# --- names ---------------------------------------------------------------------------------

_YEAR_IN_NAMES = re.compile(r"\(?\b(?:1[5-9]|20)\d\d[a-z]?\b.*$")


def _agree(cited: Author, recorded: Author) -> bool:
    """Whether a cited name is the recorded one's: the family names' spellings meet, or the
    whole names' words are the same ("Cheng-Shong Wu" in a record's family field)."""
    if name_keys(cited.family) & name_keys(recorded.family):
        return True
    mine = {name_key(w) for w in re.split(r"[\s\-.]+", f"{cited.given or ''} {cited.family}")}
    theirs = {
        name_key(w) for w in re.split(r"[\s\-.]+", f"{recorded.given or ''} {recorded.family}")
    }
    return len(mine - {""}) > 1 and mine == theirs


def _agreeing(authors: tuple[Author, ...], recorded: tuple[Author, ...]) -> int:
    """How well the authors agree with the record's, place by place: two for a family name
    whose spelling meets the record's, one for the same words in another order."""
    return sum(
        2 if name_keys(a.family) & name_keys(r.family) else 1 if _agree(a, r) else 0
        for a, r in zip(authors, recorded, strict=False)
    )


def _recut_authors(reference: Reference, work: Work, region: str) -> dict[str, Any]:
    """The authors read again from the citation's authors' part (before the title), in the
    reading that agrees with the most of the work's authors, place by place (and, on a tie,
    whose count is nearest the work's): nothing when no reading beats the parse's."""
    recorded = tuple(a for a in work.authors if not a.organisation)
    cited = tuple(a for a in reference.authors if not a.organisation)
    if not recorded or not region or len(cited) != len(reference.authors):
        return {}
    region = _YEAR_IN_NAMES.sub("", region).strip(" .,;:(")

    def rank(authors: tuple[Author, ...], et_al: bool) -> tuple[int, int, int]:
        extra = len(authors) - len(recorded)
        initials = sum(
            bool(a.initials) and a.initials == r.initials
            for a, r in zip(authors, recorded, strict=False)
        )
        return _agreeing(authors, recorded), -(max(extra, 0) if et_al else abs(extra)), initials

    best, et_al = cited, reference.et_al
    best_rank = rank(cited, et_al)
    for order in (None, "family", "given"):
        names = parse_names(region, order=order)
        if not names.authors:
            continue
        found = rank(names.authors, reference.et_al or names.et_al)
        if found > best_rank:
            best, best_rank, et_al = names.authors, found, reference.et_al or names.et_al
    if best is cited:
        return {}
    return {"authors": best, "et_al": et_al}


# --- numbers -------------------------------------------------------------------------------


def _odd_page(reference: Reference, work: Work, rest: str) -> dict[str, Any]:
    """The record's volume or first page as printed, when the parse cut a piece of it
    ("acs.jchemed.1c00447" read as "1c", "n° 95" as "95"): a value of a record that no number
    pattern reads, printed whole in the citation."""
    changes: dict[str, Any] = {}
    for field, recorded, cited in (
        ("volume", work.volume, reference.volume),
        ("pages", work.first_page or work.article_number, reference.first_page),
    ):
        if not recorded or not cited or cited == recorded or cited not in recorded:
            continue
        if not any(c.isdigit() for c in recorded) or len(recorded) < 4:
            continue
        if not re.search(rf"(?<![\w.]){re.escape(recorded)}(?![\w])", rest):
            continue
        if field == "volume":
            changes["volume"] = recorded
        else:
            changes.update(pages=recorded, first_page=recorded, last_page=None)
    return changes


# A number as printed after the title: "285", "12A530", "MA2024–1", "1206-8", "e1007887".
# A page range may begin with a roman numeral: "III–318".
_PRINTED_NUMBER = re.compile(
    r"(?<![\w.])(?:[A-Za-z]{0,3}\d[\w]{0,15}|[IVXLCDM]{1,6}(?=\s?[-–—]\s?\d)|[ivxlcdm]{1,6}"
    r"(?=\s?[-–—]\s?\d))(?:\s?[-–—]\s?[A-Za-z]{0,3}\d[\w]{0,15})?(?![\w])"
)
_FIELDS = ("volume", "issue", "pages")


def _same(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    parts = re.compile(r"\d+|[^\W\d_]+")
    mine, theirs = parts.findall(fold(a)), parts.findall(fold(b))
    return bool(mine) and [p.lstrip("0") or "0" for p in mine] == [
        p.lstrip("0") or "0" for p in theirs
    ]


def _recut_numbers(reference: Reference, work: Work, rest: str) -> dict[str, Any]:
    """The volume, issue and pages given the printed numbers again, when the parse put them
    in the wrong field or cut one short; each printed number goes to one field."""
    recorded = {
        "volume": work.volume,
        "issue": work.issue,
        "pages": work.first_page or work.article_number,
    }
    current = {"volume": reference.volume, "issue": reference.issue, "pages": reference.first_page}

    def agrees(field: str, value: str | None) -> bool:
        if field == "pages" and value is not None:
            value = page_ends(value)[0]
        return _same(value, recorded[field]) or (
            field == "pages" and _same(value, work.article_number)
        )

    wrong = [f for f in _FIELDS if recorded[f] and not agrees(f, current[f])]
    if not wrong:
        return {}
    tokens = [m[0] for m in _PRINTED_NUMBER.finditer(rest)]

    def token_of(value: str | None, used: set[int]) -> int | None:
        if not value:
            return None
        for i, token in enumerate(tokens):
            if i not in used and (value == token or value in token):
                return i
        return None

    used: set[int] = set()
    if reference.year:
        years = [i for i, t in enumerate(tokens) if t == reference.year]
        if years:
            used.add(years[-1])
    for field in _FIELDS:
        if field not in wrong:
            at = token_of(current[field], used)
            if at is not None:
                used.add(at)
    assigned: dict[str, str] = {}
    for field in wrong:
        for i, token in enumerate(tokens):
            if i in used:
                continue
            if agrees(field, token):
                assigned[field] = token
                used.add(i)
                break
    if not assigned:
        return {}
    # A field left wrong keeps its number, which must not be one that another field took.
    for field in wrong:
        kept = current[field]
        taken = kept is not None and any(kept in assigned[f] for f in assigned)
        if field not in assigned and taken and token_of(kept, used) is None:
            return {}
    changes: dict[str, Any] = {}
    for field, token in assigned.items():
        if field == "pages":
            changes["pages"] = token
            changes["first_page"], changes["last_page"] = page_ends(token)
        else:
            changes[field] = token
    return changes
