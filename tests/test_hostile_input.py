"""Hostile input: odd manuscript files, odd DOIs, and text built to make regexes backtrack.

Manuscript files: binary, empty, huge, UTF-16/32, Latin-1 and Windows-1252, NUL and control
bytes, enormous lines. DOIs: dot segments, ``?``, ``#``, spaces and control characters, sent
to the Crossref stand-in, whose log shows the exact request target. Regexes: every compiled
pattern of refcheck, and the public functions that apply them, on 100 kB of adversarial text,
each call time-boxed (a watchdog ends the run with a traceback if one hangs).
"""

from __future__ import annotations

import faulthandler
import importlib
import os
import pkgutil
import random
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from seed import MANUSCRIPT, seed_records

import refcheck
from refcheck.cli import EXIT_UNCHECKED, EXIT_USAGE, cli
from refcheck.errors import ParseError
from refcheck.findings import check_document
from refcheck.model import printable
from refcheck.parsing import parse_citation
from refcheck.readers import read_manuscript
from refcheck.readers.text import extract_citations
from refcheck.sources.crossref import CrossrefClient, work_from_crossref
from refcheck.sources.resolve import bibliographic_query
from refcheck.testing import serve_crossref

TEXT = MANUSCRIPT.read_text(encoding="utf-8")
SEED = extract_citations(TEXT, "m")
CITATIONS = [(c.label, c.text) for c in SEED.citations]


def citations_of(path: Path) -> list[tuple[str, str]]:
    return [(c.label, c.text) for c in extract_citations(read_manuscript(path), "m").citations]


# --- manuscript files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-16-le", "utf-32"]
)
def test_unicode_encodings_read_the_same_citations(tmp_path: Path, encoding: str) -> None:
    """UTF-8 (with and without BOM), UTF-16 (BOM, or none in either byte order), UTF-32."""
    path = tmp_path / "m.md"
    path.write_bytes(TEXT.encode(encoding))
    assert CITATIONS == citations_of(path)


def test_latin1_file_is_read(tmp_path: Path) -> None:
    """A Latin-1 file's accented letters come out as the letters ("Sève", "Université")."""
    path = tmp_path / "m.md"
    path.write_bytes("Pascal Sève, Université Claude Bernard\n".encode("latin-1"))
    assert "Pascal Sève, Université Claude Bernard\n" == read_manuscript(path)


def test_windows_1252_quotes_are_read(tmp_path: Path) -> None:
    """Windows-1252's curly quotes and dashes (bytes 0x93, 0x94, 0x96) are read as such."""
    path = tmp_path / "m.md"
    path.write_bytes("“Silencing” the storm – 2020\n".encode("cp1252"))
    assert "“Silencing” the storm – 2020\n" == read_manuscript(path)


def test_empty_file_has_no_reference_and_exits_3(tmp_path: Path) -> None:
    """An empty manuscript reads as "", and the command says so and exits 3."""
    path = tmp_path / "empty.md"
    path.write_bytes(b"")
    result = CliRunner().invoke(cli, ["check", str(path), "--no-cache"])
    assert ("", EXIT_UNCHECKED, True) == (
        read_manuscript(path),
        result.exit_code,
        "no reference list found" in result.output,
    )


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF", id="pdf"),
        pytest.param(b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "ZIP", id="docx"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), ".doc", id="doc"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG", id="png"),
        pytest.param(b"\x1f\x8b\x08\x00" + bytes(100), "gzip", id="gzip"),
        pytest.param(random.Random(1).randbytes(20000) + b"\x00", "NUL", id="random-bytes"),
        pytest.param(TEXT.encode() + b"\x00\x00\x01\x02", "NUL byte at offset", id="nul-late"),
    ],
)
def test_binary_files_are_refused_with_what_they_are(
    tmp_path: Path, data: bytes, kind: str
) -> None:
    """A binary file is a ParseError saying what it is (or where the NUL byte is)."""
    path = tmp_path / "m.md"
    path.write_bytes(data)
    with pytest.raises(ParseError) as info:
        read_manuscript(path)
    assert (True, True) == (kind in str(info.value), str(path) in str(info.value))


