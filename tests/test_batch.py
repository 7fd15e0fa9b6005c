"""Batch runs on Dask: one line in, one result out, in order; bad lines give error results;
a killed run resumes without losing or repeating a result; the CLI around it.

The sources are a small local index built at test time from made-up records (no network).
Dask runs in this process (a LocalCluster of threads) except in the test that kills a run.
"""

# House style (STYLE.md) writes `assert expected == actual`; ruff's SIM300 calls that Yoda.

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from refcheck.batch import (
    MAX_LINE,
    BatchSources,
    _chunks,
    _resume_point,
    check_batch,
    check_lines,
    read_line,
)
from refcheck.cli import cli
from refcheck.errors import ExportError, ExtraMissingError, ParseError
from refcheck.model import Work
from refcheck.sources.chain import SourceChain
from refcheck.sources.snapshot import SnapshotSource
from refcheck.sources.snapshot_build import build_index, write_snapshot

pytest.importorskip("tantivy")
distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[1]
SURNAMES = ["Okafor", "Lindqvist", "Haddad", "Moreau", "Tanaka", "Novak", "Ferreira", "Kowal"]
TOPICS = ["glacier", "enzyme", "lattice", "monsoon", "protein", "galaxy", "soil", "neuron"]


def record(number: int) -> dict[str, Any]:
    return {
        "DOI": f"10.5555/Batch.{number:04d}",
        "type": "journal-article",
        "title": [f"{TOPICS[number % 8].title()} patterns of the survey number {number}"],
        "author": [{"given": "Ada", "family": SURNAMES[number % 8]}],
        "container-title": ["Journal of Made-up Results"],
        "issued": {"date-parts": [[2000 + number % 20]]},
        "volume": str(10 + number),
        "page": f"{100 + number}-{110 + number}",
    }


RECORDS = [record(n) for n in range(80)]


def citation(rec: dict[str, Any]) -> str:
    year = rec["issued"]["date-parts"][0][0]
    return (
        f"{rec['author'][0]['family']} A. {rec['title'][0]}. {rec['container-title'][0]}. "
        f"{year};{rec['volume']}:{rec['page']}."
    )


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("batch-index")
    write_snapshot(RECORDS, root / "s")
    build_index(root / "s", root / "i")
    return root / "i"


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """An in-process Dask cluster of two single-threaded workers (fast to start)."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        yield cluster.scheduler_address


def input_lines(count: int) -> list[str]:
    """``count`` lines: citations, a structured reference, a broken line and a blank one."""
    lines = [json.dumps(citation(RECORDS[n % 80])) for n in range(count)]
    lines[3] = "{not json"
    lines[5] = json.dumps(
        {
            "id": "r6",
            "title": RECORDS[5]["title"][0],
            "year": "2005",
            "authors": [{"family": SURNAMES[5]}],
            "volume": "15",
        }
    )
    lines[7] = ""
    return lines


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- one line ----------------------------------------------------------------------------------


def test_a_json_string_is_a_citation() -> None:
    citation_, reference = read_line('"Okafor A. Glacier patterns. J Res. 2001;3:4-5."', 4, "f")
    assert ("Okafor A. Glacier patterns. J Res. 2001;3:4-5.", 4, "Okafor") == (
        citation_.text,
        citation_.line,
        reference.authors[0].family,
    )


def test_an_object_with_fields_is_a_structured_reference() -> None:
    """Fields are taken as given (not parsed); the id is the label; pages are split."""
    line = json.dumps(
        {
            "id": "x1",
            "title": "A title",
            "authors": [{"family": "Moreau", "given": "J"}],
            "year": 2001,
            "pages": "10-19",
        }
    )
    citation_, reference = read_line(line, 1, "f")
    assert ("x1", "A title", "2001", "10", "19") == (
        citation_.label,
        reference.title,
        reference.year,
        reference.first_page,
        reference.last_page,
    )


@pytest.mark.parametrize(
    "line",
    ["{not json", "42", "null", '""', '{"authors": "Moreau"}', '{"title": ["a", "list"]}', "{}"],
)
def test_a_line_that_is_neither_is_a_parse_error(line: str) -> None:
    with pytest.raises(ParseError, match="line 9"):
        read_line(line, 9, "f")


def test_check_lines_gives_one_result_a_line_in_order(index: Path) -> None:
    """Good lines resolve, the broken one is an error result, in the input's order."""
    with SnapshotSource(index) as snapshot:
        results = check_lines(
            [
                (1, json.dumps(citation(RECORDS[1]))),
                (2, "{bad"),
                (3, json.dumps(citation(RECORDS[2]))),
            ],
            SourceChain([snapshot]),
        )
    data = [json.loads(r) for r in results]
    assert ([1, 2, 3], ["verified", "error", "verified"], RECORDS[2]["DOI"]) == (
        [d["line"] for d in data],
        [d["status"] for d in data],
        data[2]["doi"],
    )


