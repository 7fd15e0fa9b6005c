"""Benchmark of :func:`refcheck.parsing.parse_citation` on real labelled corpora.

Run from the repository root::

    python3 benchmarks/parsing.py [--limit N] [--errors FIELD] [--runs R]

It reads two labelled corpora from ``../shared/data/parsing/`` (never copied into the repo):

* GROBID's citation training corpus (``grobid-citation/corpus/*.xml``, TEI ``<bibl>``);
* AnyStyle's core training set (``anystyle/core.xml``, one ``<sequence>`` a reference).

The citation given to the parser is the reference's whole text (every labelled and unlabelled
piece, in order, whitespace collapsed). The labels map to refcheck's fields as follows:

========================  ==========================================  ===========================
refcheck field            GROBID TEI                                  AnyStyle
========================  ==========================================  ===========================
author names              ``<author>``                                ``<author>``
title                     ``<title level="a">``, else ``level="m"``   ``<title>``
container_title           ``<title level="j">``, else ``level="m"``   ``<journal>`` or
                          when there is an ``a`` title                ``<container-title>``
year                      first 4-digit year in ``<date>``            first year in ``<date>``
volume                    ``<biblScope type=vol|unit=volume>``        ``<volume>``
issue                     ``<biblScope type|unit=issue>``             (not labelled)
first/last page           ``<biblScope type=pp|unit=page>``           ``<pages>``
doi                       ``<idno type="DOI">``                       ``<doi>``
========================  ==========================================  ===========================

Normalisation, applied alike to the label and to the parsed value before comparing:

* text fields (title, container): Unicode NFKD, accents and ligatures folded, lower case, every
  run of non-alphanumerics turned into one space, then trimmed; a leading "in " is dropped from
  containers;
* year: the first 4-digit year (1500-2099);
* volume and issue: the first run of digits; "Vol. 9," -> "9". A series letter glued before it
  is dropped ("B428" -> "428"): it belongs to the journal (Phys. Lett. B), as in Crossref's
  records, and the two corpora label it differently;
* pages: the printed range split at its dash; the last page is expanded from its abbreviated
  form as refcheck does ("1477-81" -> "1477", "1481"); only letters and digits kept, lower case;
* DOI: lower case, spaces, enclosing brackets, prefixes ("doi:", "https://doi.org/") and
  trailing punctuation removed;
* author names: neither corpus labels surnames separately, so the measure is on *name words*:
  the words of at least two letters of the author label that are not initials ("RQ", "J.-P."),
  connectives ("and", "et", "al", "others", "jr") or punctuation; on the parser's side the same
  rule applied to each author's family and given names. In the styles of these corpora given
  names are mostly initials, so this is mostly a surname measure; where given names are spelt
  out it asks the parser to keep them with their author, not in a title. Scored as multisets.

*First author's surname*: neither corpus labels surnames, so the gold surname is read from
the first author label by a rule written for this benchmark (:func:`gold_first_surname`),
independent of the parser: the first person is the text before the first ";", " and ", "&",
" et " or " und ", and before the first comma unless that comma inverts the name; in it, the
words that are not initials, given names or suffixes ("J. P. COLLMAN" -> COLLMAN,
"Pérez-Higueras JJ" -> Pérez-Higueras, "Romero, C." -> Romero, "Julian McAuley" ->
McAuley, "KAHAN Marcel" -> KAHAN). The parser's is the first author's ``family``. Both are
folded to letters only, leading lower-case particles dropped ("de la Macorra" = "Macorra");
a reference whose label gives no surname by the rule is not scored.

Each single-valued field is scored per reference: a true positive when both sides have it and
they agree; a false positive when the parser gives a value the label does not (absent or
different); a false negative when the label has a value the parser misses or gets wrong (so a
wrong value counts once on each side). *Exact* is the share of references with no error in any
of the nine fields (AnyStyle labels no issue: it is left out there).

The corpora are split into a *tune* part and a *held-out* part (every 5th reference, index
4, 9, ...): parser changes were made looking at the tune part's errors only; both are reported.

Throughput is ``parse_citation`` over every citation of both corpora, single process, the
median of ``--runs`` runs, timed in the process's CPU time (``time.process_time``) so that
other load on a shared machine counts as little as it can. The hostile-input time is the
slowest of a few 1 MB lines built to provoke regex backtracking.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from refcheck.model import Reference  # noqa: E402
from refcheck.parsing import parse_citation, parse_citations  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "parsing"
GROBID = DATA / "grobid-citation" / "corpus"
ANYSTYLE = DATA / "anystyle" / "core.xml"

FIELDS = (
    "authors",
    "first_author",
    "title",
    "container_title",
    "year",
    "volume",
    "issue",
    "first_page",
    "last_page",
    "doi",
)
HOLD_OUT_EVERY = 5


@dataclass
class Gold:
    """One labelled reference: its text and its normalised labelled fields."""

    text: str
    fields: dict[str, str | None]
    authors: Counter[str] = field(default_factory=Counter)
    unlabelled: frozenset[str] = frozenset()
    author_label: str | None = None


# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_YEAR = re.compile(r"(?<!\d)(?:1[5-9]|20)\d\d(?!\d)")
_NUMBER = re.compile(r"\d+")
_DASH = re.compile(r"\s*[-‐‑–—−]+\s*")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi\s*:?\s*)", re.IGNORECASE)
_NAME_STOP = {"and", "et", "al", "others", "jr", "sr", "eds", "ed", "und", "de", "van", "von"}
_INITIALS = re.compile(r"^(?:[A-Z]{1,3}|[A-Z][a-z]?)$")


def fold(text: str) -> str:
    """NFKD, no accents, lower case, alphanumerics and single spaces only."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NON_ALNUM.sub(" ", ascii_text).strip()


