"""Parse a citation into a :class:`~refcheck.model.Reference`. Pure: no I/O (but for reading
the citation model once).

:func:`parse_citation` works in three steps:

1. *Cleanup*: Markdown links, emphasis and backslash escapes, HTML tags and entities, LaTeX
   math ("IL-1 $\\beta$" -> "IL-1β"), accents ('{\\"o}' -> "ö"), text commands and dashes,
   odd hyphens, ligatures and curly quotes, words hyphenated at a line end, list labels ("1 ",
   "[1]"). The italic spans are remembered: they usually mark the container title.
2. *Identifiers*: DOI, URL, PMID and a "published online" / "Epub" date are found anywhere in
   the citation by pattern and taken out of the text the next step sees; an arXiv identifier
   in any of its forms ("arXiv:1706.03762v5", "CoRR abs/1706.03762", an arxiv.org address,
   "hep-th/9901001", the DOI 10.48550/arXiv.1706.03762) and an ACL Anthology identifier are
   found too, and left in the text.
3. *Segments to fields*: :mod:`refcheck.parsing.segment`'s trained model labels each token of the
   rest (author, title, container, date, volume, issue, pages, publisher...), whatever the
   style; this module turns the labelled runs into fields: the author run into people
   (Vancouver "Cron RQ", inverted "Cron, R. Q.", given names first "R. Q. Cron", MLA
   "Cron, Randy Q., and Jane Doe", or an organisation), "Vol. 3" into "3", "pp. e358–67" into
   its first and last page, and the brackets or quotes the model cut off back onto their field.
   An italic span that is not the title is taken as the container, as the author marked it.

A new style needs no code: it needs labelled examples for the model
(``benchmarks/train_segmenter.py``).

A DOI printed as a link ("https://doi.org/10...") fills ``doi`` only; ``url`` holds other web
addresses.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, NamedTuple

import attrs

from refcheck.model import Author, Reference
from refcheck.parsing import grammar as g
from refcheck.parsing.names import Names, parse_names
from refcheck.parsing.segment import Segments, prepared, segment

__all__ = ["arxiv_identifier", "clean_citation", "page_ends", "parse_citation", "parse_citations"]

_JOURNAL_ARTICLE = "journal-article"

# --------------------------------------------------------------------------------------------
# Step 1: cleanup
# --------------------------------------------------------------------------------------------

# "[https://doi.org/10.1016/S2213-2600\(20\)30267-8](https://doi.org/10.1016/S2213-2600(20)30267-8)"
_MD_LINK = re.compile(
    r"\[(?P<label>[^\[\]]{0,2000})\]\((?P<target>(?:[^()\s]|\([^()\s]{0,200}\)){1,2000})\)"
)
# "**2**" in "*Lancet Rheumatol* 2020; **2**: e358–67."
_MD_STRONG = re.compile(r"(?<![\\*])\*\*(?=\S)(?P<inner>[^*]{1,500})(?<=\S)\*\*(?!\*)")
# "*Lancet Rheumatol*"; "_Nature_"
_MD_EMPHASIS = re.compile(
    r"(?<![\\*\w])\*(?=\S)(?P<inner>[^*]{1,500})(?<=[^\s\\])\*(?!\*)"
    r"|(?<![\\\w])_(?=\S)(?P<inner2>[^_]{1,500})(?<=\S)_(?!\w)"
)
# "\(" in "S2213-2600\(20\)30267-8"
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~'\"$&%])")
# "IL-1 $\beta$ signaling"
_LATEX_MATH = re.compile(r"(?:(?<=[\d-])\s{1,3})?\$(?P<math>[^$]{1,200})\$")
_LATEX_COMMAND = re.compile(r"\\(?P<name>[A-Za-z]+)\s?")
# LaTeX accents: '{\"o}', '\"{o}', "\'e", "{\c c}" in "M{\"u}ller, J. and Cort\'es, A."
_LATEX_ACCENT = re.compile(
    r"\{\\(?P<accent>[\"'`^~=.]|[cHkruv]\s)\s?\{?(?P<letter>[A-Za-z])\}?\}"
    r"|\\(?P<accent2>[\"'`^~=.]|[cHkruv]\s?)\{(?P<letter2>[A-Za-z])\}"
    r"|\\(?P<accent3>[\"'`^~])(?P<letter3>[a-z])"
)
_ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "c": "\u0327", "H": "\u030b", "k": "\u0328", "r": "\u030a", "u": "\u0306",
    "v": "\u030c",
}  # fmt: skip
# LaTeX text commands whose argument is kept: "\textit{Nature}", "\emph{Lancet}", "\url{...}".
_LATEX_TEXT = re.compile(
    r"\\(?:textit|emph|textbf|textrm|textsc|textsl|mathrm|url|href\{[^{}]{0,500}\})"
    r"\s?\{(?P<inner>[^{}]{0,1000})\}"
)
_LATEX_SPECIAL = {"--": "–", "---": "—", "~": " ", "\\&": "&", "\\%": "%", "\\_": "_"}
_LATEX_SPECIALS = re.compile(r"---?|(?<!\\)~|\\[&%_]")


def _accented(match: re.Match[str]) -> str:
    """'{\\"o}' -> "ö"."""
    accent = (match["accent"] or match["accent2"] or match["accent3"]).strip()
    letter = match["letter"] or match["letter2"] or match["letter3"]
    return unicodedata.normalize("NFC", letter + _ACCENTS[accent])


def _latex(text: str) -> str:
    """LaTeX as BibTeX users paste it: accents, text commands, dashes, ties, braces."""
    if "\\" in text:
        text = _LATEX_ACCENT.sub(_accented, text)
        text = _LATEX_TEXT.sub(lambda m: m["inner"], text)
    if "-" in text or "~" in text or "\\" in text:
        text = _LATEX_SPECIALS.sub(lambda m: _LATEX_SPECIAL[m[0]], text)
    if "{" in text and not _LATEX_COMMAND.search(text):
        text = text.replace("{", "").replace("}", "")
    return text


_HTML_TAG = re.compile(
    r"</?(?:sup|sub|i|b|em|strong|span|sc|scp|italic|bold|br|u)(?:\s[^<>]{0,200})?/?>",
    re.IGNORECASE,
)
_LIST_LABEL = re.compile(
    r"^(?:[-*+•]\s)?(?:\[\s?\d{1,4}\s?\]|\(\s?\d{1,4}\s?\)|\d{1,3}[.)](?=\s|[A-Z])"
    r"|\d{1,3}(?=\s[^\W\d]))\s?"
)

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ",
    "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ",
    "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ",
    "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "pm": "±", "times": "×", "sim": "~", "leq": "≤",
    "le": "≤", "geq": "≥", "ge": "≥", "deg": "°", "circ": "°", "prime": "'", "cdot": "·",
    "to": "→", "rightarrow": "→", "infty": "∞", "%": "%",
}  # fmt: skip

# Odd hyphens, invisible characters, odd spaces and curly quotes, and what they become.
_CHARS = {
    "\u2010": "-", "\u2011": "-", "\u2212": "-", "\u00ad": "", "\u200b": "",
    "\u200c": "", "\u200d": "", "\ufeff": "", "\u00a0": " ", "\u2009": " ",
    "\u202f": " ", "\u2002": " ", "\u2003": " ", "\u201c": '"', "\u201d": '"',
    "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
}  # fmt: skip
_ODD_CHAR = re.compile("[" + "".join(_CHARS) + "]")


def _latex_math(match: re.Match[str]) -> str:
    """Turn LaTeX math into text: "$\\beta$" -> "β", "$\\alpha_{v}$" -> "αv"; drop the rest."""
    math = _LATEX_COMMAND.sub(lambda m: _GREEK.get(m["name"], ""), match["math"])
    return math.translate({ord(c): None for c in "{}^_ "})


def _inline(text: str) -> str:
    """Cleanup that does not change what is italic: escapes, math, tags, characters, spaces."""
    if "\\" in text or "{" in text or "--" in text or "~" in text:
        text = _latex(text)
    if "$" in text:
        text = _LATEX_MATH.sub(_latex_math, text)
    if "\\" in text:
        text = _MD_ESCAPE.sub(r"\1", text)
    if "<" in text:
        text = _HTML_TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = _ODD_CHAR.sub(lambda m: _CHARS[m[0]], text)
    return " ".join(text.split())


class _Clean(NamedTuple):
    """A citation after cleanup, with the text of its italic spans."""

    text: str
    italics: tuple[str, ...]


# A word broken at a line end by PDF-to-text: "Hyphen-\nation" -> "Hyphenation".
_LINE_END_HYPHEN = re.compile(r"(?<=[a-z])-[ \t]*\r?\n\s*(?=[a-z])")


def _cleanup(text: str) -> _Clean:
    italics: list[str] = []

    def emphasis(match: re.Match[str]) -> str:
        inner = match["inner"] or match["inner2"] or ""
        italics.append(_inline(inner))
        return inner

    if "\n" in text:
        text = _LINE_END_HYPHEN.sub("", text)
    if "[" in text:
        text = _MD_LINK.sub(lambda m: m["label"] or m["target"], text)
    if "*" in text or "_" in text:
        text = _MD_STRONG.sub(lambda m: m["inner"], text)
        text = _MD_EMPHASIS.sub(emphasis, text)
    text = _LIST_LABEL.sub("", _inline(text), count=1)
    return _Clean(text, tuple(i for i in italics if i))


# --------------------------------------------------------------------------------------------
# Step 2: identifiers and dates found anywhere
# --------------------------------------------------------------------------------------------

_DOI = re.compile(g.DOI, re.IGNORECASE)
_URL = re.compile(g.URL, re.IGNORECASE)
# What PDF-to-text glues to a DOI's end: "10.1103/PhysRevD.92.034519.URL https: ...",
# "10.1016/j.physletb.2017.05.070,in press", "10.1007/BF02345020.URLhttps", PubMed's
# "10.1038/nrn2947[doi]", "10.1007/JHEP01(2015)073[arXiv :1408.3203]".
_DOI_GLUED = re.compile(
    r"\.(?=(?:URL|arXiv|Available|PMID|PMCID)\b|URLhttp)|,(?=[A-Za-z]{2})"
    r"|\[(?=(?:doi|pii)\]|arXiv)"
)
# The next word after a DOI, and the shapes of the words that continue a DOI that PDF-to-text
# broke with a space: "npg- 19-227-2012" (after "-" or "/", a word with a digit),
# "j.jbc. 2012.01.003" (after ".", digits with an inner period; not a year, page range or
# sentence), "PhysRevLett .100.228502", "molbev /msu300" (a word with a digit after "." or "/").
_DOI_NEXT = re.compile(r"\s(?P<word>[^\s\"<>]{1,300})")
_DOI_WORD = re.compile(r"[A-Za-z0-9][\w.\-/()]{0,300}")
_DOI_NUMBERS = re.compile(r"\d[\d.]{0,300}")
_DOI_START = re.compile(r"10\.\d{4,9}/")  # a word with one is another DOI
_DOI_MAX = 300
_DOI_TAG = re.compile(r"\[(?:doi|pii)\]")
_PMID = re.compile(g.PMID, re.IGNORECASE)
_ARXIV = re.compile(g.ARXIV, re.IGNORECASE)
_ARXIV_OLD = re.compile(r"^(?P<archive>[a-z-]+)(?:\.[a-z-]+)?/(?P<number>\d{7}(?:v\d+)?)$")
_ACL = re.compile(g.ACL_ID)
_PMCID = re.compile(r"\bPMCID\s?:?\s?PMC\d{1,9}\b", re.IGNORECASE)
# "Available from: ", "[cited 2020 Jun 1]", "Accessed June 1, 2020." are left over around a URL.
_URL_NOISE = re.compile(
    r"\b(?:Available\s(?:from|at)|Retrieved\sfrom|URL)\s?:?"
    r"|\[(?:cited|accessed)[^\[\]]{0,40}\]"
    r"|\b(?:Accessed|Last\saccessed)\s?:?\s[^.;]{0,40}?(?:\d{4}|\d{1,2})(?=[.;]|$)",
    re.IGNORECASE,
)
# "published online June 16" (seed C3), "published online June 16, 2020", "published online
# 16 June 2020", "Epub 2020 May 4".
_ONLINE = re.compile(
    rf"\b(?:published\sonline|online\sahead\sof\sprint|Epub(?:\sahead\sof\sprint)?)\s?:?\s?"
    rf"(?:(?P<month1>{g.MONTH})\s(?P<day1>\d{{1,2}})(?:,?\s(?P<year1>{g.YEAR}))?"
    rf"|(?P<day2>\d{{1,2}})\s(?P<month2>{g.MONTH})(?:,?\s(?P<year2>{g.YEAR}))?"
    rf"|(?P<year3>{g.YEAR})\s(?P<month3>{g.MONTH})(?:\s(?P<day3>\d{{1,2}}))?)?",
    re.IGNORECASE,
)
_MONTHS = {
    name: f"{number:02d}"
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_TRAILING = ".,;:"
_BRACKETS = {")": "(", "]": "["}


def _trim(value: str) -> str:
    """Drop trailing punctuation and unbalanced closing brackets: "10.1/x(1)2)." -> "10.1/x(1)2"."""
    while value:
        last = value[-1]
        if last in _TRAILING or (
            last in _BRACKETS and value.count(last) > value.count(_BRACKETS[last])
        ):
            value = value[:-1]
        else:
            break
    return value


def _doi_continues(value: str, word: str) -> bool:
    """Whether the word after a space continues the DOI ``value`` that PDF-to-text broke."""
    if not any(c.isdigit() for c in word) or _DOI_START.search(word):
        return False
    if word[0] in "./":
        return value[-1].isalnum() and _DOI_WORD.fullmatch(word, 1) is not None
    if value[-1] in "-/":
        return _DOI_WORD.fullmatch(word) is not None
    if value[-1] == ".":
        return "." in word and _DOI_NUMBERS.fullmatch(word) is not None
    return False


def _doi_extent(text: str, match: re.Match[str]) -> tuple[str, int]:
    """The DOI of a match without its spaces and trailing punctuation, and where it ends.

    Words after a space join the DOI while they continue its shape ("npg- 19-227-2012"); the
    first that does not (", 2020", " Available from", " PMID: 1", the next sentence) ends it.
    """
    raw = match["doi"]
    glued = _DOI_GLUED.split(raw, maxsplit=1)
    value, end = "".join(glued[0].split()), match.start("doi") + len(glued[0])
    while len(glued) == 1 and len(value) < _DOI_MAX:
        following = _DOI_NEXT.match(text, end)
        if following is None:
            break
        glued = _DOI_GLUED.split(following["word"], maxsplit=1)
        word = _trim(glued[0]) if len(glued) > 1 else glued[0]
        if not _doi_continues(value, _trim(word)):
            break
        value, end = value + word, following.start("word") + len(word)
    # No DOI ends with an opening bracket: "10.1007/JHEP03(2014)118[ arXiv".
    trimmed = _trim(_trim(value).rstrip("(["))
    end -= len(value) - len(trimmed)
    tag = _DOI_TAG.match(text, end)  # PubMed's "[doi]" goes with the DOI
    return trimmed, end if tag is None else tag.end()


def arxiv_identifier(text: str) -> str | None:
    """The arXiv identifier a text cites, normalised: "arXiv:1706.03762V5" -> "1706.03762v5",
    "math.AG/0601001" -> "math/0601001" (the subject class is not part of the identifier),
    "10.48550/arXiv.1706.03762" -> "1706.03762"; ``None`` when there is none."""
    if "/" not in text and "arxiv" not in text.lower():
        return None
    found = _ARXIV.search(text)
    if found is None:
        return None
    value = (found["arxiv"] or found["arxiv_old"]).lower()
    old = _ARXIV_OLD.match(value)
    return f"{old['archive']}/{old['number']}" if old else value


def _acl_identifier(text: str) -> str | None:
    found = _ACL.search(text) if "acl" in text or "18653" in text else None
    return found["acl"] if found else None


class _Identifiers(NamedTuple):
    doi: str | None
    url: str | None
    pmid: str | None
    online: re.Match[str] | None
    rest: str
    arxiv: str | None = None
    acl: str | None = None


def _identifiers(text: str) -> _Identifiers:
    """Find the DOI, URL, PMID and online date; return them and the text without them."""
    doi = url = pmid = None
    spans: list[tuple[int, int]] = []
    if "10." in text or "10 ." in text:
        for match in _DOI.finditer(text):
            if spans and match.start() < spans[-1][1]:
                continue
            value, end = _doi_extent(text, match)
            if doi is None:
                doi = value
            spans.append((match.start(), end))
    if "://" in text or "www." in text:
        for match in _URL.finditer(text):
            if any(start <= match.start() < end for start, end in spans):
                continue
            value = _trim(match["url"])
            if url is None:
                url = value
            spans.append((match.start(), match.start() + len(value)))
    if "PM" in text:
        found = _PMID.search(text)
        if found is not None:
            pmid = found["pmid"]
            spans.append(found.span())
        spans.extend(m.span() for m in _PMCID.finditer(text))
    online = _ONLINE.search(text) if "nline" in text or "Epub" in text else None
    # The arXiv and ACL identifiers stay in the text the model reads: they are found, not cut.
    arxiv, acl = arxiv_identifier(text), _acl_identifier(text)
    if spans:
        text = _cut(text, spans)
        if url is not None:
            text = _cut(text, [m.span() for m in _URL_NOISE.finditer(text)])
    return _Identifiers(doi, url, pmid, online, text, arxiv, acl)


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    """Remove the spans, and the punctuation that removing them doubles: "16. [doi]." -> "16."."""
    kept, position = "", 0
    for start, end in [*sorted(spans), (len(text), len(text))]:
        if start < position:
            continue
        piece = text[position:start].strip()
        while kept and kept[-1] in _TRAILING and piece and piece[0] in _TRAILING:
            piece = piece[1:].lstrip()
        kept = f"{kept} {piece}" if kept and piece else kept or piece
        position = end
    return kept.strip(" ,;:")


def _online_date(match: re.Match[str] | None, year: str | None) -> str | None:
    """The ISO date of a "published online" match; its year defaults to the citation's."""
    if match is None:
        return None
    month = match["month1"] or match["month2"] or match["month3"]
    if month is None:
        return None
    day = match["day1"] or match["day2"] or match["day3"]
    year = match["year1"] or match["year2"] or match["year3"] or year
    if year is None:
        return None
    iso = f"{year}-{_MONTHS[month[:3].lower()]}"
    return f"{iso}-{int(day):02d}" if day and 1 <= int(day) <= 31 else iso


