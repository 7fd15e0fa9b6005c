"""The PDF reader: reference lists found and split in real LaTeX and pandoc output, PDF damage
repaired, page locations in the reports, and bad PDFs refused in one line.

The generated papers of ``tests/fixtures/pdf`` were rendered by ``benchmarks/make_pdfs.py``
(TeX Live and pandoc, which the tests do not need) from genuine Crossref records; each has a
``.truth.json`` with the entries it prints. The layout tests build pages glyph by glyph.
"""

from __future__ import annotations

import ctypes
import json
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("pypdfium2")

from refcheck.errors import ParseError
from refcheck.model import (
    CheckedReference,
    Finding,
    Match,
    MatchStatus,
    Reference,
    Report,
    Severity,
)
from refcheck.output.formats import format_github, format_junit, report_to_sarif
from refcheck.output.report import format_json, format_text
from refcheck.readers import pdf as pdf_reader
from refcheck.readers import read_file
from refcheck.readers._pdf_layout import Glyph, Link, Page, extract_entries
from refcheck.readers.pdf import pdf_manuscript, read_pdf

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
PAPERS = sorted(p for p in FIXTURES.glob("test-*.pdf"))
SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "report.schema.json").read_text())


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return "".join(re.findall(r"\w", text.casefold()))


def truth(paper: Path) -> list[list[dict[str, str]]]:
    data = json.loads(paper.with_name(paper.stem + ".truth.json").read_text(encoding="utf-8"))
    lists: list[list[dict[str, str]]] = data["lists"]
    return lists


# --- generated papers ---------------------------------------------------------------------


@pytest.mark.parametrize("paper", PAPERS, ids=[p.stem for p in PAPERS])
def test_every_entry_of_a_generated_paper_is_one_citation(paper: Path) -> None:
    """Each true entry's title is in exactly one citation, and there are no other citations."""
    citations = read_pdf(paper).citations
    entries = [e for entries in truth(paper) for e in entries]
    holders = [
        [c.label for c in citations if fold(e["title"])[:50] in fold(c.text)] for e in entries
    ]
    assert (len(entries), [1] * len(entries)) == (len(citations), [len(h) for h in holders])


def test_two_lists_are_lettered() -> None:
    """A paper with a main and a supplementary list: labels "A1"... and "B13"... (the letter of
    the list and the number printed; this supplement's numbering goes on from the main list's)."""
    paper = FIXTURES / "test-multibib-supplement.pdf"
    labels = [c.label for c in read_pdf(paper).citations]
    main, supplement = (len(entries) for entries in truth(paper))
    expected = [f"A{n}" for n in range(1, main + 1)]
    expected += [f"B{n}" for n in range(main + 1, main + supplement + 1)]
    assert expected == labels


def test_line_numbers_and_the_watermark_of_a_review_draft_are_not_in_the_entries() -> None:
    """A pandoc review draft (line numbers, a DRAFT watermark): entries hold no line number."""
    citations = read_pdf(FIXTURES / "test-pandoc-apa-draft.pdf").citations
    assert [] == [c.text for c in citations if re.search(r"(?:^|\s)\d{1,3}\s+[A-Z]", c.text[:6])]


def test_the_appendix_after_the_list_is_not_an_entry() -> None:
    """The appendix that follows the references ends the list."""
    citations = read_pdf(FIXTURES / "test-natbib-apalike.pdf").citations
    assert [] == [c.text for c in citations if "Reference lists are where" in c.text]


def test_a_citation_of_a_pdf_has_its_page_row_and_box() -> None:
    """The first entry of a paper: page, row number on the page and a box on the page."""
    citation = read_pdf(FIXTURES / "test-natbib-apalike.pdf").citations[0]
    x0, top, x1, bottom = citation.box or (0, 0, 0, 0)
    assert (1, True, True) == (citation.page, citation.line > 1, 0 < x0 < x1 and top < bottom)


def test_a_pdf_under_another_name_is_read_as_a_pdf(tmp_path: Path) -> None:
    """A PDF saved as .txt is recognised by its first bytes."""
    copy = tmp_path / "paper.txt"
    shutil.copy(FIXTURES / "test-ieeetran-conf.pdf", copy)
    expected = [c.text for c in read_pdf(FIXTURES / "test-ieeetran-conf.pdf").citations]
    assert expected == [c.text for c in read_file(copy).citations]


