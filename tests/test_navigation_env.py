import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from gridcore.errors import GridcoreError
from gridcore.navigation import vectors as nv
from gridcore.navigation.env import OBS_CLIP, VARIANTS, FrozenCore, NavigationEnv
from gridcore.world.arenas import two_rooms
from gridcore.world.trajectories import simulate

pytest.importorskip("gymnasium")
from gymnasium.utils.env_checker import check_env  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
UNITS = [3, 5, 7, 11, 20]  # "grid-like" units of the tiny network, for the API


def env_of(net, variant="grid", **options) -> NavigationEnv:
    return NavigationEnv(net, variant, UNITS, **options)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_passes_gymnasiums_checker(tiny_network, variant):
    env = env_of(tiny_network, variant)
    check_env(env, skip_render_check=True)
    obs, info = env.reset(seed=1)
    assert env.observation_space.contains(obs)
    assert set(info) >= {"is_success", "path_m", "distance_m", "steps"}


def test_observation_sizes_per_variant(tiny_network):
    n, place = 32, 64  # the tiny preset's bottleneck and place cells
    k = len(UNITS)
    sizes = {
        "grid": 2 * k + 2,
        "place": 2 * place + 2,
        "bottleneck": 2 * n + 2,
        "grid-no-goal": k + 2,
        "untrained": 2 * n + 2,
        "position": 6,
    }
    for variant, size in sizes.items():
        env = env_of(tiny_network, variant)
        assert env.observation_space.shape == (size,), variant
        assert env.reset(seed=0)[0].shape == (size,)
        if variant != "position":
            assert env_of(tiny_network, variant, heading=False).observation_space.shape == (
                size - 2,
            )


def test_the_network_is_stepped_as_it_runs_on_a_whole_path(tiny_network):
    net = tiny_network
    traj = simulate(1, 12, net.motion, generator=torch.Generator().manual_seed(0))
    full, _, _ = nv.run_codes(net, traj)
    head = traj[torch.arange(1)]
    head.velocity, head.target_pos = traj.velocity[:, :7], traj.target_pos[:, :7]
    head.target_hd, head.velocity_xy = traj.target_hd[:, :7], traj.velocity_xy[:, :7]
    _, _, state = nv.run_codes(net, head)
    core = FrozenCore(net.model)
    core.start(state, full[0, 6])
    for t in range(7, 12):
        core.step(traj.velocity[:, t])
        assert torch.allclose(core.code, full[0, t], atol=1e-5)


def _place(env: NavigationEnv, pos, goal) -> None:
    env.pos, env.heading = np.array(pos, dtype=float), 0.0
    env.goal_pos = np.array(goal, dtype=float)


def test_codes_come_from_the_agents_velocity_never_its_position(tiny_network):
    a, b = env_of(tiny_network), env_of(tiny_network)
    a.reset(seed=4)
    b.reset(seed=4)
    _place(a, (0.0, 0.0), (0.9, 0.9))
    _place(b, (-0.4, 0.3), (0.9, 0.9))  # elsewhere, but as far from every wall as it needs
    for action in ([0.3, 0.0], [-0.5, 0.5], [1.0, -0.2], [0.0, 0.0]):
        obs_a, *_ = a.step(np.array(action, dtype=np.float32))
        obs_b, *_ = b.step(np.array(action, dtype=np.float32))
        np.testing.assert_array_equal(obs_a, obs_b)
    assert not np.allclose(a.pos, b.pos)
    pa, pb = env_of(tiny_network, "position"), env_of(tiny_network, "position")
    for env, pos in ((pa, (0.0, 0.0)), (pb, (-0.4, 0.3))):
        env.reset(seed=4)
        _place(env, pos, (0.9, 0.9))
    assert not np.allclose(pa.step(np.zeros(2))[0], pb.step(np.zeros(2))[0])


def test_the_box_and_the_arenas_walls_stop_the_agent(tiny_network):
    env = env_of(tiny_network, "position", max_steps=50)
    env.reset(seed=0)
    _place(env, (1.0, 0.0), (-0.9, -0.9))
    for _ in range(10):
        env.step(np.array([0.0, 1.0], dtype=np.float32))  # straight on, full speed
    assert env.pos[0] == pytest.approx(1.1) and abs(env.pos[1]) < 1e-9
    closed = env_of(tiny_network, "position", arena=two_rooms(), door_open=False)
    opened = env_of(tiny_network, "position", arena=two_rooms(), door_open=True)
    for env, wall_y in ((closed, -0.6), (closed, 0.0), (opened, -0.6)):
        env.reset(seed=0)
        _place(env, (-0.2, wall_y), (0.9, 0.9))
        for _ in range(15):
            *_, info = env.step(np.array([0.0, 1.0], dtype=np.float32))
        assert env.pos[0] < 0, "went through a wall"
    assert list(info["crossed_at"]) == [-1, -1]
    opened.reset(seed=0)
    _place(opened, (-0.2, 0.0), (0.9, 0.9))
    for _ in range(15):
        *_, info = opened.step(np.array([0.0, 1.0], dtype=np.float32))
    assert opened.pos[0] > 0 and info["crossed_at"][0] >= 0 and info["crossed_at"][1] == -1


