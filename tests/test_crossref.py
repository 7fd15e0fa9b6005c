"""The Crossref client: requests sent, answers translated, retries, settings, the converter.

HTTP is mocked with ``responses``; a few tests at the end run against the stand-in server of
``refcheck.testing``. Nothing here touches the internet, and nothing sleeps (``no_retry_wait``).
"""

# House style (STYLE.md) writes `assert expected == actual`; ruff's SIM300 calls that Yoda.

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests
import responses
from hypothesis import given
from hypothesis import strategies as st

from refcheck._version import __version__
from refcheck.errors import ConfigError, NotCached, ServiceResponseError, ServiceUnavailable
from refcheck.model import Author, Update, Work
from refcheck.sources.crossref import (
    SEARCH_FIELDS,
    CrossrefClient,
    CrossrefSettings,
    doi_path,
    work_from_crossref,
)
from refcheck.sources.http.retry import RetryEvent, RetryPolicy, parse_retry_after
from refcheck.testing import CrossrefStandIn

pytestmark = pytest.mark.usefixtures("no_retry_wait")

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED_WORKS = SHARED / "seed" / "works.jsonl"
GENUINE_WORKS = SHARED / "data" / "crossref" / "works.jsonl.gz"
RAW_EXCHANGES = SHARED / "data" / "crossref" / "raw"

BASE = "https://api.crossref.org"
DOI = "10.1016/S2665-9913(20)30096-5"
URL = BASE + "/works/10.1016/S2665-9913%2820%2930096-5"

RECORD: dict[str, Any] = {
    "DOI": DOI,
    "type": "journal-article",
    "title": ["Silencing the cytokine storm"],
    "container-title": ["The Lancet Rheumatology"],
    "short-container-title": ["Lancet Rheumatol"],
    "author": [{"given": "Puja", "family": "Mehta", "sequence": "first"}],
    "volume": "2",
    "issue": "6",
    "page": "e358-e367",
    "published-print": {"date-parts": [[2020, 6]]},
    "published-online": {"date-parts": [[2020, 5, 4]]},
    "issued": {"date-parts": [[2020, 5, 4]]},
}


def envelope(message: Any, kind: str = "work") -> dict[str, Any]:
    return {"status": "ok", "message-type": kind, "message-version": "1.0.0", "message": message}


def client(**changes: Any) -> CrossrefClient:
    """A client with no cache, tiny budget-friendly retries, and the given changes."""
    return CrossrefClient(CrossrefSettings(cache=None), **changes)


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


# --- answers ------------------------------------------------------------------------------


def test_get_work_converts_the_message(rsps: responses.RequestsMock) -> None:
    """A 200 answer becomes the Work of its message."""
    rsps.get(URL, json=envelope(RECORD))
    with client() as crossref:
        actual = crossref.get_work(DOI)
    assert work_from_crossref(RECORD) == actual


def test_get_work_returns_none_for_404(rsps: responses.RequestsMock) -> None:
    """Crossref's 404 (text/plain "Resource not found.") means no such DOI: None."""
    rsps.get(
        BASE + "/works/10.1371/notarealdoi",
        body="Resource not found.",
        status=404,
        content_type="text/plain",
    )
    with client() as crossref:
        assert None is crossref.get_work("10.1371/notarealdoi")


def test_bad_json_raises_service_response_error(rsps: responses.RequestsMock) -> None:
    """A 200 answer that is not JSON is a ServiceResponseError naming the DOI."""
    rsps.get(URL, body="<html>oops</html>", content_type="text/html")
    with client() as crossref, pytest.raises(ServiceResponseError) as info:
        crossref.get_work(DOI)
    assert DOI in str(info.value)


def test_wrong_message_type_raises_service_response_error(rsps: responses.RequestsMock) -> None:
    """JSON of the wrong shape (a work-list where a work was expected) is refused."""
    rsps.get(URL, json=envelope({"items": []}, kind="work-list"))
    with client() as crossref, pytest.raises(ServiceResponseError) as info:
        crossref.get_work(DOI)
    assert "message-type 'work'" in str(info.value)


