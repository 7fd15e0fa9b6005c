"""arXiv, dblp and Semantic Scholar: identifiers, clients, routing, published versions.

The answers are recorded real responses (``tests/fixtures/services/``, provenance and licence
in its README): arXiv Atom feeds recorded by the ``arxiv`` package's test suite, Semantic
Scholar paper objects and errors from the ``semanticscholar`` client's cassettes, and a dblp
search answer recorded (trimmed) from a live query. HTTP is mocked with ``responses``, or
served by refcheck's stand-ins on 127.0.0.1; nothing sleeps.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
import yaml
from click.testing import CliRunner

from refcheck.cli import cli
from refcheck.errors import ServiceResponseError
from refcheck.findings import compare
from refcheck.model import Author, Match, MatchStatus, Reference, Work
from refcheck.output.bibtex import to_bibtex
from refcheck.parsing import parse_citation
from refcheck.parsing.citation import arxiv_identifier
from refcheck.readers.bibtex import bib_manuscript
from refcheck.sources.arxiv import ArxivClient, work_from_arxiv
from refcheck.sources.chain import SourceChain, parse_sources, route
from refcheck.sources.dblp import DblpClient, work_from_dblp
from refcheck.sources.resolve import Resolver
from refcheck.sources.semanticscholar import SemanticScholarClient, work_from_semanticscholar
from refcheck.testing import (
    arxiv_entries,
    serve_arxiv,
    serve_crossref,
    serve_dblp,
    serve_openalex,
    serve_semanticscholar,
)

pytestmark = pytest.mark.usefixtures("no_retry_wait")

FIXTURES = Path(__file__).parent / "fixtures" / "services"
ARXIV = "https://arxiv.example.org/api"
DBLP = "https://dblp.example.org"
S2 = "https://s2.example.org/graph/v1"


def _recording(name: str) -> dict[str, Any]:
    """One of the ``arxiv`` package's recorded answers: url, status and body."""
    data: dict[str, Any] = json.loads((FIXTURES / "arxiv" / name).read_text(encoding="utf-8"))
    return data


HEAT_BATH = _recording("id_1605.08386_s0_m100_199195aa31ad.json")
PAIR = _recording("id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.json")
NONE = _recording("id_0000.0000_s0_m100_8b51d9633a68.json")
MALFORMED = _recording("id_abc_s0_m100_b79c8dcf6bc3.json")
OLD_STYLE = _recording("id_astro-ph_0601001_s0_m100_3150dca9dc76.json")
DEL_MAESTRO = (FIXTURES / "arxiv" / "search_query_au_del_maestro.xml").read_text(encoding="utf-8")
PAPERS: list[dict[str, Any]] = json.loads(
    (FIXTURES / "semanticscholar" / "papers.json").read_text(encoding="utf-8")
)
DBLP_ANSWER: dict[str, Any] = json.loads(
    (FIXTURES / "dblp" / "search_perceptrons_minsky.json").read_text(encoding="utf-8")
)


def _cassette_body(name: str) -> tuple[int, str]:
    """The first response of a ``semanticscholar`` cassette: status and body."""
    data = yaml.safe_load((FIXTURES / "semanticscholar" / f"{name}.yaml").read_text())
    response = data["interactions"][0]["response"]
    return response["status"]["code"], response["body"]["string"]


def _query(call: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


# --- arXiv identifiers in citations ----------------------------------------------------------

ARXIV_FORMS = [
    ("Vaswani A, et al. Attention is all you need. arXiv:1706.03762v5, 2017.", "1706.03762v5"),
    (
        "A. Vaswani et al. Attention is all you need. arXiv preprint arXiv:1706.03762, 2017.",
        "1706.03762",
    ),
    ("Vaswani A, et al. Attention is all you need. CoRR abs/1706.03762 (2017).", "1706.03762"),
    ("Vaswani A, et al. Attention is all you need, https://arxiv.org/abs/1706.03762", "1706.03762"),
    (
        "J. Maldacena, The large N limit of superconformal field theories, hep-th/9711200.",
        "hep-th/9711200",
    ),
    ("Vaswani A, et al. Attention is all you need. doi:10.48550/arXiv.1706.03762", "1706.03762"),
    ("Kac V. A paper. arXiv:math.AG/0601001v2 (2006).", "math/0601001v2"),
    ("Smith J. A study. Nature 2020;580:1706.", None),
    ("Smith J. A study. J Phys 2020; 10: 2003.12345.", None),
]


@pytest.mark.parametrize(("citation", "expected"), ARXIV_FORMS)
def test_arxiv_identifier_is_found_in_every_written_form(
    citation: str, expected: str | None
) -> None:
    """Each printed form of an arXiv identifier becomes the reference's ``arxiv_id``, and a
    number that only looks like one (no arXiv prefix) does not."""
    assert expected == parse_citation(citation).arxiv_id


def test_arxiv_identifier_does_not_change_the_other_fields() -> None:
    """Finding the identifier leaves the text the parser reads as it was: the title is cut as
    without it."""
    citation = "A. Vaswani et al. Attention is all you need. arXiv preprint arXiv:1706.03762, 2017."
    reference = parse_citation(citation)
    assert ("Attention is all you need", "2017") == (reference.title, reference.year)


def test_arxiv_identifier_normalises_case_and_subject_class() -> None:
    """ "ARXIV:1706.03762V2" -> "1706.03762v2"; the subject class of an old id is dropped."""
    assert ("1706.03762v2", "cond-mat/0601001") == (
        arxiv_identifier("ARXIV:1706.03762V2"),
        arxiv_identifier("arXiv:cond-mat.str-el/0601001"),
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("journal={CoRR}, volume={abs/1706.03762}", "1706.03762"),
        ("eprint={2005.14165}, archivePrefix={arXiv}", "2005.14165"),
        ("journal={arXiv preprint arXiv:1810.04805}", "1810.04805"),
        ("url={https://arxiv.org/abs/1512.03385}", "1512.03385"),
        ("booktitle={arXiv preprint arXiv:1812.05905}", "1812.05905"),
        ("eprint={12345678}, eprinttype={pubmed}", None),
        ("booktitle={NeurIPS}", None),
    ],
)
def test_bibtex_entry_gives_its_arxiv_identifier(fields: str, expected: str | None) -> None:
    """A ``.bib`` entry's arXiv identifier comes from eprint, CoRR's volume, the journal field
    or an arxiv.org URL."""
    text = f"@article{{k, author={{A. Author}}, title={{T}}, year={{2020}}, {fields}}}"
    [reference] = bib_manuscript(text, "x.bib").references
    assert reference is not None and expected == reference.arxiv_id


