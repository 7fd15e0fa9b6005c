"""How much of a machine-learning, CS or physics reference list refcheck resolves, per source.

A benchmark script, not a test (``python3 benchmarks/coverage.py --help``). It reads real
reference lists (``benchmarks/coverage/lists/*.bib``, from public paper repositories; see the
README there), checks them with refcheck's default routing against stand-ins of Crossref,
arXiv, dblp, Semantic Scholar and OpenAlex that serve *real* records, and again with Crossref
alone, and reports:

* **coverage of the data**: the share of references whose work the record store holds (by the
  hand-checked labels of ``benchmarks/coverage/truth.json``: which records, if any, are the
  cited work);
* **the measure of refcheck**: of those, the share resolved to the right work (a record the
  labels name, or another version of it: its DOI, arXiv id, dblp key or Semantic Scholar id),
  the share resolved to another work (wrong), and the share left unresolved; and, of the
  references whose work the store lacks, how many refcheck still "resolved" (each one a wrong
  match);
* the shares per list, per source and per kind (arXiv, NeurIPS/ICLR/ICML, ACL venues, other CS
  venues, journals, books, other), and how each reference was routed;
* the cited identifiers reported wrong (``doi-not-found``, ``doi-mismatch``,
  ``arxiv-not-found``, ``arxiv-mismatch``), each listed: whether the registry's record of that
  identifier is in the store (a verdict on refcheck) or not (the stand-in cannot know the
  identifier: a verdict on the store, not on refcheck);
* requests per reference to each service, and the wall time against the floor that the
  services' documented limits set (stand-ins answering in 250 ms, at the clients' own pace:
  arXiv one request every 3 s, dblp and Semantic Scholar one a second, OpenAlex 10 a second,
  Crossref's polite pool 10 a second, 3 at a time), with every refusal (429) counted.

**The records.** ``--store DIR`` serves the record store that ``benchmarks/coverage_store.py
--extract-from MIRRORS --store DIR`` builds from public repositories (real answers of the
services recorded by a reference checker's test caches, dblp's export of whole venues; see
that script for each source, its commit and licence), with the recordings this repository
keeps (``tests/fixtures/services/``) and the shared Crossref works. Without ``--store`` only
the two last are served. ``--record DIR --mailto you@example.org`` (needs the network) saves
the live services' answers for the lists instead, and ``--records DIR`` serves those.

The lists are split: ``aed-hallucination.bib`` and ``kvbench.bib`` are the development lists
(looked at while fixing what the benchmark showed), the others are held out (``--lists
heldout``, the default).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
from defusedxml import ElementTree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from refcheck.check import check_files  # noqa: E402
from refcheck.model import CheckedReference, MatchStatus, Reference, Report, Work  # noqa: E402
from refcheck.readers import read_file  # noqa: E402
from refcheck.sources.arxiv import ArxivClient  # noqa: E402
from refcheck.sources.chain import open_fallbacks, route  # noqa: E402
from refcheck.sources.crossref import CrossrefClient, CrossrefSettings  # noqa: E402
from refcheck.sources.dblp import DblpClient  # noqa: E402
from refcheck.sources.http.limits import Limits  # noqa: E402
from refcheck.sources.openalex import OpenAlexClient  # noqa: E402
from refcheck.sources.semanticscholar import SemanticScholarClient  # noqa: E402
from refcheck.testing import (  # noqa: E402
    arxiv_entries,
    serve_arxiv,
    serve_crossref,
    serve_dblp,
    serve_openalex,
    serve_semanticscholar,
)

sys.path.insert(0, str(ROOT / "benchmarks"))
from coverage_store import SERVICES, load  # noqa: E402

LISTS = ROOT / "benchmarks" / "coverage" / "lists"
TRUTH = ROOT / "benchmarks" / "coverage" / "truth.json"
DEVELOPMENT = frozenset({"aed-hallucination.bib", "kvbench.bib"})
#: The lists of machine-learning papers (the issue's 97 % goal is about these).
ML_LISTS = frozenset(
    {
        "aed-hallucination.bib",
        "kvbench.bib",
        "programmable-kv.bib",
        "asycn-verl.bib",
        "aoi-agents.bib",
        "robust-execution.bib",
    }
)
WRONG_IDS = frozenset({"doi-not-found", "doi-mismatch", "arxiv-not-found", "arxiv-mismatch"})
SPACING = {"arxiv": 3.0, "dblp": 1.0, "semanticscholar": 1.0, "openalex": 0.1, "crossref": 0.1}

_ARXIV_NUMBER = re.compile(r"\d{4}\.\d{4,5}|[a-z-]+/\d{7}")
_ML = re.compile(
    r"NeurIPS|NIPS|Neural Information Processing|ICLR|Learning Representations|"
    r"ICML|International Conference on Machine Learning",
    re.IGNORECASE,
)
_ACL = re.compile(r"\bACL\b|EMNLP|NAACL|EACL|Findings of|Computational Linguistics", re.I)
_ATOM = "{http://www.w3.org/2005/Atom}"


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


def recorded_answers(directory: Path) -> dict[str, list[Any]]:
    """The records of the answers a ``--record`` run saved, for each stand-in."""
    pools: dict[str, list[Any]] = {s: [] for s in SERVICES}
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
    for answer in _jsonl(directory / "openalex.jsonl"):
        body = json.loads(answer["body"]) if answer["status"] == 200 else {}
        pools["openalex"] += body.get("results", [body] if "id" in body else [])
    for answer in _jsonl(directory / "crossref.jsonl"):
        body = json.loads(answer["body"]) if answer["status"] == 200 else {}
        message = body.get("message", {})
        pools["crossref"] += message.get("items", [message] if "DOI" in message else [])
    return pools


def record(paths: Sequence[Path], directory: Path, mailto: str) -> None:
    """Check ``paths`` against the live services, saving every answer (needs the network)."""
    directory.mkdir(parents=True, exist_ok=True)
    settings = CrossrefSettings(mailto=mailto, cache=None)
    crossref = CrossrefClient(settings)
    names = ("crossref", "arxiv", "dblp", "openalex", "semanticscholar")
    fallbacks = open_fallbacks(names, settings)
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


# --- what the labels say: the identifiers of the cited work ----------------------------------


def _norm(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", bare.lower()))


def _arxiv_of_doi(doi: str) -> str | None:
    found = re.fullmatch(r"10\.48550/arxiv\.(.+)", doi.lower())
    return found[1] if found else None


def identities(pools: Mapping[str, list[Any]]) -> dict[str, set[str]]:
    """Every record's identifiers ("doi:", "arxiv:", "dblp:", "s2:", "openalex:", "title:"),
    keyed by the record's own label (the ones ``truth.json`` uses)."""
    found: dict[str, set[str]] = {}
    for entry in pools["arxiv"]:
        element = ElementTree.fromstring(entry)
        address = (element.findtext(f"{_ATOM}id") or "").rsplit("/abs/", 1)[-1]
        bare = re.sub(r"v\d+$", "", address)
        ids = {f"arxiv:{bare}", "title:" + _norm(element.findtext(f"{_ATOM}title"))}
        doi = element.findtext("{http://arxiv.org/schemas/atom}doi")
        if doi:
            ids.add(f"doi:{doi.strip().lower()}")
        found[f"arxiv:{bare}"] = ids
    for info in pools["dblp"]:
        ids = {f"dblp:{info.get('key')}", "title:" + _norm(str(info.get("title") or ""))}
        doi = str(info.get("doi") or "").lower()
        if doi:
            ids.add(f"doi:{doi}")
            if _arxiv_of_doi(doi):
                ids.add(f"arxiv:{_arxiv_of_doi(doi)}")
        volume = str(info.get("volume") or "")
        if info.get("venue") == "CoRR" and volume.startswith("abs/"):
            ids.add(f"arxiv:{volume[4:]}")
        found[f"dblp:{info.get('key')}"] = ids
    for paper in pools["semanticscholar"]:
        ids = {f"s2:{paper['paperId']}", "title:" + _norm(paper.get("title"))}
        external = paper.get("externalIds") or {}
        if external.get("DOI"):
            ids.add(f"doi:{str(external['DOI']).lower()}")
        if external.get("ArXiv"):
            ids.add(f"arxiv:{external['ArXiv']}")
        if external.get("DBLP"):
            ids.add(f"dblp:{external['DBLP']}")
        found[f"s2:{paper['paperId']}"] = ids
    for work in pools["crossref"]:
        doi = str(work["DOI"]).lower()
        title = work.get("title")
        title = title[0] if isinstance(title, list) and title else title
        found[f"doi:{doi}"] = {f"doi:{doi}", "title:" + _norm(str(title or ""))}
    for work in pools["openalex"]:
        label = "openalex:" + str(work["id"]).rsplit("/", 1)[-1]
        ids = {label, "title:" + _norm(work.get("title") or work.get("display_name"))}
        doi = re.sub(r"^https?://(dx\.)?doi\.org/", "", str(work.get("doi") or "")).lower()
        if doi:
            ids.add(f"doi:{doi}")
            if _arxiv_of_doi(doi):
                ids.add(f"arxiv:{_arxiv_of_doi(doi)}")
        found[label] = ids
    return found


