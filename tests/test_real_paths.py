"""A network along given paths (a real rat's, here stand-ins simulated in the test): ratemaps,
path integration, the constant-guess baseline and the comparison with simulated ratemaps."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gridcore.analysis import real_paths as RP
from gridcore.analysis.ratemaps import EVAL_SEED
from gridcore.net.config import get_preset
from gridcore.net.model import ModelOutput
from gridcore.net.runs import Network, untrained_network
from gridcore.net.task import run
from gridcore.world.trajectories import get_motion, simulate

CFG = get_preset("tiny")


def _paths(n: int = 6, steps: int = 30, seed: int = 0):
    return simulate(n, steps, "paper", generator=torch.Generator().manual_seed(seed))


class _Where(torch.nn.Module):
    """Place scores peaked at the true position; the bottleneck is the true position (x, y).
    It is called with the batches of ``traj`` in order."""

    def __init__(self, ens, traj):
        super().__init__()
        self.place = -ens.place.squared_distances(traj.target_pos)
        self.pos = traj.target_pos
        self.done = 0

    def forward(self, velocity, init_code):
        rows = slice(self.done, self.done + velocity.shape[0])
        self.done = rows.stop
        return ModelOutput(self.place[rows], None, self.pos[rows], self.pos[rows])


def test_integrate_along_runs_the_network_on_the_given_paths():
    net = untrained_network(CFG, seed=1)
    model, ens = net.model, net.ensembles
    traj = _paths()
    a = RP.integrate_along(net, traj, batch_size=4)
    b = RP.integrate_along(net, traj, batch_size=6)
    np.testing.assert_allclose(a.times_s, 0.02 * np.arange(1, 31))
    np.testing.assert_array_equal(a.true_pos, traj.target_pos.numpy())
    with torch.no_grad():
        want = ens.place.decode(run(model, ens, traj).place_logits).numpy()
    np.testing.assert_allclose(a.decoded_pos, want, atol=1e-6)
    np.testing.assert_allclose(a.errors_cm, b.errors_cm, rtol=1e-5, atol=1e-4)
    dist = 100 * np.linalg.norm(want - traj.target_pos.numpy(), axis=-1)
    np.testing.assert_allclose(a.errors_cm, dist, rtol=1e-5, atol=1e-4)


def test_a_network_that_knows_the_position_decodes_close_to_it():
    ens = untrained_network(CFG).ensembles
    traj = _paths(4, 20)
    res = RP.integrate_along(Network(_Where(ens, traj), ens, CFG), traj)
    assert res.errors_cm.mean() < 40  # 64 place cells: the nearest three are close
    far = RP.constant_guess(traj, point=(1.0, 1.0))
    assert res.errors_cm.mean() < far.errors_cm.mean()


def test_constant_guess_is_the_distance_to_the_point():
    traj = _paths(3, 10)
    res = RP.constant_guess(traj)
    want = 100 * traj.target_pos.norm(dim=-1).numpy()
    np.testing.assert_allclose(res.errors_cm, want, rtol=1e-6)
    assert (res.decoded_pos == 0).all()


def test_ratemaps_along_bin_the_bottleneck_at_the_true_positions():
    ens = untrained_network(CFG).ensembles
    traj = _paths(8, 50)
    acc = RP.ratemaps_along(Network(_Where(ens, traj), ens, CFG), traj, nbins=4, batch_size=3)
    assert acc.occupancy().sum() == 8 * 50
    maps = acc.ratemaps()
    edges = np.linspace(-1.1, 1.1, 5)
    for ix in range(4):  # unit 0 is x: each visited bin's mean lies inside the bin
        col = maps[0, ix][np.isfinite(maps[0, ix])]
        assert ((col >= edges[ix]) & (col <= edges[ix + 1])).all()


def test_visited_window():
    occ = np.zeros((6, 6))
    occ[2, 1] = occ[3, 4] = 1
    assert RP.visited_window(occ) == (slice(2, 4), slice(1, 5))
    with pytest.raises(ValueError):
        RP.visited_window(np.zeros((3, 3)))


def test_maps_on_the_simulated_paths_themselves_agree_perfectly():
    net = untrained_network(CFG, seed=2)
    gen = torch.Generator().manual_seed(EVAL_SEED)
    same = simulate(40, CFG.seq_len, get_motion(CFG.motion), generator=gen)
    cmp = RP.compare_ratemaps(net, same, n_simulated=40, nbins=8)
    assert cmp.real.shape == cmp.simulated.shape == (CFG.n_bottleneck, 8, 8)
    np.testing.assert_allclose(cmp.r_simulated[np.isfinite(cmp.r_simulated)], 1.0, atol=1e-6)
    assert np.nanmedian(cmp.r_other_unit) < 0.99
    assert cmp.cropped(cmp.real).shape[1:] == (
        cmp.window[0].stop - cmp.window[0].start,
        cmp.window[1].stop - cmp.window[1].start,
    )
    table = cmp.table()
    assert table.loc["real vs simulated, same unit", "median r"] == 1.0
    assert list(table.columns) == ["median r", "units with r > 0.5 (%)"]


def test_error_table_reports_each_time_a_run_reaches():
    traj = _paths(3, 60)
    net = untrained_network(CFG)
    res = {"net": RP.integrate_along(net, traj), "centre": RP.constant_guess(traj)}
    table = RP.error_table(res, times_s=(0.5, 1.2, 15.0))
    assert list(table.index) == ["net", "centre"]
    assert list(table.columns) == ["error at 0.5 s (cm)", "error at 1.2 s (cm)", "paths"]
    assert table.loc["centre", "error at 1.2 s (cm)"] == round(res["centre"].error_at(1.2), 1)
