"""The documentation site: it builds with warnings as errors, and its generated parts are current."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from refcheck._docgen import help_text, render_cli_doc
from refcheck._docgen import main as docgen_main
from refcheck.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CLI_DOC = (DOCS / "cli.md").read_text(encoding="utf-8")
CI_DOC = (DOCS / "ci.md").read_text(encoding="utf-8")


@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None, reason="mkdocs is not installed")
def test_site_builds_with_warnings_as_errors(tmp_path: Path) -> None:
    """`mkdocs build --strict` succeeds: no broken link, anchor or missing page."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (0, "") == (
        result.returncode,
        "\n".join(re.findall(r"^(?:WARNING|ERROR).*", result.stderr, re.M)),
    )


def test_every_page_is_in_the_site_navigation() -> None:
    """Each docs/*.md page is listed in mkdocs.yml's nav, so no page is left out of the site."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\s+- [^:]+: (\S+\.md)$", config, re.MULTILINE))
    assert sorted(p.name for p in DOCS.glob("*.md")) == sorted(listed)


def test_cli_doc_help_blocks_are_up_to_date() -> None:
    """docs/cli.md's --help blocks are what the commands print (else: python3 -m refcheck._docgen)."""
    assert render_cli_doc(CLI_DOC) == CLI_DOC


def test_cli_doc_has_a_help_block_for_every_command() -> None:
    """The refcheck group and each of its commands have a generated block."""
    assert isinstance(cli, click.Group)
    blocks = re.findall(r"<!-- generated: (refcheck(?: [a-z-]+)?) --help -->", CLI_DOC)
    assert ["refcheck", *(f"refcheck {name}" for name in sorted(cli.commands))] == sorted(blocks)


def test_generated_help_is_what_the_command_prints() -> None:
    """help_text("check") is byte for byte `refcheck check --help` in a wide terminal."""
    result = subprocess.run(
        [sys.executable, "-m", "refcheck", "check", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "COLUMNS": "120"},
    )
    assert help_text("check") + "\n" == result.stdout


def test_docgen_check_reports_a_stale_file(tmp_path: Path) -> None:
    """`python3 -m refcheck._docgen --check FILE` exits 1 when a block is out of date."""
    stale = tmp_path / "cli.md"
    stale.write_text(CLI_DOC.replace("Report format:", "Old format:"), encoding="utf-8")
    assert 1 == docgen_main(["--check", str(stale)])


def test_docgen_rewrites_a_stale_file(tmp_path: Path) -> None:
    """Without --check it brings the blocks up to date and keeps the hand-written text."""
    stale = tmp_path / "cli.md"
    stale.write_text(CLI_DOC.replace("Report format:", "Old format:"), encoding="utf-8")
    docgen_main([str(stale)])
    assert CLI_DOC == stale.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "example",
    [
        "examples/github-actions/refcheck.yml",
        "examples/github-actions/refcheck-action.yml",
        "examples/gitlab-ci/.gitlab-ci.yml",
        "examples/pre-commit/.pre-commit-config.yaml",
        ".pre-commit-hooks.yaml",
    ],
)
def test_ci_recipes_show_the_example_files_as_they_are(example: str) -> None:
    """docs/ci.md quotes each example file in full, so the page cannot drift from the file."""
    text = (ROOT / example).read_text(encoding="utf-8")
    assert f"```yaml\n{text}```" in CI_DOC
