"""Hostile answers: one bad answer fails its reference and nothing else, within bounds.

Issue 15's defect 4 and the slow-trickle gap: a deeply nested JSON answer (once a
RecursionError that ended the run), a gzip bomb (once a MemoryError), an answer over the size
bound, rate-limit headers that overflow or stall (``99999999999h``, ``3600s``), and bodies or
headers that trickle in, each piece within the read timeout (once unbounded in total). The
faults are served on 127.0.0.1 by the Crossref stand-in (or, for trickling headers, by a raw
socket) to the client, to the whole check, and to the real command in a child process where
real sleeping and real memory matter.
"""

from __future__ import annotations

import functools
import os
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from seed import MANUSCRIPT, seed_citation, seed_records

from refcheck.check import check_text
from refcheck.errors import ServiceResponseError
from refcheck.model import ReferenceStatus, Report
from refcheck.sources.crossref import CrossrefClient, CrossrefSettings
from refcheck.sources.http.limits import MAX_WINDOW, Limiter, Limits, parse_interval
from refcheck.sources.http.retry import RetryPolicy
from refcheck.sources.http.transport import DEADLINE_FACTOR, MAX_BODY_BYTES, BoundedAdapter
from refcheck.testing import CrossrefStandIn, serve_crossref

pytestmark = pytest.mark.usefixtures("no_retry_wait")

TEXT = MANUSCRIPT.read_text(encoding="utf-8")
ROOT = MANUSCRIPT.parents[2]


@pytest.fixture(scope="module")
def server() -> Iterator[CrossrefStandIn]:
    with serve_crossref(seed_records()) as stand_in:
        yield stand_in


@pytest.fixture
def crossref(server: CrossrefStandIn) -> Iterator[CrossrefStandIn]:
    server.clear_log()
    yield server
    server._failures.clear()
    server.headers.clear()


def run(base_url: str, text: str = TEXT, **settings: Any) -> Report:
    values: dict[str, Any] = {
        "base_url": base_url,
        "cache": None,
        "retry": RetryPolicy(max_attempts=3, max_delay=8.0),
    }
    values.update(settings)
    with CrossrefClient(CrossrefSettings(**values)) as client:
        return check_text(text, source=client, concurrency=1)


def outcomes(report: Report) -> list[tuple[str, ReferenceStatus, str | None]]:
    return [(r.citation.label, r.status, r.match.doi) for r in report.references]


@pytest.fixture(scope="module")
def baseline(server: CrossrefStandIn) -> list[tuple[str, ReferenceStatus, str | None]]:
    return outcomes(run(server.base_url))


