"""A local Crossref snapshot: Crossref's works, searched on this machine, with no rate limit.

::

    from refcheck.sources.snapshot import SnapshotSource

    with SnapshotSource("crossref-index") as snapshot:
        work = snapshot.get_work("10.1016/S2665-9913(20)30096-5")   # Work, or None
        works = snapshot.search("Mehta Silencing the cytokine storm Lancet Rheumatol 2020")

:class:`SnapshotSource` is a :class:`~refcheck.sources.resolve.WorkSource` like the API client:
the resolver looks its DOIs up, searches it and validates every candidate the same way, and
the records it keeps are Crossref's own JSON, converted by the API client's one converter
(:func:`~refcheck.sources.crossref.work_from_crossref`). The index is built from Crossref's
public data file (``refcheck index build``) and brought up to date from the API
(``refcheck index update``) by :mod:`refcheck.sources.snapshot_build`.

The index is a directory: a `tantivy <https://github.com/quickwit-oss/tantivy>`_ full-text
index (``search/``) and ``refcheck-index.json`` (what was built from what, and how far the
updates got). Each work is one document: the fields searched, as refcheck's stand-in Crossref
indexes them (title and subtitle, authors, container titles, and volume, issue, pages and
year; BM25 over the query's words OR-ed, weighted 4, 2, 2 and 1), its lower-case DOI, and its
record, kept in tantivy's compressed document store. Why tantivy and not SQLite's FTS5: see
``docs/scale.md`` (FTS5 visits every work that has any word of the query; tantivy skips those
that cannot reach the top five: 0.4 ms a query against 16 ms on 8,502 works, 1.6 against 157
on 108,502). tantivy is the ``index`` extra: ``pip install 'scholarly-refcheck[index]'``.

Threads: one source may be shared by the threads of a pool (tantivy's searcher is).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from refcheck._version import install_hint
from refcheck.errors import ConfigError, ExtraMissingError, ServiceResponseError, SnapshotError
from refcheck.model import Work
from refcheck.sources.crossref import SEARCH_FIELDS, work_from_crossref
from refcheck.sources.http.service import Closing

__all__ = [
    "INDEX_FORMAT",
    "META_FILE",
    "IndexMeta",
    "SnapshotSource",
    "document_fields",
    "kept_record",
    "open_tantivy",
    "searched_text",
    "split_sources",
]

#: The version of the index layout; an index of another version must be built again.
INDEX_FORMAT = 2
#: The file that says what an index holds.
META_FILE = "refcheck-index.json"
#: The fields searched, and their weights (as the stand-in Crossref weighs them).
SEARCH_WEIGHTS = {"title": 4.0, "authors": 2.0, "containers": 2.0, "numbers": 1.0}
#: The record fields an index keeps: those :func:`work_from_crossref` reads.
KEPT_FIELDS = tuple(f for f in SEARCH_FIELDS if f != "score")
_TOKENIZER = "refcheck"
#: The largest index description read (it is a few hundred bytes).
_MAX_META = 1 << 20
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


_orjson: Any
try:  # orjson (the `index` extra) reads and writes the kept records two to three times faster
    import orjson as _orjson
except ImportError:  # pragma: no cover - the standard library's json gives the same values
    _orjson = None


def loads(data: bytes) -> Any:
    """JSON bytes to values (orjson when installed, else json); ValueError when not JSON."""
    if _orjson is not None:
        return _orjson.loads(data)
    return json.loads(data)


def dumps(value: Any) -> bytes:
    """Values to compact UTF-8 JSON (orjson when installed, else json)."""
    if _orjson is not None:
        return bytes(_orjson.dumps(value))
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def open_tantivy() -> Any:
    """The ``tantivy`` module, or :class:`~refcheck.errors.ExtraMissingError` saying how to
    install it."""
    try:
        import tantivy
    except ImportError as exc:
        raise ExtraMissingError(
            "the local Crossref index needs tantivy, which refcheck's 'index' extra installs: "
            + install_hint("index")
        ) from exc
    return tantivy


def analyzer(tantivy: Any) -> Any:
    """Words as the index cuts them: runs of letters and digits, lower case, accents folded
    ("Müller-Lüdenscheidt" -> "muller", "ludenscheidt"), none longer than 40 characters."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def schema(tantivy: Any) -> Any:
    """The index's fields: ``doi`` (one term), the four searched, and the stored ``record``."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("doi", stored=False, tokenizer_name="raw")
    builder.add_text_field("text", stored=False, tokenizer_name=_TOKENIZER, index_option="freq")
    builder.add_bytes_field("record", stored=True)
    return builder.build()


def kept_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a Crossref record an index keeps: what the converter reads."""
    return {key: record[key] for key in KEPT_FIELDS if key in record}


