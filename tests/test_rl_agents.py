import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from gridcore.cli import main
from gridcore.errors import GridcoreError
from gridcore.navigation import rl_agents as rl
from gridcore.navigation.env import NavigationEnv
from gridcore.world.arenas import two_rooms

pytest.importorskip("stable_baselines3")
pytest.importorskip("sb3_contrib")

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "checkpoints" / "grid-lstm"
LEARNABLE = dict(rl.TRAIN_OPTIONS)  # the position bound learns in 10^4 steps


@pytest.fixture
def saved_agent(tiny_network, tmp_path) -> rl.Agent:
    spec = rl.AgentSpec("position", steps=256, seed=0, n_envs=2, options=dict(LEARNABLE))
    return rl.train_agent(tiny_network, spec, tmp_path / "agent")


def test_a_tiny_ppo_agent_beats_random_actions(tiny_network):
    spec = rl.AgentSpec("position", steps=8192, seed=0, n_envs=4, options=dict(LEARNABLE))
    agent = rl.train_agent(tiny_network, spec)
    env = NavigationEnv(tiny_network, "position", **LEARNABLE)
    trained = rl.evaluate(rl.SB3Policy(agent), env, episodes=100, seed=11)
    random = rl.evaluate(rl.RandomActions(0), env, episodes=100, seed=11)
    walk = rl.evaluate(rl.RandomWalk(env, 0), env, episodes=100, seed=11)
    assert random.success_rate < 0.35 and walk.success_rate < 0.35
    assert trained.success_rate > max(random.success_rate, walk.success_rate) + 0.25
    np.testing.assert_array_equal(trained.distance_m, random.distance_m)  # the same episodes


def test_an_agent_is_saved_with_its_manifest_and_loads_back(saved_agent, tiny_network):
    directory = saved_agent.directory
    assert sorted(p.name for p in directory.iterdir()) == ["agent.zip", rl.MANIFEST, "monitor"]
    manifest = json.loads((directory / rl.MANIFEST).read_text())
    assert manifest["format"] == rl.FORMAT and manifest["spec"]["variant"] == "position"
    loaded = rl.load_agent(directory, tiny_network)
    obs = NavigationEnv(tiny_network, "position").reset(seed=3)[0]
    np.testing.assert_array_equal(rl.SB3Policy(loaded)(obs), rl.SB3Policy(saved_agent)(obs))
    with pytest.raises(GridcoreError, match="already holds an agent"):
        rl.train_agent(tiny_network, saved_agent.spec, directory)


