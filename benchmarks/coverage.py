"""How much of a machine-learning, CS or physics reference list refcheck resolves, per source.

A benchmark script, not a test (``python3 benchmarks/coverage.py --help``). It reads real
reference lists (``benchmarks/coverage/lists/*.bib``, from public paper repositories; see the
README there), checks them with refcheck's default routing against stand-ins of Crossref,
arXiv, dblp and Semantic Scholar that serve *recorded* records, and again with Crossref alone,
and reports:

* the share of references resolved, per list, per source and per kind (arXiv, NeurIPS/ICLR/
  ICML, ACL venues, other CS venues, journals, books, other), with the default sources and
  with Crossref alone;
* how each reference was routed (which source was asked first), and whether its printed
  arXiv identifier was read;
* the cited identifiers reported wrong (``doi-not-found``, ``doi-mismatch``,
  ``arxiv-not-found``, ``arxiv-mismatch``), each listed for checking by hand;
* requests per reference to each service, and the wall time against the floor that the
  services' documented limits set (stand-ins answering in 250 ms, at the clients' own pace:
  arXiv one request every 3 s, dblp and Semantic Scholar one a second, Crossref's
  polite pool 10 a second, 3 at a time; the floor is each service's requests at its documented
  pace, 3 s, 1 s, 1 s and 0.1 s apart), with every refusal (429) counted.

**The records.** The stand-ins serve only records recorded from the real services:

* ``--record DIR --mailto you@example.org`` (needs the network) checks every list against the
  live services with the default sources and saves every answer each service gives, one
  JSON line per answer, in ``DIR/<service>.jsonl``; a later run with ``--records DIR`` serves
  the records of those answers (Atom entries, dblp hits, Semantic Scholar papers, Crossref
  works) from the stand-ins;
* without recordings of the lists' works, the stand-ins serve the public recordings this
  repository keeps (``tests/fixtures/services/``) and the genuine Crossref records of
  ``../shared/data/crossref/works.jsonl.gz``. Those hold almost none of the works these
  lists cite: the resolved share then measures the recordings, not refcheck, and the report
  says how many references had a record to find.

The lists are split: ``aed-hallucination.bib`` is the development list (looked at while
writing the routing), the others are held out (``--lists heldout``, the default).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from refcheck.check import check_files  # noqa: E402
from refcheck.model import CheckedReference, MatchStatus, Reference, Report  # noqa: E402
from refcheck.readers import read_file  # noqa: E402
from refcheck.sources.arxiv import ArxivClient  # noqa: E402
from refcheck.sources.chain import open_fallbacks, route  # noqa: E402
from refcheck.sources.crossref import CrossrefClient, CrossrefSettings  # noqa: E402
from refcheck.sources.dblp import DblpClient  # noqa: E402
from refcheck.sources.http.limits import Limits  # noqa: E402
from refcheck.sources.semanticscholar import SemanticScholarClient  # noqa: E402
from refcheck.testing import (  # noqa: E402
    arxiv_entries,
    load_works,
    serve_arxiv,
    serve_crossref,
    serve_dblp,
    serve_semanticscholar,
)

LISTS = ROOT / "benchmarks" / "coverage" / "lists"
DEVELOPMENT = frozenset({"aed-hallucination.bib"})
FIXTURES = ROOT / "tests" / "fixtures" / "services"
WORKS = ROOT.parent / "shared" / "data" / "crossref" / "works.jsonl.gz"
WRONG_IDS = frozenset({"doi-not-found", "doi-mismatch", "arxiv-not-found", "arxiv-mismatch"})

_ARXIV_NUMBER = re.compile(r"\d{4}\.\d{4,5}|[a-z-]+/\d{7}")
_ML = re.compile(
    r"NeurIPS|NIPS|Neural Information Processing|ICLR|Learning Representations|"
    r"ICML|International Conference on Machine Learning",
    re.IGNORECASE,
)
_ACL = re.compile(r"\bACL\b|EMNLP|NAACL|EACL|Findings of|Computational Linguistics", re.I)


def kind(reference: Reference) -> str:
    """The kind of work a reference cites, for the per-kind shares."""
    venue = reference.container_title or ""
    if reference.arxiv_id or re.search(r"\barxiv\b|\bcorr\b", venue, re.IGNORECASE):
        return "arxiv"
    if _ML.search(venue):
        return "neurips-iclr-icml"
    if _ACL.search(venue):
        return "acl"
    if reference.kind == "proceedings-article":
        return "other-venue"
    if reference.kind == "journal-article" and venue:
        return "journal"
    if reference.kind in ("book", "book-chapter"):
        return "book"
    return "other"


def lists(which: str) -> list[Path]:
    """The reference lists: ``heldout``, ``dev`` or ``all``."""
    files = sorted(LISTS.glob("*.bib"))
    if which == "dev":
        return [f for f in files if f.name in DEVELOPMENT]
    if which == "heldout":
        return [f for f in files if f.name not in DEVELOPMENT]
    return files


# --- records ---------------------------------------------------------------------------------


def _jsonl(path: Path) -> Iterable[dict[str, Any]]:
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield json.loads(line)


def recorded_records(directory: Path | None) -> dict[str, list[Any]]:
    """The records each stand-in serves: from a ``--record`` directory, else the public
    recordings of ``tests/fixtures/services`` and the shared Crossref works."""
    pools: dict[str, list[Any]] = {"arxiv": [], "dblp": [], "semanticscholar": [], "crossref": []}
    if directory is not None:
        for answer in _jsonl(directory / "arxiv.jsonl"):
            if answer["status"] == 200:
                pools["arxiv"] += arxiv_entries(answer["body"])
        for answer in _jsonl(directory / "dblp.jsonl"):
            body = json.loads(answer["body"]) if answer["status"] == 200 else {}
            hits = body.get("result", {}).get("hits", {}).get("hit", [])
            pools["dblp"] += [h["info"] for h in ([hits] if isinstance(hits, dict) else hits)]
        for answer in _jsonl(directory / "semanticscholar.jsonl"):
            body = json.loads(answer["body"]) if answer["status"] == 200 else {}
            pools["semanticscholar"] += body.get("data", [body] if "paperId" in body else [])
        for answer in _jsonl(directory / "crossref.jsonl"):
            body = json.loads(answer["body"]) if answer["status"] == 200 else {}
            message = body.get("message", {})
            pools["crossref"] += message.get("items", [message] if "DOI" in message else [])
    else:
        for path in sorted((FIXTURES / "arxiv").glob("*.json")):
            answer = json.loads(path.read_text(encoding="utf-8"))
            if answer["status_code"] == 200:
                pools["arxiv"] += arxiv_entries(answer["body"])
        for path in sorted((FIXTURES / "arxiv").glob("*.xml")):
            pools["arxiv"] += arxiv_entries(path.read_text(encoding="utf-8"))
        answer = json.loads((FIXTURES / "dblp" / "search_perceptrons_minsky.json").read_text())
        pools["dblp"] += [h["info"] for h in answer["result"]["hits"]["hit"]]
        pools["semanticscholar"] += json.loads(
            (FIXTURES / "semanticscholar" / "papers.json").read_text(encoding="utf-8")
        )
        if WORKS.exists():
            pools["crossref"] += load_works(WORKS)
    pools["arxiv"] = list(dict.fromkeys(pools["arxiv"]))
    pools["crossref"] = list({str(w.get("DOI", "")).lower(): w for w in pools["crossref"]}.values())
    return pools


def record(paths: Sequence[Path], directory: Path, mailto: str) -> None:
    """Check ``paths`` against the live services, saving every answer (needs the network)."""
    directory.mkdir(parents=True, exist_ok=True)
    settings = CrossrefSettings(mailto=mailto, cache=None)
    crossref = CrossrefClient(settings)
    fallbacks = open_fallbacks(("crossref", "arxiv", "dblp", "semanticscholar"), settings)
    for client in (crossref, *fallbacks):
        name = getattr(client, "name", "crossref")
        out = directory / f"{name}.jsonl"

        def save(response: Any, *args: Any, _out: Path = out, **kwargs: Any) -> Any:
            with _out.open("a", encoding="utf-8") as file:
                line = {"url": response.url, "status": response.status_code, "body": response.text}
                file.write(json.dumps(line, ensure_ascii=False) + "\n")
            return response

        client._session.hooks["response"].append(save)
    try:
        check_files(paths, source=crossref, settings=settings, fallbacks=fallbacks)
    finally:
        for client in (crossref, *fallbacks):
            client.close()


# --- one run ---------------------------------------------------------------------------------


def _floor(requests: Mapping[str, int]) -> float:
    """Seconds the services' limits allow at the least: each service's own pace, in parallel."""
    spacing = {"arxiv": 3.0, "dblp": 1.0, "semanticscholar": 1.0, "crossref": 0.1}
    return max((n - 1) * spacing[name] for name, n in requests.items() if n) if requests else 0.0


def run(paths: Sequence[Path], pools: Mapping[str, list[Any]], *, routed: bool) -> dict[str, Any]:
    """Check ``paths`` against the stand-ins: with every source (routed) or Crossref alone."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve_crossref(pools["crossref"], latency=0.25, rate_limit=10, max_concurrency=3) as cr,
        serve_arxiv(pools["arxiv"], latency=0.25, max_concurrency=1) as ax,
        serve_dblp(pools["dblp"], latency=0.25, rate_limit=1, max_concurrency=1) as db,
        serve_semanticscholar(pools["semanticscholar"], latency=0.25, max_concurrency=1) as s2,
    ):
        settings = CrossrefSettings(
            base_url=cr.base_url,
            mailto="benchmark@example.org",
            cache=Path(tmp) / "c.sqlite",
            limits=Limits.polite(),
        )
        common: dict[str, Any] = {"cache": Path(tmp), "mailto": "benchmark@example.org"}
        fallbacks = (
            [
                ArxivClient(base_url=ax.base_url, **common),
                DblpClient(base_url=db.base_url, **common),
                SemanticScholarClient(base_url=s2.base_url, **common),
            ]
            if routed
            else []
        )
        started = time.monotonic()
        try:
            report = check_files(paths, settings=settings, fallbacks=fallbacks, concurrency=3)
        finally:
            for client in fallbacks:
                client.close()
        elapsed = time.monotonic() - started
        requests = {
            "crossref": len(cr.requests),
            "arxiv": len(ax.requests),
            "dblp": len(db.requests),
            "semanticscholar": len(s2.requests),
        }
        refused = cr.refused + ax.refused + db.refused + s2.refused
    return {"report": report, "elapsed": elapsed, "requests": requests, "refused": refused}