def norm_text(value: str | None, container: bool = False) -> str | None:
    if not value:
        return None
    folded = fold(value)
    if container and folded.startswith("in "):
        folded = folded[3:]
    return folded or None


def norm_year(value: str | None) -> str | None:
    if not value:
        return None
    found = _YEAR.search(value)
    return found[0] if found else None


def norm_number(value: str | None) -> str | None:
    if not value:
        return None
    found = _NUMBER.search(value)
    return found[0] if found else None


def _expand(first: str, last: str) -> str:
    """ "1477", "81" -> "1481"; "e358", "67" -> "e367": an abbreviated last page takes the
    first page's letter prefix and leading digits."""
    digits = first.lstrip("abcdefghijklmnopqrstuvwxyz")
    prefix = first[: len(first) - len(digits)]
    if last.isdigit() and digits.isdigit():
        if len(last) < len(digits):
            last = digits[: len(digits) - len(last)] + last
        return prefix + last
    return last


_PAGE_TOKEN = re.compile(r"[A-Za-z]{0,3}\d+[A-Za-z]?")
_LAST_PP = re.compile(r".*\b(?:pp?|pages?)\.?\s*", re.IGNORECASE)


def norm_pages(value: str | None) -> tuple[str | None, str | None]:
    """First and last page of a printed range: "chap. 5, pp. 195-239" -> ("195", "239")."""
    if not value:
        return None, None
    value = _LAST_PP.sub("", value, count=1)
    parts = _DASH.split(value.strip(" .,;:()"), maxsplit=1)
    first_token = _PAGE_TOKEN.search(parts[0])
    if first_token is None:
        return None, None
    first = first_token[0].lower()
    last_token = _PAGE_TOKEN.match(parts[1].strip()) if len(parts) > 1 else None
    if last_token is None:
        return first, None
    return first, _expand(first, last_token[0].lower())


def norm_doi(value: str | None) -> str | None:
    if not value:
        return None
    value = "".join(value.split()).rstrip(".,;")
    if value.startswith("(") and value.endswith(")"):  # enclosing, not "10.1130/2010.2465(22)"
        value = value[1:-1]
    return _DOI_PREFIX.sub("", value).rstrip(".,;").lower() or None


def name_words(text: str) -> list[str]:
    """The words of a name list that are not initials or connectives, folded."""
    words: list[str] = []
    for raw in re.split(r"[\s,;&.()]+", text):
        raw = raw.strip("-'’")
        if len(raw) < 2 or not raw[0].isalpha() or _INITIALS.match(raw):
            continue
        if "." in raw or (raw.isupper() and len(raw) <= 3):
            continue
        word = fold(raw)
        if len(word) >= 2 and word not in _NAME_STOP:
            words.extend(word.split())
    return words


