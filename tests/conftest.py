"""Fixtures shared by refcheck's tests."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from refcheck.testing import CrossrefStandIn, serve_crossref, set_testing

# Property tests check what happens, not how fast: on a cold, shared 2-core CI machine the
# first draws can be slow, which is not a failure of the code under test.
settings.register_profile("refcheck", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("refcheck")


#: The shared data directory (outside the repo); tests that need it skip when it is absent.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared"
SEED_WORKS = SHARED_DATA / "seed" / "works.jsonl"
GENUINE_WORKS = SHARED_DATA / "data" / "crossref" / "works.jsonl.gz"
RAW_EXCHANGES = SHARED_DATA / "data" / "crossref" / "raw"


# Module- and session-scoped fixtures run before the autouse fixture below, and subprocesses
# inherit this process's environment: they too never reach a public service by the default
# ``--sources auto``.
os.environ["REFCHECK_SOURCES"] = "crossref"


@pytest.fixture(autouse=True)
def _isolated_refcheck_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test reads the developer's REFCHECK_* settings or writes to their user cache, and no
    command-line test reaches a public service by the default ``--sources auto``: a test
    that means to ask arXiv, dblp or the broad indexes names its sources (and their stand-ins'
    base URLs) itself."""
    for name in (
        "REFCHECK_BASE_URL",
        "REFCHECK_MAILTO",
        "REFCHECK_TIMEOUT",
        "REFCHECK_CACHE",
        "REFCHECK_OFFLINE",
        "REFCHECK_FORMAT",
        "REFCHECK_FAIL_ON",
        "REFCHECK_CONCURRENCY",
        "REFCHECK_THRESHOLD",
        "REFCHECK_CACHE_MAX_ENTRIES",
        "REFCHECK_CROSSREF_PLUS_TOKEN",
        "REFCHECK_PUBMED_BASE_URL",
        "REFCHECK_OPENALEX_BASE_URL",
        "REFCHECK_DATACITE_BASE_URL",
        "REFCHECK_ARXIV_BASE_URL",
        "REFCHECK_DBLP_BASE_URL",
        "REFCHECK_SEMANTICSCHOLAR_BASE_URL",
        "REFCHECK_SEMANTICSCHOLAR_API_KEY",
        "REFCHECK_NCBI_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REFCHECK_SOURCES", "crossref")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


@pytest.fixture
def no_retry_wait() -> Iterator[None]:
    """Retries happen but do not sleep (``refcheck.testing.set_testing``)."""
    set_testing(True)
    try:
        yield
    finally:
        set_testing(False)


@pytest.fixture(scope="session")
def seed_works() -> list[dict[str, Any]]:
    """The Crossref-shaped records of the seed manuscript's works; skips when absent."""
    if not SEED_WORKS.exists():
        pytest.skip(f"{SEED_WORKS} is absent")
    return [json.loads(line)["record"] for line in SEED_WORKS.read_text().splitlines() if line]


@pytest.fixture
def crossref_stand_in(seed_works: list[dict[str, Any]]) -> Iterator[CrossrefStandIn]:
    """A running stand-in Crossref serving the seed works (``.base_url`` to point a client at)."""
    with serve_crossref(seed_works) as stand_in:
        yield stand_in
