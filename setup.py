"""Adds the shipped artefacts to the wheel; everything else is declared in pyproject.toml.

The wheel carries, inside the package as ``gridcore/shipped/``, the files of each shipped network
(``checkpoints/<name>/``) and each sweep's spec and tables (``experiments/``) that
``gridcore.shipped`` lists, so that notebooks find them through importlib.resources wherever
gridcore is installed. Trial directories, optimiser states and TensorBoard logs stay out.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gridcore.shipped import AGENT_FILES, NETWORK_FILES, SWEEP_FILES  # noqa: E402  (stdlib only)


def shipped_files() -> list[Path]:
    """The artefacts, relative to the source tree."""
    files: list[Path] = []
    for net in sorted((HERE / "checkpoints").glob("*/model.safetensors")):
        for pattern in NETWORK_FILES:
            files += sorted(net.parent.glob(pattern))
    experiments = HERE / "experiments"
    files += sorted(experiments.glob("*.yaml"))
    for table in sorted(experiments.glob("*/results.csv")):
        for pattern in SWEEP_FILES:
            files += sorted(table.parent.glob(pattern))
    for table in sorted(experiments.glob("*/navigation.csv")):
        for pattern in AGENT_FILES:
            files += sorted(table.parent.glob(pattern))
    return [f.relative_to(HERE) for f in files]


class build_py_with_shipped(build_py):
    """build_py, then copy the shipped artefacts into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them from the checkout itself
        target = Path(self.build_lib) / "gridcore" / "shipped"
        for rel in shipped_files():
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(HERE / rel, dest)


setup(cmdclass={"build_py": build_py_with_shipped})
