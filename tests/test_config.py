"""Configuration files: reading, finding, precedence, and ignoring findings and references."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from refcheck.cli import cli
from refcheck.config import Config, IgnoreRule, apply_ignores, effective, find_config, load_config
from refcheck.errors import ConfigError
from refcheck.model import (
    CheckedReference,
    Citation,
    Finding,
    Location,
    Match,
    MatchStatus,
    Reference,
    Report,
    Severity,
    Work,
)
from refcheck.output.report import format_text, report_to_dict, summary_line

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "anakinra"
FULL = """\
mailto = "you@example.org"
fail-on = "warning"
format = "sarif"
ignore-codes = ["pages-suffix", "now-published"]
ignore-references = [{reference = "B5", reason = "a 2007 letter  Crossref lacks"}]
threshold = 0.9
cache = "cache/crossref.sqlite"
base-url = "http://127.0.0.1:8080"
timeout = 5
concurrency = 2
pubmed-base-url = "https://eutils.example.org/entrez/eutils/"
openalex-base-url = "http://127.0.0.1:8081"
datacite-base-url = "https://datacite.example.org"
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- reading --------------------------------------------------------------------------------


def test_refcheck_toml_keys_are_read_into_a_config(tmp_path: Path) -> None:
    """Every key of a refcheck.toml lands in its Config field; the reason is tidied."""
    file = _write(tmp_path / "refcheck.toml", FULL)
    expected = Config(
        path=file,
        mailto="you@example.org",
        fail_on="warning",
        format="sarif",
        ignore_codes=("pages-suffix", "now-published"),
        ignore_references=(IgnoreRule("B5", "a 2007 letter Crossref lacks"),),
        threshold=0.9,
        cache=tmp_path / "cache" / "crossref.sqlite",
        base_url="http://127.0.0.1:8080",
        timeout=5.0,
        concurrency=2,
        pubmed_base_url="https://eutils.example.org/entrez/eutils",
        openalex_base_url="http://127.0.0.1:8081",
        datacite_base_url="https://datacite.example.org",
    )
    assert expected == load_config(file)


def test_pyproject_tool_refcheck_table_is_read(tmp_path: Path) -> None:
    """In pyproject.toml the settings are the [tool.refcheck] table; other tables are ignored."""
    file = _write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "paper"\n[tool.refcheck]\nfail-on = "info"\n',
    )
    assert Config(path=file, fail_on="info") == load_config(file)


def test_cache_false_means_no_cache(tmp_path: Path) -> None:
    """cache = false turns the cache off (no_cache), it is not a file named 'False'."""
    config = load_config(_write(tmp_path / "refcheck.toml", "cache = false\n"))
    assert (True, None) == (config.no_cache, config.cache)


