"""The wheel carries the library and the shipped artefacts, and the book runs from it anywhere.

``python -m build`` makes an sdist and, from it, a wheel. The wheel is installed into a fresh
virtual environment that borrows only the third-party packages of the running one (a path file
points at their site-packages; gridcore itself is not visible there until the wheel is
installed). Chapters 01, 05 (the shipped network) and 10 (the shipped sweep tables) then run
under papermill, with their ``ci`` parameters, from a folder outside the repository, as a
reader's copy of the notebooks would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ("01_place_cells", "05_ratemaps", "10_many_seeds")


def _run(cmd: list, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert done.returncode == 0, (
        f"{' '.join(map(str, cmd))}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", dist, ROOT])
    (whl,) = dist.glob("gridcore-*.whl")
    return whl


@pytest.fixture(scope="module")
def fresh_python(wheel, tmp_path_factory) -> Path:
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    borrowed = sysconfig.get_paths()["purelib"]
    Path(purelib.stdout.strip(), "_borrowed_dependencies.pth").write_text(borrowed + "\n")
    missing = subprocess.run([python, "-c", "import gridcore"], capture_output=True, cwd=env_dir)
    assert missing.returncode != 0, "gridcore is importable before the wheel is installed"
    _run([python, "-m", "pip", "install", "--no-index", "--quiet", wheel], cwd=env_dir)
    return python


def test_wheel_holds_the_library_networks_and_tables(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = ("scoring", "world", "net", "analysis", "training", "navigation", "sweeps", "plots")
    assert {"gridcore/shipped.py", *(f"gridcore/{p}/__init__.py" for p in packages)} <= names
    assert {"gridcore/scoring/scores.py", "gridcore/navigation/env.py"} <= names
    for net in ("grid-lstm", "grid-lstm-paper-rat", "grid-lstm-modules"):
        for f in ("model.safetensors", "config.json", "scores.json", "provenance.json"):
            assert f"gridcore/shipped/checkpoints/{net}/{f}" in names
    assert "gridcore/shipped/experiments/headline-fast/results.csv" in names
    assert "gridcore/shipped/experiments/rl-navigation/learning_curves.csv" in names
    assert not any("rl-navigation/agents" in n for n in names)  # pickled agents stay out
    assert "gridcore/shipped/experiments/paper-rat/curves.csv" in names
    assert "gridcore/shipped/experiments/paper-rat.yaml" in names
    assert not [n for n in names if "/trials/" in n or "train_state" in n or "/tb/" in n]


def test_installed_wheel_reads_its_own_copy(fresh_python, tmp_path):
    probe = (
        "import gridcore, gridcore.shipped as s; "
        "print(gridcore.__file__); print(s.network('grid-lstm')); print(len(s.sweeps()))"
    )
    out = _run([fresh_python, "-c", probe], cwd=tmp_path).stdout.split()
    prefix = str(fresh_python.parent.parent)
    assert out[0].startswith(prefix) and out[1].startswith(prefix), out
    assert int(out[2]) >= 10


def test_chapters_run_from_the_wheel_outside_the_repository(fresh_python, tmp_path):
    profile = yaml.safe_load((ROOT / "book" / "profiles.yml").read_text())["ci"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHONPATH"))}
    env["MPLBACKEND"] = "Agg"
    # The kernel must be the fresh environment's Python, importing the installed wheel.
    probe = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": "import sys, gridcore; print(sys.executable); print(gridcore.__file__)",
            }
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "probe.ipynb").write_text(json.dumps(probe))
    _run(
        [fresh_python, "-m", "papermill", "probe.ipynb", "probe_out.ipynb", "-k", "python3"],
        cwd=tmp_path,
        env=env,
    )
    printed = json.loads((tmp_path / "probe_out.ipynb").read_text())["cells"][0]["outputs"][0][
        "text"
    ]
    assert "".join(printed).count(str(fresh_python.parent.parent)) == 2, printed
    for name in CHAPTERS:
        nb = f"{name}.ipynb"
        (tmp_path / nb).write_bytes((ROOT / "book" / nb).read_bytes())
        params = yaml.safe_dump(profile.get(nb, {}))
        _run(
            [fresh_python, "-m", "papermill", nb, f"out_{nb}", "-k", "python3", "-y", params],
            cwd=tmp_path,
            env=env,
        )
        executed = json.loads((tmp_path / f"out_{nb}").read_text())
        errors = [
            o
            for c in executed["cells"]
            for o in c.get("outputs", [])
            if o["output_type"] == "error"
        ]
        assert not errors, f"{nb}: {errors[:1]}"