# --- layout, glyph by glyph -----------------------------------------------------------------

WIDTH = 5.0  # every glyph is 5 points wide and 10 high


def line(text: str, x: float, y: float, size: float = 10.0, bold: bool = False) -> list[Glyph]:
    glyphs = []
    for i, ch in enumerate(text):
        glyphs.append(Glyph(ch, x + i * WIDTH, y, x + (i + 1) * WIDTH, y + size, size, bold))
    return glyphs


def page(rows: Iterable[tuple[str, float]], *, links: Sequence[Link] = ()) -> Page:
    """A page with a bold "References" heading and the given rows (text, x) under it."""
    glyphs = line("References", 72, 100, size=12, bold=True)
    for n, (text, x) in enumerate(rows):
        glyphs += line(text, x, 130 + 12 * n)
    return Page(1, 612, 792, tuple(glyphs), tuple(links))


def texts(rows: Iterable[tuple[str, float]], **kwargs: Sequence[Link]) -> list[str]:
    return [e.text for e in extract_entries([page(rows, **kwargs)])[0]]


def test_hanging_indent_splits_author_date_entries() -> None:
    """Unnumbered entries: a row at the left edge starts one, an indented row continues it."""
    rows = [
        ("Smith, J. (2020). A first title of a work.", 72),
        ("Journal of Things, 1, 2-3.", 90),
        ("Jones, K. (2019). A second title.", 72),
        ("Other Journal, 4, 5-6.", 90),
    ]
    expected = [
        "Smith, J. (2020). A first title of a work. Journal of Things, 1, 2-3.",
        "Jones, K. (2019). A second title. Other Journal, 4, 5-6.",
    ]
    assert expected == texts(rows)


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("of hetero-", "geneity in cells.", "of heterogeneity in cells."),
        ("Als-", "Nielsen, J. and", "Als-Nielsen, J. and"),
        (
            "https://doi.org/10.1000/abc.",
            "2020.123 more",
            "https://doi.org/10.1000/abc.2020.123 more",
        ),
        ("a self-", "consistent model", "a self-consistent model"),
        ("a soft\u00ad", "ware tool", "a software tool"),
    ],
)
def test_line_end_hyphens_are_repaired(first: str, second: str, joined: str) -> None:
    """A word broken at a line end is joined; a hyphen that belongs to it is kept."""
    rows = [("[1] A. Author, " + first, 72), (second, 90), ("[2] B. Author, x.", 72)]
    assert "A. Author, " + joined == texts(rows)[0]


def test_ligatures_and_spacing_accents_are_repaired() -> None:
    """ "ﬁ" is "fi"; an acute drawn over an "e" is "é"."""
    glyphs = line("[1] Eﬀect of ﬁsh on Mo", 72, 130)
    e = Glyph("e", 72 + 22 * WIDTH, 130, 72 + 23 * WIDTH, 140, 10.0)
    acute = Glyph("\u00b4", 72 + 22 * WIDTH + 1, 128, 72 + 23 * WIDTH - 1, 132, 10.0)
    rest = line("ller 2020.", 72 + 23 * WIDTH, 130)
    heading = line("References", 72, 100, size=12, bold=True)
    pages = [Page(1, 612, 792, (*heading, *glyphs, acute, e, *rest))]
    assert ["Effect of fish on Moéller 2020."] == [e.text for e in extract_entries(pages)[0]]


def test_an_accent_measured_astray_accents_the_next_letter() -> None:
    """A caron drawn between "t" and "e" whose box the font puts twenty points back, and an
    acute over a dotless "ı": "Vaiciulytě" (not "Vaiciulyt ˇ e"), and "García" (not
    "Garcı́a")."""
    heading = line("References", 72, 100, size=12, bold=True)
    word = line("[1] Vaiciulyt", 72, 130)
    caron = Glyph("\u02c7", 100, 130, 104, 140, 10.0)  # astray: the "e" is at 137
    rest = line("e, Garc", 72 + 13 * WIDTH, 130)
    i = Glyph("\u0131", 72 + 20 * WIDTH, 130, 72 + 21 * WIDTH, 140, 10.0)
    acute = Glyph("\u00b4", 72 + 20 * WIDTH + 1, 128, 72 + 21 * WIDTH - 1, 132, 10.0)
    tail = line("a 2020.", 72 + 21 * WIDTH, 130)
    pages = [Page(1, 612, 792, (*heading, *word, caron, *rest, acute, i, *tail))]
    assert ["Vaiciulytě, García 2020."] == [e.text for e in extract_entries(pages)[0]]