def searched_text(work: Work) -> str:
    """The one field searched: each field's words as many times as its weight, so that a word's
    frequency is weighted as SQLite FTS5's bm25 weighs columns (the stand-in Crossref's
    ranking), and a word's rarity counts over all fields of the work alike."""
    fields = document_fields(work)
    return " ".join(" ".join([fields[k]] * int(w)) for k, w in SEARCH_WEIGHTS.items() if fields[k])


def document_fields(work: Work) -> dict[str, str]:
    """The searched text of a work, field by field (as the stand-in Crossref indexes it)."""
    years = {d[:4] for d in (work.issued, work.published_print, work.published_online) if d}
    return {
        "title": " ".join(t for t in (work.title, work.subtitle) if t),
        "authors": " ".join(" ".join(p for p in (a.given, a.family) if p) for a in work.authors),
        "containers": " ".join(t for t in (work.container_title, work.short_container_title) if t),
        "numbers": " ".join(
            p
            for p in (
                work.volume,
                work.issue,
                work.first_page,
                work.last_page,
                work.article_number,
                *sorted(years),
            )
            if p
        ),
    }


def doi_key(doi: str) -> str:
    """The form a DOI is kept in: bare (no ``https://doi.org/`` or ``doi:``), lower case."""
    return _DOI_PREFIX.sub("", doi.strip()).strip().lower()


@attrs.frozen
class IndexMeta:
    """What an index holds (``refcheck-index.json``).

    ``works`` is the number of documents; ``snapshot`` what it was built from;
    ``indexed_until`` the latest ``indexed`` date of its records (the date from which
    ``refcheck index update`` asks Crossref for changes); ``update`` the state of an update in
    progress (its filter and cursor), so that a killed update resumes.
    """

    format: int = INDEX_FORMAT
    works: int = 0
    snapshot: str = ""
    built: str = ""
    indexed_until: str = ""
    updated: str = ""
    update: dict[str, str] | None = None

    @classmethod
    def read(cls, index: Path) -> IndexMeta:
        path = index / META_FILE
        try:
            with path.open("rb") as file:
                text = file.read(_MAX_META + 1)
            if len(text) > _MAX_META:
                raise ValueError(f"larger than {_MAX_META} bytes")
            data = json.loads(text)
        except FileNotFoundError:
            raise SnapshotError(
                f"{index}: expected a refcheck index (a directory with {META_FILE}), found none;"
                " build one with `refcheck index build SNAPSHOT -o INDEX`"
            ) from None
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"{path}: cannot read the index's description: {exc}") from exc
        if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT:
            found = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise SnapshotError(
                f"{path}: expected index format {INDEX_FORMAT}, found {found!r}; build the index"
                " again with this version of refcheck"
            )
        fields = {a.name for a in attrs.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in fields})

    def write(self, index: Path) -> None:
        """Write atomically (a temporary file renamed over the old one, both refcheck's)."""
        path = index / META_FILE
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(attrs.asdict(self), indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, path)


