"""False findings on correct citations: how often refcheck reports what is not true.

A benchmark script, not a test (``python3 benchmarks/false_findings.py --help``). Every citation
it checks is correct, so every finding about a field of the citation is false. It:

1. reads the genuine Crossref records of ``../shared/data/crossref/works.jsonl.gz`` and keeps
   the citable ones (``eligible`` in ``benchmarks/matching.py``) of the half the citation
   parser was *not* trained on; that half is cut in two by another byte of the DOI's hash
   (:func:`part`): the *dev* part, on which refcheck's rules were chosen, and the *held-out*
   part, the measure;
2. renders each of them clean (no injected error) with citeproc-py in the CSL styles of
   :data:`STYLES` (``--styles``), as ``benchmarks/matching.py`` does (no DOI printed);
3. adds the real citation strings that publishers deposited with Crossref
   (``../shared/data/crossref/citations.jsonl.gz``) whose cited DOI is one of the records:
   written by people, they may hold true errors, so they are reported on their own rows and
   their examples are to be read, not counted blindly;
4. serves every record with the stand-in :func:`refcheck.testing.serve_crossref` and resolves
   each citation through the real :class:`~refcheck.sources.crossref.CrossrefClient` over HTTP,
   as ``refcheck check`` does: ``parse_citation``, ``Resolver``, then for a match ``align`` and
   ``compare``.

For each finding code it reports the share of clean, correctly matched references with that
finding as an ``error``, and as a ``warning`` (``info`` is counted, not gated); *any* counts a
reference once, whatever its findings. Findings about the work itself (a retraction or a
correction in the record, :data:`ABOUT_THE_WORK`) are true by the record and shown apart.
References matched to another work or left unmatched are counted too (a match benchmark is
``benchmarks/matching.py``). ``--examples N`` lists up to N examples per code.

Needs the ``bench`` extra: ``pip install -e '.[bench]'``. Run from the repository root.
``--limit N`` takes N records per part, for a quick look; ``--part dev`` runs only the dev part.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from matching import WORKS, Renderer, csl_item, eligible  # noqa: E402
from train_segmenter import RENDERED_STYLES  # noqa: E402

from refcheck.findings import compare  # noqa: E402
from refcheck.model import Finding, Match, MatchStatus, Severity  # noqa: E402
from refcheck.parsing import align, parse_citation  # noqa: E402
from refcheck.sources.crossref import CrossrefClient  # noqa: E402
from refcheck.sources.http.limits import Limits  # noqa: E402
from refcheck.sources.resolve import Resolver  # noqa: E402
from refcheck.testing import load_works, serve_crossref  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
DEPOSITED = DATA / "crossref" / "citations.jsonl.gz"

#: The 15 styles of the parser's rendered training citations (on the other half of the
#: records), and two more the parser never saw: the American Meteorological Society's ("and
#: Coauthors") and the Institute of Physics' Harvard ("Sachs R K 1962").
STYLES = (*RENDERED_STYLES, "american-meteorological-society", "institute-of-physics-harvard")

#: Findings about the work, not the citation: true whatever the citation says.
ABOUT_THE_WORK = frozenset(
    {
        "retracted",
        "corrected",
        "expression-of-concern",
        "reinstated",
        "update-notice",
        "published-version",
        "now-published",
    }
)
PARTS = ("dev", "held-out")
_UNLIMITED = Limits(rate=1e6, concurrency=1000)


def part(doi: str) -> str:
    """The part a record belongs to: "dev" or "held-out", by the second byte of the DOI's
    SHA-1 (the first decides the parser's training half, see ``parser_training``)."""
    digest = hashlib.sha1(doi.lower().encode()).digest()
    return "dev" if digest[1] % 2 == 0 else "held-out"


@attrs.frozen
class Case:
    """One correct citation, its style (or "deposited"), its part and the DOI it cites."""

    style: str
    text: str
    doi: str
    part: str


def rendered(
    records: Sequence[Mapping[str, Any]], styles: Sequence[str], renderer: Renderer
) -> Iterator[Case]:
    for record in records:
        doi = str(record["DOI"]).lower()
        item = csl_item(record)
        for style in styles:
            text = renderer.render(style, item)
            if text is not None:
                yield Case(style, text, doi, part(doi))


def deposited(dois: set[str]) -> list[Case]:
    """The deposited citation strings whose cited DOI is one of ``dois``, once each."""
    cases: dict[tuple[str, str], Case] = {}
    if not DEPOSITED.exists():
        return []
    with gzip.open(DEPOSITED, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            doi = str(row.get("doi") or "").lower()
            text = " ".join(str(row.get("unstructured") or "").split())
            if doi in dois and text:
                cases.setdefault((doi, text), Case("deposited", text, doi, part(doi)))
    return list(cases.values())


@attrs.define
class Tally:
    """What the references of one group got."""

    references: int = 0
    matched: int = 0
    wrong: int = 0
    unmatched: int = 0
    any_error: int = 0
    any_warning: int = 0
    codes: Counter[tuple[str, str]] = attrs.field(factory=Counter)

    def add(self, findings: Sequence[Finding] | None, outcome: str) -> None:
        self.references += 1
        if outcome == "wrong":
            self.wrong += 1
        if outcome == "unmatched":
            self.unmatched += 1
        if findings is None:
            return
        self.matched += 1
        own = [f for f in findings if f.code not in ABOUT_THE_WORK]
        self.any_error += any(f.severity is Severity.ERROR for f in own)
        self.any_warning += any(f.severity is Severity.WARNING for f in own)
        for code, severity in {(f.code, f.severity.value) for f in findings}:
            self.codes[code, severity] += 1


def check(case: Case, resolver: Resolver) -> tuple[Match, tuple[Finding, ...] | None]:
    """Parse, resolve, align and compare one citation as ``refcheck check`` does; the
    findings are ``None`` unless it matched the cited work."""
    reference = parse_citation(case.text)
    match = resolver.resolve(reference)
    if match.status is not MatchStatus.MATCHED or match.work is None:
        return match, None
    if (match.doi or "").lower() != case.doi:
        return match, None
    return match, compare(align(reference, match.work), match)


def _rate(count: int, total: int) -> str:
    return f"{100 * count / total:.2f} %" if total else "–"


def report(
    tallies: Mapping[tuple[str, str], Tally],
    examples: Mapping[tuple[str, str, str], list[str]],
    parts: Sequence[str],
) -> str:
    """The Markdown tables: per code, per style, and the examples."""
    lines: list[str] = []
    rendered_totals = {p: Tally() for p in parts}
    for (style, p), tally in tallies.items():
        if style != "deposited" and p in rendered_totals:
            total = rendered_totals[p]
            for name in ("references", "matched", "wrong", "unmatched", "any_error"):
                setattr(total, name, getattr(total, name) + getattr(tally, name))
            total.any_warning += tally.any_warning
            total.codes.update(tally.codes)
    deposited_totals = {p: tallies.get(("deposited", p), Tally()) for p in parts}

    lines.append("### Per finding code (rendered citations)\n")
    head = " | ".join(f"{p} errors | {p} warnings" for p in parts)
    lines.append(f"| code | {head} |")
    lines.append("|---|" + "---:|---:|" * len(parts))
    codes = sorted({c for t in rendered_totals.values() for c, _ in t.codes})
    rows = [("**any**", "any_error", "any_warning")] + [(f"`{c}`", c, c) for c in codes]
    for label, err, warn in rows:
        cells = []
        for p in parts:
            t = rendered_totals[p]
            if err == "any_error":
                e, w = t.any_error, t.any_warning
            else:
                e, w = t.codes[err, "error"], t.codes[warn, "warning"]
            info = t.codes[err, "info"] if err != "any_error" else 0
            suffix = f" (info {_rate(info, t.matched)})" if info else ""
            cells.append(f"{_rate(e, t.matched)} | {_rate(w, t.matched)}{suffix}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    counts = ", ".join(
        f"{p}: {t.matched} of {t.references} references matched to the cited work "
        f"({t.wrong} to another, {t.unmatched} not matched)"
        for p, t in rendered_totals.items()
    )
    lines.append(f"\n{counts}. Rates are per clean, correctly matched reference.\n")

    lines.append("### Per style (any error / any warning)\n")
    lines.append(
        "| style | " + " | ".join(f"{p} refs | {p} errors | {p} warnings" for p in parts) + " |"
    )
    lines.append("|---|" + "---:|---:|---:|" * len(parts))
    for style in [*STYLES, "deposited"]:
        cells = []
        for p in parts:
            t = tallies.get((style, p), Tally())
            cells.append(
                f"{t.matched} | {_rate(t.any_error, t.matched)} | {_rate(t.any_warning, t.matched)}"
            )
        if any(tallies.get((style, p)) for p in parts):
            lines.append(f"| {style} | " + " | ".join(cells) + " |")

    lines.append("\n### Deposited citation strings, per code\n")
    lines.append(f"| code | {head} |")
    lines.append("|---|" + "---:|---:|" * len(parts))
    codes = sorted({c for t in deposited_totals.values() for c, _ in t.codes})
    for label, err, warn in [("**any**", "any_error", "any_warning")] + [
        (f"`{c}`", c, c) for c in codes
    ]:
        cells = []
        for p in parts:
            t = deposited_totals[p]
            if err == "any_error":
                e, w = t.any_error, t.any_warning
            else:
                e, w = t.codes[err, "error"], t.codes[warn, "warning"]
            cells.append(f"{_rate(e, t.matched)} | {_rate(w, t.matched)}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    counts = ", ".join(
        f"{p}: {t.matched} of {t.references} matched" for p, t in deposited_totals.items()
    )
    lines.append(f"\n{counts}.\n")

    if examples:
        lines.append("### Examples\n")
        for (group, code, severity), found in sorted(examples.items()):
            lines.append(f"- `{code}` ({severity}, {group}):")
            lines.extend(f"  - {example}" for example in found)
    return "\n".join(lines)


def tables_from(path: Path, examples_per_code: int) -> str:
    """The tables of an earlier run, from its ``--findings`` file (parts as they were run)."""

    def recorded(row: dict[str, Any]) -> list[Finding]:
        return [
            Finding(code, Severity(severity), message)
            for code, severity, message in row["findings"]
        ]

    return _tables(path, examples_per_code, recorded)


def recheck(path: Path, examples_per_code: int) -> str:
    """The tables of an earlier run's ``--findings`` file with the findings made again by the
    current code from the same matches (parse, align, compare; no resolving): for a quick
    measure of a change to names, align or compare on the citations of a run."""
    from refcheck.sources.crossref import work_from_crossref

    records = {str(r.get("DOI", "")).lower(): r for r in load_works(WORKS)}

    def made_again(row: dict[str, Any]) -> tuple[Finding, ...]:
        work = work_from_crossref(records[row["doi"]])
        match = Match(MatchStatus.MATCHED, work=work, via="search")
        return compare(align(parse_citation(row["text"]), work), match)

    return _tables(path, examples_per_code, made_again)


def _tables(
    path: Path,
    examples_per_code: int,
    findings_of: Callable[[dict[str, Any]], Sequence[Finding]],
) -> str:
    """The tables of a ``--findings`` file, with ``findings_of`` a matched row's findings."""
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    examples: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    parts: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["part"] not in parts:
                parts.append(row["part"])
            findings = findings_of(row) if row["outcome"] == "matched" else None
            tallies[row["style"], row["part"]].add(findings, row["outcome"])
            group = "deposited" if row["style"] == "deposited" else "rendered"
            for finding in findings or ():
                key = (f"{group}, {row['part']}", finding.code, finding.severity.value)
                if len(examples[key]) < examples_per_code and finding.code not in ABOUT_THE_WORK:
                    examples[key].append(f"{row['style']}: {row['text']} → {finding.message}")
    ordered = [p for p in PARTS if p in parts]
    return report(tallies, examples if examples_per_code else {}, ordered)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--limit", type=int, help="at most N records per part (all)")
    parser.add_argument("--part", choices=(*PARTS, "all"), default="all", help="parts to run")
    parser.add_argument("--styles", default=",".join(STYLES), help="comma-separated CSL styles")
    parser.add_argument("--examples", type=int, default=3, help="examples per code (3)")
    parser.add_argument("--seed", type=int, default=12, help="seed of --limit's sample (12)")
    parser.add_argument("--output", type=Path, help="also write the Markdown here")
    parser.add_argument("--findings", type=Path, help="write every finding (JSON Lines)")
    parser.add_argument(
        "--tables-from", type=Path, help="only make the tables from an earlier --findings file"
    )
    parser.add_argument(
        "--recheck",
        type=Path,
        help="the tables of an earlier --findings file, findings made again by this code",
    )
    args = parser.parse_args(argv)
    if args.tables_from or args.recheck:
        text = (
            recheck(args.recheck, args.examples)
            if args.recheck
            else tables_from(args.tables_from, args.examples)
        )
        print(text)
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        return 0
    if not WORKS.exists():
        print(f"{WORKS} is absent", file=sys.stderr)
        return 2
    started = time.perf_counter()
    parts = PARTS if args.part == "all" else (args.part,)
    styles = [s for s in args.styles.split(",") if s]
    records = load_works(WORKS)
    chosen: list[Mapping[str, Any]] = []
    rng = random.Random(args.seed)
    for p in parts:
        mine = [r for r in records if eligible(r) and part(str(r["DOI"])) == p]
        if args.limit is not None and args.limit < len(mine):
            mine = rng.sample(mine, args.limit)
        chosen.extend(mine)
    indexed = {str(r.get("DOI", "")).lower() for r in records}
    renderer = Renderer(styles)
    cases = [c for c in deposited(indexed) if c.part in parts]
    if args.limit is not None:
        cases = cases[: args.limit]

    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    examples: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    out = args.findings.open("w", encoding="utf-8") if args.findings else None
    with (
        serve_crossref(records) as stand_in,
        CrossrefClient(base_url=stand_in.base_url, cache=None, limits=_UNLIMITED) as client,
    ):
        resolver = Resolver(client)
        for case in [*rendered(chosen, styles, renderer), *cases]:
            match, findings = check(case, resolver)
            outcome = "matched" if findings is not None else "wrong" if match.doi else "unmatched"
            tallies[case.style, case.part].add(findings, outcome)
            group = "deposited" if case.style == "deposited" else "rendered"
            for finding in findings or ():
                key = (f"{group}, {case.part}", finding.code, finding.severity.value)
                if len(examples[key]) < args.examples and finding.code not in ABOUT_THE_WORK:
                    examples[key].append(f"{case.style}: {case.text} → {finding.message}")
            if out is not None:
                out.write(
                    json.dumps(
                        {
                            "style": case.style,
                            "part": case.part,
                            "text": case.text,
                            "doi": case.doi,
                            "outcome": outcome,
                            "found": match.doi,
                            "findings": [
                                [f.code, f.severity.value, f.message] for f in findings or ()
                            ],
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
    if out is not None:
        out.close()
    text = report(tallies, examples if args.examples else {}, parts)
    text += (
        f"\n\n{len(chosen)} records, {len(styles)} styles, {len(cases)} deposited strings; "
        f"wall time {time.perf_counter() - started:.0f} s.\n"
    )
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
