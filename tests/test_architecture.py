"""The package's layout: one subpackage per step of the data flow, and no step importing a
later one (docs/architecture.md draws the same picture)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "refcheck"

#: Each part of the package and its layer: a module may import its own layer and lower ones.
#: The parser is a pure function of text, so the readers may use it to read a field.
LAYERS = {
    "refcheck._version": 0,
    "refcheck.errors": 0,
    "refcheck.model": 0,
    "refcheck.parsing": 1,
    "refcheck.readers": 2,
    "refcheck.similarity": 3,
    "refcheck.sources": 4,
    "refcheck.findings": 5,
    "refcheck.output": 6,
    "refcheck.check": 7,
    # Batch runs beside check (issue 19): the same flow, a chunk of lines a Dask task; it is
    # check's sibling, not a step, and only the CLI and the public namespace sit above it.
    "refcheck.batch": 7,
    "refcheck.config": 7,
    "refcheck.testing": 8,
    "refcheck.cli": 9,
    "refcheck._docgen": 10,
    "refcheck.__main__": 10,
    "refcheck": 10,  # the public namespace re-exports every step
}
#: What each step's subpackage is for; each says so in its ``__init__``.
STEPS = ("readers", "parsing", "sources", "findings", "output")


@functools.cache
def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _layer(module: str) -> int:
    """The layer of a module: that of the longest entry of :data:`LAYERS` it is in."""
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return LAYERS[prefix]
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def _imports(name: str, path: Path) -> set[str]:
    """The refcheck modules a module imports, at its top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("refcheck"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if module.startswith("refcheck"):
                # "from refcheck.parsing import grammar" imports the module, not the package
                submodules = {f"{module}.{a.name}" for a in node.names}
                found.update(submodules & set(_modules()) or {module})
    return found


MODULES = _modules()


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_a_later_step(name: str) -> None:
    """A module imports only modules of its own layer or a lower one (reading before
    resolving, resolving before the findings, the findings before the output)."""
    later = sorted(m for m in _imports(name, MODULES[name]) if _layer(m) > _layer(name))
    assert [] == later


def test_there_is_no_import_cycle() -> None:
    """No module reaches itself through the modules it imports (at its top level)."""
    graph = {
        name: {m for m in _imports(name, path) if m in MODULES and m != name}
        for name, path in MODULES.items()
    }
    done: set[str] = set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in trail:
            raise AssertionError(" -> ".join((*trail[trail.index(name) :], name)))
        if name in done:
            return
        for imported in sorted(graph[name]):
            visit(imported, (*trail, name))
        done.add(name)

    for name in sorted(graph):
        visit(name, ())


@pytest.mark.parametrize("step", STEPS)
def test_each_step_says_what_it_takes_and_gives(step: str) -> None:
    """Every step's ``__init__`` opens with the step in the data flow: "X -> step -> Y"."""
    doc = ast.get_docstring(ast.parse((PACKAGE / step / "__init__.py").read_text()))
    assert doc is not None and "->" in doc.splitlines()[0]


def test_no_step_module_stands_at_the_top_level() -> None:
    """The top level holds only the shared values and the shell around the steps."""
    top = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert [
        "__init__",
        "__main__",
        "_docgen",
        "_version",
        "batch",  # issue 19: check's sibling for batch runs on Dask (see LAYERS)
        "check",
        "cli",
        "config",
        "errors",
        "model",
        "similarity",
        "testing",
    ] == top
