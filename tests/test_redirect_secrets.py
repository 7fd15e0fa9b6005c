"""Identity and secrets go only to each service's own origin, whatever a redirect says.

Issue 15's defect 10. Every client (Crossref, PubMed, OpenAlex, DataCite, arXiv, dblp,
Semantic Scholar) is pointed at a
server on 127.0.0.1 that redirects every request to a second server, another origin (another
port), which records everything it receives. The user's e-mail address (in the query and in
the User-Agent), the NCBI or OpenAlex key and the Crossref Plus token must reach the first
server and never the second: not in a header, not in the request target. A redirect whose
``Location`` echoes the query (with the key) is not followed at all. The last test runs the
real command with all four sources.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote_plus, urlsplit

import pytest
from click.testing import CliRunner
from seed import seed_citation

from refcheck.cli import cli
from refcheck.errors import ServiceError, ServiceResponseError
from refcheck.sources.arxiv import ArxivClient
from refcheck.sources.crossref import CrossrefClient, CrossrefSettings
from refcheck.sources.datacite import DataCiteClient
from refcheck.sources.dblp import DblpClient
from refcheck.sources.http.service import ServiceClient, SourceSettings
from refcheck.sources.openalex import OpenAlexClient
from refcheck.sources.pubmed import PubMedClient
from refcheck.sources.semanticscholar import SemanticScholarClient

pytestmark = pytest.mark.usefixtures("no_retry_wait")

MAILTO = "private.person@example.org"
KEY = "k3y-0f-the-user-0123456789"
TOKEN = "plus-t0ken-0123456789abcdef"
PRIVATE = (MAILTO, KEY, TOKEN, "private.person")
#: Two references of the seed: PubMed is asked at most three times a second without a key.
SMALL = "References\n\n" + "\n".join(
    f"{n}. {seed_citation(label)}" for n, label in enumerate(("A1", "C2"), 1)
)

#: An answer every client can read as "nothing found": Crossref's empty work list, PubMed's
#: empty idlist, OpenAlex's empty results, DataCite's empty data.
NOTHING = json.dumps(
    {
        "status": "ok",
        "message-type": "work-list",
        "message": {"items": [], "total-results": 0},
        "esearchresult": {"idlist": []},
        "result": {},
        "results": [],
        "data": [],
    }
).encode()


class Server:
    """An HTTP server on 127.0.0.1 that logs every request (target and headers) and answers
    with ``respond(target) -> (status, headers, body)``."""

    def __init__(self, respond: Callable[[str], tuple[int, dict[str, str], bytes]]) -> None:
        self.log: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.log.append((self.path, dict(self.headers.items())))
                status, headers, body = respond(self.path)
                self.send_response(status)
                for name, value in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def leaked(self) -> list[str]:
        """Every private value found in a request target or a header value received here."""
        seen = [unquote_plus(target) for target, _ in self.log]
        seen += [value for _, headers in self.log for value in headers.values()]
        return sorted({p for p in PRIVATE for text in seen if p.lower() in text.lower()})


def elsewhere_answer(target: str) -> tuple[int, dict[str, str], bytes]:
    """The other origin: 404 for a lookup by DOI, "nothing found" for anything else."""
    path = urlsplit(target).path
    if path.startswith(("/works/", "/dois/")):
        return 404, {"Content-Type": "text/plain"}, b"Resource not found."
    return 200, {"Content-Type": "application/json"}, NOTHING


@pytest.fixture
def elsewhere() -> Iterator[Server]:
    server = Server(elsewhere_answer)
    yield server
    server.close()


def redirector(to: Server, *, echo: bool) -> Server:
    """A server that redirects every request to ``to``, same path; with ``echo`` the query
    too (the user's e-mail and key in the Location)."""

    def respond(target: str) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        location = to.base_url + (target if echo else parts.path)
        return 302, {"Location": location}, b""

    return Server(respond)


@pytest.fixture
def plain(elsewhere: Server) -> Iterator[Server]:
    server = redirector(elsewhere, echo=False)
    yield server
    server.close()


@pytest.fixture
def echoing(elsewhere: Server) -> Iterator[Server]:
    server = redirector(elsewhere, echo=True)
    yield server
    server.close()


def crossref(base_url: str) -> CrossrefClient:
    return CrossrefClient(
        CrossrefSettings(base_url=base_url, cache=None, mailto=MAILTO, plus_token=TOKEN)
    )


def second(kind: type[ServiceClient]) -> Callable[[str], ServiceClient]:
    def make(base_url: str) -> ServiceClient:
        settings = SourceSettings(base_url=base_url, cache=None, mailto=MAILTO, min_interval=0)
        key = KEY if kind in (PubMedClient, OpenAlexClient, SemanticScholarClient) else None
        return kind(settings, api_key=key)

    return make


CLIENTS = [
    pytest.param(crossref, id="crossref"),
    pytest.param(second(PubMedClient), id="pubmed"),
    pytest.param(second(OpenAlexClient), id="openalex"),
    pytest.param(second(DataCiteClient), id="datacite"),
    pytest.param(second(ArxivClient), id="arxiv"),
    pytest.param(second(DblpClient), id="dblp"),
    pytest.param(second(SemanticScholarClient), id="semanticscholar"),
]


def ask(client: Any) -> list[str]:
    """A lookup by DOI and a search; the errors raised, by type."""
    errors = []
    for call in (lambda: client.get_work("10.1000/xyz"), lambda: client.search("cytokine storm")):
        try:
            call()
        except ServiceError as exc:
            errors.append(type(exc).__name__)
    return errors


@pytest.mark.parametrize("make", CLIENTS)
def test_identity_reaches_the_service_and_not_the_origin_it_redirects_to(
    plain: Server, elsewhere: Server, make: Callable[[str], Any]
) -> None:
    """A redirect to another origin is followed without the e-mail (query or User-Agent),
    the key or the token; the service's own origin had them (the positive control)."""
    with make(plain.base_url) as client:
        ask(client)
    assert (True, True, []) == (
        len(elsewhere.log) > 0,
        MAILTO in plain.leaked(),
        elsewhere.leaked(),
    )


@pytest.mark.parametrize("make", CLIENTS)
def test_a_redirect_echoing_the_query_elsewhere_is_not_followed(
    echoing: Server, elsewhere: Server, make: Callable[[str], Any]
) -> None:
    """A ``Location`` that carries the user's e-mail or key to another origin: not followed
    (ServiceResponseError for that request), and the other origin receives nothing."""
    with make(echoing.base_url) as client:
        errors = ask(client)
    if not any(p in target for target, _ in echoing.log for p in (KEY, "private.person")):
        # DataCite takes no identity in its query: the echo carries nothing, and is followed.
        assert ([], True) == (elsewhere.leaked(), len(elsewhere.log) > 0)
        return
    assert (True, [], []) == (
        ServiceResponseError.__name__ in errors,
        elsewhere.log,
        elsewhere.leaked(),
    )


def test_a_redirect_within_the_origin_keeps_the_token(elsewhere: Server) -> None:
    """Same scheme, host and port: the token and the User-Agent's address go along."""
    hops: list[str] = []

    def respond(target: str) -> tuple[int, dict[str, str], bytes]:
        hops.append(target)
        if len(hops) == 1:
            return 302, {"Location": "/works?rows=1"}, b""
        return 200, {"Content-Type": "application/json"}, NOTHING

    own = Server(respond)
    try:
        with crossref(own.base_url) as client:
            client.search("x")
        second_hop = own.log[1][1]
    finally:
        own.close()
    assert (f"Bearer {TOKEN}", True) == (
        second_hop.get("Crossref-Plus-API-Token"),
        MAILTO in second_hop.get("User-Agent", ""),
    )


def test_the_command_with_every_source_leaks_nothing_elsewhere(
    plain: Server, elsewhere: Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """``refcheck check --sources crossref,pubmed,openalex,datacite`` with --mailto, an NCBI
    key and a Plus token, every service redirecting to another origin: every service is
    asked there (Crossref finds nothing, so the others are asked too), and that origin
    receives none of the user's identity or secrets."""
    monkeypatch.setenv("REFCHECK_CROSSREF_PLUS_TOKEN", TOKEN)
    manuscript = tmp_path / "paper.md"
    manuscript.write_text(SMALL, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "check", str(manuscript), "--no-cache", "--mailto", MAILTO, "--ncbi-api-key", KEY,
            "--sources", "crossref,pubmed,openalex,datacite",
            "--base-url", plain.base_url,
            "--pubmed-base-url", plain.base_url,
            "--openalex-base-url", plain.base_url,
            "--datacite-base-url", plain.base_url,
        ],
    )  # fmt: skip
    paths = {urlsplit(target).path for target, _ in elsewhere.log}
    services = {
        "crossref": "/works" in paths,
        "pubmed": bool(paths & {"/esearch.fcgi", "/ecitmatch.cgi"}),
        "datacite": "/dois" in paths,
    }
    assert (True, {"crossref": True, "pubmed": True, "datacite": True}, []) == (
        result.exit_code in (0, 1),
        services,
        elsewhere.leaked(),
    )
    assert set(PRIVATE[:3]) <= set(plain.leaked()) | {TOKEN}


# --- a checked repository's configuration file chooses no server for the user's secrets ---


def hostile_repository(root: Any, settings: str) -> str:
    """A repository with a refcheck.toml of ``settings`` and the seed manuscript; its path."""
    root.mkdir()
    (root / ".git").mkdir()
    (root / "refcheck.toml").write_text(settings, encoding="utf-8")
    manuscript = root / "paper.md"
    manuscript.write_text(SMALL, encoding="utf-8")
    return str(manuscript)


def test_a_repository_base_url_gets_no_plus_token(
    elsewhere: Server,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``base-url`` in the checked repository's refcheck.toml names the repository's own
    server: it is asked, but the token from the CI's environment is not sent to it (and a
    warning says so)."""
    monkeypatch.setenv("REFCHECK_CROSSREF_PLUS_TOKEN", TOKEN)
    manuscript = hostile_repository(tmp_path / "repo", f'base-url = "{elsewhere.base_url}"\n')
    with caplog.at_level(logging.WARNING, logger="refcheck.config"):
        CliRunner().invoke(cli, ["check", manuscript, "--no-cache"])
    assert (True, [], True) == (
        len(elsewhere.log) > 0,
        elsewhere.leaked(),
        any("Plus token is not sent" in r.getMessage() for r in caplog.records),
    )


def test_the_user_may_send_the_token_to_a_server_of_their_choosing(
    elsewhere: Server, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same server named by the user (REFCHECK_BASE_URL) gets the token: the user's say."""
    monkeypatch.setenv("REFCHECK_CROSSREF_PLUS_TOKEN", TOKEN)
    monkeypatch.setenv("REFCHECK_BASE_URL", elsewhere.base_url)
    manuscript = hostile_repository(tmp_path / "repo", f'base-url = "{elsewhere.base_url}"\n')
    CliRunner().invoke(cli, ["check", manuscript, "--no-cache"])
    assert TOKEN in elsewhere.leaked()


def test_a_repository_pubmed_base_url_gets_no_ncbi_key(elsewhere: Server, tmp_path: Any) -> None:
    """``pubmed-base-url`` in the checked repository's file: PubMed is asked there without
    the NCBI key given on the command line."""
    crossref_nothing = Server(elsewhere_answer)
    try:
        manuscript = hostile_repository(
            tmp_path / "repo",
            f'base-url = "{crossref_nothing.base_url}"\npubmed-base-url = "{elsewhere.base_url}"\n',
        )
        result = CliRunner().invoke(
            cli,
            ["check", manuscript, "--no-cache", "--sources", "crossref,pubmed",
             "--ncbi-api-key", KEY],
        )  # fmt: skip
    finally:
        crossref_nothing.close()
    asked = {urlsplit(target).path for target, _ in elsewhere.log}
    assert (True, [], True) == (
        bool(asked & {"/esearch.fcgi", "/ecitmatch.cgi"}),
        elsewhere.leaked(),
        "NCBI API key is not sent" in result.output,
    )