# --- the arXiv client ------------------------------------------------------------------------


def test_arxiv_entry_converts_to_a_work() -> None:
    """A recorded Atom entry gives the id without version, the arXiv DOI, title, authors and the
    first version's date."""
    [entry] = arxiv_entries(HEAT_BATH["body"])
    from defusedxml import ElementTree

    work = work_from_arxiv(ElementTree.fromstring(entry))
    assert (
        "1605.08386",
        "1605.08386v1",
        "10.48550/arXiv.1605.08386",
        "Heat-bath random walks with Markov bases",
        (Author("Stanley", "Caprice"), Author("Windisch", "Tobias")),
        "2016-05-26",
        "posted-content",
    ) == (
        work.arxiv_id,
        work.key,
        work.doi,
        work.title,
        work.authors,
        work.issued,
        work.type,
    )


def test_arxiv_journal_ref_and_doi_become_the_published_version() -> None:
    """``arxiv:journal_ref`` and ``arxiv:doi`` of a recorded entry are its published version."""
    from defusedxml import ElementTree

    works = [work_from_arxiv(ElementTree.fromstring(e)) for e in arxiv_entries(DEL_MAESTRO)]
    published = [w.published_version for w in works if w.published_version is not None]
    assert published, "the recorded feed has entries with a journal reference"
    first = published[0]
    assert (True, True) == (bool(first.doi.startswith("10.")), first.year is not None)


@responses.activate
def test_arxiv_get_arxiv_asks_by_identifier_without_version() -> None:
    """``get_arxiv("1605.08386v1")`` asks ``id_list=1605.08386`` and converts the entry."""
    responses.get(f"{ARXIV}/query", body=HEAT_BATH["body"], content_type="application/atom+xml")
    with ArxivClient(base_url=ARXIV, cache=None) as arxiv:
        work = arxiv.get_arxiv("1605.08386v1")
    assert ("1605.08386", ["1605.08386"]) == (
        work.arxiv_id if work else None,
        _query(responses.calls[0])["id_list"],
    )


@responses.activate
def test_arxiv_unknown_identifier_is_none() -> None:
    """arXiv's empty feed for an identifier it does not know (recorded) gives ``None``."""
    responses.get(f"{ARXIV}/query", body=NONE["body"], content_type="application/atom+xml")
    with ArxivClient(base_url=ARXIV, cache=None) as arxiv:
        assert arxiv.get_arxiv("0000.0000") is None


@responses.activate
def test_arxiv_refusal_of_a_malformed_identifier_is_a_service_error() -> None:
    """arXiv's recorded HTTP 400 with an error entry is the service's answer, not a work."""
    responses.get(f"{ARXIV}/query", body=MALFORMED["body"], status=400)
    with (
        ArxivClient(base_url=ARXIV, cache=None) as arxiv,
        pytest.raises(ServiceResponseError, match="incorrect id format"),
    ):
        arxiv._feed({"id_list": "abc"}, "arXiv identifiers abc")


def test_arxiv_identifier_of_an_impossible_shape_is_none_without_asking() -> None:
    """An identifier arXiv cannot have ("abc") is not asked for."""
    with responses.RequestsMock() as mocked, ArxivClient(base_url=ARXIV, cache=None) as arxiv:
        assert (None, 0) == (arxiv.get_arxiv("abc"), len(mocked.calls))


