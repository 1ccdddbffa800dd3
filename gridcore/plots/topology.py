"""Barcodes of a population's persistent homology, against its time-shift null.

Draws a ``gridcore.scoring.topology.Topology`` through its attributes: one panel per homology
dimension, the longest bars as horizontal lines from birth to death, and behind each bar a grey
band as long as the longest bar of that dimension in any shuffle, so that a bar which reaches
past its band outlives the null and counts towards the Betti number.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

NULL_COLOUR = "0.85"  # the reach of the longest shuffled bar
BAR_COLOUR = "tab:blue"  # a bar that outlives every shuffled bar
SHORT_COLOUR = "0.55"  # one that does not


def _longest(diagram: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` longest bars of a (bars, 2) diagram, longest first (infinite ones first)."""
    d = np.asarray(diagram, dtype=float).reshape(-1, 2)
    return d[np.argsort(-(d[:, 1] - d[:, 0]), kind="stable")][:n]


def plot_barcodes(topology, n_bars: int = 15, axes=None) -> Figure:
    """Barcodes of ``topology`` (a ``gridcore.scoring.topology.Topology``): H0, H1, H2 side by side,
    the ``n_bars`` longest bars of each (birth to death, in units of the reduced cloud), each
    over a grey band of the null's longest lifetime for that dimension; H0's infinite bar
    ends in an arrow. Titles give each Betti number, the figure's title the verdict.
    ``axes``: one Axes per dimension."""
    dims = len(topology.diagrams)
    if axes is None:
        axes = Figure(figsize=(3.2 * dims, 2.8), layout="constrained").subplots(1, dims)
    axes = np.atleast_1d(axes)
    finite = [d[np.isfinite(d)] for d in topology.diagrams]
    right = 1.1 * max((float(f.max()) for f in finite if f.size), default=1.0)
    for k, (ax, dgm) in enumerate(zip(axes, topology.diagrams, strict=True)):
        bars = _longest(dgm, n_bars)
        null = float(topology.null_lifetime[k])
        for row, (birth, death) in enumerate(bars):
            y = len(bars) - row
            ax.barh(y, null, left=birth, height=0.8, color=NULL_COLOUR, lw=0)
            end = right if np.isinf(death) else death
            beats = np.isinf(death) or death - birth > null
            colour = BAR_COLOUR if beats else SHORT_COLOUR
            ax.plot([birth, end], [y, y], lw=2.5, solid_capstyle="butt", color=colour)
            if np.isinf(death):
                ax.plot(end, y, ">", color=BAR_COLOUR, ms=6, clip_on=False)
        ax.set_xlim(0, right)
        ax.set_ylim(0.3, max(len(bars), 1) + 0.7)
        ax.set_yticks([])
        ax.set_xlabel("filtration scale (cloud RMS radius = 1)", fontsize=8)
        ax.set_title(f"H{k}: b{k} = {topology.betti[k]}", fontsize=10)
    handles = [
        Line2D([], [], color=BAR_COLOUR, lw=2.5, label="outlives the null"),
        Line2D([], [], color=SHORT_COLOUR, lw=2.5, label="does not"),
        Patch(color=NULL_COLOUR, label="longest shuffled lifetime"),
    ]
    fig = axes[0].figure
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False, fontsize=8)
    label = f"{topology.label}: " if topology.label else ""
    fig.suptitle(f"{label}{topology.verdict}", fontsize=11)
    return fig
