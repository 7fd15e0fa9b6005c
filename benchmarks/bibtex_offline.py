"""Offline BibTeX: does one work cited several ways become one entry, and never two works one?

A benchmark script, not a test (``python3 benchmarks/bibtex_offline.py --help``). Offline,
refcheck has no record to say which citations cite the same work, so ``refcheck bibtex
--offline`` merges citations by what they say: the same cited DOI, or the same title, year and
first author (:func:`refcheck.output.bibtex.entry_counts`). This measures that rule on real
reference strings whose cited work is known: the 13,631 strings of
``../shared/data/crossref/citations.jsonl.gz`` that carry the DOI of the work they cite,
deposited by many publishers, so that one work is often cited in several styles.

Each string is parsed (:func:`refcheck.parsing.parse_citation`) and given an unchecked match,
as offline; the entries are counted as :func:`~refcheck.output.bibtex.to_bibtex` groups them,
and compared with the right answer, one entry per DOI:

* *wrong merges*: entries whose citations cite more than one work (a reference lost from the
  .bib file; must be 0);
* *extra entries*: entries beyond one per work (a work written twice or more);
* *before*: the same with the rule this replaced (one entry per distinct parsed reference).

The works are split by a hash of their DOI: the even half is for development, the odd half is
held out, and the held-out figures are the measure (``--part``). The strings' own DOIs are
removed first with ``--no-doi`` (most strings here print it, which makes merging trivial), so
that the title rule is what is measured.

Run from the repository root.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from refcheck.model import CheckedReference, Citation, Match, MatchStatus  # noqa: E402
from refcheck.output.bibtex import _groups  # noqa: E402
from refcheck.parsing import parse_citation  # noqa: E402

CITATIONS = ROOT.parent / "shared" / "data" / "crossref" / "citations.jsonl.gz"
_DOI_IN_TEXT = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|doi:?\s*)?10\.\d{4,9}/\S+", re.I)


def _part(doi: str) -> str:
    return "dev" if hashlib.sha256(doi.lower().encode()).digest()[0] % 2 == 0 else "held-out"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["dev", "held-out"], default="held-out")
    parser.add_argument("--no-doi", action="store_true", help="remove DOIs from the strings")
    args = parser.parse_args(argv)

    checked: list[tuple[str, CheckedReference]] = []
    started = time.perf_counter()
    with gzip.open(CITATIONS, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            doi, text = row.get("doi"), row.get("unstructured")
            if not doi or not text or _part(doi) != args.part:
                continue
            if args.no_doi:
                text = _DOI_IN_TEXT.sub("", text).strip()
            if not text:
                continue
            citation = Citation(text, "citations.jsonl", len(checked) + 1, "")
            reference = parse_citation(citation.text)
            match = Match(MatchStatus.UNCHECKED, reason="offline")
            checked.append((doi.lower(), CheckedReference(citation, reference, match)))
    parsed = time.perf_counter() - started

    works = {doi for doi, _ in checked}
    by_line = {c.citation.line: doi for doi, c in checked}
    groups = _groups(c for _, c in checked)
    wrong = [g for g in groups if len({by_line[c.citation.line] for c in g}) > 1]
    before: dict[object, set[str]] = defaultdict(set)
    for doi, c in checked:
        before[c.reference].add(doi)
    cited_twice = sum(1 for n in Counter(d for d, _ in checked).values() if n > 1)
    # A work in k entries is k - 1 extra entries.
    extra_after = sum(len({by_line[c.citation.line] for c in g}) for g in groups) - len(works)
    extra_before = sum(len(v) for v in before.values()) - len(works)
    print(f"part: {args.part}; DOIs removed from the strings: {args.no_doi}")
    print(f"citations: {len(checked)} of {len(works)} works ({cited_twice} cited more than once)")
    print("| rule | entries | extra entries | wrong merges |")
    print("|---|---|---|---|")
    print(
        f"| one per distinct parsed reference (before) | {len(before)} | "
        f"{extra_before} | {sum(1 for v in before.values() if len(v) > 1)} |"
    )
    print(
        f"| same cited DOI, or title + year + first author (after) | {len(groups)} | "
        f"{extra_after} | {len(wrong)} |"
    )
    print(f"({parsed:.0f} s to parse)")
    for group in wrong[:10]:
        print("wrong merge:", [(by_line[c.citation.line], c.citation.text[:90]) for c in group])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
