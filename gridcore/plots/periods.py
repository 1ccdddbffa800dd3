"""Grid period against the place cells' width, with the period centre-surround targets predict."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from gridcore.grid_period import DEFAULT_SURROUND_SCALE, predicted_period
from gridcore.paper import MODULE_SCALES_M
from gridcore.plots._common import new_axes


def plot_period_vs_sigma(
    df,
    sigmas_m=None,
    surround_scale: float = DEFAULT_SURROUND_SCALE,
    label_by: str = "experiment",
    ax: Axes | None = None,
) -> Axes:
    """Each network's median grid scale (m) against its place cells' width sigma (cm), from a
    table like :func:`gridcore.sweeps.periods.period_table`'s: centre-surround networks as
    coloured points (one colour per ``label_by``), the softmax of Gaussians (which predicts no
    period) as grey rings, the median of each width as a black bar; the predicted period
    4 pi / (sqrt(3) k*) as a line over ``sigmas_m`` (default 4-16 cm), and the paper's module
    scales as dotted lines."""
    ax = ax or new_axes((5.6, 3.8))
    sig = np.asarray(sigmas_m if sigmas_m is not None else np.linspace(0.04, 0.16, 50), float)
    line = predicted_period(sig, surround_scale)
    ax.plot(
        100 * sig, line, color="black", lw=1.5, label=f"predicted, surround {surround_scale:g}σ"
    )
    for scale in MODULE_SCALES_M:
        ax.axhline(scale, color="0.6", ls=":", lw=1)
    ax.text(
        0.01,
        MODULE_SCALES_M[0],
        "paper's modules",
        color="0.4",
        fontsize=8,
        transform=ax.get_yaxis_transform(),
        ha="left",
        va="bottom",
    )
    rng = np.random.default_rng(0)
    gauss = df[df["place_kind"] != "dog"]
    if len(gauss):
        x = 100 * gauss["place_sigma_m"].to_numpy() + rng.uniform(-0.25, 0.25, len(gauss))
        ax.scatter(
            x,
            gauss["median_scale_m"],
            s=22,
            facecolors="none",
            edgecolors="0.55",
            label="softmax of Gaussians (no prediction)",
        )
    dog = df[df["place_kind"] == "dog"]
    for k, (name, group) in enumerate(dog.groupby(label_by, sort=False)):
        x = 100 * group["place_sigma_m"].to_numpy() + rng.uniform(-0.25, 0.25, len(group))
        ax.scatter(
            x,
            group["median_scale_m"],
            s=24,
            color=f"C{k % 10}",
            alpha=0.85,
            label=f"centre-surround: {name}",
        )
    for sigma, group in df.groupby("place_sigma_m"):
        ax.plot(
            100 * sigma + np.array([-0.6, 0.6]),
            [group["median_scale_m"].median()] * 2,
            color="black",
            lw=2.5,
            solid_capstyle="butt",
        )
    ax.set_xlabel("place-cell width σ (cm)")
    ax.set_ylabel("grid period (m)")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize="small", loc="lower right")
    return ax
