"""Keep within a service's rate and concurrency limits, and ask for each thing once.

* :class:`Limits` is a value: at most ``rate`` single-work requests and ``list_rate`` list
  requests (searches, filters) started in any ``interval`` seconds, and at most
  ``concurrency`` of either in flight. :meth:`Limits.public` and :meth:`Limits.polite` are the
  limits Crossref reports for its public pool and for its polite pool (requests that give a
  ``mailto``); :meth:`Limits.for_pool` picks one.
* :class:`Limiter` enforces a :class:`Limits` for the threads that share it: :meth:`Limiter.slot`
  waits for a free slot, in a ``with`` block; ``slot("list")`` for a list request, which
  counts against ``list_rate``. It reads the limits a service advertises in its answers
  (:meth:`Limiter.observe`: Crossref's ``x-rate-limit-limit``, ``x-rate-limit-interval`` and
  ``x-concurrency-limit``, each answer for its own kind of request) and never exceeds the
  lower of those and its own. The clock and the sleep are injectable, so tests run without waiting.
* :class:`SingleFlight` makes threads that ask the same thing at the same time share one
  answer (:meth:`SingleFlight.do`).

:class:`~refcheck.sources.crossref.CrossrefClient` uses one limiter per client, for every request
that reaches the network (cache hits and recorded answers do not count), and one
:class:`SingleFlight` for its GETs.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import attrs

from refcheck.errors import ServiceUnavailable
from refcheck.sources.http.retry import is_testing

__all__ = [
    "LIST",
    "MAX_ADVERTISED_INTERVAL",
    "MAX_WINDOW",
    "MIN_ADVERTISED_RATE",
    "SINGLE",
    "Limiter",
    "Limits",
    "SingleFlight",
]

T = TypeVar("T")

#: The kinds of request a :class:`Limiter` keeps apart: one work (``/works/{doi}``), and a
#: list of works (``/works?query...``, ``/works?filter=doi:...``).
SINGLE = "single"
LIST = "list"


def _positive(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValueError(f"Limits.{attribute.name}: expected a number > 0, found {value!r}")


def _optional_positive(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _positive(instance, attribute, value)


@attrs.frozen(slots=True)
class Limits:
    """At most ``rate`` single-work request starts and ``list_rate`` list request starts in
    any ``interval`` seconds, and ``concurrency`` requests of either kind in flight.

    ``list_rate`` ``None`` means the same as ``rate`` (one limit for every request).
    ``margin`` widens the interval a little (5 % by default), so that the requests a client
    spaces exactly still arrive within the limit after the jitter of the network.

    Crossref's figures, as reported from 1 December 2025 (see ``docs/configuration.md``, "Rate
    limits", for the source): the polite pool 10 single-work and 3 list requests a second, 3
    at a time; the public pool 5 and 1 a second, 1 at a time. The limits an answer advertises
    in its ``x-rate-limit-*`` headers win when they are lower (:meth:`Limiter.observe`).
    """

    rate: float = attrs.field(validator=_positive)
    concurrency: int = attrs.field(validator=_positive)
    interval: float = attrs.field(default=1.0, validator=_positive)
    margin: float = 0.05
    list_rate: float | None = attrs.field(default=None, validator=_optional_positive)

    @classmethod
    def public(cls) -> Limits:
        """Crossref's public pool (no ``mailto``): 5 single-work and 1 list request a second,
        1 at a time."""
        return cls(rate=5, list_rate=1, concurrency=1)

    @classmethod
    def polite(cls) -> Limits:
        """Crossref's polite pool (a ``mailto`` given): 10 single-work and 3 list requests a
        second, 3 at a time."""
        return cls(rate=10, list_rate=3, concurrency=3)

    def rate_of(self, kind: str) -> float:
        """The rate of ``kind`` (:data:`SINGLE` or :data:`LIST`) requests."""
        if kind == LIST and self.list_rate is not None:
            return self.list_rate
        return self.rate

    @classmethod
    def for_pool(cls, mailto: str | None) -> Limits:
        """The polite pool's limits when ``mailto`` is set, else the public pool's."""
        return cls.polite() if mailto else cls.public()

    @property
    def spacing(self) -> float:
        """The window, in seconds, in which at most ``rate`` requests start."""
        return self.interval * (1.0 + self.margin)


_INTERVAL = re.compile(r"^\s*(\d{1,12}(?:\.\d{1,12})?)\s*(ms|s|m|h)?\s*$", re.IGNORECASE)
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}

#: The longest ``x-rate-limit-interval`` taken from an answer, in seconds; a longer one is
#: not believed ("3600s" would stall every request for an hour, outside any retry budget).
MAX_ADVERTISED_INTERVAL = 60.0
#: The slowest advertised rate believed, in requests per second (one per ten seconds).
MIN_ADVERTISED_RATE = 0.1
#: The longest window the limiter keeps, in seconds: a longer advertised interval is kept as
#: the same average rate over this window ("60 per 60s" as 10 per 10 s), so that no request
#: waits more than about one window (10.5 s with the margin) because an answer said so.
MAX_WINDOW = 10.0


def parse_interval(value: str) -> float | None:
    """Seconds of an ``x-rate-limit-interval`` ("1s", "60s", "500ms"), or ``None`` when it is
    unreadable, not positive, or longer than :data:`MAX_ADVERTISED_INTERVAL`."""
    match = _INTERVAL.match(value)
    if not match:
        return None
    seconds = float(match.group(1)) * _UNIT[(match.group(2) or "s").lower()]
    return seconds if 0 < seconds <= MAX_ADVERTISED_INTERVAL else None


def _number(value: str | None) -> float | None:
    """A positive, finite number of a header ("50"), or ``None`` ("inf", "1e999", "-1", "x")."""
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and 0 < number < 1e9 else None


class Limiter:
    """Enforces :class:`Limits` for the threads that share it (see the module docstring).

    ``clock`` (seconds, monotonic) and ``sleep`` are :func:`time.monotonic` and
    :func:`time.sleep` unless given; tests pass a fake pair. Under
    :func:`refcheck.testing.set_testing` the default pair does not sleep: the clock jumps
    ahead instead, so that the limits are kept in virtual time, as retries are. ``started``
    counts the requests let through, and ``waited`` is the total time spent waiting for the
    rate limit.
    """

    def __init__(
        self,
        limits: Limits,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._configured = limits
        self._limits = limits
        self._skipped = 0.0
        self._clock = clock if clock is not None else self._monotonic
        self._sleep = sleep if sleep is not None else self._sleep_unless_testing
        self._lock = threading.Lock()
        self._free = threading.Condition(self._lock)
        self._in_flight = 0
        self._starts: dict[str, deque[float]] = {SINGLE: deque(), LIST: deque()}
        self._aborted = threading.Event()
        self.waited = 0.0
        self.started = 0
        #: Requests let through, by kind (:data:`SINGLE`, :data:`LIST`).
        self.started_by_kind: dict[str, int] = {SINGLE: 0, LIST: 0}

    def _monotonic(self) -> float:
        return time.monotonic() + self._skipped

    def _sleep_unless_testing(self, seconds: float) -> None:
        if is_testing():
            with self._lock:
                self._skipped += seconds
        else:
            self._aborted.wait(seconds)

    def abort(self) -> None:
        """Wake every thread waiting for a slot, and refuse slots from now on (Ctrl-C):
        :meth:`acquire` raises :class:`~refcheck.errors.ServiceUnavailable`."""
        self._aborted.set()
        with self._free:
            self._free.notify_all()

    def _check_aborted(self) -> None:
        if self._aborted.is_set():
            raise ServiceUnavailable("interrupted", reason="interrupted")

    @property
    def limits(self) -> Limits:
        """The limits in force: the configured ones, lowered by what the service advertised."""
        with self._lock:
            return self._limits

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    @contextmanager
    def slot(self, kind: str = SINGLE) -> Iterator[None]:
        """Wait until a request of ``kind`` may start within the limits; the block is the
        request."""
        self.acquire(kind)
        try:
            yield
        finally:
            self.release()

    def acquire(self, kind: str = SINGLE) -> None:
        """Wait for a concurrency slot, then for the rate limit of ``kind``; count this request
        started."""
        starts = self._starts[LIST if kind == LIST else SINGLE]
        with self._free:
            while self._in_flight >= self._limits.concurrency:
                self._check_aborted()
                self._free.wait()
            self._check_aborted()
            self._in_flight += 1
        try:
            while True:
                self._check_aborted()
                with self._lock:
                    wait = self._wait(self._clock(), starts, self._limits.rate_of(kind))
                    if wait <= 0:
                        starts.append(self._clock())
                        self.started += 1
                        self.started_by_kind[LIST if kind == LIST else SINGLE] += 1
                        return
                    self.waited += wait
                self._sleep(wait)
        except BaseException:
            self.release()
            raise

    def _wait(self, now: float, starts: deque[float], rate: float) -> float:
        """Seconds until another request may start (under the lock)."""
        window = self._limits.spacing
        while starts and now - starts[0] >= window:
            starts.popleft()
        allowed = max(1, int(rate))
        if len(starts) < allowed:
            return 0.0
        return starts[len(starts) - allowed] + window - now

    def release(self) -> None:
        """Free the concurrency slot taken by :meth:`acquire`."""
        with self._free:
            self._in_flight -= 1
            self._free.notify()

    def refused(self, kind: str = SINGLE) -> None:
        """A request of ``kind`` was refused (429) within our limits: halve that rate from now
        on.

        The service's limits are lower than we know, or shared with others (several processes
        behind one address). The retry policy waits and asks again; this makes the requests
        that follow slower, down to one per interval.
        """
        with self._free:
            if kind == LIST:
                halved = max(1.0, self._configured.rate_of(LIST) / 2)
                self._configured = attrs.evolve(self._configured, list_rate=halved)
                self._limits = attrs.evolve(
                    self._limits, list_rate=max(1.0, min(self._limits.rate_of(LIST), halved))
                )
                return
            self._configured = attrs.evolve(
                self._configured,
                rate=max(1.0, self._configured.rate / 2),
                list_rate=self._configured.rate_of(LIST),
            )
            self._limits = attrs.evolve(
                self._limits,
                rate=max(1.0, min(self._limits.rate, self._configured.rate)),
                list_rate=self._limits.rate_of(LIST),
            )

    def observe(self, headers: Mapping[str, str], kind: str = SINGLE) -> None:
        """Adopt the limits a service advertises in an answer's headers, if lower than ours.

        Reads ``x-rate-limit-limit`` with ``x-rate-limit-interval`` and ``x-concurrency-limit``
        (any case); absent, unreadable or absurd headers change nothing (a limit below 1 or not
        finite, an interval beyond :data:`MAX_ADVERTISED_INTERVAL`: "99999999999h", "3600s",
        a rate below :data:`MIN_ADVERTISED_RATE`). An interval longer than
        :data:`MAX_WINDOW` is kept as the same rate over that window. The rate is that of the
        answer's ``kind`` of request (:data:`SINGLE` or :data:`LIST`): Crossref limits the two
        apart.
        """
        if kind == LIST:
            self._observe_list(headers)
            return
        folded = {k.lower(): v for k, v in headers.items()}
        rate = _number(folded.get("x-rate-limit-limit"))
        rate = rate if rate is not None and rate >= 1 else None
        interval = parse_interval(folded.get("x-rate-limit-interval") or "1s")
        concurrency = _number(folded.get("x-concurrency-limit"))
        if rate is None and concurrency is None:
            return
        configured = self._configured
        new_rate, new_interval = configured.rate, configured.interval
        if (
            rate is not None
            and interval is not None
            and MIN_ADVERTISED_RATE <= rate / interval < configured.rate / configured.interval
        ):
            new_rate, new_interval = rate, interval
            if interval > MAX_WINDOW:
                new_rate, new_interval = rate * MAX_WINDOW / interval, MAX_WINDOW
        new_concurrency = configured.concurrency
        if concurrency is not None:
            new_concurrency = min(configured.concurrency, max(1, int(concurrency)))
        with self._free:
            # The list rate in force stays (in the new interval's terms); none set: the same.
            current = self._limits
            list_rate = None
            if current.list_rate is not None:
                list_rate = current.list_rate / current.interval * new_interval
            self._limits = attrs.evolve(
                configured,
                rate=new_rate,
                interval=new_interval,
                concurrency=new_concurrency,
                list_rate=list_rate,
            )
            self._free.notify_all()

    def _observe_list(self, headers: Mapping[str, str]) -> None:
        """:meth:`observe` for a list request's answer: its rate is the list rate."""
        folded = {k.lower(): v for k, v in headers.items()}
        rate = _number(folded.get("x-rate-limit-limit"))
        rate = rate if rate is not None and rate >= 1 else None
        interval = parse_interval(folded.get("x-rate-limit-interval") or "1s")
        concurrency = _number(folded.get("x-concurrency-limit"))
        if rate is None and concurrency is None:
            return
        configured = self._configured
        with self._free:
            limits = self._limits
            per_interval = configured.rate_of(LIST) / configured.interval * limits.interval
            if rate is not None and interval is not None and rate / interval >= MIN_ADVERTISED_RATE:
                # In the interval the limiter counts in: "180 per 60s" is 3 a second.
                per_interval = min(per_interval, rate / interval * limits.interval)
            new_concurrency = limits.concurrency
            if concurrency is not None:
                new_concurrency = min(configured.concurrency, max(1, int(concurrency)))
            self._limits = attrs.evolve(limits, list_rate=per_interval, concurrency=new_concurrency)
            self._free.notify_all()


class _Flight(Generic[T]):
    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: T | None = None
        self.error: BaseException | None = None


class SingleFlight(Generic[T]):
    """Calls with the same key while one is running wait for it and share its result."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[Hashable, _Flight[T]] = {}
        self.shared = 0

    def do(self, key: Hashable, call: Callable[[], T]) -> T:
        """``call()``, unless a call with ``key`` is running: then that call's result (or error)."""
        with self._lock:
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
            else:
                self.shared += 1
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return flight.result  # type: ignore[return-value]
        try:
            flight.result = call()
            return flight.result
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()
