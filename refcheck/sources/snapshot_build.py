"""Build a local index from Crossref's public data file, and bring it up to date from the API.

Crossref's snapshot (the annual public data file, and the monthly one of Metadata Plus) is a
directory or a tar archive of JSON files, most of them gzipped, each one object whose
``items`` are work records as the REST API gives them: ``{"items": [{"DOI": ...}, ...]}``.

* :func:`snapshot_records` reads such a snapshot (a directory, a ``.tar``/``.tar.gz``, or one
  ``.json``/``.json.gz`` file), file by file, never holding more than one file in memory;
* :func:`build_index` writes the index :class:`~refcheck.sources.snapshot.SnapshotSource`
  reads, into a new directory that it makes first (a name that exists, even an empty
  directory, is refused: nothing is built over), with progress. The index's description is
  written last: until then the directory is no index, and a failed build removes it (only
  what it made);
* :func:`update_index` asks Crossref for the works indexed (or updated) since the index was
  built, a page of a thousand at a time (``filter=from-index-date:...``, deep paging with
  ``cursor``), and replaces their documents. It saves the cursor after each page it has
  written, so a killed update resumes where it stopped;
* :func:`write_snapshot` writes records out in the snapshot's own format (for tests and
  benchmarks, from ``works.jsonl``).

A broken file or record never stops a build: it is skipped and named in the result.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import os
import shutil
import tarfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any

import attrs

from refcheck.errors import ServiceResponseError, SnapshotError
from refcheck.sources.crossref import (
    CrossrefClient,
    record_doi,
    record_indexed,
    work_from_crossref,
)
from refcheck.sources.snapshot import (
    IndexMeta,
    analyzer,
    doi_key,
    dumps,
    kept_record,
    loads,
    open_tantivy,
    schema,
    searched_text,
)

__all__ = [
    "MAX_FILE_BYTES",
    "BuildProgress",
    "BuildResult",
    "UpdateResult",
    "build_index",
    "snapshot_records",
    "update_index",
    "write_snapshot",
]

#: A snapshot file larger than this, decompressed, is skipped (Crossref's are tens of MB).
MAX_FILE_BYTES = 1 << 30
#: The filter of each kind of update.
_UPDATE_FIELDS = {"index": "from-index-date", "update": "from-update-date"}

BuildProgress = Callable[[int, int, "int | None"], None]
"""Called as ``progress(records, files_done, files_total)``; ``files_total`` is ``None`` when
the snapshot is a tar archive read as a stream."""


@attrs.frozen
class BuildResult:
    """What :func:`build_index` did: works indexed, what was skipped and why, time, size."""

    works: int
    files: int
    skipped_records: int
    skipped_files: tuple[str, ...]
    seconds: float
    bytes: int

    @property
    def records_per_second(self) -> float:
        return self.works / self.seconds if self.seconds else 0.0

    @property
    def bytes_per_record(self) -> float:
        return self.bytes / self.works if self.works else 0.0


@attrs.frozen
class UpdateResult:
    """What :func:`update_index` did: records written, pages read, the filter used."""

    records: int
    pages: int
    filter: str
    resumed: bool
    works: int


# --- reading a snapshot -----------------------------------------------------------------------


def _is_data(name: str) -> bool:
    return name.endswith((".json", ".json.gz", ".jsonl", ".jsonl.gz"))


def _decoded(name: str, raw: IO[bytes]) -> bytes:
    """The decompressed bytes of one snapshot file, at most :data:`MAX_FILE_BYTES`."""
    stream: Any = gzip.GzipFile(fileobj=raw) if name.endswith(".gz") else raw
    data: bytes = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise SnapshotError(f"{name}: larger than {MAX_FILE_BYTES} bytes decompressed")
    return data


def _items(name: str, data: bytes) -> list[Any]:
    """The records of one snapshot file: ``{"items": [...]}``, or one record a line."""
    if name.removesuffix(".gz").endswith(".jsonl"):
        return [loads(line) for line in data.splitlines() if line.strip()]
    body = loads(data)
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise SnapshotError(f'{name}: expected a JSON object {{"items": [...]}}')
    items: list[Any] = body["items"]
    return items


def _files(snapshot: Path) -> tuple[int | None, Iterator[tuple[str, Callable[[], bytes]]]]:
    """How many data files the snapshot holds (``None``: not known before reading a tar
    stream), and each one's name and a way to read it."""
    if snapshot.is_dir():
        paths = sorted(p for p in snapshot.rglob("*") if p.is_file() and _is_data(p.name))

        def from_dir() -> Iterator[tuple[str, Callable[[], bytes]]]:
            for path in paths:
                yield str(path), functools.partial(_read_path, path)

        return len(paths), from_dir()
    if not snapshot.is_file():
        raise SnapshotError(
            f"{snapshot}: expected a Crossref snapshot (a directory, a tar "
            "archive or a .json.gz file), found nothing there"
        )
    if tarfile.is_tarfile(snapshot):
        return None, _from_tar(snapshot)
    if not _is_data(snapshot.name):
        raise SnapshotError(
            f"{snapshot}: expected a Crossref snapshot (a directory, a tar archive or a "
            ".json.gz file), found a file of another kind"
        )
    return 1, iter([(str(snapshot), lambda: _read_path(snapshot))])


