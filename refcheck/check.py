"""Check manuscripts: the whole data flow, end to end.

``text -> extract citations -> parse -> Reference -> resolve -> Match -> compare -> findings``,
then the document-level checks. This module only wires the steps together; each step lives in
its own module. The network is the slow part, so distinct references are resolved once each,
a few at a time (``concurrency``), through one client, and the DOIs they cite are looked up
first in a few list requests (``SourceChain.prefetch``: Crossref's ``filter=doi:A,doi:B``)
rather than one request each.

Ctrl-C during a check stops it at once: queued lookups are cancelled, those in flight cut
short, and :class:`~refcheck.errors.CheckInterrupted` (a ``KeyboardInterrupt``) carries the
report, the references not checked marked so.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from itertools import zip_longest

import attrs

from refcheck.errors import CheckInterrupted, ServiceUnreachable
from refcheck.findings import check_document, compare, reading_findings
from refcheck.model import CheckedReference, Finding, Match, MatchStatus, Reference, Report
from refcheck.parsing import parse_citation
from refcheck.parsing.align import align
from refcheck.readers import Manuscript, extract_citations, read_file
from refcheck.sources.chain import SourceChain
from refcheck.sources.crossref import CrossrefClient, CrossrefSettings
from refcheck.sources.http.limits import Limits
from refcheck.sources.resolve import Resolver, WorkSource

__all__ = [
    "Progress",
    "check_file",
    "check_files",
    "check_text",
    "resolve_reference",
]

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each reference is resolved."""


def check_text(
    text: str,
    *,
    file: str = "<text>",
    source: WorkSource | None = None,
    settings: CrossrefSettings | None = None,
    concurrency: int = 3,
    progress: Progress | None = None,
    fallbacks: Sequence[WorkSource] = (),
) -> Report:
    """Check the references of one manuscript given as text.

    ``fallbacks`` are the sources asked, in order, when Crossref (or ``source``) leaves a
    reference unresolved (see :mod:`refcheck.sources.chain`); the caller opens and closes them.
    """
    return _check(
        [extract_citations(text, file)], source, settings, concurrency, progress, None, fallbacks
    )


def check_files(
    paths: Iterable[str | os.PathLike[str]],
    *,
    source: WorkSource | None = None,
    settings: CrossrefSettings | None = None,
    concurrency: int = 3,
    progress: Progress | None = None,
    threshold: float | None = None,
    fallbacks: Sequence[WorkSource] = (),
) -> Report:
    """Check the references of one or more manuscript files, as one report.

    Each file is read by the reader of its extension (:func:`refcheck.readers.read_file`):
    ``.bib``, ``.tex``/``.bbl``, ``.docx``, JATS ``.xml``; anything else as Markdown or text.
    ``threshold`` is the resolver's validation score a search result needs (default
    :attr:`Resolver.threshold <refcheck.sources.resolve.Resolver.threshold>`). ``fallbacks`` are the
    sources asked, in order, for the references Crossref leaves unresolved.
    """
    manuscripts = [read_file(p) for p in paths]
    return _check(manuscripts, source, settings, concurrency, progress, threshold, fallbacks)


def check_file(
    path: str | os.PathLike[str],
    *,
    source: WorkSource | None = None,
    settings: CrossrefSettings | None = None,
    concurrency: int = 3,
    progress: Progress | None = None,
    fallbacks: Sequence[WorkSource] = (),
) -> Report:
    """Check the references of one manuscript file."""
    return check_files(
        [path],
        source=source,
        settings=settings,
        concurrency=concurrency,
        progress=progress,
        fallbacks=fallbacks,
    )


def resolve_reference(
    reference: Reference | str,
    *,
    source: WorkSource | None = None,
    settings: CrossrefSettings | None = None,
) -> Match:
    """Resolve one reference (or citation text, parsed first) to its work on Crossref."""
    if isinstance(reference, str):
        reference = parse_citation(reference)
    if source is not None:
        return Resolver(source).resolve(reference)
    with CrossrefClient(settings or CrossrefSettings.from_env()) as client:
        return Resolver(client).resolve(reference)


def _check(
    manuscripts: Sequence[Manuscript],
    source: WorkSource | None,
    settings: CrossrefSettings | None,
    concurrency: int,
    progress: Progress | None,
    threshold: float | None = None,
    fallbacks: Sequence[WorkSource] = (),
) -> Report:
    parsed = [
        (citation, built if built is not None else parse_citation(citation.text))
        for manuscript in manuscripts
        for citation, built in zip_longest(manuscript.citations, manuscript.references)
    ]
    owned = source is None
    client: WorkSource = source if source is not None else _client(settings, concurrency)
    interrupted: int | None = None
    try:
        chain = SourceChain((client, *fallbacks), threshold=threshold)
        references = [r for _, r in parsed]
        # Sources that can look many references up at once (arXiv's id_list, Crossref's DOI
        # filter) do it first.
        chain.prefetch(list(dict.fromkeys(references)))
        matches = _resolve_all(chain, references, concurrency, progress)
    except _Interrupted as stopped:
        matches, interrupted = stopped.matches, stopped.reached
    finally:
        if owned and isinstance(client, CrossrefClient):
            client.close()
    unreachable = [str(tripped) for s in (client, *fallbacks) if (tripped := _tripped(s))]
    checked = [
        CheckedReference(
            citation, aligned, matches[reference], compare(aligned, matches[reference])
        )
        for citation, reference in parsed
        for aligned in (_aligned(reference, matches[reference]),)
    ]
    findings: list[Finding] = []
    for manuscript in manuscripts:
        own = set(manuscript.citations)
        mine = [c for c in checked if c.citation in own]
        findings.extend(reading_findings(manuscript))
        findings.extend(check_document(mine, manuscript.text_lines, manuscript.file))
    report = Report(
        references=checked,
        findings=findings,
        files=[m.file for m in manuscripts],
        unreachable=unreachable,
    )
    if interrupted is not None:
        raise CheckInterrupted(report, interrupted)
    return report