def work_ids(work: Work, source: str | None) -> set[str]:
    """The identifiers of a work refcheck matched (those :func:`identities` gives a record)."""
    ids = {"title:" + _norm(work.title)}
    if work.doi:
        ids.add(f"doi:{work.doi.lower()}")
        if _arxiv_of_doi(work.doi):
            ids.add(f"arxiv:{_arxiv_of_doi(work.doi)}")
    if work.arxiv_id:
        ids.add(f"arxiv:{work.arxiv_id}")
    if work.key and source == "dblp":
        ids.add(f"dblp:{work.key}")
    if work.key and source == "semanticscholar":
        ids.add(f"s2:{work.key}")
    return ids


def load_truth() -> dict[str, dict[str, Any]]:
    """``truth.json``: for each list, each entry's key -> the records that are the cited work."""
    if not TRUTH.exists():
        return {}
    return json.loads(TRUTH.read_text(encoding="utf-8"))["lists"]


# --- one run ---------------------------------------------------------------------------------


def _floor(requests: Mapping[str, int]) -> float:
    """Seconds the services' limits allow at the least: each service's own pace, in parallel."""
    return max(((n - 1) * SPACING[name] for name, n in requests.items() if n), default=0.0)


def run(paths: Sequence[Path], pools: Mapping[str, list[Any]], *, routed: bool) -> dict[str, Any]:
    """Check ``paths`` against the stand-ins: with every source (routed) or Crossref alone."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve_crossref(pools["crossref"], latency=0.25, rate_limit=10, max_concurrency=3) as cr,
        serve_arxiv(pools["arxiv"], latency=0.25, max_concurrency=1) as ax,
        serve_dblp(pools["dblp"], latency=0.25, rate_limit=1, max_concurrency=1) as db,
        serve_semanticscholar(pools["semanticscholar"], latency=0.25, max_concurrency=1) as s2,
        serve_openalex(pools["openalex"], latency=0.25, rate_limit=10, max_concurrency=3) as oa,
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
                OpenAlexClient(base_url=oa.base_url, **common),
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
        stand_ins = {"crossref": cr, "arxiv": ax, "dblp": db, "semanticscholar": s2, "openalex": oa}
        requests = {name: len(s.requests) for name, s in stand_ins.items()}
        refused = {name: s.refused for name, s in stand_ins.items()}
    return {"report": report, "elapsed": elapsed, "requests": requests, "refused": refused}


# --- the report ------------------------------------------------------------------------------


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f} %)" if whole else "0/0"


@attrs.frozen
class Outcome:
    """One reference's result against the labels."""

    list_name: str
    checked: CheckedReference
    held: bool  # the store holds a record of the cited work
    verdict: str  # "right", "wrong" (another work), "unresolved"
    note: str = ""


