"""The publisher-truth PDF corpus: open-access articles' PDFs with their publisher's XML.

A script, not a test. Scientific-document projects commit open-access articles as they
downloaded them from Europe PMC, PubMed Central or the publisher: the published PDF
(``fulltext.pdf``) beside the publisher's XML of the same article (``fulltext.xml``: JATS /
NLM, or BioMed Central's own ``art`` DTD). The XML is the truth of the PDF's reference
list, field by field, as GROBID's end-to-end evaluation uses PMC's XML: it was made by the
publisher from the same typeset article, not by the authors, and not by refcheck.

``--discover`` walks the repositories of :data:`SOURCES` at their listed commits, keeps each
folder holding one PDF and an XML with a reference list, drops copies (the same PDF, or the
same article, committed twice) and writes the listing ``benchmarks/pdf_pmc.json`` (committed:
repository, commit, paths, the article's DOI, publisher, journal and licence, its part).
Without ``--discover`` the script rebuilds the corpus from that listing: each PDF and the
truth read from its XML go to ``benchmarks/.pdf-pmc/`` (not committed) for
``benchmarks/pdf.py --corpus pmc``.

The repositories are read as git directories under ``--mirror`` (one folder per repository,
``owner+name``, as ``git clone --mirror`` or a snapshot leaves them); any clone of the listed
repository at the listed commit will do. Neither the PDFs nor the XML are committed to
refcheck: the articles are under their publishers' open licences (recorded per article), the
repositories under Apache-2.0 or their own terms, and refcheck keeps only where each is.

``part`` is decided by a hash of the article's identifier (its DOI, else its PMC id, else its
path), before any article was read: ``tune`` articles may be looked at while improving the
reader, ``test`` articles are only scored.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

ROOT = Path(__file__).resolve().parents[1]
LISTING = ROOT / "benchmarks" / "pdf_pmc.json"
OUT = ROOT / "benchmarks" / ".pdf-pmc"

#: (repository, commit, folders searched): the public repositories the corpus comes from.
SOURCES = (
    # ContentMine's ami: Hindawi articles as Europe PMC serves them, BMC Trials, PLOS ONE.
    ("ContentMine/ami", "77524a52dec5e652cb66fef64473f4f56ec5e064", ("src/test", "examplesOld")),
    # ContentMine's norma: one article of each publisher style it normalises.
    ("ContentMine/norma", "2970a4d172ef3f128647165613b58251ea1e6b70", ("src/test", "examples")),
    # petermr/cproject: MDPI, Copernicus and PMC articles of its test projects.
    ("petermr/cproject", "11d491b42fff62320789ea836b3b43c25f13ee8c", ("src/test",)),
    # petermr/tigr2ess: a Europe PMC search (Ocimum sanctum), articles of many publishers.
    ("petermr/tigr2ess", "9612323fd84d69053c1477e4a224f4b85d4a5f4f", ("",)),
    # petermr/amilib: Europe PMC searches (district heating, wildlife) of its tests.
    ("petermr/amilib", "8d71ec7c1c824059a6eb7332f137afdbce1d2292", ("test", "amilib")),
)

_XML_NAMES = ("fulltext.xml", "fulltext.nxml")
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_XLINK = "{http://www.w3.org/1999/xlink}href"


# --- git ------------------------------------------------------------------------------------


def git_dir(mirror: Path, repo: str) -> Path:
    base = mirror / repo.replace("/", "+")
    for candidate in (base / "repo" / ".git", base / "repo", base):
        if (candidate / "objects").is_dir():
            return candidate
    raise FileNotFoundError(f"no git directory of {repo} under {mirror}")


def _git(gitdir: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(gitdir), *args], check=True, capture_output=True
    ).stdout


def tree(gitdir: Path, commit: str) -> dict[str, tuple[str, int]]:
    """Every file of the commit: ``{path: (blob, size)}`` (size -1 when the blob is absent)."""
    out = _git(gitdir, "ls-tree", "-r", "-l", "-z", commit)
    files = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        _mode, kind, blob, size = meta.split()
        if kind == b"blob":
            files[path.decode("utf-8", "replace")] = (
                blob.decode(),
                int(size) if size.isdigit() else -1,
            )
    return files


def blob(gitdir: Path, sha: str) -> bytes:
    return _git(gitdir, "cat-file", "blob", sha)


# --- the truth: reference lists of the publisher's XML -----------------------------------------


def parse_xml(data: bytes) -> ET.Element:
    """The XML's root; named entities (HTML's, which JATS DTDs define) are resolved first,
    and no DTD is read."""
    text = data.decode("utf-8", "replace")
    text = re.sub(r"<!DOCTYPE[^>\[]*(\[[^\]]*\])?\s*>", "", text, count=1)
    text = _ENTITY.sub(
        lambda m: m[0] if m[1] in _XML_ENTITIES else html.escape(html.unescape(m[0])), text
    )
    return ET.fromstring(text)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element: ET.Element | None) -> str | None:
    if element is None:
        return None
    value = " ".join("".join(element.itertext()).split())
    return value or None


def _spaced(element: ET.Element) -> str:
    """The element's text with a space between its parts (an element-citation's fields)."""
    return " ".join(" ".join(part.split()) for part in element.itertext() if part.strip())


def _first(element: ET.Element, *names: str) -> ET.Element | None:
    for name in names:
        for child in element.iter():
            if _local(child.tag) == name:
                return child
    return None


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def jats_entries(root: ET.Element) -> list[dict[str, Any]]:
    """Each ``<ref>`` of the article's reference lists (sub-articles' aside), in order."""
    back = [e for e in root.iter() if _local(e.tag) == "back"]
    lists = [e for b in back[:1] for e in b.iter() if _local(e.tag) == "ref-list"]
    out = []
    seen: set[int] = set()
    for ref_list in lists:
        for ref in ref_list.iter():
            if _local(ref.tag) != "ref" or id(ref) in seen:
                continue
            seen.add(id(ref))
            citation = next(
                (
                    c
                    for c in ref.iter()
                    if _local(c.tag)
                    in ("element-citation", "mixed-citation", "citation", "nlm-citation")
                ),
                None,
            )
            if citation is None:
                continue
            out.append(_jats_entry(citation, _text(_first(ref, "label"))))
    return out


def _jats_entry(citation: ET.Element, label: str | None) -> dict[str, Any]:
    groups = [g for g in citation.iter() if _local(g.tag) == "person-group"]
    authors = [g for g in groups if g.get("person-group-type", "author") == "author"]
    scope = authors[0] if authors else citation
    family = None
    for person in scope.iter():
        name = _local(person.tag)
        if name in ("name", "string-name"):
            family = _text(_first(person, "surname")) or _text(person)
            break
        if name == "collab":
            family = _text(person)
            break
    title = (
        _text(_first(citation, "article-title"))
        or _text(_first(citation, "chapter-title"))
        or _text(_first(citation, "data-title"))
    )
    # Elsevier's JATS names some books by a part-title and no source.
    source = _text(_first(citation, "source")) or _text(_first(citation, "part-title"))
    year = _text(_first(citation, "year"))
    doi = next(
        (
            _text(p)
            for p in citation.iter()
            if _local(p.tag) == "pub-id" and p.get("pub-id-type") == "doi"
        ),
        None,
    )
    fpage = _text(_first(citation, "fpage")) or _text(_first(citation, "elocation-id"))
    return {
        "label": label,
        "doi": (doi or "").lower(),
        "family": family,
        # A work without an article or chapter title (a book, a report) is titled by its
        # source, which then contains nothing: refcheck's reading of such an entry.
        "title": title or source,
        "container": source if title else None,
        "year": re.sub(r"[^\d].*$", "", year) if year else None,
        "volume": _text(_first(citation, "volume")),
        "pages": fpage,
        "kind": citation.get("publication-type") or citation.get("citation-type"),
        # What the benchmark matches an entry by when the work has no title (a web page).
        "text": _spaced(citation)[:300],
    }


def bmc_entries(root: ET.Element) -> list[dict[str, Any]]:
    """Each ``<bibl>`` of a BioMed Central ``art`` XML's ``<refgrp>``."""
    out = []
    for group in (e for e in root.iter() if _local(e.tag) == "refgrp"):
        for bibl in _children(group, "bibl"):
            title = _text(_first(bibl, "title"))
            source = _text(_first(bibl, "source"))
            family = None
            for au in (e for e in bibl.iter() if _local(e.tag) in ("au", "cnm")):
                family = _text(_first(au, "snm")) if _local(au.tag) == "au" else _text(au)
                break
            doi = next(
                (
                    _text(p)
                    for p in bibl.iter()
                    if _local(p.tag) == "pubid" and p.get("idtype") == "doi"
                ),
                None,
            )
            year = _text(_first(bibl, "pubdate"))
            out.append(
                {
                    "label": None,
                    "doi": (doi or "").lower(),
                    "family": family,
                    "title": title or source,
                    "container": source if title else None,
                    "year": re.sub(r"[^\d].*$", "", year) if year else None,
                    "volume": _text(_first(bibl, "volume")),
                    "pages": _text(_first(bibl, "fpage")),
                    "kind": None,
                    "text": _spaced(bibl)[:300],
                }
            )
    return out