# --------------------------------------------------------------------------------------------
# Shared field helpers
# --------------------------------------------------------------------------------------------

_PAGE_PARTS = re.compile(r"(?P<prefix>[A-Za-z]{0,3})(?P<digits>\d+)(?P<suffix>\S*)")
_PAGE_SPLIT = re.compile(rf"\s{{0,2}}{g.DASH}\s{{0,2}}")


def _page_ends(pages: str | None) -> tuple[str | None, str | None]:
    """Expand a printed range: "e358–67" -> ("e358", "e367"); "119" -> ("119", None)."""
    if not pages:
        return None, None
    parts = _PAGE_SPLIT.split(pages, maxsplit=1)
    first = parts[0]
    if len(parts) == 1:
        return first, None
    last = parts[1]
    head, tail = _PAGE_PARTS.fullmatch(first), _PAGE_PARTS.fullmatch(last)
    if head is None or tail is None or "." in last:
        return first, last
    digits = tail["digits"]
    if len(digits) < len(head["digits"]):
        digits = head["digits"][: len(head["digits"]) - len(digits)] + digits
    return first, (tail["prefix"] or head["prefix"]) + digits + tail["suffix"]


def _strip_title(title: str | None) -> str | None:
    """A title without enclosing quotes and trailing ".", "," or ":"; "?" and "!" stay."""
    if title is None:
        return None
    title = title.strip().rstrip(" .,;:").strip()
    while len(title) > 1 and title[0] in "\"'" and title[-1] == title[0]:
        title = title[1:-1].strip().rstrip(" .,;:").strip()
    if title[:1] in "\"'" and title.count(title[:1]) == 1:
        title = title[1:]  # an opening quote whose closing one the parse cut off
    if title[-1:] in "\"'" and title.count(title[-1:]) == 1:
        title = title[:-1]
    return title.strip() or None


