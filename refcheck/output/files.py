"""Writing a report or a BibTeX file: checked before the run, written whole or not at all.

:func:`check_output` is called before a check, so that a path that cannot be written (its
directory is missing, it is a directory) or that names one of the run's own files (the
manuscript, the configuration file, the cache) is refused before any time is spent, and
nothing refcheck was given to read is ever overwritten. :func:`write_output` writes the text
to a temporary file beside the target and renames it over the target once it is whole, so
that a full disk or a Ctrl-C leaves the old file as it was (and no half report). A target
that exists and is not a regular file (``/dev/stdout``, a FIFO) is written to directly.
Errors are :class:`~refcheck.errors.ExportError`, naming the path.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from refcheck.errors import ExportError

__all__ = ["check_output", "write_output"]


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_output(
    path: str | os.PathLike[str], *, inputs: Iterable[str | os.PathLike[str] | None] = ()
) -> Path:
    """The file to write for ``path`` (links followed); :class:`ExportError` when it cannot be
    written or is one of ``inputs`` (files the run reads or keeps)."""
    target = Path(os.path.realpath(os.fspath(path)))
    shown = os.fspath(path)
    for given in inputs:
        if given is not None and _same(target, Path(given)):
            raise ExportError(
                f"cannot write the report to {shown}: it is {os.fspath(given)}, which refcheck "
                "reads; choose another file"
            )
    parent = target.parent
    if not parent.is_dir():
        raise ExportError(f"cannot write the report to {shown}: no directory {parent}")
    if target.is_dir():
        raise ExportError(f"cannot write the report to {shown}: it is a directory")
    if _special(target):
        return target
    if not os.access(parent, os.W_OK):
        raise ExportError(f"cannot write the report to {shown}: {parent} is not writable")
    return target


def _special(target: Path) -> bool:
    """Whether ``target`` exists and is not a regular file (a device, a FIFO)."""
    try:
        return not stat.S_ISREG(target.stat().st_mode)
    except OSError:
        return False


def write_output(
    path: str | os.PathLike[str],
    text: str,
    *,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole, or not at all (see the module docstring)."""
    shown = os.fspath(path)
    target = check_output(path, inputs=inputs)
    data = text.encode("utf-8")
    if _special(target):
        try:
            with target.open("wb") as out:
                out.write(data)
        except OSError as exc:
            raise ExportError(f"cannot write to {shown}: {exc.strerror or exc}") from exc
        return
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)  # refcheck's own temporary file
        if isinstance(exc, OSError):
            raise ExportError(f"cannot write to {shown}: {exc.strerror or exc}") from exc
        raise
