"""How well refcheck reads reference lists from PDF: entries, fields, matching, speed.

A benchmark script, not a test (``python3 benchmarks/pdf.py --help``). Three corpora:

* **generated**: the papers ``benchmarks/make_pdfs.py`` renders from genuine Crossref records
  through LaTeX bibliography styles and pandoc + CSL (``benchmarks/.pdf-corpus``; run that
  script first). ``tune-*`` papers are the ones the heuristics were chosen on; ``test-*``
  papers cite other records (held out) and are the measure.
* **real**: published PDFs listed in ``benchmarks/pdf_real.json`` (provenance, licence, and
  the truth: each entry's first author, title, journal, year, volume, first page, from the
  article's JATS or the paper's own ``.bbl``), fetched into ``benchmarks/.pdf-real``. Those
  whose ``part`` is ``tune`` were looked at while writing the reader; ``test`` ones were not.

* **pmc** (``--corpus pmc``): open-access articles' published PDFs with their publisher's
  JATS / BioMed Central XML as the truth, rebuilt by ``benchmarks/pdf_pmc.py`` from the
  listing ``benchmarks/pdf_pmc.json`` into ``benchmarks/.pdf-pmc``; ``part`` as above.

For each file it reports:

* **entries**: precision, recall and F1 of the entries found. An entry found is right when it
  holds the title of exactly one true entry (fuzzy: rapidfuzz ``partial_ratio`` >= 90 after
  folding case, accents and punctuation) and its first author's surname; each true entry
  counts once;
* **fields**: for the entries found, what ``parse_citation`` makes of the text, field by field
  against the truth, *strict* (equal after collapsing spaces; GROBID's strict measure) and
  *soft* (equal after folding case, accents and punctuation), as F1 over the true entries;
* **matching** (``--match``): the share of true entries whose DOI ``refcheck`` finds when it
  checks the PDF against the Crossref stand-in serving all 8,502 records, next to the same
  references given as text: the ``.bbl`` of the LaTeX papers, pandoc's plain-text rendering of
  the pandoc papers;
* **speed**: CPU seconds per page of ``read_file``, its PDF worker process included (the
  network aside), and for
  ``--pages N``, a paper of N pages made by repeating a generated one;
* ``--startup``: what the PDF worker process costs (a one-page PDF through it and in-process);
* ``--libraries``: pypdfium2, pdfminer.six and pypdf side by side: CPU time per page to get
  every character with its position and size, and the share of the true titles' words found
  in what each gives.

Run from the repository root with ``export PYTHONPATH=$PWD``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from rapidfuzz import fuzz  # noqa: E402

from refcheck.model import Citation  # noqa: E402
from refcheck.parsing import parse_citation  # noqa: E402
from refcheck.readers import read_file  # noqa: E402

GENERATED = ROOT / "benchmarks" / ".pdf-corpus"
REAL = ROOT / "benchmarks" / ".pdf-real"
REAL_LIST = ROOT / "benchmarks" / "pdf_real.json"
PMC = ROOT / "benchmarks" / ".pdf-pmc"
FIELDS = ("first_author", "title", "journal", "year", "volume", "first_page")


def fold(text: str | None) -> str:
    """Case, accents, punctuation and spacing folded: the *soft* comparison."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s]|_", " ", text.casefold()).split())


def strict(text: str | None) -> str:
    """Spacing collapsed, Unicode composed: the *strict* comparison."""
    return unicodedata.normalize("NFC", " ".join((text or "").split()))


