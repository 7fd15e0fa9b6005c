"""A service that cannot be reached stops the run early, for every source, with one line.

End to end against a real closed port on 127.0.0.1 (a socket bound, then closed: connecting
to its port is refused at once, with no network); the breaker's rules in unit tests.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import responses
from click.testing import CliRunner
from seed import MANUSCRIPT, seed_records

from refcheck.cli import EXIT_UNCHECKED, cli
from refcheck.errors import ServiceUnavailable, ServiceUnreachable
from refcheck.sources.crossref import CrossrefClient, CrossrefSettings
from refcheck.sources.datacite import DataCiteClient
from refcheck.sources.http.breaker import CircuitBreaker, failure_words, is_unreachable
from refcheck.sources.http.retry import RetryEvent, RetryPolicy
from refcheck.sources.http.service import SourceSettings
from refcheck.sources.openalex import OpenAlexClient
from refcheck.sources.pubmed import PubMedClient
from refcheck.testing import serve_crossref


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: connections to it are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _refused(port: int) -> requests.ConnectionError:
    try:
        requests.get(f"http://127.0.0.1:{port}/", timeout=5)
    except requests.ConnectionError as exc:
        return exc
    raise AssertionError("expected the connection to be refused")


# --- what went wrong, in a few words ---------------------------------------------------------


def test_a_refused_connection_is_named_and_unreachable(closed_port: int) -> None:
    """requests' error for a closed port reads "connection refused", a failure to connect."""
    error = _refused(closed_port)
    assert ("connection refused", True) == (failure_words(error), is_unreachable(error))


