"""The documentation says what the code does: README quickstart, CLI reference, public API."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

import refcheck
from refcheck.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CLI_DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def test_readme_quickstart_output_is_what_refcheck_prints() -> None:
    """The quickstart block in the README is the real output of the command above it."""
    command = re.search(r"```sh\n(refcheck check examples/anakinra\S* --replay \S+)\n```", README)
    shown = re.search(r"```text\n(.*?)```", README, re.DOTALL)
    assert command is not None and shown is not None
    args = command.group(1).split()[1:]
    result = subprocess.run(
        [sys.executable, "-m", "refcheck", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shown.group(1) == result.stdout


def test_readme_opens_with_setup_and_test_commands() -> None:
    """The first code block is the set-up command and the test command that .ci/run runs."""
    first = re.search(r"```sh\n(.*?)```", README, re.DOTALL)
    assert first is not None
    commands = first.group(1).strip().splitlines()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 2 == len(commands)
    assert all(command in ci for command in commands)


def _commands() -> list[tuple[str, click.Command]]:
    assert isinstance(cli, click.Group)
    return sorted(cli.commands.items())


@pytest.mark.parametrize(("name", "command"), _commands(), ids=[n for n, _ in _commands()])
def test_every_command_and_option_is_documented(name: str, command: click.Command) -> None:
    """docs/cli.md has a section for each command that names each of its options."""
    section = re.search(
        rf"^## `refcheck {name}`$(.*?)(?=^## |\Z)", CLI_DOC, re.MULTILINE | re.DOTALL
    )
    assert section is not None, f"docs/cli.md has no section for refcheck {name}"
    text = section.group(1)
    if "service options" in text:
        shared = re.search(
            r"^## Service options$(.*?)(?=^## |\Z)", CLI_DOC, re.MULTILINE | re.DOTALL
        )
        assert shared is not None
        text += shared.group(1)
    missing = [
        opt
        for param in command.params
        if isinstance(param, click.Option)
        for opt in param.opts + param.secondary_opts
        if opt.startswith("--") and f"`{opt}" not in text
    ]
    assert [] == missing


def test_public_names_are_importable_and_sorted() -> None:
    """Everything in refcheck.__all__ exists, and the list is kept sorted."""
    assert sorted(refcheck.__all__) == refcheck.__all__
    assert [] == [name for name in refcheck.__all__ if not hasattr(refcheck, name)]


def test_every_error_derives_from_the_base() -> None:
    """Each exception refcheck exports is a RefcheckError."""
    errors = [
        getattr(refcheck, n)
        for n in refcheck.__all__
        if n.endswith(("Error", "Unavailable", "Unreachable", "NotCached"))
    ]
    assert all(issubclass(e, refcheck.RefcheckError) for e in errors)
    assert 10 == len(errors)