def outcomes(report: Report, pools: Mapping[str, list[Any]]) -> list[Outcome]:
    """Each reference of ``report`` against ``truth.json``."""
    truth = load_truth()
    ids = identities(pools)
    result = []
    for checked in report.references:
        list_name = Path(checked.citation.file).name
        label = (truth.get(list_name) or {}).get(checked.citation.label or "", {})
        records = [r for r in label.get("works", []) if r in ids]
        held = bool(records)
        known = set().union(*(ids[r] for r in records)) if records else set()
        match = checked.match
        if match.status is not MatchStatus.MATCHED or match.work is None:
            verdict = "unresolved"
        else:
            found = work_ids(match.work, match.source)
            strong = {i for i in found if not i.startswith("title:")}
            agree = bool(strong & known) or (not strong and bool(found & known))
            verdict = "right" if agree else "wrong"
        result.append(Outcome(list_name, checked, held, verdict, label.get("note", "")))
    return result


def _registered(pools: Mapping[str, list[Any]]) -> set[str]:
    """The identifiers whose registry's record the store holds: arXiv's entries, Crossref's
    DOIs (the registries refcheck takes the word of, see ``refcheck.sources.chain``)."""
    ids = identities({**{s: [] for s in SERVICES}, "arxiv": pools["arxiv"]})
    found = {i for s in ids.values() for i in s if i.startswith("arxiv:")}
    return found | {f"doi:{str(w['DOI']).lower()}" for w in pools["crossref"]}