def test_unknown_key_is_an_error_naming_the_key_and_the_file(tmp_path: Path) -> None:
    """A misspelt key is not silently ignored."""
    file = _write(tmp_path / "pyproject.toml", "[tool.refcheck]\nfail_on = 'info'\n")
    with pytest.raises(ConfigError) as info:
        load_config(file)
    assert str(info.value).startswith(f"{file} [tool.refcheck]: unknown key 'fail_on'")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('fail-on = "sometimes"', "fail-on: expected one of error, warning, info, never, found"),
        (
            'format = "xml"',
            "format: expected one of text, json, github, gitlab, junit, sarif, found",
        ),
        ('mailto = "nobody"', "mailto: expected an e-mail address, found 'nobody'"),
        ("timeout = -1", "timeout: expected a number of seconds > 0, found -1"),
        ('timeout = "soon"', "timeout: expected a number of seconds > 0, found 'soon'"),
        ("concurrency = 50", "concurrency: expected a whole number from 1 to 10, found 50"),
        ("concurrency = 2.5", "concurrency: expected a whole number from 1 to 10, found 2.5"),
        ("threshold = 1.5", "threshold: expected a number between 0 and 1, found 1.5"),
        ('base-url = "ftp://x"', "base-url: expected an http(s) URL, found 'ftp://x'"),
        ('base-url = "http:// x"', "base-url: expected an http(s) URL, found 'http:// x'"),
        (
            'openalex-base-url = "api.openalex.org"',
            "openalex-base-url: expected an http(s) URL, found 'api.openalex.org'",
        ),
        ('ignore-codes = "pages-suffix"', "ignore-codes: expected a list of finding codes"),
        ('ignore-codes = ["page-suffix"]', "ignore-codes: expected finding codes"),
        ("cache = 3", "cache: expected a string, found 3"),
        ('ignore-references = ["B5"]', "ignore-references: expected a list of"),
    ],
)
def test_wrong_value_is_an_error_naming_the_key_and_the_file(
    tmp_path: Path, line: str, message: str
) -> None:
    """Each key checks its type and range; the message starts with the file, then the key."""
    file = _write(tmp_path / "refcheck.toml", line + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(file)
    assert str(info.value).startswith(f"{file}: {message}")


def test_ignored_reference_needs_a_reason(tmp_path: Path) -> None:
    """Setting a reference aside without saying why is an error."""
    file = _write(tmp_path / "refcheck.toml", 'ignore-references = [{reference = "B5"}]\n')
    with pytest.raises(ConfigError, match=r"ignore-references\.reason: expected the reason B5"):
        load_config(file)


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    """A file that is not TOML gives a ConfigError naming it, not a tomllib traceback."""
    file = _write(tmp_path / "refcheck.toml", "fail-on = \n")
    with pytest.raises(ConfigError, match=r"refcheck\.toml: not valid TOML"):
        load_config(file)


# --- finding --------------------------------------------------------------------------------


def test_find_config_looks_upwards_from_the_manuscript(tmp_path: Path) -> None:
    """A refcheck.toml two directories up is found from a manuscript's path."""
    file = _write(tmp_path / "refcheck.toml", "")
    manuscript = _write(tmp_path / "paper" / "draft" / "m.md", "")
    assert file == find_config(manuscript)


def test_refcheck_toml_wins_over_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    """Both in one directory: refcheck.toml is the one read."""
    _write(tmp_path / "pyproject.toml", "[tool.refcheck]\n")
    file = _write(tmp_path / "refcheck.toml", "")
    assert file == find_config(tmp_path)


def test_pyproject_without_the_table_is_passed_over(tmp_path: Path) -> None:
    """A pyproject.toml without [tool.refcheck] is not refcheck's: the search goes on up."""
    file = _write(tmp_path / "pyproject.toml", "[tool.refcheck]\n")
    _write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "x"\n')
    assert file == find_config(tmp_path / "sub")


def test_find_config_stops_at_the_repository_root(tmp_path: Path) -> None:
    """A file above the directory holding .git belongs to another project."""
    _write(tmp_path / "refcheck.toml", "")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    assert None is find_config(tmp_path / "repo")


# --- precedence -----------------------------------------------------------------------------


def test_option_beats_environment() -> None:
    """A command-line value wins over REFCHECK_FAIL_ON and the file."""
    env = {"REFCHECK_FAIL_ON": "info"}
    assert "never" == effective("fail_on", "never", Config(fail_on="warning"), env)


def test_environment_beats_file() -> None:
    """REFCHECK_CONCURRENCY wins over the file's concurrency."""
    assert 1 == effective("concurrency", None, Config(concurrency=5), {"REFCHECK_CONCURRENCY": "1"})


def test_file_beats_default() -> None:
    """With neither option nor variable, the file's value is used."""
    assert "junit" == effective("format", None, Config(format="junit"), {})


def test_default_when_nothing_is_set() -> None:
    """With nothing set, the documented default."""
    assert 0.80 == effective("threshold", None, Config(), {})


def test_bad_environment_value_names_the_variable() -> None:
    """REFCHECK_FORMAT=xml is a ConfigError naming the variable and the value."""
    with pytest.raises(ConfigError, match=r"^REFCHECK_FORMAT: expected one of .*, found 'xml'$"):
        effective("format", None, Config(), {"REFCHECK_FORMAT": "xml"})


def test_crossref_settings_take_the_file_below_the_environment(tmp_path: Path) -> None:
    """The file's mailto and timeout are used, except where REFCHECK_* sets them."""
    config = Config(mailto="file@example.org", timeout=5.0, cache=tmp_path / "c.sqlite")
    settings = config.crossref_settings({}, {"REFCHECK_TIMEOUT": "7"})
    assert ("file@example.org", 7.0, tmp_path / "c.sqlite") == (
        settings.mailto,
        settings.timeout,
        settings.cache,
    )


def test_crossref_settings_take_options_above_everything() -> None:
    """A command-line override wins over both the environment and the file."""
    config = Config(mailto="file@example.org")
    settings = config.crossref_settings(
        {"mailto": "cli@example.org"}, {"REFCHECK_MAILTO": "env@example.org"}
    )
    assert "cli@example.org" == settings.mailto


def test_source_base_urls_take_the_file_below_the_environment_and_options() -> None:
    """Each second source's base URL: the option, else REFCHECK_<NAME>_BASE_URL, else the
    file."""
    config = Config(
        pubmed_base_url="https://file.example.org/pubmed",
        openalex_base_url="https://file.example.org/openalex",
        datacite_base_url="https://file.example.org/datacite",
    )
    urls = config.source_base_urls(
        {"pubmed": None, "datacite": "https://cli.example.org/datacite"},
        {
            "REFCHECK_OPENALEX_BASE_URL": "https://env.example.org/openalex",
            "REFCHECK_DATACITE_BASE_URL": "https://env.example.org/datacite",
        },
    )
    assert {
        "pubmed": "https://file.example.org/pubmed",
        "openalex": "https://env.example.org/openalex",
        "datacite": "https://cli.example.org/datacite",
    } == urls


def test_file_no_cache_turns_the_cache_off() -> None:
    """cache = false in the file gives settings without a cache."""
    assert None is Config(no_cache=True).crossref_settings({}, {}).cache


# --- ignoring -------------------------------------------------------------------------------


def _checked(label: str, doi: str, findings: list[Finding]) -> CheckedReference:
    return CheckedReference(
        Citation(f"Citation {label}.", "m.md", int(label[1:]), label),
        Reference(text=f"Citation {label}."),
        Match(MatchStatus.MATCHED, work=Work(doi=doi), score=1.0, via="search"),
        findings,
    )


@pytest.fixture
def report() -> Report:
    suffix = Finding("pages-suffix", Severity.INFO, "suffix", field="pages")
    volume = Finding("volume-mismatch", Severity.ERROR, "volume", field="volume")
    variant = Finding("name-variant", Severity.WARNING, "two ways", location=Location("m.md", 9))
    return Report(
        [_checked("B1", "10.1/one", [suffix, volume]), _checked("B2", "10.1/two", [volume])],
        [variant],
        ["m.md"],
    )


def test_ignored_codes_are_dropped_everywhere(report: Report) -> None:
    """Findings with an ignored code leave both the references and the document findings."""
    result = apply_ignores(report, codes=["pages-suffix", "name-variant"])
    assert ["volume-mismatch", "volume-mismatch"] == [f.code for f in result.all_findings]


def test_reference_ignored_by_label_moves_aside_with_its_reason(report: Report) -> None:
    """B2 by label: out of references, into ignored, with the reason."""
    result = apply_ignores(report, references=[IgnoreRule("b2", "erratum cited on purpose")])
    assert (["B1"], [("B2", "erratum cited on purpose")]) == (
        [c.citation.label for c in result.references],
        [(i.checked.citation.label, i.reason) for i in result.ignored],
    )


def test_reference_ignored_by_doi_url(report: Report) -> None:
    """A DOI given as a doi.org URL matches the matched work's DOI."""
    result = apply_ignores(report, references=[IgnoreRule("https://doi.org/10.1/ONE", "known")])
    assert ["B1"] == [i.checked.citation.label for i in result.ignored]


def test_summary_counts_ignored_references(report: Report) -> None:
    """The summary line ends with the number of references set aside."""
    result = apply_ignores(report, references=[IgnoreRule("B1", "known")])
    expected = "1 reference: 1 mismatch; 1 error, 1 warning, 0 info; 1 ignored"
    assert expected == summary_line(result)


def test_verbose_text_shows_the_reason(report: Report) -> None:
    """refcheck check -v lists each ignored reference with its reason."""
    result = apply_ignores(report, references=[IgnoreRule("B1", "known")])
    assert "m.md:1: [B1] ignored: known" in format_text(result, verbose=True).splitlines()


def test_json_report_with_ignored_references_follows_the_schema(report: Report) -> None:
    """The JSON report lists ignored references and still validates against its schema."""
    schema = json.loads((EXAMPLE.parents[1] / "docs" / "report.schema.json").read_text())
    data = report_to_dict(apply_ignores(report, references=[IgnoreRule("B1", "known")]))
    jsonschema.validate(data, schema)
    assert (
        [
            {
                "file": "m.md",
                "line": 1,
                "column": None,
                "anchor": None,
                "label": "B1",
                "doi": "10.1/one",
                "reason": "known",
            }
        ],
        1,
    ) == (
        data["ignored"],
        data["summary"]["ignored"],
    )


# --- the command line -----------------------------------------------------------------------


def _check(tmp_path: Path, config: str, *extra: str, env: dict[str, str] | None = None) -> Result:
    file = _write(tmp_path / "refcheck.toml", config)
    args = [
        "check",
        str(EXAMPLE / "manuscript.md"),
        "--replay",
        str(EXAMPLE / "crossref-responses.jsonl"),
        "--config",
        str(file),
        *extra,
    ]
    return CliRunner().invoke(cli, args, env=env)


def test_cli_applies_the_file_ignores(tmp_path: Path) -> None:
    """ignore-references and ignore-codes from --config change the report's summary."""
    config = (
        'ignore-codes = ["author-initials"]\n'
        'ignore-references = [{reference = "B5", reason = "not indexed"}]\n'
    )
    result = _check(tmp_path, config)
    expected = "14 references: 9 verified, 4 mismatch, 1 unresolved; 2 errors, 5 warnings, 2 info; 1 ignored"
    assert expected == result.stdout.splitlines()[-1]


def test_cli_file_fail_on_sets_the_exit_code(tmp_path: Path) -> None:
    """fail-on = "never" in the file makes a report with errors exit 0."""
    assert 0 == _check(tmp_path, 'fail-on = "never"\n').exit_code


def test_cli_option_overrides_the_file(tmp_path: Path) -> None:
    """--fail-on error on the command line wins over the file's "never"."""
    assert 1 == _check(tmp_path, 'fail-on = "never"\n', "--fail-on", "error").exit_code


def test_cli_environment_overrides_the_file(tmp_path: Path) -> None:
    """REFCHECK_FAIL_ON wins over the file's "never"."""
    result = _check(tmp_path, 'fail-on = "never"\n', env={"REFCHECK_FAIL_ON": "error"})
    assert 1 == result.exit_code


def test_cli_bad_config_is_a_usage_error(tmp_path: Path) -> None:
    """An unknown key: exit 2 and one line on stderr naming the key and the file."""
    result = _check(tmp_path, "colour = 'blue'\n")
    assert (2, f"Error: {tmp_path / 'refcheck.toml'}: unknown key 'colour'") == (
        result.exit_code,
        result.stderr.split(" (known keys")[0],
    )
