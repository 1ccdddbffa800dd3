"""A sweep's tables drawn: a metric against the conditions, an experiment's metrics side by side,
the curves over training, and error against grid fraction."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from gridcore import plots  # noqa: E402
from gridcore.errors import GridcoreError  # noqa: E402
from gridcore.sweeps.spec import CURVE_COLUMNS  # noqa: E402


def _results() -> pd.DataFrame:
    """Two conditions of two seeds each, and a diverged trial that is not drawn."""
    return pd.DataFrame(
        {
            "condition": ["dropout=0.0"] * 3 + ["dropout=0.5"] * 2,
            "status": ["done", "done", "diverged", "done", "done"],
            "position_error_cm": [20.0, 22.0, 99.0, 30.0, 31.0],
        }
    )


def _three() -> pd.DataFrame:
    """Three conditions of three finished seeds each."""
    return pd.DataFrame(
        {
            "condition": ["a"] * 3 + ["b"] * 3 + ["c"] * 3,
            "status": ["done"] * 9,
            "grid_fraction_037": [0.20, 0.25, 0.30, 0.01, 0.02, 0.03, 0.22, 0.26, 0.31],
            "loss": [5.0, 5.1, 5.2, 6.0, 6.1, 6.2, 5.0, 5.1, 5.2],
        }
    )


def _curves(values: dict[str, list[float]], metric: str, source: str) -> pd.DataFrame:
    """Rows like curves.csv's: each trial ``"<condition>-<seed>"`` scored at steps 1000, 2000..."""
    rows = [
        (trial, trial.split("-")[0], int(trial.split("-")[1]), 1000 * (k + 1), source, metric, v)
        for trial, series in values.items()
        for k, v in enumerate(series)
    ]
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def test_plot_sweep_draws_every_finished_seed():
    ax = plots.plot_sweep(_results(), "position_error_cm")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["dropout=0.0", "dropout=0.5"]
    assert sum(len(c.get_offsets()) for c in ax.collections) == 4
    with pytest.raises(GridcoreError, match="no column"):
        plots.plot_sweep(_results(), "accuracy")


def test_plot_sweep_labels_the_first_condition_drawn_and_never_warns_of_an_empty_legend():
    import warnings

    first_empty = _results().assign(
        position_error_cm=[np.nan, np.nan, np.nan, 30.0, 31.0]
    )  # the first condition has no value
    empty = _results().assign(position_error_cm=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns of a legend with nothing in it
        ax = plots.plot_sweep(first_empty, "position_error_cm")
        bare = plots.plot_sweep(empty, "position_error_cm")
        fig = plots.plot_experiment(empty, ("position_error_cm", "position_error_cm"))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "range over seeds",
        "one seed",
        "median",
    ]
    assert not bare.get_legend().get_texts() and fig.axes[1].get_legend() is None


def test_plot_experiment_draws_one_panel_per_metric_with_every_seed():
    fig = plots.plot_experiment(_three(), ("grid_fraction_037", "loss"))
    axes = fig.axes
    assert isinstance(fig, Figure) and len(axes) == 2 and axes[1].get_ylabel() == "loss (nats)"
    assert all(sum(len(c.get_offsets()) for c in ax.collections) == 9 for ax in axes)
    assert axes[0].get_legend() is not None and axes[1].get_legend() is None
    given = Figure().subplots(1, 2)
    assert plots.plot_experiment(_three(), ("loss", "loss"), axes=given) is given[0].figure
    assert all(ax.has_data() for ax in given)


def test_plot_curves_draws_every_seed_and_the_median():
    values = {"a-0": [0.1, 0.2], "a-1": [0.2, 0.3], "a-2": [0.25, 0.2], "b-0": [0.1, 0.1]}
    curves = _curves(values, "grid_fraction_037", "training")
    ax = plots.plot_curves(curves, condition="a", level=0.252)
    assert len(ax.get_lines()) == 3 + 1 + 1  # three seeds, the median, the level
    np.testing.assert_allclose(ax.get_lines()[3].get_ydata(), [0.2, 0.2])
    with pytest.raises(GridcoreError, match="no training scorings"):
        plots.plot_curves(curves, metric="nonsense")


def test_plot_curves_draws_the_median_only_where_enough_seeds_have_a_value():
    values = {"c-0": [1.0, 1.5], "c-1": [np.nan, 1.3], "c-2": [np.nan, 1.4]}
    curves = _curves(values, "median_scale_m", "snapshot")
    ax = plots.plot_curves(curves, "median_scale_m", source="snapshot", min_share=0.5)
    median = ax.get_lines()[3].get_ydata()
    assert np.isnan(median[0]) and median[1] == pytest.approx(1.4)  # 1 of 3 seeds at 1000
    ax = plots.plot_curves(curves, "median_scale_m", source="snapshot")
    np.testing.assert_allclose(ax.get_lines()[3].get_ydata(), [1.0, 1.4])


def _trials(experiments: list[str]) -> pd.DataFrame:
    """30 trials, the last diverged, whose error falls with their grid share, one per name."""
    rng = np.random.default_rng(0)
    grid = rng.uniform(0, 0.4, 30)
    return pd.DataFrame(
        {
            "status": ["done"] * 29 + ["diverged"],
            "grid_fraction_037": grid,
            "position_error_cm": 50 - 80 * grid + rng.normal(0, 1, 30),
            "experiment": experiments,
        }
    )


def test_plot_error_vs_grid_draws_every_trial_and_the_correlation():
    df = _trials(["x"] * 15 + ["y"] * 15)
    ax = plots.plot_error_vs_grid(df)
    assert sum(len(c.get_offsets()) for c in ax.collections) == 29
    assert "Spearman" in ax.get_title() and "n = 29" in ax.get_title()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["x", "y"]


def test_plot_error_vs_grid_by_sweep_gives_each_sweep_a_panel_with_its_own_correlation():
    df = _trials(["x"] * 15 + ["y"] * 13 + ["z"] * 2)
    fig = plots.plot_error_vs_grid_by_sweep(df, ncols=2)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == 3 and len(fig.axes) == 4
    titles = [ax.get_title() for ax in shown]
    assert titles[0].startswith("x\nrho -") and titles[0].endswith("n = 15")
    assert titles[2] == "z\nn = 1"  # the diverged trial is left out, and one trial has no rho
    own = [len(ax.collections[1].get_offsets()) for ax in shown]
    assert own == [15, 13, 1] and len(shown[0].collections[0].get_offsets()) == 29