def _strip_container(container: str | None) -> str | None:
    if container is None:
        return None
    container = container.strip().rstrip(" .,;:")
    return container.removeprefix("In: ").removeprefix("in: ").strip() or None


class _Context(NamedTuple):
    """What step 3 is given: the citation, its cleaned rest, italics, identifiers."""

    citation: str
    rest: str
    italics: tuple[str, ...]
    ids: _Identifiers


def _reference(ctx: _Context, year: str | None, pages: str | None, **fields: Any) -> Reference:
    """Build the reference, adding the text, identifiers and page ends to ``fields``."""
    first, last = _page_ends(pages)
    return Reference(
        text=ctx.citation,
        year=year,
        pages=pages,
        first_page=first,
        last_page=last,
        doi=ctx.ids.doi,
        url=ctx.ids.url,
        pmid=ctx.ids.pmid,
        published_online=_online_date(ctx.ids.online, year),
        arxiv_id=ctx.ids.arxiv,
        acl_id=ctx.ids.acl,
        **fields,
    )


_ANY_YEAR = re.compile(
    rf"(?<![\w./-])(?P<paren>\(\s?)?(?P<year>{g.YEAR})[a-z]?(?(paren)\s?[),;]|(?![\w/]|-\d|–\d))"
)


def _any_year(text: str) -> str | None:
    """The year of any text: a parenthesised one if there is one, else the first."""
    first = None
    for match in _ANY_YEAR.finditer(text):
        if match["paren"]:
            return match["year"]
        if first is None:
            first = match["year"]
    return first


