"""The shipped networks beside the paper, point by point (book chapter 8 and the README).

For each network: the rat it was trained on (mean speed, m/s) and for how long, the share of
bottleneck units that are grid-like (DeepMind's scorer, 60-degree score > 0.37), the scales of
those units (gridcore's scorer; m, shown in cm) and whether they cluster into modules
(:func:`gridcore.scoring.scale_modules.cluster_scales`), and the path-integration error after 15 s,
trained against untrained, on the network's own rat and along the recorded rat of Sargolini et al.
(:func:`gridcore.analysis.real_paths.long_path_errors`). A network trained over several seeds in a
sweep gets a column of medians and ranges from its table. :func:`compare_runs` does it all for run
directories (``python -m gridcore compare RUN ... [--sweep DIR --condition NAME]``), and
:func:`sweep_column` reads a sweep condition's column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from gridcore.analysis.real_paths import long_path_errors
from gridcore.analysis.results import ScoredNetwork, score_network
from gridcore.errors import GridcoreError
from gridcore.net.runs import load_network
from gridcore.paper import (
    GRID_FRACTION,
    GRID_SCALE_RANGE_M,
    GRID_THRESHOLD,
    MODULE_SCALES_M,
    PATH_ERROR_15S_CM,
    UPDATES,
)
from gridcore.scoring.scale_modules import ScaleClusters, cluster_scales
from gridcore.world.trajectories import get_motion

# The rows of the table, in order (short, so that the table fits a page's text column). The
# two error rows read "trained / untrained".
QUANTITIES = (
    "rat's mean speed (m/s)",
    "training steps",
    "grid-like units, > 0.37 (%)",
    "median grid scale (cm)",
    "grid scales, range (cm)",
    "grid scales, 10th–90th percentile (cm)",
    "scale modules (centres, cm)",
    "ratio of neighbouring modules",
    "15 s error, own rat (cm)",
    "15 s error, recorded rat (cm)",
)
MIN_SCALES = 2  # grid-like units with a scale needed to cluster them at all
NOT_REPORTED = "–"


@dataclass(frozen=True)
class Measured:
    """What the comparison sets beside the paper for one network."""

    name: str
    mean_speed_m_s: float
    steps: int
    grid_fraction: float  # DeepMind's scorer, > 0.37 (fraction of bottleneck units)
    scales_m: np.ndarray  # gridcore's scale of each grid-like unit with one, m
    clusters: ScaleClusters | None  # None: fewer than MIN_SCALES scales
    errors_cm: dict[str, float]  # long_path_errors' four 15 s errors, cm


def measure(scored: ScoredNetwork, name: str, n_paths: int = 200, seed: int = 0) -> Measured:
    """Everything the comparison needs from one scored network: its grid-like share and scales,
    their modules (clusters by BIC, ``seed`` for the mixture's restarts) and the paper's 15 s
    path-integration errors on ``n_paths`` paths, trained and untrained."""
    net = scored.network
    gc = scored.scores["gridcore"]
    scales = gc.scale_m[gc.scaled_units]
    clusters = cluster_scales(scales, seed=seed) if scales.size >= MIN_SCALES else None
    errors = long_path_errors(net, seconds=15.0, n_paths=n_paths)
    return Measured(
        name=name,
        mean_speed_m_s=float(net.motion.mean_speed),
        steps=int(net.step),
        grid_fraction=float(scored.scores["deepmind"].fraction(GRID_THRESHOLD)),
        scales_m=scales,
        clusters=clusters,
        errors_cm=errors,
    )


def _pair(a: float, b: float) -> str:
    return f"{a:.0f} / {b:.0f}" if np.isfinite(a) and np.isfinite(b) else NOT_REPORTED


def _column(m: Measured) -> list[str]:
    s = 100 * m.scales_m
    c = m.clusters
    return [
        f"{m.mean_speed_m_s:.2f}",
        f"{m.steps:,}",
        f"{100 * m.grid_fraction:.1f}",
        f"{np.median(s):.0f}" if s.size else NOT_REPORTED,
        f"{s.min():.0f}–{s.max():.0f}" if s.size else NOT_REPORTED,
        f"{np.percentile(s, 10):.0f}–{np.percentile(s, 90):.0f}" if s.size else NOT_REPORTED,
        f"{c.k}: " + ", ".join(f"{100 * v:.0f}" for v in c.means_m) if c else NOT_REPORTED,
        ", ".join(f"{r:.2f}" for r in c.ratios) if c and c.k > 1 else "none (one module)",
        _pair(m.errors_cm["position_error_15s_cm"], m.errors_cm["untrained_error_15s_cm"]),
        _pair(
            m.errors_cm["real_path_error_15s_cm"], m.errors_cm["untrained_real_path_error_15s_cm"]
        ),
    ]


def paper_column() -> list[str]:
    """The paper's figures (Banino et al. 2018), in the rows of :data:`QUANTITIES`."""
    low, high = (100 * v for v in GRID_SCALE_RANGE_M)
    modules = [100 * v for v in MODULE_SCALES_M]
    ratios = [b / a for a, b in zip(modules, modules[1:], strict=False)]
    return [
        f"{get_motion('paper').mean_speed:.2f}",
        f"{UPDATES:,}",
        f"{100 * GRID_FRACTION:.1f}",
        NOT_REPORTED,
        f"{low:.0f}–{high:.0f}",
        NOT_REPORTED,
        f"{len(modules)}: " + ", ".join(f"{v:.0f}" for v in modules),
        ", ".join(f"{r:.2f}" for r in ratios),
        _pair(PATH_ERROR_15S_CM["trained"], PATH_ERROR_15S_CM["untrained"]),
        NOT_REPORTED,
    ]


def _spread(values: pd.Series, scale: float = 1.0, digits: int = 0) -> str:
    v = scale * values.dropna().to_numpy(dtype=float)
    if v.size == 0:
        return NOT_REPORTED
    return f"{np.median(v):.{digits}f} ({v.min():.{digits}f}–{v.max():.{digits}f})"


def finished_trials(table: pd.DataFrame, condition: str) -> pd.DataFrame:
    """The rows of a sweep's results table for ``condition``'s finished seeds; a ValueError
    when it has none."""
    rows = table[(table["condition"] == condition) & (table["status"] == "done")]
    if rows.empty:
        raise ValueError(f"no finished trials of condition {condition!r} in the table")
    return rows


def seeds_column(table: pd.DataFrame, condition: str) -> list[str]:
    """One condition of a sweep's results table, as medians (range) over its seeds, in the rows
    of :data:`QUANTITIES` that a sweep measures (the others: not reported)."""
    rows = finished_trials(table, condition)
    return [
        NOT_REPORTED,
        f"{int(rows['step'].median()):,}",
        _spread(rows["grid_fraction_037"], 100, 1),
        _spread(rows["median_scale_m"], 100),
        NOT_REPORTED,
        NOT_REPORTED,
        NOT_REPORTED,
        NOT_REPORTED,
        f"{_spread(rows['position_error_15s_cm'])} / {_spread(rows['untrained_error_15s_cm'])}",
        f"{_spread(rows['real_path_error_15s_cm'])} / "
        f"{_spread(rows['untrained_real_path_error_15s_cm'])}",
    ]


def paper_table(
    measured: Sequence[Measured], sweeps: dict[str, list[str]] | None = None
) -> pd.DataFrame:
    """The paper's column, then one column per measured network, then one per ``sweeps`` entry
    (a label and its :func:`seeds_column`): rows are :data:`QUANTITIES`, the error rows as
    "trained / untrained"."""
    columns = {"paper": paper_column()}
    columns |= {m.name: _column(m) for m in measured}
    columns |= dict(sweeps or {})
    return pd.DataFrame(columns, index=pd.Index(QUANTITIES))


def compare_runs(
    runs: Sequence[str | Path],
    sweep: str | Path | None = None,
    condition: str | None = None,
    n_trajectories: int = 5000,
    n_paths: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """:func:`paper_table` of the trained runs ``runs`` (each scored on ``n_trajectories`` fresh
    trajectories at 32 bins, its 15 s errors on ``n_paths`` paths), with one more column of
    medians over seeds for ``condition`` of the sweep directory ``sweep`` when given."""
    if (sweep is None) != (condition is None):
        raise GridcoreError("give a sweep directory and one of its conditions together")
    measured = []
    for run in tqdm(runs, desc="networks", disable=len(runs) < 2):
        net = load_network(run)
        scored = score_network(net, n_trajectories, nbins=32, seed=seed, n_shuffles=0)
        measured.append(measure(scored, Path(run).name, n_paths=n_paths, seed=seed))
    over_seeds = sweep_column(sweep, condition) if sweep is not None else {}
    return paper_table(measured, over_seeds)


def sweep_column(sweep: str | Path, condition: str) -> dict[str, list[str]]:
    """``{"<condition>: <n> seeds": seeds_column}`` for ``condition`` of the sweep directory
    ``sweep``, ready for :func:`paper_table`. A missing table or condition is a GridcoreError."""
    csv = Path(sweep) / "results.csv"
    if not csv.is_file():
        raise GridcoreError(f"{sweep}: not a sweep directory (no results.csv)")
    table = pd.read_csv(csv)
    try:
        n = len(finished_trials(table, condition))
    except ValueError:
        known = ", ".join(sorted(set(table["condition"])))
        raise GridcoreError(
            f"{sweep}: no finished trials of condition {condition!r}; it has: {known}"
        ) from None
    return {f"{condition}: {n} seeds": seeds_column(table, condition)}
