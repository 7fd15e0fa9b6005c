"""What every source's client shares: the session it owns, and one way to send a GET and
read its answer.

:class:`SessionOwner` sends each request under the client's timeout and
:class:`~refcheck.sources.http.retry.RetryPolicy`, follows redirects itself (only to http(s)
URLs, at most five, and each hop gets only the headers meant for its origin: a secret goes
only to its own service), and translates the errors of requests into
:class:`~refcheck.errors.ServiceResponseError`. :class:`ServiceClient` adds the settings of a
second source (:class:`SourceSettings`: mailto, key, cache directory, spacing). Each service
lives in its own module with its own converter (:mod:`refcheck.sources.pubmed`,
:mod:`refcheck.sources.openalex`, :mod:`refcheck.sources.datacite`,
:mod:`refcheck.sources.crossref`); this module holds no service's keys. Each service has its
own cache file, next to Crossref's (``pubmed.sqlite``...), through
:func:`refcheck.sources.http.cache.open_session`, so that one service's answers never shadow
another's.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Protocol, TypeVar
from urllib.parse import unquote_plus, urljoin, urlsplit

import attrs
import requests

from refcheck._version import __version__
from refcheck.errors import ConfigError, ServiceResponseError, ServiceUnavailable
from refcheck.sources.http import cache as _cache
from refcheck.sources.http.breaker import CircuitBreaker
from refcheck.sources.http.retry import RetryPolicy, is_testing
from refcheck.sources.http.transport import BoundedAdapter

__all__ = [
    "USER_AGENT",
    "Closing",
    "ServiceClient",
    "SessionOwner",
    "SourceSettings",
    "check_base_url",
    "origin",
]

#: The User-Agent every request carries; the service's own origin also gets the user's
#: address in it (``refcheck/1.0 (mailto:you@example.org)``).
USER_AGENT = f"refcheck/{__version__}"

_MAX_REDIRECTS = 5
_BREAKERS = threading.Lock()
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def check_base_url(value: str) -> str:
    """An http(s) URL without its trailing slash; :class:`ConfigError` for anything else."""
    value = str(value).strip().rstrip("/")
    if not re.match(r"^https?://[^/\s]+", value):
        raise ConfigError(f"base_url: expected an http(s) URL, found {value!r}")
    return value


def origin(url: str) -> tuple[str, str, int | None]:
    """The scheme, host and port of ``url``: where a secret may go."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    try:
        port = parts.port or default
    except ValueError:
        port = -1
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _base_url(value: str | None) -> str | None:
    return None if value is None else check_base_url(value)


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value > 0:
        raise ConfigError(f"{attribute.name}: expected a number of seconds > 0, found {value!r}")


def _optional_path(value: Path | str | None) -> Path | None:
    return None if value is None else Path(value).expanduser()


def _optional_text(value: str | None) -> str | None:
    return (value or "").strip() or None


_Owner = TypeVar("_Owner", bound="Closing")
_Work = TypeVar("_Work")
_Result = TypeVar("_Result")


