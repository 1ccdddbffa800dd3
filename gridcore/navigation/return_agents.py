"""Agents trained on find-then-return episodes (:mod:`gridcore.navigation.episodes`), and their tests.

An agent is Stable-Baselines3's PPO with a feed-forward policy (or sb3-contrib's RecurrentPPO
with ``algorithm="recurrent-ppo"``), trained on the batched environments of one variant. The
feed-forward policy is the default: once the goal has been found, the current code and the
goal code together hold the goal's direction and distance, and the observation also carries
the flag, the last action and reward and the local cue. What a feed-forward policy cannot do is
remember where it has searched before the first find; every variant shares that limit, and the
primary measure counts returns as much as finds.

Training records a learning curve (goals per episode against environment steps) and stops at
its budget; :func:`plateau` says whether the curve had levelled off: over the last fifth of
training, goals per episode changed by less than ``PLATEAU_CHANGE`` of their value.

Tests run the frozen policy (no more learning; actions sampled from it as in training: a
deterministic policy over five discrete actions can lock into a loop) on held-out episodes: new goals from
another seed, and in the goal-doors arena door layouts never drawn in training.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import torch
from safetensors.torch import load_file, save_file
from tqdm.auto import tqdm

from gridcore.errors import GridcoreError
from gridcore.files import atomic_write
from gridcore.navigation.episodes import VARIANTS, EpisodeSettings, FindReturnEnvs
from gridcore.navigation.vectors import fit_linear, lesion_units
from gridcore.net.runs import Network
from gridcore.world.arenas import GoalDoors, goal_doors

ARENAS = ("box", "goal-doors")
ALGORITHMS = ("ppo", "recurrent-ppo")
PLATEAU_CHANGE = 0.05
HELD_OUT_FRACTION = 0.25  # of the arena's door layouts, never drawn in training
LAYOUT_SEED = 4242
TEST_SEED = 777_000  # held-out episodes' goals and starts
# PPO's settings for every agent. With the learning rate at 3e-4 instead, an agent given the true
# position reached 4 goals per episode after 10^6 steps; at 1e-3 it reached 10.
PPO_SETTINGS = {
    "n_steps": 128,
    "batch_size": 1024,
    "n_epochs": 4,
    "learning_rate": 1e-3,
    "gamma": 0.99,
    "gae_lambda": 0.95,
    "ent_coef": 0.01,
}


@dataclass(frozen=True)
class ReturnAgentSpec:
    """What one agent is: its variant, arena, training length and seed."""

    variant: str = "bottleneck"
    arena: str = "goal-doors"
    steps: int = 1_000_000
    seed: int = 0
    algorithm: str = "ppo"
    n_envs: int = 32
    episode: dict = field(default_factory=dict)  # EpisodeSettings fields that differ

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise GridcoreError(f"unknown variant {self.variant!r}; choose one of {VARIANTS}")
        if self.arena not in ARENAS:
            raise GridcoreError(f"unknown arena {self.arena!r}; choose one of {ARENAS}")
        if self.algorithm not in ALGORITHMS:
            raise GridcoreError(f"unknown algorithm {self.algorithm!r}; choose one of {ALGORITHMS}")
        if self.steps < 1 or self.n_envs < 1:
            raise GridcoreError("steps and n_envs must be positive")

    @property
    def settings(self) -> EpisodeSettings:
        return EpisodeSettings(**self.episode)

    @property
    def name(self) -> str:
        return f"{self.arena}-{self.variant}-seed{self.seed}"


def split_layouts(arena: GoalDoors) -> tuple[np.ndarray, np.ndarray]:
    """The arena's training layouts and its held-out ones (a fixed random quarter)."""
    layouts = arena.layouts()
    order = np.random.default_rng(LAYOUT_SEED).permutation(len(layouts))
    cut = int(round(HELD_OUT_FRACTION * len(layouts)))
    return layouts[order[cut:]], layouts[order[:cut]]


def shortcut_layouts(arena: GoalDoors) -> np.ndarray:
    """Layouts of the shortcut test: the shortcut door open, the other door of its wall shut,
    everything else as in the held-out layouts."""
    _, held_out = split_layouts(arena)
    sibling = next(
        d
        for d, j in enumerate(arena.joins)
        if j == arena.joins[arena.shortcut] and d != arena.shortcut
    )
    rows = held_out.copy()
    rows[:, arena.shortcut], rows[:, sibling] = True, False
    return np.unique(rows, axis=0)


