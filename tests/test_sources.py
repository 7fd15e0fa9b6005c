"""Second sources (PubMed, OpenAlex, DataCite) and the chain that asks them after Crossref.

Every answer here is written by hand in the service's documented format (E-utilities'
ECitMatch text lines and esummary JSON, OpenAlex work objects, DataCite JSON:API ``data``);
PMIDs and OpenAlex ids are illustrative. HTTP is mocked with ``responses``; nothing sleeps.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from seed import MANUSCRIPT, seed_records

from refcheck.cli import cli
from refcheck.errors import ConfigError, ServiceResponseError
from refcheck.findings import compare
from refcheck.findings.integrity import integrity_findings
from refcheck.model import Author, MatchStatus, Reference, Work
from refcheck.parsing import parse_citation
from refcheck.sources.chain import SourceChain, base_urls_from_env, open_fallbacks, parse_sources
from refcheck.sources.crossref import CrossrefSettings
from refcheck.sources.datacite import DataCiteClient, work_from_datacite
from refcheck.sources.http.retry import RetryPolicy
from refcheck.sources.openalex import DEFAULT_BASE_URL as OPENALEX_DEFAULT
from refcheck.sources.openalex import OpenAlexClient, work_from_openalex
from refcheck.sources.pubmed import DEFAULT_BASE_URL, PubMedClient, work_from_pubmed
from refcheck.testing import serve_crossref

pytestmark = pytest.mark.usefixtures("no_retry_wait")

EUTILS = "https://eutils.example.org/entrez/eutils"
OPENALEX = "https://openalex.example.org"
DATACITE = "https://datacite.example.org"

# The seed's 2007 letter, which has no DOI: Crossref leaves it unresolved.
LETTER = (
    "Koné-Paut I, Retornaz K, Garnier JM, Bader-Meunier B. Visceral leishmaniasis in a patient "
    "with systemic juvenile arthritis treated by IL-1RA agonist (anakinra). "
    "Clin Exp Rheumatol 2007; 25: 119."
)
PMID = "17000001"
ESUMMARY: dict[str, Any] = {
    "header": {"type": "esummary", "version": "0.3"},
    "result": {
        "uids": [PMID],
        PMID: {
            "uid": PMID,
            "pubdate": "2007 Jan-Feb",
            "epubdate": "",
            "source": "Clin Exp Rheumatol",
            "authors": [
                {"name": "Koné-Paut I", "authtype": "Author", "clusterid": ""},
                {"name": "Retornaz K", "authtype": "Author", "clusterid": ""},
                {"name": "Garnier JM", "authtype": "Author", "clusterid": ""},
                {"name": "Bader-Meunier B", "authtype": "Author", "clusterid": ""},
            ],
            "title": "Visceral leishmaniasis in a patient with systemic juvenile arthritis "
            "treated by IL-1RA agonist (anakinra).",
            "volume": "25",
            "issue": "1",
            "pages": "119",
            "issn": "0392-856X",
            "essn": "1593-098X",
            "pubtype": ["Letter"],
            "articleids": [{"idtype": "pubmed", "idtypen": 1, "value": PMID}],
            "fulljournalname": "Clinical and experimental rheumatology",
        },
    },
}
ECITMATCH = f"Clin Exp Rheumatol|2007|25|119|Koné-Paut I|ref1|{PMID}\n"

OPENALEX_WORK: dict[str, Any] = {
    "id": "https://openalex.org/W2741809807",
    "doi": "https://doi.org/10.7717/peerj.4375",
    "title": "The state of OA: a large-scale analysis of the prevalence and impact of Open "
    "Access articles",
    "display_name": "The state of OA",
    "publication_year": 2018,
    "publication_date": "2018-02-13",
    "type": "article",
    "ids": {
        "openalex": "https://openalex.org/W2741809807",
        "doi": "https://doi.org/10.7717/peerj.4375",
        "pmid": "https://pubmed.ncbi.nlm.nih.gov/29456894",
    },
    "primary_location": {
        "source": {
            "display_name": "PeerJ",
            "issn_l": "2167-8359",
            "issn": ["2167-8359"],
            "host_organization_name": "PeerJ, Inc.",
        }
    },
    "authorships": [
        {"author_position": "first", "author": {"display_name": "Heather Piwowar"}},
        {"author_position": "middle", "author": {"display_name": "Jason Priem"}},
    ],
    "biblio": {"volume": "6", "issue": None, "first_page": "e4375", "last_page": "e4375"},
}

DATACITE_DATA: dict[str, Any] = {
    "id": "10.5281/zenodo.3509134",
    "type": "dois",
    "attributes": {
        "doi": "10.5281/zenodo.3509134",
        "titles": [{"title": "refcheck test dataset"}],
        "creators": [
            {
                "name": "Smith, Jane",
                "nameType": "Personal",
                "givenName": "Jane",
                "familyName": "Smith",
            },
            {"name": "Example Consortium", "nameType": "Organizational"},
        ],
        "publisher": "Zenodo",
        "publicationYear": 2019,
        "dates": [{"date": "2019-10-21", "dateType": "Issued"}],
        "types": {"resourceTypeGeneral": "Dataset"},
        "container": {},
    },
}


class _Nothing:
    """A Crossref stand-in that knows no work at all."""

    name = "crossref"

    def get_work(self, doi: str) -> Work | None:
        return None

    def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
        return ()


def _query(call: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


# --- converters ------------------------------------------------------------------------------


def test_pubmed_record_converts_to_a_work_without_doi() -> None:
    """An esummary record gives names, journal, date and pages; no DOI means an empty one."""
    work = work_from_pubmed(ESUMMARY["result"][PMID])
    assert (
        "",
        PMID,
        Author("Koné-Paut", "I"),
        "Clinical and experimental rheumatology",
        "Clin Exp Rheumatol",
        "2007-01",
        ("25", "1", "119", None),
        "Visceral leishmaniasis in a patient with systemic juvenile arthritis treated by "
        "IL-1RA agonist (anakinra)",
    ) == (
        work.doi,
        work.pmid,
        work.authors[0],
        work.container_title,
        work.short_container_title,
        work.issued,
        (work.volume, work.issue, work.first_page, work.last_page),
        work.title,
    )


def test_pubmed_abbreviated_page_range_is_expanded() -> None:
    """PubMed prints "345-6"; the work's last page is 346."""
    work = work_from_pubmed({"uid": "1", "pages": "345-6"})
    assert ("345", "346") == (work.first_page, work.last_page)