_PERSON_END = re.compile(r"\s?;\s?|\s(?:and|&|et|und|y|e)\s|\s?&\s?", re.IGNORECASE)
_GOLD_INITIAL = re.compile(
    r"^(?:(?:[A-ZÀ-ÖØ-ÞА-Я]\.?|[A-ZÀ-ÖØ-ÞА-Я][a-z]\.)(?:-[A-ZÀ-ÖØ-ÞА-Я][a-z]?\.?)*"
    r"|[A-ZÀ-ÖØ-ÞА-Я]{1,5}(?:-[A-Z]{1,3})?\.?|"
    r"(?:[A-ZÀ-ÖØ-ÞА-Я]\.){1,4}(?:-[A-Z]\.)?)$"
)
_GOLD_SUFFIX = re.compile(r"^(?:jr|sr|ii|iii|iv|2nd|3rd)\.?$", re.IGNORECASE)
_GOLD_ORGANISATION = re.compile(
    r"\b(?:Association|Organi[sz]ation|Cent(?:er|re)|Group|Team|Institute|Library|Board|Corps"
    r"|Commission|COMMISSION|System|Society|Department|University|Council|Committee|Office"
    r"|Agency|Bureau|Foundation|Consortium|Collaboration|Ministry)\b"
)
_GOLD_PARTICLES = frozenset(
    [
        "van",
        "von",
        "de",
        "der",
        "den",
        "del",
        "della",
        "di",
        "da",
        "du",
        "dos",
        "das",
        "le",
        "la",
        "ten",
        "ter",
        "zu",
        "bin",
        "ibn",
        "al",
        "el",
        "y",
    ]
)


def gold_first_surname(label: str | None) -> str | None:
    """The first author's surname in an author label, by the rule of the module docstring;
    ``None`` when the rule finds none (an organisation, an empty label)."""
    if not label or label.startswith(("--", "—", "–")):
        return None  # "--, and T. H. Jagger": the previous reference's author, repeated
    # PDF-to-text damage and list labels: "(H) J. E.", "[ 27]A. S.Jensen", "K .G .Wilson",
    # "Chan -drasekharan".
    label = re.sub(r"^\s*(?:\(\S{0,3}\)|\[\s?\d{1,3}\s?\]|\d{1,3}\.)\s?", "", label)
    label = re.sub(r"\s+\.", ".", label)
    label = re.sub(r"\.(?=[^\W\d_])", ". ", label)
    label = re.sub(r"(?<=\w)\s?-\s(?=\w)|(?<=\w)\s-(?=\w)", "-", label)
    person = _PERSON_END.split(label, maxsplit=1)[0]
    head, comma, rest = person.partition(",")
    words = [w.strip(":;()") for w in head.split() if w.strip(".:;()")]
    words = [w for w in words if not _GOLD_SUFFIX.match(w)]
    if _GOLD_ORGANISATION.search(head) or not words:
        return None
    lower = any(c.islower() for c in head)
    initial = [
        bool(_GOLD_INITIAL.match(w) or re.fullmatch(r"[a-z]\.", w))
        and (
            len(w.strip(".")) <= 3
            or "." in w
            # "Verkerk AJMH": four or five capitals after a mixed-case name
            or (lower and i > 0 and not words[i - 1].isupper())
        )
        for i, w in enumerate(words)
    ]
    capitals = [
        w for w, i in zip(words, initial, strict=True) if w.isupper() and len(w) > 1 and not i
    ]
    if capitals and lower and not any(initial):
        # "DELISLE Léopold", "Junguo ZHANG": the capitals are the surname.
        return squash_name(" ".join(capitals)) or None
    if comma and not any(initial):
        after = rest.strip().split(",")[0].split()
        given_next = bool(after) and (
            _GOLD_INITIAL.match(after[0].strip(",")) is not None or len(after) == 1
        )
        if len(words) == 1 or given_next or _GOLD_SUFFIX.match(rest.strip(" .")):
            names = words  # "Romero, C.", "Trillin, Calvin", "García Márquez, Gabriel"
        else:
            names = _given_first(words)  # "Julian McAuley, Jure Leskovec"
    elif any(initial):
        if initial[-1] and not initial[0]:
            # Family first: "Pérez-Higueras JJ", "Sachs R K", "Brown A. M."
            names = words[: initial.index(True)]
        else:
            # Given names first: "J. P. COLLMAN", "James F. Babb", "L. d. F. Costa"
            last = len(initial) - 1 - initial[::-1].index(True)
            names = words[last + 1 :]
    else:
        names = _given_first(words)
    names = [w for w in names if not _GOLD_SUFFIX.match(w)]
    surname = squash_name(" ".join(names))
    return surname or None


