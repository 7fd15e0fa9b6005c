"""Cut a citation into labelled segments with a trained sequence model. Pure: no I/O but the
model file, which ships with the package.

A citation is split into tokens (runs of letters, runs of digits, single other characters);
each token gets a set of string features (itself, its shape, its neighbours, where it stands
between sentence ends and numbers...), and a linear-chain conditional random field
(`CRFsuite <https://www.chokkan.org/software/crfsuite/>`_ through ``python-crfsuite``) gives
every token one of :data:`LABELS`. This is how GROBID, AnyStyle, CERMINE and ParsCit read
references; the model here was trained by ``benchmarks/train_segmenter.py`` on the labelled
corpora of GROBID (Apache-2.0) and AnyStyle (BSD-2-Clause), without their held-out fifth, which
``benchmarks/parsing.py`` measures, and on citations citeproc-py rendered from Crossref records
in 15 CSL styles (see NOTICE).

:func:`segment` returns, for each label, the character spans of its runs of tokens, in order;
:mod:`refcheck.parsing.citation` turns those into a :class:`~refcheck.model.Reference`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pycrfsuite

from refcheck.errors import ModelMissingError

__all__ = ["LABELS", "MAX_TOKENS", "MODEL", "Segments", "features", "labels", "segment", "tokens"]

#: What a token can be. ``other`` is the text between fields (punctuation, "In", "pp.").
LABELS = (
    "author",
    "title",
    "container",
    "collection",
    "date",
    "volume",
    "issue",
    "pages",
    "editor",
    "publisher",
    "location",
    "doi",
    "url",
    "note",
    "other",
)

#: The model file inside the package.
MODEL = "segmenter.crfsuite"

#: Only the first tokens of a longer text are labelled: a citation with a hundred authors has
#: under a thousand, and a megabyte of junk must not cost seconds.
MAX_TOKENS = 1500

#: label -> the (start, end) character spans of its runs, in the order of the text.
Segments = dict[str, list[tuple[int, int]]]

_TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\w\s]")
_MONTHS = frozenset(
    [
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
_STOPS = frozenset(".?!")
_QUOTES = frozenset('"“”')


def tokens(text: str, limit: int = MAX_TOKENS) -> list[tuple[int, int]]:
    """The (start, end) spans of the first ``limit`` tokens of ``text``."""
    spans: list[tuple[int, int]] = []
    for match in _TOKEN.finditer(text):
        spans.append(match.span())
        if len(spans) >= limit:
            break
    return spans


def _bucket(distance: int) -> int:
    return distance if distance < 4 else 4 if distance < 10 else 10


# Context features as ready-made strings (a table lookup costs less than formatting).
_POSITION = tuple(f"pos={k}" for k in range(10))
_TO_NUMBER = tuple(f"nn{_bucket(d)}" for d in range(100))
_TO_END = tuple(f"ne{_bucket(d)}" for d in range(100))
_SINCE_END = tuple(f"pe{_bucket(d)}" for d in range(11))
_YEARS = ("y0", "y1", "y2")
_SENTENCES = tuple(f"se{k}" for k in range(7))
_COMMAS = tuple(f"c{k}" for k in range(7))
_ABBREVIATION = tuple(f"abbr{min(k, 5)}" for k in range(50))


class _Look:
    """What a token's features are, seen from itself and from each neighbour."""

    __slots__ = ("m1", "m2", "m3", "m4", "own", "p1", "p2", "p3", "p4")

    def __init__(self, own: tuple[str, ...], near: tuple[str, ...], shape: str) -> None:
        self.own = own
        # As seen from the token after it (-1), two after (-2)...; and before it (+1, +2...).
        self.m1 = tuple("-1" + f for f in near)
        self.m2 = tuple("-2" + f for f in near)
        self.p1 = tuple("+1" + f for f in near)
        self.p2 = tuple("+2" + f for f in near)
        self.m3, self.m4 = "-3" + shape, "-4" + shape
        self.p3, self.p4 = "+3" + shape, "+4" + shape


@lru_cache(maxsize=100_000)
def _word(token: str) -> _Look:
    """A token's own features, the features its near neighbours see, and its shape (what
    farther neighbours see)."""
    if token.isdigit():
        size = len(token)
        shape = "year" if size == 4 and 1500 <= int(token) <= 2099 else f"d{min(size, 5)}"
        return _Look((f"s={shape}",), (f"s={shape}",), shape)
    if token.isalpha():
        lower = token.lower()
        if token.isupper():
            shape = "X" if len(token) == 1 else "XX"
        elif token[0].isupper():
            shape = "Xx" if token[1:].islower() else "XxX"
        else:
            shape = "x" if token.islower() else "xX"
        own = (
            f"w={lower}",
            f"s={shape}",
            f"l={min(len(token), 8)}",
            "month" if lower in _MONTHS else "word",
            "ascii" if token.isascii() else "unicode",
        )
        return _Look(own, (f"w={lower}", f"s={shape}"), shape)
    return _Look((f"p={token}",), (f"s=p{token}",), f"p{token}")


def _sentence_end(text: str, spans: Sequence[tuple[int, int]], words: list[str], i: int) -> bool:
    """Whether token ``i`` ends a sentence: ". " not after an initial or short abbreviation."""
    end = spans[i][1]
    if words[i] not in _STOPS or end >= len(text) or text[end] != " ":
        return False
    return not (i > 0 and len(words[i - 1]) <= 2 and words[i - 1][:1].isupper())


