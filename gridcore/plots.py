"""Plotting functions (matplotlib object API: they take axes or return figures, never show).

Ratemaps ``maps[u, ix, iy]`` are drawn with x to the right and y up.
"""

from __future__ import annotations

import html
import io

import numpy as np
import scipy.ndimage as ndi
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle
from matplotlib.ticker import FuncFormatter

from gridcore.modules import ScaleClusters
from gridcore.scores import (
    ANGLES,
    PAPER_THRESHOLD,
    STRICT_THRESHOLD,
    GridScores,
    _score_60,
    _score_90,
    mask_radii,
    ring_masks,
    rotation_correlations,
)
from gridcore.shuffles import ShuffleNull


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


# --------------------------------------------------------------------------------------------
# The grid score, step by step


def plot_ring_masks(nbins: int, ncols: int = 5) -> Figure:
    """The 10 ring masks on the SAC's (2n-1)^2 lag grid, with their radii in bins."""
    masks, radii = ring_masks(nbins), mask_radii(nbins)
    nrows = -(-len(masks) // ncols)
    fig = Figure(figsize=(1.7 * ncols, 1.9 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    ext = (-nbins + 0.5, nbins - 0.5, -nbins + 0.5, nbins - 0.5)
    for k, ax in enumerate(axes.ravel()):
        if k >= len(masks):
            ax.set_axis_off()
            continue
        _image(ax, masks[k].astype(float), "Greys", ext)
        ax.set_title(f"ring {k}: {radii[k, 0]:.1f}–{radii[k, 1]:.1f}", fontsize=8)
    return fig


def plot_rotations(sac: np.ndarray, mask: np.ndarray, corr: np.ndarray | None = None) -> Figure:
    """The SAC inside one ring mask and its rotations by :data:`ANGLES` (as the scorer rotates:
    ``scipy.ndimage.rotate``, cubic spline, same grid); ``corr`` (len(ANGLES),) goes in the
    titles."""
    fig = Figure(figsize=(1.6 * (len(ANGLES) + 1), 2.0), layout="constrained")
    axes = fig.subplots(1, len(ANGLES) + 1)
    n = (sac.shape[0] + 1) // 2
    ext = (-n + 0.5, n - 0.5, -n + 0.5, n - 0.5)
    inside = sac[mask]
    lim = (float(inside.min()), float(inside.max()))
    panels = [("SAC", sac)] + [(f"{a}°", ndi.rotate(sac, a, reshape=False)) for a in ANGLES]
    for k, (ax, (name, img)) in enumerate(zip(axes, panels, strict=True)):
        ax.imshow(np.where(mask, img, np.nan).T, origin="lower", cmap="jet", extent=ext)
        ax.images[0].set_clim(*lim)
        ax.set_xticks([])
        ax.set_yticks([])
        if k and corr is not None:
            name = f"{name}: r = {corr[k - 1]:.2f}"
        ax.set_title(name, fontsize=8)
    return fig


def plot_rotation_correlations(
    corr: np.ndarray, ax: Axes | None = None, label: str | None = None
) -> Axes:
    """Correlation of a SAC with its rotated self against the angle (one ring: (len(ANGLES),));
    the 60-degree score rewards high values at 60 and 120 and low ones at 30, 90 and 150."""
    if ax is None:
        ax = Figure(figsize=(4.2, 3), layout="constrained").subplots()
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
    corr: np.ndarray, nbins: int, ax: Axes | None = None, min_max: bool = False
) -> Axes:
    """60- and 90-degree scores of each ring mask (``corr``: (n_masks, len(ANGLES)) for one
    SAC) against the ring's outer radius; the maximum, the unit's score, is circled."""
    if ax is None:
        ax = Figure(figsize=(4.2, 3), layout="constrained").subplots()
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
# One unit at a glance, and the unit browser


def unit_panel(maps: np.ndarray, scores: GridScores, unit: int, cmap: str = "jet") -> Figure:
    """Ratemap, SAC with the best 60-degree ring, and the ring's rotation correlations."""
    fig = Figure(figsize=(8.4, 2.7), layout="constrained")
    a, b, c = fig.subplots(1, 3, width_ratios=[1, 1, 1.3])
    _image(a, maps[unit], cmap)
    a.set_title(f"unit {unit}: ratemap", fontsize=9)
    plot_sac(b, scores.sacs[unit], tuple(scores.best_ring_60[unit]), cmap)
    b.set_title(f"SAC, 60° score {scores.grid_score_60[unit]:.2f}", fontsize=9)
    corr, _ = rotation_correlations(scores.sacs[unit : unit + 1])
    plot_rotation_correlations(corr[0, scores.best_mask_60[unit]], ax=c)
    c.set_ylim(-1.05, 1.05)
    c.set_title(f"best ring ({scores.best_mask_60[unit]})", fontsize=9)
    c.xaxis.label.set_fontsize(8)
    c.yaxis.label.set_fontsize(8)
    c.set_ylabel("corr. with rotated SAC")
    return fig


def _fmt(v: float, spec: str = ".2f", scale: float = 1.0, unit: str = "") -> str:
    return "–" if not np.isfinite(v) else f"{scale * v:{spec}}{unit}"


def unit_info_html(scores: GridScores, unit: int, other: GridScores | None = None) -> str:
    """An HTML table of one unit's scores, classification and geometry (``other``: the same
    maps scored in the other mode, shown alongside)."""
    rank = int(
        np.sum(np.nan_to_num(scores.grid_score_60, nan=-np.inf) > scores.grid_score_60[unit])
    )
    ring = scores.best_ring_60[unit]
    cm = 100 * scores.bin_size_m[0]
    rows = [
        ("rank by 60° score", f"{rank + 1} of {scores.n_units}"),
        (f"60° score ({scores.mode})", _fmt(scores.grid_score_60[unit])),
        (f"90° score ({scores.mode})", _fmt(scores.grid_score_90[unit])),
    ]
    if other is not None:
        rows += [
            (f"60° score ({other.mode})", _fmt(other.grid_score_60[unit])),
            (
                f"grid-like ({other.mode}, > {other.threshold:g})",
                "yes" if other.grid_like[unit] else "no",
            ),
        ]
    rows += [
        (
            f"grid-like ({scores.mode}, > {scores.threshold:g})",
            "yes" if scores.grid_like[unit] else "no",
        ),
        ("degenerate", scores.reason[unit] or "no"),
        (
            "best ring (bins)",
            f"{ring[0]:.1f}–{ring[1]:.1f} ({ring[0] * cm:.0f}–{ring[1] * cm:.0f} cm)",
        ),
        ("grid scale", _fmt(scores.scale_m[unit], ".0f", 100, " cm")),
        ("orientation", _fmt(scores.orientation_deg[unit], ".0f", 1, "°")),
        ("ellipticity", _fmt(scores.ellipticity[unit])),
        ("spacing CV", _fmt(scores.spacing_cv[unit])),
    ]
    cells = [
        f"<td style='padding:1px 6px'>{html.escape(k)}</td>"
        f"<td style='padding:1px 14px 1px 0'><b>{html.escape(v)}</b></td>"
        for k, v in rows
    ]
    if len(cells) % 2:
        cells.append("<td></td><td></td>")
    body = "".join(f"<tr>{a}{b}</tr>" for a, b in zip(cells[::2], cells[1::2], strict=True))
    return f"<table style='font-size:12px;line-height:1.3;margin:0'>{body}</table>"


def figure_png(fig: Figure, dpi: int = 80) -> bytes:
    """A figure rendered to PNG bytes (for ipywidgets.Image and static galleries)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _units_by_score(scores: GridScores) -> np.ndarray:
    return np.argsort(-np.nan_to_num(scores.grid_score_60, nan=-np.inf), kind="stable")


def _unit_label(scores: GridScores, u: int) -> str:
    tag = (
        " (grid-like)"
        if scores.grid_like[u]
        else (f" ({scores.reason[u]})" if scores.reason[u] else "")
    )
    return f"unit {u}: {scores.grid_score_60[u]:.2f}{tag}"


def _image_layout():  # a fresh Layout each time; keeps the panel's aspect ratio
    import ipywidgets as W

    return W.Layout(width="100%", max_width="680px", height="auto", object_fit="contain")


def unit_browser(
    maps: np.ndarray,
    scores: GridScores,
    other: GridScores | None = None,
    units=None,
    dpi: int = 80,
):
    """An ipywidgets browser: pick a unit (menu, or slider over the rank by 60-degree score)
    and see its ratemap, SAC with the best ring, rotation correlations, scores and geometry.

    The panel is redrawn by a Python callback, so it follows the selection only with a live
    kernel; a static page shows the state it was saved in (see :func:`unit_gallery`). The outer
    box carries the CSS class ``gridcore-unit-browser``.
    """
    import ipywidgets as W

    order = _units_by_score(scores) if units is None else np.asarray(units)
    # No widget descriptions: the static html-manager typesets them with MathJax 2's API,
    # which fails on pages that load MathJax 3. Plain HTML labels instead.
    menu = W.Dropdown(
        options=[(_unit_label(scores, int(u)), int(u)) for u in order],
        value=int(order[0]),
        layout=W.Layout(width="300px"),
    )
    rank = W.IntSlider(value=0, min=0, max=len(order) - 1)
    W.jslink((rank, "value"), (menu, "index"))
    image = W.Image(format="png", layout=_image_layout())
    info = W.HTML()

    def show(change=None) -> None:
        u = menu.value
        image.value = figure_png(unit_panel(maps, scores, u), dpi)
        info.value = unit_info_html(scores, u, other)

    menu.observe(show, names="value")
    show()
    controls = W.HBox([W.HTML("<b>unit</b>&nbsp;"), menu, W.HTML("&nbsp;<b>rank</b>&nbsp;"), rank])
    box = W.VBox([controls, image, info])
    box.add_class("gridcore-unit-browser")
    return box


def unit_gallery(
    maps: np.ndarray,
    scores: GridScores,
    n: int = 12,
    other: GridScores | None = None,
    units=None,
    dpi: int = 72,
):
    """A pre-rendered version of :func:`unit_browser` for static pages: the panels of the top
    ``n`` units (or of ``units``) are drawn once and stacked; a row of buttons picks one. The
    buttons are linked to the stack in the browser (``jslink``), so this works with no kernel.
    The outer box carries the CSS classes ``gridcore-unit-browser`` and ``gridcore-unit-gallery``.
    """
    import ipywidgets as W

    order = (_units_by_score(scores)[:n] if units is None else np.asarray(units)).astype(int)
    pages = [
        W.VBox(
            [
                W.Image(
                    value=figure_png(unit_panel(maps, scores, u), dpi),
                    format="png",
                    layout=_image_layout(),
                ),
                W.HTML(unit_info_html(scores, u, other)),
            ]
        )
        for u in order
    ]
    stack = W.Stack(pages, selected_index=0)
    buttons = W.ToggleButtons(
        options=[f"#{u} ({scores.grid_score_60[u]:.2f})" for u in order],
        index=0,
        style={"button_width": "auto"},
    )
    W.jslink((buttons, "index"), (stack, "selected_index"))
    box = W.VBox([buttons, stack])
    box.add_class("gridcore-unit-browser")
    box.add_class("gridcore-unit-gallery")
    return box


# --------------------------------------------------------------------------------------------
# Results: null distribution, grid modules, emergence, path integration


def plot_score_null(
    scores: GridScores,
    null: ShuffleNull,
    ax: Axes | None = None,
    bins: int = 40,
    thresholds: tuple[float, ...] = (PAPER_THRESHOLD, STRICT_THRESHOLD),
) -> Axes:
    """Density histograms of the units' 60-degree scores and of the shuffled scores, with the
    fixed thresholds and the shuffle threshold."""
    if ax is None:
        ax = Figure(figsize=(5.5, 3.3), layout="constrained").subplots()
    real = scores.grid_score_60[np.isfinite(scores.grid_score_60)]
    shuf = null.scores[np.isfinite(null.scores)]
    edges = np.histogram_bin_edges(np.concatenate([real, shuf]), bins=bins)
    ax.hist(shuf, bins=edges, density=True, color="0.7", label=f"shuffled ({null.method})")
    ax.hist(real, bins=edges, density=True, histtype="step", lw=2, color="tab:blue", label="units")
    lines = [(t, f"{t:g}") for t in thresholds]
    lines.append((null.threshold, f"shuffle {null.percentile:g}th pct. {null.threshold:.2f}"))
    for (t, name), color in zip(lines, ["tab:red", "tab:purple", "tab:green"], strict=False):
        ax.axvline(t, color=color, ls="--", label=f"> {name}: {100 * scores.fraction(t):.1f}%")
    ax.set_xlabel("60° grid score")
    ax.set_ylabel("density")
    ax.legend(fontsize=7)
    return ax


PAPER_MODULES_M = (0.47, 0.70, 1.06)  # grid-scale clusters of the paper, metres


def plot_scale_clusters(
    clusters: ScaleClusters,
    ax: Axes | None = None,
    bins: int = 20,
    paper: tuple[float, ...] | None = PAPER_MODULES_M,
) -> Axes:
    """Histogram of grid scales (cm) with the fitted mixture, its centres and the paper's."""
    if ax is None:
        ax = Figure(figsize=(5.5, 3.3), layout="constrained").subplots()
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
    ax.legend(fontsize=7)
    return ax


def plot_emergence(emergence, axes=None) -> Figure:
    """Grid-unit fraction (both modes, > 0.37 and > 0.8) and the training decoding error
    against the training step (an :class:`gridcore.ratemaps.Emergence`)."""
    if axes is None:
        fig = Figure(figsize=(9, 3.3), layout="constrained")
        axes = fig.subplots(1, 2)
    a, b = axes
    styles = {"deepmind": ("-", "o", "full"), "gridcore": ("--", "s", "none")}
    colors = {
        ("deepmind", 0.37): "tab:blue",
        ("deepmind", 0.8): "tab:purple",
        ("gridcore", 0.37): "tab:orange",
        ("gridcore", 0.8): "tab:brown",
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
            label=f"> {t:g}, {mode}",
        )
    a.axhline(25.2, color="tab:red", lw=1, ls=":", label="paper: 25.2% > 0.37")
    a.set_xlabel("training step")
    a.set_ylabel("grid-like units (%)")
    a.legend(fontsize=7)
    b.plot(emergence.history_steps, emergence.position_error_cm, color="tab:gray")
    b.set_xlabel("training step")
    b.set_ylabel("position error on training batches (cm)")
    b.set_ylim(bottom=0)
    for ax in (a, b):  # 20000 -> 20k, so that long runs' ticks do not collide
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x / 1000:g}k" if x else "0"))
    return a.figure


def plot_error_vs_time(results: dict, ax: Axes | None = None, paper: dict | None = None) -> Axes:
    """Mean decoding error (± SEM) against time for several path-integration results
    ({label: PathIntegration}); ``paper`` ({label: cm}) marks the paper's values at 15 s."""
    if ax is None:
        ax = Figure(figsize=(5.5, 3.3), layout="constrained").subplots()
    for label, res in results.items():
        m, s = res.mean_error_cm, res.sem_error_cm
        (line,) = ax.plot(res.times_s, m, label=label)
        ax.fill_between(res.times_s, m - s, m + s, color=line.get_color(), alpha=0.25)
    for i, (label, cm) in enumerate((paper or {}).items()):
        ax.plot([15.0], [cm], "*", ms=11, color=f"C{i}", mec="k", label=f"paper, {label}")
    ax.set_xlabel("time since start (s)")
    ax.set_ylabel("mean position error (cm)")
    ax.legend(fontsize=8)
    return ax


def plot_ratemap_grid(
    maps,
    units=None,
    ncols: int = 8,
    titles=None,
    size: float = 1.2,
    cmap: str = "jet",
) -> Figure:
    """Ratemaps of ``units`` (default: all, in index order) in a grid, each on its own colour
    scale, titled with the unit index (or ``titles``); unvisited bins are left white. ``maps``
    is a (units, n, n) array or a list of 2-D maps (their sizes may differ)."""
    units = np.arange(len(maps)) if units is None else np.asarray(units)
    ncols = max(1, min(ncols, units.size))
    nrows = -(-units.size // ncols)
    fig = Figure(figsize=(size * ncols, (size + 0.2) * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        if k >= units.size:
            ax.set_axis_off()
            continue
        _image(ax, maps[units[k]], cmap)
        ax.set_title(str(units[k]) if titles is None else titles[k], fontsize=7)
    return fig


# --------------------------------------------------------------------------------------------
# The chapters on the ensembles, the rat, the model, training and path integration.
# Maps ``maps[..., ix, iy]`` are drawn with x to the right and y up, in metres.

BOX = 2.2  # m, side of the default box


def _new_axes(figsize=(4, 3.2)) -> Axes:
    return Figure(figsize=figsize, layout="constrained").subplots()


def draw_box(ax: Axes, width: float = BOX, height: float = BOX, margin: float = 0.05) -> Axes:
    """Outline the box (centred at the origin), equal aspect, axes in metres."""
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((-width / 2, -height / 2), width, height, fill=False, color="k", lw=1))
    ax.set_xlim(-width / 2 - margin, width / 2 + margin)
    ax.set_ylim(-height / 2 - margin, height / 2 + margin)
    ax.set_aspect("equal")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    return ax


def plot_place_centres(
    ax: Axes | None, centres, highlight=(), color="tab:gray", size: float = 10
) -> Axes:
    """Place-cell centres (N, 2) m as dots in the box; ``highlight`` indices are labelled."""
    ax = ax or _new_axes()
    c = np.asarray(centres)
    ax.scatter(c[:, 0], c[:, 1], s=size, color=color, zorder=2, label="place-cell centres")
    for i in highlight:
        ax.scatter(*c[i], s=40, facecolor="none", edgecolor="tab:red", zorder=3)
        ax.annotate(str(i), c[i], xytext=(3, 3), textcoords="offset points", fontsize=8)
    return draw_box(ax)


def plot_paths(
    ax: Axes | None,
    paths,
    n: int | None = None,
    colors=None,
    lw: float = 0.8,
    start_marker: bool = True,
    label: str | None = None,
) -> Axes:
    """Trajectories as lines in the box. ``paths``: (B, T, 2) positions in metres, or a
    ``Trajectories`` batch (its start is included). The start of each path is a dot."""
    ax = ax or _new_axes()
    if hasattr(paths, "full_path"):
        paths = paths.full_path()
    paths = np.asarray(paths)[:n]
    colors = colors or [f"C{i % 10}" for i in range(len(paths))]
    for i, (path, color) in enumerate(zip(paths, colors, strict=False)):
        ax.plot(path[:, 0], path[:, 1], color=color, lw=lw, label=label if i == 0 else None)
        if start_marker:
            ax.plot(*path[0], "o", color=color, ms=4)
    return draw_box(ax)


def plot_box_maps(
    maps,
    titles=None,
    ncols: int = 4,
    cmap: str = "viridis",
    size: float = 1.8,
    extent: tuple = (-BOX / 2, BOX / 2, -BOX / 2, BOX / 2),
    colorbar: bool = False,
    suptitle: str | None = None,
) -> Figure:
    """A grid of maps (k, nx, ny) over the box, each with its own colour scale."""
    maps = np.asarray(maps)
    k = maps.shape[0]
    ncols = max(1, min(ncols, k))
    nrows = -(-k // ncols)
    fig = Figure(figsize=(size * ncols + 0.6 * colorbar, size * nrows + 0.3), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for i, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= k:
            ax.set_axis_off()
            continue
        im = ax.imshow(np.ma.masked_invalid(maps[i]).T, origin="lower", cmap=cmap, extent=extent)
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
        if colorbar:
            fig.colorbar(im, ax=ax, shrink=0.8)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    return fig


def plot_hd_tuning(ax: Axes | None, hd_cells, kappas=(20.0,), n_angles: int = 721) -> Axes:
    """Each head-direction cell's activation against heading (degrees) for each kappa."""
    import math

    import torch

    from gridcore.ensembles import HeadDirectionCells

    ax = ax or _new_axes((6, 3))
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


def plot_code_bars(ax: Axes | None, code, n_place: int) -> Axes:
    """The initial-state code (N + M,) as bars: place cells, then head-direction cells."""
    ax = ax or _new_axes((6, 2.5))
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


def plot_decoding_vs_sigma(ax: Axes | None, result: dict, mark: float | None = 0.01) -> Axes:
    """Decoding error (cm) of the true code against sigma (cm): top-k and centroid decoders."""
    ax = ax or _new_axes((4.5, 3.2))
    s = 100 * result["sigma"]
    ax.plot(s, 100 * result["topk"], "o-", ms=3, label="top-3 mean (DeepMind)")
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


def plot_speed_histogram(ax: Axes | None, speeds, params, bins: int = 60, real=None) -> Axes:
    """Histogram of step speeds (m/s) with the Rayleigh density of ``params``; ``real`` is a
    dict of real-rat reference speeds drawn as vertical lines."""
    from gridcore.trajectories import rayleigh_pdf

    ax = ax or _new_axes()
    v = np.asarray(speeds).ravel()
    top = float(np.quantile(v, 0.999))
    ax.hist(v, bins=bins, range=(0, top), density=True, color="0.75", label="simulated")
    grid = np.linspace(0, top, 300)
    ax.plot(grid, rayleigh_pdf(grid, params.speed_scale), "k", lw=1.2,
            label=f"Rayleigh({params.speed_scale:.3g} m/s)")  # fmt: skip
    for name, value in (real or {}).items():
        ax.axvline(value, color="tab:red", ls="--", lw=0.8)
        ax.annotate(f"real rat {name}", (value, 0.95), xycoords=("data", "axes fraction"),
                    rotation=90, va="top", ha="right", fontsize=7, color="tab:red")  # fmt: skip
    ax.set_xlabel("speed (m/s)")
    ax.set_ylabel("density")
    ax.legend(fontsize=7, loc="upper right")
    return ax


def plot_turn_histogram(ax: Axes | None, turn_rates, params, bins: int = 81) -> Axes:
    """Histogram of turning rates (rad/s) with the normal density of ``params``."""
    from gridcore.trajectories import normal_pdf

    ax = ax or _new_axes()
    w = np.asarray(turn_rates).ravel()
    lim = 4 * params.turn_sigma
    ax.hist(w, bins=bins, range=(-lim, lim), density=True, color="0.75", label="simulated")
    grid = np.linspace(-lim, lim, 400)
    ax.plot(grid, normal_pdf(grid, params.turn_mean, params.turn_sigma), "k", lw=1.2,
            label=f"N(0, {params.turn_sigma:.3g} rad/s)")  # fmt: skip
    ax.set_yscale("log")
    ax.set_xlabel("turning rate (rad/s)")
    ax.set_ylabel("density")
    ax.legend(fontsize=7, loc="lower center")
    return ax


def plot_occupancy(
    ax: Axes | None, occ, title: str | None = None, cmap="magma", vmin=None, vmax=None
) -> Axes:
    """Occupancy (fraction of time per bin, [ix, iy]) relative to uniform (1 = uniform)."""
    ax = ax or _new_axes()
    occ = np.asarray(occ)
    rel = occ * occ.size
    extent = (-BOX / 2, BOX / 2, -BOX / 2, BOX / 2)
    im = ax.imshow(rel.T, origin="lower", cmap=cmap, extent=extent, vmin=vmin, vmax=vmax)
    ax.figure.colorbar(im, ax=ax, shrink=0.8, label="time / uniform")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_architecture(ax: Axes | None, cfg) -> Axes:
    """A block diagram of the network with each layer's size, from a ``TrainConfig``."""
    from matplotlib.patches import FancyBboxPatch

    ax = ax or _new_axes((9, 3.4))
    core = cfg.core.upper()
    blocks = {
        # name: (x, y, w, h, text, colour)
        "vel": (0.0, 1.6, 1.6, 0.9, "velocity\n$(v, \\sin\\dot\\varphi, \\cos\\dot\\varphi)$\n3 / step",
                "#dbe9f6"),
        "init": (0.0, 3.2, 1.6, 0.9, f"start code\n{cfg.n_place} place + {cfg.n_hd} HD\n"
                 f"= {cfg.n_place + cfg.n_hd}", "#fde2c8"),
        "core": (2.4, 1.6, 1.6, 0.9, f"{core}\n{cfg.n_hidden} units", "#d9f0d3"),
        "bott": (4.8, 1.6, 1.6, 0.9, f"bottleneck\nlinear, no bias\n{cfg.n_bottleneck} units",
                 "#f6d5e6"),
        "drop": (7.2, 1.6, 1.3, 0.9, f"dropout\np = {cfg.dropout:g}\n(training)", "#eeeeee"),
        "place": (9.3, 2.5, 1.7, 0.8, f"place logits\n{cfg.n_place}", "#fde2c8"),
        "hd": (9.3, 0.8, 1.7, 0.8, f"HD logits\n{cfg.n_hd}", "#fde2c8"),
    }  # fmt: skip
    for x, y, w, h, text, colour in blocks.values():
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05", fc=colour, ec="k",
                                    lw=0.8))  # fmt: skip
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=8)

    def arrow(a, b, text=None, start=None, end=None):
        xa, ya, wa, ha = blocks[a][:4]
        xb, yb, wb, hb = blocks[b][:4]
        p0 = start or (xa + wa, ya + ha / 2)
        p1 = end or (xb, yb + hb / 2)
        ax.annotate("", p1, p0, arrowprops=dict(arrowstyle="-|>", lw=0.9, color="k"))
        if text:
            ax.text((p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2 + 0.12, text, ha="center",
                    fontsize=7, color="0.3")  # fmt: skip

    arrow("vel", "core", "each step")
    c = blocks["core"]
    arrow("init", "core", "linear → $h_0$" + (", $c_0$" if cfg.core == "lstm" else ""),
          start=(1.6, 3.65), end=(c[0] + c[2] / 2, c[1] + c[3]))  # fmt: skip
    arrow("core", "bott")
    arrow("bott", "drop")
    d = blocks["drop"]
    arrow("drop", "place", start=(d[0] + d[2], d[1] + d[3] / 2 + 0.1))
    arrow("drop", "hd", start=(d[0] + d[2], d[1] + d[3] / 2 - 0.1))
    b = blocks["bott"]
    ax.text(b[0] + b[2] / 2, b[1] - 0.35, "grid cells are looked for here", ha="center",
            fontsize=8, color="tab:purple", style="italic")  # fmt: skip
    ax.set_xlim(-0.2, 11.2)
    ax.set_ylim(0.3, 4.4)
    ax.set_axis_off()
    return ax


def plot_grid_fraction(ax: Axes | None, history: list[dict], paper: float = 0.252) -> Axes:
    """Fraction of bottleneck units with a 60-degree score > 0.37 (and > 0.8) against step,
    from the history rows that were scored while training; the paper's 25.2 % as a line."""
    ax = ax or _new_axes((4, 3.2))
    for key, label, color in (
        ("grid_fraction_037", "score > 0.37", "tab:green"),
        ("grid_fraction_080", "score > 0.8", "tab:purple"),
    ):
        pts = [(r["step"], 100 * r[key]) for r in history if r.get(key) == r.get(key)]
        if pts:
            ax.plot(*zip(*pts, strict=True), "o-", ms=3, color=color, label=label)
    ax.axhline(100 * paper, color="0.5", ls="--", lw=0.8)
    ax.annotate("paper", (0, 100 * paper), xytext=(2, 3), textcoords="offset points", fontsize=7)
    ax.set_xlabel("training step")
    ax.set_ylabel("grid-like units (%)")
    ax.set_ylim(0, max(40, ax.get_ylim()[1]))
    ax.legend(fontsize=7, loc="upper left")
    return ax


def plot_training_curves(axes, history: list[dict], label: str | None = None, color=None):
    """Training curves against step from history rows, on three axes: the losses (total, place,
    head direction), the position decoding error (cm) and the heading error (degrees)."""
    if axes is None:
        axes = Figure(figsize=(11, 3.2), layout="constrained").subplots(1, 3)
    steps = [row["step"] for row in history]

    def col(key):
        return [row[key] for row in history]

    axes[0].plot(steps, col("loss"), color=color or "k", label=label or "total")
    if label is None:
        axes[0].plot(steps, col("place_loss"), color="tab:blue", lw=0.9, label="place")
        axes[0].plot(steps, col("hd_loss"), color="tab:orange", lw=0.9, label="head direction")
    axes[1].plot(steps, col("position_error_cm"), color=color or "tab:blue", label=label)
    axes[2].plot(steps, col("heading_error_deg"), color=color or "tab:orange", label=label)
    axes[0].set_ylabel("loss (nats)")
    axes[1].set_ylabel("position error (cm)")
    axes[2].set_ylabel("heading error (degrees)")
    axes[0].legend(fontsize=7, loc="upper right")
    for ax in axes:
        ax.set_xlabel("training step")
        if label and ax is not axes[0]:
            ax.legend(fontsize=7)
    return axes


def plot_gradient_histogram(ax: Axes | None, grads: dict, clip: float = 1e-5) -> Axes:
    """Histograms of |gradient| per layer (log axis) with the clip value as a vertical line."""
    ax = ax or _new_axes((6, 3.4))
    values = [g[g > 0] for g in grads.values()]
    low = min(float(v.min()) for v in values if v.size)
    high = max(float(v.max()) for v in values if v.size)
    bins = np.geomspace(max(low, 1e-14), high * 1.01, 60)
    for (name, g), v in zip(grads.items(), values, strict=True):
        frac = float((g > clip).mean())
        ax.hist(v, bins=bins, histtype="step", lw=1.2,
                label=f"{name}: {100 * frac:.0f}% clipped")  # fmt: skip
    ax.axvline(clip, color="k", ls="--", lw=1)
    ax.annotate(f"clip {clip:g}", (clip, 0.97), xycoords=("data", "axes fraction"),
                xytext=(3, 0), textcoords="offset points", va="top", fontsize=8)  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("|gradient| before clipping")
    ax.set_ylabel("weights × batches")
    ax.legend(fontsize=7, loc="upper left")
    return ax


def plot_update_sizes(ax: Axes | None, sizes: dict, lr: float, styles: dict | None = None) -> Axes:
    """Update size (in units of lr) against step for each labelled (steps,) series;
    ``styles`` maps labels to keyword arguments of ``ax.plot`` (colour, line style)."""
    ax = ax or _new_axes((5, 3.2))
    for k, (label, s) in enumerate(sizes.items()):
        s = np.asarray(s)
        style = {"color": f"C{k}", "lw": 1.2, **(styles or {}).get(label, {})}
        ax.plot(np.arange(1, s.size + 1), s / lr, label=label, **style)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("|update| / learning rate")
    ax.legend(fontsize=7)
    return ax


def plot_decoded_path(ax: Axes | None, result, i: int, every: int = 1) -> Axes:
    """One path-integration trajectory: the true path and the decoded positions."""
    ax = ax or _new_axes()
    true = result.true_path(i)
    dec = result.decoded_pos[i][::every]
    ax.plot(true[:, 0], true[:, 1], color="k", lw=1, label="true path")
    ax.plot(*true[0], "o", color="k", ms=5)
    ax.scatter(dec[:, 0], dec[:, 1], s=4, c=np.linspace(0, 1, len(dec)), cmap="viridis",
               zorder=3, label="decoded (colour: time)")  # fmt: skip
    draw_box(ax)
    ax.set_title(f"trajectory {i}: error at end {result.errors_cm[i, -1]:.0f} cm", fontsize=9)
    return ax


def markdown_table(rows: list[dict], columns: list[str] | None = None) -> str:
    """A Markdown table of ``rows`` (dicts); display with ``IPython.display.Markdown``."""
    columns = columns or list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)


class LiveTrainingPlot:
    """An ``on_log`` callback for ``train.train`` that redraws loss and decoding-error curves
    in a notebook while training runs (one output, updated in place).

    ``redraw_every`` logged rows between redraws; the final state is drawn by ``close()``.
    ``floor_cm`` draws the decoding floor of the place code as a dashed line.
    """

    def __init__(
        self,
        total_steps: int,
        redraw_every: int = 1,
        floor_cm: float | None = None,
        show_grid: bool = False,
    ):
        from IPython.display import display

        self.rows: list[dict] = []
        self.total_steps, self.redraw_every, self.floor_cm = total_steps, redraw_every, floor_cm
        self.show_grid = show_grid
        self.fig = Figure(figsize=(14 if show_grid else 11, 3.2), layout="constrained")
        self.axes = self.fig.subplots(1, 4 if show_grid else 3)
        self.handle = display(self._png(), display_id=True)

    def _png(self):
        from io import BytesIO

        from IPython.display import Image

        buf = BytesIO()
        self.fig.savefig(buf, format="png", dpi=90)
        return Image(buf.getvalue())

    def _draw(self) -> None:
        for ax in self.axes:
            ax.clear()
        plot_training_curves(self.axes[:3], self.rows)
        if self.show_grid:
            plot_grid_fraction(self.axes[3], self.rows)
        if self.floor_cm is not None:
            self.axes[1].axhline(self.floor_cm, color="0.5", ls="--", lw=0.8)
            self.axes[1].annotate("decoding floor", (0, self.floor_cm), xytext=(2, 3),
                                  textcoords="offset points", fontsize=7)  # fmt: skip
        for ax in self.axes:
            ax.set_xlim(0, self.total_steps)
        self.axes[1].set_ylim(bottom=0)
        self.axes[2].set_ylim(bottom=0)
        last = self.rows[-1]
        self.fig.suptitle(
            f"step {int(last['step'])}: loss {last['loss']:.3f}, "
            f"position error {last['position_error_cm']:.1f} cm, "
            f"heading error {last['heading_error_deg']:.0f}°, {last['elapsed_s']:.0f} s",
            fontsize=10,
        )
        if self.handle is not None:
            self.handle.update(self._png())

    def __call__(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) % self.redraw_every == 0:
            self._draw()

    def close(self) -> None:
        if self.rows:
            self._draw()