def _given_first(words: list[str]) -> list[str]:
    """The surname of a name written given names first: the last word, with the lower-case
    particles before it ("Ludwig van Beethoven" -> "van Beethoven")."""
    words = [w for w in words if not _GOLD_SUFFIX.match(w)]
    if not words:
        return []
    start = len(words) - 1
    while start > 0 and words[start - 1].lower() in _GOLD_PARTICLES:
        start -= 1
    return words[start:]


def squash_name(name: str) -> str:
    """A surname folded to its letters, leading lower-case particles dropped: "de la
    Macorra" -> "macorra", "Als-Nielsen" -> "alsnielsen"."""
    words = name.split()
    while len(words) > 1 and words[0].lower().strip(".'’") in _GOLD_PARTICLES:
        words.pop(0)
    return "".join(ch for ch in fold(" ".join(words)) if ch.isalnum())


def predicted(reference: Reference) -> tuple[dict[str, str | None], Counter[str]]:
    """The parser's reference, normalised as the labels are."""
    first, last = norm_pages(reference.pages)
    values = {
        "title": norm_text(reference.title),
        "container_title": norm_text(reference.container_title, container=True),
        "year": norm_year(reference.year),
        "volume": norm_number(reference.volume),
        "issue": norm_number(reference.issue),
        "first_page": first,
        "last_page": last,
        "doi": norm_doi(reference.doi),
        "first_author": (
            squash_name(reference.authors[0].family) or None if reference.authors else None
        ),
    }
    words: Counter[str] = Counter()
    for author in reference.authors:
        words.update(name_words(author.family))
        if author.given:
            words.update(name_words(author.given))
    return values, words


# ---------------------------------------------------------------------------------------------
# Corpora
# ---------------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _gold(text: str, labels: dict[str, list[str]], unlabelled: frozenset[str]) -> Gold:
    def first(*names: str) -> str | None:
        for name in names:
            if labels.get(name):
                return labels[name][0]
        return None

    first_page, last_page = norm_pages(first("pages"))
    fields = {
        "title": norm_text(first("title")),
        "container_title": norm_text(first("container"), container=True),
        "year": norm_year(first("date")),
        "volume": norm_number(first("volume")),
        "issue": norm_number(first("issue")),
        "first_page": first_page,
        "last_page": last_page,
        "doi": norm_doi(first("doi")),
        "first_author": gold_first_surname(first("author")),
    }
    authors: Counter[str] = Counter()
    for names in labels.get("author", []):
        authors.update(name_words(names))
    return Gold(text, fields, authors, unlabelled, first("author"))


def grobid_bibls() -> Iterator[ET.Element]:
    """The GROBID TEI ``<bibl>`` elements that hold text, in file-name order: the order that
    decides the held-out fifth, for this benchmark and for ``train_segmenter.py`` alike."""
    for path in sorted(GROBID.glob("*.xml")):
        try:
            tree = ET.parse(path)
        except ET.ParseError:
            continue
        for bibl in tree.iter():
            if _local(bibl.tag) == "bibl" and _text(bibl):
                yield bibl


def grobid(limit: int | None = None) -> Iterator[Gold]:
    """The GROBID TEI references, in file-name order."""
    count = 0
    for bibl in grobid_bibls():
        labels: dict[str, list[str]] = {}
        titles: dict[str, str] = {}
        for child in bibl:
            tag = _local(child.tag)
            value = _text(child)
            if not value:
                continue
            kind = child.get("type") or child.get("unit") or child.get("level") or ""
            if tag == "author":
                labels.setdefault("author", []).append(value)
            elif tag == "title":
                titles.setdefault(child.get("level", ""), value)
            elif tag == "date":
                labels.setdefault("date", []).append(value)
            elif tag == "biblScope":
                key = {"vol": "volume", "volume": "volume", "issue": "issue"}.get(kind)
                key = key or ("pages" if kind in ("pp", "page", "pages") else None)
                if key:
                    labels.setdefault(key, []).append(value)
            elif tag == "idno" and kind.lower() == "doi":
                labels.setdefault("doi", []).append(value)
        if "a" in titles:
            labels["title"] = [titles["a"]]
            container = titles.get("j") or titles.get("m")
        else:
            labels["title"] = [titles["m"]] if "m" in titles else []
            container = titles.get("j")
        labels["container"] = [container] if container else []
        yield _gold(_text(bibl), labels, frozenset())
        count += 1
        if limit is not None and count >= limit:
            return


