"""Hostile manuscripts and their encodings: a clear error or the right citations, quickly.

Issue 15's defects 8 and 9. JATS nested 5,000 to 20,000 deep (once a RecursionError); a
malformed ``.docx`` or one with an entity bomb (once an lxml traceback); a link to
``/dev/zero`` (once read until memory ran out) and a FIFO (once a hang), for every reader; a
``.bib`` of unclosed ``@string{`` (once quadratic: 64 kB in 10 s); a ``.tex`` of unclosed
``\\begin{thebibliography}`` (540 kB in 68 s); numbered lists (once ending at 9,999); and the
encodings of ``.bib`` and ``.tex`` files, decoded by the Markdown reader's decoder now (a
Windows-1252 en dash once became U+0096 and a false ``pages-mismatch`` error; UTF-16 without
a mark and UTF-32 once gave "no reference list found").
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from refcheck.cli import EXIT_CLEAN, EXIT_USAGE, cli
from refcheck.errors import ParseError
from refcheck.readers import READERS, read_file
from refcheck.readers.jats import MAX_DEPTH
from refcheck.readers.latex import latex_manuscript
from refcheck.testing import CrossrefStandIn, serve_crossref

# --- JATS nested deep ----------------------------------------------------------------------


def jats(inner: str) -> str:
    return (
        "<article><body><p>Intro.</p></body><back><ref-list><ref id='r1'><mixed-citation>"
        f"{inner}</mixed-citation></ref></ref-list></back></article>"
    )


@pytest.mark.parametrize("depth", [5_000, 20_000])
@pytest.mark.parametrize("where", ["citation", "paragraph"])
def test_deeply_nested_jats_is_a_clear_error(tmp_path: Path, depth: int, where: str) -> None:
    """Elements nested 5,000 or 20,000 deep, in a citation or in the body: a ParseError
    naming the bound, at once, and on the command line one ``Error:`` line with exit 2."""
    deep = "<italic>" * depth + "x" + "</italic>" * depth
    text = jats(deep) if where == "citation" else f"<article><body><p>{deep}</p></body></article>"
    path = tmp_path / "paper.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError, match=f"nested more than {MAX_DEPTH}"):
        read_file(path)
    result = CliRunner().invoke(cli, ["check", str(path), "--no-cache"])
    assert (EXIT_USAGE, 1, False) == (
        result.exit_code,
        result.output.count("Error:"),
        "Traceback" in result.output,
    )


def test_jats_of_ordinary_depth_is_read(tmp_path: Path) -> None:
    """Nesting well within the bound (50 levels of markup) is read as before."""
    path = tmp_path / "paper.xml"
    path.write_text(jats("<bold>" * 50 + "Mehta P. A title. Lancet 2020." + "</bold>" * 50))
    assert ["Mehta P. A title. Lancet 2020."] == [c.text for c in read_file(path).citations]


# --- .docx ------------------------------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    'package.relationships+xml"/><Override PartName="/word/document.xml" ContentType="'
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 or "")) * 10}">' for i in range(1, 10))
    + f"]><w:document {W}><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
)

DOCUMENTS = [
    pytest.param(f"<w:document {W}><w:body><w:p>unclosed", id="malformed-xml"),
    pytest.param(LAUGHS, id="billion-laughs"),
    pytest.param("not xml at all \x00\x01", id="not-xml"),
]


def docx(document: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


@pytest.mark.parametrize("document", DOCUMENTS)
def test_a_hostile_docx_is_a_clear_error(tmp_path: Path, document: str) -> None:
    """A malformed .docx, or one whose XML declares an entity bomb: a ParseError naming the
    file (once an lxml traceback); the command exits 2 with one ``Error:`` line."""
    path = tmp_path / "paper.docx"
    path.write_bytes(docx(document))
    with pytest.raises(ParseError, match=r"paper\.docx"):
        read_file(path)
    result = CliRunner().invoke(cli, ["check", str(path), "--no-cache"])
    assert (EXIT_USAGE, 1) == (result.exit_code, result.output.count("Error:"))


def test_a_well_formed_docx_is_still_read(tmp_path: Path) -> None:
    """The same package with ordinary paragraphs: its numbered references are read."""
    body = "".join(
        f"<w:p><w:r><w:t>{n}. Mehta P. Title {n}. Lancet 2020;{n}:1-2.</w:t></w:r></w:p>"
        for n in (1, 2)
    )
    path = tmp_path / "paper.docx"
    path.write_bytes(docx(f"<w:document {W}><w:body>{body}</w:body></w:document>"))
    assert ["1", "2"] == [c.label for c in read_file(path).citations]


# --- special files, for every reader ------------------------------------------------------

EXTENSIONS = sorted({*READERS, ".md", ".txt"})


@pytest.fixture
def special(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Path, str]]:
    kind, extension = request.param
    path = tmp_path / f"paper{extension}"
    if kind == "dev-zero":
        if not Path("/dev/zero").exists():
            pytest.skip("no /dev/zero")
        path.symlink_to("/dev/zero")
    else:
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs")
        os.mkfifo(path)
    yield path, kind


@pytest.mark.parametrize(
    "special",
    [(kind, ext) for kind in ("dev-zero", "fifo") for ext in EXTENSIONS],
    indirect=True,
    ids=[f"{kind}-{ext}" for kind in ("dev-zero", "fifo") for ext in EXTENSIONS],
)
def test_devices_and_fifos_are_refused_at_once(special: tuple[Path, str]) -> None:
    """A link to /dev/zero (size 0, endless) and a FIFO (no writer), under every extension:
    "not a regular file" within a second, nothing read."""
    path, _ = special
    started = time.monotonic()
    with pytest.raises(ParseError, match="not a regular file"):
        read_file(path)
    assert time.monotonic() - started < 1.0


# --- quadratic inputs ---------------------------------------------------------------------


@pytest.mark.parametrize("size", [64_000, 640_000])
def test_unclosed_string_macros_are_read_in_linear_time(size: int) -> None:
    """``@string{`` repeated with nothing closed: 64 kB once took 10 s (each macro scanned to
    the end of the file); 64 kB and ten times that are read in seconds."""
    from refcheck.readers import bib_manuscript

    started = time.monotonic()
    bib_manuscript("@string{" * (size // 8), "x.bib")
    assert time.monotonic() - started < (2.0 if size == 64_000 else 10.0)


def test_unclosed_bibliographies_are_read_in_linear_time() -> None:
    """540 kB of ``\\begin{thebibliography}`` and no end (once 68 s): no citation, in
    seconds."""
    started = time.monotonic()
    manuscript = latex_manuscript("\\begin{thebibliography}{9}\n" * 20_000, "x.tex")
    assert ((), True) == (manuscript.citations, time.monotonic() - started < 5.0)


def test_many_bibitems_keep_their_lines() -> None:
    """4,000 items in two bibliographies: every item read, each at its own line (the line of
    each item was once counted from the top of the file, quadratic in the items)."""
    items = "".join(f"\\bibitem{{k{i}}} A. B. Title {i}. J. 2020.\n" for i in range(2_000))
    text = ("\\begin{thebibliography}{9}\n" + items + "\\end{thebibliography}\n") * 2
    manuscript = latex_manuscript(text, "x.tex")
    lines = [c.line for c in manuscript.citations]
    assert (4_000, [2, 2001, 2004, 4003]) == (
        len(lines),
        [lines[0], lines[1999], *lines[2000::1999]],
    )


def test_numbered_lists_go_past_9999(tmp_path: Path) -> None:
    """A list of 10,010 numbered references is read whole (it once stopped at 9,999)."""
    path = tmp_path / "m.md"
    path.write_text(
        "References\n\n"
        + "".join(f"{i}. Author A. Title {i}. J Things 2020;1:{i}.\n" for i in range(1, 10_011)),
        encoding="utf-8",
    )
    citations = read_file(path).citations
    assert (10_010, "10010") == (len(citations), citations[-1].label)


# --- encodings: one decoder for every reader ---------------------------------------------

BIB = (
    "@article{muller2019,\n author = {Müller, Anna},\n"
    " title = {Interleukin-1 blockade in cytokine storm syndromes},\n"
    " journal = {Journal of Things}, volume = {12}, pages = {317–335}, year = {2019},\n"
    " doi = {10.1000/cp1252}\n}\n"
)
TEX = (
    "\\begin{thebibliography}{1}\n\\bibitem{muller2019} A.~Müller. Interleukin-1 blockade in "
    "cytokine storm syndromes. \\emph{Journal of Things}, 12:317–335, 2019.\n"
    "\\end{thebibliography}\n"
)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252"]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(("name", "text"), [("refs.bib", BIB), ("refs.tex", TEX)])
def test_bib_and_tex_read_the_same_citations_in_every_encoding(
    tmp_path: Path, name: str, text: str, encoding: str
) -> None:
    """UTF-8 (with and without a mark), UTF-16 (with a mark, or none in either byte order),
    UTF-32 and Windows-1252 give the citations of the UTF-8 file: the en dash is an en dash
    (U+0096 once), and UTF-16 without a mark and UTF-32 are read (once nothing found)."""
    reference = tmp_path / ("utf8-" + name)
    reference.write_text(text, encoding="utf-8")
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    expected = read_file(reference)
    found = read_file(path)
    assert ([(c.label, c.text) for c in expected.citations], expected.references) == (
        [(c.label, c.text) for c in found.citations],
        found.references,
    )


RECORD = {
    "DOI": "10.1000/cp1252",
    "type": "journal-article",
    "title": ["Interleukin-1 blockade in cytokine storm syndromes"],
    "author": [{"family": "Müller", "given": "Anna"}],
    "container-title": ["Journal of Things"],
    "volume": "12",
    "page": "317-335",
    "issued": {"date-parts": [[2019]]},
}


@pytest.fixture(scope="module")
def crossref() -> Iterator[CrossrefStandIn]:
    with serve_crossref([RECORD]) as server:
        yield server


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16-le", "utf-32"])
def test_a_correct_reference_in_another_encoding_is_verified(
    crossref: CrossrefStandIn, tmp_path: Path, encoding: str
) -> None:
    """The command on a correct .bib in Windows-1252, BOM-less UTF-16 or UTF-32: verified, no
    finding (once ``pages-mismatch (error)`` for the dash, or "no reference list found")."""
    path = tmp_path / "refs.bib"
    path.write_bytes(BIB.encode(encoding))
    result = CliRunner().invoke(cli, ["check", str(path), "--base-url", crossref.base_url,
                                      "--no-cache"])  # fmt: skip
    assert (EXIT_CLEAN, "1 reference: 1 verified; 0 errors, 0 warnings, 0 info") == (
        result.exit_code,
        result.output.strip().splitlines()[-1],
    )
