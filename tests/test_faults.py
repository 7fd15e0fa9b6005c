"""Network faults against the Crossref stand-in: refcheck loses no reference and never loops.

Each test injects one kind of fault (429 storms, 5xx, resets, timeouts, slow or truncated
bodies, HTML and non-JSON answers, redirects) and checks the whole data flow on the seed
manuscript: every reference gets a result (checked, or "not checked" with the reason), nothing
crashes, and no request is retried beyond its :class:`~refcheck.sources.http.retry.RetryPolicy` (attempts
and the time budget, measured on the policy's virtual clock through ``on_retry`` events).
Retries do not sleep (``set_testing``); timeouts and latencies are a few tens of milliseconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from seed import MANUSCRIPT, seed_citation, seed_records

from refcheck.check import check_text
from refcheck.cli import EXIT_UNCHECKED, cli
from refcheck.model import ReferenceStatus, Report
from refcheck.sources.crossref import CrossrefClient, CrossrefSettings
from refcheck.sources.http.retry import RetryEvent, RetryPolicy
from refcheck.testing import CrossrefStandIn, serve_crossref

pytestmark = pytest.mark.usefixtures("no_retry_wait")

TEXT = MANUSCRIPT.read_text(encoding="utf-8")
#: Three references of the seed, for the faults that cost real time (timeouts, slow bodies).
SMALL = "References\n\n" + "\n".join(
    f"{n}. {seed_citation(label)}" for n, label in enumerate(("A1", "B3", "C2"), 1)
)
MAX_ATTEMPTS = 3
BUDGET = 8.0


@pytest.fixture(scope="module")
def server() -> Iterator[CrossrefStandIn]:
    with serve_crossref(seed_records()) as stand_in:
        yield stand_in


@pytest.fixture
def crossref(server: CrossrefStandIn) -> Iterator[CrossrefStandIn]:
    """The module's stand-in with an empty fault queue and an empty log."""
    server.clear_log()
    yield server
    server._failures.clear()
    server._truncate = 0
    server.latency = 0.0


class Run:
    """One check of a manuscript against the stand-in, with the retry events it caused."""

    def __init__(self, base_url: str, text: str = TEXT, **settings: Any) -> None:
        self.events: list[RetryEvent] = []
        policy = RetryPolicy(
            max_attempts=MAX_ATTEMPTS, max_delay=BUDGET, on_retry=self.events.append
        )
        values: dict[str, Any] = {"base_url": base_url, "cache": None, "retry": policy}
        values.update(settings)
        with CrossrefClient(CrossrefSettings(**values)) as client:
            self.report: Report = check_text(text, source=client, concurrency=1)

    def outcomes(self) -> list[tuple[str, ReferenceStatus, str | None]]:
        return [(r.citation.label, r.status, r.match.doi) for r in self.report.references]

    def reasons(self) -> list[str]:
        """The whole error of each unchecked reference (its ``reason`` is a few words)."""
        return [
            r.match.detail or ""
            for r in self.report.references
            if r.status is ReferenceStatus.UNCHECKED
        ]


def calls(events: list[RetryEvent]) -> list[list[RetryEvent]]:
    """The retry events of each call (sequential runs: a call's events count up from 1)."""
    grouped: list[list[RetryEvent]] = []
    for event in events:
        if event.attempt == 1 or not grouped:
            grouped.append([])
        grouped[-1].append(event)
    return grouped


def requests_per_url(server: CrossrefStandIn) -> Counter[str]:
    return Counter(r.path + repr(sorted(r.params.items())) for r in server.requests)


def assert_within_budget(run: Run) -> None:
    """No call retried more than the policy allows, in attempts or in (virtual) waiting."""
    for events in calls(run.events):
        assert [e.attempt for e in events] == list(range(1, len(events) + 1))
        assert len(events) <= MAX_ATTEMPTS - 1
        assert sum(e.wait for e in events) <= BUDGET