@responses.activate
def test_arxiv_batch_asks_once_for_many_and_knows_the_missing_one() -> None:
    """``get_arxivs`` sends one request for two identifiers (recorded: one exists)."""
    responses.get(f"{ARXIV}/query", body=PAIR["body"], content_type="application/atom+xml")
    with ArxivClient(base_url=ARXIV, cache=None) as arxiv:
        found = arxiv.get_arxivs(["0808.05394", "1707.08567v1"])
        again = arxiv.get_arxiv("1707.08567")
    assert (1, None, True, True) == (
        len(responses.calls),
        found["0808.05394"],
        found["1707.08567"] is not None,
        again is found["1707.08567"],
    )


def test_arxiv_other_dois_are_not_asked_for() -> None:
    """arXiv knows only its own DOIs: any other is ``None`` without a request."""
    with responses.RequestsMock() as mocked, ArxivClient(base_url=ARXIV, cache=None) as arxiv:
        assert (None, 0) == (arxiv.get_work("10.1038/nature14539"), len(mocked.calls))


@responses.activate
def test_arxiv_keeps_three_seconds_between_requests() -> None:
    """The client spaces requests 3 s apart and a 5 % margin (arXiv's terms of use), one at a
    time: two requests wait 3.15 s in all (counted, not slept, under ``set_testing``)."""
    responses.get(f"{ARXIV}/query", body=NONE["body"], content_type="application/atom+xml")
    with ArxivClient(base_url=ARXIV, cache=None) as arxiv:
        arxiv.get_arxiv("1605.08386")
        arxiv.get_arxiv("1605.08387")
    assert (2, 1, pytest.approx(3.15, abs=0.1)) == (arxiv.sent, arxiv.max_in_flight, arxiv.waited)


# --- Semantic Scholar ------------------------------------------------------------------------


def test_semanticscholar_paper_of_an_arxiv_preprint_with_a_venue() -> None:
    """A recorded paper with an arXiv id and a venue: the venue is the container, and the
    published version (CACM, its DOI, 2024)."""
    work = work_from_semanticscholar(PAPERS[1])
    published = work.published_version
    assert (
        "2404.04750",
        "Communications of the ACM",
        ("Communications of the ACM", "10.1145/3637866", "2024"),
    ) == (
        work.arxiv_id,
        work.container_title,
        (published.container_title, published.doi, published.year) if published else None,
    )


def test_semanticscholar_arxiv_only_paper_is_a_preprint() -> None:
    """A recorded paper whose venue is arXiv has no published version."""
    work = work_from_semanticscholar(PAPERS[3])
    assert ("posted-content", None) == (work.type, work.published_version)


@responses.activate
def test_semanticscholar_unknown_paper_is_none() -> None:
    """The recorded 404 ``{"error": "Paper with id 0 not found"}`` gives ``None``."""
    status, body = _cassette_body("test_not_found")
    responses.get(f"{S2}/paper/DOI:10.1/none", body=body, status=status)
    with SemanticScholarClient(base_url=S2, cache=None) as s2:
        assert s2.get_work("10.1/none") is None


@responses.activate
def test_semanticscholar_title_match() -> None:
    """The recorded title-match answer becomes the one candidate."""
    status, body = _cassette_body("test_search_paper_match_title")
    responses.get(f"{S2}/paper/search/match", body=body, status=status)
    with SemanticScholarClient(base_url=S2, cache=None) as s2:
        [work] = s2.match_title("mining association rules between sets of items")
    assert "Mining association rules between sets of items in large databases" == work.title


@responses.activate
def test_semanticscholar_looks_up_identifiers_before_the_title() -> None:
    """``search_reference`` asks ``/paper/ARXIV:<id>`` for a reference with an arXiv id."""
    responses.get(f"{S2}/paper/ARXIV:2404.04750", json=PAPERS[1])
    reference = Reference(title="Now, later, and lasting", arxiv_id="2404.04750v2")
    with SemanticScholarClient(base_url=S2, cache=None) as s2:
        [work] = s2.search_reference(reference)
    assert ("10.1145/3637866", 1) == (work.doi, len(responses.calls))


@responses.activate
def test_semanticscholar_key_goes_to_semanticscholar_only() -> None:
    """The API key is sent as ``x-api-key`` to Semantic Scholar, and not on a redirect to
    another host."""
    responses.get(
        f"{S2}/paper/DOI:10.1/x", status=302, headers={"Location": "https://elsewhere.example/p"}
    )
    responses.get("https://elsewhere.example/p", json=PAPERS[0])
    with SemanticScholarClient(base_url=S2, cache=None, api_key="s2-secret") as s2:
        s2.get_work("10.1/x")
    assert ("s2-secret", None) == (
        responses.calls[0].request.headers.get("x-api-key"),
        responses.calls[1].request.headers.get("x-api-key"),
    )


# --- dblp ------------------------------------------------------------------------------------


def test_dblp_hits_convert_one_author_object_and_a_list() -> None:
    """dblp gives one author as an object and several as a list; both become authors."""
    hits = DBLP_ANSWER["result"]["hits"]["hit"]
    book, article = (work_from_dblp(h["info"]) for h in hits)
    assert (
        (Author("Minsky", "Marvin"), Author("Papert", "Seymour")),
        (Author("Block", "H. D."),),
        "Perceptrons: An Introduction to Computational Geometry",
        ("10.1016/S0019-9958(70)90409-2", "17", "501", "522", "journal-article"),
    ) == (
        book.authors,
        article.authors,
        book.title,
        (article.doi, article.volume, article.first_page, article.last_page, article.type),
    )