def test_an_italic_f_s_wide_box_hides_no_space() -> None:
    """An italic "f" whose box reaches 1.5 points back over the "o" before it reaches as far
    over the gap after it: "Journal of the", not "Journal ofthe"."""
    heading = line("References", 72, 100, size=12, bold=True)
    start = line("[1] J. Journal o", 72, 130)
    o = start[-1]
    f = Glyph("f", o.x1 - 1.5, 130, o.x1 + 4.0, 140, 10.0)
    rest = line("the Society 2020.", f.x1 + 0.2, 130)
    pages = [Page(1, 612, 792, (*heading, *start, f, *rest))]
    assert ["J. Journal of the Society 2020."] == [e.text for e in extract_entries(pages)[0]]


def test_missing_spaces_are_put_by_the_gaps() -> None:
    """Words drawn without space characters between them are split by the gaps."""
    heading = line("References", 72, 100, size=12, bold=True)
    words = line("[1]", 72, 130) + line("Smith", 92, 130) + line("2020.", 122, 130)
    pages = [Page(1, 612, 792, (*heading, *words))]
    assert ["Smith 2020."] == [e.text for e in extract_entries(pages)[0]]


@pytest.mark.parametrize(
    "heading",
    [
        "References",
        "REFERENCES",
        "7 Bibliography",
        "Literaturverzeichnis",
        "Références",
        "参考文献",
    ],
)
def test_headings_in_several_languages_start_a_list(heading: str) -> None:
    """A reference heading in larger bold type, in English, German, French or Chinese."""
    glyphs = line(heading, 72, 100, size=12, bold=True)
    glyphs += line("Smith, J. 2020. A title. J. Th. 1, 2.", 72, 130)
    entries = extract_entries([Page(1, 612, 792, tuple(glyphs))])[0]
    assert ["Smith, J. 2020. A title. J. Th. 1, 2."] == [e.text for e in entries]


def test_a_biographies_heading_ends_the_list() -> None:
    """IEEE papers end with author biographies: they are not a reference."""
    rows = [("[1] A. Author, Title. 2020.", 72), ("[2] B. Author, Title. 2019.", 72)]
    glyphs = list(page(rows).glyphs)
    glyphs += line("Biographies", 72, 200, size=12, bold=True)
    glyphs += line("Jane Doe received her PhD in 2001 and works on references.", 72, 230)
    entries = extract_entries([Page(1, 612, 792, tuple(glyphs))])[0]
    assert ["1", "2"] == [e.label for e in entries]


def test_superscript_numbers_label_entries() -> None:
    """Entries numbered by superscript digits (smaller, raised) split at each number."""
    glyphs = line("References", 72, 100, size=12, bold=True)
    for n, text in enumerate(("Smith J. Title one. 2020.", "Jones K. Title two. 2019."), 1):
        y = 130 + 24 * n
        glyphs += [Glyph(str(n), 72, y - 3, 76, y + 4, 6.0)]
        glyphs += line(text, 78, y)
    entries = extract_entries([Page(1, 612, 792, tuple(glyphs))])[0]
    assert [("1", "Smith J. Title one. 2020."), ("2", "Jones K. Title two. 2019.")] == [
        (e.label, e.text) for e in entries
    ]


def test_numbered_entries_split_at_each_next_number() -> None:
    """ "12." labels: a row that starts with the next number starts an entry."""
    rows = [
        ("1. Smith J. Title one. J Th. 2020;1:2.", 72),
        ("2. Jones K. Title two, pages", 72),
        ("12-14. 2019.", 72),
        ("3. Brown L. Title three. 2018.", 72),
    ]
    assert ["1", "2", "3"] == [e.label for e in extract_entries([page(rows)])[0]]


def test_a_link_gives_the_doi_that_the_printed_text_cuts() -> None:
    """The printed DOI is cut short; the link annotation over the entry has it whole."""
    rows = [("[1] A. Author. A title. J. Th. 2020. doi:10.1234/ab", 72)]
    link = Link(250, 128, 330, 142, "https://doi.org/10.1234/abcdef")
    manuscript = pdf_manuscript([page(rows, links=[link])], "paper.pdf")
    reference = manuscript.references[0]
    assert "10.1234/abcdef" == (reference.doi if reference is not None else None)