@functools.cache
def gzip_bomb(inflated: int = 256 * 1024 * 1024) -> bytes:
    """gzip of ``inflated`` bytes of zeros: about 1,000 times smaller than what it unpacks to."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    parts = [packer.compress(block) for _ in range(inflated // len(block))]
    return b"".join(parts) + packer.flush()


NESTED = "[" * 200_000 + "]" * 200_000  # 400 kB

HOSTILE = [
    pytest.param({"body": NESTED, "content_type": "application/json"}, "nested too deeply",
                 id="nested-json-400kB"),
    pytest.param({"body": '{"a":' * 100_000 + "1" + "}" * 100_000,
                  "content_type": "application/json"}, "nested too deeply", id="nested-objects"),
    pytest.param({"body": gzip_bomb(), "content_type": "application/json",
                  "headers": {"Content-Encoding": "gzip"}}, "larger than", id="gzip-bomb"),
    pytest.param({"body": b" " * (MAX_BODY_BYTES + 1), "content_type": "application/json"},
                 "larger than", id="over-the-size-bound"),
    pytest.param({"body": '{"status": "ok", "message-type": "work", "message": {"DOI": "10.1/x", '
                          '"author": 7, "title": {"a": 1}, "page": [], "issued": "x"}}',
                  "content_type": "application/json"}, "", id="odd-types"),
]  # fmt: skip


@pytest.mark.parametrize(("answer", "reason"), HOSTILE)
def test_one_hostile_answer_fails_its_reference_and_no_other(
    crossref: CrossrefStandIn,
    baseline: list[tuple[str, ReferenceStatus, str | None]],
    answer: dict[str, Any],
    reason: str,
) -> None:
    """The first request of the check (reference A1's) gets the hostile answer: every other
    reference has the outcome it has without it, and A1 has a result (with the reason)."""
    crossref.answer_next(1, **answer)
    report = run(crossref.base_url)
    first = report.references[0]
    assert baseline[1:] == outcomes(report)[1:]
    assert reason in (first.match.reason or "") or first.status is not ReferenceStatus.UNCHECKED


@pytest.mark.parametrize(("answer", "reason"), HOSTILE[:4])
def test_hostile_answers_to_every_request_leave_every_reference_unchecked(
    crossref: CrossrefStandIn, answer: dict[str, Any], reason: str
) -> None:
    """Every request gets the hostile answer: 15 references, each "not checked" with the
    reason; the check itself completes."""
    crossref.answer_next(10_000, **answer)
    report = run(crossref.base_url)
    assert [True] * 15 == [reason in (r.match.reason or "") for r in report.references]


# --- rate-limit headers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("1s", 1.0),
        ("500ms", 0.5),
        ("60s", 60.0),
        ("1m", 60.0),
        ("2m", None),
        ("3600s", None),
        ("99999999999h", None),
        ("1" * 400 + "s", None),
        ("1e999s", None),
        ("inf", None),
        ("0s", None),
        ("-1s", None),
    ],
)
def test_advertised_intervals_are_bounded(header: str, seconds: float | None) -> None:
    """``x-rate-limit-interval`` is believed up to a minute; longer, endless or unreadable
    values are not (``99999999999h`` once overflowed ``time.sleep``; ``3600s`` stalled)."""
    assert seconds == parse_interval(header)


@pytest.mark.parametrize(
    "headers",
    [
        {"x-rate-limit-limit": "1", "x-rate-limit-interval": "99999999999h"},
        {"x-rate-limit-limit": "1", "x-rate-limit-interval": "3600s"},
        {"x-rate-limit-limit": "0.001", "x-rate-limit-interval": "1s"},
        {"x-rate-limit-limit": "1", "x-rate-limit-interval": "60s"},
        {"x-rate-limit-limit": "1e999"},
        {"x-rate-limit-limit": "nan"},
        {"x-concurrency-limit": "inf"},
        {"x-concurrency-limit": "1e999"},
        {"x-concurrency-limit": "-3"},
    ],
    ids=lambda h: ",".join(h.values()),
)
def test_absurd_limit_headers_change_nothing(headers: dict[str, str]) -> None:
    """Headers that would overflow, stall or divide by zero leave the limits as configured."""
    limiter = Limiter(Limits.polite(), clock=lambda: 0.0, sleep=lambda s: None)
    limiter.observe(headers)
    assert Limits.polite() == limiter.limits


@pytest.mark.parametrize(
    "headers",
    [
        {"x-rate-limit-limit": "1", "x-rate-limit-interval": "10s"},
        {"x-rate-limit-limit": "6", "x-rate-limit-interval": "60s"},
    ],
    ids=lambda h: f"{h['x-rate-limit-limit']}-per-{h['x-rate-limit-interval']}",
)
def test_the_slowest_believed_limits_wait_one_short_window_at_most(
    headers: dict[str, str],
) -> None:
    """The slowest limits an answer can impose (1 request per 10 s, 6 per minute) make a
    request wait 10.5 s at most (one 10 s window and its margin), never a minute or an hour."""
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = Limiter(Limits.polite(), clock=lambda: now[0], sleep=sleep)
    limiter.observe(headers)
    for _ in range(20):
        with limiter.slot():
            pass
    assert (True, True) == (max(waits) <= MAX_WINDOW * 1.05 + 1e-9, len(waits) > 0)


# The child's own peak: VmHWM of /proc/self/status where there is one. Linux's ru_maxrss
# also keeps the peak of the image before exec, that is of the forked test process: a test
# process grown large by earlier tests (a search index's writer heap) made it look as if the
# command had used that memory.
CHILD = r"""
import resource, runpy, sys
sys.argv = ["refcheck", *sys.argv[1:]]
try:
    runpy.run_module("refcheck", run_name="__main__")
finally:
    try:
        with open("/proc/self/status") as status:
            peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"maxrss-kib {peak}", file=sys.stderr)
