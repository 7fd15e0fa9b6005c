"""How fast refcheck checks a manuscript within Crossref's limits, cold and with a warm cache.

A benchmark script, not a test (``python3 benchmarks/speed.py --help``). It serves the genuine
records of ``../shared/data/crossref/works.jsonl.gz`` with refcheck's Crossref stand-in set to
answer in 250 ms, 10 single-work requests (``/works/{doi}``) and 3 list requests (searches,
DOI filters) a second, 3 at a time, refusing (429) anything beyond, as Crossref's polite pool
does; writes a manuscript citing ``--references`` sampled works (in the AMA style, rendered by
citeproc-py; every third one with its DOI); and checks it with ``refcheck.check_text`` through
the real client over HTTP (polite pool: a ``mailto`` is given), with a fresh cache. Then it
checks it again with the now warm cache.

The floor is the least time the limits allow for the requests the manuscript needs: one search
(a list request) per citation without a DOI, and one list request per ``doi_batch`` (50) DOIs:

    floor = max(lists / list_rate, singles / rate, (lists + singles) * latency / concurrency)

with ``singles`` 0. (Looking the DOIs up one by one instead would need more requests, one per
DOI; its floor, ``max(searches / list_rate, dois / rate, ...)``, is shown too.) It reports the
wall time against the floor, the requests per reference, the refused requests, and the second
run's requests and time. ``--check`` exits 1 unless the issue's goals hold: within 1.1 x the
floor, at most 0.75 requests per reference, no request refused, and a warm run with no
request in under 0.5 s.

Needs the ``bench`` extra: ``pip install -e '.[bench]'``. Run from the repository root.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from matching import WORKS, Renderer, csl_item, eligible  # noqa: E402

from refcheck.check import check_text  # noqa: E402
from refcheck.model import ReferenceStatus  # noqa: E402
from refcheck.sources.crossref import CrossrefClient, CrossrefSettings  # noqa: E402
from refcheck.testing import load_works, serve_crossref  # noqa: E402

STYLE = "american-medical-association"


def manuscript(records: Sequence[dict[str, object]], renderer: Renderer) -> str:
    """A Markdown manuscript whose reference list cites ``records``; every third with its DOI."""
    lines = ["# A manuscript", "", "Some text [1-3].", "", "## References", ""]
    for number, record in enumerate(records, 1):
        text = renderer.render(STYLE, csl_item(record))
        if text is None:
            raise RuntimeError(f"citeproc-py cannot render {record.get('DOI')}")
        if number % 3 == 0:
            text += f" doi:{record['DOI']}"
        lines.append(f"{number}. {text}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--references", type=int, default=60, help="references (default 60)")
    parser.add_argument("--latency", type=float, default=0.25, help="seconds (default 0.25)")
    parser.add_argument("--rate", type=float, default=10, help="single-work requests/s (10)")
    parser.add_argument("--list-rate", type=float, default=3, help="list requests/s (3)")
    parser.add_argument("--concurrency", type=int, default=3, help="requests at once (3)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--check", action="store_true", help="exit 1 unless the goals hold")
    args = parser.parse_args(argv)
    if not WORKS.exists():
        print(f"{WORKS} is absent", file=sys.stderr)
        return 2
    records = load_works(WORKS)
    rng = random.Random(args.seed)
    chosen = rng.sample([r for r in records if eligible(r)], args.references)
    text = manuscript(chosen, Renderer([STYLE]))
    dois = args.references // 3
    searches = args.references - dois
    lists = searches + -(-dois // CrossrefClient.doi_batch)
    floor = max(lists / args.list_rate, lists * args.latency / args.concurrency)
    one_by_one = max(
        searches / args.list_rate,
        dois / args.rate,
        args.references * args.latency / args.concurrency,
    )
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve_crossref(
            records,
            latency=args.latency,
            rate_limit=args.rate,
            list_rate_limit=args.list_rate,
            max_concurrency=args.concurrency,
        ) as stand_in,
    ):
        settings = CrossrefSettings(
            base_url=stand_in.base_url, mailto="bench@example.org", cache=Path(tmp) / "c.sqlite"
        )
        started = time.perf_counter()
        report = check_text(text, file="manuscript.md", settings=settings)
        cold = time.perf_counter() - started
        cold_requests = len(stand_in.requests)
        cold_lists = sum(1 for r in stand_in.requests if r.path.rstrip("/") == "/works")
        refused = sum(1 for r in stand_in.requests if r.status == 429)
        stand_in.clear_log()
        started = time.perf_counter()
        again = check_text(text, file="manuscript.md", settings=settings)
        warm = time.perf_counter() - started
        warm_requests = len(stand_in.requests)
    n = len(report.references)
    statuses = {s.value: 0 for s in ReferenceStatus}
    for checked in report.references:
        statuses[checked.status.value] += 1
    same = [c.match.doi for c in report.references] == [c.match.doi for c in again.references]
    per_reference = cold_requests / n if n else float("inf")
    rows = [
        ("references checked", f"{n} ({', '.join(f'{v} {k}' for k, v in statuses.items())})"),
        (
            "stand-in",
            f"{args.latency * 1000:g} ms, {args.rate:g} single-work and {args.list_rate:g} list "
            f"requests/s, {args.concurrency} at once",
        ),
        (
            "floor set by the limits",
            f"{floor:.2f} s ({lists} list requests: {searches} searches, {dois} DOIs in "
            f"batches of {CrossrefClient.doi_batch})",
        ),
        ("floor, DOIs one by one", f"{one_by_one:.2f} s ({args.references} requests)"),
        (
            "cold run",
            f"{cold:.2f} s ({cold / floor:.2f} x the floor, {cold / one_by_one:.2f} x the "
            "one-by-one floor)",
        ),
        (
            "requests per reference",
            f"{per_reference:.2f} ({cold_requests} requests, {cold_lists} of them lists)",
        ),
        ("requests refused (429)", str(refused)),
        ("warm run (cache)", f"{warm:.3f} s, {warm_requests} requests"),
        ("same DOIs both runs", "yes" if same else "no"),
    ]
    print("| | |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    goals = (
        cold <= 1.1 * floor
        and per_reference <= 0.75
        and refused == 0
        and warm_requests == 0
        and warm < 0.5
        and same
    )
    print(f"\nGoals {'met' if goals else 'NOT met'}.")
    return 0 if goals or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
