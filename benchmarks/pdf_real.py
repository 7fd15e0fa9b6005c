"""Build the truth of the real-PDF corpus (``benchmarks/pdf_real.json``) from papers' sources.

A script, not a test. Each paper of :data:`PAPERS` is a PDF that its authors committed to a
public repository together with the sources it was built from: LaTeX with its ``.bbl`` and
``.bib``, or Markdown / Quarto with its ``.bib`` (pandoc + citeproc, as the Journal of Open
Source Software builds its papers). The truth of each reference list is the entries the
sources cite, in the ``.bbl``'s order where there is one, each with the fields of its
``.bib`` entry (first author's surname, title, journal, year, volume, first page).

The sources are read from ``--sources`` (a folder per paper, named as in :data:`PAPERS`, each
holding the files of the paper's folder at the listed commit); the PDFs are copied into
``benchmarks/.pdf-real/`` for ``benchmarks/pdf.py``. Neither the PDFs nor the sources are
committed: most of these repositories state no licence, so refcheck keeps only the list,
where each came from, and the truth derived from their bibliographies.

``part``: ``tune`` papers were looked at while writing the reader; ``test`` papers were only
scored. (MultiVae and OpenQuestion, JOSS review drafts, were first ``test`` papers; after
their blind score they were moved to ``tune`` to develop the reading of review drafts, and
Voter-Outcomes and renyi-entropy-rate-estimation, scored blind when they were added, took
their place. ``docs/benchmarks.md`` gives both figures.)
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from refcheck.readers.bibtex import read_bib  # noqa: E402

LISTING = ROOT / "benchmarks" / "pdf_real.json"
REAL = ROOT / "benchmarks" / ".pdf-real"

#: (name, repository, commit, folder, licence, part)
#: (ABM4ALL/Melodie's paper.pdf of 12f7a9a was left out: it prints a "References" heading
#: and no list under it.)
PAPERS = (
    (
        "0x0f0f0f+lwa-techniques",
        "0x0f0f0f/lwa-techniques",
        "bdb93367b2eeee383fdc47539983732eb88b2212",
        "paper",
        "none stated",
        "tune",
    ),
    (
        "8bit-pixies+feature-rich-encoding",
        "8bit-pixies/feature-rich-encoding",
        "e1cbe9df230316493508f47afb4a3fdcd9286028",
        "paper",
        "none stated",
        "tune",
    ),
    (
        "ACSoupir+FastPCA",
        "ACSoupir/FastPCA",
        "d42f46d5d678a54fa3b0e6c8fdebfd32a26e8d67",
        "paper",
        "MIT",
        "tune",
    ),
    (
        "0x0f0f0f+gobba",
        "0x0f0f0f/gobba",
        "4f8ead031e12215e4ee40bf1985e8b51d42e118d",
        "paper",
        "MIT",
        "tune",
    ),
    (
        "1raghav-bhatia+Voter-Outcomes",
        "1raghav-bhatia/Voter-Outcomes",
        "18f0dd3ad2ec9a9d83b2ff783293a0a58d589a7a",
        "paper",
        "none stated",
        "test",
    ),
    (
        "0x1Adi+renyi-entropy-rate-estimation",
        "0x1Adi/renyi-entropy-rate-estimation",
        "034851d15d59085d9f0b30934e6c51a350747ce1",
        "paper",
        "MIT",
        "test",
    ),
    (
        "AgatheSenellart+MultiVae",
        "AgatheSenellart/MultiVae",
        "e232d0adb3e7110713804190f1535f2d13fc3f22",
        "paper",
        "Apache-2.0",
        "tune",
    ),
    (
        "Alcampopiano+OpenQuestion",
        "Alcampopiano/OpenQuestion",
        "875dd65c60d55473eefe6484940b711ca065301c",
        "paper",
        "BSD-3-Clause (LICENSE)",
        "tune",
    ),
    (
        "ANU-HPC+tuning-hints-with-aiwc",
        "ANU-HPC/tuning-hints-with-aiwc",
        "166288f8390d82ee056106237f1c861cc1ee11a9",
        "paper",
        "none stated",
        "test",
    ),
    (
        "8bit-pixies+online-gentleboost",
        "8bit-pixies/online-gentleboost",
        "ec426a921c67ae1c9f0f6b35af7bf04c3701f3dd",
        "paper",
        "none stated",
        "test",
    ),
)

_BBL_KEY = re.compile(r"\\bibitem\s*(?:\[(?:[^\[\]]|\[[^\]]*\])*\])?\s*\{([^}]+)\}")
_TEX_CITE = re.compile(r"\\(?:no)?cite[a-zA-Z]*\*?(?:\[[^\]]*\])*\{([^}]+)\}")
_MD_CITE = re.compile(r"(?<![\w.])@([\w][\w:.#$%&+?<>~/-]*[\w])")


def cited_keys(folder: Path) -> list[str]:
    """The keys the paper cites: the ``.bbl``'s, else those of the LaTeX or Markdown."""
    for bbl in sorted(folder.rglob("*.bbl")):
        text = re.sub(r"%[^\n]*\n\s*", "", bbl.read_text(encoding="utf-8", errors="replace"))
        keys = _BBL_KEY.findall(text)
        if keys:
            return keys
    keys: list[str] = []
    for source in (
        sorted(folder.glob("*.md")) + sorted(folder.glob("*.qmd")) + sorted(folder.glob("*.Rmd"))
    ):
        if source.name.lower() == "readme.md":
            continue
        for key in _MD_CITE.findall(source.read_text(encoding="utf-8", errors="replace")):
            if key not in keys:
                keys.append(key)
    if keys:
        return keys
    for source in sorted(folder.rglob("*.tex")):
        for group in _TEX_CITE.findall(source.read_text(encoding="utf-8", errors="replace")):
            for key in (k.strip() for k in group.split(",")):
                if key and key != "*" and key not in keys:
                    keys.append(key)
    return keys


