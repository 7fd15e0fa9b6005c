"""A client of the Crossref REST API: look a work up by DOI, or search works by citation text.

::

    from refcheck.sources.crossref import CrossrefClient

    with CrossrefClient(mailto="you@example.org") as crossref:
        work = crossref.get_work("10.1016/S2665-9913(20)30096-5")   # Work, or None
        works = crossref.search("Mehta Silencing the cytokine storm Lancet Rheumatol 2020")

Settings are a :class:`CrossrefSettings` value (:meth:`CrossrefSettings.from_env` reads
``REFCHECK_*`` environment variables). Every request has an explicit timeout and runs under
a :class:`~refcheck.sources.http.retry.RetryPolicy`. Errors of requests are translated where they
enter: :class:`~refcheck.errors.ServiceUnavailable` (network, timeout, 5xx and 429 after retries),
:class:`~refcheck.errors.ServiceResponseError` (an answer the API does not document),
:class:`~refcheck.errors.NotCached` (offline or replay, and no recorded answer).

:func:`work_from_crossref` is the one place where Crossref's hyphenated JSON keys are read.

Threads: one client may be shared by the threads of a small pool. What is shared is the
``requests.Session`` (its urllib3 connection pool is thread-safe, and the client never
mutates the session after construction), the cache (see :mod:`refcheck.sources.http.cache`) and the
immutable settings; each call has its own retry state.

Limits: every request that reaches the network (not a cache hit, not a replayed answer) waits
for the client's :class:`~refcheck.sources.http.limits.Limiter` (``client.limiter``), which keeps
within ``settings.limits`` (by default Crossref's limits for the pool: polite with a
``mailto``, else public; single-work requests, ``/works/{doi}``, and list requests,
``/works?...``, each at their own rate) and adopts lower limits that Crossref's answers
advertise. Identical GETs in flight at once are sent once and share the answer.

Fewer requests: :meth:`CrossrefClient.prefetch` looks many DOIs up in list requests of
:attr:`CrossrefClient.doi_batch` DOIs each (``filter=doi:A,doi:B,...``, which Crossref ORs),
and keeps the works it finds for the :meth:`~CrossrefClient.get_work` calls that follow: each
is answered once from them, without a request. A DOI the batch did not return is asked alone
as before (its 404 is the evidence that Crossref lacks it).
"""

from __future__ import annotations

import html
import os
import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import attrs
import requests
from requests.adapters import BaseAdapter

from refcheck.errors import ConfigError, ServiceError, ServiceResponseError
from refcheck.model import Author, Reference, Relation, Update, Work
from refcheck.sources.http import cache as _cache
from refcheck.sources.http.limits import LIST, SINGLE, Limiter, Limits, SingleFlight
from refcheck.sources.http.replay import RecordingAdapter, ReplayAdapter
from refcheck.sources.http.retry import RetryPolicy
from refcheck.sources.http.service import USER_AGENT, SessionOwner, check_base_url
from refcheck.sources.http.transport import BoundedAdapter

__all__ = [
    "DEFAULT_BASE_URL",
    "SEARCH_FIELDS",
    "CrossrefClient",
    "CrossrefSettings",
    "record_doi",
    "record_indexed",
    "request_kind",
    "work_from_crossref",
]

DEFAULT_BASE_URL = "https://api.crossref.org"
_MAX_ROWS = 1000
#: The header of Crossref Metadata Plus: ``Crossref-Plus-API-Token: Bearer <token>``.
PLUS_TOKEN_HEADER = "Crossref-Plus-API-Token"


# --- settings -----------------------------------------------------------------------------