def test_running_headers_and_page_numbers_are_removed() -> None:
    """A header printed on every page and the page numbers are not in the entries."""
    pages = []
    for number in (1, 2):
        glyphs = line("Journal of Examples 12 (2020)", 72, 30) + line(str(number), 300, 760)
        if number == 1:
            glyphs += line("References", 72, 100, size=12, bold=True)
        glyphs += line(f"[{number}] A. Author. Title {number}. J. Th. 2020.", 72, 130)
        glyphs += line("second row of the entry", 90, 142)
        pages.append(Page(number, 612, 792, tuple(glyphs)))
    expected = [
        "A. Author. Title 1. J. Th. 2020. second row of the entry",
        "A. Author. Title 2. J. Th. 2020. second row of the entry",
    ]
    assert expected == [e.text for e in extract_entries(pages)[0]]


# --- publishers' layouts (found on the tune part of the publisher-truth corpus) ---------------


def _column(rows: Sequence[tuple[str, float]], y: float = 130, pitch: float = 12) -> list[Glyph]:
    return [g for n, (text, x) in enumerate(rows) for g in line(text, x, y + pitch * n)]


def test_a_number_set_close_to_the_author_labels_the_entry() -> None:
    """ "1.Akbarsha MA": a number and its period with no space before the first author."""
    rows = [
        ("1.Akbarsha MA, Averal HI. Epididymis as a target organ.", 72),
        ("Biomedical Letters 1996; 54: 133-146.", 86),
        ("2.Girini MM, Ahamed RN. Effect of graded doses.", 72),
        ("J Basic Clin Physiol Pharmacol 2005; 16: 53-66.", 86),
    ]
    assert ["1", "2"] == [e.label for e in extract_entries([page(rows)])[0]]


def test_a_number_the_publisher_left_out_does_not_join_two_entries() -> None:
    """ "[56]" then "[58]": the list goes on at 58 (entry 57 is not printed)."""
    rows = [
        ("[55] W. Lutz, A population policy, Popul. Dev. Rev. 40 (2014).", 72),
        ("[56] D.E. Bloom, Health, Wealth and Welfare, IMF, 2004.", 72),
        ("[58] M. Mamdani, Poor people's experiences, 2004.", 72),
    ]
    assert ["55", "56", "58"] == [e.label for e in extract_entries([page(rows)])[0]]


def test_a_list_whose_every_font_is_bold_is_not_ended_by_a_short_row() -> None:
    """Some PDFs say every font is bold: a short row of an entry ("New York, NY: Academic
    Press.") is then no section heading."""
    glyphs = line("REFERENCES", 72, 100, size=12, bold=True)
    rows = [
        ("Abeles, F. B. (2012). Ethylene in Plant Biology.", 72),
        ("New York, NY: Academic Press.", 82),
        ("Ahmed, S. (2006). Changes of endogenous ABA and ACC.", 72),
        ("Environ. Exp. Bot. 57, 278-284.", 82),
    ]
    glyphs += [attrs.evolve(g, bold=True) for g in _column(rows)]
    entries = extract_entries([Page(1, 612, 792, tuple(glyphs))])[0]
    assert 2 == len(entries)


def test_a_bold_title_within_an_entry_is_no_heading() -> None:
    """A row set in bold inside an entry, with no space above it, does not end the list."""
    glyphs = line("References", 72, 100, size=12, bold=True)
    glyphs += line("1. Narula J, Pandey P: Apoptosis in heart failure:", 72, 130)
    glyphs += line("release of cytochrome c", 86, 142, bold=True)
    glyphs += line("Proc Natl Acad Sci 1999, 96:8144-8149.", 86, 154)
    glyphs += line("2. MacLellan WR: Death by design. Circ Res 1997.", 72, 166)
    assert ["1", "2"] == [e.label for e in extract_entries([Page(1, 612, 792, tuple(glyphs))])[0]]


def test_a_run_in_statement_heading_ends_the_list() -> None:
    """ "Conflict of Interest Statement: The authors declare ..." is not an entry."""
    rows = [
        ("Smith, J. (2020). A first title of a work.", 72),
        ("Journal of Things, 1, 2-3.", 90),
        ("Conflict of Interest Statement: The authors declare that the", 72),
        ("research was conducted in the absence of any commercial", 72),
    ]
    assert ["Smith, J. (2020). A first title of a work. Journal of Things, 1, 2-3."] == texts(rows)


