"""Plots of ratemaps and their grid scores: SACs, the scorer step by step, the score
distribution against its shuffle null, grid geometry and modules, emergence over training and
the path-integration error.

Ratemaps ``maps[u, ix, iy]`` are drawn with x to the right and y up.
"""

from __future__ import annotations

import numpy as np
import scipy.ndimage as ndi
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle
from matplotlib.ticker import FuncFormatter

from gridcore.paper import (
    BOX_SIZE_M,
    GRID_FRACTION,
    GRID_THRESHOLD,
    MODULE_SCALES_M,
    STRICT_GRID_THRESHOLD,
)
from gridcore.plots._common import (
    MAP_CMAP,
    NORMALISED_LABEL,
    SAC_CMAP,
    SAC_LABEL,
    SAC_LIMITS,
    image,
    lag_extent,
    new_axes,
    normalised,
    shared_colorbar,
)
from gridcore.scoring.scale_modules import ScaleClusters
from gridcore.scoring.scores import ANGLES, GridScores, _score_60, _score_90, mask_radii, ring_masks
from gridcore.scoring.shuffles import ShuffleNull

THRESHOLDS = (GRID_THRESHOLD, STRICT_GRID_THRESHOLD)  # the lines drawn on score histograms
PAPER_TEST_S = 15.0  # length of the paper's path-integration test (PATH_ERROR_15S_CM), s


#: The two scorers as a legend names them.
_SCORER_WORDS = {"deepmind": "DeepMind's scorer", "gridcore": "gridcore's scorer"}


