"""The cache never destroys anything, keeps what can be recovered, and keeps only good answers.

Issue 15's defects 1, 2, 3 and 7: a path named as the cache that is not refcheck's cache is
refused and left alone (a text file, a directory, a device, a FIFO, a path a checked
repository's configuration file leads out of itself); a journal left by a killed writer is
rolled back, not taken for corruption; a lock held by another process is waited for; only
an SQLite file SQLite finds corrupt is moved aside, with its journal, under a free name; an
answer is cached only once the client has read and validated it; and the cache key is the
same with or without ``--mailto``. The faults on the wire are served by the Crossref
stand-in on 127.0.0.1 to the real command.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from seed import MANUSCRIPT, seed_records

from refcheck.cli import EXIT_UNCHECKED, EXIT_USAGE, cli
from refcheck.errors import CacheError
from refcheck.sources.crossref import CrossrefClient, CrossrefSettings
from refcheck.sources.http import cache as cache_module
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
    server._failures.clear()


def check(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["check", str(MANUSCRIPT), *args], env=env)


def tree(path: Path) -> dict[str, bytes | None]:
    """Every entry under ``path`` with its bytes (``None`` for a directory or a special file)."""
    return {
        str(p.relative_to(path)): p.read_bytes() if p.is_file() and not p.is_symlink() else None
        for p in sorted(path.rglob("*"))
    }


# --- defect 1: nothing that is not refcheck's cache is moved ------------------------------


@pytest.mark.parametrize("offline", [False, True], ids=["online", "offline"])
def test_a_text_file_named_as_the_cache_is_refused_and_kept(
    crossref: CrossrefStandIn, tmp_path: Path, offline: bool
) -> None:
    """``--cache notes.txt``: an error naming the file, which keeps its name and bytes; no
    request is sent (online or ``--offline``)."""
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes, not a cache\n", encoding="utf-8")
    before = tree(tmp_path)
    result = check(
        "--cache", str(notes), "--base-url", crossref.base_url, *(["--offline"] if offline else [])
    )
    assert (EXIT_UNCHECKED, True, before, 0) == (
        result.exit_code,
        "not an SQLite database" in result.output,
        tree(tmp_path),
        len(crossref.requests),
    )


def test_the_current_directory_as_refcheck_cache_is_refused_and_kept(
    crossref: CrossrefStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``REFCHECK_CACHE=$PWD``: "is a directory", and the directory and its files stay put."""
    (tmp_path / "paper.md").write_text("my paper\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before = tree(tmp_path)
    result = check("--base-url", crossref.base_url, env={"REFCHECK_CACHE": str(tmp_path)})
    assert (EXIT_UNCHECKED, True, before) == (
        result.exit_code,
        "is a directory" in result.output,
        tree(tmp_path),
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_link_to_a_device_as_the_cache_is_refused(tmp_path: Path) -> None:
    """A symbolic link to /dev/zero: "not a regular file"; the link is not moved."""
    link = tmp_path / "c.sqlite"
    link.symlink_to("/dev/zero")
    with pytest.raises(CacheError, match="not a regular file"):
        open_session(link)
    assert (True, "/dev/zero") == (link.is_symlink(), os.readlink(link))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_as_the_cache_is_refused_at_once(tmp_path: Path) -> None:
    """A FIFO named as the cache is refused without opening it (opening would block)."""
    fifo = tmp_path / "c.sqlite"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(CacheError, match="not a regular file"):
        open_session(fifo)
    assert time.monotonic() - started < 2


def test_a_dangling_link_as_the_cache_is_refused(tmp_path: Path) -> None:
    """A link to a missing file: refcheck would create a file where the link points."""
    link = tmp_path / "c.sqlite"
    link.symlink_to(tmp_path / "elsewhere" / "x.sqlite")
    with pytest.raises(CacheError, match="symbolic link"):
        open_session(link)
    assert not (tmp_path / "elsewhere").exists()


def repository(root: Path, cache: str) -> Path:
    """A manuscript's repository whose refcheck.toml sets ``cache``; the manuscript's path."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".git").mkdir()
    (root / "refcheck.toml").write_text(f"cache = {cache!r}\n", encoding="utf-8")
    manuscript = root / "paper.md"
    manuscript.write_text(MANUSCRIPT.read_text(encoding="utf-8"), encoding="utf-8")
    return manuscript


HOSTILE_CACHES = [
    pytest.param("~", id="home"),
    pytest.param("~/.bashrc", id="a-file-at-home"),
    pytest.param("../outside.sqlite", id="parent"),
    pytest.param("/tmp", id="absolute"),
    pytest.param("link/c.sqlite", id="link-out"),
]


@pytest.mark.parametrize("cache", HOSTILE_CACHES)
def test_a_checked_repository_cannot_point_the_cache_outside_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: str
) -> None:
    """``cache = "~"`` (or "..", an absolute path, a link that leads out) in the refcheck.toml
    of the repository being checked: a usage error naming the file, before anything is
    opened; the home directory and everything outside are left as they were."""
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("export X=1\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    manuscript = repository(tmp_path / "repo", cache)
    (tmp_path / "repo" / "link").symlink_to(home)
    outside = {name: tree(tmp_path / name) for name in ("home",)}
    result = CliRunner().invoke(cli, ["check", str(manuscript), "--offline"])
    assert (EXIT_USAGE, True, True, outside) == (
        result.exit_code,
        "refcheck.toml" in result.output,
        "outside" in result.output,
        {name: tree(tmp_path / name) for name in ("home",)},
    )


def test_the_user_may_still_put_the_cache_anywhere(
    crossref: CrossrefStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user's own ``--cache`` outside the repository is theirs to give: used, and the
    repository's hostile ``cache = "~"`` is not consulted."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    manuscript = repository(tmp_path / "repo", "~")
    mine = tmp_path / "mine" / "c.sqlite"
    result = CliRunner().invoke(
        cli, ["check", str(manuscript), "--cache", str(mine), "--base-url", crossref.base_url]
    )
    assert (1, True) == (result.exit_code, mine.is_file())


def test_a_cache_inside_the_repository_is_used(crossref: CrossrefStandIn, tmp_path: Path) -> None:
    """``cache = ".refcheck/c.sqlite"`` stays inside the repository: it is created and used."""
    manuscript = repository(tmp_path / "repo", ".refcheck/c.sqlite")
    result = CliRunner().invoke(cli, ["check", str(manuscript), "--base-url", crossref.base_url])
    assert (1, True) == (result.exit_code, (tmp_path / "repo/.refcheck/c.sqlite").is_file())


# --- defect 2: what a killed writer left is recovered; a lock is not corruption ------------

KILLED_WRITER = r"""
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA cache_size = 1")  # spill to the file mid-transaction: a hot journal
db.execute("BEGIN IMMEDIATE")
for i in range(3000):
    db.execute("INSERT INTO responses VALUES (?, randomblob(2000), 1e12)", (f"junk{i}",))
os._exit(9)  # killed mid-transaction: the journal stays, hot
"""


def filled(server: CrossrefStandIn, path: Path) -> int:
    """Fill a cache with the answers for every seed DOI; how many answers it holds."""
    with CrossrefClient(CrossrefSettings(base_url=server.base_url, cache=path)) as client:
        for doi in DOIS:
            client.get_work(doi)
    with sqlite3.connect(path) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM responses").fetchone()
    db.close()
    return int(count)


def test_a_hot_journal_is_rolled_back_and_every_answer_kept(
    crossref: CrossrefStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A writer killed mid-transaction leaves a hot journal: the next open rolls it back
    (no warning, nothing moved aside) and every committed answer is a cache hit."""
    path = tmp_path / "c.sqlite"
    kept = filled(crossref, path)
    subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)], check=False)
    assert (tmp_path / "c.sqlite-journal").exists()  # the setting the defect needs
    crossref.clear_log()
    with (
        caplog.at_level(logging.WARNING, logger="refcheck.sources.http.cache"),
        CrossrefClient(CrossrefSettings(base_url=crossref.base_url, cache=path)) as client,
    ):
        works = [client.get_work(doi) for doi in DOIS]
    assert (len(DOIS), 0, [], ["c.sqlite"]) == (
        sum(w is not None for w in works),
        len(crossref.requests),
        [r.getMessage() for r in caplog.records],
        sorted(p.name for p in tmp_path.iterdir()),
    )
    assert len(DOIS) == kept


