"""Ctrl-C: the check stops at once, sends nothing more, keeps the cache whole and exits 130.

Issue 15's defect 6: the run went on for 18 s, sent every queued request, printed "Aborted!"
with exit code 1 and no report; three Ctrl-Cs gave a traceback. The command runs here as a
real child process against the Crossref stand-in (answers take 0.3 s, so a check takes
seconds) and gets real SIGINTs; the parts underneath (abort of a client, of the retry wait,
of the limiter) are tested on their own.
"""

from __future__ import annotations

import _thread
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from seed import MANUSCRIPT, seed_records

from refcheck.check import check_file
from refcheck.cli import EXIT_INTERRUPTED, cli
from refcheck.errors import CheckInterrupted, ServiceUnavailable
from refcheck.model import ReferenceStatus
from refcheck.sources.crossref import CrossrefClient
from refcheck.sources.http.limits import Limiter, Limits
from refcheck.sources.http.retry import RetryPolicy
from refcheck.sources.pubmed import PubMedClient
from refcheck.testing import CrossrefStandIn, serve_crossref

ROOT = MANUSCRIPT.parents[2]
DOI = seed_records()[0]["DOI"]
LATENCY = 0.3


@pytest.fixture
def slow() -> Iterator[CrossrefStandIn]:
    with serve_crossref(seed_records(), latency=LATENCY) as server:
        yield server


def within(seconds: float, call: object) -> tuple[BaseException | None, float]:
    """Run ``call`` in a thread; (what it raised, how long it took)."""
    assert callable(call)
    raised: list[BaseException] = []
    started = time.monotonic()

    def run() -> None:
        try:
            call()
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    return (raised[0] if raised else None), time.monotonic() - started


# --- the parts: each wait and each request can be called off ------------------------------


@pytest.mark.parametrize(
    "client",
    [
        pytest.param(lambda url: CrossrefClient(base_url=url, cache=None), id="crossref"),
        pytest.param(lambda url: PubMedClient(base_url=url, cache=None), id="pubmed"),
    ],
)
def test_abort_cuts_a_request_in_flight(slow: CrossrefStandIn, client: object) -> None:
    """A request to a server that takes 5 s, aborted after 0.2 s: it ends at once (within
    1.5 s on a loaded machine) with ServiceUnavailable "interrupted", and no retry follows."""
    assert callable(client)
    slow.latency = 5.0
    owner = client(slow.base_url)
    threading.Timer(0.2, owner.abort).start()
    error, took = within(5, lambda: owner.get_work(DOI))
    owner.close()
    assert (ServiceUnavailable, True, True) == (
        type(error),
        "interrupted" in str(error),
        took < 0.2 + 1.5,
    )
    time.sleep(5.0 - took + 0.3)  # the stand-in logs a request when it has answered it
    assert 1 == len(slow.requests)


def test_abort_ends_a_wait_between_attempts(slow: CrossrefStandIn) -> None:
    """503 with Retry-After: 5 (real waiting, not the tests' no-wait mode), aborted after
    0.2 s: the wait ends at once and no second attempt is sent."""
    slow.latency = 0.0
    slow.fail_next(5, status=503, retry_after="5")
    owner = CrossrefClient(base_url=slow.base_url, cache=None, retry=RetryPolicy(max_delay=30))
    threading.Timer(0.3, owner.abort).start()
    error, took = within(10, lambda: owner.get_work(DOI))
    owner.close()
    assert (ServiceUnavailable, True, 1) == (type(error), took < 2.0, len(slow.requests))


def test_abort_wakes_threads_waiting_for_the_rate_limit() -> None:
    """A thread waiting for a concurrency slot wakes up and raises when the limiter aborts."""
    limiter = Limiter(Limits(rate=100, concurrency=1))
    limiter.acquire()
    threading.Timer(0.2, limiter.abort).start()
    error, took = within(5, limiter.acquire)
    assert (ServiceUnavailable, True) == (type(error), took < 2.0)


