"""Reinforcement-learning agents over seeds: learning curves, success per variant, lesions.

Each ``plot_*`` function draws one network on one Axes; the ``*_by_network`` ones lay several
networks out two to a row, with one legend for all. Each takes a long table (one row per agent, or per agent and step) as
:mod:`gridcore.navigation.rl_results` builds them from the shipped ``navigation.csv`` and
``learning_curves.csv``: every seed is drawn, thin or as a dot, and the median over seeds on top.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from gridcore.plots._common import new_axes, panel_grid

# One colour per observation variant (and baseline), the same in every figure of the chapter.
VARIANT_COLOURS = {
    "grid": "C0",
    "place": "C1",
    "bottleneck": "C2",
    "grid-no-goal": "C4",
    "untrained": "C7",
    "position": "k",
    "random actions": "0.55",
    "random walk": "0.75",
}
LESION_COLOURS = {"grid": "C3", "random": "0.45"}


def _colour(variant: str) -> str:
    return VARIANT_COLOURS.get(variant, "C9")


def plot_learning_curves(
    curves: pd.DataFrame,
    variants: Sequence[str] | None = None,
    level: float = 0.5,
    legend: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Training success against environment steps, one colour per variant: every seed thin, the
    median over seeds thick; a dotted line at ``level``. ``curves``: long (variant, seed,
    env_steps, success_rate). ``legend=False`` leaves the legend to the caller (one for a row of
    panels: the medians carry the labels)."""
    ax = new_axes((6.5, 3.6)) if ax is None else ax
    present = list(dict.fromkeys(curves["variant"].astype(str)))
    for variant in variants or present:
        part = curves[curves["variant"].astype(str) == variant]
        if part.empty:
            continue
        colour = _colour(variant)
        for _, seed in part.groupby("seed"):
            ax.plot(seed["env_steps"], seed["success_rate"], color=colour, lw=0.7, alpha=0.45)
        median = part.groupby("env_steps")["success_rate"].median()
        ax.plot(median.index, median.to_numpy(), color=colour, lw=2.2, label=variant)
    ax.axhline(level, color="0.3", ls=":", lw=1)
    ax.set(xlabel="environment steps (thousands)", ylabel="training success", ylim=(0, 1.02))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x / 1000:g}"))
    if legend:
        ax.legend(fontsize=8, ncols=2, frameon=False, loc="lower right")
    return ax


def plot_seed_success(
    success: pd.DataFrame, title: str | None = None, ax: Axes | None = None
) -> Axes:
    """A variant's value over seeds: a bar at the median and a dot per seed. ``success``: long
    (variant, seed, value), as ``rl_results.by_seed`` gives it (baselines included, greyed)."""
    ax = new_axes((6, 3.2)) if ax is None else ax
    variants = list(dict.fromkeys(success["variant"].astype(str)))
    rng = np.random.default_rng(0)  # a fixed jitter, so seeds on one value stay visible
    for i, variant in enumerate(variants):
        values = success.loc[success["variant"].astype(str) == variant, "value"].to_numpy(float)
        values = values[np.isfinite(values)]
        if not len(values):
            continue
        colour = _colour(variant)
        ax.bar(i, np.median(values), width=0.7, color=colour, alpha=0.35, edgecolor=colour)
        x = i + rng.uniform(-0.15, 0.15, len(values))
        ax.plot(x, values, "o", ms=4, color=colour, mec="white", mew=0.5)
    ax.set_xticks(range(len(variants)), variants, rotation=30, ha="right", fontsize=8)
    ax.set(ylabel="success", ylim=(0, 1.05))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_agent_lesions(
    lesions: pd.DataFrame, variant: str = "grid", legend: bool = True, ax: Axes | None = None
) -> Axes:
    """Success of ``variant``'s agents against the number of units silenced, the top-k grid
    units (red) against k random units (grey): a dot per seed, the median joined. ``lesions``:
    long (variant, seed, lesion, k, success_rate), k = 0 the intact agent. ``legend=False``
    leaves the legend to the caller (the medians carry the labels)."""
    ax = new_axes((4.2, 3.2)) if ax is None else ax
    part = lesions[lesions["variant"] == variant]
    for kind, colour in LESION_COLOURS.items():
        rows = part[part["lesion"] == kind]
        if rows.empty:
            continue
        shift = -1 if kind == "grid" else 1
        ax.plot(rows["k"] + shift * 0.6, rows["success_rate"], "o", ms=3.5, color=colour, alpha=0.6)
        median = rows.groupby("k")["success_rate"].median()
        label = "top-k grid units" if kind == "grid" else "k random units"
        ax.plot(median.index, median.to_numpy(), "-", color=colour, lw=2, label=label)
    ax.set(xlabel="units silenced (k)", ylabel="success", ylim=(0, 1.02), title=f"{variant} agents")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    if legend:
        ax.legend(fontsize=8, frameon=False)
    return ax


def _shared_legend(fig: Figure, source: Axes, spare: list) -> None:
    """One legend for all panels, from ``source``'s labelled lines: in a spare panel if there is
    one, else under the figure."""
    handles, labels = source.get_legend_handles_labels()
    if spare:
        spare[0].legend(handles, labels, loc="center", frameon=False)
    else:
        fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), frameon=False)


def plot_learning_curves_by_network(
    curves: Mapping[str, pd.DataFrame],
    ncols: int = 2,
    panel: tuple[float, float] = (5.0, 3.3),
    fig: Figure | None = None,
) -> Figure:
    """:func:`plot_learning_curves` for each network (``{name: curves}``), one panel each, titled
    with its name, on ``fig`` (a Figure or SubFigure) or a new one sized ``panel`` a panel."""
    fig, axes, spare = panel_grid(len(curves), ncols, panel, fig)
    for ax, (name, table) in zip(axes, curves.items(), strict=True):
        plot_learning_curves(table, legend=False, ax=ax)
        ax.set_title(name, fontsize=10)
    _shared_legend(fig, axes[0], spare)
    return fig


def plot_agent_lesions_by_network(
    lesions: Mapping[str, pd.DataFrame],
    variant: str = "grid",
    ncols: int = 2,
    panel: tuple[float, float] = (5.0, 3.1),
    fig: Figure | None = None,
) -> Figure:
    """:func:`plot_agent_lesions` of ``variant``'s agents for each network (``{name: lesions}``),
    one panel each, titled with its name, on ``fig`` or a new figure."""
    fig, axes, spare = panel_grid(len(lesions), ncols, panel, fig)
    for ax, (name, table) in zip(axes, lesions.items(), strict=True):
        plot_agent_lesions(table, variant, legend=False, ax=ax)
        ax.set_title(f"{name}: {variant} agents", fontsize=10)
    _shared_legend(fig, axes[0], spare)
    return fig
