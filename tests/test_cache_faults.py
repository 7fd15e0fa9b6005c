"""The cache when things go wrong: damaged files, two processes at once, a killed run, growth.

Lookups go to the Crossref stand-in on 127.0.0.1 (its request log shows what reached the
"network"); the runs of the command are real subprocesses sharing one cache file.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from seed import MANUSCRIPT, seed_records

from refcheck.errors import CacheError, ConfigError
from refcheck.sources.crossref import CrossrefClient, CrossrefSettings
from refcheck.sources.http.cache import open_session
from refcheck.testing import CrossrefStandIn, serve_crossref

pytestmark = pytest.mark.usefixtures("no_retry_wait")

RECORDS = seed_records()
DOIS = [r["DOI"] for r in RECORDS]


@pytest.fixture(scope="module")
def server() -> Iterator[CrossrefStandIn]:
    with serve_crossref(RECORDS) as stand_in:
        yield stand_in


@pytest.fixture
def crossref(server: CrossrefStandIn) -> Iterator[CrossrefStandIn]:
    server.clear_log()
    yield server
    server.latency = 0.0


def client(server: CrossrefStandIn, path: Path, **changes: Any) -> CrossrefClient:
    return CrossrefClient(CrossrefSettings(base_url=server.base_url, cache=path), **changes)


def fill(server: CrossrefStandIn, path: Path, dois: list[str] = DOIS) -> None:
    with client(server, path) as crossref:
        for doi in dois:
            crossref.get_work(doi)


def lookup_after_damage(
    server: CrossrefStandIn, path: Path, caplog: pytest.LogCaptureFixture
) -> tuple[str | None, bool, bool]:
    """(DOI found, a "corrupt" warning was logged, the file was moved aside)."""
    with (
        caplog.at_level(logging.WARNING, logger="refcheck.sources.http.cache"),
        client(server, path) as c,
    ):
        work = c.get_work(DOIS[0])
    warned = any("corrupt" in r.getMessage() for r in caplog.records)
    return (work.doi if work else None, warned, path.with_name(path.name + ".corrupt").exists())


# --- damaged files -------------------------------------------------------------------------


def test_zero_byte_file_is_used_as_an_empty_cache(
    crossref: CrossrefStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An empty file is an empty SQLite database: used as it is, no warning, nothing moved."""
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"")
    assert (DOIS[0], False, False) == lookup_after_damage(crossref, path, caplog)


def test_random_bytes_are_refused_and_left_alone(tmp_path: Path) -> None:
    """64 kB of random bytes are not an SQLite file, hence not refcheck's cache: CacheError,
    and the file keeps its name and its bytes."""
    path = tmp_path / "c.sqlite"
    data = random.Random(7).randbytes(65536)
    path.write_bytes(data)
    with pytest.raises(CacheError, match="not an SQLite database"):
        open_session(path)
    assert (data, ["c.sqlite"]) == (path.read_bytes(), [p.name for p in tmp_path.iterdir()])


def test_sqlite_header_then_garbage_is_moved_aside(
    crossref: CrossrefStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A file with SQLite's magic header and random pages after it: moved aside, rebuilt."""
    path = tmp_path / "c.sqlite"
    fill(crossref, path)
    data = path.read_bytes()
    path.write_bytes(data[:100] + random.Random(3).randbytes(len(data) - 100))
    assert (DOIS[0], True, True) == lookup_after_damage(crossref, path, caplog)


def test_cache_tables_with_the_wrong_columns_are_refused_and_left_alone(tmp_path: Path) -> None:
    """A valid SQLite file whose ``responses`` table has other columns is not corrupt: it may
    be somebody else's. CacheError naming the table; the file is not moved or changed."""
    path = tmp_path / "c.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE responses (url TEXT, body TEXT)")
        db.execute("INSERT INTO responses VALUES ('x', 'y')")
    db.close()
    before = path.read_bytes()
    with pytest.raises(CacheError, match="responses"):
        open_session(path)
    assert (before, ["c.sqlite"]) == (path.read_bytes(), [p.name for p in tmp_path.iterdir()])


def test_somebody_elses_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    """An SQLite database of something else is not moved or changed: CacheError naming it."""
    path = tmp_path / "patients.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE patients (name TEXT)")
    db.close()
    before = path.read_bytes()
    with pytest.raises(CacheError) as info:
        open_session(path)
    assert (True, before) == ("patients" in str(info.value), path.read_bytes())


