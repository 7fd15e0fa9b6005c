"""Export checked references as BibTeX, through pybtex. Pure, but for :func:`write_bibtex`.

The last step of the data flow: ``... -> Match(Work) -> BibTeX``. :func:`to_bibtex` turns a
:class:`~refcheck.model.Report` (or its checked references) into the text of a ``.bib`` file:

* one entry per *resolved work*, built from its Crossref record (a work cited twice, as in two
  reference lists, is one entry), with the entry type of its record type
  (``journal-article`` -> ``@article``, ``book-chapter`` -> ``@incollection``, ...);
* one entry per *unresolved* (or ambiguous, or unchecked) reference, built from its parsed
  fields (the same cited DOI, or the same title, year and first author, is one entry) and
  marked twice: a ``% refcheck: unresolved`` line above it, and
  ``note = {refcheck: unresolved}`` in it;
* above each entry, a ``%`` line saying where it is cited (``manuscript.md:12 [A1]``).

Keys are the first author's family name, the year and the first significant word of the title,
folded to lower-case ASCII (``mehta2020silencing``); keys that clash get ``a``, ``b``... in
the order the entries come (``smith2020studya``, ``smith2020studyb``).

Text is LaTeX-escaped by default: special characters (``& % $ # _ { } ~ ^ \\``) get their
LaTeX commands, accented letters become ``{\\'e}``, dashes become ``--``/``---``; characters
with no LaTeX spelling that refcheck knows (Greek letters, say) are kept as UTF-8.
``unicode=True`` keeps all letters as UTF-8 and escapes only the special characters: for biber
(biblatex), which reads UTF-8; classic ``bibtex`` does not.

In titles, words whose case carries meaning are protected with braces, so that a style that
lower-cases titles keeps them: acronyms and mixed-case words (``{NLRC4}``, ``{COVID-19}``,
``{mRNA}``), and, in a title written in sentence case, capitalised words after the first
(proper nouns: ``{Crohn's}``). In a title in Title Case every word is capitalised, so a single
capital says nothing and such words are left alone.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Sequence

import attrs
from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.output.bibtex import Writer
from pybtex.exceptions import PybtexError

from refcheck.errors import ExportError
from refcheck.model import Author, CheckedReference, MatchStatus, Reference, Report, Work
from refcheck.output.files import write_output
from refcheck.parsing.normalize import fold, words

__all__ = ["ENTRY_TYPES", "entry_counts", "published_work", "to_bibtex", "write_bibtex"]

#: BibTeX entry type of each Crossref work type; any other type is ``misc``.
ENTRY_TYPES: dict[str, str] = {
    "journal-article": "article",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-set": "book",
    "book-chapter": "incollection",
    "book-section": "incollection",
    "book-part": "incollection",
    "reference-entry": "incollection",
    "proceedings-article": "inproceedings",
    "proceedings": "proceedings",
    "report": "techreport",
    "report-component": "techreport",
    "dissertation": "phdthesis",
    "posted-content": "misc",
    "dataset": "misc",
}

# --- escaping -------------------------------------------------------------------------------

_SPECIAL = {
    "\\": r"\textbackslash{}",
    # Not \{ and \}: bibtex (and pybtex) count braces with no regard for backslashes.
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
# Combining marks and the LaTeX accent command that draws them: "é" = "e" + U+0301 -> {\'e}.
_ACCENTS = {
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0303": "~",
    "\u0304": "=",
    "\u0306": "u",
    "\u0307": ".",
    "\u0308": '"',
    "\u030a": "r",
    "\u030b": "H",
    "\u030c": "v",
    "\u0327": "c",
    "\u0328": "k",
}
_LETTERS = {
    "ß": r"{\ss}",
    "ø": r"{\o}",
    "Ø": r"{\O}",
    "æ": r"{\ae}",
    "Æ": r"{\AE}",
    "œ": r"{\oe}",
    "Œ": r"{\OE}",
    "ł": r"{\l}",
    "Ł": r"{\L}",
    "ı": r"{\i}",
    "å": r"{\aa}",
    "Å": r"{\AA}",
    "–": "--",
    "—": "---",
    "‐": "-",
    "‑": "-",
    "\u2212": "-",
    "\u00a0": "~",
    "‘": "`",
    "’": "'",
    "“": "``",
    "”": "''",
}

# Greek letters that LaTeX's math mode spells: "β" -> {$\beta$}.
_GREEK = frozenset(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau "  # noqa: SIM905
    "upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
)


def escape(text: str, *, unicode: bool = False) -> str:
    """``text`` made safe inside a BibTeX field: "Brito-Zerón & co" -> "Brito-Zer{\\'o}n \\& co".

    With ``unicode=True`` only the special characters are escaped; letters stay UTF-8.
    """
    out: list[str] = []
    # In LaTeX mode, "e" + U+0301 is composed first, to be spelled {\'e}; UTF-8 stays as given.
    for char in text if unicode else unicodedata.normalize("NFC", text):
        if char in _SPECIAL:
            out.append(_SPECIAL[char])
        elif unicode or char.isascii():
            out.append(char)
        else:
            out.append(_latex_letter(char))
    return "".join(out)


def _latex_letter(char: str) -> str:
    if char in _LETTERS:
        return _LETTERS[char]
    base, *marks = list(unicodedata.normalize("NFD", char))
    if len(marks) == 1 and base.isascii() and base.isalpha() and marks[0] in _ACCENTS:
        command = _ACCENTS[marks[0]]
        base = {"i": r"\i", "j": r"\j"}.get(base, base)
        separator = " " if command.isalpha() else ""
        return "{\\" + command + separator + base + "}"
    name = unicodedata.name(char, "")
    if name.startswith("GREEK ") and " LETTER " in name:
        letter = name.rsplit(" ", 1)[-1].lower()
        letter = "lambda" if letter == "lamda" else letter  # Unicode's spelling
        command = letter if "SMALL" in name else letter.capitalize()
        if command in _GREEK:
            return "{$\\" + command + "$}"
    return char  # no LaTeX spelling known: kept as UTF-8 (biber and inputenc read it)


# A word of a title, with what sticks to it: "(GM-CSF)," -> "(", "GM-CSF", "),".
_WORD = re.compile(r"^(?P<lead>[\W_]*)(?P<core>.*?)(?P<trail>[^\w]*)$", re.DOTALL)
_MINOR = frozenset(
    "a an and as at but by for from in into nor of on or over per the to via vs with".split()  # noqa: SIM905
)


def _needs_protection(core: str, first: bool, sentence_case: bool) -> bool:
    """Should a title word keep its case? "NLRC4", "COVID-19", "mRNA": yes; "Storm": see below."""
    letters = [c for c in core if c.isalpha()]
    if not letters:
        return False
    # An acronym or a mixed-case word (NLRC4, GM-CSF, mRNA, McDonald), not "T-Cell" in Title Case.
    if any(c.isupper() for part in re.split(r"[-‐/]", core) for c in part[1:]):
        return True
    return sentence_case and not first and core[0].isupper()  # a proper noun: Crohn's, Lancet


def _is_sentence_case(words: Sequence[str]) -> bool:
    """False for a title in Title Case: 80% or more of its longer content words capitalised."""
    content = [w for w in words[1:] if w[:1].isalpha() and w.lower() not in _MINOR and len(w) > 3]
    capitalised = sum(1 for w in content if w[0].isupper())
    return not content or capitalised * 5 < len(content) * 4  # Title Case: 80% capitalised


def title_field(title: str, *, unicode: bool = False) -> str:
    """A title escaped, with its case-carrying words protected: "{NLRC4} inflammasome"."""
    tokens = title.split()
    cores = [m["core"] for m in map(_WORD.match, tokens) if m]
    sentence_case = _is_sentence_case(cores)
    out: list[str] = []
    after_colon = True
    for token in tokens:
        match = _WORD.match(token)
        assert match is not None  # the pattern matches any string
        lead, core, trail = match["lead"], match["core"], match["trail"]
        text = escape(core, unicode=unicode)
        if _needs_protection(core, after_colon, sentence_case):
            text = "{" + text + "}"
        out.append(escape(lead, unicode=unicode) + text + escape(trail, unicode=unicode))
        if core:
            after_colon = trail.rstrip().endswith((":", ".", "?", "!"))
    return " ".join(out)


# --- keys -----------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    """Lower-case ASCII letters and digits only: "Brito-Zerón" -> "britozeron"."""
    decomposed = unicodedata.normalize("NFKD", text)
    for letter, spelled in (("ß", "ss"), ("ø", "o"), ("æ", "ae"), ("œ", "oe"), ("ł", "l")):
        decomposed = decomposed.replace(letter, spelled).replace(letter.upper(), spelled)
    return re.sub(r"[^a-z0-9]", "", decomposed.encode("ascii", "ignore").decode().lower())


def base_key(authors: Sequence[Author], year: str | None, title: str | None) -> str:
    """``mehta2020silencing``: first author's family name, year, first significant title word."""
    words = authors[0].family.split() if authors else []
    name = _ascii(words[-1]) if words else ""
    if words and authors[0].organisation:
        name = _ascii(words[0])
    word = ""
    for candidate in (title or "").split():
        folded = _ascii(candidate)
        if folded and folded not in _MINOR and not folded.isdigit():
            word = folded
            break
    key = (name or "anon") + (year or "") + word
    return key if key[0].isalpha() else "ref" + key


