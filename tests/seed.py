"""The example manuscript and its records, for tests (from ``examples/anakinra``)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from refcheck.model import Work
from refcheck.readers.text import Manuscript, extract_citations
from refcheck.sources.crossref import work_from_crossref

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "anakinra"
MANUSCRIPT = EXAMPLE / "manuscript.md"
RECORDS = EXAMPLE / "works.jsonl"
RESPONSES = EXAMPLE / "crossref-responses.jsonl"


@cache
def seed_entries() -> tuple[dict[str, Any], ...]:
    """The lines of works.jsonl: ``{"cited_as", "confirmed", "note", "record"}``."""
    lines = RECORDS.read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


def seed_records() -> list[dict[str, Any]]:
    """The Crossref-shaped records (assembled from public records, not captured)."""
    return [entry["record"] for entry in seed_entries()]


@cache
def seed_works() -> dict[str, Work]:
    """Works by the label they are cited as ("A1", "B3", ...)."""
    return {e["cited_as"]: work_from_crossref(e["record"]) for e in seed_entries()}


@cache
def seed_manuscript() -> Manuscript:
    return extract_citations(MANUSCRIPT.read_text(encoding="utf-8"), "manuscript.md")


def seed_citation(label: str) -> str:
    return next(c.text for c in seed_manuscript().citations if c.label == label)
