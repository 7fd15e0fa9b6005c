"""Benchmark the two Crossref transports against the stand-in server.

Runs the same DOI lookups and bibliographic searches through

* ``requests``: refcheck's own :class:`~refcheck.sources.crossref.CrossrefClient`, without a cache,
  then with a cache (a cold pass that fills it and a warm pass answered from it);
* ``habanero``: :class:`~refcheck.sources.habanero.HabaneroSource` (no cache possible),

all against :func:`refcheck.testing.serve_crossref` on 127.0.0.1, which indexes the genuine
records of ``../shared/data/crossref/works.jsonl.gz`` (the seed's records when that is absent).
Every transport must return the same works; the script checks that and prints a Markdown table.

    python3 benchmarks/transports.py [--lookups 200] [--searches 50] [--records 3000]

Needs ``pip install 'scholarly-refcheck[habanero]'``. Bounded: a few hundred requests per transport.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's refcheck, not an installed one

from refcheck.model import Work  # noqa: E402
from refcheck.sources.crossref import CrossrefClient, CrossrefSettings  # noqa: E402
from refcheck.sources.habanero import HabaneroSource  # noqa: E402
from refcheck.sources.http.retry import RetryPolicy  # noqa: E402
from refcheck.testing import load_works, serve_crossref  # noqa: E402

GENUINE = ROOT.parent / "shared" / "data" / "crossref" / "works.jsonl.gz"
SEED = ROOT / "examples" / "anakinra" / "works.jsonl"


def _records(limit: int) -> list[dict[str, Any]]:
    path = GENUINE if GENUINE.exists() else SEED
    records = [r for r in load_works(path) if r.get("DOI")]
    unique = {str(r["DOI"]).lower(): r for r in records}
    return list(unique.values())[:limit]


def _queries(records: Sequence[dict[str, Any]], count: int, rng: random.Random) -> list[str]:
    queries = []
    for record in rng.sample(list(records), min(count * 3, len(records))):
        title = (record.get("title") or [""])[0]
        authors = record.get("author") or [{}]
        family = authors[0].get("family", "") if isinstance(authors[0], dict) else ""
        if title:
            queries.append(f"{family} {title}".strip())
        if len(queries) == count:
            break
    return queries


def _time(calls: Sequence[Callable[[], Any]]) -> tuple[list[Any], list[float]]:
    results, times = [], []
    for call in calls:
        start = time.perf_counter()
        results.append(call())
        times.append(time.perf_counter() - start)
    return results, times


def _dois(results: list[Any]) -> list[Any]:
    out = []
    for result in results:
        if isinstance(result, Work) or result is None:
            out.append(result.doi if result else None)
        else:
            out.append(tuple(w.doi for w in result))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--searches", type=int, default=50)
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    records = _records(args.records)
    dois = [str(r["DOI"]) for r in rng.sample(records, min(args.lookups, len(records)))]
    queries = _queries(records, args.searches, rng)
    rows: list[tuple[str, str, int, float, float, float]] = []
    reference: dict[str, list[Any]] = {}
    with serve_crossref(records) as server, tempfile.TemporaryDirectory() as tmp:
        base = CrossrefSettings(base_url=server.base_url, cache=None, retry=RetryPolicy.never())

        def run(label: str, source: Any) -> None:
            for kind, calls in (
                ("DOI lookup", [lambda d=d: source.get_work(d) for d in dois]),
                ("search", [lambda q=q: source.search(q, rows=5) for q in queries]),
            ):
                results, times = _time(calls)
                answers = _dois(results)
                if reference.setdefault(kind, answers) != answers:
                    raise SystemExit(f"{label}: {kind} answers differ from the first transport's")
                rows.append(
                    (
                        label,
                        kind,
                        len(times),
                        sum(times),
                        statistics.median(times) * 1000,
                        len(times) / sum(times),
                    )
                )

        with CrossrefClient(base) as client:
            run("requests, no cache", client)
        with CrossrefClient(base, cache=Path(tmp) / "bench.sqlite") as client:
            run("requests, cache cold", client)
            run("requests, cache warm", client)
        with HabaneroSource(base) as habanero:
            run("habanero", habanero)
    print(
        f"{len(records)} records indexed; {len(dois)} DOI lookups, {len(queries)} searches "
        f"(rows=5) per transport; Python {sys.version.split()[0]}\n"
    )
    print("| transport | requests | n | total (s) | median (ms) | per second |")
    print("|---|---|---|---|---|---|")
    for label, kind, n, total, median, rate in rows:
        print(f"| {label} | {kind} | {n} | {total:.2f} | {median:.1f} | {rate:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
