"""Fewer requests than references: DOIs looked up in list requests, and Crossref's separate
limits for single-work and list requests (in the client, the limiter and the stand-in).

Everything runs against the stand-in of ``refcheck.testing`` on 127.0.0.1, with made-up
records, or against a fake clock: nothing here needs the shared data or waits.
"""

# House style (STYLE.md) writes `assert expected == actual`; ruff's SIM300 calls that Yoda.

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from refcheck.check import check_text
from refcheck.model import ReferenceStatus
from refcheck.sources.crossref import CrossrefClient, request_kind, work_from_crossref
from refcheck.sources.http.limits import LIST, SINGLE, Limiter, Limits
from refcheck.sources.http.retry import RetryPolicy
from refcheck.testing import CrossrefStandIn, serve_crossref

pytestmark = pytest.mark.usefixtures("no_retry_wait")

SURNAMES = ["Okafor", "Lindqvist", "Haddad", "Moreau", "Tanaka", "Novak", "Ferreira", "Kowal"]
TOPICS = ["glacier", "enzyme", "lattice", "monsoon", "protein", "galaxy", "soil", "neuron"]


def record(number: int) -> dict[str, Any]:
    """A made-up but complete Crossref work record, distinct for each ``number``."""
    surname = SURNAMES[number % len(SURNAMES)]
    topic = TOPICS[number % len(TOPICS)]
    return {
        "DOI": f"10.5555/Batch.{number:03d}",
        "type": "journal-article",
        "title": [f"Seasonal {topic} dynamics in sample {number} of the northern survey"],
        "author": [{"given": "Ada", "family": surname}, {"given": "Bo", "family": "Lee"}],
        "container-title": ["Journal of Made-up Results"],
        "short-container-title": ["J Made-up Res"],
        "issued": {"date-parts": [[2000 + number % 20, 3]]},
        "volume": str(10 + number),
        "issue": "2",
        "page": f"{100 + number}-{110 + number}",
        "indexed": {"date-time": f"2024-01-{1 + number % 28:02d}T00:00:00Z"},
        "deposited": {"date-time": f"2023-06-{1 + number % 28:02d}T00:00:00Z"},
    }


RECORDS = [record(n) for n in range(120)]


@pytest.fixture
def stand_in() -> Iterator[CrossrefStandIn]:
    with serve_crossref(RECORDS) as server:
        yield server


def client(stand_in: CrossrefStandIn, **changes: Any) -> CrossrefClient:
    return CrossrefClient(base_url=stand_in.base_url, cache=None, **changes)


def citation(rec: dict[str, Any]) -> str:
    """A Vancouver-style citation of ``rec``, with its DOI."""
    first, second = rec["author"]
    year = rec["issued"]["date-parts"][0][0]
    return (
        f"{first['family']} A, {second['family']} B. {rec['title'][0]}. "
        f"{rec['short-container-title'][0]}. {year};{rec['volume']}({rec['issue']}):"
        f"{rec['page']}. doi:{rec['DOI']}"
    )


# --- the client ---------------------------------------------------------------------------


def test_get_works_asks_for_all_the_dois_in_one_list_request(stand_in: CrossrefStandIn) -> None:
    """Ten DOIs are one GET /works with filter=doi:A,doi:B,... and come back by lower-case DOI."""
    dois = [r["DOI"] for r in RECORDS[:10]]
    with client(stand_in) as crossref:
        found = crossref.get_works(dois)
    filters = [r.params["filter"][0].split(",") for r in stand_in.requests]
    expected_filter = sorted(f"doi:{d.lower()}" for d in dois)
    assert ([expected_filter], sorted(d.lower() for d in dois)) == (filters, sorted(found))


def test_get_works_splits_into_batches_of_doi_batch(stand_in: CrossrefStandIn) -> None:
    """120 DOIs at 50 a request are three list requests, every work found."""
    with client(stand_in) as crossref:
        found = crossref.get_works(r["DOI"] for r in RECORDS)
    assert (3, 120) == (len(stand_in.requests), len(found))


