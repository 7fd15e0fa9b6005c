"""The ``refcheck`` command: a thin shell over the library.

Each command calls one library function, prints its result, and turns a
:class:`~refcheck.errors.RefcheckError` into a one-line ``Error: ...`` on stderr.

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 usage error (bad option, bad
setting, unreadable manuscript), 3 could not check (no reference found, or none could be
checked).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import click

from refcheck._version import __version__
from refcheck.check import Progress, check_files
from refcheck.crossref import CrossrefClient, CrossrefSettings
from refcheck.errors import ConfigError, ParseError, RefcheckError
from refcheck.model import MatchStatus, ReferenceStatus, Report, Severity
from refcheck.parse import parse_citation
from refcheck.report import format_json, format_text
from refcheck.resolve import Resolver, explain

__all__ = ["EXIT_CLEAN", "EXIT_FINDINGS", "EXIT_UNCHECKED", "EXIT_USAGE", "main"]

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_UNCHECKED = 3

_FAIL_ON = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}


def _service_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that talks to Crossref takes."""
    options = [
        click.option(
            "--mailto",
            metavar="EMAIL",
            help="Your e-mail for Crossref's polite pool [REFCHECK_MAILTO].",
        ),
        click.option(
            "--base-url", metavar="URL", help="Crossref API base URL [REFCHECK_BASE_URL]."
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
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _settings(options: dict[str, Any]) -> CrossrefSettings:
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
    return CrossrefSettings.from_env(**overrides)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn refcheck's errors into ``Error: ...`` and an exit code, without a traceback."""
    try:
        yield
    except (ConfigError, ParseError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except RefcheckError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_UNCHECKED)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="refcheck")
def cli() -> None:
    """Check the references of scholarly manuscripts against Crossref."""


@cli.command()
@click.argument("manuscripts", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default="error",
    show_default=True,
    help="Exit with 1 when a finding is at least this severe.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to a file.",
)
@click.option("-v", "--verbose", is_flag=True, help="Also list references without findings.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 10),
    default=3,
    show_default=True,
    help="Requests in flight at once.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: when it is a terminal).",
)
@_service_options
def check(
    manuscripts: tuple[Path, ...],
    output_format: str,
    fail_on: str,
    output: Path | None,
    verbose: bool,
    concurrency: int,
    progress: bool | None,
    **service: Any,
) -> None:
    """Check the references of MANUSCRIPTS (Markdown or plain text).

    Prints one line per finding, `file:line: [label] code (severity): message [doi]`,
    grouped by reference, and a summary line.
    """
    with _errors():
        settings = _settings(service)
        show_progress = sys.stderr.isatty() if progress is None else progress
        with _progress_bar(show_progress) as callback:
            report = check_files(
                manuscripts, settings=settings, concurrency=concurrency, progress=callback
            )
        rendered = (
            format_json(report) if output_format == "json" else format_text(report, verbose=verbose)
        )
        if output is not None:
            output.write_text(rendered, encoding="utf-8")
        else:
            click.echo(rendered, nl=False)
    sys.exit(exit_code(report, fail_on))


def exit_code(report: Report, fail_on: str) -> int:
    """The exit code for a report (see the module docstring)."""
    if not report.references:
        click.echo("Error: no reference list found in " + ", ".join(report.files), err=True)
        return EXIT_UNCHECKED
    if all(r.status is ReferenceStatus.UNCHECKED for r in report.references):
        return EXIT_UNCHECKED
    threshold = _FAIL_ON.get(fail_on)
    if threshold is not None and any(f.severity >= threshold for f in report.all_findings):
        return EXIT_FINDINGS
    return EXIT_CLEAN


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Progress | None]:
    if not enabled:
        yield None
        return
    bar: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="Checking references", file=sys.stderr)
            bar.__enter__()
        bar.update(1)

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


@cli.command()
@click.argument("citation")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def parse(citation: str, output_format: str) -> None:
    """Parse one CITATION and print its fields."""
    with _errors():
        reference = parse_citation(citation)
    data = attrs.asdict(reference, recurse=True)
    if output_format == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for key, value in data.items():
        if key == "authors":
            value = "; ".join(f"{a['family']}, {a['given'] or ''}".rstrip(", ") for a in value)
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
@_service_options
def resolve(citation: str, output_format: str, **service: Any) -> None:
    """Resolve one CITATION to its DOI on Crossref, with the evidence."""
    with _errors():
        reference = parse_citation(citation)
        with CrossrefClient(_settings(service)) as client:
            match = Resolver(client).resolve(reference)
    explained = explain(match)
    if output_format == "json":
        click.echo(json.dumps(explained, indent=2, ensure_ascii=False))
    else:
        click.echo(_explained_text(explained), nl=False)
    sys.exit(
        EXIT_CLEAN
        if match.status is MatchStatus.MATCHED
        else EXIT_FINDINGS
        if match.status is not MatchStatus.UNCHECKED
        else EXIT_UNCHECKED
    )


def _explained_text(explained: dict[str, Any]) -> str:
    """``refcheck resolve``'s text: the verdict, the chosen work's evidence, the runner-up."""
    lines = [f"{explained['status']}: {explained['doi'] or '-'}"]
    if explained["score"] is not None:
        lines[0] += f" (score {explained['score']:.2f}, via {explained['via'] or '-'})"
    if explained["reason"]:
        lines.append(f"reason: {explained['reason']}")
    if explained["doi_status"] not in (None, "agrees"):
        lines.append(f"cited DOI: {explained['doi_status']}")

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


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``refcheck`` console script."""
    cli.main(args=argv, prog_name="refcheck")
