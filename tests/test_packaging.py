"""What users install: the distribution's name in every install line, and a wheel and an sdist
that install into a fresh environment and run the quickstart with the model file inside.

The name on the package index is not the import name: ``refcheck`` there is another project (a
Markdown link checker), so refcheck is published as pyproject.toml's ``name``. Every ``pip
install`` line in the docs, the examples, the action and the error messages must install that.

The build runs with no network: ``python -m build --no-isolation`` uses the setuptools and
build that the test extra installs, and each fresh venv sees the test environment's
site-packages after its own (as ``--system-site-packages`` would) for refcheck's dependencies,
so the wheel and the sdist are installed with ``--no-index --no-deps``: only refcheck itself
comes from the file.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from refcheck._version import DISTRIBUTION, __version__, install_hint

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
NAME = PYPROJECT["project"]["name"]
EXTRAS = set(PYPROJECT["project"]["optional-dependencies"])
README = (ROOT / "README.md").read_text(encoding="utf-8")

#: Where users read or run install lines. refcheck/_version.py builds them (install_hint).
_SOURCES = [
    "README.md",
    "action.yml",
    "docs/*.md",
    "examples/**/*",
    "examples/**/.*",
    "refcheck/**/*.py",
    "benchmarks/*.py",
]
_PIP_INSTALL = re.compile(r"pip install\s+(?P<args>[^`\n]+)")


def _files() -> list[Path]:
    found = {p for pattern in _SOURCES for p in ROOT.glob(pattern) if p.is_file()}
    return sorted(p for p in found if p.name != "_version.py" and p.suffix != ".jsonl")


def _requirements(args: str) -> list[str]:
    """The package requirements of a ``pip install`` line: not options, paths or variables."""
    text = args.split(" #")[0].strip().rstrip("'\".,;:)")
    for closing in ("", "'", '"'):
        try:
            words = shlex.split(text + closing)
            break
        except ValueError:
            continue
    else:
        words = text.split()
    wanted: list[str] = []
    skip_next = False
    for word in words:
        if skip_next:
            skip_next = False
        elif word in ("-e", "--editable", "-r", "--requirement", "-c", "--constraint"):
            skip_next = True
        elif not word.startswith(("-", ".", "/", "$", "{")):
            wanted.append(word)
    return wanted


def _install_lines() -> list[tuple[str, str]]:
    """Each requirement of each ``pip install`` line, with the file it is in."""
    return [
        (str(path.relative_to(ROOT)), requirement)
        for path in _files()
        for match in _PIP_INSTALL.finditer(path.read_text(encoding="utf-8", errors="replace"))
        for requirement in _requirements(match["args"])
    ]


def test_the_distribution_is_not_the_unrelated_refcheck() -> None:
    """pyproject.toml publishes under the name refcheck's code and hints use, and it is not
    ``refcheck`` (on the package index, a Markdown link checker)."""
    assert (DISTRIBUTION, True) == (NAME, canonicalize_name(NAME) != "refcheck")


def test_every_install_line_installs_this_distribution() -> None:
    """Every ``pip install`` in the README, docs, examples, action, messages and benchmarks
    names pyproject.toml's distribution, with extras that it defines."""
    lines = _install_lines()
    wrong = []
    for where, text in lines:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            wrong.append((where, text))
            continue
        if canonicalize_name(requirement.name) != canonicalize_name(NAME) or (
            requirement.extras - EXTRAS
        ):
            wrong.append((where, text))
    assert (True, []) == (len(lines) >= 8, wrong)


def test_no_extra_is_spelled_with_the_import_name() -> None:
    """No page or message says ``refcheck[docx]``: an extra is installed with the distribution's
    name (``scholarly-refcheck[docx]``)."""
    spelled = re.compile(r"(?<![\w-])refcheck\[")
    assert [] == [
        str(p.relative_to(ROOT)) for p in _files() if spelled.search(p.read_text(errors="replace"))
    ]


def test_pyproject_extras_refer_to_this_distribution() -> None:
    """The ``dev`` extra pulls in the other extras by the project's own name (the local index's
    and the batch runs' too, so that CI runs their tests: issue 19)."""
    own = [
        Requirement(r)
        for r in PYPROJECT["project"]["optional-dependencies"]["dev"]
        if "[" in r and canonicalize_name(Requirement(r).name).endswith("refcheck")
    ]
    assert (["batch", "docs", "habanero", "index", "test"], {NAME}) == (
        sorted(e for r in own for e in r.extras),
        {r.name for r in own},
    )


