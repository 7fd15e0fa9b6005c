"""Progress bars for ``refcheck check --progress``: click's, tqdm's and rich's, measured.

A benchmark script, not a test (``python3 benchmarks/progress.py``). For each candidate it
drives a bar of ``--total`` steps, the way refcheck does (one update per resolved reference,
from the thread that collects the answers), and measures:

* the import time it adds to ``refcheck`` (click is imported anyway), in a fresh interpreter;
* the time per update (no sleeping between updates);
* what a person sees on a terminal (a pseudo-terminal: the bytes written and the last screen
  line), and what lands in a CI log (a pipe): the lines written.

refcheck's own ``_progress_bar`` is measured too: click's bar on a terminal, and on a
non-terminal a line every tenth of the way. Needs tqdm and rich (the ``bench`` extra:
``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import io
import os
import pty
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

Driver = Callable[[int, object], None]
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


#: Seconds between two updates when showing what is drawn (a reference resolved).
_interval = 0.0


def _pause() -> None:
    if _interval:
        time.sleep(_interval)


def _click(total: int, file: object) -> None:
    import click

    with click.progressbar(length=total, label="Checking references", file=file) as bar:
        for _ in range(total):
            _pause()
            bar.update(1)


def _tqdm(total: int, file: object) -> None:
    from tqdm import tqdm

    with tqdm(total=total, desc="Checking references", file=file) as bar:
        for _ in range(total):
            _pause()
            bar.update(1)


def _rich(total: int, file: object) -> None:
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(file=file)) as progress:  # type: ignore[arg-type]
        task = progress.add_task("Checking references", total=total)
        for _ in range(total):
            _pause()
            progress.update(task, advance=1)


def _refcheck(total: int, file: object) -> None:
    from refcheck.cli import _progress_bar

    with _progress_bar(True, file=file) as update:  # type: ignore[arg-type]
        assert update is not None
        for done in range(1, total + 1):
            _pause()
            update(done, total)


CANDIDATES: dict[str, tuple[str, Driver]] = {
    "click": ("click", _click),
    "tqdm": ("tqdm", _tqdm),
    "rich": ("rich.progress", _rich),
    # refcheck's bar is click's (imported with refcheck anyway): nothing more to import.
    "refcheck": ("click", _refcheck),
}


def _import_ms(module: str) -> float:
    """Milliseconds to import ``module`` after click, best of five fresh interpreters."""
    code = (
        "import time, click; t = time.perf_counter(); "
        f"import {module}; print((time.perf_counter() - t) * 1000)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    return min(runs)


def _on_terminal(drive: Driver, total: int) -> tuple[int, str]:
    """Bytes written to a pseudo-terminal, and the last line a person sees."""
    leader, follower = pty.openpty()
    with os.fdopen(follower, "w", closefd=True) as tty:
        drive(total, tty)
        tty.flush()
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    written = sum(len(c) for c in chunks)
    raw = _ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))
    screen = [piece for line in raw.split("\n") for piece in line.split("\r")]
    last = next((p for p in reversed(screen) if p.strip()), "")
    return written, " ".join(last.split())


def _on_pipe(drive: Driver, total: int) -> tuple[list[str], int]:
    """The lines a CI log gets, and the carriage returns in them (a bar redrawn in place,
    which a log shows as one line of all the states, or only the last)."""
    buffer = io.StringIO()
    drive(total, buffer)
    text = buffer.getvalue()
    lines = [" ".join(p.split()) for p in text.split("\n") if p.strip()]
    return lines, text.count("\r")


def _per_update_us(drive: Driver, total: int) -> float:
    leader, follower = pty.openpty()
    with os.fdopen(follower, "w", closefd=True) as tty:
        started = time.perf_counter()
        drive(total, tty)
        elapsed = time.perf_counter() - started
    os.close(leader)
    return elapsed / total * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--total", type=int, default=58, help="references (default: 58)")
    parser.add_argument(
        "--interval", type=float, default=0.05, help="seconds between updates (default: 0.05)"
    )
    args = parser.parse_args(argv)
    import refcheck.cli  # noqa: F401  (not counted in the time per update)

    global _interval
    print(
        f"{args.total} updates {args.interval} s apart (2,000 with no pause for the time per "
        f"update), Python {sys.version.split()[0]}"
    )
    print(
        "| bar | import after click (ms) | µs per update | terminal: bytes, last line | "
        "pipe: lines, carriage returns, first and last line |"
    )
    print("|---|---|---|---|---|")
    for name, (module, drive) in CANDIDATES.items():
        imported = _import_ms(module)
        _interval = 0.0
        per_update = _per_update_us(drive, 2000)
        _interval = args.interval
        written, last = _on_terminal(drive, args.total)
        lines, returns = _on_pipe(drive, args.total)
        ends = [lines[0][:60], lines[-1][-60:]] if lines else []
        shown = " … ".join(f"`{e}`" for e in dict.fromkeys(ends))
        print(
            f"| {name} | {imported:.1f} | {per_update:.0f} | {written}, `{last[:70]}` | "
            f"{len(lines)}, {returns}: {shown} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
