"""Plots of the grid-score and results chapters: the unit browser and gallery, the ring-mask
and rotation figures, the emergence and path-integration curves (Agg backend, nothing shown).

They belong with tests/test_plots*.py and move there once gridcore.plots is a package."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from gridcore import plots as P  # noqa: E402
from gridcore.analysis import results  # noqa: E402
from gridcore.analysis.path_integration import integrate  # noqa: E402
from gridcore.net.config import get_preset  # noqa: E402
from gridcore.net.runs import Network  # noqa: E402
from gridcore.net.task import build  # noqa: E402
from gridcore.scoring import scale_modules, shuffles, synthetic  # noqa: E402
from gridcore.scoring import scores as S  # noqa: E402


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
    rank = controls.children[3]
    assert rank.min == 1 and rank.value == menu.index + 1  # ranks count from 1, as the table's
    rank.value = 1
    assert menu.index == 0 and menu.value == int(np.nanargmax(gc.grid_score_60))
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
        P.plot_scale_clusters(
            scale_modules.cluster_scales(np.r_[0.5, 0.52, 0.7, 0.71, 0.72])
        ).figure,
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
    res = integrate(Network(model, ensembles, cfg), n_trajectories=3, seconds=0.2)
    ax = P.plot_error_vs_time({"untrained": res}, paper={"untrained": 91.0})
    assert len(ax.get_legend().get_texts()) == 2