def test_openalex_work_converts() -> None:
    """An OpenAlex work gives a bare DOI, split names, the source's title and the PMID."""
    work = work_from_openalex(OPENALEX_WORK)
    assert (
        "10.7717/peerj.4375",
        "29456894",
        Author("Piwowar", "Heather"),
        "PeerJ",
        "2018-02-13",
        ("6", "e4375", None),
    ) == (
        work.doi,
        work.pmid,
        work.authors[0],
        work.container_title,
        work.issued,
        (work.volume, work.first_page, work.last_page),
    )


def test_datacite_record_converts() -> None:
    """A DataCite record gives its DOI, type, creators (people and organisations) and date."""
    work = work_from_datacite(DATACITE_DATA)
    assert (
        "10.5281/zenodo.3509134",
        "dataset",
        (Author("Smith", "Jane"), Author("Example Consortium", organisation=True)),
        "2019-10-21",
        "Zenodo",
    ) == (work.doi, work.type, work.authors, work.issued, work.publisher)


# --- clients ---------------------------------------------------------------------------------


@responses.activate
def test_pubmed_search_reference_uses_ecitmatch_then_esummary() -> None:
    """A reference with journal, year, volume and page is matched by ECitMatch, then fetched."""
    responses.get(f"{EUTILS}/ecitmatch.cgi", body=ECITMATCH, content_type="text/plain")
    responses.get(f"{EUTILS}/esummary.fcgi", json=ESUMMARY)
    with PubMedClient(base_url=EUTILS, cache=None, min_interval=0.0) as pubmed:
        works = pubmed.search_reference(parse_citation(LETTER))
    assert (
        ["Clin Exp Rheumatol|2007|25|119|Koné-Paut I|ref1|"],
        [PMID],
        (PMID,),
    ) == (
        _query(responses.calls[0])["bdata"],
        _query(responses.calls[1])["id"],
        tuple(w.pmid for w in works),
    )


