"""The rate and concurrency limiter, and the sharing of identical requests in flight.

Time is a fake clock that only the limiter's own sleeps advance: nothing here waits.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from refcheck.sources.crossref import CrossrefClient
from refcheck.sources.http.limits import Limiter, Limits, SingleFlight, parse_interval
from refcheck.testing import serve_crossref


class FakeClock:
    """A clock that stands still until ``sleep`` moves it; records every sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _starts(limiter: Limiter, clock: FakeClock, count: int) -> list[float]:
    """The (fake) times at which ``count`` back-to-back requests are let through."""
    times = []
    for _ in range(count):
        with limiter.slot():
            times.append(round(clock.now, 6))
    return times


def test_rate_lets_a_burst_through_then_one_window_later() -> None:
    """At 10 a second, 25 requests start at t=0 (10), t=1 (10) and t=2 (5)."""
    clock = FakeClock()
    limiter = Limiter(Limits(rate=10, concurrency=3, margin=0.0), clock=clock, sleep=clock.sleep)
    assert [0.0] * 10 + [1.0] * 10 + [2.0] * 5 == _starts(limiter, clock, 25)


def test_margin_widens_the_window() -> None:
    """With a 5 % margin, the 3rd request at 2 a second waits 1.05 s, not 1 s."""
    clock = FakeClock()
    limiter = Limiter(Limits(rate=2, concurrency=1, margin=0.05), clock=clock, sleep=clock.sleep)
    assert [0.0, 0.0, 1.05] == _starts(limiter, clock, 3)


def test_no_window_holds_more_than_the_rate() -> None:
    """Requests arriving at uneven times never put more than ``rate`` starts in one window."""
    clock = FakeClock()
    limiter = Limiter(Limits(rate=3, concurrency=1, margin=0.0), clock=clock, sleep=clock.sleep)
    starts = []
    for gap in [0.0, 0.1, 0.7, 0.05, 0.0, 0.4, 0.9, 0.0, 0.0, 0.2]:
        clock.now += gap
        with limiter.slot():
            starts.append(clock.now)
    busiest = max(sum(1 for t in starts if s <= t < s + 1.0 - 1e-9) for s in starts)
    assert 3 == busiest


def test_waited_adds_up_the_sleeps() -> None:
    """``waited`` is the time spent waiting for the rate limit; ``started`` counts requests."""
    clock = FakeClock()
    limiter = Limiter(Limits(rate=1, concurrency=1, margin=0.0), clock=clock, sleep=clock.sleep)
    _starts(limiter, clock, 4)
    assert (3.0, 4) == (limiter.waited, limiter.started)


