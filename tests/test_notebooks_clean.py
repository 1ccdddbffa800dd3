"""The committed notebooks are clean sources that papermill can parameterise.

Executed copies (with outputs) are generated under _build/ by
book/run_notebooks.py; the notebooks in book/ must carry no outputs, and each
needs exactly one code cell tagged ``parameters``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOKS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_book_has_notebooks():
    assert NOTEBOOKS, "no book/NN_name.ipynb notebooks found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_no_outputs(path: Path):
    nb = _load(path)
    dirty = [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, (
        f"{path.name}: code cells {dirty} carry outputs or execution counts; clear them "
        f"(Jupyter: Edit > Clear Outputs of All Cells, or `python .ci/strip_notebooks.py`)"
    )
    assert "widgets" not in nb.get("metadata", {}), f"{path.name}: saved widget state in metadata"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_one_parameters_cell(path: Path):
    cells = _load(path)["cells"]
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters', need 1"
    assert tagged[0]["cell_type"] == "code", f"{path.name}: the parameters cell must be code"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_uses_python3_kernel(path: Path):
    kernelspec = _load(path).get("metadata", {}).get("kernelspec", {})
    assert kernelspec.get("name", "python3") == "python3", f"{path.name}: kernel {kernelspec}"


def _toc_files(node) -> list[str]:
    files = []
    if isinstance(node, dict):
        for key in ("root", "file"):
            if key in node:
                files.append(node[key])
        for value in node.values():
            if isinstance(value, list | dict):
                files += _toc_files(value)
    elif isinstance(node, list):
        for item in node:
            files += _toc_files(item)
    return files


def test_toc_matches_notebooks():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    entries = _toc_files(toc)
    for entry in entries:
        stem = ROOT / entry
        assert stem.with_suffix(".ipynb").is_file() or stem.with_suffix(".md").is_file(), (
            f"_toc.yml lists {entry}, which is neither a notebook nor a markdown page"
        )
    listed = {str(Path(e).with_suffix(".ipynb")) for e in entries}
    missing = [p.name for p in NOTEBOOKS if str(p.relative_to(ROOT)) not in listed]
    assert not missing, f"notebooks missing from _toc.yml: {missing}"


def test_book_config_never_executes():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "off"
    # Jupyter Book injects every script under html_static_path into every page
    # once a top-level _static/ folder exists; vendored JS would then load
    # everywhere. Keep static files in _vendor/.
    assert not (ROOT / "_static").exists()


def _repository_url() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_installs_gridcore_only_when_missing(path: Path):
    code = [c for c in _load(path)["cells"] if c["cell_type"] == "code"]
    first = "".join(code[0]["source"])
    assert "remove-cell" in code[0].get("metadata", {}).get("tags", []), path.name
    assert "import gridcore" in first and "except ModuleNotFoundError:" in first, path.name
    assert f'git+{_repository_url()}"' in first, f"{path.name}: install from _config.yml's url"
    # The same cell everywhere, so one edit (and one test) covers the book.
    reference = next(c for c in _load(NOTEBOOKS[0])["cells"] if c["cell_type"] == "code")
    assert first == "".join(reference["source"]), f"{path.name}: its install cell differs"
