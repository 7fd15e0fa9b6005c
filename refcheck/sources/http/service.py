"""What the clients of the second sources (PubMed, OpenAlex, DataCite) share: settings and
the HTTP edge (session with cache, User-Agent, rate limit, timeout, retry policy).

Each client lives in its own module with its own converter (:mod:`refcheck.sources.pubmed`,
:mod:`refcheck.sources.openalex`, :mod:`refcheck.sources.datacite`); this module holds no service's
keys. Each service has its own cache file, next to Crossref's (``pubmed.sqlite``...), through
:func:`refcheck.sources.http.cache.open_session`, so that one service's answers never shadow
another's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import attrs
import requests

from refcheck._version import __version__
from refcheck.errors import ConfigError, ServiceResponseError
from refcheck.sources.crossref import CrossrefSettings, SessionOwner
from refcheck.sources.crossref import _base_url as _crossref_base_url
from refcheck.sources.http import cache as _cache
from refcheck.sources.http.retry import RetryPolicy

__all__ = ["ServiceClient", "SourceSettings"]

_Client = TypeVar("_Client", bound="ServiceClient")


def _base_url(value: str | None) -> str | None:
    """An http(s) URL without its trailing slash, checked as Crossref's base URL is."""
    return None if value is None else _crossref_base_url(value)


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value > 0:
        raise ConfigError(f"{attribute.name}: expected a number of seconds > 0, found {value!r}")


def _optional_path(value: Path | str | None) -> Path | None:
    return None if value is None else Path(value).expanduser()


def _optional_text(value: str | None) -> str | None:
    return (value or "").strip() or None


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
    def from_crossref(cls, settings: CrossrefSettings, **overrides: Any) -> SourceSettings:
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
    """A transport adapter that waits for its turn before each request it sends."""

    def __init__(self, wait_turn: Callable[[], None]) -> None:
        super().__init__()
        self._wait_turn = wait_turn

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self._wait_turn()
        return super().send(request, **kwargs)


class ServiceClient(SessionOwner):
    """The HTTP edge of one second source; subclasses set ``name`` and ``default_base_url``
    and define ``get_work`` and ``search`` with their own converters."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    default_base_url: ClassVar[str] = ""
    default_min_interval: ClassVar[float] = 0.1

    def __init__(self, settings: SourceSettings | None = None, **changes: Any) -> None:
        settings = settings if settings is not None else SourceSettings()
        self.settings: SourceSettings = attrs.evolve(settings, **changes) if changes else settings
        self.base_url: str = self.settings.base_url or self.default_base_url
        self.min_interval: float = (
            self.settings.min_interval
            if self.settings.min_interval is not None
            else self.default_min_interval
        )
        self._lock = threading.Lock()
        self._next_request = 0.0
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
        spacing = _Spacing(self._wait_turn)
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

    def _identity(self) -> dict[str, str]:
        """Query parameters that identify the user to the service (mailto, api_key...)."""
        return {}

    def _wait_turn(self) -> None:
        """Keep ``min_interval`` between the starts of two requests, across threads."""
        with self._lock:
            now = time.monotonic()
            wait = self._next_request - now
            self._next_request = max(now, self._next_request) + self.min_interval
        if wait > 0:
            time.sleep(wait)

    def _get(self, path: str, params: Mapping[str, str]) -> requests.Response:
        """GET ``base_url + path`` under the retry policy; the final answer, whatever its status."""
        url = self.base_url + path
        query = {**params, **self._identity()}

        def attempt() -> requests.Response:
            return self._session.get(url, params=query, timeout=self.settings.timeout)

        try:
            return self.settings.retry.send(attempt, url=url)
        except requests.RequestException as exc:
            # What retrying cannot help (too many redirects, a bad URL, a body that does not
            # decode) is this service's failure for this reference, not the whole check's.
            raise ServiceResponseError(f"{url}: {type(exc).__name__}: {exc}") from exc

    def _json(self, response: requests.Response, what: str) -> Any:
        """The JSON body of a 200 answer."""
        if response.status_code != 200:
            detail = response.text[:200].strip()
            raise ServiceResponseError(
                f"{what}: expected HTTP 200, got HTTP {response.status_code}"
                + (f": {detail}" if detail else "")
            )
        try:
            return response.json()
        except (ValueError, requests.exceptions.JSONDecodeError) as exc:
            raise ServiceResponseError(
                f"{what}: expected a JSON answer, found {response.headers.get('Content-Type')!r} "
                f"starting {response.text[:60]!r}"
            ) from exc
