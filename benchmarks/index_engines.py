"""SQLite FTS5 against tantivy, as the search engine of the local snapshot index.

A benchmark script, not a test (``python3 benchmarks/index_engines.py --help``). Both engines
index the same documents the same way refcheck's stand-in Crossref does (four fields: title
and subtitle, authors, container titles, and volume/issue/page/year; weights 4, 2, 2 and 1;
the query's words OR-ed, BM25), and answer the same bibliographic queries (first author,
title, journal, year, volume, first page of a record). Measured for each: documents indexed
per second, bytes per document on disk, and milliseconds per query (top 5; median and 95th
percentile, one thread), and how often the record a query was built from comes first.

The documents are the 8,502 genuine records of ``../shared/data/crossref/works.jsonl.gz``,
plus ``--synthetic N`` made-up ones whose every field is drawn word by word from the genuine
records' words (so that the index grows with a realistic vocabulary and word frequencies) to
see how query time grows with the index. Needs ``tantivy`` (the ``bench`` extra). Run from the
repository root.
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from refcheck.testing import load_works  # noqa: E402

WORKS = ROOT.parent / "shared" / "data" / "crossref" / "works.jsonl.gz"
_WORD = re.compile(r"\w+", re.UNICODE)
FIELDS = ("title", "authors", "containers", "numbers")
WEIGHTS = (4.0, 2.0, 2.0, 1.0)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return "" if value is None else str(value)


def document(record: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    """(doi, title, authors, containers, numbers) of a record, as the stand-in indexes it."""
    year = ""
    for key in ("issued", "published-print", "published-online"):
        try:
            year = str(int(record[key]["date-parts"][0][0]))
            break
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    authors = " ".join(
        " ".join(str(a.get(k) or "") for k in ("given", "family", "name"))
        for a in record.get("author") or ()
        if isinstance(a, Mapping)
    )
    return (
        str(record.get("DOI", "")).lower(),
        _text(record.get("title")) + " " + _text(record.get("subtitle")),
        authors,
        _text(record.get("container-title")) + " " + _text(record.get("short-container-title")),
        " ".join(_text(record.get(k)) for k in ("volume", "issue", "page", "article-number"))
        + " "
        + year,
    )


def synthetic(docs: Sequence[tuple[str, ...]], count: int, seed: int) -> Iterator[tuple[str, ...]]:
    """``count`` made-up documents, each field's words drawn from that field's genuine words."""
    rng = random.Random(seed)
    pools = [[w for d in docs for w in _WORD.findall(d[i])] for i in range(1, 5)]
    lengths = [[len(_WORD.findall(d[i])) for d in docs] for i in range(1, 5)]
    for n in range(count):
        fields = [
            " ".join(rng.choice(pool) for _ in range(rng.choice(sizes)))
            for pool, sizes in zip(pools, lengths, strict=True)
        ]
        yield (f"10.99999/synthetic.{n}", *fields)


def query(record: Mapping[str, Any]) -> str:
    doc = document(record)
    family = next(
        (a.get("family") for a in record.get("author") or () if isinstance(a, Mapping)), ""
    )
    return " ".join(f"{family or ''} {doc[1]} {doc[3].split('  ')[0]} {doc[4]}".split())[:400]


def words(text: str) -> list[str]:
    return list(dict.fromkeys(w.lower() for w in _WORD.findall(text)))


# --- the engines ----------------------------------------------------------------------------


class Fts5:
    name = "SQLite FTS5"

    def __init__(self, path: Path) -> None:
        self.path = path / "fts5.sqlite"
        self.db = sqlite3.connect(self.path)
        self.db.execute(
            "CREATE VIRTUAL TABLE works USING fts5(doi UNINDEXED, title, authors, containers,"
            " numbers, tokenize = 'unicode61 remove_diacritics 2')"
        )

    def add(self, docs: Iterator[tuple[str, ...]]) -> None:
        with self.db:
            self.db.executemany("INSERT INTO works VALUES (?, ?, ?, ?, ?)", docs)

    def finish(self) -> None:
        self.db.execute("INSERT INTO works(works) VALUES ('optimize')")
        self.db.commit()

    def size(self) -> int:
        return self.path.stat().st_size

    def search(self, text: str, rows: int) -> list[str]:
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words(text))
        return [
            doi
            for (doi,) in self.db.execute(
                "SELECT doi FROM works WHERE works MATCH ?"
                " ORDER BY bm25(works, 0.0, 4.0, 2.0, 2.0, 1.0) LIMIT ?",
                (match, rows),
            )
        ]


class Tantivy:
    """tantivy as refcheck's snapshot index uses it: one field in which each field's words
    appear as often as its weight (FTS5's column weighting), accents folded, frequencies only."""

    name = "tantivy"

    def __init__(self, path: Path) -> None:
        import tantivy

        from refcheck.sources.snapshot import analyzer

        self.tantivy = tantivy
        self.path = path / "tantivy"
        self.path.mkdir()
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("doi", stored=True, tokenizer_name="raw")
        builder.add_text_field("text", tokenizer_name="refcheck", index_option="freq")
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema, path=str(self.path))
        self.analyzer = analyzer(tantivy)
        self.index.register_tokenizer("refcheck", self.analyzer)
        self.writer = self.index.writer(heap_size=200_000_000, num_threads=1)

    def add(self, docs: Iterator[tuple[str, ...]]) -> None:
        for doc in docs:
            text = " ".join(
                " ".join([field] * int(weight))
                for field, weight in zip(doc[1:], WEIGHTS, strict=True)
                if field.strip()
            )
            self.writer.add_document(self.tantivy.Document(doi=doc[0], text=text))

    def finish(self) -> None:
        self.writer.commit()
        self.writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def size(self) -> int:
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())

    def search(self, text: str, rows: int) -> list[str]:
        tantivy = self.tantivy
        clauses = [
            (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "text", w))
            for w in dict.fromkeys(self.analyzer.analyze(text))
        ]
        if not clauses:
            return []
        hits = self.searcher.search(tantivy.Query.boolean_query(clauses), rows).hits
        return [self.searcher.doc(address)["doi"][0] for _, address in hits]


