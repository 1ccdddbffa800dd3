"""Path integration over long trajectories: decoded against true positions."""

import inspect

import numpy as np
import pytest
import torch

from gridcore.analysis import real_paths
from gridcore.analysis.path_integration import (
    PATH_SEED,
    PATHS_15S,
    PathIntegration,
    drift_verdict,
    growth_exponent,
    growth_phrase,
    integrate,
    n_steps,
    summary,
    trained_and_untrained,
    untrained_network,
)
from gridcore.errors import GridcoreError
from gridcore.net.config import get_preset
from gridcore.net.model import ModelOutput
from gridcore.net.runs import Network, load_network, save_checkpoint
from gridcore.world.trajectories import get_motion, simulate

CFG = get_preset("tiny")


def test_shapes_times_and_determinism():
    net = untrained_network(CFG, seed=3)
    model, ens = net.model, net.ensembles
    a = integrate(net, n_trajectories=5, seconds=0.5, seed=1, batch_size=2)
    b = integrate(net, n_trajectories=5, seconds=0.5, seed=1, batch_size=5)
    assert a.errors_cm.shape == (5, 25)
    assert a.true_pos.shape == a.decoded_pos.shape == (5, 25, 2)
    assert a.init_pos.shape == (5, 2)
    np.testing.assert_allclose(a.times_s, 0.02 * np.arange(1, 26))
    # Batching does not change the paths or the result.
    np.testing.assert_allclose(a.true_pos, b.true_pos)
    np.testing.assert_allclose(a.errors_cm, b.errors_cm, rtol=1e-5, atol=1e-4)
    # Recomputed here: the seeded paths, the network run on them by hand, decoded and compared.
    gen = torch.Generator().manual_seed(PATH_SEED + 1)
    traj = simulate(5, 25, get_motion(CFG.motion), generator=gen)
    np.testing.assert_array_equal(a.init_pos, traj.init_pos.numpy())
    np.testing.assert_array_equal(a.true_pos, traj.target_pos.numpy())
    with torch.no_grad():
        logits = model(traj.velocity, ens.initial_code(traj)).place_logits
    decoded = ens.place.decode(logits).numpy()
    np.testing.assert_allclose(a.decoded_pos, decoded, atol=1e-6)
    want = 100 * np.linalg.norm(decoded - traj.target_pos.numpy(), axis=-1)
    np.testing.assert_allclose(a.errors_cm, want, rtol=1e-5, atol=1e-4)
    assert a.true_path(0).shape == (26, 2)
    lengths = [np.linalg.norm(np.diff(a.true_path(i), axis=0), axis=1).sum() for i in range(5)]
    assert a.mean_distance_m == pytest.approx(np.mean(lengths))
    assert a.mean_error_cm.shape == a.sem_error_cm.shape == (25,)
    assert a.error_at(0.5) == pytest.approx(a.mean_error_cm[-1])
    c = integrate(net, n_trajectories=5, seconds=0.5, seed=2)
    assert not np.allclose(a.true_pos, c.true_pos)


def test_model_mode_is_restored_and_dropout_is_off():
    net = untrained_network(CFG, seed=0)
    net.model.train()
    a = integrate(net, n_trajectories=3, seconds=0.2)
    b = integrate(net, n_trajectories=3, seconds=0.2)
    assert net.model.training
    np.testing.assert_array_equal(a.errors_cm, b.errors_cm)  # no dropout noise


class _Oracle(torch.nn.Module):
    """Scores each place cell by its closeness to the true position: decoding hits its floor."""

    def __init__(self, ens, traj):
        super().__init__()
        self.place = -ens.place.squared_distances(traj.target_pos)
        self.hd = torch.cos(traj.target_hd[..., None] - ens.hd.centres)

    def forward(self, velocity, init_code):
        b = velocity.shape[0]
        return ModelOutput(self.place[:b], self.hd[:b], velocity, velocity)


def test_errors_are_distances_of_decoded_positions():
    ens = untrained_network(CFG).ensembles
    steps = n_steps(0.4, 0.02)
    gen = torch.Generator().manual_seed(PATH_SEED + 4)
    traj = simulate(6, steps, get_motion(CFG.motion), generator=gen)
    res = integrate(Network(_Oracle(ens, traj), ens, CFG), n_trajectories=6, seconds=0.4, seed=4)
    np.testing.assert_allclose(res.true_pos, traj.target_pos.numpy())
    want = ens.place.decode(-ens.place.squared_distances(traj.target_pos))
    np.testing.assert_allclose(res.decoded_pos, want.numpy())
    dist = 100 * (want - traj.target_pos).norm(dim=-1).numpy()
    np.testing.assert_allclose(res.errors_cm, dist, rtol=1e-5)
    # 64 place cells in a 2.2 m box: the three nearest centres are a few tens of cm away at most.
    assert res.errors_cm.mean() < 40


