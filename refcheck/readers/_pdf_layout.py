"""The layout of a PDF's text: from positioned glyphs to reference entries. Pure.

:mod:`refcheck.readers.pdf` reads each page's glyphs (their text, box, font size and weight)
and link annotations with pypdfium2; everything after that is here, and does no I/O:

1. **Rows.** Glyphs are joined into fragments in the order the page draws them, split where
   the baseline changes, the pen moves back, or a gap is wider than a word space; a space is
   put where the gap between two glyphs is one (a PDF often draws none). Ligatures are
   expanded, soft hyphens dropped, spacing accents drawn over a letter combined with it.
2. **Clean-up.** Running headers and footers (a text that recurs near the top or bottom of
   several pages, digits aside), page numbers, and line numbers (digit-only fragments outside
   the text block, as ``lineno`` and review templates print them) are removed.
3. **Columns.** A page whose narrow fragments leave an empty vertical strip near the middle
   is read column by column; a fragment that crosses the strip (a title, a wide figure)
   divides the page into bands, each read left column first. Fragments on one baseline of
   one column form a row.
4. **Headings.** A row that is only a reference-list heading ("References", "Bibliography",
   "Literatur", "Références", "参考文献"...) and stands out by its layout (larger or bold
   type, capitals, space above) starts a list; the list ends at the next section heading
   (larger or bold type, or "Appendix", "Supplementary material", "Biographies"...), at a
   wide vertical gap, or where the numbering stops.
5. **Entries.** A numbered list ("[12]", "12.", "12", "(12)", a superscript 12) is split where
   the next number starts a row; an author-date list by its hanging indent (a row that starts
   at the column's left edge starts an entry, an indented one continues it), else by a first
   line indent or the space between entries. Rows are joined with their line-end hyphens
   repaired: "hetero-" + "geneity" becomes "heterogeneity", "Als-" + "Nielsen" keeps its
   hyphen, as does a word the document also prints hyphenated; a URL or DOI broken over two
   rows is joined without a space.
"""

from __future__ import annotations

import itertools
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

import attrs

__all__ = [
    "Entry",
    "Glyph",
    "Link",
    "Page",
    "Row",
    "extract_entries",
    "page_rows",
]


