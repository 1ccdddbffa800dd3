"""A cell-type census drawn: one panel per type, the units over their time-shifted null."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from gridcore import plots  # noqa: E402
from gridcore.scoring.celltypes import TYPES, Census  # noqa: E402


def _census() -> Census:
    """Ten units per type; the null's 95th percentile, and so the threshold, near 0.95."""
    rng = np.random.default_rng(0)
    scores = {kind: np.linspace(0.0, 2.0, 10) for kind in TYPES}
    scores["speed"] = -scores["speed"]  # speed is compared by |r|
    null = {kind: rng.uniform(0.0, 1.0, (10, 20)) for kind in TYPES}
    return Census(scores, null, dict.fromkeys(TYPES, 95.0))


def test_one_panel_per_type_with_the_units_above_the_threshold_in_the_title():
    census = _census()
    fig = plots.plot_census(census)
    assert isinstance(fig, Figure) and len(fig.axes) == len(TYPES)
    for ax, kind in zip(fig.axes, TYPES, strict=True):
        assert ax.get_title() == f"{kind}: {census.counts()[kind]}/10"
        threshold = [ln.get_xdata()[0] for ln in ax.lines]
        assert threshold == [census.thresholds[kind]]
        assert len(ax.patches) > 1  # the null's bars and the units' outline
    assert census.counts()["speed"] == 5  # |r| above the null's 95th percentile, about 0.95
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert sorted(legend) == ["threshold", "time-shifted", "units"]


def test_the_census_draws_into_given_axes():
    fig = Figure()
    axes = fig.subplots(2, 2)
    assert plots.plot_census(_census(), axes=axes) is fig
    assert all(ax.patches for ax in axes.flat)
