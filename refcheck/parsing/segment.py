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

import importlib.util
import logging
import os
import re
import struct
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pycrfsuite

from refcheck.errors import ModelMissingError

log = logging.getLogger(__name__)

__all__ = [
    "LABELS",
    "MAX_TOKENS",
    "MODEL",
    "Segments",
    "crfsuite_labels",
    "features",
    "labels",
    "labels_many",
    "prepared",
    "segment",
    "segment_many",
    "tokens",
]

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
    return [match.span() for match in islice(_TOKEN.finditer(text), limit)]


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


def _model_path() -> Path:
    path = Path(str(resources.files("refcheck.parsing").joinpath(MODEL)))
    if not path.is_file():
        raise ModelMissingError(f"the citation model {path} is missing; reinstall refcheck")
    return path


def _tagger() -> pycrfsuite.Tagger:
    """This thread's CRFsuite tagger (CRFsuite's is not safe to share between threads): the
    reference decoder, which :func:`labels` gives the same labels as, faster."""
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        tagger = pycrfsuite.Tagger()
        tagger.open(str(_model_path()))
        _local.tagger = tagger
    return tagger


# --- the model's own decoder, faster -----------------------------------------------------------
#
# CRFsuite spends most of its time turning each token's ~27 feature strings into attribute ids
# (0.23 ms a citation, against 0.01 ms for the Viterbi search itself). The same scores come from
# the model's weights directly: a token's score for each label is the sum of the weights of its
# features, and most of those features depend on the token's word alone (its own features, and
# what its neighbours see of it) or on one of a few small sets of values (its position, the
# counts of years, sentences and commas before it...). So each word's sums are computed once and
# kept, each context value's weights are a row of a small table, and a citation's scores are a
# few table look-ups in numpy; then the Viterbi search, many citations at a time. The weights are
# read from the model file itself (exact doubles: CRFsuite's text dump rounds them), and
# ``tests/test_segment.py`` holds that the labels are CRFsuite's.


def _read_model(path: Path) -> tuple[list[str], dict[str, int], np.ndarray, np.ndarray]:
    """(labels, attribute -> row, state weights (attributes + 1, labels), transitions (labels,
    labels)) of a CRFsuite model file (crf1d format: a header, the features, two CQDB string
    tables); the last row of the state weights is zeros, for attributes the model lacks."""
    data = path.read_bytes()
    magic, _, kind, _, _, _, _, off_features, off_labels, off_attrs, _, _ = struct.unpack_from(
        "<4sI4sIIIIIIIII", data, 0
    )
    if magic != b"lCRF" or kind != b"FOMC":
        raise ModelMissingError(f"{path}: not a CRFsuite model of the kind refcheck trained")

    def strings(offset: int) -> list[str]:
        _, _, _, _, count, backward = struct.unpack_from("<4sIIIII", data, offset)
        out = []
        for index in range(count):
            (record,) = struct.unpack_from("<I", data, offset + backward + 4 * index)
            _, size = struct.unpack_from("<iI", data, offset + record)
            start = offset + record + 8
            out.append(data[start : start + size - 1].decode("utf-8"))
        return out

    names = strings(off_labels)
    attributes = strings(off_attrs)
    (count,) = struct.unpack_from("<I", data, off_features + 8)
    features = np.frombuffer(
        data,
        dtype=np.dtype([("type", "<u4"), ("src", "<u4"), ("dst", "<u4"), ("weight", "<f8")]),
        count=count,
        offset=off_features + 12,
    )
    state = np.zeros((len(attributes) + 1, len(names)))
    transition = np.zeros((len(names), len(names)))
    is_state = features["type"] == 0
    state[features["src"][is_state], features["dst"][is_state]] = features["weight"][is_state]
    is_transition = features["type"] == 1
    transition[features["src"][is_transition], features["dst"][is_transition]] = features["weight"][
        is_transition
    ]
    return names, {a: i for i, a in enumerate(attributes)}, state, transition