def test_prefetched_work_is_the_single_lookups_work(stand_in: CrossrefStandIn) -> None:
    """After prefetch, get_work answers without a request, with the work a lookup gives."""
    doi = RECORDS[5]["DOI"]
    with client(stand_in) as crossref:
        crossref.prefetch([doi, RECORDS[6]["DOI"]])
        before = len(stand_in.requests)
        work = crossref.get_work(doi.upper())
        asked = len(stand_in.requests) - before
    assert (0, work_from_crossref(RECORDS[5])) == (asked, work)


def test_a_prefetched_work_is_given_out_once(stand_in: CrossrefStandIn) -> None:
    """The second get_work of a prefetched DOI asks Crossref: the kept works stay few."""
    doi = RECORDS[7]["DOI"]
    with client(stand_in) as crossref:
        crossref.prefetch([doi, RECORDS[8]["DOI"]])
        crossref.get_work(doi)
        crossref.get_work(doi)
    assert ["/works", f"/works/{doi}"] == [r.path for r in stand_in.requests]


def test_a_doi_the_batch_did_not_return_is_asked_alone(stand_in: CrossrefStandIn) -> None:
    """An unknown DOI in a batch is looked up by itself, and its 404 makes it not found."""
    with client(stand_in) as crossref:
        crossref.prefetch([RECORDS[0]["DOI"], "10.5555/no-such-work"])
        missing = crossref.get_work("10.5555/no-such-work")
    statuses = [(r.path, r.status) for r in stand_in.requests]
    assert (None, [("/works", 200), ("/works/10.5555/no-such-work", 404)]) == (missing, statuses)


def test_a_doi_with_a_comma_is_left_out_of_the_filter(stand_in: CrossrefStandIn) -> None:
    """A comma would split the filter: such a DOI is not batched (get_work asks for it)."""
    with client(stand_in) as crossref:
        crossref.get_works([RECORDS[0]["DOI"], "10.5555/a,b"])
    assert (f"doi:{RECORDS[0]['DOI'].lower()}",) == stand_in.requests[0].params["filter"]


def test_a_failed_batch_keeps_nothing_and_lookups_still_work(stand_in: CrossrefStandIn) -> None:
    """A batch that fails (500) prefetches nothing; each DOI is then looked up alone."""
    stand_in.fail_next(1, status=500)
    with client(stand_in, retry=RetryPolicy.never()) as crossref:
        kept = crossref.prefetch([RECORDS[1]["DOI"], RECORDS[2]["DOI"]])
        work = crossref.get_work(RECORDS[1]["DOI"])
    assert (0, RECORDS[1]["DOI"]) == (kept, work.doi if work else None)


def test_a_failed_batch_loses_only_its_own_dois(stand_in: CrossrefStandIn) -> None:
    """Two batches, the first refused (500): the second batch's five works are kept all the
    same, and only the first batch's DOIs are left to single lookups."""
    stand_in.fail_next(1, status=500)
    dois = sorted(r["DOI"].lower() for r in RECORDS[:10])
    with client(stand_in, retry=RetryPolicy.never()) as crossref:
        crossref.doi_batch = 5
        kept = crossref.prefetch(dois)
        before = len(stand_in.requests)
        for doi in dois:
            crossref.get_work(doi)
        singles = [r.path for r in stand_in.requests[before:]]
    assert (5, [f"/works/{d}" for d in dois[:5]]) == (kept, [p.lower() for p in singles])


def test_a_manuscript_with_dois_needs_one_request_for_them(stand_in: CrossrefStandIn) -> None:
    """Twelve references with DOIs: one list request resolves them all, each verified."""
    lines = ["# Paper", "", "## References", ""]
    lines += [f"{n}. {citation(r)}" for n, r in enumerate(RECORDS[:12], 1)]
    report = check_text("\n".join(lines) + "\n", source=client(stand_in))
    statuses = {c.status for c in report.references}
    assert (1, {ReferenceStatus.VERIFIED}, 12) == (
        len(stand_in.requests),
        statuses,
        len(report.references),
    )


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://api.crossref.org/works/10.1000/x", SINGLE),
        ("https://api.crossref.org/works?filter=doi:10.1000/x", LIST),
        ("https://api.crossref.org/works/?query.bibliographic=a", LIST),
        ("https://api.crossref.org/journals/1234-5678/works?rows=5", LIST),
        ("https://api.crossref.org/journals/1234-5678", SINGLE),
        ("https://example.org/base/works?query=a", LIST),
    ],
)
def test_request_kind(url: str, kind: str) -> None:
    """Paths ending in /works are lists (searches, filters); the rest single records."""
    assert kind == request_kind(url)


