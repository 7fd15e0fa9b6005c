"""BibTeX export: escaping, protected capitals, keys, entry types, and round trips through pybtex."""

from __future__ import annotations

import codecs
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import latexcodec  # noqa: F401  (registers the "latex" codec)
import pytest
from citation_table import ALL
from hypothesis import given
from hypothesis import strategies as st
from pybtex.database import BibliographyData, parse_string
from seed import MANUSCRIPT, seed_records, seed_works

from refcheck import ExportError, to_bibtex, write_bibtex
from refcheck.cli import EXIT_CLEAN
from refcheck.model import (
    Author,
    CheckedReference,
    Citation,
    Match,
    MatchStatus,
    Reference,
    Report,
    Work,
)
from refcheck.output.bibtex import base_key, escape, title_field
from refcheck.testing import CrossrefStandIn, serve_crossref


def matched(work: Work, label: str = "1", line: int = 1) -> CheckedReference:
    citation = Citation(work.title or "x", file="paper.md", line=line, label=label)
    return CheckedReference(
        citation, Reference(text=citation.text), Match(MatchStatus.MATCHED, work)
    )


def unresolved(reference: Reference, line: int = 1) -> CheckedReference:
    citation = Citation(reference.text or "x", file="paper.md", line=line, label=str(line))
    return CheckedReference(citation, reference, Match(MatchStatus.UNRESOLVED))


def plain(value: str) -> str:
    """A BibTeX field value as text: LaTeX commands decoded, protecting braces dropped."""
    decoded = codecs.decode(value.encode("utf-8"), "latex+utf8")
    return decoded.replace("{", "").replace("}", "")


_UNESCAPE = {
    r"\textbackslash{}": "\\",
    r"\textbraceleft{}": "{",
    r"\textbraceright{}": "}",
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
    r"\&": "&",
    r"\%": "%",
    r"\$": "$",
    r"\#": "#",
    r"\_": "_",
    "{": "",
    "}": "",
}
_UNESCAPE_PATTERN = re.compile("|".join(map(re.escape, _UNESCAPE)))


def unescape_unicode(value: str) -> str:
    """The exact inverse of the UTF-8 mode's escaping, protecting braces dropped."""
    return _UNESCAPE_PATTERN.sub(lambda m: _UNESCAPE[m.group()], value)


def parse(text: str) -> BibliographyData:
    return parse_string(text, "bibtex")


# --- escaping and capitals ------------------------------------------------------------------


def test_escape_spells_accents_and_specials_in_latex() -> None:
    """Accented letters become {\\'o}-style commands and special characters are escaped."""
    assert r"Brito-Zer{\'o}n \& {\ss} 50\% a\_b IL-1{$\beta$} 1--2" == escape(
        "Brito-Zerón & ß 50% a_b IL-1β 1–2"
    )


def test_escape_unicode_keeps_letters() -> None:
    """With unicode=True, letters stay UTF-8 and only special characters are escaped."""
    assert r"Brito-Zerón \& ß IL-1β" == escape("Brito-Zerón & ß IL-1β", unicode=True)


def test_title_protects_acronyms_and_mixed_case() -> None:
    """Acronyms and mixed-case words keep their case under a lower-casing style."""
    assert "An activating {NLRC4} inflammasome in {COVID-19} and {mRNA} ({GM-CSF})" == (
        title_field("An activating NLRC4 inflammasome in COVID-19 and mRNA (GM-CSF)")
    )


def test_title_protects_proper_nouns_in_sentence_case() -> None:
    """In a sentence-case title, a capitalised word after the first is a proper noun."""
    assert "Anakinra in {Crohn's} disease: a trial in {Paris}" == title_field(
        "Anakinra in Crohn's disease: a trial in Paris"
    )


def test_title_case_words_are_not_protected() -> None:
    """In a Title Case title a single capital says nothing: no braces (but acronyms keep them)."""
    assert (
        "Complex Immune Dysregulation in {COVID-19} Patients with Severe Respiratory Failure"
        == (
            title_field(
                "Complex Immune Dysregulation in COVID-19 Patients with Severe Respiratory Failure"
            )
        )
    )


# --- keys -----------------------------------------------------------------------------------


def test_key_is_family_year_and_first_title_word() -> None:
    """The key of the seed's first work is mehta2020silencing."""
    work = seed_works()["A1"]
    assert "mehta2020silencing" == base_key(work.authors, work.year, work.title)


def test_key_is_ascii_folded() -> None:
    """Accents and hyphens are folded away: Brito-Zerón -> britozeron; leading 'The' skipped."""
    authors = (Author("Brito-Zerón", "P"),)
    assert "britozeron2014adult" == base_key(authors, "2014", "The adult syndrome")