@responses.activate
def test_pubmed_sends_tool_email_and_api_key() -> None:
    """Every E-utilities request carries tool, email and the NCBI api_key."""
    responses.get(f"{EUTILS}/esearch.fcgi", json={"esearchresult": {"idlist": []}})
    with PubMedClient(
        base_url=EUTILS, cache=None, mailto="me@example.org", api_key="k123", min_interval=0.0
    ) as pubmed:
        pubmed.get_work("10.1000/none")
    query = _query(responses.calls[0])
    assert (["refcheck"], ["me@example.org"], ["k123"], ['"10.1000/none"[doi]']) == (
        query["tool"],
        query["email"],
        query["api_key"],
        query["term"],
    )


@responses.activate
def test_pubmed_retries_a_429() -> None:
    """A 429 from NCBI is retried under the RetryPolicy, and the next answer is used."""
    responses.get(f"{EUTILS}/esearch.fcgi", status=429)
    responses.get(f"{EUTILS}/esearch.fcgi", json={"esearchresult": {"idlist": [PMID]}})
    responses.get(f"{EUTILS}/esummary.fcgi", json=ESUMMARY)
    with PubMedClient(
        base_url=EUTILS, cache=None, min_interval=0.0, retry=RetryPolicy(max_attempts=3)
    ) as pubmed:
        works = pubmed.search("Kone-Paut leishmaniasis anakinra")
    assert ((PMID,), 3) == (tuple(w.pmid for w in works), len(responses.calls))


@responses.activate
def test_pubmed_answers_are_cached(tmp_path: Path) -> None:
    """The same esearch twice reaches NCBI once: the second answer comes from the cache."""
    responses.get(f"{EUTILS}/esearch.fcgi", json={"esearchresult": {"idlist": []}})
    with PubMedClient(base_url=EUTILS, cache=tmp_path, min_interval=0.0) as pubmed:
        pubmed.search("nothing at all")
        pubmed.search("nothing at all")
    assert (1, True) == (len(responses.calls), (tmp_path / "pubmed.sqlite").exists())


@responses.activate
def test_openalex_unknown_doi_is_none() -> None:
    """OpenAlex's 404 for a DOI means it has no such work: ``None``."""
    responses.get(f"{OPENALEX}/works/https://doi.org/10.1000/none", status=404)
    with OpenAlexClient(base_url=OPENALEX, cache=None, min_interval=0.0) as openalex:
        assert openalex.get_work("10.1000/none") is None


@responses.activate
def test_openalex_title_search_filters_by_title_and_years() -> None:
    """A reference with a title is searched by title words and the cited year +/- 1."""
    responses.get(f"{OPENALEX}/works", json={"meta": {"count": 1}, "results": [OPENALEX_WORK]})
    with OpenAlexClient(
        base_url=OPENALEX, cache=None, mailto="me@example.org", min_interval=0.0
    ) as openalex:
        openalex.search_reference(Reference(title="The state of OA", year="2018"), rows=3)
    query = _query(responses.calls[0])
    assert (
        ["title.search:The state of OA,publication_year:2017|2018|2019"],
        ["3"],
        ["me@example.org"],
    ) == (
        query["filter"],
        query["per-page"],
        query["mailto"],
    )


@responses.activate
def test_datacite_get_work() -> None:
    """DataCite's ``/dois/<doi>`` answer becomes the work."""
    responses.get(f"{DATACITE}/dois/10.5281/zenodo.3509134", json={"data": DATACITE_DATA})
    with DataCiteClient(base_url=DATACITE, cache=None, min_interval=0.0) as datacite:
        work = datacite.get_work("10.5281/zenodo.3509134")
    assert work is not None and "refcheck test dataset" == work.title