@attrs.define
class Tally:
    files: int = 0
    pages: int = 0
    found: int = 0
    right: int = 0
    truth: int = 0
    seconds: float = 0.0
    strict: dict[str, list[int]] = attrs.field(factory=lambda: {f: [0, 0, 0] for f in FIELDS})
    soft: dict[str, list[int]] = attrs.field(factory=lambda: {f: [0, 0, 0] for f in FIELDS})
    matched_pdf: int = 0
    matched_text: int = 0
    matchable: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.right / self.truth if self.truth else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Tally) -> None:
        for name in (
            "files",
            "pages",
            "found",
            "right",
            "truth",
            "seconds",
            "matched_pdf",
            "matched_text",
            "matchable",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in ((self.strict, other.strict), (self.soft, other.soft)):
            for key, counts in theirs.items():
                for i, n in enumerate(counts):
                    mine[key][i] += n


def cpu() -> float:
    """CPU seconds of this process and of the children it has waited for (the PDF worker)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _f1(counts: Sequence[int]) -> float:
    """F1 from (right, predicted, expected)."""
    right, predicted, expected = counts
    p = right / predicted if predicted else 0.0
    r = right / expected if expected else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def assign(citations: Sequence[Citation], truth: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """Which true entry each right citation is: ``{citation index: truth index}``."""
    # A work without a title (a web page) is known by the start of its citation's text.
    folded_truth = [
        (fold(t["title"]) or fold(t.get("text"))[:80], fold(t["family"])) for t in truth
    ]
    scores: list[tuple[float, int, int]] = []
    for i, citation in enumerate(citations):
        text = fold(citation.text)
        hits = []
        # "———. 1998. Text categorization..." repeats the previous entry's authors.
        repeated = bool(re.match(r"\s*(?:[-‐–—―_]\s*){2,}", citation.text))
        for j, (title, family) in enumerate(folded_truth):
            if family and not repeated and family.split()[-1] not in text:
                continue
            if not title:
                continue
            score = fuzz.partial_ratio(title[:120], text) if title else 0.0
            if score >= 90:
                hits.append((score, j))
        for score, j in hits:
            scores.append((score, i, j))
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for _, i, j in sorted(scores, reverse=True):
        if i in pairs or j in taken:
            continue
        pairs[i] = j
        taken.add(j)
    return pairs


def _parsed(citation: Citation, reference: Any) -> dict[str, str | None]:
    ref = reference if reference is not None else parse_citation(citation.text)
    return {
        "first_author": ref.authors[0].family if ref.authors else None,
        "title": ref.title,
        "journal": ref.container_title,
        "year": ref.year,
        "volume": ref.volume,
        "first_page": ref.first_page,
    }


def _true_fields(entry: Mapping[str, Any]) -> dict[str, str | None]:
    pages = entry.get("pages") or ""
    return {
        "first_author": entry.get("family"),
        "title": entry.get("title"),
        "journal": entry.get("container"),
        "year": entry.get("year"),
        "volume": entry.get("volume"),
        "first_page": re.split(r"[-–]", pages)[0] if pages else None,
    }


def score_file(path: Path, truth: Mapping[str, Any], tally: Tally, misses: list[str]) -> None:
    """Read one file and add what it gives to ``tally``."""
    from refcheck.errors import ParseError
    from refcheck.readers.text import Manuscript

    started = cpu()
    try:
        manuscript = read_file(path)
    except ParseError as exc:  # counted as a file of which nothing was read
        misses.append(f"{path.name}: not read: {exc}")
        manuscript = Manuscript(file=str(path), citations=())
    tally.seconds += cpu() - started
    tally.files += 1
    tally.pages += _page_count(path)
    entries = [e for entries in truth["lists"] for e in entries]
    citations = list(manuscript.citations)
    references = list(manuscript.references) or [None] * len(citations)
    pairs = assign(citations, entries)
    tally.found += len(citations)
    tally.right += len(pairs)
    tally.truth += len(entries)
    for i, citation in enumerate(citations):
        if i not in pairs:
            misses.append(f"{path.name}: extra or wrong [{citation.label}] {citation.text[:160]}")
    missing = set(range(len(entries))) - set(pairs.values())
    for j in sorted(missing):
        title = entries[j]["title"] or entries[j].get("text") or ""
        misses.append(f"{path.name}: missed {entries[j]['family']}, {title[:100]}")
    parsed = {j: _parsed(citations[i], references[i]) for i, j in pairs.items()}
    # As GROBID counts them: the fields of an entry found that is no true entry are fields
    # predicted (they lower precision), and a true entry not found predicts nothing.
    for i, citation in enumerate(citations):
        if i in pairs:
            continue
        extra = _parsed(citation, references[i])
        for field in FIELDS:
            for table, norm in ((tally.strict, strict), (tally.soft, fold)):
                if norm(extra[field]):
                    table[field][1] += 1
    for j, entry in enumerate(entries):
        expected = _true_fields(entry)
        got = parsed.get(j, dict.fromkeys(FIELDS))
        for field in FIELDS:
            for table, norm in ((tally.strict, strict), (tally.soft, fold)):
                want, have = norm(expected[field]), norm(got[field])
                if want and have and want == have:
                    table[field][0] += 1
                if have:
                    table[field][1] += 1
                if want:
                    table[field][2] += 1


def _page_count(path: Path) -> int:
    if path.suffix.lower() != ".pdf":
        return 0
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    try:
        return len(document)
    finally:
        document.close()


# --- matching ---------------------------------------------------------------------------------


def match_recall(path: Path, truth: Mapping[str, Any], client: Any, tally: Tally) -> None:
    """The true DOIs found checking the PDF, and checking the same references as text."""
    from refcheck.check import check_files

    dois = {e["doi"].lower() for entries in truth["lists"] for e in entries}
    text_twin = _text_twin(path)
    if text_twin is None:
        return
    supplement = path.with_suffix(".supplement.bbl")
    twins = [text_twin, *([supplement] if supplement.exists() else [])]
    for targets, attribute in (([path], "matched_pdf"), (twins, "matched_text")):
        report = check_files(targets, source=client, concurrency=1)
        found = {c.match.doi.lower() for c in report.references if c.match.doi}
        setattr(tally, attribute, getattr(tally, attribute) + len(found & dois))
    tally.matchable += len(dois)


def _text_twin(path: Path) -> Path | None:
    """The same references as text: the paper's ``.bbl`` (BibTeX's), pandoc's plain text, or
    for a biblatex paper (whose ``.bbl`` is not text) its ``.bib``."""
    bbl = path.with_suffix(".bbl")
    if bbl.exists() and "\\entry{" not in bbl.read_text(encoding="utf-8", errors="replace"):
        return bbl
    for suffix in (".txt", ".bib"):
        twin = path.with_suffix(suffix)
        if twin.exists():
            return twin
    return None


# --- libraries ----------------------------------------------------------------------------


def _pdfium_text(path: Path) -> tuple[str, int]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(path)
    parts = []
    for page in document:
        textpage = page.get_textpage()
        for i in range(textpage.count_chars()):
            parts.append(chr(raw.FPDFText_GetUnicode(textpage.raw, i) or 32))
            textpage.get_charbox(i, loose=True)
            raw.FPDFText_GetFontSize(textpage.raw, i)
    pages = len(document)
    document.close()
    return "".join(parts), pages


def _pdfminer_text(path: Path) -> tuple[str, int]:
    import logging

    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTAnno, LTChar, LTComponent, LTContainer

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    parts: list[str] = []
    pages = 0

    def walk(item: LTComponent | LTAnno) -> None:
        if isinstance(item, LTChar):
            parts.append(item.get_text())
            _ = (item.x0, item.y0, item.size)
        elif isinstance(item, LTAnno):
            parts.append(item.get_text())  # the spaces and line ends pdfminer infers
        elif isinstance(item, LTContainer):
            for child in item:
                walk(child)
            parts.append(" ")

    for page in extract_pages(path, laparams=LAParams()):
        pages += 1
        walk(page)
    return "".join(parts), pages


def _pypdf_text(path: Path) -> tuple[str, int]:
    import logging

    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = pypdf.PdfReader(path)
    parts: list[str] = []
    for page in reader.pages:
        page.extract_text(visitor_text=lambda t, cm, tm, font, size: parts.append(t))
    return " ".join(parts), len(reader.pages)


def libraries(files: Sequence[tuple[Path, Mapping[str, Any]]]) -> str:
    rows = []
    for name, function in (
        ("pypdfium2", _pdfium_text),
        ("pdfminer.six", _pdfminer_text),
        ("pypdf", _pypdf_text),
    ):
        seconds = 0.0
        pages = 0
        words_found = words = 0
        for path, truth in files:
            started = time.process_time()
            text, n = function(path)
            seconds += time.process_time() - started
            pages += n
            folded = set(fold(text).split())
            for entries in truth["lists"]:
                for entry in entries:
                    for word in fold(entry["title"]).split():
                        words += 1
                        words_found += word in folded
        rows.append(f"| {name} | {1000 * seconds / pages:.0f} | {words_found / words:.3f} |")
    return (
        "| library | ms per page (characters, boxes, sizes) | title words found |\n"
        "|---|---:|---:|\n" + "\n".join(rows)
    )


# --- the corpus -----------------------------------------------------------------------------


def generated(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    files = []
    for truth_file in sorted(folder.glob("*.truth.json")):
        stem = truth_file.name.removesuffix(".truth.json")
        for suffix in (".pdf", ".docx"):
            path = folder / (stem + suffix)
            if path.exists():
                files.append((path, json.loads(truth_file.read_text(encoding="utf-8"))))
    return files


def real(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    if not REAL_LIST.exists():
        return []
    listing = json.loads(REAL_LIST.read_text(encoding="utf-8"))
    files = []
    for item in listing["papers"]:
        path = folder / item["file"]
        if path.exists():
            files.append((path, {"style": "real", "part": item["part"], "lists": item["lists"]}))
    return files


def pmc(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The publisher-truth corpus that ``benchmarks/pdf_pmc.py`` builds."""
    files = []
    for truth_file in sorted(folder.glob("*.truth.json")):
        path = folder / (truth_file.name.removesuffix(".truth.json") + ".pdf")
        if path.exists():
            files.append((path, json.loads(truth_file.read_text(encoding="utf-8"))))
    return files