def test_400_raises_service_response_error_with_crossref_message(
    rsps: responses.RequestsMock,
) -> None:
    """A 400 is not retried and its body is quoted in the error."""
    body = {
        "status": "failed",
        "message-type": "validation-failure",
        "message": [{"type": "parameter-not-allowed", "message": "no query here"}],
    }
    rsps.get(URL, json=body, status=400)
    with client() as crossref, pytest.raises(ServiceResponseError) as info:
        crossref.get_work(DOI)
    assert (True, 1) == ("HTTP 400" in str(info.value), len(rsps.calls))


def test_recorded_404_exchange_gives_none(rsps: responses.RequestsMock) -> None:
    """The genuine recorded 404 of Crossref (headers and body as recorded) gives None."""
    path = RAW_EXCHANGES / "work_unknown_doi_404.json"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    recorded = json.loads(path.read_text())["response"]
    headers = {
        k: v[0]
        for k, v in recorded["headers"].items()
        if k not in ("transfer-encoding", "content-type", "connection")
    }
    rsps.get(
        BASE + "/works/10.1371/notarealdoi",
        body=recorded["body"],
        status=404,
        content_type="text/plain",
        headers=headers,
    )
    with client() as crossref:
        assert None is crossref.get_work("10.1371/notarealdoi")


def test_recorded_200_exchange_gives_the_work(rsps: responses.RequestsMock) -> None:
    """The genuine recorded answer for 10.1371/journal.pone.0033693 converts."""
    path = RAW_EXCHANGES / "work_single_doi_200.json"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    recorded = json.loads(path.read_text())["response"]
    rsps.get(BASE + "/works/10.1371/journal.pone.0033693", json=recorded["body"])
    with client() as crossref:
        work = crossref.get_work("10.1371/journal.pone.0033693")
    assert "10.1371/journal.pone.0033693" == (work.doi if work else None)


# --- what is sent -------------------------------------------------------------------------


def test_user_agent_and_mailto_are_sent(rsps: responses.RequestsMock) -> None:
    """With a mailto, the User-Agent names refcheck's version and the address, and so does the
    mailto parameter."""
    rsps.get(URL, json=envelope(RECORD))
    with client(mailto="someone@example.org") as crossref:
        crossref.get_work(DOI)
    request = rsps.calls[0].request
    expected = (f"refcheck/{__version__} (mailto:someone@example.org)", ["someone@example.org"])
    assert expected == (
        request.headers["User-Agent"],
        parse_qs(urlsplit(request.url).query).get("mailto"),
    )


def test_no_mailto_sends_a_bare_user_agent(rsps: responses.RequestsMock) -> None:
    """Without an address there is no mailto parameter and no mailto in the User-Agent."""
    rsps.get(URL, json=envelope(RECORD))
    with client() as crossref:
        crossref.get_work(DOI)
    request = rsps.calls[0].request
    assert (f"refcheck/{__version__}", "") == (
        request.headers["User-Agent"],
        urlsplit(request.url).query,
    )


def test_every_request_has_an_explicit_timeout(rsps: responses.RequestsMock) -> None:
    """The configured timeout is passed to requests."""
    rsps.get(URL, json=envelope(RECORD))
    with client(timeout=7.5) as crossref:
        crossref.get_work(DOI)
    assert 7.5 == rsps.calls[0].request.req_kwargs["timeout"]


