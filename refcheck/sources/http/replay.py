"""Recorded HTTP exchanges: write them from real traffic, serve them back with no network.

A replay file is JSON Lines, one exchange a line::

    {"method": "GET", "url": "/works/10.1000%2Fx?rows=5", "status": 200,
     "headers": {"Content-Type": "application/json"}, "body": "{...}"}

``url`` is the request's path relative to the service's base URL, with its query parameters
sorted and without ``mailto``, so a file recorded against one server (say the stand-in of
:mod:`refcheck.testing`) replays against any base URL and any e-mail address. ``body`` is
the decoded text of the answer.

:class:`RecordingAdapter` writes such a file while passing requests on to the network;
:class:`ReplayAdapter` answers from one and raises :class:`~refcheck.errors.NotCached` for
anything the file lacks. :class:`refcheck.sources.crossref.CrossrefClient` mounts them for its
``record=`` and ``replay=`` settings.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from refcheck.errors import ConfigError, NotCached
from refcheck.sources.http.transport import BoundedAdapter

__all__ = ["RecordingAdapter", "ReplayAdapter", "exchange_key", "load_exchanges"]

#: Response headers not worth keeping: they describe the transfer, not the answer.
_TRANSFER_HEADERS = frozenset(
    {
        "connection",
        "content-encoding",
        "content-length",
        "date",
        "keep-alive",
        "transfer-encoding",
        "set-cookie",
    }
)
_IGNORED_PARAMS = frozenset({"mailto"})


def exchange_key(method: str, url: str, base_url: str) -> str:
    """``METHOD path?sorted-query`` of ``url``, relative to ``base_url``, without ``mailto``."""
    parts = urlsplit(url)
    base_path = urlsplit(base_url).path.rstrip("/")
    path = parts.path
    if base_path and path.startswith(base_path):
        path = path[len(base_path) :] or "/"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k not in _IGNORED_PARAMS
    )
    target = f"{path}?{urlencode(query)}" if query else path
    return f"{method.upper()} {target}"


def load_exchanges(path: Path | str) -> dict[str, dict[str, Any]]:
    """The exchanges of a replay file, keyed by ``"METHOD url"``; the last line wins.

    Raises :class:`~refcheck.errors.ConfigError` when the file cannot be read or a line is
    not a recorded exchange.
    """
    path = Path(path)
    exchanges: dict[str, dict[str, Any]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"replay file {path}: cannot read it: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            exchange = json.loads(line)
            key = f"{exchange['method'].upper()} {exchange['url']}"
            int(exchange["status"])
            str(exchange["body"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(
                f"replay file {path}:{number}: expected a JSON object with method, url, "
                f"status, headers and body, found {line[:80]!r}"
            ) from exc
        exchanges[key] = exchange
    return exchanges


class ReplayAdapter(BaseAdapter):
    """A transport adapter that answers from recorded exchanges and never touches the network."""

    def __init__(self, exchanges: Mapping[str, Mapping[str, Any]], base_url: str) -> None:
        super().__init__()
        self._exchanges = dict(exchanges)
        self._base_url = base_url

    @classmethod
    def from_file(cls, path: Path | str, base_url: str) -> ReplayAdapter:
        return cls(load_exchanges(path), base_url)

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        key = exchange_key(request.method or "GET", request.url or "", self._base_url)
        exchange = self._exchanges.get(key)
        if exchange is None:
            raise NotCached(
                f"replay: no recorded answer for {key}", reason="not in the replay file"
            )
        response = requests.Response()
        response.status_code = int(exchange["status"])
        response.headers = CaseInsensitiveDict(exchange.get("headers") or {})
        response.encoding = "utf-8"
        response._content = str(exchange["body"]).encode("utf-8")
        response.url = request.url or ""
        response.request = request
        response.reason = "Replayed"
        return response

    def close(self) -> None:
        pass


class RecordingAdapter(BoundedAdapter):
    """The bounded transport (:class:`~refcheck.sources.http.transport.BoundedAdapter`), also
    appending the answers it receives to a replay file.

    Passing failures (``429`` and ``5xx``) are not written: replaying them would only
    replay the failure.

    Mounted on a session for ``base_url``. Safe to share between threads: lines are written
    whole, under a lock. Use it without a cache, so that every request reaches the adapter.
    """

    def __init__(self, path: Path | str, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._path = Path(path)
        self._base_url = base_url
        self._lock = threading.Lock()

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        response = super().send(request, *args, **kwargs)
        if response.status_code == 429 or response.status_code >= 500:
            return response  # a passing failure, not an answer worth replaying
        key = exchange_key(request.method or "GET", request.url or "", self._base_url)
        method, _, url = key.partition(" ")
        exchange = {
            "method": method,
            "url": url,
            "status": response.status_code,
            "headers": {
                k: v for k, v in response.headers.items() if k.lower() not in _TRANSFER_HEADERS
            },
            "body": response.content.decode(response.encoding or "utf-8", errors="replace"),
        }
        line = json.dumps(exchange, ensure_ascii=False, sort_keys=True)
        with self._lock, self._path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
        return response