def _unique_keys(bases: Sequence[str]) -> list[str]:
    """Keys that clash get a, b, c... in order; a key used once keeps no suffix."""
    counts: dict[str, int] = {}
    for base in bases:
        counts[base] = counts.get(base, 0) + 1
    taken = set(bases)
    seen: dict[str, int] = {}
    keys: list[str] = []
    for base in bases:
        if counts[base] == 1:
            keys.append(base)
            continue
        index = seen.get(base, 0)
        while True:
            key = base + _suffix(index)
            index += 1
            if key not in taken:
                break
        seen[base] = index
        taken.add(key)
        keys.append(key)
    return keys


def _suffix(index: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return (
        letters[index]
        if index < len(letters)
        else f"{letters[index // 26 - 1]}{letters[index % 26]}"
    )


# --- entries --------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class _Draft:
    """One entry before its key is known: type, base key, fields, names, and the comment lines."""

    type: str
    base_key: str
    fields: tuple[tuple[str, str], ...]
    persons: tuple[tuple[str, tuple[Author, ...], bool], ...]
    comments: tuple[str, ...]


# What would split a name part in BibTeX's eyes: a comma, or "and" between blanks.
_NAME_SPLITTER = re.compile(r",|\sand\s", re.IGNORECASE)


def _name_part(text: str, unicode: bool) -> str:
    """A family or given name, escaped; braced if BibTeX would split it ("Smith, Jr", "A and B")."""
    escaped = escape(text, unicode=unicode)
    return "{" + escaped + "}" if _NAME_SPLITTER.search(text) else escaped


def _person(author: Author, unicode: bool) -> Person:
    whole = not author.given and " " in author.family and not author.family[0].islower()
    if author.organisation or whole:
        # An organisation, or a record's whole name in "family" ("Christos Zavos", no given
        # name): braced, or BibTeX would take its first word for a given name.
        return Person(last="{" + escape(author.family, unicode=unicode) + "}")
    return Person(
        last=_name_part(author.family, unicode),
        first=_name_part(author.given or "", unicode) if author.given else "",
        # "Kessler, Jr., E. G.": BibTeX's third part, the lineage.
        lineage=_name_part(author.suffix, unicode) if author.suffix else "",
    )


def _verbatim(value: str | None) -> str | None:
    """A DOI or URL as written (biblatex reads them verbatim), braces percent-encoded."""
    return value.replace("{", "%7B").replace("}", "%7D") if value else None


def _pages(first: str | None, last: str | None, unicode: bool) -> str | None:
    if first and last and first != last:
        return f"{escape(first, unicode=unicode)}--{escape(last, unicode=unicode)}"
    return escape(first, unicode=unicode) if first else None


#: Where the container title goes, by entry type (none for the other types).
_CONTAINER_FIELD = {
    "article": "journal",
    "incollection": "booktitle",
    "inproceedings": "booktitle",
    "misc": "howpublished",
}
#: Where the publisher goes, by entry type (``publisher`` for the other types).
_PUBLISHER_FIELD = {"techreport": "institution", "phdthesis": "school", "article": ""}


def _work_fields(work: Work, unicode: bool) -> tuple[str, list[tuple[str, str]]]:
    entry_type = ENTRY_TYPES.get(work.type or "", "misc")
    title = work.title
    if title and work.subtitle:
        title = f"{title}: {work.subtitle}"
    fields: list[tuple[str, str | None]] = [
        ("title", title_field(title, unicode=unicode) if title else None)
    ]
    container = escape(work.container_title, unicode=unicode) if work.container_title else None
    fields.append((_CONTAINER_FIELD.get(entry_type, ""), container))
    publisher = escape(work.publisher, unicode=unicode) if work.publisher else None
    fields += [
        ("year", work.year),
        ("volume", escape(work.volume, unicode=unicode) if work.volume else None),
        ("number", escape(work.issue, unicode=unicode) if work.issue else None),
        ("pages", _pages(work.first_page, work.last_page, unicode)),
        (
            "eid",
            escape(work.article_number) if work.article_number and not work.first_page else None,
        ),
        (_PUBLISHER_FIELD.get(entry_type, "publisher"), publisher),
        # One number each (biber checks them): the first the record gives, for the types
        # that biblatex gives the field.
        ("isbn", escape(work.isbn[0]) if work.isbn and entry_type in _BOOKISH else None),
        ("issn", escape(work.issn[0]) if work.issn and entry_type == "article" else None),
        ("doi", _verbatim(work.doi)),
        ("eprint", _eprint(work)),
        ("eprinttype", _eprint_type(work)),
    ]
    return entry_type, _fit(entry_type, fields)


def _eprint(work: Work) -> str | None:
    """The arXiv identifier of a preprint, or the PMID of a work without a DOI."""
    if work.arxiv_id:
        return escape(work.arxiv_id)
    return escape(work.pmid) if work.pmid and not work.doi else None


def _eprint_type(work: Work) -> str | None:
    if work.arxiv_id:
        return "arxiv"
    return "pubmed" if work.pmid and not work.doi else None


def published_work(checked: CheckedReference) -> Work | None:
    """The published version of a matched preprint, as a work to export: the preprint's
    title and authors with the published version's venue, year, volume, pages and DOI."""
    match = checked.match
    work, published = match.work, match.published
    if work is None or published is None:
        return None
    kind = published.type or (
        "proceedings-article"
        if published.container_title and _PROCEEDINGS.search(published.container_title)
        else "journal-article"
    )
    return attrs.evolve(
        published,
        type=kind,
        title=published.title or work.title,
        subtitle=published.subtitle or (work.subtitle if not published.title else None),
        authors=published.authors or work.authors,
        published_version=None,
    )


_PROCEEDINGS = re.compile(
    r"\b(?:Proc|Proceedings|Conference|Workshop|Symposium|NeurIPS|NIPS|ICLR|ICML|ACL|EMNLP)",
    re.IGNORECASE,
)


_BOOKISH = frozenset({"book", "incollection", "inproceedings", "proceedings", "techreport"})
#: The fields of a ``@misc`` entry in biblatex's data model (and bibtex's ``misc``).
_MISC_FIELDS = frozenset({"title", "howpublished", "year", "doi", "url", "note", "eprint"})


def _fit(entry_type: str, fields: Sequence[tuple[str, str | None]]) -> list[tuple[str, str]]:
    """The fields that are set and that the entry type takes.

    A ``@misc`` entry takes no volume, number, pages or publisher: the publisher becomes
    ``howpublished`` when there is no container, the rest is left out (the DOI remains).
    """
    present = [(k, v) for k, v in fields if k and v]
    if entry_type != "misc":
        return present
    named = dict(present)
    if "howpublished" not in named and named.get("publisher"):
        present.append(("howpublished", named["publisher"]))
    return [(k, v) for k, v in present if k in _MISC_FIELDS or k == "eprinttype"]


def _reference_fields(
    reference: Reference, status: MatchStatus, unicode: bool
) -> tuple[str, list[tuple[str, str]]]:
    entry_type = ENTRY_TYPES.get(reference.kind or "", "misc")
    numbered = bool(reference.volume or reference.pages)
    if entry_type == "misc" and reference.kind is None and reference.container_title and numbered:
        entry_type = "article"  # a container with a volume or pages: a journal article
    if entry_type == "article" and not reference.container_title:
        entry_type = "misc"
    title = reference.title
    container = (
        escape(reference.container_title, unicode=unicode) if reference.container_title else None
    )
    pages = reference.pages
    if reference.first_page:
        pages = _pages(reference.first_page, reference.last_page, unicode)
    elif pages:
        pages = escape(pages, unicode=unicode).replace("–", "--")
    publisher = escape(reference.publisher, unicode=unicode) if reference.publisher else None
    fields: list[tuple[str, str | None]] = [
        ("title", title_field(title, unicode=unicode) if title else None),
        (_CONTAINER_FIELD.get(entry_type, ""), container),
        ("year", escape(reference.year) if reference.year else None),
        ("volume", escape(reference.volume, unicode=unicode) if reference.volume else None),
        ("number", escape(reference.issue, unicode=unicode) if reference.issue else None),
        ("pages", pages),
        (_PUBLISHER_FIELD.get(entry_type, "publisher"), publisher),
        ("doi", _verbatim(reference.doi)),
        ("url", _verbatim(reference.url)),
        # biblatex's way of giving a PubMed id (it has no "pmid" field).
        ("eprint", escape(reference.pmid) if reference.pmid else None),
        ("eprinttype", "pubmed" if reference.pmid else None),
        ("note", f"refcheck: {status.value}"),
    ]
    if entry_type == "misc":
        # What a @misc entry cannot hold is kept where a reader sees it.
        numbers = [f"{k} {v}" for k, v in fields if k in {"volume", "number", "pages"} and v]
        if numbers:
            fields[-1] = ("note", f"refcheck: {status.value}; " + ", ".join(numbers))
    return entry_type, _fit(entry_type, fields)


def _where(checked: Iterable[CheckedReference]) -> str:
    places = []
    for c in checked:
        label = f" [{c.citation.label}]" if c.citation.label else ""
        places.append(f"{c.citation.file}:{c.citation.line}{label}")
    # "@" would open an entry in the eyes of bibtex, even in a comment line.
    return "% cited at " + ", ".join(dict.fromkeys(places)).replace("@", "(at)")


#: A cited title at least this long (its words, folded) is specific enough to tell one work
#: from another together with the year and the first author.
_DISTINCT_TITLE = 20


def _entry_key(checked: CheckedReference, published: bool = False) -> object:
    """What makes two citations one entry.

    A resolved work is one entry however often it is cited: by DOI, or (a PubMed record has no
    DOI) by the work itself. A reference without a work (unresolved, ambiguous, or not checked,
    as every reference is offline) is one entry with the others that cite the same DOI, or else
    the same title, year and first author: the same work cited in three lists, once as "Cron
    R" and twice as "Cron RQ", is one entry offline as it is online.
    """
    work = _exported(checked, published)
    if work is not None:
        return ("work", work.doi.lower() or work)
    reference = checked.reference
    if reference.doi:
        return ("doi", reference.doi.lower())
    title = " ".join(words(reference.title or ""))
    if len(title) >= _DISTINCT_TITLE:
        first = fold(reference.authors[0].family) if reference.authors else ""
        return ("cited", title, reference.year or "", first)
    return ("reference", reference)


def _groups(
    references: Iterable[CheckedReference], published: bool = False
) -> list[list[CheckedReference]]:
    """The citations of each entry, in the order the entries come."""
    groups: dict[object, list[CheckedReference]] = {}
    for checked in references:
        groups.setdefault(_entry_key(checked, published), []).append(checked)
    return list(groups.values())


def entry_counts(
    source: Report | Iterable[CheckedReference], *, published: bool = False
) -> dict[str, int]:
    """How many entries :func:`to_bibtex` writes, by what each is built from: the source of a
    resolved work (``"crossref"``, ``"pubmed"``...), or, for a reference without one, its
    status (``"unresolved"``, ``"ambiguous"``, ``"unchecked"``)."""
    references = source.references if isinstance(source, Report) else source
    counts: dict[str, int] = {}
    for first, *_ in _groups(references, published):
        if first.match.status is MatchStatus.MATCHED and first.match.work is not None:
            kind = first.match.source or "crossref"
        else:
            kind = first.match.status.value
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _exported(checked: CheckedReference, published: bool) -> Work | None:
    """The work a checked reference is exported as: its match, or (``published``) the
    published version of a matched preprint."""
    if checked.match.status is not MatchStatus.MATCHED:
        return None
    if published and (version := published_work(checked)) is not None:
        return version
    return checked.match.work


def _drafts(
    references: Sequence[CheckedReference], unicode: bool, published: bool = False
) -> list[_Draft]:
    drafts = []
    for members in _groups(references, published):
        first = members[0]
        work = _exported(first, published)
        if work is not None:
            entry_type, fields = _work_fields(work, unicode)
            persons: tuple[tuple[str, tuple[Author, ...], bool], ...] = (
                ("author", work.authors, False),
                ("editor", work.editors, False),
            )
            key = base_key(work.authors, work.year, work.title)
            comments: tuple[str, ...] = (_where(members),)
        else:
            reference = first.reference
            status = first.match.status
            entry_type, fields = _reference_fields(reference, status, unicode)
            persons = (("author", reference.authors, reference.et_al),)
            key = base_key(reference.authors, reference.year, reference.title)
            comments = (f"% refcheck: {status.value}", _where(members))
        drafts.append(_Draft(entry_type, key, tuple(fields), persons, comments))
    return drafts


class _RawWriter(Writer):  # type: ignore[misc]
    """pybtex's BibTeX writer, given text that :func:`escape` has already made LaTeX-safe."""

    def _encode(self, text: str) -> str:
        return text


def to_bibtex(
    source: Report | Iterable[CheckedReference],
    *,
    unicode: bool = False,
    published: bool = False,
) -> str:
    """The text of a ``.bib`` file for the references of ``source`` (see the module docs).

    ``published``: a matched preprint that was published (``Match.published``) is exported
    as its published version (venue, year, volume, pages and DOI of that version; the
    preprint's title and authors when the version's record has none).

    Raises :class:`~refcheck.errors.ExportError` if pybtex cannot write an entry.
    """
    references = tuple(source.references if isinstance(source, Report) else source)
    drafts = _drafts(references, unicode, published)
    keys = _unique_keys([d.base_key for d in drafts])
    writer = _RawWriter(encoding="utf-8")
    chunks = []
    for key, draft in zip(keys, drafts, strict=True):
        try:
            entry = Entry(draft.type, fields=list(draft.fields))
            for role, authors, others in draft.persons:
                for author in authors:
                    entry.add_person(_person(author, unicode), role)
                if others and authors:
                    entry.add_person(Person("others"), role)
            text = writer.to_string(BibliographyData(entries={key: entry}))
        except PybtexError as exc:
            raise ExportError(f"cannot write BibTeX entry {key}: {exc}") from exc
        chunks.append("\n".join(draft.comments) + "\n" + text)
    return "\n".join(chunks)


def write_bibtex(
    source: Report | Iterable[CheckedReference],
    path: str | os.PathLike[str],
    *,
    unicode: bool = False,
    published: bool = False,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> None:
    """Write :func:`to_bibtex` of ``source`` to ``path`` (UTF-8), whole or not at all
    (:func:`~refcheck.output.files.write_output`); ``inputs`` are files it must not be."""
    write_output(path, to_bibtex(source, unicode=unicode, published=published), inputs=inputs)
