"""The habanero transport against the stand-in Crossref (skipped without the extra)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from seed import seed_citation, seed_entries, seed_records

from refcheck.cli import cli
from refcheck.errors import ConfigError, ServiceUnavailable
from refcheck.sources.crossref import CrossrefClient, CrossrefSettings
from refcheck.testing import CrossrefStandIn, serve_crossref

pytest.importorskip("habanero")

from refcheck.sources.habanero import HabaneroSource


@pytest.fixture
def crossref() -> CrossrefStandIn:
    with serve_crossref(seed_records()) as server:
        yield server  # type: ignore[misc]


def _settings(server: CrossrefStandIn) -> CrossrefSettings:
    return CrossrefSettings(base_url=server.base_url, cache=None)


def test_lookup_gives_the_same_work_as_the_default_transport(crossref: CrossrefStandIn) -> None:
    """A DOI looked up through habanero converts to the same Work as through refcheck's client."""
    doi = seed_records()[0]["DOI"]
    with CrossrefClient(_settings(crossref)) as client:
        expected = client.get_work(doi)
    assert expected == HabaneroSource(_settings(crossref)).get_work(doi)


def test_unknown_doi_is_none(crossref: CrossrefStandIn) -> None:
    """Crossref's 404 for a DOI is "no such work", not an error."""
    assert HabaneroSource(_settings(crossref)).get_work("10.9999/no-such-work") is None


def test_search_gives_the_same_works_as_the_default_transport(crossref: CrossrefStandIn) -> None:
    """A bibliographic search ranks the same works through both transports."""
    query = "Mehta Cron Silencing the cytokine storm Lancet Rheumatol 2020"
    with CrossrefClient(_settings(crossref)) as client:
        expected = [w.doi for w in client.search(query, rows=3)]
    assert expected == [w.doi for w in HabaneroSource(_settings(crossref)).search(query, rows=3)]


def test_server_error_is_service_unavailable(crossref: CrossrefStandIn) -> None:
    """A 503 is not retried by habanero: it is ServiceUnavailable at once."""
    crossref.fail_next(1, status=503)
    with pytest.raises(ServiceUnavailable, match="503"):
        HabaneroSource(_settings(crossref)).search("anything", rows=1)


def test_offline_is_a_config_error(tmp_path: Path) -> None:
    """habanero cannot answer from refcheck's cache: offline is refused with a clear error."""
    with pytest.raises(ConfigError, match="offline"):
        HabaneroSource(CrossrefSettings(cache=tmp_path / "c.sqlite", offline=True))


def test_cli_resolve_with_habanero(crossref: CrossrefStandIn) -> None:
    """``refcheck resolve --transport habanero`` resolves a seed citation on the stand-in."""
    entry = seed_entries()[0]
    citation = seed_citation(entry["cited_as"])
    result = CliRunner().invoke(
        cli,
        [
            "resolve",
            "--transport",
            "habanero",
            "--base-url",
            crossref.base_url,
            "--no-cache",
            citation,
        ],
    )
    assert (0, entry["record"]["DOI"]) == (result.exit_code, result.stdout.split()[1])
