"""Comparison of references with their works: the seed's real discrepancies and each rule."""

from __future__ import annotations

import pytest
from seed import seed_citation, seed_works

from refcheck.findings.compare import compare_fields
from refcheck.model import Author, Finding, Reference, Severity, Work
from refcheck.parsing import parse_citation
from refcheck.similarity import container_matches, same_family

# Each seed citation that has a record, and the finding codes it must give, checked by hand
# against the records (see examples/anakinra/README.md for the reasoning behind each).
SEED_FINDINGS = [
    ("A1", ["author-initials"]),  # "Cron R" for Randy Q Cron
    ("A2", []),  # cited 2019: the print year (online 2018)
    ("A3", ["title-mismatch"]),  # "NLR4" for "NLRC4"
    ("A4", ["author-initials", "journal-mismatch"]),  # "Bachmeier C"; subtitle words in journal
    ("A5", ["pages-suffix"]),  # 992-1000 for 992-1000.e3
    ("B1", []),
    ("B2", []),  # cited 2014: the print year (online 2013)
    ("B3", ["author-spelling"]),  # "Sinforio" for "Sinflorio"
    ("B4", []),
    ("C1", []),
    ("C3", ["title-differs", "now-published"]),  # online-first title; now 8(8): 822-830
    ("C4", []),
    ("C5", []),
]


@pytest.mark.parametrize(("label", "codes"), SEED_FINDINGS, ids=[x[0] for x in SEED_FINDINGS])
def test_seed_citation_findings(label: str, codes: list[str]) -> None:
    """Each seed citation gives exactly the findings its record justifies."""
    works = seed_works()
    work = works.get(label) or works[{"B1": "A1", "C1": "A1"}[label]]
    findings = compare_fields(parse_citation(seed_citation(label)), work)
    assert sorted(codes) == sorted(f.code for f in findings)


def test_misspelled_surname_names_both_spellings() -> None:
    """B3's "Sinforio" is reported as an error with the record's spelling."""
    findings = compare_fields(parse_citation(seed_citation("B3")), seed_works()["B3"])
    assert [
        Finding(
            "author-spelling",
            Severity.ERROR,
            'author 2 "Sinforio" is spelled "Sinflorio" in the record',
            field="author",
            cited="Sinforio DA",
            expected="Sinflorio DA",
        )
    ] == findings


def test_mistyped_title_word_is_shown() -> None:
    """A3's "NLR4" is an error whose message shows the word and its correction."""
    [finding] = compare_fields(parse_citation(seed_citation("A3")), seed_works()["A3"])
    assert (Severity.ERROR, 'title differs from the record: "NLR4" for "NLRC4"') == (
        finding.severity,
        finding.message,
    )


def test_online_first_citation_gets_the_published_volume() -> None:
    """C3, cited as published online, is told the volume, issue and pages it later got."""
    findings = compare_fields(parse_citation(seed_citation("C3")), seed_works()["C3"])
    [info] = [f for f in findings if f.code == "now-published"]
    assert (Severity.INFO, "8(8): 822-830") == (info.severity, info.expected)


def test_reordered_title_words_read_as_one_change() -> None:
    """C3's "opportunities and challenges" is one reordering, not two unrelated edits."""
    findings = compare_fields(parse_citation(seed_citation("C3")), seed_works()["C3"])
    [title] = [f for f in findings if f.field == "title"]
    assert (
        'title differs from the record: "GM-CSF" added; '
        '"opportunities and challenges" for "challenges and opportunities"'
    ) == title.message


def _work(**fields: object) -> Work:
    defaults: dict[str, object] = {
        "doi": "10.1/x",
        "title": "A title of some length",
        "container_title": "Journal of Things",
        "authors": (Author("Smith", "John A"),),
        "issued": "2020-05-04",
        "volume": "12",
        "first_page": "100",
        "last_page": "110",
    }
    defaults.update(fields)
    return Work(**defaults)  # type: ignore[arg-type]


def _codes(reference: Reference, work: Work) -> list[str]:
    return [f.code for f in compare_fields(reference, work)]


def test_volume_off_by_one_is_an_error() -> None:
    """A volume that differs is reported with both values."""
    reference = Reference(volume="13", first_page="100", last_page="110")
    [finding] = compare_fields(reference, _work())
    assert ("volume-mismatch", Severity.ERROR, "13", "12") == (
        finding.code,
        finding.severity,
        finding.cited,
        finding.expected,
    )


def test_print_year_and_online_year_both_accepted() -> None:
    """Online-first in 2013 and in print 2014: either year is right, 2015 is not."""
    work = _work(issued="2013-11-27", published_online="2013-11-27", published_print="2014-04")
    assert [] == _codes(Reference(year="2013"), work)
    assert [] == _codes(Reference(year="2014"), work)
    assert ["year-mismatch"] == _codes(Reference(year="2015"), work)