# --- the report ------------------------------------------------------------------------------


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f} %)" if whole else "0/0"


def _held(checked: CheckedReference, pools: Mapping[str, list[Any]], titles: set[str]) -> bool:
    """Whether some stand-in holds a record with the cited title (the work can be found)."""
    title = " ".join(re.findall(r"\w+", (checked.reference.title or "").lower()))
    return bool(title) and title in titles


def _titles(pools: Mapping[str, list[Any]]) -> set[str]:
    from defusedxml import ElementTree

    found: set[str] = set()
    for entry in pools["arxiv"]:
        title = ElementTree.fromstring(entry).findtext("{http://www.w3.org/2005/Atom}title") or ""
        found.add(title)
    found |= {str(i.get("title", "")).rstrip(".") for i in pools["dblp"]}
    found |= {str(p.get("title", "")) for p in pools["semanticscholar"]}
    for work in pools["crossref"]:
        title = work.get("title")
        found.add(title[0] if isinstance(title, list) and title else str(title or ""))
    return {" ".join(re.findall(r"\w+", t.lower())) for t in found if t}


def summarise(name: str, result: Mapping[str, Any], pools: Mapping[str, list[Any]]) -> None:
    report: Report = result["report"]
    refs = report.references
    titles = _titles(pools)
    matched = [r for r in refs if r.match.status is MatchStatus.MATCHED]
    held = [r for r in refs if _held(r, pools, titles)]
    print(f"\n## {name}\n")
    print(f"references: {len(refs)}; resolved: {_share(len(matched), len(refs))}")
    print(
        f"references whose title a stand-in holds: {len(held)}; of those resolved: "
        f"{_share(sum(1 for r in held if r in matched), len(held))}"
    )
    by_source = Counter(r.match.source or "-" for r in matched)
    print("resolved by source: " + ", ".join(f"{k} {v}" for k, v in by_source.most_common()))
    kinds: dict[str, list[CheckedReference]] = defaultdict(list)
    for checked in refs:
        kinds[kind(checked.reference)].append(checked)
    print("\n| kind | references | resolved | first source asked |")
    print("|---|---:|---:|---|")
    for label, members in sorted(kinds.items()):
        firsts = Counter(route(c.reference)[0] for c in members)
        done = sum(1 for c in members if c in matched)
        print(
            f"| {label} | {len(members)} | {done} | "
            + ", ".join(f"{k} {v}" for k, v in firsts.most_common())
            + " |"
        )
    wrong = [(c, f) for c in refs for f in c.findings if f.code in WRONG_IDS]
    print(f"\nidentifiers reported wrong: {len(wrong)}")
    for checked, finding in wrong:
        print(f"  [{checked.citation.label}] {finding.code}: {finding.message}")
    n = max(1, len(refs))
    requests = result["requests"]
    print(
        "requests per reference: "
        + ", ".join(f"{k} {v / n:.2f}" for k, v in requests.items() if v)
        + f"; refused (429): {result['refused']}"
    )
    print(f"wall time {result['elapsed']:.1f} s; the limits' floor {_floor(requests):.1f} s")


