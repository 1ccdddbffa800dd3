"""A sweep's tables drawn: a metric against the conditions, every metric of an experiment, the
curves over training, and position error against grid fraction across sweeps.

The tables are :mod:`gridcore.sweeps`'s (``results.csv`` and ``curves.csv`` as read by
``gridcore.sweeps.load`` and ``load_curves``, every sweep's trials by ``load_all``); only
finished (``done``) trials are drawn.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from gridcore.errors import GridcoreError
from gridcore.plots._common import new_axes
from gridcore.sweeps.summary import error_vs_grid, finished

#: How each metric is labelled on an axis.
AXIS_LABELS: dict[str, str] = {
    "grid_fraction_037": "units > 0.37 (DeepMind's scorer)",
    "grid_fraction_080": "units > 0.8 (DeepMind's scorer)",
    "position_error_cm": "position error (cm)",
    "heading_error_deg": "heading error (degrees)",
    "loss": "loss (nats)",
    "median_scale_m": "median grid scale (m)",
    "scale_clusters": "scale clusters (BIC)",
    "position_error_15s_cm": "error after 15 s (cm)",
    "untrained_error_15s_cm": "untrained, after 15 s (cm)",
    "real_path_error_15s_cm": "recorded paths, after 15 s (cm)",
    "untrained_real_path_error_15s_cm": "untrained, recorded paths (cm)",
    "place_loss": "place-cell loss (nats)",
    "l2_loss": "L2 term (nats)",
    "l2_share": "L2 term's share of the loss",
}


def _require_columns(df: pd.DataFrame, *columns: str) -> None:
    """A GridcoreError naming the table's columns when one of ``columns`` is not among them."""
    for column in columns:
        if column not in df.columns:
            raise GridcoreError(f"no column {column!r}; the table has: {', '.join(df.columns)}")


def plot_sweep(
    df: pd.DataFrame,
    metric: str = "grid_fraction_037",
    by: str = "condition",
    ax: Axes | None = None,
) -> Axes:
    """``metric`` against ``by``: every seed a point, the median a bar, the range a line.

    Only finished (``done``) trials are drawn; conditions keep the table's order. Fractions
    (columns named ``*fraction*``) are shown in percent.
    """
    _require_columns(df, metric, by)
    data = finished(df)
    order = list(dict.fromkeys(df[by]))
    ax = ax or new_axes((max(3.5, 1.0 + 1.1 * len(order)), 3.2))
    rng = np.random.default_rng(0)
    drawn = False  # the first condition drawn carries the legend's labels
    for i, cond in enumerate(order):
        values = data.loc[data[by] == cond, metric].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        if not values.size:
            continue
        first, drawn = not drawn, True
        ax.plot(
            [i, i],
            [values.min(), values.max()],
            color="0.6",
            lw=1.5,
            zorder=1,
            label="range over seeds" if first else None,
        )
        ax.scatter(
            i + rng.uniform(-0.12, 0.12, values.size),
            values,
            s=22,
            color="C0",
            alpha=0.8,
            zorder=3,
            label="one seed" if first else None,
        )
        ax.plot(
            [i - 0.25, i + 0.25],
            [np.median(values)] * 2,
            color="C3",
            lw=2.5,
            zorder=2,
            label="median" if first else None,
        )
    ax.set_xticks(
        range(len(order)),
        [str(c) for c in order],
        rotation=30 if sum(len(str(c)) for c in order) > 40 else 0,
        ha="right" if sum(len(str(c)) for c in order) > 40 else "center",
    )
    ax.set_xlim(-0.6, len(order) - 0.4)
    ax.set_xlabel(by)
    ax.set_ylabel(metric)
    if "fraction" in metric:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.update_datalim([(0, 0)])  # fractions from 0, still autoscaled for what comes next
        ax.autoscale_view()
    # Outside the axes, so that no point hides under it; empty where no seed has a value.
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(
        handles,
        labels,
        frameon=False,
        fontsize="small",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )
    return ax


def plot_experiment(
    df: pd.DataFrame,
    metrics: tuple[str, ...] = ("grid_fraction_037", "position_error_cm", "loss"),
    by: str = "condition",
    width: float = 4.2,
    axes: Sequence[Axes] | None = None,
) -> Figure:
    """One :func:`plot_sweep` panel per metric, side by side, each labelled from
    :data:`AXIS_LABELS`; the first panel keeps the legend. ``axes``: one Axes per metric
    (default: a new Figure, ``width`` inches a panel). Returns the Figure."""
    if axes is None:
        fig = Figure(figsize=(width * len(metrics), 3.6), layout="constrained")
        axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    for ax, metric in zip(axes, metrics, strict=True):
        plot_sweep(df, metric, by, ax=ax)
        ax.set_ylabel(AXIS_LABELS.get(metric, metric))
        if ax is not axes[0]:
            ax.get_legend().remove()
    return axes[0].figure


