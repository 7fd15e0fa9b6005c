"""Tests of :func:`refcheck.parsing.align.align`: re-cutting a matched reference along its work."""

from __future__ import annotations

import attrs

from refcheck.check import check_text
from refcheck.model import Reference, Work
from refcheck.parsing import parse_citation
from refcheck.parsing.align import align

# PDF-to-text lost the punctuation between the names, the title and the journal: the first
# parse gives the title's first word to the authors (checked by the test below).
_RUN_ON = (
    "Zohar E Burrello M Building Projected Entangled Pair States with a Local Gauge Symmetry "
    "New J Phys 2016;18:043008."
)
_ZOHAR = Work(
    doi="10.1088/1367-2630/18/4/043008",
    title="Building projected entangled pair states with a local gauge symmetry",
    container_title="New Journal of Physics",
    short_container_title="New J. Phys.",
    volume="18",
    issue="4",
    first_page="043008",
)
_HUET = Work(
    doi="10.1016/s2665-9913(20)30096-5",
    title="Anakinra for severe forms of COVID-19: a cohort study",
    container_title="The Lancet Rheumatology",
    short_container_title="Lancet Rheumatol",
    volume="2",
    issue="7",
    first_page="e393",
    last_page="e400",
)


def test_run_on_title_is_cut_from_its_journal() -> None:
    """A title the parse cut wrongly is re-cut at the work's title and journal."""
    aligned = align(parse_citation(_RUN_ON), _ZOHAR)
    expected = (
        "Building Projected Entangled Pair States with a Local Gauge Symmetry",
        "New J Phys",
    )
    assert expected == (aligned.title, aligned.container_title)


def test_the_first_parse_did_run_on() -> None:
    """The citation above really is mis-parsed before alignment (so the test above means it)."""
    title = parse_citation(_RUN_ON).title
    assert title is not None
    assert not title.startswith("Building")


def test_title_missing_from_the_citation_is_not_invented() -> None:
    """The citation prints a shorter title: align keeps the printed words, adds none."""
    citation = (
        "Huet T, Beaussier H. Anakinra for severe COVID-19. Lancet Rheumatol 2020; 2: e393–400."
    )
    aligned = align(parse_citation(citation), _HUET)
    assert "Anakinra for severe COVID-19" == aligned.title


def test_a_misspelt_title_stays_misspelt() -> None:
    """A typo in the citation survives alignment, so that compare can still report it."""
    citation = (
        "Huet T. Anakinra for sever forms of COVID-19: a cohort study. "
        "Lancet Rheumatol 2020; 2: e393–400."
    )
    aligned = align(parse_citation(citation), _HUET)
    assert "Anakinra for sever forms of COVID-19: a cohort study" == aligned.title


def test_a_different_printed_volume_is_not_overwritten() -> None:
    """A volume that the citation prints wrongly stays as printed: align only fills gaps."""
    citation = "Huet T. Anakinra for severe forms of COVID-19: a cohort study. Lancet Rheumatol 2020; 3: e393–400."
    aligned = align(parse_citation(citation), _HUET)
    assert "3" == aligned.volume


def test_a_missed_volume_is_filled_when_printed() -> None:
    """A volume the parse missed is taken from the citation when the work's volume is printed."""
    parsed = attrs.evolve(parse_citation(_RUN_ON), volume=None)
    assert "18" == align(parsed, _ZOHAR).volume


def test_a_missed_issue_is_not_filled_when_not_printed() -> None:
    """The work's issue "4" is not in the citation: the reference's issue stays empty."""
    assert align(parse_citation(_RUN_ON), _ZOHAR).issue is None


def test_an_unrelated_work_changes_nothing() -> None:
    """Nothing of the work is in the citation: the reference comes back unchanged."""
    reference = parse_citation(_RUN_ON)
    assert reference == align(reference, _HUET)


def test_every_aligned_field_is_text_of_the_citation() -> None:
    """Title and container after alignment are pieces of the citation text, verbatim."""
    aligned: Reference = align(parse_citation(_RUN_ON), _ZOHAR)
    assert (True, True) == (aligned.title in _RUN_ON, aligned.container_title in _RUN_ON)


class _OneWork:
    """A work source that knows one work (the protocol of :class:`refcheck.sources.resolve.WorkSource`)."""

    def __init__(self, work: Work) -> None:
        self.work = work

    def get_work(self, doi: str) -> Work | None:
        return self.work if doi.lower() == self.work.doi.lower() else None

    def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
        return (self.work,)


def test_check_reports_the_aligned_reference() -> None:
    """``check_text`` aligns a matched reference before comparing: the run-on title is re-cut."""
    text = f"# References\n\n1. {_RUN_ON} doi:10.1088/1367-2630/18/4/043008\n"
    report = check_text(text, source=_OneWork(_ZOHAR))
    expected = (
        "Building Projected Entangled Pair States with a Local Gauge Symmetry",
        "New J Phys",
    )
    checked = report.references[0].reference
    assert expected == (checked.title, checked.container_title)