def test_custom_base_url_is_used(rsps: responses.RequestsMock) -> None:
    """A base URL with a path prefix is where requests go."""
    rsps.get("http://mirror.example/crossref/works/10.1000/x", json=envelope({"DOI": "10.1000/x"}))
    with client(base_url="http://mirror.example/crossref/") as crossref:
        assert "10.1000/x" == crossref.get_work("10.1000/x").doi  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "doi",
    [
        "10.1000/../../members",
        "10.1000/a?rows=1000",
        "10.1000/a#frag",
        "10.1000/a b",
        "10.1000/..",
        "10.1002/(SICI)1097-4636(199707)36:1<1::AID-JBM1>3.0.CO;2-T",
        "10.1000/%2E%2E/x",
    ],
)
def test_doi_is_encoded_and_stays_under_works(rsps: responses.RequestsMock, doi: str) -> None:
    """Whatever characters the DOI has, the request path is /works/ + the DOI, nothing else."""
    seen: list[str] = []

    def callback(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        seen.append(request.url or "")
        return 404, {"Content-Type": "text/plain"}, "Resource not found."

    rsps.add_callback(
        responses.GET, re.compile(r"https://api\.crossref\.org/.*"), callback=callback
    )
    with client() as crossref:
        crossref.get_work(doi)
    parts = urlsplit(seen[0])
    assert ("/works/", doi, "") == (parts.path[:7], unquote(parts.path[7:]), parts.query)


@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1))
def test_any_doi_path_stays_under_works_once_prepared(doi: str) -> None:
    """For any text, the URL requests sends has path /works/ + that text, and no query (a
    bare dot segment, which no URL can carry, is refused)."""
    if doi in {".", ".."}:
        with pytest.raises(ValueError, match="dot segment"):
            doi_path(doi)
        return
    prepared = requests.Request("GET", BASE + doi_path(doi)).prepare()
    parts = urlsplit(prepared.url)
    assert ("/works/", doi, "", "") == (
        parts.path[:7],
        unquote(parts.path[7:]),
        parts.query,
        parts.fragment,
    )


@pytest.mark.parametrize("given", ["https://doi.org/10.1000/x", "doi:10.1000/x", " 10.1000/x "])
def test_doi_prefixes_are_removed(rsps: responses.RequestsMock, given: str) -> None:
    """A DOI given as a doi.org URL or with "doi:" is looked up bare."""
    rsps.get(BASE + "/works/10.1000/x", body="Resource not found.", status=404)
    with client() as crossref:
        crossref.get_work(given)
    assert BASE + doi_path("10.1000/x") == rsps.calls[0].request.url


def test_search_sends_query_rows_and_select(rsps: responses.RequestsMock) -> None:
    """search() asks query.bibliographic with rows and the converter's select list."""
    rsps.get(BASE + "/works", json=envelope({"items": [], "total-results": 0}, "work-list"))
    with client() as crossref:
        crossref.search("Mehta  Silencing the cytokine storm", rows=3)
    query = parse_qs(urlsplit(rsps.calls[0].request.url).query)
    expected = {
        "query.bibliographic": ["Mehta Silencing the cytokine storm"],
        "rows": ["3"],
        "select": [",".join(SEARCH_FIELDS)],
    }
    assert expected == query


def test_select_names_every_field_the_brief_requires() -> None:
    """The select list has every field the converter reads."""
    required = {
        "DOI",
        "title",
        "subtitle",
        "author",
        "container-title",
        "short-container-title",
        "issued",
        "published-print",
        "published-online",
        "volume",
        "issue",
        "page",
        "article-number",
        "type",
        "publisher",
        "ISSN",
        "score",
        "updated-by",
        "update-to",
        "relation",
    }
    assert set() == required - set(SEARCH_FIELDS)


def test_search_returns_works_with_scores_in_order(rsps: responses.RequestsMock) -> None:
    """Items come back as Works, in Crossref's order, with Crossref's score."""
    items = [dict(RECORD, score=80.5), {"DOI": "10.1000/b", "score": 12}]
    rsps.get(BASE + "/works", json=envelope({"items": items, "total-results": 2}, "work-list"))
    with client() as crossref:
        works = crossref.search("cytokine storm")
    assert [(DOI, 80.5), ("10.1000/b", 12.0)] == [(w.doi, w.score) for w in works]


def test_search_items_not_a_list_is_a_service_response_error(
    rsps: responses.RequestsMock,
) -> None:
    """A work-list without a list of items is refused."""
    rsps.get(BASE + "/works", json=envelope({"items": None}, "work-list"))
    with client() as crossref, pytest.raises(ServiceResponseError):
        crossref.search("cytokine storm")