def plot_curves(
    curves: pd.DataFrame,
    metric: str = "grid_fraction_037",
    condition: str | None = None,
    level: float | None = None,
    source: str = "training",
    min_share: float = 0.0,
    ax: Axes | None = None,
) -> Axes:
    """``metric`` at every training scoring: one thin line per seed, the median over seeds thick.

    ``condition`` picks one condition of the sweep (default: all trials together); ``level``
    draws a horizontal reference (e.g. the paper's 25.2 %); ``source`` "snapshot" draws the
    rows of ``gridcore.sweeps.snapshot_curves`` instead. The median is drawn only at steps where
    at least ``min_share`` of the seeds have a value (a grid scale needs grid-like units to
    measure).
    """
    data = curves[(curves["source"] == source) & (curves["metric"] == metric)]
    if condition is not None:
        data = data[data["condition"] == condition]
    if data.empty:
        raise GridcoreError(f"no {source} scorings of {metric!r} in these curves")
    ax = ax or new_axes((5.5, 3.4))
    wide = data.pivot_table(index="step", columns="trial", values="value", dropna=False)
    for k, trial in enumerate(wide.columns):
        ax.plot(
            wide.index,
            wide[trial],
            color="C0",
            lw=0.8,
            alpha=0.45,
            label="one seed" if k == 0 else None,
        )
    median = wide.median(axis=1).where(wide.notna().mean(axis=1) >= min_share)
    ax.plot(wide.index, median, color="C3", lw=2.5, label="median over seeds")
    if level is not None:
        ax.axhline(level, color="0.3", ls="--", lw=1, label=f"{100 * level:.1f} %")
    ax.set_xlabel("training step")
    ax.set_ylabel(AXIS_LABELS.get(metric, metric))
    if "fraction" in metric:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.legend(frameon=False, fontsize="small")
    return ax


def plot_error_vs_grid(
    df: pd.DataFrame,
    error: str = "position_error_cm",
    grid: str = "grid_fraction_037",
    by: str = "experiment",
    ax: Axes | None = None,
) -> Axes:
    """Position error against grid fraction, one point per finished trial, coloured by ``by``;
    the title gives Spearman's rho with its bootstrap 95 % interval
    (``gridcore.sweeps.error_vs_grid``)."""
    _require_columns(df, error, grid)
    data = finished(df)
    groups = list(data.groupby(by, sort=False)) if by in data.columns else [("trials", data)]
    many = len(groups) > 6  # a legend beside the axes, and a marker as well as a colour each
    ax = ax or new_axes((9.0, 4.2) if many else (5.5, 3.8))
    for k, (name, group) in enumerate(groups):
        marker = "osD^v"[k // 10 % 5] if many else "o"
        ax.scatter(group[grid], group[error], s=24, alpha=0.8, color=f"C{k % 10}",
                   marker=marker, label=name)  # fmt: skip
    stat = error_vs_grid(data, error, grid)
    if np.isfinite(stat["rho"]):
        ax.set_title(
            f"Spearman rho = {stat['rho']:.2f} [{stat['low']:.2f}, {stat['high']:.2f}], "
            f"n = {stat['n']}",
            fontsize=10,
        )
    ax.set_xlabel("grid-like units (> 0.37)" if grid == "grid_fraction_037" else grid)
    ax.set_ylabel("position error (cm)" if error == "position_error_cm" else error)
    if "fraction" in grid:
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    if many:
        ax.legend(frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  ncol=2 if len(groups) > 12 else 1)  # fmt: skip
    else:
        ax.legend(frameon=False, fontsize="small")
    return ax


def plot_error_vs_grid_by_sweep(
    df: pd.DataFrame,
    error: str = "position_error_cm",
    grid: str = "grid_fraction_037",
    by: str = "experiment",
    ncols: int = 6,
) -> Figure:
    """Position error (cm) against grid fraction, one small panel per group of ``by``: every
    finished trial in grey, the group's own trials in colour, the group's Spearman rho and
    number of trials in its title (rho left out below three trials)."""
    _require_columns(df, error, grid)
    data = finished(df)
    groups = list(data.groupby(by, sort=False)) if by in data.columns else [("trials", data)]
    nrows = -(-len(groups) // ncols)
    fig = Figure(figsize=(1.9 * ncols, 1.75 * nrows + 0.4), layout="constrained")
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
    x, y = data[grid].astype(float), data[error].astype(float)
    for ax, (name, group) in zip(axes.flat, groups, strict=False):
        ax.scatter(x, y, s=5, color="0.82", lw=0)
        ax.scatter(group[grid], group[error], s=14, color="C0", lw=0)
        stat = error_vs_grid(group, error, grid, n_resamples=0)
        rho = f"rho {stat['rho']:.2f}, " if np.isfinite(stat["rho"]) else ""
        title = textwrap.shorten(str(name), width=26, placeholder="…")
        ax.set_title(f"{title}\n{rho}n = {len(group)}", fontsize=8)
        ax.tick_params(labelsize=7)
        if "fraction" in grid:
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    for ax in axes.flat[len(groups) :]:
        ax.set_visible(False)
    fig.supxlabel("grid-like units (> 0.37)" if grid == "grid_fraction_037" else grid, fontsize=9)
    fig.supylabel("position error (cm)" if error == "position_error_cm" else error, fontsize=9)
    return fig
