"""The version cited (preprint or article) and look-alikes (notices, comments, replies,
reviews, namesakes, a work registered twice): how the resolver chooses among them."""

# House style (STYLE.md) writes `assert expected == actual`; ruff's SIM300 calls that Yoda.

from __future__ import annotations

import attrs
import pytest

from refcheck.findings.compare import compare
from refcheck.model import Author, MatchStatus, Relation, Update, Work
from refcheck.parsing import parse_citation
from refcheck.sources.chain import SourceChain
from refcheck.sources.resolve import Resolver
from refcheck.sources.versions import (
    ARTICLE,
    COMMENT,
    NOTICE,
    PREPRINT,
    REPLY,
    REVIEW,
    cited_form,
    cites_kind,
    cites_number_of,
    twins,
    unexplained_words,
    work_kind,
)


@attrs.define
class FakeSource:
    """A WorkSource: ``works`` by DOI for look-ups, ``ranked`` for every search."""

    works: dict[str, Work] = attrs.Factory(dict)
    ranked: list[Work] = attrs.Factory(list)
    calls: list[str] = attrs.Factory(list)

    def get_work(self, doi: str) -> Work | None:
        self.calls.append(f"get {doi}")
        return self.works.get(doi.lower())

    def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
        self.calls.append("search")
        return tuple(self.ranked[:rows])


TITLE = "A field based study of swimbladder adjustment in a physostomous teleost fish"
AUTHORS = (Author("Ganias", "K"), Author("Michou", "M"), Author("Nunes", "C"))
ARTICLE_DOI = "10.7717/peerj.5066"
PREPRINT_DOI = "10.7287/peerj.preprints.26512v1"

#: The journal version: PeerJ 7, e5066, online 2018.
JOURNAL = Work(
    doi=ARTICLE_DOI,
    type="journal-article",
    title=TITLE,
    authors=AUTHORS,
    container_title="PeerJ",
    issued="2018-06-15",
    published_online="2018-06-15",
    volume="7",
    article_number="e5066",
    relations=(Relation("has-preprint", PREPRINT_DOI, "doi"),),
)
#: Its preprint, as Crossref records PeerJ Preprints: posted-content, a year earlier, no
#: journal, volume or pages, linked to the article.
PREPRINT_WORK = Work(
    doi=PREPRINT_DOI,
    type="posted-content",
    title=TITLE,
    authors=AUTHORS,
    issued="2017-01-10",
    publisher="PeerJ",
    relations=(Relation("is-preprint-of", ARTICLE_DOI, "doi"),),
)
UNLINKED_PREPRINT = attrs.evolve(PREPRINT_WORK, relations=())

JOURNAL_CITATION = f"Ganias K, Michou M, Nunes C. {TITLE}. PeerJ 7, e5066 (2018)."
PREPRINT_CITATION = f"Ganias K, Michou M, Nunes C. {TITLE}. PeerJ Preprints 5, e26512v1 (2017)."
BIORXIV_CITATION = f"Ganias K, Michou M, Nunes C. {TITLE}. bioRxiv 2017.01.10.123456 (2017)."


def _resolve(citation: str, source: FakeSource) -> tuple[MatchStatus, str | None]:
    match = Resolver(source).resolve(parse_citation(citation))
    return match.status, match.doi


# --- the version cited -------------------------------------------------------------------


@pytest.mark.parametrize("ranked", [[PREPRINT_WORK, JOURNAL], [JOURNAL, PREPRINT_WORK]])
def test_journal_citation_gets_the_journal_article_beside_its_preprint(
    ranked: list[Work],
) -> None:
    """A citation with journal, volume and page ("PeerJ 7, e5066 (2018)") gets the article,
    whichever of it and its preprint the search ranks first."""
    assert (MatchStatus.MATCHED, ARTICLE_DOI) == _resolve(
        JOURNAL_CITATION, FakeSource(ranked=ranked)
    )


