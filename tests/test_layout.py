"""The package layout holds: imports flow one way (no cycle, none upward), only charlm.ui
imports Streamlit, and every package says in its first line what it owns."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CHARLM = Path(__file__).resolve().parents[1] / "charlm"

# Lower layers never import higher ones; a package may import itself and anything below it.
LAYERS = {
    "charlm": 0,  # the package root holds only __version__ and lazy public names
    "charlm.common": 0,
    "charlm.text": 1,
    "charlm.generation": 2,
    "charlm.analysis": 3,
    "charlm.training": 4,
    "charlm.serving": 5,
    "charlm.ui": 6,
    "charlm.cli": 6,
    "charlm.__main__": 7,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(CHARLM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(CHARLM.rglob("*.py"))}


def imported_modules(path: Path) -> set[str]:
    """Every charlm module `path` imports, at module level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "charlm"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "charlm":
                continue
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in MODULES else node.module)
    return found


def imports_of(path: Path) -> set[str]:
    """Top-level names of every package `path` imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def layer_of(module: str) -> tuple[str, int]:
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return prefix, LAYERS[prefix]
    raise AssertionError(f"{module} is in no layer: add its package to LAYERS")


GRAPH = {name: imported_modules(path) for name, path in MODULES.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules, or None (depth-first search)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target) :] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_there_are_packages_to_check():
    assert len(MODULES) > 30
    assert {layer_of(m)[0] for m in MODULES} >= set(LAYERS) - {"charlm.cli", "charlm.__main__"}


def test_no_import_cycle():
    assert find_cycle(GRAPH) is None, " -> ".join(find_cycle(GRAPH))


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_flow_downward(module):
    package, layer = layer_of(module)
    for target in GRAPH[module]:
        target_package, target_layer = layer_of(target)
        same_package = target_package == package
        assert same_package or target_layer < layer or target_package == "charlm", (
            f"{module} imports {target}: {target_package} (layer {target_layer}) is not below "
            f"{package} (layer {layer})"
        )


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_ui_imports_streamlit(module):
    if layer_of(module)[0] != "charlm.ui":
        assert "streamlit" not in imports_of(MODULES[module])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_opens_with_what_it_does(module):
    doc = ast.get_docstring(ast.parse(MODULES[module].read_text(encoding="utf-8")))
    assert doc and len(doc.splitlines()[0]) > 20, f"{module} needs a one-line opening docstring"


def test_public_names_load_lazily_from_their_owners():
    import subprocess
    import sys

    code = (
        "import sys, charlm; assert 'charlm.generation.sampler' not in sys.modules;"
        "from charlm import Sampler, Vocabulary, load_sampler, reweight, RECIPES, load_corpus;"
        "assert Sampler.__module__ == 'charlm.generation.sampler';"
        "assert 'seed' in RECIPES and 'tensorflow' not in sys.modules"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=CHARLM.parent).returncode == 0
