"""The answer cache: what is kept, what is not, offline mode, and a damaged file."""

# House style (STYLE.md) writes `assert expected == actual`; ruff's SIM300 calls that Yoda.

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses

from refcheck.errors import CacheError, NotCached, ServiceUnavailable
from refcheck.sources.crossref import CrossrefClient, CrossrefSettings
from refcheck.sources.http.cache import default_cache_path, open_session
from refcheck.sources.http.retry import RetryPolicy

pytestmark = pytest.mark.usefixtures("no_retry_wait")

BASE = "https://api.crossref.org"
DOI = "10.1000/xyz123"
URL = BASE + "/works/" + DOI
BODY = {"status": "ok", "message-type": "work", "message": {"DOI": DOI, "title": ["A work"]}}


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def client(cache: Path, **changes: Any) -> CrossrefClient:
    return CrossrefClient(CrossrefSettings(cache=cache), **changes)


def test_cache_hit_makes_no_second_request(rsps: responses.RequestsMock, tmp_path: Path) -> None:
    """The same lookup twice reaches the network once and gives the same work."""
    rsps.get(URL, json=BODY)
    with client(tmp_path / "c.sqlite") as crossref:
        first, second = crossref.get_work(DOI), crossref.get_work(DOI)
    assert (first, 1) == (second, len(rsps.calls))


def test_cache_survives_the_client(rsps: responses.RequestsMock, tmp_path: Path) -> None:
    """A new client on the same file answers from it."""
    rsps.get(URL, json=BODY)
    with client(tmp_path / "c.sqlite") as crossref:
        crossref.get_work(DOI)
    with client(tmp_path / "c.sqlite") as crossref:
        crossref.get_work(DOI)
    assert 1 == len(rsps.calls)


def test_404_is_cached(rsps: responses.RequestsMock, tmp_path: Path) -> None:
    """'No such DOI' is an answer worth keeping too."""
    rsps.get(URL, body="Resource not found.", status=404, content_type="text/plain")
    with client(tmp_path / "c.sqlite") as crossref:
        crossref.get_work(DOI)
        assert (None, 1) == (crossref.get_work(DOI), len(rsps.calls))


def test_5xx_is_not_cached(rsps: responses.RequestsMock, tmp_path: Path) -> None:
    """A failure is asked again next time, not served from the cache."""
    rsps.get(URL, status=503)
    with client(tmp_path / "c.sqlite", retry=RetryPolicy.never()) as crossref:
        for _ in range(2):
            with pytest.raises(ServiceUnavailable):
                crossref.get_work(DOI)
    assert 2 == len(rsps.calls)


def test_offline_with_empty_cache_raises_not_cached(
    rsps: responses.RequestsMock, tmp_path: Path
) -> None:
    """Offline, a lookup the cache lacks raises NotCached and sends nothing."""
    with client(tmp_path / "c.sqlite", offline=True) as crossref, pytest.raises(NotCached):
        crossref.get_work(DOI)
    assert 0 == len(rsps.calls)


def test_offline_answers_from_a_filled_cache(rsps: responses.RequestsMock, tmp_path: Path) -> None:
    """What was fetched online is there offline."""
    rsps.get(URL, json=BODY)
    with client(tmp_path / "c.sqlite") as crossref:
        online = crossref.get_work(DOI)
    with client(tmp_path / "c.sqlite", offline=True) as crossref:
        assert online == crossref.get_work(DOI)


def test_mailto_is_not_part_of_the_cache_key(rsps: responses.RequestsMock, tmp_path: Path) -> None:
    """An answer fetched with one address is a cache hit for another address."""
    rsps.get(URL, json=BODY)
    with client(tmp_path / "c.sqlite", mailto="one@example.org") as crossref:
        crossref.get_work(DOI)
    with client(tmp_path / "c.sqlite", mailto="two@example.org") as crossref:
        crossref.get_work(DOI)
    assert 1 == len(rsps.calls)


def test_mailto_is_not_stored(rsps: responses.RequestsMock, tmp_path: Path) -> None:
    """Neither the mailto parameter nor the User-Agent's address reaches the cache file."""
    rsps.get(URL, json=BODY)
    path = tmp_path / "c.sqlite"
    with client(path, mailto="private.person@example.org") as crossref:
        crossref.get_work(DOI)
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert (False, True) == (b"private.person" in data, DOI.encode() in data)


def test_garbage_cache_file_is_refused_and_left_alone(
    rsps: responses.RequestsMock, tmp_path: Path
) -> None:
    """A file that is not an SQLite database is not refcheck's: CacheError naming it, and the
    file keeps its bytes and its name (it was once moved aside to ``.corrupt``)."""
    path = tmp_path / "c.sqlite"
    garbage = b"\x00garbage, not a database\xff" * 200
    path.write_bytes(garbage)
    with pytest.raises(CacheError) as info:
        client(path)
    assert (True, garbage, ["c.sqlite"]) == (
        "not an SQLite database" in str(info.value),
        path.read_bytes(),
        sorted(p.name for p in tmp_path.iterdir()),
    )


def test_truncated_cache_file_is_rebuilt(rsps: responses.RequestsMock, tmp_path: Path) -> None:
    """A cache cut short (half its bytes) is found at open and replaced."""
    path = tmp_path / "c.sqlite"
    for n in range(40):
        rsps.get(f"{URL}{n}", json=dict(BODY, message={"DOI": f"{DOI}{n}", "title": ["x" * 500]}))
    with client(path) as crossref:
        for n in range(40):
            crossref.get_work(f"{DOI}{n}")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with client(path) as crossref:
        crossref.get_work(f"{DOI}0")
    assert 41 == len(rsps.calls)


def test_unopenable_cache_is_a_cache_error(tmp_path: Path) -> None:
    """A cache path under a regular file cannot be created: CacheError naming the path."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(CacheError) as info:
        open_session(blocker / "c.sqlite")
    assert str(blocker / "c.sqlite") in str(info.value)


def test_database_errors_in_use_are_cache_errors(tmp_path: Path) -> None:
    """A cache whose table vanished raises CacheError, not sqlite3.Error."""
    path = tmp_path / "c.sqlite"
    session = open_session(path, offline=True)
    with sqlite3.connect(path) as db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
            db.execute(f"DROP TABLE {name}")
    with pytest.raises(CacheError):
        session.get(URL, timeout=1)
    session.close()


def test_default_cache_path_is_under_xdg_cache_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """On Linux the cache lives in $XDG_CACHE_HOME/refcheck/crossref.sqlite."""
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert tmp_path / "refcheck" / "crossref.sqlite" == default_cache_path()


def test_refcheck_cache_overrides_the_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """REFCHECK_CACHE sets the cache file."""
    monkeypatch.setenv("REFCHECK_CACHE", str(tmp_path / "elsewhere.sqlite"))
    assert tmp_path / "elsewhere.sqlite" == CrossrefSettings.from_env().cache