def article(root: ET.Element) -> dict[str, Any]:
    """The article's own DOI, PMC id, publisher, journal and licence."""
    meta: dict[str, Any] = {"dtd": _local(root.tag)}
    if meta["dtd"] == "art":
        front = _first(root, "fm")
        pubid = None if front is None else _first(front, "pubid")
        meta["doi"] = (_text(pubid) or "").lower() or None
        ui = _text(_first(root, "ui"))
        meta["doi"] = meta["doi"] or (f"10.1186/{ui}" if ui else None)
        meta["publisher"] = "BioMed Central"
        meta["journal"] = None
        meta["licence"] = "BioMed Central open access (CC BY)"
        return meta
    article_meta = _first(root, "article-meta")
    ids = (
        {}
        if article_meta is None
        else {a.get("pub-id-type"): _text(a) for a in _children(article_meta, "article-id")}
    )
    meta["doi"] = (ids.get("doi") or "").lower() or None
    meta["pmcid"] = ids.get("pmcid") or (f"PMC{ids['pmc']}" if ids.get("pmc") else None)
    meta["publisher"] = _text(_first(root, "publisher-name"))
    meta["journal"] = _text(_first(root, "journal-title")) or _text(_first(root, "journal-id"))
    license_ = _first(root, "license")
    licence = None
    if license_ is not None:
        ref = _first(license_, "ext-link", "license_ref")
        licence = (
            license_.get(_XLINK) or (ref.get(_XLINK) if ref is not None else None) or _text(ref)
        )
        words = _text(license_) or ""
        if not licence and re.search(r"Creative Commons Attribution", words, re.I):
            licence = "CC BY (" + " ".join(words.split()[:14]) + "...)"
        licence = licence or license_.get("license-type") or words[:120] or None
    meta["licence"] = licence
    return meta


