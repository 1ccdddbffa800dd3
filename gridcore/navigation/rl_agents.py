"""Agents that learn to navigate by reinforcement (Banino et al. 2018, Fig. 3 and 4).

Agents are trained on :class:`gridcore.navigation.env.NavigationEnv` with stable-baselines3's
PPO (a feed-forward ``MlpPolicy``) or sb3-contrib's RecurrentPPO (an LSTM policy, for a variant
whose observation leaves out something the agent must remember), on the CPU, several
environments stepped side by side (``DummyVecEnv``, or ``SubprocVecEnv`` in separate processes).
No reinforcement-learning algorithm is written here.

**Saved agents.** SB3 saves an agent as a zip file that holds pickled Python objects, and
loading one runs whatever code the pickles name. gridcore therefore loads only agents it wrote:
:func:`save_agent` puts ``agent.zip`` in a directory beside ``gridcore-agent.json``, a manifest
with the agent's variant, environment options, grid-like units, the network it was trained on
(SHA-256 of its weights) and the zip's own SHA-256; :func:`load_agent` refuses a directory
without that manifest, or whose zip is not the one the manifest names. Load agents only from
directories you or gridcore made.

**Measures.** :func:`evaluate` runs a policy for a number of episodes on one environment:
success rate, path length over the shortest path less the tolerance (successful episodes,
median), steps, and in an arena which gate the path went through first
(:class:`gridcore.navigation.agents.AgentResult`). Baselines on the same episodes:
:class:`RandomActions` (actions uniform in the action box) and :class:`RandomWalk` (the rat's own
foraging statistics: turns and speeds drawn as the motion model draws them).
:func:`episodes_to_success` reads the training Monitor logs: the episodes (and environment steps)
until the success rate over the last ``window`` episodes first reached 50 %.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from gridcore.errors import GridcoreError
from gridcore.files import write_text_atomic
from gridcore.navigation.agents import AgentResult
from gridcore.navigation.env import INSTALL_HINT, NavigationEnv, require_gymnasium
from gridcore.navigation.vectors import NAV_SEED, grid_unit_scores, grid_units, lesion_units
from gridcore.net.runs import Network, load_network
from gridcore.world.arenas import two_rooms

ALGORITHMS = ("ppo", "recurrent-ppo")
AGENT_ZIP = "agent.zip"
MANIFEST = "gridcore-agent.json"
FORMAT = "gridcore-rl-agent"
FORMAT_VERSION = 1
MONITOR_DIR = "monitor"
SUCCESS_LEVEL = 0.5
# PPO's settings for a budget of some 10^5 environment steps per agent on the CPU: rollouts of
# 256 steps per environment, minibatches of 256, SB3's learning rate (3e-4) and a horizon of
# some twenty steps (gamma 0.95), about the steps a goal takes. With them and TRAIN_OPTIONS, an
# MLP policy on the shipped grid-lstm's grid units (or place read-out) reaches 30-44 % success
# after 10^5 steps, 43-59 % when it samples its actions (seeds 0 and 1), where actions drawn at
# random reach 19 % and the rat's random walk 10 %; a policy that decodes the network's place
# read-out and heads straight for the goal reaches 56 %. Settings for some 10^4 steps (learning
# rate 3e-3, rollouts of 128 steps, minibatches of 64, gamma 0.9) left the grid agent at random
# actions' level (17 %) after 10^5 steps; an LSTM policy (RecurrentPPO) learnt no more and
# trains six times slower; hidden layers of 256 units learnt no more than SB3's 64.
PPO_DEFAULTS = {
    "n_steps": 256,
    "batch_size": 256,
    "n_epochs": 10,
    "learning_rate": 3e-4,
    "gamma": 0.95,
}
# The environment options agents train with unless told otherwise: the heading action (the
# policy names a direction in the room; with the turn action a policy on the place read-out
# stayed at random actions' level after 6 * 10^4 steps) and progress shaping 5 (a reward for
# each metre of progress, measured from the true positions: privileged information given to
# the reward alone; with the paper's sparse reward the grid agent stayed at the level of random
# actions after 10^5 steps). Pass shaping 0 for the sparse reward.
TRAIN_OPTIONS = {"action": "heading", "shaping": 5.0}
RECURRENT_DEFAULTS = {**PPO_DEFAULTS, "learning_rate": 1e-3, "batch_size": 128}
EVAL_SEED = NAV_SEED + 7000  # test episodes never coincide with the training environments'
LESIONS = ("grid", "random")


def _sb3():
    """stable-baselines3 and sb3-contrib, of the rl extra (GridcoreError without them)."""
    require_gymnasium()
    try:
        import sb3_contrib
        import stable_baselines3
    except ModuleNotFoundError:
        raise GridcoreError(
            f"RL agents need stable-baselines3 and sb3-contrib: {INSTALL_HINT}"
        ) from None
    return stable_baselines3, sb3_contrib


def _algorithm(name: str):
    """The SB3 class and policy of one of :data:`ALGORITHMS`."""
    sb3, contrib = _sb3()
    if name == "ppo":
        return sb3.PPO, "MlpPolicy", PPO_DEFAULTS
    if name == "recurrent-ppo":
        return contrib.RecurrentPPO, "MlpLstmPolicy", RECURRENT_DEFAULTS
    raise GridcoreError(f"unknown algorithm {name!r}; choose one of: {', '.join(ALGORITHMS)}")


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def network_sha256(net: Network) -> str | None:
    """SHA-256 of the network's weights file, None for a network not loaded from a run."""
    if net.run_dir is None:
        return None
    path = Path(net.run_dir) / "model.safetensors"
    return file_sha256(path) if path.is_file() else None