def _read_path(path: Path) -> bytes:
    with path.open("rb") as raw:
        return _decoded(path.name, raw)


def _from_tar(snapshot: Path) -> Iterator[tuple[str, Callable[[], bytes]]]:
    try:
        with tarfile.open(snapshot, mode="r|*") as archive:
            for member in archive:
                if not (member.isfile() and _is_data(member.name)):
                    continue
                raw = archive.extractfile(member)
                if raw is None:
                    continue
                data = _decoded(member.name, raw)
                yield f"{snapshot}:{member.name}", functools.partial(bytes, data)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise SnapshotError(f"{snapshot}: cannot read the tar archive: {exc}") from exc


def snapshot_records(
    snapshot: str | os.PathLike[str],
    *,
    skipped: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Every work record of a snapshot, file by file. A file that cannot be read or decoded
    is skipped: its name and the reason are appended to ``skipped``; ``progress(name)`` is
    called after each file."""
    _, files = _files(Path(snapshot))
    for name, read in files:
        try:
            items = _items(name, read())
        except (OSError, EOFError, ValueError, RecursionError, SnapshotError) as exc:
            if skipped is None:
                raise SnapshotError(f"{name}: cannot read this snapshot file: {exc}") from exc
            skipped.append(f"{name}: {exc}")
            items = []
        yield from (item for item in items if isinstance(item, dict))
        if progress is not None:
            progress(name)


def write_snapshot(
    records: Iterable[Mapping[str, Any]], directory: str | os.PathLike[str], *, per_file: int = 5000
) -> list[Path]:
    """Write ``records`` as Crossref's public data file does: ``0.json.gz``, ``1.json.gz``...
    each ``{"items": [...]}`` of ``per_file`` records, in a new or empty ``directory``."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise SnapshotError(f"{target}: expected a new or empty directory for the snapshot")
    written: list[Path] = []
    batch: list[Mapping[str, Any]] = []

    def flush() -> None:
        path = target / f"{len(written)}.json.gz"
        with gzip.open(path, "wt", encoding="utf-8") as file:
            json.dump({"items": batch}, file, ensure_ascii=False)
        written.append(path)
        batch.clear()

    for record in records:
        batch.append(record)
        if len(batch) >= per_file:
            flush()
    if batch:
        flush()
    return written


# --- the index ----------------------------------------------------------------------------------


def _document(tantivy: Any, record: Mapping[str, Any]) -> tuple[str, Any, str] | None:
    """(DOI key, tantivy document, indexed date) of a record, or ``None`` if it has no DOI or
    cannot be converted."""
    doi = record_doi(record)
    if doi is None:
        return None
    try:
        work = work_from_crossref(record)
        key = doi_key(doi)
        document = tantivy.Document(
            doi=key, record=dumps(kept_record(record)), text=searched_text(work)
        )
    except (ServiceResponseError, TypeError, ValueError, KeyError, AttributeError, IndexError):
        return None  # a record of a shape the API does not document: skipped and counted
    except RecursionError:
        return None
    return key, document, record_indexed(record)


def _open_writer(tantivy: Any, path: Path, *, create: bool) -> tuple[Any, Any]:
    try:
        if create:
            index = tantivy.Index(schema(tantivy), path=str(path))
        else:
            index = tantivy.Index.open(str(path))
        index.register_tokenizer("refcheck", analyzer(tantivy))
        return index, index.writer(heap_size=256_000_000, num_threads=1)
    except ValueError as exc:
        raise SnapshotError(
            f"{path}: cannot write the search index (is another build or update running?): {exc}"
        ) from exc


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def build_index(
    snapshot: str | os.PathLike[str],
    index: str | os.PathLike[str],
    *,
    progress: BuildProgress | None = None,
) -> BuildResult:
    """Build the index ``index`` (a new directory) from the Crossref snapshot ``snapshot``.

    Raises :class:`~refcheck.errors.SnapshotError` when ``index`` exists already (refcheck
    never writes over what it did not make) or the snapshot cannot be read at all; broken
    files and records are skipped and counted in the :class:`BuildResult`.
    """
    tantivy = open_tantivy()
    source, target = Path(snapshot), Path(index)
    if target.exists() or target.is_symlink():
        raise SnapshotError(f"{target}: exists already; give a new directory for the index")
    total, _ = _files(source)  # the snapshot is readable before anything is made
    if not target.parent.is_dir():
        raise SnapshotError(f"{target}: no directory {target.parent} to make the index in")
    started = time.perf_counter()
    try:
        # The name is claimed at once (mkdir makes a new directory or fails): nothing made by
        # another program meanwhile is ever built over, renamed over or deleted.
        target.mkdir()
    except OSError as exc:
        raise SnapshotError(f"{target}: cannot make the index there: {exc}") from exc
    search: Any = None
    writer: Any = None
    try:
        (target / "search").mkdir()
        search, writer = _open_writer(tantivy, target / "search", create=True)
        skipped_files: list[str] = []
        works = skipped = files = 0
        latest = ""

        def file_done(name: str) -> None:
            nonlocal files
            files += 1
            if progress is not None:
                progress(works, files, total)

        for record in snapshot_records(source, skipped=skipped_files, progress=file_done):
            made = _document(tantivy, record)
            if made is None:
                skipped += 1
                continue
            _, document, indexed = made
            writer.add_document(document)
            latest = max(latest, indexed)
            works += 1
            if progress is not None and works % 10_000 == 0:
                progress(works, files, total)
        writer.commit()
        writer.wait_merging_threads()
        IndexMeta(
            works=works,
            snapshot=str(source.resolve()),
            built=_now(),
            indexed_until=latest,
        ).write(target)
    except BaseException:
        if writer is not None:  # stop tantivy's threads before removing their files
            with contextlib.suppress(Exception):
                writer.rollback()
            with contextlib.suppress(Exception):
                writer.wait_merging_threads()
        del search, writer  # tantivy's handles on the files, released before removal
        _remove_own(target)
        raise
    return BuildResult(
        works=works,
        files=files,
        skipped_records=skipped,
        skipped_files=tuple(skipped_files),
        seconds=time.perf_counter() - started,
        bytes=_size(target),
    )


def _remove_own(directory: Path) -> None:
    """Remove ``directory``, which this build made, with what is in it (a writer's last
    files can appear while it is removed: a few tries)."""
    for _ in range(20):
        shutil.rmtree(directory, ignore_errors=True)
        if not directory.exists():
            return
        time.sleep(0.05)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def update_index(
    index: str | os.PathLike[str],
    client: CrossrefClient,
    *,
    since: str | None = None,
    field: str = "index",
    rows: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> UpdateResult:
    """Bring ``index`` up to date from the Crossref API through ``client``.

    Asks for the works Crossref indexed (``field="index"``: ``from-index-date``, every change,
    citation counts too) or that their members updated (``field="update"``:
    ``from-update-date``) since ``since`` (a ``YYYY-MM-DD``; default: the day before the
    index's latest record or update, for overlap), ``rows`` a page, and writes each page
    (a work already in the index is replaced) before asking for the next. The filter and the
    next page's cursor are saved after each page: an update that was killed resumes with
    them (``since`` and ``field`` are then those it began with). A cursor that Crossref no
    longer knows (they expire after minutes unused) starts the same filter again from its
    first page: pages already written are written again, nothing is lost.
    ``progress(records, pages)`` is called after each page.
    """
    tantivy = open_tantivy()
    path = Path(index)
    meta = IndexMeta.read(path)
    resumed = meta.update is not None
    if meta.update is not None:
        filters, cursor = meta.update["filter"], meta.update["cursor"]
    else:
        if field not in _UPDATE_FIELDS:
            raise ValueError(f"update_index: field must be 'index' or 'update', not {field!r}")
        day = since or _day_before(meta.updated or meta.indexed_until)
        filters, cursor = f"{_UPDATE_FIELDS[field]}:{day}", "*"
        meta = attrs.evolve(meta, update={"filter": filters, "cursor": cursor, "began": _now()})
        meta.write(path)
    search, writer = _open_writer(tantivy, path / "search", create=False)
    records = pages = 0
    latest = meta.indexed_until
    began = (meta.update or {}).get("began", _now())
    try:
        pager = iter(client.record_pages(filters, rows=rows, cursor=cursor))
        while True:
            try:
                page, following = next(pager)
            except StopIteration:
                break
            except ServiceResponseError:
                if cursor == "*":
                    raise
                cursor = "*"  # the saved cursor expired: the same filter from the start
                pager = iter(client.record_pages(filters, rows=rows, cursor=cursor))
                continue
            for record in page:
                made = _document(tantivy, record)
                if made is None:
                    continue
                key, document, indexed = made
                writer.delete_documents_by_term("doi", key)
                writer.add_document(document)
                latest = max(latest, indexed)
                records += 1
            writer.commit()
            pages += bool(page)
            cursor = following
            meta = attrs.evolve(
                meta,
                indexed_until=latest,
                update={"filter": filters, "cursor": cursor, "began": began},
            )
            meta.write(path)
            if progress is not None:
                progress(records, pages)
        writer.wait_merging_threads()
    except BaseException:
        writer.rollback()
        raise
    search.reload()
    works = int(search.searcher().num_docs)
    IndexMeta.write(attrs.evolve(meta, works=works, updated=began, update=None), path)
    return UpdateResult(records, pages, filters, resumed, works)


def _day_before(stamp: str) -> str:
    """ "2024-05-02T10:00:00Z" -> "2024-05-01"; today's date when there is none."""
    try:
        day = datetime.strptime(stamp[:10], "%Y-%m-%d")
    except ValueError:
        day = datetime.now(timezone.utc).replace(tzinfo=None)
    return (day - timedelta(days=1)).strftime("%Y-%m-%d")