def test_journal_citation_matched_to_its_article_has_no_year_error() -> None:
    """Matched to the article, the journal citation's year agrees: no year-mismatch."""
    reference = parse_citation(JOURNAL_CITATION)
    match = Resolver(FakeSource(ranked=[PREPRINT_WORK, JOURNAL])).resolve(reference)
    assert [] == [f.code for f in compare(reference, match) if f.code == "year-mismatch"]


def test_journal_citation_with_only_its_preprint_is_not_verified() -> None:
    """Only the preprint in the index, and its published version not on the service: the
    reference is unresolved (no DOI), and Match.version holds the preprint."""
    source = FakeSource(ranked=[PREPRINT_WORK])
    match = Resolver(source).resolve(parse_citation(JOURNAL_CITATION))
    assert (MatchStatus.UNRESOLVED, None, PREPRINT_DOI) == (
        match.status,
        match.doi,
        match.version.doi if match.version else None,
    )


def test_journal_citation_with_only_its_preprint_gets_the_preprint_only_finding() -> None:
    """The one finding names the preprint and the published DOI; no year error comes from
    the preprint's earlier date."""
    reference = parse_citation(JOURNAL_CITATION)
    match = Resolver(FakeSource(ranked=[PREPRINT_WORK])).resolve(reference)
    findings = compare(reference, match)
    assert [("preprint-only", ARTICLE_DOI)] == [(f.code, f.expected) for f in findings]
    assert PREPRINT_DOI in findings[0].message
    assert "cites the published version of a preprint" in findings[0].message


@pytest.mark.parametrize(
    "citation",
    [
        f"Ganias K, Michou M, Nunes C. {TITLE}. Fish Physiol Biochem. 2017.",
        # A parse that misses the journal: "Auton Robot" after a quoted title.
        f"K. Ganias and et al., “{TITLE}”, Auton Robot, 2017.",
    ],
)
def test_journal_named_without_numbers_is_not_its_preprint(citation: str) -> None:
    """A citation that names a journal (not a preprint server) but no volume or pages, and
    only the preprint agrees: not the preprint's DOI, whether or not the parser read the
    journal."""
    match = Resolver(FakeSource(ranked=[PREPRINT_WORK])).resolve(parse_citation(citation))
    assert (MatchStatus.UNRESOLVED, None) == (match.status, match.doi)


def test_preprint_cited_by_its_publisher_name_is_the_preprint() -> None:
    """A preprint cited with its publisher where a journal goes ("PeerJ", no volume or
    pages): the preprint, the only candidate, is the match."""
    citation = f"Ganias K, Michou M, Nunes C. {TITLE}. PeerJ. 2017."
    assert (MatchStatus.MATCHED, PREPRINT_DOI) == _resolve(
        citation, FakeSource(ranked=[UNLINKED_PREPRINT])
    )


def test_unlinked_preprint_only_says_the_published_version_is_not_known() -> None:
    """A preprint that declares no published version: the finding says so, names no DOI."""
    reference = parse_citation(JOURNAL_CITATION)
    match = Resolver(FakeSource(ranked=[UNLINKED_PREPRINT])).resolve(reference)
    assert [("preprint-only", None)] == [(f.code, f.expected) for f in compare(reference, match)]


def test_is_preprint_of_is_followed_to_the_published_version() -> None:
    """When the search brings only the preprint, its is-preprint-of DOI is looked up and
    validated: the article is the match, found via the relation."""
    source = FakeSource(works={ARTICLE_DOI: JOURNAL}, ranked=[PREPRINT_WORK])
    match = Resolver(source).resolve(parse_citation(JOURNAL_CITATION))
    assert (MatchStatus.MATCHED, ARTICLE_DOI, "relation", ["search", f"get {ARTICLE_DOI}"]) == (
        match.status,
        match.doi,
        match.via,
        source.calls,
    )


#: The preprint as arXiv records it: no Crossref relation, but the journal DOI the authors
#: gave arXiv (``<arxiv:doi>``, ``<arxiv:journal_ref>``) as its ``published_version``.
ARXIV_PREPRINT = Work(
    doi="10.48550/arXiv.1701.01234",
    type="posted-content",
    title=TITLE,
    authors=AUTHORS,
    container_title="arXiv",
    issued="2017-01-10",
    publisher="arXiv",
    arxiv_id="1701.01234",
    published_version=Work(doi=ARTICLE_DOI, container_title="PeerJ 7, e5066 (2018)"),
)


