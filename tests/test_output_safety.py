"""Output files and configuration files: checked first, written whole, never a manuscript.

Issue 15's defect 11: ``check -o`` into a missing directory or onto a full disk gave a
traceback after the whole run and lost the results; ``-o`` naming the manuscript overwrote
it; a non-UTF-8 ``refcheck.toml``, ``tool = 5`` in a ``pyproject.toml`` and ``parse --file``
on a Latin-1 file gave tracebacks. The command runs against the Crossref stand-in on
127.0.0.1, whose log shows whether any lookup was made.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from seed import MANUSCRIPT, seed_records

from refcheck.cli import EXIT_USAGE, cli
from refcheck.testing import CrossrefStandIn, serve_crossref

pytestmark = pytest.mark.usefixtures("no_retry_wait")


@pytest.fixture(scope="module")
def server() -> Iterator[CrossrefStandIn]:
    with serve_crossref(seed_records()) as stand_in:
        yield stand_in


@pytest.fixture
def crossref(server: CrossrefStandIn) -> Iterator[CrossrefStandIn]:
    server.clear_log()
    yield server


@pytest.fixture
def manuscript(tmp_path: Path) -> Path:
    path = tmp_path / "paper.md"
    path.write_bytes(MANUSCRIPT.read_bytes())
    return path


def check(crossref: CrossrefStandIn, manuscript: Path, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["check", str(manuscript), "--base-url", crossref.base_url, "--no-cache", *args]
    )


def test_a_missing_directory_is_refused_before_the_run(
    crossref: CrossrefStandIn, manuscript: Path, tmp_path: Path
) -> None:
    """``-o missing/report.txt``: exit 2 naming the directory, before any lookup (once a
    traceback after the whole run)."""
    result = check(crossref, manuscript, "-o", str(tmp_path / "missing" / "report.txt"))
    assert (EXIT_USAGE, True, 0, False) == (
        result.exit_code,
        "no directory" in result.output,
        len(crossref.requests),
        (tmp_path / "missing").exists(),
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_full_disk_loses_no_result(crossref: CrossrefStandIn, manuscript: Path) -> None:
    """``-o /dev/full`` (every write: "No space left on device"): the report goes to
    standard output instead, the error says why, and the command exits 2."""
    result = check(crossref, manuscript, "-o", "/dev/full")
    assert (EXIT_USAGE, True, True) == (
        result.exit_code,
        "No space left on device" in result.stderr,
        result.stdout.rstrip().splitlines()[-1].startswith("15 references"),
    )


def test_a_failed_write_keeps_the_old_report_and_leaves_no_temporary_file(
    crossref: CrossrefStandIn,
    manuscript: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The disk fills up while the report is written: the old report is as it was (the new
    one is written beside it and renamed only once whole), refcheck's temporary file is
    gone, and the report is on standard output."""
    report = tmp_path / "report.txt"
    report.write_text("last week's report\n", encoding="utf-8")

    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    result = check(crossref, manuscript, "-o", str(report))
    assert (EXIT_USAGE, "last week's report\n", ["paper.md", "report.txt"], True) == (
        result.exit_code,
        report.read_text(encoding="utf-8"),
        sorted(p.name for p in tmp_path.iterdir()),
        "15 references" in result.stdout,
    )


def test_a_report_is_replaced_whole_keeping_its_mode(
    crossref: CrossrefStandIn, manuscript: Path, tmp_path: Path
) -> None:
    """An existing report named by ``-o`` is replaced by the new one, with its permissions."""
    report = tmp_path / "report.json"
    report.write_text("old", encoding="utf-8")
    report.chmod(0o640)
    result = check(crossref, manuscript, "-o", str(report), "--format", "json")
    assert (1, 15, 0o640) == (
        result.exit_code,
        json.loads(report.read_text(encoding="utf-8"))["summary"]["references"],
        report.stat().st_mode & 0o777,
    )