def test_dblp_venue_short_name_gets_its_full_name() -> None:
    """dblp's "NeurIPS" is "Advances in Neural Information Processing Systems", short name
    kept; a CoRR record gives the arXiv identifier."""
    venue = work_from_dblp({"key": "conf/nips/X20", "venue": "NeurIPS", "year": "2020"})
    corr = work_from_dblp(
        {"key": "journals/corr/abs-1706-03762", "venue": "CoRR", "volume": "abs/1706.03762"}
    )
    assert (
        ("Advances in Neural Information Processing Systems", "NeurIPS"),
        ("1706.03762", None),
    ) == ((venue.container_title, venue.short_container_title), (corr.arxiv_id, corr.volume))


@responses.activate
def test_dblp_search_sends_its_parameters() -> None:
    """A search asks ``/search/publ/api`` with ``format=json``, ``h`` and no completions."""
    responses.get(f"{DBLP}/search/publ/api", json=DBLP_ANSWER)
    with DblpClient(base_url=DBLP, cache=None) as dblp:
        works = dblp.search("Perceptrons Minsky", rows=5)
    query = _query(responses.calls[0])
    assert (2, ["Perceptrons Minsky"], ["json"], ["5"], ["0"]) == (
        len(works),
        query["q"],
        query["format"],
        query["h"],
        query["c"],
    )


def test_dblp_has_no_doi_lookup() -> None:
    """``get_work`` is ``None`` without a request: dblp's search API looks up no DOI."""
    with responses.RequestsMock() as mocked, DblpClient(base_url=DBLP, cache=None) as dblp:
        assert (None, 0) == (dblp.get_work("10.1/x"), len(mocked.calls))


# --- routing and the chain -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "first"),
    [
        (Reference(title="T", arxiv_id="1706.03762"), "arxiv"),
        (Reference(title="T", doi="10.5281/zenodo.1"), "datacite"),
        (Reference(title="T", container_title="arXiv preprint"), "semanticscholar"),
        (
            Reference(
                title="T", container_title="Advances in Neural Information Processing Systems"
            ),
            "dblp",
        ),
        (Reference(title="T", container_title="Proc. ICML"), "dblp"),
        (Reference(title="T", container_title="Lancet Rheumatol", doi="10.1016/x"), "crossref"),
        (Reference(title="T", container_title="Nature"), "crossref"),
    ],
)
def test_route_sends_each_reference_to_its_source_first(reference: Reference, first: str) -> None:
    """arXiv id -> arXiv; DataCite DOI -> DataCite; arXiv without an id -> Semantic Scholar;
    CS venue -> dblp; else Crossref."""
    assert first == route(reference)[0]


def test_auto_sources_are_all_but_pubmed() -> None:
    """``--sources auto`` is every source but PubMed; ``all`` adds it."""
    assert (
        ("crossref", "arxiv", "dblp", "openalex", "semanticscholar", "datacite"),
        7,
    ) == (parse_sources("auto"), len(parse_sources("all")))


class _Crossref:
    """A Crossref that knows no work."""

    name = "crossref"

    def get_work(self, doi: str) -> Work | None:
        return None

    def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
        return ()


ATTENTION = (
    "A. Vaswani, N. Shazeer et al. Attention is all you need. arXiv preprint arXiv:{}, 2017."
)


def _arxiv_entry_of(paper: dict[str, Any]) -> str:
    """An Atom entry in arXiv's format for a paper Semantic Scholar's recorded record knows:
    its arXiv identifier, title, authors and date, nothing else (arXiv's own answer for it was
    not recorded)."""
    authors = "".join(f"<author><name>{a['name']}</name></author>" for a in paper["authors"])
    return (
        '<entry xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'
        f"<id>http://arxiv.org/abs/{paper['externalIds']['ArXiv']}v1</id>"
        f"<title>{paper['title']}</title>"
        f"<published>{paper['publicationDate']}T00:00:00Z</published>{authors}</entry>"
    )


def _recorded_entries() -> list[str]:
    """Every recorded arXiv entry of the fixtures."""
    entries: list[str] = []
    for recording in (HEAT_BATH, PAIR, OLD_STYLE):
        entries += arxiv_entries(recording["body"])
    return entries + arxiv_entries(DEL_MAESTRO)


def test_unknown_arxiv_identifier_is_an_error() -> None:
    """A cited identifier arXiv does not have gives ``arxiv-not-found`` (error), from arXiv."""
    reference = parse_citation(
        "C. Stanley and T. Windisch. Heat-bath random walks with Markov bases. arXiv:1605.99999, 2016."
    )
    with (
        serve_arxiv(_recorded_entries()) as stand_in,
        ArxivClient(base_url=stand_in.base_url, cache=None) as arxiv,
    ):
        match = SourceChain((_Crossref(), arxiv)).resolve(reference)
    [finding] = [f for f in compare(reference, match) if f.code.startswith("arxiv")]
    assert ("arxiv-not-found", "error", "arxiv") == (
        finding.code,
        finding.severity.value,
        finding.source,
    )


