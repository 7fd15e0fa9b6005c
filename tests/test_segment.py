"""Tests of :mod:`refcheck.parsing.segment`: tokens, features and the trained model's labels."""

from __future__ import annotations

import itertools
import threading

import pytest

from refcheck.errors import ModelMissingError, RefcheckError
from refcheck.parsing import parse_citation, segment

_LANCET = "Mehta P, Cron RQ. Silencing the cytokine storm. Lancet Rheumatol 2020; 2: e358–67."


def test_tokens_split_letters_digits_and_marks() -> None:
    """Letters, digits and each other character are separate tokens: "J1995;8" is four."""
    text = "Eur Respir J1995;8:1030"
    assert ["Eur", "Respir", "J", "1995", ";", "8", ":", "1030"] == [
        text[a:b] for a, b in segment.tokens(text)
    ]


def test_tokens_stop_at_the_limit() -> None:
    """Only the first ``limit`` tokens are read, so a megabyte costs no more than a citation."""
    assert 5 == len(segment.tokens("a " * 1_000_000, limit=5))


def test_features_are_the_same_for_training_and_tagging() -> None:
    """One feature list a token, each holding the token's word and its neighbours' words."""
    spans = segment.tokens(_LANCET)
    rows = segment.features(_LANCET, spans)
    assert len(spans) == len(rows)
    assert "w=mehta" in rows[0]
    assert "BOS" in rows[0]
    assert "+1w=p" in rows[0]
    assert "EOS" in rows[-1]
    assert "-1w=cron" in rows[spans.index((14, 16))]  # "RQ" follows "Cron"


def test_segments_of_a_lancet_citation() -> None:
    """The model labels each field of a Vancouver citation, and nothing is labelled twice."""
    runs = segment.segment(_LANCET)

    def text(label: str) -> list[str]:
        """The runs of ``label``, without the punctuation the model may attach to them."""
        return [_LANCET[a:b].rstrip(".,;:") for a, b in runs.get(label, [])]

    assert ["Mehta P, Cron RQ"] == text("author")
    assert ["Silencing the cytokine storm"] == text("title")
    assert ["Lancet Rheumatol"] == text("container")
    assert ["2020"] == text("date")
    assert ["2"] == text("volume")
    assert "other" not in runs
    spans = sorted(span for spans in runs.values() for span in spans)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_empty_text_has_no_segments() -> None:
    assert {} == segment.segment("")
    assert ([], []) == segment.labels("  ")


def test_each_thread_gets_a_tagger_and_the_same_answer() -> None:
    """Parsing from many threads at once (the checker's worker pool) gives the same fields."""
    expected = parse_citation(_LANCET)
    results: list[object] = []

    def work() -> None:
        results.extend(parse_citation(_LANCET) for _ in range(20))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 80 == len(results)
    assert all(result == expected for result in results)


def test_a_missing_model_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without its model file (a broken install) the segmenter says so, as a RefcheckError."""
    monkeypatch.setattr(segment, "MODEL", "absent.crfsuite")

    def run() -> None:
        segment.segment(_LANCET)

    failure: list[BaseException] = []

    def in_new_thread() -> None:  # a new thread has no tagger loaded yet
        try:
            run()
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=in_new_thread)
    thread.start()
    thread.join()
    assert 1 == len(failure)
    assert isinstance(failure[0], ModelMissingError)
    assert isinstance(failure[0], RefcheckError)
    assert "absent.crfsuite" in str(failure[0])
