"""The record store of ``benchmarks/coverage.py``: real records of arXiv, dblp, Semantic
Scholar, Crossref and OpenAlex, as those services publish them, taken from public
repositories.

None of it is written here, and none of it is derived from the reference lists the benchmark
measures: each source below is a public repository that recorded the services' answers for
its own purposes (a reference checker's test cache, a dblp export of whole venues), named
with the commit read and its licence. The repositories are not copied into refcheck; this
script reads them from local git mirrors (``DIR/<owner>+<name>/repo``, as the ``fetch`` of the
search tool lays them out) and writes one JSON line per record::

    python3 benchmarks/coverage_store.py --extract-from /work/.mirror --store /tmp/coverage-store

``DIR/<service>.jsonl`` then holds ``{"record": {...}, "from": "owner/name@commit:path"}``
lines: the record exactly as the service gave it (a Crossref work, an OpenAlex work, a
Semantic Scholar paper, a dblp hit's ``info``, an arXiv Atom ``<entry>``), and where it was
read. ``coverage.py --store DIR`` serves them from refcheck's stand-ins.

The recordings this repository keeps (``tests/fixtures/services``) and the shared Crossref
works (``../shared/data/crossref/works.jsonl.gz``) are added by :func:`load` itself.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from refcheck.testing import arxiv_entries  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "services"
WORKS = ROOT.parent / "shared" / "data" / "crossref" / "works.jsonl.gz"
SERVICES = ("arxiv", "dblp", "semanticscholar", "crossref", "openalex")

#: Each source: the repository and commit read, the folder, how its files hold the service's
#: records, and the licence. ``cache``: a reference checker's cache of API answers, one file
#: per request, under ``<folder>/<cache-name>/``; ``dblp-toc``: complete dblp search-API
#: answers (``result.hits.hit[]``).
SOURCES: tuple[Mapping[str, Any], ...] = (
    {
        "repo": "markrussinovich/refchecker",
        "commit": "40892ed2081e0af26a4076942fa9e580a164d8c9",
        "folder": "tests/fixtures/test_cache/api_cache",
        "kind": "cache",
        "what": "refchecker's test cache: the answers of Crossref, OpenAlex, Semantic Scholar "
        "and dblp to refchecker's own test bibliographies (hallucination benchmarks of ML "
        "papers)",
        "licence": "MIT (refchecker); the records are the services' data (dblp CC0, OpenAlex "
        "CC0, Crossref open metadata, Semantic Scholar API)",
    },
    {
        "repo": "markrussinovich/refchecker-iclr2026",
        "commit": "0d097918df6dce3d3a8ea4a534df23e0085217da",
        "folder": "conferences/iclr/2026",
        "kind": "cache",
        "what": "refchecker's caches from checking the reference lists of ICLR 2026 "
        "submissions (three benchmark runs)",
        "licence": "no licence stated by the repository (none of its code or text is used); "
        "the records are the services' data, as above",
    },
    {
        "repo": "dataunitylab/paper-gender-analysis",
        "commit": "a4f289341b6f940a50d201928b76e3a9950794e7",
        "folder": "data",
        "kind": "dblp-toc",
        "what": "dblp search-API answers (`q=toc:db/conf/<venue>/<venue><year>.bht:`, h=1000) "
        "for whole venues: AAAI, IJCAI, SIGMOD, VLDB, ICDE, CHI, UIST, SIGCOMM, NSDI, OSDI, "
        "SOSP, EuroSys, FAST, USENIX ATC, STOC, FOCS, SODA... (1950s-2022)",
        "licence": "CC0 1.0 (the repository's data/LICENSE.md; dblp's data is CC0)",
    },
)

# The cache folders of refchecker and the service each holds.
_CACHE_SERVICES = {
    "crossref": "crossref",
    "openalex": "openalex",
    "semantic_scholar": "semanticscholar",
    "dblp": "dblp",
}


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout


def _records(service: str, body: Any) -> Iterator[dict[str, Any]]:
    """The records one cached answer holds, as the service gave them."""
    items = body if isinstance(body, list) else [body]
    for item in items:
        if not isinstance(item, dict):
            continue
        if service == "dblp":
            info = item.get("info")
            if isinstance(info, dict) and info.get("title"):
                yield info
        elif service == "semanticscholar":
            if item.get("paperId") and item.get("title"):
                yield item
        elif (service == "crossref" and item.get("DOI")) or (
            service == "openalex" and str(item.get("id", "")).startswith("https://openalex.org/W")
        ):
            yield item


def _from_source(source: Mapping[str, Any], mirrors: Path) -> Iterator[tuple[str, Any, str]]:
    owner_name = source["repo"].replace("/", "+")
    repo = mirrors / owner_name / "repo"
    if not repo.exists():
        print(f"  {source['repo']}: no mirror at {repo}: left out", file=sys.stderr)
        return
    commit = source["commit"]
    names = _git(repo, "ls-tree", "-r", "--name-only", commit, source["folder"]).decode()
    for path in names.splitlines():
        if not path.endswith(".json"):
            continue
        where = f"{source['repo']}@{commit}:{path}"
        if source["kind"] == "cache":
            folder = path.split("/")[-2]
            service = _CACHE_SERVICES.get(folder)
            if service is None:
                continue
        else:
            service = "dblp"
        try:
            body = json.loads(_git(repo, "show", f"{commit}:{path}"))
        except (json.JSONDecodeError, subprocess.CalledProcessError):
            continue
        if source["kind"] == "dblp-toc":
            hits = body.get("result", {}).get("hits", {}).get("hit", [])
            body = [hits] if isinstance(hits, dict) else hits
        for record in _records(service, body):
            yield service, record, where


def extract(mirrors: Path, store: Path) -> Counter[str]:
    """Write ``store/<service>.jsonl`` from the mirrored repositories of :data:`SOURCES`."""
    store.mkdir(parents=True, exist_ok=True)
    counts: Counter[str] = Counter()
    files = {s: (store / f"{s}.jsonl").open("w", encoding="utf-8") for s in SERVICES}
    try:
        for source in SOURCES:
            for service, record, where in _from_source(source, mirrors):
                line = {"record": record, "from": where}
                files[service].write(json.dumps(line, ensure_ascii=False) + "\n")
                counts[f"{service} ({source['repo']})"] += 1
    finally:
        for file in files.values():
            file.close()
    return counts


def _key(service: str, record: Any) -> str:
    """What makes two records the same record (kept once, the first read)."""
    if service == "arxiv":
        return str(record)
    if service == "dblp":
        return str(record.get("key") or record.get("title"))
    if service == "semanticscholar":
        return str(record.get("paperId"))
    if service == "crossref":
        return str(record.get("DOI", "")).lower()
    return str(record.get("id"))


def _fixtures() -> Iterator[tuple[str, Any, str]]:
    here = "refcheck tests/fixtures/services/"
    for path in sorted((FIXTURES / "arxiv").glob("*.json")):
        answer = json.loads(path.read_text(encoding="utf-8"))
        if answer["status_code"] == 200:
            for entry in arxiv_entries(answer["body"]):
                yield "arxiv", entry, here + path.name
    for path in sorted((FIXTURES / "arxiv").glob("*.xml")):
        for entry in arxiv_entries(path.read_text(encoding="utf-8")):
            yield "arxiv", entry, here + path.name
    answer = json.loads((FIXTURES / "dblp" / "search_perceptrons_minsky.json").read_text())
    for hit in answer["result"]["hits"]["hit"]:
        yield "dblp", hit["info"], here + "dblp/search_perceptrons_minsky.json"
    papers = json.loads((FIXTURES / "semanticscholar" / "papers.json").read_text())
    for paper in papers:
        yield "semanticscholar", paper, here + "semanticscholar/papers.json"
    if WORKS.exists():
        with gzip.open(WORKS, "rt", encoding="utf-8") as file:
            for line in file:
                row = json.loads(line)
                yield "crossref", row["record"], "../shared/data/crossref/works.jsonl.gz"


def load(store: Path | None) -> tuple[dict[str, list[Any]], dict[str, list[str]]]:
    """The records each stand-in serves, and where each was read (same order): the store's,
    then this repository's recordings and the shared Crossref works; each record once."""
    pools: dict[str, list[Any]] = {s: [] for s in SERVICES}
    origins: dict[str, list[str]] = {s: [] for s in SERVICES}
    seen: dict[str, set[str]] = {s: set() for s in SERVICES}

    def add(service: str, record: Any, where: str) -> None:
        key = _key(service, record)
        if key in seen[service]:
            return
        seen[service].add(key)
        pools[service].append(record)
        origins[service].append(where)

    if store is not None:
        for service in SERVICES:
            path = store / f"{service}.jsonl"
            if not path.exists():
                continue
            with path.open(encoding="utf-8") as file:
                for line in file:
                    row = json.loads(line)
                    add(service, row["record"], row["from"])
    for service, record, where in _fixtures():
        add(service, record, where)
    return pools, origins


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--extract-from", type=Path, required=True, help="git mirrors")
    parser.add_argument("--store", type=Path, required=True, help="where to write the records")
    args = parser.parse_args(argv)
    counts = extract(args.extract_from, args.store)
    for name, count in sorted(counts.items()):
        print(f"{count:7d}  {name}")
    pools, _ = load(args.store)
    print("served (each record once, with the recordings kept here and the shared works): ")
    print("  " + ", ".join(f"{k} {len(v)}" for k, v in pools.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