def test_reaching_the_goal_ends_the_episode_with_the_reward(tiny_network):
    env = env_of(tiny_network, "position", step_cost=0.01, shaping=0.0)
    env.reset(seed=0)
    _place(env, (0.0, 0.0), (0.45, 0.0))
    rewards = []
    for _ in range(20):
        _, reward, terminated, truncated, info = env.step(np.array([0.0, 1.0], dtype=np.float32))
        rewards.append(reward)
        if terminated:
            break
    assert terminated and not truncated and info["is_success"]
    assert rewards[-1] == 1.0 and all(r == -0.01 for r in rewards[:-1])
    step = 2 * tiny_network.motion.mean_speed * tiny_network.motion.dt
    assert info["path_m"] == pytest.approx(len(rewards) * step)
    assert 0.25 - 1e-9 < len(rewards) * step < 0.25 + step


def test_an_episode_is_truncated_after_max_steps(tiny_network):
    env = env_of(tiny_network, "position", max_steps=7)
    env.reset(seed=0)
    _place(env, (0.0, 0.0), (0.9, 0.9))
    for t in range(7):
        _, _, terminated, truncated, info = env.step(np.array([0.0, -1.0], dtype=np.float32))
        assert not terminated and truncated == (t == 6)
    assert info["path_m"] == 0.0 and info["steps"] == 7


def test_progress_towards_the_goal_is_rewarded_when_shaping(tiny_network):
    env = env_of(tiny_network, "position", step_cost=0.0, shaping=5.0)
    env.reset(seed=0)
    _place(env, (0.0, 0.0), (0.9, 0.0))
    _, toward, *_ = env.step(np.array([0.0, 1.0], dtype=np.float32))
    env.heading = math.pi
    _, away, *_ = env.step(np.array([0.0, 1.0], dtype=np.float32))
    step = 2 * tiny_network.motion.mean_speed * tiny_network.motion.dt
    assert toward == pytest.approx(5 * step, rel=1e-5) and away == pytest.approx(
        -5 * step, rel=1e-5
    )


def test_goals_keep_to_their_region_and_distance(tiny_network):
    for region, sign in (("left", -1), ("right", 1)):
        env = env_of(
            tiny_network, "position", goal_region=region, min_distance=0.5, max_distance=1.0
        )
        env.reset(seed=2)
        for _ in range(25):
            env.reset()
            assert sign * env.goal_pos[0] >= 0
            assert 0.5 <= np.linalg.norm(env.goal_pos - env.pos) <= 1.0
    arena = two_rooms()
    env = env_of(tiny_network, "position", arena=arena)
    env.reset(seed=0)
    for _ in range(5):
        env.reset()
        start, goal = (torch.tensor(x[None]) for x in (env.pos, env.goal_pos))
        assert arena.in_zone(start, arena.start_zone).all()
        assert arena.in_zone(goal, arena.goal_zone).all()
        assert env.distance_m > np.linalg.norm(env.goal_pos - env.pos) + 0.1  # round the wall


def test_the_same_seed_gives_the_same_episodes(tiny_network):
    a, b = env_of(tiny_network), env_of(tiny_network)
    for seed in (0, 9):
        obs_a, _ = a.reset(seed=seed)
        obs_b, _ = b.reset(seed=seed)
        np.testing.assert_array_equal(obs_a, obs_b)
        np.testing.assert_array_equal(a.goal_pos, b.goal_pos)
    assert not np.array_equal(a.reset(seed=1)[0], a.reset(seed=2)[0])


def test_a_lesion_silences_exactly_the_chosen_units(tiny_network):
    intact = env_of(tiny_network, "bottleneck")
    lesioned = env_of(tiny_network, "bottleneck", lesion=[0, 3])
    n = 32
    silent = np.array([0, 3, n, n + 3])
    first, _ = lesioned.reset(seed=5)
    seen = [first]
    for _ in range(5):
        seen.append(lesioned.step(np.array([0.5, 0.5], dtype=np.float32))[0])
    seen = np.array(seen)
    std, mean = lesioned._std.numpy(), lesioned._mean.numpy()
    silent_value = np.concatenate([-mean / std] * 2)[silent].clip(-OBS_CLIP, OBS_CLIP)
    np.testing.assert_allclose(seen[:, silent], np.broadcast_to(silent_value, (6, 4)), rtol=1e-6)
    others = np.setdiff1d(np.arange(n), [0, 3])
    assert (seen[:, others].std(0) > 0).all()  # the rest still moves with the agent
    np.testing.assert_array_equal(intact.reset(seed=5)[0][others], first[others])
    grid = env_of(tiny_network, "grid", lesion=[5])  # UNITS[1]: observation 1 and its goal
    obs, _ = grid.reset(seed=5)
    steps = np.array([grid.step(np.array([0.5, 0.5], dtype=np.float32))[0] for _ in range(4)])
    k = len(UNITS)
    assert np.ptp(steps[:, 1]) == 0 and (np.ptp(steps[:, [0, 2, 3, 4]], axis=0) > 0).all()
    assert obs[1] == obs[k + 1]
    place = env_of(tiny_network, "place", lesion=[0, 3])
    assert not np.allclose(place.reset(seed=5)[0], env_of(tiny_network, "place").reset(seed=5)[0])


