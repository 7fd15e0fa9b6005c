"""When and how long refcheck waits before asking a bibliographic service again.

A :class:`RetryPolicy` is a small immutable value; :meth:`RetryPolicy.send` runs one HTTP
request under it. It retries connection errors, timeouts, broken (truncated) bodies, ``429 Too
Many Requests`` and ``5xx`` answers, with capped exponential backoff and jitter, and honours a
``Retry-After`` header (seconds or HTTP date). All waiting comes out of one budget,
``max_delay`` seconds for the whole call: a wait that would end past the budget is never
started, and when the server asks for more time than is left the policy gives up at once
rather than knowingly ask too early.

tenacity does the bookkeeping; it never appears in a signature here.

For tests, :func:`set_testing` turns all waiting off process-wide (waits are still computed
and reported to ``on_retry`` hooks, they are just not slept), in the manner of
``stamina.set_testing``; :mod:`refcheck.testing` re-exports it.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone

import attrs
import requests
import tenacity

from refcheck.errors import ServiceUnavailable
from refcheck.sources.http.breaker import failure_words

__all__ = [
    "RETRY_STATUSES",
    "RetryEvent",
    "RetryPolicy",
    "is_testing",
    "parse_retry_after",
    "set_testing",
]

log = logging.getLogger(__name__)

#: Answers worth asking again: rate limited, and the server-side failures that pass.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

#: Exceptions of requests worth retrying. ``ChunkedEncodingError`` is a body cut short.
_RETRY_EXCEPTIONS: tuple[type[BaseException], ...] = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)

_testing = False


def set_testing(on: bool) -> None:
    """Turn waiting between attempts off (``True``) or back on (``False``), process-wide.

    Meant for test suites: retries still happen, the same number of times, and the waits are
    still computed and reported, but nothing sleeps.
    """
    global _testing
    _testing = bool(on)


def is_testing() -> bool:
    """Whether :func:`set_testing` has turned waiting off."""
    return _testing


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header, or ``None`` if absent or unusable.

    Accepts delta-seconds ("120", "1.5") and HTTP dates ("Wed, 21 Oct 2015 07:28:00 GMT"); a
    date in the past means 0.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


@attrs.frozen(slots=True)
class RetryEvent:
    """One decision to try again: after which attempt, why, and how long the wait is."""

    url: str
    attempt: int
    reason: str
    wait: float
    retry_after: float | None = None


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"RetryPolicy.{attribute.name} must be >= 0, got {value!r}")


def _at_least_one(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise ValueError(f"RetryPolicy.{attribute.name} must be >= 1, got {value!r}")


@attrs.frozen(slots=True)
class RetryPolicy:
    """How often and how patiently to retry one request.

    ``max_attempts`` counts the first try. ``max_delay`` is the budget, in seconds, for the
    whole call, waits included. Backoff before attempt *n + 1* is
    ``min(max_backoff, initial_backoff * 2 ** (n - 1)) + uniform(0, jitter)``; a
    ``Retry-After`` header replaces it. ``on_retry`` (not part of equality) is called with a
    :class:`RetryEvent` before every wait, e.g. ``on_retry=events.append`` in a test.
    """

    max_attempts: int = attrs.field(default=5, validator=_at_least_one)
    max_delay: float = attrs.field(default=60.0, validator=_positive)
    initial_backoff: float = attrs.field(default=0.5, validator=_positive)
    max_backoff: float = attrs.field(default=10.0, validator=_positive)
    jitter: float = attrs.field(default=0.5, validator=_positive)
    on_retry: Callable[[RetryEvent], None] | None = attrs.field(default=None, eq=False, repr=False)

    @classmethod
    def never(cls) -> RetryPolicy:
        """A policy that tries exactly once."""
        return cls(max_attempts=1)

    def backoff(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (1-based), jitter included."""
        base = min(self.max_backoff, self.initial_backoff * 2.0 ** (attempt - 1))
        return float(base) + (random.uniform(0, self.jitter) if self.jitter else 0.0)

    def send(
        self,
        request: Callable[[], requests.Response],
        *,
        url: str,
        cancel: threading.Event | None = None,
    ) -> requests.Response:
        """Call ``request`` until it gives a final answer, and return that answer.

        A response whose status is not in :data:`RETRY_STATUSES` is final and returned as is,
        whatever it says. Exceptions other than requests' connection, timeout and broken-body
        errors propagate at once. When attempts or budget run out, raises
        :class:`~refcheck.errors.ServiceUnavailable` naming ``url``, the number of attempts
        and the last status or error (chained to that error). When ``cancel`` is set (Ctrl-C,
        from another thread), the wait in progress ends and no attempt follows:
        ``ServiceUnavailable`` ("interrupted").
        """
        call = _Call(self, url, cancel)
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_RETRY_EXCEPTIONS)
            | tenacity.retry_if_result(lambda r: r.status_code in RETRY_STATUSES),
            wait=call.wait,
            stop=call.stop,
            sleep=call.sleep,
            before_sleep=call.before_sleep,
            reraise=False,
        )
        try:
            return retrying(request)
        except tenacity.RetryError as exc:
            outcome = exc.last_attempt
            error = outcome.exception()
            tries = outcome.attempt_number
            plural = "attempt" if tries == 1 else "attempts"
            why = f" ({call.gave_up})" if call.gave_up else ""
            if error is not None:
                raise ServiceUnavailable(
                    f"{url}: no answer after {tries} {plural}{why}: "
                    f"{type(error).__name__}: {error}",
                    reason=f"{failure_words(error)}, {tries} {plural}",
                ) from error
            response: requests.Response = outcome.result()
            raise ServiceUnavailable(
                f"{url}: expected a 2xx or 404 answer, got HTTP {response.status_code} "
                f"{response.reason or ''} after {tries} {plural}{why}".replace("  ", " "),
                reason=f"HTTP {response.status_code}, {tries} {plural}",
            ) from None


