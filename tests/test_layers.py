"""gridcore's modules import one way: each from the layers beneath it, never in a circle.

The import graph is read from the source with ``ast`` (imports inside functions included), so
these tests hold for every module, whether or not a test imports it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "gridcore"

# Each module may import only from layers below its own. A package (``plots``) is one entry:
# its modules share its layer and may import each other, one way (see the cycle test).
LAYERS: dict[str, int] = {
    # numpy only: the paper's numbers, errors, files, binning, the scorer and its nulls
    "__init__": 0,
    "paper": 0,
    "errors": 0,
    "files": 0,
    "formatting": 0,  # numbers written for reading
    "shipped": 1,  # where the shipped networks and sweep tables are (stdlib only)
    "scoring": 3,  # the scorer and its nulls, binning, synthetic maps, cell types (numpy only)
    # torch: the rat, the network, the optimisers, the cells
    "world": 4,  # the rat's paths, its arenas and cube, its place and head-direction cells
    "net": 5,  # the network, its optimisers, its config and task, its run directories
    "analysis": 9,  # what a trained network does: maps, path integration, results, comparisons
    "training": 10,  # the training loops, their recorder and diagnostics, stacked networks
    "navigation": 12,  # goal vectors, agents, shortcuts, RL agents on a frozen network
    # many runs at once: it trains (train) and scores (results, and real_paths' long paths)
    "sweeps": 13,
    "plots": 14,  # the figures, a sweep's tables among them (sweeps.summary)
    # the command line, and ``python -m gridcore``
    "headline": 14,  # the paper's claims against the shipped tables (sweeps), for README and book
    "cli": 15,
    "__main__": 16,
}
NUMPY_LAYERS = 3  # layers 0..3 never import torch
ANALYSIS = (
    "analysis",
    "plots",
    "navigation",
)
# Imported inside a function because gridcore runs without them (extras in pyproject.toml:
# book, dev, sweeps; rats: ratinabox, for comparisons with real rats; book: ripser, for
# persistent homology; rl: stable-baselines3 and sb3-contrib, for reinforcement learning;
# gymnasium, of the same extra, is imported at the top of navigation_env inside a guard).
OPTIONAL = {
    "ipywidgets",
    "IPython",
    "ray",
    "ratinabox",
    "playwright",
    "yaml",
    "ripser",
    "stable_baselines3",
    "sb3_contrib",
}
MAX_LINES = 600


def module_name(path: Path) -> str:
    """``gridcore.plots.cells`` for gridcore/plots/cells.py, ``gridcore.plots`` for its
    __init__.py, ``gridcore`` for the package's own __init__.py."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_key(name: str) -> str:
    """The LAYERS entry of a module: its first component below ``gridcore``."""
    if name == "gridcore":
        return "__init__"
    return name.split(".")[1]


def is_package(name: str) -> bool:
    return modules()[name].name == "__init__.py"