# --- the chain -------------------------------------------------------------------------------


@responses.activate
def test_chain_finds_the_letter_on_pubmed_after_crossref() -> None:
    """Crossref leaves the 2007 letter unresolved; PubMed matches it, and the match says so."""
    responses.get(f"{EUTILS}/ecitmatch.cgi", body=ECITMATCH, content_type="text/plain")
    responses.get(f"{EUTILS}/esummary.fcgi", json=ESUMMARY)
    with PubMedClient(base_url=EUTILS, cache=None, min_interval=0.0) as pubmed:
        match = SourceChain((_Nothing(), pubmed)).resolve(parse_citation(LETTER))
    assert (MatchStatus.MATCHED, "pubmed", ("crossref", "pubmed"), PMID) == (
        match.status,
        match.source,
        match.asked,
        match.work.pmid if match.work else None,
    )


@responses.activate
def test_chain_finds_a_datacite_doi_crossref_lacks() -> None:
    """A DataCite DOI (404 on Crossref) is matched by DOI on DataCite: it does exist."""
    responses.get(f"{DATACITE}/dois/10.5281/zenodo.3509134", json={"data": DATACITE_DATA})
    reference = Reference(
        authors=[Author("Smith", "J")],
        title="refcheck test dataset",
        year="2019",
        doi="10.5281/zenodo.3509134",
    )
    with DataCiteClient(base_url=DATACITE, cache=None, min_interval=0.0) as datacite:
        match = SourceChain((_Nothing(), datacite)).resolve(reference)
    assert (MatchStatus.MATCHED, "datacite", "agrees") == (
        match.status,
        match.source,
        match.doi_status,
    )


def test_chain_does_not_pass_on_an_ambiguous_reference() -> None:
    """Only an unresolved reference goes to the next source; an ambiguous one stops there."""

    class Ambiguous(_Nothing):
        def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
            same = {"title": "Same title here", "authors": [Author("Doe", "J")], "issued": "2020"}
            return (Work(doi="10.1/a", **same), Work(doi="10.1/b", **same))  # type: ignore[arg-type]

    class Asked(_Nothing):
        name = "openalex"
        calls = 0

        def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
            Asked.calls += 1
            return ()

    reference = Reference(title="Same title here", authors=[Author("Doe", "J")], year="2020")
    match = SourceChain((Ambiguous(), Asked())).resolve(reference)
    assert (MatchStatus.AMBIGUOUS, 0) == (match.status, Asked.calls)


def test_unresolved_everywhere_names_every_source_asked() -> None:
    """The ``unresolved`` finding names the sources asked."""

    class Other(_Nothing):
        name = "openalex"

    reference = Reference(title="A title no one has")
    match = SourceChain((_Nothing(), Other())).resolve(reference)
    [finding] = compare(reference, match)
    assert "no work on Crossref or OpenAlex agrees with this reference" == finding.message


def test_sources_are_put_in_the_fixed_order() -> None:
    """``--sources`` may be given in any order; the chain's order is fixed."""
    assert ("crossref", "pubmed", "datacite") == parse_sources("datacite, crossref,pubmed")


def test_unknown_source_is_a_config_error() -> None:
    """An unknown source name is a ConfigError naming it."""
    with pytest.raises(ConfigError, match="'scholar'"):
        parse_sources("crossref,scholar")


def test_cli_unknown_source_is_a_usage_error() -> None:
    """``--sources crossref,scholar`` exits 2 with a one-line error."""
    result = CliRunner().invoke(
        cli, ["resolve", "--no-cache", "--sources", "crossref,scholar", "Doe J. T. 2020."]
    )
    assert (2, True) == (result.exit_code, result.stderr.startswith("Error: --sources:"))