# --------------------------------------------------------------------------------------------
# Author lists, in the four shapes styles print them
# --------------------------------------------------------------------------------------------


_FWD_PERSON = re.compile(
    rf"(?P<given>(?:(?:{g.GIVEN_NAME}|{g.INITIAL})[\s-]?){{1,3}})\s?(?P<family>{g.FAMILY})"
    rf"(?:,?\s(?:Jr|JR|Sr|SR|III|II)\.?)?{g.PERSON_END}"
)
_FWD_LIST = re.compile(
    rf"^{g.FWD_PERSON}{g.PERSON_END}(?:{g.LIST_SEP}{g.FWD_PERSON}{g.PERSON_END}){{0,300}}(?P<et_al>{g.ET_AL})?"
)
_INV_PERSON = re.compile(
    rf"(?P<family>{g.FAMILY}(?:\s{g.FAMILY})?),\s?(?P<given>{g.APA_GIVEN})(?:,?\s(?:Jr|Sr)\.)?"
    rf"{g.PERSON_END}"
)
_INV_LIST = re.compile(
    rf"^{g.INV_PERSON}{g.PERSON_END}(?:{g.LIST_SEP}{g.INV_PERSON}{g.PERSON_END}){{0,300}}(?P<et_al>{g.ET_AL})?"
)
_VAN_PERSON = re.compile(
    # A name starts a word: without the look-behind, a long run of letters is tried from
    # every one of its letters (quadratic).
    rf"(?<![^\W\d_'-])(?P<family>{g.VANCOUVER_FAMILY})\s(?P<given>{g.APA_GIVEN}|{g.VANCOUVER_INITIALS})"
    rf"{g.PERSON_END}"
)
_VAN_LIST = re.compile(
    rf"^{g.VAN_PERSON}{g.PERSON_END}(?:{g.LIST_SEP}{g.VAN_PERSON}{g.PERSON_END}){{0,300}}(?P<et_al>{g.ET_AL})?"
)
# "Trillin, Calvin." ; "Rogoff, Ken, and Jane Doe." ; "Soskin, William F."
_MLA_FIRST = re.compile(
    rf"(?P<family>{g.FAMILY}),\s(?P<given>{g.APA_GIVEN}|(?:{g.GIVEN_NAME}|{g.INITIAL})"
    rf"(?:\s(?:{g.GIVEN_NAME}|{g.INITIAL})){{0,3}})"
)
_MLA_LIST = re.compile(
    rf"^{g.MLA_FIRST}{g.PERSON_END}(?:{g.LIST_SEP}{g.FWD_PERSON}{g.PERSON_END}){{0,300}}(?P<et_al>{g.ET_AL})?"
)
_LIST_END = re.compile(r"\s?(?:[.,:;(\"“'‘]|\d|$)")


