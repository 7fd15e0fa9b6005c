"""The stand-in Crossref of refcheck.testing, spoken to with plain requests."""

# House style (STYLE.md) writes `assert expected == actual`; ruff's SIM300 calls that Yoda.

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import requests

from refcheck.testing import CrossrefStandIn, serve_crossref


def get(stand_in: CrossrefStandIn, path: str, **params: Any) -> requests.Response:
    return requests.get(stand_in.base_url + path, params=params, timeout=5)


def test_lookup_answers_the_work_envelope(
    crossref_stand_in: CrossrefStandIn, seed_works: list[dict[str, Any]]
) -> None:
    """GET /works/{doi} answers Crossref's work envelope around the record."""
    record = seed_works[0]
    body = get(crossref_stand_in, "/works/" + record["DOI"]).json()
    assert ("ok", "work", record) == (body["status"], body["message-type"], body["message"])


def test_lookup_is_case_insensitive_and_percent_decoded(
    crossref_stand_in: CrossrefStandIn, seed_works: list[dict[str, Any]]
) -> None:
    """DOIs are found whatever their case and percent-encoding, as with Crossref."""
    doi = seed_works[0]["DOI"]
    encoded = doi.lower().replace("(", "%28").replace(")", "%29")
    assert doi == get(crossref_stand_in, "/works/" + encoded).json()["message"]["DOI"]


def test_unknown_doi_is_404_resource_not_found(crossref_stand_in: CrossrefStandIn) -> None:
    """An unknown DOI gets Crossref's 404: text/plain "Resource not found."."""
    response = get(crossref_stand_in, "/works/10.1371/notarealdoi")
    assert (404, "text/plain", "Resource not found.") == (
        response.status_code,
        response.headers["Content-Type"],
        response.text,
    )


def test_search_ranks_each_seed_record_first_for_its_own_title(
    crossref_stand_in: CrossrefStandIn, seed_works: list[dict[str, Any]]
) -> None:
    """For every seed record, searching its title finds it first."""
    expected = [r["DOI"] for r in seed_works]
    actual = []
    for record in seed_works:
        items = get(
            crossref_stand_in, "/works", **{"query.bibliographic": record["title"][0], "rows": 3}
        ).json()["message"]["items"]
        actual.append(items[0]["DOI"])
    assert expected == actual


def test_search_ranks_a_full_citation(crossref_stand_in: CrossrefStandIn) -> None:
    """A citation as printed (authors, journal, volume, pages) ranks its work first."""
    citation = (
        "Carter SJ, Tattersall RS, Ramanan AV. Macrophage activation syndrome in adults: "
        "recent advances in pathophysiology, diagnosis and treatment. Rheumatology "
        "(Oxford) 2019; 58: 5-17."
    )
    body = get(crossref_stand_in, "/works", **{"query.bibliographic": citation}).json()
    assert "10.1093/rheumatology/key006" == body["message"]["items"][0]["DOI"]


def test_search_scores_descend(crossref_stand_in: CrossrefStandIn) -> None:
    """Each item has a score, best first."""
    items = get(
        crossref_stand_in, "/works", **{"query.bibliographic": "anakinra cytokine storm"}
    ).json()["message"]["items"]
    scores = [item["score"] for item in items]
    assert sorted(scores, reverse=True) == scores


def test_search_honours_select_and_rows(crossref_stand_in: CrossrefStandIn) -> None:
    """select keeps only the named fields; rows bounds the items, not total-results."""
    message = get(
        crossref_stand_in, "/works", query="anakinra", rows=2, select="DOI,title,score"
    ).json()["message"]
    assert (2, True, {"DOI", "title", "score"}) == (
        len(message["items"]),
        message["total-results"] >= 2,
        set().union(*(item.keys() for item in message["items"])),
    )


def test_unknown_parameter_is_a_400_validation_failure(crossref_stand_in: CrossrefStandIn) -> None:
    """Like Crossref, an unknown parameter is refused."""
    response = get(crossref_stand_in, "/works", **{"query.titel": "x"})
    assert (400, "validation-failure") == (response.status_code, response.json()["message-type"])


def test_filter_type_is_applied(crossref_stand_in: CrossrefStandIn) -> None:
    """filter=type:... keeps only works of that type."""
    message = get(crossref_stand_in, "/works", query="anakinra", filter="type:book-chapter").json()[
        "message"
    ]
    assert 0 == message["total-results"]


