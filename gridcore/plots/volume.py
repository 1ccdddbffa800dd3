"""Figures of the 3-D version: paths in the cube, slices and level-set views of 3-D maps, the
regularity score against its null and the close packings, and map stability against samples.

3-D maps are ``maps[ix, iy, iz]`` over a cube of edge ``edge`` metres centred on the origin.
The 3-D views are matplotlib's ``projection="3d"`` Axes, which render in a static page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.ticker import MaxNLocator

from gridcore.paper import BOX_SIZE_M
from gridcore.plots._common import (
    MAP_CMAP,
    SAC_CMAP,
    box_extent,
    image,
    lag_extent,
    new_axes,
    shared_colorbar,
)
from gridcore.scoring.scores3d import lattice_neighbours, steinhardt_q


def _axes_3d(ax: Axes | None, figsize=(4.2, 4.0)) -> Axes:
    if ax is not None:
        return ax
    return Figure(figsize=figsize, layout="constrained").add_subplot(projection="3d")


def _cube_limits(ax: Axes, edge: float) -> None:
    for axis in "xyz":
        getattr(ax, f"set_{axis}lim")(-edge / 2, edge / 2)
        getattr(ax, f"set_{axis}label")(f"{axis} (m)")
    ax.set_box_aspect((1, 1, 1))


def plot_paths_3d(
    paths: np.ndarray, edge: float = BOX_SIZE_M, n: int = 3, ax: Axes | None = None
) -> Axes:
    """The first ``n`` paths (B, T, 3) m in the cube, each from its start (a dot)."""
    ax = _axes_3d(ax)
    for p in np.asarray(paths)[:n]:
        (line,) = ax.plot(p[:, 0], p[:, 1], p[:, 2], lw=1)
        ax.scatter(*p[0], color=line.get_color(), s=15)
    _cube_limits(ax, edge)
    ax.set_title(f"{min(n, len(paths))} paths in the cube")
    return ax


def plot_map_slices(
    volume: np.ndarray,
    n_slices: int = 4,
    edge: float = BOX_SIZE_M,
    cmap: str = MAP_CMAP,
    fig: Figure | SubFigure | None = None,
    colorbar: str | None = "activity",
) -> Figure | SubFigure:
    """``n_slices`` horizontal slices (x right, y up) of one 3-D map at evenly spaced heights,
    on one colour scale; ``colorbar`` labels its colour bar (None: none)."""
    volume = np.asarray(volume, dtype=float)
    extra = 0.8 if colorbar is not None else 0.0
    fig = (
        Figure(figsize=(2.0 * n_slices + extra, 2.2), layout="constrained") if fig is None else fig
    )
    axes = np.atleast_1d(fig.subplots(1, n_slices))
    n = volume.shape[2]
    lo, hi = np.nanmin(volume), np.nanmax(volume)
    im = None
    for ax, k in zip(axes, np.linspace(0, n - 1, n_slices).round().astype(int), strict=True):
        im = image(ax, volume[:, :, k], cmap, box_extent(edge), lo, hi)
        ax.set_title(f"z = {(k + 0.5) / n * edge - edge / 2:+.2f} m", fontsize=9)
    if colorbar is not None and im is not None:
        shared_colorbar(fig, im, axes, colorbar)
    return fig


def plot_level_set(
    volume: np.ndarray,
    level: float = 0.6,
    edge: float = BOX_SIZE_M,
    cmap: str = "viridis",
    ax: Axes | None = None,
) -> Axes:
    """The bins of one 3-D map above ``level`` x its range above its minimum (a voxel view of
    the isosurface at that level), coloured by height."""
    ax = _axes_3d(ax)
    v = np.nan_to_num(np.asarray(volume, dtype=float), nan=np.nanmin(volume))
    lo, hi = v.min(), v.max()
    filled = v >= lo + level * (hi - lo) if hi > lo else np.zeros_like(v, dtype=bool)
    n = v.shape[0]
    edges = np.linspace(-edge / 2, edge / 2, n + 1)
    x, y, z = np.meshgrid(edges, edges, edges, indexing="ij")
    height = (np.arange(n) + 0.5) / n
    colours = colormaps[cmap](np.broadcast_to(height[None, None, :], v.shape))
    ax.voxels(x, y, z, filled, facecolors=colours, edgecolor=(0, 0, 0, 0.15), linewidth=0.2)
    _cube_limits(ax, edge)
    ax.set_title(f"bins above {level:.0%} of the range")
    return ax


def plot_sac_slice(sac: np.ndarray, ax: Axes | None = None) -> Axes:
    """The central horizontal slice (lag dz = 0) of a 3-D autocorrelogram, lags in bins."""
    ax = ax if ax is not None else new_axes((3, 3))
    n = (sac.shape[0] + 1) // 2
    image(ax, sac[:, :, n - 1], SAC_CMAP, extent=lag_extent(sac))
    ax.set_title("SAC, dz = 0")
    return ax


def plot_q6_histogram(
    q6: np.ndarray,
    null_q6: np.ndarray | None = None,
    threshold: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Histogram of the units' Q6 (and the shuffled maps'), with the null's threshold and the
    Q6 of the two close packings' neighbourhoods."""
    ax = ax if ax is not None else new_axes((4.5, 3))
    bins = np.linspace(0, 0.8, 41)
    ax.hist(q6[np.isfinite(q6)], bins=bins, alpha=0.8, label="units", density=True)
    if null_q6 is not None:
        ax.hist(
            null_q6[np.isfinite(null_q6)],
            bins=bins,
            histtype="step",
            color="k",
            label="shuffled",
            density=True,
        )
    if threshold is not None and np.isfinite(threshold):
        ax.axvline(threshold, color="k", ls="--", label="null 95th pct")
    for kind, colour in (("fcc", "tab:red"), ("hcp", "tab:purple")):
        q = steinhardt_q(lattice_neighbours(kind))
        ax.axvline(q, color=colour, ls=":", label=f"{kind.upper()} {q:.3f}")
    ax.set_xlabel("Q6 of the 12 nearest SAC peaks")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    return ax