def test_blank_search_asks_nothing(rsps: responses.RequestsMock) -> None:
    """A blank query finds nothing without a request."""
    with client() as crossref:
        assert ((), 0) == (crossref.search("   "), len(rsps.calls))


# --- retries ------------------------------------------------------------------------------


def test_429_then_200_succeeds(rsps: responses.RequestsMock) -> None:
    """A 429 is retried, and the next 200 is the answer."""
    rsps.get(URL, status=429, body="<html>429</html>", content_type="text/html")
    rsps.get(URL, json=envelope(RECORD))
    with client() as crossref:
        work = crossref.get_work(DOI)
    assert (DOI, 2) == (work.doi if work else None, len(rsps.calls))


def test_retry_after_seconds_is_the_wait(rsps: responses.RequestsMock) -> None:
    """Retry-After: 7 makes the computed wait exactly 7 s (not the backoff)."""
    events: list[RetryEvent] = []
    rsps.get(URL, status=429, headers={"Retry-After": "7"})
    rsps.get(URL, json=envelope(RECORD))
    with client(retry=RetryPolicy(on_retry=events.append)) as crossref:
        crossref.get_work(DOI)
    assert [(1, 7.0, 7.0)] == [(e.attempt, e.wait, e.retry_after) for e in events]


def test_retry_after_http_date_is_parsed() -> None:
    """An HTTP-date Retry-After is the seconds until that date."""
    now = datetime(2015, 10, 21, 7, 27, 30, tzinfo=timezone.utc)
    assert 30.0 == parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=now)


@pytest.mark.parametrize("value", [None, "", "soon", "nan"])
def test_unusable_retry_after_is_ignored(value: str | None) -> None:
    """A missing or unreadable Retry-After leaves the wait to the backoff."""
    assert None is parse_retry_after(value)


def test_retry_after_beyond_the_budget_gives_up_at_once(rsps: responses.RequestsMock) -> None:
    """A Retry-After longer than the budget left is not waited for: ServiceUnavailable, 1 call."""
    rsps.get(URL, status=429, headers={"Retry-After": "3600"})
    with (
        client(retry=RetryPolicy(max_delay=60)) as crossref,
        pytest.raises(ServiceUnavailable) as info,
    ):
        crossref.get_work(DOI)
    assert (1, True) == (len(rsps.calls), "3600" in str(info.value))


def test_5xx_is_retried_then_succeeds(rsps: responses.RequestsMock) -> None:
    """500, 502 and 503 are retried until the 200."""
    for status in (500, 502, 503):
        rsps.get(URL, status=status)
    rsps.get(URL, json=envelope(RECORD))
    with client() as crossref:
        assert DOI == crossref.get_work(DOI).doi  # type: ignore[union-attr]


def test_5xx_forever_raises_after_max_attempts(rsps: responses.RequestsMock) -> None:
    """An endless 503 gives ServiceUnavailable after exactly max_attempts requests."""
    rsps.get(URL, status=503)
    with (
        client(retry=RetryPolicy(max_attempts=4)) as crossref,
        pytest.raises(ServiceUnavailable) as info,
    ):
        crossref.get_work(DOI)
    assert (4, True) == (len(rsps.calls), "HTTP 503" in str(info.value))


def test_timeout_is_retried_then_service_unavailable(rsps: responses.RequestsMock) -> None:
    """Timeouts are retried; when they persist, ServiceUnavailable chained to the timeout."""
    rsps.get(URL, body=requests.ReadTimeout("read timed out"))
    with (
        client(retry=RetryPolicy(max_attempts=3)) as crossref,
        pytest.raises(ServiceUnavailable) as info,
    ):
        crossref.get_work(DOI)
    assert (3, requests.ReadTimeout) == (len(rsps.calls), type(info.value.__cause__))


def test_connection_error_then_success(rsps: responses.RequestsMock) -> None:
    """A refused connection is retried."""
    rsps.get(URL, body=requests.ConnectionError("refused"))
    rsps.get(URL, json=envelope(RECORD))
    with client() as crossref:
        assert DOI == crossref.get_work(DOI).doi  # type: ignore[union-attr]


