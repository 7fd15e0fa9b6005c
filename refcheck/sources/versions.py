"""Which version of a work a citation cites, and which records only look like the work.

Beside most works, Crossref holds records that look like them:

* the work's **preprint** (``posted-content`` on bioRxiv, medRxiv, Research Square, SSRN...,
  the same title and authors, earlier, without volume or pages, often linked to the article
  by ``relation`` ``is-preprint-of`` / ``has-preprint``), which a journal citation does not
  cite, and which a preprint citation does;
* **notices** about it (corrections, errata, corrigenda, retraction notices, expressions of
  concern: ``update-to`` the work, titled "Correction: <title>", "Corrigendum to “<title>”",
  "Retraction Note: <title>"...), **comments** and **replies** ("Comment on “<title>”",
  "Reply to Smith et al.: <title>") and **peer reviews** ("Review for “<title>”"), which a
  citation cites only when it says so;
* the same work registered twice, under two DOIs (**twins**).

This module tells them apart. Pure: it reads the records and the citation, nothing else.
:class:`~refcheck.sources.resolve.Resolver` uses it to choose among the candidates it
validated.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from refcheck.model import Reference, Work
from refcheck.parsing.normalize import fold, words
from refcheck.similarity import container_matches, same_family

__all__ = [
    "ARTICLE",
    "COMMENT",
    "NOTICE",
    "PREPRINT",
    "REPLY",
    "REVIEW",
    "cited_form",
    "cites_kind",
    "cites_number_of",
    "is_preprint",
    "names_source_of",
    "preprint_dois",
    "published_dois",
    "twins",
    "unexplained_words",
    "versions",
    "work_kind",
]

#: The kinds of record :func:`work_kind` tells apart.
ARTICLE, PREPRINT, NOTICE, COMMENT, REPLY, REVIEW = (
    "article",
    "preprint",
    "notice",
    "comment",
    "reply",
    "review",
)

#: Update types that make a record a notice about another work.
_NOTICE_TYPES = frozenset(
    {
        "retraction",
        "partial_retraction",
        "withdrawal",
        "removal",
        "correction",
        "erratum",
        "corrigendum",
        "addendum",
        "clarification",
        "expression_of_concern",
        "expression-of-concern",
    }
)

# Title conventions of notices, after publishers' records: "Correction: <title>" (PLOS),
# "Correction to: <title>" (Springer), "Author Correction: <title>" (Nature), "Corrigendum
# to “<title>” [...]" (Elsevier), "Erratum", "Retraction Note: <title>", "Notice of
# Retraction", "Retraction notice to “<title>”", "Expression of Concern: <title>". Not
# "RETRACTED: <title>": Elsevier retitles the retracted article itself so.
_NOTICE_TITLE = re.compile(
    r"^\s*(?:(?:author|publisher|editorial|editor'?s?|notice of)\s+)?"
    r"(?:correction|corrigendum|corrigenda|erratum|errata|addendum|retraction|"
    r"expression of concern)(?:\s+(?:note|notice))?"
    r"(?:\s*(?::|\bto\b|\bfor\b\s+\S+\s+et al|\[|$)|\s*[“\"«‘'])",
    re.IGNORECASE,
)
# "Comment on “<title>”", "Comment on: Jeon et al. ...", "Commentary on ...", "Letter to the
# editor regarding ...", "Discussion of ...".
_COMMENT_TITLE = re.compile(
    r"^\s*(?:a\s+)?(?:comments?|commentary)\s*(?:\bon\b|\bto\b|\bupon\b|\bregarding\b|:)"
    r"|^\s*letter to the editor\s+(?:on|regarding|re|about)\b"
    r"|^\s*discussion\s+(?:of|on)\s*[“\"«‘':]",
    re.IGNORECASE,
)
# "Reply to Smith et al.: <title>", "Reply to “Comment on ...”", "Response to Comment on
# “<title>”", "In reply", "Authors' reply to ...".
_REPLY_TITLE = re.compile(
    r"^\s*(?:(?:the\s+)?authors?[’']?\s+)?(?:reply|in reply|rebuttal)\b"
    r"|^\s*(?:authors?[’']?\s+)?response\s+to\s+(?:the\s+)?(?:comments?|letter|"
    r"correspondence|critique|commentary|discussion|\w+\s+et al|[“\"«‘'])",
    re.IGNORECASE,
)
# "Review for “<title>”", "Decision letter: <title>", "Author response: <title>", "Peer
# Review #2 of “<title>”".
_REVIEW_TITLE = re.compile(
    r"^\s*(?:review for|decision letter|author response|peer review\s*(?:#\s*\d+\s*)?of|"
    r"referee report|reviewer report)\b",
    re.IGNORECASE,
)
_TITLE_KINDS = (
    (NOTICE, _NOTICE_TITLE),
    (REVIEW, _REVIEW_TITLE),
    (REPLY, _REPLY_TITLE),
    (COMMENT, _COMMENT_TITLE),
)
_RELATION_KINDS = {"is-reply-to": REPLY, "is-comment-on": COMMENT, "is-review-of": REVIEW}

#: What a citation of each kind of look-alike says, as phrases of its words (folded, a colon
#: kept as a word): "Correction: ...", "Corrigendum to ...", "Comment on ...", "Reply to
#: Smith et al.: ...", "Response to Comment on ...", "Review for ...". A word alone where
#: it is distinctive ("erratum", "retraction"); a phrase where the word is common in titles
#: of articles ("correction", "comment", "response": "Atmospheric correction of ...",
#: "Immune responses to ...").
_MARKERS = {
    NOTICE: re.compile(
        r"\b(?:corrigend\w*|errat(?:um|a)|retraction|retracted|addendum|"
        r"expression of concern|(?:author|publisher|editorial) correction)\b"
        r"|\bcorrection (?::|(?:to|for|notice|note)\b)"
    ),
    COMMENT: re.compile(
        r"\b(?:comments?|commentary) (?:on|to|upon|regarding|:)|\bletter to the editor\b|"
        r"\bdiscussion (?:of|on)\b"
    ),
    REPLY: re.compile(
        r"\b(?:reply|rebuttal)\b|\bresponse to (?:the )?(?:comments?|letters?|"
        r"correspondence|critique|commentary|discussion|\w+ et al)\b|\bauthors? response\b"
    ),
    REVIEW: re.compile(
        r"\b(?:review for|decision letter|author response|peer review|referee report|"
        r"reviewer report)\b"
    ),
}
#: The words of those phrases that OCR may have misread ("Cornment on", "Corrigeudum").
_MARKER_WORDS = (
    "correction",
    "corrigendum",
    "erratum",
    "retraction",
    "retracted",
    "addendum",
    "comment",
    "comments",
    "commentary",
    "reply",
    "rebuttal",
    "response",
    "review",
    "decision",
    "letter",
    "discussion",
)
#: The phrases of :data:`_MARKERS` that OCR may have garbled as a whole ("Letter to the
#: Edior", "Comment 0n", "Commentry n"): found when 88 % alike.
_PHRASES = {
    NOTICE: (
        "author correction",
        "publisher correction",
        "retraction note",
        "retraction notice",
        "notice of retraction",
        "expression of concern",
    ),
    COMMENT: ("comment on", "comments on", "commentary on", "letter to the editor"),
    REPLY: ("response to comment", "response to the comment", "response to the letter"),
    REVIEW: ("review for", "decision letter", "author response", "peer review"),
}
#: Titles that open a notice without naming its work: "Error in Figure 2" (JAMA).
_NOTICE_OPENING = re.compile(r"^\s*(?:errors? in|incorrect|omitted|missing)\b", re.IGNORECASE)
_PHRASE_TOKEN = re.compile(r"\w+|:")


#: Preprint servers and what citations of their preprints say: "bioRxiv 2020.03.01.123456",
#: "arXiv:2001.01234", "Preprint at Research Square", "SSRN", "ChemRxiv", "PeerJ Preprints".
_SERVER = re.compile(
    r"\b(?:[a-z]*rxiv|research\s*square|ssrn|peerj\s*pre-?prints|peerj\s*prepr|pre-?prints?|"
    r"essoar|earth and space science open archive)\b",
    re.IGNORECASE,
)
#: The DOI prefixes of preprint servers: bioRxiv and medRxiv, Research Square, SSRN, arXiv
#: (DataCite), ChemRxiv, OSF Preprints, PeerJ Preprints, Preprints.org, TechRxiv, Authorea.
_SERVER_PREFIXES = frozenset(
    {
        "10.1101",
        "10.21203",
        "10.2139",
        "10.48550",
        "10.26434",
        "10.31219",
        "10.31234",
        "10.31235",
        "10.31222",
        "10.31223",
        "10.31224",
        "10.7287",
        "10.20944",
        "10.36227",
        "10.22541",
    }
)
_SERVER_NAMES = re.compile(
    r"\b(?:[a-z]*rxiv|research square|ssrn|peerj pre-?prints|preprints?|essoar|"
    r"earth and space science open archive|open science framework|osf)\b",
    re.IGNORECASE,
)
_VERSION_RELATIONS = frozenset(
    {"is-preprint-of", "has-preprint", "is-version-of", "has-version", "is-identical-to"}
)


def _kind_by_title(title: str | None) -> str | None:
    if not title:
        return None
    for kind, pattern in _TITLE_KINDS:
        if pattern.match(title):
            return kind
    return None


def is_preprint(work: Work) -> bool:
    """Whether the record is a preprint: Crossref ``posted-content``, DataCite ``preprint``,
    a record that declares ``is-preprint-of``, one under a preprint server's DOI prefix, or
    one whose container is a preprint server ("bioRxiv", "SSRN Electronic Journal")."""
    if work.type in ("posted-content", "preprint"):
        return True
    if any(r.type == "is-preprint-of" for r in work.relations):
        return True
    if work.doi.split("/", 1)[0] in _SERVER_PREFIXES:
        return True
    return bool(work.container_title and _SERVER_NAMES.search(work.container_title))


def work_kind(work: Work) -> str:
    """What the record is: :data:`NOTICE` (``update-to`` another work, or a notice's title),
    :data:`REVIEW` (``peer-review``, ``is-review-of``), :data:`REPLY` or :data:`COMMENT` (by
    relation or title), :data:`PREPRINT` (see :func:`is_preprint`), else :data:`ARTICLE`."""
    own = work.doi.lower()
    if any(
        u.doi and u.doi.lower() != own and u.type.lower().replace(" ", "_") in _NOTICE_TYPES
        for u in work.update_to
    ):
        return NOTICE
    if work.type == "peer-review":
        return REVIEW
    by_title = _kind_by_title(work.title)
    if by_title is not None:
        return by_title
    for relation in work.relations:
        kind = _RELATION_KINDS.get(relation.type)
        if kind is not None:
            return kind
    return PREPRINT if is_preprint(work) else ARTICLE


def _marked(text: str) -> str:
    """The citation's words, folded, a colon kept, OCR slips of the marker words undone."""
    tokens = []
    for token in _PHRASE_TOKEN.findall(fold(text)):
        if len(token) >= 5 and token not in _MARKER_WORDS:
            token = next((w for w in _MARKER_WORDS if _slip_of(w, token)), token)
        tokens.append(token)
    return " ".join(tokens)


def _has_marker(kind: str, reference: Reference) -> bool:
    """Whether the citation says it cites a record of this kind (see :data:`_MARKERS`)."""
    marked = _marked(reference.text)
    if _MARKERS[kind].search(marked):
        return True
    flat = " ".join(words(marked.replace("rn", "m")))
    if any(fuzz.partial_ratio(phrase, flat) >= 88 for phrase in _PHRASES[kind]):
        return True
    return kind == NOTICE and bool(reference.title and _NOTICE_OPENING.match(reference.title))


def _slip_of(marker: str, token: str) -> bool:
    """``token`` is ``marker`` misread: 80 % alike, "rn" read for "m" undone."""
    return any(
        abs(len(t) - len(marker)) <= 2 and t[:1] == marker[:1] and fuzz.ratio(marker, t) >= 80
        for t in {token, token.replace("rn", "m")}
    )


#: A run of five digits or more: a preprint's number ("2020.03.01.123456", "rs-51687",
#: "abstract=3693278", "e26512v1"), never a year.
_NUMBER = re.compile(r"(?<!\d)\d{5,}(?!\d)")


def cites_number_of(reference: Reference, work: Work) -> bool:
    """Whether the citation gives the preprint's own number, which its DOI holds
    ("bioRxiv 2020.03.01.123456" for 10.1101/2020.03.01.123456, "564114" for
    10.1101/564114): it cites that preprint, whatever else it says."""
    if not is_preprint(work) or "/" not in work.doi:
        return False
    suffix = work.doi.split("/", 1)[1]
    own = set(_NUMBER.findall(reference.doi or ""))
    numbers = set(_NUMBER.findall(suffix))
    cited = _NUMBER.findall(_OCR_NUMBER.sub(_digits, reference.text))
    return any(n in numbers for n in cited if n not in own)


#: A number OCR misread, a letter for a digit: "4555O2", "l23456".
_OCR_NUMBER = re.compile(r"(?<![\w])(?=[\dOolI]*\d{3})[\dOolI]{5,}(?![\w])")


def _digits(match: re.Match[str]) -> str:
    return match.group().translate(str.maketrans("OolI", "0011"))


def cites_kind(reference: Reference, kind: str) -> bool:
    """Whether the citation may cite a record of this kind.

    An article or a preprint: always, unless the cited title opens as a notice, comment,
    reply or review does ("Correction: ..."). A notice, comment, reply or review: only when
    the citation says it is one ("Correction: ...", "Corrigendum to ...", "Erratum",
    "Comment on ...", "Reply to ...", "Response to Comment on ...", "Review for ...", one OCR
    slip allowed), not when a word of its title is merely one of those words ("Immune
    responses to ...", "Atmospheric correction of ...").
    """
    if kind in (ARTICLE, PREPRINT):
        return _cited_title_kind(reference.title) is None
    return _has_marker(kind, reference)


_OPENERS = ("correction", "corrigendum", "erratum", "retraction", "comment", "reply")


def _cited_title_kind(title: str | None) -> str | None:
    """The kind a cited title opens as (:func:`_kind_by_title`), its first word read through
    OCR slips ("Corrigeudum to “...”" opens as "Corrigendum to “...”" does)."""
    if not title:
        return None
    first = re.match(r"\s*(\w+)", title)
    if first is not None:
        word = fold(first.group(1))
        for opener in _OPENERS:
            if word != opener and len(word) >= 5 and _slip_of(opener, word):
                title = opener + title[first.end() :]
                break
    return _kind_by_title(title)


def cited_form(reference: Reference) -> str | None:
    """Which version the citation's own fields point to: :data:`PREPRINT` when its journal is a
    preprint server, its DOI a server's, or it names a server or says "preprint" and gives no
    volume; :data:`ARTICLE` when it gives a volume or pages and names no server; ``None``
    when it does not tell (neither, or both)."""
    if (reference.container_title and _SERVER.search(reference.container_title)) or (
        reference.doi and reference.doi.split("/", 1)[0] in _SERVER_PREFIXES
    ):
        return PREPRINT  # "PeerJ Preprints 5:e2651v1": a server's volume is still a preprint's
    named = _SERVER.findall(reference.text)
    server = reference.kind == "posted-content" or bool(named)
    if named and all(fold(n).startswith("preprint") for n in named) and reference.container_title:
        server = False  # "Science [Preprint]": a journal's online-first, not a server's
    numbers = bool(reference.volume or reference.first_page)
    if server and not reference.volume:
        return PREPRINT
    if numbers and not server:
        return ARTICLE
    return None


#: Words any citation may hold beside its work's fields.
_CITATION_WORDS = frozenset(
    {
        "and",
        "et",
        "al",
        "the",
        "of",
        "in",
        "on",
        "for",
        "to",
        "a",
        "an",
        "with",
        "by",
        "at",
        "from",
        "vol",
        "volume",
        "no",
        "nos",
        "pp",
        "page",
        "pages",
        "doi",
        "https",
        "http",
        "www",
        "org",
        "com",
        "dx",
        "available",
        "online",
        "published",
        "accessed",
        "retrieved",
        "preprint",
        "posted",
        "ed",
        "eds",
        "editor",
        "editors",
        "edition",
        "version",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "article",
        "abstract",
    }
)


def unexplained_words(reference: Reference, work: Work) -> int:
    """How many words of the citation (three letters or more, no digits) the record does not
    account for: not in its title, authors, container or publisher (OCR slips allowed), nor
    words any citation holds. A preprint's citation has none or one; a journal citation
    that the parser did not read names its journal: "Auton Robot, 2018"."""
    known: set[str] = set(_CITATION_WORDS)
    for text in (work.title, work.subtitle, *work.container_titles, work.publisher):
        known.update(words(text or ""))
    for author in (*work.authors, *work.editors):
        known.update(words(f"{author.family} {author.given or ''}"))
    spelled = [k for k in known if len(k) >= 4]
    count = 0
    for token in dict.fromkeys(words(reference.text)):
        if len(token) < 3 or not token.isalpha() or token in known or _SERVER.fullmatch(token):
            continue
        if len(token) >= 4 and any(
            abs(len(k) - len(token)) <= 2 and fuzz.ratio(k, token) >= 80 for k in spelled
        ):
            continue
        count += 1
    return count


def names_source_of(reference: Reference, work: Work) -> bool:
    """Whether the citation's journal is the record's own container or publisher ("PeerJ"
    for a PeerJ preprint, "Copernicus GmbH" for a discussion paper)."""
    cited = reference.container_title
    if not cited:
        return False
    names = tuple(n for n in (*work.container_titles, work.publisher) if n)
    return any(fold(cited) == fold(n) for n in names) or container_matches(cited, names)


def published_dois(work: Work) -> tuple[str, ...]:
    """The DOIs a preprint's record names as its published version: Crossref's
    ``is-preprint-of``, and the DOI of its ``published_version`` (arXiv's journal DOI)."""
    named = work.published_version.doi if work.published_version is not None else ""
    own = (named,) if named and named.lower() != work.doi.lower() else ()
    return tuple(dict.fromkeys((*_related(work, "is-preprint-of"), *own)))


def preprint_dois(work: Work) -> tuple[str, ...]:
    """The DOIs an article's record names as its preprint (``has-preprint``)."""
    return _related(work, "has-preprint")


def _related(work: Work, kind: str) -> tuple[str, ...]:
    own = work.doi.lower()
    found = [
        r.id
        for r in work.relations
        if r.type == kind and r.id_type in (None, "doi") and r.id.lower() != own
    ]
    return tuple(dict.fromkeys(found))


def _title(work: Work) -> str:
    return " ".join(words(work.title or ""))


def _first_family(work: Work) -> str | None:
    people = [a for a in work.authors if not a.organisation]
    return people[0].family if people else None


def _alike(a: Work, b: Work, ratio: float) -> bool:
    """Titles at least ``ratio`` alike and the same first author (or neither has one)."""
    first_a, first_b = _first_family(a), _first_family(b)
    if (first_a is None) != (first_b is None):
        return False
    if first_a is not None and first_b is not None and not same_family(first_a, first_b):
        return False
    ta, tb = _title(a), _title(b)
    return bool(ta and tb) and fuzz.ratio(ta, tb) >= ratio


def versions(a: Work, b: Work) -> bool:
    """Whether two records are versions of one work: a preprint and its article (linked by
    a ``relation``, or with nearly the same title and the same first author)."""
    if is_preprint(a) == is_preprint(b):
        return False
    linked = any(
        r.type in _VERSION_RELATIONS and r.id.lower() == other.doi.lower()
        for one, other in ((a, b), (b, a))
        for r in one.relations
    )
    return linked or _alike(a, b, 90)


def twins(a: Work, b: Work) -> bool:
    """Whether two records with different DOIs are the same work registered twice: one kind,
    the same title and first author, and no field that differs where both have it (journal,
    volume, first page; years at most one apart)."""
    if a.doi.lower() == b.doi.lower() or work_kind(a) != work_kind(b):
        return False
    if not _alike(a, b, 95):
        return False
    if (
        a.container_title
        and b.container_titles
        and not (
            fold(a.container_title) in {fold(t) for t in b.container_titles}
            or container_matches(a.container_title, b.container_titles)
        )
    ):
        return False
    if a.volume and b.volume and fold(a.volume) != fold(b.volume):
        return False
    first_a, first_b = a.first_page or a.article_number, b.first_page or b.article_number
    if first_a and first_b and fold(first_a) != fold(first_b):
        return False
    years_a = {int(y) for y in a.years if y.isdigit()}
    years_b = {int(y) for y in b.years if y.isdigit()}
    return not (years_a and years_b) or any(abs(x - y) <= 1 for x in years_a for y in years_b)