def test_binary_file_is_a_usage_error_on_the_command_line(tmp_path: Path) -> None:
    """The command prints one ``Error:`` line (no traceback) and exits 2."""
    path = tmp_path / "paper.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(100))
    result = CliRunner().invoke(cli, ["check", str(path), "--no-cache"])
    assert (EXIT_USAGE, 1) == (result.exit_code, result.output.count("Error:"))


def test_truncated_utf16_is_a_parse_error(tmp_path: Path) -> None:
    """A UTF-16 file cut in the middle of a character: ParseError naming the bytes."""
    path = tmp_path / "m.md"
    path.write_bytes("References\n1. x".encode("utf-16")[:-1])
    with pytest.raises(ParseError) as info:
        read_manuscript(path)
    assert "byte-order mark" in str(info.value)


def test_control_characters_are_replaced(tmp_path: Path) -> None:
    """Terminal escapes (ESC, CSI) and other control bytes become U+FFFD; tabs stay."""
    path = tmp_path / "m.md"
    path.write_text("a\x1b[2Jb\tc\x07d\x9be\n", encoding="utf-8")  # \x9b: CSI
    assert "a\ufffd[2Jb\tc\ufffdd\ufffde\n" == read_manuscript(path)


def test_file_over_50_mb_is_refused(tmp_path: Path) -> None:
    """A (sparse) file of 50 MB + 1 byte is refused before it is read, naming the limit."""
    path = tmp_path / "huge.md"
    with path.open("wb") as out:
        out.truncate(50 * 1024 * 1024 + 1)
    with pytest.raises(ParseError) as info:
        read_manuscript(path)
    assert "50 MB" in str(info.value)


def test_directory_is_a_parse_error(tmp_path: Path) -> None:
    """A directory given as a manuscript is a ParseError, not an IsADirectoryError."""
    with pytest.raises(ParseError):
        read_manuscript(tmp_path)


def test_enormous_line_does_not_hide_the_references(tmp_path: Path) -> None:
    """A 5 MB line without a break before the manuscript: same citations, within 5 s."""
    path = tmp_path / "m.md"
    path.write_text("lorem ipsum " * 440_000 + "\n" + TEXT, encoding="utf-8")
    started = time.perf_counter()
    found = citations_of(path)
    assert (CITATIONS, True) == (found, time.perf_counter() - started < 5)


# --- DOIs ----------------------------------------------------------------------------------

HOSTILE_DOIS = [
    "10.1000/../../etc/passwd",
    "10.1000/a/../../../admin",
    "10.1000/./x",
    "10.1000/..",
    "10.1000/x?rows=1000&select=DOI",
    "10.1000/x#fragment",
    "10.1000/with space",
    "10.1000/tab\there",
    "10.1000/cr\r\nX-Injected: 1",
    "10.1000/nul\x00byte",
    "10.1000/percent%2F..%2F",
    "10.1000/back\\slash",
    "10.1000/ünïcødé",
    "10.1000/" + "x" * 3000,
]


@pytest.fixture(scope="module")
def doi_server() -> Iterator[Any]:
    records = [dict(seed_records()[0], DOI=doi) for doi in HOSTILE_DOIS]
    with serve_crossref(records) as server:
        yield server


