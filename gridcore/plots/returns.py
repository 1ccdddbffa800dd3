"""Find-then-return agents: the code's drift, learning curves and goals per episode over seeds.

Each function draws on one Axes from a table of :mod:`gridcore.navigation.return_results`
(``drift.csv``, ``learning_curves.csv``, ``navigation.csv``): every seed is shown, thin or as a
dot, the median over seeds on top.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from gridcore.plots._common import new_axes

RETURN_COLOURS = {"bottleneck": "C2", "place": "C1", "baseline": "0.55", "position": "k"}
RETURN_LABELS = {
    "bottleneck": "grid (g, g*)",
    "place": "place",
    "baseline": "no code",
    "position": "true position",
}


def plot_drift(
    drift: pd.DataFrame, tolerance_cm: float | None = None, ax: Axes | None = None
) -> Axes:
    """Decoded position error (cm) against network steps: the median over paths (solid) and the
    95th percentile (dashed), one colour per anchor fraction. ``drift``: (anchor_prob, step,
    median_cm, p95_cm)."""
    ax = new_axes((6.5, 3.4)) if ax is None else ax
    for i, (prob, part) in enumerate(drift.groupby("anchor_prob")):
        label = f"anchors on {100 * prob:g} % of steps" if prob else "no anchors"
        colour = "C3" if not prob else f"C{i}"
        ax.plot(part.step, part.median_cm, color=colour, lw=2, label=f"{label}, median")
        ax.plot(part.step, part.p95_cm, color=colour, lw=1, ls="--", label=f"{label}, 95th pct")
    if tolerance_cm:
        ax.axhline(tolerance_cm, color="0.3", ls=":", lw=1, label="arrival radius")
    ax.set(xlabel="network steps", ylabel="decoded position error (cm)", ylim=(0, None))
    ax.legend(fontsize=8, frameon=False)
    return ax


def plot_goal_curves(
    curves: pd.DataFrame, variants: Sequence[str] | None = None, ax: Axes | None = None
) -> Axes:
    """Goals per episode in training against environment steps, one colour per variant: every
    seed thin, the median over seeds thick. ``curves``: (variant, seed, env_steps, goals)."""
    ax = new_axes((6.5, 3.6)) if ax is None else ax
    present = list(dict.fromkeys(curves["variant"].astype(str)))
    for variant in variants or present:
        part = curves[curves["variant"] == variant]
        if part.empty:
            continue
        colour = RETURN_COLOURS.get(variant, "C9")
        for _, seed in part.groupby("seed"):
            ax.plot(seed.env_steps, seed.goals, color=colour, lw=0.7, alpha=0.4)
        grid = np.linspace(part.env_steps.min(), part.env_steps.max(), 60)
        per_seed = [np.interp(grid, s.env_steps, s.goals) for _, s in part.groupby("seed")]
        ax.plot(
            grid,
            np.median(per_seed, 0),
            color=colour,
            lw=2.2,
            label=RETURN_LABELS.get(variant, variant),
        )
    ax.set(xlabel="environment steps (millions)", ylabel="goals per episode", ylim=(0, None))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x / 1e6:g}"))
    ax.legend(fontsize=8, frameon=False)
    return ax


def plot_goals_by_seed(
    results: pd.DataFrame,
    condition: str = "held-out",
    variants: Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Goals per episode in ``condition`` per variant (all of them, or ``variants``): a bar at
    the median, a dot per seed."""
    ax = new_axes((5.5, 3.2)) if ax is None else ax
    rows = results[results.condition == condition]
    chosen = RETURN_COLOURS if variants is None else variants
    variants = [v for v in chosen if v in set(rows.variant)]
    rng = np.random.default_rng(0)
    for i, variant in enumerate(variants):
        values = rows.loc[rows.variant == variant, "goals_per_episode"].to_numpy(float)
        colour = RETURN_COLOURS[variant]
        ax.bar(i, np.median(values), width=0.7, color=colour, alpha=0.35, edgecolor=colour)
        ax.plot(
            i + rng.uniform(-0.15, 0.15, len(values)),
            values,
            "o",
            ms=4,
            color=colour,
            mec="white",
            mew=0.5,
        )
    ax.set_xticks(range(len(variants)), [RETURN_LABELS[v] for v in variants], fontsize=8)
    ax.set(ylabel="goals per episode", ylim=(0, None))
    return ax
