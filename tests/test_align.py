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


# --- journals the parse cut wrongly (dev part of benchmarks/false_findings.py) --------------

#: (citation, the work): a correct citation whose journal the first parse cut wrongly.
_JOURNALS = [
    (  # the title's last words run into a journal too short to be looked for ("ApJ")
        "N. Chartab et al., A Machine-learning Approach to Predict Missing Flux Densities in "
        "Multiband Galaxy Surveys, ApJ 942, 91 (2023).",
        Work(
            doi="10.1/x",
            title="A Machine-learning Approach to Predict Missing Flux Densities in Multiband "
            "Galaxy Surveys",
            container_title="The Astrophysical Journal",
            short_container_title="ApJ",
            volume="942",
            first_page="91",
            issued="2023",
        ),
    ),
    (  # the same, with an acronym of the journal ("CDT")
        "Gutti R K, Sangeeth A, Malleswarapu M and Mishra A 2022 Long Non-coding RNA "
        "Therapeutics: Recent Advances and Challenges CDT 23 1457–64",
        Work(
            doi="10.1/x",
            title="Long Non-coding RNA Therapeutics: Recent Advances and Challenges",
            container_title="Current Drug Targets",
            short_container_title="CDT",
            volume="23",
            first_page="1457",
            last_page="1464",
            issued="2022",
        ),
    ),
    (  # a closing parenthesis of the proceedings' title left out of the cut
        "Reiter D and Butz A 2005 Design and implementation of a widget set for steerable "
        "projector-camera units Fourth IEEE and ACM International Symposium on Mixed and "
        "Augmented Reality (ISMAR'05) (IEEE)",
        Work(
            doi="10.1/x",
            title="Design and implementation of a widget set for steerable projector-camera units",
            container_title="Fourth IEEE and ACM International Symposium on Mixed and Augmented "
            "Reality (ISMAR'05)",
            publisher="IEEE",
            issued="2005",
        ),
    ),
    (  # the year after the journal
        "Noll D, Estreicher S. Brief of Professors of Administrative Law and Federal Regulation "
        "as Amici Curiae in Support of Neither Party. SSRN Journal. 2019.",
        Work(
            doi="10.1/x",
            title="Brief of Professors of Administrative Law and Federal Regulation as Amici "
            "Curiae in Support of Neither Party",
            container_title="SSRN Electronic Journal",
            short_container_title="SSRN Journal",
            issued="2019",
        ),
    ),
    (  # the pages after a proceedings title that ends in a parenthesis
        "Smith, G., Lochin, E., Lacan, J. & Boreli, R. Memory and complexity analysis of "
        "on-the-fly coding schemes for multimedia multicast communications. in 2012 IEEE "
        "International Conference on Communications (ICC) 2070–2074 (IEEE, 2012).",
        Work(
            doi="10.1/x",
            title="Memory and complexity analysis of on-the-fly coding schemes for multimedia "
            "multicast communications",
            container_title="2012 IEEE International Conference on Communications (ICC)",
            publisher="IEEE",
            first_page="2070",
            last_page="2074",
            issued="2012",
        ),
    ),
    (  # "In" and the publisher around a book's title
        "Grinker, R. R., and J. P. Spiegel. 1945. “Psychosomatic States.”. In Men Under "
        "Stress. Blakiston.",
        Work(
            doi="10.1/x",
            title="Psychosomatic States.",
            container_title="Men under stress.",
            publisher="Blakiston",
            issued="1945",
        ),
    ),
    (  # a chapter cited without its book: the parse took the title for the container
        "Kessler, A.: Chemical Ecology, (2012).",
        Work(doi="10.1/x", title="Chemical Ecology", container_title="Ecology", issued="2012"),
    ),
    (  # the publisher printed where the journal would be
        "L. I. Agena, Aloha blossoms at state hospital, American Psychological Association "
        "(APA) (2007).",
        Work(
            doi="10.1/x",
            title="Aloha blossoms at state hospital",
            container_title="PsycEXTRA Dataset",
            publisher="American Psychological Association (APA)",
            issued="2007",
        ),
    ),
    (  # the whole publisher after the journal, parentheses and all
        "Bullock, M. (1996) “Attempts to Break Old Barriers at NSF: APA Meets with NSF”, "
        "PsycEXTRA Dataset. American Psychological Association (APA).",
        Work(
            doi="10.1/x",
            title="Attempts to Break Old Barriers at NSF: APA Meets with NSF",
            container_title="PsycEXTRA Dataset",
            publisher="American Psychological Association (APA)",
            issued="1996",
        ),
    ),
]


def test_journal_recut_along_the_record() -> None:
    """Each correct citation whose journal the parse ran into its title, or into the
    publisher or year after it, gets no journal finding once aligned with its work."""
    from refcheck.findings import compare
    from refcheck.model import Match, MatchStatus

    found: dict[str, list[str]] = {}
    for text, work in _JOURNALS:
        reference = align(parse_citation(text), work)
        codes = [f.code for f in compare(reference, Match(MatchStatus.MATCHED, work=work))]
        found[text[:30]] = [c for c in codes if c == "journal-mismatch"]
    assert {text[:30]: [] for text, _ in _JOURNALS} == found


def test_journal_of_another_title_stays_a_warning() -> None:
    """A journal that is not the work's, printed after its title, is still reported."""
    from refcheck.findings import compare
    from refcheck.model import Match, MatchStatus

    work = _JOURNALS[0][1]
    text = _JOURNALS[0][0].replace("ApJ", "MNRAS")
    reference = align(parse_citation(text), work)
    codes = [f.code for f in compare(reference, Match(MatchStatus.MATCHED, work=work))]
    assert ["journal-mismatch"] == [c for c in codes if c == "journal-mismatch"]
