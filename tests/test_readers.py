"""Reading manuscripts of every kind: .bib, .tex/.bbl, .docx, JATS XML, text; end to end too."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from seed import seed_records

from refcheck import ParseError
from refcheck.cli import EXIT_FINDINGS
from refcheck.model import Author, Citation, Reference
from refcheck.parsing import parse_citation
from refcheck.readers import (
    READERS,
    bib_manuscript,
    clean_latex,
    docx_manuscript,
    jats_manuscript,
    latex_manuscript,
    read_bib,
    read_file,
    read_jats,
    read_latex,
    read_tex,
    read_text,
)
from refcheck.readers.text import Manuscript, TextLine
from refcheck.testing import CrossrefStandIn, serve_crossref

FIXTURES = Path(__file__).parent / "fixtures"


def places(manuscript: Manuscript) -> list[tuple[int, str]]:
    return [(c.line, c.label) for c in manuscript.citations]


# --- .bib -----------------------------------------------------------------------------------


def test_bib_entries_are_citations_at_their_lines() -> None:
    """Each entry of a .bib file is a citation: the line of its '@', its key as label."""
    manuscript = read_bib(FIXTURES / "references.bib")
    assert [
        (7, "mehta2020silencing"),
        (17, "canna2014activating"),
        (27, "chaves2019noncanonical"),
        (38, "konepaut2007visceral"),
    ] == places(manuscript)


def test_bib_reference_is_built_from_fields() -> None:
    """An entry's reference comes from its fields: names split, LaTeX and braces removed."""
    reference = read_bib(FIXTURES / "references.bib").references[1]
    assert reference is not None
    assert (
        (Author("Canna", "Scott W"), Author("de Jesus", "Adriana A"), Author("Gouni", "Sushanth")),
        True,
        "An activating NLR4 inflammasome mutation causes autoinflammation with recurrent "
        "macrophage activation syndrome",
        "Nat Genet",
        "2014",
        "46",
        ("1140", "1146"),
        "journal-article",
    ) == (
        reference.authors,
        reference.et_al,
        reference.title,
        reference.container_title,
        reference.year,
        reference.volume,
        (reference.first_page, reference.last_page),
        reference.kind,
    )


def test_bib_string_macros_and_accents_are_expanded() -> None:
    """A @string macro fills the journal; {\\'e} becomes é in a name."""
    manuscript = read_bib(FIXTURES / "references.bib")
    first, last = manuscript.references[0], manuscript.references[3]
    assert first is not None and last is not None
    assert ("Lancet Rheumatol", "Koné-Paut") == (first.container_title, last.authors[0].family)


def test_bib_broken_entry_does_not_hide_the_others() -> None:
    """An entry pybtex cannot read is still a citation (its text, to parse); the next is read."""
    text = (
        "@article{broken,\n  title = {Unclosed,\n  year = 2020\n\n"
        "@article{good, title = {A title}, year = {2019}, journal = {J}}\n"
    )
    manuscript = bib_manuscript(text, "x.bib")
    assert ([(1, "broken"), (5, "good")], [False, True]) == (
        places(manuscript),
        [r is not None for r in manuscript.references],
    )


def test_bib_repeated_key_keeps_both_entries() -> None:
    """Two entries with one key are both checked (pybtex alone would stop at the second)."""
    text = "@misc{k, title = {One}}\n@misc{k, title = {Two}}\n"
    manuscript = bib_manuscript(text, "x.bib")
    assert ["One", "Two"] == [r.title for r in manuscript.references if r is not None]


def test_bib_doi_link_and_pubmed_eprint() -> None:
    """A DOI given as a link is a bare DOI; eprint with eprinttype = pubmed is the PMID."""
    text = (
        "@article{k, doi = {https://doi.org/10.1038/ng.3089},"
        " eprint = {25217959}, eprinttype = {pubmed}}"
    )
    reference = bib_manuscript(text, "x.bib").references[0]
    assert reference is not None
    assert ("10.1038/ng.3089", "25217959") == (reference.doi, reference.pmid)


# --- LaTeX ----------------------------------------------------------------------------------


def test_clean_latex_markup() -> None:
    """Accents, --, ~ and braces become plain text; \\emph and \\textbf become *...*, **...**."""
    assert "Koné-Paut I, de Jesus A, et al. *Nat Genet* 2014; **46**: 1140–46. Müller" == (
        clean_latex(
            r"Kon\'{e}-Paut I, de~Jesus A, et~al. \emph{Nat Genet} 2014; \textbf{46}: 1140--46."
            r" {M\"{u}ller} % a comment"
        )
    )


