"""The pre-flight: decoded drift and the scripted agent, on a network that cannot fail them
and one that cannot pass them."""

import pytest
import torch

from gridcore.net.config import get_preset
from gridcore.net.runs import untrained_network

pytest.importorskip("stable_baselines3")
from gridcore.navigation import preflight  # noqa: E402
from gridcore.navigation.episodes import EpisodeSettings  # noqa: E402


def test_steer_turns_towards_the_bearing():
    act = preflight.steer(torch.tensor([0.0, 0.4, -0.4, 2.0, -2.0]), turn=0.5)
    assert act.tolist() == [0, 1, 2, 3, 4]


def test_drift_and_scripted_returns_have_their_shapes():
    net = untrained_network(get_preset("tiny", anchor_prob=0.1), seed=0)
    errors = preflight.drift(net, steps=30, n_paths=4)
    assert errors.shape == (4, 30) and (errors >= 0).all()
    trips = preflight.scripted_returns(net, EpisodeSettings(steps=300), n_envs=8, progress=False)
    assert list(trips.columns) == ["env", "steps", "shortest_m", "succeeded", "recovered_after"]


def test_an_untrained_network_cannot_carry_the_scripted_agent():
    """The test can fail: an untrained code sends the scripted agent astray."""
    net = untrained_network(get_preset("tiny", anchor_prob=0.1), seed=0)
    trips = preflight.scripted_returns(net, EpisodeSettings(steps=400), n_envs=16, progress=False)
    assert len(trips) > 0 and trips.succeeded.mean() < preflight.PREFLIGHT_TARGET


def test_the_scripted_agent_with_the_truth_always_gets_back():
    """The controller's own limit: told its true position, it returns on every trip, so what
    the pre-flight measures is the code."""
    from gridcore.world.arenas import goal_doors

    net = untrained_network(get_preset("tiny", anchor_prob=0.1), seed=0)
    settings = EpisodeSettings(steps=400, speed=0.024 / net.cfg.step_time)  # 2.4 cm a step
    trips = preflight.scripted_returns(
        net, settings, goal_doors(), n_envs=16, progress=False, oracle=True
    )
    assert len(trips) > 10 and trips.succeeded.all()