def test_arxiv_journal_doi_is_followed_to_the_published_version() -> None:
    """An arXiv preprint's journal DOI counts as its is-preprint-of: looked up and
    validated, the article is the match, via the relation."""
    source = FakeSource(works={ARTICLE_DOI: JOURNAL}, ranked=[ARXIV_PREPRINT])
    match = Resolver(source).resolve(parse_citation(JOURNAL_CITATION))
    assert (MatchStatus.MATCHED, ARTICLE_DOI, "relation") == (match.status, match.doi, match.via)


def test_arxiv_preprint_only_names_its_journal_doi() -> None:
    """Only the arXiv preprint agrees and its journal DOI is not on the service: the
    preprint-only finding names the journal DOI that arXiv gives."""
    reference = parse_citation(JOURNAL_CITATION)
    match = Resolver(FakeSource(ranked=[ARXIV_PREPRINT])).resolve(reference)
    assert [("preprint-only", ARTICLE_DOI)] == [
        (f.code, f.expected) for f in compare(reference, match)
    ]


def test_a_later_source_that_finds_only_the_preprint_gives_the_preprint_only_finding() -> None:
    """Crossref has nothing; the next source has only the preprint: the chain's unresolved
    reference still says it cites the published version of that preprint."""

    @attrs.define
    class Named(FakeSource):
        name: str = "crossref"

    chain = SourceChain((Named(name="crossref"), Named(name="openalex", ranked=[PREPRINT_WORK])))
    reference = parse_citation(JOURNAL_CITATION)
    match = chain.resolve(reference)
    assert [("preprint-only", ARTICLE_DOI)] == [
        (f.code, f.expected) for f in compare(reference, match)
    ]


def test_a_published_version_that_does_not_agree_is_not_taken() -> None:
    """The linked version is validated like any candidate: one of another volume and page
    (the citation cites something else) is not the match."""
    other = attrs.evolve(
        JOURNAL,
        volume="9",
        article_number="e9999",
        issued="2021-03-01",
        published_online="2021-03-01",
    )
    source = FakeSource(works={ARTICLE_DOI: other}, ranked=[PREPRINT_WORK])
    match = Resolver(source).resolve(parse_citation(JOURNAL_CITATION))
    assert (MatchStatus.UNRESOLVED, None) == (match.status, match.doi)


def test_no_request_follows_a_relation_when_the_article_is_among_the_candidates() -> None:
    """Following a relation costs a request only when needed: one search, nothing else."""
    source = FakeSource(works={ARTICLE_DOI: JOURNAL}, ranked=[PREPRINT_WORK, JOURNAL])
    Resolver(source).resolve(parse_citation(JOURNAL_CITATION))
    assert ["search"] == source.calls


@pytest.mark.parametrize("citation", [PREPRINT_CITATION, BIORXIV_CITATION])
def test_preprint_citation_gets_the_preprint_beside_its_article(citation: str) -> None:
    """A citation that names a preprint server gets the preprint, not the article."""
    assert (MatchStatus.MATCHED, PREPRINT_DOI) == _resolve(
        citation, FakeSource(ranked=[JOURNAL, PREPRINT_WORK])
    )


def test_has_preprint_is_followed_for_a_preprint_citation() -> None:
    """A preprint citation whose search brings only the article: the article's
    has-preprint DOI is looked up, validated and chosen."""
    source = FakeSource(works={PREPRINT_DOI: PREPRINT_WORK}, ranked=[JOURNAL])
    match = Resolver(source).resolve(parse_citation(PREPRINT_CITATION))
    assert (MatchStatus.MATCHED, PREPRINT_DOI, "relation") == (match.status, match.doi, match.via)


