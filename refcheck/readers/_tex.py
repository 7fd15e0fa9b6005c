"""LaTeX as Unicode text: :func:`clean_latex` (pylatexenc, with the macros of bibliography
styles), and :func:`braced`, the balanced argument of a macro. Pure."""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["COMMENT", "braced", "clean_latex"]

COMMENT = re.compile(r"(?<!\\)%[^\n]*")
# TeX glue, which pylatexenc keeps as text: "\hskip 1em plus 0.5em minus 0.4em\relax".
_DIMEN = r"\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*(?:em|ex|pt|pc|in|cm|mm|bp|sp|mu|fil+)"
_GLUE = re.compile(
    rf"\\(?:hskip|vskip|hspace\*?|vspace\*?|kern|mskip)(?:{_DIMEN}(?:\s*plus{_DIMEN})?"
    rf"(?:\s*minus{_DIMEN})?|\s*\{{[^{{}}]*\}})\s*(?:\\relax\b)?"
)
# ACM's "\urldef\tempurl% \url{...} \showDOI{\tempurl}": the URL is printed where it stands.
_URLDEF = re.compile(r"\\urldef\s*\\\w+\s*|\\showDOI\s*\{\s*\\\w+\s*\}")
# A thin space that groups digits: "131\,543" is the number 131543.
_DIGIT_GROUP = re.compile(r"(?<=\d)(?:\\,|\\thinspace\b\s*|\u2009|\u202f)(?=\d)")
_STARS = re.compile(r"\*{4}")  # an empty bold
_LATEX_FALLBACK = re.compile(r"\\[A-Za-z]+\*?\s*|\\.")

#: Macros of bibliography styles and what their text is: "%(n)s" is the n-th argument, ``None``
#: drops the macro and its arguments. Others are pylatexenc's defaults (accents, symbols,
#: ``\textit``...), which know LaTeX far better than a list of rules.
_MACROS: dict[str, tuple[str, str | None]] = {
    "emph": ("{", "*%(1)s*"),
    "textit": ("{", "*%(1)s*"),
    "textsl": ("{", "*%(1)s*"),
    "mathit": ("{", "*%(1)s*"),
    "textbf": ("{", "bold"),
    "mathbf": ("{", "bold"),
    "bibinfo": ("{{", "%(2)s"),
    "bibfield": ("{{", "%(2)s"),
    "bibfnamefont": ("{", "%(1)s"),
    "bibnamefont": ("{", "%(1)s"),
    "bibsnamefont": ("{", "%(1)s"),
    "showarticletitle": ("{", "%(1)s"),
    "showISBNx": ("{", None),
    "showISBNxiii": ("{", None),
    "showISSN": ("{", None),
    "showeprint": ("[{", "%(2)s"),
    "natexlab": ("{", "%(1)s"),
    "url": ("{", "%(1)s"),
    "path": ("{", "%(1)s"),
    "nolinkurl": ("{", "%(1)s"),
    "href": ("{{", "%(2)s"),
    "doi": ("{", "doi:%(1)s"),
    "BibitemShut": ("{", None),
    "BibitemOpen": ("", None),
    "bibitemStop": ("", None),
    "bibitemNoStop": ("", None),
    "newblock": ("", " "),
    "relax": ("", None),
    "penalty": ("", None),
    "unskip": ("", None),
    "protect": ("", None),
    "noop": ("{", None),
    "Eprint": ("{{", "%(2)s"),
    "enquote": ("{", "“%(1)s”"),
    "textsc": ("{", "%(1)s"),
    "bibrangedash": ("", "–"),
    "bibinitperiod": ("", "."),
    "bibinitdelim": ("", " "),
    "bibnamedelima": ("", " "),
    "bibnamedelimb": ("", " "),
    "bibnamedelimc": ("", " "),
    "bibnamedelimd": ("", " "),
    "bibnamedelimi": ("", " "),
    "bibinithyphendelim": ("", ".-"),
    "mkbibemph": ("{", "*%(1)s*"),
    "mkbibquote": ("{", "“%(1)s”"),
}