def test_arxiv_identifier_of_another_paper_is_an_error() -> None:
    """A cited identifier that is another paper's gives ``arxiv-mismatch``."""
    reference = parse_citation(
        "A. Vaswani et al. Attention is all you need. arXiv preprint arXiv:1605.08386, 2017."
    )
    with (
        serve_arxiv(_recorded_entries()) as stand_in,
        ArxivClient(base_url=stand_in.base_url, cache=None) as arxiv,
    ):
        match = SourceChain((_Crossref(), arxiv)).resolve(reference)
    codes = [f.code for f in compare(reference, match)]
    assert ("other-work", True) == (match.arxiv_status, "arxiv-mismatch" in codes)


def test_another_version_of_the_cited_paper_is_no_error() -> None:
    """The recorded entry is v1; a citation of v3 is matched by arXiv, with no arXiv finding."""
    reference = parse_citation(
        "C. Stanley and T. Windisch. Heat-bath random walks with Markov bases. "
        "arXiv:1605.08386v3, 2016."
    )
    with (
        serve_arxiv(_recorded_entries()) as stand_in,
        ArxivClient(base_url=stand_in.base_url, cache=None) as arxiv,
    ):
        match = SourceChain((_Crossref(), arxiv)).resolve(reference)
    findings = compare(reference, match)
    assert (MatchStatus.MATCHED, "arxiv", "agrees", ("arxiv",), []) == (
        match.status,
        match.source,
        match.arxiv_status,
        match.asked,
        [f.code for f in findings if f.severity.value == "error"],
    )


def test_matched_preprint_with_a_journal_reference_gives_published_version() -> None:
    """An arXiv match whose record names its journal version gives ``published-version``
    (info) with venue and year, from arXiv."""
    from defusedxml import ElementTree

    entries = arxiv_entries(DEL_MAESTRO)
    works = [work_from_arxiv(ElementTree.fromstring(e)) for e in entries]
    work = next(w for w in works if w.published_version is not None and w.authors)
    citation = (
        f"{work.authors[0].given} {work.authors[0].family} et al. {work.title}. "
        f"arXiv:{work.arxiv_id}, {work.year}."
    )
    reference = parse_citation(citation)
    with (
        serve_arxiv(entries) as stand_in,
        ArxivClient(base_url=stand_in.base_url, cache=None) as arxiv,
    ):
        match = SourceChain((_Crossref(), arxiv)).resolve(reference)
    [finding] = [f for f in compare(reference, match) if f.code == "published-version"]
    published = work.published_version
    assert published is not None and published.year is not None
    assert ("info", True, True, "arxiv") == (
        finding.severity.value,
        published.year in finding.message,
        published.doi in finding.message,
        finding.source,
    )


def test_published_version_from_semanticscholar_when_arxiv_names_none() -> None:
    """A matched arXiv preprint whose record names no published version gets it from
    Semantic Scholar (recorded: CACM 2024), and BibTeX can export that version."""
    entry = _arxiv_entry_of(PAPERS[1])
    reference = parse_citation(
        "E. Horvitz, V. Conitzer et al. Now, later, and lasting: ten priorities for AI research, "
        "policy, and practice. arXiv preprint arXiv:2404.04750, 2024."
    )
    with (
        serve_arxiv([entry]) as arxiv_in,
        serve_semanticscholar(PAPERS) as s2_in,
        ArxivClient(base_url=arxiv_in.base_url, cache=None) as arxiv,
        SemanticScholarClient(base_url=s2_in.base_url, cache=None) as s2,
    ):
        match = SourceChain((_Crossref(), arxiv, s2)).resolve(reference)
    assert match.published is not None
    assert ("semanticscholar", "Communications of the ACM", "10.1145/3637866") == (
        match.published_source,
        match.published.container_title,
        match.published.doi,
    )
    from refcheck.model import CheckedReference, Citation

    checked = CheckedReference(Citation(reference.text), reference, match, ())
    exported = to_bibtex([checked], published=True)
    assert ('journal = "Communications of the ACM"' in exported, "10.1145/3637866" in exported) == (
        True,
        True,
    )


def test_cs_venue_reference_is_found_on_dblp_and_says_so() -> None:
    """A book Crossref lacks is matched on dblp (the recorded hits); the match names dblp."""
    reference = Reference(
        text="Minsky M, Papert S. Perceptrons: an introduction to computational geometry. "
        "MIT Press, 1969.",
        authors=[Author("Minsky", "M"), Author("Papert", "S")],
        title="Perceptrons: an introduction to computational geometry",
        year="1969",
        publisher="MIT Press",
    )
    recorded = [h["info"] for h in DBLP_ANSWER["result"]["hits"]["hit"]]
    with (
        serve_dblp(recorded) as stand_in,
        DblpClient(base_url=stand_in.base_url, cache=None) as dblp,
    ):
        match = SourceChain((_Crossref(), dblp)).resolve(reference)
    assert (MatchStatus.MATCHED, "dblp", "books/daglib/0066902") == (
        match.status,
        match.source,
        match.work.key if match.work else None,
    )


