"""Findings show what a reader could not see: two spellings that differ only in an invisible
character (a no-break space, a soft hyphen, a zero-width space) look different in the message."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refcheck.findings import check_document
from refcheck.model import (
    Author,
    CheckedReference,
    Citation,
    Finding,
    Match,
    MatchStatus,
    Reference,
    Severity,
    visible,
)
from refcheck.readers.text import TextLine


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Mirabet V", "Mirabet V"),
        ("Mirabet\u00a0V", "Mirabet⟨U+00A0 no-break space⟩V"),
        ("Mira\u00adbet", "Mira⟨U+00AD soft hyphen⟩bet"),
        ("Mirabet\u200b", "Mirabet⟨U+200B zero width space⟩"),
        ("\ufeffSmith", "⟨U+FEFF zero width no-break space⟩Smith"),
        ("Smith\u2009J", "Smith⟨U+2009 thin space⟩J"),
        ("a\x00b\x1b", "a⟨U+0000⟩b⟨U+001B⟩"),
        # Tab and line breaks are layout, which each output format escapes its own way.
        ("a\tb\r\n", "a\tb\r\n"),
        # Visible letters stay as they are, accented, Greek or right-to-left.
        ("Brito-Zerón, IL-1β, שלום", "Brito-Zerón, IL-1β, שלום"),
    ],
)
def test_invisible_characters_are_written_out(text: str, shown: str) -> None:
    """Each character a reader cannot see (or tell from a space) is named, the rest kept."""
    assert shown == visible(text)


@given(st.text())
def test_visible_text_has_nothing_invisible_left(text: str) -> None:
    """Whatever the text, what visible() gives has no control, format or odd space left."""
    shown = visible(text)
    assert [] == [
        c
        for c in shown
        if c not in "\t\n\r"
        and (
            unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")
            or (unicodedata.category(c) == "Zs" and c != " ")
        )
    ]


def test_a_finding_message_shows_them_and_its_fields_keep_the_text() -> None:
    """The message is for people; ``cited`` and ``expected`` keep the characters as they are."""
    finding = Finding(
        "name-variant", Severity.WARNING, 'spelled "Mirabet\u00a0V"', cited="Mirabet\u00a0V"
    )
    assert ('spelled "Mirabet⟨U+00A0 no-break space⟩V"', "Mirabet\u00a0V") == (
        finding.message,
        finding.cited,
    )


def test_a_name_variant_that_differs_in_a_soft_hyphen_says_so() -> None:
    """A cited surname with a soft hyphen (left by a PDF's line break) and the signature's
    surname look the same in print; the name-variant message shows the difference."""
    citation = Citation(
        "Mirabet V, Dubrulle N. Mechanical forces in the shoot apical meristem. Development "
        "2020; 147: 1-10.",
        "m.md",
        9,
        "1",
    )
    reference = Reference(
        text=citation.text,
        authors=[Author("Mira\u00adbet", "V"), Author("Dubrulle", "N")],
        title="Mechanical forces in the shoot apical meristem",
    )
    checked = CheckedReference(citation, reference, Match(MatchStatus.UNCHECKED, reason="test"))
    lines = [TextLine(1, "Valentin Mirabet, Nina Dubrulle"), TextLine(2, "mirabet@example.org")]
    [finding] = check_document([checked], lines, "m.md")
    assert (
        '"Mira⟨U+00AD soft hyphen⟩bet V" (reference) is spelled "Valentin Mirabet" at m.md:1 '
        "(signature)"
    ) == finding.message
