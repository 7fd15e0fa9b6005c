r"""Manuscripts whose references live in another file.

A ``.tex`` file that says ``\bibliography{refs}`` or ``\addbibresource{refs.bib}``, and a
pandoc Markdown file whose front matter says ``bibliography: paper.bib`` (every JOSS paper),
print a reference list that BibTeX, biber or pandoc build from a ``.bib``. :func:`read_tex`
and :func:`read_pandoc` follow the manuscript to that ``.bib`` (or, for LaTeX, to the ``.bbl``
beside the ``.tex``), and keep the entries the text cites (``\cite{a,b}``, ``\citep[p.~3]{a}``,
``\nocite{*}``; ``[@a; @b, p. 3]``, ``@a``). The keys the text cites and the entries it never
cites are kept on the :class:`~refcheck.readers.text.Manuscript` (``cited_keys``,
``uncited``) for the findings step. Where no bibliography file can be found, the error says
which file to pass instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import attrs

from refcheck.errors import ParseError
from refcheck.model import Citation, Location, Reference
from refcheck.readers._files import decode_source, read_bytes, read_manuscript
from refcheck.readers._tex import COMMENT
from refcheck.readers.bibtex import bib_manuscript
from refcheck.readers.latex import latex_manuscript
from refcheck.readers.text import CitedKey, Manuscript, ReadingNote, extract_citations

__all__ = ["latex_cited_keys", "pandoc_cited_keys", "read_pandoc", "read_tex", "with_bibliography"]

_BIBLIOGRAPHY = re.compile(
    r"\\(?:bibliography|addbibresource|addglobalbib|addsectionbib)\s*(?:\[[^\]]{0,200}\])?"
    r"\s*\{(?P<names>[^{}]{1,2000})\}"
)
# \cite, \citep, \citet*, \parencite, \textcite, \autocite, \footcite, \citeauthor, \nocite ...
# with up to two optional arguments: \citep[see][p.~3]{a,b}.
_CITE = re.compile(
    r"\\(?P<command>[A-Za-z]{0,12}cite[A-Za-z]{0,12})\*?\s*(?:\[[^\[\]]{0,300}\]\s*){0,2}"
    r"\{(?P<keys>[^{}]{0,3000})\}"
)
_NOT_CITES = frozenset({"bibliographystyle"})
_MAX_LINKED = 20  # bibliography files one manuscript may name


def latex_cited_keys(text: str, file: str) -> tuple[CitedKey, ...]:
    r"""Every key that LaTeX source cites, in order, with its line and column (pure; linear
    in the text). ``\nocite{*}`` is the key ``*``: every entry."""
    uncommented = COMMENT.sub(lambda m: " " * len(m.group()), text)
    keys: list[CitedKey] = []
    line, counted, line_start = 1, 0, 0
    for cite in _CITE.finditer(uncommented):
        line += text.count("\n", counted, cite.start())
        newline = text.rfind("\n", counted, cite.start())  # only the text since the last cite
        line_start = newline + 1 if newline >= 0 else line_start
        counted = cite.start()
        column = cite.start() - line_start + 1
        for key in cite["keys"].split(","):
            if key.strip():
                keys.append(CitedKey(key.strip(), Location(file, line, column)))
    return tuple(keys)


# pandoc: a key starts with a letter, digit or _, and may hold :.#$%&-+?<>~/ between word
# characters; "@{key}" quotes any key. An e-mail address is no citation ("a@b.org").
_PANDOC_CITE = re.compile(
    r"(?<![\w@.\\])-?@(?:\{(?P<quoted>[^{}\s]{1,300})\}"
    r"|(?P<key>\w(?:\w|[:.#$%&+?<>~/-](?=\w)){0,300}))"
)
_FENCE = re.compile(r"^(?:```|~~~)")
_INLINE_CODE = re.compile(r"`[^`]{0,2000}`")


def pandoc_cited_keys(text: str, file: str, start: int = 0) -> tuple[CitedKey, ...]:
    """Every key that pandoc Markdown cites (``[@a; @b]``, ``@a``), outside code blocks and
    before ``start`` lines of front matter are skipped (pure)."""
    keys: list[CitedKey] = []
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if number <= start:
            continue
        if _FENCE.match(line.lstrip()):
            fenced = not fenced
            continue
        if fenced or line.startswith(("    ", "\t")):
            continue
        line = _INLINE_CODE.sub(lambda m: " " * len(m.group()), line)
        for cite in _PANDOC_CITE.finditer(line):
            key = cite["quoted"] or cite["key"]
            keys.append(CitedKey(key, Location(file, number, cite.start() + 1)))
    return tuple(keys)


def _front_matter(text: str) -> tuple[list[str], int]:
    """The ``bibliography`` files a pandoc YAML front matter names, and its last line."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return [], 0
    end = next((i for i, ln in enumerate(lines[1:], 1) if ln.strip() in {"---", "..."}), None)
    if end is None:
        return [], 0
    names: list[str] = []
    for index, line in enumerate(lines[1:end], 1):
        key, _, value = line.partition(":")
        if key.strip() != "bibliography" or line[:1].isspace():
            continue
        value = value.strip()
        if value.startswith("["):
            names.extend(v.strip(" '\"") for v in value.strip("[]").split(","))
        elif value:
            names.append(value.strip("'\""))
        else:  # a YAML list on the lines below
            for item in lines[index + 1 : end]:
                if not item.lstrip().startswith("- "):
                    break
                names.append(item.strip()[2:].strip(" '\""))
    return [n for n in names if n], end + 1