def _in_store(code: str, checked: CheckedReference, registered: set[str]) -> bool:
    """Whether the registry's record of the identifier a finding judges is in the store."""
    reference = checked.reference
    if code.startswith("arxiv") and reference.arxiv_id:
        return f"arxiv:{re.sub(r'v[0-9]+$', '', reference.arxiv_id)}" in registered
    if reference.doi:
        return f"doi:{reference.doi.lower()}" in registered
    return False


def summarise(
    name: str, result: Mapping[str, Any], paths: Sequence[Path], pools: Mapping[str, list[Any]]
) -> None:
    report: Report = result["report"]
    rows = outcomes(report, pools)
    print(f"\n## {name}\n")
    print(
        "| list | references | store holds the work | of those: right work | wrong work "
        "| unresolved | store lacks it: resolved anyway (wrong) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for row in rows:
        groups[row.list_name].append(row)
    ml = [r for r in rows if r.list_name in ML_LISTS]
    for label, members in [*sorted(groups.items()), ("all ML lists", ml), ("all", rows)]:
        held = [r for r in members if r.held]
        lacked = [r for r in members if not r.held]
        print(
            f"| {label} | {len(members)} | {_share(len(held), len(members))} "
            f"| {_share(sum(r.verdict == 'right' for r in held), len(held))} "
            f"| {sum(r.verdict == 'wrong' for r in held)} "
            f"| {sum(r.verdict == 'unresolved' for r in held)} "
            f"| {sum(r.verdict != 'unresolved' for r in lacked)} |"
        )
    matched = [r for r in rows if r.verdict != "unresolved"]
    by_source = Counter(r.checked.match.source or "-" for r in matched)
    print("\nresolved by source: " + ", ".join(f"{k} {v}" for k, v in by_source.most_common()))
    kinds: dict[str, list[Outcome]] = defaultdict(list)
    for row in rows:
        kinds[kind(row.checked.reference)].append(row)
    print("\n| kind | references | store holds | right work | first source asked |")
    print("|---|---:|---:|---:|---|")
    for label, members in sorted(kinds.items()):
        firsts = Counter(route(r.checked.reference)[0] for r in members)
        held = [r for r in members if r.held]
        print(
            f"| {label} | {len(members)} | {len(held)} "
            f"| {sum(r.verdict == 'right' for r in held)} | "
            + ", ".join(f"{k} {v}" for k, v in firsts.most_common())
            + " |"
        )
    problems = [r for r in rows if r.verdict == "wrong" or (r.held and r.verdict == "unresolved")]
    if problems:
        print("\nwrong or unresolved although the store holds the work:")
    for row in problems:
        match = row.checked.match
        work = match.work
        print(
            f"  [{row.list_name} {row.checked.citation.label}] {row.verdict}"
            + (f" -> {match.source}: {work.title!r} ({work.doi or work.key})" if work else "")
            + (f"; {match.reason}" if row.verdict == "unresolved" and match.reason else "")
        )
    registered = _registered(pools)
    wrong = [(r, f) for r in rows for f in r.checked.findings if f.code in WRONG_IDS]
    judged = [(r, f) for r, f in wrong if _in_store(f.code, r.checked, registered)]
    print(
        f"\nidentifiers reported wrong: {len(wrong)}; of those, the registry's record is in "
        f"the store (a verdict on refcheck): {len(judged)}; the store lacks it (a verdict on "
        f"the store): {len(wrong) - len(judged)}"
    )
    for row, finding in wrong:
        where = "in store" if (row, finding) in judged else "store lacks it"
        print(
            f"  [{row.list_name} {row.checked.citation.label}] ({where}) {finding.code}: "
            f"{finding.message}"
        )
    published = [r for r in rows if r.checked.match.published is not None]
    print(f"\npublished versions found for matched preprints: {len(published)}")
    for row in published:
        version = row.checked.match.published
        assert version is not None
        where = f"[{row.list_name} {row.checked.citation.label}]"
        print(
            f"  {where} {row.checked.match.published_source}: {version.container_title} "
            f"{version.issued or ''} {version.doi or version.key or ''}"
        )
    n = max(1, len(rows))
    requests = result["requests"]
    print(
        "\nrequests per reference: "
        + ", ".join(f"{k} {v / n:.2f}" for k, v in requests.items() if v)
        + f"; refused (429): {sum(result['refused'].values())}"
        + "".join(f", {k} {v}" for k, v in result["refused"].items() if v)
    )
    print(f"wall time {result['elapsed']:.1f} s; the limits' floor {_floor(requests):.1f} s")


def identifiers(paths: Sequence[Path]) -> None:
    """How many entries print an arXiv identifier, and how many of those refcheck read."""
    printed = read = 0
    for path in paths:
        raw = path.read_text(encoding="utf-8")
        chunks = re.split(r"(?m)^@", raw)[1:]
        chunks = [c for c in chunks if not re.match(r"(?i)(comment|string|preamble)\b", c)]
        manuscript = read_file(path)
        for chunk, reference in zip(chunks, manuscript.references, strict=False):
            fields = " ".join(
                re.findall(
                    r"(?:journal|eprint|note|url|volume|booktitle|howpublished)\s*=\s*[{\"]([^}\"]*)",
                    chunk,
                    re.IGNORECASE,
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
    parser.add_argument("--store", type=Path, help="a store that coverage_store.py built")
    parser.add_argument("--records", type=Path, help="a --record directory to serve")
    parser.add_argument("--record", type=Path, help="record the live services' answers here")
    parser.add_argument("--mailto", help="your e-mail, for --record")
    parser.add_argument("--no-crossref-alone", action="store_true", help="skip the second run")
    args = parser.parse_args(argv)
    paths = lists(args.lists)
    if args.record is not None:
        if not args.mailto:
            parser.error("--record needs --mailto")
        record(paths, args.record, args.mailto)
        return 0
    if args.records is not None:
        pools = recorded_answers(args.records)
        served = f"recorded in {args.records}"
    else:
        pools, _ = load(args.store)
        served = f"the store {args.store}" if args.store else "the recordings kept here"
    print(
        f"# coverage: {len(paths)} {args.lists} lists; records served ({served}): "
        + ", ".join(f"{k} {len(v)}" for k, v in pools.items())
    )
    identifiers(paths)
    summarise("default sources (routed)", run(paths, pools, routed=True), paths, pools)
    if not args.no_crossref_alone:
        summarise("Crossref alone", run(paths, pools, routed=False), paths, pools)
    return 0


if __name__ == "__main__":
    sys.exit(main())
