"""How long ``refcheck check`` takes to say that Crossref cannot be reached.

A benchmark script, not a test (``python3 benchmarks/unreachable.py --help``). It writes a
manuscript of ``--references`` numbered references (the seed manuscript's 15, then real
reference strings from ``../shared/data/crossref/citations.jsonl.gz``), binds a socket on
127.0.0.1 and closes it (so that connecting to its port is refused at once, with no network),
and times the real command, in a fresh process, with that port as Crossref's base URL, no
cache and the default retry policy and concurrency. ``--tree DIR`` runs the refcheck of another
checkout (``PYTHONPATH=DIR``), to compare before and after.

Run from the repository root, e.g. ``python3 benchmarks/unreachable.py --references 58``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "anakinra" / "manuscript.md"
CITATIONS = ROOT.parent / "shared" / "data" / "crossref" / "citations.jsonl.gz"


def _citations(count: int) -> list[str]:
    """The seed's references, then real strings, ``count`` in all."""
    text = SEED.read_text(encoding="utf-8")
    seed = [m.group(1) for m in re.finditer(r"^\d+\s+(.+)$", text, re.M)]
    found = seed[:count]
    if len(found) < count:
        with gzip.open(CITATIONS, "rt", encoding="utf-8") as lines:
            for line in lines:
                unstructured = json.loads(line).get("unstructured") or ""
                if len(unstructured) > 60 and unstructured not in found:
                    found.append(" ".join(unstructured.split()))
                if len(found) == count:
                    break
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--references", type=int, default=15)
    parser.add_argument("--tree", type=Path, default=ROOT, help="the refcheck checkout to run")
    args = parser.parse_args(argv)
    citations = _citations(args.references)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        manuscript = Path(tmp) / "manuscript.md"
        body = "\n".join(f"{n}. {c}" for n, c in enumerate(citations, 1))
        manuscript.write_text(f"# A manuscript\n\n## References\n\n{body}\n", encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(args.tree.resolve()), "XDG_CACHE_HOME": tmp}
        started = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "refcheck",
                "check",
                str(manuscript),
                "--no-cache",
                "--base-url",
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp,  # not the repository: python -m imports from the working directory first
            check=False,
        )
        elapsed = time.perf_counter() - started
    unchecked = result.stdout.count("not-checked")
    longest = max(
        (len(line) for line in result.stdout.splitlines() if "not-checked" in line), default=0
    )
    print(
        f"{args.tree.resolve().name}: {len(citations)} references, {elapsed:.1f} s, exit "
        f"{result.returncode}, {unchecked} not checked (longest line {longest} characters), "
        f"stderr: {result.stderr.strip()[:160]!r}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
