"""How alike a cited field and a recorded one are. Pure.

Shared by the resolver, which validates candidates with them
(:mod:`refcheck.sources.resolve`), and by the findings, which report the differences
(:mod:`refcheck.findings.compare`): the two steps judge a surname, a title and a journal
alike by construction.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from refcheck.model import Work
from refcheck.parsing.normalize import fold, words

__all__ = ["container_matches", "same_family", "title_similarity"]

_TOKEN = re.compile(r"[^\W_]+")
_PARENTHETICAL = re.compile(r"\([^()]*\)")
_STOPWORDS = frozenset(
    {"the", "of", "and", "for", "in", "on", "a", "an", "de", "des", "la", "le", "und", "der", "et"}
)


# --- authors -------------------------------------------------------------------------------


def same_family(cited: str, recorded: str) -> bool:
    """Whether two surnames are the same once case, accents, spaces and hyphens are ignored.

    A family name that the record has with extra leading parts also counts ("Almeida de Jesus"
    in a record, "de Jesus" cited), since records and styles split compound names differently.
    """
    a, b = _squash(cited), _squash(recorded)
    if not a or not b:
        return False
    return a == b or (len(a) >= 4 and len(b) >= 4 and (a.endswith(b) or b.endswith(a)))


def _squash(name: str) -> str:
    return "".join(ch for ch in fold(name) if ch.isalnum())


# --- titles --------------------------------------------------------------------------------


def _record_titles(work: Work) -> list[str]:
    titles = [t for t in (work.title,) if t]
    if work.title and work.subtitle:
        titles.insert(0, f"{work.title}: {work.subtitle}")
    return titles


def title_similarity(cited: str, work: Work) -> float:
    """0-1: how well a cited title agrees with the record's title (with or without subtitle)."""
    a = " ".join(words(cited))
    best = 0.0
    for title in _record_titles(work):
        b = " ".join(words(title))
        best = max(best, fuzz.ratio(a, b) / 100, fuzz.token_sort_ratio(a, b) / 100 - 0.05)
    return best


# --- journals ------------------------------------------------------------------------------


def _journal_words(title: str) -> list[str]:
    title = _PARENTHETICAL.sub(" ", title)
    return [w for w in _TOKEN.findall(fold(title)) if w not in _STOPWORDS]


def _abbreviates(short: str, full: str) -> bool:
    """Whether ``short`` is an ISO 4 style abbreviation of ``full`` ("Natl" of "National")."""
    if short == full:
        return True
    if not short or short[0] != full[0] or len(short) > len(full):
        return False
    rest = iter(full[1:])
    return all(ch in rest for ch in short[1:])


def container_matches(cited: str, titles: tuple[str, ...]) -> bool:
    """Whether a cited journal is one of ``titles`` or an abbreviation of one.

    "Nat Genet" matches "Nature Genetics", "J Invest Dermatol" matches "Journal of
    Investigative Dermatology", "Rheumatology (Oxford)" matches "Rheumatology", "PNAS" matches
    "Proceedings of the National Academy of Sciences".
    """
    mine = _journal_words(cited)
    if not mine:
        return True
    for title in titles:
        theirs = _journal_words(title)
        if len(mine) == len(theirs) and all(
            _abbreviates(a, b) for a, b in zip(mine, theirs, strict=True)
        ):
            return True
        if len(mine) == 1 and len(theirs) > 1:
            acronym = "".join(w[0] for w in _TOKEN.findall(fold(title)) if w not in {"the"})
            if mine[0] in {acronym, "".join(w[0] for w in theirs)}:
                return True
    return False