def anystyle(limit: int | None = None) -> Iterator[Gold]:
    """The AnyStyle core references, in file order."""
    tree = ET.parse(ANYSTYLE)
    for count, sequence in enumerate(tree.getroot().iter("sequence")):
        if limit is not None and count >= limit:
            return
        labels: dict[str, list[str]] = {}
        pieces: list[str] = []
        for child in sequence:
            value = _text(child)
            pieces.append(value)
            key = {"journal": "container", "container-title": "container"}.get(child.tag, child.tag)
            labels.setdefault(key, []).append(value)
        yield _gold(" ".join(p for p in pieces if p), labels, frozenset({"issue"}))


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------


@dataclass
class Score:
    tp: float = 0
    fp: float = 0
    fn: float = 0

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


@dataclass
class Result:
    scores: dict[str, Score] = field(default_factory=lambda: {f: Score() for f in FIELDS})
    exact: int = 0
    total: int = 0
    unlabelled: set[str] = field(default_factory=set)
    errors: dict[str, list[tuple[str, object, object]]] = field(
        default_factory=lambda: {f: [] for f in FIELDS}
    )


def score(golds: Iterable[Gold]) -> Result:
    result = Result()
    for gold in golds:
        values, words = predicted(parse_citation(gold.text))
        ok = True
        for name in FIELDS[1:]:
            if name in gold.unlabelled:
                result.unlabelled.add(name)
                continue
            want, got = gold.fields[name], values[name]
            if name == "first_author" and want is None:
                continue  # no surname in the label by the rule: not scored
            s = result.scores[name]
            if want is not None and got == want:
                s.tp += 1
                continue
            if got is not None:
                s.fp += 1
            if want is not None:
                s.fn += 1
            if got is not None or want is not None:
                # The first surname is a view of the author names, which count for exactness.
                ok = ok and name == "first_author"
                result.errors[name].append((gold.text, want, got))
        common = sum((gold.authors & words).values())
        s = result.scores["authors"]
        s.tp += common
        s.fp += sum(words.values()) - common
        s.fn += sum(gold.authors.values()) - common
        if gold.authors != words:
            ok = False
            result.errors["authors"].append(
                (gold.text, sorted(gold.authors.elements()), sorted(words.elements()))
            )
        result.exact += ok
        result.total += 1
    return result


def split(golds: list[Gold]) -> tuple[list[Gold], list[Gold]]:
    tune = [g for i, g in enumerate(golds) if i % HOLD_OUT_EVERY != HOLD_OUT_EVERY - 1]
    held = [g for i, g in enumerate(golds) if i % HOLD_OUT_EVERY == HOLD_OUT_EVERY - 1]
    return tune, held


# ---------------------------------------------------------------------------------------------
# Speed
# ---------------------------------------------------------------------------------------------


def throughput(texts: list[str], runs: int, *, batch: bool = False) -> list[float]:
    """Citations per second of ``parse_citation`` over ``texts`` one at a time (or of
    ``parse_citations``, the batch parser, with ``batch``), in each of ``runs`` runs."""
    rates = []
    if batch:
        parse_citations(texts[:600])  # compiles the decoder (numba) before the clock starts
    for _ in range(runs):
        start = time.process_time()
        if batch:
            parse_citations(texts)
        else:
            for text in texts:
                parse_citation(text)
        rates.append(len(texts) / (time.process_time() - start))
    return rates