@responses.activate
def test_cli_check_with_pubmed_resolves_the_seed_letter() -> None:
    """``refcheck check --sources crossref,pubmed`` on the seed: the 2007 letter that Crossref
    lacks is matched on PubMed (mocked at NCBI's URL), and the JSON report says so."""
    responses.get(f"{DEFAULT_BASE_URL}/ecitmatch.cgi", body=ECITMATCH, content_type="text/plain")
    responses.get(f"{DEFAULT_BASE_URL}/esummary.fcgi", json=ESUMMARY)
    responses.get(f"{DEFAULT_BASE_URL}/esearch.fcgi", json={"esearchresult": {"idlist": []}})
    with serve_crossref(seed_records()) as crossref:
        stand_in = crossref.base_url
        responses.add_passthru(stand_in)
        result = CliRunner().invoke(
            cli,
            [
                "check",
                str(MANUSCRIPT),
                "--base-url",
                crossref.base_url,
                "--no-cache",
                "--sources",
                "crossref,pubmed",
                "--format",
                "json",
                "--fail-on",
                "never",
            ],
        )
    letter = next(r for r in json.loads(result.stdout)["references"] if r["label"] == "B5")
    assert ("matched", "pubmed", None) == (letter["match"], letter["source"], letter["doi"])


# --- base URLs of the sources after Crossref ----------------------------------------------------


def test_open_fallbacks_put_each_source_at_its_base_url() -> None:
    """``base_urls`` moves the sources it names (a trailing slash dropped); the others keep
    their public API."""
    clients = open_fallbacks(
        ("crossref", "pubmed", "openalex", "datacite"),
        CrossrefSettings(cache=None),
        base_urls={"pubmed": EUTILS + "/", "datacite": DATACITE},
    )
    try:
        assert [EUTILS, OPENALEX_DEFAULT, DATACITE] == [c.base_url for c in clients]
    finally:
        for client in clients:
            client.close()


def test_base_url_given_beats_the_variable() -> None:
    """An override wins over REFCHECK_PUBMED_BASE_URL; a variable alone is used; ``None`` sets
    nothing."""
    env = {
        "REFCHECK_PUBMED_BASE_URL": "https://env.example.org",
        "REFCHECK_OPENALEX_BASE_URL": OPENALEX,
    }
    urls = base_urls_from_env(env, pubmed=EUTILS, datacite=None)
    assert {"pubmed": EUTILS, "openalex": OPENALEX} == urls


@pytest.mark.parametrize(
    ("env", "overrides", "message"),
    [
        (
            {"REFCHECK_DATACITE_BASE_URL": "datacite.example.org"},
            {},
            "REFCHECK_DATACITE_BASE_URL: expected an http(s) URL, found 'datacite.example.org'",
        ),
        (
            {},
            {"openalex": "ftp://x"},
            "openalex_base_url: expected an http(s) URL, found 'ftp://x'",
        ),
        (
            {},
            {"scholar": OPENALEX},
            "base URLs: expected names among pubmed, openalex, datacite, arxiv, dblp, semanticscholar, "
            "found 'scholar'",
        ),
    ],
    ids=["variable", "override", "unknown-source"],
)
def test_unusable_base_url_is_a_config_error_naming_where_it_came_from(
    env: dict[str, str], overrides: dict[str, str], message: str
) -> None:
    """A URL that is not http(s) is refused, as Crossref's is, naming the variable or setting."""
    with pytest.raises(ConfigError) as info:
        base_urls_from_env(env, **overrides)
    assert message == str(info.value)


def _resolve_letter(*args: str, env: dict[str, str] | None = None) -> tuple[Any, list[str]]:
    """`refcheck resolve --format json` of the seed's letter (which Crossref lacks) against the
    stand-in: the result, and the URLs of the requests that did not go to the stand-in."""
    with serve_crossref(seed_records()) as crossref:
        stand_in = crossref.base_url
        responses.add_passthru(stand_in)
        result = CliRunner().invoke(
            cli,
            [
                "resolve",
                LETTER,
                "--format",
                "json",
                "--base-url",
                crossref.base_url,
                "--no-cache",
                *args,
            ],
            env=env,
        )
    others = [
        str(call.request.url)
        for call in responses.calls
        if not str(call.request.url).startswith(stand_in)
    ]
    return result, others


