"""How well refcheck reads real manuscripts, as they come.

For each document of the corpus (``tests/fixtures/manuscripts/corpus.toml``: PMC and eLife
JATS, JOSS ``paper.md`` + ``paper.bib``, LaTeX ``.bbl`` and ``.tex`` + ``.bib``, Word with
Zotero and Mendeley fields), it reads the file with :func:`refcheck.readers.read_file` and
reports:

* the references found against the true count (counted by hand, recorded in the manifest);
* field accuracy against the source's own tags, where it has them (JATS elements, ``.bib``
  fields, ``\\bibinfo`` tags, the CSL JSON of Zotero and Mendeley fields): DOI, title,
  container, year, volume, first page and first surname. The tags are read here on their own
  (lxml, bibtexparser 2, regular expressions, json), not with refcheck's readers;
* debris: LaTeX or Markdown markup left in any field of any reference (built or parsed);
* DOIs read otherwise than the source tags them (each would be a false ``doi-not-found``);
* crashes.

Documents whose licence does not allow redistribution are not committed: the manifest names
their repository, commit and path, and they are read from ``--external`` (laid out as
``<owner>+<name>/<path>``; ``--extract-from DIR`` fills it from local git mirrors
``DIR/<owner>+<name>/repo``). Absent documents are listed as such. Each document is in the
``tune`` or the ``held-out`` split; the held-out figures are the measure.

    python3 benchmarks/manuscripts.py [--external DIR] [--markdown] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# --code DIR measures another checkout's readers (the "before" figures: main's).
_CODE = sys.argv[sys.argv.index("--code") + 1] if "--code" in sys.argv else str(ROOT)
sys.path.insert(0, _CODE)

from refcheck.model import Reference  # noqa: E402
from refcheck.parsing import parse_citation  # noqa: E402
from refcheck.readers import read_file  # noqa: E402

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

CORPUS = ROOT / "tests" / "fixtures" / "manuscripts"
DEFAULT_EXTERNAL = Path("/tmp/refcheck-corpus")
FIELDS = ("doi", "title", "container", "year", "volume", "first_page", "first_surname")

# LaTeX or Markdown left in a field: a command, a brace, bold or emphasis markers, math, a tag.
DEBRIS = re.compile(
    r"\\[A-Za-z]|\\[ ,;!~]|[{}]|\*\*|(?<![\w*])\*(?=\w)|(?<=\w)\*(?![\w*])|\$|&amp;|</?[a-z]+>"
    r"|\bhskip\b|\brelax\b"
)


# --- the truth: each source's own tags, read without refcheck -------------------------------


def _norm(value: str | None) -> str:
    if not value:
        return ""
    value = unicodedata.normalize("NFKC", value).casefold()
    return "".join(ch for ch in value if ch.isalnum())


def _doi(value: str | None) -> str:
    if not value:
        return ""
    value = re.sub(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", value.strip(), flags=re.I)
    return value.strip().rstrip(".").lower()


def _year(value: str | None) -> str:
    found = re.search(r"\d{4}", value or "")
    return found.group() if found else ""


def _first_page(pages: str | None) -> str:
    return re.split(r"\s*(?:-|–|—|−)+\s*", pages.strip())[0] if pages else ""


def _jats_truth(path: Path) -> list[dict[str, str]]:
    from lxml import etree

    tree = etree.parse(str(path))

    def local(e: Any) -> str:
        return str(etree.QName(e).localname) if isinstance(e.tag, str) else ""

    def first(e: Any, *names: str) -> Any:
        for name in names:
            for child in e.iter():
                if local(child) == name:
                    return child
        return None

    def text(e: Any) -> str:
        return " ".join("".join(e.itertext()).split()) if e is not None else ""

    truth = []
    for ref in tree.iter("{*}ref"):
        cit = first(ref, "element-citation", "mixed-citation", "citation", "nlm-citation")
        if cit is None:
            truth.append({})
            continue
        kind = cit.get("publication-type") or cit.get("citation-type") or "journal"
        title = text(first(cit, "article-title", "chapter-title"))
        source = text(first(cit, "source"))
        if not title and kind in {"book", "thesis", "report"}:
            title, source = source, ""
        doi = ""
        for pub in cit.iter():
            if local(pub) == "pub-id" and pub.get("pub-id-type") == "doi":
                doi = text(pub)
        if not doi:
            for link in cit.iter():
                href = link.get("{http://www.w3.org/1999/xlink}href") or ""
                if local(link) in {"ext-link", "uri"} and "doi.org/10." in href:
                    doi = href
                    break
        surname = ""
        for node in cit.iter():
            if (
                local(node) == "person-group"
                and node.get("person-group-type", "author") != "author"
            ):
                continue
            if local(node) in {"name", "string-name"}:
                surname = text(first(node, "surname")) or text(node)
                break
            if local(node) == "collab":
                surname = text(node)
                break
        truth.append(
            {
                "key": ref.get("id") or "",
                "doi": doi,
                "title": title,
                "container": source,
                "year": text(first(cit, "year")),
                "volume": text(first(cit, "volume")),
                "first_page": text(first(cit, "fpage")) or text(first(cit, "elocation-id")),
                "first_surname": surname,
            }
        )
    return truth


_BOOKISH = {"inproceedings", "incollection", "conference", "inbook"}


def _bib_truth(paths: Iterable[Path]) -> dict[str, dict[str, str]]:
    import bibtexparser
    from bibtexparser import middlewares as m

    truth: dict[str, dict[str, str]] = {}
    for path in paths:
        library = bibtexparser.parse_string(
            path.read_text(encoding="utf-8", errors="replace"),
            append_middleware=[
                m.LatexDecodingMiddleware(),
                m.SeparateCoAuthors(),
                m.SplitNameParts(),
            ],
        )
        for entry in library.entries:
            fields = {f.key.lower(): f.value for f in entry.fields}
            authors = fields.get("author") or []
            surname = ""
            if authors and hasattr(authors[0], "last"):
                surname = " ".join(authors[0].von + authors[0].last)
            container = fields.get("journal") or fields.get("journaltitle") or ""
            if not container and entry.entry_type.lower() in _BOOKISH:
                container = fields.get("booktitle") or ""
            truth.setdefault(
                entry.key,
                {
                    "key": entry.key,
                    "doi": str(fields.get("doi") or ""),
                    "title": str(fields.get("title") or fields.get("chapter") or ""),
                    "container": str(container),
                    "year": str(fields.get("year") or fields.get("date") or ""),
                    "volume": str(fields.get("volume") or ""),
                    "first_page": _first_page(str(fields.get("pages") or "")),
                    "first_surname": str(surname).replace("{", "").replace("}", ""),
                },
            )
    return truth


_BIBITEM = re.compile(r"\\bibitem\s*(?:\[(?:[^\[\]]|\[[^\[\]]*\])*\])?\s*\{([^{}]*)\}")
_TAG = re.compile(r"\\(bibinfo|showarticletitle|bibnamefont)\s*(?:\{\s*(\w+)\s*\})?\s*\{")


def _group(text: str, start: int) -> str:
    depth, i = 1, start
    while i < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[start : i - 1]


def _bibinfo_truth(path: Path) -> dict[str, dict[str, str]]:
    """The ``\\bibinfo`` tags of each ``\\bibitem``, the source's own fields."""
    from pylatexenc.latex2text import LatexNodes2Text

    def plain(value: str) -> str:
        value = re.sub(r"\\bib(?:info|field)\s*\{\w+\}", "", value)
        return " ".join(LatexNodes2Text().latex_to_text(value).split())

    text = re.sub(r"(?<!\\)%[^\n]*", "", path.read_text(encoding="utf-8", errors="replace"))
    items = list(_BIBITEM.finditer(text))
    truth: dict[str, dict[str, str]] = {}
    for index, item in enumerate(items):
        body = text[item.end() : items[index + 1].start() if index + 1 < len(items) else None]
        tags: dict[str, str] = {}
        people: list[str] = []
        for tag in _TAG.finditer(body):
            value = _group(body, tag.end())
            name = tag[2] or tag[1]
            if tag[1] == "showarticletitle":
                tags["articletitle"] = plain(value)
            elif name in {"person", "author"}:
                people.append(value)
            elif tag[1] == "bibinfo":
                tags.setdefault(name, plain(value))
        if len(tags) + bool(people) < 2:
            continue
        surname = ""
        if people:
            named = re.search(r"\\bibnamefont\s*\{([^{}]*)\}", people[0])
            surname = plain(named[1]) if named else plain(people[0]).split()[-1]
        url = re.search(r"doi\.org/(10\.[^\s{}\\]+)", body)
        truth[item[1].strip()] = {
            "key": item[1].strip(),
            "doi": tags.get("doi") or (url[1] if url else ""),
            "title": tags.get("articletitle") or tags.get("title", ""),
            "container": tags.get("journal") or tags.get("booktitle", ""),
            "year": tags.get("year", ""),
            "volume": tags.get("volume", ""),
            "first_page": _first_page(tags.get("pages")),
            "first_surname": surname,
        }
    return truth