def _chained(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(
    ("error", "words", "unreachable"),
    [
        (
            _chained(requests.ConnectionError("x"), socket.gaierror(-2, "not known")),
            "host name not found",
            True,
        ),
        (
            _chained(requests.ConnectionError("x"), OSError(101, "unreachable")),
            "network unreachable",
            True,
        ),
        (requests.ConnectTimeout("x"), "connection timed out", True),
        (requests.ReadTimeout("x"), "timed out", False),
        (
            _chained(requests.ConnectionError("x"), ConnectionResetError(104, "reset")),
            "connection reset",
            False,
        ),
        (requests.exceptions.ChunkedEncodingError("x"), "answer cut short", False),
        (requests.ConnectionError("something else"), "connection failed", False),
    ],
    ids=["dns", "network", "connect-timeout", "read-timeout", "reset", "cut-short", "other"],
)
def test_failures_in_a_few_words(error: BaseException, words: str, unreachable: bool) -> None:
    """Each failure is named; only failures to connect at all count as unreachable (a reset
    or a slow answer comes from a server that is there)."""
    assert (words, unreachable) == (failure_words(error), is_unreachable(error))


# --- the breaker's rules ---------------------------------------------------------------------


def test_three_refusals_before_any_answer_trip_it(closed_port: int) -> None:
    """Before the service has answered, the third failure to connect in a row trips it."""
    breaker = CircuitBreaker("Crossref", "http://127.0.0.1:9")
    states = []
    for _ in range(3):
        breaker.failed(_refused(closed_port))
        states.append(breaker.tripped is not None)
    assert [False, False, True] == states


def test_once_it_has_answered_an_outage_must_last_a_whole_request(closed_port: int) -> None:
    """After an answer, refusals in a row do not trip it, until one request gives up after
    all its attempts."""
    breaker = CircuitBreaker("Crossref", "http://127.0.0.1:9")
    breaker.answered()
    for _ in range(5):
        breaker.failed(_refused(closed_port))
    before = breaker.tripped
    breaker.failed(_refused(closed_port), gave_up=True)
    assert (None, True) == (before, breaker.tripped is not None)


def test_other_failures_do_not_count(closed_port: int) -> None:
    """Resets and slow answers never trip it, however many, and do not end a run of
    refusals either: an answer does."""
    breaker = CircuitBreaker("Crossref", "http://127.0.0.1:9")
    reset = _chained(requests.ConnectionError("x"), ConnectionResetError(104, "reset"))
    for _ in range(10):
        breaker.failed(reset, gave_up=True)
        breaker.failed(requests.ReadTimeout("x"), gave_up=True)
    breaker.failed(_refused(closed_port))
    breaker.failed(_refused(closed_port))
    breaker.answered()
    breaker.failed(_refused(closed_port))
    assert breaker.tripped is None


def test_once_tripped_every_request_fails_with_the_reason() -> None:
    """check() raises ServiceUnreachable naming the service, why and where, with the short
    reason for the findings."""
    breaker = CircuitBreaker("PubMed", "http://127.0.0.1:9", first_failures=1)
    breaker.failed(requests.ConnectTimeout("x"))
    with pytest.raises(ServiceUnreachable) as info:
        breaker.check("http://127.0.0.1:9/esearch.fcgi")
    assert (
        "PubMed is unreachable (connection timed out: http://127.0.0.1:9); not asked: "
        "http://127.0.0.1:9/esearch.fcgi",
        "unreachable, connection timed out",
    ) == (str(info.value), info.value.reason)


# --- every client, at a closed port ----------------------------------------------------------


def _clients(port: int, events: list[RetryEvent]) -> list[object]:
    base = f"http://127.0.0.1:{port}"
    policy = RetryPolicy(max_attempts=5, on_retry=events.append)
    second = SourceSettings(base_url=base, cache=None, retry=policy)
    return [
        CrossrefClient(CrossrefSettings(base_url=base, cache=None, retry=policy)),
        PubMedClient(second),
        OpenAlexClient(second),
        DataCiteClient(second),
    ]


@pytest.mark.usefixtures("no_retry_wait")
@pytest.mark.parametrize("index", range(4), ids=["crossref", "pubmed", "openalex", "datacite"])
def test_every_client_stops_after_three_refusals(closed_port: int, index: int) -> None:
    """Each client's first request stops at the third refused attempt (not the fifth) with
    ServiceUnreachable, and the breaker stays tripped for the next ones."""
    events: list[RetryEvent] = []
    client = _clients(closed_port, events)[index]
    with client:  # type: ignore[attr-defined]
        with pytest.raises(ServiceUnreachable) as first:
            client.search("Mehta P. Silencing the cytokine storm. 2020")  # type: ignore[attr-defined]
        with pytest.raises(ServiceUnreachable):
            client.get_work("10.1000/xyz")  # type: ignore[attr-defined]
        label = client.label  # type: ignore[attr-defined]
        tripped = str(client.breaker.tripped)  # type: ignore[attr-defined]
    base = f"http://127.0.0.1:{closed_port}"
    # Two retries: the third attempt tripped it; the second call made none.
    assert (2, True, f"{label} is unreachable (connection refused: {base})") == (
        len(events),
        "ConnectionError" in str(first.value),
        tripped,
    )


@responses.activate
def test_no_request_leaves_once_it_has_tripped() -> None:
    """After the trip, requests fail without reaching the network: 3 attempts in all, for
    three calls."""
    refused = requests.ConnectionError("refused")
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    responses.get("http://crossref.test/works/10.1000/a", body=refused)
    responses.get("http://crossref.test/works/10.1000/b", body=refused)
    client = CrossrefClient(
        CrossrefSettings(
            base_url="http://crossref.test", cache=None, retry=RetryPolicy(initial_backoff=0)
        )
    )
    with client:
        for doi in ("10.1000/a", "10.1000/b", "10.1000/b"):
            with pytest.raises(ServiceUnavailable):
                client.get_work(doi)
    assert 3 == len(responses.calls)


@pytest.mark.usefixtures("no_retry_wait")
def test_the_cache_still_answers_once_it_has_tripped(tmp_path: Path, closed_port: int) -> None:
    """What a first run cached is answered when the service has since become unreachable;
    only the rest is not checked."""
    cache = tmp_path / "cache.sqlite"
    with serve_crossref(seed_records()) as crossref:
        base = crossref.base_url
        with CrossrefClient(CrossrefSettings(base_url=base, cache=cache)) as client:
            work = client.get_work("10.1016/S2665-9913(20)30096-5")
    # The same base URL (the cache is keyed on it), its server now gone: refused.
    closed = CrossrefSettings(base_url=base, cache=cache)
    with CrossrefClient(closed) as client:
        for _ in range(3):
            with pytest.raises(ServiceUnavailable):
                client.search("Mehta P. Silencing the cytokine storm. 2020")
        tripped = client.breaker.tripped is not None
        cached = client.get_work("10.1016/S2665-9913(20)30096-5")
    assert (True, work) == (tripped, cached)


# --- the command line ------------------------------------------------------------------------


def test_check_stops_early_with_one_line_and_exit_3(closed_port: int) -> None:
    """``refcheck check`` with Crossref unreachable (real waits, a real process): exit 3, one
    line on stderr, and each of the 15 references not checked in a few words."""
    base = f"http://127.0.0.1:{closed_port}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "refcheck",
            "check",
            str(MANUSCRIPT),
            "--base-url",
            base,
            "--no-cache",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    not_checked = [line for line in result.stdout.splitlines() if "not-checked" in line]
    assert (
        EXIT_UNCHECKED,
        [
            f"Crossref is unreachable (connection refused: {base}): check the network, or run "
            "with --offline to use the cache"
        ],
        15,
        {"not checked (Crossref: unreachable, connection refused)"},
    ) == (
        result.returncode,
        result.stderr.splitlines(),
        len(not_checked),
        {line.split(": ", 2)[2] for line in not_checked},
    )


@pytest.mark.usefixtures("no_retry_wait")
def test_a_not_checked_line_is_short_and_the_detail_is_for_v(closed_port: int) -> None:
    """The finding's line is a few words; ``-v`` adds the whole error under it, and the JSON
    report has it as ``detail``."""
    base = f"http://127.0.0.1:{closed_port}"
    args = ["check", str(MANUSCRIPT), "--base-url", base, "--no-cache", "--concurrency", "1"]
    plain = CliRunner().invoke(cli, args).stdout.splitlines()
    verbose = CliRunner().invoke(cli, [*args, "-v"]).stdout.splitlines()
    first = next(i for i, line in enumerate(verbose) if "not-checked" in line)
    assert (True, True, True) == (
        max(len(line) for line in plain if "not-checked" in line) < 160,
        verbose[first + 1].startswith(f"    Crossref is unreachable (connection refused: {base})"),
        "Connection refused" in verbose[first + 1],
    )


@pytest.fixture(scope="module")
def crossref_seed() -> Iterator[str]:
    with serve_crossref(seed_records()) as crossref:
        yield crossref.base_url


@pytest.mark.usefixtures("no_retry_wait")
@pytest.mark.parametrize(
    "source", ["pubmed", "openalex", "datacite"], ids=["pubmed", "openalex", "datacite"]
)
def test_an_unreachable_second_source_gets_its_own_line(
    crossref_seed: str, closed_port: int, source: str
) -> None:
    """Crossref answers, the second source of ``--sources`` is unreachable: its line names it,
    the references Crossref resolved keep their findings, and the exit code is 3."""
    labels = {"pubmed": "PubMed", "openalex": "OpenAlex", "datacite": "DataCite"}
    base = f"http://127.0.0.1:{closed_port}"
    result = CliRunner().invoke(
        cli,
        [
            "check",
            str(MANUSCRIPT),
            "--base-url",
            crossref_seed,
            "--no-cache",
            "--sources",
            f"crossref,{source}",
            f"--{source}-base-url",
            base,
        ],
    )
    assert (
        EXIT_UNCHECKED,
        [
            f"{labels[source]} is unreachable (connection refused: {base}): check the network, "
            "or run with --offline to use the cache"
        ],
        True,
    ) == (result.exit_code, result.stderr.splitlines(), "[B3] author-spelling" in result.stdout)


@pytest.mark.usefixtures("no_retry_wait")
def test_the_json_report_lists_the_unreachable_services(closed_port: int) -> None:
    """``--format json`` has ``unreachable`` and each reference's ``detail``."""
    base = f"http://127.0.0.1:{closed_port}"
    result = CliRunner().invoke(
        cli, ["check", str(MANUSCRIPT), "--base-url", base, "--no-cache", "--format", "json"]
    )
    report = json.loads(result.stdout)
    assert (
        [f"Crossref is unreachable (connection refused: {base})"],
        {"unreachable, connection refused"},
        True,
    ) == (
        report["unreachable"],
        {r["reason"] for r in report["references"]},
        all(r["detail"].startswith("Crossref is unreachable") for r in report["references"]),
    )


def test_habanero_has_the_same_breaker(closed_port: int) -> None:
    """``--transport habanero`` (no retries): three refused calls trip it, the fourth fails at
    once, and the CLI says so in its one line."""
    pytest.importorskip("habanero")
    from refcheck.sources.habanero import HabaneroSource

    base = f"http://127.0.0.1:{closed_port}"
    source = HabaneroSource(CrossrefSettings(base_url=base, cache=None))
    states = []
    for _ in range(3):
        with pytest.raises(ServiceUnavailable):
            source.search("Mehta P. Silencing the cytokine storm. 2020")
        states.append(source.breaker.tripped is not None)
    with pytest.raises(ServiceUnreachable) as fourth:
        source.get_work("10.1000/xyz")
    result = CliRunner().invoke(
        cli, ["check", str(MANUSCRIPT), "--base-url", base, "--transport", "habanero"]
    )
    assert ([False, False, True], "unreachable, connection refused", EXIT_UNCHECKED, True) == (
        states,
        fourth.value.reason,
        result.exit_code,
        result.stderr.startswith(f"Crossref is unreachable (connection refused: {base})"),
    )


@pytest.mark.usefixtures("no_retry_wait")
def test_a_host_name_that_does_not_resolve_stops_the_run_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A DNS failure (the resolver answers that the name does not exist; simulated in-process,
    so no query leaves the machine) trips the breaker as a refused connection does."""
    real = socket.getaddrinfo

    def resolve(host: object, *args: object, **kwargs: object) -> object:
        if host == "api.crossref.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    base = "http://api.crossref.invalid"
    result = CliRunner().invoke(cli, ["check", str(MANUSCRIPT), "--base-url", base, "--no-cache"])
    assert (
        EXIT_UNCHECKED,
        f"Crossref is unreachable (host name not found: {base}): check the network, or run "
        "with --offline to use the cache\n",
        15,
    ) == (
        result.exit_code,
        result.stderr,
        result.stdout.count("not checked (Crossref: unreachable, host name not found)"),
    )


@pytest.mark.usefixtures("no_retry_wait")
def test_resolve_says_it_in_one_line_too(closed_port: int) -> None:
    """``refcheck resolve`` with Crossref unreachable: the short reason, the one line, exit 3."""
    base = f"http://127.0.0.1:{closed_port}"
    result = CliRunner().invoke(
        cli, ["resolve", "Mehta P. Silencing the cytokine storm. 2020.", "--base-url", base]
    )
    assert (
        EXIT_UNCHECKED,
        "unchecked: -\nreason: unreachable, connection refused\n",
        f"Crossref is unreachable (connection refused: {base}): check the network, or run "
        "with --offline to use the cache\n",
    ) == (result.exit_code, result.stdout, result.stderr)
