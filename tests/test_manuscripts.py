"""Real manuscripts as they come (issue 13): JATS mixed-citation, tolerant .bib, .bbl
``\\bibinfo`` and biblatex, LaTeX to Unicode, .tex and pandoc Markdown that keep their
references in a .bib, Markdown list detection, Word notes, tables and reference-manager
fields, locations; and the committed part of the real corpus."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from refcheck.errors import ParseError
from refcheck.findings import reading_findings
from refcheck.model import (
    CheckedReference,
    Citation,
    Finding,
    Location,
    Match,
    MatchStatus,
    Reference,
    Report,
    Severity,
)
from refcheck.output.formats import format_github, report_to_gitlab, report_to_sarif
from refcheck.output.report import format_text
from refcheck.readers import (
    bib_manuscript,
    extract_citations,
    jats_manuscript,
    latex_manuscript,
    read_file,
)
from refcheck.readers._tex import clean_latex
from refcheck.readers.csl import csl_items
from refcheck.readers.linked import latex_cited_keys, pandoc_cited_keys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CORPUS = Path(__file__).parent / "fixtures" / "manuscripts"

GLUED = (
    b'<article><back><ref-list><ref id="B1"><mixed-citation publication-type="journal"><name>'
    b"<surname>Avery</surname><given-names>SV</given-names></name><article-title>Microbial cell"
    b" individuality and the underlying sources of heterogeneity</article-title><source>Nat Rev"
    b" Microbiol</source><year>2006</year><volume>4</volume><fpage>577</fpage><lpage>587</lpage>"
    b'<pub-id pub-id-type="doi">10.1038/nrmicro1460</pub-id><pub-id pub-id-type="pmid">16845428'
    b'</pub-id></mixed-citation></ref><ref id="B2"><mixed-citation publication-type="journal">'
    b"<name><surname>Smith</surname><given-names>J</given-names></name><article-title>Two"
    b"</article-title><source>Cell</source><year>2001</year></mixed-citation></ref></ref-list>"
    b"</back></article>"
)


# --- JATS ---------------------------------------------------------------------------------


def test_glued_mixed_citation_is_read_field_by_field() -> None:
    """A mixed-citation whose tags touch (PMC's BMC, NPG) is read tag by tag: the DOI is the
    DOI, not the DOI with the PMID glued on."""
    reference = jats_manuscript(GLUED, "a.xml").references[0]
    assert reference is not None
    assert ("Avery", "Microbial cell individuality and the underlying sources of heterogeneity",
            "Nat Rev Microbiol", "2006", "4", "577", "10.1038/nrmicro1460", "16845428") == (
        reference.authors[0].family, reference.title, reference.container_title,
        reference.year, reference.volume, reference.first_page, reference.doi, reference.pmid,
    )  # fmt: skip


def test_glued_mixed_citation_keeps_a_display_text_with_separators() -> None:
    """The citation text of a glued mixed-citation has separators between its fields."""
    citation = jats_manuscript(GLUED, "a.xml").citations[0]
    assert (
        "Avery SV. Microbial cell individuality and the underlying sources of heterogeneity. "
        "Nat Rev Microbiol 2006; 4: 577–587. doi:10.1038/nrmicro1460. PMID: 16845428."
    ) == citation.text


def test_punctuated_mixed_citation_keeps_its_printed_text() -> None:
    """A mixed-citation that prints its own punctuation keeps it as its text."""
    data = (
        b'<article><ref-list><ref id="r"><mixed-citation><person-group><name><surname>Doe'
        b"</surname> <given-names>A</given-names></name></person-group> (<year>2001</year>) "
        b"<article-title>A title</article-title>. <source>Nature</source> <volume>4</volume>: "
        b"<fpage>1</fpage>.</mixed-citation></ref></ref-list></article>"
    )
    assert "Doe A (2001) A title. Nature 4: 1." == jats_manuscript(data, "a.xml").citations[0].text


def test_nlm_citation_book_is_a_book() -> None:
    """An NLM ``<citation citation-type="book">`` (older PLOS, BMC) is a book: its source is
    the title."""
    data = (
        b'<article><ref-list><ref id="B6"><citation citation-type="book"><person-group>'
        b"<collab>World Health Organization</collab></person-group><source>International "
        b"classification</source><year>1980</year></citation></ref></ref-list></article>"
    )
    reference = jats_manuscript(data, "a.xml").references[0]
    assert reference is not None
    assert ("book", "International classification", None) == (
        reference.kind,
        reference.title,
        reference.container_title,
    )


def test_elife_doi_link_is_the_doi() -> None:
    """eLife tags a reference's DOI as an ext-link to doi.org: it is read as the DOI."""
    data = (
        b'<article xmlns:xlink="http://www.w3.org/1999/xlink"><ref-list><ref id="bib1">'
        b'<element-citation publication-type="journal"><article-title>T</article-title>'
        b'<ext-link ext-link-type="uri" xlink:href="http://dx.doi.org/10.1126/science.1191634">'
        b"10.1126/science.1191634</ext-link></element-citation></ref></ref-list></article>"
    )
    reference = jats_manuscript(data, "a.xml").references[0]
    assert reference is not None
    assert "10.1126/science.1191634" == reference.doi


def test_single_line_xml_gives_each_reference_its_column_and_id() -> None:
    """In XML written on one line, each reference has its own column and its ref id."""
    citations = jats_manuscript(GLUED, "a.xml").citations
    assert [(1, 26, "B1"), (1, 477, "B2")] == [(c.line, c.column, c.anchor) for c in citations]


# --- BibTeX -------------------------------------------------------------------------------

PCT = """@book{Ber-95,
    AUTHOR = {Bertsekas, D.},
     TITLE = {Nonlinear Programming},
    %SERIES = {Springer Series in Statistics},
 PUBLISHER = {Athena Scientific},
      YEAR = {1995},
}
"""
COMMAS = """@inproceedings{bob:2017,
  author    = {A. Anjos, M. G\\"unther, T. de Freitas Pereira,
               P. Korshunov, A. Mohammadi and S. Marcel},
  title     = {Continuously Reproducing Toolchains},
  year      = {2017},
  booktitle = {International Conference on Machine Learning (ICML)},
}
"""


def test_commented_out_field_keeps_the_other_fields() -> None:
    """An entry pybtex rejects (a ``%SERIES`` line) keeps the fields a tolerant parser reads,
    and no field is made from the broken text."""
    reference = bib_manuscript(PCT, "a.bib").references[0]
    assert reference is not None
    assert ("Bertsekas", "Nonlinear Programming", "1995", "Athena Scientific", "book") == (
        reference.authors[0].family, reference.title, reference.year, reference.publisher,
        reference.kind,
    )  # fmt: skip


def test_entry_pybtex_rejects_is_a_finding_naming_entry_and_line() -> None:
    """The entry pybtex could not read is an ``unreadable-entry`` finding at its line, naming
    the entry and pybtex's error line."""
    findings = reading_findings(bib_manuscript("\n\n" + PCT, "a.bib"))
    assert [("unreadable-entry", 3, "Ber-95")] == [
        (f.code, f.location.line, f.location.anchor) for f in findings if f.location
    ]
    assert "entry 'Ber-95' (line 3): syntax error in line 6" in findings[0].message


def test_comma_separated_authors_are_split_and_reported() -> None:
    """Authors separated by commas are read as the six people meant, with a finding."""
    manuscript = bib_manuscript(COMMAS, "a.bib")
    reference = manuscript.references[0]
    assert reference is not None
    assert ["Anjos", "Günther", "de Freitas Pereira", "Korshunov", "Mohammadi", "Marcel"] == [
        a.family for a in reference.authors
    ]
    assert ["author-list-commas"] == [f.code for f in reading_findings(manuscript)]


# --- .bbl and LaTeX -------------------------------------------------------------------------

ACM = r"""\begin{thebibliography}{1}
\ifx \showISBNx    \undefined \def \showISBNx     #1{\unskip}     \fi
\bibitem[\protect\citeauthoryear{Chang and Myers}{Chang and Myers}{2014}]%
        {chang2014}
\bibfield{author}{\bibinfo{person}{Kerry Shih-Ping Chang} {and}
  \bibinfo{person}{Brad~A. Myers}.} \bibinfo{year}{2014}\natexlab{}.
\newblock \showarticletitle{Creating Interactive Web Data Applications with
  Spreadsheets}. In \bibinfo{booktitle}{\emph{Proceedings of the 27th Annual
  {{ACM}} Symposium on {{User}} Interface Software and Technology}} ({Honolulu
  Hawaii USA}, 2014-10-05). \bibinfo{publisher}{{ACM}},
  \bibinfo{pages}{87--96}.
\newblock
\showISBNx{978-1-4503-3069-5}
\urldef\tempurl%
\url{https://doi.org/10.1145/2642918.2647371}
\showDOI{\tempurl}
\end{thebibliography}
"""


def test_acm_bibinfo_tags_are_read_field_by_field() -> None:
    """ACM-Reference-Format's ``\\bibinfo`` tags give the fields: the second author is Myers
    (not "2014"), the title stops at the title, and the hidden ISBN is not the pages."""
    reference = latex_manuscript(ACM, "a.bbl").references[0]
    assert reference is not None
    assert (
        ["Chang", "Myers"],
        "Creating Interactive Web Data Applications with Spreadsheets",
        "Proceedings of the 27th Annual ACM Symposium on User Interface Software and Technology",
        "87–96",
        "10.1145/2642918.2647371",
    ) == (
        [a.family for a in reference.authors],
        reference.title,
        reference.container_title,
        reference.pages,
        reference.doi,
    )


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\textit{J.\ Atmos.\ Sci.}", "*J. Atmos. Sci.*"),
        (r"pp. 131\,543--131\,558", "pp. 131543–131558"),
        (r"A.\hskip 1em plus 0.5em minus 0.4em\relax B", "A. B"),
        (r"{\bf Badr A, Sch R}{\bf . 2000}", "Badr A, Sch R. 2000"),
        (r"\textbf{71}, 1644", "**71**, 1644"),
        (r"M{\"u}ller and Cort\'es", "Müller and Cortés"),
        (r"\showISBNx{978-1-4503-3069-5}", ""),
        (r"{\em Nature}", "*Nature*"),
        (r"$\beta$-cell", "β-cell"),
    ],
)
def test_clean_latex_leaves_no_debris(latex: str, text: str) -> None:
    """LaTeX becomes Unicode (pylatexenc): no ``\\ ``, ``\\,``, glue or stray bold left."""
    assert text == clean_latex(latex)


