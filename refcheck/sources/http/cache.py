"""The on-disk cache of answers from bibliographic services: the only module touching its database.

:func:`open_session` returns a ``requests.Session`` backed by a requests-cache SQLite file:

* answers ``200`` and ``404`` to ``GET`` are kept for ``expire_after`` (30 days by default);
  a 404 is an answer too ("Crossref has no such DOI") and is as worth keeping;
* the ``mailto`` parameter and the headers that identify the user (``User-Agent``, which
  carries the mailto, ``Authorization`` and the Crossref Plus token) are neither part of the
  cache key nor stored in the file;
* in offline mode only the cache answers, and a miss raises
  :class:`~refcheck.errors.NotCached`;
* answers are kept only once the client has read and validated them (:func:`keep`): a
  truncated body, an HTML page or JSON of the wrong shape answered with ``200`` is never
  served again;
* refcheck never moves, overwrites or deletes a file it did not make. An existing cache path
  must be a regular file: a directory, a device or a FIFO is refused with
  :class:`~refcheck.errors.CacheError`, and so is a file that is not an SQLite database (an
  empty file is used as an empty cache). Only an SQLite file that SQLite itself finds
  corrupt (``SQLITE_CORRUPT``, ``SQLITE_NOTADB``, a failed ``quick_check``) is moved aside to
  ``<name>.corrupt`` (never over an earlier copy), with its journal beside it
  (``<name>.corrupt-journal``), and rebuilt empty with a logged warning. A journal left by a
  killed writer is rolled back by opening the file read-write (every committed answer is
  kept): that is no corruption. A file locked by
  another process, an SQLite database of something else (other tables, or cache tables
  with other columns) and a read-only file in need of recovery are refused with
  ``CacheError`` and left as they are. Database errors while in use are raised as
  ``CacheError`` too;
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
import stat
import sys
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import requests_cache
from requests_cache.backends.sqlite import SQLiteCache

from refcheck.errors import CacheError, ConfigError, NotCached

__all__ = [
    "DEFAULT_EXPIRY",
    "DEFAULT_MAX_ENTRIES",
    "IGNORED_PARAMETERS",
    "LOCK_TIMEOUT",
    "cached_answer",
    "default_cache_path",
    "keep",
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

    def __init__(
        self, path: Path, *, offline: bool, expire_after_value: timedelta, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.refcheck_offline = offline
        self.refcheck_path = path
        self.refcheck_expire_after = expire_after_value

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


def _without_identity(url: str) -> str:
    """``url`` without the query parameters that identify the user (:data:`IGNORED_PARAMETERS`).

    requests-cache replaces their values with ``REDACTED`` but keeps the names, so that a
    request with a ``mailto`` and one without would have two keys.
    """
    parts = urlsplit(url)
    if not parts.query:
        return url
    ignored = {name.lower() for name in IGNORED_PARAMETERS}
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in ignored
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _cache_key(request: requests.PreparedRequest, **kwargs: Any) -> str:
    """requests-cache's key of ``request``, whoever asks: the same with or without a
    ``mailto``, an ``email`` or a key."""
    from requests_cache.cache_keys import create_key

    anonymous = request.copy()
    anonymous.url = _without_identity(request.url or "")
    return str(create_key(anonymous, **kwargs))


def keep(
    session: requests.Session, response: requests.Response, *, asked: str | None = None
) -> None:
    """Store ``response`` in ``session``'s cache, now that the client has read and validated it.

    ``asked`` is the URL the client asked for, when a redirect led elsewhere: the answer is
    kept under that URL's key, so that the next run (offline too) finds it. Does nothing for
    a session without a cache, an answer that came from the cache, or a status that is not
    kept (:data:`_CACHED_STATUSES`). A cache that cannot be written (a full disk) loses the
    answer, not the check: logged, not raised.
    """
    if not isinstance(session, _Session) or getattr(response, "from_cache", False):
        return
    if response.status_code not in _CACHED_STATUSES or response.request is None:
        return
    from requests_cache.policy.expiration import get_expiration_datetime

    request = response.request
    if asked is not None and asked != request.url:
        request = request.copy()
        request.url = asked
    try:
        session.cache.save_response(
            response,
            cache_key=session.cache.create_key(request),
            expires=get_expiration_datetime(session.refcheck_expire_after),
        )
    except (sqlite3.Error, OSError) as exc:
        log.warning("cache %s: could not store an answer (%s)", session.refcheck_path, exc)


#: The first bytes of every SQLite 3 database file.
_SQLITE_HEADER = b"SQLite format 3\x00"
#: How long to wait for another process's lock on the cache before giving up, in seconds.
LOCK_TIMEOUT = 30.0
#: SQLite's primary result codes for a damaged file and for a file that is no database, and
#: the extended code of a read-only connection that would have to roll back a hot journal.
_SQLITE_CORRUPT, _SQLITE_NOTADB, _SQLITE_READONLY_ROLLBACK = 11, 26, 776


class _Corrupt(Exception):
    """SQLite found the file damaged: the one case in which it is moved aside."""


def _is_corruption(exc: sqlite3.Error) -> bool:
    """Whether SQLite says the file is damaged or not a database (not: locked, read-only...)."""
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if isinstance(code, int):
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def _refuse_unless_ours(path: Path) -> bool:
    """Raise :class:`CacheError` unless ``path`` may hold refcheck's cache; whether it exists.

    A missing path is created later; an empty regular file is used as an empty cache; any
    other existing path must be a regular file that starts with SQLite's header.
    """
    try:
        status = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise CacheError(
                f"cache {path} is a symbolic link to a missing file; refusing to create its "
                "target (choose another cache file)"
            ) from None
        return False
    if stat.S_ISDIR(status.st_mode):
        raise CacheError(
            f"cache {path} is a directory; expected a cache file, for example "
            f"{path / 'crossref.sqlite'}"
        )
    if not stat.S_ISREG(status.st_mode):
        raise CacheError(
            f"cache {path} is not a regular file (a device, a FIFO or a socket); "
            "expected a cache file"
        )
    if status.st_size == 0:
        return True
    with path.open("rb") as file:
        head = file.read(len(_SQLITE_HEADER))
    if head != _SQLITE_HEADER:
        raise CacheError(
            f"cache {path} is not an SQLite database (it starts with {head!r}); refcheck "
            "never moves or overwrites a file it did not make: choose another cache file, "
            "or remove this one yourself"
        )
    return True


def _check(path: Path) -> None:
    """Check the SQLite file at ``path``: :class:`_Corrupt` when SQLite finds it damaged,
    :class:`CacheError` for anything else that makes it unusable (locked, read-only in need of
    recovery, somebody else's database, cache tables with other columns).

    The file is first read read-only, which changes nothing. When SQLite needs to roll back a
    journal that a killed writer left (``SQLITE_READONLY_ROLLBACK``: a read-only connection
    cannot tell that from corruption), it is opened read-write, which rolls the journal back
    and keeps every committed answer, and checked again.
    """
    try:
        _probe(path, read_only=True)
    except sqlite3.Error as exc:
        if not _needs_rollback(exc):
            raise _refusal(path, exc) from exc
        try:
            _probe(path, read_only=False)
        except sqlite3.Error as again:
            raise _refusal(path, again) from again


def _needs_rollback(exc: sqlite3.Error) -> bool:
    """Whether a read-only connection failed because a hot journal needs rolling back."""
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if isinstance(code, int):
        return code == _SQLITE_READONLY_ROLLBACK
    return "readonly" in str(exc).lower()


def _refusal(path: Path, exc: sqlite3.Error) -> Exception:
    """The error for an SQLite failure while checking: corruption, a lock, anything else."""
    if _is_corruption(exc):
        return _Corrupt(str(exc))
    if "locked" in str(exc).lower() or "busy" in str(exc).lower():
        return CacheError(
            f"cache {path} is locked by another process (waited {LOCK_TIMEOUT:g} s); try "
            "again when it is done, or choose another cache file"
        )
    return CacheError(f"cannot use the cache {path}: {exc}")


def _probe(path: Path, *, read_only: bool) -> None:
    """Open ``path`` and check its integrity and its tables (see :func:`_check`)."""
    if read_only:
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=LOCK_TIMEOUT
        )
    else:
        connection = sqlite3.connect(path, timeout=LOCK_TIMEOUT)
    try:
        rows = connection.execute("PRAGMA quick_check").fetchall()
        if rows != [("ok",)]:
            raise _Corrupt("; ".join(str(r[0]) for r in rows[:3]))
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
        for table in sorted(tables & set(_TABLES)):
            columns = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
            if not _TABLES[table] <= columns:
                raise CacheError(
                    f"cache {path}: expected a refcheck cache, found a table {table} with the "
                    f"columns {sorted(columns)}; refusing to use it (choose another cache file)"
                )
    finally:
        connection.close()


def _free_name(path: Path, suffix: str) -> Path:
    """``<name><suffix>``, or ``<name><suffix>.1``, ``.2``...: the first that does not exist."""
    candidate = path.with_name(path.name + suffix)
    number = 0
    while os.path.lexists(candidate) or any(
        os.path.lexists(candidate.with_name(candidate.name + s)) for s in _COMPANIONS
    ):
        number += 1
        candidate = path.with_name(f"{path.name}{suffix}.{number}")
    return candidate


#: The files SQLite keeps beside a database: its rollback journal, its write-ahead log and
#: the log's index.
_COMPANIONS = ("-journal", "-wal", "-shm")


def _move_aside(path: Path, reason: BaseException) -> Path:
    """Move a corrupt cache, and the files SQLite keeps beside it, to a free ``.corrupt`` name.

    The journal goes with the file (``x.corrupt`` and ``x.corrupt-journal``), so that SQLite
    can still recover the copy, and so that the new cache does not roll back a stranger's
    journal. Nothing is deleted or overwritten.
    """
    if path.is_symlink():
        raise CacheError(
            f"cache {path} is a symbolic link to a corrupt SQLite file ({reason}); refcheck "
            "moves aside only regular files: repair or remove it yourself"
        )
    aside = _free_name(path, ".corrupt")
    log.warning(
        "cache %s is corrupt (%s); moved it to %s and starting an empty cache",
        path,
        reason,
        aside,
    )
    os.rename(path, aside)
    for suffix in _COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if os.path.lexists(companion):
            os.rename(companion, aside.with_name(aside.name + suffix))
    return aside


def open_session(
    path: Path | str,
    *,
    offline: bool = False,
    expire_after: timedelta = DEFAULT_EXPIRY,
    max_entries: int | None = DEFAULT_MAX_ENTRIES,
) -> requests.Session:
    """A session whose ``GET`` answers are cached in the SQLite file at ``path``.

    Creates the parent directories. Checks an existing file first (see the module docs):
    refuses one that is not refcheck's, rolls back what a killed writer left, moves aside one
    SQLite finds corrupt; then deletes its expired answers and trims it to ``max_entries``
    answers (``None``: no bound). Answers are stored by :func:`keep`, not as they arrive.
    With ``offline=True`` nothing goes to the network: a request the cache cannot answer
    raises :class:`~refcheck.errors.NotCached`. Raises :class:`~refcheck.errors.CacheError`
    when the file cannot be used, created or opened.
    """
    path = Path(path).expanduser()
    if max_entries is not None and max_entries < 1:
        raise ConfigError(f"cache max_entries: expected a number >= 1, found {max_entries!r}")
    kwargs: dict[str, Any] = {
        "expire_after": expire_after,
        "allowable_codes": _CACHED_STATUSES,
        "allowable_methods": ("GET", "HEAD"),
        "ignored_parameters": IGNORED_PARAMETERS,
        "key_fn": _cache_key,
        "match_headers": False,
        "stale_if_error": False,
        "only_if_cached": offline,
        # Nothing is stored as it arrives: the client stores what it validated (keep()).
        "read_only": True,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if _refuse_unless_ours(path):
            try:
                _check(path)
            except _Corrupt as exc:
                _move_aside(path, exc)
        backend = _BoundedCache(path, max_entries=max_entries, timeout=LOCK_TIMEOUT)
        session = _Session(
            path, offline=offline, expire_after_value=expire_after, backend=backend, **kwargs
        )
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
