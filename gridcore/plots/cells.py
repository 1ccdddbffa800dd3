"""Plots of the ensembles, the simulated rat and decoded paths, drawn over the box.

Positions are in metres with the box centred at the origin; maps ``maps[..., ix, iy]`` are
drawn with x to the right and y up.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from gridcore.paper import BOX_SIZE_M, PLACE_SIGMA_M
from gridcore.plots._common import (
    MAP_CMAP,
    box_extent,
    image,
    new_axes,
    normalised,
    panel_grid,
    shared_colorbar,
)
from gridcore.world.ensembles import HeadDirectionCells
from gridcore.world.trajectories import MotionParams, normal_pdf, rayleigh_pdf


def draw_box(
    width: float = BOX_SIZE_M,
    height: float | None = None,
    margin: float = 0.05,
    ax: Axes | None = None,
) -> Axes:
    """Outline the box (``width`` x ``height`` m, centred at the origin) with equal aspect and
    axes in metres."""
    ax = ax or new_axes()
    height = width if height is None else height
    ax.add_patch(Rectangle((-width / 2, -height / 2), width, height, fill=False, color="k", lw=1))
    ax.set_xlim(-width / 2 - margin, width / 2 + margin)
    ax.set_ylim(-height / 2 - margin, height / 2 + margin)
    ax.set_aspect("equal")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    return ax


def plot_place_centres(
    centres,
    highlight=(),
    color="tab:gray",
    size: float = 10,
    box_width: float = BOX_SIZE_M,
    ax: Axes | None = None,
) -> Axes:
    """Place-cell centres (N, 2) m as dots in the box; ``highlight`` indices are labelled."""
    ax = ax or new_axes()
    c = np.asarray(centres)
    ax.scatter(c[:, 0], c[:, 1], s=size, color=color, zorder=2, label="place-cell centres")
    for i in highlight:
        ax.scatter(*c[i], s=40, facecolor="none", edgecolor="tab:red", zorder=3)
        ax.annotate(str(i), c[i], xytext=(3, 3), textcoords="offset points", fontsize=8)
    return draw_box(box_width, ax=ax)


def plot_paths(
    paths,
    n: int | None = None,
    colors=None,
    lw: float = 0.8,
    start_marker: bool = True,
    label: str | None = None,
    box_width: float = BOX_SIZE_M,
    ax: Axes | None = None,
) -> Axes:
    """Trajectories as lines in the box. ``paths``: (B, T, 2) positions in metres, or a
    ``Trajectories`` batch (its start is included). The start of each path is a dot."""
    ax = ax or new_axes()
    if hasattr(paths, "full_path"):
        paths = paths.full_path()
    paths = np.asarray(paths)[:n]
    colors = colors or [f"C{i % 10}" for i in range(len(paths))]
    for i, (path, color) in enumerate(zip(paths, colors, strict=False)):
        ax.plot(path[:, 0], path[:, 1], color=color, lw=lw, label=label if i == 0 else None)
        if start_marker:
            ax.plot(*path[0], "o", color=color, ms=4)
    return draw_box(box_width, ax=ax)


def plot_box_map(
    m,
    box_width: float = BOX_SIZE_M,
    box_height: float | None = None,
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One map ``m[ix, iy]`` over the box, axes in metres, unvisited (NaN) bins blank;
    ``colorbar`` is the colour bar's label (None: no colour bar)."""
    ax = ax or new_axes()
    m = np.ma.masked_invalid(np.asarray(m, dtype=float))
    extent = box_extent(box_width, box_height)
    im = ax.imshow(m.T, origin="lower", cmap=cmap, extent=extent, vmin=vmin, vmax=vmax)
    if colorbar is not None:
        ax.figure.colorbar(im, ax=ax, shrink=0.8, label=colorbar)
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_box_maps(
    maps,
    titles=None,
    ncols: int = 4,
    cmap: str = MAP_CMAP,
    size: float = 1.8,
    box_width: float = BOX_SIZE_M,
    colorbar: bool | str = False,
    suptitle: str | None = None,
    fig: Figure | None = None,
) -> Figure:
    """A grid of maps (k, nx, ny) over the box, each with its own colour scale. ``colorbar``:
    True gives every map its own colour bar; a string draws the maps normalised per map (0 to
    1) with one shared colour bar labelled by it; False, none."""
    maps = np.asarray(maps)
    k = maps.shape[0]
    shared = isinstance(colorbar, str)
    extra = (0.6 * bool(colorbar) + 0.3 * shared, 0.3)
    fig, axes, _ = panel_grid(k, ncols, (size, size), fig, extra)
    extent = box_extent(box_width)
    im = None
    for i, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        m = normalised(maps[i]) if shared else maps[i]
        lim = (0, 1) if shared else (None, None)
        im = image(ax, m, cmap, extent, *lim)
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
        if colorbar is True:
            fig.colorbar(im, ax=ax, shrink=0.8)
    if shared and im is not None:
        shared_colorbar(fig, im, axes[:k], colorbar, normalised_scale=True)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    return fig


