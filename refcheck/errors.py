"""Exceptions raised by refcheck.

Every exception refcheck raises on purpose derives from :class:`RefcheckError`, and, where one
fits, from the matching builtin as well, so callers may catch either::

    RefcheckError
    ├── ParseError(ValueError)            a citation or a manuscript could not be read
    ├── ConfigError(ValueError)           a setting has a value refcheck cannot use
    ├── ExportError(ValueError)           a report or BibTeX could not be written out
    ├── ServiceError                      a bibliographic service could not answer
    │   ├── ServiceUnavailable(ConnectionError)   network error, timeout, 5xx, 429 after retries
    │   │   └── ServiceUnreachable                the service cannot be reached at all: the
    │   │                                         run stops asking it (a circuit breaker)
    │   ├── ServiceResponseError(ValueError)      an answer that is not what the API documents
    │   └── NotCached(LookupError)                offline mode and the cache lacks the answer
    ├── CacheError(OSError)               the cache cannot be opened or rebuilt
    ├── SnapshotError(OSError)            a snapshot or a local index cannot be read or written
    ├── ExtraMissingError(ImportError)    an optional part needs its extra (pip install ...)
    └── ModelMissingError(FileNotFoundError)  the citation model is not installed

A :class:`ServiceError` says everything in ``str(error)`` (the URL, the last error), for logs,
``-v`` and the JSON report, and why in a few words in ``error.reason`` ("HTTP 503 after 5
attempts", "connection refused"), for people.

Unresolved, ambiguous and mismatched references are *not* errors: they are values in the
result of a check. Errors are for the cases where refcheck could not do its job.

Outside the tree, because it is no error but the user's wish: :class:`CheckInterrupted`, a
``KeyboardInterrupt`` that carries the report of what was checked before Ctrl-C.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CacheError",
    "CheckInterrupted",
    "ConfigError",
    "ExportError",
    "ExtraMissingError",
    "ModelMissingError",
    "NotCached",
    "ParseError",
    "RefcheckError",
    "ServiceError",
    "ServiceResponseError",
    "ServiceUnavailable",
    "ServiceUnreachable",
    "SnapshotError",
]


class RefcheckError(Exception):
    """Base class of every error refcheck raises on purpose."""


class ParseError(RefcheckError, ValueError):
    """A citation or a manuscript could not be read."""


class ConfigError(RefcheckError, ValueError):
    """A setting has a value refcheck cannot use."""


class ExportError(RefcheckError, ValueError):
    """A report or references could not be written out (BibTeX, ``-o``): a missing directory,
    a full disk, a file that refcheck reads."""


class ServiceError(RefcheckError):
    """A bibliographic service could not answer a request.

    ``reason`` is why, in a few words for people ("HTTP 503 after 5 attempts"), or ``None``;
    ``str(error)`` has the whole detail.
    """

    def __init__(self, *args: object, reason: str | None = None) -> None:
        super().__init__(*args)
        self.reason = reason


class ServiceUnavailable(ServiceError, ConnectionError):
    """The service could not be reached, timed out, or kept failing after retries."""


class ServiceUnreachable(ServiceUnavailable):
    """The service cannot be reached at all (connection refused, host name not found): after
    a few such failures the client stops asking it, and every request fails at once with this
    error (see :class:`refcheck.sources.http.breaker.CircuitBreaker`)."""


class ServiceResponseError(ServiceError, ValueError):
    """The service answered with something its API does not document (bad JSON, odd status)."""


class NotCached(ServiceError, LookupError):
    """Offline mode was asked for an answer the cache does not hold."""


class CacheError(RefcheckError, OSError):
    """The cache database cannot be opened, even after rebuilding it."""


class SnapshotError(RefcheckError, OSError):
    """A Crossref snapshot or a local index cannot be read or written."""


class ExtraMissingError(RefcheckError, ImportError):
    """An optional part of refcheck needs a package its extra installs; the message says how."""


class ModelMissingError(RefcheckError, FileNotFoundError):
    """The citation segmenter's model file is not where the package installs it."""


class CheckInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a check: queued lookups were cancelled, those in flight cut short, and
    ``report`` (a :class:`~refcheck.model.Report`) holds every reference, those not checked
    marked "not checked" (interrupted); ``reached`` is how many distinct references were
    resolved before. A ``KeyboardInterrupt``: code that does not know about it stops as it
    would on Ctrl-C."""

    def __init__(self, report: Any, reached: int = 0) -> None:
        super().__init__("interrupted")
        self.report = report
        self.reached = reached
