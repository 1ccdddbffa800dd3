"""Grid period against the place cells' width, with the period centre-surround targets predict."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from gridcore.paper import MODULE_SCALES_M
from gridcore.plots._common import new_axes
from gridcore.scoring.grid_period import DEFAULT_SURROUND_SCALE, predicted_period
from gridcore.scoring.scale_modules import ScaleClusters
from gridcore.sweeps.names import plain_name


def plot_period_vs_sigma(
    df,
    sigmas_m=None,
    surround_scale: float = DEFAULT_SURROUND_SCALE,
    label_by: str = "experiment",
    ax: Axes | None = None,
) -> Axes:
    """Each network's median grid scale (m) against its place cells' width sigma (cm), from a
    table like :func:`gridcore.sweeps.periods.period_table`'s: centre-surround networks as
    coloured points (one colour per ``label_by``; networks with one place ensemble only), the
    softmax of Gaussians (which predicts no period) as grey rings, the median of each width as a
    black bar; the predicted period 4 pi / (sqrt(3) k*) as a line over ``sigmas_m`` (default
    4-16 cm), and the paper's module scales as dotted lines; the legend right of the axes."""
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
    if "place_ensembles" in df.columns:  # several ensembles have no one width
        df = df[df["place_ensembles"] == 1]
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
    # Outside the axes, so that it hides no point and no part of the line.
    ax.legend(frameon=False, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def plot_module_scales(table, slice_labels=None, ax: Axes | None = None) -> Axes:
    """Every grid-like unit's scale (m) in each network of a table like
    :func:`gridcore.sweeps.grid_modules.module_table`'s: one column per seed, conditions side by
    side, each unit a dot coloured by its read-out slice where the read-out is sliced
    (``slice_labels`` names them, e.g. the place cells' widths; grey for a shared read-out),
    each module found a black bar (a ring over the column when the
    network counts as having modules), and the paper's module scales as dotted lines."""
    ax = ax or new_axes((max(4.5, 0.45 * len(table) + 1.5), 3.6))
    rng = np.random.default_rng(0)
    for scale in MODULE_SCALES_M:
        ax.axhline(scale, color="0.6", ls=":", lw=1, zorder=0)
    labelled: set[int] = set()
    slice_names = list(slice_labels or [])
    groups: dict[str, list[int]] = {}
    for x, (_, row) in enumerate(table.reset_index(drop=True).iterrows()):
        scales = np.asarray(row["unit_scales_m"], float)
        slices = np.asarray(row["unit_slices"], int)
        sliced = row["place_readout"] == "sliced"
        for s in np.unique(slices):
            pick, key = slices == s, int(s) if sliced else -1
            label = None
            if key not in labelled and (key < 0 or key < len(slice_names)):
                label = slice_names[key] if key >= 0 else "shared read-out"
                labelled.add(key)
            colour = f"C{key}" if sliced else "0.55"
            jitter = rng.uniform(-0.18, 0.18, pick.sum())
            ax.scatter(x + jitter, scales[pick], s=7, color=colour, alpha=0.6, label=label)
        for centre in row["module_scales_m"]:
            ax.plot([x - 0.3, x + 0.3], [centre, centre], color="black", lw=2)
        if row["has_modules"]:
            ring = "has modules" if -2 not in labelled else None
            ax.plot(x, 0.05, marker="o", ms=4, mfc="none", mec="black", ls="none", label=ring)
            labelled.add(-2)
        groups.setdefault(row["condition"], []).append(x)
    ax.set_xticks(range(len(table)), [str(seed) for seed in table["seed"]], fontsize=8)
    for k, (condition, xs) in enumerate(groups.items()):
        ax.text(np.mean(xs), 1.01, plain_name(condition), transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=8)  # fmt: skip
        if k:
            ax.axvline(xs[0] - 0.5, color="0.8", lw=0.8)
    ax.set_xlabel("seed")
    ax.set_ylabel("grid scale (m)")
    ax.set_ylim(0, None)
    if labelled:
        ax.legend(frameon=False, fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0),
                  markerscale=2)  # fmt: skip
    return ax


_CLUSTER_MARKERS = ("o", "s", "^", "D", "v", "P")


def plot_slice_scales(
    units: np.ndarray,
    scales_m: np.ndarray,
    slices: np.ndarray,
    clusters: ScaleClusters,
    slice_labels: list[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One network's grid-like units: each unit's scale (m) against its index in the bottleneck,
    coloured by the read-out slice it lies in (``slices``, slice k in colour ``Ck``; named by
    ``slice_labels``), its marker set by its scale cluster (``clusters``, a
    :class:`gridcore.scoring.scale_modules.ScaleClusters` fitted to ``scales_m``, which must all
    be finite), each cluster's centre a dashed line, and the paper's module scales dotted."""
    units = np.asarray(units, dtype=int)
    scales = np.asarray(scales_m, dtype=float)
    slices = np.asarray(slices, dtype=int)
    labels = np.asarray(clusters.labels, dtype=int)
    if not (units.size == scales.size == slices.size == labels.size):
        raise ValueError("units, scales, slices and the cluster labels must have one entry a unit")
    ax = ax or new_axes((6.4, 3.6))
    for scale in MODULE_SCALES_M:
        ax.axhline(scale, color="0.6", ls=":", lw=1, zorder=0)
    names = list(slice_labels or [])
    for s in np.unique(slices):
        for k in np.unique(labels):
            pick = (slices == s) & (labels == k)
            if not pick.any():
                continue
            name = names[s] if s < len(names) else f"slice {s}"
            ax.scatter(units[pick], scales[pick], s=22, color=f"C{s}", alpha=0.8,
                       marker=_CLUSTER_MARKERS[k % len(_CLUSTER_MARKERS)],
                       label=f"{name}, cluster {k + 1}")  # fmt: skip
    for k, centre in enumerate(clusters.means_m):
        ax.axhline(centre, color="black", ls="--", lw=1,
                   label=f"cluster {k + 1} centre: {centre:.2f} m")  # fmt: skip
    ax.set_xlabel("unit (index in the bottleneck)")
    ax.set_ylabel("grid scale (m)")
    ax.set_ylim(0, None)
    ax.legend(frameon=False, fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax
