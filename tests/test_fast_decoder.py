"""The citation model's faster decoder gives CRFsuite's own labels: the same model file, the
same features, the same best path, for every citation (so the parser's accuracy is the same).

Compared on the hand-written table of citations, on texts hypothesis makes up, and (where the
shared corpora are present) on all 10,192 citations of GROBID's and AnyStyle's corpora; with the
compiled kernel (numba, the ``batch`` extra) and with its numpy twin.
"""

# House style (STYLE.md) writes `assert expected == actual`; ruff's SIM300 calls that Yoda.

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from citation_table import ALL
from hypothesis import given, settings
from hypothesis import strategies as st

from refcheck.parsing import clean_citation, parse_citation, parse_citations, segment

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
TEXTS = [case[0] for case in ALL]


@pytest.fixture(params=["compiled", "numpy"])
def decoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each test runs with the numba kernel (when installed) and with the numpy path."""
    if request.param == "compiled" and segment._import_numba() is None:
        pytest.skip("numba is not installed")
    monkeypatch.setattr(
        segment._compiled, "kernel", None if request.param == "numpy" else False, raising=False
    )
    yield request.param
    monkeypatch.setattr(segment._compiled, "kernel", False)


def test_table_citations_get_crfsuites_labels(decoder: str) -> None:
    """Every citation of the table, raw and cleaned, labelled many at a time as CRFsuite does."""
    texts = TEXTS + [clean_citation(t) for t in TEXTS]
    assert [segment.crfsuite_labels(t) for t in texts] == segment.labels_many(texts)


_CITATIONISH = st.text(
    alphabet=st.sampled_from(list("abcXYZ éÜ 0123456789 .,;:()[]\"“”-–&'/ ")), max_size=160
)


@settings(max_examples=150)
@given(st.lists(_CITATIONISH, min_size=1, max_size=6))
def test_any_texts_get_crfsuites_labels(texts: list[str]) -> None:
    """Made-up texts (quotes, brackets, sentence ends, numbers, accents) agree too, in one batch."""
    assert [segment.crfsuite_labels(t) for t in texts] == segment.labels_many(texts)


def test_parse_citations_gives_parse_citations_references(decoder: str) -> None:
    """The batch parser's references are the one-at-a-time parser's, field for field."""
    assert [parse_citation(t) for t in TEXTS] == parse_citations(TEXTS, batch=7)


def test_a_text_twice_in_a_batch_is_parsed_twice_alike() -> None:
    """The same citation twice in a batch gives the same reference twice."""
    assert [parse_citation(TEXTS[0])] * 2 == parse_citations([TEXTS[0], TEXTS[0]])


def test_the_corpora_get_crfsuites_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    """All 10,192 citations of the parsing corpora, labelled as CRFsuite labels them."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import parsing as corpora

    if not corpora.GROBID.is_dir() or not corpora.ANYSTYLE.is_file():
        pytest.skip("the parsing corpora are absent")
    texts = [g.text for g in corpora.grobid(None)] + [g.text for g in corpora.anystyle(None)]
    cleaned = [clean_citation(t) for t in texts]
    assert [segment.crfsuite_labels(t) for t in cleaned] == segment.labels_many(cleaned)


def test_numba_imports_beside_a_module_named_coverage(tmp_path: Path) -> None:
    """A ``coverage.py`` of the user's on the path (``benchmarks/coverage.py`` here) does not
    stop numba from importing: numba took it for the coverage package and failed."""
    if segment._import_numba() is None:
        pytest.skip("numba is not installed")
    (tmp_path / "coverage.py").write_text('"""Not the coverage package."""\n')
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from refcheck.parsing import segment; "
        "print(segment._import_numba() is not None, 'coverage' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "True False" == done.stdout.strip()