def test_clashing_keys_get_letter_suffixes() -> None:
    """Two different works with the same base key become smith2020studya and smith2020studyb."""
    one = Work(
        doi="10.1/a",
        type="journal-article",
        title="Study one",
        authors=[Author("Smith", "J")],
        issued="2020",
    )
    two = Work(
        doi="10.1/b",
        type="journal-article",
        title="Study two",
        authors=[Author("Smith", "J")],
        issued="2020",
    )
    keys = list(parse(to_bibtex([matched(one), matched(two)])).entries)
    assert ["smith2020studya", "smith2020studyb"] == keys


# --- entries --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("crossref_type", "entry_type", "container_field"),
    [
        ("journal-article", "article", "journal"),
        ("book-chapter", "incollection", "booktitle"),
        ("proceedings-article", "inproceedings", "booktitle"),
        ("posted-content", "misc", "howpublished"),
        ("dataset", "misc", "howpublished"),
    ],
)
def test_entry_type_follows_the_record_type(
    crossref_type: str, entry_type: str, container_field: str
) -> None:
    """Each Crossref type gets its BibTeX entry type, and the container goes in the right field."""
    work = Work(
        doi="10.1/x", type=crossref_type, title="T", container_title="Container", issued="2021"
    )
    entry = next(iter(parse(to_bibtex([matched(work)])).entries.values()))
    assert (entry_type, "Container") == (entry.type, entry.fields[container_field])


def test_book_has_publisher_isbn_and_editors() -> None:
    """A book's publisher, ISBN and editors come from its record."""
    work = Work(
        doi="10.1/book",
        type="book",
        title="A book",
        publisher="Springer",
        isbn=["978-3-16-148410-0"],
        editors=[Author("Doe", "Jane")],
        issued="2019",
    )
    entry = next(iter(parse(to_bibtex([matched(work)])).entries.values()))
    assert ("book", "Springer", "978-3-16-148410-0", ["Doe"]) == (
        entry.type,
        entry.fields["publisher"],
        entry.fields["isbn"],
        [str(p.last_names[0]) for p in entry.persons["editor"]],
    )


def test_work_cited_twice_is_one_entry_citing_both_places() -> None:
    """A work in two reference lists is one entry, whose comment names both citations."""
    work = seed_works()["A1"]
    text = to_bibtex([matched(work, "A1", 29), matched(work, "B1", 61)])
    assert (1, "% cited at paper.md:29 [A1], paper.md:61 [B1]") == (
        len(parse(text).entries),
        text.splitlines()[0],
    )


def test_works_without_doi_are_one_entry_each_with_their_pmid() -> None:
    """Works with no DOI (PubMed records) are not merged: one entry each, PMID as eprint."""
    one = Work(doi="", pmid="111", type="journal-article", title="One", container_title="J")
    two = Work(doi="", pmid="222", type="journal-article", title="Two", container_title="J")
    entries = parse(to_bibtex([matched(one), matched(two), matched(one)])).entries.values()
    assert [("111", "pubmed"), ("222", "pubmed")] == [
        (e.fields["eprint"], e.fields["eprinttype"]) for e in entries
    ]


def test_unresolved_reference_is_marked() -> None:
    """An unresolved reference carries a note and a '% refcheck: unresolved' line."""
    _, reference = ALL[0]
    text = to_bibtex([unresolved(reference)])
    entry = next(iter(parse(text).entries.values()))
    assert ("% refcheck: unresolved", "refcheck: unresolved") == (
        text.splitlines()[0],
        entry.fields["note"],
    )


def test_unresolved_book_is_a_book_entry() -> None:
    """An unresolved reference parsed as a book becomes @book, with its publisher."""
    reference = Reference(text="x", title="A book", kind="book", publisher="Springer", year="2019")
    entry = next(iter(parse(to_bibtex([unresolved(reference)])).entries.values()))
    assert ("book", "Springer") == (entry.type, entry.fields["publisher"])


def test_unresolved_article_without_journal_is_misc() -> None:
    """A journal article with no journal read from the citation is exported as @misc."""
    reference = Reference(text="x", title="T", kind="journal-article", year="2019")
    entry = next(iter(parse(to_bibtex([unresolved(reference)])).entries.values()))
    assert "misc" == entry.type


