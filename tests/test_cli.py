"""End-to-end: the real `refcheck` command against the Crossref stand-in on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from seed import MANUSCRIPT, RESPONSES, seed_records

from refcheck.cli import EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNCHECKED, EXIT_USAGE, cli
from refcheck.testing import CrossrefStandIn, serve_crossref, set_testing

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "report.schema.json").read_text())


@pytest.fixture(scope="module")
def crossref() -> Iterator[CrossrefStandIn]:
    with serve_crossref(seed_records()) as server:
        yield server


@pytest.fixture
def no_wait() -> Iterator[None]:
    set_testing(True)
    yield
    set_testing(False)


def invoke_failing(status: int, count: int) -> tuple[int, str]:
    """Run `refcheck check` in-process against a stand-in whose next ``count`` answers fail."""
    with serve_crossref(seed_records()) as crossref:
        crossref.fail_next(count, status=status)
        result = CliRunner().invoke(
            cli,
            [
                "check",
                str(MANUSCRIPT),
                "--base-url",
                crossref.base_url,
                "--no-cache",
                "--concurrency",
                "1",
            ],
        )
    return result.exit_code, result.output


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m refcheck`` as a user would, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "refcheck", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_check_seed_against_stand_in(crossref: CrossrefStandIn, tmp_path: Path) -> None:
    """The CLI finds the seed's discrepancies through real HTTP, and exits 1 for errors."""
    result = run(
        "check",
        str(MANUSCRIPT),
        "--base-url",
        crossref.base_url,
        "--cache",
        str(tmp_path / "c.sqlite"),
    )
    assert EXIT_FINDINGS == result.returncode, result.stderr
    codes = {line.split()[2] for line in result.stdout.splitlines()[:-1] if "] " in line}
    assert {
        "author-initials",
        "title-mismatch",
        "author-spelling",
        "now-published",
        "unresolved",
        "journal-mismatch",
        "title-differs",
        "pages-suffix",
    } <= codes
    assert "name-variant (warning)" in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "15 references: 8 verified, 5 mismatch, 2 unresolved; 2 errors, 8 warnings, 2 info"
    )


def test_second_run_is_answered_from_the_cache(crossref: CrossrefStandIn, tmp_path: Path) -> None:
    """With a warm cache, a second run sends no request and gives the same report."""
    cache = str(tmp_path / "cache.sqlite")
    first = run("check", str(MANUSCRIPT), "--base-url", crossref.base_url, "--cache", cache)
    before = len(crossref.requests)
    second = run("check", str(MANUSCRIPT), "--base-url", crossref.base_url, "--cache", cache)
    assert (first.stdout, before) == (second.stdout, len(crossref.requests))


def test_mailto_and_user_agent_reach_crossref(crossref: CrossrefStandIn) -> None:
    """--mailto is sent as a parameter and in the User-Agent."""
    crossref.clear_log()
    run(
        "resolve",
        "Ramos-Casals M. Adult haemophagocytic syndrome. Lancet 2014; 383: 1503-16.",
        "--base-url",
        crossref.base_url,
        "--no-cache",
        "--mailto",
        "editor@example.org",
    )
    [request] = crossref.requests
    assert ("editor@example.org",) == tuple(request.params["mailto"])
    assert request.headers["User-Agent"].endswith("(mailto:editor@example.org)")


def test_json_output_is_valid(crossref: CrossrefStandIn) -> None:
    """--format json prints a report valid against the documented schema."""
    result = run(
        "check", str(MANUSCRIPT), "--format", "json", "--base-url", crossref.base_url, "--no-cache"
    )
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    b3 = next(r for r in data["references"] if r["label"] == "B3")
    assert ("mismatch", "10.1371/journal.ppat.1007887") == (b3["status"], b3["doi"])


def test_fail_on_never_exits_clean(crossref: CrossrefStandIn) -> None:
    """--fail-on never turns findings into exit code 0."""
    result = run(
        "check",
        str(MANUSCRIPT),
        "--fail-on",
        "never",
        "--base-url",
        crossref.base_url,
        "--no-cache",
    )
    assert EXIT_CLEAN == result.returncode


def test_replay_quickstart_needs_no_network() -> None:
    """The README's quickstart: replaying recorded answers checks every reference."""
    result = run(
        "check", str(MANUSCRIPT), "--replay", str(RESPONSES), "--base-url", "http://127.0.0.1:9"
    )
    assert EXIT_FINDINGS == result.returncode
    assert "not-checked" not in result.stdout


def test_offline_with_empty_cache_is_not_checked(tmp_path: Path) -> None:
    """Offline, with nothing cached: every reference is "not checked", never "not found"; exit 3."""
    result = run("check", str(MANUSCRIPT), "--offline", "--cache", str(tmp_path / "empty.sqlite"))
    assert EXIT_UNCHECKED == result.returncode
    assert 15 == result.stdout.count(
        "not-checked (warning): not checked (Crossref: offline, and not in the cache)"
    )
    assert "unresolved" not in result.stdout.replace("0 unresolved", "")


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    """A manuscript that cannot be read: one `Error:` line, no traceback, exit 2."""
    result = run("check", str(tmp_path / "nope.md"), "--offline")
    assert EXIT_USAGE == result.returncode
    assert result.stderr.startswith("Error: cannot read manuscript")
    assert "Traceback" not in result.stderr