def test_install_hint_names_the_distribution_and_the_extra() -> None:
    """The hint that error messages give (a missing python-docx, habanero) is a valid line."""
    assert [f"pip install {NAME}", f"pip install '{NAME}[docx]'"] == [
        install_hint(),
        install_hint("docx"),
    ]


# --- the wheel and the sdist, installed into fresh environments ------------------------------


def _clean_env(tmp: Path) -> dict[str, str]:
    """The environment without PYTHONPATH (which would put a checkout before the install)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("PIP_")}
    env["XDG_CACHE_HOME"] = str(tmp / "cache")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build``'s wheel and sdist of a copy of the checkout (the build writes
    egg-info next to the sources, so not into the checkout)."""
    tmp = tmp_path_factory.mktemp("build")
    source = tmp / "source"
    shutil.copytree(
        ROOT,
        source,
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
    out = tmp / "dist"
    result = _run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        tmp,
        _clean_env(tmp),
    )
    assert 0 == result.returncode, result.stdout[-2000:] + result.stderr[-2000:]
    return out


def _artifact(dist: Path, kind: str) -> Path:
    (found,) = dist.glob("*.whl" if kind == "wheel" else "*.tar.gz")
    return found


def test_the_wheel_holds_the_model_and_the_command(dist: Path) -> None:
    """The wheel has the segmenter model, py.typed, the ``refcheck`` command and the name."""
    with zipfile.ZipFile(_artifact(dist, "wheel")) as wheel:
        names = set(wheel.namelist())
        info = f"{NAME.replace('-', '_')}-{__version__}.dist-info"
        metadata = wheel.read(f"{info}/METADATA").decode()
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    assert (True, True, f"Name: {NAME}", True) == (
        "refcheck/parsing/segmenter.crfsuite" in names,
        "refcheck/py.typed" in names,
        re.search(r"^Name: .*$", metadata, re.M).group(),  # type: ignore[union-attr]
        "refcheck = refcheck.cli:main" in entry_points,
    )


def _fresh_venv(target: Path, env: dict[str, str]) -> Path:
    """A new venv (its Python returned) that sees this environment's packages after its own.

    As ``--system-site-packages`` does, but for this environment even when it is a venv itself
    (whose "system" would be the base interpreter's): a ``.pth`` file adds this environment's
    site-packages after the venv's own, so refcheck's dependencies (and pip) are found there and
    refcheck itself in the venv.
    """
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    purelib = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        target,
        env,
    ).stdout.strip()
    outer = [p for p in site.getsitepackages() if Path(p).is_dir()]
    lines = [f"import site; site.addsitedir({p!r})" for p in outer]
    (Path(purelib) / "_outer_environment.pth").write_text("\n".join(lines) + "\n")
    return python


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_the_quickstart_runs_from_a_fresh_install(dist: Path, kind: str, tmp_path: Path) -> None:
    """Installed from the wheel (or built from the sdist) into a new venv, the ``refcheck``
    command prints the README's quickstart output, with refcheck imported from the venv."""
    env = _clean_env(tmp_path)
    target = tmp_path / "venv"
    python = _fresh_venv(target, env)
    install = [str(python), "-m", "pip", "install", "--no-index", "--no-deps", "--ignore-installed"]
    if kind == "sdist":
        install.append("--no-build-isolation")
    result = _run([*install, str(_artifact(dist, kind))], tmp_path, env)
    assert 0 == result.returncode, result.stdout[-2000:] + result.stderr[-2000:]

    # The example where the README runs it, but no checkout to import refcheck from.
    work = tmp_path / "work"
    shutil.copytree(ROOT / "examples" / "anakinra", work / "examples" / "anakinra")
    command = re.search(r"```sh\n(refcheck check examples/anakinra\S* --replay \S+)\n```", README)
    shown = re.search(r"```text\n(.*?)```", README, re.DOTALL)
    assert command is not None and shown is not None
    where = _run(
        [str(python), "-c", "import refcheck; print(refcheck.__file__)"], work, env
    ).stdout.strip()
    quickstart = _run([str(target / "bin" / "refcheck"), *command.group(1).split()[1:]], work, env)
    assert (True, shown.group(1), 1) == (
        Path(where).is_relative_to(target),
        quickstart.stdout,
        quickstart.returncode,
    ), quickstart.stderr[-2000:]