def plot_activity_along_paths(
    positions,
    values,
    box_width: float = BOX_SIZE_M,
    cmap: str = MAP_CMAP,
    size: float = 3,
    colorbar: str | None = "activation",
    ax: Axes | None = None,
) -> Axes:
    """A unit's activity along paths: one dot per time step at ``positions`` (N, 2) m,
    coloured by ``values`` (N,)."""
    ax = ax or new_axes()
    pos = np.asarray(positions).reshape(-1, 2)
    sc = ax.scatter(pos[:, 0], pos[:, 1], c=np.asarray(values).ravel(), s=size, cmap=cmap)
    half = box_width / 2
    ax.set_aspect("equal")
    ax.set_xlim(-half, half)
    ax.set_ylim(-half, half)
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    if colorbar is not None:
        ax.figure.colorbar(sc, ax=ax, label=colorbar)
    return ax


def plot_hd_tuning(
    hd_cells: HeadDirectionCells, kappas=(20.0,), n_angles: int = 721, ax: Axes | None = None
) -> Axes:
    """Each head-direction cell's activation against heading (degrees) for each kappa."""
    ax = ax or new_axes((6, 3))
    phi = torch.linspace(-math.pi, math.pi, n_angles)
    order = torch.argsort(hd_cells.centres)
    styles = ["-", "--", ":", "-."]
    for j, kappa in enumerate(kappas):
        acts = HeadDirectionCells(hd_cells.centres, float(kappa)).activations(phi).numpy()
        for rank, cell in enumerate(order.tolist()):
            ax.plot(
                np.degrees(phi.numpy()),
                acts[:, cell],
                styles[j % len(styles)],
                color=f"C{rank % 10}",
                lw=1,
                label=f"κ = {kappa:g}" if rank == 0 else None,
            )
    for mu in hd_cells.centres.numpy():
        ax.axvline(np.degrees(mu), color="0.85", lw=0.6, zorder=0)
    ax.set_xlim(-180, 180)
    ax.set_xticks(range(-180, 181, 90))
    ax.set_xlabel("heading (degrees)")
    ax.set_ylabel("activation")
    if len(kappas) > 1:
        ax.legend(fontsize=8, loc="upper right")
    return ax


def plot_code_bars(code, n_place: int, ax: Axes | None = None) -> Axes:
    """The initial-state code (N + M,) as bars: place cells, then head-direction cells."""
    ax = ax or new_axes((6, 2.5))
    code = np.asarray(code)
    idx = np.arange(code.size)
    ax.bar(idx[:n_place], code[:n_place], width=1.0, color="tab:blue", label="place cells")
    ax.bar(idx[n_place:], code[n_place:], width=1.0, color="tab:orange", label="head direction")
    ax.axvline(n_place - 0.5, color="0.5", lw=0.8, ls="--")
    ax.set_xlim(-1, code.size)
    ax.set_xlabel("index in the initial code")
    ax.set_ylabel("activation")
    ax.legend(fontsize=8)
    return ax


def plot_decoding_vs_sigma(
    result: dict, mark: float | None = PLACE_SIGMA_M, ax: Axes | None = None
) -> Axes:
    """Decoding error (cm) of the true code against sigma (cm), from
    ``ensembles.decoding_errors_vs_sigma``: gridcore's top-3 decoder and the centroid;
    ``mark`` (m) draws a line at the paper's sigma."""
    ax = ax or new_axes((4.5, 3.2))
    s = 100 * result["sigma"]
    ax.plot(s, 100 * result["topk"], "o-", ms=3, label="mean of the top-3 centres (gridcore)")
    ax.plot(s, 100 * result["centroid"], "s-", ms=3, label="activation-weighted centroid")
    if mark is not None:
        ax.axvline(100 * mark, color="0.5", ls="--", lw=0.8)
        ax.annotate("σ of the paper", (100 * mark, ax.get_ylim()[1]), xytext=(3, -12),
                    textcoords="offset points", fontsize=8)  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("place-field width σ (cm)")
    ax.set_ylabel("mean decoding error (cm)")
    ax.legend(fontsize=8)
    return ax