def test_doi_missing_from_a_broad_index_is_not_reported_as_wrong() -> None:
    """Only a DOI's registry judges it: Semantic Scholar's 404 for a DOI Crossref has is no
    ``doi-not-found``; the cited DOI that exists agrees."""
    record = {
        "DOI": "10.1093/mind/lix.236.433",
        "title": ["Computing Machinery and Intelligence"],
        "author": [{"family": "Turing", "given": "A. M."}],
        "container-title": ["Mind"],
        "issued": {"date-parts": [[1950]]},
        "volume": "LIX",
        "page": "433-460",
        "type": "journal-article",
    }
    reference = parse_citation(
        "Turing AM. Computing machinery and intelligence. Mind 1950; LIX: 433-460. "
        "doi:10.1093/mind/lix.236.433"
    )
    from refcheck.sources.crossref import CrossrefClient

    with (
        serve_crossref([record]) as crossref_in,
        serve_semanticscholar([]) as s2_in,
        CrossrefClient(base_url=crossref_in.base_url, cache=None) as crossref,
        SemanticScholarClient(base_url=s2_in.base_url, cache=None) as s2,
    ):
        match = SourceChain((crossref, s2)).resolve(reference)
    assert ("crossref", "agrees", [], 0) == (
        match.source,
        match.doi_status,
        [f.code for f in compare(reference, match) if f.code.startswith("doi")],
        len(s2_in.requests),
    )


def test_resolver_without_arxiv_lookup_ignores_the_identifier() -> None:
    """A source with no ``get_arxiv`` (Crossref) is not asked about the arXiv identifier."""
    match = Resolver(_Crossref()).resolve(Reference(title="T", arxiv_id="1706.03762"))
    assert (MatchStatus.UNRESOLVED, None) == (match.status, match.arxiv_status)


def test_unresolved_everywhere_names_every_source_in_the_fabrication_evidence() -> None:
    """``may-be-fabricated`` comes after every applicable source was asked, and names them."""
    match = Match(
        MatchStatus.UNRESOLVED,
        doubts=("volume 15 was never published",),
        asked=("crossref", "openalex", "semanticscholar"),
    )
    [_, fabricated] = compare(Reference(title="x"), match)
    assert fabricated.message.endswith(
        "; no work on Crossref, OpenAlex or Semantic Scholar agrees (every applicable source asked)"
    )


# --- end to end: the command against every stand-in -----------------------------------------

BIB = r"""
@article{vaswani,
  author = {Vaswani, Ashish and Shazeer, Noam},
  title = {Heat-bath random walks with Markov bases},
  journal = {CoRR}, volume = {abs/1605.08386}, year = {2016}
}
@book{minsky,
  author = {Minsky, Marvin and Papert, Seymour},
  title = {Perceptrons: An Introduction to Computational Geometry},
  publisher = {MIT Press}, year = {1969}
}
@article{wrong,
  author = {Stanley, Caprice},
  title = {A paper that is not on arXiv at all},
  journal = {arXiv preprint arXiv:1605.99999}, year = {2016}
}
"""


def test_check_routes_a_bib_to_every_source_and_asks_no_public_service(tmp_path: Path) -> None:
    """``refcheck check --sources auto`` with every source at its stand-in: the arXiv entry is
    verified on arXiv, the book on dblp, the unknown identifier is an error; the requests went
    to the stand-ins only, and the Semantic Scholar key only to Semantic Scholar."""
    manuscript = tmp_path / "refs.bib"
    manuscript.write_text(BIB, encoding="utf-8")
    hits = [h["info"] for h in DBLP_ANSWER["result"]["hits"]["hit"]]
    with (
        serve_crossref([]) as crossref,
        serve_arxiv(_recorded_entries()) as arxiv,
        serve_dblp(hits) as dblp,
        serve_semanticscholar(PAPERS) as s2,
        serve_crossref([]) as openalex_nowhere,
    ):
        result = CliRunner().invoke(
            cli,
            [
                "check",
                str(manuscript),
                "--format",
                "json",
                "--no-cache",
                "--sources",
                "crossref,arxiv,dblp,semanticscholar",
                "--base-url",
                crossref.base_url,
                "--arxiv-base-url",
                arxiv.base_url,
                "--dblp-base-url",
                dblp.base_url,
                "--semanticscholar-base-url",
                s2.base_url,
                "--semanticscholar-api-key",
                "s2-secret",
            ],
        )
        keyed = {
            name: sum(1 for r in stand_in.requests if r.headers.get("x-api-key"))
            for name, stand_in in (("crossref", crossref), ("arxiv", arxiv), ("dblp", dblp))
        }
        assert not openalex_nowhere.requests
    report = json.loads(result.stdout)
    by_label = {r["label"]: r for r in report["references"]}
    codes = {label: [f["code"] for f in r["findings"]] for label, r in by_label.items()}
    assert (
        ("matched", "arxiv"),
        ("matched", "dblp"),
        True,
        {"crossref": 0, "arxiv": 0, "dblp": 0},
    ) == (
        (by_label["vaswani"]["match"], by_label["vaswani"]["source"]),
        (by_label["minsky"]["match"], by_label["minsky"]["source"]),
        "arxiv-not-found" in codes["wrong"],
        keyed,
    )