class Closing:
    """Something to :meth:`close`, by hand or by leaving a ``with`` block."""

    def close(self) -> None:
        """Release what the object holds."""

    def __enter__(self: _Owner) -> _Owner:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class SessionOwner(Closing):
    """A client that owns one ``requests`` session (and through it the cache file): closed by
    :meth:`close`, or by leaving a ``with`` block. Shared by every service's client.

    Subclasses set ``base_url``, ``timeout`` and ``retry``, mount a
    :class:`~refcheck.sources.http.transport.BoundedAdapter` (:meth:`_mount`), and may add
    the query parameters that identify the user (:meth:`_identity`), the headers meant for the
    service's own origin only (:meth:`_own_headers`), and the values that must reach no other
    origin in any form (:meth:`_private`).

    The redirect policy is the same for every client (:meth:`_follow`): identity and secrets
    go only to the origin (scheme, host and port) of ``base_url``.
    """

    _session: requests.Session
    base_url: str
    timeout: float
    retry: RetryPolicy

    def close(self) -> None:
        """Release the session's connections and the cache file."""
        self._session.close()

    def abort(self) -> None:
        """Call off what this client is doing, from another thread (Ctrl-C): requests in flight
        are cut, waits between attempts end, and every request from now on fails at once with
        :class:`~refcheck.errors.ServiceUnavailable` ("interrupted"). Answers already stored
        in the cache stay there."""
        self._aborted.set()
        for adapter in self._session.adapters.values():
            stop = getattr(adapter, "abort", None)
            if callable(stop):
                stop()

    @property
    def _aborted(self) -> threading.Event:
        event: threading.Event | None = getattr(self, "_aborted_event", None)
        if event is None:
            event = self._aborted_event = threading.Event()
        return event

    @staticmethod
    def _mount(session: requests.Session, adapter: BoundedAdapter) -> None:
        """Send every http(s) request of ``session`` through ``adapter``; the session's own
        User-Agent names refcheck only (the user's address goes to the service's origin only,
        see :meth:`_own_headers`)."""
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = USER_AGENT
        session.headers["Accept"] = "application/json"
        # gzip and deflate only: the transport decompresses them under its size bound.
        session.headers["Accept-Encoding"] = "gzip, deflate"

    def _identity(self) -> dict[str, str]:
        """Query parameters that identify the user to the service (mailto, api_key...)."""
        return {}

    def _own_headers(self) -> dict[str, str]:
        """Headers that only the service's own origin may see (a User-Agent with the user's
        address, a token)."""
        return {}

    def _private(self) -> tuple[str, ...]:
        """The user's address and keys: what no other origin may receive, in any form."""
        return ()

    def _headers_for(self, url: str) -> dict[str, str]:
        """The headers for one hop to ``url``: :meth:`_own_headers` on the service's origin,
        nothing more elsewhere."""
        return self._own_headers() if origin(url) == origin(self.base_url) else {}

    def _url(self, path: str, params: Mapping[str, str]) -> str:
        """The URL a GET of ``path`` with ``params`` asks for, the user's identity included."""
        prepared = requests.Request(
            "GET", self.base_url + path, params={**params, **self._identity()}
        ).prepare()
        return prepared.url or self.base_url + path

    def _get(self, path: str, params: Mapping[str, str]) -> requests.Response:
        """GET ``base_url + path`` under the retry policy; the final answer, whatever its status.

        Redirects are followed here, not by requests (see :meth:`_follow`). Every attempt goes
        through the client's :attr:`breaker`: once the service has proved unreachable, only the
        cache answers, and anything else fails at once with
        :class:`~refcheck.errors.ServiceUnreachable`. Errors of requests that retrying cannot
        help (too many redirects, a redirect to a non-HTTP URL, a bad URL, a body that does not
        decode) are this service's failure for this reference, not the whole check's:
        :class:`~refcheck.errors.ServiceResponseError`.
        """
        url = self.base_url + path
        query = {**params, **self._identity()}
        if self._aborted.is_set():
            raise ServiceUnavailable(f"{url}: interrupted", reason="interrupted")
        breaker = self.breaker

        def attempt() -> requests.Response:
            if breaker.tripped is not None:
                # The service cannot be reached: what the cache holds is still answered, and
                # nothing else is asked.
                cached = _cache.cached_answer(self._session, url, query)
                if cached is not None:
                    return cached
                breaker.check(url)
            try:
                response = self._follow(url, query)
            except (requests.ConnectionError, requests.Timeout) as exc:
                breaker.failed(exc)
                breaker.check(url, exc)  # this failure tripped it: no more attempts
                raise
            if not getattr(response, "from_cache", False):
                breaker.answered()
            return response

        try:
            return self.retry.send(attempt, url=url, cancel=self._aborted)
        except ServiceUnavailable as exc:
            if exc.__cause__ is not None:
                breaker.failed(exc.__cause__, gave_up=True)
            raise
        except requests.RequestException as exc:
            raise ServiceResponseError(f"{url}: {type(exc).__name__}: {exc}") from exc

    @property
    def breaker(self) -> CircuitBreaker:
        """This client's :class:`~refcheck.sources.http.breaker.CircuitBreaker`: after a few
        failures to connect at all, every request fails at once (``breaker.tripped``)."""
        breaker: CircuitBreaker | None = getattr(self, "_breaker", None)
        if breaker is None:
            with _BREAKERS:  # the first requests come from several threads at once
                breaker = getattr(self, "_breaker", None)
                if breaker is None:
                    label = getattr(self, "label", "") or type(self).__name__
                    breaker = self._breaker = CircuitBreaker(label, self.base_url)
        return breaker

    def _answer(
        self,
        path: str,
        params: Mapping[str, str],
        read: Callable[[requests.Response], _Result],
    ) -> _Result:
        """GET ``path`` (:meth:`_get`) and ``read`` the answer; only an answer that ``read``
        accepted (it raised nothing) is kept in the cache, so that a truncated body or a
        captive portal's page is never served again."""
        response = self._get(path, params)
        result = read(response)
        _cache.keep(self._session, response, asked=self._url(path, params))
        return result

    def _follow(self, url: str, query: Mapping[str, str]) -> requests.Response:
        """One GET of ``url``, following up to five redirects: one redirect policy for every
        client.

        Following them by hand keeps every hop under the explicit timeout and lets the client
        decide, hop by hop, what goes where: only http(s) targets are followed; the query
        (with the user's e-mail and key) is sent only with the first request; the headers of
        :meth:`_own_headers` (the User-Agent that carries the address, a token) only to the
        service's own origin; and a redirect to another origin whose URL carries one of the
        user's private values (:meth:`_private`, a server echoing the query) is not followed.
        """
        response = self._session.get(
            url,
            params=query,
            timeout=self.timeout,
            allow_redirects=False,
            headers=self._headers_for(url),
        )
        for _ in range(_MAX_REDIRECTS):
            location = response.headers.get("Location")
            if response.status_code not in _REDIRECTS or not location:
                return response
            target = urljoin(response.url or url, location)
            if urlsplit(target).scheme not in ("http", "https"):
                raise ServiceResponseError(
                    f"{url}: redirected to {target[:100]!r}, expected an http(s) URL"
                )
            if origin(target) != origin(self.base_url) and self._carries_private(target):
                raise ServiceResponseError(
                    f"{url}: redirected to another origin ({_origin_text(target)}) with the "
                    "user's e-mail address or key in the URL; not followed",
                    reason="a redirect that would send your address or key elsewhere",
                )
            response.close()
            response = self._session.get(
                target,
                timeout=self.timeout,
                allow_redirects=False,
                headers=self._headers_for(target),
            )
        if response.status_code in _REDIRECTS:
            raise ServiceResponseError(
                f"{url}: more than {_MAX_REDIRECTS} redirects (the last to "
                f"{response.headers.get('Location', '')[:100]!r})"
            )
        return response

    def _carries_private(self, url: str) -> bool:
        """Whether ``url`` holds one of :meth:`_private`'s values, in plain or encoded form."""
        plain = unquote_plus(url).lower()
        return any(value.lower() in plain for value in self._private() if len(value) >= 3)

    @staticmethod
    def _unexpected(response: requests.Response, what: str) -> ServiceResponseError:
        """The error for an answer that is not the HTTP 200 the caller expected."""
        detail = _snippet(response, 200)
        return ServiceResponseError(
            f"{what}: expected HTTP 200, got HTTP {response.status_code}"
            + (f": {detail}" if detail else ""),
            reason=f"HTTP {response.status_code}",
        )

    @staticmethod
    def _convert(what: str, convert: Callable[[Any], _Work], records: Iterable[Any]) -> list[_Work]:
        """Each record through the service's converter; one it refuses, or one of a shape it
        cannot read at all, fails with ``what`` (the answer's failure, not the check's)."""
        try:
            return [convert(record) for record in records]
        except ServiceResponseError as exc:
            raise ServiceResponseError(f"{what}: {exc}") from exc
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
            raise ServiceResponseError(
                f"{what}: a record of a shape the API does not document "
                f"({type(exc).__name__}: {str(exc)[:100]})",
                reason="a record refcheck cannot read",
            ) from exc
        except RecursionError:
            raise ServiceResponseError(
                f"{what}: a record nested too deeply to read", reason="an answer nested too deeply"
            ) from None

    @staticmethod
    def _body(response: requests.Response, what: str) -> Any:
        """The JSON body of an answer, whatever its shape; :class:`ServiceResponseError` for a
        body that is not JSON or is nested beyond what the parser's recursion allows."""
        try:
            return json.loads(response.content)
        except RecursionError:
            raise ServiceResponseError(
                f"{what}: the JSON answer is nested too deeply to read "
                f"({len(response.content):,} bytes)",
                reason="an answer nested too deeply",
            ) from None
        except ValueError as exc:
            raise ServiceResponseError(
                f"{what}: expected a JSON answer, found {response.headers.get('Content-Type')!r} "
                f"starting {_snippet(response, 60)!r}",
                reason="an answer that is not JSON",
            ) from exc