@pytest.mark.parametrize(
    ("year", "expected"),
    [("2017", PREPRINT_DOI), ("2018", ARTICLE_DOI)],
)
def test_citation_naming_neither_form_gets_the_version_of_its_year(
    year: str, expected: str
) -> None:
    """Title, authors and year only: the version with that year (the preprint's 2017, the
    article's 2018)."""
    citation = f"Ganias K, Michou M, Nunes C. {TITLE}. {year}."
    source = FakeSource(ranked=[JOURNAL, PREPRINT_WORK])
    assert (MatchStatus.MATCHED, expected) == _resolve(citation, source)


def test_citation_naming_neither_form_gets_the_article_when_both_have_its_year() -> None:
    """Both versions of the cited year: the version of record, not an ambiguity."""
    same_year = attrs.evolve(PREPRINT_WORK, issued="2018-01-10")
    citation = f"Ganias K, Michou M, Nunes C. {TITLE}. 2018."
    source = FakeSource(ranked=[same_year, JOURNAL])
    assert (MatchStatus.MATCHED, ARTICLE_DOI) == _resolve(citation, source)


@pytest.mark.parametrize(
    ("citation", "form"),
    [
        ("Smith J. A title of five words here. PeerJ 7, e5066 (2018).", ARTICLE),
        ("Smith J. A title. Nature. 2020;580:1-5.", ARTICLE),
        ("Smith J. A title. bioRxiv 2020.03.01.123456 (2020).", PREPRINT),
        ("Smith J. A title. medRxiv. 2021. doi:10.1101/2021.03.24.21254263", PREPRINT),
        ("Smith J. A title. Preprint at Research Square (2020).", PREPRINT),
        ("Smith, J. (2019). Deep learning for cats. arXiv:1901.01234.", PREPRINT),
        ("Smith J. A title. SSRN Electronic Journal. 2020.", PREPRINT),
        ("Liu W. A title. PeerJ Prepr. 2019.", PREPRINT),
        ("Smith J. A title. 2020.", None),
        ("Mervis J. (2015) “A news story title”, Science [Preprint].", None),
    ],
)
def test_cited_form(citation: str, form: str | None) -> None:
    """What the citation's own fields say of the version it cites."""
    assert form == cited_form(parse_citation(citation))


# --- look-alikes --------------------------------------------------------------------------

WORK = Work(
    doi="10.1371/journal.pone.0045195",
    type="journal-article",
    title="Effect of remifentanil on mitochondrial oxygen consumption of cultured human "
    "hepatocytes",
    authors=(Author("Djafarzadeh", "S"), Author("Vuda", "M"), Author("Takala", "J")),
    container_title="PLoS ONE",
    issued="2012-09-20",
    volume="7",
    issue="9",
    article_number="e45195",
)
CITATION = (
    "Djafarzadeh S, Vuda M, Takala J. Effect of remifentanil on mitochondrial oxygen "
    "consumption of cultured human hepatocytes. PLoS ONE. 2012;7(9):e45195."
)


def _notice(doi: str, title: str, kind: str, **fields: object) -> Work:
    """A notice about WORK, in its journal, as publishers record them (update-to WORK)."""
    values: dict[str, object] = {
        "doi": doi,
        "type": "journal-article",
        "title": title,
        "authors": WORK.authors,
        "container_title": "PLoS ONE",
        "issued": "2012-12-01",
        "volume": "7",
        "article_number": "e" + doi.rsplit(".", 1)[-1],
        "update_to": (Update(kind, doi=WORK.doi),),
    }
    values.update(fields)
    return Work(**values)  # type: ignore[arg-type]