def test_a_source_the_route_leaves_out_is_not_asked() -> None:
    """arXiv is not asked about a journal article that cites no arXiv identifier; a source
    whose name refcheck does not know is asked after the routed ones."""

    class Unknown(_Crossref):
        name = "mirror"

    class Arxiv(_Crossref):
        name = "arxiv"

    crossref, arxiv, mirror = _Crossref(), Arxiv(), Unknown()
    order = SourceChain((crossref, arxiv, mirror)).order(
        Reference(title="T", container_title="Nature")
    )
    assert [crossref, mirror] == list(order)


# --- what the coverage benchmark showed --------------------------------------------------


def test_a_matched_work_carrying_the_cited_arxiv_id_is_no_arxiv_not_found() -> None:
    """arXiv answers an empty feed for 2404.04750, but Semantic Scholar's record of the cited
    paper has that identifier: the identifier exists, so no ``arxiv-not-found``."""
    reference = parse_citation(
        "E. Horvitz, V. Conitzer et al. Now, later, and lasting: ten priorities for AI research, "
        "policy, and practice. arXiv preprint arXiv:2404.04750, 2024."
    )
    with (
        serve_arxiv(_recorded_entries()) as arxiv_in,
        serve_semanticscholar(PAPERS) as s2_in,
        ArxivClient(base_url=arxiv_in.base_url, cache=None) as arxiv,
        SemanticScholarClient(base_url=s2_in.base_url, cache=None) as s2,
    ):
        match = SourceChain((_Crossref(), arxiv, s2)).resolve(reference)
    codes = [f.code for f in compare(reference, match)]
    assert (MatchStatus.MATCHED, "semanticscholar", "agrees", False) == (
        match.status,
        match.source,
        match.arxiv_status,
        "arxiv-not-found" in codes,
    )


def test_a_matched_work_with_another_arxiv_id_leaves_arxiv_not_found() -> None:
    """The matched work's own identifier (2404.04750) is not the cited one (2404.04759): arXiv's
    "not found" stands."""
    reference = parse_citation(
        "E. Horvitz, V. Conitzer et al. Now, later, and lasting: ten priorities for AI research, "
        "policy, and practice. arXiv preprint arXiv:2404.04759, 2024."
    )
    with (
        serve_arxiv(_recorded_entries()) as arxiv_in,
        serve_semanticscholar(PAPERS) as s2_in,
        ArxivClient(base_url=arxiv_in.base_url, cache=None) as arxiv,
        SemanticScholarClient(base_url=s2_in.base_url, cache=None) as s2,
    ):
        match = SourceChain((_Crossref(), arxiv, s2)).resolve(reference)
    codes = [f.code for f in compare(reference, match)]
    assert (MatchStatus.MATCHED, "not-found", True) == (
        match.status,
        match.arxiv_status,
        "arxiv-not-found" in codes,
    )


# An OpenAlex work as a refchecker run recorded it (markrussinovich/refchecker-iclr2026,
# conferences/iclr/2026/bench_bib_cache/gemini31/api_cache/openalex/9794d74f...json, commit
# 0d097918; OpenAlex's data, CC0), cut to the fields refcheck reads and the first author; see
# tests/fixtures/services/README.md.
GEMMA2 = {
    "id": "https://openalex.org/W4401306979",
    "doi": "https://doi.org/10.48550/arxiv.2408.00118",
    "title": "Gemma 2: Improving Open Language Models at a Practical Size",
    "display_name": "Gemma 2: Improving Open Language Models at a Practical Size",
    "publication_year": 2024,
    "type": "preprint",
    "authorships": [{"author_position": "first", "author": {"display_name": "Gemma Team"}}],
    "primary_location": {"source": {"display_name": "arXiv (Cornell University)"}},
}


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (GEMMA2, "2408.00118"),
        (
            {
                **GEMMA2,
                "doi": "https://doi.org/10.1000/x",
                "locations": [{"landing_page_url": "https://arxiv.org/abs/2408.00118v3"}],
            },
            "2408.00118",
        ),
        ({**GEMMA2, "doi": "https://doi.org/10.1000/x"}, None),
    ],
)
def test_openalex_work_gives_its_arxiv_identifier(
    record: dict[str, Any], expected: str | None
) -> None:
    """An OpenAlex work's arXiv identifier comes from arXiv's DOI or an arXiv landing page."""
    from refcheck.sources.openalex import work_from_openalex

    assert expected == work_from_openalex(record).arxiv_id


def test_crossref_record_without_issued_takes_its_published_year() -> None:
    """A Crossref record recorded with a select list that left out ``issued`` (refchecker's
    cache of Shannon 1948) still has its year, from ``published``."""
    from refcheck.sources.crossref import work_from_crossref

    record = {
        "DOI": "10.1002/j.1538-7305.1948.tb01338.x",
        "type": "journal-article",
        "title": ["A Mathematical Theory of Communication"],
        "author": [{"given": "C. E.", "family": "Shannon", "sequence": "first"}],
        "container-title": ["Bell System Technical Journal"],
        "published": {"date-parts": [[1948, 7]]},
    }
    assert "1948-07" == work_from_crossref(record).issued