def test_a_zip_without_gridcores_manifest_is_refused(saved_agent, tmp_path, capsys):
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    shutil.copy(saved_agent.directory / "agent.zip", stranger / "agent.zip")
    with pytest.raises(GridcoreError, match="not an agent gridcore wrote"):
        rl.load_agent(stranger)
    args = ["navigate", str(SHIPPED), "--agent", "rl", "--load", str(stranger)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not an agent gridcore wrote" in err[0]


def test_a_zip_changed_after_saving_is_refused(saved_agent):
    zip_path = saved_agent.directory / "agent.zip"
    zip_path.write_bytes(zip_path.read_bytes() + b"\0")
    with pytest.raises(GridcoreError, match="not the file gridcore wrote"):
        rl.load_agent(saved_agent.directory)


def test_an_agent_of_another_network_is_refused(saved_agent, tiny_network):
    saved = json.loads((saved_agent.directory / rl.MANIFEST).read_text())
    saved["spec"]["network_sha256"] = "0" * 64
    (saved_agent.directory / rl.MANIFEST).write_text(json.dumps(saved))
    with pytest.raises(GridcoreError, match="weights differ"):
        rl.load_agent(saved_agent.directory, tiny_network)


def test_a_recurrent_agent_trains_and_is_tested(tiny_network):
    spec = rl.AgentSpec("grid", "recurrent-ppo", steps=256, n_envs=2, units=[1, 2, 3])
    agent = rl.train_agent(tiny_network, spec)
    env = NavigationEnv(tiny_network, "grid", [1, 2, 3], max_steps=20)
    result = rl.evaluate(rl.SB3Policy(agent), env, episodes=4, seed=0)
    assert len(result.success) == 4 and (result.steps <= 20).all()


def test_environments_step_in_their_own_processes(tiny_network):
    spec = rl.AgentSpec("position", n_envs=2, options={"max_steps": 5})
    env = rl.vector_env(tiny_network, spec, seed=0, subprocess=True)
    try:
        obs = env.reset()
        for _ in range(5):
            obs, _, done, infos = env.step(np.zeros((2, 2), dtype=np.float32))
    finally:
        env.close()
    assert obs.shape == (2, 6) and done.all() and "episode" in infos[0]


class Straight:
    """Turn towards the goal and run, read from the position variant's observation."""

    def __init__(self, env: NavigationEnv) -> None:
        self.env = env

    def reset(self) -> None:
        pass

    def __call__(self, obs: np.ndarray) -> np.ndarray:
        to_goal = (obs[2:4] - obs[:2]) * self.env.half
        turn = np.arctan2(to_goal[1], to_goal[0]) - np.arctan2(obs[5], obs[4])
        turn = (turn + np.pi) % (2 * np.pi) - np.pi
        return np.array([np.clip(turn / self.env.max_turn, -1, 1), 1.0], dtype=np.float32)


def test_door_first_routes_are_counted_in_the_arena(tiny_network):
    opened, closed = (
        NavigationEnv(tiny_network, "position", arena=two_rooms(), door_open=door)
        for door in (True, False)
    )
    through = rl.evaluate(Straight(opened), opened, episodes=20, seed=0)
    assert through.crossed_at.shape == (20, 2)
    assert through.first_crossing_rate(0) > 0.8 and through.first_crossing_rate(1) == 0
    assert through.success_rate > 0.8
    blocked = rl.evaluate(Straight(closed), closed, episodes=20, seed=0)
    assert blocked.first_crossing_rate(0) == 0 and blocked.success.any()
    assert (blocked.crossed_at[blocked.success, 1] >= 0).all()  # round by the gap, sliding
    np.testing.assert_array_equal(through.distance_m < blocked.distance_m, True)


def test_the_random_walk_draws_the_rats_turns_and_speeds(tiny_network):
    walk = rl.RandomWalk(NavigationEnv(tiny_network, "position"), seed=0)
    actions = np.array([walk(None) for _ in range(4000)])
    motion = tiny_network.motion
    speed = (actions[:, 1] + 1) / 2 * 2 * motion.mean_speed
    assert abs(speed.mean() - motion.mean_speed) < 0.1 * motion.mean_speed  # few clipped
    assert abs(actions[:, 0].std() * 3 - 1) < 0.05  # the action limit is 3 s.d. of a turn


def _monitor(path: Path, start: float, rows: list[tuple[int, float, bool]]) -> None:
    lines = [f'#{{"t_start": {start}, "env_id": "None"}}', "r,l,t,is_success"]
    lines += [f"0.0,{length},{t},{ok}" for length, t, ok in rows]
    path.write_text("\n".join(lines) + "\n")


def test_episodes_to_success_reads_the_training_logs(tmp_path):
    # Two environments' episodes, interleaved in time: failures, then successes.
    _monitor(tmp_path / "0.monitor.csv", 100.0, [(10, 1.0, False), (10, 3.0, True), (5, 5.0, True)])
    _monitor(tmp_path / "1.monitor.csv", 100.5, [(20, 1.0, False), (7, 3.0, True)])
    order = rl.monitor_episodes(tmp_path)["l"].tolist()
    assert order == [10, 20, 10, 7, 5]
    assert rl.episodes_to_success(tmp_path, window=2) == (3, 40)
    assert rl.episodes_to_success(tmp_path, level=1.0, window=2) == (4, 47)
    assert rl.episodes_to_success(tmp_path, level=0.9, window=5) == (None, None)
    with pytest.raises(GridcoreError, match="no training logs"):
        rl.episodes_to_success(tmp_path / "none")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--variant", "grid"], "is for --agent rl"),
        (["--agent", "rl", "--variant", "position"], "needs --out"),
        (["--agent", "rl", "--load", "{tmp}", "--variant", "grid"], "keeps what it was trained"),
        (["--agent", "rl", "--lesion", "grid", "--out", "{tmp}/a"], "go together"),
        (["--agent", "rl", "--load", "{tmp}/none"], "no such agent directory"),
        (["--agent", "rl", "--variant", "place", "--steps", "0"], "positive integer"),
        (["--agent", "rl", "--shortcut", "--test-goals", "left"], "own start and goal zones"),
        (
            ["--agent", "rl", "--variant", "place", "--out", "{tmp}/x", "--max-distance", "0.1"],
            "below min_distance",
        ),
    ],
)
def test_navigate_rl_bad_input_gives_one_line(tmp_path, capsys, args, message):
    args = ["navigate", str(SHIPPED), *(a.replace("{tmp}", str(tmp_path)) for a in args)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("gridcore: error:") and message in err[0]


@pytest.mark.skipif(not SHIPPED.is_dir(), reason="no shipped checkpoint")
def test_navigate_trains_and_tests_an_rl_agent(tmp_path, capsys):
    out = tmp_path / "agent"
    args = ["navigate", str(SHIPPED), "--agent", "rl", "--variant", "position", "--steps", "512"]
    assert main([*args, "--out", str(out), "--episodes", "5", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["n_inputs"] == 6 and summary["agent_dir"] == str(out)
    assert set(summary["agents"]) == {"agent", "random actions", "random walk"}
    load = ["navigate", str(SHIPPED), "--agent", "rl", "--load", str(out), "--episodes", "5"]
    assert main([*load, "--test-goals", "right", "--lesion", "random", "--lesion-k", "3"]) == 0
    printed = capsys.readouterr().out
    assert (
        "goals in the box's right half" in printed and "agent, 3 random units silenced" in printed
    )
