"""Plotting functions (matplotlib object API: they take axes or return figures, never show).

Ratemaps ``maps[u, ix, iy]`` are drawn with x to the right and y up.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from gridcore.scores import PAPER_THRESHOLD, STRICT_THRESHOLD, GridScores, ShuffleNull


def _image(ax: Axes, a: np.ndarray, cmap: str, extent=None) -> None:
    ax.imshow(np.ma.masked_invalid(a).T, origin="lower", cmap=cmap, extent=extent)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_sac(ax: Axes, sac: np.ndarray, ring: tuple[float, float] | None = None, cmap="jet"):
    """One SAC, lags in bins, masked outside radius n; ``ring`` (inner, outer) drawn as circles."""
    n = (sac.shape[0] + 1) // 2
    lag = np.arange(-(n - 1), n)
    outside = np.hypot(lag[:, None], lag[None, :]) > n
    ext = (-n + 0.5, n - 0.5, -n + 0.5, n - 0.5)
    _image(ax, np.where(outside, np.nan, sac), cmap, ext)
    for r in ring or ():
        ax.add_patch(Circle((0, 0), r, fill=False, color="white", lw=1))


def plot_ratemaps_and_sacs(
    maps: np.ndarray,
    scores: GridScores,
    n: int = 16,
    sort: bool = True,
    ncols: int = 8,
    units: np.ndarray | None = None,
    cmap: str = "jet",
) -> Figure:
    """The paper's Figure 1 layout: each unit's ratemap above its SAC, best 60-degree ring drawn,
    title = unit index and 60-degree score. Units sorted by score (highest first) unless
    ``sort`` is False or ``units`` picks them."""
    if units is None:
        order = np.argsort(-np.nan_to_num(scores.grid_score_60, nan=-np.inf), kind="stable")
        units = order if sort else np.arange(scores.n_units)
        units = units[:n]
    units = np.asarray(units)
    ncols = max(1, min(ncols, units.size))
    nrows = -(-units.size // ncols)
    fig = Figure(figsize=(1.4 * ncols, 2.9 * nrows), layout="constrained")
    axes = fig.subplots(2 * nrows, ncols, squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for k, u in enumerate(units):
        top, bottom = axes[2 * (k // ncols), k % ncols], axes[2 * (k // ncols) + 1, k % ncols]
        top.set_axis_on()
        bottom.set_axis_on()
        _image(top, maps[u], cmap)
        flag = "" if not scores.degenerate[u] else f"\n({scores.reason[u]})"
        top.set_title(f"#{u}  {scores.grid_score_60[u]:.2f}{flag}", fontsize=8)
        plot_sac(bottom, scores.sacs[u], tuple(scores.best_ring_60[u]), cmap)
    return fig


def plot_score_histogram(
    scores: GridScores,
    thresholds: tuple[float, ...] = (PAPER_THRESHOLD, STRICT_THRESHOLD),
    shuffle: ShuffleNull | float | None = None,
    ax: Axes | None = None,
    bins: int = 40,
) -> Axes:
    """Histogram of 60-degree scores (degenerate units stacked separately) with threshold lines;
    the legend gives the fraction of grid-like units at each threshold."""
    if ax is None:
        ax = Figure(figsize=(5, 3.2), layout="constrained").subplots()
    s = scores.grid_score_60
    ok = np.isfinite(s)
    edges = np.histogram_bin_edges(s[ok], bins=bins) if ok.any() else bins
    groups = [s[ok & ~scores.degenerate], s[ok & scores.degenerate]]
    ax.hist(
        groups,
        bins=edges,
        stacked=True,
        color=["tab:blue", "lightgray"],
        label=["scored units", "degenerate"],
    )
    lines = [(t, f"{t:g}") for t in thresholds]
    if shuffle is not None:
        t = shuffle.threshold if isinstance(shuffle, ShuffleNull) else float(shuffle)
        lines.append((t, f"shuffle {t:.2f}"))
    for (t, name), color in zip(lines, ["tab:red", "tab:purple", "tab:green", "k"], strict=False):
        ax.axvline(t, color=color, ls="--", label=f"> {name}: {100 * scores.fraction(t):.1f}%")
    ax.set_xlabel("60° grid score")
    ax.set_ylabel("units")
    ax.legend(fontsize=8)
    return ax


def plot_geometry(scores: GridScores, ax: Axes | None = None, only_grid_like: bool = True) -> Axes:
    """Grid scale (cm) against orientation (degrees) for grid-like units, coloured by score."""
    if ax is None:
        ax = Figure(figsize=(4.5, 3.2), layout="constrained").subplots()
    keep = np.isfinite(scores.scale_m)
    if only_grid_like:
        keep &= scores.grid_like
    sc = ax.scatter(
        scores.orientation_deg[keep],
        100 * scores.scale_m[keep],
        c=scores.grid_score_60[keep],
        cmap="viridis",
        s=18,
    )
    ax.figure.colorbar(sc, ax=ax, label="60° grid score")
    ax.set_xlim(0, 60)
    ax.set_xlabel("orientation (degrees)")
    ax.set_ylabel("grid scale (cm)")
    ax.set_title(f"{int(keep.sum())} units", fontsize=9)
    return ax