def _snippet(response: requests.Response, length: int) -> str:
    """The start of an answer's body as text, for messages (no guessing of its encoding)."""
    return (
        response.content[: length * 4]
        .decode(response.encoding or "utf-8", "replace")[:length]
        .strip()
    )


def _origin_text(url: str) -> str:
    scheme, host, port = origin(url)
    return f"{scheme}://{host}:{port}"


class SharedSettings(Protocol):
    """The settings the second sources take from Crossref's
    (:class:`~refcheck.sources.crossref.CrossrefSettings`)."""

    @property
    def mailto(self) -> str | None: ...
    @property
    def timeout(self) -> float: ...
    @property
    def cache(self) -> Path | None: ...
    @property
    def offline(self) -> bool: ...
    @property
    def replay(self) -> Path | None: ...
    @property
    def retry(self) -> RetryPolicy: ...
    @property
    def expire_after_days(self) -> float: ...


@attrs.frozen(slots=True)
class SourceSettings:
    """How to reach a second source.

    ``base_url`` ``None`` means the service's public API. ``cache`` is the *directory* of
    the cache files (``<dir>/<service>.sqlite``), ``None`` for no cache. ``min_interval``
    is the least time between two requests to the service (its rate limit), ``None`` for
    the service's documented default. ``api_key`` is sent only to the service whose
    setting it is (NCBI's E-utilities take one; see :class:`refcheck.sources.pubmed.PubMedClient`).
    """

    base_url: str | None = attrs.field(default=None, converter=_base_url)
    mailto: str | None = attrs.field(default=None, converter=_optional_text)
    timeout: float = attrs.field(default=20.0, converter=float, validator=_positive)
    cache: Path | None = attrs.field(
        factory=lambda: _cache.default_cache_path().parent, converter=_optional_path
    )
    offline: bool = False
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    min_interval: float | None = None
    api_key: str | None = attrs.field(default=None, converter=_optional_text, repr=False)
    expire_after_days: float = 30.0

    @classmethod
    def from_crossref(cls, settings: SharedSettings, **overrides: Any) -> SourceSettings:
        """The same mailto, timeout, cache directory, offline mode and retries as Crossref's.

        Replay files hold Crossref's answers only: with ``settings.replay`` set, the second
        sources are offline and answer from their caches.
        """
        values: dict[str, Any] = {
            "mailto": settings.mailto,
            "timeout": settings.timeout,
            "cache": settings.cache.parent if settings.cache is not None else None,
            "offline": settings.offline or settings.replay is not None,
            "retry": settings.retry,
            "expire_after_days": settings.expire_after_days,
        }
        values.update(overrides)
        return cls(**values)


