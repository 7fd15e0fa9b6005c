"""Reliability report: run the fault, cache, hostile-input and secret tests, print a table.

    python3 benchmarks/reliability.py                # the tables for docs/reliability.md
    python3 benchmarks/reliability.py --no-memory    # skip the 50 MB manuscript
    python3 benchmarks/reliability.py --attacks-only # only issue 15's attacks, for real

Each test is one fault injected or one input tried; its outcome is the test's (passed, failed,
xfailed). The 50 MB manuscript is checked in a child process against the stand-in, and its
peak RSS (``resource.getrusage``) and wall time are reported. Regexes are fuzzed at 100 kB
(``REFCHECK_FUZZ_SIZE=100000``), not at the suite's 10 kB.

The attacks of issue 15 (:mod:`reliability_attacks`) are then run as a user would meet them:
the real command in a child process (real sleeping, its own memory), against the stand-in
or a hostile server on 127.0.0.1; each row says whether the attack held, what was lost
(references without a result, files moved or changed that refcheck did not make, secrets
sent elsewhere), the wall time and the child's peak RSS.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = {
    "tests/test_faults.py": "network faults",
    "tests/test_hostile_answers.py": "hostile answers",
    "tests/test_cache_faults.py": "cache",
    "tests/test_cache_safety.py": "cache",
    "tests/test_hostile_input.py": "hostile input",
    "tests/test_hostile_manuscripts.py": "hostile input",
    "tests/test_control_characters.py": "terminal and CI injection",
    "tests/test_interrupt.py": "Ctrl-C",
    "tests/test_output_safety.py": "output",
    "tests/test_secrets.py": "secrets",
    "tests/test_redirect_secrets.py": "secrets",
}

CHILD = r"""
import resource, sys, time
sys.path.insert(0, "tests")
from seed import MANUSCRIPT, seed_records
from refcheck.check import check_file
from refcheck.sources.crossref import CrossrefClient
from refcheck.testing import serve_crossref
path = sys.argv[1]
started = time.perf_counter()
with serve_crossref(seed_records()) as server:
    with CrossrefClient(base_url=server.base_url, cache=None) as client:
        report = check_file(path, source=client)
took = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{len(report.references)} {len(report.all_findings)} {took:.1f} {rss:.0f}")
"""


def run_tests() -> list[tuple[str, str, str, float]]:
    """(area, test, outcome, seconds) of every test of the reliability files."""
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "junit.xml"
        env = dict(os.environ, REFCHECK_FUZZ_SIZE="100000")
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             f"--junitxml={xml}", *FILES],
            cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        rows = []
        for case in ET.parse(xml).getroot().iter("testcase"):
            path = case.get("classname", "").replace(".", "/") + ".py"
            outcome = "passed"
            for child in case:
                if child.tag in ("failure", "error"):
                    outcome = "FAILED"
                elif child.tag == "skipped":
                    kind = child.get("type", "")
                    outcome = "xfailed" if "xfail" in kind else "skipped"
            rows.append((FILES.get(path, path), case.get("name", ""), outcome,
                         float(case.get("time", 0))))  # fmt: skip
        return rows


def memory(megabytes: int = 50) -> str:
    """Check a manuscript just under ``megabytes`` MB (prose, then the seed's reference lists)."""
    seed = (ROOT / "examples" / "anakinra" / "manuscript.md").read_text(encoding="utf-8")
    prose = "".join(line + "\n" for line in seed.splitlines() if not line.lstrip()[:1].isdigit()
                    and not line.startswith("- "))  # fmt: skip
    limit = megabytes * 1024 * 1024 - len(seed.encode()) - 1024
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.md"
        with path.open("w", encoding="utf-8") as out:
            written = 0
            while written + len(prose.encode()) < limit:
                out.write(prose)
                written += len(prose.encode())
            out.write("\n" + seed)
        size = path.stat().st_size
        result = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)], cwd=ROOT, capture_output=True, text=True,
            timeout=900, check=False,
        )  # fmt: skip
        if result.returncode:
            return f"| {size / 1e6:.1f} MB manuscript | failed: {result.stderr[-300:]!r} |"
        refs, findings, took, rss = result.stdout.split()
        return (
            f"| {size:,} bytes ({size / 2**20:.1f} MiB) manuscript, checked against the "
            f"stand-in | {refs} references, {findings} findings, {took} s, peak RSS {rss} MiB |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--attacks-only", action="store_true")
    args = parser.parse_args()
    if args.attacks_only:
        print_attacks()
        return
    rows = run_tests()
    print("| area | fault injected / input tried | outcome | s |")
    print("|---|---|---|---|")
    for area, name, outcome, seconds in rows:
        print(f"| {area} | `{name}` | {outcome} | {seconds:.2f} |")
    print()
    print("| area | tests | passed | xfailed | failed | skipped | s |")
    print("|---|---|---|---|---|---|---|")
    per: dict[str, Counter[str]] = defaultdict(Counter)
    time: Counter[str] = Counter()
    for area, _, outcome, seconds in rows:
        per[area][outcome] += 1
        time[area] += seconds
    for area in list(per):
        per["**total**"].update(per[area])
        time["**total**"] += time[area]
    for area, counts in per.items():
        print(
            f"| {area} | {sum(counts.values())} | {counts['passed']} | {counts['xfailed']} | "
            f"{counts['FAILED']} | {counts['skipped']} | {time[area]:.1f} |"
        )
    if not args.no_memory:
        print()
        print("| input | outcome |")
        print("|---|---|")
        print(memory())
    print()
    print_attacks()


def print_attacks() -> None:
    """The table of issue 15's attacks, run for real (see :mod:`reliability_attacks`)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import reliability_attacks

    rows = reliability_attacks.run()
    print("| defect | attack | held | lost | s | peak RSS MiB |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        rss = f"{row.rss:.0f}" if row.rss else "–"  # a child killed by the signal reports none
        print(
            f"| {row.defect} | {row.attack} | {'yes' if row.held else '**no**'} | {row.lost} | "
            f"{row.seconds:.1f} | {rss} |"
        )
    held = sum(row.held for row in rows)
    print()
    print(f"{len(rows)} attacks tried, {held} held.")


if __name__ == "__main__":
    main()
