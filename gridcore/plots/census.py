"""A cell-type census: each type's scores against their time-shifted null.

Draws a ``gridcore.scoring.celltypes.Census`` through its attributes: one panel per type, the units'
scores over the scores of their time-shifted copies, with the threshold the units must beat.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gridcore.scoring.celltypes import TYPES, Census, comparable

SCORE_LABELS = {
    "speed": "|speed score| (r)",
    "head direction": "mean vector length",
    "border": "border score",
    "grid": "60° grid score",
}


def plot_census(census: Census, axes: Sequence[Axes] | None = None) -> Figure:
    """One panel per type of :data:`gridcore.scoring.celltypes.TYPES`: the units' scores (outline)
    over the time-shifted scores (grey), both as densities, with the threshold (dashed); each title
    counts the units above it. ``axes``: one Axes per type. Returns the Figure."""
    if axes is None:
        axes = Figure(figsize=(11, 2.8), layout="constrained").subplots(1, len(TYPES))
    axes = np.ravel(axes)
    for k, (ax, kind) in enumerate(zip(axes, TYPES, strict=True)):
        real = comparable(kind, census.scores[kind])
        null = comparable(kind, census.null[kind]).ravel()
        both = np.concatenate([real, null])
        bins = np.histogram_bin_edges(both[np.isfinite(both)], 30)
        ax.hist(null[np.isfinite(null)], bins, density=True, color="0.75", label="time-shifted")
        ax.hist(real[np.isfinite(real)], bins, density=True, histtype="step", lw=1.6, label="units")
        ax.axvline(census.thresholds[kind], color="C3", ls="--", lw=1.2, label="threshold")
        ax.set_xlabel(SCORE_LABELS[kind])
        ax.set_yticks([])
        ax.set_title(f"{kind}: {census.counts()[kind]}/{census.n_units}", fontsize=10)
        if k == 0:
            ax.legend(frameon=False, fontsize="small")
    return axes[0].figure