#: Look-alikes of WORK, each recorded as real Crossref records them; all of PLOS ONE's 2012
#: volume 7, so that year, journal and volume agree with the citation of WORK.
LOOKALIKES = {
    "correction": _notice(
        "10.1371/journal.pone.0051234", f"Correction: {WORK.title}", "correction"
    ),
    "corrigendum": _notice(
        "10.1371/journal.pone.0051235",
        f"Corrigendum to “{WORK.title}” [PLoS ONE 7 (2012) e45195]",
        "erratum",
    ),
    "retraction notice": _notice(
        "10.1371/journal.pone.0051236",
        f"Retraction: {WORK.title}",
        "retraction",
        authors=(Author("The PLOS ONE Editors", organisation=True),),
    ),
    "correction with the work's own title": _notice(
        "10.1371/journal.pone.0051237", WORK.title or "", "correction"
    ),
    "comment": attrs.evolve(
        WORK,
        doi="10.1371/journal.pone.0051238",
        title=f"Comment on “{WORK.title}”",
        authors=(Author("Smith", "A"), Author("Jones", "B")),
        article_number="e51238",
    ),
    "reply": attrs.evolve(
        WORK,
        doi="10.1371/journal.pone.0051239",
        title=f"Reply to Smith et al.: {WORK.title}",
        article_number="e51239",
    ),
    "peer review": Work(
        doi="10.1371/journal.pone.0045195.r001",
        type="peer-review",
        title=f"Review for “{WORK.title}”",
        issued="2012-08-01",
        relations=(Relation("is-review-of", WORK.doi, "doi"),),
    ),
    "namesake": attrs.evolve(
        WORK,
        doi="10.1016/j.x.2012.04.002",
        authors=(Author("Wagner", "P"), Author("Olsen", "T")),
        container_title="Toxicology Letters",
        volume="212",
        article_number=None,
        first_page="88",
        last_page="96",
    ),
}


@pytest.mark.parametrize("name", sorted(LOOKALIKES))
def test_a_lookalike_alone_is_never_the_match(name: str) -> None:
    """With the work itself not on the service, its correction, erratum, retraction notice,
    comment, reply, peer review or namesake is not presented as its match."""
    match = Resolver(FakeSource(ranked=[LOOKALIKES[name]])).resolve(parse_citation(CITATION))
    assert (MatchStatus.UNRESOLVED, None) == (match.status, match.doi)


@pytest.mark.parametrize("name", sorted(LOOKALIKES))
def test_the_work_beside_a_lookalike_is_the_match(name: str) -> None:
    """With the work and a look-alike ranked above it, the work is the match."""
    source = FakeSource(ranked=[LOOKALIKES[name], WORK])
    assert (MatchStatus.MATCHED, WORK.doi) == _resolve(CITATION, source)


@pytest.mark.parametrize(
    ("name", "citation"),
    [
        (
            "correction",
            f"Djafarzadeh S, Vuda M, Takala J. Correction: {WORK.title}. PLoS ONE. "
            "2012;7:e0051234.",
        ),
        (
            "corrigendum",
            f"Djafarzadeh S, Vuda M, Takala J. Corrigendum to “{WORK.title}” [PLoS ONE 7 "
            "(2012) e45195]. PLoS ONE. 2012;7:e0051235.",
        ),
        ("comment", f"Smith A, Jones B. Comment on “{WORK.title}”. PLoS ONE. 2012;7:e51238."),
        (
            "reply",
            f"Djafarzadeh S, Vuda M, Takala J. Reply to Smith et al.: {WORK.title}. "
            "PLoS ONE. 2012;7:e51239.",
        ),
    ],
)
def test_a_citation_of_a_lookalike_gets_it(name: str, citation: str) -> None:
    """A citation may cite an erratum, a comment or a reply: then that is the match, not
    the work it is about."""
    source = FakeSource(ranked=[WORK, LOOKALIKES[name]])
    assert (MatchStatus.MATCHED, LOOKALIKES[name].doi) == _resolve(citation, source)


def test_a_misread_citation_of_a_notice_is_not_matched_to_the_work() -> None:
    """ "Crrcctin: <title>": the correction agrees better than the work, but the citation's
    mark of a notice is unreadable. Neither is presented as the match."""
    citation = (
        f"Djafarzadeh S, Vuda M, Takala J. Crrcctin: {WORK.title}. PLoS ONE. 2012;7:e0051234."
    )
    source = FakeSource(ranked=[LOOKALIKES["correction"], WORK])
    assert (MatchStatus.UNRESOLVED, None) == _resolve(citation, source)


