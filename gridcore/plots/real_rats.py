"""Plots of real rats: the motion model fitted to a recording, and a network's ratemaps along a
real rat's paths next to its ratemaps from the simulated rat."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from gridcore.plots._common import MAP_CMAP, NORMALISED_LABEL, image, normalised, shared_colorbar
from gridcore.world.real_rats import MotionFit, StepStatistics
from gridcore.world.trajectories import normal_pdf, rayleigh_pdf


def plot_motion_fit(
    stats: StepStatistics,
    fit: MotionFit,
    simulated: StepStatistics | None = None,
    bins: int = 80,
    axes=None,
) -> Figure:
    """Two panels: the real rat's step speeds (m/s) with the fitted Rayleigh density, and its
    turning rates (rad/s, log density) with the fitted normal density. ``simulated`` (steps of
    the simulator with the fitted parameters) is drawn as an outline over the same bins."""
    if axes is None:
        axes = Figure(figsize=(9, 3.3), layout="constrained").subplots(1, 2)
    a, b = axes
    v, w = np.asarray(stats.speed), np.asarray(stats.turn_rate)
    top = float(np.quantile(v, 0.999))
    lim = 5 * fit.turn_sigma
    label = f"real rat ({stats.name})"
    a.hist(v, bins=bins, range=(0, top), density=True, color="0.75", label=label)
    b.hist(w, bins=bins, range=(-lim, lim), density=True, color="0.75", label=label)
    if simulated is not None:
        kw = {"density": True, "histtype": "step", "color": "tab:blue", "label": "simulated, fit"}
        a.hist(np.asarray(simulated.speed), bins=bins, range=(0, top), **kw)
        b.hist(np.asarray(simulated.turn_rate), bins=bins, range=(-lim, lim), **kw)
    grid = np.linspace(0, top, 300)
    a.plot(grid, rayleigh_pdf(grid, fit.speed_scale), "k", lw=1.2,
           label=f"Rayleigh({fit.speed_scale:.3g} m/s)")  # fmt: skip
    grid = np.linspace(-lim, lim, 400)
    b.plot(grid, normal_pdf(grid, fit.turn_mean, fit.turn_sigma), "k", lw=1.2,
           label=f"N({fit.turn_mean:.2f}, {fit.turn_sigma:.3g} rad/s)")  # fmt: skip
    b.set_yscale("log")
    a.set(xlabel="speed (m/s)", ylabel="density")
    b.set(xlabel="turning rate (rad/s)", ylabel="density")
    a.legend(fontsize=8, loc="upper right")
    b.legend(fontsize=8, loc="lower center")
    return a.figure


def plot_real_vs_simulated(
    real: np.ndarray,
    simulated: np.ndarray,
    units,
    r=None,
    size: float = 1.3,
    cmap: str = MAP_CMAP,
    fig: Figure | None = None,
    colorbar: str | None = NORMALISED_LABEL,
) -> Figure:
    """Ratemaps of ``units``: from the real rat's paths (top row) and from simulated paths
    (bottom row), each map normalised to its own range (0 to 1). ``real`` and ``simulated`` are
    (units, nx, ny) over the same bins; ``r`` (units,) titles each column with the maps'
    correlation; ``colorbar`` labels the shared colour bar (None: none). Panels shrink below
    ``size`` (in) where needed to keep the figure about 10 in wide."""
    units = np.asarray(units)
    extra = 0.8 if colorbar is not None else 0.0
    size = min(size, (10.0 - extra) / max(units.size, 1))  # at most about 10 in wide
    fig = fig or Figure(figsize=(size * units.size + extra, 2 * size + 0.5), layout="constrained")
    axes = fig.subplots(2, units.size, squeeze=False)
    im = None
    for k, u in enumerate(units):
        im = image(axes[0, k], normalised(real[u]), cmap, vmin=0, vmax=1)
        image(axes[1, k], normalised(simulated[u]), cmap, vmin=0, vmax=1)
        title = f"unit {u}" if r is None else f"unit {u}\nr = {r[u]:.2f}"
        axes[0, k].set_title(title, fontsize=8)
    axes[0, 0].set_ylabel("real rat", fontsize=8)
    axes[1, 0].set_ylabel("simulated", fontsize=8)
    if colorbar is not None and im is not None:
        shared_colorbar(fig, im, axes, colorbar, normalised_scale=True)
    return fig
