"""Personal names as citations print them, read into :class:`~refcheck.model.Author` values. Pure.

:func:`parse_names` reads an author list ("Cron RQ, Hartwell J", "Cron, R. Q., & Hartwell,
J.", "J. Als-Nielsen, D. McMorrow", "Yıldız, B., and H. Şimşek", "Sachs R K", "Doyle, J. D.,
and Coauthors"); :func:`parse_name` reads one name. The shapes they know:

* given names first ("Thomas F. LaPorta") or family name first ("Cron RQ", "Sachs R K",
  "KAHAN Marcel", "Xu Jun"), or inverted with a comma ("Cron, R. Q."); a list may mix them
  (MLA and Chicago invert only the first author);
* particles before a family name (van, von, de, da, di, del, de la, van der, ten, le, al-,
  el-, bin, ibn: "Ludwig van Beethoven", "de la Macorra JC");
* family names in several words or joined by a hyphen (Spanish and Portuguese "De La Cruz
  Cortes", "Segura Félix", "Als-Nielsen") and with a prefix (McMorrow, MacDonald, LaPorta,
  O'Brien, D'Angelo): one family name, never cut;
* suffixes (Jr, Sr, II, III, IV, with or without a comma: "Kessler Jr.", "Trotter, Jr. LE",
  "Camargo Jr, C.A."): kept in :attr:`Author.suffix`, never a name;
* initials in every form ("J.", "J", "J.-P.", "J-P", "RQ", "R K", "D-C", "Ch.", "D-chao");
* an all-capitals word among mixed-case ones is the family name ("KAHAN Marcel");
* organisations ("CMS Collaboration", "World Health Organization"), and the words that end a
  list the printer cut short ("et al", "and others", "and Coauthors", "and colleagues").

Where the order is undecidable from the text alone (two full words, "Xu Jun" or "Julian
McAuley"), the name is read given names first and :attr:`Names.sure` is false for it: the
comparison then accepts either order (:func:`refcheck.similarity.name_agreement`).
Everything here works on the text only; reading a name along a matched record is
:func:`refcheck.parsing.align.align`'s part.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Sequence

import attrs

from refcheck.model import Author

__all__ = ["PARTICLES", "SUFFIXES", "Names", "initial_readings", "parse_name", "parse_names"]

#: Words that stand before a family name and belong to it, in lower case.
PARTICLES = frozenset(
    (  # noqa: SIM905 (a list of words reads best as words)
        "van von de der den del della delle dei degli di da du dos das do le la les lo ten ter "
        "te zu zum zur af av bin binti bint ibn ben bar al el st vander vanden 't ’t"
    ).split()
)
#: Generational suffixes, folded (no period, lower case).
SUFFIXES = frozenset({"jr", "sr", "jnr", "snr", "ii", "iii", "iv", "2nd", "3rd"})

_ROMAN = frozenset({"ii", "iii", "iv"})
_CAPITAL_PARTICLES = frozenset(
    {
        "de",
        "del",
        "della",
        "di",
        "da",
        "du",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "ten",
        "ter",
        "dos",
        "das",
    }
)
# "et al.", "et. al", "and others", "and coauthors", "et coll.", "…": the list was cut short.
_ET_AL = re.compile(
    r"[,;]?\s{0,3}(?:\bet\.?\s?al\b\.?|\bet\scoll?\b\.?|\b(?:and|&)\s(?:others|co-?authors|colleagues)\b"
    r"|\[et\sal\.?\]|…|\.\.\.)",
    re.IGNORECASE,
)
# Between persons, or between the inverted family name and its given names.
_SEPARATOR = re.compile(
    r"\s?;\s?(?:and\s|&\s?)?|\s?,\s?(?:and\s|&\s?)?|\s(?:and|und|et)\s|\s?&\s?"
    r"|\s(?:e|y)\s(?=(?:[A-Z][.\-]\s?)+[A-Z][a-z]|[A-Z]{1,3}\s[A-Z][a-z]|[A-Z]\w{1,30}\s[A-Z]\.)"
    r"|(?<=[A-Z])\s(?:e|y)\s(?=[A-Z]\w{1,30}\s[A-Z]{1,3}\b)"
)
_ORGANISATION = re.compile(
    r"\b(?:[Cc]ollaboration|Collab\.|Consortium|Group|Team|Society|Association|Organi[sz]ation"
    r"|Institute|Commission|Committee|Agency|Council|Office|Department|Ministry|Foundation"
    r"|Network|Board|Bureau|Cent(?:er|re)s?|Corps|Library|Laboratory|University|Project"
    r"|Initiative|Investigators|Working\sParty|Study)\b|^(?:WHO|UNICEF|OECD|NICE|CDC|NIST)$"
)
_INITIAL_PART = re.compile(r"[^\W\d_]")


class _Kind:
    INITIALS = "initials"
    WORD = "word"
    PARTICLE = "particle"
    SUFFIX = "suffix"
    OTHER = "other"


_HYPHENATED_GIVEN = re.compile(r"^[^\W\d_]\.?[-‐][^\W\d_]{2,12}\.?$")
# A lower-case given-name part that a CSL processor printed with a period, as it prints an
# initial ("Y. chi.", "F. ud. din.", "H. ter.", "R. C. F. da."): part of the given names.
_LOWER_GIVEN = re.compile(r"^[^\W\d_A-Z]{1,10}\.$")
_NOT_GIVEN = frozenset({"al.", "ed.", "eds.", "et.", "pp.", "vol.", "no.", "in.", "and."})
#: "St." and "Ste." (Saint, Sainte) begin a family name ("St. Gelais"), they are no initials.
_SAINT = frozenset({"St.", "St", "Ste.", "Ste"})


def _is_initials(token: str) -> bool:
    """ "J.", "J", "J.-P.", "J-P", "RQ", "ANMR", "Ch.", "Yu.", "D.C.", "M.-J.", and the
    Chinese given name cut at its hyphen, "D-chao" (its initials "DC")."""
    if _LOWER_GIVEN.match(token) and token not in _NOT_GIVEN and token.islower():
        return True
    if not token or not token[0].isupper():
        return False
    if _HYPHENATED_GIVEN.match(token) and token[2:].lstrip("-‐").islower():
        return True
    if token.isupper() and token.replace("-", "").replace(".", "").isalpha():
        letters = token.replace("-", "").replace(".", "")
        # "RQ" and "J.-P." are initials; "KAHAN" and "COLLMAN" are names.
        return len(letters) <= 3 or ("." in token and len(letters) <= 5)
    parts = [p for p in re.split(r"[.\-‐]+", token) if p]
    if not parts:
        return False
    # Two letters with a period: "Ch.", "Yu.", "Th." (transliterated given names).
    return all(
        (len(p) == 1 and p.isupper())
        or (len(p) == 2 and p[0].isupper() and p[1].islower() and f"{p}." in token)
        for p in parts
    )


@functools.lru_cache(maxsize=1 << 16)  # a pure function of one word; names repeat (batches)
def _kind(token: str) -> str:
    bare = token.strip(".").lower()
    if bare in SUFFIXES:
        if bare in _ROMAN:
            return _Kind.SUFFIX if token.isupper() else _Kind.OTHER
        if token in ("JR", "SR"):
            return _Kind.INITIALS  # "Mac Intyre JR": Vancouver initials, not "Jr"
        return _Kind.SUFFIX
    if token in _SAINT or token in ("e", "y"):
        return _Kind.PARTICLE  # "St. Gelais"; "R. e S. H." ("Roberta e Silva Hoffmann")
    if token.lower() in PARTICLES and token.islower():
        return _Kind.PARTICLE
    if _is_initials(token):
        return _Kind.INITIALS
    if _INITIAL_PART.match(token) and any(c.isalpha() for c in token):
        return _Kind.WORD
    return _Kind.OTHER


def _tokens(text: str) -> list[str]:
    """The words of a name: "J.-P. Rivière" -> ["J.-P.", "Rivière"]; "A.N.M.R. Karim" keeps
    its glued initials; "J.R.Smith" is cut after the last period."""
    text = re.sub(r"(?<=\.)(?=[^\W\d_]{2})", " ", text)  # "J.R.Smith"
    return [
        t.strip(",:;()")
        for t in text.split()
        if t.strip(",:;().")
        # a quoted title word or "(forthcoming)" that the author run took in is not a name
        and not t.startswith(("‘", "“", '"'))
        and not (t.startswith("(") and t.strip("(),.").islower())
    ]


def _authors(items: Iterable[Author]) -> tuple[Author, ...]:
    return tuple(items)


@attrs.frozen(slots=True)
class Names:
    """What :func:`parse_names` read: the authors, whether the list ends "et al" (or "and
    others", "and Coauthors"), and whether every name was read without doubt."""

    authors: tuple[Author, ...] = attrs.field(converter=_authors)
    et_al: bool = False
    sure: bool = True


def _split_suffix(tokens: list[str]) -> tuple[list[str], str | None]:
    """The tokens without their generational suffix, and the suffix ("Jr", "III")."""
    kinds = [_kind(t) for t in tokens]
    suffixes = [t for t, k in zip(tokens, kinds, strict=True) if k == _Kind.SUFFIX]
    rest = [t for t, k in zip(tokens, kinds, strict=True) if k != _Kind.SUFFIX]
    if not suffixes:
        return tokens, None
    if (
        suffixes
        and all(s.strip(".").upper() in {"II", "III", "IV"} for s in suffixes)
        and not any(_kind(t) == _Kind.INITIALS for t in rest)
    ):
        # "Ivanov II": the initials I. I., not the second.
        return tokens, None
    return rest, suffixes[0].rstrip(".").replace("JR", "Jr").replace("SR", "Sr")


def _with_particles(tokens: list[str], start: int) -> int:
    """Move ``start`` back over the lower-case particles before the family name."""
    while start > 0 and _kind(tokens[start - 1]) == _Kind.PARTICLE:
        start -= 1
    return start


def _person(tokens: list[str], order: str | None) -> tuple[Author, bool]:
    """One name, its tokens without separators, and whether it was read without doubt.

    ``order`` is the list's order, when known: "family" (Vancouver, IOP: "Sachs R K") or
    "given" ("J. P. Collman").
    """
    tokens, suffix = _split_suffix(tokens)
    if not tokens:
        return Author(family=suffix or "", suffix=None), False
    # A roman numeral left in is an initials' run ("Ivanov II": I. I.).
    kinds = [_Kind.INITIALS if (k := _kind(t)) == _Kind.SUFFIX else k for t in tokens]
    if (
        len(tokens) == 2
        and kinds == [_Kind.WORD, _Kind.WORD]
        and not tokens[0].isupper()
        and tokens[1].isupper()
        and tokens[1].isalpha()
        and len(tokens[1]) <= 5
    ):
        kinds[1] = _Kind.INITIALS  # "Lima GMAC", "Verkerk AJMH": Vancouver initials
    sure = _Kind.OTHER not in kinds
    if (
        order == "capitals"
        and len(tokens) >= 2
        and tokens[0].isupper()
        and tokens[0].isalpha()
        and all(t[:1].isupper() and not t.isupper() for t in tokens[1:])
    ):
        return Author(tokens[0], " ".join(tokens[1:]), suffix=suffix), sure
    initials = [i for i, k in enumerate(kinds) if k == _Kind.INITIALS]
    words = [i for i, k in enumerate(kinds) if k in (_Kind.WORD, _Kind.OTHER)]
    if not words:
        # "R. K." alone, or all-initial "LI": read the last as a family name, without trust.
        return Author(" ".join(tokens[-1:]), " ".join(tokens[:-1]) or None, suffix=suffix), False
    if initials:
        # Lower-case words after the initials are given names' parts ("Rocha R e SH da",
        # "Steege H ter", "Zong Z yong").
        tail = len(tokens)
        while tail > 1 and tokens[tail - 1].islower():
            tail -= 1
        if initials[-1] == tail - 1 and kinds[0] != _Kind.INITIALS:
            # Family name first: "Sachs R K", "Cron RQ", "de la Macorra JC", "Karim ANMR".
            cut = initials[0]
            # "Yan D-chao": a hyphenated given name joins the initials.
            return Author(
                " ".join(tokens[:cut]), " ".join(tokens[cut:]), suffix=suffix
            ), sure and all(k == _Kind.INITIALS for k in kinds[cut:tail])
        # Given names first: "J. Als-Nielsen", "Thomas F. LaPorta", "D. H. van Hessem".
        cut = _with_particles(tokens, initials[-1] + 1)
        if cut >= len(tokens):
            return Author(tokens[-1], " ".join(tokens[:-1]) or None, suffix=suffix), False
        # More than two words on either side of the initials: a title run into the names.
        plausible = len(tokens) - cut <= 3 and initials[0] <= 2
        author = Author(" ".join(tokens[cut:]), " ".join(tokens[:cut]) or None, suffix=suffix)
        return author, sure and plausible
    if len(tokens) == 1:
        return Author(tokens[0], suffix=suffix), sure
    capitals = [i for i in words if tokens[i].isupper() and len(tokens[i].strip(".")) > 1]
    if capitals and len(capitals) < len(words):
        # "KAHAN Marcel", "DUAN Yi-Shi", "Marcel KAHAN": the capitals are the family name.
        first, last = capitals[0], capitals[-1] + 1
        first = _with_particles(tokens, first)
        given = [t for i, t in enumerate(tokens) if not first <= i < last]
        return Author(" ".join(tokens[first:last]), " ".join(given) or None, suffix=suffix), sure
    if order == "family":
        cut = 1
        while cut < len(tokens) and kinds[cut - 1] == _Kind.PARTICLE:
            cut += 1
        return Author(" ".join(tokens[:cut]), " ".join(tokens[cut:]), suffix=suffix), False
    # Two or more full words: given names first by default ("Julian McAuley"), which "Xu Jun"
    # may not be: not sure. A capitalised particle before the last word is the family's
    # ("Tom De Vringer", "Jean De La Fontaine").
    cut = _with_particles(tokens, len(tokens) - 1)
    while (
        cut > 1 and tokens[cut - 1].lower() in _CAPITAL_PARTICLES and tokens[cut - 1][0].isupper()
    ):
        cut -= 1
    return Author(" ".join(tokens[cut:]), " ".join(tokens[:cut]) or None, suffix=suffix), False


def parse_name(text: str, order: str | None = None) -> Author:
    """One personal name: "J. Als-Nielsen" -> Author("Als-Nielsen", "J."); "Kessler Jr., E. G."
    -> Author("Kessler", "E. G.", suffix="Jr"). ``order`` ("family" or "given") is the order
    the list's other names show, when the caller knows it."""
    text = " ".join(text.split()).strip(" ,;")
    if _ORGANISATION.search(text):
        return Author(text.rstrip("."), organisation=True)
    family, comma, given = text.partition(",")
    if comma and given.strip():
        # One name with a comma is inverted: "van der Berg, Jean-Pierre", "Kessler Jr., E. G."
        rest = [t for t in _tokens(given) if t.strip(".")]
        if rest and _kind(rest[0]) == _Kind.SUFFIX:
            return (
                _inverted(_tokens(family), rest[1:])
                if rest[1:]
                else _inverted([*_tokens(family), rest[0]], [])
            )
        return _inverted(_tokens(family), rest)
    return _person(_tokens(text), order)[0]


# --- lists ---------------------------------------------------------------------------------


@attrs.frozen
class _Segment:
    """A piece of an author list between separators, and the separator before it."""

    tokens: tuple[str, ...]
    before: str  # "," ";" "and" or "" (the first)

    @property
    def kinds(self) -> list[str]:
        return [_kind(t) for t in self.tokens]

    @property
    def shape(self) -> str:
        """ "I" initials only, "S" suffix only, "SI" a suffix then initials ("Jr. LE"), "W" words
        only (particles and a suffix allowed), "P" a whole person (words and initials), "O"
        anything else."""
        kinds = self.kinds
        core = [k for k in kinds if k != _Kind.SUFFIX]
        if not core:
            return "S"
        if all(k == _Kind.INITIALS for k in core) or (
            core[0] == _Kind.INITIALS and all(k in (_Kind.INITIALS, _Kind.PARTICLE) for k in core)
        ):
            # "R. Q.", and given names' particles among initials: "T. M. de M.", "R. C. F. da".
            return "SI" if _Kind.SUFFIX in kinds else "I"
        if all(k in (_Kind.WORD, _Kind.PARTICLE) for k in core):
            return "W"
        if _Kind.INITIALS in core and all(k != _Kind.OTHER for k in core):
            return "P"
        return "O"


def _segments(text: str) -> list[_Segment]:
    out: list[_Segment] = []
    position, before = 0, ""
    for separator in _SEPARATOR.finditer(text):
        piece = text[position : separator.start()]
        if piece.strip():
            out.append(_Segment(tuple(_tokens(piece)), before))
        mark = separator[0].strip()
        before = ";" if mark.startswith(";") else "," if mark.startswith(",") else "and"
        position = separator.end()
    piece = text[position:]
    if piece.strip():
        out.append(_Segment(tuple(_tokens(piece)), before))
    return [s for s in out if s.tokens]


def _order(segments: Sequence[_Segment]) -> str | None:
    """The order the list's whole names show: "family" ("Cron RQ", "Sachs R K"), "given"
    ("J. P. Collman") or ``None``."""
    family = given = 0
    for segment in segments:
        if segment.shape != "P":
            continue
        kinds = [k for k in segment.kinds if k != _Kind.SUFFIX]
        if kinds[0] == _Kind.INITIALS:
            given += 1
        elif kinds[-1] == _Kind.INITIALS:
            family += 1
    if family > given and family >= 2:
        return "family"
    if given > family and given >= 2:
        return "given"
    return None


def _inverted(family: Sequence[str], given: Sequence[str]) -> Author:
    """ "Cron", "R. Q." -> Cron RQ; "Camargo Jr", "C.A." -> Camargo, suffix Jr."""
    family_tokens, suffix = _split_suffix(list(family))
    given_tokens, given_suffix = _split_suffix(list(given))
    if not family_tokens:  # "Jr." alone: not a family name
        family_tokens = list(family)
        suffix = None
    return Author(
        " ".join(family_tokens), " ".join(given_tokens) or None, suffix=suffix or given_suffix
    )


def parse_names(run: str, order: str | None = None) -> Names:
    """The authors of an author list, in order. ``order`` ("family" or "given") is the order
    of the names written without initials, when the caller knows it (align, reading a
    citation along its record, tries both); by default the list's other names tell.

    >>> [str(a) for a in parse_names("De La Cruz Cortes, V., Segura Félix, K., & Cepeda "
    ...     "Rubio, M. F. J.").authors]
    ['De La Cruz Cortes V.', 'Segura Félix K.', 'Cepeda Rubio M. F. J.']
    >>> names = parse_names("E.G. Kessler Jr., et al.")
    >>> names.authors[0].family, names.authors[0].suffix, names.et_al
    ('Kessler', 'Jr', True)
    """
    text = " ".join(run.split())
    text = re.sub(r"\s+(?=[.\-])|(?<=-)\s+", "", text)  # "J .-P ." -> "J.-P."
    # A hyphenated given name with a lower-case second part, as citeproc prints it:
    # "I.-. chun ." -> "I.-chun." (the record's "Io-chun").
    text = re.sub(r"(?<=[^\W\d_]\.-)\.\s?(?=[^\W\d_A-Z])", "", text)
    # Initials in parentheses after the given names: "Jung, E. (EJ)". A nickname ("Esty,
    # Joshua (Jed)") stays with the given names (it has no initials, see Author.initials).
    text = re.sub(r"\s?\([A-Z][A-Z.]{0,5}\)\.?(?=[\s,;]|$)", "", text)
    et_al = False
    ellipsis = re.search(r"\s?(?:…|\.\.\.)\s?(?=\S)", text)
    if ellipsis is not None:
        # APA's "A, B, ... S, … Z": the names after the ellipsis are the last author's.
        text, et_al = text[: ellipsis.start()], True
    if _ET_AL.search(text):
        et_al = True
        text = _ET_AL.sub("", text)
    text = text.strip(" ,;:&")
    if text.endswith(".") and not re.search(r"(?:^|[\s.\-])[^\W\d_]\.$", text):
        text = text[:-1]  # the list's full stop, not an initial's period
    if not text:
        return Names((), et_al, sure=not et_al)
    if _ORGANISATION.search(text) and not _looks_like_people(text):
        return Names((Author(text.rstrip("."), organisation=True),), et_al)
    if ";" in text:
        # "Mirzaee, Z.; Simões, M. V. P.": one person between semicolons.
        parts = [p.strip(" ,") for p in re.split(r"\s*;\s*(?:and\s|&\s?)?", text) if p.strip(" ,")]
        if all(p.count(",") <= 1 for p in parts):
            people: list[Author] = []
            sure = True
            for part in parts:
                read = _read(_segments(part), order)
                people.extend(read[0])
                sure = sure and read[1] and len(read[0]) == 1
            return Names(people, et_al, sure)
    authors, sure = _read(_segments(text), order)
    return Names(_list_stop(authors, text), et_al, sure)


def _list_stop(authors: list[Author], text: str) -> list[Author]:
    """The last author's initial without the list's full stop where the list prints initials
    without periods, Vancouver style: "Dholaria BR, Locke F." -> "Locke F"."""
    if not authors or not text.endswith("."):
        return authors
    last = authors[-1]
    given = last.given or ""
    others = [a.given or "" for a in authors[:-1]]
    if (
        given.count(".") == 1
        and given.endswith(".")
        and len(given) == 2
        and text.rstrip(".").endswith(given[0])
        and not any("." in g for g in others)
        and text.rstrip(".")[: -len(given)].rstrip().endswith(last.family)
    ):
        authors[-1] = attrs.evolve(last, given=given[0])
    return authors


def _looks_like_people(text: str) -> bool:
    """Whether a list with an organisation's word in it is still a list of people: names
    with initials, more than one ("M.R. Whalley, D. Bourilkov and R.C. Group"; "Smith J,
    Jones K, on behalf of the X Group")."""
    initials = sum(1 for t in _tokens(text) if _kind(t) == _Kind.INITIALS)
    return initials >= 2 and ("," in text or " and " in text)


def _read(segments: list[_Segment], order: str | None = None) -> tuple[list[Author], bool]:
    """Group the segments into people: an inverted family name takes the initials (or, first
    in the list, the given names) after it; a suffix joins the person before it."""
    order = order or _order(segments)
    if order is None and any(_capitals_first(s.tokens) for s in segments):
        order = "capitals"  # "DUAN Yi-Shi, GE Mo-Lin": the capitals are the family names
    inverted_list = any(
        s.shape == "W" and n.shape in ("I", "SI") and n.before == ","
        for s, n in itertools.pairwise(segments)
    )
    # Read family-first (as align asks when a record says so), every "R. Seddon" of the list
    # followed by a lone initial: family names holding an initial, inverted. Never by
    # default: "S. Dørheim, J. Instrum. 7" is far more often a given-first name, then a journal.
    initial_first = [
        i for i, s in enumerate(segments) if s.shape == "P" and _initial_then_name(s.tokens)
    ]
    family_with_initial = (
        order == "family"
        and bool(initial_first)
        and all(
            i + 1 < len(segments) and segments[i + 1].shape == "I" and segments[i + 1].before == ","
            for i in initial_first
        )
    )
    authors: list[Author] = []
    sure = True
    i = 0
    while i < len(segments):
        segment = segments[i]
        nxt = segments[i + 1] if i + 1 < len(segments) else None
        shape = segment.shape
        if shape == "S" and authors:
            last = authors[-1]
            authors[-1] = attrs.evolve(last, suffix=last.suffix or segment.tokens[0].rstrip("."))
            i += 1
            continue
        if shape == "W" and nxt is not None and nxt.before == ",":
            if nxt.shape in ("I", "SI"):
                authors.append(_inverted(segment.tokens, nxt.tokens))
                i += 2
                continue
            if nxt.shape == "S":
                # "Trotter, Jr. LE" / "Kessler, Jr., E. G.": the suffix, then maybe initials.
                after = segments[i + 2] if i + 2 < len(segments) else None
                if after is not None and after.shape in ("I", "SI") and after.before == ",":
                    authors.append(_inverted(segment.tokens, (*nxt.tokens, *after.tokens)))
                    i += 3
                    continue
                authors.append(_inverted(segment.tokens, nxt.tokens))
                i += 2
                continue
            if (
                nxt.shape == "P"
                and (i == 0 or inverted_list)
                and _one_name(segment.tokens)
                and _given_with_initials(nxt.tokens)
            ):
                # "Cron, Randy Q., and Jane Hartwell": the first author inverted.
                authors.append(_inverted(segment.tokens, nxt.tokens))
                i += 2
                continue
            if (
                nxt.shape == "W"
                and (i == 0 or inverted_list)
                and _one_name(segment.tokens)
                and len(nxt.tokens) <= 2
                and _given_names(nxt.tokens)
            ):
                # MLA and Chicago invert the first author: "Trillin, Calvin", "Yıldız, Bülent".
                authors.append(_inverted(segment.tokens, nxt.tokens))
                i += 2
                continue
            if (
                len(segments) == 2
                and nxt.shape == "W"
                and len(nxt.tokens) == 1
                and len(segment.tokens) == 2
                and _given_names(nxt.tokens)
            ):
                # "Garza Mercado, Ario": a compound family name inverted; one word alone after
                # the comma is no person of its own.
                authors.append(_inverted(segment.tokens, nxt.tokens))
                i += 2
                continue
        if (
            shape == "P"
            and nxt is not None
            and nxt.before == ","
            and nxt.shape == "I"
            and _initial_then_name(segment.tokens)
            and family_with_initial
        ):
            # "R. Seddon, K.", "A. ALsakran, M.": a record whose family name holds an initial,
            # printed inverted (a lone initial after a comma is no person).
            authors.append(_inverted(segment.tokens, nxt.tokens))
            i += 2
            continue
        if (
            shape == "W"
            and nxt is not None
            and nxt.before == ","
            and nxt.shape == "W"
            and all(_ideographic(t) for t in nxt.tokens)
        ):
            # "Yang Xiaoxue, 杨晓雪": the given name in Chinese characters after the inverted name.
            authors.append(_inverted(segment.tokens, nxt.tokens))
            i += 2
            continue
        if shape == "I" and authors and authors[-1].given is None and segment.before == ",":
            authors[-1] = attrs.evolve(authors[-1], given=" ".join(segment.tokens))
            i += 1
            continue
        author, certain = _person(list(segment.tokens), order)
        if shape in ("I", "SI", "S", "O"):
            certain = False
        authors.append(author)
        sure = sure and certain
        i += 1
    return authors, sure


def _initial_then_name(tokens: Sequence[str]) -> bool:
    """ "R. Seddon", "A. ALsakran": one initial, then one family name."""
    return (
        len(tokens) == 2 and _kind(tokens[0]) == _Kind.INITIALS and _kind(tokens[1]) == _Kind.WORD
    )


def _ideographic(token: str) -> bool:
    """Whether a token is written in Chinese, Japanese or Korean characters only: "杨晓雪."."""
    letters = [c for c in token if c.isalpha()]
    return bool(letters) and all(_CJK.match(c) for c in letters)


_CJK = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)