def entries(folder: Path, keys: Sequence[str]) -> list[dict[str, Any]]:
    """The ``.bib`` fields of each cited key (keys the ``.bib`` files lack are left out)."""
    found: dict[str, dict[str, Any]] = {}
    for bib in sorted(folder.rglob("*.bib")):
        manuscript = read_bib(bib)
        for citation, reference in zip(manuscript.citations, manuscript.references, strict=True):
            if reference is None or citation.label in found or not reference.title:
                continue
            found[citation.label] = {
                "doi": (reference.doi or "").lower(),
                "family": reference.authors[0].family if reference.authors else "",
                "title": reference.title,
                "container": reference.container_title,
                "year": reference.year,
                "volume": reference.volume,
                "pages": reference.first_page,
            }
        for key, fields in _loose_entries(bib.read_text(encoding="utf-8", errors="replace")):
            found.setdefault(key, fields)
    return [found[key] for key in keys if key in found]


_ENTRY = re.compile(r"\s*@\w+\s*\{\s*([^,\s]+)\s*,(.*)", re.S)


def _field(body: str, name: str) -> str | None:
    match = re.search(rf"\b{name}\s*=\s*[{{\"](.*?)[}}\"]\s*,?\s*\n", body, re.S | re.I)
    return " ".join(match[1].replace("{", "").replace("}", "").split()) if match else None


def _loose_entries(text: str) -> list[tuple[str, dict[str, Any]]]:
    """Entries that pybtex refuses (an author list joined by commas, not "and"), read by
    their title, first author, journal and year alone."""
    out = []
    pieces = (_ENTRY.match(piece + "\n}") for piece in re.split(r"\n(?=\s*@)", text))
    for key, body in (m.groups() for m in pieces if m is not None):
        title, author = _field(body, "title"), _field(body, "author")
        if not title:
            continue
        family = re.split(r",| and ", author or "")[0].strip()
        out.append(
            (
                key,
                {
                    "doi": (_field(body, "doi") or "").lower(),
                    "family": family,
                    "title": title,
                    "container": _field(body, "journal") or _field(body, "booktitle"),
                    "year": _field(body, "year"),
                    "volume": _field(body, "volume"),
                    "pages": (_field(body, "pages") or "").split("-")[0] or None,
                },
            )
        )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, required=True, help="a folder per paper")
    args = parser.parse_args(argv)
    REAL.mkdir(parents=True, exist_ok=True)
    papers = []
    for name, repo, commit, folder, licence, part in PAPERS:
        source = args.sources / name
        pdfs = sorted(source.glob("*.pdf"))
        if not pdfs:
            print(f"{name}: no PDF in {source}", file=sys.stderr)
            continue
        keys = cited_keys(source)
        truth = entries(source, keys)
        shutil.copy(pdfs[0], REAL / f"{name}.pdf")
        papers.append(
            {
                "file": f"{name}.pdf",
                "repository": repo,
                "commit": commit,
                "path": f"{folder}/{pdfs[0].name}",
                "licence": licence,
                "part": part,
                "truth_from": "bbl+bib" if any(source.rglob("*.bbl")) else "citations+bib",
                "lists": [truth],
            }
        )
        print(f"{name}: {len(keys)} keys cited, {len(truth)} in the .bib")
    LISTING.write_text(
        json.dumps({"papers": papers}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