"""


def command(server: CrossrefStandIn, *extra: str, timeout: float = 120) -> tuple[int, str, str]:
    """The real command in a child process (real sleeps, its own memory): code, out, err."""
    result = subprocess.run(
        [sys.executable, "-c", CHILD, "check", str(MANUSCRIPT), "--base-url", server.base_url,
         "--no-cache", *extra],
        capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    return result.returncode, result.stdout, result.stderr


@pytest.fixture(scope="module")
def expected_output(server: CrossrefStandIn) -> str:
    code, out, err = command(server)
    assert 1 == code, err
    return out


@pytest.mark.parametrize("interval", ["99999999999h", "3600s"], ids=["overflowing", "an-hour"])
def test_rate_limit_headers_neither_crash_nor_stall_the_command(
    crossref: CrossrefStandIn, expected_output: str, interval: str
) -> None:
    """Answers advertising 1 request per ``99999999999h`` (once OverflowError, a traceback and
    every result lost) or per ``3600s`` (once an hour's wait per request): the command gives
    the report of a healthy run, in seconds (the child is killed after 60 s)."""
    crossref.headers.update({"x-rate-limit-limit": "1", "x-rate-limit-interval": interval})
    started = time.monotonic()
    code, out, err = command(crossref, timeout=60)
    assert (1, expected_output, False) == (code, out, "Traceback" in err)
    assert time.monotonic() - started < 60


def test_a_gzip_bomb_stays_within_bounded_memory(crossref: CrossrefStandIn) -> None:
    """Every answer a 1 GiB gzip bomb (1 MB on the wire): the command ends normally (every
    reference "not checked", exit 3) with a peak RSS far below the bomb (once 6 GB and a
    MemoryError)."""
    crossref.answer_next(
        10_000,
        body=gzip_bomb(1024 * 1024 * 1024),
        content_type="application/json",
        headers={"Content-Encoding": "gzip"},
    )
    code, _out, err = command(crossref, "--concurrency", "3")
    rss_mib = int(err.rsplit("maxrss-kib ", 1)[1]) / 1024
    assert (3, False) == (code, "Traceback" in err)
    assert rss_mib < 400, f"peak RSS {rss_mib:.0f} MiB"


# --- trickles: a total deadline per attempt ----------------------------------------------


def session() -> requests.Session:
    s = requests.Session()
    s.mount("http://", BoundedAdapter())
    return s


def test_a_body_trickling_within_the_timeout_ends_at_the_deadline(
    crossref: CrossrefStandIn,
) -> None:
    """A body sent in 60 pieces 0.05 s apart (each within the 0.1 s read timeout: 3 s in
    all) is cut at the deadline, 3 times the timeout: a ReadTimeout after about 0.3 s."""
    crossref.slow_next(1, delay=0.05, pieces=60)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout, match="no whole answer"):
        session().get(crossref.base_url + "/works/" + seed_records()[0]["DOI"], timeout=0.1)
    took = time.monotonic() - started
    assert DEADLINE_FACTOR * 0.1 <= took < DEADLINE_FACTOR * 0.1 + 1.0


@pytest.fixture
def trickling_headers() -> Iterator[str]:
    """A raw server that sends a status line, then a header one byte every 0.05 s, for ever."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                try:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                    while not stop.is_set():
                        conn.sendall(b"a")
                        time.sleep(0.05)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/works/10.1/x"
    stop.set()
    thread.join(5)
    listener.close()


def test_headers_trickling_within_the_timeout_end_at_the_deadline(trickling_headers: str) -> None:
    """The headers themselves trickling in, one byte within each read timeout: the attempt
    still ends at the deadline (requests alone would wait for ever)."""
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout, match="no whole answer"):
        session().get(trickling_headers, timeout=0.1)
    assert time.monotonic() - started < DEADLINE_FACTOR * 0.1 + 1.0


def test_a_trickle_that_passes_loses_nothing(
    crossref: CrossrefStandIn, baseline: list[tuple[str, ReferenceStatus, str | None]]
) -> None:
    """One trickling answer is cut at its deadline and asked again: the outcome of a check
    without it."""
    crossref.slow_next(1, delay=0.05, pieces=60)
    assert baseline == outcomes(run(crossref.base_url, timeout=0.1))


def test_trickles_to_every_request_leave_references_unchecked_in_bounded_time(
    crossref: CrossrefStandIn,
) -> None:
    """Every answer trickling (each piece within the timeout): three references, each "not
    checked", in at most attempts x deadline per request."""
    small = "References\n\n" + "\n".join(
        f"{n}. {seed_citation(label)}" for n, label in enumerate(("A1", "B3", "C2"), 1)
    )
    crossref.slow_next(10_000, delay=0.04, pieces=100)
    started = time.monotonic()
    report = run(crossref.base_url, small, timeout=0.1)
    took = time.monotonic() - started
    requests_made = len(crossref.requests)
    assert all(r.status is ReferenceStatus.UNCHECKED for r in report.references)
    assert took < requests_made * DEADLINE_FACTOR * 0.1 + 2.0


def test_a_too_large_answer_is_a_service_response_error_not_retried(
    crossref: CrossrefStandIn,
) -> None:
    """Over the size bound: ServiceResponseError for that request, asked once."""
    crossref.answer_next(1, body=b"[" + b"1," * 700 + b"1]", content_type="application/json")
    small = requests.Session()
    small.mount("http://", BoundedAdapter(max_bytes=1000))
    with pytest.raises(ServiceResponseError, match="larger than the 1,000 bytes"):
        small.get(crossref.base_url + "/works/x", timeout=5)
    assert 1 == len(crossref.requests)
