"""The paper's numbers: defined once in gridcore.paper, and what the rest of the code uses."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

from gridcore import paper
from gridcore.analysis import path_integration
from gridcore.net.config import TrainConfig, get_preset
from gridcore.net.model import GridCellNetwork
from gridcore.scoring import binning, sac_geometry, scores, synthetic
from gridcore.world.ensembles import Ensembles
from gridcore.world.trajectories import MotionParams, get_motion

# Supplementary Table 1 and the text of Banino et al. (2018), as published.
PUBLISHED = {
    "BOX_SIZE_M": 2.2,
    "DT_S": 0.02,
    "SEQ_LEN": 100,
    "N_PLACE": 256,
    "PLACE_SIGMA_M": 0.01,
    "N_HD": 12,
    "HD_KAPPA": 20.0,
    "N_HIDDEN": 128,
    "DROPOUT": 0.5,
    "LR": 1e-5,
    "MOMENTUM": 0.9,
    "GRAD_CLIP": 1e-5,
    "WEIGHT_DECAY": 1e-5,
    "BATCH_SIZE": 10,
    "UPDATES": 300_000,
    "RAYLEIGH_SPEED_M_S": 0.13,
    "TURN_SD_DEG_S": 330.0,
    "WALL_DISTANCE_M": 0.03,
    "GRID_THRESHOLD": 0.37,
    "RATEMAP_BINS": 32,
    "GRID_FRACTION": 0.252,
    "PATH_ERROR_15S_CM": {"trained": 16.0, "untrained": 91.0},
}


def defaults(fn) -> dict:
    return {k: p.default for k, p in inspect.signature(fn).parameters.items()}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_the_papers_numbers_are_as_published(name):
    assert getattr(paper, name) == PUBLISHED[name]


def test_the_numbers_agree_with_each_other():
    assert paper.SEQ_LEN * paper.DT_S == pytest.approx(2.0)  # 2 s training trajectories
    lo, hi = paper.GRID_SCALE_RANGE_M
    assert all(lo < s < hi for s in paper.MODULE_SCALES_M)
    ratios = [b / a for a, b in zip(paper.MODULE_SCALES_M, paper.MODULE_SCALES_M[1:], strict=False)]
    assert all(abs(r - paper.MODULE_RATIO) < 0.05 for r in ratios)
    assert paper.STRICT_GRID_THRESHOLD > paper.GRID_THRESHOLD
    assert paper.PATH_ERROR_15S_CM["trained"] < paper.PATH_ERROR_15S_CM["untrained"]


def test_train_config_defaults_are_the_papers_table():
    cfg = TrainConfig()
    table = {
        "seq_len": paper.SEQ_LEN,
        "batch_size": paper.BATCH_SIZE,
        "n_place": paper.N_PLACE,
        "place_sigma": paper.PLACE_SIGMA_M,
        "n_hd": paper.N_HD,
        "hd_kappa": paper.HD_KAPPA,
        "ensemble_seed": paper.ENSEMBLE_SEED,
        "n_hidden": paper.N_HIDDEN,
        "n_bottleneck": paper.N_BOTTLENECK,
        "dropout": paper.DROPOUT,
        "lr": paper.LR,
        "momentum": paper.MOMENTUM,
        "grad_clip": paper.GRAD_CLIP,
        "weight_decay": paper.WEIGHT_DECAY,
        "steps": paper.UPDATES,
        "score_nbins": paper.RATEMAP_BINS,
    }
    assert {k: getattr(cfg, k) for k in table} == table
    preset = get_preset("paper")
    assert {k: getattr(preset, k) for k in table} == table
    assert preset.motion == "paper"


def test_motion_defaults_use_the_papers_box_and_rat():
    m = MotionParams(speed_scale=1.0, turn_sigma=1.0)
    assert (m.box_width, m.box_height) == (paper.BOX_SIZE_M, paper.BOX_SIZE_M)
    assert m.dt == paper.DT_S and m.border_region == paper.WALL_DISTANCE_M
    rat = get_motion("paper")
    assert rat.speed_scale == paper.RAYLEIGH_SPEED_M_S
    assert rat.turn_sigma == pytest.approx(math.radians(paper.TURN_SD_DEG_S))
    assert get_motion("sorscher").speed_scale == pytest.approx(2 * math.pi * rat.speed_scale)


def test_network_and_ensemble_defaults_are_the_papers():
    net = defaults(GridCellNetwork.__init__)
    assert (net["n_place"], net["n_hd"]) == (paper.N_PLACE, paper.N_HD)
    assert (net["n_hidden"], net["n_bottleneck"]) == (paper.N_HIDDEN, paper.N_BOTTLENECK)
    assert net["dropout"] == paper.DROPOUT
    ens = defaults(Ensembles.create)
    assert (ens["n_place"], ens["n_hd"]) == (paper.N_PLACE, paper.N_HD)
    assert (ens["sigma"], ens["kappa"]) == (paper.PLACE_SIGMA_M, paper.HD_KAPPA)
    assert ens["seed"] == paper.ENSEMBLE_SEED
    assert ens["box_width"] == ens["box_height"] == paper.BOX_SIZE_M


def test_scoring_uses_the_papers_threshold_and_box():
    assert scores.PAPER_THRESHOLD == paper.GRID_THRESHOLD
    assert scores.STRICT_THRESHOLD == paper.STRICT_GRID_THRESHOLD
    for fn in (
        scores.score_ratemaps,
        sac_geometry.grid_geometry,
        binning.RatemapAccumulator.__init__,
        binning.ratemaps_from_points,
        synthetic.hexagonal_map,
        synthetic.ramp_map,
    ):
        d = defaults(fn)
        assert d["box_width"] == d["box_height"] == paper.BOX_SIZE_M, fn.__qualname__
    assert defaults(binning.RatemapAccumulator.__init__)["nbins"] == paper.RATEMAP_BINS
    t = 3
    res = path_integration.PathIntegration(
        times_s=paper.DT_S * np.arange(1, t + 1),
        init_pos=np.zeros((2, 2)),
        true_pos=np.zeros((2, t, 2)),
        decoded_pos=np.zeros((2, t, 2)),
        errors_cm=np.zeros((2, t)),
    )
    s = path_integration.summary(res, res)
    assert s["paper_trained_error_15s_cm"] == paper.PATH_ERROR_15S_CM["trained"]
    assert s["paper_untrained_error_15s_cm"] == paper.PATH_ERROR_15S_CM["untrained"]