_PAREN_YEAR = re.compile(r"\(\s?(?:1[5-9]|20)\d\d[a-z]?[),]")
_SEMICOLON_YEAR = re.compile(r"(?:1[5-9]|20)\d\d\s?;")


def _style(text: str) -> list[str]:
    """Features of the whole citation, given to every token: what its style looks like."""
    found = []
    if '"' in text or "“" in text:
        found.append("g:quotes")
    if _PAREN_YEAR.search(text):
        found.append("g:parenyear")
    if _SEMICOLON_YEAR.search(text):
        found.append("g:semiyear")
    if " In " in text or "In:" in text or " in:" in text:
        found.append("g:in")
    return found


@lru_cache(maxsize=100_000)
def _chunk_shape(chunk: str) -> str:
    """The shape of the whitespace-delimited chunk a token is in, runs collapsed, first 12
    characters: "Phys.Rev.Lett.98" -> "ch=Xx.Xx.Xx" (PDF-to-text glues fields together)."""
    out: list[str] = []
    for char in chunk[:12]:
        kind = "X" if char.isupper() else "x" if char.isalpha() else "d" if char.isdigit() else char
        if not out or out[-1] != kind:
            out.append(kind)
    return "ch=" + "".join(out)


def features(text: str, spans: Sequence[tuple[int, int]]) -> list[list[str]]:
    """The features of each token of ``text`` (at ``spans``), for training and tagging alike."""
    style = _style(text)
    n = len(spans)
    size = len(text)
    words = [text[start:end] for start, end in spans]
    looks = [_word(word) for word in words]
    ends = [_sentence_end(text, spans, words, i) for i in range(n)]
    # Distances to the next number and the next sentence end, read right to left.
    to_number = [0] * n
    to_end = [0] * n
    number = end = 99
    for i in range(n - 1, -1, -1):
        to_number[i], to_end[i] = number, end
        number = 0 if words[i].isdigit() else min(number + 1, 99)
        end = 0 if ends[i] else min(end + 1, 99)
    out: list[list[str]] = []
    years = sentences = commas = since_end = quote = paren = 0
    for i, (start, stop) in enumerate(spans):
        word = words[i]
        look = looks[i]
        row = [
            *look.own,
            _POSITION[10 * i // n],
            "sb" if start > 0 and text[start - 1] == " " else "nsb",
            "sa" if stop < size and text[stop] == " " else "nsa",
            _YEARS[years],
            _SENTENCES[sentences],
            _COMMAS[commas],
            "q1" if quote else "q0",
            "pa1" if paren else "pa0",
            _TO_NUMBER[to_number[i]],
            _TO_END[to_end[i]],
            _SINCE_END[since_end],
        ]
        if stop < size and text[stop] == "." and word.isalpha():
            row.append(_ABBREVIATION[min(len(word), 5)])
        row += style
        chunk_start = text.rfind(" ", 0, start) + 1
        chunk_end = text.find(" ", stop)
        chunk = text[chunk_start : chunk_end if chunk_end >= 0 else size]
        row.append(_chunk_shape(chunk))
        row.append("cf" if chunk_start == start else "cm")
        if i == 0:
            row.append("BOS")
        else:
            row += looks[i - 1].m1
            if i > 1:
                row += looks[i - 2].m2
                if i > 2:
                    row.append(looks[i - 3].m3)
                    if i > 3:
                        row.append(looks[i - 4].m4)
        if i == n - 1:
            row.append("EOS")
        else:
            row += looks[i + 1].p1
            if i < n - 2:
                row += looks[i + 2].p2
                if i < n - 3:
                    row.append(looks[i + 3].p3)
                    if i < n - 4:
                        row.append(looks[i + 4].p4)
        out.append(row)
        if since_end < 10:
            since_end += 1
        if ends[i]:
            sentences = min(sentences + 1, 6)
            since_end = 0
        elif word.isdigit():
            if len(word) == 4 and 1500 <= int(word) <= 2099 and years < 2:
                years += 1
        elif word == ",":
            commas = min(commas + 1, 6)
        elif word in _QUOTES:
            quote ^= 1
        elif word in "([":
            paren += 1
        elif word in ")]":
            paren = max(0, paren - 1)
    return out


_local = threading.local()


def _tagger() -> pycrfsuite.Tagger:
    """This thread's tagger (CRFsuite's is not safe to share between threads)."""
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        path = Path(str(resources.files("refcheck.parsing").joinpath(MODEL)))
        if not path.is_file():
            raise ModelMissingError(f"the citation model {path} is missing; reinstall refcheck")
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        _local.tagger = tagger
    return tagger


def labels(text: str) -> tuple[list[tuple[int, int]], list[str]]:
    """The tokens of ``text`` and the label of each."""
    spans = tokens(text)
    if not spans:
        return [], []
    return spans, list(_tagger().tag(features(text, spans)))


def segment(text: str) -> Segments:
    """The runs of each label in ``text``; ``other`` is left out.

    Tokens of one label make one run while only ``other`` tokens stand between them:
    "Acc. Chem. Res." stays one container even where the periods were labelled ``other``.
    """
    spans, found = labels(text)
    runs: Segments = {}
    last: str | None = None
    for (start, end), label in zip(spans, found, strict=True):
        if label == "other":
            continue
        if label == last:
            runs[label][-1] = (runs[label][-1][0], end)
        else:
            runs.setdefault(label, []).append((start, end))
            last = label
    return runs