class _Rows:
    """A numpy array that grows by rows (doubling its room), for tables filled as words come."""

    def __init__(self, shape: tuple[int, ...], dtype: type = np.float64) -> None:
        self._data: np.ndarray = np.zeros((64, *shape), dtype=dtype)
        self.count = 0

    def add(self, row: object) -> int:
        if self.count == len(self._data):
            grown = np.zeros((2 * len(self._data), *self._data.shape[1:]), self._data.dtype)
            grown[: self.count] = self._data
            self._data = grown
        self._data[self.count] = row
        self.count += 1
        return self.count - 1

    @property
    def rows(self) -> np.ndarray:
        return self._data[: self.count]


class _Scorer:
    """The model's weights arranged for scoring many tokens at once (see above)."""

    #: Words whose sums are kept, at most; beyond, the table starts again.
    MAX_WORDS = 50_000

    def __init__(self, path: Path) -> None:
        self.names, self.index, self.state, self.transition = _read_model(path)
        self.size = len(self.names)
        self._lock = threading.Lock()
        zero = len(self.state) - 1
        self.zero = zero

        def rows(values: Sequence[str]) -> np.ndarray:
            return self.state[[self.index.get(v, zero) for v in values]]

        self.position = rows(_POSITION)
        self.sb = rows(["nsb", "sb"])
        self.sa = rows(["nsa", "sa"])
        self.years = rows(_YEARS)
        self.sentences = rows(_SENTENCES)
        self.commas = rows(_COMMAS)
        self.quote = rows(["q0", "q1"])
        self.paren = rows(["pa0", "pa1"])
        self.to_number = rows(_TO_NUMBER)
        self.to_end = rows(_TO_END)
        self.since_end = rows(_SINCE_END)
        self.abbreviation = np.vstack([np.zeros(self.size), rows(_ABBREVIATION[1:6])])
        self.chunk_first = rows(["cm", "cf"])
        self.bos = rows(["BOS"])[0]
        self.eos = rows(["EOS"])[0]
        styles = ("g:quotes", "g:parenyear", "g:semiyear", "g:in")
        self.style_rows = np.array(
            [
                sum(
                    (rows([f])[0] for k, f in enumerate(styles) if code >> k & 1),
                    np.zeros(self.size),
                )
                for code in range(16)
            ]
        )
        # Every context table, one after the other, for the compiled kernel (offsets: _CONTEXT).
        self.context = np.vstack(
            [
                self.position,
                self.sb,
                self.sa,
                self.years,
                self.sentences,
                self.commas,
                self.quote,
                self.paren,
                self.to_number,
                self.to_end,
                self.since_end,
                self.abbreviation,
                self.chunk_first,
                self.bos[None, :],
                self.eos[None, :],
                self.style_rows,
            ]
        )
        self._reset()

    def _reset(self) -> None:
        # Per word: its own features' sum, what the tokens 1 and 2 after it and 1 and 2 before it
        # see of its word, its shape's id and a few facts; per shape: what the tokens 1-4 away
        # see of it; per chunk shape, its weights.
        self.words: dict[str, int] = {}
        self.own = _Rows((self.size,))
        self.near = _Rows((4, self.size))
        self.word_shape = _Rows((), np.intp)
        self.facts = _Rows((10,), np.intp)
        self.shapes: dict[str, int] = {}
        self.far = _Rows((8, self.size))
        self.chunks: dict[str, int] = {}
        self.chunk_rows = _Rows((self.size,))

    def _sum(self, values: Sequence[str]) -> np.ndarray:
        zero = self.zero
        total: np.ndarray = self.state[[self.index.get(v, zero) for v in values]].sum(axis=0)
        return total

    def word(self, token: str) -> int:
        """The id of a token's word, its sums computed the first time it is seen."""
        found = self.words.get(token)
        if found is not None:
            return found
        if len(self.words) >= self.MAX_WORDS:
            self._reset()
        look = _word(token)
        shape = look.m3[2:]
        shape_id = self.shapes.get(shape)
        if shape_id is None:
            shape_id = self.shapes[shape] = self.far.add(
                np.stack(
                    [self._sum([f"{k}s={shape}"]) for k in ("-1", "-2", "+1", "+2")]
                    + [self._sum([f"{k}{shape}"]) for k in ("-3", "-4", "+3", "+4")]
                )
            )
        words = [f[2:] for f in look.m1 if f.startswith("-1w=")]
        self.near.add(
            np.stack([self._sum([k + f for f in words]) for k in ("-1", "-2", "+1", "+2")])
        )
        self.word_shape.add(shape_id)
        is_digit = token.isdigit()
        self.facts.add(
            (
                is_digit,
                is_digit and len(token) == 4 and 1500 <= int(token) <= 2099,
                token == ",",
                token in _QUOTES,
                token in ("(", "["),
                token in (")", "]"),
                token in _STOPS,
                len(token) <= 2 and token[:1].isupper(),
                token.isalpha(),
                min(len(token), 5),
            )
        )
        index = self.words[token] = self.own.add(self._sum(look.own))
        return index

    def chunk(self, chunk: str) -> int:
        shape = _chunk_shape(chunk)
        found = self.chunks.get(shape)
        if found is None:
            found = self.chunks[shape] = self.chunk_rows.add(self._sum([shape]))
        return found

    def label_many(self, texts: Sequence[str]) -> list[tuple[list[tuple[int, int]], list[str]]]:
        """The tokens of each text and the label of each token, as CRFsuite would give them."""
        with self._lock:
            return self._label_many(texts)

    def _label_many(self, texts: Sequence[str]) -> list[tuple[list[tuple[int, int]], list[str]]]:
        all_spans: list[list[tuple[int, int]]] = []
        word_ids: list[int] = []
        chunk_ids: list[int] = []
        chunk_first: list[bool] = []
        styles: list[int] = []
        word = self.word
        for text in texts:
            spans = tokens(text)
            all_spans.append(spans)
            if not spans:
                styles.append(0)
                continue
            word_ids += [word(text[a:b]) for a, b in spans]
            found = _style(text)
            styles.append(
                ("g:quotes" in found)
                | ("g:parenyear" in found) << 1
                | ("g:semiyear" in found) << 2
                | ("g:in" in found) << 3
            )
            # The whitespace-delimited chunk of each token (spaces only, as features() reads).
            start = 0
            i, n = 0, len(spans)
            while i < n:
                end = text.find(" ", spans[i][0])
                if end < 0:
                    end = len(text)
                start = text.rfind(" ", 0, spans[i][0]) + 1
                chunk = self.chunk(text[start:end])
                while i < n and spans[i][0] < end:
                    chunk_ids.append(chunk)
                    chunk_first.append(spans[i][0] == start)
                    i += 1
        lengths = np.array([len(s) for s in all_spans], dtype=np.intp)
        total = int(lengths.sum())
        if total == 0:
            return [([], []) for _ in texts]
        own, near, word_shape = self.own.rows, self.near.rows, self.word_shape.rows
        far, facts, chunk_rows = self.far.rows, self.facts.rows, self.chunk_rows.rows
        ids = np.array(word_ids, dtype=np.intp)
        citation = np.repeat(np.arange(len(texts)), lengths)
        first = np.repeat(np.cumsum(lengths) - lengths, lengths)
        position = np.arange(total) - first
        length = lengths[citation]
        last = position == length - 1
        starts = np.array([a for spans in all_spans for a, _ in spans], dtype=np.intp)
        stops = np.array([b for spans in all_spans for _, b in spans], dtype=np.intp)
        joined = "\n".join(texts)
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        offsets = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])[citation]
        sizes = np.array([len(t) for t in texts], dtype=np.intp)[citation]
        before = codes[np.maximum(starts + offsets - 1, 0)]
        has_after = stops < sizes
        after = codes[np.minimum(stops + offsets, len(codes) - 1)]
        space_before = (starts > 0) & (before == 32)
        space_after = has_after & (after == 32)
        dot_after = has_after & (after == 46)
        kernel = _compiled()
        if kernel is not None:
            result = np.zeros(total, dtype=np.int64)
            kernel(
                ids,
                np.array(chunk_ids, dtype=np.int64),
                np.array(chunk_first, dtype=np.int64),
                space_before.astype(np.int64),
                space_after.astype(np.int64),
                dot_after.astype(np.int64),
                (np.cumsum(lengths) - lengths).astype(np.int64),
                lengths.astype(np.int64),
                np.array(styles, dtype=np.int64),
                own,
                near,
                word_shape.astype(np.int64),
                far,
                facts.astype(np.int64),
                chunk_rows,
                self.context,
                self.transition,
                result,
            )
            return self._named(all_spans, lengths, result.tolist())
        fact = facts[ids]
        is_digit, is_year, is_comma, is_quote, opens, closes, stop, short_upper, alpha, size5 = (
            fact.T
        )
        previous_short = np.zeros(total, dtype=bool)
        previous_short[1:] = short_upper[:-1].astype(bool)
        ends = stop.astype(bool) & space_after & ~((position > 0) & previous_short)

        def before_count(flags: np.ndarray) -> np.ndarray:
            running: np.ndarray = np.cumsum(flags) - flags
            counted: np.ndarray = running - running[first]
            return counted

        years = np.minimum(before_count(is_year), 2)
        sentences = np.minimum(before_count(ends.astype(np.intp)), 6)
        commas = np.minimum(before_count(is_comma), 6)
        quote = before_count(is_quote) & 1
        step = opens - closes
        depth = before_count(step)
        big = 1 << 20
        lowest = np.minimum.accumulate(depth - citation * big) + citation * big
        paren = (depth - np.minimum(lowest, 0)) > 0
        # Distance since the last sentence end before the token (at most 10).
        marks = np.where(ends, position, -1) + citation * big
        last_end = np.maximum(np.maximum.accumulate(marks) - citation * big, -1)
        last_before = np.full(total, -1)
        last_before[1:] = last_end[:-1]
        last_before[position == 0] = -1
        since_end = np.minimum(position - last_before - 1, 10)

        def distance_to_next(flags: np.ndarray) -> np.ndarray:
            marks = np.where(flags, position, big) + citation * big
            nearest = np.minimum.accumulate(marks[::-1])[::-1] - citation * big
            following = np.full(total, big)
            following[:-1] = nearest[1:]
            following[last] = big
            return np.minimum(following - position - 1, 99)

        to_number = distance_to_next(is_digit.astype(bool))
        to_end = distance_to_next(ends)
        scores = own[ids]
        scores += self.position[10 * position // length]
        scores += self.sb[space_before.astype(np.intp)]
        scores += self.sa[space_after.astype(np.intp)]
        scores += self.years[years]
        scores += self.sentences[sentences]
        scores += self.commas[commas]
        scores += self.quote[quote]
        scores += self.paren[paren.astype(np.intp)]
        scores += self.to_number[to_number]
        scores += self.to_end[to_end]
        scores += self.since_end[since_end]
        scores += self.abbreviation[np.where(dot_after & alpha.astype(bool), size5, 0)]
        scores += self.style_rows[np.array(styles, dtype=np.intp)[citation]]
        scores += chunk_rows[np.array(chunk_ids, dtype=np.intp)]
        scores += self.chunk_first[np.array(chunk_first, dtype=np.intp)]
        shape_of = word_shape[ids]
        scores[position == 0] += self.bos
        scores[last] += self.eos
        for gap in (1, 2, 3, 4):
            # What token i sees of token i - gap (the "-gap" features) and of token i + gap.
            seen = position >= gap
            later = np.nonzero(seen)[0]
            if gap <= 2:
                scores[later] += near[ids[later - gap], gap - 1]
                scores[later] += far[shape_of[later - gap], gap - 1]
            else:
                scores[later] += far[shape_of[later - gap], gap + 1]
            earlier = later - gap
            if gap <= 2:
                scores[earlier] += near[ids[later], gap + 1]
                scores[earlier] += far[shape_of[later], gap + 1]
            else:
                scores[earlier] += far[shape_of[later], gap + 3]
        return self._named(all_spans, lengths, self._viterbi(scores, lengths))

    def _named(
        self, all_spans: list[list[tuple[int, int]]], lengths: np.ndarray, found: list[int]
    ) -> list[tuple[list[tuple[int, int]], list[str]]]:
        names = self.names
        out: list[tuple[list[tuple[int, int]], list[str]]] = []
        start = 0
        for spans, count in zip(all_spans, lengths.tolist(), strict=True):
            out.append((spans, [names[k] for k in found[start : start + count]]))
            start += count
        return out

    def _viterbi(self, scores: np.ndarray, lengths: np.ndarray) -> list[int]:
        """The best label path of each citation (its rows of ``scores``), as CRFsuite finds it
        (the first of equal scores), many citations of similar length at a time."""
        result = np.zeros(len(scores), dtype=np.intp)
        firsts = np.cumsum(lengths) - lengths
        order = np.argsort(lengths, kind="stable")
        order = order[lengths[order] > 0]
        into = np.ascontiguousarray(self.transition.T)  # into[j, i]: the weight of i -> j
        for group in np.array_split(order, max(1, -(-len(order) // 256))):
            if not len(group):
                continue
            count = lengths[group]
            longest = int(count.max())
            rows = firsts[group][:, None] + np.minimum(np.arange(longest), count[:, None] - 1)
            emission = scores[rows]  # (citations, tokens, labels), the last row repeated
            best = emission[:, 0, :].copy()
            back = np.zeros((len(group), longest, self.size), dtype=np.intp)
            for t in range(1, longest):
                candidates = best[:, None, :] + into[None, :, :]  # [b, j, i]
                choice = candidates.argmax(axis=2)
                back[:, t, :] = choice
                moved = np.take_along_axis(candidates, choice[:, :, None], axis=2)[:, :, 0]
                moved += emission[:, t, :]
                going = t < count
                best[going] = moved[going]
            label = best.argmax(axis=1)
            path = np.zeros((len(group), longest), dtype=np.intp)
            path[np.arange(len(group)), count - 1] = label
            for t in range(longest - 1, 0, -1):
                inside = t < count
                previous = back[np.arange(len(group)), t, path[:, t]]
                path[inside, t - 1] = previous[inside]
            for citation, n, labels_ in zip(group.tolist(), count.tolist(), path, strict=True):
                result[firsts[citation] : firsts[citation] + n] = labels_[:n]
        found: list[int] = result.tolist()
        return found


def _kernel(  # pragma: no cover - compiled by numba; its twin in numpy is tested alike
    ids: np.ndarray,
    chunk_ids: np.ndarray,
    chunk_first: np.ndarray,
    space_before: np.ndarray,
    space_after: np.ndarray,
    dot_after: np.ndarray,
    firsts: np.ndarray,
    lengths: np.ndarray,
    styles: np.ndarray,
    own: np.ndarray,
    near: np.ndarray,
    word_shape: np.ndarray,
    far: np.ndarray,
    facts: np.ndarray,
    chunk_rows: np.ndarray,
    context: np.ndarray,
    transition: np.ndarray,
    out: np.ndarray,
) -> None:
    """features() and CRFsuite's Viterbi search in one loop, for numba to compile: the scores
    of each token of each citation, then its best label path, into ``out``."""
    size = transition.shape[0]
    c_position, c_sb, c_sa, c_years = 0, 10, 12, 14
    c_sentences, c_commas, c_quote, c_paren = 17, 24, 31, 33
    c_number, c_end, c_since, c_abbreviation = 35, 135, 235, 246
    c_first, c_bos, c_eos, c_style = 252, 254, 255, 256
    best = np.empty(size)
    new = np.empty(size)
    for c in range(len(lengths)):
        n = lengths[c]
        f = firsts[c]
        if n == 0:
            continue
        scores = np.zeros((n, size))
        ends = np.zeros(n, np.bool_)
        for i in range(n):
            k = ids[f + i]
            ends[i] = (
                facts[k, 6] == 1
                and space_after[f + i] == 1
                and not (i > 0 and facts[ids[f + i - 1], 7] == 1)
            )
        to_number = np.empty(n, np.int64)
        to_end = np.empty(n, np.int64)
        number = 99
        end = 99
        for i in range(n - 1, -1, -1):
            to_number[i] = number
            to_end[i] = end
            number = 0 if facts[ids[f + i], 0] == 1 else min(number + 1, 99)
            end = 0 if ends[i] else min(end + 1, 99)
        years = 0
        sentences = 0
        commas = 0
        since = 0
        quote = 0
        paren = 0
        for i in range(n):
            g = f + i
            k = ids[g]
            abbreviation = facts[k, 9] if dot_after[g] == 1 and facts[k, 8] == 1 else 0
            rows = (
                c_position + 10 * i // n,
                c_sb + space_before[g],
                c_sa + space_after[g],
                c_years + years,
                c_sentences + sentences,
                c_commas + commas,
                c_quote + quote,
                c_paren + (1 if paren > 0 else 0),
                c_number + to_number[i],
                c_end + to_end[i],
                c_since + since,
                c_abbreviation + abbreviation,
                c_first + chunk_first[g],
                c_style + styles[c],
            )
            for j in range(size):
                value = own[k, j] + chunk_rows[chunk_ids[g], j]
                for r in rows:
                    value += context[r, j]
                if i == 0:
                    value += context[c_bos, j]
                else:
                    value += near[ids[g - 1], 0, j] + far[word_shape[ids[g - 1]], 0, j]
                    if i > 1:
                        value += near[ids[g - 2], 1, j] + far[word_shape[ids[g - 2]], 1, j]
                        if i > 2:
                            value += far[word_shape[ids[g - 3]], 4, j]
                            if i > 3:
                                value += far[word_shape[ids[g - 4]], 5, j]
                if i == n - 1:
                    value += context[c_eos, j]
                else:
                    value += near[ids[g + 1], 2, j] + far[word_shape[ids[g + 1]], 2, j]
                    if i < n - 2:
                        value += near[ids[g + 2], 3, j] + far[word_shape[ids[g + 2]], 3, j]
                        if i < n - 3:
                            value += far[word_shape[ids[g + 3]], 6, j]
                            if i < n - 4:
                                value += far[word_shape[ids[g + 4]], 7, j]
                scores[i, j] = value
            if since < 10:
                since += 1
            if ends[i]:
                sentences = min(sentences + 1, 6)
                since = 0
            elif facts[k, 0] == 1:
                if facts[k, 1] == 1 and years < 2:
                    years += 1
            elif facts[k, 2] == 1:
                commas = min(commas + 1, 6)
            elif facts[k, 3] == 1:
                quote ^= 1
            elif facts[k, 4] == 1:
                paren += 1
            elif facts[k, 5] == 1:
                paren = max(0, paren - 1)
        back = np.empty((n, size), np.int64)
        for j in range(size):
            best[j] = scores[0, j]
        for t in range(1, n):
            for j in range(size):
                top = -np.inf
                arg = 0
                for i in range(size):
                    candidate = best[i] + transition[i, j]
                    if top < candidate:
                        top = candidate
                        arg = i
                new[j] = top + scores[t, j]
                back[t, j] = arg
            for j in range(size):
                best[j] = new[j]
        top = -np.inf
        arg = 0
        for j in range(size):
            if top < best[j]:
                top = best[j]
                arg = j
        out[f + n - 1] = arg
        for t in range(n - 1, 0, -1):
            arg = back[t, arg]
            out[f + t - 1] = arg


def _compiled() -> Any:
    """The kernel compiled by numba (cached on disk), or ``None`` without numba (the numpy
    path then gives the same labels, slower). ``REFCHECK_NUMBA=0`` turns it off."""
    kernel = getattr(_compiled, "kernel", False)
    if kernel is False:
        kernel = None
        if os.environ.get("REFCHECK_NUMBA", "1") != "0":
            numba = _import_numba()
            if numba is not None:
                kernel = numba.njit(cache=True, nogil=True)(_kernel)
        _compiled.kernel = kernel  # type: ignore[attr-defined]
    return kernel


def _import_numba() -> Any:
    """The ``numba`` module, or ``None`` when it is not installed or fails to import.

    numba imports ``coverage`` when it can, and takes any module of that name for the
    coverage package: a ``coverage.py`` or a ``coverage/`` folder on the path (a project's
    own, like ``benchmarks/coverage.py`` here, when a script of that folder runs) broke its
    import with an AttributeError. Such a module is hidden from numba while it imports.
    """
    hide = "coverage" not in sys.modules and not _is_package("coverage")
    if hide:
        sys.modules["coverage"] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        import numba
    except Exception as exc:  # ImportError, or an error in numba's own imports
        log.warning("numba cannot be imported (%s): parsing uses the slower numpy decoder", exc)
        return None
    finally:
        if hide and sys.modules.get("coverage", False) is None:
            del sys.modules["coverage"]
    return numba


def _is_package(name: str) -> bool:
    """Whether ``name`` is a regular package on the path (or absent: nothing to hide)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return False
    return spec is None or bool(spec.origin and spec.origin.endswith("__init__.py"))


def _scorer() -> _Scorer:
    scorer = getattr(_scorer, "instance", None)
    if scorer is None:
        with _SCORER_LOCK:
            scorer = getattr(_scorer, "instance", None)
            if scorer is None:
                scorer = _Scorer(_model_path())
                _scorer.instance = scorer  # type: ignore[attr-defined]
    return scorer


_SCORER_LOCK = threading.Lock()


def labels(text: str) -> tuple[list[tuple[int, int]], list[str]]:
    """The tokens of ``text`` and the label of each (one text: CRFsuite's own decoder, which
    is the faster for one; :func:`labels_many` for many)."""
    return crfsuite_labels(text)


def labels_many(texts: Sequence[str]) -> list[tuple[list[tuple[int, int]], list[str]]]:
    """:func:`labels` of each text, many at a time (several times faster a citation)."""
    return _scorer().label_many(texts)


def crfsuite_labels(text: str) -> tuple[list[tuple[int, int]], list[str]]:
    """:func:`labels` as CRFsuite's own tagger gives them (slower; the reference the fast
    decoder is tested against)."""
    spans = tokens(text)
    if not spans:
        return [], []
    return spans, list(_tagger().tag(features(text, spans)))


def _runs(spans: Sequence[tuple[int, int]], found: Sequence[str]) -> Segments:
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


def segment(text: str) -> Segments:
    """The runs of each label in ``text``; ``other`` is left out.

    Tokens of one label make one run while only ``other`` tokens stand between them:
    "Acc. Chem. Res." stays one container even where the periods were labelled ``other``.
    Inside :func:`prepared`, a text segmented there already is not segmented again.
    """
    ready = getattr(_local, "prepared", None)
    if ready is not None:
        found: Segments | None = ready.pop(text, None)  # given out once: it may be changed
        if found is not None:
            return found
    return _runs(*labels(text))


def segment_many(texts: Sequence[str]) -> list[Segments]:
    """:func:`segment` of each text, many at a time."""
    return [_runs(spans, found) for spans, found in labels_many(texts)]


@contextmanager
def prepared(texts: Sequence[str]) -> Iterator[None]:
    """Segment ``texts`` together now; the first :func:`segment` of each of them inside the
    block (in this thread) is then free. How
    :func:`~refcheck.parsing.citation.parse_citations` parses many citations at the speed of
    the batch decoder."""
    unique = list(dict.fromkeys(texts))
    outer = getattr(_local, "prepared", None)
    _local.prepared = dict(zip(unique, segment_many(unique), strict=True))
    try:
        yield
    finally:
        _local.prepared = outer