BIBLATEX = r"""\refsection{0}
  \datalist[entry]{nty/global//global/global}
    \entry{smith2020}{article}{}
      \name{author}{2}{}{%
        {{hash=abc}{%
           family={Smith},
           familyi={S\bibinitperiod},
           given={John\bibnamedelima Paul},
           giveni={J\bibinitperiod}}}%
        {{hash=def}{%
           family={M{\"u}ller},
           given={Jane}}}%
      }
      \field{journaltitle}{Nature}
      \field{title}{A title with {DNA}}
      \field{volume}{5}
      \field{year}{2020}
      \field{pages}{1\bibrangedash 10}
      \verb{doi}
      \verb 10.1038/xyz
      \endverb
    \endentry
    \entry{old}{book}{}
      \name{author}{1}{}{%
        {{}%
         {Knuth}{K\bibinitperiod}%
         {Donald\bibnamedelima E.}{D\bibinitperiod}%
         {}{}{}{}}%
      }
      \field{title}{The {TeX}book}
      \field{year}{1984}
    \endentry
  \enddatalist
\endrefsection
"""


def test_biblatex_bbl_field_lists_are_read() -> None:
    """A biblatex .bbl's entries are read field by field, names of both biber layouts."""
    manuscript = latex_manuscript(BIBLATEX, "a.bbl")
    assert [
        ("smith2020", ["Smith", "Müller"], "A title with DNA", "Nature", "1", "10.1038/xyz"),
        ("old", ["Knuth"], "The TeXbook", None, None, None),
    ] == [
        (c.anchor, [a.family for a in r.authors], r.title, r.container_title, r.first_page, r.doi)
        for c, r in zip(manuscript.citations, manuscript.references, strict=True)
        if r is not None
    ]