def _capitals_first(tokens: Sequence[str]) -> bool:
    """ "DUAN Yi-Shi", "KAHAN Marcel": a family name in capitals (four letters or more, so not
    initials), then given names in mixed case."""
    return (
        len(tokens) >= 2
        and tokens[0].isupper()
        and len(tokens[0]) >= 4
        and tokens[0].isalpha()
        and all(t[:1].isupper() and not t.isupper() for t in tokens[1:])
    )


def _one_name(tokens: Sequence[str]) -> bool:
    """Whether the tokens are one family name of one word, with its particles: "Trillin",
    "van Dijk" (a name of two words before a comma may be a whole name, given first)."""
    return sum(1 for t in tokens if _kind(t) == _Kind.WORD) == 1


def _given_with_initials(tokens: Sequence[str]) -> bool:
    """ "Randy Q.", "William F.": one given name, then initials with their periods."""
    kinds = [_kind(t) for t in tokens]
    return (
        1 < len(tokens) <= 3
        and kinds[0] == _Kind.WORD
        and all(
            k == _Kind.INITIALS and "." in t for t, k in zip(tokens[1:], kinds[1:], strict=True)
        )
    )


def _given_names(tokens: Sequence[str]) -> bool:
    """Whether the tokens read as given names: capitalised words, no particle."""
    return all(t[:1].isupper() and _kind(t) in (_Kind.WORD, _Kind.INITIALS) for t in tokens)