def _timeout(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value > 0:
        raise ConfigError(f"timeout: expected a number of seconds > 0, found {value!r}")


def _optional_text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _token(value: str | None) -> str | None:
    """A Crossref Plus token, without a "Bearer " prefix; never quoted in errors."""
    token = (value or "").strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    if any(ord(c) < 33 or ord(c) > 126 for c in token):
        raise ConfigError(
            "plus_token: expected a Crossref Plus token (printable ASCII, no spaces); "
            "the value given is not one (not shown: it is a secret)"
        )
    return token or None


def _optional_path(value: Path | str | None) -> Path | None:
    return None if value is None else Path(value).expanduser()


@attrs.frozen(slots=True)
class CrossrefSettings:
    """How to reach Crossref.

    ``cache`` is the SQLite cache file, ``None`` for no cache (default: the platform's user
    cache directory, see :func:`refcheck.sources.http.cache.default_cache_path`). ``offline``
    answers only from the cache. ``replay`` answers only from a file of recorded exchanges (implies
    offline; see :mod:`refcheck.sources.http.replay`); ``record`` appends every exchange that
    reaches the network to such a file. ``limits`` caps the requests that reach the network (see
    :mod:`refcheck.sources.http.limits`); ``None`` means Crossref's published limits for the pool
    the requests go to: the polite pool's when ``mailto`` is set, else the public pool's.
    ``cache_max_entries`` bounds the cache. ``plus_token`` is a Crossref Metadata Plus token,
    sent as ``Crossref-Plus-API-Token: Bearer ...`` to ``base_url``'s host only; it is never in
    ``repr``, in logs, in the cache or in record files.
    """

    base_url: str = attrs.field(default=DEFAULT_BASE_URL, converter=check_base_url)
    mailto: str | None = attrs.field(default=None, converter=_optional_text)
    timeout: float = attrs.field(default=20.0, converter=float, validator=_timeout)
    cache: Path | None = attrs.field(factory=_cache.default_cache_path, converter=_optional_path)
    offline: bool = False
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    replay: Path | None = attrs.field(default=None, converter=_optional_path)
    record: Path | None = attrs.field(default=None, converter=_optional_path)
    expire_after_days: float = 30.0
    limits: Limits | None = None
    cache_max_entries: int | None = _cache.DEFAULT_MAX_ENTRIES
    plus_token: str | None = attrs.field(default=None, converter=_token, repr=False)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> CrossrefSettings:
        """Settings from ``REFCHECK_*`` variables, then ``overrides``, then the defaults.

        ``REFCHECK_BASE_URL``, ``REFCHECK_MAILTO``, ``REFCHECK_TIMEOUT`` (seconds),
        ``REFCHECK_CACHE`` (a path; ``none``, ``off`` or empty for no cache),
        ``REFCHECK_CACHE_MAX_ENTRIES`` (answers kept at most), ``REFCHECK_OFFLINE``
        (``1/0``, ``true/false``, ``yes/no``, ``on/off``) and ``REFCHECK_CROSSREF_PLUS_TOKEN``
        (a Crossref Plus token, sent only to ``base_url``'s host). A value that cannot be used
        raises :class:`~refcheck.errors.ConfigError` naming the variable.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        if (url := env.get("REFCHECK_BASE_URL")) is not None:
            try:
                values["base_url"] = check_base_url(url)
            except ConfigError:
                raise ConfigError(
                    f"REFCHECK_BASE_URL: expected an http(s) URL, found {url!r}"
                ) from None
        if (mailto := env.get("REFCHECK_MAILTO")) is not None:
            if mailto.strip() and "@" not in mailto:
                raise ConfigError(f"REFCHECK_MAILTO: expected an e-mail address, found {mailto!r}")
            values["mailto"] = mailto
        if (timeout := env.get("REFCHECK_TIMEOUT")) is not None:
            try:
                seconds = float(timeout)
                if not 0 < seconds < float("inf"):
                    raise ValueError(timeout)
            except ValueError:
                raise ConfigError(
                    f"REFCHECK_TIMEOUT: expected a number of seconds > 0, found {timeout!r}"
                ) from None
            values["timeout"] = seconds
        if (cache := env.get("REFCHECK_CACHE")) is not None:
            off = cache.strip().lower() in {"", "none", "off", "0", "false", "no"}
            values["cache"] = None if off else Path(cache)
        if (token := env.get("REFCHECK_CROSSREF_PLUS_TOKEN")) is not None:
            try:
                values["plus_token"] = _token(token)
            except ConfigError:
                raise ConfigError(
                    "REFCHECK_CROSSREF_PLUS_TOKEN: expected a Crossref Plus token (printable "
                    "ASCII, no spaces); the value is not shown"
                ) from None
        if (entries := env.get("REFCHECK_CACHE_MAX_ENTRIES")) is not None:
            if not entries.strip().isdigit() or int(entries) < 1:
                raise ConfigError(
                    f"REFCHECK_CACHE_MAX_ENTRIES: expected a whole number >= 1, found {entries!r}"
                )
            values["cache_max_entries"] = int(entries)
        if (offline := env.get("REFCHECK_OFFLINE")) is not None:
            flag = offline.strip().lower()
            if flag in {"1", "true", "yes", "on"}:
                values["offline"] = True
            elif flag in {"", "0", "false", "no", "off"}:
                values["offline"] = False
            else:
                raise ConfigError(
                    f"REFCHECK_OFFLINE: expected 1/0, true/false, yes/no or on/off, "
                    f"found {offline!r}"
                )
        values.update(overrides)
        return cls(**values)

    @property
    def user_agent(self) -> str:
        """``refcheck/<version>``, with ``(mailto:...)`` when an address is set."""
        return f"{USER_AGENT} (mailto:{self.mailto})" if self.mailto else USER_AGENT


# --- the converter ------------------------------------------------------------------------

#: The fields :func:`work_from_crossref` reads: the ``select`` list of searches.
SEARCH_FIELDS = (
    "DOI",
    "title",
    "subtitle",
    "author",
    "container-title",
    "short-container-title",
    "issued",
    "published-print",
    "published-online",
    "volume",
    "issue",
    "page",
    "article-number",
    "type",
    "publisher",
    "ISSN",
    "score",
    "updated-by",
    "update-to",
    "relation",
    "ISBN",
    "editor",
)

_DASH = "-\u2010-\u2015\u2212"
_PAGE_RANGE = re.compile(rf"^\s*([^{_DASH},;\s]+)\s*[{_DASH}]+\s*([^,;\s]+)")


_MARKUP = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>")


def _plain(text: str) -> str:
    """Crossref titles carry JATS/HTML markup and entities: "<i>L. amazonensis</i> &amp; X"."""
    return html.unescape(_MARKUP.sub("", text))


def _first(value: Any) -> str | None:
    """The first non-empty string of a Crossref list field ("title": ["..."]), as plain text."""
    if isinstance(value, str):
        return _plain(value) or None
    if isinstance(value, list):
        for item in value:
            if isinstance(item, str) and item.strip():
                return _plain(item)
    return None


def _string(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def _date(value: Any) -> str | None:
    """``{"date-parts": [[2020, 6, 16]]}`` -> "2020-06-16"; the precision the record has."""
    if not isinstance(value, Mapping):
        return None
    parts = value.get("date-parts")
    if not (isinstance(parts, list) and parts and isinstance(parts[0], list)):
        return None
    numbers: list[int] = []
    for part in parts[0][:3]:
        try:
            numbers.append(int(part))
        except (TypeError, ValueError):
            break
    if not numbers or not 0 < numbers[0] < 10000:
        return None
    text = f"{numbers[0]:04d}"
    if len(numbers) > 1 and 1 <= numbers[1] <= 12:
        text += f"-{numbers[1]:02d}"
        if len(numbers) > 2 and 1 <= numbers[2] <= 31:
            text += f"-{numbers[2]:02d}"
    return text


def _pages(page: str | None) -> tuple[str | None, str | None]:
    """ "e358-e367" -> ("e358", "e367"); "e1007887" -> ("e1007887", None)."""
    if not page:
        return None, None
    match = _PAGE_RANGE.match(page)
    if match:
        return match.group(1), match.group(2)
    first = re.split(r"[,;\s]", page.strip(), maxsplit=1)[0]
    return first or None, None


def _author(value: Any) -> Author | None:
    if not isinstance(value, Mapping):
        return None
    family = _string(value.get("family"))
    if family and family.strip():
        return Author(family=family, given=_string(value.get("given")))
    name = _string(value.get("name"))
    if name and name.strip():
        return Author(family=name, organisation=True)
    return None


def _update(value: Any) -> Update | None:
    if not isinstance(value, Mapping) or not _string(value.get("type")):
        return None
    return Update(
        type=str(value["type"]),
        doi=_string(value.get("DOI")),
        date=_date(value.get("updated")),
        source=_string(value.get("source")),
        record_id=_string(value.get("record-id")),
        label=_string(value.get("label")),
    )


def _relations(value: Any) -> Iterable[Relation]:
    """``{"is-preprint-of": [{"id-type": "doi", "id": "10...", ...}], ...}`` -> Relations."""
    if not isinstance(value, Mapping):
        return
    for kind, links in value.items():
        for link in _list(links):
            if isinstance(link, Mapping) and (target := _string(link.get("id"))):
                yield Relation(type=str(kind), id=target, id_type=_string(link.get("id-type")))


def work_from_crossref(message: Mapping[str, Any]) -> Work:
    """The :class:`~refcheck.model.Work` of a Crossref work record (an API ``message``).

    Lenient about what may be missing (every field but ``DOI``), strict about shape: raises
    :class:`~refcheck.errors.ServiceResponseError` when ``message`` is not a record with a DOI.
    """
    if not isinstance(message, Mapping):
        raise ServiceResponseError(
            f"expected a Crossref work record (a JSON object), found {type(message).__name__}"
        )
    doi = _string(message.get("DOI"))
    if not doi or not doi.strip():
        raise ServiceResponseError(
            f"expected a Crossref work record with a DOI, found keys {sorted(message)[:12]}"
        )
    first_page, last_page = _pages(_string(message.get("page")))
    authors = (_author(a) for a in _list(message.get("author")) if isinstance(a, Mapping))
    updates = (_update(u) for u in _list(message.get("updated-by")))
    update_to = (_update(u) for u in _list(message.get("update-to")))
    score = message.get("score")
    issn = tuple(i for i in _list(message.get("ISSN")) if isinstance(i, str) and i.strip())
    return Work(
        doi=doi,
        type=_string(message.get("type")),
        title=_first(message.get("title")),
        subtitle=_first(message.get("subtitle")),
        container_title=_first(message.get("container-title")),
        short_container_title=_first(message.get("short-container-title")),
        authors=tuple(a for a in authors if a is not None),
        # "published" is Crossref's earliest of print and online: a record without "issued"
        # (one recorded with a select list) still has its year.
        issued=_date(message.get("issued")) or _date(message.get("published")),
        published_print=_date(message.get("published-print")),
        published_online=_date(message.get("published-online")),
        volume=_string(message.get("volume")),
        issue=_string(message.get("issue")),
        first_page=first_page,
        last_page=last_page,
        article_number=_string(message.get("article-number")),
        publisher=_string(message.get("publisher")),
        issn=issn,
        updates=tuple(u for u in updates if u is not None),
        score=float(score) if isinstance(score, (int, float)) and score is not True else None,
        update_to=tuple(u for u in update_to if u is not None),
        relations=tuple(_relations(message.get("relation"))),
        isbn=tuple(i for i in _list(message.get("ISBN")) if isinstance(i, str) and i.strip()),
        editors=tuple(e for e in map(_author, _list(message.get("editor"))) if e is not None),
    )


def _list(value: Any) -> Iterable[Any]:
    return value if isinstance(value, list) else ()


def record_doi(message: Any) -> str | None:
    """The DOI of a Crossref work record, or ``None`` when it is no record with a DOI."""
    if not isinstance(message, Mapping):
        return None
    doi = _string(message.get("DOI"))
    return doi.strip() if doi and doi.strip() else None


def record_indexed(message: Mapping[str, Any]) -> str:
    """When Crossref last indexed a record ("2024-05-01T10:00:00Z"), or "" if it does not say:
    what ``from-index-date`` filters on."""
    indexed = message.get("indexed")
    if isinstance(indexed, Mapping) and isinstance(indexed.get("date-time"), str):
        return str(indexed["date-time"])
    return ""


# --- the client ---------------------------------------------------------------------------


_DOT_SEGMENTS = frozenset({".", ".."})


def doi_path(doi: str) -> str:
    """The URL path of a DOI's work: ``/works/`` and the DOI percent-encoded.

    Slashes between segments are kept (Crossref's own form) and every other reserved character
    is encoded. A DOI with a dot segment ("." or "..") has its slashes encoded too, as one
    segment: requests turns ``%2E`` back into ``.`` (an unreserved character), and a dot segment
    on the wire could make the path leave ``/works/`` at any server or proxy on the way.
    """
    if doi in _DOT_SEGMENTS:
        # No encoding survives: requests decodes "%2E" to "." and drops the dot segment.
        raise ValueError(f"doi_path: {doi!r} is a dot segment, not a DOI; it has no URL")
    segments = doi.split("/")
    if any(segment in _DOT_SEGMENTS for segment in segments):
        return "/works/" + quote(doi, safe="")
    return "/works/" + "/".join(quote(segment, safe="") for segment in segments)


class CrossrefClient(SessionOwner):
    """A client of the Crossref REST API with its own session, cache and retry policy.

    ``CrossrefClient(settings)`` or ``CrossrefClient(mailto=..., cache=None, ...)`` (keyword
    arguments are :class:`CrossrefSettings` fields and override ``settings``). Use it as a
    context manager, or call :meth:`close`.
    """

    #: The source name a :class:`~refcheck.model.Match` carries.
    name = "crossref"
    #: The service's name in messages ("Crossref is unreachable ...").
    label = "Crossref"
    #: DOIs per list request of :meth:`prefetch` (a URL of about 2 kB).
    doi_batch = 50
    #: Works kept from :meth:`prefetch` for :meth:`get_work`, at most.
    max_prefetched = 100_000

    def __init__(self, settings: CrossrefSettings | None = None, **changes: Any) -> None:
        settings = settings if settings is not None else CrossrefSettings()
        self.settings: CrossrefSettings = attrs.evolve(settings, **changes) if changes else settings
        self.limiter = Limiter(self.settings.limits or Limits.for_pool(self.settings.mailto))
        self._flights: SingleFlight[requests.Response] = SingleFlight()
        self._prefetched: dict[str, Work] = {}
        self._prefetch_lock = threading.Lock()
        self.base_url = self.settings.base_url
        self.timeout = self.settings.timeout
        self.retry = self.settings.retry
        self._session = self._open_session(self.settings)
        _limit_network(self._session, self.limiter)

    @staticmethod
    def _open_session(settings: CrossrefSettings) -> requests.Session:
        from datetime import timedelta

        session: requests.Session
        if settings.replay is not None:
            session = requests.Session()
            adapter = ReplayAdapter.from_file(settings.replay, settings.base_url)
            # Every URL, not only the base URL's: in replay mode nothing reaches the network.
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        elif settings.cache is not None:
            session = _cache.open_session(
                settings.cache,
                offline=settings.offline,
                expire_after=timedelta(days=settings.expire_after_days),
                max_entries=settings.cache_max_entries,
            )
        elif settings.offline:
            raise ConfigError(
                "offline: refcheck can only work offline from a cache or a replay file, "
                "and both are off (cache=None, replay=None)"
            )
        else:
            session = requests.Session()
        if settings.replay is None:
            SessionOwner._mount(session, BoundedAdapter())
        else:
            session.headers["User-Agent"] = USER_AGENT
            session.headers["Accept"] = "application/json"
        if settings.record is not None and settings.replay is None:
            recorder = RecordingAdapter(settings.record, settings.base_url)
            session.mount(settings.base_url + "/", recorder)
        return session

    def __repr__(self) -> str:
        s = self.settings
        return f"CrossrefClient(base_url={s.base_url!r}, cache={s.cache}, offline={s.offline})"

    # -- requests --

    def _identity(self) -> dict[str, str]:
        return {"mailto": self.settings.mailto} if self.settings.mailto else {}

    def _own_headers(self) -> dict[str, str]:
        """The User-Agent with the mailto, and the Crossref Plus header if there is a token:
        for the configured origin only (see :meth:`SessionOwner._follow`)."""
        headers = {"User-Agent": self.settings.user_agent}
        if self.settings.plus_token is not None:
            headers[PLUS_TOKEN_HEADER] = f"Bearer {self.settings.plus_token}"
        return headers

    def _private(self) -> tuple[str, ...]:
        return tuple(v for v in (self.settings.mailto, self.settings.plus_token) if v)

    def abort(self) -> None:
        """See :meth:`SessionOwner.abort`; threads waiting for the rate limit wake up too."""
        self.limiter.abort()
        super().abort()

    def _get(self, path: str, params: Mapping[str, str]) -> requests.Response:
        """The shared GET (:meth:`SessionOwner._get`); identical requests in flight at once (two
        references citing one DOI) share one answer."""
        return self._flights.do(
            (path, tuple(sorted(params.items()))),
            lambda: super(CrossrefClient, self)._get(path, params),
        )

    def _json(self, response: requests.Response, *, expect: str, what: str) -> Mapping[str, Any]:
        """The ``message`` of a Crossref answer of ``message-type`` ``expect``."""
        body = self._body(response, what)
        if not isinstance(body, dict):
            raise ServiceResponseError(
                f"{what}: expected a JSON object, found {type(body).__name__}"
            )
        if body.get("status") != "ok" or body.get("message-type") != expect:
            raise ServiceResponseError(
                f"{what}: expected status 'ok' and message-type {expect!r}, found status "
                f"{body.get('status')!r} and message-type {body.get('message-type')!r}"
            )
        message = body.get("message")
        if not isinstance(message, dict):
            raise ServiceResponseError(
                f"{what}: expected a 'message' object, found {type(message).__name__}"
            )
        return message

    def get_work(self, doi: str) -> Work | None:
        """The work Crossref has for ``doi``, or ``None`` when Crossref has no such DOI (404).

        ``doi`` is the bare DOI ("10.1371/journal.pone.0033693"); a ``https://doi.org/`` or
        ``doi:`` prefix is removed.
        """
        bare = _bare_doi(doi)
        if not bare:
            raise ValueError(f"get_work: expected a DOI, found {doi!r}")
        if bare in _DOT_SEGMENTS:
            return None  # no DOI is "." or "..", and no URL can ask for one
        with self._prefetch_lock:
            known = self._prefetched.pop(bare.lower(), None)
        if known is not None:
            return known
        path = doi_path(bare)
        what = f"Crossref work {bare} ({self.settings.base_url}{path})"

        def read(response: requests.Response) -> Work | None:
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise self._unexpected(response, what)
            message = self._json(response, expect="work", what=what)
            return self._convert(what, work_from_crossref, [message])[0]

        return self._answer(path, {}, read)

    def get_works(self, dois: Iterable[str]) -> dict[str, Work]:
        """The works Crossref has for ``dois``, by lower-case bare DOI, in list requests of
        :attr:`doi_batch` DOIs each (``filter=doi:A,doi:B,...``: Crossref ORs a repeated
        filter). A DOI Crossref did not return is left out; a DOI that cannot stand in a
        filter (it holds a comma) is left out too, for :meth:`get_work`. Raises
        :class:`~refcheck.errors.ServiceError` as :meth:`search` does.
        """
        wanted = sorted(
            {
                bare.lower()
                for doi in dois
                if (bare := _bare_doi(doi)) and bare not in _DOT_SEGMENTS and "," not in bare
            }
        )
        found: dict[str, Work] = {}
        for start in range(0, len(wanted), self.doi_batch):
            chunk = wanted[start : start + self.doi_batch]
            params = {
                "filter": ",".join(f"doi:{doi}" for doi in chunk),
                "rows": str(len(chunk)),
                "select": ",".join(SEARCH_FIELDS),
            }
            what = (
                f"Crossref works of {len(chunk)} DOIs ({chunk[0]}...) "
                f"({self.settings.base_url}/works?filter=doi:...)"
            )
            for work in self._work_list(params, len(chunk), what):
                key = work.doi.lower()
                if key in chunk:
                    found[key] = attrs.evolve(work, score=None)
        return found

    def prefetch(self, references: Iterable[Reference | str]) -> int:
        """Look the DOIs of ``references`` (or DOIs given as text) up in batches
        (:meth:`get_works`) and keep the works found, so that the next :meth:`get_work` of
        each is answered without a request; how many were found. Fewer than two DOIs: nothing
        is asked (the lookup is one request either way).

        A failed batch keeps nothing of its own (its DOIs are asked one by one later, and a
        failure is reported then, for the references it touches); the batches before and after
        it keep theirs. At most :attr:`max_prefetched` works are kept; each is given out once.
        """
        given = [r if isinstance(r, str) else r.doi for r in references]
        dois = sorted({d for d in given if d})
        if len(dois) < 2:
            return 0
        kept = 0
        for start in range(0, len(dois), self.doi_batch):
            try:
                found = self.get_works(dois[start : start + self.doi_batch])
            except ServiceError:
                continue
            with self._prefetch_lock:
                room = max(0, self.max_prefetched - len(self._prefetched))
                for key in list(found)[:room]:
                    self._prefetched[key] = found[key]
            kept += len(found)
        return kept

    def record_pages(
        self, filters: str, *, rows: int = 1000, cursor: str = "*"
    ) -> Iterable[tuple[list[dict[str, Any]], str]]:
        """The work records that pass ``filters`` (``"from-index-date:2024-05-01"``), a page
        at a time with Crossref's deep paging (``cursor``): each page's records (Crossref's
        JSON, as a snapshot holds it) and the cursor of the page after it. Ends after the
        first empty page. Raises :class:`~refcheck.errors.ServiceError` as :meth:`search` does
        (an expired cursor is a :class:`~refcheck.errors.ServiceResponseError`).
        """
        if not 1 <= rows <= _MAX_ROWS:
            raise ValueError(f"record_pages: expected 1 <= rows <= {_MAX_ROWS}, found {rows!r}")
        while True:
            params = {"filter": filters, "rows": str(rows), "cursor": cursor}
            what = f"Crossref works of {filters!r} ({self.settings.base_url}/works?cursor=...)"

            # Not through _answer: a page of an update is never kept in the cache (a later
            # update must see what Crossref has then), so it is never served from it either.
            response = self._get("/works", params)
            if response.status_code != 200:
                raise self._unexpected(response, what)
            message = self._json(response, expect="work-list", what=what)
            items = message.get("items")
            following = message.get("next-cursor")
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise ServiceResponseError(f"{what}: expected a list of work records as 'items'")
            if items and not (isinstance(following, str) and following):
                raise ServiceResponseError(f"{what}: expected a 'next-cursor' with the items")
            yield items, str(following or cursor)
            if not items:
                return
            cursor = str(following)

    def search(self, query: str, *, rows: int = 5) -> tuple[Work, ...]:
        """The works Crossref ranks highest for a citation text, best first (at most ``rows``).

        Uses ``query.bibliographic``, Crossref's field query for whole citations. Each work's
        ``score`` is Crossref's relevance score. A blank query finds nothing, without asking.
        """
        if not 1 <= rows <= _MAX_ROWS:
            raise ValueError(f"search: expected 1 <= rows <= {_MAX_ROWS}, found {rows!r}")
        text = " ".join(query.split())
        if not text:
            return ()
        params = {
            "query.bibliographic": text,
            "rows": str(rows),
            "select": ",".join(SEARCH_FIELDS),
        }
        shown = urlencode({"query.bibliographic": text[:60], "rows": rows})
        what = f"Crossref search {text[:60]!r} ({self.settings.base_url}/works?{shown})"
        return self._work_list(params, rows, what)

    def journal_works(
        self, container_title: str, year: str, *, issn: str | None = None, rows: int = 100
    ) -> tuple[Work, ...]:
        """A sample of a journal's works of one ``year`` (at most ``rows``), for
        :mod:`refcheck.sources.existence`: ``query.container-title`` and a publication-date filter,
        narrowed to the ISSN when it is known. Works of other journals may come back too (a
        title query is fuzzy); the caller keeps those whose journal matches.
        """
        if not 1 <= rows <= _MAX_ROWS:
            raise ValueError(f"journal_works: expected 1 <= rows <= {_MAX_ROWS}, found {rows!r}")
        title = " ".join(container_title.split())
        if not title or not re.fullmatch(r"\d{4}", year[:4]):
            return ()
        filters = f"from-pub-date:{year[:4]},until-pub-date:{year[:4]}"
        if issn:
            filters += f",issn:{issn}"
        params = {
            "query.container-title": title,
            "filter": filters,
            "rows": str(rows),
            "select": ",".join(_JOURNAL_FIELDS),
        }
        what = f"Crossref works of {title[:60]!r} in {year[:4]} ({self.settings.base_url}/works)"
        return self._work_list(params, rows, what)

    def _work_list(self, params: Mapping[str, str], rows: int, what: str) -> tuple[Work, ...]:
        """GET ``/works`` with ``params``: the works of the work-list answer, at most ``rows``."""

        def read(response: requests.Response) -> tuple[Work, ...]:
            if response.status_code != 200:
                raise self._unexpected(response, what)
            message = self._json(response, expect="work-list", what=what)
            items = message.get("items")
            if not isinstance(items, list):
                raise ServiceResponseError(
                    f"{what}: expected a list of 'items', found {type(items).__name__}"
                )
            return tuple(self._convert(what, work_from_crossref, items[:rows]))

        return self._answer("/works", params, read)


#: The fields :meth:`CrossrefClient.journal_works` asks for.
_JOURNAL_FIELDS = (
    "DOI",
    "container-title",
    "short-container-title",
    "ISSN",
    "issued",
    "published-print",
    "published-online",
    "volume",
    "issue",
    "page",
    "article-number",
)


class _LimitedAdapter(BaseAdapter):
    """Passes requests to ``adapter`` within a :class:`~refcheck.sources.http.limits.Limiter`'s
    limits.

    Mounted in place of a session's network adapters, so that only the requests that reach
    the network count (a cache answers before its session calls an adapter). The body is read
    before the slot is freed: a request is in flight until its answer has arrived whole.
    """

    def __init__(self, adapter: BaseAdapter, limiter: Limiter) -> None:
        super().__init__()
        self._adapter = adapter
        self._limiter = limiter

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kind = request_kind(request.url or "")
        with self._limiter.slot(kind):
            response: requests.Response = self._adapter.send(request, *args, **kwargs)
            if not kwargs.get("stream"):
                response.content  # noqa: B018 - read the body inside the slot
        if response.status_code == 429:
            self._limiter.refused(kind)
        self._limiter.observe(response.headers, kind)
        return response

    def close(self) -> None:
        self._adapter.close()

    def abort(self) -> None:
        stop = getattr(self._adapter, "abort", None)
        if callable(stop):
            stop()


def request_kind(url: str) -> str:
    """:data:`~refcheck.sources.http.limits.LIST` for a list of works (a path ending in
    ``/works``: searches, filters), else :data:`~refcheck.sources.http.limits.SINGLE` (one
    work, ``/works/{doi}``, or any other single record)."""
    path = urlsplit(url).path.rstrip("/")
    return LIST if path.endswith("/works") else SINGLE


def _limit_network(session: requests.Session, limiter: Limiter) -> None:
    """Put every network adapter of ``session`` behind ``limiter`` (recorded answers are free)."""
    for prefix, adapter in list(session.adapters.items()):
        if not isinstance(adapter, (ReplayAdapter, _LimitedAdapter)):
            session.adapters[prefix] = _LimitedAdapter(adapter, limiter)


_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def _bare_doi(doi: str) -> str:
    return _DOI_PREFIX.sub("", doi.strip()).strip()