def test_other_motion_and_bad_arguments():
    net = untrained_network(CFG)
    slow = integrate(net, n_trajectories=4, seconds=1.0, motion="paper")
    fast = integrate(net, n_trajectories=4, seconds=1.0)
    step = lambda r: np.linalg.norm(np.diff(r.true_pos, axis=1), axis=-1).mean()  # noqa: E731
    assert step(slow) < step(fast) / 3
    with pytest.raises(ValueError):
        integrate(net, n_trajectories=0)
    with pytest.raises(ValueError):
        n_steps(0.0, 0.02)
    with pytest.raises(ValueError):
        integrate(net, n_trajectories=2, motion="bogus")


def test_summary_reports_both_networks():
    res = integrate(untrained_network(CFG), n_trajectories=3, seconds=2.0)
    s = summary(res, res)
    assert s["seconds"] == pytest.approx(2.0)
    assert s["trained_error_1s_cm"] == pytest.approx(res.error_at(1.0))
    assert s["untrained_error_end_cm"] == pytest.approx(res.mean_error_cm[-1])
    assert s["paper_trained_error_15s_cm"] == 16.0


def test_anchors_are_chosen_per_call_and_refused_for_an_unanchored_network():
    anchored = untrained_network(get_preset("tiny", anchor_prob=0.2), seed=0)
    free = integrate(anchored, n_trajectories=4, seconds=0.4, anchor_prob=0.0)
    default = integrate(anchored, n_trajectories=4, seconds=0.4)
    again = integrate(anchored, n_trajectories=4, seconds=0.4)
    np.testing.assert_array_equal(default.errors_cm, again.errors_cm)
    assert not np.array_equal(free.errors_cm, default.errors_cm)
    assert free.error_quantile_cm(0.95).shape == (20,)
    assert (free.error_quantile_cm(0.95) >= free.error_quantile_cm(0.5)).all()
    with pytest.raises(ValueError, match="reads no anchor"):
        integrate(untrained_network(CFG), n_trajectories=2, seconds=0.1, anchor_prob=0.05)


def test_trained_and_untrained_is_one_cached_measurement_with_the_sweeps_numbers(
    tmp_path, monkeypatch
):
    net = untrained_network(CFG, seed=5)  # stands for a trained network: weights not seed 0's
    opt = torch.optim.RMSprop(net.model.parameters())
    save_checkpoint(tmp_path, CFG, net.model, opt, 10, [])
    pair = trained_and_untrained(tmp_path, n_trajectories=4, seconds=0.4)
    assert trained_and_untrained(tmp_path, n_trajectories=4, seconds=0.4) is pair  # cached
    trained = integrate(load_network(tmp_path), 4, 0.4)
    untrained = integrate(untrained_network(CFG, seed=CFG.seed), 4, 0.4)
    np.testing.assert_array_equal(pair.trained.errors_cm, trained.errors_cm)
    np.testing.assert_array_equal(pair.untrained.errors_cm, untrained.errors_cm)
    assert pair.errors_cm == (trained.mean_error_cm[-1], untrained.mean_error_cm[-1])
    assert pair.errors_cm[0] != pair.errors_cm[1]

    # The sweeps' tables measure the same pair (no recorded rat here).
    def no_rat(*args, **kwargs):
        raise GridcoreError("no recording")

    monkeypatch.setattr(real_paths, "real_trajectories", no_rat)
    sweeps = real_paths.long_path_errors(load_network(tmp_path), seconds=0.4, n_paths=4)
    assert pair.errors_cm == pytest.approx(
        (sweeps["position_error_0.4s_cm"], sweeps["untrained_error_0.4s_cm"]), abs=1e-3
    )
    defaults = inspect.signature(real_paths.long_path_errors).parameters
    assert defaults["n_paths"].default == PATHS_15S


def _errors(cm_at) -> PathIntegration:
    """A one-path result, 0.02 s steps for 15 s, whose error at t s is cm_at(t)."""
    t = 0.02 * np.arange(1, 751)
    true = np.zeros((1, t.size, 2))
    decoded = true.copy()
    decoded[0, :, 0] = cm_at(t) / 100
    return PathIntegration.from_positions(np.zeros((1, 2)), true, decoded, dt=0.02)


def test_growth_exponent_and_its_sentence_follow_the_curve():
    walk = growth_exponent(_errors(lambda t: 10 * np.sqrt(t)))
    assert walk == pytest.approx(0.5, abs=0.01)
    assert growth_phrase(walk).startswith("close to 0.5")
    assert growth_exponent(_errors(lambda t: 5 * t)) == pytest.approx(1.0, abs=0.01)
    assert growth_phrase(1.0).startswith("close to 1")
    assert growth_phrase(0.1).startswith("well below 0.5")


def test_drift_verdict_quotes_the_errors_it_judges():
    trained, untrained = _errors(lambda t: 12 * t), _errors(lambda t: 100 + 0 * t)
    text = drift_verdict(trained, untrained, floor_cm=6.0, training_s=2.0)
    assert "24 cm off on average, about 4 times the decoding floor of 6 cm" in text
    assert "no better than the untrained network's (100 cm)" in text
    near = drift_verdict(_errors(lambda t: 1 + 0 * t), untrained, floor_cm=1.0, training_s=2.0)
    assert "close to the decoding floor" in near and "well below" in near
