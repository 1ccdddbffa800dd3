"""gridcore.plots.agents: every seed drawn, the median on top."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from gridcore import plots


def _curves():
    steps = np.linspace(100, 1000, 10)
    return pd.DataFrame(
        [
            {"variant": v, "seed": s, "env_steps": x, "success_rate": min(1.0, x / 1000 + 0.1 * s)}
            for v in ("grid", "place")
            for s in range(3)
            for x in steps
        ]
    )


def test_learning_curves_draw_each_seed_and_a_median_per_variant():
    ax = plots.plot_learning_curves(_curves())
    # 2 variants x (3 seeds + 1 median) + the 50 % line
    assert len(ax.lines) == 2 * 4 + 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["grid", "place"]
    median = ax.lines[3].get_ydata()
    assert median[0] == np.median([0.1, 0.2, 0.3])


def test_learning_curves_leave_the_legend_to_the_caller_when_asked():
    ax = plots.plot_learning_curves(_curves(), legend=False)
    assert ax.get_legend() is None
    # the medians still carry the labels, for one legend over a row of panels
    assert ax.get_legend_handles_labels()[1] == ["grid", "place"]


def test_seed_success_puts_a_bar_at_the_median_and_a_dot_per_seed():
    success = pd.DataFrame(
        {
            "variant": ["grid"] * 3 + ["random walk"] * 3,
            "seed": [0, 1, 2] * 2,
            "value": [0.2, 0.5, 0.6, 0.1, 0.1, 0.1],
        }
    )
    ax = plots.plot_seed_success(success, title="training goals")
    heights = [p.get_height() for p in ax.patches]
    assert heights == [0.5, 0.1]
    assert [len(line.get_ydata()) for line in ax.lines] == [3, 3]
    assert ax.get_title() == "training goals"


def test_agent_lesions_compare_grid_and_random_silencing():
    lesions = pd.DataFrame(
        [
            {"variant": "grid", "seed": s, "lesion": kind, "k": k, "success_rate": 0.5 - k / 100}
            for s in range(3)
            for kind in ("grid", "random")
            for k in (0, 10, 40)
        ]
    )
    ax = plots.plot_agent_lesions(lesions)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["top-k grid units", "k random units"]
    assert list(ax.lines[1].get_xdata()) == [0, 10, 40]


def _lesions():
    return pd.DataFrame(
        [
            {"variant": "grid", "seed": s, "lesion": kind, "k": k, "success_rate": 0.5 - k / 100}
            for s in range(3)
            for kind in ("grid", "random")
            for k in (0, 10, 20)
        ]
    )


def test_networks_go_two_to_a_row_with_one_legend_in_the_spare_panel():
    fig = plots.plot_learning_curves_by_network({"a": _curves(), "b": _curves(), "c": _curves()})
    panels = [ax for ax in fig.axes if ax.axison]
    assert [ax.get_title() for ax in panels] == ["a", "b", "c"]
    assert all(ax.get_legend() is None for ax in panels)
    (spare,) = [ax for ax in fig.axes if not ax.axison]
    assert [t.get_text() for t in spare.get_legend().get_texts()] == ["grid", "place"]
    assert tuple(fig.get_size_inches()) == (10.0, 6.6)  # 2 columns x 2 rows of 5 x 3.3


def test_a_full_last_row_puts_the_legend_under_the_figure():
    fig = Figure()
    given = fig.subfigures(1, 2)[0]
    out = plots.plot_agent_lesions_by_network({"a": _lesions(), "b": _lesions()}, fig=given)
    assert out is given
    assert [ax.get_title() for ax in given.axes] == ["a: grid agents", "b: grid agents"]
    assert all(ax.get_legend() is None for ax in given.axes)
    (legend,) = given.legends
    assert [t.get_text() for t in legend.get_texts()] == ["top-k grid units", "k random units"]