def test_tex_bibitems_are_citations_at_their_lines() -> None:
    """Each \\bibitem of thebibliography is a citation: its line, its key as label."""
    manuscript = read_latex(FIXTURES / "manuscript.tex")
    assert [(14, "mehta2020"), (20, "canna2014"), (26, "chaves2019"), (32, "kone2007")] == (
        places(manuscript)
    )


def test_tex_item_text_is_cleaned() -> None:
    """A \\bibitem's text is cleaned of markup, the journal kept in italics for the parser."""
    citation = read_latex(FIXTURES / "manuscript.tex").citations[3]
    assert (
        "Koné-Paut I, Retornaz K, Garnier JM, Bader-Meunier B. Visceral leishmaniasis in a "
        "patient with systemic juvenile arthritis treated by IL-1RA agonist (anakinra). "
        "*Clin Exp Rheumatol* 2007; **25**: 119." == citation.text
    )


def test_tex_prose_lines_are_kept_outside_the_bibliography() -> None:
    """The text lines are the document's lines outside thebibliography (comments dropped)."""
    lines = read_latex(FIXTURES / "manuscript.tex").text_lines
    assert ([3, 4, 6, 8, 9, 10, 39], False) == (
        [t.line for t in lines],
        any("bibitem" in t.text for t in lines),
    )


def test_bbl_of_a_bibtex_style_is_read_block_by_block() -> None:
    """A plain-style .bbl item (names given first) is read right: by the citation parser, or
    by its \\newblock blocks where the parser cannot read authors and title."""
    manuscript = read_latex(FIXTURES / "references.bbl")
    reference = manuscript.references[1] or parse_citation(manuscript.citations[1].text)
    assert (
        (Author("Canna", "S. W."), Author("de Jesus", "A. A."), Author("Gouni", "S.")),
        True,
        "Nat Genet",
        ("46", "10", "1140", "1146", "2014"),
    ) == (
        reference.authors,
        reference.et_al,
        reference.container_title,
        (
            reference.volume,
            reference.issue,
            reference.first_page,
            reference.last_page,
            reference.year,
        ),
    )


def test_biblatex_bbl_entries_are_read_field_by_field() -> None:
    """A biblatex .bbl (\\entry ... \\endentry) is read: each entry's fields, its key."""
    manuscript = latex_manuscript(
        r"\entry{k}{article}{} \field{title}{T} \field{year}{2001} \endentry", "x.bbl"
    )
    assert [("k", "T", "2001")] == [
        (c.label, r.title, r.year)
        for c, r in zip(manuscript.citations, manuscript.references, strict=True)
        if r is not None
    ]


def test_tex_commented_out_bibitem_is_not_a_citation() -> None:
    """A \\bibitem in a LaTeX comment is not read, and the lines of the others stay right."""
    text = (
        "\\begin{thebibliography}{9}\n% \\bibitem{old} Old A. Gone. J 1999; 1: 1.\n"
        "\\bibitem{new} New B. Here. J 2020; 2: 2.\n\\end{thebibliography}\n"
    )
    assert [(3, "new")] == places(latex_manuscript(text, "x.tex"))


def test_tex_without_thebibliography_has_no_citation() -> None:
    """A .tex that uses \\bibliography{refs} has no citations of its own."""
    assert () == latex_manuscript("\\cite{a}\n\\bibliography{refs}\n", "x.tex").citations


# --- Word -----------------------------------------------------------------------------------


def test_docx_auto_numbered_references_are_citations() -> None:
    """Word's own numbered list under References: one citation per paragraph, numbered 1-4."""
    pytest.importorskip("docx")
    manuscript = read_file(FIXTURES / "manuscript.docx")
    assert [(5, "1"), (6, "2"), (7, "3"), (8, "4")] == places(manuscript)


def test_docx_italic_runs_mark_the_journal() -> None:
    """An italic run is read as *...*, so the parser takes it as the journal."""
    pytest.importorskip("docx")
    citation = read_file(FIXTURES / "manuscript.docx").citations[1]
    assert citation.text.endswith("*Nat Genet* 2014; 46: 1140–46.")


def test_docx_paragraphs_outside_the_list_are_text_lines() -> None:
    """The other paragraphs are text lines, numbered by paragraph, headings without markup."""
    pytest.importorskip("docx")
    lines = read_file(FIXTURES / "manuscript.docx").text_lines
    assert [
        TextLine(1, "Anakinra in secondary haemophagocytic lymphohistiocytosis"),
        TextLine(3, "Yvan Jamilloux"),
    ] == [lines[0], lines[2]]


