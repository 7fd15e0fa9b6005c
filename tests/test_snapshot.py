"""The local snapshot index: reading Crossref's public data file format, building the index,
searching it as a WorkSource, updating it from the API (resumably), and the CLI around it.

Snapshots are written at test time, in a temporary directory, from made-up records (and from
the genuine records of ``../shared/data`` where present): nothing is committed.
"""

# House style (STYLE.md) writes `assert expected == actual`; ruff's SIM300 calls that Yoda.

from __future__ import annotations

import gzip
import json
import random
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner

from refcheck.cli import cli
from refcheck.errors import ConfigError, SnapshotError
from refcheck.model import MatchStatus
from refcheck.parsing import parse_citation
from refcheck.sources.crossref import CrossrefClient, work_from_crossref
from refcheck.sources.resolve import Resolver
from refcheck.sources.snapshot import IndexMeta, SnapshotSource, split_sources
from refcheck.sources.snapshot_build import (
    build_index,
    snapshot_records,
    update_index,
    write_snapshot,
)
from refcheck.testing import CrossrefStandIn, load_works, serve_crossref

pytest.importorskip("tantivy")  # the `index` extra; `dev` installs it

pytestmark = pytest.mark.usefixtures("no_retry_wait")

GENUINE_WORKS = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "crossref" / "works.jsonl.gz"
)
SURNAMES = ["Okafor", "Lindqvist", "Haddad", "Moreau", "Tanaka", "Novak", "Ferreira", "Kowal"]
TOPICS = ["glacier", "enzyme", "lattice", "monsoon", "protein", "galaxy", "soil", "neuron"]
PLACES = ["Andes", "Baltic", "Sahel", "Tibet", "Yukon", "Pampas", "Gobi", "Ural", "Deccan"]


def record(number: int, *, indexed: str = "2024-01-05") -> dict[str, Any]:
    """A made-up but complete Crossref work record, distinct for each ``number``."""
    return {
        "DOI": f"10.5555/Snap.{number:04d}",
        "type": "journal-article",
        "title": [
            f"{TOPICS[number % 8].title()} change across the {PLACES[number % 9]} "
            f"in survey {number}"
        ],
        "author": [{"given": "Ada", "family": SURNAMES[number % 8]}, {"family": "Lee"}],
        "container-title": ["Journal of Made-up Results"],
        "issued": {"date-parts": [[2000 + number % 20, 3]]},
        "volume": str(10 + number),
        "page": f"{100 + number}-{110 + number}",
        "indexed": {"date-time": f"{indexed}T00:00:00Z"},
        "deposited": {"date-time": "2023-06-01T00:00:00Z"},
        "reference": [{"key": "r1", "unstructured": "not kept in the index"}],
    }


RECORDS = [record(n) for n in range(60)]


