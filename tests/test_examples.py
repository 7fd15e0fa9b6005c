"""The CI examples parse, and every refcheck command line in them is one refcheck accepts."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
from click.core import ParameterSource

from refcheck.cli import cli

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / "examples" / "github-actions" / "refcheck.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
PRE_COMMIT = ROOT / "examples" / "pre-commit" / ".pre-commit-config.yaml"
CONFIGURATION_DOC = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _accepts(args: list[str]) -> list[str]:
    """The parameters that ``refcheck ARGS`` sets, as the real command parses them (a
    UsageError for an option refcheck does not have)."""
    assert isinstance(cli, click.Group)
    name, *rest = args
    command = cli.commands[name]
    # Under the group's context, as the real command line is: a command's context made on its
    # own would give it (and, cached, every later --help) the default help option names.
    parent = click.Context(cli, info_name="refcheck", **cli.context_settings)
    with command.make_context(name, rest, parent=parent, resilient_parsing=False) as context:
        return [
            p.name or ""
            for p in command.params
            if context.get_parameter_source(p.name or "") is ParameterSource.COMMANDLINE
        ]


def _workflow_steps() -> list[dict[str, Any]]:
    workflow = _load(WORKFLOW)
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _refcheck_commands() -> list[list[str]]:
    commands = []
    for step in _workflow_steps():
        for line in step.get("run", "").splitlines():
            if line.startswith("refcheck "):
                commands.append(shlex.split(line.replace('"$MANUSCRIPT"', "manuscript.md"))[1:])
    return commands


def test_workflow_is_a_github_actions_workflow() -> None:
    """The file parses as YAML with triggers and a job of steps."""
    workflow = _load(WORKFLOW)
    # YAML 1.1 reads the key `on` as True.
    assert (True, ["refcheck"]) == ("on" in workflow or True in workflow, list(workflow["jobs"]))


def test_workflow_refcheck_commands_are_valid() -> None:
    """Both refcheck command lines parse with refcheck's own option parser."""
    assert [
        ["manuscripts", "output_format", "fail_on", "output"],
        ["manuscripts", "output_format"],
    ] == [_accepts(args) for args in _refcheck_commands()]


def test_workflow_reports_in_github_and_sarif_formats() -> None:
    """One run annotates (--format github), one writes the SARIF file that is uploaded."""
    formats = [args[args.index("--format") + 1] for args in _refcheck_commands()]
    upload = next(
        s
        for s in _workflow_steps()
        if s.get("uses", "").startswith("github/codeql-action/upload-sarif")
    )
    sarif = _refcheck_commands()[formats.index("sarif")]
    assert (["sarif", "github"], sarif[sarif.index("--output") + 1]) == (
        formats,
        upload["with"]["sarif_file"],
    )


def test_workflow_caches_the_directory_refcheck_caches_in() -> None:
    """actions/cache keeps the directory that REFCHECK_CACHE points into."""
    cache = next(s for s in _workflow_steps() if s.get("uses", "").startswith("actions/cache@"))
    env = _load(WORKFLOW)["env"]
    assert cache["with"]["path"] == str(Path(env["REFCHECK_CACHE"]).parent)


def test_workflow_variables_are_documented_settings() -> None:
    """Every REFCHECK_* variable the workflow sets is in docs/configuration.md."""
    names = [n for n in _load(WORKFLOW)["env"] if n.startswith("REFCHECK_")]
    assert [] == [n for n in names if f"`{n}`" not in CONFIGURATION_DOC]


def test_pre_commit_hook_runs_refcheck_check() -> None:
    """The hook's entry, with the example's args and a file name, is a valid check command."""
    (hook,) = _load(HOOKS)
    (repo,) = _load(PRE_COMMIT)["repos"]
    (used,) = repo["hooks"]
    entry = shlex.split(hook["entry"])
    assert ("refcheck", "refcheck", ["manuscripts", "fail_on", "progress"]) == (
        hook["id"],
        used["id"],
        _accepts([*entry[1:], *used["args"], "paper/manuscript.md"]),
    )


def test_pre_commit_hook_files_pattern_matches_the_manuscript() -> None:
    """The example's files pattern selects the manuscript and not the README."""
    (repo,) = _load(PRE_COMMIT)["repos"]
    pattern = re.compile(repo["hooks"][0]["files"])
    assert (True, False) == (
        bool(pattern.search("paper/manuscript.md")),
        bool(pattern.search("README.md")),
    )


GITLAB = ROOT / "examples" / "gitlab-ci" / ".gitlab-ci.yml"


def _gitlab_commands() -> list[list[str]]:
    job = _load(GITLAB)["refcheck"]
    return [
        shlex.split(line.replace('"$MANUSCRIPT"', "manuscript.md"))[1:]
        for line in job["script"]
        if line.startswith("refcheck ")
    ]


def test_gitlab_refcheck_commands_are_valid() -> None:
    """Each refcheck line of the GitLab job parses with refcheck's own option parser."""
    expected = [
        ["manuscripts", "output_format", "fail_on", "output"],
        ["manuscripts", "output_format", "fail_on", "output"],
        ["manuscripts", "output_format"],
    ]
    assert expected == [_accepts(args) for args in _gitlab_commands()]


def test_gitlab_reports_are_the_files_refcheck_writes() -> None:
    """The codequality and junit artifacts are the --output files of those formats."""
    outputs = {
        args[args.index("--format") + 1]: args[args.index("--output") + 1]
        for args in _gitlab_commands()
        if "--output" in args
    }
    reports = _load(GITLAB)["refcheck"]["artifacts"]["reports"]
    assert {"gitlab": reports["codequality"], "junit": reports["junit"]} == outputs


def test_gitlab_caches_the_directory_refcheck_caches_in() -> None:
    """GitLab's cache keeps the directory that REFCHECK_CACHE points into."""
    job = _load(GITLAB)["refcheck"]
    cache_dir = str(Path(job["variables"]["REFCHECK_CACHE"]).parent) + "/"
    assert [cache_dir] == job["cache"]["paths"]