def identifiers(paths: Sequence[Path]) -> None:
    """How many entries print an arXiv identifier, and how many of those refcheck read."""
    printed = read = 0
    for path in paths:
        raw = path.read_text(encoding="utf-8")
        chunks = re.split(r"(?m)^@", raw)[1:]
        manuscript = read_file(path)
        for chunk, reference in zip(chunks, manuscript.references, strict=False):
            fields = " ".join(
                re.findall(
                    r"(?:journal|eprint|note|url|volume)\s*=\s*[{\"]([^}\"]*)", chunk, re.IGNORECASE
                )
            )
            if re.search(r"arxiv", fields, re.IGNORECASE) and _ARXIV_NUMBER.search(fields):
                printed += 1
                read += bool(reference is not None and reference.arxiv_id)
    print(
        f"\nentries printing an arXiv identifier: {printed}; identifier read: "
        f"{_share(read, printed)}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lists", choices=["heldout", "dev", "all"], default="heldout")
    parser.add_argument("--records", type=Path, help="a --record directory to serve")
    parser.add_argument("--record", type=Path, help="record the live services' answers here")
    parser.add_argument("--mailto", help="your e-mail, for --record")
    args = parser.parse_args(argv)
    paths = lists(args.lists)
    if args.record is not None:
        if not args.mailto:
            parser.error("--record needs --mailto")
        record(paths, args.record, args.mailto)
        return 0
    pools = recorded_records(args.records)
    print(
        f"# coverage: {len(paths)} {args.lists} lists; records served: "
        + ", ".join(f"{k} {len(v)}" for k, v in pools.items())
        + (f" (recorded in {args.records})" if args.records else " (public recordings)")
    )
    identifiers(paths)
    summarise("default sources (routed)", run(paths, pools, routed=True), pools)
    summarise("Crossref alone", run(paths, pools, routed=False), pools)
    return 0


if __name__ == "__main__":
    sys.exit(main())
