"""The bytes of a manuscript file, bounded, and its text, decoded.

Every reader takes its file through here: :func:`read_bytes` refuses what is too large, is
not a regular file (a device such as ``/dev/zero`` behind a link, a FIFO: opened without
blocking, never read) or cannot be read, with a :class:`~refcheck.errors.ParseError` that
names the file. :func:`decode_text` is the one decoder of every text format (Markdown and
plain text, ``.bib``, ``.tex``/``.bbl``, ``parse --file``); :func:`read_manuscript` is both.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from refcheck.errors import ParseError

__all__ = ["MAX_BYTES", "decode_source", "decode_text", "read_bytes", "read_manuscript"]

#: The largest manuscript file refcheck reads.
MAX_BYTES = 50 * 1024 * 1024
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


def read_bytes(path: Path | str) -> bytes:
    """The bytes of a manuscript file; :class:`ParseError` if it cannot be read, is not a
    regular file, or is larger than :data:`MAX_BYTES`.

    The file is opened without blocking (a FIFO with no writer would wait for ever) and
    checked on the open descriptor (no race with a file swapped for a link); at most
    ``MAX_BYTES + 1`` bytes are read whatever size it claims (``/dev/zero`` and some
    ``/proc`` files say 0).
    """
    file = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(file, flags)
    except OSError as exc:
        raise ParseError(f"cannot read manuscript {file}: {exc.strerror or exc}") from exc
    try:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise ParseError(f"cannot read manuscript {file}: it is a directory")
        if not stat.S_ISREG(status.st_mode):
            raise ParseError(
                f"{file} is not a regular file (a device, a FIFO or a socket); refcheck reads "
                "manuscripts from files only"
            )
        if status.st_size > MAX_BYTES:
            raise ParseError(_too_large(file, status.st_size))
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ParseError(f"cannot read manuscript {file}: {exc.strerror or exc}") from exc
    finally:
        os.close(descriptor)
    if len(data) > MAX_BYTES:
        raise ParseError(_too_large(file, len(data)))
    return data


def _too_large(file: Path, size: int) -> str:
    return (
        f"{file}: {size} bytes is more than the {MAX_BYTES} bytes (50 MB) refcheck reads; "
        "split the manuscript, or give its reference list alone"
    )


def decode_text(data: bytes, file: str | os.PathLike[str] = "<bytes>") -> str:
    """The text of a manuscript's bytes, whatever its encoding: the one decoder of every
    text format.

    Encodings: the one a byte-order mark names (UTF-8, UTF-16, UTF-32); UTF-16 without a mark
    when every other byte of the start is NUL; otherwise UTF-8, else Windows-1252 (whose
    dashes and quotes are what a Windows editor wrote), else Latin-1 (which reads any bytes).
    Control characters other than tab and the line breaks become U+FFFD. Raises
    :class:`~refcheck.errors.ParseError` for bytes that are binary (a PDF, a .docx, NUL bytes
    in 8-bit text ...) or do not decode in the encoding their byte-order mark names.
    """
    return _CONTROL.sub("\ufffd", _decode(data, Path(file)))


def decode_source(data: bytes, file: str | os.PathLike[str] = "<bytes>") -> str:
    """The text of a ``.bib`` or ``.tex`` file: :func:`decode_text` (kept for callers of the
    name; there is one decoder)."""
    return decode_text(data, file)


def read_manuscript(path: str | os.PathLike[str]) -> str:
    """The text of a manuscript file (Markdown, plain text, ``.bib``, ``.tex``), whatever its
    encoding: :func:`read_bytes`, then :func:`decode_text`."""
    return decode_text(read_bytes(Path(path)), path)


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
            raise ParseError(f"{file} is {kind}, not a text manuscript")
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
            f"{file} is a binary file (a NUL byte at offset {nul}), not a text manuscript"
        )
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")