def test_waits_never_exceed_the_budget(rsps: responses.RequestsMock) -> None:
    """However many attempts are allowed, the waits add up to no more than max_delay."""
    events: list[RetryEvent] = []
    policy = RetryPolicy(
        max_attempts=50, max_delay=5, initial_backoff=1, max_backoff=2, on_retry=events.append
    )
    rsps.get(URL, status=503)
    with client(retry=policy) as crossref, pytest.raises(ServiceUnavailable):
        crossref.get_work(DOI)
    assert True is (sum(e.wait for e in events) <= 5.0 and len(rsps.calls) < 50)


def test_backoff_grows_and_is_capped() -> None:
    """Without jitter, the backoff doubles from initial_backoff up to max_backoff."""
    policy = RetryPolicy(initial_backoff=0.5, max_backoff=3, jitter=0)
    assert [0.5, 1.0, 2.0, 3.0, 3.0] == [policy.backoff(n) for n in range(1, 6)]


# --- settings -----------------------------------------------------------------------------


def test_settings_from_env_reads_every_variable(tmp_path: Path) -> None:
    """Each REFCHECK_* variable sets its field."""
    env = {
        "REFCHECK_BASE_URL": "http://127.0.0.1:9/",
        "REFCHECK_MAILTO": "a@b.org",
        "REFCHECK_TIMEOUT": "3.5",
        "REFCHECK_CACHE": str(tmp_path / "c.sqlite"),
        "REFCHECK_OFFLINE": "yes",
    }
    settings = CrossrefSettings.from_env(env)
    expected = ("http://127.0.0.1:9", "a@b.org", 3.5, tmp_path / "c.sqlite", True)
    assert expected == (
        settings.base_url,
        settings.mailto,
        settings.timeout,
        settings.cache,
        settings.offline,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REFCHECK_TIMEOUT", "soon"),
        ("REFCHECK_TIMEOUT", "-1"),
        ("REFCHECK_OFFLINE", "maybe"),
        ("REFCHECK_BASE_URL", "api.crossref.org"),
        ("REFCHECK_MAILTO", "nobody"),
    ],
)
def test_bad_env_value_is_a_config_error_naming_it(name: str, value: str) -> None:
    """A value refcheck cannot use raises ConfigError naming the variable and the value."""
    with pytest.raises(ConfigError) as info:
        CrossrefSettings.from_env({name: value})
    assert (True, True) == (name in str(info.value), repr(value) in str(info.value))


def test_refcheck_cache_off_disables_the_cache() -> None:
    """REFCHECK_CACHE=off means no cache."""
    assert None is CrossrefSettings.from_env({"REFCHECK_CACHE": "off"}).cache


def test_overrides_win_over_the_environment() -> None:
    """Keyword overrides of from_env beat the variables."""
    settings = CrossrefSettings.from_env({"REFCHECK_TIMEOUT": "3"}, timeout=9)
    assert 9.0 == settings.timeout


def test_offline_without_cache_or_replay_is_a_config_error() -> None:
    """Offline needs somewhere to answer from."""
    with pytest.raises(ConfigError):
        CrossrefClient(CrossrefSettings(cache=None, offline=True))


# --- the converter ------------------------------------------------------------------------