def plot_speed_histogram(
    speeds, params: MotionParams, bins: int = 60, real=None, ax: Axes | None = None
) -> Axes:
    """Histogram of step speeds (m/s) with the Rayleigh density of ``params``; ``real`` is a
    dict of real-rat reference speeds (m/s) drawn as vertical lines."""
    ax = ax or new_axes()
    v = np.asarray(speeds).ravel()
    top = float(np.quantile(v, 0.999))
    ax.hist(v, bins=bins, range=(0, top), density=True, color="0.75", label="simulated")
    grid = np.linspace(0, top, 300)
    ax.plot(grid, rayleigh_pdf(grid, params.speed_scale), "k", lw=1.2,
            label=f"Rayleigh({params.speed_scale:.3g} m/s)")  # fmt: skip
    for name, value in (real or {}).items():
        ax.axvline(value, color="tab:red", ls="--", lw=0.8)
        ax.annotate(f"real rat {name}", (value, 0.95), xycoords=("data", "axes fraction"),
                    rotation=90, va="top", ha="right", fontsize=8, color="tab:red")  # fmt: skip
    ax.set_xlabel("speed (m/s)")
    ax.set_ylabel("density")
    ax.legend(fontsize=8, loc="upper right")
    return ax


def plot_turn_histogram(
    turn_rates, params: MotionParams, bins: int = 81, ax: Axes | None = None
) -> Axes:
    """Histogram of turning rates (rad/s) with the normal density of ``params``."""
    ax = ax or new_axes()
    w = np.asarray(turn_rates).ravel()
    lim = 4 * params.turn_sigma
    ax.hist(w, bins=bins, range=(-lim, lim), density=True, color="0.75", label="simulated")
    grid = np.linspace(-lim, lim, 400)
    ax.plot(grid, normal_pdf(grid, params.turn_mean, params.turn_sigma), "k", lw=1.2,
            label=f"N(0, {params.turn_sigma:.3g} rad/s)")  # fmt: skip
    ax.set_yscale("log")
    ax.set_xlabel("turning rate (rad/s)")
    ax.set_ylabel("density")
    ax.legend(fontsize=8, loc="lower center")
    return ax


def plot_occupancy(
    occ,
    title: str | None = None,
    cmap: str = "magma",
    vmin: float | None = None,
    vmax: float | None = None,
    box_width: float = BOX_SIZE_M,
    ax: Axes | None = None,
) -> Axes:
    """Occupancy (fraction of time per bin, [ix, iy]) relative to uniform (1 = uniform)."""
    occ = np.asarray(occ)
    return plot_box_map(
        occ * occ.size,
        box_width,
        cmap=cmap,
        vmin=vmin,
        vmax=vmax,
        colorbar="time / uniform",
        title=title,
        ax=ax,
    )


def plot_decoded_path(
    result,
    i: int,
    every: int = 1,
    box_width: float = BOX_SIZE_M,
    cmap: str = MAP_CMAP,
    colorbar: str | None = "time (s)",
    ax: Axes | None = None,
) -> Axes:
    """One path-integration trajectory of ``result`` (a ``PathIntegration``): the true path as
    a line and the positions decoded at every ``every``-th step as dots, both coloured by the
    time since the start (one colour scale, 0 to the end of the test; ``colorbar`` labels its
    colour bar, None: no colour bar). The start is a black dot; the legend tells line from
    dots."""
    ax = ax or new_axes((4.4, 3.6))
    true = result.true_path(i)
    times = np.r_[0.0, np.asarray(result.times_s, dtype=float)]  # the start, then each step
    norm = Normalize(0.0, float(times[-1]))
    colours = colormaps[cmap]
    segments = np.stack([true[:-1], true[1:]], axis=1)
    line = LineCollection(segments, cmap=colours, norm=norm, lw=2.2, alpha=0.55, zorder=2)
    line.set_array(0.5 * (times[:-1] + times[1:]))
    ax.add_collection(line)
    dec = result.decoded_pos[i][::every]
    ax.scatter(dec[:, 0], dec[:, 1], s=6, c=times[1:][::every], cmap=colours, norm=norm,
               edgecolors="k", linewidths=0.2, zorder=3)  # fmt: skip
    ax.plot(*true[0], "o", color="k", ms=5, zorder=4)
    mid = colours(0.5)
    handles = [
        Line2D([], [], color=mid, lw=2.2, alpha=0.55, label="true path"),
        Line2D([], [], ls="", marker="o", ms=3, mfc=mid, mec="k", mew=0.2, label="decoded"),
        Line2D([], [], ls="", marker="o", ms=5, color="k", label="start"),
    ]
    ax.legend(
        handles=handles,
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.24),
        ncols=3,
        frameon=False,
        borderaxespad=0,
        handletextpad=0.3,
        columnspacing=0.8,
    )  # fmt: skip (below the x label)
    draw_box(box_width, ax=ax)
    if colorbar is not None:
        cb = ax.figure.colorbar(line, ax=ax, shrink=0.85, pad=0.02)
        cb.set_label(colorbar, fontsize=8)
        cb.solids.set_alpha(1)
    ax.set_title(f"trajectory {i}: error at end {result.errors_cm[i, -1]:.0f} cm", fontsize=9)
    return ax
