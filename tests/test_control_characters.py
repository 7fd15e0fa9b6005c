"""Terminal and CI injection: no control character reaches a report, every XML stays well-formed.

Issue 15's defect 5. Control characters (an OSC sequence that sets the window title, CSI,
BEL, lone surrogates) arrive in ``.bib``/``.tex`` keys, in JATS text, in file names and in a
service's record; they once reached the terminal raw and made the JUnit report invalid XML.
One sanitiser (:func:`refcheck.model.printable`) runs in the constructor of every value, and
each format escapes what it writes.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from seed import seed_records

from refcheck.cli import cli
from refcheck.model import (
    Author,
    CheckedReference,
    Citation,
    Finding,
    Match,
    MatchStatus,
    Reference,
    Report,
    Severity,
    Work,
    printable,
)
from refcheck.output.formats import FORMATS, _escape_data, render
from refcheck.output.report import terminal_line
from refcheck.readers import read_file
from refcheck.testing import CrossrefStandIn, serve_crossref

OSC = "\x1b]0;owned\x07"  # sets the terminal's title
CSI = "\x9b31m"  # the one-byte C1 CSI: red
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

RECORD = dict(seed_records()[0], title=[f"Silencing {OSC}the {CSI}storm"])
DOI = RECORD["DOI"]


@pytest.fixture(scope="module")
def crossref() -> Iterator[CrossrefStandIn]:
    with serve_crossref([RECORD]) as server:
        yield server


MANUSCRIPTS = {
    "refs.bib": f"@article{{key{OSC},\n title = {{Something {CSI} else}},\n doi = {{{DOI}}},\n"
    " year = {2020}}\n",
    "refs.tex": f"\\begin{{thebibliography}}{{1}}\n\\bibitem{{key{OSC}}} P. Mehta. {CSI}Title."
    f" doi:{DOI}\n\\end{{thebibliography}}\n",
    "paper.md": f"References\n\n1. Mehta P. Silencing {OSC} the storm. doi:{DOI}\n",
    "paper.xml": "<article><back><ref-list><ref id='r1'><mixed-citation>Mehta P. Silencing "
    f"\x85the\x9b storm. doi:{DOI}</mixed-citation></ref></ref-list></back></article>",
}


@pytest.mark.parametrize("name", sorted(MANUSCRIPTS))
def test_no_reader_passes_a_control_character_on(tmp_path: Path, name: str) -> None:
    """Each reader's citations (text, label) and text lines hold no control character."""
    path = tmp_path / name
    path.write_text(MANUSCRIPTS[name], encoding="utf-8")
    manuscript = read_file(path)
    texts = [c.text for c in manuscript.citations] + [c.label for c in manuscript.citations]
    texts += [t.text for t in manuscript.text_lines]
    assert (True, []) == (
        bool(manuscript.citations),
        [t for t in texts if CONTROL.search(t)],
    )


@pytest.mark.parametrize("output_format", FORMATS)
@pytest.mark.parametrize("name", sorted(MANUSCRIPTS))
def test_the_command_writes_no_control_character_in_any_format(
    crossref: CrossrefStandIn, tmp_path: Path, name: str, output_format: str
) -> None:
    """Escapes in the manuscript and in Crossref's record: the command's output (stdout and
    stderr), in every format, has none; JUnit is well-formed XML, JSON formats parse."""
    path = tmp_path / name
    path.write_text(MANUSCRIPTS[name], encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["check", str(path), "--base-url", crossref.base_url, "--no-cache", "-v",
         "--format", output_format],
    )  # fmt: skip
    assert (True, None) == (result.exit_code in (0, 1), CONTROL.search(result.output))
    if output_format == "junit":
        ET.fromstring(result.stdout.encode("utf-8"))
    elif output_format != "text" and output_format != "github":
        json.loads(result.stdout)


def test_a_file_name_with_escapes_is_shown_without_them(tmp_path: Path) -> None:
    """``Error: cannot read manuscript ...`` names the file without its escape sequence."""
    result = CliRunner().invoke(cli, ["check", str(tmp_path / f"m{OSC}.md"), "--no-cache"])
    assert (2, None, True) == (
        result.exit_code,
        CONTROL.search(result.output),
        "m\ufffd]0;owned\ufffd.md" in result.output,
    )


# --- the escapers, and "never" over any text ------------------------------------------------

EVERY_CONTROL = "".join(map(chr, range(0x00, 0x20))) + "".join(map(chr, range(0x7F, 0xA0)))


def test_the_sanitiser_keeps_tab_and_line_breaks_only() -> None:
    """Of the 65 C0 and C1 control characters, tab, line feed and carriage return remain."""
    assert "\t\n\r" == printable(EVERY_CONTROL).replace("\ufffd", "")


@pytest.mark.parametrize(
    ("escape", "text"),
    [
        (terminal_line, f"a{OSC}b\nc\rd\te\ud800"),
        (_escape_data, f"a{OSC}b\nc\rd{CSI}\udfff"),
    ],
    ids=["text", "github"],
)
def test_each_line_escaper_leaves_no_control_character(escape: object, text: str) -> None:
    """The text report's and GitHub's escapers, given raw text: one line, nothing to obey."""
    assert callable(escape)
    escaped = escape(text)
    assert (None, False) == (CONTROL.search(escaped), "\n" in escaped or "\r" in escaped)


TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40)


def report_of(text: str, label: str, file: str, title: str, message: str) -> Report:
    work = Work(doi="10.1/x", title=title, authors=(Author(title, title),))
    citation = Citation(text or "x", file=file or "f", line=3, label=label)
    finding = Finding("title-mismatch", Severity.ERROR, message, "title", text, title)
    checked = CheckedReference(
        citation,
        Reference(text=text, title=text),
        Match(MatchStatus.MATCHED, work=work, score=0.9, reason=message),
        (finding,),
    )
    unchecked = CheckedReference(
        Citation(text or "y", file=file or "f", line=4, label=label),
        Reference(text=text),
        Match(MatchStatus.UNCHECKED, reason=message),
    )
    return Report(references=[checked, unchecked], findings=[finding], files=[file or "f"])


@settings(max_examples=60)
@given(text=TEXT, label=TEXT, file=TEXT, title=TEXT, message=TEXT)
def test_every_format_of_any_report_is_clean_and_well_formed(
    text: str, label: str, file: str, title: str, message: str
) -> None:
    """Any text anywhere in a report (control characters, surrogates, XML's own characters):
    every format has no control character but line breaks, encodes as UTF-8, and JUnit
    parses as XML, JSON as JSON."""
    report = report_of(text, label, file, title, message)
    for output_format in FORMATS:
        out = render(report, output_format, verbose=True)
        out.encode("utf-8")
        assert None is CONTROL.search(out.replace("\n", "")), output_format
        if output_format == "junit":
            ET.fromstring(out.encode("utf-8"))
        elif output_format in ("json", "sarif", "gitlab"):
            json.loads(out)