def test_pages_expanded_before_comparison() -> None:
    """Cited 100-9 (expanded 100-109) against 100-110 is a last-page warning (the first page
    finds the work); 100-10 is fine."""
    assert ["last-page-mismatch"] == _codes(Reference(first_page="100", last_page="109"), _work())
    assert [] == _codes(Reference(first_page="100", last_page="110"), _work())


def test_wrong_first_page_is_an_error() -> None:
    """A first page that is not the record's is an error: the reader looks in the wrong place."""
    [finding] = compare_fields(Reference(first_page="101", last_page="110"), _work())
    assert ("pages-mismatch", Severity.ERROR) == (finding.code, finding.severity)


def test_article_number_matches_page() -> None:
    """An article number cited as the page agrees with the record's article number."""
    work = _work(first_page=None, last_page=None, article_number="e1007887")
    assert [] == _codes(Reference(first_page="e1007887"), work)


def test_missing_authors_without_et_al() -> None:
    """Citing 1 of 2 authors without "et al" is a warning; with "et al" it is fine."""
    work = _work(authors=(Author("Smith", "J"), Author("Jones", "K")))
    assert ["author-missing"] == _codes(Reference(authors=[Author("Smith", "J")]), work)
    assert [] == _codes(Reference(authors=[Author("Smith", "J")], et_al=True), work)


def test_extra_author_is_a_warning() -> None:
    """An author the record does not have is a warning: inconsistent, but the reader finds
    the work (the severity policy of docs/findings.md)."""
    reference = Reference(authors=[Author("Smith", "JA"), Author("Nobody", "X")])
    [finding] = compare_fields(reference, _work())
    assert ("author-extra", Severity.WARNING) == (finding.code, finding.severity)


def test_swapped_authors_are_an_order_warning() -> None:
    """Two authors in the wrong order are reported as such, not as misspellings."""
    work = _work(authors=(Author("Smith", "J"), Author("Jones", "K")))
    reference = Reference(authors=[Author("Jones", "K"), Author("Smith", "J")])
    assert ["author-order", "author-order"] == _codes(reference, work)


def test_more_initials_than_the_record_is_fine() -> None:
    """Records often lack middle names: "Tattersall RS" against "Rachel" is no finding."""
    work = _work(authors=(Author("Tattersall", "Rachel"),))
    assert [] == _codes(Reference(authors=[Author("Tattersall", "RS")]), work)


@pytest.mark.parametrize(
    ("cited", "recorded"),
    [
        ("de Jesus", "de Jesus"),
        ("Brito-Zerón", "Brito-Zeron"),
        ("De Luca", "de luca"),
        ("de Jesus", "Almeida de Jesus"),
    ],
)
def test_same_family(cited: str, recorded: str) -> None:
    """Case, accents and compound surnames split differently are the same family."""
    assert same_family(cited, recorded)


@pytest.mark.parametrize(
    ("cited", "titles", "expected"),
    [
        ("Lancet Rheumatol", ("The Lancet Rheumatology",), True),
        ("Nat Genet", ("Nature Genetics",), True),
        ("J Invest Dermatol", ("Journal of Investigative Dermatology",), True),
        ("Rheumatology (Oxford)", ("Rheumatology",), True),
        ("Cell Host Microbe", ("Cell Host & Microbe",), True),
        ("PLoS Pathog", ("PLOS Pathogens",), True),
        ("Lancet", ("The Lancet",), True),
        (  # NLM's abbreviation: "U S A" for "United States of America"
            "Proc Natl Acad Sci U S A",
            ("Proceedings of the National Academy of Sciences of the United States of America",),
            True,
        ),
        # the country many cite after a title that lacks it
        ("Proc Natl Acad Sci USA", ("Proceedings of the National Academy of Sciences",), True),
        (
            "Proc. Natl. Acad. Sci. U.S.A.",
            ("Proceedings of the National Academy of Sciences",),
            True,
        ),
        ("Proc Natl Acad Sci USA", ("Journal of Sciences",), False),
        # a parenthesis the cut left open
        ("Symposium on Mixed Reality (ISMAR'05", ("Symposium on Mixed Reality (ISMAR'05)",), True),
        ("PNAS", ("Proceedings of the National Academy of Sciences",), True),
        ("Nat Genet", ("Nature Medicine",), False),
        ("BioDrugs Clin Immunother Biopharm Gene Ther", ("BioDrugs",), False),
        ("Lancet Respir Med", ("The Lancet Rheumatology",), False),
    ],
)
def test_container_matches(cited: str, titles: tuple[str, ...], expected: bool) -> None:
    """Journal abbreviations match their full titles; other journals do not."""
    assert expected == container_matches(cited, titles)
