"""The engine's layout: modules import in one direction only, and the core stays readable.

The import graph is read from the source (every ``from .x import`` and ``from . import x``,
those inside functions included, since a lazy import is a circle too).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "autograd"


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the autograd modules it imports (package __init__ files not counted as
    targets of ``from . import x``: that imports the submodule x)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.level):
                continue
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
            submodules = {f"{target}.{a.name}" for a in node.names} & modules.keys()
            deps |= submodules or ({target} & modules.keys())
        graph[name] = deps - {name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state and (found := visit(dep, [*path, dep])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_no_module_of_the_engine_imports_one_that_imports_it_back():
    graph = import_graph()
    assert "autograd.value" in graph and "autograd.compiler.trace" in graph
    cycle = _cycle(graph)
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_core_knows_nothing_of_the_compiler_or_the_packages_above_it():
    graph = import_graph()
    core = ["autograd.value", "autograd.ops", "autograd.backprop", "autograd.scalars"]
    for name in core:
        assert not {d for d in graph[name] if d.startswith("autograd.compiler")}, name
    # ops.py: the rules need only the arithmetic they are written with
    assert graph["autograd.ops"] <= {"autograd.scalars", "autograd.arrays"}