def test_docx_direct_numbering_counts_per_list(tmp_path: Path) -> None:
    """Paragraphs numbered by Word (w:numPr on the paragraph) are numbered 1, 2 in their list."""
    docx = pytest.importorskip("docx")
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()  # no References heading: only the numbering makes it a list
    for text in ("Smith J. A study. J Stud 2020; 1: 1-2.", "Doe J. B study. J Stud 2021; 2: 3-4."):
        paragraph = document.add_paragraph(text)
        numbering = OxmlElement("w:numPr")
        for name, value in (("w:ilvl", "0"), ("w:numId", "7")):
            child = OxmlElement(name)
            child.set(qn("w:val"), value)
            numbering.append(child)
        paragraph._p.get_or_add_pPr().append(numbering)
    document.save(tmp_path / "numbered.docx")
    assert [(1, "1"), (2, "2")] == places(read_file(tmp_path / "numbered.docx"))


def test_docx_hyperlink_text_is_read(tmp_path: Path) -> None:
    """Text inside a hyperlink (a DOI, often) is part of the citation."""
    docx = pytest.importorskip("docx")
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_paragraph("References")
    paragraph = document.add_paragraph("1. Canna SW. A title. Nat Genet 2014; 46: 1140-46. ")
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), "rId99")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "https://doi.org/10.1038/ng.3089"
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
    document.save(tmp_path / "linked.docx")
    citation = read_file(tmp_path / "linked.docx").citations[0]
    assert citation.text.endswith("1140-46. https://doi.org/10.1038/ng.3089")


def test_docx_manual_numbers_and_unnumbered_paragraphs() -> None:
    """Typed numbers work like Word's; unnumbered paragraphs under References are entries."""
    numbered = docx_manuscript(
        [
            ("References", None, "Heading 1"),
            ("1. Smith J. A. 2020.", None, "Normal"),
            ("2. Doe J. B. 2021.", None, "Normal"),
        ],
        "x.docx",
    )
    headed = docx_manuscript(
        [
            ("References", None, "Heading 1"),
            ("Smith J. A. 2020.", None, "Normal"),
            ("Doe J. B. 2021.", None, "Normal"),
            ("Appendix", None, "Heading 1"),
        ],
        "y.docx",
    )
    assert ([(2, "1"), (3, "2")], [(2, "1"), (3, "2")]) == (places(numbered), places(headed))


def test_not_a_docx_is_a_parse_error(tmp_path: Path) -> None:
    """A file named .docx that is not one is a ParseError naming the file."""
    pytest.importorskip("docx")
    fake = tmp_path / "fake.docx"
    fake.write_text("not a zip", encoding="utf-8")
    with pytest.raises(ParseError, match=r"fake\.docx"):
        read_file(fake)


# --- JATS -----------------------------------------------------------------------------------


def test_jats_refs_are_citations_at_their_lines() -> None:
    """Each <ref> is a citation at the line of its element, labelled by its <label>."""
    manuscript = read_jats(FIXTURES / "article.xml")
    assert [(19, "1"), (37, "2"), (54, "3"), (58, "4")] == places(manuscript)


def test_jats_element_citation_fields_are_mapped() -> None:
    """An element-citation becomes a reference field by field; mixed-citation text is parsed."""
    manuscript = read_jats(FIXTURES / "article.xml")
    first = manuscript.references[0]
    assert first is not None
    assert (
        (Author("Mehta", "P"), Author("Cron", "R")),
        "Lancet Rheumatol",
        ("2020", "2", "e358", "e367"),
        [True, True, False, False],
    ) == (
        first.authors[:2],
        first.container_title,
        (first.year, first.volume, first.first_page, first.last_page),
        [r is not None for r in manuscript.references],
    )


def test_jats_mixed_citation_keeps_italics() -> None:
    """<italic> in a mixed-citation becomes *...*, and numeric entities are decoded."""
    citation = read_jats(FIXTURES / "article.xml").citations[3]
    assert citation.text.startswith("Koné-Paut I") and "*Clin Exp Rheumatol* 2007" in citation.text


def test_jats_external_entity_is_refused() -> None:
    """An external entity is never resolved: the document is refused with a ParseError."""
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        b"<article><ref-list><ref><mixed-citation>&x;</mixed-citation></ref></ref-list></article>"
    )
    with pytest.raises(ParseError, match=r"x\.xml"):
        jats_manuscript(data, "x.xml")


def test_jats_entity_expansion_is_refused() -> None:
    """Entities declared in the document (the 'billion laughs') are refused."""
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;&l;">]>\n'
        b"<article>&l2;</article>"
    )
    with pytest.raises(ParseError, match="refused"):
        jats_manuscript(data, "x.xml")


def test_malformed_xml_error_names_the_line() -> None:
    """Malformed XML is a ParseError naming the file and the line."""
    with pytest.raises(ParseError, match=r"x\.xml is not well-formed XML: .*line 3"):
        jats_manuscript(b"<article>\n<ref-list>\n</article>\n", "x.xml")


