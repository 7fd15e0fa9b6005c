"""Crossref through habanero: an alternative transport (``--transport habanero``).

::

    from refcheck.sources.habanero import HabaneroSource

    with HabaneroSource(CrossrefSettings(mailto="you@example.org")) as crossref:
        work = crossref.get_work("10.1016/S2665-9913(20)30096-5")

Needs the optional extra: ``pip install 'scholarly-refcheck[habanero]'``. It is a
:class:`~refcheck.sources.resolve.WorkSource` built on ``habanero.Crossref(base_url=..., mailto=...,
ua_string=...)``, and converts habanero's answers with the same
:func:`~refcheck.sources.crossref.work_from_crossref` as the default transport.

habanero makes its own HTTP calls (with its own HTTP library), so it cannot share refcheck's
session, and with it the things refcheck puts on that session:

* no cache: every run asks Crossref again (the ``cache`` setting is ignored);
* no offline mode and no replay files (a :class:`~refcheck.errors.ConfigError`);
* no :class:`~refcheck.sources.http.retry.RetryPolicy`: a 429 or 5xx is not retried, it makes the
reference
  "not checked" at once;
* the timeout is habanero's, set from the ``timeout`` setting.

It has the same circuit breaker as every client (:mod:`refcheck.sources.http.breaker`): three
failures to connect in a row before Crossref has answered, and every later call fails at once.

Errors are translated where they enter: HTTP 404 on a DOI is "no such work" (``None``);
429, 5xx and network errors are :class:`~refcheck.errors.ServiceUnavailable`; other
answers habanero rejects are :class:`~refcheck.errors.ServiceResponseError`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from refcheck._version import __version__, install_hint
from refcheck.errors import ConfigError, ServiceResponseError, ServiceUnavailable
from refcheck.model import Work
from refcheck.sources.crossref import SEARCH_FIELDS, CrossrefSettings, work_from_crossref
from refcheck.sources.http.breaker import CircuitBreaker, failure_words
from refcheck.sources.http.retry import RETRY_STATUSES
from refcheck.sources.http.service import Closing

__all__ = ["HabaneroSource"]

_T = TypeVar("_T")


class HabaneroSource(Closing):
    """A Crossref :class:`~refcheck.sources.resolve.WorkSource` whose HTTP is habanero's."""

    #: The source name a :class:`~refcheck.model.Match` carries.
    name = "crossref"

    def __init__(self, settings: CrossrefSettings | None = None, **changes: Any) -> None:
        settings = settings if settings is not None else CrossrefSettings()
        self.settings = attrs.evolve(settings, **changes) if changes else settings
        if self.settings.offline or self.settings.replay is not None:
            raise ConfigError(
                "transport habanero: habanero makes its own HTTP calls, so it cannot answer "
                "offline or from a replay file; use the default transport"
            )
        try:
            import habanero
            import httpx2
        except ImportError as exc:
            raise ConfigError(
                f"transport habanero: habanero is not installed; {install_hint('habanero')}"
            ) from exc
        self._httpx = httpx2
        self._request_error: type[Exception] = habanero.RequestError
        self._breaker = CircuitBreaker("Crossref", self.settings.base_url)
        self._crossref = habanero.Crossref(
            base_url=self.settings.base_url,
            mailto=self.settings.mailto,
            ua_string=f"refcheck/{__version__}",
            timeout=self.settings.timeout,
        )

    def close(self) -> None:
        """Nothing to release: habanero opens a connection per request."""

    def __repr__(self) -> str:
        return f"HabaneroSource(base_url={self.settings.base_url!r})"

    @property
    def breaker(self) -> CircuitBreaker:
        """The same circuit breaker as every client's
        (:class:`~refcheck.sources.http.breaker.CircuitBreaker`). habanero does not retry, so
        it trips after three failures to connect in a row before Crossref has answered."""
        return self._breaker

    def _call(self, what: str, call: Callable[[], _T], *, none_on_404: bool = False) -> _T | None:
        """Run a habanero call, translating its errors into refcheck's."""
        self._breaker.check(what)
        try:
            result = call()
        except self._request_error as exc:
            self._breaker.answered()
            status = int(getattr(exc, "status_code", 0) or 0)
            if none_on_404 and status == 404:
                return None
            if status in RETRY_STATUSES:
                raise ServiceUnavailable(
                    f"{what}: HTTP {status} (habanero: {exc})", reason=f"HTTP {status}"
                ) from exc
            raise ServiceResponseError(
                f"{what}: HTTP {status} (habanero: {exc})", reason=f"HTTP {status}"
            ) from exc
        except self._httpx.HTTPStatusError as exc:
            self._breaker.answered()
            status = exc.response.status_code
            if none_on_404 and status == 404:
                return None
            if status in RETRY_STATUSES:
                raise ServiceUnavailable(f"{what}: HTTP {status}", reason=f"HTTP {status}") from exc
            raise ServiceResponseError(
                f"{what}: expected HTTP 200, got HTTP {status}", reason=f"HTTP {status}"
            ) from exc
        except self._httpx.HTTPError as exc:
            self._breaker.failed(exc)
            self._breaker.check(what, exc)
            raise ServiceUnavailable(
                f"{what}: {type(exc).__name__}: {exc}", reason=failure_words(exc)
            ) from exc
        except RuntimeError as exc:  # habanero wraps network errors of searches in RuntimeError
            if isinstance(exc.__cause__, self._httpx.HTTPError):
                self._breaker.failed(exc)
                self._breaker.check(what, exc)
                raise ServiceUnavailable(f"{what}: {exc}", reason=failure_words(exc)) from exc
            raise
        self._breaker.answered()
        return result

    @staticmethod
    def _message(body: Any, expect: str, what: str) -> dict[str, Any]:
        if not isinstance(body, dict) or body.get("message-type") != expect:
            kind = body.get("message-type") if isinstance(body, dict) else type(body).__name__
            raise ServiceResponseError(f"{what}: expected message-type {expect!r}, found {kind!r}")
        message = body.get("message")
        if not isinstance(message, dict):
            raise ServiceResponseError(f"{what}: expected a 'message' object")
        return message

    def get_work(self, doi: str) -> Work | None:
        """The work Crossref has for ``doi``, or ``None`` when Crossref has no such DOI."""
        bare = doi.strip()
        if not bare:
            raise ValueError(f"get_work: expected a DOI, found {doi!r}")
        what = f"Crossref work {bare} (habanero, {self.settings.base_url})"
        body = self._call(what, lambda: self._crossref.works(ids=bare), none_on_404=True)
        if body is None:
            return None
        return work_from_crossref(self._message(body, "work", what))

    def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
        """The works Crossref ranks highest for a citation text (``query.bibliographic``)."""
        text = " ".join(query.split())
        if not text:
            return ()
        what = f"Crossref search {text[:60]!r} (habanero, {self.settings.base_url})"
        body = self._call(
            what,
            lambda: self._crossref.works(
                query_bibliographic=text, limit=rows, select=list(SEARCH_FIELDS)
            ),
        )
        items = self._message(body, "work-list", what).get("items")
        if not isinstance(items, list):
            raise ServiceResponseError(f"{what}: expected a list of 'items'")
        return tuple(work_from_crossref(item) for item in items[:rows])