def test_fail_next_gives_the_status_then_recovers(
    crossref_stand_in: CrossrefStandIn, seed_works: list[dict[str, Any]]
) -> None:
    """fail_next(1, status=500) fails exactly one request."""
    crossref_stand_in.fail_next(1, status=500)
    path = "/works/" + seed_works[0]["DOI"]
    statuses = [get(crossref_stand_in, path).status_code for _ in range(2)]
    assert [500, 200] == statuses


def test_fail_next_429_carries_retry_after(crossref_stand_in: CrossrefStandIn) -> None:
    """A 429 from fail_next has Crossref's HTML body and the Retry-After asked for."""
    crossref_stand_in.fail_next(1, status=429, retry_after="3")
    response = get(crossref_stand_in, "/works", query="x")
    assert (429, "3", True) == (
        response.status_code,
        response.headers.get("Retry-After"),
        "Too Many Requests" in response.text,
    )


def test_rate_limit_answers_429_beyond_it(seed_works: list[dict[str, Any]]) -> None:
    """With rate_limit=2, a third request within the second is a 429."""
    with serve_crossref(seed_works, rate_limit=2) as stand_in:
        statuses = [get(stand_in, "/works/10.1000/x").status_code for _ in range(3)]
    assert [404, 404, 429] == statuses


def test_max_concurrency_answers_429_beyond_it(seed_works: list[dict[str, Any]]) -> None:
    """With max_concurrency=1 and slow answers, a second request in flight is a 429."""
    statuses: dict[str, int] = {}

    def fetch(path: str) -> None:
        statuses[path] = get(stand_in, path).status_code

    with serve_crossref(seed_works, max_concurrency=1, latency=0.3) as stand_in:
        first = threading.Thread(target=fetch, args=("/works/10.1000/first",))
        first.start()
        while stand_in.in_flight == 0:
            time.sleep(0.001)
        fetch("/works/10.1000/second")
        first.join()
    assert {"/works/10.1000/first": 404, "/works/10.1000/second": 429} == statuses


def test_truncate_next_breaks_the_body(
    crossref_stand_in: CrossrefStandIn, seed_works: list[dict[str, Any]]
) -> None:
    """A truncated answer is short of its Content-Length: requests reports a broken body."""
    crossref_stand_in.truncate_next(1)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        get(crossref_stand_in, "/works/" + seed_works[0]["DOI"])


def test_request_log_records_path_params_and_headers(crossref_stand_in: CrossrefStandIn) -> None:
    """Each request is logged with its decoded path, parameters, headers and status."""
    requests.get(
        crossref_stand_in.base_url + "/works/10.1000/a%20b",
        params={"mailto": "me@example.org"},
        headers={"User-Agent": "probe/1"},
        timeout=5,
    )
    logged = crossref_stand_in.requests[-1]
    assert ("/works/10.1000/a b", {"mailto": ("me@example.org",)}, "probe/1", 404) == (
        logged.path,
        dict(logged.params),
        logged.headers["User-Agent"],
        logged.status,
    )


def test_base_url_needs_a_running_server(seed_works: list[dict[str, Any]]) -> None:
    """Asking a stopped stand-in for its URL is a clear error."""
    with pytest.raises(RuntimeError):
        _ = serve_crossref(seed_works).base_url


def test_answers_carry_the_pool_and_its_limits(seed_works: list[dict[str, Any]]) -> None:
    """A polite request (mailto) is told its pool and the limits the stand-in enforces."""
    with serve_crossref(seed_works, rate_limit=10, max_concurrency=3) as stand_in:
        headers = get(stand_in, "/works", rows=1, mailto="a@b.org").headers
    assert ("polite", "10", "1s", "3") == (
        headers["x-api-pool"],
        headers["x-rate-limit-limit"],
        headers["x-rate-limit-interval"],
        headers["x-concurrency-limit"],
    )


def test_refusals_are_counted_and_may_carry_retry_after(seed_works: list[dict[str, Any]]) -> None:
    """Beyond the rate limit the 429 carries the configured Retry-After; ``refused`` counts it."""
    with serve_crossref(seed_works, rate_limit=1, retry_after="2") as stand_in:
        get(stand_in, "/works", rows=1)
        refused = get(stand_in, "/works", rows=1)
        assert (429, "2", 1) == (
            refused.status_code,
            refused.headers.get("Retry-After"),
            stand_in.refused,
        )
