"""Make the two biblatex ``.bbl`` documents of the manuscript corpus (generated, not found:
no real biblatex ``.bbl`` was found committed in the repositories searched).

For two real LaTeX documents of the corpus (``tex-natbib-bib``, ``tex-revtex-bib``), it writes
a driver ``paper.tex`` that loads biblatex with their real ``.bib`` and ``\\nocite``s the keys
their text cites, and runs ``pdflatex`` and ``biber`` (Debian: ``biber``,
``texlive-bibtex-extra``, ``texlive-latex-recommended``) to write ``paper.bbl``, beside a copy
of the ``.bib`` (the benchmark's truth), into ``<external>/generated-biblatex/<name>/``.

    python3 benchmarks/biblatex_corpus.py [--external /tmp/refcheck-corpus]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from refcheck.readers._files import decode_source, read_bytes  # noqa: E402
from refcheck.readers.linked import latex_cited_keys  # noqa: E402

SOURCES = {
    "lights": ("Califrais+lights_paper/manuscript/paper.tex", "biblio.bib"),
    "he3": ("3He-NSF+3HeNSF_2DPSD_paper/main.tex", "ref.bib"),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--external", type=Path, default=Path("/tmp/refcheck-corpus"))
    args = parser.parse_args()
    for name, (tex, bib) in SOURCES.items():
        source = args.external / tex
        target = args.external / "generated-biblatex" / name
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source.parent / bib, target / bib)
        cited = latex_cited_keys(decode_source(read_bytes(source)), str(source))
        keys = ",".join(sorted({k.key for k in cited}))
        (target / "paper.tex").write_text(
            "\\documentclass{article}\n\\usepackage[backend=biber,style=numeric]{biblatex}\n"
            f"\\addbibresource{{{bib}}}\n\\begin{{document}}\n\\nocite{{{keys}}}\n"
            "\\printbibliography\n\\end{document}\n",
            encoding="utf-8",
        )
        for command in (["pdflatex", "-interaction=nonstopmode", "paper.tex"], ["biber", "paper"]):
            subprocess.run(command, cwd=target, capture_output=True, check=False, timeout=300)
        print(target / "paper.bbl", (target / "paper.bbl").is_file())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