def make_envs(
    net: Network,
    spec: ReturnAgentSpec,
    test: str | None = None,
    seed: int | None = None,
    n_envs: int | None = None,
    lesion=None,
    **changes,
) -> FindReturnEnvs:
    """The agent's environments: for training (``test=None``), or for a test: ``"held-out"``
    (new goals, held-out door layouts) or ``"shortcut"`` (the shortcut door open, goals in the
    north-east room, starts in the north-west one). ``changes`` replace episode settings."""
    arena = goal_doors() if spec.arena == "goal-doors" else None
    layouts = None
    if arena is not None:
        train, held_out = split_layouts(arena)
        layouts = {None: train, "held-out": held_out, "shortcut": shortcut_layouts(arena)}[test]
    if test == "shortcut":
        if arena is None:
            raise GridcoreError("the shortcut test needs the goal-doors arena")
        changes = {"goal_room": 1, "start_room": 0, **changes}
    settings = EpisodeSettings(**{**spec.episode, **changes})
    seed = (TEST_SEED if test else spec.seed) if seed is None else seed
    return FindReturnEnvs(
        net, spec.variant, n_envs or spec.n_envs, settings, arena, layouts, seed, lesion
    )


def _algorithm(name: str):
    if name == "recurrent-ppo":
        from sb3_contrib import RecurrentPPO

        return RecurrentPPO, "MlpLstmPolicy"
    from stable_baselines3 import PPO

    return PPO, "MlpPolicy"


def train_agent(net: Network, spec: ReturnAgentSpec, progress: bool = True):
    """Train one agent for ``spec.steps`` environment steps. Returns the SB3 model and its
    learning curve: one row per finished rollout, ``env_steps`` and the mean ``goals`` per
    episode of the episodes that ended in it."""
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.vec_env import VecMonitor

    env = VecMonitor(make_envs(net, spec))
    cls, policy = _algorithm(spec.algorithm)
    settings = dict(PPO_SETTINGS)
    settings["batch_size"] = min(settings["batch_size"], settings["n_steps"] * spec.n_envs)
    with torch.random.fork_rng(devices=[]):
        model = cls(policy, env, seed=spec.seed, verbose=0, device="cpu", **settings)
    rows: list[dict] = []
    bar = tqdm(total=spec.steps, desc=spec.name, disable=not progress, unit="step")

    class Curve(BaseCallback):
        def __init__(self) -> None:
            super().__init__()
            self.goals: list[float] = []

        def _on_step(self) -> bool:
            for info in self.locals["infos"]:
                if "episode" in info:
                    self.goals.append(float(info["goals"]))
            return True

        def _on_rollout_end(self) -> None:
            if self.goals:
                rows.append({"env_steps": self.num_timesteps, "goals": np.mean(self.goals)})
                bar.set_postfix(goals=f"{np.mean(self.goals):.2f}")
            bar.update(self.num_timesteps - bar.n)
            self.goals = []

    model.learn(spec.steps, callback=Curve())
    bar.close()
    return model, pd.DataFrame(rows, columns=["env_steps", "goals"])


def plateau(curve: pd.DataFrame, change: float = PLATEAU_CHANGE) -> tuple[bool, float]:
    """Whether the learning curve levelled off over its last fifth: the straight line fitted to
    goals per episode there changes by less than ``change`` of their mean. Returns the verdict
    and the relative change."""
    last = curve[curve.env_steps >= 0.8 * curve.env_steps.max()]
    if len(last) < 3 or last.goals.mean() <= 0:
        return False, math.nan
    slope = np.polyfit(last.env_steps, last.goals, 1)[0]
    rel = float(slope * (last.env_steps.max() - last.env_steps.min()) / last.goals.mean())
    return abs(rel) < change, rel


@torch.no_grad()
def evaluate(model, envs: FindReturnEnvs, episodes: int = 1, deterministic: bool = False) -> dict:
    """The frozen policy (its actions sampled, as in training, unless ``deterministic``) on
    ``episodes`` episodes of every environment:
    goals per episode (mean), return trips' steps over the shortest path's steps (median),
    and in the arena the share of return trips whose first door was the shortcut."""
    obs = envs.reset()
    state, starts = None, np.ones(envs.num_envs, dtype=bool)
    goals, ratios, doors = [], [], []
    step_m = envs.speed * envs.step_time
    for _ in range(episodes * envs.s.steps):
        action, state = model.predict(
            obs, state=state, episode_start=starts, deterministic=deterministic
        )
        obs, _, done, infos = envs.step(action)
        starts = done
        for info in infos:
            if "goals" in info:
                goals.append(info["goals"])
            if "return_steps" in info and info["return_shortest_m"] > 0:
                ratios.append(info["return_steps"] / (info["return_shortest_m"] / step_m))
            if "first_door" in info and envs.arena is not None:
                doors.append(info["first_door"] == envs.arena.shortcut)
    return {
        "goals_per_episode": float(np.mean(goals)),
        "episodes": len(goals),
        "return_trips": len(ratios),
        "steps_over_shortest": float(np.median(ratios)) if ratios else math.nan,
        "shortcut_first": float(np.mean(doors)) if doors else math.nan,
    }


