"""Smoke tests of the scorer plots (Agg backend, nothing shown)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from gridcore import plots as P  # noqa: E402
from gridcore import scores as S  # noqa: E402
from gridcore import shuffles


def _maps() -> np.ndarray:
    rng = np.random.default_rng(0)
    c = (np.arange(16) + 0.5) / 16 * 2.2 - 1.1
    x, y = np.meshgrid(c, c, indexing="ij")
    k = 2 * np.pi / 0.5
    hexes = [
        sum(np.cos(k * (np.cos(a + t) * x + np.sin(a + t) * y)) for t in (0, 1.047, 2.094))
        for a in rng.uniform(0, 1, 5)
    ]
    maps = np.stack(hexes + [rng.normal(size=(16, 16)), x, np.zeros((16, 16))])
    maps[0, :3, :3] = np.nan
    return maps


def test_scorer_plots_draw(tmp_path):
    maps = _maps()
    res = S.score_ratemaps(maps)
    fig = P.plot_ratemaps_and_sacs(maps, res, n=6, ncols=3)
    assert isinstance(fig, Figure) and len(fig.axes) == 12
    assert fig.axes[0].get_title().startswith(f"#{int(np.argmax(res.grid_score_60))} ")
    fig.savefig(tmp_path / "grid.png")
    ax = P.plot_score_histogram(res, shuffle=shuffles.shuffle_threshold(maps, n_shuffles=1))
    assert len(ax.get_legend().get_texts()) == 5
    ax.figure.savefig(tmp_path / "hist.png")
    ax = P.plot_geometry(res)
    assert ax.get_title() == f"{int((res.grid_like & np.isfinite(res.scale_m)).sum())} units"
    ax.figure.savefig(tmp_path / "geometry.png")
    P.plot_ratemaps_and_sacs(maps, res, units=[6, 7], sort=False)  # degenerate units only