# --- the limiter --------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_crossref_pools_as_reported() -> None:
    """Polite 10 single-work and 3 list requests a second, 3 at a time; public 5, 1 and 1."""
    polite, public = Limits.polite(), Limits.public()
    assert ((10, 3, 3), (5, 1, 1)) == (
        (polite.rate_of(SINGLE), polite.rate_of(LIST), polite.concurrency),
        (public.rate_of(SINGLE), public.rate_of(LIST), public.concurrency),
    )


def test_list_and_single_requests_have_windows_of_their_own() -> None:
    """At 10 and 3 a second, 4 list requests and 10 lookups: only the 4th list waits a window."""
    clock = FakeClock()
    limiter = Limiter(
        Limits(rate=10, list_rate=3, concurrency=20, margin=0.0), clock=clock, sleep=clock.sleep
    )
    starts = []
    for kind in [LIST] * 3 + [SINGLE] * 10 + [LIST]:
        with limiter.slot(kind):
            starts.append((kind, clock.now))
    assert [(LIST, 0.0)] * 3 + [(SINGLE, 0.0)] * 10 + [(LIST, 1.0)] == starts


def test_a_list_rate_of_none_is_the_rate() -> None:
    """Limits without a list rate limit every request alike, as before."""
    assert 7 == Limits(rate=7, concurrency=1).rate_of(LIST)


def test_concurrency_is_shared_by_both_kinds() -> None:
    """One request of each kind in flight fills a concurrency of two."""
    limiter = Limiter(Limits(rate=100, list_rate=100, concurrency=2))
    limiter.acquire(LIST)
    limiter.acquire(SINGLE)
    try:
        assert 2 == limiter.in_flight
    finally:
        limiter.release()
        limiter.release()


def test_a_refused_list_request_halves_only_the_list_rate() -> None:
    """A 429 on a search slows the searches, not the lookups."""
    limiter = Limiter(Limits.polite())
    limiter.refused(LIST)
    assert (10, 1.5) == (limiter.limits.rate_of(SINGLE), limiter.limits.rate_of(LIST))


def test_a_list_answer_advertises_the_list_rate() -> None:
    """x-rate-limit-limit 2 on a list answer lowers the list rate only."""
    limiter = Limiter(Limits.polite())
    limiter.observe({"X-Rate-Limit-Limit": "2", "X-Rate-Limit-Interval": "1s"}, LIST)
    assert (10, 2) == (limiter.limits.rate_of(SINGLE), limiter.limits.rate_of(LIST))


def test_a_list_rate_over_a_minute_counts_per_second() -> None:
    """ "120 per 60s" on a list answer is 2 a second in the limiter's one-second window."""
    limiter = Limiter(Limits.polite())
    limiter.observe({"x-rate-limit-limit": "120", "x-rate-limit-interval": "60s"}, LIST)
    assert 2 == limiter.limits.rate_of(LIST)


@pytest.mark.parametrize(
    "headers",
    [
        {"x-rate-limit-limit": "1", "x-rate-limit-interval": "3600s"},
        {"x-rate-limit-limit": "1", "x-rate-limit-interval": "99999999999h"},
        {"x-rate-limit-limit": "0.5", "x-rate-limit-interval": "1s"},
        {"x-rate-limit-limit": "1", "x-rate-limit-interval": "30s"},
        {"x-rate-limit-limit": "inf", "x-rate-limit-interval": "1s"},
    ],
)
def test_a_list_answers_absurd_limits_change_nothing(headers: dict[str, str]) -> None:
    """Issue 15's bounds hold for list answers too: an hour's interval, a limit below one, a
    rate below one request per 10 s, or no number leave the list rate at 3 a second."""
    limiter = Limiter(Limits.polite())
    limiter.observe(headers, LIST)
    assert (10, 3) == (limiter.limits.rate_of(SINGLE), limiter.limits.rate_of(LIST))