# --- initials ------------------------------------------------------------------------------


#: A recorded given name of capitals only, no dot or space: glued initials ("JM") or a name
#: in capitals ("JOHN"), which CSL processors alike print as one initial.
_GLUED = re.compile(r"^[^\W\d_]{2,}$")


def _name_in_capitals(given: str) -> bool:
    """Whether a given name of one word in capitals reads as a name, not as glued initials:
    four letters or more, two of them vowels ("DEAN", "DAVID", "ROHIT"; "ANMR", "IAJ" and
    "AJS" are initials)."""
    return (
        given.isalpha()
        and given.isupper()
        and len(given) >= 4
        and (sum(ch in "AEIOU" for ch in given) >= 2)
    )


_HYPHEN_TAIL = re.compile(r"[-‐‑][^\s.\-‐‑]+\.?")


def initial_readings(author: Author) -> frozenset[str]:
    """The initials a recorded given name is printed with in a correct citation, each a
    reading of :attr:`Author.initials`: the initial of every part ("Jan-Olav" -> "JO"); the
    initial of a hyphenated name's first part only, as many styles print it ("J" for
    "Jan-Olav", "Q" for "Qing-Jun": CSL's ``initialize-with-hyphen="false"`` and the processors
    that drop the hyphen); and one initial per word of a name in capitals ("AL" for "AMY L.").
    Glued initials ("JM") are also read as their first initial: CSL processors take them for
    one given name and print "J.".
    Empty for a given name in Chinese, Japanese or Korean characters (no initials to compare).
    """
    given = author.given or ""
    if not given or any(_CJK.match(c) for c in given):
        return frozenset()
    readings = {author.initials}
    bare = given.strip(" .")
    if _name_in_capitals(bare) or (_GLUED.match(bare) and bare.isupper()):
        # "DEAN": a name in capitals, not four initials. "JM": glued initials, which CSL
        # processors read as one word and print as one initial ("Wheeler, J.").
        readings.add(bare[0])
    collapsed = _HYPHEN_TAIL.sub("", given)
    if collapsed != given and collapsed.strip():
        readings.add(attrs.evolve(author, given=collapsed).initials)
    words = [w for w in re.split(r"\s+", given) if w.strip(".")]
    if len(words) > 1 and any(w.isupper() and len(w.strip(".")) > 1 for w in words):
        readings.add("".join(w[0] for w in words if w not in PARTICLES).upper())
    return frozenset(r for r in readings if r)