def _group(path: Path, truth: Mapping[str, Any]) -> tuple[str, str]:
    part = truth.get("part") or path.name.split("-", 1)[0]
    return part, str(truth.get("style", "?"))


def table(tallies: Mapping[str, Tally], matching: bool) -> str:
    head = "| papers | files | pages | entries P / R / F1 | ms/page |"
    rule = "|---|---:|---:|---|---:|"
    if matching:
        head += " matching recall, PDF / text |"
        rule += "---|"
    lines = [head, rule]
    for name, t in tallies.items():
        ms = f"{1000 * t.seconds / t.pages:.0f}" if t.pages else "–"
        line = (
            f"| {name} | {t.files} | {t.pages} | {t.precision:.3f} / {t.recall:.3f} / "
            f"**{t.f1:.3f}** | {ms} |"
        )
        if matching:
            line += (
                f" {t.matched_pdf / t.matchable:.3f} / {t.matched_text / t.matchable:.3f} |"
                if t.matchable
                else " – |"
            )
        lines.append(line)
    return "\n".join(lines)


def field_table(tallies: Mapping[str, Tally]) -> str:
    lines = [
        "| papers | " + " | ".join(f.replace("_", " ") for f in FIELDS) + " | micro |",
        "|---|" + "---:|" * (len(FIELDS) + 1),
    ]
    for name, t in tallies.items():
        for label, counts in (("strict", t.strict), ("soft", t.soft)):
            total = [sum(c[i] for c in counts.values()) for i in range(3)]
            cells = " | ".join(f"{100 * _f1(counts[f]):.1f}" for f in FIELDS)
            lines.append(f"| {name}, {label} | {cells} | {100 * _f1(total):.1f} |")
    return "\n".join(lines)


