"""Export every genuine Crossref record of the shared data as BibTeX and read it back.

    PYTHONPATH=. python3 benchmarks/bibtex_roundtrip.py [--limit N]

Reads ``../shared/data/crossref/works.jsonl.gz`` (relative to the repository root; exits
cleanly when absent). For each escaping mode (LaTeX, UTF-8) it exports every record as a
resolved work, reads the file back with pybtex, and counts the entries whose DOI, title, author
family names and year came back intact: exactly, and up to typography (curly quotes, dashes),
which the LaTeX mode spells in ASCII. Where ``bibtex`` is installed it runs it on the LaTeX
export (in batches of 1,000 entries: its hash table is small) with a tiny style that formats
every name and title; where ``biber`` is, it runs ``biber --tool --validate-datamodel`` on the
UTF-8 export and counts its warnings by kind.
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import latexcodec  # noqa: F401  (registers the "latex" codec)
from pybtex.database import parse_string

from refcheck.model import CheckedReference, Citation, Match, MatchStatus, Reference, Work
from refcheck.output.bibtex import to_bibtex
from refcheck.sources.crossref import work_from_crossref

ROOT = Path(__file__).resolve().parents[1]
WORKS = ROOT.parent / "shared" / "data" / "crossref" / "works.jsonl.gz"

_STYLE = r"""
ENTRY { author title year } {} {}
STRINGS { s }
INTEGERS { n }
FUNCTION {names} {
  's := #1 'n :=
  { n s num.names$ > #0 = }
  { s n "{vv~}{ll}{, f.}" format.name$ write$ " " write$ n #1 + 'n := }
  while$
}
FUNCTION {item} {
  newline$ "\bibitem{" cite$ * "}" * write$ newline$
  author empty$ 'skip$ { author names } if$
  title empty$ 'skip$ { title "t" change.case$ write$ } if$
  newline$
}
FUNCTION {default.type} { item }
FUNCTION {article} { item }
FUNCTION {book} { item }
FUNCTION {incollection} { item }
FUNCTION {inproceedings} { item }
FUNCTION {proceedings} { item }
FUNCTION {misc} { item }
FUNCTION {techreport} { item }
FUNCTION {phdthesis} { item }
READ
ITERATE { call.type$ }
"""

_UNESCAPE = {
    r"\textbackslash{}": "\\",
    r"\textbraceleft{}": "{",
    r"\textbraceright{}": "}",
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
    r"\&": "&",
    r"\%": "%",
    r"\$": "$",
    r"\#": "#",
    r"\_": "_",
    "{": "",
    "}": "",
}
_UNESCAPE_PATTERN = re.compile("|".join(map(re.escape, _UNESCAPE)))
# Typography that the LaTeX mode spells in ASCII: curly quotes and the dashes.
_TYPOGRAPHY = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "‐": "-", "‑": "-", "–": "-", "—": "-", "−": "-"}
)


def plain(value: str, unicode: bool) -> str:
    """A field's text: the UTF-8 mode's escaping undone exactly, or LaTeX decoded (latexcodec)."""
    if unicode:
        text = _UNESCAPE_PATTERN.sub(lambda m: _UNESCAPE[m.group()], value)
    else:
        text = codecs.decode(value.encode("utf-8"), "latex+utf8")
        text = text.replace("{", "").replace("}", "")
    return " ".join(text.split())


def typographic(text: str | None) -> str | None:
    """``text`` with curly quotes straight and every dash one hyphen ("--" too)."""
    if text is None:
        return None
    text = text.translate(_TYPOGRAPHY).replace("``", '"').replace("''", '"').replace("`", "'")
    return re.sub(r"-{2,3}", "-", text)


def load(limit: int | None) -> list[Work]:
    works: dict[str, Work] = {}
    with gzip.open(WORKS, "rt", encoding="utf-8") as lines:
        for line in lines:
            work = work_from_crossref(json.loads(line)["record"])
            works.setdefault(work.doi.lower(), work)
            if limit and len(works) >= limit:
                break
    return list(works.values())


def readings(
    work: Work, fields: dict[str, str], families: list[str], unicode: bool
) -> tuple[tuple[str | None, str | None, list[str], str | None], ...]:
    """What the record says and what came back: DOI, title, author family names, year."""
    title = work.title
    if title and work.subtitle:
        title = f"{title}: {work.subtitle}"
    expected = (
        work.doi,
        " ".join(title.split()) if title else None,
        [" ".join(a.family.split()) for a in work.authors],
        work.year,
    )
    actual = (
        fields.get("doi"),
        plain(fields["title"], unicode) if "title" in fields else None,
        [plain(f, unicode) for f in families],
        fields.get("year"),
    )
    return expected, actual


def folded(
    reading: tuple[str | None, str | None, list[str], str | None],
) -> tuple[str | None, str | None, list[str | None], str | None]:
    doi, title, families, year = reading
    return doi, typographic(title), [typographic(f) for f in families], year


def run_bibtex(checked: list[CheckedReference], directory: Path) -> str:
    """bibtex on the LaTeX export, 1,000 entries at a time; what it wrote and said."""
    (directory / "tiny.bst").write_text(_STYLE, encoding="utf-8")
    env = {**os.environ, "BIBINPUTS": ".:", "BSTINPUTS": ".:"}
    items = warnings = errors = failed = 0
    for start in range(0, len(checked), 1000):
        (directory / "refs.bib").write_text(to_bibtex(checked[start : start + 1000]), "utf-8")
        (directory / "doc.aux").write_text(
            "\\citation{*}\n\\bibstyle{tiny}\n\\bibdata{refs}\n", encoding="utf-8"
        )
        result = subprocess.run(
            ["bibtex", "doc"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
            check=False,
        )
        bbl = (directory / "doc.bbl").read_text(encoding="utf-8", errors="replace")
        items += bbl.count("\\bibitem{")
        warnings += result.stdout.count("Warning--")
        errors += result.stdout.count("---line")
        failed += result.returncode >= 2
    return f"{items} items written, {warnings} warnings, {errors} errors, {failed} failed runs"


def run_biber(text: str, directory: Path) -> str:
    """biber in tool mode, checking the data model, on the UTF-8 export; warnings by kind."""
    (directory / "refs.bib").write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["biber", "--tool", "--validate-datamodel", "--output-file", "out.bib", "refs.bib"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    kinds = Counter(
        re.sub(r"Entry '[^']*' \([^)]*\): ", "", line)[:100]
        for line in result.stdout.splitlines()
        if line.startswith(("WARN", "ERROR"))
    )
    lines = [f"exit {result.returncode}, {sum(kinds.values())} warnings/errors"]
    lines += [f"    {count:5d}  {kind}" for kind, count in kinds.most_common(12)]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="at most N records")
    args = parser.parse_args()
    if not WORKS.exists():
        print(f"{WORKS} is absent: nothing to measure")
        return 0
    works = load(args.limit)
    checked = [
        CheckedReference(
            Citation(w.title or w.doi, file="works", line=i, label=str(i)),
            Reference(text=w.title or w.doi),
            Match(MatchStatus.MATCHED, work=w),
        )
        for i, w in enumerate(works, 1)
    ]
    print(f"{len(works)} distinct works from {WORKS.name}")
    print("record types:", dict(Counter(w.type or "(none)" for w in works).most_common(8)))
    for unicode in (False, True):
        mode = "utf-8" if unicode else "latex"
        start = time.perf_counter()
        text = to_bibtex(checked, unicode=unicode)
        exported = time.perf_counter() - start
        entries = parse_string(text, "bibtex").entries
        exact = typography = 0
        for work, entry in zip(works, entries.values(), strict=True):
            families = [
                " ".join(p.prelast_names + p.last_names) for p in entry.persons.get("author", [])
            ]
            expected, actual = readings(work, dict(entry.fields), families, unicode)
            exact += expected == actual
            typography += folded(expected) == folded(actual)
        kinds = Counter(entry.type for entry in entries.values())
        total = len(entries)
        print(
            f"{mode}: {total} entries read back by pybtex; DOI, title, authors and year intact: "
            f"{exact} ({exact / total:.1%}) exactly, {typography} ({typography / total:.1%}) up "
            f"to quotes and dashes; export {exported:.1f} s; types {dict(kinds.most_common(6))}"
        )
        with tempfile.TemporaryDirectory() as tmp:
            if shutil.which("bibtex") and not unicode:
                print("  bibtex:", run_bibtex(checked, Path(tmp)))
            if shutil.which("biber") and unicode:
                print("  biber --tool --validate-datamodel:", run_biber(text, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
