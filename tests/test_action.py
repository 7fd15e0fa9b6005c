"""refcheck's GitHub Action (action.yml) and pre-commit hook, as their tools read them.

GitHub cannot run here, so the action is held to the recipe that docs/ci.md explains
(examples/github-actions/refcheck.yml): its steps run through bash with a stand-in
``refcheck`` that prints its arguments, and with its default inputs they must pass refcheck
exactly what the recipe's steps pass, and cache and upload the same things. The pre-commit hook
is installed and run by pre-commit itself, offline, against a stand-in Crossref.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from seed import seed_records

from refcheck.cli import cli
from refcheck.config import FAIL_ON
from refcheck.output.formats import FORMATS
from refcheck.sources.chain import SOURCE_ORDER
from refcheck.testing import serve_crossref

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
RECIPE = ROOT / "examples" / "github-actions" / "refcheck.yml"
USING = ROOT / "examples" / "github-actions" / "refcheck-action.yml"
PRE_COMMIT = ROOT / "examples" / "pre-commit" / ".pre-commit-config.yaml"
CI_DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _steps(path: Path) -> list[dict[str, Any]]:
    data = _load(path)
    if "runs" in data:
        steps: list[dict[str, Any]] = data["runs"]["steps"]
        return steps
    return [step for job in data["jobs"].values() for step in job["steps"]]


def _inputs(**given: str) -> dict[str, str]:
    """The action's inputs: its defaults, with ``given`` (``files`` is required)."""
    defaults = {
        name: str(spec.get("default", "")) for name, spec in _load(ACTION)["inputs"].items()
    }
    return {**defaults, **given}


_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _evaluate(text: str, inputs: dict[str, str], env: dict[str, str]) -> str:
    """``${{ inputs.x }}`` and ``${{ inputs.x || env.Y }}`` with their values; other contexts
    (``runner.os``, ``github.run_id``) are left as written, to compare with the recipe's."""

    def value(match: re.Match[str]) -> str:
        for term in match[1].split("||"):
            context, _, name = term.strip().partition(".")
            found = {"inputs": inputs, "env": env}.get(context)
            if found is None:
                return match[0]
            if found.get(name):
                return found[name]
        return ""

    return _EXPRESSION.sub(value, str(text))


def _runs_in(step: dict[str, Any], inputs: dict[str, str], env: dict[str, str]) -> bool:
    condition = step.get("if")
    if condition is None:
        return True
    left, _, right = condition.partition("==")
    return _evaluate("${{ " + left + " }}", inputs, env) == right.strip().strip("'")