def test_a_single_answer_keeps_the_list_rate() -> None:
    """x-rate-limit-limit 4 on a lookup lowers the lookups and leaves the searches at 3."""
    limiter = Limiter(Limits.polite())
    limiter.observe({"x-rate-limit-limit": "4", "x-rate-limit-interval": "1s"}, SINGLE)
    assert (4, 3) == (limiter.limits.rate_of(SINGLE), limiter.limits.rate_of(LIST))


def test_the_client_counts_each_kind_against_its_own_rate(stand_in: CrossrefStandIn) -> None:
    """A lookup and a search through the client start one request of each kind."""
    with client(stand_in, mailto="a@b.org") as crossref:
        crossref.get_work(RECORDS[0]["DOI"])
        crossref.search("seasonal glacier dynamics")
    assert {SINGLE: 1, LIST: 1} == crossref.limiter.started_by_kind


# --- the stand-in -------------------------------------------------------------------------


def get(stand_in: CrossrefStandIn, path: str, **params: Any) -> requests.Response:
    return requests.get(stand_in.base_url + path, params=params, timeout=5)


def test_stand_in_ors_a_repeated_filter(stand_in: CrossrefStandIn) -> None:
    """filter=doi:A,doi:B finds both works, as Crossref does."""
    dois = [RECORDS[3]["DOI"], RECORDS[4]["DOI"]]
    body = get(stand_in, "/works", filter=",".join(f"doi:{d}" for d in dois)).json()
    assert sorted(dois) == sorted(i["DOI"] for i in body["message"]["items"])


def test_stand_in_ands_different_filters(stand_in: CrossrefStandIn) -> None:
    """filter=doi:A,doi:B,until-pub-date:Y keeps only the one of the two published by Y."""
    early, late = RECORDS[20], RECORDS[39]  # issued 2000 and 2019
    value = f"doi:{early['DOI']},doi:{late['DOI']},until-pub-date:2005"
    body = get(stand_in, "/works", filter=value).json()
    assert [early["DOI"]] == [i["DOI"] for i in body["message"]["items"]]


def test_stand_in_filters_by_index_and_update_date(stand_in: CrossrefStandIn) -> None:
    """from-index-date reads the record's indexed date; from-update-date its deposited date."""
    indexed = get(stand_in, "/works", filter="from-index-date:2024-01-28", rows=1000).json()
    updated = get(stand_in, "/works", filter="from-update-date:2023-06-28", rows=1000).json()
    expected = sorted(r["DOI"] for r in RECORDS if RECORDS.index(r) % 28 == 27)
    assert (expected, expected) == (
        sorted(i["DOI"] for i in indexed["message"]["items"]),
        sorted(i["DOI"] for i in updated["message"]["items"]),
    )


def test_stand_in_cursor_pages_through_every_work(stand_in: CrossrefStandIn) -> None:
    """cursor=* then each next-cursor: 50, 50, 20 and an empty page, every work once."""
    cursor, pages, seen = "*", [], []
    while True:
        message = get(stand_in, "/works", cursor=cursor, rows=50).json()["message"]
        pages.append(len(message["items"]))
        seen += [i["DOI"] for i in message["items"]]
        if not message["items"]:
            break
        cursor = message["next-cursor"]
    assert ([50, 50, 20, 0], sorted(r["DOI"] for r in RECORDS)) == (pages, sorted(seen))


def test_stand_in_limits_lists_and_lookups_apart() -> None:
    """At 5 lookups and 2 lists a second, the 3rd list is refused and 5 lookups are not."""
    with serve_crossref(RECORDS, rate_limit=5, list_rate_limit=2) as server:
        lists = [get(server, "/works", rows=1).status_code for _ in range(3)]
        lookups = [get(server, "/works/" + r["DOI"]).status_code for r in RECORDS[:5]]
    assert ([200, 200, 429], [200] * 5) == (lists, lookups)


def test_stand_in_advertises_each_kinds_rate() -> None:
    """x-rate-limit-limit is 10 on a lookup's answer and 3 on a search's."""
    with serve_crossref(RECORDS, rate_limit=10, list_rate_limit=3) as server:
        single = get(server, "/works/" + RECORDS[0]["DOI"]).headers["x-rate-limit-limit"]
        listed = get(server, "/works", rows=1).headers["x-rate-limit-limit"]
    assert ("10", "3") == (single, listed)
