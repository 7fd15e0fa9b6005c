"""What the command says when something is wrong: the option to fix, in a few words."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from seed import MANUSCRIPT

from refcheck.cli import EXIT_USAGE, cli


def _invoke(*args: str) -> tuple[int, str]:
    """The exit code and stderr, which must be one line."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stderr.rstrip("\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--base-url", "ftp://x"],
            "Error: --base-url: expected an http(s) URL, found 'ftp://x'",
        ),
        (
            ["--pubmed-base-url", "ftp://x"],
            "Error: --pubmed-base-url: expected an http(s) URL, found 'ftp://x'",
        ),
        (
            ["--mailto", "nobody"],
            "Error: --mailto: expected an e-mail address, found 'nobody'",
        ),
        (
            ["--timeout", "0"],
            "Error: --timeout: expected a number of seconds > 0, found 0",
        ),
        (
            ["--sources", "crossref,arxive"],
            "Error: --sources: expected names among auto, all, crossref, arxiv, dblp, pubmed, "
            "openalex, semanticscholar, datacite, found 'arxive'",
        ),
        (
            ["--offline", "--no-cache"],
            "Error: --offline answers from the cache, and --no-cache turns it off",
        ),
    ],
)
@pytest.mark.parametrize("command", ["check", "bibtex"])
def test_a_bad_option_value_names_the_option(command: str, args: list[str], message: str) -> None:
    """A value a service option cannot take is a one-line usage error that names the option as
    typed (``--base-url``), not the setting behind it (``base_url``)."""
    assert (EXIT_USAGE, message) == _invoke(command, str(MANUSCRIPT), *args)


def test_resolve_names_the_option_too() -> None:
    """``refcheck resolve`` checks its service options the same way."""
    assert (
        EXIT_USAGE,
        "Error: --base-url: expected an http(s) URL, found 'ftp://x'",
    ) == _invoke("resolve", "Smith J. A title. Nature 2020; 1: 2.", "--base-url", "ftp://x")


@pytest.mark.parametrize("command", ["parse", "resolve"])
@pytest.mark.parametrize("citation", ["", "   "])
def test_an_empty_citation_is_a_usage_error(command: str, citation: str) -> None:
    """``refcheck parse ""`` (or ``resolve``) says the citation is empty and exits 2, rather
    than print an empty parse and exit 0."""
    assert (EXIT_USAGE, "Error: CITATION is empty: give the text of one citation") == _invoke(
        command, citation
    )


def test_a_bad_sources_variable_names_the_variable() -> None:
    """``--sources`` taken from REFCHECK_SOURCES: the error names the variable."""
    result = CliRunner().invoke(
        cli, ["check", str(MANUSCRIPT)], env={"REFCHECK_SOURCES": "crossref,nope"}
    )
    assert (
        EXIT_USAGE,
        "Error: REFCHECK_SOURCES: expected names among auto, all, crossref, arxiv, dblp, pubmed, "
        "openalex, semanticscholar, datacite, found 'nope'\n",
    ) == (result.exit_code, result.stderr)


def test_a_file_of_blank_lines_is_a_usage_error(tmp_path: Path) -> None:
    """``refcheck parse --file`` on a file with no citation says so and exits 2."""
    blank = tmp_path / "refs.txt"
    blank.write_text("\n  \n", encoding="utf-8")
    assert (
        EXIT_USAGE,
        f"Error: --file {blank}: no citation in it, every line is blank",
    ) == _invoke("parse", "--file", str(blank))