# --- .tex and pandoc Markdown with a .bib -----------------------------------------------------

REFS = """@article{a, author={Smith, J.}, title={One}, journal={J}, year=2001}
@article{b, author={Doe, A.}, title={Two}, journal={K}, year=2002}
@article{c, author={Roe, B.}, title={Three}, journal={K}, year=2003}
"""


def _tex(tmp_path: Path) -> Path:
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    tex = tmp_path / "paper.tex"
    tex.write_text(
        "\\begin{document}\nAs shown \\citep[see][p.~3]{a, b} and \\cite{missing}. % \\cite{c}\n"
        "\\bibliography{refs}\n\\end{document}\n",
        encoding="utf-8",
    )
    return tex


def test_tex_follows_its_bibliography_to_the_cited_entries(tmp_path: Path) -> None:
    """A .tex with ``\\bibliography{refs}`` is checked on the entries of refs.bib it cites."""
    assert ["a", "b"] == [c.anchor for c in read_file(_tex(tmp_path)).citations]


def test_cited_key_missing_and_uncited_entry_are_findings(tmp_path: Path) -> None:
    """A cited key the .bib lacks is an error at the ``\\cite``; an entry never cited is
    info at the entry (a ``\\cite`` in a comment does not count)."""
    findings = reading_findings(read_file(_tex(tmp_path)))
    assert [
        ("cited-key-missing", Severity.ERROR, "paper.tex", 2, 38),
        ("uncited-entry", Severity.INFO, "refs.bib", 3, None),
    ] == [
        (f.code, f.severity, Path(f.location.file).name, f.location.line, f.location.column)
        for f in findings
        if f.location
    ]


