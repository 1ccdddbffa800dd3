"""Plots of the network and its training: the architecture, training curves from history rows,
the grid-unit fraction while training, gradient magnitudes and optimiser update sizes."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from gridcore.paper import GRAD_CLIP, GRID_FRACTION, GRID_THRESHOLD, STRICT_GRID_THRESHOLD
from gridcore.plots._common import new_axes, power_of_ten


def plot_architecture(cfg, ax: Axes | None = None) -> Axes:
    """A block diagram of the network with each layer's size, from a ``TrainConfig``."""
    ax = ax or new_axes((9, 3.4))
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
                    fontsize=8, color="0.3")  # fmt: skip

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


def plot_training_curves(
    history: list[dict], label: str | None = None, color=None, axes=None
) -> Figure:
    """Training curves against step from history rows, on three axes: the losses (total, place,
    head direction; nats), the position decoding error (cm) and the heading error (degrees).
    ``axes``: three axes to draw into (e.g. to overlay several runs, each with a ``label``)."""
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
    axes[0].legend(fontsize=8, loc="upper right")
    for ax in axes:
        ax.set_xlabel("training step")
        if label and ax is not axes[0]:
            ax.legend(fontsize=8)
    return axes[0].figure


def plot_grid_fraction(
    history: list[dict], paper: float | None = GRID_FRACTION, ax: Axes | None = None
) -> Axes:
    """Fraction of bottleneck units (%) with a 60-degree score above the paper's and the strict
    threshold against step, from the history rows that were scored while training; the paper's
    fraction (``paper``, a fraction; None: not drawn) as a line."""
    ax = ax or new_axes((4, 3.2))
    for key, t, color in (
        ("grid_fraction_037", GRID_THRESHOLD, "tab:green"),
        ("grid_fraction_080", STRICT_GRID_THRESHOLD, "tab:purple"),
    ):
        pts = [(r["step"], 100 * r[key]) for r in history if r.get(key) == r.get(key)]
        if pts:
            ax.plot(*zip(*pts, strict=True), "o-", ms=3, color=color, label=f"score > {t:g}")
    if paper is not None:
        ax.axhline(100 * paper, color="0.5", ls="--", lw=0.8)
        ax.annotate("paper", (0, 100 * paper), xytext=(2, 3), textcoords="offset points",
                    fontsize=8)  # fmt: skip
    ax.set_xlabel("training step")
    ax.set_ylabel("grid-like units (%)")
    ax.set_ylim(0, max(40, ax.get_ylim()[1]))
    if ax.get_legend_handles_labels()[0]:  # nothing scored yet: no legend
        ax.legend(fontsize=8, loc="upper left")
    return ax


#: The network's layers (``Model``'s child modules) in words, for legends.
LAYER_NAMES: dict[str, str] = {
    "init_h": "initial hidden state",
    "init_c": "initial cell state",
    "core": "recurrent core",
    "bottleneck": "bottleneck",
    "place_head": "place read-out",
    "hd_head": "head-direction read-out",
}


def plot_gradient_histogram(grads: dict, clip: float = GRAD_CLIP, ax: Axes | None = None) -> Axes:
    """Histograms of |gradient| per layer ({name: array}, log axis) with the clip value as a
    vertical line; the legend names each layer in words (:data:`LAYER_NAMES`) and gives the share
    of its gradients above the clip."""
    ax = ax or new_axes((6, 3.4))
    values = [g[g > 0] for g in grads.values()]
    low = min(float(v.min()) for v in values if v.size)
    high = max(float(v.max()) for v in values if v.size)
    bins = np.geomspace(max(low, 1e-14), high * 1.01, 60)
    for (name, g), v in zip(grads.items(), values, strict=True):
        frac = float((g > clip).mean())
        ax.hist(v, bins=bins, histtype="step", lw=1.2,
                label=f"{LAYER_NAMES.get(name, name)}: {100 * frac:.0f}% clipped")  # fmt: skip
    ax.axvline(clip, color="k", ls="--", lw=1)
    ax.annotate(f"clip {power_of_ten(clip)}", (clip, 0.97), xycoords=("data", "axes fraction"),
                xytext=(3, 0), textcoords="offset points", va="top", fontsize=8)  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("|gradient| before clipping")
    ax.set_ylabel("weights × batches")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def plot_update_sizes(
    sizes: dict, lr: float, styles: dict | None = None, ax: Axes | None = None
) -> Axes:
    """Update size (in units of lr) against step for each labelled (steps,) series;
    ``styles`` maps labels to keyword arguments of ``ax.plot`` (colour, line style)."""
    ax = ax or new_axes((5, 3.2))
    for k, (label, s) in enumerate(sizes.items()):
        s = np.asarray(s)
        style = {"color": f"C{k}", "lw": 1.2, **(styles or {}).get(label, {})}
        ax.plot(np.arange(1, s.size + 1), s / lr, label=label, **style)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("|update| / learning rate")
    ax.legend(fontsize=8)
    return ax