def _argv(script: str, env: dict[str, str]) -> list[list[str]]:
    """What each ``refcheck`` call of a step's script is given, as bash expands it."""
    shim = 'refcheck() { printf "%s\\0" "$@"; printf "\\n"; }\n'
    result = subprocess.run(
        ["bash", "-c", shim + script],
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return [line.split("\0")[:-1] for line in result.stdout.splitlines()]


def _refcheck_calls(path: Path, inputs: dict[str, str]) -> list[list[str]]:
    """Every refcheck call of the file's steps that run, with the workflow's env for a
    workflow, and each step's env evaluated with ``inputs`` for the action."""
    data = _load(path)
    outer = {k: str(v) for k, v in data.get("env", {}).items()}
    calls = []
    for step in _steps(path):
        script = step.get("run", "")
        if "refcheck " not in script or not _runs_in(step, inputs, outer):
            continue
        env = {**outer, **{k: _evaluate(v, inputs, outer) for k, v in step.get("env", {}).items()}}
        calls.extend(_argv(script, env))
    return calls


def _parsed(args: list[str]) -> dict[str, Any]:
    """What refcheck's option parser makes of ``refcheck ARGS``: each parameter's value."""
    assert isinstance(cli, click.Group)
    name, *rest = args
    command = cli.commands[name]
    # Under the group's context, as the real command line is: a command's context made on its
    # own would give it (and, cached, every later --help) the default help option names.
    parent = click.Context(cli, info_name="refcheck", **cli.context_settings)
    with command.make_context(name, rest, parent=parent) as context:
        return dict(context.params)


def _recipe_manuscript() -> str:
    return str(_load(RECIPE)["env"]["MANUSCRIPT"])


def _step(path: Path, uses: str) -> dict[str, Any]:
    return next(s for s in _steps(path) if s.get("uses", "").startswith(uses))


def test_the_action_is_composite_with_the_inputs_users_expect() -> None:
    """action.yml is a composite action taking files (required), format, fail-on, sources
    and cache."""
    action = _load(ACTION)
    inputs = action["inputs"]
    assert ("composite", True, True) == (
        action["runs"]["using"],
        {"files", "format", "fail-on", "sources", "cache"} <= set(inputs),
        inputs["files"].get("required"),
    )


def test_with_its_defaults_the_action_runs_the_recipes_commands() -> None:
    """With only ``files`` given, the action calls refcheck with what the recipe's two steps
    pass (the SARIF report, then the annotations), option for option."""
    action = [_parsed(a) for a in _refcheck_calls(ACTION, _inputs(files=_recipe_manuscript()))]
    recipe = [_parsed(a) for a in _refcheck_calls(RECIPE, {})]
    assert (2, recipe) == (len(recipe), action)


def test_the_action_passes_each_input_to_refcheck() -> None:
    """Given files (two, one a pattern's word), format, fail-on and sources, the final
    step passes each of them on."""
    inputs = _inputs(
        files="paper/a.md\npaper/b.tex",
        format="text",
        **{"fail-on": "warning"},
        sources="crossref,pubmed",
    )
    *_, last = _refcheck_calls(ACTION, inputs)
    parsed = _parsed(last)
    assert ((Path("paper/a.md"), Path("paper/b.tex")), "text", "warning", "crossref,pubmed") == (
        parsed["manuscripts"],
        parsed["output_format"],
        parsed["fail_on"],
        parsed["sources"],
    )


def test_without_sarif_the_action_runs_only_the_final_check() -> None:
    """``upload-sarif: "false"`` leaves out the SARIF run (and its upload)."""
    calls = _refcheck_calls(ACTION, _inputs(files="m.md", **{"upload-sarif": "false"}))
    assert [["check", "m.md", "--format", "github"]] == calls


def test_the_action_caches_what_the_recipe_caches() -> None:
    """The same actions/cache step (path, key, restore keys), and each refcheck step's
    REFCHECK_CACHE inside that path, as in the recipe."""
    ours, theirs = _step(ACTION, "actions/cache@"), _step(RECIPE, "actions/cache@")
    cache_files = {
        s["env"]["REFCHECK_CACHE"] for s in _steps(ACTION) if "refcheck " in s.get("run", "")
    }
    assert (theirs["uses"], theirs["with"], {_load(RECIPE)["env"]["REFCHECK_CACHE"]}) == (
        ours["uses"],
        ours["with"],
        cache_files,
    )
    assert str(Path(next(iter(cache_files))).parent) == ours["with"]["path"]


def test_the_action_uploads_the_sarif_file_it_writes() -> None:
    """The upload step is the recipe's, and uploads the --output of the SARIF run."""
    ours, theirs = (
        _step(ACTION, "github/codeql-action/upload-sarif"),
        _step(RECIPE, "github/codeql-action/upload-sarif"),
    )
    sarif = next(a for a in _refcheck_calls(ACTION, _inputs(files="m.md")) if "sarif" in a)
    assert (theirs, sarif[sarif.index("--output") + 1]) == (
        {k: v for k, v in ours.items() if k != "if"},
        ours["with"]["sarif_file"],
    )


def test_the_action_installs_its_own_copy_of_refcheck() -> None:
    """``@v1`` runs the refcheck of that tag: the action installs its own directory."""
    (install,) = [s["run"] for s in _steps(ACTION) if "pip install" in s.get("run", "")]
    assert 'python -m pip install "$GITHUB_ACTION_PATH"' == install


def test_inputs_reach_scripts_only_through_the_environment() -> None:
    """No ``${{ }}`` in a script (an input pasted into bash could run as code), and every
    step that runs a script says its shell, as composite actions must."""
    scripts = [s for s in _steps(ACTION) if "run" in s]
    assert ([], []) == (
        [s["name"] for s in scripts if "${{" in s["run"]],
        [s["name"] for s in scripts if s.get("shell") != "bash"],
    )


def test_every_input_is_used_and_every_use_is_an_input() -> None:
    """Each declared input appears in a step, and each ``inputs.x`` a step uses is declared."""
    text = ACTION.read_text(encoding="utf-8").split("\nruns:", 1)[1]
    used = set(re.findall(r"inputs\.([\w-]+)", text))
    assert set(_load(ACTION)["inputs"]) == used


def test_the_input_defaults_are_values_refcheck_accepts() -> None:
    """format's default is a report format; fail-on and sources default to refcheck's own."""
    inputs = _inputs()
    assert (True, "", "") == (inputs["format"] in FORMATS, inputs["fail-on"], inputs["sources"])


def test_the_docs_list_every_input() -> None:
    """docs/ci.md's table of the action's inputs names each input, and only those."""
    section = CI_DOC.split("## The refcheck action", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `([\w-]+)` \|", section, re.M)
    assert sorted(_load(ACTION)["inputs"]) == sorted(listed)


def test_the_example_workflow_uses_the_action_of_this_repository() -> None:
    """examples/github-actions/refcheck-action.yml uses ``<owner>/<repo>@v1`` of the repository
    the pre-commit example names, with inputs the action declares, files among them."""
    step = _step(USING, "refcheck/")
    (repo,) = _load(PRE_COMMIT)["repos"]
    expected = repo["repo"].removeprefix("https://github.com/") + "@v1"
    assert (expected, True, True) == (
        step["uses"],
        set(step["with"]) <= set(_load(ACTION)["inputs"]),
        "files" in step["with"],
    )


def test_the_documented_choices_are_refcheck_s() -> None:
    """The action's descriptions list refcheck's formats, fail-on levels and sources."""
    inputs = _load(ACTION)["inputs"]
    assert ([], [], []) == (
        [f for f in FORMATS if f not in inputs["format"]["description"]],
        [f for f in FAIL_ON if f not in inputs["fail-on"]["description"]],
        [s for s in SOURCE_ORDER if s not in inputs["sources"]["description"]],
    )


# --- pre-commit ------------------------------------------------------------------------------


def _git(args: list[str], cwd: Path) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.skipif(
    sys.prefix != sys.base_prefix,
    reason="in a venv, the hook's virtualenv would not see this environment's packages",
)
def test_pre_commit_installs_the_hook_and_blocks_a_commit_with_errors(tmp_path: Path) -> None:
    """pre-commit finds the ``refcheck`` hook in this repository's .pre-commit-hooks.yaml,
    installs it, and with the example's configuration runs it on the manuscript, which has
    errors: the hook fails with exit code 1 and the findings.

    Offline: the hook's virtualenv sees this environment's packages (refcheck's dependencies)
    and pip installs refcheck from the repository with no index; Crossref is a stand-in.
    """
    pytest.importorskip("pre_commit")
    hooks = tmp_path / "hooks"
    shutil.copytree(
        ROOT,
        hooks,
        ignore=shutil.ignore_patterns(
            ".git",
            "*.egg-info",
            "build",
            "dist",
            "site",
            ".*_cache",
            ".hypothesis",
            ".tox",
            "__pycache__",
            ".venv",
            "*.sqlite",
        ),
    )
    _git(["init", "-q"], hooks)
    _git(["add", "-A"], hooks)
    _git(["commit", "-q", "-m", "hooks"], hooks)
    revision = _git(["rev-parse", "HEAD"], hooks)

    manuscripts = tmp_path / "manuscripts"
    (manuscripts / "paper").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "anakinra" / "manuscript.md", manuscripts / "paper")
    config = _load(PRE_COMMIT)
    config["repos"][0].update(repo=str(hooks), rev=revision)
    (manuscripts / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    _git(["init", "-q"], manuscripts)
    _git(["add", "-A"], manuscripts)

    with serve_crossref(seed_records()) as crossref:
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
            "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"),
            "VIRTUALENV_SYSTEM_SITE_PACKAGES": "1",
            "PIP_NO_INDEX": "1",
            # pip's inverted spelling: "0" turns build isolation off.
            "PIP_NO_BUILD_ISOLATION": "0",
            "REFCHECK_BASE_URL": crossref.base_url,
            "REFCHECK_CACHE": str(tmp_path / "cache.sqlite"),
        }
        result = subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--all-files"],
            cwd=manuscripts,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    output = result.stdout + result.stderr
    assert (1, True, True) == (
        result.returncode,
        "- exit code: 1" in output,
        '[B3] author-spelling (error): author 2 "Sinforio" is spelled "Sinflorio"' in output,
    ), output[-3000:]