class Exploding:
    """A source whose search fails with an unexpected error for one title."""

    name = "exploding"

    def get_work(self, doi: str) -> Work | None:
        return None

    def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
        if "boom" in query:
            raise RuntimeError("boom")
        return ()


def test_one_reference_failing_does_not_stop_the_others() -> None:
    """An exception while resolving one line is that line's error result; the next is checked."""
    results = check_lines(
        [
            (1, json.dumps("Kowal A. The boom of things. J Res. 2001;3:4.")),
            (2, json.dumps("Kowal A. Quiet things. J Res. 2001;3:4.")),
        ],
        SourceChain([Exploding()]),
    )
    assert (["error", "unresolved"], "line 1: RuntimeError: boom") == (
        [json.loads(r)["status"] for r in results],
        json.loads(results[0])["error"],
    )


# --- runs ----------------------------------------------------------------------------------------


def test_a_run_writes_every_line_once_in_order(index: Path, scheduler: str, tmp_path: Path) -> None:
    """103 lines (one blank) give 102 results, numbered as the input, one error."""
    source = write(tmp_path / "refs.jsonl", input_lines(103))
    result = check_batch(
        source,
        tmp_path / "out.jsonl",
        sources=BatchSources(snapshot=index),
        scheduler=scheduler,
        chunk=10,
    )
    lines = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    expected = [n for n in range(1, 104) if n != 8]
    assert (expected, 102, 1, "r6") == (
        [x["line"] for x in lines],
        result.written,
        result.errors,
        lines[5]["label"],
    )


def test_a_stopped_run_resumes_after_its_last_whole_line(
    index: Path, scheduler: str, tmp_path: Path
) -> None:
    """An output cut in the middle of a line (as a kill leaves it) is resumed: the torn line is
    dropped, the rest is written once, and the file equals an uninterrupted run's."""
    source = write(tmp_path / "refs.jsonl", input_lines(60))
    sources = BatchSources(snapshot=index)
    check_batch(source, tmp_path / "whole.jsonl", sources=sources, scheduler=scheduler, chunk=7)
    whole = (tmp_path / "whole.jsonl").read_text()
    cut = whole.index("\n", len(whole) // 2) + 40  # 40 characters into a line
    (tmp_path / "cut.jsonl").write_text(whole[:cut])
    result = check_batch(
        source, tmp_path / "cut.jsonl", sources=sources, scheduler=scheduler, chunk=7
    )
    resumed_line = json.loads(whole[: whole.index("\n", len(whole) // 2)].rsplit("\n", 1)[-1])[
        "line"
    ]
    assert (whole, resumed_line) == ((tmp_path / "cut.jsonl").read_text(), result.resumed_after)


def test_an_output_that_is_not_results_is_never_written_over(
    index: Path, scheduler: str, tmp_path: Path
) -> None:
    source = write(tmp_path / "refs.jsonl", input_lines(10))
    (tmp_path / "notes.txt").write_text("my notes\n")
    with pytest.raises(ExportError, match="not refcheck batch results"):
        check_batch(
            source,
            tmp_path / "notes.txt",
            sources=BatchSources(snapshot=index),
            scheduler=scheduler,
        )
    assert "my notes\n" == (tmp_path / "notes.txt").read_text()


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"my notes, no newline at the end", "a last line that is not a result"),
        (b"my notes\n" + b'{"file": "r", "line": 3, "status": "verified"}\n{"fi', "a first line"),
        (b'{"file": "r", "line": 3, "status": "verified"}\nmy own line', "a torn line"),
        (b'{"file": "r", "line": 3, "status": "verified"}\n{"a": 1}\n', "a last whole line"),
    ],
)
def test_a_file_that_is_not_all_results_is_left_as_it_was(
    tmp_path: Path, content: bytes, why: str
) -> None:
    """Resuming reads the first line, the last whole line and the torn tail before it cuts
    anything: a file with any of them not refcheck's is refused, byte for byte untouched."""
    target = tmp_path / "out.jsonl"
    target.write_bytes(content)
    with pytest.raises(ExportError, match="not refcheck batch results"):
        _resume_point(target)
    assert content == target.read_bytes(), why


def test_a_torn_first_result_is_cut_and_the_run_starts_over(tmp_path: Path) -> None:
    """A kill during the first write leaves the start of a result and no newline: it is ours,
    cut, and the run starts from line 1."""
    target = tmp_path / "out.jsonl"
    target.write_bytes(b'{"file": "refs.jsonl", "li')
    assert (0, b"") == (_resume_point(target), target.read_bytes())