@functools.cache
def _converter() -> tuple[Any, Any]:
    """pylatexenc's walker context and text converter, with the bibliography macros."""
    from pylatexenc import latex2text, latexwalker, macrospec

    walker_db = latexwalker.get_default_latex_context_db()
    walker_db.add_context_category(
        "refcheck",
        prepend=True,
        macros=[macrospec.MacroSpec(name, args) for name, (args, _) in _MACROS.items()],
    )
    text_db = latex2text.get_default_latex_context_db()
    specs = [
        latex2text.MacroTextSpec(name, discard=True)
        if repl is None
        else latex2text.MacroTextSpec(name, simplify_repl=_bold if repl == "bold" else repl)
        for name, (_, repl) in _MACROS.items()
    ]
    text_db.add_context_category("refcheck", prepend=True, macros=specs)
    converter = latex2text.LatexNodes2Text(
        latex_context=text_db, math_mode="text", strict_latex_spaces=True
    )
    return walker_db, converter


_NUMBER = re.compile(r"[A-Za-z]{0,2}\d[\dA-Za-z()–-]{0,9}")


def _bold(node: Any, l2tobj: Any) -> str:
    """Bold as ``**...**`` around a number (a volume: "**71**"), plain text around anything
    else ("{\\bf Badr A, Sch R}"), so that no ``**`` is left inside a field."""
    args = node.nodeargd.argnlist if node.nodeargd is not None else []
    inner = str(l2tobj.nodelist_to_text([a for a in args if a is not None]))
    return f"**{inner.strip()}**" if _NUMBER.fullmatch(inner.strip()) else inner


def _latex_to_text(text: str) -> str:
    """LaTeX as Unicode text (pylatexenc, tolerant); raw markup dropped if it cannot parse."""
    from pylatexenc import latexwalker

    walker_db, converter = _converter()
    try:
        walker = latexwalker.LatexWalker(text, latex_context=walker_db, tolerant_parsing=True)
        nodes, _, _ = walker.get_latex_nodes()
        return str(converter.nodelist_to_text(nodes))
    except (latexwalker.LatexWalkerError, RecursionError, IndexError, ValueError):
        return _LATEX_FALLBACK.sub(" ", text).replace("{", "").replace("}", "")


_SWITCH_GROUP = re.compile(r"\{\s*\\(?P<switch>em|it|sl|itshape|bf|bfseries)\b\s*")


def _switch_groups(text: str) -> str:
    r"""``{\em Nature}`` -> ``\emph{Nature}``, ``{\bf 71}`` -> ``\textbf{71}``: switches that
    act on the rest of their group, written as the commands pylatexenc renders."""
    return _SWITCH_GROUP.sub(
        lambda m: "\\textbf{" if m["switch"].startswith("bf") else "\\emph{", text
    )


def clean_latex(text: str) -> str:
    r"""LaTeX markup as plain Unicode text; italics as ``*...*`` and a bold number as ``**...**``
    (Markdown, which the citation parser reads: italics mark the journal, bold the volume).
    Pure. pylatexenc does the LaTeX (accents, symbols, ``--``, ``~``, ``\ ``, ``\,``, quotes);
    the macros of bibliography styles (``\bibinfo``, ``\newblock``, ``\showISBNx``, TeX glue)
    are added to its context.

    ``\emph{Lancet}`` -> ``*Lancet*``; ``Zer{\'o}n`` -> ``Zerón``; ``1140--46`` -> ``1140–46``;
    ``et~al.`` -> ``et al.``; ``\url{x}`` -> ``x``; ``131\,543`` -> ``131543``.
    """
    text = COMMENT.sub("", text)
    if not any(c in text for c in "\\{}~$-`'%"):
        return " ".join(text.split())
    text = _GLUE.sub(" ", text)
    text = _URLDEF.sub(" ", text)
    text = _DIGIT_GROUP.sub("", text)
    text = _switch_groups(text)
    text = _latex_to_text(text)
    text = _DIGIT_GROUP.sub("", text)
    text = text.replace("{", "").replace("}", "").replace("\u00a0", " ").replace("\\", " ")
    text = _STARS.sub(" ", text)
    return " ".join(text.split())


def braced(text: str, start: int, limit: int = 100_000) -> tuple[str, int] | None:
    """The balanced ``{...}`` group at ``text[start:]`` (after blanks): its inside and the
    offset after it; ``None`` when there is none within ``limit`` characters."""
    i = start
    while i < len(text) and text[i] in " \t\n":
        i += 1
    if i >= len(text) or text[i] != "{":
        return None
    depth, j, end = 0, i, min(len(text), i + limit)
    while j < end:
        ch = text[j]
        if ch == "\\":
            j += 2  # an escaped character: "\{" opens nothing
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j], j + 1
        j += 1
    return None