@pytest.mark.parametrize("how", ["itself", "through-a-link", "relative"])
def test_the_manuscript_is_never_the_output(
    crossref: CrossrefStandIn, manuscript: Path, tmp_path: Path, how: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """``-o`` naming the manuscript (directly, through a link, or by a relative path): exit
    2 before the run, and the manuscript keeps its bytes (once silently overwritten)."""
    before = manuscript.read_bytes()
    target = str(manuscript)
    if how == "through-a-link":
        (tmp_path / "link.md").symlink_to(manuscript)
        target = str(tmp_path / "link.md")
    elif how == "relative":
        monkeypatch.chdir(tmp_path)
        target = "./paper.md"
    result = check(crossref, manuscript, "-o", target)
    assert (EXIT_USAGE, True, before, 0) == (
        result.exit_code,
        "which refcheck reads" in result.output,
        manuscript.read_bytes(),
        len(crossref.requests),
    )


def test_the_configuration_and_the_cache_are_never_the_output(
    crossref: CrossrefStandIn, manuscript: Path, tmp_path: Path
) -> None:
    """The configuration file and the cache file are refused as ``-o`` too."""
    config = tmp_path / "refcheck.toml"
    config.write_text('fail-on = "error"\n', encoding="utf-8")
    cache = tmp_path / "c.sqlite"
    cache.write_bytes(b"")
    with_cache = ["check", str(manuscript), "--base-url", crossref.base_url, "--cache", str(cache)]
    codes = [
        check(crossref, manuscript, "-o", str(config)).exit_code,
        CliRunner().invoke(cli, [*with_cache, "-o", str(cache)]).exit_code,
    ]
    assert ([EXIT_USAGE, EXIT_USAGE], 'fail-on = "error"\n', b"") == (
        codes,
        config.read_text(encoding="utf-8"),
        cache.read_bytes(),
    )


def test_bibtex_never_overwrites_the_manuscript(
    crossref: CrossrefStandIn, manuscript: Path
) -> None:
    """``refcheck bibtex paper.md -o paper.md``: refused too, the manuscript kept."""
    before = manuscript.read_bytes()
    result = CliRunner().invoke(
        cli, ["bibtex", str(manuscript), "--base-url", crossref.base_url, "--no-cache",
              "-o", str(manuscript)],
    )  # fmt: skip
    assert (EXIT_USAGE, before) == (result.exit_code, manuscript.read_bytes())


# --- configuration files ------------------------------------------------------------------


def test_a_non_utf8_configuration_file_is_a_clear_error(manuscript: Path, tmp_path: Path) -> None:
    """A Latin-1 refcheck.toml beside the manuscript: "not UTF-8" naming it, exit 2 (once a
    UnicodeDecodeError traceback)."""
    (tmp_path / "refcheck.toml").write_bytes('mailto = "café@example.org"\n'.encode("latin-1"))
    result = CliRunner().invoke(cli, ["check", str(manuscript), "--no-cache"])
    assert (EXIT_USAGE, True, None) == (
        result.exit_code,
        "refcheck.toml: not UTF-8" in result.output,
        result.exception if not isinstance(result.exception, SystemExit) else None,
    )


@pytest.mark.parametrize("tool", ["tool = 5", 'tool = "refcheck"', "tool = [1, 2]"])
def test_a_pyproject_whose_tool_is_not_a_table_is_passed_over(
    crossref: CrossrefStandIn, manuscript: Path, tmp_path: Path, tool: str
) -> None:
    """``tool = 5`` at the top of a pyproject.toml: it has no [tool.refcheck], so it is not
    the configuration (once a TypeError traceback); the check runs."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(f'{tool}\n[project]\nname = "x"\n', encoding="utf-8")
    result = check(crossref, manuscript)
    assert (1, True) == (result.exit_code, isinstance(result.exception, SystemExit))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_as_configuration_is_refused(manuscript: Path, tmp_path: Path) -> None:
    """``--config`` naming a FIFO: "not a regular file" at once, not a hang."""
    fifo = tmp_path / "refcheck.toml"
    os.mkfifo(fifo)
    result = CliRunner().invoke(cli, ["check", str(manuscript), "--config", str(fifo)])
    assert (EXIT_USAGE, True) == (result.exit_code, "not a regular file" in result.output)


# --- parse --file --------------------------------------------------------------------------

CITATION = "Sève P, Müller A. Silencing the storm – a review. J Things 2020;12:317–335."


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16", "utf-8"])
def test_parse_file_reads_any_encoding(tmp_path: Path, encoding: str) -> None:
    """``parse --file`` on a Latin-1 (once a traceback), Windows-1252 or UTF-16 file: the
    fields of the UTF-8 file (the en dash of Windows-1252 included)."""
    text = CITATION if encoding != "latin-1" else CITATION.replace("–", "-")
    expected = CliRunner().invoke(cli, ["parse", text, "--format", "json"])
    path = tmp_path / "citations.txt"
    path.write_bytes((text + "\n").encode(encoding))
    result = CliRunner().invoke(cli, ["parse", "--file", str(path), "--format", "json"])
    assert (0, [json.loads(expected.stdout)]) == (result.exit_code, json.loads(result.stdout))


def test_parse_reads_latin1_from_standard_input() -> None:
    """``parse --file -`` with Latin-1 bytes on standard input: parsed, no traceback."""
    data = (CITATION.replace("–", "-") + "\n").encode("latin-1")
    result = CliRunner().invoke(cli, ["parse", "--file", "-", "--format", "json"], input=data)
    assert (0, "Sève") == (result.exit_code, json.loads(result.stdout)[0]["authors"][0]["family"])
