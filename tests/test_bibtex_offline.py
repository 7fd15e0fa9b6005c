"""BibTeX without records: offline, the entries and the summary say what they are built from."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from pybtex.database import parse_string
from seed import MANUSCRIPT, RESPONSES

from refcheck.cli import EXIT_CLEAN, EXIT_UNCHECKED, cli
from refcheck.model import CheckedReference, Citation, Match, MatchStatus, Work
from refcheck.output.bibtex import entry_counts, to_bibtex
from refcheck.parsing import parse_citation


def _offline(*texts: str) -> list[CheckedReference]:
    return [
        CheckedReference(
            Citation(text, "m.md", line, f"A{line}"),
            parse_citation(text),
            Match(MatchStatus.UNCHECKED, reason="offline"),
        )
        for line, text in enumerate(texts, 1)
    ]


_MEHTA = (
    "Mehta P, {cron}, Hartwell J, Manson JJ, Tattersall RS. Silencing the cytokine storm: the use "
    "of intravenous anakinra in haemophagocytic lymphohistiocytosis or macrophage activation "
    "syndrome. Lancet Rheumatol 2020; 2: e358–67."
)


def _bibtex(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["bibtex", *args])
    return result.exit_code, result.stdout, result.stderr.strip().splitlines()[-1]


def test_the_seed_gives_as_many_entries_offline_as_online(tmp_path: Path) -> None:
    """Offline (an empty cache) the seed manuscript gives the 13 entries it gives online: its
    three citations of Mehta 2020 ("Cron R" once, "Cron RQ" twice) are one entry."""
    _, offline, _ = _bibtex(str(MANUSCRIPT), "--offline", "--cache", str(tmp_path / "c.sqlite"))
    _, online, _ = _bibtex(str(MANUSCRIPT), "--replay", str(RESPONSES))
    mehta = [line for line in offline.splitlines() if "[A1]" in line]
    assert (13, 13, ["[A1]", "[B1]", "[C1]"]) == (
        len(parse_string(offline, "bibtex").entries),
        len(parse_string(online, "bibtex").entries),
        [label for label in ("[A1]", "[B1]", "[C1]") if label in mehta[0]],
    )


def test_the_offline_summary_says_not_checked(tmp_path: Path) -> None:
    """Offline, the summary counts the entries as not checked, not as unresolved (nothing was
    asked), and the exit code is 3."""
    code, _, summary = _bibtex(str(MANUSCRIPT), "--offline", "--cache", str(tmp_path / "c.sqlite"))
    assert (EXIT_UNCHECKED, "13 entries: 0 from Crossref, 13 not checked") == (code, summary)


def test_the_online_summary_counts_records_and_unresolved() -> None:
    """From recorded answers: 11 entries from Crossref's records, 2 unresolved."""
    code, _, summary = _bibtex(str(MANUSCRIPT), "--replay", str(RESPONSES))
    assert (EXIT_CLEAN, "13 entries: 11 from Crossref, 2 unresolved") == (code, summary)


def test_the_same_work_cited_differently_is_one_entry() -> None:
    """Same title, year and first author, other details differing: one entry, cited twice."""
    references = _offline(_MEHTA.format(cron="Cron R"), _MEHTA.format(cron="Cron RQ"))
    text = to_bibtex(references)
    assert (1, "% cited at m.md:1 [A1], m.md:2 [A2]") == (
        len(parse_string(text, "bibtex").entries),
        next(line for line in text.splitlines() if line.startswith("% cited")),
    )


def test_the_same_cited_doi_is_one_entry() -> None:
    """Two citations with the same DOI, however else they differ, are one entry."""
    references = _offline(
        "Smith J. A short one. Nature 2020; 1: 2. doi:10.1000/xyz",
        "Smith J, Jones K. A short one, revised. Nature 2020. https://doi.org/10.1000/XYZ",
    )
    assert {"unchecked": 1} == entry_counts(references)


def test_other_works_stay_apart() -> None:
    """Another year, another first author, or a title too short to tell works apart
    ("Reply"): separate entries."""
    references = _offline(
        _MEHTA.format(cron="Cron R"),
        _MEHTA.format(cron="Cron R").replace("2020", "2021"),
        _MEHTA.format(cron="Cron R").replace("Mehta P, ", "Metha P, "),
        "Cron RQ. Reply. Lancet Rheumatol 2020; 2: e400.",
        "Cron RQ. Reply. Lancet Rheumatol 2020; 2: e401.",
    )
    assert {"unchecked": 5} == entry_counts(references)


def test_entry_counts_name_the_source_of_each_record() -> None:
    """Resolved works count under their source, references under their status."""
    work = Work(doi="10.1/a", title="A title")
    matched = [
        CheckedReference(
            Citation("x", "m.md", 1), parse_citation("x"), Match(MatchStatus.MATCHED, work=work)
        ),
        CheckedReference(
            Citation("y", "m.md", 2),
            parse_citation("y"),
            Match(MatchStatus.MATCHED, work=Work(doi="10.1/b", title="B"), source="pubmed"),
        ),
    ]
    unresolved = CheckedReference(
        Citation("z", "m.md", 3), parse_citation("z"), Match(MatchStatus.UNRESOLVED)
    )
    assert {"crossref": 1, "pubmed": 1, "unresolved": 1} == entry_counts([*matched, unresolved])
