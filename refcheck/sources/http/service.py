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

import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Protocol, TypeVar
from urllib.parse import urljoin, urlsplit

import attrs
import requests

from refcheck._version import __version__
from refcheck.errors import ConfigError, ServiceResponseError, ServiceUnavailable
from refcheck.sources.http import cache as _cache
from refcheck.sources.http.breaker import CircuitBreaker
from refcheck.sources.http.retry import RetryPolicy, is_testing

__all__ = ["Closing", "ServiceClient", "SessionOwner", "SourceSettings", "check_base_url", "origin"]

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

    Subclasses set ``base_url``, ``timeout`` and ``retry``, and may add the query parameters
    that identify the user (:meth:`_identity`) and the headers meant for one origin only
    (:meth:`_secret_headers`).
    """

    _session: requests.Session
    base_url: str
    timeout: float
    retry: RetryPolicy

    def close(self) -> None:
        """Release the session's connections and the cache file."""
        self._session.close()

    def _identity(self) -> dict[str, str]:
        """Query parameters that identify the user to the service (mailto, api_key...)."""
        return {}

    def _secret_headers(self, url: str) -> dict[str, str]:
        """Headers for a request to ``url`` that only the service's own origin may see."""
        return {}

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
            return self.retry.send(attempt, url=url)
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

    def _follow(self, url: str, query: Mapping[str, str]) -> requests.Response:
        """One GET of ``url``, following up to five redirects.

        Following them by hand keeps every hop under the explicit timeout and lets the client
        decide, hop by hop, what goes where: only http(s) targets are followed, the query
        (with the user's e-mail and key) is sent only with the first request, and secret
        headers only to their own origin (requests strips ``Authorization`` on a redirect to
        another host, but not custom headers such as Crossref's).
        """
        response = self._session.get(
            url,
            params=query,
            timeout=self.timeout,
            allow_redirects=False,
            headers=self._secret_headers(url),
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
            response.close()
            response = self._session.get(
                target,
                timeout=self.timeout,
                allow_redirects=False,
                headers=self._secret_headers(target),
            )
        if response.status_code in _REDIRECTS:
            raise ServiceResponseError(
                f"{url}: more than {_MAX_REDIRECTS} redirects (the last to "
                f"{response.headers.get('Location', '')[:100]!r})"
            )
        return response

    @staticmethod
    def _unexpected(response: requests.Response, what: str) -> ServiceResponseError:
        """The error for an answer that is not the HTTP 200 the caller expected."""
        detail = response.text[:200].strip()
        return ServiceResponseError(
            f"{what}: expected HTTP 200, got HTTP {response.status_code}"
            + (f": {detail}" if detail else ""),
            reason=f"HTTP {response.status_code}",
        )

    @staticmethod
    def _convert(what: str, convert: Callable[[Any], _Work], records: Iterable[Any]) -> list[_Work]:
        """Each record through the service's converter; one it refuses fails with ``what``."""
        try:
            return [convert(record) for record in records]
        except ServiceResponseError as exc:
            raise ServiceResponseError(f"{what}: {exc}") from exc

    @staticmethod
    def _body(response: requests.Response, what: str) -> Any:
        """The JSON body of an answer, whatever its shape."""
        try:
            return response.json()
        except (ValueError, requests.exceptions.JSONDecodeError) as exc:
            raise ServiceResponseError(
                f"{what}: expected a JSON answer, found {response.headers.get('Content-Type')!r} "
                f"starting {response.text[:60]!r}",
                reason="an answer that is not JSON",
            ) from exc


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


class _Spacing(requests.adapters.HTTPAdapter):
    """A transport adapter that waits for its turn before each request it sends, and, when
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
        spacing = _Spacing(self._wait_turn, self._places)
        session.mount("http://", spacing)
        session.mount("https://", spacing)
        agent = f"refcheck/{__version__}"
        session.headers["User-Agent"] = f"{agent} (mailto:{s.mailto})" if s.mailto else agent
        session.headers["Accept"] = "application/json"
        return session

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
        if wait > 0 and not is_testing():
            time.sleep(wait)

    def _json(self, response: requests.Response, what: str) -> Any:
        """The JSON body of a 200 answer."""
        if response.status_code != 200:
            raise self._unexpected(response, what)
        return self._body(response, what)
