"""Check references by the million on Dask: one citation or structured reference a line in,
one result a line out.

::

    from refcheck.batch import BatchSources, check_batch

    result = check_batch("references.jsonl", "results.jsonl",
                         sources=BatchSources(snapshot="crossref-index"))

Each input line is a JSON string (a citation as printed), or an object with a ``citation``
(or ``text``) string, or an object with a structured reference's fields (``title``,
``authors`` as ``[{"family": ..., "given": ...}]``, ``container_title``, ``year``,
``volume``, ``issue``, ``pages``, ``first_page``, ``last_page``, ``doi``); an ``id`` is kept as
the result's ``label``. Each result line is what the JSON report's ``references`` hold
(:func:`~refcheck.output.report.checked_to_dict`: status, match, DOI, score, source,
findings...), with ``line``, the input line's number. A line that cannot be read gets a
result of status ``error`` with the reason, and the run goes on.

How it runs: the input is read a ``chunk`` of lines at a time; each chunk is one Dask task
(parse, resolve, validate, compare) on a worker that opened the sources once (a worker
plugin). A few chunks per worker are in flight at once, and results are written in the
order of the input, chunk by chunk, as soon as every chunk before them is written: memory is
bounded by those chunks, whatever the size of the input. The output is therefore always a
prefix of the input's results: a killed run, started again with the same output, reads the
last line written, drops a line cut short by the kill, and goes on from the next input line.
Nothing written is lost or written twice.

Dask: a local cluster of one process per core by default (``workers``), or an existing
cluster's scheduler (``scheduler="tcp://host:8786"``; see ``docs/scale.md``). Crossref's
limits are the pool's in total: each of ``n`` workers keeps to ``1/n`` of them. Dask is the
``batch`` extra: ``pip install 'scholarly-refcheck[batch]'``.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from refcheck._version import install_hint
from refcheck.check import _aligned
from refcheck.errors import (
    ConfigError,
    ExportError,
    ExtraMissingError,
    ParseError,
    RefcheckError,
)
from refcheck.findings import compare
from refcheck.model import Author, CheckedReference, Citation, Match, Reference
from refcheck.output.files import check_output
from refcheck.output.report import checked_to_dict
from refcheck.parsing import clean_citation, parse_citation
from refcheck.parsing.segment import prepared
from refcheck.sources.chain import SourceChain, open_fallbacks
from refcheck.sources.crossref import CrossrefClient, CrossrefSettings
from refcheck.sources.http.limits import Limits
from refcheck.sources.resolve import WorkSource
from refcheck.sources.snapshot import SnapshotSource

__all__ = ["BatchProgress", "BatchResult", "BatchSources", "check_batch", "check_lines"]

#: Longest input line read (a citation with hundreds of authors is a few kB).
MAX_LINE = 100_000
#: Longest result line looked for when resuming (a result holds its citation and findings).
MAX_RESULT = 1 << 22
_PLUGIN = "refcheck-sources"

BatchProgress = Callable[[int, int], None]
"""Called as ``progress(results_written, resumed_after)`` after each chunk is written."""


@attrs.frozen
class BatchSources:
    """The sources each worker opens (a value, sent to the workers).

    ``snapshot``: a local index asked first (``None``: none). ``crossref``: the settings of
    the Crossref client asked next (``None``: Crossref is not asked). ``fallbacks``: the
    sources after Crossref (``pubmed``, ``openalex``, ``datacite``, ``arxiv``...), with
    ``base_urls``, ``ncbi_api_key`` and ``semanticscholar_api_key`` as for ``refcheck check``
    (each key goes only to its own service's origin). ``share``: the number of workers, each of
    which keeps to its share of Crossref's limits.
    """

    snapshot: Path | None = attrs.field(default=None, converter=attrs.converters.optional(Path))
    crossref: CrossrefSettings | None = None
    fallbacks: tuple[str, ...] = ()
    base_urls: Mapping[str, str] = attrs.field(factory=dict)
    ncbi_api_key: str | None = attrs.field(default=None, repr=False)
    semanticscholar_api_key: str | None = attrs.field(default=None, repr=False)
    threshold: float | None = None
    share: int = 1

    def __attrs_post_init__(self) -> None:
        if self.snapshot is None and self.crossref is None:
            raise ConfigError("batch: expected a snapshot index or Crossref to ask, found neither")

    def open(self) -> tuple[SourceChain, list[Any]]:
        """The chain of sources, and what to close when done."""
        opened: list[Any] = []
        try:
            if self.snapshot is not None:
                opened.append(SnapshotSource(self.snapshot))
            if self.crossref is not None:
                settings = self.crossref
                limits = settings.limits or Limits.for_pool(settings.mailto)
                if self.share > 1:
                    limits = attrs.evolve(
                        limits,
                        rate=limits.rate / self.share,
                        list_rate=limits.rate_of("list") / self.share,
                        concurrency=max(1, limits.concurrency // self.share),
                    )
                opened.append(CrossrefClient(attrs.evolve(settings, limits=limits)))
                if self.fallbacks:
                    opened += open_fallbacks(
                        ("crossref", *self.fallbacks),
                        settings,
                        ncbi_api_key=self.ncbi_api_key,
                        semanticscholar_api_key=self.semanticscholar_api_key,
                        base_urls=self.base_urls,
                    )
        except BaseException:
            for source in opened:
                source.close()
            raise
        sources: list[WorkSource] = opened
        return SourceChain(sources, threshold=self.threshold), opened


@attrs.frozen
class BatchResult:
    """What :func:`check_batch` did: results written now, the input line after which it
    resumed (0: from the start), errors among the results written, workers, and the time."""

    written: int
    resumed_after: int
    errors: int
    workers: int
    seconds: float

    @property
    def rate(self) -> float:
        """Results written a second."""
        return self.written / self.seconds if self.seconds else 0.0


# --- one line ------------------------------------------------------------------------------


def _reference(data: Mapping[str, Any]) -> Reference:
    """A structured reference from its fields (see the module docs)."""
    from refcheck.readers._fields import describe

    authors = []
    for author in data.get("authors") or ():
        if isinstance(author, str):
            authors.append(Author(family=author))
        elif isinstance(author, Mapping) and isinstance(author.get("family"), str):
            given = author.get("given")
            authors.append(
                Author(
                    family=author["family"],
                    given=given if isinstance(given, str) else None,
                    organisation=author.get("organisation") is True,
                )
            )
        else:
            raise ParseError(
                f"expected authors as {{'family': ..., 'given': ...}}, found {author!r:.80}"
            )
    fields: dict[str, Any] = {}
    for name in (
        "title",
        "container_title",
        "year",
        "volume",
        "issue",
        "pages",
        "first_page",
        "last_page",
        "doi",
        "url",
        "pmid",
        "publisher",
    ):
        value = data.get(name)
        if value is not None and not isinstance(value, (str, int)):
            raise ParseError(f"expected {name} as a string, found {type(value).__name__}")
        if value is not None:
            fields[name] = str(value)
    if "pages" in fields and "first_page" not in fields:
        from refcheck.parsing import page_ends

        fields["first_page"], fields["last_page"] = page_ends(fields["pages"])
    reference = Reference(text="-", authors=tuple(authors), **fields)
    if not (reference.title or reference.doi or reference.container_title):
        raise ParseError("expected a citation, or a reference with a title, a journal or a DOI")
    return attrs.evolve(reference, text=describe(reference))


def read_line(line: str, number: int, file: str) -> tuple[Citation, Reference]:
    """The citation and reference of one input line (see the module docs); raises
    :class:`~refcheck.errors.ParseError` for a line that is neither."""
    if len(line) > MAX_LINE:
        raise ParseError(f"line {number}: longer than {MAX_LINE} characters")
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise ParseError(f"line {number}: expected JSON (a string or an object): {exc}") from exc
    label = str(number)
    if isinstance(data, dict):
        if isinstance(data.get("id"), (str, int)):
            label = str(data["id"])
        text = data.get("citation", data.get("text"))
        if isinstance(text, str) and text.strip():
            data = text
        else:
            try:
                reference = _reference(data)
            except ParseError as exc:
                raise ParseError(f"line {number}: {exc}") from exc
            return Citation(reference.text, file, number, label), reference
    if isinstance(data, str) and data.strip():
        return Citation(data, file, number, label), parse_citation(data)
    raise ParseError(
        f"line {number}: expected a citation (a JSON string) or a reference (an object), "
        f"found {type(data).__name__}"
    )


def _citation_text(line: str) -> str | None:
    """The citation a line holds, if it holds one (for labelling a chunk's citations at once)."""
    try:
        data = json.loads(line) if len(line) <= MAX_LINE else None
    except ValueError:
        return None
    if isinstance(data, dict):
        data = data.get("citation", data.get("text"))
    return data if isinstance(data, str) and data.strip() else None


def _error(line: str, number: int, file: str, reason: str) -> dict[str, Any]:
    return {
        "file": file,
        "line": number,
        "label": str(number),
        "citation": line[:500],
        "status": "error",
        "error": reason,
    }


def check_lines(
    lines: Sequence[tuple[int, str]], chain: SourceChain, file: str = "<batch>"
) -> list[str]:
    """The result of each input line (its number, its text), as JSON text, in order: the DOIs
    of the chunk looked up first, in batches where the first source can, and each distinct
    reference resolved once."""
    read: list[tuple[int, str, tuple[Citation, Reference] | str]] = []
    texts = [_citation_text(line) for _, line in lines]
    with prepared([clean_citation(t) for t in texts if t is not None]):
        # Every citation of the chunk labelled at once (the batch decoder), then each parsed.
        for number, line in lines:
            try:
                read.append((number, line, read_line(line, number, file)))
            except RefcheckError as exc:
                read.append((number, line, str(exc)))
    references = [r[1] for _, _, r in read if not isinstance(r, str)]
    chain.prefetch(list(dict.fromkeys(references)))
    matches: dict[Reference, Match] = {}
    out = []
    for number, line, parsed in read:
        if isinstance(parsed, str):
            out.append(json.dumps(_error(line, number, file, parsed), ensure_ascii=False))
            continue
        citation, reference = parsed
        try:
            match = matches.get(reference)
            if match is None:
                match = matches[reference] = chain.resolve(reference)
            aligned = _aligned(reference, match)
            checked = CheckedReference(citation, aligned, match, compare(aligned, match))
            out.append(json.dumps(checked_to_dict(checked), ensure_ascii=False))
        except Exception as exc:  # one reference's failure never stops the others
            reason = f"line {number}: {type(exc).__name__}: {exc}"
            out.append(json.dumps(_error(line, number, file, reason), ensure_ascii=False))
    return out


# --- Dask ----------------------------------------------------------------------------------------


def _dask() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise ExtraMissingError(
            "refcheck batch runs on Dask, which refcheck's 'batch' extra installs: "
            + install_hint("batch")
        ) from exc
    return distributed


def _plugin(sources: BatchSources, file: str) -> Any:
    distributed = _dask()

    base: Any = distributed.WorkerPlugin

    class SourcesPlugin(base):  # type: ignore[misc]
        """Opens the sources once per worker; :func:`_check_chunk` uses them."""

        name = _PLUGIN

        def __init__(self) -> None:
            self.sources = sources
            self.file = file
            self.chain: SourceChain | None = None
            self.opened: list[Any] = []

        def setup(self, worker: Any) -> None:
            self.chain, self.opened = self.sources.open()

        def teardown(self, worker: Any) -> None:
            for source in self.opened:
                source.close()

    return SourcesPlugin()


def _check_chunk(lines: list[tuple[int, str]]) -> list[str]:
    """The Dask task: one chunk's results, with the sources of this worker's plugin."""
    from distributed import get_worker

    plugin: Any = get_worker().plugins[_PLUGIN]
    return check_lines(lines, plugin.chain, plugin.file)


#: How every result line begins (the report's location first): what a file refcheck wrote
#: starts with, and what a line a kill cut short may hold.
_RESULT_START = b'{"file": '


def _not_results(output: Path) -> ExportError:
    return ExportError(
        f"{output}: exists and is not refcheck batch results; give a new output file "
        "(refcheck never writes over what it did not write)"
    )


def _result_line(data: bytes) -> int | None:
    """The input line number of one whole result line, or ``None`` if it is no result."""
    if not data.startswith(_RESULT_START):
        return None
    try:
        value = json.loads(data)
    except ValueError:
        return None
    if not isinstance(value, dict) or "status" not in value:
        return None
    number = value.get("line")
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def _resume_point(output: Path) -> int:
    """The last input line number the output holds a result for (0: none); a last line cut
    short by a kill is dropped first. Raises :class:`~refcheck.errors.ExportError` for a file
    that is not refcheck's results: its first and last whole lines must be results, and the
    torn tail the start of one, before anything is cut (it is never written over)."""
    try:
        mode = output.stat().st_mode
    except FileNotFoundError:
        return 0
    if not stat.S_ISREG(mode):
        raise ExportError(f"{output}: expected a regular file for the results (or none)")
    try:
        return _resume_file(output)
    except OSError as exc:
        raise ExportError(f"cannot resume {output}: {exc.strerror or exc}") from exc


def _resume_file(output: Path) -> int:
    with output.open("rb+") as file:
        size = file.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        file.seek(0)
        head = file.readline(MAX_RESULT)
        # Read back to the last whole line.
        tail = b""
        position = size
        while position > 0 and tail.count(b"\n") < 2 and len(tail) <= 2 * MAX_RESULT:
            step = min(65536, position)
            position -= step
            file.seek(position)
            tail = file.read(step) + tail
        complete = tail.rfind(b"\n")
        if complete < 0:
            # No whole line at all: only the start of a first result, cut by a kill.
            if position > 0 or not tail.startswith(_RESULT_START):
                raise _not_results(output)
            file.truncate(0)
            return 0
        cut = len(tail) - complete - 1
        previous = tail.rfind(b"\n", 0, complete)
        last_whole = tail[previous + 1 : complete]
        torn = tail[complete + 1 :]
        number = _result_line(last_whole)
        if (
            _result_line(head.rstrip(b"\n")) is None
            or number is None
            or (torn and not _RESULT_START.startswith(torn[: len(_RESULT_START)]))
        ):
            raise _not_results(output)
        if cut:
            file.truncate(size - cut)
    return number


def _chunks(path: Path, after: int, size: int) -> Iterator[list[tuple[int, str]]]:
    """The input's non-blank lines after line ``after``, ``size`` at a time, numbered from 1.

    A line longer than :data:`MAX_LINE` is not held: its first part is kept (and gets an
    error result), the rest read past in pieces, so that memory stays bounded.
    """
    chunk: list[tuple[int, str]] = []
    with path.open(encoding="utf-8", errors="replace", newline="\n") as lines:
        number = 0
        while True:
            line = lines.readline(MAX_LINE + 1)
            if not line:
                break
            number += 1
            if len(line) > MAX_LINE and not line.endswith("\n"):
                while (rest := lines.readline(MAX_LINE)) and not rest.endswith("\n"):
                    pass
            if number <= after or not line.strip():
                continue
            chunk.append((number, line.rstrip("\r\n")))
            if len(chunk) >= size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _chunk_failed(lines: Sequence[tuple[int, str]], file: str, exc: BaseException) -> list[str]:
    """Error results for every line of a chunk whose task failed (a worker lost, say)."""
    reason = f"the task of lines {lines[0][0]}-{lines[-1][0]} failed: {type(exc).__name__}: {exc}"
    return [
        json.dumps(_error(line, number, file, f"line {number}: {reason}"), ensure_ascii=False)
        for number, line in lines
    ]


def check_batch(
    references: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    sources: BatchSources,
    scheduler: str | None = None,
    workers: int | None = None,
    chunk: int = 200,
    in_flight: int = 3,
    progress: BatchProgress | None = None,
) -> BatchResult:
    """Check every line of ``references`` on Dask, writing ``output`` (see the module docs).

    ``scheduler`` is the address of a Dask scheduler (``None``: a local cluster of ``workers``
    processes, one per core by default); ``chunk`` lines make one task, and each worker has
    ``in_flight`` tasks at most. Resumes when ``output`` holds results already.
    """
    distributed = _dask()
    source_path, target = Path(references), Path(output)
    if not source_path.is_file():
        raise ConfigError(f"{source_path}: expected a file of references, one a line")
    if chunk < 1 or in_flight < 1:
        raise ConfigError("batch: expected chunk >= 1 and in_flight >= 1")
    target = check_output(target, inputs=[source_path, sources.snapshot])
    done = _resume_point(target)
    started = time.perf_counter()
    cluster = None
    if scheduler is None:
        cluster = distributed.LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
        )
    written = errors = 0
    try:
        with distributed.Client(cluster if cluster is not None else scheduler) as client:
            count = len(client.scheduler_info()["workers"]) or 1
            client.register_plugin(
                _plugin(attrs.evolve(sources, share=count), source_path.name), name=_PLUGIN
            )
            window: deque[Any] = deque()
            with target.open("a", encoding="utf-8") as out:

                def write(task: tuple[Any, list[tuple[int, str]]]) -> None:
                    nonlocal written, errors
                    future, lines = task
                    try:
                        results = future.result()
                    except Exception as exc:  # one chunk's failure never stops the others
                        results = _chunk_failed(lines, source_path.name, exc)
                    out.write("".join(line + "\n" for line in results))
                    out.flush()
                    written += len(results)
                    errors += sum('"status": "error"' in line for line in results)
                    if progress is not None:
                        progress(written, done)

                for lines in _chunks(source_path, done, chunk):
                    window.append((client.submit(_check_chunk, lines, pure=False), lines))
                    while len(window) >= count * in_flight:
                        write(window.popleft())
                while window:
                    write(window.popleft())
    finally:
        if cluster is not None:
            cluster.close()
    return BatchResult(written, done, errors, count, time.perf_counter() - started)
