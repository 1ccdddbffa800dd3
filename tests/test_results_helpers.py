"""Synthetic maps, grid-module clustering, multi-resolution ratemaps, emergence curves and the
unit browser (the helpers behind the ratemap, grid-score and results chapters)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from gridcore import modules, results, runs, shuffles, synthetic
from gridcore import plots as P  # noqa: E402
from gridcore import ratemaps as R  # noqa: E402
from gridcore import scores as S  # noqa: E402
from gridcore.config import get_preset  # noqa: E402
from gridcore.path_integration import integrate  # noqa: E402
from gridcore.task import build  # noqa: E402
from gridcore.train import train  # noqa: E402

# --------------------------------------------------------------------------------------------
# Synthetic maps


@pytest.mark.parametrize("orientation", [0.0, 17.0, 41.0])
def test_hexagonal_map_has_its_spacing_and_orientation(orientation):
    m = synthetic.hexagonal_map(
        40, spacing=0.55, orientation_deg=orientation, phases=(0.2, 1.1, 2.5)
    )
    res = S.score_ratemaps(m[None])
    assert res.grid_like[0] and res.grid_score_60[0] > 1.0
    assert res.scale_m[0] == pytest.approx(0.55, abs=0.04)
    diff = (res.orientation_deg[0] - orientation + 30) % 60 - 30
    assert abs(diff) < 3


def test_square_stripes_and_ramp_maps():
    sq = S.score_ratemaps(synthetic.square_map(32, 0.6, 10.0)[None])
    assert sq.grid_score_90[0] > 0.8 and not sq.grid_like[0]
    stripes = synthetic.plane_wave_map(32, 0.5, [20.0])
    assert S.score_ratemaps(stripes[None]).grid_score_60[0] < 0.37
    ramp = synthetic.ramp_map(32, angle_deg=60, noise=0.02, seed=3)
    dm, gc = S.score_ratemaps(ramp[None], mode="deepmind"), S.score_ratemaps(ramp[None])
    assert dm.grid_like[0] and not gc.grid_like[0] and gc.reason[0] == "ramp"
    clean = synthetic.ramp_map(32, angle_deg=0, noise=0.0)
    assert clean[1, 0] > clean[0, 0] and np.allclose(clean[:, 0], clean[:, 5])


# --------------------------------------------------------------------------------------------
# Grid modules


def test_cluster_scales_finds_three_modules():
    rng = np.random.default_rng(0)
    centres = np.array([0.47, 0.70, 1.06])
    x = np.concatenate([rng.normal(c, 0.025, 25) for c in centres] + [[np.nan]])
    cl = modules.cluster_scales(x)
    assert cl.k == 3 and cl.bic.size == 4
    np.testing.assert_allclose(cl.means_m, centres, atol=0.03)
    np.testing.assert_allclose(cl.ratios, centres[1:] / centres[:-1], atol=0.07)
    assert cl.weights.sum() == pytest.approx(1.0)
    assert cl.labels.size == 75 and set(cl.labels.tolist()) == {0, 1, 2}
    grid = np.linspace(0, 2, 4001)
    assert np.trapezoid(cl.density(grid), grid) == pytest.approx(1.0, abs=1e-3)


def test_cluster_scales_keeps_one_cluster_for_one_blob():
    x = np.random.default_rng(1).normal(1.3, 0.2, 60)
    cl = modules.cluster_scales(x)
    assert cl.k == 1 and cl.ratios.size == 0
    assert cl.means_m[0] == pytest.approx(x.mean())
    assert modules.cluster_scales([0.5, 0.6]).k == 1
    with pytest.raises(ValueError):
        modules.cluster_scales([np.nan])


# --------------------------------------------------------------------------------------------
# Ratemaps of a tiny network


@pytest.fixture
def tiny_net():
    torch.manual_seed(0)
    cfg = get_preset("tiny")
    model, ensembles = build(cfg)
    model.eval()
    return model, ensembles, cfg


def test_accumulators_match_bottleneck_ratemaps(tiny_net):
    model, ensembles, cfg = tiny_net
    ref = R.bottleneck_ratemaps(model, ensembles, cfg, n_trajectories=30, nbins=8, batch_size=20)
    accs = R.ratemap_accumulators(
        model, ensembles, cfg, n_trajectories=30, nbins=(8, 12), batch_size=20
    )
    np.testing.assert_array_equal(accs[8].ratemaps(), ref)
    assert accs[12].ratemaps().shape == (cfg.n_bottleneck, 12, 12)
    assert accs[8].occupancy().sum() == accs[12].occupancy().sum() == 30 * cfg.seq_len
    with pytest.raises(ValueError):
        R.ratemap_accumulators(model, ensembles, cfg, 5, nbins=(8,), layer="output")


def test_ratemaps_by_trajectories_grow_one_sample(tiny_net):
    model, ensembles, cfg = tiny_net
    out = R.ratemaps_by_trajectories(model, ensembles, cfg, counts=(2, 10, 40), nbins=10)
    assert sorted(out) == [2, 10, 40]
    holes = [np.isnan(out[c][0]).sum() for c in (2, 10, 40)]
    assert holes[0] >= holes[1] >= holes[2]
    single = R.ratemaps_by_trajectories(model, ensembles, cfg, counts=(2,), nbins=10)
    np.testing.assert_array_equal(single[2], out[2])


def test_dropped_layer_only_differs_with_eval_dropout(tiny_net):
    model, ensembles, cfg = tiny_net
    kw = dict(n_trajectories=20, nbins=(8,))
    plain = R.ratemap_accumulators(model, ensembles, cfg, **kw)[8].ratemaps()
    off = R.ratemap_accumulators(model, ensembles, cfg, layer="dropped", **kw)[8].ratemaps()
    np.testing.assert_array_equal(off, plain)
    model.eval_dropout = True
    try:
        on = R.ratemap_accumulators(model, ensembles, cfg, layer="dropped", **kw)[8].ratemaps()
        same = R.ratemap_accumulators(model, ensembles, cfg, **kw)[8].ratemaps()
    finally:
        model.eval_dropout = False
    np.testing.assert_array_equal(same, plain)
    assert not np.allclose(on, plain, equal_nan=True)
    assert not model.training


def test_emergence_curve_scores_snapshots(tmp_path):
    cfg = get_preset("tiny", steps=30, snapshot_every=10, log_every=10)
    train(cfg, tmp_path / "run", progress=False)
    assert [s for s, _ in runs.list_snapshots(tmp_path / "run")] == [10, 20, 30]
    em = results.emergence_curve(tmp_path / "run", n_trajectories=10, nbins=8)
    np.testing.assert_array_equal(em.steps, [0, 10, 20, 30])
    assert set(em.fractions) == {(m, t) for m in ("deepmind", "gridcore") for t in (0.37, 0.8)}
    for f in em.fractions.values():
        assert f.shape == (4,) and np.all((f >= 0) & (f <= 1))
    np.testing.assert_array_equal(em.history_steps, [10, 20, 30])
    assert em.position_error_cm.shape == (3,)
    assert em.first_step_above(2.0) is None
    sparse = results.emergence_curve(tmp_path / "run", n_trajectories=10, nbins=8, every=2)
    np.testing.assert_array_equal(sparse.steps, [0, 10, 30])  # the final weights always count


# --------------------------------------------------------------------------------------------
# Plots and the unit browser


def _scored():
    maps = np.stack(
        [synthetic.hexagonal_map(16, 0.7, a, (a, 0.5, 1.0)) for a in (0.0, 10.0, 25.0)]
        + [synthetic.ramp_map(16, 30, 0.02), np.random.default_rng(0).normal(size=(16, 16))]
    )
    maps[0, :2, :2] = np.nan
    return maps, S.score_ratemaps(maps), S.score_ratemaps(maps, mode="deepmind")


def test_unit_browser_and_gallery():
    ipywidgets = pytest.importorskip("ipywidgets")
    maps, gc, dm = _scored()
    box = P.unit_browser(maps, gc, other=dm)
    assert isinstance(box, ipywidgets.VBox)
    assert "gridcore-unit-browser" in box._dom_classes
    controls, image, info = box.children
    menu = controls.children[1]
    assert menu.value == int(np.nanargmax(gc.grid_score_60))
    first = bytes(image.value)
    assert first[:4] == b"\x89PNG" and "rank by 60° score" in info.value
    target = 3 if menu.value != 3 else 4  # the ramp, or noise if the ramp came first
    menu.value = target
    assert bytes(image.value) != first
    assert ("ramp" in info.value) == (target == 3)
    gallery = P.unit_gallery(maps, gc, n=3, other=dm)
    assert {"gridcore-unit-browser", "gridcore-unit-gallery"} <= set(gallery._dom_classes)
    buttons, stack = gallery.children
    assert len(buttons.options) == len(stack.children) == 3


def test_chapter_plots_draw(tmp_path):
    maps, gc, dm = _scored()
    corr, _ = S.rotation_correlations(gc.sacs[:1])
    figs = [
        P.plot_ring_masks(16),
        P.plot_rotations(gc.sacs[0], S.ring_masks(16)[gc.best_mask_60[0]], corr[0, 0]),
        P.plot_rotation_correlations(corr[0, 0]).figure,
        P.plot_ring_scores(corr[0], 16).figure,
        P.unit_panel(maps, gc, 0),
        P.plot_ratemap_grid([maps[0], np.zeros((8, 8))], titles=["a", "b"]),
        P.plot_score_null(gc, shuffles.shuffle_threshold(maps, n_shuffles=2, method="bins")).figure,
        P.plot_scale_clusters(modules.cluster_scales(np.r_[0.5, 0.52, 0.7, 0.71, 0.72])).figure,
    ]
    assert len(P.plot_ring_masks(16).axes) == 10
    for k, fig in enumerate(figs):
        assert isinstance(fig, Figure)
        fig.savefig(tmp_path / f"f{k}.png")
    html = P.unit_info_html(gc, 3, dm)
    assert "ramp" in html and "deepmind" in html


def test_emergence_and_error_plots(tmp_path):
    em = results.Emergence(
        steps=np.array([0, 10]),
        fractions={("deepmind", 0.37): np.array([0.0, 0.3]), ("gridcore", 0.37): np.zeros(2)},
        max_score=np.array([0.1, 0.9]),
        n_trajectories=10,
        nbins=8,
        history_steps=np.array([5, 10]),
        position_error_cm=np.array([50.0, 20.0]),
    )
    P.plot_emergence(em).savefig(tmp_path / "em.png")
    assert em.first_step_above(0.25) == 10
    cfg = get_preset("tiny")
    torch.manual_seed(0)
    model, ensembles = build(cfg)
    res = integrate(model, ensembles, cfg, n_trajectories=3, seconds=0.2)
    ax = P.plot_error_vs_time({"untrained": res}, paper={"untrained": 91.0})
    assert len(ax.get_legend().get_texts()) == 2