def test_concurrency_is_never_exceeded() -> None:
    """Six threads through a limit of two: two at a time are inside, never three."""
    limiter = Limiter(Limits(rate=1000, concurrency=2))
    lock = threading.Lock()
    inside: list[int] = []
    peak = [0]
    pair = threading.Barrier(2, timeout=10)

    def request() -> None:
        with limiter.slot():
            with lock:
                inside.append(1)
                peak[0] = max(peak[0], len(inside))
            pair.wait()  # both holders of the two slots are inside at once
            with lock:
                inside.pop()

    threads = [threading.Thread(target=request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert (2, 0) == (peak[0], limiter.in_flight)


def test_advertised_lower_limits_are_adopted() -> None:
    """Headers advertising 5 a second and 1 at a time lower the polite pool's 10 and 3."""
    limiter = Limiter(Limits.polite())
    limiter.observe(
        {"X-Rate-Limit-Limit": "5", "X-Rate-Limit-Interval": "1s", "X-Concurrency-Limit": "1"}
    )
    assert (5, 1.0, 1) == (
        limiter.limits.rate,
        limiter.limits.interval,
        limiter.limits.concurrency,
    )


def test_advertised_higher_limits_do_not_raise_ours() -> None:
    """Crossref's historical 50 a second and 5 at a time leave the polite pool's limits alone."""
    limiter = Limiter(Limits.polite())
    limiter.observe(
        {"x-rate-limit-limit": "50", "x-rate-limit-interval": "1s", "x-concurrency-limit": "5"}
    )
    assert Limits.polite() == limiter.limits


def test_advertised_rate_over_a_longer_interval_is_compared_per_second() -> None:
    """60 per 60 s is 1 a second: lower than 5 a second, so it is adopted, as the same rate
    over a 10 s window (10 per 10 s), so that no request waits a minute for its slot."""
    limiter = Limiter(Limits.public())
    limiter.observe({"x-rate-limit-limit": "60", "x-rate-limit-interval": "60s"})
    assert (10.0, 10.0) == (limiter.limits.rate, limiter.limits.interval)


def test_unreadable_headers_change_nothing() -> None:
    """Garbage in the limit headers is ignored."""
    limiter = Limiter(Limits.public())
    limiter.observe({"x-rate-limit-limit": "lots", "x-concurrency-limit": "-2"})
    assert Limits.public() == limiter.limits


@pytest.mark.parametrize(
    ("text", "seconds"), [("1s", 1.0), ("60s", 60.0), ("500ms", 0.5), ("2", 2.0), ("x", None)]
)
def test_parse_interval(text: str, seconds: float | None) -> None:
    """``x-rate-limit-interval`` values are read as seconds; nonsense gives ``None``."""
    assert seconds == parse_interval(text)


def test_pool_limits_follow_mailto() -> None:
    """With a mailto, the polite pool's limits (10/s, 3); without, the public pool's (5/s, 1)."""
    assert ((10, 3), (5, 1)) == (
        (Limits.for_pool("a@b.org").rate, Limits.for_pool("a@b.org").concurrency),
        (Limits.for_pool(None).rate, Limits.for_pool(None).concurrency),
    )


def test_limits_reject_a_zero_rate() -> None:
    """A rate of 0 would stop every request: refused with a clear error."""
    with pytest.raises(ValueError, match="rate"):
        Limits(rate=0, concurrency=1)


def test_single_flight_shares_one_call_between_concurrent_callers() -> None:
    """A second caller with the same key, while the first runs, gets its result; one call."""
    flights: SingleFlight[str] = SingleFlight()
    started, go = threading.Event(), threading.Event()
    calls: list[int] = []
    results: list[str] = []

    def slow() -> str:
        calls.append(1)
        started.set()
        go.wait(timeout=10)
        return "answer"

    leader = threading.Thread(target=lambda: results.append(flights.do("k", slow)))
    leader.start()
    started.wait(timeout=10)
    follower = threading.Thread(target=lambda: results.append(flights.do("k", slow)))
    follower.start()
    while flights.shared < 1:  # the follower is now waiting on the leader's flight
        go.wait(timeout=0.001)
    go.set()
    leader.join(timeout=10)
    follower.join(timeout=10)
    assert (["answer", "answer"], 1) == (results, len(calls))


def test_single_flight_calls_again_once_the_first_is_done() -> None:
    """Sharing is only for calls in flight: a later call with the same key runs again."""
    flights: SingleFlight[int] = SingleFlight()
    calls: list[int] = []
    flights.do("k", lambda: calls.append(1) or 1)
    flights.do("k", lambda: calls.append(1) or 1)
    assert 2 == len(calls)


def test_single_flight_shares_the_error_too() -> None:
    """The leader's exception is raised in the caller that made the call."""
    flights: SingleFlight[int] = SingleFlight()

    def broken() -> int:
        raise OSError("down")

    with pytest.raises(OSError, match="down"):
        flights.do("k", broken)


def test_cache_hits_do_not_count_against_the_limits(
    seed_works: list[dict[str, Any]], tmp_path: Path
) -> None:
    """The same work asked twice with a cache: one request goes through the limiter, not two."""
    doi = seed_works[0]["DOI"]
    with (
        serve_crossref(seed_works) as crossref,
        CrossrefClient(base_url=crossref.base_url, cache=tmp_path / "c.sqlite") as client,
    ):
        client.get_work(doi)
        client.get_work(doi)
        assert (1, 1) == (client.limiter.started, len(crossref.requests))


def test_client_adopts_the_limits_the_service_advertises(seed_works: list[dict[str, Any]]) -> None:
    """A stand-in enforcing 1 at a time says so in its headers, and the client follows."""
    with (
        serve_crossref(seed_works, rate_limit=20, max_concurrency=1) as crossref,
        CrossrefClient(base_url=crossref.base_url, cache=None, mailto="a@b.org") as client,
    ):
        client.get_work(seed_works[0]["DOI"])
        assert (10, 1) == (client.limiter.limits.rate, client.limiter.limits.concurrency)


def test_check_caps_requests_in_flight_at_its_concurrency() -> None:
    """``check_*(concurrency=1)`` makes a client that sends one request at a time, polite or not."""
    from refcheck.check import _client
    from refcheck.sources.crossref import CrossrefSettings

    client = _client(CrossrefSettings(mailto="a@b.org", cache=None), 1)
    try:
        assert 1 == client.limiter.limits.concurrency
    finally:
        client.close()


def test_a_refusal_halves_the_rate() -> None:
    """After a 429 within the limits, 10 a second becomes 5, then 2.5, never below 1."""
    limiter = Limiter(Limits.polite())
    rates = []
    for _ in range(4):
        limiter.refused()
        rates.append(limiter.limits.rate)
    assert [5.0, 2.5, 1.25, 1.0] == rates


def test_a_refused_request_slows_the_client(
    seed_works: list[dict[str, Any]], no_retry_wait: None
) -> None:
    """The client tells its limiter about a 429 it received: the rate is halved."""
    with (
        serve_crossref(seed_works) as crossref,
        CrossrefClient(base_url=crossref.base_url, cache=None, mailto="a@b.org") as client,
    ):
        crossref.fail_next(1, status=429)
        client.get_work(seed_works[0]["DOI"])
        assert 5.0 == client.limiter.limits.rate
