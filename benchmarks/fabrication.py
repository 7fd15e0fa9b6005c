"""How often ``may-be-fabricated`` fires on real and on altered references.

The stand-in Crossref (``refcheck.testing.serve_crossref``) indexes the genuine records of
``../shared/data/crossref/works.jsonl.gz`` *minus* a held-out sample of journal articles from
journal-years with at least ``--min-journal`` works. Each held-out record is cited (Vancouver
style, built from its own fields) four ways, and the whole flow (``check_text``) runs on each:

* ``genuine``: the record's own fields. The work exists but the index lacks it, like a real
  paper Crossref does not have: a flag here is a false alarm;
* ``volume+5``: the volume five higher (a volume the journal had not reached that year);
* ``page+5000``: the first page 5000 higher (numeric pages only);
* ``foreign DOI``: a DOI that does not exist, under another publisher's prefix.

    python3 benchmarks/fabrication.py [--sample 60] [--min-journal 25] [--seed 3]

Prints a Markdown table: references, unresolved, flagged ``may-be-fabricated``.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's refcheck, not an installed one

from refcheck.check import check_text  # noqa: E402
from refcheck.model import MatchStatus  # noqa: E402
from refcheck.sources.crossref import CrossrefSettings  # noqa: E402
from refcheck.sources.http.retry import RetryPolicy  # noqa: E402
from refcheck.testing import load_works, serve_crossref  # noqa: E402

GENUINE = ROOT.parent / "shared" / "data" / "crossref" / "works.jsonl.gz"


def _first(value: Any) -> str:
    return value[0] if isinstance(value, list) and value else ""


def _year(record: dict[str, Any]) -> int | None:
    parts = (record.get("issued") or {}).get("date-parts") or [[None]]
    year = parts[0][0] if parts and parts[0] else None
    return year if isinstance(year, int) else None


def _citation(record: dict[str, Any], *, volume: str, page: str, doi: str | None) -> str:
    authors = []
    for author in (record.get("author") or [])[:3]:
        if isinstance(author, dict) and author.get("family"):
            initials = "".join(p[0] for p in str(author.get("given", "")).split() if p)
            authors.append(f"{author['family']} {initials}".strip())
    names = ", ".join(authors) + (", et al" if len(record.get("author") or []) > 3 else "")
    journal = _first(record.get("short-container-title")) or _first(record.get("container-title"))
    text = f"{names}. {_first(record['title'])}. {journal} {_year(record)};{volume}:{page}."
    return text + (f" doi:{doi}" if doi else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=60)
    parser.add_argument("--min-journal", type=int, default=25)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    if not GENUINE.exists():
        raise SystemExit(f"{GENUINE} is absent")
    records = {str(r["DOI"]).lower(): r for r in load_works(GENUINE) if r.get("DOI")}
    groups: dict[tuple[str, int], list[dict[str, Any]]] = collections.defaultdict(list)
    for record in records.values():
        title, year = _first(record.get("container-title")), _year(record)
        if (
            record.get("type") == "journal-article"
            and title
            and year
            and str(record.get("volume", "")).isdigit()
            and _first(record.get("title"))
            and record.get("author")
        ):
            groups[(title, year)].append(record)
    pool = [r for g in groups.values() if len(g) >= args.min_journal for r in g]
    rng = random.Random(args.seed)
    held = rng.sample(pool, min(args.sample, len(pool)))
    held_dois = {str(r["DOI"]).lower() for r in held}
    index = [r for doi, r in records.items() if doi not in held_dois]
    variants: dict[str, list[str]] = collections.defaultdict(list)
    for record in held:
        volume = str(record["volume"])
        page = str(record.get("page") or record.get("article-number") or "")
        prefix = str(record["DOI"]).split("/")[0]
        foreign = "10.1038" if prefix != "10.1038" else "10.1016"
        variants["genuine"].append(_citation(record, volume=volume, page=page, doi=None))
        variants["volume+5"].append(
            _citation(record, volume=str(int(volume) + 5), page=page, doi=None)
        )
        first = page.split("-")[0]
        if first.isdigit():
            variants["page+5000"].append(
                _citation(record, volume=volume, page=str(int(first) + 5000), doi=None)
            )
        variants["foreign DOI"].append(
            _citation(
                record, volume=volume, page=page, doi=f"{foreign}/refcheck.{rng.randrange(10**6)}"
            )
        )
    print(
        f"{len(index)} records indexed; {len(held)} held out from {len(pool)} articles of "
        f"journal-years with >= {args.min_journal} works (seed {args.seed})\n"
    )
    print("| citations | references | unresolved | flagged may-be-fabricated |")
    print("|---|---|---|---|")
    with serve_crossref(index) as server:
        settings = CrossrefSettings(base_url=server.base_url, cache=None, retry=RetryPolicy.never())
        for name, citations in variants.items():
            text = "# References\n\n" + "".join(f"{i}. {c}\n" for i, c in enumerate(citations, 1))
            report = check_text(text, settings=settings, concurrency=2)
            unresolved = sum(r.match.status is MatchStatus.UNRESOLVED for r in report.references)
            flagged = sum(
                any(f.code == "may-be-fabricated" for f in r.findings) for r in report.references
            )
            n = len(report.references)
            print(f"| {name} | {n} | {unresolved} | {flagged} ({flagged / max(n, 1):.0%}) |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