def in_function(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return True
    return False


@cache
def imports(name: str) -> tuple[tuple[str, int, bool], ...]:
    """Every import in module ``name``: (imported module, line, inside a function). Imports of
    gridcore resolve to the gridcore module imported (``from gridcore import paper`` is
    ``gridcore.paper``); other imports give their top-level package."""
    tree = ast.parse(modules()[name].read_text(), filename=str(modules()[name]))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    here = name if is_package(name) else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = []
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.append(sub if sub in modules() else base)
        else:
            continue
        for target in targets:
            if not (target == "gridcore" or target.startswith("gridcore.")):
                target = target.split(".")[0]
            else:  # ``import gridcore.a.b`` imports gridcore.a.b; keep the longest module
                while target not in modules() and "." in target:
                    target = target.rpartition(".")[0]
            found.append((target, node.lineno, in_function(node, parents)))
    return tuple(found)


@cache
def graph() -> dict[str, set[str]]:
    """gridcore module -> the gridcore modules it imports (anywhere in it)."""
    return {
        name: {t for t, _, _ in imports(name) if t in modules() and t != name} for name in modules()
    }


def reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph()[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def relative(name: str) -> str:
    return str(modules()[name].relative_to(ROOT))


ALL = sorted(modules())


# --------------------------------------------------------------------------------------------
# The table and the graph


def test_the_graph_is_read_from_the_source():
    assert {"gridcore.scoring.scores", "gridcore.training.train", "gridcore.cli"} <= set(ALL)
    assert "gridcore.scoring.binning" in graph()["gridcore.scoring.scores"]
    assert "gridcore.paper" in graph()["gridcore.net.config"]  # from gridcore import paper
    assert "gridcore.cli" in graph()["gridcore.__main__"]


def test_every_module_has_a_layer():
    unknown = sorted(relative(m) for m in ALL if layer_key(m) not in LAYERS)
    assert not unknown, (
        f"{', '.join(unknown)}: not in the layer table. Add each to LAYERS in "
        f"tests/test_layers.py, at a layer above every gridcore module it imports and below "
        f"every module that imports it."
    )


def test_import_graph_has_no_cycle():
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node], _ = 1, path.append(node)
        for nxt in sorted(graph()[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node], _ = 2, path.pop()
        return None

    for start in ALL:
        if start not in state and (cycle := visit(start)):
            pytest.fail("import cycle: " + " -> ".join(cycle))


@pytest.mark.parametrize("name", ALL)
def test_imports_point_down_the_layers(name):
    if layer_key(name) not in LAYERS:
        pytest.skip("not in the layer table (see test_every_module_has_a_layer)")
    own = LAYERS[layer_key(name)]
    wrong = []
    for target, line, _ in imports(name):
        if target not in modules() or target == name:
            continue
        same_package = layer_key(target) == layer_key(name) and layer_key(name) != "__init__"
        if same_package and (is_package(target) or "." in target.removeprefix("gridcore.")):
            continue  # modules of one package (gridcore.plots.*) import each other
        theirs = LAYERS.get(layer_key(target))
        if theirs is None or theirs >= own:
            wrong.append(f"line {line}: {target} (layer {theirs})")
    assert not wrong, f"{relative(name)} (layer {own}) imports from its layer or above: " + (
        "; ".join(wrong)
    )


def test_analysis_never_imports_the_training_loop():
    analysis = [m for m in ALL if layer_key(m) in ANALYSIS]
    assert "gridcore.analysis.results" in analysis
    reach = sorted(relative(m) for m in analysis if "gridcore.training.train" in reachable(m))
    assert not reach, (
        f"{', '.join(reach)} import gridcore.training.train (directly or through others)"
    )


def test_nothing_imports_the_command_line():
    users = sorted(m for m in ALL if "gridcore.cli" in graph()[m])
    assert users == ["gridcore.__main__"]


# --------------------------------------------------------------------------------------------
# The numpy layer


def test_numpy_layer_never_imports_torch():
    numpy_layer = [m for m in ALL if LAYERS.get(layer_key(m), 99) <= NUMPY_LAYERS]
    assert "gridcore.scoring.scores" in numpy_layer
    for name in numpy_layer:
        third_party = {t for t, _, _ in imports(name) if not t.startswith("gridcore")}
        assert not third_party & {"torch", "safetensors", "tensorboard"}, relative(name)
    code = (
        "import sys, gridcore.scoring.scores, gridcore.scoring.shuffles, gridcore.scoring.binning, gridcore.scoring.synthetic, "
        "gridcore.scoring.scale_modules, gridcore.paper, gridcore.errors, gridcore.files, gridcore.scoring.celltypes; "
        "print('torch' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


# --------------------------------------------------------------------------------------------
# Imports inside functions, and the size of a module


@pytest.mark.parametrize("name", ALL)
def test_imports_inside_functions_are_optional_dependencies(name):
    late = [(t, line) for t, line, inside in imports(name) if inside]
    bad = [f"line {line}: {t}" for t, line in late if t not in OPTIONAL]
    assert not bad, (
        f"{relative(name)} imports inside a function: {'; '.join(bad)}. Import at the top of the "
        f"module; only optional dependencies ({', '.join(sorted(OPTIONAL))}) may be imported "
        "late, and never a gridcore module."
    )


@pytest.mark.parametrize("name", ALL)
def test_modules_stay_small(name):
    sizes = {m: len(modules()[m].read_text().splitlines()) for m in ALL}
    largest = max(sizes, key=sizes.get)
    print(f"largest module: {relative(largest)}, {sizes[largest]} lines")
    assert sizes[name] <= MAX_LINES, (
        f"{relative(name)} has {sizes[name]} lines (at most {MAX_LINES}); split it by concept"
    )