def test_work_registered_twice_is_ambiguous_naming_both() -> None:
    """The same record under a second DOI (the second without its pages, so that the
    scores differ): ambiguous, naming both DOIs."""
    twin = attrs.evolve(WORK, doi="10.1371/journal.pone.0099999", article_number=None)
    match = Resolver(FakeSource(ranked=[WORK, twin])).resolve(parse_citation(CITATION))
    assert (MatchStatus.AMBIGUOUS, {WORK.doi, twin.doi}) == (
        match.status,
        {c.work.doi for c in match.candidates},
    )


def test_ambiguous_twins_are_reported_with_both_dois() -> None:
    """The ambiguous finding names both DOIs of the work registered twice."""
    twin = attrs.evolve(WORK, doi="10.1371/journal.pone.0099999")
    reference = parse_citation(CITATION)
    match = Resolver(FakeSource(ranked=[WORK, twin])).resolve(reference)
    (finding,) = compare(reference, match)
    assert ("ambiguous", True, True) == (
        finding.code,
        WORK.doi in finding.message,
        twin.doi in finding.message,
    )


@pytest.mark.parametrize(
    ("other", "same"),
    [
        (attrs.evolve(WORK, doi="10.1/twin"), True),
        (attrs.evolve(WORK, doi="10.1/twin", article_number=None), True),
        (attrs.evolve(WORK, doi="10.1/other", volume="8"), False),
        (attrs.evolve(WORK, doi="10.1/other", article_number="e1"), False),
        (attrs.evolve(WORK, doi="10.1/other", authors=(Author("Smith", "A"),)), False),
        (attrs.evolve(WORK, doi="10.1/other", issued="2016"), False),
        (LOOKALIKES["correction"], False),
        (WORK, False),
    ],
)
def test_twins(other: Work, same: bool) -> None:
    """Twins: another DOI, one kind, the same title and first author, no field that
    differs where both have it."""
    assert same == twins(WORK, other)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("correction", NOTICE),
        ("corrigendum", NOTICE),
        ("retraction notice", NOTICE),
        ("correction with the work's own title", NOTICE),
        ("comment", COMMENT),
        ("reply", REPLY),
        ("peer review", REVIEW),
        ("namesake", ARTICLE),
    ],
)
def test_work_kind(name: str, kind: str) -> None:
    """What each look-alike is, from its type, update-to, relations or title."""
    assert kind == work_kind(LOOKALIKES[name])


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Author Correction: Structural variation in humans", NOTICE),
        ("Erratum", NOTICE),
        ("Retraction Note: A study", NOTICE),
        ("Expression of Concern: A study", NOTICE),
        ("Correction of refractive errors in children", ARTICLE),
        ("Correction for multiple testing in genomics", ARTICLE),
        ("RETRACTED: A study of x", ARTICLE),
        ("Comment on: Jeon et al. Helicobacter pylori infection", COMMENT),
        ("Commentary on “A study”", COMMENT),
        ("In Reply to E. Topkan et al.", REPLY),
        ("Response to Comment on “A study”", REPLY),
        ("Response to drought stress in maize", ARTICLE),
        ("Decision letter: Architecture of the ring formed by FtsZ", REVIEW),
        ("Reviewing the evidence on x", ARTICLE),
    ],
)
def test_work_kind_by_title(title: str, kind: str) -> None:
    """Title conventions of notices, comments, replies and reviews (from real records), and
    articles whose titles merely begin with such a word."""
    assert kind == work_kind(Work(doi="10.1/x", type="journal-article", title=title))


def test_preprint_kind() -> None:
    """Posted content is a preprint; so is a record under arXiv's DataCite prefix."""
    arxiv = Work(doi="10.48550/arXiv.1901.01234", type="text", title="Deep learning for cats")
    assert (PREPRINT, PREPRINT, ARTICLE) == (
        work_kind(PREPRINT_WORK),
        work_kind(arxiv),
        work_kind(JOURNAL),
    )