@pytest.mark.parametrize(
    "variant, options, message",
    [
        ("nonsense", {}, "unknown variant"),
        ("grid", {"goal_region": "north"}, "unknown goal region"),
        ("grid", {"tolerance": 0.3, "min_distance": 0.25}, "tolerance < min_distance"),
        ("grid", {"max_distance": 0.1}, "below min_distance"),
        ("grid", {"max_steps": 0}, "max_steps"),
        ("grid", {"arena": two_rooms(), "goal_region": "left"}, "own start and goal zones"),
    ],
)
def test_bad_options_are_refused(tiny_network, variant, options, message):
    with pytest.raises(GridcoreError, match=message):
        env_of(tiny_network, variant, **options)


def test_grid_variants_need_units_and_navigation_a_recurrent_core(tiny_network):
    with pytest.raises(GridcoreError, match="needs grid-like units"):
        NavigationEnv(tiny_network, "grid-no-goal")
    with pytest.raises(GridcoreError, match="index the 32"):
        NavigationEnv(tiny_network, "grid", [40])
    tiny_network.model.core_name = "attention"
    with pytest.raises(GridcoreError, match="recurrent core"):
        NavigationEnv(tiny_network, "bottleneck")


def test_gridcore_imports_without_the_rl_extra():
    code = (
        "import sys\n"
        "for name in ('gymnasium', 'stable_baselines3', 'sb3_contrib'): sys.modules[name] = None\n"
        "import gridcore.cli, gridcore.navigation.rl_agents\n"
        "from gridcore.net.config import get_preset\n"
        "from gridcore.errors import GridcoreError\n"
        "from gridcore.navigation.env import NavigationEnv\n"
        "try:\n"
        "    NavigationEnv(None, 'position')\n"
        "except GridcoreError as err:\n"
        "    print(err)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "pip install 'gridcore[rl]'" in proc.stdout


@pytest.mark.parametrize("variant", ["position", "grid"])
def test_the_heading_action_turns_towards_a_direction_by_at_most_max_turn(tiny_network, variant):
    env = env_of(tiny_network, variant, action="heading")
    env.reset(seed=0)
    believed = env._believed_heading()
    for offset in (0.2, -0.3, 2.5):
        aim = believed + offset
        turn, speed = env.turn_and_speed(np.array([math.cos(aim), math.sin(aim)]) * 0.5)
        assert turn == pytest.approx(np.clip(offset, -env.max_turn, env.max_turn))
        assert speed == pytest.approx(0.5 * env.max_speed)
    assert env.turn_and_speed(np.zeros(2)) == (0.0, 0.0)
    for action in ("turn", "heading"):
        env = env_of(tiny_network, variant, action=action)
        env.reset(seed=0)
        for turn, speed in ((0.1, 0.5), (-0.4, 1.2)):
            back = env.turn_and_speed(env.action_for(turn, speed))
            np.testing.assert_allclose(back, (turn, speed), atol=1e-5)
    with pytest.raises(GridcoreError, match="unknown action"):
        env_of(tiny_network, variant, action="jump")


def test_the_heading_action_moves_the_position_agent_where_it_points(tiny_network):
    env = env_of(tiny_network, "position", action="heading")
    env.reset(seed=0)
    _place(env, (0.0, 0.0), (0.9, 0.9))
    env.heading = 0.0
    env.step(np.array([0.0, 1.0], dtype=np.float32))  # north, from facing east
    assert env.heading == pytest.approx(env.max_turn)
    step = env.max_speed * tiny_network.motion.dt
    np.testing.assert_allclose(
        env.pos, step * np.array([math.cos(env.max_turn), math.sin(env.max_turn)])
    )


def test_the_difference_is_the_goal_code_less_the_current_one(tiny_network):
    plain, diff = env_of(tiny_network), env_of(tiny_network, difference=True)
    k = len(UNITS)
    assert diff.observation_space.shape[0] == plain.observation_space.shape[0] + k
    obs = diff.reset(seed=2)[0]
    np.testing.assert_allclose(obs[2 * k : 3 * k], np.clip(obs[k : 2 * k] - obs[:k], -10, 10))
    np.testing.assert_array_equal(obs[: 2 * k], plain.reset(seed=2)[0][: 2 * k])
    assert env_of(tiny_network, "position", difference=True).observation_space.shape == (6,)