def measure(engine: Any, docs: list[tuple[str, ...]], queries: list[tuple[str, str]]) -> dict:
    started = time.perf_counter()
    engine.add(iter(docs))
    engine.finish()
    build = time.perf_counter() - started
    times, first = [], 0
    for text, doi in queries:
        started = time.perf_counter()
        found = engine.search(text, 5)
        times.append(1000 * (time.perf_counter() - started))
        first += bool(found) and found[0] == doi
    times.sort()
    return {
        "docs/s": len(docs) / build,
        "bytes/doc": engine.size() / len(docs),
        "median ms": statistics.median(times),
        "p95 ms": times[int(0.95 * (len(times) - 1))],
        "first": first / len(queries),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--synthetic", type=int, nargs="*", default=[0, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--fts5-max", type=int, default=200_000, help="FTS5 only up to this many documents"
    )
    args = parser.parse_args(argv)
    if not WORKS.exists():
        print(f"{WORKS} is absent", file=sys.stderr)
        return 2
    records = load_works(WORKS)
    genuine = [document(r) for r in records]
    rng = random.Random(args.seed)
    asked = [r for r in rng.sample(records, args.queries) if r.get("title")]
    queries = [(query(r), str(r["DOI"]).lower()) for r in asked]
    print("| documents | engine | docs/s | bytes/doc | median ms/query | p95 ms | first |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for extra in args.synthetic:
        docs = genuine + list(synthetic(genuine, extra, args.seed))
        for kind in (Fts5, Tantivy):
            if kind is Fts5 and len(docs) > args.fts5_max:
                continue
            with tempfile.TemporaryDirectory() as tmp:
                m = measure(kind(Path(tmp)), docs, queries)
            print(
                f"| {len(docs):,} | {kind.name} | {m['docs/s']:,.0f} | {m['bytes/doc']:,.0f} |"
                f" {m['median ms']:.2f} | {m['p95 ms']:.2f} | {m['first']:.3f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
