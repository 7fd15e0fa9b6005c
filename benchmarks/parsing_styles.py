"""How well :func:`refcheck.parsing.parse_citation` reads the styles authors submit, one by one.

Run from the repository root (needs ``../shared/data`` and the ``bench`` extra)::

    python3 benchmarks/parsing_styles.py [--limit 40] [--seed 5]

The labelled corpora of ``benchmarks/parsing.py`` are real but mixed: they say little about
any one style. Here ``--limit`` genuine Crossref records (``../shared/data/crossref/
works.jsonl.gz``, journal articles, chapters, proceedings papers...) are rendered by
citeproc-py in each CSL style of :data:`STYLES`, clean, and parsed; each field is compared with
the record's own value, normalised as in ``benchmarks/parsing.py``. The parser's model never
saw these citations (it is trained on the GROBID and AnyStyle corpora only).

Accuracy per style and field: the share of citations whose parsed value equals the record's,
counted over the citations whose rendering prints that field (a style that leaves out titles
is not scored on titles). The container counts as right if it is the record's full or
abbreviated journal (styles print one or the other). *first author* is the first author's
surname.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from matching import WORKS, Renderer, csl_item, eligible  # noqa: E402
from parsing import fold, norm_number, norm_pages, norm_text, norm_year  # noqa: E402
from train_segmenter import RENDERED_STYLES  # noqa: E402

from refcheck.parsing import parse_citation  # noqa: E402

#: The styles the parser's rendered training citations are drawn from (on other records).
STYLES = RENDERED_STYLES
FIELDS = ("first author", "title", "container", "year", "volume", "issue", "first page")


def _expected(item: Mapping[str, Any]) -> dict[str, set[str]]:
    """The acceptable normalised values of each field of ``item``."""
    first = item["author"][0]["family"] if item.get("author") else ""
    containers = {
        value
        for key in ("container-title", "container-title-short")
        if (value := norm_text(item.get(key), container=True))
    }
    values = {
        "first author": {fold(first)} if first else set(),
        "title": {norm_text(item.get("title"))},
        "container": containers,
        "year": {str(item["issued"]["date-parts"][0][0])},
        "volume": {norm_number(item.get("volume"))},
        "issue": {norm_number(item.get("issue"))},
        "first page": {norm_pages(item.get("page"))[0]},
    }
    return {name: {v for v in found if v} for name, found in values.items()}


def _parsed(text: str) -> dict[str, str | None]:
    reference = parse_citation(text)
    first = reference.authors[0].family if reference.authors else ""
    return {
        "first author": fold(first) or None,
        "title": norm_text(reference.title),
        "container": norm_text(reference.container_title, container=True),
        "year": norm_year(reference.year),
        "volume": norm_number(reference.volume),
        "issue": norm_number(reference.issue),
        "first page": norm_pages(reference.pages)[0],
    }


def _printed(name: str, values: set[str], text: str) -> bool:
    """Whether the rendering shows one of ``values`` (a style may leave a field out). An issue
    is a short number that may stand anywhere, so it must be printed as one: "(6)", "no. 6"."""
    if name == "issue":
        return any(f"({v})" in text or f"no. {v}" in text for v in values)
    folded = f" {fold(text)} "
    return any(f" {value} " in folded for value in values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=40, help="records per style (40)")
    parser.add_argument("--seed", type=int, default=5, help="random seed (5)")
    parser.add_argument("--errors", metavar="STYLE", help="print the errors of one style")
    args = parser.parse_args(argv)
    if not WORKS.exists():
        print(f"{WORKS} is absent", file=sys.stderr)
        return 2
    with gzip.open(WORKS, "rt", encoding="utf-8") as lines:
        records = [json.loads(line)["record"] for line in lines]
    rng = random.Random(args.seed)
    chosen = rng.sample([r for r in records if eligible(r)], args.limit)
    renderer = Renderer(STYLES)
    rows: list[tuple[str, dict[str, tuple[int, int]]]] = []
    totals = {name: [0, 0] for name in FIELDS}
    for style in STYLES:
        counts = {name: [0, 0] for name in FIELDS}
        for record in chosen:
            item = csl_item(record)
            text = renderer.render(style, item)
            if text is None:
                continue
            got = _parsed(text)
            for name, values in _expected(item).items():
                if not values or not _printed(name, values, text):
                    continue
                counts[name][1] += 1
                totals[name][1] += 1
                if got[name] in values:
                    counts[name][0] += 1
                    totals[name][0] += 1
                elif args.errors == style:
                    print(f"- {name}: want {sorted(values)!r} got {got[name]!r}\n    {text}")
        rows.append((style, {name: (c[0], c[1]) for name, c in counts.items()}))
    if args.errors:
        return 0
    print("| style | " + " | ".join(FIELDS) + " |")
    print("|---|" + "---:|" * len(FIELDS))

    def cell(right: int, scored: int) -> str:
        return f"{right / scored:.2f}" if scored else "–"

    for style, counts in rows:
        print(f"| {style} | " + " | ".join(cell(*counts[n]) for n in FIELDS) + " |")
    print("| **all** | " + " | ".join(f"**{cell(*totals[n])}**" for n in FIELDS) + " |")
    print(
        f"\n{args.limit} records a style, seed {args.seed}; accuracy over the citations "
        "that print the field."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