def citation(rec: dict[str, Any]) -> str:
    first = rec["author"][0]
    year = rec["issued"]["date-parts"][0][0]
    return (
        f"{first['family']} A, Lee B. {rec['title'][0]}. {rec['container-title'][0]}. "
        f"{year};{rec['volume']}:{rec['page']}."
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the 60 made-up records, written as a snapshot of 25 records a file."""
    root = tmp_path_factory.mktemp("snapshot")
    write_snapshot(RECORDS, root / "snapshot", per_file=25)
    build_index(root / "snapshot", root / "index")
    return root / "index"


@pytest.fixture
def source(built: Path) -> Iterator[SnapshotSource]:
    with SnapshotSource(built) as snapshot:
        yield snapshot


# --- the snapshot format ------------------------------------------------------------------------


def test_write_snapshot_uses_crossrefs_file_format(tmp_path: Path) -> None:
    """Files 0.json.gz, 1.json.gz... each a JSON object {"items": [records]}."""
    paths = write_snapshot(RECORDS, tmp_path / "s", per_file=25)
    with gzip.open(paths[2], "rt", encoding="utf-8") as file:
        body = json.load(file)
    assert (["0.json.gz", "1.json.gz", "2.json.gz"], RECORDS[50:]) == (
        [p.name for p in paths],
        body["items"],
    )


def test_a_tar_archive_of_the_files_reads_the_same(tmp_path: Path) -> None:
    """A .tar.gz of the snapshot's files gives the records of the directory, in order."""
    write_snapshot(RECORDS, tmp_path / "s", per_file=25)
    with tarfile.open(tmp_path / "s.tar.gz", "w:gz") as archive:
        archive.add(tmp_path / "s", arcname="snapshot")
    assert list(snapshot_records(tmp_path / "s")) == list(snapshot_records(tmp_path / "s.tar.gz"))


def test_a_broken_file_is_skipped_and_named(tmp_path: Path) -> None:
    """A file that is not gzip is skipped with its name; the good file's works are indexed."""
    write_snapshot(RECORDS[:10], tmp_path / "s")
    (tmp_path / "s" / "9.json.gz").write_bytes(b"not gzip at all")
    result = build_index(tmp_path / "s", tmp_path / "i")
    assert (10, 1, "9.json.gz") == (
        result.works,
        len(result.skipped_files),
        Path(result.skipped_files[0].split(":")[0]).name,
    )


def test_records_without_a_doi_are_skipped_and_counted(tmp_path: Path) -> None:
    """Items without a DOI are counted, not indexed."""
    write_snapshot([*RECORDS[:3], {"title": ["no DOI"]}], tmp_path / "s")
    result = build_index(tmp_path / "s", tmp_path / "i")
    assert (3, 1) == (result.works, result.skipped_records)


def test_an_existing_directory_is_never_built_over(tmp_path: Path) -> None:
    """refcheck does not write into a directory it did not make."""
    write_snapshot(RECORDS[:3], tmp_path / "s")
    (tmp_path / "i").mkdir()
    (tmp_path / "i" / "mine.txt").write_text("keep")
    with pytest.raises(SnapshotError, match="exists already"):
        build_index(tmp_path / "s", tmp_path / "i")
    assert ["mine.txt"] == [p.name for p in (tmp_path / "i").iterdir()]


def test_an_empty_existing_directory_is_not_built_over_either(tmp_path: Path) -> None:
    """Even an empty directory under the index's name is someone else's: refused, kept."""
    write_snapshot(RECORDS[:3], tmp_path / "s")
    (tmp_path / "i").mkdir()
    with pytest.raises(SnapshotError, match="exists already"):
        build_index(tmp_path / "s", tmp_path / "i")
    assert [] == list((tmp_path / "i").iterdir())


def test_a_failed_build_removes_only_what_it_made(tmp_path: Path) -> None:
    """A build stopped midway (here by its progress callback) leaves no index under the name,
    and every other file beside it as it was."""
    write_snapshot(RECORDS, tmp_path / "s", per_file=25)
    (tmp_path / "notes.txt").write_text("keep")

    def stop(*_: Any) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_index(tmp_path / "s", tmp_path / "i", progress=stop)
    assert ["notes.txt", "s"] == sorted(p.name for p in tmp_path.iterdir())


def test_an_index_in_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    """No parent directories are made for the index: the error names the missing one."""
    write_snapshot(RECORDS[:3], tmp_path / "s")
    with pytest.raises(SnapshotError, match="no directory"):
        build_index(tmp_path / "s", tmp_path / "missing" / "i")


def test_a_record_the_converter_fails_on_is_skipped_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record whose conversion fails with any error of shape (TypeError here) is skipped
    and counted; the build goes on with the others."""
    import refcheck.sources.snapshot_build as snapshot_build

    convert = snapshot_build.work_from_crossref

    def fragile(message: dict[str, Any]) -> Any:
        if message["DOI"] == RECORDS[1]["DOI"]:
            raise TypeError("'int' object is not iterable")
        return convert(message)

    monkeypatch.setattr(snapshot_build, "work_from_crossref", fragile)
    write_snapshot(RECORDS[:4], tmp_path / "s")
    result = build_index(tmp_path / "s", tmp_path / "i")
    assert (3, 1) == (result.works, result.skipped_records)


def test_build_reports_its_progress(tmp_path: Path) -> None:
    """progress(records, files done, files) after each file of the snapshot."""
    write_snapshot(RECORDS, tmp_path / "s", per_file=25)
    calls: list[tuple[int, int, int | None]] = []
    build_index(tmp_path / "s", tmp_path / "i", progress=lambda *a: calls.append(a))
    assert [(25, 1, 3), (50, 2, 3), (60, 3, 3)] == calls


def test_build_measures_rate_and_size(built: Path) -> None:
    """The description counts the works and keeps the latest indexed date."""
    meta = IndexMeta.read(built)
    assert (60, "2024-01-05T00:00:00Z") == (meta.works, meta.indexed_until)


def test_not_an_index_is_a_clear_error(tmp_path: Path) -> None:
    """Opening a directory that is no index says how to build one."""
    with pytest.raises(SnapshotError, match="refcheck index build"):
        SnapshotSource(tmp_path)


# --- the source ---------------------------------------------------------------------------------


def test_get_work_gives_the_converters_work(source: SnapshotSource) -> None:
    """A DOI (any case, with a doi.org prefix) gives the work the API client would give."""
    assert work_from_crossref(RECORDS[7]) == source.get_work(
        "https://doi.org/" + RECORDS[7]["DOI"].upper()
    )


def test_get_work_of_an_unknown_doi_is_none(source: SnapshotSource) -> None:
    assert source.get_work("10.5555/not-there") is None


def test_search_ranks_the_cited_work_first(source: SnapshotSource) -> None:
    """Each record's own citation finds it first."""
    firsts = [source.search(citation(r), rows=5)[0].doi for r in RECORDS]
    assert [r["DOI"] for r in RECORDS] == firsts


def test_search_folds_accents_and_case(source: SnapshotSource) -> None:
    """ "LINDQVIST" and "Lindqvíst" find the same works."""
    assert source.search("LINDQVIST glacier", rows=3) == source.search("Lindqvíst glacier", rows=3)


def test_a_query_without_words_finds_nothing(source: SnapshotSource) -> None:
    assert () == source.search(" ,;: ")


def test_the_resolver_matches_through_the_snapshot(source: SnapshotSource) -> None:
    """The same validation as on the API: a citation matched via search, with its DOI."""
    match = Resolver(source).resolve(parse_citation(citation(RECORDS[11])))
    assert (MatchStatus.MATCHED, RECORDS[11]["DOI"], "search") == (
        match.status,
        match.doi,
        match.via,
    )


def test_a_damaged_record_fails_its_reference_only(
    source: SnapshotSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stored record that no longer reads (a damaged index) makes that reference unchecked,
    with the reason: a ServiceResponseError, not an error that ends the run."""
    import refcheck.sources.snapshot as snapshot

    def damaged(data: bytes) -> Any:
        raise ValueError("unexpected end of data")

    monkeypatch.setattr(snapshot, "loads", damaged)
    match = Resolver(source).resolve(parse_citation(citation(RECORDS[11])))
    assert (MatchStatus.UNCHECKED, True) == (match.status, "damaged" in (match.reason or ""))


def test_the_snapshot_and_the_stand_in_resolve_alike(source: SnapshotSource) -> None:
    """Twenty citations, some with a wrong volume: the same verdicts and DOIs on both."""
    rng = random.Random(3)
    texts = [
        citation(r).replace(f";{r['volume']}:", f";{rng.choice([r['volume'], '99'])}:")
        for r in RECORDS[:20]
    ]
    with (
        serve_crossref(RECORDS) as stand_in,
        CrossrefClient(base_url=stand_in.base_url, cache=None) as api,
    ):
        on_api = [Resolver(api).resolve(parse_citation(t)) for t in texts]
    local = [Resolver(source).resolve(parse_citation(t)) for t in texts]
    assert [(m.status, m.doi) for m in on_api] == [(m.status, m.doi) for m in local]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("crossref", (None, "crossref")),
        ("snapshot:/data/idx,crossref,pubmed", (Path("/data/idx"), "crossref,pubmed")),
        ("snapshot:idx", (Path("idx"), "")),
    ],
)
def test_split_sources(text: str, expected: tuple[Path | None, str]) -> None:
    assert expected == split_sources(text)


def test_two_snapshots_are_a_config_error() -> None:
    with pytest.raises(ConfigError):
        split_sources("snapshot:a,snapshot:b")


# --- updates ------------------------------------------------------------------------------------


def changed(number: int) -> dict[str, Any]:
    """Record ``number`` as Crossref has it later: a corrected title, indexed again."""
    new = record(number, indexed="2024-03-01")
    new["title"] = [f"Corrected title of survey {number} on ice cores"]
    return new


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    write_snapshot(RECORDS, tmp_path / "s")
    build_index(tmp_path / "s", tmp_path / "i")
    return tmp_path / "i"


@pytest.fixture
def crossref_later() -> Iterator[CrossrefStandIn]:
    """Crossref after the snapshot: records 0-4 changed, 100-104 new, the rest as before."""
    later = [changed(n) for n in range(5)] + [
        record(n, indexed="2024-03-02") for n in range(100, 105)
    ]
    with serve_crossref(later + RECORDS[5:]) as server:
        yield server


def test_update_asks_from_the_indexed_date_with_a_cursor(
    fresh: Path, crossref_later: CrossrefStandIn
) -> None:
    """The first update asks from-index-date (the day before the latest) with cursor=*."""
    with CrossrefClient(base_url=crossref_later.base_url, cache=None) as api:
        update_index(fresh, api, rows=4)
    first = crossref_later.requests[0].params
    assert (("from-index-date:2024-01-04",), ("*",)) == (first["filter"], first["cursor"])


def test_update_replaces_changed_works_and_adds_new_ones(
    fresh: Path, crossref_later: CrossrefStandIn
) -> None:
    """After an update, changed works have their new title, new works are there, none twice."""
    with CrossrefClient(base_url=crossref_later.base_url, cache=None) as api:
        result = update_index(fresh, api, since="2024-02-01", rows=4)
    with SnapshotSource(fresh) as snapshot:
        title = snapshot.get_work(RECORDS[2]["DOI"])
        new = snapshot.get_work("10.5555/Snap.0102")
        works = snapshot.works
    assert (10, 3, "Corrected title of survey 2 on ice cores", True, 65) == (
        result.records,
        result.pages,
        title.title if title else None,
        new is not None,
        works,
    )


def test_a_killed_update_resumes_where_it_stopped(
    fresh: Path, crossref_later: CrossrefStandIn
) -> None:
    """Killed after its first page, an update resumes from the saved cursor: the second run
    asks for the second page first, and the index ends complete."""

    def kill(records: int, pages: int) -> None:
        raise KeyboardInterrupt

    with CrossrefClient(base_url=crossref_later.base_url, cache=None) as api:
        with pytest.raises(KeyboardInterrupt):
            update_index(fresh, api, since="2024-02-01", rows=4, progress=kill)
        saved = IndexMeta.read(fresh).update
        crossref_later.clear_log()
        result = update_index(fresh, api, rows=4)
    with SnapshotSource(fresh) as snapshot:
        works = snapshot.works
    assert (saved["cursor"] if saved else None, True, 65, None) == (
        crossref_later.requests[0].params["cursor"][0],
        result.resumed,
        works,
        IndexMeta.read(fresh).update,
    )


def test_an_expired_cursor_starts_the_filter_again(
    fresh: Path, crossref_later: CrossrefStandIn
) -> None:
    """A saved cursor Crossref no longer knows (400) starts the same filter from cursor=*."""
    meta = IndexMeta.read(fresh)
    attrs.evolve(meta, update={"filter": "from-index-date:2024-02-01", "cursor": "gone"}).write(
        fresh
    )
    with CrossrefClient(base_url=crossref_later.base_url, cache=None) as api:
        result = update_index(fresh, api, rows=4)
    assert (["gone", "*"], 10) == (
        [r.params["cursor"][0] for r in crossref_later.requests[:2]],
        result.records,
    )


# --- the CLI --------------------------------------------------------------------------------------


def test_cli_builds_an_index_and_checks_against_it(tmp_path: Path) -> None:
    """`refcheck index build` then `refcheck check --sources snapshot:INDEX`, no network."""
    write_snapshot(RECORDS, tmp_path / "s")
    manuscript = tmp_path / "paper.md"
    lines = ["# Paper", "", "## References", ""]
    manuscript.write_text(
        "\n".join([*lines, *(f"{n}. {citation(r)}" for n, r in enumerate(RECORDS[:3], 1))]) + "\n"
    )
    runner = CliRunner()
    built = runner.invoke(cli, ["index", "build", str(tmp_path / "s"), "-o", str(tmp_path / "i")])
    checked = runner.invoke(
        cli, ["check", str(manuscript), "--sources", f"snapshot:{tmp_path / 'i'}", "--no-cache"]
    )
    assert (0, True, 0, "3 references: 3 verified") == (
        built.exit_code,
        built.output.startswith("60 works indexed from 1 files"),
        checked.exit_code,
        checked.output.strip().splitlines()[-1].split(";")[0],
    )


def test_cli_update_resumes_and_reports(tmp_path: Path, crossref_later: CrossrefStandIn) -> None:
    """`refcheck index update INDEX --base-url ...` writes the changed works."""
    write_snapshot(RECORDS, tmp_path / "s")
    build_index(tmp_path / "s", tmp_path / "i")
    result = CliRunner().invoke(
        cli,
        [
            "index",
            "update",
            str(tmp_path / "i"),
            "--base-url",
            crossref_later.base_url,
            "--since",
            "2024-02-01",
            "--rows",
            "4",
        ],
    )
    assert (
        0,
        "10 works written from 3 pages of from-index-date:2024-02-01; the index holds 65 works",
    ) == (
        result.exit_code,
        result.output.strip(),
    )


# --- genuine records ------------------------------------------------------------------------------


def test_every_genuine_record_is_found_by_its_doi(tmp_path: Path) -> None:
    """All 8,502 genuine records, written as a snapshot and indexed: a sample of 500 DOIs each
    gives the converter's work (without the search score some were recorded with)."""
    if not GENUINE_WORKS.exists():
        pytest.skip(f"{GENUINE_WORKS} is absent")
    records = load_works(GENUINE_WORKS)
    write_snapshot(records, tmp_path / "s")
    result = build_index(tmp_path / "s", tmp_path / "i")
    sample = random.Random(5).sample(records, 500)
    with SnapshotSource(tmp_path / "i") as snapshot:
        found = [snapshot.get_work(r["DOI"]) for r in sample]
    expected = [attrs.evolve(work_from_crossref(r), score=None) for r in sample]
    assert (8502, expected) == (result.works, found)
