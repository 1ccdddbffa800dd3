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

    def __init__(self, total_steps: int, redraw_every: int = 1, floor_cm: float | None = None):
        from IPython.display import display

        self.rows: list[dict] = []
        self.total_steps, self.redraw_every, self.floor_cm = total_steps, redraw_every, floor_cm
        self.fig = Figure(figsize=(11, 3.2), layout="constrained")
        self.axes = self.fig.subplots(1, 3)
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
        plot_training_curves(self.axes, self.rows)
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