def spec_row(spec: ReturnAgentSpec) -> dict:
    """The spec as flat columns of a results table."""
    row = asdict(spec)
    row.update({f"episode_{k}": v for k, v in row.pop("episode").items()})
    return row


# --- saving, lesions, what the policy knows ------------------------------------------------


def save_policy(model, path) -> None:
    """The policy's weights as safetensors (written atomically)."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.policy.state_dict().items()}
    atomic_write(path, lambda tmp: save_file(tensors, tmp))


def load_policy(net: Network, spec: ReturnAgentSpec, path):
    """A fresh agent of ``spec`` on ``net`` with the weights saved at ``path``."""
    cls, policy = _algorithm(spec.algorithm)
    model = cls(policy, make_envs(net, spec, n_envs=1), seed=spec.seed, device="cpu")
    model.policy.load_state_dict(load_file(str(path)))
    return model


def lesion_sets(scores: np.ndarray, fraction: float, seed: int = 0) -> dict[str, np.ndarray]:
    """The ``fraction`` of bottleneck units with the highest grid scores, and as many drawn at
    random (``seed``) from the whole bottleneck."""
    k = max(1, int(round(fraction * len(scores))))
    return {
        kind: lesion_units(scores, k, kind, np.random.default_rng(seed))
        for kind in ("grid", "random")
    }


@torch.no_grad()
def policy_states(model, envs: FindReturnEnvs, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """The policy's hidden features (the actor's last hidden layer) and the goal's egocentric
    vector (cosine and sine of its bearing, distance in m) at every step after a first find,
    running the frozen policy (sampled actions) for ``steps`` steps."""
    obs = envs.reset()
    feats, goals = [], []
    policy = model.policy
    for _ in range(steps):
        tensor = torch.as_tensor(obs)
        latent = policy.mlp_extractor.forward_actor(policy.extract_features(tensor))
        to = envs.goal - envs.pos
        bearing = torch.atan2(to[:, 1], to[:, 0]) - envs.hd
        known = envs.known > 0
        feats.append(latent[known].numpy())
        vec = torch.stack([torch.cos(bearing), torch.sin(bearing), to.norm(dim=1)], 1)
        goals.append(vec[known].numpy())
        action, _ = model.predict(obs, deterministic=False)
        obs, _, _, _ = envs.step(action)
    return np.concatenate(feats), np.concatenate(goals)


def goal_decoding(features: np.ndarray, goals: np.ndarray, ridge: float = 1e-2) -> dict:
    """Ridge read-out of the goal's bearing and distance from policy features, fitted on the
    first half of the samples and tested on the second: median bearing error (degrees) and
    distance error (m), and the R^2 of distance."""
    half = len(features) // 2
    if half < 10:
        return {
            "bearing_error_deg": math.nan,
            "distance_error_m": math.nan,
            "distance_r2": math.nan,
        }
    x, y = (
        torch.as_tensor(features, dtype=torch.float32),
        torch.as_tensor(goals, dtype=torch.float32),
    )
    readout = fit_linear(x[:half], y[:half], ridge)
    pred = readout(x[half:])
    truth = y[half:]
    bearing = torch.atan2(pred[:, 1], pred[:, 0]) - torch.atan2(truth[:, 1], truth[:, 0])
    bearing = torch.remainder(bearing + math.pi, 2 * math.pi) - math.pi
    dist_err = (pred[:, 2] - truth[:, 2]).abs()
    ss = ((truth[:, 2] - truth[:, 2].mean()) ** 2).sum()
    r2 = 1 - ((pred[:, 2] - truth[:, 2]) ** 2).sum() / ss
    return {
        "bearing_error_deg": float(torch.rad2deg(bearing.abs()).median()),
        "distance_error_m": float(dist_err.median()),
        "distance_r2": float(r2),
    }