HOSTILE: dict[str, Callable[[int], str]] = {
    "letters": lambda n: "a" * n,
    "initials": lambda n: ("Smith J, " * (n // 9 + 1))[:n],
    "apa names": lambda n: ("Smith, J. R., " * (n // 13 + 1))[:n],
    "brackets": lambda n: ("(" * (n // 2)) + (")" * (n // 2)),
    "digits and dashes": lambda n: ("12-" * (n // 3 + 1))[:n],
    "markdown": lambda n: ("*a _b **c " * (n // 10 + 1))[:n],
    "quotes": lambda n: ('"a, ' * (n // 4 + 1))[:n],
    "years": lambda n: ("2020; 2(3): " * (n // 12 + 1))[:n],
    "doi": lambda n: "doi:10.1000/" + "x(" * (n // 2),
}


def hostile(size: int = 1_000_000) -> tuple[str, float]:
    """The slowest hostile line's name and its parse time in seconds."""
    worst = ("", 0.0)
    for name, make in HOSTILE.items():
        line = make(size)
        start = time.perf_counter()
        parse_citation(line)
        elapsed = time.perf_counter() - start
        if elapsed > worst[1]:
            worst = (name, elapsed)
    return worst


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

_LABELS = {
    "authors": "author names",
    "first_author": "first author's surname",
    "title": "title",
    "container_title": "container title",
    "year": "year",
    "volume": "volume",
    "issue": "issue",
    "first_page": "first page",
    "last_page": "last page",
    "doi": "DOI",
}


def table(results: dict[str, Result]) -> str:
    names = list(results)
    lines = [
        "| field | " + " | ".join(f"{n} P / R / F1" for n in names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for name in FIELDS:
        cells = []
        for result in results.values():
            if name in result.unlabelled:
                cells.append("not labelled")
                continue
            p, r, f = result.scores[name].prf()
            cells.append(f"{p:.3f} / {r:.3f} / **{f:.3f}**")
        lines.append(f"| {_LABELS[name]} | " + " | ".join(cells) + " |")
    exact = [f"{r.exact / r.total:.3f} ({r.exact}/{r.total})" for r in results.values()]
    lines.append("| exact reference | " + " | ".join(exact) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="at most N references a corpus")
    parser.add_argument("--runs", type=int, default=5, help="throughput runs (median reported)")
    parser.add_argument("--errors", metavar="FIELD", help="print the tune errors of FIELD")
    parser.add_argument("--corpus", choices=("grobid", "anystyle"), help="errors of one corpus")
    parser.add_argument("--max-errors", type=int, default=40)
    args = parser.parse_args(argv)
    if not GROBID.is_dir() or not ANYSTYLE.is_file():
        print(f"corpora absent under {DATA}", file=sys.stderr)
        return 2

    corpora = {"GROBID": list(grobid(args.limit)), "AnyStyle": list(anystyle(args.limit))}
    results: dict[str, Result] = {}
    for name, golds in corpora.items():
        tune, held = split(golds)
        results[f"{name} tune"] = score(tune)
        results[f"{name} held-out"] = score(held)

    if args.errors:
        for name, result in results.items():
            if "tune" not in name or (args.corpus and args.corpus not in name.lower()):
                continue
            print(f"## {name}: {args.errors} errors ({len(result.errors[args.errors])})")
            for text, want, got in result.errors[args.errors][: args.max_errors]:
                print(f"- {text}\n    want {want!r}\n    got  {got!r}")
        return 0

    texts = [g.text for golds in corpora.values() for g in golds]
    rates = throughput(texts, args.runs)
    batch_rates = throughput(texts, args.runs, batch=True)
    rate, batch_rate = statistics.median(rates), statistics.median(batch_rates)
    worst, seconds = hostile()
    sizes = ", ".join(f"{n}: {len(g)} references" for n, g in corpora.items())
    print(f"Corpora: {sizes} (held-out: every {HOLD_OUT_EVERY}th).\n")
    print(table(results))
    print(
        f"\nThroughput: {rate:,.0f} citations/s one at a time (parse_citation), "
        f"{batch_rate:,.0f} citations/s in batches (parse_citations); medians of {args.runs} "
        f"runs over {len(texts)} citations, one process, CPU time; runs "
        f"{min(rates):,.0f}-{max(rates):,.0f} and {min(batch_rates):,.0f}-{max(batch_rates):,.0f}."
    )
    print(f"Hostile 1 MB line: slowest {seconds:.3f} s ({worst}).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
