"""The artefacts gridcore ships: its trained networks and its sweeps' tables.

A source checkout keeps them in ``checkpoints/<name>/`` and ``experiments/<name>/`` beside the
package. An installed wheel carries a copy of the files a reader needs (each network's weights,
config, scores, provenance, history and snapshots; each sweep's spec and tables) inside the
package, under ``gridcore/shipped/``, read through :mod:`importlib.resources`. Either way a
notebook asks for ``network("grid-lstm")`` or ``sweep("paper-rat")`` and gets a directory, so
the book runs wherever it is opened: in the repository, from a wheel, or alone on Colab.

Only the standard library is used here, so every layer may import it.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from gridcore.errors import GridcoreError

# The files of a shipped network and of a sweep that the wheel carries (setup.py copies them),
# as glob patterns relative to the network's or the sweep's directory.
NETWORK_FILES = (
    "model.safetensors",
    "config.json",
    "scores.json",
    "provenance.json",
    "history.csv",
    "about.md",
    "snapshots/*.safetensors",
)
SWEEP_FILES = ("spec.yaml", "results.csv", "curves.csv", "scale_curves.csv")
# An experiment of reinforcement-learning agents keeps tables of its own (its agents stay out).
AGENT_FILES = (
    "spec.yaml",
    "navigation.csv",
    "learning_curves.csv",
    "preflight.csv",
    "drift.csv",
)


def root() -> Path:
    """The folder that holds ``checkpoints/`` and ``experiments/``: the copy inside an installed
    wheel, or else the source checkout that the package was imported from."""
    inside = resources.files("gridcore").joinpath("shipped")
    if inside.is_dir():
        return Path(str(inside))
    return Path(str(resources.files("gridcore"))).parent


def networks() -> list[str]:
    """Names of the shipped networks (directories of ``checkpoints/`` with weights)."""
    return _holding(root() / "checkpoints", "model.safetensors")


def sweeps() -> list[str]:
    """Names of the shipped sweeps (directories of ``experiments/`` with a results table)."""
    return _holding(experiments(), "results.csv")


def agent_experiments() -> list[str]:
    """Names of the shipped experiments with agents (directories of ``experiments/`` with a
    ``navigation.csv``)."""
    return _holding(experiments(), "navigation.csv")


def _holding(folder: Path, marker: str) -> list[str]:
    """Names of the directories of ``folder`` that hold a file ``marker`` (none without it)."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / marker).is_file())


def experiments() -> Path:
    """The shipped ``experiments/`` folder: every sweep's spec (``NAME.yaml``) and its tables."""
    return root() / "experiments"


def network(name_or_path: str | Path) -> Path:
    """A trained network's run directory: ``name_or_path`` itself when it is a directory (any
    run of yours), else the shipped network of that name (``"grid-lstm"``)."""
    return _find(name_or_path, root() / "checkpoints", networks(), "network")


def sweep(name_or_path: str | Path) -> Path:
    """A sweep's directory: ``name_or_path`` itself when it is a directory, else the shipped
    sweep of that name (``"headline-fast"``)."""
    return _find(name_or_path, experiments(), sweeps(), "sweep")


def agent_experiment(name_or_path: str | Path) -> Path:
    """An agents experiment's directory: ``name_or_path`` itself when it is a directory, else
    the shipped one of that name (``"rl-navigation"``)."""
    return _find(name_or_path, experiments(), agent_experiments(), "agents experiment")


def _find(name_or_path: str | Path, folder: Path, names: list[str], kind: str) -> Path:
    given = Path(name_or_path)
    if given.is_dir():
        return given
    if str(name_or_path) in names:
        return folder / str(name_or_path)
    shipped = ", ".join(names) or "none are installed"
    raise GridcoreError(
        f"{name_or_path!s} is neither a directory nor a shipped {kind} (shipped: {shipped})"
    )
