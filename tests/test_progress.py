"""``--progress``: a bar on a terminal, readable lines in a log, for check and bibtex alike."""

from __future__ import annotations

import io
import os
import pty
import re

import pytest
from click.testing import CliRunner
from seed import MANUSCRIPT, RESPONSES

from refcheck.cli import _progress_bar, cli


def _stderr(*args: str) -> list[str]:
    result = CliRunner().invoke(cli, list(args))
    return result.stderr.splitlines()


def _progress_lines(lines: list[str]) -> list[str]:
    return [re.sub(r" \(\d+ s\)$", "", line) for line in lines if line.startswith("Checking")]


@pytest.mark.parametrize("command", ["check", "bibtex"])
def test_progress_in_a_log_is_lines_not_a_label(command: str) -> None:
    """On a non-terminal, ``--progress`` writes a line at each tenth of the way, ending with
    the total (click's bar would print only its label there)."""
    lines = _stderr(command, str(MANUSCRIPT), "--replay", str(RESPONSES), "--progress")
    assert [f"Checking references: {n}/15" for n in (2, 4, 6, 8, 10, 12, 14, 15)] == (
        _progress_lines(lines)
    )


@pytest.mark.parametrize("command", ["check", "bibtex"])
def test_no_progress_by_default_off_a_terminal(command: str) -> None:
    """Without ``--progress``, a non-terminal stderr gets no progress at all."""
    lines = _stderr(command, str(MANUSCRIPT), "--replay", str(RESPONSES))
    assert [] == _progress_lines(lines)


def test_a_log_gets_at_most_eleven_lines() -> None:
    """However many references, about ten lines: 1,000 references give 10."""
    out = io.StringIO()
    with _progress_bar(True, file=out) as update:
        assert update is not None
        for done in range(1, 1001):
            update(done, 1000)
    assert [f"Checking references: {n}/1000" for n in range(100, 1001, 100)] == _progress_lines(
        out.getvalue().splitlines()
    )


def test_a_terminal_gets_a_bar() -> None:
    """On a terminal the progress is click's bar, redrawn in place, ending full."""
    leader, follower = pty.openpty()
    with os.fdopen(follower, "w") as tty, _progress_bar(True, file=tty) as update:
        assert update is not None
        for done in range(1, 6):
            update(done, 5)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal is closed: all is read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    drawn = b"".join(chunks).decode()
    assert (True, True) == ("Checking references" in drawn, "[####" in drawn and "100%" in drawn)