def _tripped(source: WorkSource) -> ServiceUnreachable | None:
    """The error of a source's circuit breaker, if it tripped (the source was unreachable)."""
    breaker = getattr(source, "breaker", None)
    tripped = getattr(breaker, "tripped", None)
    return tripped if isinstance(tripped, ServiceUnreachable) else None


def _aligned(reference: Reference, match: Match) -> Reference:
    """The reference re-cut along its matched work (:func:`refcheck.parsing.align.align`)."""
    if match.status is MatchStatus.MATCHED and match.work is not None:
        return align(reference, match.work)
    return reference


_SPARE_THREADS = 2
#: How long, after Ctrl-C, the lookups in flight are given to end (they are cut short: their
#: sockets are shut and their waits end; a cache write in progress completes).
_GRACE = 2.0
_INTERRUPTED = "interrupted (Ctrl-C) before it was checked"


def _client(settings: CrossrefSettings | None, concurrency: int) -> CrossrefClient:
    """A client whose requests in flight are at most ``concurrency`` (and the pool's limit)."""
    settings = settings or CrossrefSettings.from_env()
    limits = settings.limits or Limits.for_pool(settings.mailto)
    if concurrency < limits.concurrency:
        limits = attrs.evolve(limits, concurrency=max(1, concurrency))
    return CrossrefClient(attrs.evolve(settings, limits=limits))


def _collect(
    done: queue.SimpleQueue[tuple[Reference, Match | None, BaseException | None]],
    results: dict[Reference, Match],
    total: int,
    progress: Progress | None,
    stop: threading.Event,
) -> None:
    """Take the workers' matches into ``results`` until there are ``total``; raise a
    worker's error. A function of its own, so that a KeyboardInterrupt arriving anywhere in
    the wait reaches the caller's handler as the exception of one call."""
    while len(results) < total:
        try:
            reference, match, error = done.get(timeout=0.2)
        except queue.Empty:
            reference, match, error = None, None, None
        if error is not None:
            stop.set()
            raise error
        if reference is not None and match is not None:
            results[reference] = match
            if progress:
                progress(len(results), total)


def _cut_short(match: Match) -> bool:
    """Whether a lookup ended because Ctrl-C aborted its source (not a real answer)."""
    return match.status is MatchStatus.UNCHECKED and "interrupted" in (match.reason or "")


class _Interrupted(Exception):
    """Ctrl-C during resolving, with a match for every reference (the missing ones unchecked)."""

    def __init__(self, matches: dict[Reference, Match], reached: int) -> None:
        super().__init__("interrupted")
        self.matches = matches
        self.reached = reached


def _resolve_all(
    resolver: Resolver | SourceChain,
    references: list[Reference],
    concurrency: int,
    progress: Progress | None,
) -> dict[Reference, Match]:
    """Resolve each distinct reference once, in worker threads (one for ``concurrency`` 1).

    The calling thread only waits, so that Ctrl-C reaches it at once: then no queued
    reference is started, the sources are aborted (requests in flight cut, waits ended), the
    workers get :data:`_GRACE` seconds to end, and :class:`_Interrupted` carries what was
    resolved. Workers are daemon threads: one stuck in a connect does not hold the exit.
    """
    unique = list(dict.fromkeys(references))
    total = len(unique)
    results: dict[Reference, Match] = {}
    if not unique:
        return results
    # A few more threads than requests in flight: while some threads parse and validate
    # answers, others wait at the client's limiter, ready to send as soon as it lets them.
    workers = 1 if concurrency <= 1 else min(total, concurrency + _SPARE_THREADS)
    todo: queue.SimpleQueue[Reference] = queue.SimpleQueue()
    for reference in unique:
        todo.put(reference)
    done: queue.SimpleQueue[tuple[Reference, Match | None, BaseException | None]]
    done = queue.SimpleQueue()
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            try:
                reference = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put((reference, resolver.resolve(reference), None))
            except BaseException as exc:  # handed to the calling thread, raised there
                done.put((reference, None, exc))
                return

    threads = [
        threading.Thread(target=work, name=f"refcheck-{n}", daemon=True) for n in range(workers)
    ]
    for thread in threads:
        thread.start()
    try:
        _collect(done, results, total, progress, stop)
    except KeyboardInterrupt:
        stop.set()
        abort = getattr(resolver, "abort", None)
        if callable(abort):
            abort()
        deadline = time.monotonic() + _GRACE
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        while not done.empty():
            reference, match, _ = done.get_nowait()
            if match is not None and not _cut_short(match):
                results[reference] = match
        reached = len(results)
        for reference in unique:
            results.setdefault(reference, Match(MatchStatus.UNCHECKED, reason=_INTERRUPTED))
        raise _Interrupted(results, reached) from None
    return results