def test_converter_reads_every_field() -> None:
    """Every field the Work has is read from its Crossref key."""
    message = dict(
        RECORD,
        subtitle=["a subtitle"],
        publisher="Elsevier BV",
        ISSN=["2665-9913"],
        score=12.5,
        author=[
            {"given": "Puja", "family": "Mehta"},
            {"name": "The HLH Across Speciality Collaboration"},
            {"sequence": "first"},
        ],
        **{
            "article-number": "e1",
            "updated-by": [
                {
                    "DOI": "10.1016/x",
                    "type": "retraction",
                    "source": "retraction-watch",
                    "updated": {"date-parts": [[2021, 2, 3]]},
                }
            ],
        },
    )
    expected = Work(
        doi=DOI,
        type="journal-article",
        title="Silencing the cytokine storm",
        subtitle="a subtitle",
        container_title="The Lancet Rheumatology",
        short_container_title="Lancet Rheumatol",
        authors=(
            Author("Mehta", "Puja"),
            Author("The HLH Across Speciality Collaboration", organisation=True),
        ),
        issued="2020-05-04",
        published_print="2020-06",
        published_online="2020-05-04",
        volume="2",
        issue="6",
        first_page="e358",
        last_page="e367",
        article_number="e1",
        publisher="Elsevier BV",
        issn=("2665-9913",),
        updates=(Update("retraction", "10.1016/x", "2021-02-03", "retraction-watch"),),
        score=12.5,
    )
    assert expected == work_from_crossref(message)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([[2020]], "2020"),
        ([[2020, 6]], "2020-06"),
        ([[2020, 6, 16]], "2020-06-16"),
        ([[None]], None),
        ([], None),
        ([["2019", "3"]], "2019-03"),
    ],
)
def test_dates_keep_their_precision(parts: list[Any], expected: str | None) -> None:
    """date-parts become ISO dates of the precision they have."""
    assert expected == work_from_crossref({"DOI": "10.1/x", "issued": {"date-parts": parts}}).issued


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("e358-e367", ("e358", "e367")),
        ("992-1000.e3", ("992", "1000.e3")),
        ("e1007887", ("e1007887", None)),
        ("5–17", ("5", "17")),
        ("S1 - S12", ("S1", "S12")),
    ],
)
def test_page_ranges_split(page: str, expected: tuple[str | None, str | None]) -> None:
    """A page range splits at its dash into first and last page."""
    work = work_from_crossref({"DOI": "10.1/x", "page": page})
    assert expected == (work.first_page, work.last_page)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(st.dictionaries(st.sampled_from((*SEARCH_FIELDS, "date-parts")), _JSON))
def test_converter_never_crashes_on_odd_shapes(message: dict[str, Any]) -> None:
    """Whatever shape the fields have, the converter gives a Work or a ServiceResponseError."""
    try:
        work = work_from_crossref(message)
    except ServiceResponseError:
        return
    assert str(message["DOI"]).strip() != "" and isinstance(work, Work)


def test_a_record_without_doi_is_a_service_response_error() -> None:
    """The converter refuses a record it cannot identify."""
    with pytest.raises(ServiceResponseError):
        work_from_crossref({"title": ["x"]})


def test_converter_handles_every_seed_record() -> None:
    """Each seed record converts, keeping its DOI."""
    if not SEED_WORKS.exists():
        pytest.skip(f"{SEED_WORKS} is absent")
    records = [json.loads(line)["record"] for line in SEED_WORKS.read_text().splitlines()]
    assert [r["DOI"] for r in records] == [work_from_crossref(r).doi for r in records]


def test_converter_handles_every_genuine_record() -> None:
    """All 8,502 genuine Crossref records convert without an exception, DOIs kept."""
    if not GENUINE_WORKS.exists():
        pytest.skip(f"{GENUINE_WORKS} is absent")
    with gzip.open(GENUINE_WORKS, "rt", encoding="utf-8") as lines:
        records = [json.loads(line)["record"] for line in lines]
    works = [work_from_crossref(r) for r in records]
    assert (8502, [r["DOI"] for r in records]) == (len(works), [w.doi for w in works])


# --- against the stand-in -----------------------------------------------------------------


def test_client_against_stand_in_looks_up_and_searches(
    crossref_stand_in: CrossrefStandIn, seed_works: list[dict[str, Any]]
) -> None:
    """Lookup and search work end to end over real HTTP."""
    record = seed_works[0]
    with client(base_url=crossref_stand_in.base_url) as crossref:
        work = crossref.get_work(record["DOI"])
        found = crossref.search(record["title"][0], rows=2)
    assert (work, record["DOI"]) == (work_from_crossref(record), found[0].doi)


