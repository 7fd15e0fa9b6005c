"""Keep the ``--help`` blocks of ``docs/cli.md`` equal to what the commands print.

``python3 -m refcheck._docgen`` rewrites the blocks between the markers::

    <!-- generated: refcheck check --help -->
    ```text
    ...
    ```
    <!-- end generated -->

and leaves the hand-written text around them alone. ``--check`` only reports (exit 1) when the
file is out of date; ``tests/test_docs.py`` runs the same comparison.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import click

from refcheck.cli import cli

__all__ = ["help_text", "render_cli_doc"]

#: The width click lays help out in on any terminal of 80 columns or more (80 - 2), fixed here
#: so that the file does not depend on the terminal it was generated in.
WIDTH = 78

_BLOCK = re.compile(
    r"(?P<open><!-- generated: refcheck(?P<command>(?: [a-z-]+)*) --help -->\n)"
    r".*?"
    r"(?P<close><!-- end generated -->)",
    re.DOTALL,
)


def help_text(command_name: str = "") -> str:
    """What ``refcheck [COMMAND] --help`` prints in a terminal of 80 columns or more."""
    settings = {**cli.context_settings, "terminal_width": WIDTH}
    root = click.Context(cli, info_name="refcheck", **settings)
    if not command_name:
        return cli.get_help(root)
    context = root
    command: click.Command = cli
    for name in command_name.split():
        assert isinstance(command, click.Group)
        command = command.commands[name]
        context = click.Context(command, info_name=name, parent=context, terminal_width=WIDTH)
    return command.get_help(context)


def render_cli_doc(text: str) -> str:
    """``text`` (the content of docs/cli.md) with every generated block brought up to date."""

    def block(match: re.Match[str]) -> str:
        help_block = help_text(match.group("command").strip())
        return f"{match.group('open')}```text\n{help_block}\n```\n{match.group('close')}"

    return _BLOCK.sub(block, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m refcheck._docgen", description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=Path("docs/cli.md"))
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    current = args.path.read_text(encoding="utf-8")
    wanted = render_cli_doc(current)
    if current == wanted:
        return 0
    if args.check:
        print(f"{args.path} is out of date: run python3 -m refcheck._docgen", file=sys.stderr)
        return 1
    args.path.write_text(wanted, encoding="utf-8")
    print(f"updated {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