# --------------------------------------------------------------------------------------------
# Environments


@dataclass
class AgentSpec:
    """What an agent was trained on: enough to rebuild its environment. ``options`` are
    :class:`NavigationEnv`'s keyword options (JSON values; ``arena`` the name ``"two-rooms"``);
    ``scores`` the bottleneck units' 60-degree grid scores, when they were computed."""

    variant: str
    algorithm: str = "ppo"
    steps: int = 0
    seed: int = 0
    n_envs: int = 4
    units: list[int] | None = None
    options: dict = field(default_factory=lambda: dict(TRAIN_OPTIONS))
    network: str = ""
    network_sha256: str | None = None
    scores: list[float | None] | None = None

    def grid_scores(self) -> np.ndarray | None:
        """The scores as an array, -inf where a unit has none."""
        if self.scores is None:
            return None
        return np.array([-math.inf if s is None else s for s in self.scores], dtype=float)


def make_env(net: Network, variant: str, units=None, options: dict | None = None, threads=None):
    """One :class:`NavigationEnv`; ``threads`` sets torch's threads first (for a process of
    its own)."""
    if threads is not None:
        torch.set_num_threads(threads)
    return NavigationEnv(net, variant, units, **env_options(options or {}))


def env_options(options: dict) -> dict:
    """:class:`NavigationEnv` keyword options from JSON ones (the arena by name)."""
    from_json = dict(options)
    if from_json.get("arena") == "two-rooms":
        from_json["arena"] = two_rooms()
    elif from_json.get("arena") is not None:
        raise GridcoreError(f"unknown arena {from_json['arena']!r}; gridcore knows two-rooms")
    return from_json


def vector_env(
    net: Network,
    spec: AgentSpec,
    seed: int,
    monitor_dir: Path | None = None,
    subprocess: bool = False,
):
    """``spec.n_envs`` environments stepped together, each wrapped in SB3's ``Monitor`` (which
    logs every episode's return, length and success to ``monitor_dir``, if given) and seeded
    ``seed``, ``seed + 1``, ...; in separate processes (one torch thread each) with
    ``subprocess``."""
    _sb3()
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

    factory = partial(
        make_env, net, spec.variant, spec.units, spec.options, 1 if subprocess else None
    )
    return make_vec_env(
        factory,
        n_envs=spec.n_envs,
        seed=seed,
        monitor_dir=None if monitor_dir is None else str(monitor_dir),
        monitor_kwargs={"info_keywords": ("is_success",)},
        vec_env_cls=SubprocVecEnv if subprocess else DummyVecEnv,
    )