@pytest.mark.parametrize(
    ("author", "family"),
    [
        (Author("ESCHARD, REMI", "GUY"), "ESCHARD, REMI"),
        (Author("Johnson and Johnson", "J"), "Johnson and Johnson"),
        (Author("Christos Zavos"), "Christos Zavos"),
        (Author("de Jesus", "Adriana"), "de Jesus"),
        (Author("World Health Organization", organisation=True), "World Health Organization"),
    ],
    ids=["comma", "and", "whole-name", "particle", "organisation"],
)
def test_names_come_back_whole(author: Author, family: str) -> None:
    """Family names with commas, 'and', or no given name are not split by BibTeX's rules."""
    work = Work(doi="10.1/x", type="journal-article", title="T", authors=[author], issued="2020")
    entry = next(iter(parse(to_bibtex([matched(work)])).entries.values()))
    (person,) = entry.persons["author"]
    assert family == plain(" ".join(person.prelast_names + person.last_names))


def test_write_bibtex_to_a_directory_is_an_export_error(tmp_path: Path) -> None:
    """An unwritable path is an ExportError naming the path, not a bare OSError."""
    with pytest.raises(ExportError, match=str(tmp_path)):
        write_bibtex([matched(seed_works()["A1"])], tmp_path)


# --- round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize("unicode", [False, True], ids=["latex", "unicode"])
def test_resolved_works_survive_a_round_trip(unicode: bool) -> None:
    """pybtex reads back every seed work's entry with its title, authors, year, numbers, DOI."""
    works = list({w.doi: w for w in seed_works().values()}.values())
    entries = parse(to_bibtex([matched(w) for w in works], unicode=unicode)).entries
    expected = [
        (w.doi, w.title, [a.family for a in w.authors], w.year, w.volume, w.issue) for w in works
    ]
    actual = [
        (
            e.fields["doi"],
            plain(e.fields["title"]),
            [plain(" ".join(p.prelast_names + p.last_names)) for p in e.persons["author"]],
            e.fields["year"],
            e.fields.get("volume"),
            e.fields.get("number"),
        )
        for e in entries.values()
    ]
    assert expected == actual


@pytest.mark.parametrize("unicode", [False, True], ids=["latex", "unicode"])
@pytest.mark.parametrize(("citation", "reference"), ALL, ids=[str(i) for i in range(len(ALL))])
def test_unresolved_references_survive_a_round_trip(
    citation: str, reference: Reference, unicode: bool
) -> None:
    """Every parsed reference of the citation table comes back from pybtex with its fields."""
    entry = next(iter(parse(to_bibtex([unresolved(reference)], unicode=unicode)).entries.values()))
    expected = (
        reference.title,
        [a.family for a in reference.authors]
        + (["others"] if reference.et_al and reference.authors else []),
        reference.year,
        reference.volume,
        reference.issue,
        reference.doi,
    )
    actual = (
        plain(entry.fields["title"]) if "title" in entry.fields else None,
        [plain(" ".join(p.prelast_names + p.last_names)) for p in entry.persons.get("author", [])],
        entry.fields.get("year"),
        plain(entry.fields["volume"]) if "volume" in entry.fields else None,
        plain(entry.fields["number"]) if "number" in entry.fields else None,
        entry.fields.get("doi"),
    )
    assert expected == actual


_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=60)


@given(title=_TEXT, family=_TEXT, doi=_TEXT)
def test_any_text_exports_to_a_file_pybtex_reads(title: str, family: str, doi: str) -> None:
    """Whatever the characters of a title, a name or a DOI, pybtex reads the entry back."""
    reference = Reference(text="x", title=title, authors=[Author(family, "A")], doi=doi)
    for unicode in (False, True):
        entries = parse(to_bibtex([unresolved(reference)], unicode=unicode)).entries
        assert 1 == len(entries)


@given(title=_TEXT)
def test_any_title_survives_in_unicode_mode(title: str) -> None:
    """In UTF-8 mode, any title comes back from pybtex with its text (braces aside)."""
    reference = Reference(text="x", title=title.replace("{", "").replace("}", ""))
    entry = next(iter(parse(to_bibtex([unresolved(reference)], unicode=True)).entries.values()))
    expected = reference.title
    assert expected == (unescape_unicode(entry.fields["title"]) if expected else None)


# --- real bibtex ----------------------------------------------------------------------------

# A tiny style: one \bibitem per entry with its formatted names and title, so that bibtex has to
# parse every entry, every name list and every field (no texlive style files needed).
_STYLE = r"""
ENTRY { author editor title journal booktitle year volume number pages doi note } {} {}
STRINGS { s }
INTEGERS { n }
FUNCTION {names} {
  's := #1 'n :=
  { n s num.names$ > #0 = }
  { s n "{vv~}{ll}{, f.}" format.name$ write$ " " write$ n #1 + 'n := }
  while$
}
FUNCTION {item} {
  newline$ "\bibitem{" cite$ * "}" * write$ newline$
  author empty$ 'skip$ { author names } if$
  title empty$ 'skip$ { title "t" change.case$ write$ } if$
  newline$
}
FUNCTION {article} { item }
FUNCTION {book} { item }
FUNCTION {incollection} { item }
FUNCTION {inproceedings} { item }
FUNCTION {misc} { item }
FUNCTION {techreport} { item }
FUNCTION {phdthesis} { item }
FUNCTION {default.type} { item }
READ
ITERATE { call.type$ }
"""