def test_tex_without_its_bibliography_says_what_to_pass(tmp_path: Path) -> None:
    """A .tex whose .bib and .bbl cannot be found is an error that says what to pass."""
    tex = tmp_path / "paper.tex"
    tex.write_text("\\cite{a}\\bibliography{gone}\n", encoding="utf-8")
    with pytest.raises(ParseError, match=r"pass the \.bib file, or the \.bbl"):
        read_file(tex)


@pytest.mark.parametrize("link", ["absolute", "../../outside/refs", "../x/../../outside/refs"])
def test_a_bibliography_outside_the_repository_is_not_followed(tmp_path: Path, link: str) -> None:
    """A manuscript (perhaps a hostile one, checked in CI) cannot make refcheck read a file
    outside its repository: the link is refused, naming the file to pass instead."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "refs.bib").write_text(REFS, encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "paper").mkdir()
    name = str(tmp_path / "outside" / "refs") if link == "absolute" else link
    tex = repo / "paper" / "paper.tex"
    tex.write_text(f"\\cite{{a}}\\bibliography{{{name}}}\n", encoding="utf-8")
    with pytest.raises(ParseError, match="outside the manuscript's repository"):
        read_file(tex)


def test_a_bibliography_elsewhere_in_the_repository_is_followed(tmp_path: Path) -> None:
    """``\\bibliography{../bib/refs}`` from paper/ into the same repository's bib/ is read."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "bib").mkdir()
    (tmp_path / "bib" / "refs.bib").write_text(REFS, encoding="utf-8")
    (tmp_path / "paper").mkdir()
    tex = tmp_path / "paper" / "paper.tex"
    tex.write_text("\\cite{a}\\bibliography{../bib/refs}\n", encoding="utf-8")
    assert ["a"] == [c.anchor for c in read_file(tex).citations]


def test_tex_without_bib_reads_the_bbl_beside_it(tmp_path: Path) -> None:
    """With no .bib, the .bbl that LaTeX wrote beside the .tex is read."""
    (tmp_path / "paper.tex").write_text("\\cite{chang2014}\\bibliography{gone}\n", "utf-8")
    (tmp_path / "paper.bbl").write_text(ACM, encoding="utf-8")
    assert ["chang2014"] == [c.anchor for c in read_file(tmp_path / "paper.tex").citations]


def test_pandoc_front_matter_bibliography_is_followed(tmp_path: Path) -> None:
    """pandoc Markdown with ``bibliography:`` is checked on the .bib entries it cites; an
    e-mail address, inline code and a numbered list in the body are no citations."""
    (tmp_path / "paper.bib").write_text(REFS, encoding="utf-8")
    paper = tmp_path / "paper.md"
    paper.write_text(
        "---\ntitle: 'X'\nbibliography: paper.bib\n---\n# Summary\n"
        "Text [@a; @b, p. 3], mail me@x.org, `@decorator`.\n\n1. Establish adequate power\n"
        "2. Report intervals\n\n# References\n",
        encoding="utf-8",
    )
    manuscript = read_file(paper)
    assert (["a", "b"], ["c"]) == (
        [c.anchor for c in manuscript.citations],
        [c.anchor for c in manuscript.uncited],
    )


