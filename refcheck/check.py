"""Check manuscripts: the whole data flow, end to end.

``text -> extract citations -> parse -> Reference -> resolve -> Match -> compare -> findings``,
then the document-level checks. This module only wires the steps together; each step lives in
its own module. The network is the slow part, so distinct references are resolved once each,
a few at a time (``concurrency``), through one client.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from itertools import zip_longest
from pathlib import Path

import attrs

from refcheck.align import align
from refcheck.compare import compare
from refcheck.crossref import CrossrefClient, CrossrefSettings
from refcheck.document import check_document
from refcheck.errors import ParseError
from refcheck.extract import Manuscript, extract_citations
from refcheck.limits import Limits
from refcheck.model import CheckedReference, Finding, Match, MatchStatus, Reference, Report
from refcheck.parse import parse_citation
from refcheck.readers import read_file
from refcheck.resolve import Resolver, WorkSource
from refcheck.sources import SourceChain

__all__ = [
    "Progress",
    "check_file",
    "check_files",
    "check_text",
    "read_manuscript",
    "resolve_reference",
]

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each reference is resolved."""

_MAX_BYTES = 50 * 1024 * 1024
#: The start of files that are not text, and what they are.
_BINARY = (
    (b"%PDF-", "a PDF"),
    (b"PK\x03\x04", "a ZIP archive (.docx, .odt, .epub ...)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.doc)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip file"),
    (b"\x7fELF", "a program"),
)
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# C0 and C1 control characters but tab, line feed, vertical tab, form feed and carriage return:
# never meaningful in a manuscript, and ESC or CSI could drive the terminal a report is shown in.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def read_manuscript(path: str | os.PathLike[str]) -> str:
    """The text of a manuscript file (Markdown or plain text), whatever its encoding.

    Encodings: the one a byte-order mark names (UTF-8, UTF-16, UTF-32); UTF-16 without a mark
    when every other byte of the start is NUL; otherwise UTF-8, else Windows-1252, else
    Latin-1 (which reads any bytes). Control characters other than tab and the line breaks
    become U+FFFD. Raises :class:`~refcheck.errors.ParseError` for a file that cannot be
    read, is larger than 50 MB, is binary (a PDF, a .docx, NUL bytes in 8-bit text ...), or
    does not decode in the encoding its byte-order mark names.
    """
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > _MAX_BYTES:
            raise ParseError(
                f"{file}: {size} bytes is more than the {_MAX_BYTES} bytes (50 MB) refcheck "
                "reads; split the manuscript, or give its reference list alone"
            )
        data = file.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read manuscript {file}: {exc.strerror or exc}") from exc
    return _CONTROL.sub("\ufffd", _decode(data, file))


def _decode(data: bytes, file: Path) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ParseError(
                    f"{file}: starts with a {encoding.upper().removesuffix('-SIG')} byte-order "
                    f"mark, but bytes {exc.start}-{exc.end} are not {exc.encoding.upper()}: "
                    f"{exc.reason}"
                ) from exc
    for signature, kind in _BINARY:
        if data.startswith(signature):
            raise ParseError(f"{file} is {kind}, not a Markdown or text manuscript")
    head = data[:4096]
    if len(head) >= 4 and head.count(0) >= len(head) // 2 - 1:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        wide: str | None = None
        if odd > 0.9 * len(head[1::2]) and even < 0.1 * len(head[0::2]):
            wide = "utf-16-le"
        elif even > 0.9 * len(head[0::2]) and odd < 0.1 * len(head[1::2]):
            wide = "utf-16-be"
        if wide is not None:
            try:
                return data.decode(wide)
            except UnicodeDecodeError:
                pass
    nul = data.find(0)
    if nul >= 0:
        raise ParseError(
            f"{file} is a binary file (a NUL byte at offset {nul}), not a Markdown or text "
            "manuscript"
        )
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


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
    reference unresolved (see :mod:`refcheck.sources`); the caller opens and closes them.
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
    :attr:`Resolver.threshold <refcheck.resolve.Resolver.threshold>`). ``fallbacks`` are the
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
    try:
        chain = SourceChain((client, *fallbacks), threshold=threshold)
        matches = _resolve_all(chain, [r for _, r in parsed], concurrency, progress)
    finally:
        if owned and isinstance(client, CrossrefClient):
            client.close()
    checked = [
        CheckedReference(
            citation, aligned, matches[reference], compare(aligned, matches[reference])
        )
        for citation, reference in parsed
        for aligned in (_aligned(reference, matches[reference]),)
    ]
    findings: list[Finding] = []
    for manuscript in manuscripts:
        mine = [c for c in checked if c.citation.file == manuscript.file]
        findings.extend(check_document(mine, manuscript.text_lines, manuscript.file))
    return Report(references=checked, findings=findings, files=[m.file for m in manuscripts])


def _aligned(reference: Reference, match: Match) -> Reference:
    """The reference re-cut along its matched work (:func:`refcheck.align.align`)."""
    if match.status is MatchStatus.MATCHED and match.work is not None:
        return align(reference, match.work)
    return reference


_SPARE_THREADS = 2


def _client(settings: CrossrefSettings | None, concurrency: int) -> CrossrefClient:
    """A client whose requests in flight are at most ``concurrency`` (and the pool's limit)."""
    settings = settings or CrossrefSettings.from_env()
    limits = settings.limits or Limits.for_pool(settings.mailto)
    if concurrency < limits.concurrency:
        limits = attrs.evolve(limits, concurrency=max(1, concurrency))
    return CrossrefClient(attrs.evolve(settings, limits=limits))


def _resolve_all(
    resolver: Resolver | SourceChain,
    references: list[Reference],
    concurrency: int,
    progress: Progress | None,
) -> dict[Reference, Match]:
    unique = list(dict.fromkeys(references))
    results: dict[Reference, Match] = {}
    total = len(unique)
    if concurrency <= 1 or total <= 1:
        for done, reference in enumerate(unique, 1):
            results[reference] = resolver.resolve(reference)
            if progress:
                progress(done, total)
        return results
    # A few more threads than requests in flight: while some threads parse and validate
    # answers, others wait at the client's limiter, ready to send as soon as it lets them.
    workers = min(total, concurrency + _SPARE_THREADS)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="refcheck") as pool:
        futures = {pool.submit(resolver.resolve, r): r for r in unique}
        for done, future in enumerate(as_completed(futures), 1):
            results[futures[future]] = future.result()
            if progress:
                progress(done, total)
    return results
