"""Document-level checks: names spelled two ways, the same work cited differently."""

from __future__ import annotations

from seed import seed_manuscript

from refcheck.findings import check_document
from refcheck.model import (
    Author,
    CheckedReference,
    Citation,
    Location,
    Match,
    MatchStatus,
    Reference,
    Work,
)
from refcheck.parsing import parse_citation
from refcheck.readers.text import TextLine, extract_citations


def _unchecked(citation: Citation) -> CheckedReference:
    return CheckedReference(
        citation, parse_citation(citation.text), Match(MatchStatus.UNCHECKED, reason="test")
    )


def test_seed_signature_and_prose_spellings_are_found() -> None:
    """ "Audemard-Verger" (signature) and "Audemard-Vergier" (prose) are one finding."""
    manuscript = seed_manuscript()
    references = [_unchecked(c) for c in manuscript.citations]
    findings = check_document(references, manuscript.text_lines, manuscript.file)
    names = [f for f in findings if f.code == "name-variant"]
    assert [("Audemard-Vergier", "Audemard-Verger")] == [(f.cited, f.expected) for f in names]


def test_seed_lists_cite_mehta_2020_differently() -> None:
    """A1 cites "Cron R" where B1 and C1 cite "Cron RQ": A1 is the odd one out."""
    manuscript = seed_manuscript()
    references = [_unchecked(c) for c in manuscript.citations]
    findings = check_document(references, manuscript.text_lines, manuscript.file)
    variants = [f for f in findings if f.code == "citation-variant"]
    assert 1 == len(variants)
    assert "[A1]" in variants[0].message
    assert "Cron R, " in (variants[0].cited or "") and "Cron RQ" in (variants[0].expected or "")


def test_same_name_everywhere_is_no_finding() -> None:
    """A name spelled the same in signature, prose and references gives nothing."""
    text = (
        "Yvan Jamilloux and colleagues wrote.\n\n*Yvan Jamilloux, Pascal Sève\n"
        "yvan.jamilloux@chu-lyon.fr\n\n"
        "- 1 Jamilloux Y, Sève P. A title of a letter. Lancet Rheumatol 2020; 2: e521-22.\n"
        "- 2 Sève P. Another title here. Rev Med Interne 2019; 40: 1-2.\n"
    )
    manuscript = extract_citations(text, "m.md")
    references = [_unchecked(c) for c in manuscript.citations]
    assert () == check_document(references, manuscript.text_lines, "m.md")


def test_different_people_with_close_names_are_not_merged() -> None:
    """ "Maria Silva" and "Mario Silvo" have other first names: not one person."""
    lines = [
        TextLine(1, "Maria Silva, Peter Jones"),
        TextLine(2, "silva@example.org"),
        TextLine(4, "Mario Silvo disagrees."),
    ]
    assert () == check_document([], lines, "m.md")


def test_reference_and_prose_variant() -> None:
    """A prose name close to a cited author with the same initial is reported."""
    citation = Citation(
        "Cavalli G, Dagna L. Title of the paper. Lancet Rheumatol 2020; 2: e325-31.", "m.md", 9, "1"
    )
    references = [_unchecked(citation)]
    lines = [TextLine(2, "We read the Article by Giulio Cavali and colleagues.")]
    [finding] = check_document(references, lines, "m.md")
    assert ("name-variant", "Cavali", "Cavalli", Location("m.md", 2)) == (
        finding.code,
        finding.cited,
        finding.expected,
        finding.location,
    )


def test_same_work_twice_in_one_list_is_a_duplicate() -> None:
    """Two citations of one DOI in the same list give a duplicate-reference finding."""
    work = Work(doi="10.1/x", title="A title")
    reference = Reference(authors=[Author("Smith", "J")], title="A title")
    checked = [
        CheckedReference(
            Citation("x", "m.md", n, str(n)), reference, Match(MatchStatus.MATCHED, work=work)
        )
        for n in (1, 2)
    ]
    codes = [f.code for f in check_document(checked, [], "m.md")]
    assert ["duplicate-reference"] == codes