def test_a_read_only_cache_with_a_hot_journal_is_refused_not_moved(
    crossref: CrossrefStandIn, tmp_path: Path
) -> None:
    """The same journal in a directory refcheck may not write to: SQLite cannot roll it back,
    which is no corruption: CacheError, and the file and its journal stay as they are."""
    if os.geteuid() == 0:
        pytest.skip("root writes to read-only directories")
    path = tmp_path / "ro" / "c.sqlite"
    path.parent.mkdir()
    filled(crossref, path)
    subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)], check=False)
    before = tree(path.parent)
    path.parent.chmod(0o555)
    try:
        with pytest.raises(CacheError):
            open_session(path)
        after = tree(path.parent)
    finally:
        path.parent.chmod(0o755)
    assert before == after


def hold_lock(path: Path, seconds: float) -> threading.Thread:
    """Another connection holding an exclusive lock on ``path`` for ``seconds``."""
    ready = threading.Event()

    def hold() -> None:
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("BEGIN EXCLUSIVE")
        ready.set()
        time.sleep(seconds)
        db.execute("COMMIT")
        db.close()

    thread = threading.Thread(target=hold)
    thread.start()
    ready.wait(5)
    return thread


def test_a_lock_held_longer_than_five_seconds_is_waited_for(
    crossref: CrossrefStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Another process holds the cache for 5.5 s (SQLite's own default wait is 5 s): refcheck
    waits, then uses it; nothing is taken for corruption."""
    path = tmp_path / "c.sqlite"
    filled(crossref, path)
    holder = hold_lock(path, 5.5)
    with caplog.at_level(logging.WARNING, logger="refcheck.sources.http.cache"):
        session = open_session(path)
    session.close()
    holder.join()
    assert ([], ["c.sqlite"]) == (
        [r.getMessage() for r in caplog.records],
        sorted(p.name for p in tmp_path.iterdir()),
    )


def test_a_lock_held_past_the_wait_is_an_error_not_corruption(
    crossref: CrossrefStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lock held past refcheck's wait (here 0.3 s): CacheError "locked", nothing moved."""
    path = tmp_path / "c.sqlite"
    filled(crossref, path)
    monkeypatch.setattr(cache_module, "LOCK_TIMEOUT", 0.3)
    holder = hold_lock(path, 1.5)
    try:
        with pytest.raises(CacheError, match="locked"):
            open_session(path)
    finally:
        holder.join()
    assert ["c.sqlite"] == sorted(p.name for p in tmp_path.iterdir())


def corrupt(server: CrossrefStandIn, path: Path) -> bytes:
    """A real cache whose pages after the header are garbage, with a log file beside it (one
    SQLite does not read for this file, so that it stays as it is)."""
    filled(server, path)
    data = path.read_bytes()
    damaged = data[:100] + bytes(b ^ 0x5A for b in data[100:])
    path.write_bytes(damaged)
    path.with_name(path.name + "-wal").write_bytes(b"a log that must not be lost")
    return damaged


def test_a_corrupt_cache_moves_aside_with_the_files_beside_it(
    crossref: CrossrefStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Genuine corruption (SQLite: "malformed"): the file goes to ``.corrupt`` and the file
    beside it to ``.corrupt-wal``, both whole, with a warning; a new cache takes the name."""
    path = tmp_path / "c.sqlite"
    damaged = corrupt(crossref, path)
    with caplog.at_level(logging.WARNING, logger="refcheck.sources.http.cache"):
        open_session(path).close()
    assert (damaged, b"a log that must not be lost", True, True) == (
        (tmp_path / "c.sqlite.corrupt").read_bytes(),
        (tmp_path / "c.sqlite.corrupt-wal").read_bytes(),
        path.is_file(),
        any("corrupt" in r.getMessage() for r in caplog.records),
    )


def test_moving_aside_never_overwrites_an_earlier_copy(
    crossref: CrossrefStandIn, tmp_path: Path
) -> None:
    """A ``.corrupt`` from an earlier run stays; the new copy takes ``.corrupt.1``."""
    path = tmp_path / "c.sqlite"
    (tmp_path / "c.sqlite.corrupt").write_bytes(b"an earlier copy")
    damaged = corrupt(crossref, path)
    open_session(path).close()
    assert (b"an earlier copy", damaged) == (
        (tmp_path / "c.sqlite.corrupt").read_bytes(),
        (tmp_path / "c.sqlite.corrupt.1").read_bytes(),
    )


def test_a_link_to_a_corrupt_cache_is_refused_not_moved(
    crossref: CrossrefStandIn, tmp_path: Path
) -> None:
    """A symbolic link is not a regular file: it is not moved, nor is what it points to."""
    target = tmp_path / "real.sqlite"
    damaged = corrupt(crossref, target)
    link = tmp_path / "c.sqlite"
    link.symlink_to(target)
    with pytest.raises(CacheError, match="symbolic link"):
        open_session(link)
    assert (True, damaged) == (link.is_symlink(), target.read_bytes())


# --- defect 3: only answers that were read and validated are kept -------------------------

TRANSIENT = [
    pytest.param(
        {"body": '{"status": "ok", "message-type": "work", "mess', "content_type": "application/json"},
        id="truncated-json",
    ),
    pytest.param(
        {"body": "<html><body><form>Log in to the hotel Wi-Fi</form></body></html>"},
        id="captive-portal",
    ),
    pytest.param(
        {"body": '{"status": "ok", "message-type": "work", "message": []}',
         "content_type": "application/json"},
        id="wrong-shape",
    ),
]  # fmt: skip


@pytest.mark.parametrize("answer", TRANSIENT)
def test_a_transient_bad_answer_is_not_kept_for_the_next_run(
    crossref: CrossrefStandIn, tmp_path: Path, answer: dict[str, Any]
) -> None:
    """A run against a server answering garbage with 200 (every reference "not checked"),
    then a run against the healthy server with the same cache: it asks again and checks
    every reference (the garbage was once kept for 30 days)."""
    cache = tmp_path / "c.sqlite"
    crossref.answer_next(10_000, **answer)
    first = check("--cache", str(cache), "--base-url", crossref.base_url, "--format", "json")
    crossref._failures.clear()
    crossref.clear_log()
    second = check("--cache", str(cache), "--base-url", crossref.base_url, "--format", "json")
    assert (EXIT_UNCHECKED, 1, 0, True) == (
        first.exit_code,
        second.exit_code,
        second.stdout.count('"status": "unchecked"'),
        len(crossref.requests) > 0,
    )


def test_good_answers_are_still_kept(crossref: CrossrefStandIn, tmp_path: Path) -> None:
    """A second run on the same cache sends no request at all."""
    cache = tmp_path / "c.sqlite"
    check("--cache", str(cache), "--base-url", crossref.base_url)
    crossref.clear_log()
    again = check("--cache", str(cache), "--base-url", crossref.base_url)
    assert (1, 0) == (again.exit_code, len(crossref.requests))


def test_an_answer_reached_by_a_redirect_is_there_offline(
    crossref: CrossrefStandIn, tmp_path: Path
) -> None:
    """An answer reached through a redirect is kept under the URL that was asked for."""
    cache = tmp_path / "c.sqlite"
    crossref.redirect_next(1, location=crossref.base_url + "/elsewhere{path}", status=301)
    with serve_crossref(RECORDS) as other:
        crossref._failures.clear()
        crossref.redirect_next(1, location=other.base_url + "{path}")
        settings = CrossrefSettings(base_url=crossref.base_url, cache=cache)
        with CrossrefClient(settings) as client:
            online = client.get_work(DOIS[0])
    with CrossrefClient(settings, offline=True) as client:
        assert online == client.get_work(DOIS[0])


# --- defect 7: the cache key does not depend on --mailto ----------------------------------


@pytest.mark.parametrize(
    ("fill", "read"),
    [
        pytest.param(["--mailto", "me@example.org"], [], id="filled-with-mailto"),
        pytest.param([], ["--mailto", "me@example.org"], id="read-with-mailto"),
    ],
)
def test_the_cache_answers_offline_with_or_without_mailto(
    crossref: CrossrefStandIn, tmp_path: Path, fill: list[str], read: list[str]
) -> None:
    """Fill a cache with ``--mailto``, then check ``--offline`` without it (and the other
    way round): every reference is checked from the cache (20 of 21 were "not checked")."""
    cache = tmp_path / "c.sqlite"
    check("--cache", str(cache), "--base-url", crossref.base_url, *fill)
    offline = check(
        "--cache",
        str(cache),
        "--base-url",
        crossref.base_url,
        "--offline",
        "--format",
        "json",
        *read,
    )
    assert (1, 0) == (offline.exit_code, offline.stdout.count('"status": "unchecked"'))
