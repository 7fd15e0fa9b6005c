"""Settings from a configuration file, merged with the environment and the command line.

refcheck reads the ``[tool.refcheck]`` table of a ``pyproject.toml``, or a ``refcheck.toml``
whose keys are at the top level::

    [tool.refcheck]
    mailto = "you@example.org"
    fail-on = "warning"
    ignore-codes = ["pages-suffix"]
    ignore-references = [
        {reference = "B5", reason = "a 2007 letter that Crossref does not index"},
    ]
    sources = ["crossref", "arxiv", "dblp", "semanticscholar"]

:func:`find_config` looks for one from the manuscript's directory upwards (``refcheck.toml``
first, then a ``pyproject.toml`` that has a ``[tool.refcheck]`` table), stopping at the root
of a git repository. :func:`load_config` reads it into a :class:`Config`; an unknown key or a
value of the wrong type is a :class:`~refcheck.errors.ConfigError` naming the key and the file.

Precedence, highest first: command-line option, ``REFCHECK_*`` environment variable, the
file, the default (:func:`effective`, :meth:`Config.crossref_settings`,
:meth:`Config.source_base_urls`). Ignoring codes and references is :func:`apply_ignores`, a
pure function of a report.
"""

from __future__ import annotations

import logging
import os
import stat
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from refcheck.errors import ConfigError
from refcheck.model import CheckedReference, Finding, IgnoredReference, Report
from refcheck.output.formats import FORMATS, RULES
from refcheck.sources import pubmed as _pubmed
from refcheck.sources import semanticscholar as _semanticscholar
from refcheck.sources.chain import BASE_URL_VARIABLES, base_urls_from_env, parse_sources
from refcheck.sources.crossref import DEFAULT_BASE_URL, CrossrefSettings
from refcheck.sources.http.service import check_base_url as _checked_base_url
from refcheck.sources.http.service import origin as _origin

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "CONFIG_FILES",
    "Config",
    "IgnoreRule",
    "apply_ignores",
    "effective",
    "find_config",
    "load_config",
]

log = logging.getLogger(__name__)

#: The public API of each source whose key or token the user may give (see
#: :meth:`Config.secret_allowed`).
_PUBLIC_APIS = {
    "crossref": DEFAULT_BASE_URL,
    "pubmed": _pubmed.DEFAULT_BASE_URL,
    "semanticscholar": _semanticscholar.DEFAULT_BASE_URL,
}

#: The file names :func:`find_config` looks for, in each directory, in this order.
CONFIG_FILES = ("refcheck.toml", "pyproject.toml")

FAIL_ON = ("error", "warning", "info", "never")

#: Defaults of the settings that are not Crossref's (those are in CrossrefSettings).
DEFAULTS: Mapping[str, Any] = {
    "format": "text",
    "fail_on": "error",
    "concurrency": 3,
    "threshold": 0.80,
}


def _normal_doi(value: str) -> str:
    value = value.strip().lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


@attrs.frozen(slots=True)
class IgnoreRule:
    """A reference to set aside, by its label ("B5") or its DOI, with the reason why."""

    reference: str
    reason: str

    def matches(self, checked: CheckedReference) -> bool:
        """Whether ``checked`` is this reference: same label, or same cited or matched DOI."""
        if self.reference.strip().lower() == checked.citation.label.lower():
            return True
        dois = {d.lower() for d in (checked.reference.doi, checked.match.doi) if d}
        return _normal_doi(self.reference) in dois