@pytest.mark.parametrize("doi", HOSTILE_DOIS, ids=[repr(d)[:30] for d in HOSTILE_DOIS])
def test_hostile_doi_stays_under_works_and_round_trips(doi_server: Any, doi: str) -> None:
    """Each DOI is sent percent-encoded under /works/: the raw target has no dot segment, no
    query or fragment of its own, no control character, and decodes back to the DOI (the
    stand-in then finds the record with that DOI). A DOI with a dot segment goes as one
    segment, its slashes encoded."""
    doi_server.clear_log()
    with CrossrefClient(base_url=doi_server.base_url, cache=None) as client:
        work = client.get_work(doi)
    (request,) = doi_server.requests
    segments = request.target.split("?")[0].split("/")
    # Work values collapse whitespace and replace control characters (model._clean):
    # compare the DOI the same way.
    assert (True, [], False, "/works/" + doi, {}, " ".join(printable(doi).split())) == (
        request.target.startswith("/works/10.1000"),
        [s for s in segments if s in (".", "..")],
        any(ord(c) < 33 or c in "#\\" for c in request.target),
        unquote(request.target.split("?")[0]),
        {k: v for k, v in request.params.items() if k != "mailto"},
        work.doi if work else None,
    )


# --- regexes: time-boxed on adversarial text -----------------------------------------------


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    found = []
    # Every module of the package, subpackages included ("readers.bibtex").
    for module in pkgutil.walk_packages(refcheck.__path__, "refcheck."):
        short = module.name.removeprefix("refcheck.")
        if short.rpartition(".")[2].startswith("__"):
            continue
        namespace = vars(importlib.import_module(module.name))
        found += [
            (f"{short}.{name}", value)
            for name, value in sorted(namespace.items())
            if isinstance(value, re.Pattern)
        ]
    return found


PATTERNS = _patterns()
#: Text repeated to make the classic backtracking cases: runs of letters, capitals, digits,
#: blanks, initials, names, brackets, markup and punctuation that almost complete a match.
UNITS = [
    "a", "A", "1", " ", "\t", "A. ", "a-", "(", "[", "10.1000/", "aa aa ", "Ab, ", "A.",
    "1-", "e1", "**", "*a", "$a", "<a ", "\\a", "http://", "ab'", "Mehta P, ", "a, A. ",
    "'", '"', "a.", "A A ", "vol. ", "pp. 1", "Mehta PJ ", "Ab Cd ", "Ab-Cd ", "2020; ",
    "2020 ", "# ", "**R", "_", "é", "—", "1. ",
]  # fmt: skip
TAILS = ["!", "\n"]
SIZE = int(os.environ.get("REFCHECK_FUZZ_SIZE", "10000"))
TIME_BOX = 1.0