@pytest.mark.skipif(shutil.which("bibtex") is None, reason="bibtex is not installed")
def test_bibtex_reads_the_export(tmp_path: Path) -> None:
    """The real bibtex reads every entry of the seed's export without an error or warning."""
    works = list({w.doi: w for w in seed_works().values()}.values())
    references = [matched(w) for w in works] + [
        unresolved(r, i) for i, (_, r) in enumerate(ALL[:20])
    ]
    text = to_bibtex(references)
    (tmp_path / "refs.bib").write_text(text, encoding="utf-8")
    (tmp_path / "tiny.bst").write_text(_STYLE, encoding="utf-8")
    (tmp_path / "doc.aux").write_text(
        "\\citation{*}\n\\bibstyle{tiny}\n\\bibdata{refs}\n", encoding="utf-8"
    )
    result = subprocess.run(
        ["bibtex", "doc"],
        cwd=tmp_path,
        # "." first: a bibtex without texlive's texmf.cnf searches nowhere by default.
        env={**os.environ, "BIBINPUTS": ".:", "BSTINPUTS": ".:"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    keys = list(parse(text).entries)
    assert (0, keys) == (
        result.returncode,
        [
            line[len("\\bibitem{") : -1]
            for line in bbl.splitlines()
            if line.startswith("\\bibitem{")
        ],
    ), result.stdout


@pytest.mark.skipif(shutil.which("biber") is None, reason="biber is not installed")
def test_biber_reads_the_unicode_export(tmp_path: Path) -> None:
    """biber (in tool mode, checking the data model) reads every entry of the UTF-8 export."""
    works = list({w.doi: w for w in seed_works().values()}.values())
    references = [matched(w) for w in works] + [
        unresolved(r, i) for i, (_, r) in enumerate(ALL[:20])
    ]
    text = to_bibtex(references, unicode=True)
    (tmp_path / "refs.bib").write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["biber", "--tool", "--validate-datamodel", "--output-file", "out.bib", "refs.bib"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    problems = [line for line in result.stdout.splitlines() if line.startswith(("WARN", "ERROR"))]
    written = parse((tmp_path / "out.bib").read_text(encoding="utf-8")).entries
    assert (0, [], list(parse(text).entries)) == (result.returncode, problems, list(written))


# --- command line ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crossref() -> Iterator[CrossrefStandIn]:
    with serve_crossref(seed_records()) as server:
        yield server


def test_cli_writes_the_seed_bibliography(crossref: CrossrefStandIn, tmp_path: Path) -> None:
    """`refcheck bibtex` against the stand-in writes 13 entries, 2 of them marked unresolved."""
    out = tmp_path / "refs.bib"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "refcheck",
            "bibtex",
            str(MANUSCRIPT),
            "-o",
            str(out),
            "--base-url",
            crossref.base_url,
            "--no-cache",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    entries = parse(out.read_text(encoding="utf-8")).entries.values()
    notes = [e.fields.get("note") for e in entries]
    assert (EXIT_CLEAN, 13, 2) == (
        result.returncode,
        len(notes),
        notes.count("refcheck: unresolved"),
    ), result.stderr


def test_cli_rewrites_a_bib_file_from_crossref(crossref: CrossrefStandIn, tmp_path: Path) -> None:
    """`refcheck bibtex refs.bib` reads a .bib and writes it back from the Crossref records."""
    out = tmp_path / "fixed.bib"
    fixture = Path(__file__).parent / "fixtures" / "references.bib"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "refcheck",
            "bibtex",
            str(fixture),
            "-o",
            str(out),
            "--base-url",
            crossref.base_url,
            "--no-cache",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    entries = parse(out.read_text(encoding="utf-8")).entries
    chaves = entries["chaves2019noncanonical"]
    assert (EXIT_CLEAN, 4, "Sinflorio", "refcheck: unresolved") == (
        result.returncode,
        len(entries),
        chaves.persons["author"][1].last_names[0],
        entries["konepaut2007visceral"].fields["note"],
    ), result.stderr


def test_report_and_references_export_alike() -> None:
    """to_bibtex takes a Report or its checked references, with the same result."""
    references = [matched(w) for w in seed_works().values()]
    assert to_bibtex(references) == to_bibtex(Report(references=references))
