"""gridcore's packages import one way: each from the ranks beneath it, never in a circle.

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

# Every module belongs to one entry: a subpackage (``scoring``: gridcore/scoring/*.py) or a
# module at the top of gridcore (``paper``; ``__init__`` is gridcore's own __init__.py). A module
# may import from entries of lower rank, and from its own package; the base modules (rank 0)
# may import each other. Two entries of one rank (training, navigation) never import each other.
RANKS: dict[str, int] = {
    # the base: stdlib and numpy only
    "__init__": 0,
    "errors": 0,
    "files": 0,
    "formatting": 0,  # numbers written for reading
    "paper": 0,  # the paper's numbers
    "shipped": 0,  # where the shipped networks and sweep tables are
    "scoring": 1,  # what a map or a population's activity says, numpy only
    "world": 2,  # the rat and its cells (torch)
    "net": 3,  # the network, its task, and a trained network read back
    "analysis": 4,  # what a trained network does; never the training loops
    "training": 5,  # the training loops
    "navigation": 5,  # agents on a frozen network, beside training
    "sweeps": 6,  # many networks trained and scored, and their tables
    "plots": 7,  # every figure, a sweep's tables among them
    "headline": 8,  # the paper's claims against the shipped tables, for README and book
    "cli": 9,  # the command line
    "__main__": 10,  # python -m gridcore
}
BASE = {entry for entry, rank in RANKS.items() if rank == 0}
NUMPY_ONLY = BASE | {"scoring"}  # never torch, nor matplotlib
REEXPORTING = {"plots", "sweeps"}  # the packages whose __init__ gathers their public names
# Imported inside a function because gridcore runs without them (extras in pyproject.toml:
# book, dev, sweeps; rats: ratinabox, for comparisons with real rats; book: ripser, for
# persistent homology; rl: stable-baselines3 and sb3-contrib, for reinforcement learning).
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
# Base classes of the rl extra, imported at the top inside a guard (gridcore imports without
# them): gymnasium's Env for gridcore.navigation.env, Stable-Baselines3's VecEnv for
# gridcore.navigation.episodes.
GUARDED = {"gymnasium", "stable_baselines3"}
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


def entry(name: str) -> str:
    """The RANKS entry of a module: its first component below ``gridcore``."""
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


def in_try(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.Try):
            return True
    return False


@cache
def parsed(name: str) -> tuple[ast.Module, dict[ast.AST, ast.AST]]:
    tree = ast.parse(modules()[name].read_text(), filename=str(modules()[name]))
    return tree, {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


@cache
def imports(name: str) -> tuple[tuple[str, int, bool], ...]:
    """Every import in module ``name``: (imported module, line, inside a function). Imports of
    gridcore resolve to the gridcore module imported (``from gridcore.scoring import scores`` is
    ``gridcore.scoring.scores``); other imports give their top-level package."""
    tree, parents = parsed(name)
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


def may_import(importer: str, imported: str) -> bool:
    """Whether module ``importer`` may import module ``imported``: a lower rank, its own
    package, or one base module another."""
    mine, theirs = entry(importer), entry(imported)
    if mine == theirs or {mine, theirs} <= BASE:
        return True
    return RANKS[theirs] < RANKS[mine]


ALL = sorted(modules())


# --------------------------------------------------------------------------------------------
# The table and the graph


def test_the_graph_is_read_from_the_source():
    assert {"gridcore.scoring.scores", "gridcore.training.train", "gridcore.cli"} <= set(ALL)
    assert "gridcore.scoring.binning" in graph()["gridcore.scoring.scores"]
    assert "gridcore.paper" in graph()["gridcore.net.config"]  # from gridcore import paper
    assert "gridcore.cli" in graph()["gridcore.__main__"]
    assert "gridcore.sweeps.summary" in graph()["gridcore.plots.sweeps"]


def test_every_module_has_a_rank():
    unknown = sorted(relative(m) for m in ALL if entry(m) not in RANKS)
    assert not unknown, (
        f"{', '.join(unknown)}: in no entry of RANKS. Put each module in the package of its "
        "layer, or add its package or top-level module to RANKS in tests/test_layers.py, at a "
        "rank above every entry it imports and below every entry that imports it."
    )


def test_every_entry_is_a_package_or_a_top_level_module():
    for name, rank in RANKS.items():
        package, module = PACKAGE / name / "__init__.py", PACKAGE / f"{name}.py"
        assert package.is_file() != module.is_file(), f"RANKS[{name!r}]: no gridcore/{name}"
        assert rank > 0 or module.is_file(), f"{name}: the base holds top-level modules only"


def test_subpackages_say_what_they_hold_and_export_nothing():
    for name in (n for n in RANKS if (PACKAGE / n / "__init__.py").is_file()):
        init = f"gridcore.{name}"
        assert ast.get_docstring(parsed(init)[0]), f"gridcore/{name}/__init__.py: no docstring"
        if name not in REEXPORTING:
            own = [t for t, _, _ in imports(init) if t != "__future__"]
            assert not own, f"gridcore/{name}/__init__.py imports {own}; import the modules"


def test_import_graph_has_no_cycle():
    """No cycle anywhere, so none inside a package either."""
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
def test_imports_point_down_the_ranks(name):
    if entry(name) not in RANKS:
        pytest.skip("in no entry of RANKS (see test_every_module_has_a_rank)")
    wrong = [
        f"line {line}: {target} (rank {RANKS.get(entry(target))})"
        for target, line, _ in imports(name)
        if target in modules() and not may_import(name, target)
    ]
    assert not wrong, (
        f"{relative(name)} ({entry(name)}, rank {RANKS[entry(name)]}) imports from its rank or "
        "above: " + "; ".join(wrong)
    )


def test_analysis_and_navigation_never_reach_the_training_loops():
    users = [m for m in ALL if entry(m) in ("analysis", "navigation")]
    assert "gridcore.analysis.results" in users and "gridcore.navigation.env" in users
    reach = sorted(
        f"{relative(m)} -> {t}"
        for m in users
        for t in sorted(reachable(m))
        if entry(t) == "training"
    )
    assert not reach, f"they reach gridcore.training (directly or through others): {reach}"


def test_nothing_imports_the_command_line():
    users = sorted(m for m in ALL if "gridcore.cli" in graph()[m])
    assert users == ["gridcore.__main__"]


# --------------------------------------------------------------------------------------------
# The numpy layer


def test_scoring_and_the_base_never_import_torch_or_matplotlib():
    numpy_only = [m for m in ALL if entry(m) in NUMPY_ONLY]
    assert {"gridcore.scoring.scores", "gridcore.paper"} <= set(numpy_only)
    heavy = {"torch", "safetensors", "tensorboard", "matplotlib"}
    for name in numpy_only:
        third_party = {t for t, _, _ in imports(name) if not t.startswith("gridcore")}
        assert not third_party & heavy, relative(name)
    code = (
        f"import sys; import {', '.join(numpy_only)}; "
        "print(sorted({'torch', 'matplotlib'} & set(sys.modules)))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


# --------------------------------------------------------------------------------------------
# Imports inside functions, optional extras, and the size of a module


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
def test_optional_extras_are_never_imported_at_the_top(name):
    tree, parents = parsed(name)
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and not in_function(node, parents):
            targets = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            targets += [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            for top in {t.split(".")[0] for t in targets}:
                guarded = top in GUARDED and in_try(node, parents)
                if top in OPTIONAL | GUARDED and not guarded:
                    bad.append(f"line {node.lineno}: {top}")
    assert not bad, (
        f"{relative(name)} imports an optional extra at the top: {'; '.join(bad)}. gridcore "
        "imports without the extras; import it inside the function that needs it."
    )


@pytest.mark.parametrize("name", ALL)
def test_modules_stay_small(name):
    sizes = {m: len(modules()[m].read_text().splitlines()) for m in ALL}
    largest = max(sizes, key=sizes.get)
    print(f"largest module: {relative(largest)}, {sizes[largest]} lines")
    assert sizes[name] <= MAX_LINES, (
        f"{relative(name)} has {sizes[name]} lines (at most {MAX_LINES}); split it by concept"
    )
