"""The on-disk cache of answers from bibliographic services: the only module touching its database.

:func:`open_session` returns a ``requests.Session`` backed by a requests-cache SQLite file:

* answers ``200`` and ``404`` to ``GET`` are kept for ``expire_after`` (30 days by default);
  a 404 is an answer too ("Crossref has no such DOI") and is as worth keeping;
* the ``mailto`` parameter and the headers that identify the user (``User-Agent``, which
  carries the mailto, ``Authorization`` and the Crossref Plus token) are neither part of the
  cache key nor stored in the file;
* in offline mode only the cache answers, and a miss raises
  :class:`~refcheck.errors.NotCached`;
* a corrupt or truncated file is found when it is opened, moved aside to ``<name>.corrupt``
  with a logged warning, and rebuilt empty; :class:`~refcheck.errors.CacheError` if even that
  fails. So is a cache whose tables have the wrong columns (a damaged or foreign cache). An
  SQLite database that holds other tables and none of the cache's is somebody else's file:
  refcheck refuses it with ``CacheError`` rather than move it. Database errors while in use are
  raised as ``CacheError`` too;
* the file is bounded: expired answers are deleted when it is opened, and once it holds more
  than ``max_entries`` answers the oldest are deleted as new ones come in.

The default location is :func:`default_cache_path`. The session is safe to share between the
threads of a small pool: requests-cache serialises writes to the SQLite file with a lock and
opens it with ``check_same_thread=False``.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
import requests_cache
from requests_cache.backends.sqlite import SQLiteCache

from refcheck.errors import CacheError, ConfigError, NotCached

__all__ = [
    "DEFAULT_EXPIRY",
    "DEFAULT_MAX_ENTRIES",
    "IGNORED_PARAMETERS",
    "cached_answer",
    "default_cache_path",
    "open_session",
]

log = logging.getLogger(__name__)

#: How long a cached answer is used before it is asked for again.
DEFAULT_EXPIRY = timedelta(days=30)

#: Query parameters and headers left out of cache keys and redacted from stored requests.
IGNORED_PARAMETERS = (
    "mailto",
    "email",
    "User-Agent",
    "Authorization",
    "Crossref-Plus-API-Token",
    "X-API-Key",
    "api_key",
    "access_token",
    "token",
)

#: How many answers the cache keeps at most (about 5-20 kB each for Crossref works).
DEFAULT_MAX_ENTRIES = 50_000

_CACHED_STATUSES = (200, 404)
#: The tables requests-cache's SQLite backend makes, and the columns each must have.
_TABLES = {"responses": {"key", "value", "expires"}, "redirects": {"key", "value", "expires"}}


def default_cache_path() -> Path:
    """The platform's user cache directory joined with ``refcheck/crossref.sqlite``.

    ``$XDG_CACHE_HOME`` (else ``~/.cache``) on Linux and other Unixes, ``~/Library/Caches`` on
    macOS, ``%LOCALAPPDATA%`` on Windows. The ``REFCHECK_CACHE`` setting is read by
    :meth:`refcheck.sources.crossref.CrossrefSettings.from_env`, not here.
    """
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "refcheck" / "crossref.sqlite"


class _BoundedCache(SQLiteCache):
    """requests-cache's SQLite cache that keeps at most ``max_entries`` answers, the newest."""

    def __init__(self, path: Path, *, max_entries: int | None, **kwargs: Any) -> None:
        super().__init__(str(path), **kwargs)
        self.max_entries = max_entries

    def save_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        super().save_response(response, *args, **kwargs)
        self.trim()

    def trim(self) -> int:
        """Delete the answers that expire first beyond ``max_entries``; how many went."""
        if self.max_entries is None:
            return 0
        with self.responses.connection(commit=True) as db:
            (count,) = db.execute("SELECT COUNT(*) FROM responses").fetchone()
            excess = int(count) - self.max_entries
            if excess > 0:
                db.execute(
                    "DELETE FROM responses WHERE key IN"
                    " (SELECT key FROM responses ORDER BY expires, rowid LIMIT ?)",
                    (excess,),
                )
        return max(0, excess)


