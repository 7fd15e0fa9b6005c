"""Extraction of reference lists from Markdown and plain-text manuscripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from refcheck.model import Citation
from refcheck.readers.text import extract_citations

SEED = Path(__file__).parents[1] / "examples" / "anakinra" / "manuscript.md"


def test_seed_has_three_lists_of_fifteen_citations() -> None:
    """The seed's three "- 1 Author..." lists are found, labelled A, B, C, with their lines."""
    manuscript = extract_citations(SEED.read_text(encoding="utf-8"), "manuscript.md")
    labels = [c.label for c in manuscript.citations]
    assert [f"{x}{n}" for x in "ABC" for n in range(1, 6)] == labels


def test_seed_citation_keeps_file_and_line() -> None:
    """Each citation knows the 1-based line it starts on."""
    text = SEED.read_text(encoding="utf-8")
    manuscript = extract_citations(text, "manuscript.md")
    lines = text.splitlines()
    for citation in manuscript.citations:
        number = citation.label[1:]
        assert lines[citation.line - 1].startswith(f"- {number} ")
        assert citation.file == "manuscript.md"


def test_blank_line_inside_a_list_does_not_split_it() -> None:
    """The seed's third list has a blank line between items 2 and 3; it is still one list."""
    text = "- 1 A B. One. J 2020; 1: 1.\n- 2 C D. Two. J 2020; 1: 2.\n\n- 3 E F. Three. J 2020; 1: 3.\n"
    manuscript = extract_citations(text)
    assert ["1", "2", "3"] == [c.label for c in manuscript.citations]


def test_wrapped_item_is_joined() -> None:
    """A citation wrapped over two lines is one citation, on its first line."""
    text = "Text.\n\n1. Mehta P, Cron RQ. Silencing the cytokine\nstorm. Lancet Rheumatol 2020; 2: e358-67.\n2. Carter SJ. Title. Rheumatology 2019; 58: 5-17.\n"
    manuscript = extract_citations(text, "m.txt")
    assert (
        Citation(
            "Mehta P, Cron RQ. Silencing the cytokine storm. Lancet Rheumatol 2020; 2: e358-67.",
            file="m.txt",
            line=3,
            label="1",
        )
        == manuscript.citations[0]
    )


@pytest.mark.parametrize(
    "marker", ["1.", "1)", "[1]", "- 1", "* [1]"], ids=["dot", "paren", "bracket", "dash", "star"]
)
def test_numbering_styles(marker: str) -> None:
    """Numbered items in the common list styles are recognised."""
    second = marker.replace("1", "2")
    text = f"{marker} Mehta P. One. J 2020; 1: 1.\n{second} Cron RQ. Two. J 2020; 1: 2.\n"
    assert 2 == len(extract_citations(text).citations)


def test_numbered_prose_is_not_a_list() -> None:
    """A line starting with a number that does not begin a 1, 2, 3 run is text, not a list."""
    text = "2000 patients were enrolled.\n3 of them died.\n"
    manuscript = extract_citations(text)
    assert () == manuscript.citations
    assert 2 == len(manuscript.text_lines)


def test_unnumbered_entries_under_a_heading() -> None:
    """Under "References", each unnumbered line (or paragraph) is one citation."""
    text = (
        "Intro.\n\n## References\n\n"
        "Mehta, P., & Cron, R. Q. (2020). Silencing the cytokine storm. Lancet Rheumatology, 2(6), e358–e367.\n"
        "Carter, S. J. (2019). Macrophage activation syndrome in adults.\n"
        "    Rheumatology, 58(1), 5–17.\n"
    )
    manuscript = extract_citations(text)
    assert 2 == len(manuscript.citations)
    assert manuscript.citations[1].text.endswith("Rheumatology, 58(1), 5–17.")
    assert 6 == manuscript.citations[1].line


def test_rest_of_text_is_kept_with_line_numbers() -> None:
    """Lines outside reference lists are kept, numbered, for the document checks."""
    text = "Hello Alexandra Audemard-Vergier.\n\n1. A. One. J 2020.\n2. B. Two. J 2020.\n\nBye.\n"
    manuscript = extract_citations(text)
    assert [(1, "Hello Alexandra Audemard-Vergier."), (2, ""), (5, ""), (6, "Bye.")] == [
        (t.line, t.text) for t in manuscript.text_lines
    ]