class _Call:
    """The state of one :meth:`RetryPolicy.send`: its clock, budget and log of waits.

    The clock is virtual in testing mode: waits that are skipped still count against the
    budget, so a test sees the same number of attempts as production would.
    """

    def __init__(self, policy: RetryPolicy, url: str, cancel: threading.Event | None) -> None:
        self.policy = policy
        self.url = url
        self.cancel = cancel
        self.skipped = 0.0
        self.started = self.clock()
        self.gave_up = ""

    def clock(self) -> float:
        return time.monotonic() + self.skipped

    def remaining(self) -> float:
        return self.policy.max_delay - (self.clock() - self.started)

    @staticmethod
    def _retry_after(state: tenacity.RetryCallState) -> float | None:
        outcome = state.outcome
        if outcome is None or outcome.failed:
            return None
        response: requests.Response = outcome.result()
        return parse_retry_after(response.headers.get("Retry-After"))

    def wait(self, state: tenacity.RetryCallState) -> float:
        retry_after = self._retry_after(state)
        if retry_after is not None:
            return retry_after
        return min(self.policy.backoff(state.attempt_number), max(0.0, self.remaining()))

    def stop(self, state: tenacity.RetryCallState) -> bool:
        if state.attempt_number >= self.policy.max_attempts:
            return True
        remaining = self.remaining()
        if state.upcoming_sleep > remaining or remaining <= 0:
            self.gave_up = (
                f"the server asked to wait {state.upcoming_sleep:g} s, "
                f"more than the {max(0.0, remaining):.3g} s left of the "
                f"{self.policy.max_delay:g} s budget"
                if self._retry_after(state) is not None
                else f"the {self.policy.max_delay:g} s budget is spent"
            )
            return True
        return False

    def sleep(self, seconds: float) -> None:
        if _testing:
            self.skipped += seconds
        elif self.cancel is not None:
            self.cancel.wait(seconds)
        else:
            time.sleep(seconds)
        if self.cancel is not None and self.cancel.is_set():
            raise ServiceUnavailable(f"{self.url}: interrupted", reason="interrupted")

    def before_sleep(self, state: tenacity.RetryCallState) -> None:
        outcome = state.outcome
        assert outcome is not None
        error = outcome.exception()
        if error is not None:
            reason = f"{type(error).__name__}: {error}"
        else:
            reason = f"HTTP {outcome.result().status_code}"
        event = RetryEvent(
            url=self.url,
            attempt=state.attempt_number,
            reason=reason,
            wait=state.upcoming_sleep,
            retry_after=self._retry_after(state),
        )
        log.info(
            "%s: attempt %d failed (%s); retrying in %.2f s",
            self.url,
            event.attempt,
            reason,
            event.wait,
        )
        if self.policy.on_retry is not None:
            self.policy.on_retry(event)
