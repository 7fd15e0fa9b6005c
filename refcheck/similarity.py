"""How alike a cited field and a recorded one are. Pure.

Shared by the resolver, which validates candidates with them
(:mod:`refcheck.sources.resolve`), and by the findings, which report the differences
(:mod:`refcheck.findings.compare`): the two steps judge a surname, a title and a journal
alike by construction.
"""

from __future__ import annotations

import functools
import re

from rapidfuzz import fuzz

from refcheck.model import Author, Work
from refcheck.parsing.names import PARTICLES
from refcheck.parsing.normalize import UMLAUTS, fold, name_key, name_keys, words

__all__ = [
    "container_matches",
    "printed",
    "printed_times",
    "same_family",
    "same_person",
    "title_similarity",
]

_TOKEN = re.compile(r"[^\W_]+")
_PARENTHETICAL = re.compile(r"\([^()]*\)")
#: A parenthesis the citation's cut left open at the end: "Symposium (ISMAR'05".
_UNCLOSED = re.compile(r"\([^()]*$")
_USA = re.compile(r"\s\(?U\.?\s?S\.?\s?A\.?\)?\s*$")
_STOPWORDS = frozenset(
    {"the", "of", "and", "for", "in", "on", "a", "an", "de", "des", "la", "le", "und", "der", "et"}
)


# --- authors -------------------------------------------------------------------------------


def _core(name: str) -> str:
    """A family name without its leading particles: "de la Macorra" -> "Macorra"."""
    parts = name.replace("’", "'").split()
    while len(parts) > 1 and parts[0].lower().strip(".'") in PARTICLES:
        parts.pop(0)
    return " ".join(parts)


def same_family(cited: str, recorded: str) -> bool:
    """Whether two surnames are one: case, accents, transliteration, spaces, hyphens and
    leading particles aside ("Şimşek"/"Simsek", "Müller"/"Mueller", "de la Macorra"/"Macorra").

    A family name that the record has with extra leading or trailing parts also counts
    ("Almeida de Jesus" in a record, "de Jesus" cited; "Garza Mercado" and "Garza"), since
    records and styles split compound names differently.
    """
    a, b = name_keys(cited), name_keys(recorded)
    if not a or not b:
        return False
    if a & b:
        return True
    a |= name_keys(_core(cited))
    b |= name_keys(_core(recorded))
    if a & b:
        return True
    return any(
        len(x) >= 4 and len(y) >= 4 and (x.endswith(y) or y.endswith(x) or _compound(x, y))
        for x in a
        for y in b
    ) or _word_compound(cited, recorded)


def _compound(x: str, y: str) -> bool:
    """ "garzamercado" and "garza": the first part of a compound name (5 letters at least)."""
    short, long = sorted((x, y), key=len)
    return len(short) >= 5 and long.startswith(short)


def _word_compound(cited: str, recorded: str) -> bool:
    """One of the words of a compound family name cited for the whole: "Segura" for "Segura
    Félix", "Cortes" for "De La Cruz Cortes"."""
    mine = {k for w in re.split(r"[\s\-]+", cited) for k in name_keys(w) if len(k) >= 3}
    theirs = {k for w in re.split(r"[\s\-]+", recorded) for k in name_keys(w) if len(k) >= 3}
    if not mine or not theirs:
        return False
    return mine <= theirs or theirs <= mine


def same_person(cited: Author, recorded: Author) -> bool:
    """Whether a cited author is the recorded one, under any reasonable reading of the name.

    The family names agree (:func:`same_family`); or the name was read in the other order
    ("Xu Jun" read given names first, the record's family "Xu", given "Jun"); or the record
    holds the whole name in ``family`` ("Cheng-Shong Wu", no given name); or the citation's
    family name took the initials with it ("Sachs R" for "Sachs", "R K").
    """
    if same_family(cited.family, recorded.family):
        return True
    mine = _words(f"{cited.given or ''} {cited.family}")
    theirs = _words(f"{recorded.given or ''} {recorded.family}")
    if not mine or not theirs:
        return False
    if mine == theirs:
        return True  # the same words in another order, or the whole name in "family"
    if recorded.given and cited.given and same_family(cited.given, recorded.family):
        # "Xu Jun" read as given "Xu", family "Jun"
        return same_family(cited.family, recorded.given) or _initial_of(cited.family, recorded)
    first = cited.family.split()[0] if cited.family.split() else ""
    if first and same_family(first, recorded.family):
        rest = cited.family.split()[1:]
        return all(len(w.strip(".")) <= 2 for w in rest)  # "Sachs R": an initial went with it
    return False