@pytest.fixture(autouse=True)
def watchdog() -> Iterator[None]:
    """A regex that hangs cannot be interrupted from Python: end the run, with tracebacks."""
    faulthandler.dump_traceback_later(300, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def adversarial(unit: str, tail: str, size: int = SIZE) -> str:
    return (unit * (size // len(unit) + 1))[:size] + tail


def slowest(call: Callable[[str], Any], texts: list[str]) -> tuple[float, str]:
    worst = (0.0, "")
    for text in texts:
        started = time.perf_counter()
        call(text)
        worst = max(worst, (time.perf_counter() - started, text[:12] + "..." + text[-2:]))
    return worst


def scan(pattern: re.Pattern[str]) -> Callable[[str], Any]:
    def run(text: str) -> None:
        pattern.search(text)
        pattern.match(text)
        for _ in pattern.finditer(text):
            pass

    return run


ALL_TEXTS = [adversarial(unit, tail) for unit in UNITS for tail in TAILS]
PATTERN_TEXTS = [adversarial(unit, "!") for unit in UNITS]


@pytest.mark.parametrize("pattern", [pytest.param(p, id=n) for n, p in PATTERNS])
def test_every_pattern_is_fast_on_long_text(pattern: re.Pattern[str]) -> None:
    """Every other compiled pattern of refcheck scans adversarial text (10 kB in the suite,
    ``REFCHECK_FUZZ_SIZE=100000`` for 100 kB) in < 1 s."""
    took, text = slowest(scan(pattern), PATTERN_TEXTS)
    assert took < TIME_BOX, f"{took:.2f} s on {text!r}"


ENTRY_POINTS: dict[str, Callable[[str], Any]] = {
    "parse_citation": parse_citation,
    "extract_citations": extract_citations,
    "extract_citations(list)": lambda t: extract_citations("References\n\n1. " + t + "\n2. x"),
    "check_document": lambda t: check_document([], extract_citations(t).text_lines, "m"),
    "bibliographic_query": lambda t: bibliographic_query(parse_citation(t)),
    "work_from_crossref": lambda t: work_from_crossref({"DOI": "10.1/x", "title": [t], "page": t}),
}


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_public_functions_are_fast_on_long_text(name: str) -> None:
    """Each public function applying regexes handles adversarial text in 1 s (SIZE)."""
    took, text = slowest(ENTRY_POINTS[name], ALL_TEXTS)
    assert took < TIME_BOX, f"{took:.2f} s on {text!r}"


@settings(max_examples=10)
@given(unit=st.text(min_size=1, max_size=12), tail=st.sampled_from(TAILS))
def test_random_repeated_text_is_fast_everywhere(unit: str, tail: str) -> None:
    """Any short text repeated to SIZE: every linear pattern and every public function
    stays under the time box."""
    text = adversarial(unit, tail)
    calls = [scan(p) for n, p in PATTERNS] + list(ENTRY_POINTS.values())
    took = max(slowest(call, [text])[0] for call in calls)
    assert took < TIME_BOX, f"{took:.2f} s on {text[:40]!r}"


def test_bib_string_macro_bomb_is_refused_at_once() -> None:
    """@string macros that double at each line (2**40 characters) are refused with a clear
    error before pybtex expands them; without the check this exhausts memory."""
    from refcheck.readers import bib_manuscript

    lines = ['@string{s0 = "xxxxxxxxxx"}']
    lines += [f"@string{{s{i} = s{i - 1} # s{i - 1}}}" for i in range(1, 40)]
    lines.append("@article{k, title = s39, journal = {J}, year = {2020}}")
    with pytest.raises(ParseError, match=r"x\.bib:18: @string 's17' would expand"):
        bib_manuscript("\n".join(lines), "x.bib")


def test_bib_macros_of_ordinary_size_still_expand() -> None:
    """A macro built from a macro and a string is expanded as BibTeX does."""
    from refcheck.readers import bib_manuscript

    text = (
        '@string{jr = "Journal of Things"}\n@string{j2 = jr # " Letters"}\n'
        "@article{k, title = {T}, journal = j2, year = {2020}}"
    )
    [reference] = bib_manuscript(text, "y.bib").references
    assert reference is not None and "Journal of Things Letters" == reference.container_title


def test_many_bib_entries_are_read_in_linear_time() -> None:
    """20,000 entries keep their line numbers and are read within the time box (the line of
    each entry was once counted from the top of the file: quadratic)."""
    from refcheck.readers import bib_manuscript

    text = "".join(f"@misc{{k{i},\n  title = {{T{i}}},\n}}\n" for i in range(20_000))
    started = time.perf_counter()
    manuscript = bib_manuscript(text, "big.bib")
    took = time.perf_counter() - started
    assert (20_000, 3 * 19_999 + 1) == (len(manuscript.citations), manuscript.citations[-1].line)
    assert took < 30, f"{took:.1f} s"


def test_docx_zip_bomb_is_refused(tmp_path: Path) -> None:
    """A .docx whose parts unpack to more than the limit is refused before python-docx
    inflates it."""
    import zipfile

    from refcheck.readers import read_docx
    from refcheck.readers.docx import MAX_UNPACKED_BYTES

    path = tmp_path / "bomb.docx"
    block = b"\0" * (1024 * 1024)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/document.xml", "w", force_zip64=True) as part,
    ):
        for _ in range(MAX_UNPACKED_BYTES // len(block) + 1):
            part.write(block)
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(ParseError, match="unpacks to"):
        read_docx(path)