def test_bad_environment_setting_is_a_usage_error() -> None:
    """A bad REFCHECK_TIMEOUT is named in a one-line error, exit 2."""
    import os

    env = {**os.environ, "REFCHECK_TIMEOUT": "soon"}
    result = run("check", str(MANUSCRIPT), env=env)
    assert (EXIT_USAGE, "Error: REFCHECK_TIMEOUT") == (result.returncode, result.stderr[:23])


def test_no_reference_list_exits_3(tmp_path: Path) -> None:
    """A manuscript without a reference list could not be checked: exit 3 and a message."""
    path = tmp_path / "empty.md"
    path.write_text("Just prose.\n", encoding="utf-8")
    result = run("check", str(path), "--offline")
    assert EXIT_UNCHECKED == result.returncode
    assert "no reference list found" in result.stderr


def test_crossref_down_is_reported_per_reference(no_wait: None) -> None:
    """When Crossref fails for every request, each reference says why; exit 3."""
    exit_code, output = invoke_failing(503, 1_000)
    assert EXIT_UNCHECKED == exit_code
    assert 15 == output.count("not-checked (warning)")
    assert "HTTP 503" in output


def test_one_failure_does_not_stop_the_others(no_wait: None) -> None:
    """A single 500 is retried; every reference is still checked."""
    exit_code, output = invoke_failing(500, 1)
    assert "not-checked" not in output
    assert EXIT_FINDINGS == exit_code


def test_parse_command_json() -> None:
    """`refcheck parse --format json` prints the parsed fields."""
    result = run(
        "parse",
        "Canna SW, de Jesus AA, Gouni S, et al. An activating NLRC4 inflammasome mutation. *Nat Genet* 2014; **46**: 1140–46.",
        "--format",
        "json",
    )
    data = json.loads(result.stdout)
    assert ("de Jesus", True, "1140", "1146") == (
        data["authors"][1]["family"],
        data["et_al"],
        data["first_page"],
        data["last_page"],
    )


def test_resolve_command_shows_evidence(crossref: CrossrefStandIn) -> None:
    """`refcheck resolve` prints the DOI, the score and the candidates' evidence."""
    result = run(
        "resolve",
        "Chaves MM, Sinforio DA, Thorstenberg ML, et al. Non-canonical NLRP3 inflammasome activation and IL-1β signaling are necessary to L. amazonensis control mediated by P2X7 receptor and leukotriene B4. PLoS Pathog 2019; 15: e1007887.",
        "--base-url",
        crossref.base_url,
        "--no-cache",
    )
    assert EXIT_CLEAN == result.returncode
    assert result.stdout.startswith("matched: 10.1371/journal.ppat.1007887 (score")
    assert "first author Chaves/Chaves" in result.stdout


_CHAVES = "Chaves MM, Sinforio DA, Thorstenberg ML, et al. Non-canonical NLRP3 inflammasome activation and IL-1β signaling are necessary to L. amazonensis control mediated by P2X7 receptor and leukotriene B4. PLoS Pathog 2019; 15: e1007887."


def test_resolve_text_names_the_fields_that_agreed_and_the_runner_up(
    crossref: CrossrefStandIn,
) -> None:
    """`refcheck resolve` lists the agreeing fields of the chosen work, then the runner-up."""
    result = run("resolve", _CHAVES, "--base-url", crossref.base_url, "--no-cache")
    lines = result.stdout.splitlines()
    agreed = next(line for line in lines if line.startswith("  agreed:"))
    assert "  agreed: title, author, year, journal, volume, page" == agreed
    assert any(line.startswith("runner-up: 10.") for line in lines)


def test_resolve_json_has_work_evidence_and_runner_up(crossref: CrossrefStandIn) -> None:
    """`refcheck resolve --format json` gives the DOI, the chosen work's evidence, the runner-up."""
    result = run(
        "resolve", _CHAVES, "--format", "json", "--base-url", crossref.base_url, "--no-cache"
    )
    data = json.loads(result.stdout)
    assert ("matched", "10.1371/journal.ppat.1007887", "10.1371/journal.ppat.1007887", []) == (
        data["status"],
        data["doi"],
        data["work"]["doi"],
        data["work"]["disagreed"],
    )
    assert data["runner_up"]["doi"] != data["doi"]


_MEHTA = "Mehta P, Cron RQ. Silencing the cytokine storm: the use of intravenous anakinra in haemophagocytic lymphohistiocytosis. Lancet Rheumatol 2020; 2: e358-67."


def _resolve(*args: str) -> tuple[int, dict[str, Any]]:
    """Run `refcheck resolve --format json` in-process: the exit code and the decision."""
    result = CliRunner().invoke(cli, ["resolve", "--format", "json", *args])
    return result.exit_code, json.loads(result.stdout) if result.stdout else {}


