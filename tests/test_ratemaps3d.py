"""A 3-D network's ratemaps, their split-half stability and the score command on a 3-D run."""

from __future__ import annotations

import inspect
import json

import numpy as np
import pytest
import torch

from gridcore.analysis import ratemaps, ratemaps3d
from gridcore.analysis.ratemaps import bottleneck_ratemaps
from gridcore.analysis.ratemaps3d import split_half_stability, volume_ratemaps, volume_summary
from gridcore.cli import main
from gridcore.net import runs
from gridcore.net.config import get_preset
from gridcore.net.task import build, run, simulate_for
from gridcore.scoring.scores3d import lattice_maps
from gridcore.training.train import train


@pytest.fixture(scope="module")
def run_3d(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("run3d") / "run"
    train(get_preset("tiny", dims=3, steps=20, log_every=10), run_dir, progress=False)
    return run_dir


def test_maps_are_the_bottleneck_binned_in_the_cube():
    cfg = get_preset("tiny", dims=3, seq_len=10)
    torch.manual_seed(0)
    model, ens = build(cfg)
    acc = volume_ratemaps(runs.Network(model, ens, cfg), n_trajectories=60, nbins=4, batch_size=25)
    maps = acc.ratemaps()
    assert maps.shape == (cfg.n_bottleneck, 4, 4, 4)
    assert acc.occupancy().sum() == 60 * 10
    # The same trajectories, binned by hand, give the same maps.
    gen = torch.Generator().manual_seed(123_456_789)
    pos, act = [], []
    for n in (25, 25, 10):
        traj = simulate_for(cfg, n, gen)
        with torch.no_grad():
            act.append(run(model.eval(), ens, traj).bottleneck.reshape(-1, cfg.n_bottleneck))
        pos.append(traj.target_pos.reshape(-1, 3))
    idx = acc.bin_index(torch.cat(pos).numpy())
    a = torch.cat(act).numpy()
    first = idx == idx[0]
    np.testing.assert_allclose(maps.reshape(len(maps), -1)[:, idx[0]], a[first].mean(0), rtol=1e-5)


def test_a_2d_config_is_refused():
    cfg = get_preset("tiny")
    with pytest.raises(ValueError, match="dims=3"):
        volume_ratemaps(runs.Network(*build(cfg), cfg), n_trajectories=5, nbins=4)


def test_stability_grows_with_the_trajectories(run_3d):
    net = runs.load_network(run_3d)
    r = split_half_stability(net, counts=(20, 200), nbins=4)
    assert set(r) == {20, 200} and r[20].shape == (net.cfg.n_bottleneck,)
    assert np.nanmedian(r[200]) > np.nanmedian(r[20])


def test_summary_of_lattice_maps():
    maps = np.stack([lattice_maps("fcc", 16, 2.2, 0.5, 0.08, seed=s) for s in range(3)])
    s = volume_summary(maps, 2.2, n_shuffles=1)
    assert s["units_with_12_peaks"] == 3 and s["median_q6"] > 0.55
    assert s["median_spacing_m"] == pytest.approx(0.5, rel=0.1)
    assert s["fraction_above_null"] == 1.0
    json.dumps(s)  # plain numbers


def test_score_command_on_a_3d_run(run_3d, tmp_path, capsys):
    out = tmp_path / "maps.npz"
    args = [str(run_3d), "--trajectories", "40", "--shuffles", "1", "--nbins", "6", "--json"]
    assert main(["score", *args, "--save-ratemaps", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["dims"] == 3 and summary["nbins"] == 6
    assert summary["source"] == "3-D run at step 20"
    assert np.load(out)["ratemaps"].shape == (32, 6, 6, 6)


def test_evaluation_seed_is_the_2d_one():
    """One evaluation seed, defined with the 2-D ratemaps and the default of the 3-D ones."""
    assert "EVAL_SEED =" not in inspect.getsource(ratemaps3d)
    for f in (volume_ratemaps, split_half_stability):
        assert inspect.signature(f).parameters["seed"].default == ratemaps.EVAL_SEED


def test_2d_ratemaps_refuse_a_3d_network():
    cfg = get_preset("tiny", dims=3)
    with pytest.raises(ValueError, match="gridcore.analysis.ratemaps3d"):
        bottleneck_ratemaps(runs.Network(*build(cfg), cfg), n_trajectories=5, nbins=4)
