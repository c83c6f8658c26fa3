"""The package's layers: imports only go down, never in a cycle, and the tenants (webui,
benchmarks) use only the public surface. Every import counts: module level, inside
functions, and under ``if TYPE_CHECKING:``.

The order (also in ARCHITECTURE.md), lowest first; a unit may import from lower ranks and
from itself, never from a higher rank or from another unit of its own rank:

    0  errors, model, version, vocabulary   1  config    2  text
    3  ingest, cite, database        4  index, projects 5  search, storage
    6  points                        7  export, audit   8  library
    9  evidence/__init__ (the public surface)           10 cli      11 __main__
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "evidence"
RANKS = {
    "errors": 0, "ids": 0, "model": 0, "version": 0, "vocabulary": 0,
    "config": 1,
    "text": 2,
    "ingest": 3, "cite": 3, "database": 3,
    "index": 4, "projects": 4,
    "search": 5, "storage": 5,
    "points": 6,
    "export": 7, "audit": 7,
    "library": 8,
    "__init__": 9,
    "cli": 10,
    "__main__": 11,
}  # fmt: skip
SUBPACKAGES = ("text", "ingest", "index", "search", "cite", "points", "export", "audit")


def module_name(path: Path) -> str:
    """``evidence.index.store`` for evidence/index/store.py; packages by their __init__."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """The absolute names of the `evidence` modules `path` imports, wherever it does."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "evidence"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "evidence":
                continue
            found.add(target)
            for alias in node.names:  # `from . import x` may name a module
                if (PACKAGE.parent / (target.replace(".", "/") + f"/{alias.name}.py")).exists():
                    found.add(f"{target}.{alias.name}")
    return found


def unit(module: str) -> str:
    """The layer unit of a module: its sub-package, or the hub module itself."""
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: imports_of(path) & set(MODULES) for name, path in MODULES.items()}


def test_there_are_at_least_five_sub_packages_each_with_a_ranked_place() -> None:
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert set(SUBPACKAGES) <= packages and len(packages) >= 5
    assert {unit(m) for m in MODULES} <= set(RANKS), "a new unit needs a place in RANKS"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_the_layers(module: str) -> None:
    here = unit(module)
    wrong = sorted(
        target
        for target in GRAPH[module]
        if unit(target) != here and RANKS[unit(target)] >= RANKS[here]
    )
    assert wrong == [], f"{module} (rank {RANKS[here]}) imports upward or sideways: {wrong}"


def test_no_import_cycle() -> None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(GRAPH[node]):
            if target == node:
                continue
            if state.get(target) == 1:
                cycle = path[path.index(target) :] + [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, path + [target])
        state[node] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])


@pytest.mark.parametrize("folder", ["webui", "benchmarks"])
def test_tenants_import_only_the_public_surface(folder: str) -> None:
    offenders = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        if "out" in path.relative_to(ROOT / folder).parts:
            continue
        for name in imports_of(path):
            if name != "evidence":
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


@pytest.mark.parametrize("package", SUBPACKAGES)
def test_each_sub_package_says_what_goes_in_and_out_and_exports_a_few_names(
    package: str,
) -> None:
    init = PACKAGE / package / "__init__.py"
    tree = ast.parse(init.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree) or ""
    assert "In:" in doc and "Out:" in doc, f"{init}: the docstring says what goes in and out"
    exported = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__"
    )
    assert isinstance(exported, ast.List) and 1 <= len(exported.elts) <= 4


def test_no_module_is_over_450_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450
    }
    assert long == {}