def _generic_authors(text: str) -> tuple[list[Author], bool, int]:
    """The author list at the start of ``text``, whether it ends "et al.", and where it ends.

    Tries the shapes in turn and keeps the one that reads the most authors (the earlier on a
    tie) among those that end where a list can end: Vancouver ("Cron RQ, Hartwell J"),
    inverted with initials ("Cron, R. Q., & Hartwell, J."), initials or given names first
    ("J. P. Collman, R. Q. Cron and Ce Liu"), MLA/Chicago ("Trillin, Calvin, and Jane Doe").
    """
    best: list[tuple[str, str | None]] = []
    best_et_al, best_end = False, 0
    for shape, person, first in _SHAPES:
        found = shape.match(text)
        if found is None:
            continue
        end = found.end()
        et_al = found["et_al"] is not None
        if not et_al and not (text[end - 1] == "." or _LIST_END.match(text, end)):
            continue
        region = text[: found.start("et_al")] if et_al else text[:end]
        names: list[tuple[str, str | None]] = []
        if first is not None:
            lead = first.match(region)
            if lead is None:
                continue
            names.append((lead["family"], lead["given"]))
            region = region[lead.end() :]
        for m in person.finditer(region):
            given = m["given"].strip()
            if person is _VAN_PERSON and given.count(".") == 1 and given.endswith("."):
                given = given[:-1]  # "Hartwell J." ends the list: the period is not the initial's
            names.append((m["family"], given or None))
        # More authors wins; on a tie the earlier shape ("Smith J. Parsing." is Vancouver's
        # "Smith J", not a "Smith J. Parsing").
        if len(names) > len(best):
            best, best_et_al, best_end = names, et_al, end
    return [Author(family, given) for family, given in best], best_et_al, best_end


_SHAPES = (
    (_VAN_LIST, _VAN_PERSON, None),
    (_INV_LIST, _INV_PERSON, None),
    (_FWD_LIST, _FWD_PERSON, None),
    (_MLA_LIST, _FWD_PERSON, _MLA_FIRST),
)


_THESIS = re.compile(r"\b(?:Ph\.?\s?D|thesis|Thèse|Dissertation|Master'?s)\b", re.IGNORECASE)
_REPORT = re.compile(r"\b(?:Technical\sReport|Tech\.\sRep|Report|Working\sPaper)\b")
_PREPRINT = re.compile(r"\b(?:arXiv|bioRxiv|medRxiv|preprint|hep-\w{2}/\d)", re.IGNORECASE)
_PROCEEDINGS = re.compile(r"\b(?:Proc\.?|Proceedings|Conference|Conf\.|Symposium|Workshop)\b")


# Words that may join the capitalised words of a journal's name: "Huisarts en Wetenschap".
_JOINING = frozenset(["of", "and", "the", "for", "in", "on", "de", "la", "du", "des", "en", "&"])


_LAST_STOP = re.compile(r"^(?P<title>.{8,}?\w{2}[.?!])\s(?P<journal>[A-Z][^.]{0,40})$")


def _stopped_title(container: str) -> tuple[str, str] | None:
    """A title and its journal read as one container, split at the last sentence end:
    "Anakinra in severe COVID-19. Science" -> ("Anakinra in severe COVID-19", "Science").
    The title part must have two lower-case words; the journal part is at most four words
    with no stop ("Acc. Chem. Res." stays whole)."""
    found = _LAST_STOP.match(container)
    if found is None or len(found["journal"].split()) > 4:
        return None
    title = found["title"]
    if sum(word.isalpha() and word.islower() for word in title.split()) < 2:
        return None
    return _strip_title(title) or title, found["journal"]


def _run_on_title(container: str) -> tuple[str, str] | None:
    """A sentence-case title run on into its journal, with no stop between them, split:
    "DNA damage activates p53 through a phosphorylation-acetylation cascade Genes Dev" ->
    ("DNA damage ... cascade", "Genes Dev"). The journal is the capitalised words at the end;
    the word before them is a lower-case word that does not join a name ("of", "the"), and
    the title has three lower-case words or more. ``None`` when there is no such split."""
    words = container.split()
    if len(words) < 5:
        return None
    start = len(words)
    while start > 0 and (words[start - 1][:1].isupper() or words[start - 1] in _JOINING):
        start -= 1
    while start < len(words) and words[start] in _JOINING:
        start += 1
    if start == len(words) or start < 4 or len(words) - start > 6:
        return None
    if any(c.isdigit() for c in words[start]):
        return None  # "... and leukotriene B4. PLoS Pathog": a name's number, not a journal
    before = words[start - 1]
    if not before.isalpha() or not before.islower() or before in _JOINING or len(before) < 4:
        return None
    if sum(word.islower() for word in words[:start]) < 3:
        return None
    return " ".join(words[:start]), " ".join(words[start:])


