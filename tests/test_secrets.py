"""The Crossref Plus token: sent to Crossref's host only, and never shown or stored anywhere.

Each test runs a real client against the stand-in(s) on 127.0.0.1 and looks for the token
where it must not be: another host's request log, repr, error messages, log records at DEBUG,
the cache file's bytes and a record file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from seed import MANUSCRIPT, seed_records

from refcheck.cli import cli
from refcheck.errors import ConfigError
from refcheck.sources.crossref import PLUS_TOKEN_HEADER, CrossrefClient, CrossrefSettings
from refcheck.testing import CrossrefStandIn, serve_crossref

pytestmark = pytest.mark.usefixtures("no_retry_wait")

TOKEN = "s3cr3t-plus-token-0123456789abcdef"
DOI = seed_records()[0]["DOI"]


@pytest.fixture
def crossref() -> Iterator[CrossrefStandIn]:
    with serve_crossref(seed_records()) as server:
        yield server


@pytest.fixture
def elsewhere() -> Iterator[CrossrefStandIn]:
    """Another host: same records, another port."""
    with serve_crossref(seed_records()) as server:
        yield server


def client(server: CrossrefStandIn, **changes: Any) -> CrossrefClient:
    values: dict[str, Any] = {"base_url": server.base_url, "cache": None, "plus_token": TOKEN}
    values.update(changes)
    return CrossrefClient(CrossrefSettings(**values))


def tokens_sent(server: CrossrefStandIn) -> list[str | None]:
    return [r.headers.get(PLUS_TOKEN_HEADER) for r in server.requests]


def test_token_is_sent_to_the_configured_host(crossref: CrossrefStandIn) -> None:
    """Every request to base_url carries ``Crossref-Plus-API-Token: Bearer <token>``."""
    with client(crossref) as c:
        c.get_work(DOI)
        c.search("Mehta cytokine storm")
    assert [f"Bearer {TOKEN}"] * 2 == tokens_sent(crossref)


def test_token_is_not_sent_on_a_redirect_to_another_host(
    crossref: CrossrefStandIn, elsewhere: CrossrefStandIn
) -> None:
    """A redirect to another host is followed without the token (requests would keep it)."""
    crossref.redirect_next(1, location=elsewhere.base_url + "{path}")
    with client(crossref) as c:
        work = c.get_work(DOI)
    assert (DOI, [f"Bearer {TOKEN}"], [None]) == (
        work.doi if work else None,
        tokens_sent(crossref),
        tokens_sent(elsewhere),
    )


def test_token_is_kept_on_a_redirect_within_the_host(crossref: CrossrefStandIn) -> None:
    """A redirect to the same scheme, host and port keeps the token."""
    crossref.redirect_next(1, location=crossref.base_url + "{path}")
    with client(crossref) as c:
        c.get_work(DOI)
    assert [f"Bearer {TOKEN}"] * 2 == tokens_sent(crossref)


def test_token_is_not_sent_to_another_port_of_the_same_host(
    crossref: CrossrefStandIn, elsewhere: CrossrefStandIn
) -> None:
    """Same host name, another port: another origin, no token."""
    crossref.redirect_next(1, location=elsewhere.base_url + "{path}")
    with client(crossref) as c:
        c.get_work(DOI)
    assert "127.0.0.1" in elsewhere.base_url and [None] == tokens_sent(elsewhere)


def test_token_is_not_in_repr(crossref: CrossrefStandIn) -> None:
    """Neither the settings' nor the client's repr shows the token."""
    settings = CrossrefSettings(cache=None, plus_token=TOKEN)
    with client(crossref) as c:
        shown = repr(settings) + repr(c) + str(settings)
    assert TOKEN not in shown


def test_token_comes_from_the_environment() -> None:
    """REFCHECK_CROSSREF_PLUS_TOKEN sets the token; a "Bearer " prefix is accepted."""
    settings = CrossrefSettings.from_env({"REFCHECK_CROSSREF_PLUS_TOKEN": f"Bearer {TOKEN}"})
    assert TOKEN == settings.plus_token


def test_bad_token_error_does_not_show_it() -> None:
    """A token with a line break (header injection) is refused without echoing it."""
    bad = TOKEN + "\r\nX-Evil: 1"
    with pytest.raises(ConfigError) as info:
        CrossrefSettings.from_env({"REFCHECK_CROSSREF_PLUS_TOKEN": bad})
    assert ("REFCHECK_CROSSREF_PLUS_TOKEN" in str(info.value), TOKEN in str(info.value)) == (
        True,
        False,
    )


def test_token_is_not_logged_even_at_debug(
    crossref: CrossrefStandIn, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """Every log record of a run with retries, a redirect and a cache, at DEBUG: no token."""
    crossref.fail_next(2, status=503)
    crossref.redirect_next(1, location=crossref.base_url + "{path}")
    with caplog.at_level(logging.DEBUG), client(crossref, cache=tmp_path / "c.sqlite") as c:
        c.get_work(DOI)
        c.search("Mehta cytokine storm")
    text = "\n".join(r.getMessage() + repr(r.args) for r in caplog.records)
    assert (True, False) == (len(caplog.records) > 0, TOKEN in text)


def test_token_is_not_stored_in_the_cache(crossref: CrossrefStandIn, tmp_path: Path) -> None:
    """The cache file (and its journal files) never holds the token's bytes."""
    with client(crossref, cache=tmp_path / "c.sqlite") as c:
        c.get_work(DOI)
        c.search("Mehta cytokine storm")
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert (True, False) == (DOI.encode() in data, TOKEN.encode() in data)


def test_token_is_not_in_record_files(crossref: CrossrefStandIn, tmp_path: Path) -> None:
    """A record file of real exchanges holds the answers, not the token."""
    record = tmp_path / "exchanges.jsonl"
    with client(crossref, record=record) as c:
        c.get_work(DOI)
    data = record.read_text(encoding="utf-8")
    assert (True, False) == (DOI in data, TOKEN in data)


def test_token_is_not_printed_by_the_command(
    crossref: CrossrefStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole check from the command line, with failures: the token is in no output."""
    monkeypatch.setenv("REFCHECK_CROSSREF_PLUS_TOKEN", TOKEN)
    crossref.fail_next(6, status=503)
    result = CliRunner().invoke(
        cli,
        [
            "check",
            str(MANUSCRIPT),
            "--base-url",
            crossref.base_url,
            "--no-cache",
            "-v",
            "--format",
            "json",
        ],
    )
    sent = tokens_sent(crossref)
    assert (True, False) == (sent.count(f"Bearer {TOKEN}") == len(sent), TOKEN in result.output)