def test_the_output_may_not_be_the_input(index: Path, tmp_path: Path) -> None:
    """-o naming the references file itself is refused before anything runs; it is intact."""
    source = write(tmp_path / "refs.jsonl", input_lines(10))
    before = source.read_bytes()
    with pytest.raises(ExportError, match="which refcheck reads"):
        check_batch(source, source, sources=BatchSources(snapshot=index))
    assert before == source.read_bytes()


def test_a_directory_as_output_is_refused(index: Path, tmp_path: Path) -> None:
    source = write(tmp_path / "refs.jsonl", input_lines(10))
    with pytest.raises(ExportError, match="is a directory"):
        check_batch(source, tmp_path, sources=BatchSources(snapshot=index))


def test_a_line_longer_than_the_limit_is_not_held_whole(tmp_path: Path) -> None:
    """A line of 3 x MAX_LINE characters is kept only to MAX_LINE + 1 (it gets an error
    result); the lines after it keep their numbers."""
    source = tmp_path / "refs.jsonl"
    source.write_text('"a"\n' + "x" * (3 * MAX_LINE) + '\n"b"\n', encoding="utf-8")
    chunks = list(_chunks(source, 0, 10))
    assert ([1, 2, 3], MAX_LINE + 1, '"b"') == (
        [n for chunk in chunks for n, _ in chunk],
        len(chunks[0][1][1]),
        chunks[0][2][1],
    )


def test_a_failed_task_gives_error_results_for_its_lines_and_the_run_goes_on(
    index: Path, scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk whose task fails (a worker lost, a bug) gets one error result per line, naming
    the failure; the chunks before and after it are checked."""
    import refcheck.batch as batch

    checked = batch._check_chunk

    def failing(lines: list[tuple[int, str]]) -> list[str]:
        if any(n == 15 for n, _ in lines):
            raise RuntimeError("worker lost")
        return checked(lines)

    monkeypatch.setattr(batch, "_check_chunk", failing)
    source = write(tmp_path / "refs.jsonl", input_lines(30))
    check_batch(
        source, tmp_path / "o.jsonl", sources=BatchSources(snapshot=index), scheduler=scheduler,
        chunk=10,
    )  # fmt: skip
    lines = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text().splitlines()]
    failed = [x["line"] for x in lines if "worker lost" in x.get("error", "")]
    assert (list(range(12, 22)), 29) == (failed, len(lines))  # line 8 is blank


def test_without_dask_the_error_says_how_to_install_it(
    index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    source = write(tmp_path / "refs.jsonl", input_lines(10))
    with pytest.raises(ExtraMissingError, match=r"scholarly-refcheck\[batch\]"):
        check_batch(source, tmp_path / "o.jsonl", sources=BatchSources(snapshot=index))


def test_without_tantivy_the_error_says_how_to_install_it(
    index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "tantivy", None)
    with pytest.raises(ExtraMissingError, match=r"scholarly-refcheck\[index\]"):
        SnapshotSource(index)


def test_cli_batch_reports_what_it_wrote(index: Path, scheduler: str, tmp_path: Path) -> None:
    source = write(tmp_path / "refs.jsonl", input_lines(20))
    result = CliRunner().invoke(
        cli,
        [
            "batch",
            str(source),
            "-o",
            str(tmp_path / "o.jsonl"),
            "--sources",
            f"snapshot:{index}",
            "--scheduler",
            scheduler,
            "--chunk",
            "5",
        ],
    )
    assert (0, "19 results written (1 errors) by 2 workers") == (
        result.exit_code,
        result.output.split(" in ")[0],
    )


def test_a_killed_cli_run_continues_and_loses_nothing(
    index: Path, scheduler: str, tmp_path: Path
) -> None:
    """SIGKILL to a `refcheck batch` on its own local cluster (workers and all), then the same
    command again: the results equal those of a run never killed."""
    source = write(tmp_path / "refs.jsonl", input_lines(800))
    check_batch(
        source, tmp_path / "whole.jsonl", sources=BatchSources(snapshot=index), scheduler=scheduler
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed = tmp_path / "killed.jsonl"
    command = [
        sys.executable, "-m", "refcheck", "batch", str(source), "-o", str(killed),
        "--sources", f"snapshot:{index}", "--workers", "2", "--chunk", "20",
    ]  # fmt: skip
    run = subprocess.Popen(
        command,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and run.poll() is None:
        if killed.exists() and killed.stat().st_size > 20_000:
            break
        time.sleep(0.01)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=30)
    partial = killed.read_text().count("\n")
    again = subprocess.run(
        command, env=env, check=True, capture_output=True, text=True, timeout=300
    )
    assert (True, (tmp_path / "whole.jsonl").read_text()) == (
        0 < partial < 799 and "after line" in again.stdout,
        killed.read_text(),
    )