class _Spacing(BoundedAdapter):
    """The bounded transport, waiting for its turn before each request it sends, and, when
    ``in_flight`` is given, for a free place among the requests in flight (the answer is read
    whole before the place is freed)."""

    def __init__(
        self, wait_turn: Callable[[], None], in_flight: threading.Semaphore | None = None
    ) -> None:
        super().__init__()
        self._wait_turn = wait_turn
        self._in_flight = in_flight

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if self._in_flight is None:
            self._wait_turn()
            return super().send(request, **kwargs)
        with self._in_flight:
            self._wait_turn()
            response = super().send(request, **kwargs)
            if not kwargs.get("stream"):
                response.content  # noqa: B018 - read the body inside the place
            return response


class ServiceClient(SessionOwner):
    """The HTTP edge of one second source; subclasses set ``name`` and ``default_base_url``
    and define ``get_work`` and ``search`` with their own converters."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    default_base_url: ClassVar[str] = ""
    default_min_interval: ClassVar[float] = 0.1
    #: The most requests in flight at once (``None``: no limit but the spacing).
    max_in_flight: ClassVar[int | None] = None

    def __init__(self, settings: SourceSettings | None = None, **changes: Any) -> None:
        settings = settings if settings is not None else SourceSettings()
        self.settings: SourceSettings = attrs.evolve(settings, **changes) if changes else settings
        self.base_url = self.settings.base_url or self.default_base_url
        self.timeout = self.settings.timeout
        self.retry = self.settings.retry
        self.min_interval: float = (
            self.settings.min_interval
            if self.settings.min_interval is not None
            else self.default_min_interval
        )
        self._lock = threading.Lock()
        self._next_request = 0.0
        #: Requests that reached the network, and the seconds spent waiting for their turn.
        self.sent = 0
        self.waited = 0.0
        self._places = (
            threading.BoundedSemaphore(self.max_in_flight) if self.max_in_flight else None
        )
        self._session = self._open_session()

    def _open_session(self) -> requests.Session:
        s = self.settings
        session: requests.Session
        if s.cache is not None:
            session = _cache.open_session(
                s.cache / f"{self.name}.sqlite",
                offline=s.offline,
                expire_after=timedelta(days=s.expire_after_days),
            )
        elif s.offline:
            raise ConfigError(
                f"offline: {self.label} can only be asked offline from a cache, and the cache "
                "is off"
            )
        else:
            session = requests.Session()
        # Only requests that reach the network go through the adapter: cache hits do not wait.
        self._mount(session, _Spacing(self._wait_turn, self._places))
        return session

    def _own_headers(self) -> dict[str, str]:
        mailto = self.settings.mailto
        return {"User-Agent": f"{USER_AGENT} (mailto:{mailto})"} if mailto else {}

    def _private(self) -> tuple[str, ...]:
        return tuple(v for v in (self.settings.mailto, self.settings.api_key) if v)

    def __repr__(self) -> str:
        s = self.settings
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, cache={s.cache}, "
            f"offline={s.offline})"
        )

    def _wait_turn(self) -> None:
        """Keep ``min_interval`` between the starts of two requests, across threads (under
        :func:`~refcheck.sources.http.retry.set_testing` the wait is counted, not slept)."""
        with self._lock:
            now = time.monotonic()
            wait = self._next_request - now
            self._next_request = max(now, self._next_request) + self.min_interval
            self.sent += 1
            self.waited += max(0.0, wait)
        if wait > 0 and not is_testing() and self._aborted.wait(wait):
            raise ServiceUnavailable(f"{self.label}: interrupted", reason="interrupted")

    def _json(self, response: requests.Response, what: str) -> Any:
        """The JSON body of a 200 answer."""
        if response.status_code != 200:
            raise self._unexpected(response, what)
        return self._body(response, what)