def test_client_retries_stand_in_failures(
    crossref_stand_in: CrossrefStandIn, seed_works: list[dict[str, Any]]
) -> None:
    """Two 503s and a truncated body from the stand-in are retried to success."""
    crossref_stand_in.fail_next(2, status=503)
    crossref_stand_in.truncate_next(1)
    with client(base_url=crossref_stand_in.base_url) as crossref:
        work = crossref.get_work(seed_works[1]["DOI"])
    statuses = [r.status for r in crossref_stand_in.requests]
    assert (seed_works[1]["DOI"], [503, 503, 200, 200]) == (work.doi if work else None, statuses)


def test_client_is_usable_from_a_thread_pool(
    crossref_stand_in: CrossrefStandIn, seed_works: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Eight threads sharing one cached client get the right work each."""
    dois = [r["DOI"] for r in seed_works] * 3
    with (
        client(base_url=crossref_stand_in.base_url, cache=tmp_path / "c.sqlite") as crossref,
        ThreadPoolExecutor(8) as pool,
    ):
        found = list(pool.map(lambda d: crossref.get_work(d), dois))
    assert dois == [w.doi if w else None for w in found]


def test_recorded_exchanges_replay_without_network(
    crossref_stand_in: CrossrefStandIn, seed_works: list[dict[str, Any]], tmp_path: Path
) -> None:
    """What a client records from the stand-in, another replays with another base URL and
    mailto, without any server."""
    record = tmp_path / "exchanges.jsonl"
    doi, title = seed_works[2]["DOI"], seed_works[2]["title"][0]
    with client(base_url=crossref_stand_in.base_url, mailto="a@b.org", record=record) as live:
        expected = (live.get_work(doi), live.search(title), live.get_work("10.1000/none"))
    with client(base_url="https://api.crossref.org", mailto="c@d.org", replay=record) as again:
        actual = (again.get_work(doi), again.search(title), again.get_work("10.1000/none"))
    assert expected == actual


def test_replay_miss_is_not_cached(tmp_path: Path) -> None:
    """A request the replay file lacks raises NotCached."""
    record = tmp_path / "empty.jsonl"
    record.write_text("")
    with client(replay=record) as crossref, pytest.raises(NotCached):
        crossref.get_work("10.1000/x")


def test_recorded_file_has_no_mailto(
    crossref_stand_in: CrossrefStandIn, seed_works: list[dict[str, Any]], tmp_path: Path
) -> None:
    """The replay file keeps neither the address nor the stand-in's port."""
    record = tmp_path / "exchanges.jsonl"
    with client(base_url=crossref_stand_in.base_url, mailto="secret@b.org", record=record) as c:
        c.get_work(seed_works[0]["DOI"])
    text = record.read_text()
    assert (False, False) == ("secret" in text, crossref_stand_in.base_url in text)


def test_passing_failures_are_not_recorded(
    crossref_stand_in: CrossrefStandIn, seed_works: list[dict[str, Any]], tmp_path: Path
) -> None:
    """A 503 that a retry got past is not in the replay file; the answer is."""
    record = tmp_path / "exchanges.jsonl"
    crossref_stand_in.fail_next(1, status=503)
    with client(base_url=crossref_stand_in.base_url, record=record) as live:
        live.get_work(seed_works[0]["DOI"])
    assert [200] == [json.loads(line)["status"] for line in record.read_text().splitlines()]


def test_converter_strips_title_markup() -> None:
    """JATS/HTML tags and entities in Crossref titles become plain text."""
    work = work_from_crossref(
        {"DOI": "10.1/x", "title": ["Control of <i>L. amazonensis</i> &amp; IL-1<sup>β</sup>"]}
    )
    assert "Control of L. amazonensis & IL-1β" == work.title


@pytest.mark.parametrize("doi", [".", ".."])
def test_dot_segment_doi_is_not_found_without_asking(
    rsps: responses.RequestsMock, doi: str
) -> None:
    """ "." and ".." are no DOIs and have no URL: Crossref has no such work, nothing is sent."""
    with client() as crossref:
        assert crossref.get_work(doi) is None
    assert 0 == len(rsps.calls)
