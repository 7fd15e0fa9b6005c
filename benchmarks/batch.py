"""How fast refcheck checks references against a local snapshot index, per core and on Dask.

A benchmark script, not a test (``python3 benchmarks/batch.py --help``). It:

1. writes the 8,502 genuine records of ``../shared/data/crossref/works.jsonl.gz`` in
   Crossref's snapshot file format (``{"items": [...]}`` in .json.gz files) into a temporary
   directory and builds a local index from it (``refcheck index build``'s
   :func:`~refcheck.sources.snapshot_build.build_index`): records a second, bytes a record;
2. writes an input of one citation a line: ``--limit`` records per style of the half of the
   records the parser was not trained on, rendered by citeproc-py in 11 CSL styles, clean and
   with noise (as ``benchmarks/matching.py`` does), and the 2,000 real reference strings of
   Crossref's evaluation set (none of whose works is indexed);
3. checks it end to end (parse, search, validate, compare; :func:`refcheck.batch.check_lines`)
   in this process, ``--runs`` times: references per second of CPU time, one core;
4. checks ``--repeat`` copies of it with ``refcheck batch`` on a local Dask cluster of 1 and
   then 2 worker processes (:func:`refcheck.batch.check_batch`, the cluster started before the
   clock), ``--runs`` times each: references per second of wall time, and the ratio.

Needs the ``bench``, ``index`` and ``batch`` extras. Run from the repository root, on a quiet
machine for the Dask figures (they are wall time).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from matching import REAL, STYLES, WORKS, Renderer, eligible, generate, real_negatives  # noqa: E402

from refcheck.batch import BatchSources, check_batch, check_lines  # noqa: E402
from refcheck.sources.chain import SourceChain  # noqa: E402
from refcheck.sources.snapshot import SnapshotSource  # noqa: E402
from refcheck.sources.snapshot_build import build_index, write_snapshot  # noqa: E402
from refcheck.testing import load_works  # noqa: E402


def spread(values: Sequence[float]) -> str:
    return f"{statistics.median(values):,.0f} ({min(values):,.0f}-{max(values):,.0f})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--limit", type=int, default=100, help="records per style (100)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measure (3)")
    parser.add_argument("--repeat", type=int, default=3, help="copies of the input on Dask (3)")
    parser.add_argument("--chunk", type=int, default=200, help="lines a task (200)")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args(argv)
    if not WORKS.exists():
        print(f"{WORKS} is absent", file=sys.stderr)
        return 2
    import distributed

    records = load_works(WORKS)
    rng = random.Random(args.seed)
    sample = rng.sample([r for r in records if eligible(r)], args.limit)
    renderer = Renderer(STYLES)
    cases = [
        case
        for noisy in (False, True)
        for case in generate(
            sample, STYLES, rng, group="g", noisy=noisy, positive=True, renderer=renderer
        )
    ]
    if REAL.exists():
        cases += real_negatives(REAL, 2000)
    lines = [json.dumps(case.text, ensure_ascii=False) for case in cases]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_snapshot(records, root / "snapshot")
        built = build_index(root / "snapshot", root / "index")
        snapshot_bytes = sum(f.stat().st_size for f in (root / "snapshot").iterdir())
        print(
            f"Index: {built.works:,} records in {built.seconds:.2f} s "
            f"({built.records_per_second:,.0f} records/s, one process), "
            f"{built.bytes_per_record:,.0f} bytes a record on disk "
            f"(the snapshot's .json.gz: {snapshot_bytes / built.works:,.0f} bytes a record)."
        )
        numbered = list(enumerate(lines, 1))
        per_core = []
        with SnapshotSource(root / "index") as snapshot:
            chain = SourceChain([snapshot])
            check_lines(numbered[:200], chain)  # warm: compile the decoder, fill caches
            for _ in range(args.runs):
                started = time.process_time()
                for start in range(0, len(numbered), args.chunk):
                    check_lines(numbered[start : start + args.chunk], chain)
                per_core.append(len(numbered) / (time.process_time() - started))
        print(
            f"End to end, one process: {spread(per_core)} references/s of CPU time "
            f"(median and range of {args.runs} runs over {len(lines):,} citations)."
        )
        if args.skip_dask:
            return 0
        (root / "in.jsonl").write_text("\n".join(lines * args.repeat) + "\n", encoding="utf-8")
        rates: dict[int, list[float]] = {}
        for workers in (1, 2):
            with distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster:
                rates[workers] = []
                for run in range(args.runs + 1):
                    output = root / f"out-{workers}-{run}.jsonl"
                    result = check_batch(
                        root / "in.jsonl",
                        output,
                        sources=BatchSources(snapshot=root / "index"),
                        scheduler=cluster.scheduler_address,
                        chunk=args.chunk,
                    )
                    if run:  # the first run warms the workers (imports, compiling)
                        rates[workers].append(result.rate)
                    os.unlink(output)
        print(
            f"Dask, {len(lines) * args.repeat:,} citations: 1 worker {spread(rates[1])}/s, "
            f"2 workers {spread(rates[2])}/s; ratio of medians "
            f"{statistics.median(rates[2]) / statistics.median(rates[1]):.2f}."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