@attrs.frozen(slots=True)
class Glyph:
    """One character drawn on a page: its text and box (points, from the top left corner),
    its font size, and whether its font is bold."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool = False


@attrs.frozen(slots=True)
class Link:
    """A link annotation: its box on the page (points, from the top left) and its URI."""

    x0: float
    top: float
    x1: float
    bottom: float
    uri: str


@attrs.frozen(slots=True)
class Page:
    """A page: its number (1-based), size in points, glyphs in drawing order, and links."""

    number: int
    width: float
    height: float
    glyphs: tuple[Glyph, ...]
    links: tuple[Link, ...] = ()


@attrs.define(slots=True)
class _Fragment:
    glyphs: list[Glyph]
    x0: float
    top: float
    x1: float
    bottom: float
    text: str = ""

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


@attrs.frozen(slots=True)
class Row:
    """One line of text of one column, in reading order.

    ``line`` is the row's 1-based number on its page; ``left`` and ``right`` bound the column
    it is in; ``size`` is its median font size; ``bold`` the share of its letters in bold;
    ``label`` a superscript number that starts it ("12"), else ``""``.
    """

    page: int
    line: int
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: float
    left: float
    right: float
    column: int
    label: str = ""


@attrs.frozen(slots=True)
class Entry:
    """A reference entry: its text (label removed), its label ("12", "" when unnumbered), the
    list it belongs to (0, 1...), where it starts (page, row of the page, box of its first
    row: x0, top, x1, bottom in points from the top left) and the DOIs its links point to."""

    text: str
    label: str
    list_index: int
    page: int
    line: int
    box: tuple[float, float, float, float]
    link_dois: tuple[str, ...] = ()


# --- 1. glyphs to fragments ------------------------------------------------------------------

_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
    "\u0132": "IJ",
    "\u0133": "ij",
}
#: Spacing accents and the combining mark each stands for, when drawn over a letter.
_ACCENTS = {
    "\u00b4": "\u0301",
    "`": "\u0300",
    "\u00a8": "\u0308",
    "\u02c6": "\u0302",
    "^": "\u0302",
    "\u02dc": "\u0303",
    "~": "\u0303",
    "\u00b8": "\u0327",
    "\u02c7": "\u030c",
    "\u02d8": "\u0306",
    "\u02d9": "\u0307",
    "\u02da": "\u030a",
    "\u02dd": "\u030b",
    "\u02db": "\u0328",
    "\u00af": "\u0304",
}
_SOFT_HYPHEN = "\u00ad"
_HYPHENS = "-\u2010\u2011\u00ad\x02"
_SPACES = " \t\u00a0\u2002\u2003\u2009\u202f"


#: Letters drawn without their dot, to be accented ("ı" + "´" is "í").
_DOTLESS = {"\u0131": "i", "\u0237": "j"}


def _accented(letter: str, mark: str) -> str:
    return unicodedata.normalize("NFC", _DOTLESS.get(letter, letter) + mark)


def _combine_accents(glyphs: list[Glyph]) -> list[Glyph]:
    """Spacing accents drawn over a neighbouring letter become that letter's combining mark
    (TeX's ``\\'e`` is often an acute and an "e" drawn over each other)."""
    out: list[Glyph] = []
    i = 0
    while i < len(glyphs):
        g = glyphs[i]
        mark = _ACCENTS.get(g.text)
        if mark is not None:
            centre = (g.x0 + g.x1) / 2
            after = glyphs[i + 1] if i + 1 < len(glyphs) else None
            if (
                after is not None
                and after.text.isalpha()
                and after.x0 - 0.5 <= centre <= after.x1 + 0.5
            ):
                out.append(attrs.evolve(after, text=_accented(after.text, mark)))
                i += 2
                continue
            before = out[-1] if out else None
            if (
                before is not None
                and before.text.isalpha()
                and before.x0 - 0.5 <= centre <= before.x1 + 0.5
            ):
                out[-1] = attrs.evolve(before, text=_accented(before.text, mark))
                i += 1
                continue
        out.append(g)
        i += 1
    return out


#: The least gap between two glyphs (in ems) that is a space between words: tightly set
#: reference lists (the Royal Society's) space words by 0.16 em, and letters are set closer
#: than 0.1 em.
_WORD_SPACE = 0.13


def _accents_in_place(glyphs: Sequence[Glyph]) -> list[Glyph]:
    """A spacing accent drawn between two letters that follow each other on one baseline, but
    whose box lies away from both (some publishers' fonts measure it wrong: "Vaiciulyt", "ˇ"
    twenty points back, "e"), is put over the letter after it, so that it accents that one."""
    out = list(glyphs)
    for i in range(1, len(out) - 1):
        accent, before, after = out[i], out[i - 1], out[i + 1]
        if accent.text not in _ACCENTS or not (before.text.isalpha() and after.text.isalpha()):
            continue
        size = max(after.size, 1.0)
        level = abs(before.bottom - after.bottom) < 0.2 * size
        adjacent = abs(after.x0 - before.x1) < 0.3 * size
        astray = accent.x1 < before.x0 - 0.5 * size or accent.x0 > after.x1 + 0.5 * size
        if level and adjacent and astray:
            out[i] = attrs.evolve(accent, x0=after.x0, x1=after.x1)
    return out


def _fragments(page: Page) -> list[_Fragment]:
    """Glyphs joined in drawing order into runs on one baseline (see the module's step 1).
    Glyphs more than four times the page's usual size (a watermark) are left out."""
    sizes = sorted(g.size for g in page.glyphs if g.text.strip())
    usual = sizes[len(sizes) // 2] if sizes else 0.0
    fragments: list[_Fragment] = []
    current: list[Glyph] = []
    spaced = False
    texts: list[str] = []
    overhang = 0.0  # how far an italic "f"'s box reaches back over the glyph before it

    def close() -> None:
        nonlocal current, texts
        if current:
            text = "".join(texts).strip()
            if text:
                fragments.append(
                    _Fragment(
                        current,
                        min(g.x0 for g in current),
                        min(g.top for g in current),
                        max(g.x1 for g in current),
                        max(g.bottom for g in current),
                        text,
                    )
                )
        current, texts = [], []

    for glyph in _accents_in_place(page.glyphs):
        ch = glyph.text
        if ch in "\r\n":
            continue
        if ch in _SPACES or not ch.strip():
            spaced = True
            continue
        if (glyph.x1 <= glyph.x0 and glyph.bottom <= glyph.top) or (
            usual and glyph.size > 4 * usual
        ):
            continue
        if current:
            last = current[-1]
            size = max(last.size, glyph.size, 1.0)
            overlap = min(last.bottom, glyph.bottom) - max(last.top, glyph.top)
            smaller = min(last.bottom - last.top, glyph.bottom - glyph.top) or 1.0
            # An italic "f" (a box wider than its advance) reaches as far over the gap after
            # it as it reaches back over the glyph before it: "of the", not "ofthe".
            gap = glyph.x0 - (last.x1 - overhang)
            # A ligature's letters share one box: going back to the last glyph's start is not
            # going back.
            back = glyph.x0 < last.x0 - 0.5 and gap < -0.6 * size
            # A change of type size across a gap: a line number beside its line.
            resized = gap > 0.4 * size and not 0.8 < last.size / max(glyph.size, 0.1) < 1.25
            if overlap < 0.3 * smaller or back or resized or gap > 0.9 * size:
                close()
                spaced = False
            elif spaced or gap > _WORD_SPACE * size:
                texts.append(" ")
        overhang = 0.0
        if current and ch == "f":
            last = current[-1]
            if last.x0 < glyph.x0:
                overhang = min(max(0.0, last.x1 - glyph.x0), 0.25 * max(glyph.size, 1.0))
        spaced = False
        current.append(glyph)
        texts.append(_LIGATURES.get(ch, ch))
    close()
    for fragment in fragments:
        combined = _combine_accents(fragment.glyphs)
        if len(combined) != len(fragment.glyphs):
            fragment.text = _glyph_text(combined)
            fragment.glyphs = combined
    return fragments


def _glyph_text(glyphs: Sequence[Glyph]) -> str:
    parts: list[str] = []
    for last, glyph in zip([None, *glyphs[:-1]], glyphs, strict=False):
        if last is not None and glyph.x0 - last.x1 > _WORD_SPACE * max(last.size, glyph.size, 1.0):
            parts.append(" ")
        parts.append(_LIGATURES.get(glyph.text, glyph.text))
    return "".join(parts)


# --- 2. headers, footers, page and line numbers ------------------------------------------------

_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-–—]?\s*(?:\d{1,4}|[ivxlcdm]{1,7})\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_BAND = 0.12  # the share of the page height at the top and bottom where headers live


def _in_band(fragment: _Fragment, page: Page) -> bool:
    return fragment.bottom < page.height * _BAND or fragment.top > page.height * (1 - _BAND)


def _band_rows(page: Page, frags: Sequence[_Fragment]) -> list[tuple[str, list[int]]]:
    """The rows of fragments in a page's top and bottom bands: each row's text, digits as
    "#" (so that page numbers do not tell pages apart), and its fragments' indices."""
    rows: list[tuple[float, list[int]]] = []
    for i in sorted(
        (i for i, f in enumerate(frags) if _in_band(f, page)), key=lambda i: frags[i].middle
    ):
        if rows and abs(frags[i].middle - rows[-1][0]) < 2.5:
            rows[-1][1].append(i)
        else:
            rows.append((frags[i].middle, [i]))
    keyed = []
    for _, members in rows:
        members.sort(key=lambda i: frags[i].x0)
        text = " ".join(frags[i].text for i in members)
        keyed.append((_DIGITS.sub("#", text.casefold()), members))
    return keyed


def _apart(
    frags: Sequence[_Fragment],
    members: Sequence[int],
    rows: Sequence[tuple[str, list[int]]],
    n: int,
    page: Page,
) -> bool:
    """Whether a row of a band is the page's first or last and stands apart from the text (a
    gap of more than its height): a header or footer printed on one page only."""
    top = min(frags[i].top for i in members)
    bottom = max(frags[i].bottom for i in members)
    height = bottom - top
    others = [f for i, f in enumerate(frags) if i not in members]
    if not others or sum(len(frags[i].text) for i in members) > 120:
        return False
    if bottom < page.height / 2:
        if any(f.top < top for f in others):
            return False
        below = min((f.top for f in others if f.top >= bottom - 1), default=page.height)
        return below - bottom > 1.2 * height
    if any(f.bottom > bottom for f in others):
        return False
    above = max((f.bottom for f in others if f.bottom <= top + 1), default=0.0)
    return top - above > 1.2 * height


def _furniture(pages: Sequence[Page], fragments: Sequence[list[_Fragment]]) -> list[set[int]]:
    """For each page, the indices of its fragments that are headers, footers, page numbers or
    line numbers."""
    bands = [_band_rows(page, frags) for page, frags in zip(pages, fragments, strict=False)]
    key_pages: dict[str, set[int]] = {}
    for page, rows in zip(pages, bands, strict=False):
        for key, _ in rows:
            key_pages.setdefault(key, set()).add(page.number)
    repeated = {key for key, numbers in key_pages.items() if len(numbers) >= 2}
    removed: list[set[int]] = []
    for page, frags, rows in zip(pages, fragments, bands, strict=False):
        gone: set[int] = set()
        for n, (key, members) in enumerate(rows):
            if key in repeated or _apart(frags, members, rows, n, page):
                gone.update(members)
        highest = min((f.top for f in frags), default=0.0)
        lowest = max((f.bottom for f in frags), default=0.0)
        for i, fragment in enumerate(frags):
            if (
                _PAGE_NUMBER.match(fragment.text)
                and (
                    fragment.top <= min(highest + 2, page.height * 0.2)
                    or fragment.bottom >= max(lowest - 2, page.height * 0.8)
                )
                and not any(
                    abs(other.middle - fragment.middle) < 2.5
                    for other in frags
                    if other is not fragment
                )
            ):
                gone.add(i)
        gone |= _line_numbers(frags)
        removed.append(gone)
    return removed


def _line_numbers(frags: Sequence[_Fragment]) -> set[int]:
    """Digit-only fragments in a margin: outside the block that the page's other text fills,
    at one x position, five or more of them (``lineno``, review templates)."""
    text = [f for f in frags if not f.text.isdigit() and len(f.text) > 3]
    if len(text) < 5:
        return set()
    lefts = sorted(f.x0 for f in text)
    rights = sorted(f.x1 for f in text)
    # A tenth of the page's text may stick out of the block (footers, wide captions).
    left = lefts[len(lefts) // 10]
    right = rights[-1 - len(rights) // 10]
    groups: dict[int, list[int]] = {}
    for i, f in enumerate(frags):
        if f.text.isdigit() and len(f.text) <= 5 and (f.x1 < left - 1.5 or f.x0 > right + 1.5):
            groups.setdefault(round(f.x1 / 3), []).append(i)
    return {i for members in groups.values() if len(members) >= 5 for i in members}


# --- 3. columns and rows --------------------------------------------------------------------


def _split(page: Page, frags: Sequence[_Fragment]) -> float | None:
    """The x of the gutter of a two-column page, or ``None`` for a one-column page.

    The gutter is the x near the middle that the fewest fragments cross; the page has two
    columns when at most a quarter of its fragments cross it (titles, author lists, wide
    figures) and a few lie wholly on each side.
    """
    text = [f for f in frags if len(f.text) > 2]
    if len(text) < 8:
        return None
    width = int(page.width) + 1
    coverage = [0] * width
    for f in text:
        for x in range(max(0, int(f.x0)), min(width, int(f.x1) + 1)):
            coverage[x] += 1
    low, high = int(page.width * 0.3), int(page.width * 0.7)
    least = min(coverage[low : high + 1])
    if least > 0.25 * len(text):
        return None
    runs: list[tuple[int, int]] = []
    for x in range(low, high + 1):
        if coverage[x] == least:
            if runs and runs[-1][1] == x - 1:
                runs[-1] = (runs[-1][0], x)
            else:
                runs.append((x, x))
    # Of the widest runs (labels hanging into the gutter can leave two), the one nearest the
    # page's middle.
    widest = max(run[1] - run[0] for run in runs)
    wide = [run for run in runs if run[1] - run[0] >= min(3, widest)]
    start, stop = min(wide, key=lambda run: abs((run[0] + run[1]) / 2 - page.width / 2))
    middle = (start + stop) / 2
    left = [f for f in text if f.x1 <= middle]
    right = [f for f in text if f.x0 >= middle]
    if min(len(left), len(right)) < max(2, 0.05 * len(text)):
        return None
    # Columns of text fill their width: rows of the left column end near the gutter, and
    # rows of the right one start near it (a centred figure beside a heading does not).
    if (
        sum(1 for f in left if f.x1 > start - 25) < 2
        or sum(1 for f in right if f.x0 < stop + 25) < 2
    ):
        return None
    return middle


def _band(
    band: dict[int, list[_Fragment]], *, before_wide: bool
) -> list[list[tuple[int, list[_Fragment]]]]:
    """A two-column band: its left column, then its right one. When a full-width block
    follows, a row or two at the foot of the left column below everything in the right one
    (the heading of that block: "References" over a full-width list) are read after the
    right column."""
    if len(band) != 2:
        return [sorted(band.items())]
    left, right = band[0], band[1]
    below = _heading_band(left, right)
    if below is not None:
        above = [
            [(0, [f for f in left if f.top < below]), (1, [f for f in right if f.top < below])]
        ]
        rest = {0: [f for f in left if f.top >= below], 1: [f for f in right if f.top >= below]}
        return above + _band(rest, before_wide=before_wide)
    if not right or not left or not before_wide:
        return [[(0, left), (1, right)]]
    cutoff = max(f.bottom for f in right) + 1
    tail = [f for f in left if f.top > cutoff]
    if not tail or len(tail) == len(left) or len({round(f.top) for f in tail}) > 2:
        return [[(0, left), (1, right)]]
    head = [f for f in left if f.top <= cutoff]
    return [[(0, head), (1, right)], [(0, tail)]]


def _heading_band(left: Sequence[_Fragment], right: Sequence[_Fragment]) -> float | None:
    """Where a reference list starts a band of its own across both columns: a reference
    heading in the left column with a gap in the right column beside it, text above and below
    (Frontiers: the body's two columns end, then the list's two columns begin). The y from which
    the lower band starts, else ``None``."""
    for heading in left:
        if _heading_text(heading.text) not in _HEADINGS:
            continue
        y = heading.top - 2
        above = [f for f in right if f.top < y]
        under = [f for f in right if f.top >= y]
        if not above or not under or any(f.bottom > y for f in above):
            continue
        over = [f for f in left if f.bottom <= y]
        if not over or heading.top - max(f.bottom for f in over) < 0.5 * heading.height:
            continue  # a heading has space above it; "references." ending a paragraph has not
        if min(f.top for f in under) - heading.top > 3 * heading.height:
            continue  # the lower band starts level in both columns
        heights = sorted(f.height for f in right)
        if (
            min(f.top for f in under) - max(f.bottom for f in above)
            < 1.5 * heights[len(heights) // 2]
        ):
            continue
        return y
    return None


def _three(page: Page, frags: Sequence[_Fragment]) -> tuple[float, float] | None:
    """The two gutters of a page (or of a band of it) set in three columns (Cell Press and
    Royal Society reference lists), else ``None``: the narrow fragments leave an empty strip
    in each third of the page, and each of the three columns is filled to its gutters."""
    narrow = [f for f in frags if len(f.text) > 2 and f.x1 - f.x0 < 0.36 * page.width]
    if len(narrow) < 15:
        return None
    width = int(page.width) + 1
    coverage = [0] * width
    for f in narrow:
        for x in range(max(0, int(f.x0)), min(width, int(f.x1) + 1)):
            coverage[x] += 1
    gutters = []
    for low, high in ((0.22, 0.45), (0.55, 0.78)):
        span = range(int(page.width * low), int(page.width * high) + 1)
        empty = [x for x in span if coverage[x] <= max(1, 0.03 * len(narrow))]
        if not empty:
            return None
        runs: list[list[int]] = []
        for x in empty:
            if runs and runs[-1][-1] == x - 1:
                runs[-1].append(x)
            else:
                runs.append([x])
        run = max(runs, key=len)
        if len(run) < 4:
            return None
        gutters.append((run[0] + run[-1]) / 2)
    first, second = gutters
    columns = (
        [f for f in narrow if f.x1 <= first],
        [f for f in narrow if f.x0 >= first and f.x1 <= second],
        [f for f in narrow if f.x0 >= second],
    )
    if min(len(c) for c in columns) < max(4, 0.15 * len(narrow)):
        return None
    filled = (
        sum(1 for f in columns[0] if f.x1 > first - 25),
        sum(1 for f in columns[1] if f.x0 < first + 25 and f.x1 > second - 25),
        sum(1 for f in columns[2] if f.x0 < second + 25),
    )
    if min(filled) < 3:
        return None
    return first, second


#: The column of a row that crosses the gutters (a title, a wide table).
_WIDE = -1


def page_rows(page: Page, frags: Sequence[_Fragment]) -> list[Row]:
    """The rows of a page in reading order (see the module's step 3)."""
    three = _three(page, frags)
    if three is not None:
        rows = _column_rows(page, frags, three)
    else:
        # A page whose lower part alone is set in three columns (a reference list below the
        # end of the body text): the part above, then that part.
        wide = [f for f in frags if f.x1 - f.x0 >= 0.6 * page.width]
        cut = max((f.bottom for f in wide), default=0.0)
        lower = [f for f in frags if f.top >= cut]
        three = _three(page, lower) if wide and lower else None
        if three is not None:
            upper = [f for f in frags if f.top < cut]
            split = _split(page, upper)
            rows = _column_rows(page, upper, (split,) if split is not None else ())
            rows += _column_rows(page, lower, three)
        else:
            split = _split(page, frags)
            rows = _column_rows(page, frags, (split,) if split is not None else ())
    return [attrs.evolve(row, line=n) for n, row in enumerate(rows, 1)]


def _column_rows(page: Page, frags: Sequence[_Fragment], gutters: tuple[float, ...]) -> list[Row]:
    """The rows of fragments set in ``len(gutters) + 1`` columns, in reading order."""
    ordered = sorted(frags, key=lambda f: (f.top, f.x0))
    if not gutters:
        segments = [[(0, ordered)]]
    else:
        segments = []
        band: dict[int, list[_Fragment]] = {k: [] for k in range(len(gutters) + 1)}
        for fragment in ordered:
            if any(fragment.x0 < g - 2 and fragment.x1 > g + 2 for g in gutters):
                if any(band.values()):
                    segments.extend(_band(band, before_wide=True))
                    band = {k: [] for k in band}
                segments.append([(_WIDE, [fragment])])
            else:
                column = sum(1 for g in gutters if fragment.x1 > g + 2)
                band[column].append(fragment)
        if any(band.values()):
            segments.extend(_band(band, before_wide=False))
    edges = (None, *gutters, None)
    rows: list[Row] = []
    for segment in segments:
        for column, members in segment:
            if not members:
                continue
            if not gutters or column == _WIDE:
                left, right = min(f.x0 for f in frags), max(f.x1 for f in frags)
            else:
                low, high = edges[column], edges[column + 1]
                inside = [
                    f
                    for f in frags
                    if (low is None or f.x0 >= low - 2) and (high is None or f.x1 <= high + 2)
                ]
                left = min((f.x0 for f in inside), default=low or 0.0)
                right = high if high is not None else max(f.x1 for f in frags)
            rows.extend(_rows(page, members, left, right, column))
    return rows


def _rows(
    page: Page, members: list[_Fragment], left: float, right: float, column: int
) -> list[Row]:
    groups: list[list[_Fragment]] = []
    for fragment in sorted(members, key=lambda f: (f.top, f.x0)):
        if groups:
            last = groups[-1]
            top = min(f.top for f in last)
            bottom = max(f.bottom for f in last)
            overlap = min(bottom, fragment.bottom) - max(top, fragment.top)
            if overlap > 0.5 * min(bottom - top, fragment.height):
                last.append(fragment)
                continue
        groups.append([fragment])
    rows = []
    for group in groups:
        group.sort(key=lambda f: f.x0)
        glyphs = [g for f in group for g in f.glyphs]
        sizes = sorted(g.size for g in glyphs)
        size = sizes[len(sizes) // 2] if sizes else 0.0
        label, text = _superscript_label(group, size)
        letters = [g for g in glyphs if g.text.isalpha()]
        bold = sum(g.bold for g in letters) / len(letters) if letters else 0.0
        rows.append(
            Row(
                page=page.number,
                line=0,
                text=text,
                x0=group[0].x0,
                top=min(f.top for f in group),
                x1=max(f.x1 for f in group),
                bottom=max(f.bottom for f in group),
                size=size,
                bold=bold,
                left=left,
                right=right,
                column=column,
                label=label,
            )
        )
    return rows


def _superscript_label(group: list[_Fragment], size: float) -> tuple[str, str]:
    """A row's superscript number label (digits at its start, smaller and raised), and its
    text without it."""
    glyphs = group[0].glyphs
    digits: list[Glyph] = []
    for glyph in glyphs:
        if glyph.text.isdigit() and glyph.size < 0.8 * size:
            digits.append(glyph)
        else:
            break
    text = " ".join(f.text for f in group)
    if not digits or (len(digits) == len(glyphs) and len(group) == 1):
        return "", text
    rest = glyphs[len(digits)] if len(digits) < len(glyphs) else group[1].glyphs[0]
    if digits[-1].bottom > rest.bottom - 0.15 * size:
        return "", text  # not raised
    label = "".join(g.text for g in digits)
    return label, text[len(label) :].lstrip(" .")


# --- 4. headings ----------------------------------------------------------------------------

_HEADINGS = (
    "references",
    "reference",
    "bibliography",
    "literature cited",
    "works cited",
    "reference list",
    "cited literature",
    "references and notes",
    "notes and references",
    "literature",
    "bibliographic references",
    "sources",
    "supplementary references",
    "supplemental references",
    "additional references",
    "references cited",
    "literatur",
    "literaturverzeichnis",
    "quellen",
    "quellenverzeichnis",
    "références",
    "références bibliographiques",
    "bibliographie",
    "referencias",
    "referencias bibliográficas",
    "bibliografía",
    "bibliografia",
    "riferimenti bibliografici",
    "riferimenti",
    "referências",
    "referências bibliográficas",
    "literatuur",
    "literatuurlijst",
    "referenties",
    "litteratur",
    "referenser",
    "litteraturliste",
    "kirjallisuus",
    "lähteet",
    "piśmiennictwo",
    "literatura",
    "kaynaklar",
    "kaynakça",
    "список литературы",
    "литература",
    "библиография",
    "参考文献",
    "文献",
    "引用文献",
    "참고문헌",
    "βιβλιογραφία",
    "المراجع",
)
_ENDINGS = (
    "appendix",
    "appendices",
    "supplementary material",
    "supplementary materials",
    "supplementary information",
    "supplementary data",
    "supplemental material",
    "supporting information",
    "biographies",
    "biography",
    "author biographies",
    "about the authors",
    "about the author",
    "acknowledgments",
    "acknowledgements",
    "acknowledgment",
    "acknowledgement",
    "figure legends",
    "figure captions",
    "figures",
    "tables",
    "author contributions",
    "funding",
    "conflict of interest",
    "conflicts of interest",
    "competing interests",
    "declarations",
    "data availability",
    "footnotes",
    "anhang",
    "annexe",
    "annexes",
    "apéndice",
    "anexo",
    "appendice",
)
_NUMBERING = re.compile(
    r"^(?:(?:section|chapter|appendix)\s+)?(?:[A-Z]|[IVXLC]{1,6}|\d{1,2}(?:\.\d{1,2})*)[.:)]?\s+"
    r"|^(?:[A-Z]|[IVXLC]{1,6}|\d{1,2})[.:)]\s*",
)


def _heading_text(text: str) -> str:
    folded = " ".join(text.split()).strip().rstrip(":.").strip()
    folded = _NUMBERING.sub("", folded, count=1)
    folded = folded.casefold()
    if re.fullmatch(r"[^\sa-z]( [^\sa-z])+", folded):
        folded = folded.replace(" ", "")  # "参 考 文 献"
    return folded


def _stands_out(row: Row, previous: Row | None, body: float) -> bool:
    """A heading's layout: larger or bold type, capitals, or space above it."""
    letters = [ch for ch in row.text if ch.isalpha()]
    capitals = bool(letters) and all(ch.isupper() for ch in letters if ch.isascii())
    gap = (
        row.top - previous.bottom
        if previous is not None and previous.page == row.page and previous.column == row.column
        else None
    )
    return (
        row.size >= 1.08 * body
        or row.bold >= 0.6
        or (capitals and any(ch.isascii() for ch in letters))
        or not any(ch.isascii() for ch in letters)
        or gap is None
        or gap > 0.9 * row.size
    )


def _is_reference_heading(row: Row, previous: Row | None, body: float) -> bool:
    if len(row.text) > 40:
        return False
    return _heading_text(row.text) in _HEADINGS and _stands_out(row, previous, body)


def _is_section_heading(
    row: Row, list_size: float, body: float, list_bold: bool = False, spaced: bool = True
) -> bool:
    """A row that ends a reference list: a known section name, or a short row in larger or
    bold type than the list (bold only where the list itself is not, as some PDFs say of every
    font, and with space above it, as a title set in bold within an entry has not)."""
    text = _heading_text(row.text)
    if text in _ENDINGS or any(text.startswith(e + " ") for e in _ENDINGS[:8]):
        return len(row.text) < 80
    # A run-in heading: "Conflict of Interest Statement: The authors declare ..."
    lead, colon, _ = row.text.partition(":")
    if colon and len(lead) <= 40:
        named = _heading_text(lead).removesuffix(" statement")
        if named in _ENDINGS:
            return True
    if len(row.text) > 80:
        return False
    return row.size >= 1.15 * max(list_size, body * 0.9) or (
        spaced
        and not list_bold
        and row.bold >= 0.9
        and len(row.text) < 60
        and row.size >= list_size * 0.98
    )


# --- 5. entries -----------------------------------------------------------------------------

_LABEL = re.compile(
    r"^(?:\[(?P<bracket>\d{1,4})\]|\((?P<paren>\d{1,4})\)|(?P<number>\d{1,4})(?P<dot>[.)]?)(?=\s)"
    # "1.Akbarsha MA": a number and its period with no space before the first author
    r"|(?P<tight>\d{1,4})\.(?=[^\W\d_]{2})"
    r"|\[(?P<alpha>[A-Za-z][^\]\s]{0,14}(?:\s?\+?\d{2,4}[a-z]?)?)\])\s*"
)


def _label(row: Row) -> tuple[str, str, str] | None:
    """A row's label: ``(kind, label, rest)``; kind is "number", "dot", "bracket",
    "paren", "super" or "alpha"."""
    if row.label:
        return "super", row.label, row.text
    match = _LABEL.match(row.text)
    if match is None:
        return None
    rest = row.text[match.end() :]
    if not rest.strip():
        return None
    for kind in ("bracket", "paren", "alpha"):
        if match[kind]:
            return kind, str(int(match[kind])) if kind != "alpha" else match[kind], rest
    if match["tight"]:
        return "dot", str(int(match["tight"])), rest
    kind = "dot" if match["dot"] else "number"
    return kind, str(int(match["number"])), rest


def _body_size(rows: Sequence[Row]) -> float:
    sizes = Counter(round(r.size, 1) for r in rows for _ in range(max(1, len(r.text) // 10)))
    return sizes.most_common(1)[0][0] if sizes else 10.0


def extract_entries(pages: Sequence[Page]) -> tuple[list[Entry], list[Row]]:
    """The reference entries of a document's pages, and its other rows (the body text)."""
    fragments = [_fragments(page) for page in pages]
    removed = _furniture(pages, fragments)
    rows: list[Row] = []
    for page, frags, gone in zip(pages, fragments, removed, strict=False):
        kept = [f for i, f in enumerate(frags) if i not in gone]
        rows.extend(page_rows(page, kept))
    body = _body_size(rows)
    starts = [
        i
        for i, row in enumerate(rows)
        if _is_reference_heading(row, rows[i - 1] if i else None, body)
    ]
    entries: list[Entry] = []
    used: set[int] = set()
    lexicon = _lexicon(rows)
    links = {page.number: page.links for page in pages}
    found: list[tuple[int, int, list[tuple[list[Row], str]]]] = []
    for start in starts:
        end = _list_end(rows, start, starts, body)
        split = _split_entries(rows[start + 1 : end])
        if split and not _table_column(split):
            end = _resumed(rows, split, end, starts, body)
            found.append((start, end, split))
            used.update(range(start, end))
    found.extend(_headless(rows, used, body))
    for _, _, split in sorted(found, key=lambda item: item[0]):
        index = len({e.list_index for e in entries})
        for group, label in split:
            text = _join(group, lexicon)
            if not text:
                continue
            first = group[0]
            entries.append(
                Entry(
                    text=text,
                    label=label,
                    list_index=index,
                    page=first.page,
                    line=first.line,
                    box=(
                        round(first.x0, 1),
                        round(first.top, 1),
                        round(first.x1, 1),
                        round(first.bottom, 1),
                    ),
                    link_dois=_link_dois(group, links),
                )
            )
    rest = [row for i, row in enumerate(rows) if i not in used]
    return entries, rest


_YEAR = re.compile(r"\b(?:1[89]|20)\d\d[a-z]?\b")


def _resumed(
    rows: Sequence[Row],
    split: list[tuple[list[Row], str]],
    end: int,
    starts: Sequence[int],
    body: float,
) -> int:
    """A numbered list interrupted by something else (an advertisement, a box at a column's
    foot) that resumes with its next number at the top of a later column: those entries join
    ``split``. The index after the list's last row."""
    while split and split[-1][1].isdigit():
        expected = str(int(split[-1][1]) + 1)
        later = [s for s in starts if s >= end]
        stop = min(later[0] if later else len(rows), end + 120)
        resume: tuple[int, str] | None = None
        for j in range(max(end, 1), stop):
            row, before = rows[j], rows[j - 1]
            if row.page == before.page and row.column == before.column:
                continue  # not at the top of a column
            label = _label(row)
            if label is not None and label[1] == expected and label[0] != "alpha":
                resume = (j, label[0])
            break
        if resume is None:
            return end
        after = _list_end(rows, resume[0] - 1, starts, body)
        more = _split_numbered(rows[resume[0] : after], resume[1])
        if not more or more[0][1] != expected:
            return end
        split.extend(more)
        end = after
    return end


def _table_column(split: Sequence[tuple[list[Row], str]]) -> bool:
    """Whether a "list" under a "Reference" heading is a table's column ("Omar et al 2012"
    with a superscript reference number): short entries, most without a year of their own
    or the commas and periods that part a reference's fields."""
    lengths = sorted(sum(len(r.text) for r in group) for group, _ in split)
    dated = sum(1 for group, _ in split if any(_YEAR.search(r.text) for r in group))
    parted = sum(1 for group, _ in split if any(p in r.text for r in group for p in ".,"))
    return (
        lengths[len(lengths) // 2] < 40 and dated < 0.5 * len(split) and parted < 0.5 * len(split)
    )


def _headless(
    rows: Sequence[Row], used: set[int], body: float
) -> list[tuple[int, int, list[tuple[list[Row], str]]]]:
    """Numbered lists without a heading (Physical Review Letters prints none): a row labelled
    1 that starts at least three numbered entries, most of which hold a year."""
    found = []
    i = 0
    while i < len(rows):
        label = _label(rows[i]) if i not in used else None
        if label is None or label[1] != "1" or label[0] in {"super", "alpha"}:
            i += 1
            continue
        start = i - 1  # the list starts after "start", as if there were a heading there
        end = _list_end(rows, start, [], body)
        end = next((j for j in range(i, end) if j in used), end)
        split = _split_numbered(rows[i:end], label[0])
        dated = sum(1 for group, _ in split if any(_YEAR.search(r.text) for r in group))
        if len(split) >= 3 and dated >= 0.6 * len(split):
            found.append((start, end, split))
            used.update(range(i, end))
            i = end
        else:
            i += 1
    return found


def _list_end(rows: Sequence[Row], start: int, starts: Sequence[int], body: float) -> int:
    """The index after the last row of the list whose heading is ``rows[start]``."""
    later = [s for s in starts if s > start]
    stop = later[0] if later else len(rows)
    members = rows[start + 1 : stop]
    if not members:
        return start + 1
    sizes = sorted(r.size for r in members[:12])
    list_size = sizes[len(sizes) // 2]
    list_bold = statistics.median(r.bold for r in members[:12]) >= 0.5
    pitches = [
        b.top - a.top
        for a, b in itertools.pairwise(members)
        if a.page == b.page and a.column == b.column and 0 < b.top - a.top < 4 * list_size
    ]
    pitch = statistics.median(pitches) if pitches else 1.3 * list_size
    for offset, row in enumerate(members):
        i = start + 1 + offset
        if not offset:
            continue
        before = members[offset - 1]
        same = before.page == row.page and before.column == row.column
        spaced = not same or row.top - before.top > 1.25 * pitch
        if _is_section_heading(row, list_size, body, list_bold, spaced):
            return i
        if same and row.top - before.bottom > 2.6 * pitch and not _label(row):
            return i
    return stop


def _split_entries(rows: Sequence[Row]) -> list[tuple[list[Row], str]]:
    """The rows of a list grouped into entries, with each entry's label."""
    rows = [r for r in rows if r.text.strip()]
    if not rows:
        return []
    first = _label(rows[0])
    if first is not None and first[0] != "alpha":
        numbered = _split_numbered(rows, first[0])
        if numbered:
            return numbered
    if first is not None and first[0] == "alpha":
        return _split_alpha(rows)
    return _split_unnumbered(rows)


def _split_numbered(rows: Sequence[Row], kind: str) -> list[tuple[list[Row], str]]:
    entries: list[tuple[list[Row], str]] = []
    expected: int | None = None
    indented = [r.x0 - r.left for r in rows if r.x0 - r.left > 3]
    for row in rows:
        label = _label(row)
        # A number the publisher left out ("[56]" then "[58]"): a bracketed number, or one
        # at the margin of a list whose other rows are indented, may skip one or two.
        skips = kind in {"bracket", "paren"} or (
            len(indented) > len(rows) / 3 and row.x0 - row.left <= 1
        )
        if (
            label is not None
            and label[0] == kind
            and (
                expected is None
                or int(label[1]) == expected
                or (skips and expected < int(label[1]) <= expected + 2)
            )
        ):
            number = int(label[1])
            entries.append(([attrs.evolve(row, text=label[2], label="")], str(number)))
            expected = number + 1
        elif entries:
            entries[-1][0].append(row)
    if len(entries) < 2 and len(rows) > 3:
        return []
    return entries


def _split_alpha(rows: Sequence[Row]) -> list[tuple[list[Row], str]]:
    entries: list[tuple[list[Row], str]] = []
    for row in rows:
        label = _label(row)
        if label is not None and label[0] == "alpha" and row.x0 - row.left < 3:
            entries.append(([attrs.evolve(row, text=label[2])], label[1]))
        elif entries:
            entries[-1][0].append(row)
    return entries


def _split_unnumbered(rows: Sequence[Row]) -> list[tuple[list[Row], str]]:
    """Author-date entries: by hanging indent, else first-line indent, else vertical space."""
    offsets = [row.x0 - row.left for row in rows]
    indented = [o for o in offsets if 3 < o < 60]
    flush = [o for o in offsets if o <= 3]
    groups: list[list[Row]] = []
    if indented and flush and len(flush) >= 1:
        indent = statistics.median(indented)
        hanging = _hanging(rows)
        for row, offset in zip(rows, offsets, strict=False):
            starts = offset < indent / 2 if hanging else offset > indent / 2
            if starts or not groups:
                groups.append([row])
            else:
                groups[-1].append(row)
    else:
        gaps = [
            b.top - a.bottom
            for a, b in itertools.pairwise(rows)
            if a.page == b.page and a.column == b.column
        ]
        small = min(gaps) if gaps else 0.0
        for i, row in enumerate(rows):
            before = rows[i - 1] if i else None
            gap = (
                row.top - before.bottom
                if before is not None and before.page == row.page and before.column == row.column
                else None
            )
            spaced = gap is not None and gap > small + 0.3 * row.size
            if not groups or spaced or (gap is None and _looks_like_start(row, groups[-1][-1])):
                groups.append([row])
            else:
                groups[-1].append(row)
    return [(group, str(n)) for n, group in enumerate(groups, 1)]


def _hanging(rows: Sequence[Row]) -> bool:
    """Whether the list's first rows start flush and its later rows are indented: a hanging
    indent (most author-date styles), rather than a first-line indent."""
    flush = sum(1 for r in rows if r.x0 - r.left <= 3)
    indented = len(rows) - flush
    if rows[0].x0 - rows[0].left <= 3:
        return True
    return flush > indented


def _looks_like_start(row: Row, previous: Row) -> bool:
    """The first row of a new column: does it start an entry? (When there is no indent.)"""
    return previous.text.rstrip().endswith(".") and row.text[:1].isupper()


# --- joining rows -----------------------------------------------------------------------------

#: Words hyphenated at a line end whose hyphen is part of the word.
_KEEP_PREFIXES = frozenset(
    {
        *("self", "well", "non", "cross", "state", "real", "end", "open", "air", "time"),
        *("one", "two", "three", "four", "five", "first", "second", "third"),
        *("high", "low", "long", "short", "large", "small", "full", "half"),
        *("single", "double", "triple", "multi", "semi", "quasi"),
    }
)
_URLISH = re.compile(r"(?:https?://|www\.|doi:|10\.\d{4,9}/)\S*$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:[-‐][^\W\d_]+)*")


def _lexicon(rows: Iterable[Row]) -> Counter[str]:
    words: Counter[str] = Counter()
    for row in rows:
        words.update(w.casefold() for w in _WORD.findall(row.text))
    return words


def _join(rows: Sequence[Row], lexicon: Counter[str]) -> str:
    """An entry's rows as one text, line-end hyphens repaired (see the module's step 5)."""
    text = ""
    for row in rows:
        piece = row.text.strip()
        if not text:
            text = piece
            continue
        text = _join_two(text, piece, lexicon)
    text = text.replace(_SOFT_HYPHEN, "").replace("\x02", "-")
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _join_two(text: str, piece: str, lexicon: Counter[str]) -> str:
    last_word = text.rsplit(None, 1)[-1] if text.split() else ""
    if text[-1:] in (_SOFT_HYPHEN, "\x02"):
        return text[:-1] + piece
    if _URLISH.search(last_word) and not re.match(r"[A-Z][a-z]", piece) and text[-1:] not in ",;":
        return text + piece
    if text[-1:] in _HYPHENS and len(text) > 1 and text[-2].isalpha():
        head = re.search(r"([^\W\d_]+)[-\u2010\u2011]$", text)
        tail = re.match(r"[^\W\d_]+", piece)
        if head is None or tail is None:
            return text + piece
        before, after = head[1], tail[0]
        if after[:1].isupper():
            return text + piece  # "Als-" + "Nielsen"
        joined = (before + after).casefold()
        hyphenated = f"{before}-{after}".casefold()
        if lexicon[hyphenated] > lexicon[joined]:
            return text + piece
        if lexicon[joined] == 0 and before.casefold() in _KEEP_PREFIXES and len(after) >= 4:
            return text + piece
        return text[:-1] + piece
    return text + " " + piece


_DOI = re.compile(r"10\.\d{4,9}/[^\s\"<>]+")


def _link_dois(rows: Sequence[Row], links: dict[int, tuple[Link, ...]]) -> tuple[str, ...]:
    """The DOIs of the link annotations drawn over an entry's rows."""
    from urllib.parse import unquote

    found: list[str] = []
    for row in rows:
        for link in links.get(row.page, ()):
            middle = (link.top + link.bottom) / 2
            if not (row.top - 1 <= middle <= row.bottom + 1):
                continue
            if link.x1 < row.x0 or link.x0 > row.x1:
                continue
            match = _DOI.search(unquote(link.uri))
            if match is not None:
                doi = match[0].rstrip(".,;")
                if doi.lower() not in (d.lower() for d in found):
                    found.append(doi)
    return tuple(found)
