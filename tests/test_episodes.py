"""Find-then-return episodes: the batched environment's rules, one at a time."""

import math

import numpy as np
import pytest
import torch

from gridcore.errors import GridcoreError
from gridcore.net.config import get_preset
from gridcore.net.runs import untrained_network
from gridcore.world.arenas import goal_doors
from gridcore.world.trajectories import crosses_walls

pytest.importorskip("stable_baselines3")
from gridcore.navigation.episodes import (  # noqa: E402
    ACTIONS,
    N_EXTRA,
    EpisodeSettings,
    FindReturnEnvs,
)


@pytest.fixture(scope="module")
def anchored():
    return untrained_network(get_preset("tiny", anchor_prob=0.1), seed=0)


def envs(net, variant="bottleneck", n=8, **settings):
    arena = settings.pop("arena", None)
    return FindReturnEnvs(net, variant, n, EpisodeSettings(**settings), arena, seed=1)


@pytest.mark.parametrize("variant", ["bottleneck", "place", "baseline", "position"])
def test_observation_sizes(anchored, variant):
    code = {"bottleneck": 2 * 32, "place": 2 * (64 + 12), "baseline": 0, "position": 6}[variant]
    env = envs(anchored, variant)
    obs = env.reset()
    assert obs.shape == (8, code + N_EXTRA) == (8, env.observation_space.shape[0])
    assert env.action_space.n == len(ACTIONS)


def test_an_arrival_pays_one_sets_the_goal_code_and_moves_the_agent(anchored):
    env = envs(anchored, steps=50)
    env.reset()
    env.pos[0] = env.goal[0] + torch.tensor([0.05, 0.0])
    env.hd[0] = math.pi  # facing the goal; forward 3.75 cm lands within 20 cm
    code_before = env.goal_code[0].clone()
    _, reward, _, _ = env.step(np.zeros(8, dtype=int))
    assert reward[0] == 1.0 and env.known[0] == 1 and env.returns[0] == 1
    assert torch.equal(code_before, torch.zeros_like(code_before))
    assert env.goal_code[0].abs().sum() > 0
    assert (env.pos[0] - env.goal[0]).norm() >= 0.5  # moved away: it must come back
    assert env.moved[0]
    # The network kept its state through the move: nothing told it.
    assert reward[1:].sum() <= 1


def test_before_the_first_find_the_goal_code_and_flag_are_zero(anchored):
    env = envs(anchored, steps=30)
    obs = env.reset()
    n_code = env.model.bottleneck.out_features
    assert (obs[:, n_code : 2 * n_code] == 0).all() and (obs[:, 2 * n_code] == 0).all()


def test_the_cue_shows_the_goal_only_nearby(anchored):
    env = envs(anchored, "baseline")
    env.reset()
    env.pos[0], env.hd[0] = env.goal[0] - torch.tensor([0.25, 0.0]), 0.0
    env.pos[1] = env.goal[1] - torch.tensor([0.6, 0.0])
    obs = env._observe().numpy()
    cue = obs[:, -3:]
    assert cue[0, 0] == 1 and cue[0, 1] == pytest.approx(1.0, abs=1e-5)  # straight ahead
    assert (cue[1] == 0).all()


def test_episodes_last_their_steps_and_restart(anchored):
    env = envs(anchored, steps=5)
    env.reset()
    for _ in range(5):
        _, _, done, infos = env.step(np.zeros(8, dtype=int))
    assert done.all() and all("goals" in i and "terminal_observation" in i for i in infos)
    assert (env.t == 0).all() and (env.known == 0).all()


def test_no_step_crosses_a_closed_door_or_wall(anchored):
    arena = goal_doors()
    env = envs(anchored, "baseline", n=64, steps=100, arena=arena, speed=2.0)
    env.reset()
    rng = np.random.default_rng(0)
    for _ in range(300):
        before, layout = env.pos.clone(), arena.active_walls(env.open_doors)
        env.step(rng.integers(0, 3, 64))
        restarted = env.t == 0
        crossed = crosses_walls(before, env.pos, arena.segments()) & layout
        assert not crossed[~restarted & ~env.moved].any()
        assert env.pos.abs().max() <= 1.1


def test_the_shortcut_door_stays_shut_in_training_layouts(anchored):
    arena = goal_doors()
    env = envs(anchored, n=64, arena=arena)
    env.reset()
    assert not env.open_doors[:, arena.shortcut].any()


def test_zeroing_the_goal_code_and_shaping_are_options(anchored):
    env = envs(anchored, zero_goal_code=True)
    env.reset()
    env.goal_code[:] = 1.0
    n = env.model.bottleneck.out_features
    assert (env._observe()[:, n : 2 * n] == 0).all()
    with pytest.raises(GridcoreError):
        EpisodeSettings(shaping=-1.0)


def test_bad_networks_are_refused():
    with pytest.raises(GridcoreError, match="egocentric"):
        FindReturnEnvs(untrained_network(get_preset("tiny", velocity_input="allocentric")))
    with pytest.raises(GridcoreError, match="anchors"):
        FindReturnEnvs(
            untrained_network(get_preset("tiny")), settings=EpisodeSettings(anchor_prob=0.1)
        )


def test_a_single_environment_is_the_same_class_and_passes_sb3s_checks(anchored):
    from stable_baselines3.common.vec_env import VecEnv

    env = envs(anchored, n=1)
    assert isinstance(env, VecEnv)
    obs = env.reset()
    assert env.observation_space.contains(obs[0])


def test_a_return_trip_reports_the_door_it_went_through_first(anchored):
    arena = goal_doors()
    env = envs(anchored, n=2, arena=arena)
    env.reset()
    env.open_doors[:] = True  # door 0: x = 0, y from 0.22 to 0.52
    env.known[0], env.first_door[0] = 1.0, -1
    env.pos[0], env.hd[0] = torch.tensor([-0.01, 0.37]), 0.0
    env.goal[0] = torch.tensor([0.12, 0.37])
    _, reward, _, infos = env.step(np.zeros(2, dtype=int))
    assert reward[0] == 1.0 and infos[0]["return_steps"] >= 1
    assert infos[0]["first_door"] == 0