# --------------------------------------------------------------------------------------------
# Training, saving and loading


@dataclass
class Agent:
    """A trained SB3 model, what it was trained on, and the directory it lives in (if saved)."""

    model: object
    spec: AgentSpec
    directory: Path | None = None

    @property
    def recurrent(self) -> bool:
        return self.spec.algorithm == "recurrent-ppo"


def check_out_dir(out: str | Path) -> Path:
    """A directory that may take a new agent: created if missing; one that already holds an
    agent (or a file) is refused."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise GridcoreError(f"{out}: not a directory")
    if (out / MANIFEST).exists() or (out / AGENT_ZIP).exists():
        raise GridcoreError(f"{out} already holds an agent: load it, or choose another directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise GridcoreError(f"{out}: cannot write here ({err.strerror})") from None
    return out


def train_agent(
    net: Network,
    spec: AgentSpec,
    out: str | Path | None = None,
    subprocess: bool = False,
    hyper: dict | None = None,
) -> Agent:
    """Train ``spec.algorithm`` for ``spec.steps`` environment steps (all environments together)
    from ``spec.seed``, on ``spec.n_envs`` environments; with ``out``, log the episodes there
    (``monitor/``) and save the agent (:func:`save_agent`). ``hyper`` overrides PPO's settings
    (:data:`PPO_DEFAULTS`)."""
    if spec.steps < 1 or spec.n_envs < 1:
        raise GridcoreError(f"need steps, envs >= 1; got {spec.steps}, {spec.n_envs}")
    cls, policy, defaults = _algorithm(spec.algorithm)
    make_env(net, spec.variant, spec.units, spec.options)  # bad options refused before any file
    out = None if out is None else check_out_dir(out)
    spec.network = "" if net.run_dir is None else str(net.run_dir)
    spec.network_sha256 = network_sha256(net)
    monitor = None if out is None else out / MONITOR_DIR
    if monitor is not None:
        monitor.mkdir(exist_ok=True)
    env = vector_env(net, spec, spec.seed, monitor, subprocess)
    try:
        settings = {**defaults, **(hyper or {})}
        settings["batch_size"] = min(settings["batch_size"], settings["n_steps"] * spec.n_envs)
        model = cls(policy, env, seed=spec.seed, device="cpu", verbose=0, **settings)
        model.learn(total_timesteps=spec.steps)
    finally:
        env.close()
    agent = Agent(model, spec, out)
    if out is not None:
        save_agent(agent, out)
    return agent


def save_agent(agent: Agent, out: str | Path) -> Path:
    """Write ``agent.zip`` (SB3's ``save``) and its manifest ``gridcore-agent.json`` into
    ``out``; return ``out``."""
    out = Path(out)
    zip_path = out / AGENT_ZIP
    agent.model.save(zip_path)
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "agent_sha256": file_sha256(zip_path),
        "spec": asdict(agent.spec),
    }
    write_text_atomic(out / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    agent.directory = out
    return out


def read_manifest(directory: str | Path) -> dict:
    """The manifest of an agent directory gridcore wrote, checked against its zip; anything
    else is a GridcoreError (an SB3 zip holds pickles: gridcore loads only its own)."""
    directory = Path(directory)
    zip_path, path = directory / AGENT_ZIP, directory / MANIFEST
    if not directory.is_dir():
        raise GridcoreError(f"{directory}: no such agent directory")
    if not path.is_file():
        raise GridcoreError(
            f"{directory}: no {MANIFEST}, so not an agent gridcore wrote; gridcore loads only "
            "its own agents (an SB3 zip holds pickled code)"
        )
    try:
        manifest = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise GridcoreError(f"{path}: unreadable manifest ({err})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise GridcoreError(f"{path}: not a gridcore agent manifest")
    if manifest.get("version") != FORMAT_VERSION:
        raise GridcoreError(
            f"{path}: manifest version {manifest.get('version')!r} is not {FORMAT_VERSION}"
        )
    if not zip_path.is_file():
        raise GridcoreError(f"{directory}: the manifest names {AGENT_ZIP}, which is missing")
    if file_sha256(zip_path) != manifest.get("agent_sha256"):
        raise GridcoreError(
            f"{zip_path} is not the file gridcore wrote (its SHA-256 differs from the "
            "manifest's): refusing to load it"
        )
    return manifest


def load_agent(directory: str | Path, net: Network | None = None) -> Agent:
    """The agent gridcore saved in ``directory`` (see :func:`read_manifest`); with ``net``,
    refuse it unless it was trained on that network's weights."""
    manifest = read_manifest(directory)
    try:
        spec = AgentSpec(**manifest["spec"])
    except TypeError as err:
        raise GridcoreError(f"{directory}: the manifest's spec does not fit ({err})") from None
    if net is not None and spec.network_sha256 != network_sha256(net):
        raise GridcoreError(
            f"{directory}: the agent was trained on the network of {spec.network}, whose "
            f"weights differ from {net.run_dir}'s"
        )
    cls, _, _ = _algorithm(spec.algorithm)
    model = cls.load(Path(directory) / AGENT_ZIP, device="cpu")
    return Agent(model, spec, Path(directory))


# --------------------------------------------------------------------------------------------
# Policies and their evaluation


class SB3Policy:
    """An SB3 model as a policy: ``policy(obs) -> action``; ``reset()`` at each episode's start
    (a recurrent policy's memory is cleared there)."""

    def __init__(self, agent: Agent, deterministic: bool = True) -> None:
        self.model, self.recurrent = agent.model, agent.recurrent
        self.deterministic = deterministic
        self.reset()

    def reset(self) -> None:
        self.state, self.start = None, np.ones((1,), dtype=bool)

    def __call__(self, obs: np.ndarray) -> np.ndarray:
        if self.recurrent:
            action, self.state = self.model.predict(
                obs[None],
                state=self.state,
                episode_start=self.start,
                deterministic=self.deterministic,
            )
            self.start = np.zeros((1,), dtype=bool)
            return action[0]
        action, _ = self.model.predict(obs, deterministic=self.deterministic)
        return action


class RandomActions:
    """Actions uniform in the action box [-1, 1]^2, from ``seed``."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)

    def reset(self) -> None:
        pass

    def __call__(self, obs: np.ndarray) -> np.ndarray:
        return self.rng.uniform(-1.0, 1.0, 2).astype(np.float32)


class RandomWalk:
    """The rat's random foraging as actions: each step a turn drawn N(0, turn_sigma * dt) rad
    and a speed drawn Rayleigh(speed_scale) m/s (the motion model's draws, without its turning
    away from walls, which the box's walls replace), as ``env``'s action for them
    (:meth:`NavigationEnv.action_for`, within its limits)."""

    def __init__(self, env: NavigationEnv, seed: int = 0) -> None:
        motion = env.net.motion
        self.env, self.turn_sd = env, motion.turn_sigma * motion.dt
        self.speed_scale = motion.speed_scale
        self.rng = np.random.default_rng(seed)

    def reset(self) -> None:
        pass

    def __call__(self, obs: np.ndarray) -> np.ndarray:
        turn = self.rng.normal(0.0, self.turn_sd)
        speed = self.speed_scale * self.rng.rayleigh()
        return self.env.action_for(turn, speed)


def evaluate(policy, env: NavigationEnv, episodes: int = 100, seed: int = 0) -> AgentResult:
    """Run ``policy`` for ``episodes`` episodes of ``env`` (reset with ``seed`` first, so every
    policy evaluated with one seed meets the same episodes)."""
    if episodes < 1:
        raise GridcoreError(f"need episodes >= 1, got {episodes}")
    rows = []
    obs, _ = env.reset(seed=seed)
    policy.reset()
    while len(rows) < episodes:
        obs, _, terminated, truncated, info = env.step(policy(obs))
        if terminated or truncated:
            rows.append(info)
            obs, _ = env.reset()
            policy.reset()
    crossed = np.array([r["crossed_at"] for r in rows]) if "crossed_at" in rows[0] else None
    return AgentResult(
        np.array([r["is_success"] for r in rows]),
        np.array([r["steps"] for r in rows]),
        np.array([r["path_m"] for r in rows]),
        np.array([r["distance_m"] for r in rows]),
        env.tolerance,
        crossed,
    )


def monitor_episodes(monitor_dir: str | Path) -> pd.DataFrame:
    """Every training episode of SB3's Monitor logs in ``monitor_dir`` (one file per
    environment), in the order they ended: return ``r``, length ``l``, ``is_success``."""
    parts = []
    for path in sorted(Path(monitor_dir).glob("*.monitor.csv")):
        with open(path) as fh:
            start = json.loads(fh.readline().lstrip("#"))["t_start"]
            frame = pd.read_csv(fh)
        parts.append(frame.assign(ended=start + frame["t"]))
    if not parts:
        raise GridcoreError(f"{monitor_dir}: no training logs (*.monitor.csv)")
    frame = pd.concat(parts).sort_values("ended", kind="stable").reset_index(drop=True)
    return frame.assign(is_success=frame["is_success"].astype(bool))


def episodes_to_success(
    monitor_dir: str | Path, level: float = SUCCESS_LEVEL, window: int = 100
) -> tuple[int | None, int | None]:
    """Training episodes, and environment steps, until the success rate over the last
    ``window`` episodes first reached ``level``; (None, None) if it never did."""
    frame = monitor_episodes(monitor_dir)
    rate = frame["is_success"].astype(float).rolling(window, min_periods=window).mean()
    reached = np.flatnonzero(rate.to_numpy() >= level)
    if not len(reached):
        return None, None
    first = int(reached[0])
    return first + 1, int(frame["l"].iloc[: first + 1].sum())


# --------------------------------------------------------------------------------------------
# The command


def _result_row(result: AgentResult, arena: bool) -> dict:
    """Success rate, median path ratio and mean steps of successful episodes (and, in an arena,
    the shares that first went through the door and through the gap)."""
    row = {
        "success_rate": result.success_rate,
        "path_ratio": result.path_ratio,
        "steps": float(result.steps[result.success].mean()) if result.success.any() else math.nan,
    }
    if arena:
        row["door_first_rate"] = result.first_crossing_rate(0)
        row["gap_first_rate"] = result.first_crossing_rate(1)
    return row


def _trained_or_loaded(
    net: Network, spec: AgentSpec, out, load, subprocess: bool, score_trajectories: int
) -> Agent:
    """The agent in ``load``, or ``spec`` trained into ``out`` (its grid-like units found
    first, for the variants that read them)."""
    if load is not None:
        return load_agent(load, net)
    if out is None:
        raise GridcoreError("an rl agent needs --out DIR to train into, or --load DIR")
    check_out_dir(out)
    if spec.variant in ("grid", "grid-no-goal"):
        scores = _scores(net, spec, score_trajectories, spec.seed)
        spec.units = [int(u) for u in grid_units(scores)]
    return train_agent(net, spec, out, subprocess)


def _test_agent(
    net: Network, agent: Agent, options: dict, episodes: int, seed: int, lesions: dict
) -> tuple[dict[str, AgentResult], int]:
    """The agent, actions drawn at random and the rat's random walk on the same episodes of
    the environment ``options`` describe, and the agent with each of ``lesions`` ({name: units
    silenced}); and the size of the agent's observation."""
    spec = agent.spec
    env = make_env(net, spec.variant, spec.units, options)
    policies = {
        "agent": SB3Policy(agent),
        "random actions": RandomActions(seed),
        "random walk": RandomWalk(env, seed),
    }
    results = {name: evaluate(p, env, episodes, seed) for name, p in policies.items()}
    for name, units in lesions.items():
        silenced = make_env(net, spec.variant, spec.units, {**options, "lesion": units})
        results[name] = evaluate(SB3Policy(agent), silenced, episodes, seed)
    return results, int(env.observation_space.shape[0])


def _scores(net: Network, spec: AgentSpec, n_trajectories: int, seed: int) -> np.ndarray:
    """The spec's grid scores, computed (and kept in the spec) when it has none."""
    if spec.scores is None:
        scores = grid_unit_scores(net, n_trajectories, seed=seed)
        spec.scores = [None if not np.isfinite(s) else float(s) for s in scores]
    return spec.grid_scores()


def held_out_options(spec: AgentSpec, goals=None, min_distance=None, lesion=None) -> dict:
    """The environment options of the test: the training ones, with the goals in ``goals``
    (a :data:`gridcore.navigation.env.GOAL_REGIONS` entry), at least ``min_distance`` (m) away
    (and no upper limit), and the arena's door open."""
    options = dict(spec.options)
    if goals is not None:
        options["goal_region"] = goals
    if min_distance is not None:
        options["min_distance"], options["max_distance"] = min_distance, None
    if options.get("arena") is not None:
        options["door_open"] = True
    if lesion is not None:
        options["lesion"] = [int(u) for u in lesion]
    return options


def navigate_rl(
    run_dir: str | Path,
    spec: AgentSpec,
    out: str | Path | None = None,
    load: str | Path | None = None,
    episodes: int = 200,
    test_goals: str | None = None,
    test_min_distance: float | None = None,
    lesion: str | None = None,
    lesion_k: int = 0,
    subprocess: bool = False,
    score_trajectories: int = 5000,
    eval_seed: int | None = None,
) -> dict:
    """What ``python -m gridcore navigate RUN --agent rl`` prints: train ``spec`` into ``out``
    (or load the agent in ``load``) on the run's network, then test it, actions drawn at
    random and the rat's random walk on the same ``episodes`` episodes (goals in
    ``test_goals``, at least ``test_min_distance`` away; the arena's door open; drawn from
    ``eval_seed``, the agent's seed by default), and the agent again with ``lesion_k`` units
    silenced (``lesion`` "grid": the top grid scores, "random": drawn from the agent's seed).
    Bad input is a GridcoreError."""
    if episodes < 1:
        raise GridcoreError(f"episodes must be a positive integer, got {episodes}")
    if lesion is not None and lesion not in LESIONS:
        raise GridcoreError(f"unknown lesion {lesion!r}; choose one of: {', '.join(LESIONS)}")
    if not Path(run_dir).is_dir():
        raise GridcoreError(f"no such run directory: {run_dir}")
    _sb3()
    net = load_network(run_dir)
    threads = torch.get_num_threads()
    torch.set_num_threads(max(1, net.cfg.threads))
    try:
        agent = _trained_or_loaded(net, spec, out, load, subprocess, score_trajectories)
        spec = agent.spec
        seed = EVAL_SEED + (spec.seed if eval_seed is None else eval_seed)
        options = held_out_options(spec, test_goals, test_min_distance)
        lesions = {}
        if lesion is not None and lesion_k > 0:
            scores = _scores(net, spec, score_trajectories, spec.seed)
            rng = np.random.default_rng(spec.seed)
            units = lesion_units(scores, lesion_k, lesion, rng)
            lesions[f"agent, {lesion_k} {lesion} units silenced"] = [int(u) for u in units]
        results, n_inputs = _test_agent(net, agent, options, episodes, seed, lesions)
    finally:
        torch.set_num_threads(threads)
    return _summary(net, agent, options, episodes, results, n_inputs)


def _summary(net: Network, agent: Agent, options: dict, episodes: int, results, n_inputs) -> dict:
    """The numbers :func:`navigate_rl` returns."""
    spec = agent.spec
    monitor = None if agent.directory is None else agent.directory / MONITOR_DIR
    logged = monitor is not None and any(monitor.glob("*.monitor.csv"))
    to_level = episodes_to_success(monitor) if logged else (None, None)
    arena = options.get("arena") is not None
    return {
        "run": str(net.run_dir),
        "step": net.step,
        "agent_dir": None if agent.directory is None else str(agent.directory),
        "variant": spec.variant,
        "algorithm": spec.algorithm,
        "train_steps": spec.steps,
        "seed": spec.seed,
        "n_inputs": n_inputs,
        "n_grid_units": None if spec.units is None else len(spec.units),
        "train_options": spec.options,
        "test_options": options,
        "episodes": episodes,
        "mean_shortest_path_m": float(results["agent"].distance_m.mean()),
        "episodes_to_50": to_level[0],
        "env_steps_to_50": to_level[1],
        "agents": {name: _result_row(r, arena) for name, r in results.items()},
    }