# --------------------------------------------------------------------------------------------
# Step 3: segments, from the trained model, to fields
# --------------------------------------------------------------------------------------------

_ET_AL_AFTER = re.compile(r"^[\s,.;]{0,3}(?:et\.?\s?al\b|and\sothers\b|\.\.\.|…)", re.IGNORECASE)
_ET_AL_ANYWHERE = re.compile(r",?\s?(?:et\.?\s?al\b\.?|and\sothers\b|\.\.\.|…)", re.IGNORECASE)
_VOLUME_LABEL = re.compile(r"^(?:vol(?:ume)?s?\.?|v\.|bd\.?|t\.|tome)\s?", re.IGNORECASE)
_ISSUE_LABEL = re.compile(r"^(?:no\.?|nos\.?|nr\.?|issue|iss\.?|heft|n°|#)\s?", re.IGNORECASE)
_PAGES_LABEL = re.compile(r"^(?:pp?\.?|pages?|S\.|art(?:icle)?\.?(?:\sno\.)?)\s?", re.IGNORECASE)
_NUMBER_WORD = re.compile(r"[A-Za-z]{0,3}\d[\w.]{0,15}(?:[-–/]\d{1,6}\b)?|[IVXLCivxlc]{1,8}\b")
_PAGE_RANGE = re.compile(
    r"[A-Za-z]{0,3}\d{1,9}[A-Za-z]?(?:\.[a-z]\d{1,3})?"
    r"(?:\s{0,2}[-‐‑–—−]{1,2}\s{0,2}[A-Za-z]{0,3}\d{1,9}[A-Za-z]?(?:\.[a-z]\d{1,3})?)?"
)
_PAGE_SUFFIX = re.compile(r"\.[a-z]\d{1,3}\b")
# A book's length, not its pages: "312 p.", "xii + 406 pp."
_PAGE_COUNT_ONLY = re.compile(r"^\d{1,5}\s?(?:pp?|pages|S)\.?$")
_OPENERS = {")": "(", "]": "[", "”": "“", '"': '"', "’": "‘"}


def _persons(run: str) -> Names:
    """The people (or the organisation) of an author run (:mod:`refcheck.parsing.names`)."""
    return parse_names(run)


def _first(text: str, runs: list[tuple[int, int]] | None) -> str | None:
    """The text of the first run, widened to the brackets and quotes it opens or closes: the
    model often leaves a field's last ")" or first quote outside it."""
    if not runs:
        return None
    start, end = runs[0]
    value = text[start:end]
    for closer, opener in _OPENERS.items():
        if closer == opener:
            if value.count(closer) % 2 == 1:
                if end < len(text) and text[end] == closer:
                    end += 1
                elif start > 0 and text[start - 1] == opener:
                    start -= 1
            continue
        if value.count(opener) > value.count(closer) and text[end : end + 1] == closer:
            end += 1
        elif value.count(closer) > value.count(opener) and text[start - 1 : start] == opener:
            start -= 1
    return text[start:end]


def _number(value: str | None, label: re.Pattern[str]) -> str | None:
    """ "Vol. 3," -> "3"; "(6)" -> "6"; "B428" stays."""
    if not value:
        return None
    value = label.sub("", value.strip(" .,;:()[]"))
    found = _NUMBER_WORD.search(value)
    return _trim(found[0]) if found else (_trim(value) or None)


# The title's first word, left by the model to the authors or to nothing: "Berliner N. To
# "lump" or...", "(2013) From SARS to MERS".
_LOST_FIRST_WORD = re.compile(r"(?<=[).:] )(?P<word>[A-Z][a-z]{0,14}) [\"“‘']?$")
# The short words that begin titles and that the model takes for a name or leaves out; a
# surname is never one of them ("William G. Cochran. Sampling..." keeps Cochran).
_TITLE_FIRST = frozenset(
    (  # noqa: SIM905 (a list of words reads best as words)
        "A An The To From On Of For How Why What When Where Who Which Is Are Do Does Can Should "
        "No Not Toward Towards Beyond Between After Before Against With Without At By Into "
        "Le La Les Un Une Der Die Das Ein Eine El Los Las Il Lo"
    ).split()
)
_VANCOUVER_GIVEN = re.compile(r"^[A-Z]{1,3}$")
_LEADING_INITIAL = re.compile(r"[A-Z]\.\s(?=\S)")
# A page's letter prefix, left outside: "e" of "e358".
_LOST_PREFIX = re.compile(r"(?<![^\W\d_])[A-Za-z]{1,3}$")