def test_resolve_reads_the_config_file_of_the_current_directory(
    crossref: CrossrefStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --config, `refcheck resolve` takes base-url, mailto and cache from the
    refcheck.toml of the current directory: the request reaches the stand-in with the file's
    address, and the answers go to the file's cache (relative to the file)."""
    (tmp_path / "refcheck.toml").write_text(
        f'base-url = "{crossref.base_url}"\nmailto = "file@example.org"\ncache = "c.sqlite"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    crossref.clear_log()
    exit_code, decision = _resolve(_CHAVES)
    assert (EXIT_CLEAN, "10.1371/journal.ppat.1007887") == (exit_code, decision["doi"])
    assert {("file@example.org",)} == {r.params["mailto"] for r in crossref.requests}
    assert (tmp_path / "c.sqlite").is_file()


def test_resolve_applies_the_config_threshold(crossref: CrossrefStandIn, tmp_path: Path) -> None:
    """The file's threshold is the resolver's: a search result scoring 0.93 is taken at 0.90
    and not at 0.95."""
    statuses = []
    for threshold in ("0.90", "0.95"):
        config = tmp_path / f"{threshold}.toml"
        config.write_text(f"threshold = {threshold}\n", encoding="utf-8")
        args = ("--config", str(config), "--base-url", crossref.base_url, "--no-cache")
        statuses.append(_resolve(_MEHTA, *args)[1]["status"])
    assert ["matched", "unresolved"] == statuses


def test_resolve_options_beat_the_config_file(crossref: CrossrefStandIn, tmp_path: Path) -> None:
    """--base-url and --mailto win over the file's (whose base URL answers nothing)."""
    config = tmp_path / "refcheck.toml"
    config.write_text(
        'base-url = "http://127.0.0.1:9"\nmailto = "file@example.org"\n', encoding="utf-8"
    )
    crossref.clear_log()
    exit_code, decision = _resolve(
        _CHAVES,
        *("--config", str(config), "--no-cache"),
        *("--base-url", crossref.base_url, "--mailto", "cli@example.org"),
    )
    assert (EXIT_CLEAN, "matched") == (exit_code, decision["status"])
    assert {("cli@example.org",)} == {r.params["mailto"] for r in crossref.requests}


def test_resolve_bad_config_is_a_usage_error(tmp_path: Path) -> None:
    """A configuration file with an unknown key: exit 2, one line naming the key and the file,
    before any request."""
    config = tmp_path / "refcheck.toml"
    config.write_text("colour = 'blue'\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["resolve", _CHAVES, "--config", str(config)])
    assert (EXIT_USAGE, f"Error: {config}: unknown key 'colour'") == (
        result.exit_code,
        result.stderr.split(" (known keys")[0],
    )


def test_version() -> None:
    """`python -m refcheck --version` names the version."""
    from refcheck import __version__

    assert f"refcheck, version {__version__}" == run("--version").stdout.strip()


def test_failure_of_one_reference_is_reported_for_that_reference(no_wait: None) -> None:
    """Five 503s in a row exhaust the first reference's retries; only it is "not checked"."""
    exit_code, output = invoke_failing(503, 5)
    unchecked = [line for line in output.splitlines() if "not-checked" in line]
    assert 1 == len(unchecked)
    assert "[A1]" in unchecked[0]
    assert "1 unchecked" in output.splitlines()[-1]
    assert EXIT_FINDINGS == exit_code


def test_parse_file_jsonl_gives_one_object_a_line(tmp_path: Path) -> None:
    """`refcheck parse --file F --format jsonl` prints one object per non-blank line of F."""
    citations = tmp_path / "refs.txt"
    citations.write_text(
        "Huet T, Voisin O. Anakinra. Lancet Rheumatol 2020; 2: e393–400.\n\n"
        "Cron, R. Q. (2020). Title of the work. Journal of Things, 12(3), 45–67.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["parse", "--file", str(citations), "--format", "jsonl"])
    volumes = [json.loads(line)["volume"] for line in result.output.splitlines()]
    assert ["2", "12"] == volumes


def test_parse_file_json_is_an_array(tmp_path: Path) -> None:
    """`refcheck parse --file F --format json` prints a JSON array, one object a citation."""
    citations = tmp_path / "refs.txt"
    citations.write_text(
        "Huet T. Anakinra. Lancet Rheumatol 2020; 2: e393–400.\n", encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["parse", "--file", str(citations), "--format", "json"])
    assert ["e393"] == [item["first_page"] for item in json.loads(result.output)]


def test_parse_text_separates_citations_with_a_blank_line(tmp_path: Path) -> None:
    """The text format prints each citation's fields, a blank line between two citations."""
    citations = tmp_path / "refs.txt"
    citations.write_text("Huet T. A. Lancet 2020; 2: 1-9.\nCron R. B. Lancet 2021; 3: 2-8.\n")
    result = CliRunner().invoke(cli, ["parse", "--file", str(citations)])
    assert 2 == len(result.output.strip().split("\n\n"))


def test_parse_needs_a_citation_or_a_file() -> None:
    """`refcheck parse` with neither a CITATION nor --file is a usage error (exit 2)."""
    result = CliRunner().invoke(cli, ["parse"])
    assert EXIT_USAGE == result.exit_code