class _Session(requests_cache.CachedSession):
    """A ``CachedSession`` that raises refcheck's errors instead of returning 504s."""

    def __init__(self, path: Path, *, offline: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.refcheck_offline = offline
        self.refcheck_path = path

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        try:
            response: requests.Response = super().send(request, **kwargs)
        except sqlite3.Error as exc:
            raise CacheError(
                f"cache {self.refcheck_path}: database error while looking up "
                f"{_redacted(request.url)}: {exc}"
            ) from exc
        if self.refcheck_offline and response.status_code == 504:
            raise NotCached(
                f"offline, and the cache {self.refcheck_path} has no answer for "
                f"{_redacted(request.url)}",
                reason="offline, and not in the cache",
            )
        return response


def cached_answer(
    session: requests.Session, url: str, params: Mapping[str, str]
) -> requests.Response | None:
    """The cached answer to a GET of ``url`` with ``params``, without touching the network;
    ``None`` when the session has no cache or the cache has no (fresh) answer. For a client
    whose service cannot be reached: what is cached is still answered."""
    if not isinstance(session, requests_cache.CachedSession):
        return None
    response = session.get(url, params=params, only_if_cached=True, allow_redirects=False)
    if response.status_code == 504 and not getattr(response, "from_cache", False):
        return None
    return response


def _redacted(url: str | None) -> str:
    """``url`` without its ``mailto`` parameter, for messages."""
    from requests_cache.cache_keys import filter_url

    return str(filter_url(url or "", IGNORED_PARAMETERS))


def _check(path: Path) -> None:
    """Raise ``sqlite3.DatabaseError`` unless ``path`` is a readable, intact SQLite file whose
    cache tables, if any, have the cache's columns; :class:`CacheError` if it is an SQLite
    database of something else (other tables, none of the cache's)."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = connection.execute("PRAGMA quick_check").fetchall()
        if rows != [("ok",)]:
            raise sqlite3.DatabaseError("; ".join(str(r[0]) for r in rows[:3]))
        tables = {
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        if tables and not tables & set(_TABLES):
            raise CacheError(
                f"cache {path}: expected a refcheck cache, found an SQLite database with the "
                f"tables {sorted(tables)[:5]}; refusing to use it (choose another cache file)"
            )
        for table in tables & set(_TABLES):
            columns = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
            if not _TABLES[table] <= columns:
                raise sqlite3.DatabaseError(
                    f"table {table} has the columns {sorted(columns)}, "
                    f"expected {sorted(_TABLES[table])}"
                )
    finally:
        connection.close()


def _move_aside(path: Path, reason: BaseException) -> None:
    aside = path.with_name(path.name + ".corrupt")
    log.warning(
        "cache %s is corrupt (%s); moved it to %s and starting an empty cache",
        path,
        reason,
        aside,
    )
    os.replace(path, aside)
    for suffix in ("-wal", "-shm", "-journal"):
        leftover = path.with_name(path.name + suffix)
        if leftover.exists():
            leftover.unlink()


def open_session(
    path: Path | str,
    *,
    offline: bool = False,
    expire_after: timedelta = DEFAULT_EXPIRY,
    max_entries: int | None = DEFAULT_MAX_ENTRIES,
) -> requests.Session:
    """A session whose ``GET`` answers are cached in the SQLite file at ``path``.

    Creates the parent directories. Checks an existing file first and rebuilds it if it is
    corrupt (see the module docs), then deletes its expired answers and trims it to
    ``max_entries`` answers (``None``: no bound). With ``offline=True`` nothing goes to the
    network: a request the cache cannot answer raises :class:`~refcheck.errors.NotCached`.
    Raises :class:`~refcheck.errors.CacheError` when the file cannot be created or opened.
    """
    path = Path(path).expanduser()
    if max_entries is not None and max_entries < 1:
        raise ConfigError(f"cache max_entries: expected a number >= 1, found {max_entries!r}")
    kwargs: dict[str, Any] = {
        "expire_after": expire_after,
        "allowable_codes": _CACHED_STATUSES,
        "allowable_methods": ("GET", "HEAD"),
        "ignored_parameters": IGNORED_PARAMETERS,
        "match_headers": False,
        "stale_if_error": False,
        "only_if_cached": offline,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            try:
                _check(path)
            except sqlite3.DatabaseError as exc:
                _move_aside(path, exc)
        backend = _BoundedCache(path, max_entries=max_entries)
        session = _Session(path, offline=offline, backend=backend, **kwargs)
        # Touch the table now, so that an unusable file fails here and not mid-check.
        session.cache.responses.keys()
        if not offline:
            backend.delete(expired=True, vacuum=False)
            backend.trim()
        len(session.cache.responses)
    except CacheError:
        raise
    except (OSError, sqlite3.Error) as exc:
        raise CacheError(f"cannot open the cache {path}: {exc}") from exc
    return session