@pytest.mark.parametrize(
    "keep",
    [
        pytest.param(lambda n: 50, id="half-header"),
        pytest.param(lambda n: 100, id="header-only"),
        pytest.param(lambda n: 4096, id="first-page"),
        pytest.param(lambda n: n // 2, id="half"),
        pytest.param(lambda n: n - 4096, id="last-page-missing"),
        pytest.param(lambda n: n - 1, id="one-byte-short"),
    ],
)
def test_truncated_cache_still_answers(
    crossref: CrossrefStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture, keep: Any
) -> None:
    """A real cache cut short anywhere: the lookup works, and a file SQLite finds damaged
    is moved aside with a warning (warning and move go together)."""
    path = tmp_path / "c.sqlite"
    fill(crossref, path)
    data = path.read_bytes()
    path.write_bytes(data[: keep(len(data))])
    doi, warned, moved = lookup_after_damage(crossref, path, caplog)
    assert (DOIS[0], warned) == (doi, moved)


def test_truncated_cache_is_detected(
    crossref: CrossrefStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A cache missing its last page is detected as damaged (not silently half-used)."""
    path = tmp_path / "c.sqlite"
    fill(crossref, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 4096])
    assert (DOIS[0], True, True) == lookup_after_damage(crossref, path, caplog)


# --- expiry and size -----------------------------------------------------------------------


def test_expired_answers_are_asked_again(crossref: CrossrefStandIn, tmp_path: Path) -> None:
    """With a 1-second expiry, a lookup 1.2 s later reaches the server again."""
    path = tmp_path / "c.sqlite"
    with client(crossref, path, expire_after_days=1 / 86400) as c:
        c.get_work(DOIS[0])
        c.get_work(DOIS[0])
        time.sleep(1.2)
        c.get_work(DOIS[0])
    assert 2 == len(crossref.requests)


def rows(path: Path) -> int:
    with sqlite3.connect(path) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM responses").fetchone()
    db.close()
    return int(count)


def test_expired_answers_are_deleted_when_the_cache_is_opened(
    crossref: CrossrefStandIn, tmp_path: Path
) -> None:
    """Answers past their expiry leave the file the next time it is opened (online)."""
    path = tmp_path / "c.sqlite"
    with client(crossref, path, expire_after_days=1 / 86400) as c:
        c.get_work(DOIS[0])
        c.get_work(DOIS[1])
    time.sleep(1.2)
    with client(crossref, path):
        assert 0 == rows(path)


def test_cache_keeps_at_most_max_entries(crossref: CrossrefStandIn, tmp_path: Path) -> None:
    """With cache_max_entries=5, looking up 12 works leaves 5 answers in the file."""
    path = tmp_path / "c.sqlite"
    with client(crossref, path, cache_max_entries=5) as c:
        for doi in DOIS[:12]:
            c.get_work(doi)
        assert 5 == rows(path)


def test_cache_evicts_the_oldest_answers(crossref: CrossrefStandIn, tmp_path: Path) -> None:
    """Beyond the bound the oldest answers go: the last 5 are hits, the first is asked again."""
    path = tmp_path / "c.sqlite"
    with client(crossref, path, cache_max_entries=5) as c:
        for doi in DOIS[:12]:
            c.get_work(doi)
        crossref.clear_log()
        for doi in DOIS[7:12]:
            c.get_work(doi)
        hits = len(crossref.requests)
        c.get_work(DOIS[0])
        assert (0, 1) == (hits, len(crossref.requests))


def test_opening_a_cache_trims_it_to_a_smaller_bound(
    crossref: CrossrefStandIn, tmp_path: Path
) -> None:
    """A cache filled under a larger bound is trimmed when opened with a smaller one."""
    path = tmp_path / "c.sqlite"
    fill(crossref, path, DOIS[:10])
    with client(crossref, path, cache_max_entries=3):
        assert 3 == rows(path)


def test_max_entries_below_one_is_a_config_error(tmp_path: Path) -> None:
    """A bound of 0 would cache nothing while claiming to: refused."""
    with pytest.raises(ConfigError):
        open_session(tmp_path / "c.sqlite", max_entries=0)


def test_max_entries_from_the_environment() -> None:
    """REFCHECK_CACHE_MAX_ENTRIES sets the bound; a bad value is a ConfigError naming it."""
    good = CrossrefSettings.from_env({"REFCHECK_CACHE_MAX_ENTRIES": "123"}).cache_max_entries
    with pytest.raises(ConfigError) as info:
        CrossrefSettings.from_env({"REFCHECK_CACHE_MAX_ENTRIES": "lots"})
    assert (123, True) == (good, "REFCHECK_CACHE_MAX_ENTRIES" in str(info.value))


# --- processes -----------------------------------------------------------------------------


def command(server: CrossrefStandIn, cache: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "refcheck",
        "check",
        str(MANUSCRIPT),
        "--base-url",
        server.base_url,
        "--cache",
        str(cache),
        "--concurrency",
        "3",
        "--sources",
        "crossref",
    ]


@pytest.fixture(scope="module")
def alone(server: CrossrefStandIn, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int]:
    """The report of one run on its own, with a cold cache of its own, and its request count."""
    cache = tmp_path_factory.mktemp("alone") / "c.sqlite"
    before = len(server.requests)
    result = subprocess.run(
        command(server, cache), capture_output=True, text=True, timeout=120, check=False
    )
    assert 1 == result.returncode, result.stderr
    return result.stdout, len(server.requests) - before


@pytest.fixture(scope="module")
def expected_output(alone: tuple[str, int]) -> str:
    return alone[0]


def test_two_processes_sharing_a_cache_both_finish_correctly(
    crossref: CrossrefStandIn, tmp_path: Path, expected_output: str
) -> None:
    """Two runs started together on one cache file give the report of a run on its own."""
    crossref.latency = 0.01
    cache = tmp_path / "shared.sqlite"
    runs = [
        subprocess.Popen(command(crossref, cache), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    results = [(run.communicate(timeout=120), run.returncode) for run in runs]
    assert [(expected_output, "", 1)] * 2 == [
        (out.decode(), err.decode(), code) for (out, err), code in results
    ]


def test_a_killed_run_leaves_a_usable_cache(
    crossref: CrossrefStandIn, tmp_path: Path, alone: tuple[str, int]
) -> None:
    """SIGKILL in the middle of a run: the next run finds no damage, reuses what was cached,
    and gives the full report."""
    crossref.latency = 0.05
    cache = tmp_path / "c.sqlite"
    run = subprocess.Popen(command(crossref, cache), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(crossref.requests) < 8 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.01)
    os.kill(run.pid, signal.SIGKILL)
    run.communicate(timeout=30)
    crossref.latency = 0.0
    crossref.clear_log()
    again = subprocess.run(
        command(crossref, cache), capture_output=True, text=True, timeout=120, check=False
    )
    expected_output, cold_requests = alone
    assert (-signal.SIGKILL, expected_output, "") == (run.returncode, again.stdout, again.stderr)
    assert len(crossref.requests) < cold_requests
