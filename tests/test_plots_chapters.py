"""Smoke tests of the plots used by the chapters on the ensembles, the rat, the model, training
and path integration (Agg backend, nothing shown)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from dataclasses import replace  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from gridcore import plots as P  # noqa: E402
from gridcore.analysis.path_integration import integrate, untrained_network  # noqa: E402
from gridcore.net.config import get_preset  # noqa: E402
from gridcore.world.ensembles import Ensembles, box_positions, decoding_errors_vs_sigma  # noqa: E402
from gridcore.world.trajectories import get_motion, occupancy, simulate  # noqa: E402


def _axes(n=1):
    return Figure(layout="constrained").subplots(1, n, squeeze=False)[0]


def test_ensemble_plots(tmp_path):
    ens = Ensembles.create()
    ax = P.plot_place_centres(ens.place.centres, highlight=[0, 3])
    assert ax.get_aspect() == 1 and len(ax.texts) == 2
    acts = ens.place.activations(box_positions(12))
    fig = P.plot_box_maps([acts[..., i].numpy() for i in range(5)], list("abcde"), ncols=3)
    assert len([a for a in fig.axes if a.get_visible() and a.axison]) == 5
    fig.savefig(tmp_path / "maps.png")
    ax = P.plot_hd_tuning(ens.hd, kappas=(20.0, 5.0))
    assert len(ax.lines) >= 2 * ens.hd.n_cells
    ax = P.plot_code_bars(torch.rand(268), 256)
    assert len(ax.patches) == 268
    res = decoding_errors_vs_sigma(ens.place, [0.01, 0.1], n_positions=50)
    ax = P.plot_decoding_vs_sigma(res)
    assert len(ax.lines) >= 2
    ax.figure.savefig(tmp_path / "decoding.png")


def test_trajectory_plots(tmp_path):
    p = get_motion("sorscher")
    tr = simulate(8, 50, p, generator=torch.Generator().manual_seed(0))
    ax = P.plot_paths(tr, n=3)
    assert len(ax.lines) == 6  # a path and a start marker each
    a, b, c = _axes(3)
    P.plot_speed_histogram(tr.speed, p, real={"median": 0.1}, ax=a)
    P.plot_turn_histogram(tr.turn / p.dt, p, ax=b)
    P.plot_occupancy(occupancy(tr, 10, p), title="occ", vmin=0, vmax=2, ax=c)
    assert c.get_title() == "occ" and c.images[0].get_extent() == [-1.1, 1.1, -1.1, 1.1]
    a.figure.savefig(tmp_path / "motion.png")


def test_model_and_training_plots(tmp_path):
    cfg = get_preset("fast")
    ax = P.plot_architecture(cfg)
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "128 units" in texts and "256 units" in texts
    ax = P.plot_architecture(replace(cfg, core="gru"))
    assert "GRU" in " ".join(t.get_text() for t in ax.texts)
    rows = [
        {"step": s, "loss": 8 - s / 100, "place_loss": 5.0, "hd_loss": 2.0,
         "position_error_cm": 90.0 - s / 10, "heading_error_deg": 80.0}
        for s in (100, 200, 300)
    ]  # fmt: skip
    fig = P.plot_training_curves(rows)
    assert isinstance(fig, Figure) and len(fig.axes) == 3 and len(fig.axes[0].lines) == 3
    grads = {"a": np.array([0.0, 1e-7, 1e-4]), "b": np.array([1e-3, 2e-6])}
    ax = P.plot_gradient_histogram(grads, clip=1e-5)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a: 33% clipped", "b: 50% clipped"]
    ax = P.plot_gradient_histogram({"place_head": np.array([1e-4, 1e-6])}, clip=1e-5)
    assert ax.get_legend().get_texts()[0].get_text() == "place read-out: 50% clipped"
    ax = P.plot_update_sizes({"x": np.ones(5) * 1e-4}, lr=1e-4, styles={"x": {"ls": "--"}})
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 1.0)
    ax.figure.savefig(tmp_path / "updates.png")


def test_live_plot():
    live = P.LiveTrainingPlot(300, redraw_every=2, floor_cm=6.0)
    for s in (100, 200, 300):
        live({"step": s, "loss": 8.0, "place_loss": 5.0, "hd_loss": 3.0,
              "position_error_cm": 50.0, "heading_error_deg": 30.0, "elapsed_s": s / 10})  # fmt: skip
    live.close()
    assert len(live.rows) == 3 and "step 300" in live.fig._suptitle.get_text()
    assert not hasattr(P, "markdown_table")  # tables are DataFrames from gridcore.analysis.results


def test_decoded_path_plot(tmp_path):
    cfg = get_preset("tiny")
    res = integrate(untrained_network(cfg), n_trajectories=2, seconds=0.5)
    ax = P.plot_decoded_path(res, 1)
    assert "trajectory 1" in ax.get_title()
    ax.figure.savefig(tmp_path / "path.png")


def test_plot_grid_fraction_skips_unscored_rows():
    import math

    from gridcore.plots import plot_grid_fraction

    rows = [
        {"step": 100, "grid_fraction_037": math.nan, "grid_fraction_080": math.nan},
        {"step": 200, "grid_fraction_037": 0.1, "grid_fraction_080": 0.02},
        {"step": 300, "grid_fraction_037": 0.3, "grid_fraction_080": 0.05},
    ]
    ax = plot_grid_fraction(rows)
    lines = [ln for ln in ax.get_lines() if ln.get_label().startswith("score")]
    assert [list(ln.get_xdata()) for ln in lines] == [[200, 300], [200, 300]]
    assert list(lines[0].get_ydata()) == [10.0, 30.0]