def assert_every_reference_has_a_result(run: Run, citations: int) -> None:
    """As many results as citations; each unchecked one says why."""
    assert citations == len(run.report.references)
    assert all(reason.strip() for reason in run.reasons())


@pytest.fixture(scope="module")
def baseline(server: CrossrefStandIn) -> list[tuple[str, ReferenceStatus, str | None]]:
    """The outcome of every reference with no fault at all."""
    return Run(server.base_url).outcomes()


@pytest.fixture(scope="module")
def small_baseline(server: CrossrefStandIn) -> list[tuple[str, ReferenceStatus, str | None]]:
    return Run(server.base_url, SMALL).outcomes()


def test_baseline_checks_every_reference(
    baseline: list[tuple[str, ReferenceStatus, str | None]],
) -> None:
    """Without faults, all 15 seed references are checked (the yardstick of the tests below)."""
    assert (15, 0) == (
        len(baseline),
        sum(1 for _, status, _ in baseline if status is ReferenceStatus.UNCHECKED),
    )


# --- outages: nothing can be checked, every reference says why, no call over budget ---------

STORMS = [
    pytest.param({"status": 429}, "HTTP 429", id="429-storm"),
    pytest.param({"status": 429, "retry_after": "1"}, "HTTP 429", id="429-storm-retry-after-1s"),
    pytest.param({"status": 500}, "HTTP 500", id="500"),
    pytest.param({"status": 502}, "HTTP 502", id="502"),
    pytest.param({"status": 503}, "HTTP 503", id="503"),
    pytest.param({"status": 504}, "HTTP 504", id="504"),
]


@pytest.mark.parametrize(("fault", "reason"), STORMS)
def test_storm_leaves_every_reference_unchecked_with_the_reason(
    crossref: CrossrefStandIn, fault: dict[str, Any], reason: str
) -> None:
    """A service failing every request: 15 references, each "not checked" naming the status."""
    crossref.fail_next(10_000, **fault)
    run = Run(crossref.base_url)
    assert_every_reference_has_a_result(run, 15)
    assert [True] * 15 == [reason in text for text in run.reasons()]


@pytest.mark.parametrize(("fault", "reason"), STORMS)
def test_storm_never_retries_beyond_the_policy(
    crossref: CrossrefStandIn, fault: dict[str, Any], reason: str
) -> None:
    """Under a storm, each call makes at most max_attempts requests and waits within budget.

    Requests are counted per URL against a run without faults (where each URL is asked once
    per call): the storm may multiply them by max_attempts, no more.
    """
    Run(crossref.base_url)
    clean = requests_per_url(crossref)
    crossref.clear_log()
    crossref.fail_next(10_000, **fault)
    run = Run(crossref.base_url)
    assert_within_budget(run)
    stormy = requests_per_url(crossref)
    assert [] == [url for url, n in stormy.items() if n > clean[url] * MAX_ATTEMPTS]


def test_retry_after_beyond_the_budget_gives_up_at_once(crossref: CrossrefStandIn) -> None:
    """429 with Retry-After: 3600 (more than the 8 s budget): one request per call, no wait."""
    crossref.fail_next(10_000, status=429, retry_after="3600")
    run = Run(crossref.base_url)
    assert ([], 15) == (run.events, len(crossref.requests))
    assert all("budget" in reason for reason in run.reasons())


def test_connection_resets_leave_every_reference_unchecked(crossref: CrossrefStandIn) -> None:
    """Every connection reset: each reference is "not checked" with a connection error."""
    crossref.reset_next(10_000)
    run = Run(crossref.base_url)
    assert_every_reference_has_a_result(run, 15)
    assert_within_budget(run)
    assert [True] * 15 == ["ConnectionError" in text for text in run.reasons()]