def test_a_table_column_under_a_reference_heading_is_no_list() -> None:
    """A table whose column is headed "Reference" ("Omar et al 2012" and a superscript
    number) is not a reference list."""
    names = ("Omar", "Silva", "Huang", "Lee")
    glyphs = line("Reference", 72, 100, size=12, bold=True)
    for n, (name, y) in enumerate(zip(names, (130, 154, 190, 214), strict=True), 10):
        glyphs += line(f"{name} et al 20{n}{n + 14}", 72, y)  # rows of a table, unevenly spaced
    assert [] == extract_entries([Page(1, 612, 792, tuple(glyphs))])[0]


_BODY = "body text of the paper that fills its column to the"  # 52 characters: 260 points


def test_a_numbered_list_resumes_after_a_box_at_the_foot_of_a_column() -> None:
    """A publisher's box ("Publish your work in this journal") at the foot of the left column
    interrupts the list, which goes on at the top of the right column."""
    glyphs = _column([(_BODY, 40)] * 6, y=60)
    glyphs += line("References", 40, 150, size=12, bold=True)
    glyphs += _column(
        [
            ("1. Smith J. A first title. J Th. 2020;1:2-3.", 40),
            ("2. Jones K. A second title. J Th. 2019;4:5-6.", 40),
        ],
        y=175,
    )
    glyphs += _column([("Publish your work in this journal", 40), (_BODY, 40)], y=600)
    glyphs += _column(
        [("3. Brown L. A third title. J Th. 2018;7:8-9.", 320), ("4. Green M. A fourth.", 320)],
        y=60,
    )
    glyphs += _column([(_BODY, 320)] * 6, y=600)
    entries = extract_entries([Page(1, 612, 792, tuple(glyphs))])[0]
    assert ["1", "2", "3", "4"] == [e.label for e in entries]


def test_a_reference_heading_below_both_columns_starts_a_band_of_its_own() -> None:
    """Frontiers: the body's two columns end, then "REFERENCES" at the left starts the list's
    two columns; the right column's body text above it is not read into the list."""
    glyphs = _column([(_BODY, 40)] * 10, y=60)
    glyphs += line("REFERENCES", 40, 200, size=12, bold=True)
    glyphs += _column(
        [
            ("Abeles, F. B. (2012). Ethylene in Plant Biology.", 40),
            ("New York, NY: Academic Press.", 50),
            ("Ahmed, S. (2006). Changes of endogenous ABA.", 40),
            ("Environ. Exp. Bot. 57, 278-284.", 50),
        ],
        y=230,
    )
    glyphs += _column([(_BODY, 320)] * 10, y=60)
    glyphs += _column(
        [
            ("Bailey-Serres, J. (2014). Plant tolerance of flooding.", 320),
            ("Plant Cell Environ. 37.", 330),
        ],
        y=230,
    )
    entries = extract_entries([Page(1, 612, 792, tuple(glyphs))])[0]
    assert ["Abeles", "Ahmed", "Bailey-Serres"] == [e.text.split(",")[0] for e in entries]


def test_three_columns_are_read_column_by_column() -> None:
    """A reference list set in three columns (Cell Press, the Royal Society) is read down the
    first column, then the second, then the third."""
    glyphs = line("References", 40, 40, size=12, bold=True)
    for column, x in enumerate((40, 230, 420)):
        rows = []
        for n in range(3 * column + 1, 3 * column + 4):
            rows += [(f"{n}. Author {n}. Title {n} of a work.", x), ("J Th 2020;1:2-3.", x + 10)]
        glyphs += _column(rows, y=70)
    entries = extract_entries([Page(1, 612, 792, tuple(glyphs))])[0]
    assert [
        (str(n), f"Author {n}. Title {n} of a work. J Th 2020;1:2-3.") for n in range(1, 10)
    ] == [(e.label, e.text) for e in entries]


_glyph = st.builds(
    Glyph,
    text=st.characters(codec="utf-8", exclude_categories=("Cs",)),
    x0=st.floats(0, 600),
    top=st.floats(0, 780),
    x1=st.floats(0, 612),
    bottom=st.floats(0, 792),
    size=st.floats(0, 40),
    bold=st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_glyph, max_size=80), min_size=1, max_size=3))