def _words(text: str) -> frozenset[str]:
    """The name words of a whole name, each as its plain ASCII key: initials left out."""
    return frozenset(k for w in re.split(r"[\s\-.,]+", text) if len(w) > 1 and (k := name_key(w)))


def _initial_of(word: str, author: Author) -> bool:
    return bool(author.given) and fold(word)[:1] == fold(author.given or "")[:1]


def printed_times(name: str, text: str) -> int:
    """How many times a surname is printed in ``text`` (as :func:`printed` finds it)."""
    keys = name_keys(_core(name)) | name_keys(name)
    count = 0
    for variant in {text, text.translate(UMLAUTS)}:
        words = [k for w in _TEXT_WORD.findall(variant) if (k := name_key(w))]
        found = sum(
            any("".join(words[i:j]) in keys for j in range(i + 1, min(i + 4, len(words)) + 1))
            for i in range(len(words))
        )
        count = max(count, found)
    return count


def printed(name: str, text: str) -> bool:
    """Whether a surname is printed in ``text`` as a word or run of words, transliterated,
    hyphens and spaces aside: the evidence that the citation can be read to agree with a
    record's author."""
    keys = name_keys(_core(name)) | name_keys(name)
    found = _printed_words(text)
    return any(k in found for k in keys)


_TEXT_WORD = re.compile(r"[^\s,;:()\[\]&.]+")


@functools.lru_cache(maxsize=1 << 10)
def _printed_words(text: str) -> frozenset[str]:
    """The keys of every run of one to four words of ``text`` ("De La Cruz Cortes" gives
    "cortes", "cruzcortes", "lacruzcortes", "delacruzcortes", ...)."""
    found: set[str] = set()
    for variant in {text, text.translate(UMLAUTS)}:
        keys = [k for w in _TEXT_WORD.findall(variant) if (k := name_key(w))]
        for i in range(len(keys)):
            for j in range(i + 1, min(i + 4, len(keys)) + 1):
                found.add("".join(keys[i:j]))
    return frozenset(found)


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
    title = _UNCLOSED.sub(" ", _PARENTHETICAL.sub(" ", title))
    return [w for w in _TOKEN.findall(fold(title)) if w not in _STOPWORDS]


def _abbreviates(short: str, full: str) -> bool:
    """Whether ``short`` is an ISO 4 style abbreviation of ``full`` ("Natl" of "National")."""
    if short == full:
        return True
    if not short or short[0] != full[0] or len(short) > len(full):
        return False
    rest = iter(full[1:])
    return all(ch in rest for ch in short[1:])


def _title_words(title: str) -> list[str]:
    """A recorded journal's words, "United States of America" as "usa"."""
    words = _journal_words(title)
    for i in range(len(words) - 2):
        if words[i : i + 3] == ["united", "states", "america"]:
            return [*words[:i], "usa", *words[i + 3 :]]
    return words


def container_matches(cited: str, titles: tuple[str, ...]) -> bool:
    """Whether a cited journal is one of ``titles`` or an abbreviation of one.

    "Nat Genet" matches "Nature Genetics", "J Invest Dermatol" matches "Journal of
    Investigative Dermatology", "Rheumatology (Oxford)" matches "Rheumatology", "PNAS" matches
    "Proceedings of the National Academy of Sciences".
    """
    mine = _journal_words(_USA.sub(" USA", cited))
    if not mine:
        return True
    if len(mine) > 1 and mine[-1] == "usa" and not any("usa" in _title_words(t) for t in titles):
        # "Proc Natl Acad Sci USA": the country many cite after a title that lacks it
        mine = mine[:-1]
    for title in titles:
        theirs = _title_words(title)
        if len(mine) == len(theirs) and all(
            _abbreviates(a, b) for a, b in zip(mine, theirs, strict=True)
        ):
            return True
        if len(mine) == 1 and len(theirs) > 1:
            acronym = "".join(w[0] for w in _TOKEN.findall(fold(title)) if w not in {"the"})
            if mine[0] in {acronym, "".join(w[0] for w in theirs)}:
                return True
    return False