def test_timeouts_leave_every_reference_unchecked(crossref: CrossrefStandIn) -> None:
    """A server slower than the client's timeout: "not checked" with the timeout as reason."""
    crossref.latency = 0.15
    run = Run(crossref.base_url, SMALL, timeout=0.03)
    assert_every_reference_has_a_result(run, 3)
    assert_within_budget(run)
    assert [True] * 3 == ["Timeout" in text for text in run.reasons()]


def test_bodies_slower_than_the_timeout_leave_references_unchecked(
    crossref: CrossrefStandIn,
) -> None:
    """Headers on time, then a body that stalls longer than the timeout: "not checked"."""
    crossref.slow_next(10_000, delay=0.15, pieces=2)
    run = Run(crossref.base_url, SMALL, timeout=0.03)
    assert_every_reference_has_a_result(run, 3)
    assert_within_budget(run)
    assert 3 == len(run.reasons())


def test_truncated_bodies_leave_every_reference_unchecked(crossref: CrossrefStandIn) -> None:
    """Every body cut in half: "not checked", each with a reason, within budget."""
    crossref.truncate_next(10_000)
    run = Run(crossref.base_url)
    assert_every_reference_has_a_result(run, 15)
    assert_within_budget(run)
    assert 15 == len(run.reasons())


BAD_ANSWERS = [
    pytest.param(
        {"body": "<html><body><h1>Service Temporarily Unavailable</h1></body></html>"},
        "expected a JSON answer",
        id="html-page-200",
    ),
    pytest.param(
        {"body": "<html><body>Forbidden</body></html>", "status": 403},
        "HTTP 403",
        id="html-page-403",
    ),
    pytest.param(
        {"body": "not json at all", "content_type": "application/json"},
        "expected a JSON answer",
        id="non-json-200",
    ),
    pytest.param(
        {
            "body": '{"status": "ok", "message-type": "work", "message": []}',
            "content_type": "application/json",
        },
        "expected",
        id="json-of-the-wrong-shape",
    ),
    pytest.param(
        {"body": b"\xff\xfe\x00garbage", "content_type": "application/json"},
        "expected a JSON answer",
        id="binary-garbage",
    ),
    pytest.param({"body": "", "status": 200}, "expected a JSON answer", id="empty-200"),
]


@pytest.mark.parametrize(("answer", "reason"), BAD_ANSWERS)
def test_bad_answers_leave_every_reference_unchecked_with_the_reason(
    crossref: CrossrefStandIn, answer: dict[str, Any], reason: str
) -> None:
    """An answer that is not Crossref's (HTML page, not JSON, wrong shape) is "not checked"."""
    crossref.answer_next(10_000, **answer)
    run = Run(crossref.base_url)
    assert_every_reference_has_a_result(run, 15)
    assert [True] * 15 == [reason in text for text in run.reasons()]


# --- passing faults: retried, and nothing is lost ------------------------------------------

PASSING = [
    pytest.param(lambda s: s.fail_next(2, status=429), id="429"),
    pytest.param(lambda s: s.fail_next(2, status=429, retry_after="2"), id="429-retry-after"),
    pytest.param(lambda s: s.fail_next(1, status=500), id="500"),
    pytest.param(lambda s: s.fail_next(2, status=502), id="502"),
    pytest.param(lambda s: s.fail_next(2, status=503), id="503"),
    pytest.param(lambda s: s.fail_next(2, status=504), id="504"),
    pytest.param(lambda s: s.reset_next(2), id="reset"),
    pytest.param(lambda s: s.truncate_next(2), id="truncated"),
    pytest.param(lambda s: s.slow_next(1, delay=0.15, pieces=2), id="slow-body"),
]


@pytest.mark.parametrize("inject", PASSING)
def test_passing_faults_lose_nothing(
    crossref: CrossrefStandIn,
    small_baseline: list[tuple[str, ReferenceStatus, str | None]],
    inject: Any,
) -> None:
    """A fault that passes within the retry budget gives the same outcome as no fault."""
    inject(crossref)
    run = Run(crossref.base_url, SMALL, timeout=0.08)
    assert small_baseline == run.outcomes()
    assert_within_budget(run)