def _repaired(text: str, runs: Segments) -> Segments:
    """The model's runs, with the boundary slips it makes on short words mended."""
    authors = runs.get("author")
    if authors:
        # "Berliner N. To" / "AuthorIbx I. A title": the names end at a stop and the words
        # after it begin the title.
        start, end = authors[0]
        names, et_al, read = _generic_authors(text[start:end])
        rest = text[start + read : end]
        titles = runs.get("title")
        after = titles[0][0] if titles else end
        # A list that ended, with "et al." or with Vancouver initials ("Cohn ES."), is over:
        # what follows it is not a name, whatever the word.
        # One name with one initial ("Sarita V. Adve.") may be a given name and an initial
        # with the family name after them: that list has not ended.
        ended = et_al or (
            all(_VANCOUVER_GIVEN.match(name.given or "") for name in names)
            and (len(names) > 1 or len((names[0].given or "") if names else "") > 1)
        )
        if (
            read
            and text[start + read - 1] == "."
            and rest[:1] == " "
            and (ended or rest[1:].split(" ", 1)[0] in _TITLE_FIRST)
            and after >= end
            and not text[end:after].strip(" \"“‘'")
        ):
            authors[0] = (start, start + read)
            title_start = start + read + 1
            if titles:
                titles[0] = (title_start, titles[0][1])
            else:
                runs["title"] = [(title_start, end)]
    authors = runs.get("author")
    following = [runs[label] for label in ("title", "container") if runs.get(label)]
    if authors and following:
        # "Cron, R. Q. & Hartwell, J. Anakinra...": the last initial went to the next field.
        spans = min(following, key=lambda spans: spans[0][0])
        initial = _LEADING_INITIAL.match(text, spans[0][0])
        before = text[authors[0][0] : authors[0][1]].rstrip(" ,;&.").rsplit(" ", 1)[-1]
        surname = before[:1].isupper() and len(before) > 1 and not before.isupper()
        if initial is not None and surname and not text[authors[0][1] : spans[0][0]].strip(" ,;&"):
            authors[0] = (authors[0][0], initial.end() - 1)
            spans[0] = (initial.end(), spans[0][1])
    titles = runs.get("title")
    if titles:
        start, end = titles[0]
        lost = _LOST_FIRST_WORD.search(text, 0, start)
        if lost is not None and lost["word"] in _TITLE_FIRST:
            titles[0] = (lost.start("word"), end)
            for label in ("author", "date", "note"):
                for i, (a, b) in enumerate(runs.get(label, [])):
                    if a < lost.start("word") < b:
                        runs[label][i] = (a, lost.start("word"))
                    elif lost.start("word") <= a < b <= lost.end("word"):
                        runs[label][i] = (a, a)
    pages = runs.get("pages")
    if pages:
        start, end = pages[0]
        prefix = _LOST_PREFIX.search(text, 0, start)
        if prefix is not None:
            pages[0] = (prefix.start(), end)
    return {label: [(a, b) for a, b in spans if b > a] for label, spans in runs.items()}


def _from_segments(ctx: _Context) -> Reference:
    """The reference the model's segments of the citation's cleaned rest make."""
    text = ctx.rest
    runs = _repaired(text, segment(text))
    authors: list[Author] = []
    et_al = False
    if "author" in runs:
        start, end = runs["author"][0]
        names = _persons(text[start:end])
        authors = list(names.authors)
        et_al = names.et_al or bool(_ET_AL_AFTER.match(text[end:]))
    _title_before_italics(ctx, text, runs)
    title, after_quote = _quoted_title(_first(text, runs.get("title")))
    container = _strip_container(_first(text, runs.get("container")) or after_quote)
    container = _italic_container(ctx, text, runs, container)
    year = None
    for start, end in runs.get("date", []):
        year = _any_year(text[start:end])
        if year:
            break
    if year is None and "date" not in runs:
        # No date labelled: a year standing alone outside the title and container.
        outside = _cut(text, [*runs.get("title", []), *runs.get("container", [])])
        year = _any_year(outside)
    volume = _number(_first(text, runs.get("volume")), _VOLUME_LABEL)
    issue = _number(_first(text, runs.get("issue")), _ISSUE_LABEL)
    printed = _first(text, runs.get("pages"))
    pages = None
    if printed:
        # "992–1000.e3": the model tends to leave the article-number suffix outside.
        after = _PAGE_SUFFIX.match(text, runs["pages"][0][1])
        printed += after[0] if after else ""
        printed = printed.strip(" .,;:()[]")
        found = (
            None
            if _PAGE_COUNT_ONLY.match(printed)
            else _PAGE_RANGE.search(_PAGES_LABEL.sub("", printed))
        )
        pages = found[0] if found else None
    if pages is None:
        pages = _pages_after_numbers(text, runs)
    publisher = _first(text, runs.get("publisher"))
    if publisher:
        publisher = _trim(publisher.strip()) or None
    return _reference(
        ctx,
        year,
        pages,
        authors=authors,
        et_al=et_al,
        title=title,
        container_title=container,
        volume=volume,
        issue=issue,
        kind=_kind(text, runs, container, volume),
        publisher=publisher,
    )


# Pages the model left unlabelled right after the volume or issue: "46(10):1140–1146".
_PAGES_AFTER = re.compile(
    r"\)?\s?[:,]?\s?(?P<range>[A-Za-z]{0,3}\d{1,9}\s?[-–—]\s?[A-Za-z]{0,3}\d{1,9})(?!\d)"
    r"|\)?\s?:\s?(?P<colon>[A-Za-z]{0,3}\d{1,9})(?![\d(])"
)


def _pages_after_numbers(text: str, runs: Segments) -> str | None:
    """A page or range straight after the volume or issue that no label claims: the printed
    "volume(issue):pages" of numbered styles."""
    ends = [end for label in ("volume", "issue") for _, end in runs.get(label, [])]
    if not ends:
        return None
    found = _PAGES_AFTER.match(text, max(ends))
    if found is None:
        return None
    start = found.start("range") if found["range"] else found.start("colon")
    end = found.end()
    if any(a < end and start < b for spans in runs.values() for a, b in spans):
        return None
    return found["range"] or found["colon"]


def _title_before_italics(ctx: _Context, text: str, runs: Segments) -> None:
    """Markdown marks the journal in italics, so what lies between the title the model found
    and the italic journal is title too, where nothing else was labelled there: the model
    cuts 'To "lump" or to "split" in ...' short at its quotes."""
    titles = runs.get("title")
    if not titles or not ctx.italics:
        return
    start, end = titles[0]
    for italic in ctx.italics:
        at = text.find(italic, end)
        if at < 0:
            continue
        for label, spans in runs.items():
            if label not in ("title", "container") and any(a < at and b > end for a, b in spans):
                return
        gap = text[end:at].rstrip(" .,;:")
        if gap.strip(" .,;:\"'“”‘’"):
            titles[0] = (start, end + len(gap))
        return


_CLOSING_QUOTE = {'"': '"', "“": "”", "'": "'", "‘": "’"}
_LEADING_IN = re.compile(r"^[Ii]n\b:?\s?")


