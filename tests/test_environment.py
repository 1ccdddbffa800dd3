"""environment.yml installs what the book's notebooks import.

The conda environment holds only Python and pip; its pip section installs this
repository with the ``book`` extra. Every third-party module that a notebook's code
cells import must therefore come from a distribution that pyproject.toml requires
(the core dependencies or the ``book`` extra), directly or through their own
requirements. Import names are mapped to distributions with
``importlib.metadata.packages_distributions()``, so the check runs against the
installed environment.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from packaging.requirements import InvalidRequirement, Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOKS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))
OWN_PACKAGE = "gridcore"
EXTRA = "book"
# A pip entry that installs this repository: ".", "-e .", "-e .[book,dev]", "./", ...
LOCAL_INSTALL = re.compile(r"^(?:-e\s+|--editable[=\s]+)?\./?(?:\[(?P<extras>[^\]]*)\])?$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def load_environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def conda_and_pip(env: dict) -> tuple[list[str], list[str]]:
    conda, pip = [], []
    for dep in env.get("dependencies") or []:
        if isinstance(dep, dict):
            pip += [str(x) for x in dep.get("pip") or []]
        else:
            conda.append(str(dep))
    return conda, pip


def conda_name(spec: str) -> str:
    return re.split(r"[\s=<>!~]", spec.split("::")[-1], maxsplit=1)[0]


# --------------------------------------------------------------------------- imports


def _code_without_magics(source: str) -> str:
    """Cell source with IPython magics and shell escapes blanked out, for ast."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return ""
    # A magic inside a block (the install cell's ``except``) becomes ``pass``, keeping the block.
    return "\n".join(
        ln[: len(ln) - len(ln.lstrip())] + "pass" if ln.lstrip().startswith(("%", "!")) else ln
        for ln in lines
    )


def notebook_imports(path: Path) -> set[str]:
    """Top-level module names imported (absolutely) by a notebook's code cells."""
    nb = nbformat.read(path, as_version=4)
    names: set[str] = set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(_code_without_magics(cell.source))
        except SyntaxError as exc:
            raise AssertionError(f"{path.name}, cell {index}: not Python: {exc}") from None
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def third_party(names: set[str]) -> set[str]:
    return {n for n in names if n not in sys.stdlib_module_names and n != OWN_PACKAGE}


# --------------------------------------------------------------------------- requirements


def project_requirements(extra: str = EXTRA) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project.get("dependencies", []))
    specs += project.get("optional-dependencies", {}).get(extra, [])
    return [Requirement(s) for s in specs]


def _applies(req: Requirement, extras: set[str]) -> bool:
    if req.marker is None:
        return True
    return any(req.marker.evaluate({"extra": e}) for e in extras or {""})


def provided_distributions(roots: list[Requirement]) -> set[str]:
    """Canonical names of the root requirements and, transitively, of what they require.

    Requirements of installed distributions are followed (with the extras asked for);
    a root that is not installed still counts as provided by name.
    """
    seen: set[str] = set()
    todo = [(r, set(r.extras)) for r in roots if _applies(r, set())]
    while todo:
        req, extras = todo.pop()
        name = canonical(req.name)
        key = name + "[" + ",".join(sorted(extras)) + "]"
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = md.requires(req.name) or []
        except md.PackageNotFoundError:
            continue
        for spec in requires:
            try:
                sub = Requirement(spec)
            except InvalidRequirement:
                continue
            if _applies(sub, extras):
                todo.append((sub, set(sub.extras)))
    return {k.split("[", 1)[0] for k in seen}


def uncovered_imports(modules: set[str], provided: set[str]) -> dict[str, list[str]]:
    """Modules no provided distribution supplies, with the distributions that do supply them."""
    by_module = md.packages_distributions()
    missing = {}
    for module in sorted(modules):
        dists = sorted({canonical(d) for d in by_module.get(module, [])})
        if not set(dists) & provided:
            missing[module] = dists
    return missing


# --------------------------------------------------------------------------- tests


def test_environment_has_python_and_pip():
    env = load_environment()
    assert env.get("name") == "gridcore"
    conda, _ = conda_and_pip(env)
    names = {conda_name(spec): spec for spec in conda}
    assert "python" in names, f"environment.yml: no python in dependencies {conda}"
    assert re.fullmatch(r"python\s*=+\s*3\.11(\.\*)?", names["python"].replace(" ", "")), (
        f"environment.yml: expected python=3.11, got {names['python']!r}"
    )
    assert "pip" in names, f"environment.yml: no pip in dependencies {conda}"


def test_environment_installs_the_project_with_the_book_extra():
    _, pip = conda_and_pip(load_environment())
    local = [m for m in (LOCAL_INSTALL.match(e.strip()) for e in pip) if m]
    assert local, f"environment.yml: the pip section does not install this repository: {pip}"
    extras = {e.strip() for m in local for e in (m["extras"] or "").split(",") if e.strip()}
    assert EXTRA in extras, f"environment.yml: install the project with [{EXTRA}], got {pip}"
    # Every other package comes from pyproject.toml, where torch keeps its CPU pin.
    others = [e for e in pip if not LOCAL_INSTALL.match(e.strip()) and not e.startswith("-")]
    assert not others, f"environment.yml: pin these in pyproject.toml instead: {others}"


def test_torch_pin_is_in_the_installed_dependencies():
    pins = {canonical(r.name): str(r.specifier) for r in project_requirements()}
    assert pins.get("torch", "").startswith("=="), f"torch must stay pinned: {pins.get('torch')}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_imports_are_provided(path: Path):
    modules = third_party(notebook_imports(path))
    missing = uncovered_imports(modules, provided_distributions(project_requirements()))
    assert not missing, (
        f"{path.name} imports modules that pyproject.toml's dependencies and [{EXTRA}] extra "
        f"do not provide (module: distributions that would): {missing}"
    )


def test_the_import_check_can_fail(tmp_path: Path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%matplotlib inline\nimport numpy as np\nimport json"),
        nbformat.v4.new_code_cell("from gridcore import plots\nfrom no_such_module_xyz import a"),
        nbformat.v4.new_code_cell("import ruff  # a dev tool, not in the book extra"),
    ]
    path = tmp_path / "99_probe.ipynb"
    nbformat.write(nb, path)
    modules = third_party(notebook_imports(path))
    assert modules == {"numpy", "no_such_module_xyz", "ruff"}
    missing = uncovered_imports(modules, provided_distributions(project_requirements()))
    assert "no_such_module_xyz" in missing
    assert "numpy" not in missing
    if "ruff" in md.packages_distributions():  # installed by the dev extra
        assert "ruff" in missing


def test_local_install_pattern():
    for entry in ("-e .[book]", ".[book]", "-e .", "-e ./[book,dev]", "--editable .[book]"):
        assert LOCAL_INSTALL.match(entry), entry
    for entry in ("torch==2.13.0", "-e git+https://example.org/x.git", "./other[book]"):
        assert not LOCAL_INSTALL.match(entry), entry
    assert LOCAL_INSTALL.match("-e .[book, dev]")["extras"] == "book, dev"
