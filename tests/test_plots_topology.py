"""Barcodes of a Topology: one panel per dimension, bars against the null's band."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from gridcore import plots  # noqa: E402
from gridcore.scoring.topology import Topology  # noqa: E402


def _topology() -> Topology:
    rng = np.random.default_rng(0)
    h0 = np.column_stack([np.zeros(30), np.r_[rng.uniform(0.05, 0.3, 29), np.inf]])
    h1 = np.array([[0.1, 0.8], [0.2, 0.25], [0.15, 0.3]])
    h2 = np.zeros((0, 2))
    null = [[np.array([[0.0, 0.4], [0.0, np.inf]]), np.array([[0.1, 0.3]]), np.array([[0.2, 0.3]])]]
    return Topology([h0, h1, h2], null, label="toy")


def test_barcodes_draw_the_longest_bars_over_the_null():
    top = _topology()
    fig = plots.plot_barcodes(top, n_bars=15)
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    h0, h1, h2 = fig.axes
    assert len(h0.patches) == 15 and len(h1.patches) == 3 and not h2.patches  # one band per bar
    np.testing.assert_allclose([p.get_width() for p in h1.patches], top.null_lifetime[1])
    assert h1.get_title() == f"H1: b1 = {top.betti[1]}" and top.betti == (1, 1, 0)
    assert "circle (1, 1, 0)" in fig.get_suptitle() and "toy" in fig.get_suptitle()
    ends = [ln.get_xdata()[-1] for ln in h0.lines if len(ln.get_xdata()) == 2]
    assert max(ends) == h0.get_xlim()[1]  # the infinite bar runs to the edge


def test_barcodes_draw_into_given_axes():
    fig = Figure()
    axes = fig.subplots(1, 3)
    assert plots.plot_barcodes(_topology(), axes=axes) is fig
    assert all(ax.lines for ax in axes[:2])