# --- Markdown and text lists ------------------------------------------------------------------

STEPS = """There are three approaches that are used to demonstrate equivalence.

1.  Establish adequate power
2.  Report confidence intervals
3.  Perform two one-sided tests

### References

Djulbegovic B, Clarke M. Scientific and ethical issues in equivalence trials. Jama 2001: 285(9); 1206-8.

Ware J, Antman E. Equivalence trials. NEJM 1997: 337(16); 1159-61. Available in [html format][war1]

You can find an [earlier version][sim1] of this page on my [original website][sim2].

[sim1]: http://www.pmean.com/03/equivalence.html
[war1]: http://content.nejm.org/cgi/content/extract/337/16/1159
"""


def test_body_lists_closing_prose_and_link_definitions_are_not_references() -> None:
    """Only the two references are read: not the numbered steps, the closing sentence or the
    link definitions."""
    assert [9, 11] == [c.line for c in extract_citations(STEPS).citations]


def test_unheaded_unnumbered_file_of_references_yields_them() -> None:
    """A file that is only a list of references, neither headed nor numbered, yields each."""
    text = "\n\n".join(
        f"Author{n} A, Other B. Title number {n}. J Things {2000 + n}; {n}: {n}0-{n}9."
        for n in range(1, 8)
    )
    assert 7 == len(extract_citations(text).citations)


@pytest.mark.parametrize(
    "heading",
    ["## Literatur", "# Références", "## Bibliografía", "Referencias", "**Bibliografia**",
     "## 参考文献", "## Literaturverzeichnis"],
)  # fmt: skip
def test_headings_in_other_languages_head_a_reference_list(heading: str) -> None:
    """A reference list under a heading in German, French, Spanish, Italian, Chinese..."""
    text = f"Text.\n\n{heading}\n\nMüller A. Ein Titel. Z Dinge 2001; 3: 4-5.\n"
    assert ["Müller A. Ein Titel. Z Dinge 2001; 3: 4-5."] == [
        c.text for c in extract_citations(text).citations
    ]


# --- Word -----------------------------------------------------------------------------------


def test_word_footnotes_with_zotero_fields_are_structured_references() -> None:
    """References in footnotes are read, at the paragraph that refers to them, with the
    Zotero field's CSL JSON as their fields (generated fixture, make_word.py)."""
    manuscript = read_file(CORPUS / "word" / "zotero-notes.docx")
    reference = manuscript.references[0]
    assert reference is not None
    assert ("fn1", 2, "footnote 1", "10.1126/science.1191634", "Allmann") == (
        manuscript.citations[0].label,
        manuscript.citations[0].line,
        manuscript.citations[0].anchor,
        reference.doi,
        reference.authors[0].family,
    )


def test_word_table_list_and_mendeley_mismatch() -> None:
    """A reference list in a table is read row by row, and a printed year that differs from
    the Mendeley field is a ``field-code-mismatch`` (generated fixture, make_word.py)."""
    manuscript = read_file(CORPUS / "word" / "mendeley-table.docx")
    assert (7, [("field-code-mismatch", "2013", "2012")]) == (
        len(manuscript.citations),
        [(f.code, f.cited, f.expected) for f in reading_findings(manuscript)],
    )


def test_csl_field_json_nested_deeply_is_no_crash() -> None:
    """A field whose JSON nests a hundred thousand levels gives no item, and no crash."""
    assert [] == csl_items(" ADDIN CSL_CITATION " + "[" * 100_000 + "]" * 100_000)


# --- locations in the outputs -------------------------------------------------------------------


def _report() -> Report:
    citation = Citation("x", file="a.xml", line=1, label="B2", column=424, anchor="B2")
    finding = Finding("unresolved", Severity.WARNING, "no work")
    checked = CheckedReference(citation, Reference(text="x"), Match(MatchStatus.UNRESOLVED),
                               (finding,))  # fmt: skip
    return Report(references=(checked,), files=("a.xml",))


def test_sarif_region_has_the_column_and_the_ref_id() -> None:
    """SARIF gives the line, the column and the ref id (a logical location)."""
    location = report_to_sarif(_report())["runs"][0]["results"][0]["locations"][0]
    assert ({"startLine": 1, "startColumn": 424}, [{"name": "B2", "kind": "element"}]) == (
        location["physicalLocation"]["region"],
        location["logicalLocations"],
    )


