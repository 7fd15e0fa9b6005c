"""Stop asking a service that cannot be reached: one circuit breaker per client.

With the network down (or a wrong base URL), every reference used to go through the whole retry
schedule: 15 references took 28 s and 58 took 107 s, to report each of them as not checked.
:class:`CircuitBreaker` watches the attempts of one client. A failure to connect at all (the
connection refused, the host name not found, the network or host unreachable, the connection
timed out: :func:`is_unreachable`) counts; any answer, whatever its status, resets the count.
The breaker *trips*:

* before the service has answered once in this run, after ``first_failures`` (3) such failures
  in a row: three refused connections, whether three attempts of one request or the first
  attempts of three requests in flight at once;
* whether or not it has answered, when one request has used all its attempts on such failures
  (the service was away for the whole retry schedule): an outage shorter than that does not
  stop the run.

Once tripped it stays open for the client's life (one run): every request fails at once, without
touching the network, with :class:`~refcheck.errors.ServiceUnreachable` ("Crossref is
unreachable (connection refused: http://127.0.0.1:9)"), which the resolver turns into "not
checked" like any service failure. :attr:`CircuitBreaker.tripped` is that error, for the caller
to say once and to choose the exit code.

:func:`failure_words` says in a few words what went wrong with a request ("connection refused",
"timed out"), for the short reason of a "not checked" finding.

:class:`~refcheck.sources.http.service.SessionOwner` gives every client its breaker and consults
it around each attempt, so every source has one by construction; habanero's transport uses the
same class around its calls.
"""

from __future__ import annotations

import errno
import socket
import threading
from collections.abc import Iterator

from refcheck.errors import ServiceUnreachable

__all__ = ["CircuitBreaker", "failure_words", "is_unreachable"]

#: Failures to connect that say the service cannot be reached, by what :func:`failure_words`
#: calls them.
UNREACHABLE = frozenset(
    {
        "connection refused",
        "host name not found",
        "network unreachable",
        "host unreachable",
        "connection timed out",
    }
)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it wraps: its cause and context, exceptions among its arguments
    (requests wraps urllib3's), and urllib3's ``reason``."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        inner = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        inner += [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
        stack.extend(e for e in inner if isinstance(e, BaseException))


def failure_words(exc: BaseException) -> str:
    """What went wrong with a request, in a few words: "connection refused", "host name not
    found", "timed out", "connection reset", "answer cut short", else "connection failed"."""
    causes = list(_causes(exc))
    names = {type(c).__name__ for c in causes}
    if "NameResolutionError" in names or any(isinstance(c, socket.gaierror) for c in causes):
        return "host name not found"
    for cause in causes:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, OSError) and cause.errno == errno.ENETUNREACH:
            return "network unreachable"
        if isinstance(cause, OSError) and cause.errno == errno.EHOSTUNREACH:
            return "host unreachable"
    if names & {"ConnectTimeout", "ConnectTimeoutError"}:
        return "connection timed out"
    if names & {"Timeout", "ReadTimeout", "ReadTimeoutError", "TimeoutError", "timeout"}:
        return "timed out"
    if any(isinstance(c, ConnectionResetError) for c in causes):
        return "connection reset"
    if names & {"ChunkedEncodingError", "IncompleteRead", "ProtocolError", "RemoteProtocolError"}:
        return "answer cut short"
    return "connection failed"


def is_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` is a failure to connect at all (see :data:`UNREACHABLE`)."""
    return failure_words(exc) in UNREACHABLE


class CircuitBreaker:
    """Counts one client's failures to connect, and trips (see the module docstring).
    Thread-safe: one client's requests run in several threads."""

    def __init__(self, label: str, where: str, *, first_failures: int = 3) -> None:
        if first_failures < 1:
            raise ValueError(f"first_failures: expected at least 1, found {first_failures}")
        self.label = label
        self.where = where
        self.first_failures = first_failures
        self._lock = threading.Lock()
        self._answered = False
        self._in_a_row = 0
        self._tripped: ServiceUnreachable | None = None

    @property
    def tripped(self) -> ServiceUnreachable | None:
        """The error every request fails with since the breaker tripped, or ``None``."""
        return self._tripped

    def check(self, url: str = "", failure: BaseException | None = None) -> None:
        """If the breaker has tripped, raise :attr:`tripped` for a request of ``url`` (before
        each attempt, and after a ``failure`` that may have tripped it)."""
        tripped = self._tripped
        if tripped is None:
            return
        if failure is not None:
            detail = f"{tripped}; {url}: {type(failure).__name__}: {failure}"
        else:
            detail = f"{tripped}; not asked: {url}" if url else str(tripped)
        raise ServiceUnreachable(detail, reason=tripped.reason) from failure

    def answered(self) -> None:
        """The service answered (any status): it can be reached."""
        with self._lock:
            self._answered = True
            self._in_a_row = 0

    def failed(self, exc: BaseException, *, gave_up: bool = False) -> None:
        """An attempt failed with ``exc`` (``gave_up``: it was a request's last attempt, after
        the retries). Failures that are not failures to connect do not count."""
        if not is_unreachable(exc):
            return
        with self._lock:
            if not gave_up:  # that last attempt was counted when it failed
                self._in_a_row += 1
            early = not self._answered and self._in_a_row >= self.first_failures
            if self._tripped is None and (early or gave_up):
                words = failure_words(exc)
                self._tripped = ServiceUnreachable(
                    f"{self.label} is unreachable ({words}: {self.where})",
                    reason=f"unreachable, {words}",
                )