# --- dispatch -------------------------------------------------------------------------------


def test_readers_are_chosen_by_extension_in_any_case(tmp_path: Path) -> None:
    """read_file picks the reader by extension, case-insensitively; text otherwise."""
    upper = tmp_path / "REFS.BIB"
    upper.write_bytes((FIXTURES / "references.bib").read_bytes())
    assert (read_bib, read_tex, read_latex, read_jats, 4) == (
        READERS[".bib"],
        READERS[".tex"],
        READERS[".bbl"],
        READERS[".xml"],
        len(read_file(upper).citations),
    )


def test_text_reader_is_the_markdown_extraction() -> None:
    """A .txt manuscript is read as before: the numbered list under References."""
    manuscript = read_text(FIXTURES / "manuscript.txt")
    assert [(8, "1"), (11, "2"), (13, "3"), (16, "4")] == places(manuscript)


def test_manuscript_references_must_match_citations() -> None:
    """A Manuscript's references, when given, are one per citation."""
    with pytest.raises(ValueError, match="one per citation"):
        Manuscript("x", (Citation("a"), Citation("b")), (), references=[Reference(text="a")])


def test_missing_file_is_a_parse_error(tmp_path: Path) -> None:
    """A manuscript that does not exist is a ParseError naming it, whatever its extension."""
    with pytest.raises(ParseError, match=r"absent\.bib"):
        read_file(tmp_path / "absent.bib")


# --- end to end -----------------------------------------------------------------------------

_FINDING = re.compile(
    r"^\S+?:(?P<line>\d+)(?::\d+)?: \[(?P<label>[^\]]+)\] (?P<code>[\w-]+) "
)  # file:line: or, where the reader knows the column, file:line:column:


@pytest.fixture(scope="module")
def crossref() -> Iterator[CrossrefStandIn]:
    with serve_crossref(seed_records()) as server:
        yield server


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "references.bib",
            [
                (7, "mehta2020silencing", "author-initials"),
                (17, "canna2014activating", "title-mismatch"),
                (27, "chaves2019noncanonical", "author-spelling"),
                (38, "konepaut2007visceral", "unresolved"),
            ],
        ),
        (
            "manuscript.tex",
            [
                (14, "mehta2020", "author-initials"),
                (20, "canna2014", "title-mismatch"),
                (26, "chaves2019", "author-spelling"),
                (32, "kone2007", "unresolved"),
            ],
        ),
        (
            "references.bbl",
            [
                (3, "mehta2020silencing", "author-initials"),
                (9, "canna2014activating", "title-mismatch"),
                (15, "chaves2019noncanonical", "author-spelling"),
                (22, "konepaut2007visceral", "unresolved"),
            ],
        ),
        (
            "manuscript.docx",
            [
                (5, "1", "author-initials"),
                (6, "2", "title-mismatch"),
                (7, "3", "author-spelling"),
                (8, "4", "unresolved"),
            ],
        ),
        (
            "article.xml",
            [
                (19, "1", "author-initials"),
                (37, "2", "title-mismatch"),
                (54, "3", "author-spelling"),
                (58, "4", "unresolved"),
            ],
        ),
        (
            "manuscript.txt",
            [
                (8, "1", "author-initials"),
                (11, "2", "title-mismatch"),
                (13, "3", "author-spelling"),
                (16, "4", "unresolved"),
            ],
        ),
    ],
)
def test_cli_reports_the_seed_findings_with_lines(
    crossref: CrossrefStandIn, name: str, expected: list[tuple[int, str, str]]
) -> None:
    """`refcheck check` on each format finds the seed's mistakes, each at its line and label."""
    if name.endswith(".docx"):
        pytest.importorskip("docx")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "refcheck",
            "check",
            str(FIXTURES / name),
            "--base-url",
            crossref.base_url,
            "--no-cache",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = [
        (int(m["line"]), m["label"], m["code"])
        for m in map(_FINDING.match, result.stdout.splitlines())
        if m
    ]
    assert (EXIT_FINDINGS, expected) == (result.returncode, found), result.stderr


# --- properties -----------------------------------------------------------------------------


@given(body=st.text(st.characters(exclude_characters="@"), max_size=200))
def test_bib_reader_never_crashes(body: str) -> None:
    """Any text (no '@') after '@article{k,' is one citation at line 1, whatever pybtex says."""
    manuscript = bib_manuscript("@article{k," + body, "x.bib")
    assert [(1, "k")] == places(manuscript)


@given(text=st.text(max_size=200))
def test_clean_latex_never_crashes(text: str) -> None:
    """clean_latex takes any text and returns it with no braces left."""
    assert not {"{", "}"} & set(clean_latex(text))