@attrs.frozen(slots=True)
class Config:
    """The settings of one configuration file (``path``); ``None`` where the file is silent.

    ``cache`` is resolved against the file's directory, and must stay inside it (see
    :meth:`crossref_settings`); ``no_cache`` is ``cache = false``.
    """

    path: Path | None = None
    mailto: str | None = None
    fail_on: str | None = None
    format: str | None = None
    ignore_codes: tuple[str, ...] = ()
    ignore_references: tuple[IgnoreRule, ...] = ()
    threshold: float | None = None
    cache: Path | None = None
    no_cache: bool = False
    base_url: str | None = None
    timeout: float | None = None
    concurrency: int | None = None
    pubmed_base_url: str | None = None
    openalex_base_url: str | None = None
    datacite_base_url: str | None = None
    arxiv_base_url: str | None = None
    dblp_base_url: str | None = None
    semanticscholar_base_url: str | None = None
    sources: tuple[str, ...] = ()

    def crossref_settings(
        self, overrides: Mapping[str, Any], environ: Mapping[str, str] | None = None
    ) -> CrossrefSettings:
        """Crossref settings: ``overrides`` (the command line), then the environment, then
        this file, then the defaults.

        Raises :class:`~refcheck.errors.ConfigError` when the file's ``cache`` is used and
        lies outside the file's directory.
        """
        env = os.environ if environ is None else environ
        from_file: dict[str, Any] = {}
        for key, variable in (
            ("mailto", "REFCHECK_MAILTO"),
            ("base_url", "REFCHECK_BASE_URL"),
            ("timeout", "REFCHECK_TIMEOUT"),
        ):
            if getattr(self, key) is not None and variable not in env:
                from_file[key] = getattr(self, key)
        if "REFCHECK_CACHE" not in env and "cache" not in overrides:
            if self.no_cache:
                from_file["cache"] = None
            elif self.cache is not None:
                from_file["cache"] = self._contained_cache(self.cache)
        settings = CrossrefSettings.from_env(env, **{**from_file, **overrides})
        if settings.plus_token is not None and not self.secret_allowed(
            "crossref", overrides.get("base_url"), env
        ):
            log.warning(
                "%s sets base-url to %s: the Crossref Plus token is not sent there (give "
                "--base-url or REFCHECK_BASE_URL to send it to another server)",
                self.path,
                settings.base_url,
            )
            settings = attrs.evolve(settings, plus_token=None)
        return settings

    def secret_allowed(
        self, source: str, option: str | None, environ: Mapping[str, str] | None = None
    ) -> bool:
        """Whether the user's token or key for ``source`` ("crossref", "pubmed",
        "semanticscholar") may go to the
        base URL in force: not when this file chose it (``option``, the command line's base
        URL, is ``None`` and the environment sets none) and it is not the source's public API.

        A configuration file may come with the repository being checked: it must not be able
        to send the user's Crossref Plus token or NCBI key to a server of its choosing.
        """
        env = os.environ if environ is None else environ
        variable = "REFCHECK_BASE_URL" if source == "crossref" else BASE_URL_VARIABLES[source]
        chosen = self.base_url if source == "crossref" else getattr(self, f"{source}_base_url")
        if chosen is None or option is not None or variable in env:
            return True
        return _origin(chosen) == _origin(_PUBLIC_APIS[source])

    def _contained_cache(self, cache: Path) -> Path:
        """The file's ``cache``, if it stays inside the file's own directory.

        A configuration file may come with a repository refcheck is asked to check (in CI,
        somebody else's): its ``cache`` must not make refcheck open, create or move files
        elsewhere ("~", "../..", a symbolic link that leads out). A cache outside is the
        user's own say: ``--cache`` or ``REFCHECK_CACHE``.
        """
        if self.path is None:
            return cache
        root = self.path.parent.resolve()
        resolved = (self.path.parent / cache).resolve()
        if resolved == root or root not in resolved.parents:
            raise ConfigError(
                f"{self.path}: cache: {os.fspath(cache)!r} is outside {root}; a "
                "configuration file may keep its cache only inside its own directory (for a "
                "cache elsewhere, give --cache or REFCHECK_CACHE)"
            )
        return cache

    def source_base_urls(
        self, overrides: Mapping[str, str | None], environ: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        """The base URLs of the sources after Crossref, by name (``"pubmed"``...):
        ``overrides`` (the command line; ``None`` is not given), then
        ``REFCHECK_<NAME>_BASE_URL``, then this file (``pubmed-base-url``...); a source
        missing from the result asks its public API."""
        env = os.environ if environ is None else environ
        from_file: dict[str, str] = {}
        for name, variable in BASE_URL_VARIABLES.items():
            url = getattr(self, f"{name}_base_url")
            if url is not None and variable not in env:
                from_file[name] = url
        given = {name: url for name, url in overrides.items() if url is not None}
        return base_urls_from_env(env, **{**from_file, **given})


def find_config(start: str | os.PathLike[str]) -> Path | None:
    """The configuration file for a manuscript in (or at) ``start``, or ``None``.

    Looks in ``start`` and each parent: ``refcheck.toml``, then a ``pyproject.toml`` with a
    ``[tool.refcheck]`` table. Stops after the directory that holds ``.git``.
    """
    here = Path(start).resolve()
    if not here.is_dir():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / "refcheck.toml"
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_refcheck_table(pyproject):
            return pyproject
        if (directory / ".git").exists():
            return None
    return None


#: The largest configuration file read.
MAX_CONFIG_BYTES = 1024 * 1024


def _read_toml(path: Path) -> dict[str, Any]:
    """The TOML of a configuration file: a regular file of at most 1 MB, in UTF-8; anything
    else is a :class:`~refcheck.errors.ConfigError` naming the file."""
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            raise ConfigError(f"configuration file {path}: not a regular file")
        if status.st_size > MAX_CONFIG_BYTES:
            raise ConfigError(
                f"configuration file {path}: {status.st_size} bytes, more than the "
                f"{MAX_CONFIG_BYTES} refcheck reads"
            )
        data = path.read_bytes()[: MAX_CONFIG_BYTES + 1]
    except OSError as exc:
        raise ConfigError(f"cannot read configuration file {path}: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 (TOML files are UTF-8): byte {exc.start} is {data[exc.start]:#04x}"
        ) from None
    try:
        parsed: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parsed


def _has_refcheck_table(pyproject: Path) -> bool:
    """Whether a ``pyproject.toml`` has a ``[tool.refcheck]`` table (``tool = 5`` has none)."""
    tool = _read_toml(pyproject).get("tool")
    return isinstance(tool, dict) and "refcheck" in tool


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read a ``refcheck.toml``, or the ``[tool.refcheck]`` table of a ``pyproject.toml``."""
    file = Path(path)
    data = _read_toml(file)
    if file.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("refcheck", {}) if isinstance(tool, dict) else {}
        where = f"{file} [tool.refcheck]"
    else:
        table, where = data, str(file)
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table, found {type(table).__name__}")
    return _Reader(file, where).config(table)


@attrs.frozen
class _Reader:
    """Checks the keys and the types of one table, naming the key and the file when wrong."""

    file: Path
    where: str

    def error(self, key: str, expected: str, value: object) -> ConfigError:
        return ConfigError(f"{self.where}: {key}: expected {expected}, found {value!r}")

    def config(self, table: Mapping[str, Any]) -> Config:
        readers = {
            "mailto": self.mailto,
            "fail-on": lambda k, v: self.choice(k, v, FAIL_ON),
            "format": lambda k, v: self.choice(k, v, FORMATS),
            "ignore-codes": self.codes,
            "ignore-references": self.references,
            "threshold": self.threshold,
            "cache": self.cache,
            "base-url": self.base_url,
            "timeout": self.timeout,
            "concurrency": self.concurrency,
            "pubmed-base-url": self.base_url,
            "openalex-base-url": self.base_url,
            "datacite-base-url": self.base_url,
            "arxiv-base-url": self.base_url,
            "dblp-base-url": self.base_url,
            "semanticscholar-base-url": self.base_url,
            "sources": self.sources,
        }
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in readers:
                known = ", ".join(sorted(readers))
                raise ConfigError(f"{self.where}: unknown key {key!r} (known keys: {known})")
            read = readers[key](key, value)
            if key == "cache" and read is None:
                values["no_cache"] = True
            else:
                values[key.replace("-", "_")] = read
        return Config(path=self.file, **values)

    def string(self, key: str, value: object) -> str:
        if not isinstance(value, str):
            raise self.error(key, "a string", value)
        return value

    def mailto(self, key: str, value: object) -> str:
        text = self.string(key, value)
        if "@" not in text:
            raise self.error(key, "an e-mail address", value)
        return text

    def choice(self, key: str, value: object, choices: Sequence[str]) -> str:
        if value not in choices:
            raise self.error(key, "one of " + ", ".join(choices), value)
        return str(value)

    def codes(self, key: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, "a list of finding codes", value)
        unknown = [code for code in value if code not in RULES]
        if unknown:
            raise self.error(key, "finding codes (see docs/findings.md)", unknown[0])
        return tuple(value)

    def references(self, key: str, value: object) -> tuple[IgnoreRule, ...]:
        expected = 'a list of {reference = "label or DOI", reason = "..."} tables'
        if not isinstance(value, list):
            raise self.error(key, expected, value)
        rules = []
        for item in value:
            if not isinstance(item, dict) or set(item) - {"reference", "reason"}:
                raise self.error(key, expected, item)
            reference, reason = item.get("reference"), item.get("reason")
            if not isinstance(reference, str) or not reference.strip():
                raise self.error(f"{key}.reference", "a label or a DOI", reference)
            if not isinstance(reason, str) or not reason.strip():
                raise self.error(f"{key}.reason", f"the reason {reference} is ignored", reason)
            rules.append(IgnoreRule(reference.strip(), " ".join(reason.split())))
        return tuple(rules)

    def threshold(self, key: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
            raise self.error(key, "a number between 0 and 1", value)
        return float(value)

    def cache(self, key: str, value: object) -> Path | None:
        """A path relative to the file's directory (one that leads out of it, "~" or "..",
        is refused when used: :meth:`Config._contained_cache`), or ``None`` for ``false``."""
        if value is False:
            return None
        text = self.string(key, value) if value is not True else ""
        if not text.strip() or "\x00" in text:
            raise self.error(key, "a file name, or false for no cache", value)
        return self.file.parent / Path(text).expanduser()

    def base_url(self, key: str, value: object) -> str:
        """Crossref's or another source's base URL, checked as ``CrossrefSettings`` checks it."""
        text = self.string(key, value)
        try:
            return _checked_base_url(text)
        except ConfigError:
            raise self.error(key, "an http(s) URL", value) from None

    def timeout(self, key: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, "a number of seconds > 0", value)
        if not 0 < value < float("inf"):
            raise self.error(key, "a number of seconds > 0", value)
        return float(value)

    def sources(self, key: str, value: object) -> tuple[str, ...]:
        """``sources = ["crossref", "arxiv"]`` (or "auto", or a comma-separated string)."""
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, 'a list of source names (["crossref", "arxiv", ...])', value)
        try:
            return parse_sources(value)
        except ConfigError as exc:
            raise self.error(key, str(exc).removeprefix("sources: expected "), value) from None

    def concurrency(self, key: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10:
            raise self.error(key, "a whole number from 1 to 10", value)
        return value


def effective(
    name: str,
    option: Any,
    config: Config,
    environ: Mapping[str, str] | None = None,
) -> Any:
    """The value of ``format``, ``fail_on``, ``concurrency`` or ``threshold``.

    The command-line ``option`` if given (not ``None``), else ``REFCHECK_<NAME>``, else the
    file's value, else the default.
    """
    if option is not None:
        return option
    env = os.environ if environ is None else environ
    variable = f"REFCHECK_{name.upper()}"
    if (raw := env.get(variable)) is not None:
        return _from_env(name, variable, raw)
    value = getattr(config, name)
    return DEFAULTS[name] if value is None else value


def _from_env(name: str, variable: str, raw: str) -> Any:
    value = raw.strip()
    if name == "format" and value in FORMATS:
        return value
    if name == "fail_on" and value in FAIL_ON:
        return value
    if name == "concurrency" and value.isdigit() and 1 <= int(value) <= 10:
        return int(value)
    if name == "threshold":
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if 0 < number <= 1:
            return number
    expected = {
        "format": "one of " + ", ".join(FORMATS),
        "fail_on": "one of " + ", ".join(FAIL_ON),
        "concurrency": "a whole number from 1 to 10",
        "threshold": "a number between 0 and 1",
    }[name]
    raise ConfigError(f"{variable}: expected {expected}, found {raw!r}")


def apply_ignores(
    report: Report, codes: Iterable[str] = (), references: Iterable[IgnoreRule] = ()
) -> Report:
    """The report without the findings whose code is in ``codes``, and with the references
    that ``references`` name moved to ``report.ignored``, each with its reason."""
    dropped = frozenset(codes)
    rules = tuple(references)

    def keep(findings: Iterable[Finding]) -> tuple[Finding, ...]:
        return tuple(f for f in findings if f.code not in dropped)

    kept: list[CheckedReference] = []
    ignored = list(report.ignored)
    for checked in report.references:
        checked = attrs.evolve(checked, findings=keep(checked.findings))
        rule = next((r for r in rules if r.matches(checked)), None)
        if rule is None:
            kept.append(checked)
        else:
            ignored.append(IgnoredReference(checked, rule.reason))
    return attrs.evolve(report, references=kept, findings=keep(report.findings), ignored=ignored)
