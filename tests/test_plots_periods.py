"""plot_period_vs_sigma: its legend sits right of the axes, over no point and no line."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from gridcore import plots as P  # noqa: E402


def test_the_legend_lies_outside_the_axes():
    periods = pd.DataFrame(
        {
            "experiment": ["narrow targets", "narrow targets", "paper's rat"],
            "place_kind": ["dog", "dog", "gaussian"],
            "place_sigma_m": [0.08, 0.12, 0.01],
            "median_scale_m": [0.6, 0.68, 1.4],
        }
    )
    fig = Figure(figsize=(9.5, 4.2), layout="constrained")
    ax = P.plot_period_vs_sigma(periods, ax=fig.subplots())
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.x0 >= ax.get_window_extent(renderer).x1
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "centre-surround: narrow targets" in texts