def _publisher(name: str) -> str:
    """A publisher's name, shortened to group its imprints ("Hindawi Publishing Corporation"
    and "Hindawi"; "Nature Publishing Group UK")."""
    known = (
        "Hindawi",
        "BioMed Central",
        "MDPI",
        "Elsevier",
        "Public Library of Science",
        "Nature",
        "Wiley",
        "Frontiers",
        "Oxford",
        "SAGE",
        "Springer",
        "F1000",
        "Dove",
    )
    return next((k for k in known if k.lower() in name.lower()), "other")


def long_paper(pages: int, source: Path) -> float:
    """CPU seconds to read a paper of ``pages`` pages: the generated one repeated."""
    import pypdfium2 as pdfium

    from refcheck.readers.pdf import pdf_manuscript, pdf_pages

    base = pdfium.PdfDocument(source)
    document = pdfium.PdfDocument.new()
    while len(document) < pages:
        document.import_pages(base, list(range(min(len(base), pages - len(document)))))
    import io

    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    timings = []
    for _ in range(5):
        started = cpu()
        pdf_manuscript(pdf_pages(data, "long.pdf"), "long.pdf")
        timings.append(cpu() - started)
    return sorted(timings)[2]


def startup(runs: int = 21) -> str:
    """What the PDF worker process costs: a one-page PDF (tests/fixtures/pdf/minimal.pdf) read
    through the worker and in this process, wall and CPU seconds (medians of ``runs``)."""
    from refcheck.readers import _pdf_worker
    from refcheck.readers import pdf as reader

    data = (ROOT / "tests" / "fixtures" / "pdf" / "minimal.pdf").read_bytes()
    limits = {
        "max_pages": reader.MAX_PAGES,
        "max_objects": reader.MAX_OBJECTS,
        "max_glyphs": reader.MAX_GLYPHS,
        "memory": reader.MAX_MEMORY,
    }
    ways = {
        "worker process": lambda: reader._run_worker(data, limits, "minimal.pdf"),
        "in this process": lambda: reader._in_process(_pdf_worker, data, limits),
    }
    lines = ["| one-page PDF read | wall ms | CPU ms |", "|---|---:|---:|"]
    for name, read in ways.items():
        read()  # the first reading of each way warms the caches
        walls, cpus = [], []
        for _ in range(runs):
            wall, started = time.perf_counter(), cpu()
            read()
            walls.append(time.perf_counter() - wall)
            cpus.append(cpu() - started)
        middle = runs // 2
        lines.append(
            f"| {name} | {sorted(walls)[middle] * 1000:.0f} | {sorted(cpus)[middle] * 1000:.0f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        choices=("generated", "real", "pmc", "both", "all"),
        default="all",
        help="both: generated and real; all: the three",
    )
    parser.add_argument("--part", choices=("tune", "test", "both"), default="both")
    parser.add_argument("--match", action="store_true", help="also end-to-end matching recall")
    parser.add_argument("--libraries", action="store_true", help="compare the PDF libraries")
    parser.add_argument("--pages", type=int, default=0, help="time a paper of N pages")
    parser.add_argument("--misses", type=Path, help="write the entries missed or wrong here")
    parser.add_argument("--by-style", action="store_true", help="a row per style")
    parser.add_argument("--by-publisher", action="store_true", help="a row per publisher")
    parser.add_argument(
        "--startup", action="store_true", help="time the PDF worker process against none"
    )
    args = parser.parse_args(argv)
    if args.startup:
        print(startup())
        return 0
    files: list[tuple[Path, dict[str, Any]]] = []
    if args.corpus in ("generated", "both", "all"):
        files += [(p, t) for p, t in generated(GENERATED)]
    if args.corpus in ("real", "both", "all"):
        files += real(REAL)
    if args.corpus in ("pmc", "all"):
        files += pmc(PMC)
    if args.part != "both":
        files = [(p, t) for p, t in files if _group(p, t)[0] == args.part]
    if not files:
        print("no corpus: run benchmarks/make_pdfs.py first", file=sys.stderr)
        return 2
    if args.libraries:
        print(libraries([(p, t) for p, t in files if p.suffix == ".pdf"]))
        return 0
    if args.pages:
        source = next(p for p, _ in files if p.suffix == ".pdf" and "twocol" in p.name)
        seconds = long_paper(args.pages, source)
        print(f"{args.pages} pages ({source.name} repeated): {seconds:.2f} s CPU (median of 5)")
        return 0
    tallies: dict[str, Tally] = {}
    misses: list[str] = []
    client = None
    stand_in = None
    if args.match:
        from matching import _UNLIMITED, WORKS

        from refcheck.sources.crossref import CrossrefClient
        from refcheck.testing import load_works, serve_crossref

        stand_in = serve_crossref(load_works(WORKS))
        server = stand_in.__enter__()
        client = CrossrefClient(base_url=server.base_url, cache=None, limits=_UNLIMITED)
    try:
        for path, truth in files:
            part, style = _group(path, truth)
            corpus = {"real": "real", "pmc": "pmc"}.get(str(truth.get("style")), "generated")
            kind = "docx" if path.suffix == ".docx" else "pdf"
            names = [f"{corpus} {kind}, {part}"]
            if args.by_style:
                names.append(f"{part} {style}")
            if args.by_publisher and truth.get("publisher"):
                names.append(f"{part} pmc: {_publisher(str(truth['publisher']))}")
            file_tally = Tally()
            score_file(path, truth, file_tally, misses)
            if client is not None and kind == "pdf":
                match_recall(path, truth, client, file_tally)
            for name in names:
                tallies.setdefault(name, Tally()).add(file_tally)
    finally:
        if client is not None and stand_in is not None:
            client.close()
            stand_in.__exit__(None, None, None)
    ordered = dict(sorted(tallies.items()))
    print(table(ordered, args.match))
    print()
    print(field_table({k: v for k, v in ordered.items() if "," in k or ":" in k}))
    if args.misses:
        args.misses.write_text("\n".join(misses) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