def _csl_truth(path: Path) -> list[dict[str, str]]:
    """The CSL items of a Word file's Zotero and Mendeley fields, read from its XML."""
    items: dict[str, dict[str, str]] = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not re.fullmatch(r"word/(document|footnotes|endnotes)\.xml", name):
                continue
            xml = archive.read(name).decode("utf-8")
            for field in re.split(r'w:fldCharType="begin"', xml)[1:]:
                instruction = "".join(re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", field))
                instruction = instruction.split('w:fldCharType="separate"')[0]
                import html

                instruction = html.unescape(instruction)
                start = instruction.find("{")
                if "CSL_CITATION" not in instruction or start < 0:
                    continue
                try:
                    data, _ = json.JSONDecoder().raw_decode(instruction[start:])
                except ValueError:
                    continue
                for cited in data.get("citationItems", []):
                    item = cited.get("itemData", {})
                    authors = item.get("author") or [{}]
                    parts = (item.get("issued") or {}).get("date-parts") or [[""]]
                    record = {
                        "key": str(item.get("id", "")),
                        "doi": item.get("DOI", ""),
                        "title": item.get("title", ""),
                        "container": item.get("container-title", ""),
                        "year": str(parts[0][0]) if parts and parts[0] else "",
                        "volume": str(item.get("volume", "")),
                        "first_page": _first_page(str(item.get("page", ""))),
                        "first_surname": authors[0].get("family") or authors[0].get("literal", ""),
                    }
                    items.setdefault(_norm(record["title"]) or record["key"], record)
    return list(items.values())


# --- the measure ----------------------------------------------------------------------------


def _reader_fields(reference: Reference) -> dict[str, str]:
    return {
        "doi": reference.doi or "",
        "title": reference.title or "",
        "container": reference.container_title or "",
        "year": reference.year or "",
        "volume": reference.volume or "",
        "first_page": reference.first_page or "",
        "first_surname": reference.authors[0].family if reference.authors else "",
    }


def _same(name: str, truth: str, read: str) -> bool:
    if name == "doi":
        return _doi(truth) == _doi(read)
    if name == "year":
        return _year(truth) == _year(read)
    return _norm(truth) == _norm(read)


@dataclass
class Result:
    id: str
    split: str
    kind: str
    true_count: int
    found: int | None = None
    status: str = "read"
    fields_right: int = 0
    fields_total: int = 0
    debris: list[str] = field(default_factory=list)
    doi_wrong: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    per_field: dict[str, list[int]] = field(default_factory=dict)  # name: [right, total]

    @property
    def exact(self) -> bool:
        return self.found == self.true_count


def _truth(document: dict[str, Any], path: Path) -> tuple[str, Any]:
    kind = document["kind"]
    if kind.startswith("jats"):
        return "order", _jats_truth(path)
    if kind in {"pandoc+bib", "tex+bib", "bbl-biblatex"}:
        return "key", _bib_truth(sorted(path.parent.glob("*.bib")))
    if kind in {"bbl-acm", "bbl-revtex", "bbl-ieeetran"}:
        return "key", _bibinfo_truth(path)
    if kind.startswith("docx"):
        return "title", _csl_truth(path)
    return "none", None


def measure(document: dict[str, Any], path: Path) -> Result:
    result = Result(document["id"], document["split"], document["kind"], document["true_count"])
    try:
        manuscript = read_file(path)
        references = [
            built if built is not None else parse_citation(citation.text)
            for citation, built in zip(
                manuscript.citations,
                manuscript.references or [None] * len(manuscript.citations),
                strict=True,
            )
        ]
    except Exception as exc:  # a crash is what this counts
        refused = type(exc).__name__ == "ParseError"  # a clear error: no crash, no reference
        result.status = f"{'refused' if refused else 'crash'}: {type(exc).__name__}: {exc}"
        result.found = 0 if refused else None
        return result
    result.found = len(manuscript.citations)
    for citation, reference in zip(manuscript.citations, references, strict=True):
        values = [reference.title, reference.container_title, reference.volume, reference.issue]
        values += [reference.pages, reference.first_page, reference.doi, reference.publisher]
        values += [a.family for a in reference.authors] + [a.given for a in reference.authors]
        for value in values:
            if value and DEBRIS.search(value):
                result.debris.append(f"[{citation.label}] {value[:80]!r}")
    how, truth = _truth(document, path)
    if how == "none" or not truth:
        return result
    pairs: list[tuple[dict[str, str], Reference | None]] = []
    anchors = [getattr(c, "anchor", None) for c in manuscript.citations]
    if how == "order" and any(anchors):
        by_anchor = dict(zip(anchors, references, strict=True))
        pairs = [(t, by_anchor.get(t["key"])) for t in truth if t]
    elif how == "order":  # a reader that names no anchor (refcheck 0.x): the nth is the nth
        pairs = [(t, r) for t, r in zip(truth, references, strict=False) if t]
    elif how == "key":
        for citation, reference in zip(manuscript.citations, references, strict=True):
            key = getattr(citation, "anchor", None) or citation.label
            if key in truth:
                pairs.append((truth[key], reference))
    else:
        by_title = {_norm(r.title): r for r in references if r.title}
        pairs = [(t, by_title.get(_norm(t["title"]))) for t in truth]
    for expected, reference in pairs:
        read = _reader_fields(reference) if reference is not None else dict.fromkeys(FIELDS, "")
        for name in FIELDS:
            if not expected.get(name):
                continue
            result.fields_total += 1
            counts = result.per_field.setdefault(name, [0, 0])
            counts[1] += 1
            if _same(name, expected[name], read[name]):
                result.fields_right += 1
                counts[0] += 1
            else:
                result.wrong.append(
                    f"{expected['key']} {name}: {expected[name]!r} read {read[name]!r}"
                )
                if name == "doi":
                    result.doi_wrong.append(
                        f"{expected['key']}: {expected[name]} read {read[name]!r}"
                    )
    return result


def extract(corpus: list[dict[str, Any]], mirrors: Path, external: Path) -> None:
    """Copy the external documents (and the .bib beside a .tex or paper.md) from mirrors."""
    for document in corpus:
        if document["committed"]:
            continue
        owner_name, _, inner = document["file"].partition("/")
        repo = mirrors / owner_name / "repo"
        paths = [inner]
        if document["kind"] == "tex+bib":
            listed = subprocess.run(
                ["git", "-C", str(repo), "ls-tree", "--name-only", document["commit"],
                 str(Path(inner).parent) + "/"],
                capture_output=True, text=True, check=False,
            ).stdout.split()  # fmt: skip
            paths += [p for p in listed if p.endswith(".bib")]
        for inner_path in paths:
            target = external / owner_name / inner_path
            target.parent.mkdir(parents=True, exist_ok=True)
            blob = subprocess.run(
                ["git", "-C", str(repo), "show", f"{document['commit']}:{inner_path}"],
                capture_output=True, check=False,
            )  # fmt: skip
            if blob.returncode == 0:
                target.write_bytes(blob.stdout)


def _share(right: int, total: int) -> str:
    return f"{right / total:.3f}" if total else "–"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--external", type=Path, default=DEFAULT_EXTERNAL)
    parser.add_argument("--extract-from", type=Path, help="git mirrors to copy the external from")
    parser.add_argument("--markdown", action="store_true", help="the table for docs/benchmarks.md")
    parser.add_argument("--verbose", action="store_true", help="every wrong field and debris")
    parser.add_argument("--code", help="the checkout whose refcheck is measured (default: this)")
    args = parser.parse_args(argv)
    corpus = tomllib.loads((CORPUS / "corpus.toml").read_text(encoding="utf-8"))["document"]
    if args.extract_from:
        extract(corpus, args.extract_from, args.external)
    results: list[Result] = []
    for document in corpus:
        base = CORPUS if document["committed"] else args.external
        path = base / document["file"]
        if not path.is_file():
            results.append(Result(document["id"], document["split"], document["kind"],
                                  document["true_count"], status="absent"))  # fmt: skip
            continue
        results.append(measure(document, path))
    rows = [
        "| document | split | kind | found / true | tagged fields right | debris "
        "| DOIs read otherwise | status |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        found = f"{r.found} / {r.true_count}" if r.found is not None else f"– / {r.true_count}"
        rows.append(
            f"| {r.id} | {r.split} | {r.kind} | {found}{'' if r.exact else ' ✗'} "
            f"| {r.fields_right} / {r.fields_total} | {len(r.debris)} | {len(r.doi_wrong)} "
            f"| {r.status.split(':')[0]} |"
        )
    summary = [
        "",
        "| split | documents read | exact count | tagged fields right | debris "
        "| DOIs read otherwise | crashes |",
        "|---|---|---|---|---|---|---|",
    ]
    for split in ("held-out", "tune", "all"):
        chosen = [r for r in results if split in {"all", r.split} and r.status != "absent"]
        read = [r for r in chosen if r.found is not None]
        exact = sum(r.exact for r in read)
        right = sum(r.fields_right for r in chosen)
        total = sum(r.fields_total for r in chosen)
        summary.append(
            f"| {split} | {len(read)} of {len(chosen)} | {exact} ({_share(exact, len(chosen))}) "
            f"| {right} / {total} ({_share(right, total)}) | {sum(len(r.debris) for r in chosen)} "
            f"| {sum(len(r.doi_wrong) for r in chosen)} "
            f"| {sum(r.status.startswith('crash') for r in chosen)} |"
        )
    summary += ["", "| split | " + " | ".join(FIELDS) + " |", "|---|" + "---|" * len(FIELDS)]
    for split in ("held-out", "tune"):
        cells = []
        for name in FIELDS:
            right = sum(r.per_field.get(name, [0, 0])[0] for r in results if r.split == split)
            total = sum(r.per_field.get(name, [0, 0])[1] for r in results if r.split == split)
            cells.append(f"{right}/{total} ({_share(right, total)})")
        summary.append(f"| {split} | " + " | ".join(cells) + " |")
    absent = [r.id for r in results if r.status == "absent"]
    print("\n".join(rows + summary))
    if absent:
        print(f"\nabsent (not committed; pass --external): {', '.join(absent)}")
    if args.verbose:
        for r in results:
            for line in r.wrong + [f"debris {d}" for d in r.debris]:
                print(f"{r.id} ({r.split}): {line}")
            if r.status.startswith("crash"):
                print(f"{r.id}: {r.status}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