class SnapshotSource(Closing):
    """The works of a local index built by ``refcheck index build`` (see the module docs).

    ``SnapshotSource(path)``; use it as a context manager, or call :meth:`close`. Raises
    :class:`~refcheck.errors.SnapshotError` when ``path`` is not an index of this version, and
    :class:`~refcheck.errors.ExtraMissingError` without tantivy.
    """

    #: The source name a :class:`~refcheck.model.Match` carries.
    name = "snapshot"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.meta = IndexMeta.read(self.path)
        tantivy = open_tantivy()
        self._tantivy = tantivy
        try:
            self._index = tantivy.Index.open(str(self.path / "search"))
        except ValueError as exc:
            raise SnapshotError(f"{self.path}: cannot open the search index: {exc}") from exc
        self._analyzer = analyzer(tantivy)
        self._index.register_tokenizer(_TOKENIZER, self._analyzer)
        self._schema = self._index.schema
        self._searcher = self._index.searcher()

    def __repr__(self) -> str:
        return f"SnapshotSource({str(self.path)!r}, works={self.meta.works})"

    def close(self) -> None:
        """Nothing to release but memory; here for the ``with`` block and symmetry."""

    def reload(self) -> None:
        """See what an update committed since this source was opened."""
        self._index.reload()
        self._searcher = self._index.searcher()
        self.meta = IndexMeta.read(self.path)

    @property
    def works(self) -> int:
        """How many works the index holds."""
        return int(self._searcher.num_docs)

    def _works(self, query: Any, rows: int) -> tuple[Work, ...]:
        try:
            hits = self._searcher.search(query, rows).hits
        except ValueError as exc:  # tantivy's error for an index it cannot read
            raise ServiceResponseError(
                f"{self.path}: the search index cannot be read: {str(exc)[:200]}",
                reason="a damaged local index",
            ) from exc
        out = []
        for _, address in hits:
            what = f"{self.path}: the record of document {address}"
            try:
                stored = self._searcher.doc(address)["record"][0]
            except (ValueError, KeyError, IndexError) as exc:
                raise ServiceResponseError(
                    f"{what} cannot be read: {str(exc)[:100]}", reason="a damaged local index"
                ) from exc
            try:
                record = loads(bytes(stored))
                out.append(work_from_crossref(record))
            except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
                # This reference's failure (it is reported unchecked), not the run's.
                raise ServiceResponseError(
                    f"{what} is damaged: {type(exc).__name__}: {str(exc)[:100]}",
                    reason="a damaged record in the local index",
                ) from exc
        return tuple(out)

    def get_work(self, doi: str) -> Work | None:
        """The work the index has for ``doi``, or ``None``."""
        key = doi_key(doi)
        if not key:
            raise ValueError(f"get_work: expected a DOI, found {doi!r}")
        query = self._tantivy.Query.term_query(self._schema, "doi", key)
        found = self._works(query, 1)
        return found[0] if found else None

    def get_works(self, dois: Iterable[str]) -> dict[str, Work]:
        """The works the index has for ``dois``, by lower-case DOI (those it lacks left out)."""
        found: dict[str, Work] = {}
        for doi in dois:
            work = self.get_work(doi)
            if work is not None:
                found[doi_key(doi)] = work
        return found

    def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
        """The works ranked highest for a citation text (BM25 over its words, OR-ed), best
        first, at most ``rows``. A query without a word finds nothing."""
        if rows < 1:
            raise ValueError(f"search: expected rows >= 1, found {rows!r}")
        tantivy = self._tantivy
        terms = list(dict.fromkeys(self._analyzer.analyze(query[:2000])))
        clauses = [
            (tantivy.Occur.Should, tantivy.Query.term_query(self._schema, "text", t)) for t in terms
        ]
        if not clauses:
            return ()
        return self._works(tantivy.Query.boolean_query(clauses), rows)


def split_sources(text: str) -> tuple[Path | None, str]:
    """ "snapshot:INDEX,crossref,pubmed" -> (Path("INDEX"), "crossref,pubmed"): the local
    index to ask first, if one is named, and the other sources, as ``--sources`` gives them.
    Two indexes are a :class:`~refcheck.errors.ConfigError`."""
    index: Path | None = None
    rest = []
    for name in text.split(","):
        kind, colon, where = name.strip().partition(":")
        if kind.lower() == "snapshot" and colon:
            if index is not None or not where.strip():
                raise ConfigError(
                    "sources: expected one snapshot:INDEX with the index's directory, found "
                    f"{text!r}"
                )
            index = Path(where.strip()).expanduser()
        elif name.strip():
            rest.append(name.strip())
    return index, ",".join(rest)