@responses.activate
@pytest.mark.parametrize(
    ("name", "base_url", "path", "body"),
    [
        ("openalex", OPENALEX, "/works", {"meta": {"count": 0}, "results": []}),
        ("datacite", DATACITE, "/dois", {"data": []}),
    ],
)
def test_cli_base_url_option_sends_the_source_requests_there(
    name: str, base_url: str, path: str, body: dict[str, Any]
) -> None:
    """``--openalex-base-url``/``--datacite-base-url``: the source is asked at that URL (and
    nowhere else), and the reference is reported as asked there."""
    responses.get(base_url + path, json=body)
    result, others = _resolve_letter(
        "--sources", f"crossref,{name}", f"--{name}-base-url", base_url
    )
    assert (1, f"(asked crossref, {name})") == (
        result.exit_code,
        json.loads(result.stdout)["reason"][-len(f"(asked crossref, {name})") :],
    )
    assert others and all(url.startswith(base_url + path) for url in others), others


FILE_EUTILS = "https://file.example.org/eutils"
ENV_EUTILS = "https://env.example.org/eutils"


@responses.activate
@pytest.mark.parametrize(
    ("env", "option", "expected"),
    [
        ({}, (), FILE_EUTILS),
        ({"REFCHECK_PUBMED_BASE_URL": ENV_EUTILS}, (), ENV_EUTILS),
        ({"REFCHECK_PUBMED_BASE_URL": ENV_EUTILS}, ("--pubmed-base-url", EUTILS), EUTILS),
    ],
    ids=["file", "variable-beats-file", "option-beats-both"],
)
def test_cli_pubmed_base_url_from_the_file_the_variable_or_the_option(
    tmp_path: Path, env: dict[str, str], option: tuple[str, ...], expected: str
) -> None:
    """``pubmed-base-url`` in the configuration file is used unless REFCHECK_PUBMED_BASE_URL
    is set, and ``--pubmed-base-url`` beats both: PubMed is asked there only, and matches."""
    for base in (FILE_EUTILS, ENV_EUTILS, EUTILS):
        responses.get(f"{base}/ecitmatch.cgi", body=ECITMATCH, content_type="text/plain")
        responses.get(f"{base}/esummary.fcgi", json=ESUMMARY)
    config = tmp_path / "refcheck.toml"
    config.write_text(f'pubmed-base-url = "{FILE_EUTILS}/"\n', encoding="utf-8")
    result, others = _resolve_letter(
        "--config", str(config), "--sources", "crossref,pubmed", *option, env=env
    )
    assert (0, "pubmed") == (result.exit_code, json.loads(result.stdout)["source"])
    assert others and all(url.startswith(expected + "/") for url in others), others


@pytest.mark.parametrize(
    ("args", "env", "config", "message"),
    [
        (
            ("--openalex-base-url", "ftp://x"),
            {},
            "",
            "--openalex-base-url: expected an http(s) URL, found 'ftp://x'",
        ),
        (
            (),
            {"REFCHECK_DATACITE_BASE_URL": "nope"},
            "",
            "REFCHECK_DATACITE_BASE_URL: expected an http(s) URL, found 'nope'",
        ),
        (
            (),
            {},
            'pubmed-base-url = "ftp://x"\n',
            "{config}: pubmed-base-url: expected an http(s) URL, found 'ftp://x'",
        ),
    ],
    ids=["option", "variable", "file"],
)
def test_cli_unusable_source_base_url_is_a_usage_error(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str], config: str, message: str
) -> None:
    """A second source's base URL that is not http(s), from an option, a variable or the file,
    is exit 2 with one line naming where it came from, even when that source is not asked."""
    file = tmp_path / "refcheck.toml"
    file.write_text(config, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "resolve",
            LETTER,
            "--config",
            str(file),
            "--base-url",
            "http://127.0.0.1:9",
            "--no-cache",
            *args,
        ],
        env=env,
    )
    assert (2, f"Error: {message.format(config=file)}\n") == (result.exit_code, result.stderr)