def with_bibliography(
    text_manuscript: Manuscript, bibliography: Manuscript, cited: tuple[CitedKey, ...]
) -> Manuscript:
    """The manuscript whose citations are the entries of ``bibliography`` that ``cited`` names
    (in the bibliography's order), its text lines those of ``text_manuscript``; the other
    entries are ``uncited``. Of entries that repeat a key, the first is used, as BibTeX and
    biber do. Pure."""
    keys = {c.key for c in cited}
    everything = "*" in keys
    citations: list[Citation] = []
    references: list[Reference | None] = []
    uncited: list[Citation] = []
    built = bibliography.references or (None,) * len(bibliography.citations)
    seen: set[str] = set()
    for citation, reference in zip(bibliography.citations, built, strict=True):
        key = citation.anchor or citation.label
        if key in seen:
            continue  # a repeated key: BibTeX and biber use the first entry
        seen.add(key)
        if everything or key in keys:
            citations.append(citation)
            references.append(reference)
        else:
            uncited.append(citation)
    notes = tuple(
        n
        for n in bibliography.notes
        if n.location.anchor is None or n.location.anchor in keys or everything
    )
    return attrs.evolve(
        text_manuscript,
        citations=tuple(citations),
        references=tuple(references),
        notes=text_manuscript.notes + notes,
        cited_keys=tuple(c for c in cited if c.key != "*"),
        uncited=tuple(uncited),
    )


def _bibliographies(names: list[str], directory: Path, suffix: str = ".bib") -> list[Path]:
    paths = []
    for name in names[:_MAX_LINKED]:
        path = Path(name.strip())
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        paths.append(_contained(path if path.is_absolute() else directory / path, directory))
    return paths


def _home(directory: Path) -> Path:
    """The folder a manuscript may link into: its repository (the nearest folder above it
    with a ``.git``), else its own folder."""
    start = directory.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def _contained(path: Path, directory: Path) -> Path:
    """``path``, if it lies in the manuscript's repository (:func:`_home`); a manuscript
    checked in CI may come from anyone, and may not make refcheck read files elsewhere on
    the machine. A bibliography outside is the user's to name: they pass it themselves."""
    home = _home(directory)
    if not path.resolve().is_relative_to(home):
        raise ParseError(
            f"{path}: a bibliography outside the manuscript's repository ({home}) is not "
            f"followed; pass it yourself if you mean it: refcheck check {path}"
        )
    return path


def _read_bibliographies(paths: list[Path], file: str) -> Manuscript:
    citations: list[Citation] = []
    references: list[Reference | None] = []
    notes: list[ReadingNote] = []
    for path in paths:
        part = bib_manuscript(decode_source(read_bytes(path)), os.fspath(path))
        citations.extend(part.citations)
        references.extend(part.references or (None,) * len(part.citations))
        notes.extend(part.notes)
    return Manuscript(file, tuple(citations), (), tuple(references), notes=tuple(notes))


def read_tex(path: str | os.PathLike[str]) -> Manuscript:
    r"""A ``.tex`` file: its ``thebibliography`` if it has one (:func:`read_latex`); else the
    ``.bib`` files its ``\bibliography`` or ``\addbibresource`` names, or failing them the
    ``.bbl`` beside it, keeping the entries it cites."""
    file = os.fspath(path)
    text = decode_source(read_bytes(Path(path)))
    manuscript = latex_manuscript(text, file)
    if manuscript.citations or "thebibliography" in text:
        return manuscript
    uncommented = COMMENT.sub("", text)
    names = [n for m in _BIBLIOGRAPHY.finditer(uncommented) for n in m["names"].split(",")]
    if not names:
        return manuscript
    cited = latex_cited_keys(text, file)
    directory = Path(path).parent
    bibs = _bibliographies(names, directory)
    found = [p for p in bibs if p.is_file()]
    if found:
        if len(found) < len(bibs):
            missing = ", ".join(os.fspath(p) for p in bibs if p not in found)
            raise ParseError(f"{file} names {missing}, which cannot be found")
        return with_bibliography(manuscript, _read_bibliographies(found, file), cited)
    bbl = Path(path).with_suffix(".bbl")
    if bbl.is_file():
        bbl_manuscript = latex_manuscript(decode_source(read_bytes(bbl)), os.fspath(bbl))
        return with_bibliography(manuscript, bbl_manuscript, cited)
    wanted = ", ".join(os.fspath(p) for p in bibs)
    raise ParseError(
        f"{file} keeps its references in {wanted}, which cannot be found beside it, and there "
        f"is no {bbl.name}: pass the .bib file, or the .bbl that LaTeX wrote (run latex and "
        f"bibtex or biber first), for example: refcheck check {bibs[0].name}"
    )


def read_pandoc(path: str | os.PathLike[str]) -> Manuscript:
    """A Markdown or text file: its reference lists (:func:`~refcheck.readers.text.read_text`);
    for pandoc Markdown whose front matter names a ``bibliography``, the entries of that
    ``.bib`` the text cites."""
    file = os.fspath(path)
    text = read_manuscript(path)
    names, end = _front_matter(text)
    if not names:
        return extract_citations(text, file)
    body = extract_citations("\n" * end + "\n".join(text.splitlines()[end:]), file)
    manuscript = attrs.evolve(body, citations=(), references=())
    cited = pandoc_cited_keys(text, file, end)
    bibs = _bibliographies(names, Path(path).parent, Path(names[0]).suffix.lower() or ".bib")
    found = [p for p in bibs if p.is_file() and p.suffix.lower() == ".bib"]
    if not found:
        wanted = ", ".join(os.fspath(p) for p in bibs)
        raise ParseError(
            f"{file} keeps its references in {wanted} (its front matter's bibliography), which "
            "cannot be found beside it (refcheck reads .bib bibliographies): pass the .bib "
            "file itself"
        )
    return with_bibliography(manuscript, _read_bibliographies(found, file), cited)