def _quoted_title(value: str | None) -> tuple[str | None, str | None]:
    """The title, and what followed its closing quote inside the title run: a quoted title
    ends at its quote where a stop stands there ('"Culture Shopping." New Yorker' ->
    "Culture Shopping", "New Yorker"), whatever the model's run says."""
    if value and value[0] in _CLOSING_QUOTE:
        close = value.find(_CLOSING_QUOTE[value[0]], 1)
        # The quote closes a field where a stop stands at it: '"Culture Shopping." New',
        # '"Title", Journal'; '"Silencing the storm" — a review' is one title.
        ended = close > 0 and (value[close - 1] in ".,?!" or value[close + 1 : close + 2] in ".,")
        if ended and value[close + 1 :].strip(" .,;:"):
            rest = _LEADING_IN.sub("", value[close + 1 :].strip(" .,;:"))
            return _strip_title(value[: close + 1]), rest or None
    return _strip_title(value), None


def _italic_container(
    ctx: _Context, text: str, runs: Segments, container: str | None
) -> str | None:
    """An italic span that is not in the title is the container ("*Lancet Rheumatol*"): the
    model never saw italics, the author did."""
    titles = runs.get("title", [])
    for italic in reversed(ctx.italics):
        at = text.find(italic)
        if at < 0 or any(start < at + len(italic) and at < end for start, end in titles):
            continue
        if container is None or italic in container or container in italic:
            return _strip_container(italic)
    return container


def _kind(text: str, runs: Segments, container: str | None, volume: str | None) -> str | None:
    """The Crossref type the segments suggest, or ``None`` where they do not tell."""
    lower = text.lower()
    if ("thes" in lower or "diss" in lower or "ph" in lower) and _THESIS.search(text):
        return "thesis"
    preprint = "rxiv" in lower or "print" in lower or "hep-" in lower
    if not volume and preprint and _PREPRINT.search(text):
        return "posted-content"
    if container and _PROCEEDINGS.search(container):
        return "proceedings-article"
    if container is None and "Rep" in text and _REPORT.search(text):
        return "report"
    if container and not any(k in runs for k in ("publisher", "editor", "location")):
        return _JOURNAL_ARTICLE
    if "publisher" in runs or "editor" in runs:
        return "book-chapter" if container else "book"
    return None


def parse_citation(text: str) -> Reference:
    """Parse one citation into a :class:`Reference`; never raises, whatever the text.

    >>> ref = parse_citation("Huet T, Beaussier H, Voisin O, et al. Anakinra for severe forms "
    ...                      "of COVID-19: a cohort study. *Lancet Rheumatol* 2020; 2: e393–400.")
    >>> ref.container_title, ref.volume, ref.first_page, ref.last_page, ref.et_al
    ('Lancet Rheumatol', '2', 'e393', 'e400', True)

    Fields the citation does not show are ``None``; ``text`` is the citation as given.
    """
    clean = _cleanup(text)
    ids = _identifiers(clean.text)
    ctx = _Context(text, ids.rest, clean.italics, ids)
    reference = _from_segments(ctx)
    if (
        reference.title is None
        and reference.container_title
        and reference.authors
        and (reference.volume or reference.pages)
    ):
        split = _run_on_title(reference.container_title) or _stopped_title(
            reference.container_title
        )
        if split is not None:
            title, container = split
            reference = attrs.evolve(
                reference, title=title, container_title=_strip_container(container)
            )
    if "rxiv" in text.lower():
        archive = _ARCHIVE.search(text)
        container = reference.container_title or ""
        if (
            archive is not None
            and reference.kind in (None, "posted-content")
            and reference.volume is None
            and (not container or archive[0].lower() in container.lower())
        ):
            name = _ARCHIVES[archive[0].lower()]
            # The archive's identifier is not an issue or pages: "2020.01.01.123456".
            identifiers = " ".join(_ARCHIVE_ID.findall(text))

            def kept(value: str | None) -> str | None:
                return None if value and value in identifiers else value

            return attrs.evolve(
                reference,
                kind="posted-content",
                container_title=name,
                issue=kept(reference.issue),
                pages=kept(reference.pages),
                first_page=kept(reference.first_page),
                last_page=kept(reference.last_page),
            )
    return reference


# "arXiv:1901.01234", "bioRxiv 2020.01.01.123456", "medRxiv".
_ARCHIVE = re.compile(r"\b(?:arxiv|biorxiv|medrxiv|chemrxiv)\b", re.IGNORECASE)
_ARCHIVE_ID = re.compile(r"\b\d{4}\.\d{2}\.\d{2}\.\d{5,6}\b|\b\d{4}\.\d{4,5}(?:v\d{1,2})?\b")
_ARCHIVES = {"arxiv": "arXiv", "biorxiv": "bioRxiv", "medrxiv": "medRxiv", "chemrxiv": "ChemRxiv"}


def parse_citations(texts: Iterable[str], *, batch: int = 512) -> list[Reference]:
    """:func:`parse_citation` of each text, the same references, several times faster a
    citation: the model labels ``batch`` citations at a time
    (:func:`refcheck.parsing.segment.prepared`)."""
    out: list[Reference] = []
    chunk: list[str] = []
    for text in texts:
        chunk.append(text)
        if len(chunk) >= batch:
            out += _parse_together(chunk)
            chunk = []
    if chunk:
        out += _parse_together(chunk)
    return out


def _parse_together(texts: list[str]) -> list[Reference]:
    with prepared([clean_citation(t) for t in texts]):
        return [parse_citation(t) for t in texts]


def clean_citation(text: str) -> str:
    """The citation as the segmenter sees it: markup, escapes, odd characters, list label,
    DOI, URL and PMID taken away ("*Lancet* 2020; **2**: e393. doi:10.1/x" ->
    "Lancet 2020; 2: e393")."""
    return _identifiers(_cleanup(text).text).rest


def page_ends(pages: str | None) -> tuple[str | None, str | None]:
    """The first and last page of a printed range: "e358–67" -> ("e358", "e367")."""
    return _page_ends(pages)
