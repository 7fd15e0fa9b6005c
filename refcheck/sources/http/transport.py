"""The transport under every client's session: answers bounded in size and in time, and
requests that can be called off.

:class:`BoundedAdapter` is requests' ``HTTPAdapter`` with three guarantees:

* **size**: the body is read as it arrives, decompressed (gzip, deflate) piece by piece, and
  abandoned as soon as it passes ``max_bytes`` (:data:`MAX_BODY_BYTES` by default), so that
  neither a huge answer nor a small gzip bomb can take the process's memory:
  :class:`~refcheck.errors.ServiceResponseError`, not retried;
* **time**: each attempt, from sending the request to the last byte of the answer, ends
  within ``deadline`` seconds (by default :data:`DEADLINE_FACTOR` times the read timeout).
  requests' timeout bounds each read, not their sum: a server that trickles its headers or
  its body, each piece just within the timeout, would hold a thread for ever. A watchdog
  shuts the socket down when the deadline passes, and the attempt fails as a timeout (which
  the retry policy may retry, within its budget);
* **cancellation**: :meth:`BoundedAdapter.abort` shuts down the sockets of the requests in
  flight and refuses new ones (:class:`~refcheck.errors.ServiceUnavailable`), so that Ctrl-C
  stops a check at once.

The socket of each attempt reaches its watchdog through the connection classes of the
adapter's pools (:class:`_WatchedConnection`), which hand it over as they start reading the
answer; no global state is changed.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from refcheck.errors import ServiceResponseError, ServiceUnavailable

__all__ = ["DEADLINE_FACTOR", "MAX_BODY_BYTES", "BoundedAdapter"]

#: The largest answer body refcheck reads, decompressed (a page of 1,000 full Crossref records
#: is about 10 MB; a single work 5-20 kB).
MAX_BODY_BYTES = 16 * 1024 * 1024
#: Each attempt ends within this many times the read timeout, headers and body included.
DEADLINE_FACTOR = 3.0
_CHUNK = 64 * 1024

_current = threading.local()


class _Watch:
    """The deadline of one attempt: shuts its socket down when it passes, or when aborted."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self.aborted = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        """Watch ``sock``; shut it down at once if the attempt is already over."""
        with self._lock:
            self._sockets.append(sock)
            over = self.expired or self.aborted
        if over:
            _shut(sock)

    def _expire(self) -> None:
        self._end(expired=True)

    def abort(self) -> None:
        self._end(expired=False)

    def _end(self, *, expired: bool) -> None:
        with self._lock:
            if expired:
                self.expired = True
            else:
                self.aborted = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def cancel(self) -> None:
        """The attempt is over: no more watching."""
        self._timer.cancel()
        with self._lock:
            self._sockets.clear()


def _shut(sock: socket.socket) -> None:
    """Shut a socket down for both directions: a read blocked on it returns at once."""
    with contextlib.suppress(OSError):  # already closed, or never connected
        sock.shutdown(socket.SHUT_RDWR)


class _WatchedConnection(HTTPConnection):
    """An HTTP connection that hands its socket to the current attempt's watchdog."""

    def getresponse(self) -> Any:
        watch: _Watch | None = getattr(_current, "watch", None)
        if watch is not None and self.sock is not None:
            watch.watch(self.sock)
        return super().getresponse()


class _WatchedTLSConnection(HTTPSConnection):
    """An HTTPS connection that hands its socket to the current attempt's watchdog."""

    def getresponse(self) -> Any:
        watch: _Watch | None = getattr(_current, "watch", None)
        if watch is not None and self.sock is not None:
            watch.watch(self.sock)
        return super().getresponse()


class _Pool(HTTPConnectionPool):
    ConnectionCls = _WatchedConnection


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedTLSConnection


_POOLS = {"http": _Pool, "https": _TLSPool}


def _read_timeout(timeout: Any) -> float | None:
    """The read timeout of requests' ``timeout`` argument (a number or a pair)."""
    if isinstance(timeout, tuple):
        timeout = timeout[1] if len(timeout) > 1 else timeout[0]
    try:
        return float(timeout) if timeout is not None else None
    except (TypeError, ValueError):
        return None


class BoundedAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose answers are bounded in size and time and which can be aborted
    (see the module docstring).

    ``max_bytes`` bounds the decompressed body; ``deadline`` each attempt, in seconds (``None``:
    :data:`DEADLINE_FACTOR` times the request's read timeout; no deadline without a timeout).
    """

    def __init__(
        self, *, max_bytes: int = MAX_BODY_BYTES, deadline: float | None = None, **kwargs: Any
    ) -> None:
        self.max_bytes = max_bytes
        self.deadline = deadline
        self._aborted = threading.Event()
        self._active: set[_Watch] = set()
        self._active_lock = threading.Lock()
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(_POOLS)
        return manager

    def abort(self) -> None:
        """Shut down the requests in flight and refuse new ones (for Ctrl-C)."""
        self._aborted.set()
        with self._active_lock:
            watches = list(self._active)
        for watch in watches:
            watch.abort()

    @property
    def aborted(self) -> bool:
        return self._aborted.is_set()

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        if self._aborted.is_set():
            raise ServiceUnavailable(f"{request.url}: interrupted", reason="interrupted")
        read_timeout = _read_timeout(timeout)
        seconds = self.deadline
        if seconds is None and read_timeout is not None:
            seconds = DEADLINE_FACTOR * read_timeout
        watch = _Watch(seconds) if seconds is not None else None
        if watch is not None:
            with self._active_lock:
                self._active.add(watch)
        _current.watch = watch
        try:
            response = super().send(
                request, stream=True, timeout=timeout, verify=verify, cert=cert, proxies=proxies
            )
            _current.watch = None
            self._read_body(response, request)
        except requests.RequestException as exc:
            self._over(watch, request, exc)
            raise
        finally:
            _current.watch = None
            if watch is not None:
                watch.cancel()
                with self._active_lock:
                    self._active.discard(watch)
        self._over(watch, request, None)
        return response

    def _read_body(self, response: requests.Response, request: requests.PreparedRequest) -> None:
        """Read the whole body into ``response`` (decompressed), at most ``max_bytes``."""
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(_CHUNK):
                size += len(chunk)
                if size > self.max_bytes:
                    raise ServiceResponseError(
                        f"{request.url}: the answer is larger than the {self.max_bytes:,} bytes "
                        "refcheck reads (decompressed); abandoned",
                        reason=f"an answer larger than {self.max_bytes // 2**20} MiB",
                    )
                chunks.append(chunk)
        except BaseException:
            response.close()
            raise
        response._content = b"".join(chunks)
        response._content_consumed = True  # type: ignore[attr-defined]

    def _over(
        self,
        watch: _Watch | None,
        request: requests.PreparedRequest,
        error: BaseException | None,
    ) -> None:
        """Raise the right error when the watchdog ended the attempt (even when the body looked
        whole: a body read until the connection closes ends early when the socket is shut)."""
        if watch is None:
            return
        if watch.aborted or self._aborted.is_set():
            raise ServiceUnavailable(f"{request.url}: interrupted", reason="interrupted") from error
        if watch.expired:
            raise requests.exceptions.ReadTimeout(
                f"{request.url}: no whole answer within {watch.seconds:g} s "
                f"({DEADLINE_FACTOR:g} times the timeout)",
                request=request,
            ) from error