def test_openalex_stand_in_serves_a_work_by_doi_and_by_title() -> None:
    """The OpenAlex stand-in answers OpenAlex's two requests refcheck makes, from the record."""
    from refcheck.sources.openalex import OpenAlexClient

    reference = parse_citation(
        "Gemma Team. Gemma 2: Improving open language models at a practical size. 2024."
    )
    with (
        serve_openalex([GEMMA2]) as stand_in,
        OpenAlexClient(base_url=stand_in.base_url, cache=None) as openalex,
    ):
        by_doi = openalex.get_work("10.48550/ARXIV.2408.00118")
        missing = openalex.get_work("10.48550/arxiv.9999.99999")
        by_title = openalex.search_reference(reference)
    assert by_doi is not None
    assert ("Gemma 2: Improving Open Language Models at a Practical Size", None) == (
        by_doi.title,
        missing,
    )
    assert ["10.48550/arxiv.2408.00118"] == [w.doi for w in by_title]


def test_dblp_stand_in_matches_word_prefixes_in_a_large_store() -> None:
    """dblp ANDs the query's words as prefixes of the record's words; the stand-in's index
    does the same among thousands of records (the recorded hits, and copies of them with
    other keys and titles)."""
    hits = [h["info"] for h in DBLP_ANSWER["result"]["hits"]["hit"]]
    others = [
        {**hits[0], "key": f"x/{n}", "title": f"Another Paper Number {n}."} for n in range(5000)
    ]
    with (
        serve_dblp([*others, *hits]) as stand_in,
        DblpClient(base_url=stand_in.base_url, cache=None) as dblp,
    ):
        found = dblp.search("Perceptr Minsk")
        none = dblp.search("Perceptrons Nobody")
    assert ([h.get("key") for h in hits], []) == ([w.key for w in found], list(none))


@pytest.mark.parametrize(
    ("doi", "expected"),
    [
        ("10.48550/arXiv.1707.06347", []),
        ("10.5281/zenodo.3509134", []),
        ("10.1287/opre.1090.0780", ["doi-not-found"]),
    ],
)
def test_crossref_lacking_a_datacite_doi_is_no_doi_not_found(doi: str, expected: list[str]) -> None:
    """Crossref does not register DataCite's DOIs (arXiv's 10.48550, Zenodo's 10.5281): its
    "not found" for one is no evidence, so Crossref alone reports no ``doi-not-found``; for a
    DOI of a Crossref prefix it still does."""
    reference = parse_citation(
        f"J. Schulman, F. Wolski. Proximal policy optimization algorithms. 2017. doi:{doi}"
    )
    match = SourceChain((_Crossref(),)).resolve(reference)
    assert (doi, expected) == (
        reference.doi,
        [f.code for f in compare(reference, match) if f.code.startswith("doi-")],
    )


def test_dblp_query_leaves_out_diacritics() -> None:
    """dblp keeps names in Latin-1 ("Dragojevic") and matches a query with a diacritic
    exactly: the client asks for "Dragojevic", and finds the record of a citation that spells
    the name "Dragojević"."""
    hit = {
        "authors": {"author": [{"@pid": "94/7061", "text": "Aleksandar Dragojevic"}]},
        "title": "FaRM - Fast Remote Memory.",
        "venue": "NSDI",
        "pages": "401-414",
        "year": "2014",
        "type": "Conference and Workshop Papers",
        "key": "conf/nsdi/DragojevicNCH14",
    }
    reference = Reference(
        title="FaRM: Fast Remote Memory",
        authors=(Author(family="Dragojević", given="Aleksandar"),),
        year="2014",
    )
    with (
        serve_dblp([hit]) as stand_in,
        DblpClient(base_url=stand_in.base_url, cache=None) as dblp,
    ):
        found = dblp.search_reference(reference)
    asked = stand_in.requests[0].params["q"][0]
    assert ("FaRM Fast Remote Memory Dragojevic", ["conf/nsdi/DragojevicNCH14"]) == (
        asked,
        [w.key for w in found],
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Rene Descartes", ["a", "b"]),  # ASCII: without regard to diacritics
        ("René Descartes", ["b"]),  # a diacritic: exactly
    ],
)
def test_dblp_stand_in_matches_diacritics_as_dblp_does(query: str, expected: list[str]) -> None:
    """dblp's documented rule: an ASCII query matches "diacritic insensitive", a query with
    a diacritic matches exactly."""
    base = DBLP_ANSWER["result"]["hits"]["hit"][0]["info"]
    infos = [
        {**base, "key": "a", "title": "Rene Descartes and the machine."},
        {**base, "key": "b", "title": "René Descartes and the machine."},
    ]
    with serve_dblp(infos) as stand_in:
        answer = requests.get(
            f"{stand_in.base_url}/search/publ/api",
            params={"q": query, "format": "json", "h": "10"},
            timeout=10,
        ).json()
    assert expected == [h["info"]["key"] for h in answer["result"]["hits"].get("hit", [])]