def test_text_github_and_gitlab_have_the_column() -> None:
    """The text report, GitHub's annotations and GitLab's positions name the column."""
    assert (True, True, {"line": 1, "column": 424}) == (
        format_text(_report()).startswith("a.xml:1:424: [B2]"),
        "line=1,col=424" in format_github(_report()),
        report_to_gitlab(_report())[0]["location"]["positions"]["begin"],
    )


def test_json_reference_has_column_and_anchor() -> None:
    """JSON keeps its keys and adds ``column`` and ``anchor``."""
    from refcheck.output.report import report_to_dict

    data = report_to_dict(_report())["references"][0]
    assert (1, 424, "B2") == (data["line"], data["column"], data["anchor"])


def test_finding_location_round_trips_through_json() -> None:
    """A document finding's place keeps its column and anchor in JSON."""
    from refcheck.output.report import report_to_dict

    finding = Finding("cited-key-missing", Severity.ERROR, "m", location=Location("p.tex", 2, 38))
    data = report_to_dict(Report(findings=(finding,)))["findings"][0]
    assert (2, 38, None) == (data["line"], data["column"], data["anchor"])
    json.dumps(data)


# --- the committed corpus ---------------------------------------------------------------------


def _committed() -> list[dict[str, object]]:
    corpus = tomllib.loads((CORPUS / "corpus.toml").read_text(encoding="utf-8"))["document"]
    return [d for d in corpus if d["committed"]]


@pytest.mark.parametrize("document", _committed(), ids=lambda d: str(d["id"]))
def test_corpus_document_yields_its_true_count(document: dict[str, object]) -> None:
    """Each committed real document yields the references counted by hand."""
    assert document["true_count"] == len(read_file(CORPUS / str(document["file"])).citations)


# --- hostile input on the new paths -------------------------------------------------------------

HOSTILE = {
    "deep braces": lambda: clean_latex("{" * 100_000 + "x" + "}" * 100_000),
    "unclosed commands": lambda: clean_latex("\\emph{" * 50_000),
    "deep bibinfo": lambda: latex_manuscript(
        "\\begin{thebibliography}{1}\\bibitem{k}\\bibinfo{title}{" + "{" * 100_000 + "x"
        "\\end{thebibliography}",
        "x.bbl",
    ),
    "many biblatex entries": lambda: latex_manuscript(
        "\\entry{k}{article}{}\\field{title}{T}\\endentry\n" * 20_000, "x.bbl"
    ),
    "unterminated biblatex names": lambda: latex_manuscript(
        "\\entry{k}{article}{}\\name{author}{1}{}{" + "{" * 50_000 + "\\endentry", "x.bbl"
    ),
    "cites on one line": lambda: latex_cited_keys("\\cite{a}" * 50_000, "x.tex"),
    "pandoc keys": lambda: pandoc_cited_keys("[@a; @b] " * 50_000, "x.md"),
    "pandoc long key": lambda: pandoc_cited_keys("@" + "a:" * 200_000, "x.md"),
    "broken bib entries": lambda: bib_manuscript(
        "@book{k, title={x}, %A = {y},\n year=2000}\n" * 500, "x.bib"
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_new_reader_paths_are_bounded_on_hostile_input(name: str) -> None:
    """Deep nesting, unclosed groups and huge repetitions on every new reader path return
    within two seconds, without a crash."""
    import time

    start = time.perf_counter()
    HOSTILE[name]()
    assert time.perf_counter() - start < 2.0


def test_names_beside_an_editors_group_are_the_authors() -> None:
    """Names tagged directly under a mixed-citation, beside an editors' person-group (PMC's
    BMC book chapters), are its authors."""
    data = (
        b'<article><ref-list><ref id="B36"><mixed-citation publication-type="book"><name>'
        b"<surname>Friedman</surname><given-names>DI</given-names></name><name><surname>"
        b"Gottesman</surname><given-names>M</given-names></name><person-group person-group-type="
        b'"editor">Hendrix RW,Roberts JW</person-group><article-title>Lytic mode of lambda '
        b"development</article-title><source>Lambda II</source><year>1983</year>"
        b"</mixed-citation></ref></ref-list></article>"
    )
    reference = jats_manuscript(data, "a.xml").references[0]
    assert reference is not None
    assert ["Friedman", "Gottesman"] == [a.family for a in reference.authors]