def test_two_pubmed_works_without_doi_can_be_rivals() -> None:
    """Two different PMIDs without DOIs that agree equally well make the reference ambiguous."""

    class TwoLetters(_Nothing):
        name = "pubmed"

        def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
            same = {"title": "Same title here", "authors": [Author("Doe", "J")], "issued": "2020"}
            return (Work(doi="", pmid="1", **same), Work(doi="", pmid="2", **same))  # type: ignore[arg-type]

    reference = Reference(title="Same title here", authors=[Author("Doe", "J")], year="2020")
    assert MatchStatus.AMBIGUOUS == SourceChain((TwoLetters(),)).resolve(reference).status


def test_openalex_retracted_work_is_reported_retracted() -> None:
    """OpenAlex's ``is_retracted: true`` gives a ``retracted`` error naming OpenAlex."""
    work = work_from_openalex(OPENALEX_WORK | {"is_retracted": True})
    assert ["the cited work was retracted (source: openalex)"] == [
        f.message for f in integrity_findings(Reference(), work)
    ]


def test_pubmed_retracted_publication_is_a_retraction() -> None:
    """PubMed's publication type "Retracted Publication" becomes a retraction update."""
    record = ESUMMARY["result"][PMID] | {"pubtype": ["Journal Article", "Retracted Publication"]}
    assert [("retraction", "pubmed")] == [
        (u.type, u.source) for u in work_from_pubmed(record).updates
    ]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)
_PUBMED_KEYS = (
    "uid", "pubdate", "epubdate", "source", "authors", "title", "volume", "issue", "pages",
    "issn", "essn", "pubtype", "articleids", "fulljournalname", "name", "authtype", "idtype",
    "value",
)  # fmt: skip
_OPENALEX_KEYS = (
    "id", "doi", "title", "display_name", "publication_year", "publication_date", "type", "ids",
    "pmid", "primary_location", "source", "issn", "host_organization_name", "authorships",
    "author", "raw_author_name", "biblio", "volume", "issue", "first_page", "last_page",
    "is_retracted",
)  # fmt: skip
_DATACITE_KEYS = (
    "id", "attributes", "doi", "titles", "title", "titleType", "creators", "name", "nameType",
    "givenName", "familyName", "publisher", "publicationYear", "dates", "date", "dateType",
    "types", "resourceTypeGeneral", "container", "volume", "issue", "firstPage", "lastPage",
)  # fmt: skip


def _shapes(keys: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    nested = st.recursive(
        _JSON,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(keys), inner),
        max_leaves=8,
    )
    return st.dictionaries(st.sampled_from(keys), nested)


@pytest.mark.parametrize(
    ("convert", "keys"),
    [
        (work_from_pubmed, _PUBMED_KEYS),
        (work_from_openalex, _OPENALEX_KEYS),
        (work_from_datacite, _DATACITE_KEYS),
    ],
    ids=["pubmed", "openalex", "datacite"],
)
def test_converters_never_crash_on_odd_shapes(
    convert: Callable[[dict[str, Any]], Work], keys: tuple[str, ...]
) -> None:
    """Whatever shape the fields have, each converter gives a Work or a ServiceResponseError."""

    @settings(max_examples=60)
    @given(_shapes(keys))
    def check(record: dict[str, Any]) -> None:
        try:
            work = convert(record)
        except ServiceResponseError:
            return
        assert isinstance(work, Work)

    check()


@responses.activate
def test_a_request_error_retrying_cannot_help_is_a_service_error() -> None:
    """Too many redirects from NCBI is a ServiceResponseError naming the URL (so the chain
    reports that reference as not checked), not requests' own exception ending the check."""
    import requests

    responses.get(f"{EUTILS}/esearch.fcgi", body=requests.exceptions.TooManyRedirects("loop"))
    with (
        PubMedClient(base_url=EUTILS, cache=None, min_interval=0.0) as pubmed,
        pytest.raises(ServiceResponseError, match=r"esearch\.fcgi: TooManyRedirects: loop"),
    ):
        pubmed.get_work("10.1000/none")
