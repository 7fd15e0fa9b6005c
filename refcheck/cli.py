"""The ``refcheck`` command: a thin shell over the library.

Each command calls one library function, prints its result, and turns a
:class:`~refcheck.errors.RefcheckError` into a one-line ``Error: ...`` on stderr.

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 usage error (bad option, bad
setting, unreadable manuscript, a report that cannot be written), 3 could not check (no
reference found, or none could be checked), 130 interrupted (Ctrl-C: the report of what was
checked is still written; a second Ctrl-C quits at once).
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, TextIO

import attrs
import click
from click.core import ParameterSource

from refcheck._version import __version__
from refcheck.batch import BatchSources, check_batch
from refcheck.check import Progress, check_files
from refcheck.config import Config, apply_ignores, effective, find_config, load_config
from refcheck.errors import (
    CheckInterrupted,
    ConfigError,
    ExportError,
    ParseError,
    RefcheckError,
)
from refcheck.model import MatchStatus, ReferenceStatus, Report, Severity
from refcheck.output.bibtex import entry_counts, to_bibtex
from refcheck.output.files import check_output, write_output
from refcheck.output.formats import FORMATS, render
from refcheck.output.report import terminal_line
from refcheck.parsing import parse_citation
from refcheck.readers import MAX_BYTES, decode_text
from refcheck.sources.chain import (
    BASE_URL_VARIABLES,
    SOURCE_LABELS,
    SourceChain,
    open_fallbacks,
    parse_sources,
)
from refcheck.sources.crossref import CrossrefClient, CrossrefSettings
from refcheck.sources.datacite import DataCiteClient
from refcheck.sources.habanero import HabaneroSource
from refcheck.sources.http.service import check_base_url
from refcheck.sources.openalex import OpenAlexClient
from refcheck.sources.pubmed import PubMedClient
from refcheck.sources.resolve import WorkSource, explain
from refcheck.sources.snapshot import SnapshotSource, split_sources
from refcheck.sources.snapshot_build import build_index, update_index

__all__ = [
    "EXIT_CLEAN",
    "EXIT_FINDINGS",
    "EXIT_INTERRUPTED",
    "EXIT_UNCHECKED",
    "EXIT_USAGE",
    "main",
]

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_UNCHECKED = 3
#: 128 + SIGINT, as shells report a program that Ctrl-C stopped.
EXIT_INTERRUPTED = 130

_FAIL_ON = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}


def _check_options(options: dict[str, Any]) -> None:
    """The service options' values, checked as the settings check them, each error naming the
    option as typed (``--base-url``) rather than the setting behind it (``base_url``), or the
    variable when the value came from one (``REFCHECK_SOURCES``)."""
    context = click.get_current_context(silent=True)

    def where(key: str, variable: str | None = None) -> str:
        source = context.get_parameter_source(key) if context is not None else None
        if variable and source is ParameterSource.ENVIRONMENT:
            return variable
        return "--" + key.replace("_", "-")

    for key in ("base_url", *(f"{name}_base_url" for name in BASE_URL_VARIABLES)):
        value = options.get(key)
        if value is not None:
            try:
                check_base_url(value)
            except ConfigError:
                raise ConfigError(
                    f"{where(key)}: expected an http(s) URL, found {value!r}"
                ) from None
    mailto = options.get("mailto")
    if mailto is not None and mailto.strip() and "@" not in mailto:
        raise ConfigError(f"--mailto: expected an e-mail address, found {mailto!r}")
    timeout = options.get("timeout")
    if timeout is not None and not 0 < timeout < float("inf"):
        raise ConfigError(f"--timeout: expected a number of seconds > 0, found {timeout:g}")
    if options.get("sources") is not None:
        try:
            _, names = split_sources(options["sources"])
            if names or "snapshot:" not in options["sources"].lower():
                parse_sources(names)
        except ConfigError as exc:
            message = str(exc).removeprefix("sources: ")
            raise ConfigError(f"{where('sources', 'REFCHECK_SOURCES')}: {message}") from None
    if options.get("offline") and options.get("no_cache") and options.get("replay") is None:
        raise ConfigError("--offline answers from the cache, and --no-cache turns it off")


def _service_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that talks to Crossref takes."""
    options = [
        click.option(
            "--mailto",
            metavar="EMAIL",
            help="Your e-mail for Crossref's polite pool [REFCHECK_MAILTO].",
        ),
        click.option(
            "--base-url",
            metavar="URL",
            help="Crossref API base URL [REFCHECK_BASE_URL].",
        ),
        click.option(
            "--timeout",
            type=float,
            metavar="SECONDS",
            help="Timeout of each request [REFCHECK_TIMEOUT].",
        ),
        click.option(
            "--cache",
            "cache_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Cache file [REFCHECK_CACHE].",
        ),
        click.option("--no-cache", is_flag=True, help="Do not read or write the cache."),
        click.option(
            "--offline",
            is_flag=True,
            default=None,
            help="Answer from the cache only [REFCHECK_OFFLINE].",
        ),
        click.option(
            "--replay",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Answer from a file of recorded Crossref responses (implies --offline).",
        ),
        click.option(
            "--sources",
            envvar="REFCHECK_SOURCES",
            metavar="NAMES",
            help="Sources to ask, among crossref, arxiv, dblp, pubmed, openalex, "
            "semanticscholar, datacite ('auto': all but pubmed; 'all'); each reference is "
            "routed to those that suit it (an arXiv id to arXiv, a CS venue to dblp, a DOI to "
            "its registry), the next only while it is unresolved [default: auto, or crossref "
            "with --replay]. snapshot:INDEX asks a local index (refcheck index build) first "
            "[REFCHECK_SOURCES].",
        ),
        *(
            click.option(
                f"--{name}-base-url",
                metavar="URL",
                help=f"{label} API base URL, when {name} is among --sources "
                f"[{BASE_URL_VARIABLES[name]}].",
            )
            for name, label in (
                ("pubmed", "PubMed (NCBI E-utilities)"),
                ("openalex", "OpenAlex"),
                ("datacite", "DataCite"),
                ("arxiv", "arXiv"),
                ("dblp", "dblp"),
                ("semanticscholar", "Semantic Scholar Graph"),
            )
        ),
        click.option(
            "--transport",
            type=click.Choice(["requests", "habanero"]),
            default="requests",
            show_default=True,
            envvar="REFCHECK_TRANSPORT",
            help="How to talk to Crossref: refcheck's own client (cache, retries, offline), "
            "or habanero (optional extra; no cache, retries or offline) [REFCHECK_TRANSPORT].",
        ),
        click.option(
            "--ncbi-api-key",
            envvar="REFCHECK_NCBI_API_KEY",
            metavar="KEY",
            help="NCBI E-utilities API key, sent to PubMed only [REFCHECK_NCBI_API_KEY].",
        ),
        click.option(
            "--semanticscholar-api-key",
            envvar="REFCHECK_SEMANTICSCHOLAR_API_KEY",
            metavar="KEY",
            help="Semantic Scholar API key, sent to Semantic Scholar only "
            "[REFCHECK_SEMANTICSCHOLAR_API_KEY].",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _config_option(where: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--config FILE``, found by default from ``where`` upwards (see :func:`_config`)."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help=f"Configuration file (refcheck.toml or pyproject.toml) [default: found from {where} "
        "upwards].",
    )


def _config(config_path: Path | None, start: Path) -> Config:
    """The file given with ``--config``, else the one :func:`find_config` finds from ``start``,
    else no file (the defaults)."""
    found = config_path or find_config(start)
    return load_config(found) if found is not None else Config()


def _run_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of the commands that check whole manuscripts (``check``, ``bibtex``)."""
    command = click.option(
        "--progress/--no-progress",
        default=None,
        help="Progress on stderr: a bar on a terminal, a line each tenth of the way elsewhere "
        "(default: when stderr is a terminal).",
    )(command)
    command = _config_option("the first manuscript's directory")(command)
    return click.option(
        "--concurrency",
        type=click.IntRange(1, 10),
        help="Requests in flight at once [default: 3; REFCHECK_CONCURRENCY].",
    )(command)


def _settings(options: dict[str, Any], config: Config | None = None) -> CrossrefSettings:
    _check_options(options)
    overrides: dict[str, Any] = {}
    for key in ("mailto", "base_url", "timeout", "replay"):
        if options.get(key) is not None:
            overrides[key] = options[key]
    if options.get("offline"):
        overrides["offline"] = True
    if options.get("no_cache"):
        overrides["cache"] = None
    elif options.get("cache_path") is not None:
        overrides["cache"] = options["cache_path"]
    return (config or Config()).crossref_settings(overrides)


@contextmanager
def _habanero(
    options: dict[str, Any], settings: CrossrefSettings
) -> Iterator[HabaneroSource | None]:
    """A :class:`~refcheck.sources.habanero.HabaneroSource` for ``--transport habanero``, else
    ``None`` (refcheck's own client)."""
    if options.get("transport") != "habanero":
        yield None
        return
    with HabaneroSource(settings) as source:
        yield source


def _source_names(
    options: dict[str, Any], settings: CrossrefSettings, config: Config
) -> tuple[str, ...]:
    """``--sources`` (or ``REFCHECK_SOURCES``), else the file's ``sources``, else ``auto``;
    with ``--replay`` (which holds Crossref's answers only) the default is Crossref alone."""
    index, given = _snapshot_and_names(options, config)
    if index is not None and not given:
        return ()  # the local index alone
    if given is None or not given:
        given = "crossref" if settings.replay is not None else "auto"
    return parse_sources(given)


def _snapshot_and_names(options: dict[str, Any], config: Config) -> tuple[Path | None, str | None]:
    """The local index of ``snapshot:INDEX`` in the sources, if any, and the other names."""
    given = options.get("sources") or (",".join(config.sources) if config.sources else None)
    if given is None:
        return None, None
    return split_sources(given)


def _api_keys(options: dict[str, Any], config: Config) -> dict[str, str | None]:
    """``ncbi_api_key`` and ``semanticscholar_api_key`` as given, each left out (with a
    warning) when a configuration file found beside the manuscript sends that service to
    another server: a key goes only to the server the command line or the environment names."""
    keys: dict[str, str | None] = {}
    for source, option, what in (
        ("pubmed", "ncbi_api_key", "NCBI API key"),
        ("semanticscholar", "semanticscholar_api_key", "Semantic Scholar API key"),
    ):
        key = options.get(option)
        if key and not config.secret_allowed(source, options.get(f"{source}_base_url")):
            click.echo(
                f"Warning: {config.path} sets {source}-base-url: the {what} is not sent there "
                f"(give --{source}-base-url or {BASE_URL_VARIABLES[source]} to send it "
                "elsewhere)",
                err=True,
            )
            key = None
        keys[option] = key
    return keys


@contextmanager
def _fallbacks(
    options: dict[str, Any], settings: CrossrefSettings, config: Config
) -> Iterator[list[PubMedClient | OpenAlexClient | DataCiteClient]]:
    """The clients of ``--sources`` after Crossref, at their base URLs (``--pubmed-base-url``...,
    then ``REFCHECK_PUBMED_BASE_URL``..., then the file), closed on exit."""
    base_urls = config.source_base_urls(
        {name: options.get(f"{name}_base_url") for name in BASE_URL_VARIABLES}
    )
    keys = _api_keys(options, config)
    names = _source_names(options, settings, config)
    clients = (
        open_fallbacks(
            names,
            settings,
            ncbi_api_key=keys["ncbi_api_key"],
            semanticscholar_api_key=keys["semanticscholar_api_key"],
            base_urls=base_urls,
        )
        if names
        else []
    )
    try:
        yield clients
    finally:
        for client in clients:
            client.close()


def _error(message: str) -> None:
    """``Error: message`` on stderr, one line, no control character (a file name or a
    service's answer may hold terminal escapes)."""
    click.echo(f"Error: {terminal_line(message)}", err=True)


@contextmanager
def _sources(
    options: dict[str, Any], settings: CrossrefSettings, config: Config
) -> Iterator[tuple[WorkSource | None, list[WorkSource]]]:
    """The first source and those after it, from ``--sources`` and ``--transport``: with
    ``snapshot:INDEX``, the local index first, then Crossref (when named) and the rest; else
    Crossref (``None``: the library opens its own client) and the rest. Closed on exit."""
    index, _ = _snapshot_and_names(options, config)
    names = _source_names(options, settings, config)
    with (
        _habanero(options, settings) as habanero,
        _fallbacks(options, settings, config) as fallbacks,
    ):
        if index is None:
            yield habanero, list(fallbacks)
            return
        with SnapshotSource(index) as snapshot:
            if not names:
                yield snapshot, []
                return
            with habanero or CrossrefClient(settings) as crossref:
                yield snapshot, [crossref, *fallbacks]


@contextmanager
def _errors() -> Iterator[None]:
    """Turn refcheck's errors into ``Error: ...`` and an exit code, without a traceback."""
    try:
        yield
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except (ConfigError, ParseError, ExportError) as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    except RefcheckError as exc:
        _error(str(exc))
        sys.exit(EXIT_UNCHECKED)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="refcheck")
def cli() -> None:
    """Check the references of scholarly manuscripts against Crossref, arXiv, dblp and the
    broad indexes."""


@cli.command()
@click.argument("manuscripts", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    help="Report format: text, JSON, GitHub Actions annotations, GitLab Code Quality, "
    "JUnit XML or SARIF 2.1.0 "
    "[default: text; REFCHECK_FORMAT].",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    help="Exit with 1 when a finding is at least this severe [default: error; REFCHECK_FAIL_ON].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to a file.",
)
@click.option("-v", "--verbose", is_flag=True, help="Also list references without findings.")
@_run_options
@_service_options
def check(
    manuscripts: tuple[Path, ...],
    output_format: str | None,
    fail_on: str | None,
    output: Path | None,
    verbose: bool,
    concurrency: int | None,
    config_path: Path | None,
    progress: bool | None,
    **service: Any,
) -> None:
    """Check the references of MANUSCRIPTS (Markdown, text, .bib, .tex/.bbl, .docx, JATS .xml,
    PDF).

    Prints one line per finding, `file:line: [label] code (severity): message [doi]`,
    grouped by reference, and a summary line.
    """
    with _errors():
        config = _config(config_path, manuscripts[0])
        output_format = effective("format", output_format, config)
        fail_on = effective("fail_on", fail_on, config)
        settings = _settings(service, config)
        inputs = _inputs(manuscripts, config, settings)
        if output is not None:
            check_output(output, inputs=inputs)  # before the run, not after it
        show_progress = sys.stderr.isatty() if progress is None else progress
        interrupted: CheckInterrupted | None = None
        with (
            _sources(service, settings, config) as (first, fallbacks),
            _progress_bar(show_progress) as callback,
        ):
            try:
                report = check_files(
                    manuscripts,
                    source=first,
                    settings=settings,
                    concurrency=effective("concurrency", concurrency, config),
                    progress=callback,
                    threshold=effective("threshold", None, config),
                    fallbacks=fallbacks,
                )
            except CheckInterrupted as stopped:
                report, interrupted = stopped.report, stopped
        report = apply_ignores(report, config.ignore_codes, config.ignore_references)
        rendered = render(report, output_format, verbose=verbose, fail_on=_FAIL_ON.get(fail_on))
        _write(output, rendered, inputs)
    _say_unreachable(report.unreachable)
    if interrupted is not None:
        distinct = len({r.reference for r in report.references})
        click.echo(
            f"Interrupted: {interrupted.reached} of {distinct} distinct references were "
            "checked; the report marks the others not checked.",
            err=True,
        )
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(exit_code(report, fail_on))


def _inputs(manuscripts: Iterable[Path], config: Config, settings: CrossrefSettings) -> list[Path]:
    """The files a run reads or keeps, which an output file must never be."""
    files = [*manuscripts, config.path, settings.cache, settings.replay]
    return [Path(f) for f in files if f is not None]


def _write(output: Path | None, text: str, inputs: Iterable[Path]) -> None:
    """``text`` to ``output`` (whole or not at all), or to stdout. When ``output`` cannot be
    written after all (a full disk), the text goes to stdout instead, nothing lost, and the
    command exits 2."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_output(output, text, inputs=inputs)
    except ExportError as exc:
        _error(f"{exc}; written to standard output instead")
        click.echo(text, nl=False)
        sys.exit(EXIT_USAGE)


def _say_unreachable(messages: Iterable[str]) -> None:
    """One line on stderr for each service the run stopped asking."""
    for message in messages:
        click.echo(
            f"{message}: check the network, or run with --offline to use the cache", err=True
        )


def exit_code(report: Report, fail_on: str) -> int:
    """The exit code for a report (see the module docstring)."""
    if not report.references and not report.ignored:
        _error("no reference list found in " + ", ".join(report.files))
        return EXIT_UNCHECKED
    if report.references and all(r.status is ReferenceStatus.UNCHECKED for r in report.references):
        return EXIT_UNCHECKED
    if report.unreachable:
        return EXIT_UNCHECKED  # a service could not be reached: the check is not complete
    threshold = _FAIL_ON.get(fail_on)
    if threshold is not None and any(f.severity >= threshold for f in report.all_findings):
        return EXIT_FINDINGS
    return EXIT_CLEAN


@contextmanager
def _progress_bar(enabled: bool, file: TextIO | None = None) -> Iterator[Progress | None]:
    """Progress on ``file`` (stderr): on a terminal, click's bar; elsewhere (a CI log, a file),
    a line at each tenth of the way, ``Checking references: 12/58 (3 s)``, since a bar drawn
    with carriage returns is one garbled line in a log, and click's prints only its label
    there. (tqdm and rich were measured too: benchmarks/progress.py, docs/benchmarks.md.)"""
    if not enabled:
        yield None
        return
    out = file if file is not None else sys.stderr
    if not out.isatty():
        started = time.monotonic()

        def line(done: int, total: int) -> None:
            if done == total or done % max(1, -(-total // 10)) == 0:
                elapsed = time.monotonic() - started
                click.echo(f"Checking references: {done}/{total} ({elapsed:.0f} s)", file=out)

        yield line
        return
    bar: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="Checking references", file=out)
            bar.__enter__()
        bar.update(1)

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _citation_text(citation: str | None) -> str:
    """A CITATION argument with text in it; an empty one is a usage error, not an empty parse."""
    if not (citation or "").strip():
        raise ParseError("CITATION is empty: give the text of one citation")
    return citation or ""


@cli.command()
@click.argument("citation", required=False)
@click.option(
    "--file",
    "citation_file",
    type=click.File("rb"),
    help="Parse each line of FILE as one citation ('-' for standard input); any encoding "
    "(as manuscripts are read).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "jsonl"]),
    default="text",
    show_default=True,
    help="'key: value' lines, JSON (an object, or an array with --file), or one JSON object "
    "a line.",
)
def parse(citation: str | None, citation_file: Any, output_format: str) -> None:
    """Parse one CITATION (or every line of --file) and print the fields; no network."""
    if (citation is None) == (citation_file is None):
        raise click.UsageError("give either a CITATION or --file FILE, not both nor neither")
    with _errors():
        if citation_file is None:
            citations = [_citation_text(citation)]
        else:
            text = _read_citations(citation_file)
            citations = [line.strip() for line in text.splitlines() if line.strip()]
            if not citations:
                raise ParseError(
                    f"--file {citation_file.name}: no citation in it, every line is blank"
                )
        records = [attrs.asdict(parse_citation(c), recurse=True) for c in citations]
    if output_format == "jsonl":
        for record in records:
            click.echo(json.dumps(record, ensure_ascii=False))
    elif output_format == "json":
        data: Any = records if citation_file is not None else records[0]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for index, record in enumerate(records):
            if index:
                click.echo("")
            for key, value in record.items():
                if key == "authors":
                    value = "; ".join(
                        f"{a['family']}, {a['given'] or ''}".rstrip(", ") for a in value
                    )
                if value not in (None, "", (), [], False):
                    click.echo(f"{key}: {value}")


@cli.command()
@click.argument("citation")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@_config_option("the current directory")
@_service_options
def resolve(citation: str, output_format: str, config_path: Path | None, **service: Any) -> None:
    """Resolve one CITATION to its work (Crossref, arXiv, dblp...), with the evidence.

    The configuration file's service settings and threshold apply; without --config it is
    looked for from the current directory upwards.
    """
    with _errors():
        config = _config(config_path, Path.cwd())
        reference = parse_citation(_citation_text(citation))
        settings = _settings(service, config)
        threshold = effective("threshold", None, config)
        with (
            _sources(service, settings, config) as (first, fallbacks),
            CrossrefClient(settings) if first is None else nullcontext(first) as client,
        ):
            match = SourceChain((client, *fallbacks), threshold=threshold).resolve(reference)
            unreachable = [
                str(error)
                for source in (client, *fallbacks)
                if (error := getattr(getattr(source, "breaker", None), "tripped", None))
            ]
    explained = {**explain(match), "source": match.source}
    if output_format == "json":
        click.echo(json.dumps(explained, indent=2, ensure_ascii=False))
    else:
        click.echo(_explained_text(explained), nl=False)
    _say_unreachable(unreachable)
    sys.exit(
        EXIT_UNCHECKED
        if unreachable
        else EXIT_CLEAN
        if match.status is MatchStatus.MATCHED
        else EXIT_FINDINGS
        if match.status is not MatchStatus.UNCHECKED
        else EXIT_UNCHECKED
    )


@cli.command()
@click.argument("manuscripts", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the BibTeX to a file (default: stdout).",
)
@click.option(
    "--unicode",
    is_flag=True,
    help="Keep accented letters as UTF-8 (for biber) instead of LaTeX commands (for bibtex).",
)
@click.option(
    "--published-version",
    "published",
    is_flag=True,
    help="For a preprint that was published, export the published version (its venue, year "
    "and DOI) instead of the preprint.",
)
@_run_options
@_service_options
def bibtex(
    manuscripts: tuple[Path, ...],
    output: Path | None,
    unicode: bool,
    published: bool,
    concurrency: int | None,
    config_path: Path | None,
    progress: bool | None,
    **service: Any,
) -> None:
    """Write the references of MANUSCRIPTS as BibTeX, from their records (Crossref, arXiv...).

    One entry per resolved work; unresolved references are exported from their parsed
    fields and marked `note = {refcheck: unresolved}`. A summary goes to stderr.
    """
    with _errors():
        config = _config(config_path, manuscripts[0])
        settings = _settings(service, config)
        inputs = _inputs(manuscripts, config, settings)
        if output is not None:
            check_output(output, inputs=inputs)  # before the run, not after it
        show_progress = sys.stderr.isatty() if progress is None else progress
        with (
            _sources(service, settings, config) as (first, fallbacks),
            _progress_bar(show_progress) as callback,
        ):
            report = check_files(
                manuscripts,
                source=first,
                settings=settings,
                concurrency=effective("concurrency", concurrency, config),
                progress=callback,
                threshold=effective("threshold", None, config),
                fallbacks=fallbacks,
            )
        # Ctrl-C writes no BibTeX: half an export is worse than none (KeyboardInterrupt).
        if not report.references:
            _error("no reference list found in " + ", ".join(report.files))
            sys.exit(EXIT_UNCHECKED)
        _write(output, to_bibtex(report, unicode=unicode, published=published), inputs)
    click.echo(
        _entries_line(entry_counts(report, published=published))
        + (f", written to {output}" if output is not None else ""),
        err=True,
    )
    _say_unreachable(report.unreachable)
    unchecked = all(r.status is ReferenceStatus.UNCHECKED for r in report.references)
    sys.exit(EXIT_UNCHECKED if unchecked or report.unreachable else EXIT_CLEAN)


def _entries_line(counts: dict[str, int]) -> str:
    """ "13 entries: 11 from Crossref, 1 from PubMed, 1 unresolved": what each entry is built
    from, a work's record or (marked in the file) a reference that has none."""
    statuses = {"unresolved": "unresolved", "ambiguous": "ambiguous", "unchecked": "not checked"}
    sources = [name for name in counts if name not in statuses]
    parts = [f"{counts.get('crossref', 0)} from Crossref"]
    parts += [
        f"{counts[name]} from {SOURCE_LABELS.get(name, name)}"
        for name in sources
        if name != "crossref"
    ]
    parts += [f"{counts[kind]} {label}" for kind, label in statuses.items() if counts.get(kind)]
    total = sum(counts.values())
    return f"{total} entr{'y' if total == 1 else 'ies'}: " + ", ".join(parts)


def _read_citations(stream: Any) -> str:
    """The text of ``parse --file``'s file or standard input: at most 50 MB, decoded as
    manuscripts are (any encoding, control characters replaced)."""
    name = getattr(stream, "name", "<stdin>")
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ParseError(f"{name}: more than the {MAX_BYTES} bytes (50 MB) refcheck reads")
    return decode_text(data, name if isinstance(name, str) else "<stdin>")


@cli.command()
@click.argument("references", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Results, one JSON object a line; an existing one is resumed.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="A Dask scheduler (tcp://host:8786) [default: a local cluster].",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    help="Worker processes of the local cluster [default: one per core].",
)
@click.option(
    "--chunk",
    type=click.IntRange(1, 100_000),
    default=200,
    show_default=True,
    help="Lines a task.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress and rate on stderr (default: when it is a terminal).",
)
@_config_option("the current directory")
@_service_options
def batch(
    references: Path,
    output: Path,
    scheduler: str | None,
    workers: int | None,
    chunk: int,
    progress: bool | None,
    config_path: Path | None,
    **service: Any,
) -> None:
    """Check REFERENCES (one citation, or one structured reference, a JSON line) on Dask,
    writing one result a line to --output, as the JSON report's references.

    A killed run, started again with the same --output, goes on where it stopped.
    """
    show = sys.stderr.isatty() if progress is None else progress
    with _errors():
        config = _config(config_path, Path.cwd())
        settings = _settings(service, config)
        index, names = split_sources(service.get("sources") or "crossref")
        wanted = parse_sources(names) if names else ()
        keys = _api_keys(service, config)
        sources = BatchSources(
            snapshot=index,
            crossref=settings if wanted else None,
            fallbacks=tuple(n for n in wanted if n != "crossref"),
            base_urls=config.source_base_urls(
                {name: service.get(f"{name}_base_url") for name in BASE_URL_VARIABLES}
            ),
            threshold=effective("threshold", None, config),
            ncbi_api_key=keys["ncbi_api_key"],
            semanticscholar_api_key=keys["semanticscholar_api_key"],
        )
        check_output(output, inputs=[references, config.path, settings.cache, settings.replay])
        started = time.perf_counter()

        def report(written: int, resumed_after: int) -> None:
            rate = written / max(time.perf_counter() - started, 1e-9)
            again = f" (resumed after line {resumed_after:,})" if resumed_after else ""
            click.echo(
                f"\rChecked {written:,} references{again}, {rate:,.0f}/s", err=True, nl=False
            )

        try:
            result = check_batch(
                references,
                output,
                sources=sources,
                scheduler=scheduler,
                workers=workers,
                chunk=chunk,
                progress=report if show else None,
            )
        except KeyboardInterrupt:
            click.echo(
                f"\nInterrupted: the results written to {output} are kept; the same command "
                "goes on from there.",
                err=True,
            )
            sys.exit(EXIT_INTERRUPTED)
    if show:
        click.echo("", err=True)
    resumed = f" after line {result.resumed_after:,}" if result.resumed_after else ""
    click.echo(
        f"{result.written:,} results written{resumed} ({result.errors:,} errors) by "
        f"{result.workers} workers in {result.seconds:.1f} s ({result.rate:,.0f}/s): {output}"
    )


@cli.group()
def index() -> None:
    """Build and update a local index of Crossref's works (the `index` extra: tantivy)."""


def _rate_line(label: str) -> Callable[..., None]:
    """A progress callback that rewrites one status line on stderr: counts and rate."""
    started = time.perf_counter()

    def show(records: int, done: int, total: int | None = None) -> None:
        rate = records / max(time.perf_counter() - started, 1e-9)
        files = f"{done}/{total}" if total is not None else str(done)
        unit = "pages" if label == "Updating" else "files"
        click.echo(
            f"\r{label}: {records:,} records, {files} {unit}, {rate:,.0f} records/s",
            err=True,
            nl=False,
        )

    return show


@index.command("build")
@click.argument("snapshot", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(path_type=Path),
    help="The index to make (a new directory).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress on stderr (default: when it is a terminal).",
)
def index_build(snapshot: Path, output: Path, progress: bool | None) -> None:
    """Build a local index from SNAPSHOT, Crossref's public data file (a directory or tar of
    .json.gz files, each {"items": [...]}).

    Use it with `--sources snapshot:INDEX` (then `crossref` for what it lacks).
    """
    show = sys.stderr.isatty() if progress is None else progress
    with _errors():
        result = build_index(snapshot, output, progress=_rate_line("Indexing") if show else None)
    if show:
        click.echo("", err=True)
    skipped = f", {result.skipped_records} records skipped" if result.skipped_records else ""
    click.echo(
        f"{result.works:,} works indexed from {result.files} files{skipped} in "
        f"{result.seconds:.1f} s ({result.records_per_second:,.0f} records/s, "
        f"{result.bytes_per_record:,.0f} bytes a record): {output}"
    )
    for reason in result.skipped_files:
        click.echo(f"skipped {reason}", err=True)


@index.command("update")
@click.argument("index_path", metavar="INDEX", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--since",
    metavar="YYYY-MM-DD",
    help="Ask for changes since this day [default: the day before the index's latest].",
)
@click.option(
    "--field",
    type=click.Choice(["index", "update"]),
    default="index",
    show_default=True,
    help="Works Crossref indexed since (from-index-date: every change), or that their "
    "publishers updated since (from-update-date).",
)
@click.option("--rows", type=click.IntRange(1, 1000), default=1000, show_default=True)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress on stderr (default: when it is a terminal).",
)
@click.option("--mailto", metavar="EMAIL", help="Your e-mail for Crossref's polite pool.")
@click.option("--base-url", metavar="URL", help="Crossref API base URL [REFCHECK_BASE_URL].")
@click.option("--timeout", type=float, metavar="SECONDS", help="Timeout of each request.")
def index_update(
    index_path: Path,
    since: str | None,
    field: str,
    rows: int,
    progress: bool | None,
    **service: Any,
) -> None:
    """Bring INDEX up to date from the Crossref API (deep paging; a killed update resumes)."""
    show = sys.stderr.isatty() if progress is None else progress
    with _errors():
        settings = attrs.evolve(_settings(service), cache=None)
        with CrossrefClient(settings) as crossref:
            result = update_index(
                index_path,
                crossref,
                since=since,
                field=field,
                rows=rows,
                progress=_rate_line("Updating") if show else None,
            )
    if show:
        click.echo("", err=True)
    resumed = " (resumed)" if result.resumed else ""
    click.echo(
        f"{result.records:,} works written from {result.pages} pages of {result.filter}"
        f"{resumed}; the index holds {result.works:,} works"
    )


def _explained_text(explained: dict[str, Any]) -> str:
    """``refcheck resolve``'s text: the verdict, the chosen work's evidence, the runner-up."""
    lines = [f"{explained['status']}: {explained['doi'] or '-'}"]
    if explained["score"] is not None:
        lines[0] += f" (score {explained['score']:.2f}, via {explained['via'] or '-'})"
    if explained.get("source") not in (None, "crossref"):
        lines[0] += f" [{explained['source']}]"
    if explained["reason"]:
        lines.append(f"reason: {explained['reason']}")
    if explained["doi_status"] not in (None, "agrees"):
        lines.append(f"cited DOI: {explained['doi_status']}")
    if explained.get("arxiv_status") not in (None, "agrees"):
        lines.append(f"cited arXiv identifier: {explained['arxiv_status']}")

    def describe(label: str, candidate: dict[str, Any]) -> None:
        where = ", ".join(
            str(candidate[k])
            for k in ("container_title", "year", "volume", "pages")
            if candidate[k]
        )
        lines.append(f'{label} {candidate["doi"]} "{candidate["title"] or ""}" {where}'.rstrip())
        lines.append(f"  score {candidate['score']:.2f}, validated by {candidate['basis'] or '-'}")
        lines.append(f"  agreed: {', '.join(candidate['agreed']) or '-'}")
        lines.append(f"  disagreed: {', '.join(candidate['disagreed']) or '-'}")
        lines.append(f"  evidence: {'; '.join(candidate['evidence']) or '-'}")

    if explained["work"] is not None:
        describe("work:", explained["work"])
    if explained["runner_up"] is not None:
        describe("runner-up:", explained["runner_up"])
    elif explained["work"] is not None:
        lines.append("runner-up: none")
    return "\n".join(lines) + "\n"


def _interrupt_once(signum: int, frame: Any) -> None:
    """The first Ctrl-C stops the check (KeyboardInterrupt: the report of what was done is
    written, exit 130); from then on Ctrl-C has its default effect and quits at once."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``refcheck`` console script."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _interrupt_once)
    cli.main(args=argv, prog_name="refcheck")