def test_slow_body_within_the_timeout_is_read_whole(
    crossref: CrossrefStandIn,
    small_baseline: list[tuple[str, ReferenceStatus, str | None]],
) -> None:
    """A body that trickles in, each piece within the timeout, is read whole without retry."""
    crossref.slow_next(10_000, delay=0.01, pieces=3)
    run = Run(crossref.base_url, SMALL, timeout=1.0)
    assert (small_baseline, []) == (run.outcomes(), run.events)


# --- redirects -----------------------------------------------------------------------------


def test_redirect_on_the_same_host_is_followed(
    crossref: CrossrefStandIn,
    small_baseline: list[tuple[str, ReferenceStatus, str | None]],
) -> None:
    """A 301/302 to the same server is followed: the same outcome as without it."""
    crossref.redirect_next(2, location=crossref.base_url + "{path}", status=301)
    run = Run(crossref.base_url, SMALL)
    assert small_baseline == run.outcomes()


def test_redirect_to_another_host_is_followed(
    crossref: CrossrefStandIn,
    small_baseline: list[tuple[str, ReferenceStatus, str | None]],
) -> None:
    """A redirect to another server is followed there (and answered by it)."""
    with serve_crossref(seed_records()) as other:
        crossref.redirect_next(10_000, location=other.base_url + "{path}")
        run = Run(crossref.base_url, SMALL)
        assert (small_baseline, True) == (run.outcomes(), len(other.requests) > 0)


def test_redirect_loop_leaves_references_unchecked(crossref: CrossrefStandIn) -> None:
    """A server that redirects to itself forever: each reference "not checked", no crash."""
    crossref.redirect_next(100_000, location=crossref.base_url + "{path}")
    run = Run(crossref.base_url, SMALL)
    assert_every_reference_has_a_result(run, 3)
    assert [True] * 3 == ["redirect" in text.lower() for text in run.reasons()]


def test_redirect_to_a_closed_port_leaves_references_unchecked(
    crossref: CrossrefStandIn,
) -> None:
    """A redirect to a host that does not answer is a connection error, "not checked"."""
    with serve_crossref([]) as gone:
        dead = gone.base_url
    crossref.redirect_next(10_000, location=dead + "{path}")
    run = Run(crossref.base_url, SMALL)
    assert_every_reference_has_a_result(run, 3)
    assert 3 == len(run.reasons())


def test_redirect_to_another_scheme_leaves_references_unchecked(
    crossref: CrossrefStandIn,
) -> None:
    """A redirect to a non-HTTP URL (``file:``) is refused: "not checked", no crash."""
    crossref.redirect_next(10_000, location="file:///etc/passwd")
    run = Run(crossref.base_url, SMALL)
    assert_every_reference_has_a_result(run, 3)
    assert 3 == len(run.reasons())


# --- the command line ----------------------------------------------------------------------


def test_cli_exits_3_when_nothing_could_be_checked(crossref: CrossrefStandIn) -> None:
    """Crossref failing every request: exit code 3, and the report lists all 15 references."""
    crossref.fail_next(10_000, status=503)
    result = CliRunner().invoke(
        cli,
        [
            "check",
            str(MANUSCRIPT),
            "--base-url",
            crossref.base_url,
            "--no-cache",
            "--format",
            "json",
        ],
    )
    assert EXIT_UNCHECKED == result.exit_code, result.output
    assert 15 == result.stdout.count('"status": "unchecked"')


def test_cli_exits_with_findings_when_some_could_be_checked(crossref: CrossrefStandIn) -> None:
    """A few failed requests among many: the run is not "could not check" (exit code != 3)."""
    crossref.fail_next(20, status=503)
    result = CliRunner().invoke(
        cli, ["check", str(MANUSCRIPT), "--base-url", crossref.base_url, "--no-cache"]
    )
    assert result.exit_code in (0, 1), result.output
