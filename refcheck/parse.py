"""Parse a citation into a :class:`~refcheck.model.Reference`. Pure: no I/O.

:func:`parse_citation` works in three steps:

1. *Cleanup*: Markdown links, emphasis and backslash escapes, HTML tags and entities, LaTeX
   math ("IL-1 $\\beta$" -> "IL-1β"), accents ('{\\"o}' -> "ö"), text commands and dashes,
   odd hyphens, ligatures and curly quotes, words hyphenated at a line end, list labels ("1 ",
   "[1]"). The italic spans are remembered: they usually mark the container title.
2. *Identifiers*: DOI, URL, PMID and a "published online" / "Epub" date are found anywhere in
   the citation and taken out of the text the style recognisers see; then PDF-to-text spacing
   is repaired ("Phys.Rev .Lett .96 ,100603" -> "Phys.Rev.Lett.96,100603").
3. *Styles*: an ordered set of recognisers each read the rest and return a reference with a
   confidence; the most confident wins, and a reading of :data:`_SURE` confidence ends the
   search. Vancouver/NLM/Lancet/AMA, APA/Harvard and IEEE have readers of their own; a
   generic reader takes every style of the shape "authors, [year], title, source" (Chicago,
   MLA, ACS, AIP/APS, Nature, Science, Cell, Elsevier, Springer, books, chapters, theses,
   preprints...), reading author lists in four shapes, sentence ends that skip journal
   abbreviations, and numbers in any order. A fallback, which never fails, finds at least the
   year, volume, issue and pages in any text.

A new style is one more recogniser in :data:`_RECOGNISERS`; nothing else changes.

A DOI printed as a link ("https://doi.org/10...") fills ``doi`` only; ``url`` holds other web
addresses.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import attrs

from refcheck import grammar as g
from refcheck.model import Author, Reference

__all__ = ["clean_citation", "page_ends", "parse_citation"]

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
# "10.1016/j.physletb.2017.05.070,in press".
_DOI_GLUED = re.compile(r"\.(?=(?:URL|arXiv|Available|PMID|PMCID)\b)|,(?=[A-Za-z]{2})")
_PMID = re.compile(g.PMID, re.IGNORECASE)
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


class _Identifiers(NamedTuple):
    doi: str | None
    url: str | None
    pmid: str | None
    online: re.Match[str] | None
    rest: str


def _identifiers(text: str) -> _Identifiers:
    """Find the DOI, URL, PMID and online date; return them and the text without them."""
    doi = url = pmid = None
    spans: list[tuple[int, int]] = []
    if "10." in text:
        for match in _DOI.finditer(text):
            value = _trim(_DOI_GLUED.split(match["doi"], maxsplit=1)[0])
            if doi is None:
                doi = value
            spans.append((match.start(), match.start("doi") + len(value)))
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
    if spans:
        text = _cut(text, spans)
        if url is not None:
            text = _cut(text, [m.span() for m in _URL_NOISE.finditer(text)])
    return _Identifiers(doi, url, pmid, online, text)


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


_SENTENCE_END = re.compile(r"(?<=[.?!])\s")
_ABBREVIATION = re.compile(r"[A-ZÀ-ÖØ-Þ][^\W\d_]{0,14}\.")


def _title_and_container(text: str, italics: Sequence[str]) -> tuple[str | None, str | None]:
    """Split "Title. Journal" at the sentence break before the container title.

    The container is the last italic span that ends the text, if any; else the last sentence,
    with the dotted abbreviations before it: "Title. J. Invest. Dermatol." -> "J. Invest. Dermatol".
    """
    text = text.strip().rstrip(" .,;:")
    if not text:
        return None, None
    for italic in reversed(italics):
        italic = italic.rstrip(" .,;:")
        if italic and text.endswith(italic) and len(italic) < len(text):
            return _strip_title(text[: -len(italic)]), _strip_container(italic)
    sentences = _SENTENCE_END.split(text)
    if len(sentences) == 1:
        return None, _strip_container(text)
    cut = len(sentences) - 1
    while cut > 1 and _ABBREVIATION.fullmatch(sentences[cut - 1]):
        cut -= 1
    return _strip_title(" ".join(sentences[:cut])), _strip_container(" ".join(sentences[cut:]))


class _Reading(NamedTuple):
    """What one recogniser made of a citation, and how sure it is (0-1)."""

    confidence: float
    reference: Reference


class _Context(NamedTuple):
    """What every recogniser is given: the citation, its cleaned rest, italics, identifiers."""

    citation: str
    rest: str
    italics: tuple[str, ...]
    ids: _Identifiers


def _reference(ctx: _Context, year: str | None, pages: str | None, **fields: Any) -> Reference:
    """Build the reference, adding what all styles share: text, identifiers, page ends."""
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
        **fields,
    )


# --------------------------------------------------------------------------------------------
# Step 3a: Vancouver, NLM, Lancet, AMA
# --------------------------------------------------------------------------------------------

_VANCOUVER_AUTHOR = re.compile(
    rf"(?<![^\W\d_'-])(?P<family>{g.VANCOUVER_FAMILY})\s(?P<given>{g.VANCOUVER_INITIALS})"
    rf"{g.VANCOUVER_AUTHOR_END}"
)
# "Mehta P, Porter JC, Manson JJ, et al. " (seed C3)
_VANCOUVER_AUTHORS = re.compile(
    rf"^(?P<authors>{g.VANCOUVER_AUTHOR}(?:(?:,|\sand)\s?{g.VANCOUVER_AUTHOR}){{0,200}})"
    rf"(?P<et_al>,?\s?et\s?al\b)?\.?\s?"
)
# "2020; **2**: e358–67" (Lancet), "2020 Jun;2(6):e358-e367" (NLM), "2020;2(6):e358-e367" (AMA),
# "2020; published online June 16" (Lancet, online first).
_VANCOUVER_SOURCE = re.compile(
    rf"(?<=[\s.])(?P<year>{g.YEAR})[a-z]?"
    rf"(?:\s(?:{g.MONTH}|{g.SEASON})(?:\s\d{{1,2}})?(?:\s?{g.DASH}\s?(?:{g.MONTH}|{g.SEASON})?"
    rf"(?:\s?\d{{1,2}})?)?)?"
    rf"(?:\s?[;,]\s?(?:(?P<online>published\sonline|Epub|online\sahead)\b"
    rf"|{g.VOLUME_GROUP}?(?:\s?{g.ISSUE_GROUP})?(?:\s?:\s?{g.PAGES_GROUP})?(?=[\s.;,]|$))"
    rf"|\.?$)"
)


def _vancouver(ctx: _Context) -> _Reading | None:
    text, italics = ctx.rest, ctx.italics
    source = _VANCOUVER_SOURCE.search(text)
    if source is None:
        return _vancouver_without_source(ctx)
    head = text[: source.start()]
    authors: list[Author] = []
    et_al = False
    heading = _VANCOUVER_AUTHORS.match(head)
    if heading is not None:
        authors = [
            Author(m["family"], m["given"]) for m in _VANCOUVER_AUTHOR.finditer(heading["authors"])
        ]
        et_al = heading["et_al"] is not None
        head = head[heading.end() :]
    found = source["volume"] or source["pages"] or source["online"]
    if not authors and not found:
        return None  # a bare year after some text: too weak to name a title and a journal
    title, container = _title_and_container(head, italics)
    confidence = 0.3 + 0.3 * bool(authors) + 0.2 * bool(title) + 0.2 * bool(found)
    return _Reading(
        confidence,
        _reference(
            ctx,
            source["year"],
            source["pages"],
            authors=authors,
            et_al=et_al,
            title=title,
            container_title=container,
            volume=source["volume"],
            issue=source["issue"],
            kind=_JOURNAL_ARTICLE if container and found else None,
        ),
    )


def _vancouver_without_source(ctx: _Context) -> _Reading | None:
    """Vancouver authors, then a title and a source that is not Vancouver's.

    Springer's "Hilgenfeld R, Peiris M (2013) From SARS to MERS ... Antivir Res 100(1):286–295";
    "Valstar M, Schuller B, et al. AVEC 2013: the ... challenge. In: Proceedings ... 2013. p. 3-10."
    """
    heading = _VANCOUVER_AUTHORS.match(ctx.rest)
    if heading is None or not heading["authors"]:
        return None
    authors = [
        Author(m["family"], m["given"]) for m in _VANCOUVER_AUTHOR.finditer(heading["authors"])
    ]
    et_al = heading["et_al"] is not None
    rest = ctx.rest[heading.end() :]
    year = _PAREN_YEAR.match(rest)
    if year is None:
        return _names_first(ctx, authors, et_al, rest, 0.4)
    return _names_first(ctx, authors, et_al, rest[year.end() :], 0.8, year["year"])


# "(2013) " in "Hilgenfeld R, Peiris M (2013) From SARS to MERS ... Antivir Res 100(1):286–295"
_PAREN_YEAR = re.compile(rf"\(\s?(?P<year>{g.YEAR})[a-z]?\s?\)\.?\s?")


def _names_first(
    ctx: _Context,
    authors: Sequence[Author],
    et_al: bool,
    rest: str,
    confidence: float,
    year: str | None = None,
) -> _Reading:
    """A reading of "Title. Container, numbers" after an author list that a style has read.

    The title is the first sentence; the container runs from the next sentence to the first
    comma, digit or parenthesis ("In: " dropped); the numbers are found as the fallback finds them.
    """
    parts = _SENTENCE_END.split(rest.strip(), maxsplit=1)
    title = _strip_title(parts[0])
    after = parts[1] if len(parts) > 1 else ""
    container = _CONTAINER_END.split(after.removeprefix("In: ").removeprefix("In "), maxsplit=1)[0]
    volume, issue, pages = _numbers(after)
    return _Reading(
        confidence,
        _reference(
            ctx,
            year or _any_year(after),
            pages,
            authors=authors,
            et_al=et_al,
            title=title,
            container_title=_strip_container(container),
            volume=volume,
            issue=issue,
        ),
    )


_CONTAINER_END = re.compile(r",\s|\s(?=\d)|\s?\(|\.\s")


# --------------------------------------------------------------------------------------------
# Step 3b: APA and Harvard (author-date)
# --------------------------------------------------------------------------------------------

# "Mehta, P., Cron, R. Q., & Hartwell, J. (2020). " ; "Mehta, P. and Cron, R.Q. (2020) "
_APA_HEAD = re.compile(
    rf"^(?P<authors>[^()]{{1,3000}}?)\s?\(\s?(?P<year>{g.YEAR})[a-z]?(?:,\s?[^()]{{1,30}})?\s?\)"
    rf"[.,:]?\s?"
)
# ", 2(6), e358–e367." ; ", 2(6), pp. e358-e367." ; ", 15, Article e1007887."
_APA_SOURCE = re.compile(
    rf",\s?(?:vol\.\s?)?{g.VOLUME_GROUP}(?:\s?{g.ISSUE_GROUP})?"
    rf"(?:\s?[,:]\s?(?:pp?\.\s?|Article\s)?{g.PAGES_GROUP})?\.?$"
)
_APA_PERSON_SPLIT = re.compile(r"(?<=\.)\s?,\s?(?:&\s?|and\s)?|\s(?:&|and)\s|,\s?&\s")
_APA_PERSON = re.compile(rf"(?P<family>[^,]{{1,100}}?),\s?(?P<given>{g.APA_GIVEN})")
_ET_AL = re.compile(r"^(?:et\.?\s?al\.?|\.\.\.|…|others)$", re.IGNORECASE)


def _apa_authors(text: str) -> tuple[list[Author], bool] | None:
    """Read "Mehta, P., Cron, R. Q., & Hartwell, J."; ``None`` if it is not such a list."""
    authors: list[Author] = []
    et_al = False
    for piece in _APA_PERSON_SPLIT.split(text.strip().rstrip(",")):
        piece = piece.strip(" ,")
        if not piece:
            continue
        if _ET_AL.match(piece):
            et_al = True
            continue
        person = _APA_PERSON.fullmatch(piece)
        if person is None:
            return None
        authors.append(Author(person["family"].removeprefix("& "), person["given"]))
    return (authors, et_al) if authors else None


def _apa(ctx: _Context) -> _Reading | None:
    text, italics = ctx.rest, ctx.italics
    head = _APA_HEAD.match(text)
    if head is None:
        return None
    people = _apa_authors(head["authors"])
    if people is None:
        return None
    authors, et_al = people
    rest = text[head.end() :]
    source = _APA_SOURCE.search(rest)
    if source is not None:
        title, container = _title_and_container(rest[: source.start()], italics)
        volume, issue, pages = source["volume"], source["issue"], source["pages"]
    else:
        title, container = _strip_title(rest), None
        volume = issue = pages = None
    return _Reading(
        0.5 + 0.2 * bool(title) + 0.25 * bool(source),
        _reference(
            ctx,
            head["year"],
            pages,
            authors=authors,
            et_al=et_al,
            title=title,
            container_title=container,
            volume=volume,
            issue=issue,
            kind=_JOURNAL_ARTICLE if container and source else None,
        ),
    )


# --------------------------------------------------------------------------------------------
# Step 3c: IEEE
# --------------------------------------------------------------------------------------------

# 'P. Mehta, R. Q. Cron, and J. Hartwell, "Title," Lancet Rheumatol., vol. 2, ...'
_IEEE_HEAD = re.compile(r'^(?P<authors>[^"]{1,3000}?),?\s?"(?P<title>[^"]{1,2000})"\s?,?\s?')
_IEEE_PERSON_SPLIT = re.compile(r",\s?(?:and\s)?|\sand\s|\s(?=et\.?\sal\b)")
_IEEE_PERSON = re.compile(rf"(?P<given>{g.IEEE_GIVEN})\s?(?P<family>[^\W\d_].{{0,100}})")
_IEEE_VOLUME = re.compile(r"\bvol\.\s?(?P<volume>[\w-]{1,10})")
_IEEE_ISSUE = re.compile(r"\bno\.\s?(?P<issue>[\w-]{1,10})")
_IEEE_PAGES = re.compile(rf"\b(?:pp?\.|Art\.\s?no\.)\s?{g.PAGES_GROUP}")
_IEEE_YEAR = re.compile(rf"(?<!\d)(?P<year>{g.YEAR})(?!\d)")


def _ieee_authors(text: str) -> tuple[list[Author], bool] | None:
    authors: list[Author] = []
    et_al = False
    for piece in _IEEE_PERSON_SPLIT.split(text):
        piece = piece.strip(" ,")
        if not piece:
            continue
        if _ET_AL.match(piece):
            et_al = True
            continue
        person = _IEEE_PERSON.fullmatch(piece)
        if person is None:
            return None
        authors.append(Author(person["family"], person["given"]))
    return (authors, et_al) if authors else None


def _ieee(ctx: _Context) -> _Reading | None:
    text = ctx.rest
    head = _IEEE_HEAD.match(text)
    if head is None:
        return None
    people = _ieee_authors(head["authors"])
    if people is None:
        return None
    authors, et_al = people
    rest = text[head.end() :]
    rest = rest.removeprefix("in ").removeprefix("In ")
    container = _strip_container(rest.split(",", 1)[0]) if "," in rest else None
    volume = _IEEE_VOLUME.search(rest)
    issue = _IEEE_ISSUE.search(rest)
    pages = _IEEE_PAGES.search(rest)
    years = _IEEE_YEAR.findall(rest)
    return _Reading(
        0.55 + 0.2 * bool(volume) + 0.2 * bool(years),
        _reference(
            ctx,
            years[-1] if years else None,
            pages["pages"] if pages else None,
            authors=authors,
            et_al=et_al,
            title=_strip_title(head["title"]),
            container_title=container,
            volume=volume["volume"] if volume else None,
            issue=issue["issue"] if issue else None,
            kind=_JOURNAL_ARTICLE if container and volume else None,
        ),
    )


# --------------------------------------------------------------------------------------------
# Step 3z: fallback
# --------------------------------------------------------------------------------------------

_ANY_YEAR = re.compile(
    rf"(?<![\w./-])(?P<paren>\(\s?)?(?P<year>{g.YEAR})[a-z]?(?(paren)\s?[),;]|(?![\w/]|-\d|–\d))"
)
_ANY_VOLUME_ISSUE_PAGES = re.compile(
    rf"(?<![\w.])(?:vol\.?\s?)?{g.VOLUME_GROUP}\s?(?:{g.ISSUE_GROUP})?\s?[:,]\s?(?:pp?\.\s?)?"
    rf"{g.PAGES_GROUP}"
)
_ANY_VOLUME = re.compile(r"\b(?:vol\.?|volume)\s?(?P<volume>\d{1,5})\b", re.IGNORECASE)
_ANY_ISSUE = re.compile(r"\b(?:no\.|No\s|issue)\s?(?P<issue>\d{1,5})\b", re.IGNORECASE)
_ANY_PAGES = re.compile(rf"\bpp?\.\s?{g.PAGES_GROUP}")


def _any_year(text: str) -> str | None:
    """The year of any text: a parenthesised one if there is one, else the first."""
    first = None
    for match in _ANY_YEAR.finditer(text):
        if match["paren"]:
            return match["year"]
        if first is None:
            first = match["year"]
    return first


_YEAR_ONLY = re.compile(g.YEAR)


def _numbers(text: str) -> tuple[str | None, str | None, str | None]:
    """Volume, issue and pages of any text: "45(4), 376–396", or "vol. 2", "no. 6", "pp. 1-9"."""
    numbers = _ANY_VOLUME_ISSUE_PAGES.search(text)
    if numbers is not None and not _YEAR_ONLY.fullmatch(numbers["volume"]):
        issue = numbers["issue"]
        # "78 (2000), pp. 83–105": the parenthesised number is the year, not an issue.
        return (
            numbers["volume"],
            None if _YEAR_ONLY.fullmatch(issue or "") else issue,
            numbers["pages"],
        )
    volume = _ANY_VOLUME.search(text)
    issue = _ANY_ISSUE.search(text)
    pages = _ANY_PAGES.search(text)
    return (
        volume["volume"] if volume else None,
        issue["issue"] if issue else None,
        pages["pages"] if pages else None,
    )


def _fallback(ctx: _Context) -> _Reading:
    volume, issue, pages = _numbers(ctx.rest)
    return _Reading(0.1, _reference(ctx, _any_year(ctx.rest), pages, volume=volume, issue=issue))


# --------------------------------------------------------------------------------------------
# Step 3d: a generic reader for the many styles that are "authors, [year], title, source"
# --------------------------------------------------------------------------------------------

# The generic reader looks at most at this many characters: no real citation is longer, and
# it bounds the work on hostile input.
_GENERIC_WINDOW = 3000
# PDF-to-text spacing: "Phys.Rev .Lett .96 ,100603 ( 2006)" -> "Phys.Rev.Lett.96,100603 (2006)".
_SPACE_BEFORE = re.compile(r"(?<!\s)\s+(?=[,;)\]]|\.(?!\.))")
_SPACE_AFTER = re.compile(r"(?<=[(\[])\s+")
# A sentence end that lost its space: "Optical roguewaves.Nature 450" -> "... roguewaves. Nature".
_GLUED_STOP = re.compile(r"(?P<word>\b[A-Za-z][a-z]{2,30})\.(?=[A-Z])")
# A comma that lost its space: "the Einstein-Maxwell theory,Trans. Amer. Math. Soc."
_GLUED_COMMA = re.compile(r"(?<=[a-z]),(?=[A-Za-z])")
# Any of the three glues below, found in one pass.
_GLUED_ANY = re.compile(r"[a-z][.,][A-Za-z]|[A-Za-z](?:1[5-9]|20)\d\d[;,.]")
# A year glued to a journal: "Eur Respir J1995;8:1030-1038".
_GLUED_YEAR = re.compile(rf"(?<=[A-Za-z])(?={g.YEAR}[;,.])")
# A list label the cleanup left: "[124] ", "60. ", "(/) ".
_LEAD_LABEL = re.compile(r"^(?:\[[^\[\]]{1,6}\]|\([^()\w]{0,3}\w?\))\s?")

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


# "(2009). " ; "2009. " ; ", 2004a, " ; "(2011, May 3). "
_LEAD_YEAR = re.compile(
    rf"^[.,:;]?\s?(?:\((?P<year>{g.YEAR})[a-z]?(?:,\s?[^()]{{1,30}})?\)|(?P<bare>{g.YEAR})[a-z]?\b)"
    rf"\s?[.,:;]?\s?"
)
# A title in quotes: '"Culture Shopping." New Yorker' ; "“LMI-based ...,” in Decision and".
_QUOTED = re.compile(r"^[\"“'‘](?P<title>[^\"“”]{2,1000}?)[,.]?[\"”'’](?=[\s,.;:]|$)[,.]?\s?")
# A source of abbreviated journal words and its first number, with no title before it:
# "Astropart. Phys. 7 (1997) 263", "J. Phys.: Condens. Matter 23 (2011)", "Nucl. Phys. B 360".
_JOURNAL_ONLY = re.compile(
    r"^[A-Z][a-z]{0,11}\.:?\s?(?:(?:[A-Z][a-z]{0,11}\.|[A-Z]\b),?:?\s?){0,6}"
    r"(?:[A-Z][a-z]{0,11}\s)?(?:[A-Z]\s?)?\(?\d"
)
# A candidate sentence end: ". " (or "? ", "! "), and the word before it.
_BREAK = re.compile(r"(?P<word>[^\s.?!,;:()\"]{0,40})(?P<stop>[.?!])\s(?=\S)")
# Abbreviations that journal names are made of, which a period does not end a sentence after:
# "Biochem. J.", "Tetrahedron Lett. 21", "Nucleic Acids Res.".
_ABBREVIATED_WORDS = """
    Acad Agric Amer Anal Anaesth Anat Ann Anthropol Appl Archaeol Astron Astrophys Aust
    Bacteriol Biochem Biol Biophys Biotechnol Bot Br Brit Bull Can Cardiol Catal Chem Chin Clin
    Commun Comput Conf Curr Dent Dermatol Dev Dis Ecol Econ Educ Electr Electron Endocrinol Eng
    Entomol Environ Epidemiol Eur Evol Exp Gastroenterol Genet Geogr Geol Geophys Gynecol Hepatol
    Hist Hydrol Immunol Infect Inform Inorg Instrum Int Intern Jpn Lett Linguist Manag Mater Math
    Mech Med Mem Meteorol Microbiol Mol Natl Nephrol Neurol Neurosci Nucl Nutr Obstet Oceanogr
    Oncol Ophthalmol Opt Org Paleontol Parasitol Pathol Pediatr Petrol Pharm Pharmacol Philos
    Phys Physiol Polit Polym Proc Psychiatr Psychol Quant Radiol Res Rev Rheumatol Sci Sens Soc
    Sociol Stat Struct Stud Surg Syst Technol Theor Ther Toxicol Trans Urol Vet Virol Zool
    vol pp no eds ed al trans repr rev edn Vol No Eds Ed Inc Ltd Co St Dr Mr Jr Sr vs"""
_ABBREVIATED = frozenset(_ABBREVIATED_WORDS.split())


def _pdf_spacing(text: str) -> str:
    """Undo PDF-to-text spacing: a list label left over, spaces before punctuation, stops,
    commas and years glued to the next word. Each step runs only when its sign is there."""
    if text[:1] in "[(":
        text = _LEAD_LABEL.sub("", text)
    if " ," in text or " ." in text or " ;" in text or " )" in text or " ]" in text:
        text = _SPACE_BEFORE.sub("", text)
    if "( " in text or "[ " in text:
        text = _SPACE_AFTER.sub("", text)
    if _GLUED_ANY.search(text):
        text = _GLUED_STOP.sub(_unglue, text)
        text = _GLUED_COMMA.sub(", ", text)
        text = _GLUED_YEAR.sub(" ", text)
    return text


def _unglue(match: re.Match[str]) -> str:
    """ "roguewaves.Nature" -> "roguewaves. Nature"; "Trans.Amer" stays (an abbreviation)."""
    word = match["word"]
    return f"{word}." if word in _ABBREVIATED else f"{word}. "


def _first_sentence(text: str) -> tuple[str, str | None]:
    """The first sentence of ``text`` and what follows it (``None`` when there is no end).

    A sentence ends at ". " after a word that is not an abbreviation nor an initial: "in pain.
    Nat Med" ends; "J. Am. Chem. Soc. 103" and "Biochem. J." do not. "?" and "!" always end.
    """
    for match in _BREAK.finditer(text):
        word = match["word"]
        letters = word.strip("()[]\"'“”,:;")
        if match["stop"] != ".":
            stop = True
        elif not letters:
            at = match.start("stop")
            # "(Report). Next", "disease.. Palliative Medicine"
            stop = at > 1 and (
                text[at - 1] in ')]"”' or (text[at - 1] == "." and text[at - 2].islower())
            )
        elif letters[-1].isdigit() or letters[-1] in ")]":
            stop = True
        elif letters in _ABBREVIATED or len(letters) == 1:
            stop = False
        elif letters.islower():
            stop = True
        elif match.start("word") == 0 and len(letters) <= 5 and letters[0].isupper():
            stop = False  # "Annu. Rev. Nucl. Part. Sci.", "Helv. Chim. Acta"
        elif (
            len(letters) <= 8
            and letters[1:].islower()
            and text[max(0, match.start("word") - 2) : match.start("word")] == ", "
            and _ABBREVIATION.match(text, match.end()) is not None
        ):
            stop = False  # a journal after the title's comma: "... W-algebras, Adv. Math. 200"
        else:
            before = text[max(0, match.start("word") - 2) : match.start("word")]
            after_abbreviation = before.endswith(".") or before.endswith(". ")
            shortest = 2 if letters.isupper() else 3
            stop = len(letters) >= shortest and not after_abbreviation
        if stop:
            first = text[: match.start("stop")].strip()
            if first:
                return first, text[match.end() :].strip() or None
    return text.strip(), None


# A word of a sentence-case subtitle: "Efficient transfection of T lymphocytes in adult mice".
_LOWER_WORD = re.compile(r"(?<!\S)[a-z][a-z-]{3,30}(?=[\s,;:]|$)")
_DIGIT = re.compile(r"\d")
_FUNCTION_WORDS = frozenset(
    ["with", "from", "into", "over", "under", "upon", "about", "their", "this", "that"]
)


def _with_subtitle(title: str, following: str) -> tuple[str, str]:
    """The title with its subtitle, and the source: "In vivo gene delivery. Efficient
    transfection of T lymphocytes in adult mice. J Biol Chem (1993) 268:16087" reads the title
    through "mice". A sentence is a subtitle, not the source, when a source with a number
    follows it and it is written in sentence case, three or more lower-case words, as journal
    names are not."""
    within = _IN_LATER.search(following, 0, 400) if "n" in following[:400] else None
    if within is not None and not _IN.match(following):
        subtitle = following[: within.start()]
        if not any(c.isdigit() for c in subtitle) and not _SERIAL.search(subtitle):
            # "Flaches Land. Zur Landschaft der pianura. In: Italienisch 66 (2011)"
            return f"{title}. {subtitle}", following[within.start() + 1 :].lstrip()
    if not _DIGIT.search(following) or not _LOWER_WORD.search(following, 0, 200):
        return title, following  # no sentence-case words near: not worth reading the sentence
    subtitle, after = _first_sentence(following)
    if after is None or _IN.match(subtitle) or not any(c.isdigit() for c in after[:120]):
        return title, following
    lower = [w for w in _LOWER_WORD.findall(subtitle) if w not in _FUNCTION_WORDS]
    if len(lower) < 3 or _SERIAL.search(subtitle):
        return title, following
    return f"{title}. {subtitle}", after


_IN = re.compile(r"^(?:In|in)\s?:?\s")
# A chapter's or article's "In" after a sentence end: ". In: ", ". In J. Smith (Ed.)".
_IN_LATER = re.compile(r"[.?!]\s(?=[Ii]n:?\s(?!press\b|print\b)[A-Z])")
# Editors' mark after an author list: "Ewing, David W. (ed.) Long-Range Planning ...",
# "Levinson, David, and Melvin M. Ember, eds. Encyclopedia of ...".
_EDITORS = re.compile(r"^\(?(?:eds?|Eds?|editors?|Hrsg|dir)\.?\)?[.,]?\s?")
# "———." or "---." for the author of the entry above (Chicago, MLA).
_SAME_AUTHOR = re.compile(r"^(?:[-—–_]{2,10})[.,]?\s?")
# A book's imprint in brackets: "Politics, Parties, and Pressure Groups (New York: Crowell, 1964)."
_PAREN_IMPRINT = re.compile(
    rf"\s?\((?:(?P<place>[^():]{{2,60}}):\s?)?(?P<publisher>[^():,]{{2,80}}),\s?(?P<year>{g.YEAR})\s?\)"
)
# "et al., " left after an author list: "Adriani O. et al., Phys. Lett. B, 2 (2011) 128."
_LEFT_ET_AL = re.compile(r"^(?:et\.?\s?al\b\.?|and\sothers\b)[.,]?\s?")
# An organisation as author: "CMS collaboration, Measurement of ...", "WHO. Global report ...".
_ORGANISATION = re.compile(
    r"^(?P<org>(?:The\s)?(?:[A-Z][\w&.'-]{0,30}\s){0,6}"
    r"(?:[Cc]ollaboration|Collab\.|Consortium|Group|Team|Society|Association|Organi[sz]ation"
    r"|Institute|Commission|Committee|Agency|Council|Office|Department|Ministry|Foundation"
    r"|Network|Board|Bureau|Centers?|Centres?)|WHO|UNICEF|OECD|NICE|CDC)(?=[.,:]|\s\()[.,:]?\s?"
)
# The editors of a book a chapter is in: "In: Jones K, editor. The handbook of ...",
# "In: French, B.M. and Short, N.M., eds., Shock Metamorphism ...", "In J. Smith (Ed.), Book".
_IN_EDITORS = re.compile(
    r"^[Ii]n:?\s(?:[^.()]{1,150}?|[^()]{1,150}?)[,\s]\s?\(?(?:[Ee]ditors?|[Ee]ds?|[Hh]rsg)\b\.?\)?"
    r"[.,:]?\s?"
)
# Words that name a serial or a proceedings even where no volume or page follows.
_SERIAL = re.compile(
    r"\b(?:Journal|J\.|Proc\.?|Proceedings|Conference|Conf\.|Symposium|Workshop|Review|Rev\."
    r"|Letters|Lett\.|Transactions|Trans\.|Annals|Ann\.|Bulletin|Bull\.|Magazine|Quarterly"
    r"|Zeitschrift|Revue|Rivista|Acta|Archives?|Science|Nature|Research|Studies)"
)
# A genre or edition in brackets after a title: "(Doctoral dissertation)", "(2nd ed.)".
_GENRE = re.compile(
    r"\s?[\[(](?:[^()\[\]]{0,30}(?:dissertation|thesis|[Rr]eport|[Pp]reprint|ed\.|edition"
    r"|[Ii]n\s[A-Z][a-z]+)[^()\[\]]{0,10})[\])]$"
)
# The first number of a source: "(2017)", "18", "J. Phys. A 39".
_FIRST_NUMBER = re.compile(r"\(?\d")
# Surnames alone before a year (astronomy): "Patz, 1982, Am. J. Opthalmol. 94: 715",
# "Waltman, et al., 1978, Am. J. Ophthal.", "Smith and Jones 2001".
_BARE_NAMES = re.compile(
    rf"^(?P<names>{g.FAMILY}(?:(?:,\s?|\s(?:and|&)\s){g.FAMILY}){{0,5}})"
    rf"(?P<et_al>,?\s?et\.?\s?al\b\.?)?,?\s(?=\(?{g.YEAR}[a-z]?\b)"
)
# Surnames alone with "et al." and no year next: "Beutler, et al., Science 234, 470 (1985)".
_BARE_ET_AL = re.compile(
    rf"^(?P<names>{g.FAMILY}(?:(?:,\s?|\s(?:and|&)\s){g.FAMILY}){{0,2}})"
    rf"(?P<et_al>,?\s?et\.?\s?al\b\.?)[.,]?\s"
)
# Surnames alone before an abbreviated journal: "Shiojima and Walsh, Circ. Res. (2002) 90".
_BARE_BEFORE = re.compile(
    rf"^(?P<names>{g.FAMILY}(?:(?:,\s?|\s(?:and|&)\s){g.FAMILY}){{0,2}})(?P<et_al>(?!))?,\s"
)
_TWO_ABBREVIATIONS = re.compile(r"[A-Z][a-z]{0,11}\.\s?[A-Z]")
_BARE_SPLIT = re.compile(r",\s?|\s(?:and|&)\s")
# A collaboration in brackets after the authors: "M. Ackermann et al. (Fermi-LAT), Phys. Rev."
_GROUP = re.compile(r"^\([^()\d]{1,40}\)[.,]?\s?(?=[A-Z])")
# Who signed for an organisation: "CMS Collab. (S. Chatrchyan et al.), Phys. Lett. B 716".
_NAMED_FOR = re.compile(r"\s?\([^()]{1,80}\bet\.?\sal\.?\)[.,:]?\s?")
# Where the numbers of a source begin, two numbers close together: "Res. 10, 265 (1977)",
# "Phys. Rev. D 11 (1975) 395", "New J. Phys. 18(4)(2016)", "ApJ, 344, 685", ", vol. 39".
_NUMBERS_START = re.compile(
    r"(?=[\s,;:\d])(?:(?:\s?[,;:]\s?|\s)\(?[A-Z]?\d{1,5}(?!\d)[A-Za-z]?\)?\s?[,:;(]?\s?\(?\d"
    r"|,\s?(?:[Vv]ol|pp?|[Nn]o|v)\.|,\s?(?:Issue|Vol|Volume)\s\d|(?<=[A-Za-z])(?=\d{2,5}\s?[,(]))"
)
_CONTAINER_STOP = re.compile(
    rf"(?=[\s,;:.(\d])(?:\s?[,;:]\s?(?=\(?\d|[Vv]ol\b|[Vv]ol\.|pp?\.|[Nn]o\.|pages?\b|{g.MONTH}\s)"
    rf"|\s(?=\d{{1,5}}(?:[^\w\s]|\s(?![A-Z][a-z])|$))|\s?\((?=\d|[Ee]ds?\b|pp?\.)"
    rf"|,\s?v\.\s?(?=\d)"
    rf"|[\s,.;]\s?(?=[VvPpNn])(?:[Vv]ol(?:ume)?|VOL(?:UME)?|[Pp]p|[Pp]ages|[Nn]°|[Nn]o)\.?\s?(?=\d)"
    rf"|[.;,]\s(?=[A-Z][\w.]*(?:\s[A-Z][\w.]*){{0,2}},?(?:\s[A-Z]{{2}})?\s?:)"
    rf"|,\s(?:[Vv]ol(?:ume)?|pp|[Nn]o)\b|,\s(?:edited|translated|trans\.|ed\.)\s"
    rf"|\.\s?$|(?<=[A-Za-z])(?=\d{{2,5}}\b)|(?<=[a-z]\.)(?=\d{{1,5}}\b))",
)
# A publisher or a place after the container's name: "In Proceedings of the 6th ...
# Conference, Portland, OR, April 1991", "In Computer Aided Geometric Design, Academic Press,
# New York", "Orality and literature, New York 1991".
_PLACE_AFTER = re.compile(
    r",\s(?:(?:[A-Z][\w&-]*\s){0,5}(?:Press|Publishers?|Publishing|Verlag|Books|Company|Corp)\b"
    r"|[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2},\s[A-Z]{2}\b\.?|(?:ACM|IEEE|SPIE|AIP)(?:\sPress)?(?=,|$)"
    r"|[A-Z][a-z]+(?:[\s-][A-Z][a-z]+){0,2}\s(?:1[5-9]|20)\d\d\b)"
)
_PUBLISHER = re.compile(
    r"(?:^|[.,]\s)(?P<place>[A-Z][^.,:;()]{1,40}(?:,\s[A-Z]{2})?)\s?:\s?(?P<publisher>[^.,;()]{2,80})"
    r"|\b(?P<press>(?:[A-Z][\w&-]*\s){0,5}(?:Press|Publishers?|Publishing|Verlag|Books))\b"
)
# A source that is not a container: a report series and number ("Technical Report
# CS-TR-317-91, Princeton University", "Pomona, New Jersey, Tech. Rep."), a count of volumes
# ("Encyclopedia of Cultural Anthropology. 4 vols. New York").
_NOT_CONTAINER = re.compile(
    r"(?:^|,\s)(?:Technical\s[Rr]eport|Tech\.\s?[Rr]ep\b|Research\s[Rr]eport|Working\s[Pp]aper)"
    r"(?!\sSeries)|^\d{1,3}\s?vols?\b"
)
# A publisher after the title's comma: "Smalltown: A Study ..., Oxford University Press, Melbourne".
_TITLE_PRESS = re.compile(
    r",\s(?P<press>(?:[A-Z][\w&.-]*\s(?:of\s)?){0,5}(?:Press|Publishers|Publishing|Verlag)\b)(?=\s?[,.;(]|$)"
)
_BOOK_WORDS = re.compile(r"\b(?:Press|Publishers?|Publishing|Verlag|ed\.|edn|edition)\b")
_THESIS = re.compile(r"\b(?:Ph\.?\s?D|thesis|Thèse|Dissertation|Master'?s)\b", re.IGNORECASE)
_REPORT = re.compile(r"\b(?:Technical\sReport|Tech\.\sRep|Report|Working\sPaper)\b")
_PREPRINT = re.compile(r"\b(?:arXiv|bioRxiv|medRxiv|preprint|hep-\w{2}/\d)", re.IGNORECASE)
_PROCEEDINGS = re.compile(r"\b(?:Proc\.?|Proceedings|Conference|Conf\.|Symposium|Workshop)\b")

# "63: 736-750", "272:C1482-C1491", "2(6):e358-e367", "12 (3): 45"
_COMPACT = re.compile(
    rf"(?<![\w.])(?P<volume>[A-Z]?\d{{1,5}}[A-Za-z]?)\s?(?:\((?P<issue>[^()]{{1,15}})\))?\s?:\s?"
    rf"{g.PAGES_GROUP}"
)
# A number, a range, or a parenthesised number, as the generic reader sees the source:
# "16", "1267-1276", "(5465)", "C34", "e1007887".
_NUMBER = re.compile(
    rf"(?:(?P<paren>\()\s?|(?<![\w/-])(?<!\d\.))(?P<number>[A-Za-z]{{0,2}}\d{{1,8}}[A-Za-z]?"
    rf"(?:\s?{g.DASH}\s?[A-Za-z]{{0,2}}\d{{1,8}}[A-Za-z]?)?)(?(paren)\s?\))(?![\w/])"
)
_MONTH_BEFORE = re.compile(rf"{g.MONTH}\s?$")
_SERIES_VOLUME = re.compile(r"[A-Z]\d{2,}$")
# A number that is part of a name: "SIGPLAN 91 Conference", "CHI '95. ACM".
_NAMED_NUMBER = re.compile(r"\s[A-Z][a-z]")
_MONTH_AFTER = re.compile(rf"\s?{g.MONTH}")
# The length of a book after its number: "406 p.", "272 pp.", "218 p. (Sup' Foucher)".
_PAGE_COUNT = re.compile(r"\s?pp?\b(?!\.?\s?\d)")


def _next_to_month(text: str, match: re.Match[str]) -> bool:
    """Whether a number is a day: "15 Feb. 1993", "December 12, 1992"."""
    before = text[max(0, match.start() - 10) : match.start()]
    return bool(_MONTH_BEFORE.search(before) or _MONTH_AFTER.match(text, match.end()))


def _generic_numbers(text: str) -> tuple[str | None, str | None, str | None]:
    """Volume, issue and pages of a source in any order-based style.

    Explicit labels win ("vol. 39, no. 9, pp. 1175-1185"); then the compact "63(2): 736-50";
    else the numbers in order, years and days of months left out: a range is the pages, the
    number before it the volume, a parenthesised number after the volume the issue.
    """
    lower = text.lower()
    volume = _ANY_VOLUME.search(text) if "vol" in lower else None
    issue = _ANY_ISSUE.search(text) if "no." in lower or "issue" in lower else None
    pages = _ANY_PAGES.search(text) if "p." in lower or "pp" in lower else None
    compact = _COMPACT.search(text) if ":" in text else None
    if compact is not None and issue is not None and compact.start() <= issue.end() + 1:
        # "2, no. 6 (2020): e358-67": the compact's "volume" is the labelled issue.
        pages = pages or compact
        compact = None
    if compact is not None and not _YEAR_ONLY.fullmatch(compact["volume"]):
        return (
            volume["volume"] if volume else compact["volume"],
            issue["issue"] if issue else compact["issue"],
            pages["pages"] if pages else compact["pages"],
        )
    found_volume = volume["volume"] if volume else None
    found_issue = issue["issue"] if issue else None
    found_pages = pages["pages"] if pages else None
    taken = [m.span() for m in (volume, issue, pages) if m is not None]
    plain: list[tuple[str, bool]] = []
    months = _MONTH_AFTER.search(text) is not None
    for match in _NUMBER.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        number = match["number"]
        if _YEAR_ONLY.fullmatch(number) or (months and _next_to_month(text, match)):
            continue
        if match["paren"] is None and _NAMED_NUMBER.match(text, match.end()):
            continue
        if "p" in text and _PAGE_COUNT.match(text, match.end()):
            continue  # "New York University Press, 2003, 406 p.": a book's length
        plain.append((number, match["paren"] is not None))
    for index, (number, paren) in enumerate(plain):
        ranged = bool(_PAGE_SPLIT.search(number))
        if ranged or (found_volume and not paren):
            found_pages = found_pages or number
            break
        if paren:
            if found_volume and not found_issue:
                found_issue = number
            continue
        if found_volume is None:
            following = plain[index + 1 :]
            if not following and not pages and (len(number) >= 4 or not number[0].isdigit()):
                found_pages = number
                break
            found_volume = number
    if found_volume and _SERIES_VOLUME.match(found_volume):
        found_volume = found_volume[1:]  # "Phys. Rev. D94": the series letter is the journal's
    return found_volume, found_issue, found_pages


def _generic(ctx: _Context) -> _Reading | None:
    text = ctx.rest[:_GENERIC_WINDOW]
    same = _SAME_AUTHOR.match(text)
    if same is not None:
        text = text[same.end() :]
    organisation = _ORGANISATION.match(text)
    authors, et_al, end = _generic_authors(text) if organisation is None else ([], False, 0)
    if not authors and organisation is not None:
        authors = [Author(organisation["org"], organisation=True)]
        end = organisation.end()
        named = _NAMED_FOR.match(text, end)
        if named is not None:
            end = named.end()
    if not authors:
        bare = _BARE_NAMES.match(text) or _BARE_ET_AL.match(text)
        if bare is None:
            bare = _BARE_BEFORE.match(text)
            tail = text[bare.end() :] if bare is not None else ""
            if not (_JOURNAL_ONLY.match(tail) and _TWO_ABBREVIATIONS.match(tail)):
                bare = None
        if bare is not None:
            authors = [Author(name) for name in _BARE_SPLIT.split(bare["names"]) if name]
            et_al, end = bare["et_al"] is not None, bare.end()
    rest = text[end:].lstrip(" .,;:")
    left = _LEFT_ET_AL.match(rest)
    if left is not None:
        et_al = True
        rest = rest[left.end() :]
    if authors:
        group = _GROUP.match(rest)
        if group is not None:
            rest = rest[group.end() :]
    editors = _EDITORS.match(rest) if authors else None
    if editors is not None:
        rest = rest[editors.end() :]
    imprint = _PAREN_IMPRINT.search(rest)
    if imprint is not None:
        rest = rest[: imprint.start()] + rest[imprint.end() :]
    lead = _LEAD_YEAR.match(rest)
    year = None
    if lead is not None:
        year = lead["year"] or lead["bare"]
        rest = rest[lead.end() :]
    title = container = publisher = kind = None
    quoted = _QUOTED.match(rest)
    if _JOURNAL_ONLY.match(rest):
        source = rest  # "I. Belolaptikov et al. Astropart. Phys. 7 (1997) 263.": no title
    elif quoted is not None:
        title = quoted["title"]
        source = rest[quoted.end() :]
    else:
        first, following = _first_sentence(rest)
        numbers = _NUMBERS_START.search(first)
        if numbers is not None:
            # No sentence end between the title and the source: "Title, Journal 12, 34 (2001)".
            pre = first[: numbers.start()]
            if "," in pre:
                title = pre.rsplit(",", 1)[0]
                source = rest[len(title) + 1 :]
            else:
                source = rest
        elif following is not None or not any(c.isdigit() for c in first):
            title, source = _with_subtitle(first, following) if following else (first, "")
        else:
            # "Title, Math. Res. Lett. (2017).": the title ends at the last comma before the
            # first number, if what precedes it is long enough to be a title.
            digit = _FIRST_NUMBER.search(first)
            pre = first[: digit.start()] if digit else first
            head = pre.rsplit(",", 1)[0] if "," in pre else ""
            if head.count(" ") >= 2:
                title, source = head, rest[len(head) + 1 :]
            else:
                source = rest
    chapter = _IN_EDITORS.match(source)
    if chapter is not None:
        source = source[chapter.end() :]
        kind = "book-chapter"
    source_was_in = _IN.match(source) is not None
    source = _IN.sub("", source)
    cut = _CONTAINER_STOP.search(source)
    candidate = (source[: cut.start()] if cut else source).strip(" .,;:")
    volume, issue, pages = _generic_numbers(source)
    press = None if volume else _PUBLISHER.search(source)
    if candidate and title is not None and _NOT_CONTAINER.search(candidate):
        if candidate[:1] in "TtRrW" or "Rep" in candidate:
            kind = "report"  # "Technical Report TR-96-66, University of Massachusetts"
    elif candidate and (
        volume
        or pages
        or (chapter is not None or source_was_in or _SERIAL.search(candidate))
        or (title is None and not press and not _BOOK_WORDS.search(candidate))
    ):
        container = candidate
        place = _PLACE_AFTER.search(candidate) if ", " in candidate else None
        if place is not None:
            container = candidate[: place.start()]
    elif candidate and title is not None and kind is None and not _THESIS.search(candidate):
        # "Title. Place: Publisher, Year." or "Title, Publisher, Place 1983": a book.
        kind = "book"
        publisher = (press["publisher"] or press["press"]) if press else candidate
    thesis = _THESIS.match(title) if title is not None else None
    if title is not None and thesis is not None:
        # "J. E. O'Brien. Thèse, Harvard University, Cambridge, MA. 1972."
        publisher = title[thesis.end() :].strip(" ,.") or None
        title, kind = None, "thesis"
    if title is not None and quoted is None and ", " in title:
        house = _TITLE_PRESS.search(title)
        if house is not None and house.start() > 0:
            # "The Godel Programming Language, MIT Press, Cambridge, Mass., 1994": a book.
            publisher = publisher or house["press"]
            title, kind = title[: house.start()], kind or "book"
    if title is not None:
        genre = _GENRE.search(title)
        if genre is not None:
            title = title[: genre.start()]
            if _THESIS.search(genre[0]):
                kind = "thesis"
    if year is None:
        year = _any_year(source) or _any_year(rest) or (imprint["year"] if imprint else None)
    if imprint is not None:
        publisher = imprint["publisher"]
        kind = "book" if container is None else "book-chapter"
    elif press is not None and not volume:
        publisher = press["publisher"] or press["press"]
        kind = "book" if container is None else "book-chapter"
    lower = rest.lower()
    if kind == "thesis":
        publisher, container = publisher or (container and candidate), None
    elif ("thes" in lower or "diss" in lower or "ph" in lower) and _THESIS.search(rest):
        kind = "thesis"
        publisher, container = publisher or (container and candidate), None
    elif (
        not volume
        and ("rxiv" in lower or "print" in lower or "hep-" in lower)
        and _PREPRINT.search(rest)
    ):
        kind, publisher = "posted-content", None
    elif kind is None and container and _PROCEEDINGS.search(container):
        kind = "proceedings-article"
    elif kind is None and "Rep" in source and _REPORT.search(source):
        kind = "report"
    elif kind is None and container and (volume or pages):
        kind = _JOURNAL_ARTICLE
    if title is not None and container is not None and not authors and not year:
        return None
    confidence = 0.55 + 0.15 * bool(authors) + 0.1 * bool(title) + 0.1 * bool(volume or pages)
    return _Reading(
        confidence,
        _reference(
            ctx,
            year,
            pages,
            authors=authors,
            et_al=et_al,
            title=_strip_title(title),
            container_title=_strip_container(container),
            volume=volume,
            issue=issue,
            kind=kind,
            publisher=_strip_container(publisher),
        ),
    )


# Words that may join the capitalised words of a journal's name: "Huisarts en Wetenschap".
_JOINING = frozenset(["of", "and", "the", "for", "in", "on", "de", "la", "du", "des", "en", "&"])


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


_Recogniser = Callable[[_Context], _Reading | None]

# A reading this confident ends the search.
_SURE = 0.85

# Tried in order; the most confident reading wins, the earlier one on a tie, and a reading of
# full confidence ends the search. The fallback reads what none of them reads.
_RECOGNISERS: tuple[_Recogniser, ...] = (_vancouver, _generic, _apa, _ieee)


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
    ctx = _Context(text, _pdf_spacing(ids.rest), clean.italics, ids)
    best: _Reading | None = None
    for recognise in _RECOGNISERS:
        reading = recognise(ctx)
        if reading is not None and (best is None or reading.confidence > best.confidence):
            best = reading
            if best.confidence >= _SURE:
                break
    reference = (best or _fallback(ctx)).reference
    if (
        reference.title is None
        and reference.container_title
        and reference.authors
        and (reference.volume or reference.pages)
    ):
        split = _run_on_title(reference.container_title)
        if split is not None:
            reference = attrs.evolve(reference, title=split[0], container_title=split[1])
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
            return attrs.evolve(reference, kind="posted-content", container_title=name)
    return reference


# "arXiv:1901.01234", "bioRxiv 2020.01.01.123456", "medRxiv".
_ARCHIVE = re.compile(r"\b(?:arxiv|biorxiv|medrxiv|chemrxiv)\b", re.IGNORECASE)
_ARCHIVES = {"arxiv": "arXiv", "biorxiv": "bioRxiv", "medrxiv": "medRxiv", "chemrxiv": "ChemRxiv"}


def clean_citation(text: str) -> str:
    """The citation as the recognisers see it: markup, escapes, odd characters, list label,
    DOI, URL and PMID taken away ("*Lancet* 2020; **2**: e393. doi:10.1/x" ->
    "Lancet 2020; 2: e393")."""
    return _identifiers(_cleanup(text).text).rest


def page_ends(pages: str | None) -> tuple[str | None, str | None]:
    """The first and last page of a printed range: "e358–67" -> ("e358", "e367")."""
    return _page_ends(pages)