def test_the_layout_never_crashes(pages: list[list[Glyph]]) -> None:
    """Any glyphs, anywhere, of any size: entries and rows come back, no exception."""
    entries, rows = extract_entries([Page(n, 612, 792, tuple(g)) for n, g in enumerate(pages, 1)])
    assert isinstance(entries, list) and isinstance(rows, list)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("encrypted.pdf", "is encrypted"),
        ("scanned.pdf", "has no text layer (a scanned PDF?): refcheck does not do OCR"),
        ("damaged.pdf", "is not a readable PDF"),
    ],
)
def test_a_bad_pdf_is_one_line_and_exit_code_2(name: str, message: str) -> None:
    """Encrypted, scanned, damaged: `Error: ...` in one line, no traceback, exit 2."""
    result = subprocess.run(
        [sys.executable, "-m", "refcheck", "check", str(FIXTURES / name), "--no-cache"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    first = result.stderr.splitlines()[0] if result.stderr else ""
    assert (2, True, 1) == (result.returncode, message in first, len(result.stderr.splitlines()))


@pytest.mark.parametrize(
    ("limit", "value", "message"),
    [
        ("MAX_PAGES", 1, "pages, more than"),
        ("MAX_OBJECTS", 1, "objects, more than"),
        ("MAX_GLYPHS", 10, "characters refcheck reads"),
        ("TIME_LIMIT", 0.0, "longer than"),
    ],
)
def test_a_pdf_beyond_the_bounds_is_refused(
    monkeypatch: pytest.MonkeyPatch, limit: str, value: float, message: str
) -> None:
    """Pages, objects, characters and time are bounded (a PDF bomb is refused, not read)."""
    monkeypatch.setattr(pdf_reader, limit, value)
    with pytest.raises(ParseError) as error:
        read_pdf(FIXTURES / "test-multibib-supplement.pdf")
    assert message in str(error.value)


class _Rect(ctypes.Structure):
    _fields_ = [(n, ctypes.c_float) for n in ("left", "top", "right", "bottom")]


class _Matrix(ctypes.Structure):
    _fields_ = [(n, ctypes.c_float) for n in "abcdef"]


class _FakeTextPage:
    """The few PDFium text-page calls the worker makes, over a list of UTF-16 code units."""

    FS_RECTF = _Rect
    FS_MATRIX = _Matrix

    def __init__(
        self, units: Sequence[int], matrices: Sequence[tuple[float, ...]] | None = None
    ) -> None:
        self.units = list(units)
        self.matrices = matrices

    def FPDFText_CountChars(self, _text: object) -> int:  # PDFium's names
        return len(self.units)

    def FPDFText_GetUnicode(self, _text: object, i: int) -> int:
        return self.units[i]

    def FPDFText_IsGenerated(self, _text: object, _i: int) -> int:
        return 0

    def FPDFText_GetCharAngle(self, _text: object, _i: int) -> float:
        return 0.0

    def FPDFText_GetLooseCharBox(self, _text: object, i: int, box: object) -> bool:
        rect = box._obj  # type: ignore[attr-defined]
        rect.left, rect.right, rect.top, rect.bottom = 10.0 * i, 10.0 * i + 8, 700.0, 690.0
        return True

    def FPDFText_GetFontSize(self, _text: object, _i: int) -> float:
        return 10.0

    def FPDFText_GetTextObject(self, _text: object, _i: int) -> None:
        return None

    def FPDFText_GetFontWeight(self, _text: object, _i: int) -> int:
        return 400

    def FPDFText_GetMatrix(self, _text: object, i: int, matrix: object) -> bool:
        if self.matrices is None:
            return False
        target = matrix._obj  # type: ignore[attr-defined]
        target.a, target.b, target.c, target.d, target.e, target.f = self.matrices[i]
        return True

    def FPDFText_GetCharOrigin(self, _text: object, _i: int, _x: object, _y: object) -> bool:
        return False


def test_characters_beyond_the_first_plane_are_one_glyph() -> None:
    """PDFium gives U+1D438 (a mathematical italic E, as journals print species names) as two
    UTF-16 units; the worker reads one letter "E", and drops a lone surrogate, so the text
    never holds surrogates (which the parser's tagger cannot encode)."""
    from refcheck.readers import _pdf_worker

    fake = _FakeTextPage([0xD835, 0xDC38, 0x2E, 0xDC00, 0x63])
    chars, _numbers, _bold = _pdf_worker._glyphs(fake, None, 792.0)
    assert ["E", ".", "c"] == chars


def test_italic_drawn_sheared_is_read_and_turned_text_is_not() -> None:
    """A PDF that slants upright letters into italic (a shear: PDFium's char angle then says
    12 degrees) draws them on a level baseline: read. Letters turned a quarter (a margin
    note) are not."""
    from refcheck.readers import _pdf_worker

    upright, sheared, turned = (10, 0, 0, 10, 0, 0), (10, 0, 2.1, 10, 0, 0), (0, 10, -10, 0, 0, 0)
    fake = _FakeTextPage([0x61, 0x62, 0x63, 0x64], [upright, sheared, sheared, turned])
    chars, numbers, _bold = _pdf_worker._glyphs(fake, None, 792.0)
    assert (["a", "b", "c"], [100.0] * 3) == (chars, list(numbers[4::5]))


_BOUNDED = sys.platform.startswith("linux")


@pytest.mark.skipif(not _BOUNDED, reason="the address-space bound is enforced on Linux")
def test_a_pdf_bomb_is_stopped_at_the_memory_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 7 kB PDF whose page inflates to 4 GiB (tests/fixtures/pdf/make_bomb.py) is refused
    once its worker reaches the memory bound: one clear error, in seconds, and the memory
    taken was the worker's, not this process's."""
    import resource
    import time

    monkeypatch.setattr(pdf_reader, "MAX_MEMORY", 256 * 1024**2)
    started = time.monotonic()
    with pytest.raises(ParseError) as error:
        read_pdf(FIXTURES / "bomb.pdf")
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert (True, True, True) == (
        "more than the 256 MiB of memory" in str(error.value),
        seconds < 30,
        peak < 2 * 1024**3,
    )


#: A stand-in for the worker that ends as a PDFium crash would, for a PDF holding "CRASH",
#: and reads any other PDF as the real worker does.
_CRASHING_WORKER = """
import os, signal, sys
sys.path.insert(0, {folder!r})
import _pdf_worker
data = sys.stdin.buffer.read()
if b"CRASH" in data:
    os.kill(os.getpid(), signal.{signal})
    raise SystemExit("Traceback (most recent call last): ... RuntimeError: a bug in the worker")
limits = __import__("json").loads(sys.argv[1])
for frame in _pdf_worker.frames(data, limits):
    _pdf_worker.write(frame, sys.stdout.buffer.write)
"""


def _crashing_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signal: str) -> Path:
    script = tmp_path / "worker.py"
    folder = str(Path(pdf_reader.__file__).parent)
    script.write_text(_CRASHING_WORKER.format(folder=folder, signal=signal), encoding="utf-8")
    monkeypatch.setattr(pdf_reader, "_WORKER", script)
    crashing = tmp_path / "crashing.pdf"
    crashing.write_bytes((FIXTURES / "minimal.pdf").read_bytes() + b"\n% CRASH\n")
    return crashing


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_worker_crash_is_that_file_s_error_and_the_next_file_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PDFium killed by a signal (a segmentation fault) while reading one PDF: that PDF gets
    one clear error, this process lives on, and the next PDF is read as usual."""
    crashing = _crashing_worker(tmp_path, monkeypatch, "SIGSEGV")
    outcomes = []
    for path in (crashing, FIXTURES / "test-ieeetran-conf.pdf"):
        try:
            outcomes.append(len(read_pdf(path).citations))
        except ParseError as exc:
            outcomes.append(str(exc))
    expected_entries = len(
        json.loads((FIXTURES / "test-ieeetran-conf.truth.json").read_text())["lists"][0]
    )
    assert [
        f"{crashing} is not a readable PDF (damaged?): PDFium stopped at page 1",
        expected_entries,
    ] == outcomes


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_worker_that_fails_says_so_with_its_last_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that exits with an error (a bug, not the PDF's fault) is not called a damaged
    PDF: the error says the reading process failed, with the last line it wrote."""
    crashing = _crashing_worker(tmp_path, monkeypatch, "SIGCONT")  # ignored: it exits 1
    with pytest.raises(ParseError) as error:
        read_pdf(crashing)
    assert (
        f"{crashing}: refcheck's PDF reading process failed at page 1 (exit status 1: "
        "Traceback (most recent call last): ... RuntimeError: a bug in the worker); please "
        "report it with the file"
    ) == str(error.value)


def test_without_a_worker_process_the_pdf_is_read_in_this_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where no interpreter can be started (an embedded Python), PDFium reads in-process and
    the entries are the same."""
    expected = [c.text for c in read_pdf(FIXTURES / "test-ieeetran-conf.pdf").citations]

    def no_process(*args: object, **kwargs: object) -> None:
        raise OSError("no interpreter")

    monkeypatch.setattr(pdf_reader.subprocess, "Popen", no_process)
    actual = [c.text for c in read_pdf(FIXTURES / "test-ieeetran-conf.pdf").citations]
    assert expected == actual


def test_without_the_pdf_extra_the_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No pypdfium2: the error names the extra to install."""
    monkeypatch.setitem(sys.modules, "pypdfium2", None)
    with pytest.raises(ParseError, match=re.escape("pip install 'scholarly-refcheck[pdf]'")):
        read_pdf(FIXTURES / "minimal.pdf")


# --- locations in the reports -----------------------------------------------------------------


def _report() -> Report:
    citation = read_pdf(FIXTURES / "test-natbib-apalike.pdf").citations[2]
    finding = Finding("year-mismatch", Severity.ERROR, "year 2019, Crossref 2020", field="year")
    checked = CheckedReference(
        citation, Reference(text=citation.text), Match(MatchStatus.UNRESOLVED), [finding]
    )
    return Report(references=[checked], files=[citation.file])


def test_the_text_report_points_at_the_page() -> None:
    """`paper.pdf:p1: [3] ...`."""
    report = _report()
    citation = report.references[0].citation
    assert format_text(report).startswith(f"{citation.file}:p{citation.page}: [3] year-mismatch")


def test_the_json_report_has_the_page_and_box_and_keeps_its_schema() -> None:
    """JSON: `page` and `box` beside `file` and `line`, valid against the documented schema."""
    data = json.loads(format_json(_report()))
    jsonschema.validate(data, SCHEMA)
    citation = _report().references[0].citation
    expected = (citation.page, list(citation.box or ()))
    assert expected == (data["references"][0]["page"], data["references"][0]["box"])


def test_sarif_junit_and_github_carry_the_page() -> None:
    """SARIF's region has the page and box; JUnit's text and GitHub's title name the page."""
    report = _report()
    page_number = report.references[0].citation.page
    region = report_to_sarif(report)["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "region"
    ]
    assert (page_number, True, True) == (
        region["properties"]["page"],
        f":p{page_number}: year-mismatch" in format_junit(report),
        f"year-mismatch (p{page_number})" in format_github(report),
    )


# --- end to end -----------------------------------------------------------------------------


def _record(entry: dict[str, str]) -> dict[str, object]:
    """A Crossref record made from a fixture's true entry (the fields the paper prints)."""
    record: dict[str, object] = {
        "DOI": entry["doi"],
        "type": "journal-article",
        "title": [entry["title"]],
        "author": [{"family": entry["family"]}],
        "issued": {"date-parts": [[int(entry["year"])]]},
    }
    if entry.get("container"):
        record["container-title"] = [entry["container"]]
    if entry.get("volume"):
        record["volume"] = entry["volume"]
    if entry.get("pages"):
        record["page"] = entry["pages"]
    return record


def test_checking_a_pdf_finds_each_entry_s_work_and_reports_its_page() -> None:
    """`refcheck check paper.pdf` against a stand-in serving the cited works: every reference
    is matched to its DOI, and every line of the report names the page."""
    from refcheck.testing import serve_crossref

    paper = FIXTURES / "test-natbib-apalike.pdf"
    entries = [e for entries in truth(paper) for e in entries]
    with serve_crossref([_record(e) for e in entries]) as stand_in:
        result = subprocess.run(
            [
                *(sys.executable, "-m", "refcheck", "check", str(paper)),
                *("--base-url", stand_in.base_url, "--no-cache", "--format", "json"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    data = json.loads(result.stdout)
    found = sorted(r["doi"] or "" for r in data["references"])
    pages = {r["page"] for r in data["references"]}
    assert (sorted(e["doi"] for e in entries), True) == (found, pages <= {1, 2, 3, 4})