def truth_of(data: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    root = parse_xml(data)
    entries = bmc_entries(root) if _local(root.tag) == "art" else jats_entries(root)
    return article(root), entries


# --- discovery and rebuilding -----------------------------------------------------------------


def part_of(key: str) -> str:
    """``tune`` or ``test``, by a hash of the article's identifier (half and half)."""
    digest = hashlib.sha256(key.strip().lower().encode()).digest()
    return "test" if digest[0] % 2 else "tune"


def _name(repo: str, folder: str) -> str:
    tail = re.sub(r"[^A-Za-z0-9._-]+", "_", folder.rsplit("/", 1)[-1])
    return f"{repo.split('/')[0]}+{tail}"


def discover(mirror: Path) -> Iterator[dict[str, Any]]:
    pdfs_seen: set[str] = set()
    articles_seen: set[str] = set()
    names: set[str] = set()
    for repo, commit, roots in SOURCES:
        gitdir = git_dir(mirror, repo)
        files = tree(gitdir, commit)
        folders: dict[str, list[str]] = {}
        for path in files:
            folder, _, leaf = path.rpartition("/")
            folders.setdefault(folder, []).append(leaf)
        for folder in sorted(folders):
            if not any(
                folder == r or folder.startswith(r.rstrip("/") + "/") or not r for r in roots
            ):
                continue
            leaves = folders[folder]
            pdfs = [leaf for leaf in leaves if leaf.lower().endswith(".pdf")]
            xmls = [leaf for leaf in _XML_NAMES if leaf in leaves]
            if len(pdfs) != 1 or not xmls:
                continue
            pdf_blob, pdf_size = files[f"{folder}/{pdfs[0]}"]
            xml_blob, _ = files[f"{folder}/{xmls[0]}"]
            if pdf_size <= 0 or pdf_blob in pdfs_seen:
                continue
            data = blob(gitdir, pdf_blob)
            if b"%PDF-" not in data[:1024]:
                continue
            try:
                meta, entries = truth_of(blob(gitdir, xml_blob))
            except ET.ParseError:
                continue
            if len(entries) < 3:
                continue  # a letter or an editorial: no reference list to speak of
            key = meta.get("doi") or meta.get("pmcid") or f"{repo}/{folder}"
            if key.lower() in articles_seen:
                continue
            pdfs_seen.add(pdf_blob)
            articles_seen.add(key.lower())
            name = _name(repo, folder)
            while name in names:
                name += "_"
            names.add(name)
            yield {
                "name": name,
                "repository": repo,
                "commit": commit,
                "pdf": f"{folder}/{pdfs[0]}",
                "xml": f"{folder}/{xmls[0]}",
                "doi": meta.get("doi"),
                "pmcid": meta.get("pmcid"),
                "publisher": meta.get("publisher"),
                "journal": meta.get("journal"),
                "licence": meta.get("licence"),
                "xml_dtd": meta["dtd"],
                "entries": len(entries),
                "part": part_of(key),
            }


def rebuild(mirror: Path, listing: Sequence[dict[str, Any]]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    built = 0
    for item in listing:
        gitdir = git_dir(mirror, item["repository"])
        files = tree(gitdir, item["commit"])
        pdf = blob(gitdir, files[item["pdf"]][0])
        _, entries = truth_of(blob(gitdir, files[item["xml"]][0]))
        (OUT / f"{item['name']}.pdf").write_bytes(pdf)
        truth = {
            "style": "pmc",
            "part": item["part"],
            "publisher": item["publisher"],
            "source": f"{item['repository']}@{item['commit'][:12]}:{item['pdf']}",
            "lists": [entries],
        }
        (OUT / f"{item['name']}.truth.json").write_text(
            json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        built += 1
    return built


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--discover", action="store_true", help="rewrite the listing")
    args = parser.parse_args(argv)
    if args.discover:
        listing = list(discover(args.mirror))
        LISTING.write_text(
            json.dumps({"articles": listing}, indent=1, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        parts = {p: sum(1 for a in listing if a["part"] == p) for p in ("tune", "test")}
        print(f"{len(listing)} articles listed ({parts})")
    listing = json.loads(LISTING.read_text(encoding="utf-8"))["articles"]
    print(f"{rebuild(args.mirror, listing)} articles built in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