def plot_sac(
    sac: np.ndarray,
    ring: tuple[float, float] | None = None,
    cmap: str = SAC_CMAP,
    limits: tuple[float, float] | None = SAC_LIMITS,
    colorbar: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One SAC, lags in bins, masked outside radius n; ``ring`` (inner, outer) drawn as circles.
    Colours span ``limits`` (default -1 to 1; None: the SAC's own range); ``colorbar`` is the
    colour bar's label (None: no colour bar)."""
    ax = ax or new_axes((3, 3))
    n = (sac.shape[0] + 1) // 2
    lag = np.arange(-(n - 1), n)
    outside = np.hypot(lag[:, None], lag[None, :]) > n
    lo, hi = limits or (None, None)
    im = image(ax, np.where(outside, np.nan, sac), cmap, lag_extent(sac), lo, hi)
    for r in ring or ():
        ax.add_patch(Circle((0, 0), r, fill=False, color="white", lw=1))
    if colorbar is not None:
        shared_colorbar(ax.figure, im, [ax], colorbar)
    return ax


def _units_by_score(scores: GridScores) -> np.ndarray:
    return np.argsort(-np.nan_to_num(scores.grid_score_60, nan=-np.inf), kind="stable")


def plot_ratemaps_and_sacs(
    maps: np.ndarray,
    scores: GridScores,
    n: int = 16,
    sort: bool = True,
    ncols: int = 8,
    units: np.ndarray | None = None,
    cmap: str = MAP_CMAP,
    fig: Figure | None = None,
    colorbar: bool = True,
) -> Figure:
    """The paper's Figure 1 layout: each unit's ratemap above its SAC, best 60-degree ring drawn,
    title = unit index and 60-degree score. Units sorted by score (highest first) unless
    ``sort`` is False or ``units`` picks them. The ratemaps are normalised per unit and share
    one colour bar, the SACs another (correlation, -1 to 1), side by side at the right
    (``colorbar=False``: none). ``cmap`` colours both. The figure is at most about 10 in wide."""
    if units is None:
        units = _units_by_score(scores) if sort else np.arange(scores.n_units)
        units = units[:n]
    units = np.asarray(units)
    ncols = max(1, min(ncols, units.size))
    nrows = -(-units.size // ncols)
    w = min(1.4, 8.4 / ncols)  # the panels' width, in (the figure is at most about 10 in)
    fig = fig or Figure(
        figsize=(w * ncols + 1.4 * colorbar, 2.07 * w * nrows), layout="constrained"
    )
    axes = fig.subplots(2 * nrows, ncols, squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    map_im = sac_im = None
    for k, u in enumerate(units):
        top, bottom = axes[2 * (k // ncols), k % ncols], axes[2 * (k // ncols) + 1, k % ncols]
        top.set_axis_on()
        bottom.set_axis_on()
        map_im = image(top, normalised(maps[u]), cmap, vmin=0, vmax=1)
        flag = "" if not scores.degenerate[u] else f"\n({scores.reason[u]})"
        top.set_title(f"#{u}  {scores.grid_score_60[u]:.2f}{flag}", fontsize=8)
        plot_sac(scores.sacs[u], tuple(scores.best_ring_60[u]), cmap, ax=bottom)
        sac_im = bottom.images[0]
    if colorbar and map_im is not None:
        # At the right, side by side: the maps' colour bar, then the SACs' (the last drawn
        # goes nearest the panels).
        for im, label, scaled in ((sac_im, SAC_LABEL, False), (map_im, NORMALISED_LABEL, True)):
            shared_colorbar(fig, im, axes, label, normalised_scale=scaled, aspect=25, pad=0.015)
    return fig


def plot_unit(
    maps: np.ndarray, scores: GridScores, unit: int, box_width: float = BOX_SIZE_M
) -> Figure:
    """One unit as the paper shows it, side by side: its ratemap over the box (metres, colour
    bar in its own activity) and its SAC (the ring that gave its 60-degree score in white,
    correlation colour bar). 7 in wide."""
    fig = Figure(figsize=(7.0, 3.0), layout="constrained")
    left, right = fig.subplots(1, 2)
    extent = (-box_width / 2, box_width / 2, -box_width / 2, box_width / 2)
    im = image(left, maps[unit], MAP_CMAP, extent)
    left.set_title(f"unit {unit} across the {box_width:g} m box")
    fig.colorbar(im, ax=left, shrink=0.85, label="mean activity")
    plot_sac(scores.sacs[unit], tuple(scores.best_ring_60[unit]), ax=right, colorbar=SAC_LABEL)
    right.set_title(f"its SAC: 60° score {scores.grid_score_60[unit]:.2f}")
    for ax in (left, right):
        ax.title.set_fontsize(10)
    return fig


def plot_ratemap_grid(
    maps,
    units=None,
    ncols: int = 8,
    titles=None,
    size: float = 1.2,
    cmap: str = MAP_CMAP,
    fig: Figure | None = None,
    colorbar: str | None = NORMALISED_LABEL,
) -> Figure:
    """Ratemaps of ``units`` (default: all, in index order) in a grid, each normalised to its
    own range (its minimum to 0, its maximum to 1), titled with the unit index (or ``titles``);
    unvisited bins are left white. ``maps`` is a (units, n, n) array or a list of 2-D maps
    (their sizes may differ). ``colorbar`` labels the shared colour bar (None: none)."""
    units = np.arange(len(maps)) if units is None else np.asarray(units)
    ncols = max(1, min(ncols, units.size))
    nrows = -(-units.size // ncols)
    extra = 0.8 if colorbar is not None else 0.0
    fig = fig or Figure(figsize=(size * ncols + extra, (size + 0.2) * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    im = None
    for k, ax in enumerate(axes.ravel()):
        if k >= units.size:
            ax.set_axis_off()
            continue
        im = image(ax, normalised(maps[units[k]]), cmap, vmin=0, vmax=1)
        ax.set_title(str(units[k]) if titles is None else titles[k], fontsize=8)
    if colorbar is not None and im is not None:
        shared_colorbar(fig, im, axes, colorbar, normalised_scale=True)
    return fig


def _threshold_lines(ax: Axes, scores: GridScores, lines: list[tuple[float, str]]) -> None:
    for (t, name), color in zip(lines, ["tab:red", "tab:purple", "tab:green", "k"], strict=False):
        ax.axvline(t, color=color, ls="--", label=f"> {name}: {100 * scores.fraction(t):.1f}%")


def plot_score_histogram(
    scores: GridScores,
    thresholds: tuple[float, ...] = THRESHOLDS,
    shuffle: ShuffleNull | float | None = None,
    bins: int = 40,
    ax: Axes | None = None,
) -> Axes:
    """Histogram of 60-degree scores (degenerate units stacked separately) with threshold lines;
    the legend gives the fraction of grid-like units at each threshold."""
    ax = ax or new_axes((5, 3.2))
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
    _threshold_lines(ax, scores, lines)
    ax.set_xlabel("60° grid score")
    ax.set_ylabel("units")
    ax.legend(fontsize=8)
    return ax


def plot_score_null(
    scores: GridScores,
    null: ShuffleNull,
    bins: int = 40,
    thresholds: tuple[float, ...] = THRESHOLDS,
    ax: Axes | None = None,
) -> Axes:
    """Density histograms of the units' 60-degree scores and of the shuffled scores, with the
    fixed thresholds and the shuffle threshold."""
    ax = ax or new_axes((5.5, 3.3))
    real = scores.grid_score_60[np.isfinite(scores.grid_score_60)]
    shuf = null.scores[np.isfinite(null.scores)]
    edges = np.histogram_bin_edges(np.concatenate([real, shuf]), bins=bins)
    ax.hist(shuf, bins=edges, density=True, color="0.7", label=f"shuffled ({null.method})")
    ax.hist(real, bins=edges, density=True, histtype="step", lw=2, color="tab:blue", label="units")
    lines = [(t, f"{t:g}") for t in thresholds]
    lines.append((null.threshold, f"shuffle {null.percentile:g}th pct. {null.threshold:.2f}"))
    _threshold_lines(ax, scores, lines)
    ax.set_xlabel("60° grid score")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    return ax


def plot_geometry(scores: GridScores, only_grid_like: bool = True, ax: Axes | None = None) -> Axes:
    """Grid scale (cm) against orientation (degrees) for grid-like units, coloured by score."""
    ax = ax or new_axes((4.5, 3.2))
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


# --------------------------------------------------------------------------------------------
# The grid score, step by step


def plot_ring_masks(nbins: int, ncols: int = 5, fig: Figure | None = None) -> Figure:
    """The 10 ring masks on the SAC's (2n-1)^2 lag grid, with their radii in bins."""
    masks, radii = ring_masks(nbins), mask_radii(nbins)
    nrows = -(-len(masks) // ncols)
    fig = fig or Figure(figsize=(1.7 * ncols, 1.9 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    ext = (-nbins + 0.5, nbins - 0.5, -nbins + 0.5, nbins - 0.5)
    for k, ax in enumerate(axes.ravel()):
        if k >= len(masks):
            ax.set_axis_off()
            continue
        image(ax, masks[k].astype(float), "Greys", ext)
        ax.set_title(f"ring {k}: {radii[k, 0]:.1f}–{radii[k, 1]:.1f} bins", fontsize=8)
    return fig


def plot_rotations(
    sac: np.ndarray,
    mask: np.ndarray,
    corr: np.ndarray | None = None,
    axes=None,
    ncols: int = 4,
    colorbar: bool = True,
) -> Figure:
    """The SAC inside one ring mask and its rotations by :data:`ANGLES` (as the scorer rotates:
    ``scipy.ndimage.rotate``, cubic spline, same grid); ``corr`` (len(ANGLES),) goes in the
    titles. ``axes``: len(ANGLES) + 1 axes to draw into (default: a grid of ``ncols`` columns).
    All panels share one colour scale, the range of the SAC inside the ring, and its colour
    bar."""
    if axes is None:
        nrows = -(-(len(ANGLES) + 1) // ncols)
        fig = Figure(figsize=(1.8 * ncols + 0.8 * colorbar, 2.0 * nrows), layout="constrained")
        grid = fig.subplots(nrows, ncols, squeeze=False).ravel()
        for ax in grid[len(ANGLES) + 1 :]:
            ax.set_axis_off()
        axes = grid[: len(ANGLES) + 1]
    ext = lag_extent(sac)
    inside = sac[mask]
    lim = (float(inside.min()), float(inside.max()))
    panels = [("SAC", sac)] + [(f"{a}°", ndi.rotate(sac, a, reshape=False)) for a in ANGLES]
    for k, (ax, (name, img)) in enumerate(zip(axes, panels, strict=True)):
        im = image(ax, np.where(mask, img, np.nan), SAC_CMAP, ext, *lim)
        if k and corr is not None:
            name = f"{name}: r = {corr[k - 1]:.2f}"
        ax.set_title(name, fontsize=8)
    if colorbar:
        shared_colorbar(axes[0].figure, im, axes, "SAC (correlation)")
    return axes[0].figure


def plot_rotation_correlations(
    corr: np.ndarray, label: str | None = None, ax: Axes | None = None
) -> Axes:
    """Correlation of a SAC with its rotated self against the angle (one ring: (len(ANGLES),));
    the 60-degree score rewards high values at 60 and 120 and low ones at 30, 90 and 150."""
    ax = ax or new_axes((4.2, 3))
    ax.plot(ANGLES, corr, "o-", label=label)
    for a in (60, 120):
        ax.axvline(a, color="tab:green", lw=6, alpha=0.15)
    for a in (30, 90, 150):
        ax.axvline(a, color="tab:red", lw=6, alpha=0.15)
    ax.axhline(0, color="0.6", lw=0.6)
    ax.set_xticks(ANGLES)
    ax.set_xlabel("rotation (degrees)")
    ax.set_ylabel("correlation with rotated SAC")
    return ax


def plot_ring_scores(
    corr: np.ndarray, nbins: int, min_max: bool = False, ax: Axes | None = None
) -> Axes:
    """60- and 90-degree scores of each ring mask (``corr``: (n_masks, len(ANGLES)) for one
    SAC) against the ring's outer radius; the maximum, the unit's score, is circled."""
    ax = ax or new_axes((4.2, 3))
    c = {a: corr[:, k] for k, a in enumerate(ANGLES)}
    outer = mask_radii(nbins)[:, 1]
    for s, name, color in (
        (_score_60(c, min_max), "60°", "tab:blue"),
        (_score_90(c), "90°", "tab:orange"),
    ):
        ax.plot(outer, s, "o-", color=color, label=f"{name} score per ring")
        best = int(np.argmax(s))
        ax.plot(outer[best], s[best], "o", ms=13, mfc="none", mec=color)
    ax.axhline(0, color="0.6", lw=0.6)
    ax.set_xlabel("outer radius of the ring (bins)")
    ax.set_ylabel("score")
    ax.legend(fontsize=8)
    return ax


# --------------------------------------------------------------------------------------------
# Results: grid modules, emergence, path integration


def plot_scale_clusters(
    clusters: ScaleClusters,
    bins: int = 20,
    paper: tuple[float, ...] | None = MODULE_SCALES_M,
    ax: Axes | None = None,
) -> Axes:
    """Histogram of grid scales (cm) with the fitted mixture, its centres and the paper's
    module scales (``paper``, m; None: not drawn)."""
    ax = ax or new_axes((5.5, 3.3))
    cm = 100 * clusters.scales_m
    counts, edges, _ = ax.hist(cm, bins=bins, color="tab:blue", alpha=0.6, label="grid-like units")
    x = np.linspace(edges[0] - 10, edges[-1] + 10, 400)
    width = edges[1] - edges[0]
    dens = clusters.density(x / 100) / 100 * clusters.scales_m.size * width
    ax.plot(x, dens, color="k", lw=1.5, label=f"mixture, k = {clusters.k} (BIC)")
    for m in clusters.means_m:
        ax.axvline(100 * m, color="k", ls="--", lw=1)
    for i, m in enumerate(paper or ()):
        ax.axvline(
            100 * m, color="tab:red", ls=":", lw=1.5, label="paper's modules" if i == 0 else None
        )
    ax.set_xlabel("grid scale (cm)")
    ax.set_ylabel("units")
    ax.legend(fontsize=8)
    return ax


def plot_bic(clusters: ScaleClusters, ax: Axes | None = None) -> Axes:
    """BIC of the scale mixture against the number of clusters k (lower is better)."""
    ax = ax or new_axes((3.5, 3.3))
    k = np.arange(1, clusters.bic.size + 1)
    ax.plot(k, clusters.bic, "o-")
    ax.set_xlabel("clusters k")
    ax.set_ylabel("BIC (lower is better)")
    ax.set_xticks(k)
    return ax


def plot_emergence(emergence, axes=None) -> Figure:
    """Grid-unit fraction (both modes, both thresholds) and the training decoding error against
    the training step, from a ``gridcore.analysis.results.Emergence``; ``axes``: two axes."""
    if axes is None:
        axes = Figure(figsize=(9, 3.3), layout="constrained").subplots(1, 2)
    a, b = axes
    styles = {"deepmind": ("-", "o", "full"), "gridcore": ("--", "s", "none")}
    colors = {
        ("deepmind", GRID_THRESHOLD): "tab:blue",
        ("deepmind", STRICT_GRID_THRESHOLD): "tab:purple",
        ("gridcore", GRID_THRESHOLD): "tab:orange",
        ("gridcore", STRICT_GRID_THRESHOLD): "tab:brown",
    }
    for (mode, t), f in emergence.fractions.items():
        ls, marker, fill = styles.get(mode, (":", "^", "full"))
        a.plot(
            emergence.steps,
            100 * f,
            ls=ls,
            marker=marker,
            fillstyle=fill,
            ms=5,
            color=colors.get((mode, t)),
            label=f"> {t:g}, {_SCORER_WORDS.get(mode, mode)}",
        )
    paper = f"Banino et al.: {100 * GRID_FRACTION:.1f} % > {GRID_THRESHOLD:g}"
    a.axhline(100 * GRID_FRACTION, color="tab:red", lw=1, ls=":", label=paper)
    a.set_xlabel("training step")
    a.set_ylabel("grid-like units (%)")
    # below the axes, so that it never covers the rising curve
    a.legend(fontsize=8, frameon=False, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.2))
    b.plot(emergence.history_steps, emergence.position_error_cm, color="tab:gray")
    b.set_xlabel("training step")
    b.set_ylabel("error, training batches (cm)")
    b.set_ylim(bottom=0)
    for ax in (a, b):  # 20000 -> 20k, so that long runs' ticks do not collide
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x / 1000:g}k" if x else "0"))
    return a.figure


def plot_error_vs_time(
    results: dict,
    paper: dict[str, float] | None = None,
    legend: str = "outside",
    ax: Axes | None = None,
) -> Axes:
    """Mean decoding error (± SEM, cm) against time (s) for several path-integration results
    ({label: PathIntegration}); ``paper`` ({label: cm}, e.g. ``gridcore.paper.PATH_ERROR_15S_CM``)
    marks the paper's values at :data:`PAPER_TEST_S` as stars. The legend goes to the right of
    the axes (``legend="outside"``), so that it hides no curve or star, or to a matplotlib
    location such as ``"upper left"``."""
    ax = ax or new_axes((7.5, 3.3))
    for label, res in results.items():
        m, s = res.mean_error_cm, res.sem_error_cm
        (line,) = ax.plot(res.times_s, m, label=label)
        ax.fill_between(res.times_s, m - s, m + s, color=line.get_color(), alpha=0.25)
    for i, (label, cm) in enumerate((paper or {}).items()):
        ax.plot(
            [PAPER_TEST_S], [cm], "*", ms=12, color=f"C{i}", mec="k", zorder=5,
            label=f"paper, {label}", clip_on=False,
        )  # fmt: skip
    ax.set_xlabel("time since start (s)")
    ax.set_ylabel("mean position error (cm)")
    if legend == "outside":
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    else:
        ax.legend(fontsize=8, loc=legend)
    return ax