@pytest.mark.parametrize(
    ("citation", "kind", "cites"),
    [
        (CITATION, NOTICE, False),
        (f"Djafarzadeh S. Correction: {WORK.title}. PLoS ONE. 2012;7:e1.", NOTICE, True),
        (f"Djafarzadeh S. Cornection: {WORK.title}. PLoS ONE. 2012;7:e1.", NOTICE, True),
        (f"Djafarzadeh S. Correction: {WORK.title}. PLoS ONE. 2012;7:e1.", ARTICLE, False),
        (f"Djafarzadeh S. Corrigeudum to “{WORK.title}”. PLoS ONE. 2012;7:e1.", ARTICLE, False),
        (f"Djafarzadeh S. Correction of {WORK.title}. PLoS ONE. 2012;7:e1.", ARTICLE, True),
        (f"Smith A. Comment on “{WORK.title}”. PLoS ONE. 2012;7:e1.", COMMENT, True),
        ("Bang T. Functional responses to wood ash in soil. FEMS. 2020;96.", REPLY, False),
        ("Mo W. Letter to the Editr regarding “A study”. Microb Ecol. 2014;7:1.", COMMENT, True),
        ("Arnason T. Comment 0n: Carta et al. Seed dormancy. Flora. 2013;7:1.", COMMENT, True),
        ("Bang T. Response to Comment on “Functional responses”. FEMS. 2020;96.", REPLY, True),
        ("Lee K. Atmospheric correction of satellite images. RSE. 2012;7:1.", NOTICE, False),
        ("Lee K. Erratum. RSE. 2012;7:1.", NOTICE, True),
        ("Error in Figure. JAMA. 2019;321(5):510.", NOTICE, True),
        (CITATION, COMMENT, False),
        (CITATION, ARTICLE, True),
        (CITATION, PREPRINT, True),
    ],
)
def test_cites_kind(citation: str, kind: str, cites: bool) -> None:
    """A citation cites a notice, comment or reply only when it says so (one OCR slip
    allowed); an article or preprint, unless its title opens as a notice's does."""
    assert cites == cites_kind(parse_citation(citation), kind)


@pytest.mark.parametrize(
    ("citation", "count"),
    [
        (f"Ganias K, Michou M, Nunes C. {TITLE}. 2017.", 0),
        (f"Ganias K, Michou M, Nunes C. {TITLE}. PeerJ. 2017.", 0),
        ("Ganias K, Michou M, Nunes C. A feld based study of swimblader adjustment. 2017.", 0),
        (f"K. Ganias and et al., “{TITLE}”, Auton Robot, 2017.", 2),
    ],
)
def test_unexplained_words(citation: str, count: int) -> None:
    """The words of a citation that the preprint's record does not account for: none for
    its own citation (OCR slips and its publisher allowed), the journal's for another."""
    assert count == unexplained_words(parse_citation(citation), PREPRINT_WORK)


@pytest.mark.parametrize(
    ("citation", "cites"),
    [
        (f"Ganias K. {TITLE}. 564114 (2017).", False),
        (f"Ganias K. {TITLE}. bioRxiv 26512v1 (2017).", True),
        (f"Ganias K. {TITLE}. PeerJ Preprints 5:e26512v1 (2017).", True),
        (f"Ganias K. {TITLE}. PeerJ 7, e5066 (2018).", False),
        (f"Ganias K. {TITLE}. p. 265l2 (2017).", True),
    ],
)
def test_cites_number_of(citation: str, cites: bool) -> None:
    """A citation that gives the number the preprint's DOI holds cites the preprint; a
    year or another work's page is no such number."""
    assert cites == cites_number_of(parse_citation(citation), PREPRINT_WORK)


def test_preprint_number_without_a_server_gets_the_preprint() -> None:
    """ "p. 26512" with the server name lost (noise, a style that drops it): the number is
    the preprint's, so the preprint is the match, not the article beside it."""
    citation = f"Ganias K, Michou M, Nunes C. {TITLE}. p. 26512 (2017)."
    source = FakeSource(ranked=[JOURNAL, PREPRINT_WORK])
    assert (MatchStatus.MATCHED, PREPRINT_DOI) == _resolve(citation, source)
