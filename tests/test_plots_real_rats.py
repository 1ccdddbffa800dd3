"""Smoke tests of the real-rat plots (Agg backend, nothing shown), on synthetic data."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from gridcore import plots as P  # noqa: E402
from gridcore.world.real_rats import StepStatistics, fit_motion  # noqa: E402


def _stats(name: str, seed: int) -> StepStatistics:
    rng = np.random.default_rng(seed)
    return StepStatistics(name, 0.02, rng.rayleigh(0.1, 5000), rng.normal(0, 6, 5000))


def test_plot_motion_fit_draws_data_fit_and_simulation():
    real = _stats("real", 0)
    fit = fit_motion(real)
    fig = P.plot_motion_fit(real, fit, simulated=_stats("sim", 1))
    a, b = fig.axes
    assert len(a.lines) == len(b.lines) == 1  # the fitted densities
    assert len(a.patches) > 80  # histogram bars and the simulated outline
    assert b.get_yscale() == "log"
    assert any("Rayleigh(0.1" in t.get_text() for t in a.get_legend().get_texts())
    axes = Figure().subplots(1, 2)
    assert P.plot_motion_fit(real, fit, axes=axes) is axes[0].figure


def test_plot_real_vs_simulated_two_rows():
    maps = np.random.default_rng(0).normal(size=(5, 6, 6))
    maps[0, :2] = np.nan
    fig = P.plot_real_vs_simulated(maps, maps[::-1], units=[0, 3], r=np.arange(5) / 10)
    assert len(fig.axes) == 4 + 1  # and the shared colour bar
    assert fig.axes[0].get_title() == "unit 0\nr = 0.00"
    assert fig.axes[1].get_title() == "unit 3\nr = 0.30"