def test_the_library_raises_check_interrupted_with_the_report(slow: CrossrefStandIn) -> None:
    """Ctrl-C (KeyboardInterrupt in the calling thread) during check_file: within a second,
    CheckInterrupted carries a report of all 15 references, those not reached "not checked"
    (interrupted), and no request is sent after it."""
    pressed: list[float] = []

    def press() -> None:
        pressed.append(time.monotonic())
        _thread.interrupt_main()

    threading.Timer(1.0, press).start()
    with (
        CrossrefClient(base_url=slow.base_url, cache=None) as client,
        pytest.raises(CheckInterrupted) as info,
    ):
        check_file(MANUSCRIPT, source=client, concurrency=3)
    # Timed from the press, not from the start: a loaded machine may read and parse slowly.
    took = time.monotonic() - pressed[0]
    time.sleep(LATENCY * 2)  # the stand-in logs a request when it has answered it
    after = len(slow.requests)
    time.sleep(1.0)
    report = info.value.report
    unchecked = [r for r in report.references if r.status is ReferenceStatus.UNCHECKED]
    assert (15, True, True, after) == (
        len(report.references),
        len(unchecked) > 0 and all("interrupted" in (r.match.reason or "") for r in unchecked),
        took < 1.0,
        len(slow.requests),
    )


# --- the command --------------------------------------------------------------------------


def start(server: CrossrefStandIn, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "refcheck", "check", str(MANUSCRIPT), "--base-url",
         server.base_url, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip


def interrupt(server: CrossrefStandIn, run: subprocess.Popen[str], presses: int) -> float:
    """Wait for the check to be under way, press Ctrl-C ``presses`` times; the seconds from
    the first press to the end of the process. ``server.pressed_at`` is how many requests the
    stand-in had answered at the first press."""
    deadline = time.monotonic() + 60
    while len(server.requests) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    pressed = time.monotonic()
    server.pressed_at = len(server.requests)  # type: ignore[attr-defined]
    for _ in range(presses):
        run.send_signal(signal.SIGINT)
        time.sleep(0.05)
    run.wait(timeout=60)
    return time.monotonic() - pressed


def test_ctrl_c_stops_the_command_at_once_with_a_report_and_exit_130(
    slow: CrossrefStandIn, tmp_path: Path
) -> None:
    """One Ctrl-C: the command ends within 3 s (once 18 s; about 0.5 s on an idle machine), sends nothing after it but the
    three requests that may be in flight (once every queued one), writes the report of all 15
    references and exits 130 (once "Aborted!", 1, no report), without a traceback."""
    run = start(slow, "--cache", str(tmp_path / "c.sqlite"), "--concurrency", "3")
    took = interrupt(slow, run, 1)
    pressed_at = slow.pressed_at  # type: ignore[attr-defined]
    out, err = run.communicate()
    time.sleep(LATENCY * 2)  # the stand-in logs a request when it has answered it
    sent = len(slow.requests)
    time.sleep(1.0)
    assert (EXIT_INTERRUPTED, True, True, False) == (
        run.returncode,
        out.rstrip().splitlines()[-1].startswith("15 references"),
        "Interrupted:" in err,
        "Traceback" in err,
    )
    assert (True, sent, True) == (took < 3.0, len(slow.requests), sent - pressed_at <= 3)


def test_the_cache_of_an_interrupted_run_is_whole_and_used(
    slow: CrossrefStandIn, tmp_path: Path
) -> None:
    """After a Ctrl-C, a run on the same cache finds no damage (no warning), asks only for
    what the first did not get, and gives the report of an uninterrupted run."""
    cache = tmp_path / "c.sqlite"
    first = start(slow, "--cache", str(cache), "--concurrency", "3")
    interrupt(slow, first, 1)
    first.communicate()
    slow.latency = 0.0
    before = len(slow.requests)
    again = subprocess.run(
        [sys.executable, "-m", "refcheck", "check", str(MANUSCRIPT), "--base-url",
         slow.base_url, "--cache", str(cache)],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False, timeout=120,
    )  # fmt: skip
    second_requests = len(slow.requests) - before
    cold = CliRunner().invoke(
        cli, ["check", str(MANUSCRIPT), "--base-url", slow.base_url, "--no-cache"]
    )
    cold_requests = len(slow.requests) - before - second_requests
    assert (1, "", cold.stdout) == (again.returncode, again.stderr, again.stdout)
    assert second_requests < cold_requests


def test_repeated_ctrl_c_quits_at_once_without_a_traceback(slow: CrossrefStandIn) -> None:
    """Three Ctrl-Cs in a row (once a traceback): the second quits at once, as Ctrl-C does
    by default; no traceback, and the exit status says interrupted (130, or killed by
    SIGINT)."""
    run = start(slow, "--no-cache", "--concurrency", "3")
    took = interrupt(slow, run, 3)
    _, err = run.communicate()
    assert (True, False, True) == (
        run.returncode in (EXIT_INTERRUPTED, -signal.SIGINT),
        "Traceback" in err,
        took < 3.0,
    )
