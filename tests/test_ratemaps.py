"""Ratemaps of a (tiny, untrained) network: binning its activity along fresh trajectories."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch
from scipy.stats import binned_statistic_2d

from gridcore.analysis import ratemaps as R
from gridcore.net.config import get_preset
from gridcore.net.runs import Network
from gridcore.net.task import build, run
from gridcore.world.trajectories import get_motion, simulate


@pytest.fixture
def tiny_net():
    torch.manual_seed(0)
    cfg = get_preset("tiny")
    model, ensembles = build(cfg)
    model.eval()
    return Network(model, ensembles, cfg)


def test_bottleneck_ratemaps_bin_the_bottleneck_along_seeded_trajectories(tiny_net):
    """Recomputed here: the same seeded trajectories, the network run by hand, scipy's binning."""
    model, ensembles, cfg = tiny_net.model, tiny_net.ensembles, tiny_net.cfg
    model.train()  # the maps are made with dropout off, and the mode is put back
    maps = R.bottleneck_ratemaps(tiny_net, n_trajectories=12, nbins=6, seed=5)
    assert model.training
    gen = torch.Generator().manual_seed(5)
    traj = simulate(12, cfg.seq_len, get_motion(cfg.motion), generator=gen)
    model.eval()
    with torch.no_grad():
        acts = run(model, ensembles, traj).bottleneck.reshape(-1, cfg.n_bottleneck).numpy()
    pos = traj.target_pos.reshape(-1, 2).numpy().astype(np.float64)
    half = get_motion(cfg.motion).box_width / 2
    for u in (0, 7, cfg.n_bottleneck - 1):
        want = binned_statistic_2d(
            pos[:, 0], pos[:, 1], acts[:, u], "mean", bins=6, range=[[-half, half]] * 2
        ).statistic
        np.testing.assert_allclose(maps[u], want, rtol=1e-6, atol=1e-7, equal_nan=True)


def test_accumulators_match_bottleneck_ratemaps(tiny_net):
    net, cfg = tiny_net, tiny_net.cfg
    ref = R.bottleneck_ratemaps(net, n_trajectories=30, nbins=8, batch_size=20)
    accs = R.ratemap_accumulators(net, n_trajectories=30, nbins=(8, 12), batch_size=20)
    np.testing.assert_array_equal(accs[8].ratemaps(), ref)
    assert accs[12].ratemaps().shape == (cfg.n_bottleneck, 12, 12)
    assert accs[8].occupancy().sum() == accs[12].occupancy().sum() == 30 * cfg.seq_len
    with pytest.raises(ValueError):
        R.ratemap_accumulators(net, 5, nbins=(8,), layer="output")


def test_ratemaps_by_trajectories_grow_one_sample(tiny_net):
    out = R.ratemaps_by_trajectories(tiny_net, counts=(2, 10, 40), nbins=10)
    assert sorted(out) == [2, 10, 40]
    holes = [np.isnan(out[c][0]).sum() for c in (2, 10, 40)]
    assert holes[0] >= holes[1] >= holes[2]
    np.testing.assert_array_equal(out[40], R.bottleneck_ratemaps(tiny_net, 40, 10))
    # Batches are not cut at the counts: a multiple of the batch size is a pass of its own.
    grown = R.ratemaps_by_trajectories(tiny_net, counts=(2, 10, 16, 40), nbins=10, batch_size=8)
    for c in (16, 40):
        one_pass = R.bottleneck_ratemaps(tiny_net, c, 10, batch_size=8)
        np.testing.assert_array_equal(grown[c], one_pass)


def test_dropped_layer_only_differs_with_eval_dropout(tiny_net):
    net, model = tiny_net, tiny_net.model
    kw = dict(n_trajectories=20, nbins=(8,))
    plain = R.ratemap_accumulators(net, **kw)[8].ratemaps()
    off = R.ratemap_accumulators(net, layer="dropped", **kw)[8].ratemaps()
    np.testing.assert_array_equal(off, plain)
    model.eval_dropout = True
    try:
        on = R.ratemap_accumulators(net, layer="dropped", **kw)[8].ratemaps()
        same = R.ratemap_accumulators(net, **kw)[8].ratemaps()
    finally:
        model.eval_dropout = False
    np.testing.assert_array_equal(same, plain)
    assert not np.allclose(on, plain, equal_nan=True)
    assert not model.training


def test_default_layer_follows_eval_dropout(tiny_net):
    net, cfg = tiny_net, tiny_net.cfg
    assert R.default_layer(cfg) == "bottleneck"
    assert R.default_layer(replace(cfg, eval_dropout=True)) == "dropped"
    hidden = R.ratemap_accumulators(net, 4, nbins=(6,), layer="hidden")
    assert hidden[6].ratemaps().shape == (cfg.n_hidden, 6, 6)
    with pytest.raises(ValueError):
        R.ratemaps_by_trajectories(net, counts=(0, 5))
    # A config with eval_dropout (the deepmind preset) is mapped after dropout, as DeepMind's.
    dm_cfg = replace(cfg, eval_dropout=True)
    dm_model, _ = build(dm_cfg)
    assert dm_model.eval_dropout
    kw = dict(n_trajectories=10, nbins=6)
    dm_net = Network(dm_model, net.ensembles, dm_cfg)
    dropped = R.bottleneck_ratemaps(dm_net, **kw)
    clean = R.bottleneck_ratemaps(dm_net, layer="bottleneck", **kw)
    assert not np.allclose(dropped, clean, equal_nan=True)