def plot_stability(
    stability: Mapping[int, np.ndarray], label: str | None = None, ax: Axes | None = None
) -> Axes:
    """Median and quartiles over units of the split-half map correlation against the number
    of trajectories in each half."""
    ax = ax if ax is not None else new_axes((4.2, 3))
    counts = sorted(stability)
    q = np.array([np.nanpercentile(stability[c], [25, 50, 75]) for c in counts])
    line = ax.plot(counts, q[:, 1], "o-", label=label)[0]
    ax.fill_between(counts, q[:, 0], q[:, 2], color=line.get_color(), alpha=0.2)
    ax.set_xscale("log")
    ax.set_xticks(counts, [f"{c:,}" for c in counts])
    ax.minorticks_off()
    ax.set_xlabel("trajectories per half")
    ax.set_ylabel("split-half map correlation")
    ax.set_ylim(min(0, q.min()), 1)
    return ax


def plot_axis_fractions(fractions: np.ndarray, ax: Axes | None = None) -> Axes:
    """Histogram over units of the largest fraction of a map's variance along one axis, stacked
    by that axis (:func:`gridcore.scoring.scores3d.axis_variance_fractions`, (units, 3))."""
    ax = ax if ax is not None else new_axes((4.5, 3))
    fractions = np.asarray(fractions)
    top, axis = fractions.max(axis=1), fractions.argmax(axis=1)
    ax.hist(
        [top[axis == k] for k in range(3)],
        bins=np.linspace(0, 1, 21),
        stacked=True,
        label=[f"mostly along {a}" for a in "xyz"],
    )
    ax.set_xlabel("largest fraction of variance along one axis")
    ax.set_ylabel("units")
    ax.legend(fontsize=8)
    return ax


def plot_unit_volumes(
    maps: np.ndarray,
    units: Sequence[int],
    edge: float = BOX_SIZE_M,
    level: float = 0.6,
    fig: Figure | SubFigure | None = None,
) -> Figure | SubFigure:
    """One level-set view per unit in ``units``, in a row, each with its axes labelled in
    metres."""
    fig = Figure(figsize=(3.0 * len(units), 3.2), layout="constrained") if fig is None else fig
    for i, u in enumerate(units):
        ax = fig.add_subplot(1, len(units), i + 1, projection="3d")
        plot_level_set(maps[u], level, edge, ax=ax)
        ax.set_title(f"unit {u}", fontsize=9)
        for axis in "xyz":
            getattr(ax, f"{axis}axis").set_major_locator(MaxNLocator(2))
            getattr(ax, f"set_{axis}label")(f"{axis} (m)", fontsize=8, labelpad=-4)
        ax.tick_params(labelsize=8, pad=-2)
        ax.set_box_aspect((1, 1, 1), zoom=0.85)  # room for the z label in a narrow panel
    return fig
