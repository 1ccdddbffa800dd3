"""Before training agents: can the grid network's code carry a find-then-return agent at all?

Three measurements on :class:`~gridcore.navigation.episodes.FindReturnEnvs`:

* :func:`drift`: the position decoded from the network's place read-out against the true one,
  along long paths of the agent's own motion (random actions that keep their heading for a
  while), with and without anchors;
* :func:`scripted_returns`: a scripted agent that needs no learning. It decodes where it is and
  which way it faces from the network's read-outs, remembers the decoded position at its last
  arrival as the goal, and heads for it through the middle of the open doors of the layout it
  is in; within sight of the goal it follows the cue, which every learnt agent sees too. Before
  the first arrival it is told the goal (the first find is a search, which this test does not
  ask about). Its return trips show how
  often the code alone suffices: if they fail, no learnt agent can be judged on the code;
* with each return trip, ``recovered_after``: after the move, how many steps until the decoded
  position was back within the arrival tolerance of the truth (-1: never on that trip).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from gridcore.navigation.episodes import ACTIONS, EpisodeSettings, FindReturnEnvs
from gridcore.navigation.return_results import PREFLIGHT_TARGET  # noqa: F401  (re-exported)
from gridcore.net.runs import Network
from gridcore.world.arenas import GoalDoors
from gridcore.world.trajectories import wrap_angle

PREFLIGHT_RETURN_STEPS = 200  # a return trip that takes longer than this has failed
ROUTE_REACH_M = 0.05  # a point of a route closer than this counts as reached
_FORWARD, _LEFT_AHEAD, _RIGHT_AHEAD, _LEFT, _RIGHT = range(len(ACTIONS))


@torch.no_grad()
def decoded(env: FindReturnEnvs) -> tuple[torch.Tensor, torch.Tensor]:
    """Where each agent's network places it (N, 2) m, and its heading (N,) rad."""
    model, ensembles = env.model, env.net.ensembles
    pos = ensembles.place.decode(model.place_head(env.g))
    return pos, ensembles.hd.decode(model.hd_head(env.g))


def steer(bearing: torch.Tensor, turn: float) -> np.ndarray:
    """Actions that bring a relative ``bearing`` (N,) rad towards 0: ahead within half a
    turn, turning on the spot beyond 90 degrees, turning while moving in between."""
    b = wrap_angle(bearing)
    act = torch.full(b.shape, _FORWARD)
    act = torch.where(b > turn / 2, _LEFT_AHEAD, act)
    act = torch.where(b < -turn / 2, _RIGHT_AHEAD, act)
    act = torch.where(b > math.pi / 2, _LEFT, act)
    act = torch.where(b < -math.pi / 2, _RIGHT, act)
    return act.numpy()


@torch.no_grad()
def drift(
    net: Network,
    steps: int = 1000,
    n_paths: int = 64,
    anchor_prob: float = 0.0,
    seed: int = 0,
    keep: float = 0.8,
) -> np.ndarray:
    """(n_paths, steps) decoded position error (cm) along paths of the agent's motion: random
    actions, each kept with probability ``keep`` at the next step, no goals."""
    settings = EpisodeSettings(
        steps=steps + 1, tolerance=1e-9, cue_radius=0.0, anchor_prob=anchor_prob
    )
    env = FindReturnEnvs(net, "baseline", n_paths, settings, seed=seed)
    rng = np.random.default_rng(seed)
    act = rng.integers(0, 3, n_paths)  # moving actions
    errors = np.empty((n_paths, steps))
    for t in range(steps):
        change = rng.random(n_paths) > keep
        act = np.where(change, rng.integers(0, 3, n_paths), act)
        env.step(act)
        pos, _ = decoded(env)
        errors[:, t] = 100 * (pos - env.pos).norm(dim=1).numpy()
    return errors


def _next_point(env: FindReturnEnvs, here: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """(N, 2) where each agent heads next: in the open box the target; in the rooms arena the
    next point of its route through the open doors (:meth:`GoalDoors.door_route`: square to each
    door, through its middle), a point already within :data:`ROUTE_REACH_M` counting as passed."""
    if env.arena is None:
        return target
    out = target.clone()
    doors = env.open_doors.numpy()
    for i in range(env.num_envs):
        points = env.arena.door_route(doors[i], here[i].numpy(), target[i].numpy())
        far = np.linalg.norm(points - here[i].numpy(), axis=1) > ROUTE_REACH_M
        out[i] = torch.as_tensor(points[int(np.argmax(far))] if far.any() else points[-1])
    return out


@torch.no_grad()
def scripted_returns(
    net: Network,
    settings: EpisodeSettings | None = None,
    arena: GoalDoors | None = None,
    n_envs: int = 64,
    episodes: int = 1,
    seed: int = 0,
    progress: bool = True,
    oracle: bool = False,
) -> pd.DataFrame:
    """One row per return trip of the scripted agent (see the module's text): its environment,
    the ``steps`` it took, the ``shortest_m`` path's length and whether it ``succeeded`` (arrived
    within :data:`PREFLIGHT_RETURN_STEPS`). A trip that the episode's end cut off sooner is left
    out: it had no fair chance. With ``oracle`` the agent reads its true position, heading and goal
    instead of the code's: the same controller's own limit."""
    s = settings or EpisodeSettings()
    env = FindReturnEnvs(net, "baseline", n_envs, s, arena, seed=seed)
    turn = math.radians(s.turn_deg)
    remembered = torch.zeros(n_envs, 2)
    start = np.zeros(n_envs, dtype=int)
    shortest = np.full(n_envs, np.nan)
    recovered = np.full(n_envs, -1)
    rows = []
    for _ in tqdm(range(episodes * s.steps), desc="pre-flight", disable=not progress):
        pos, hd = decoded(env)
        if oracle:
            pos, hd = env.pos, env.hd
        known = env.known > 0
        here = torch.where(known[:, None], pos, env.pos)
        target = torch.where(known[:, None], remembered, env.goal)
        to = _next_point(env, here, target) - here
        facing = torch.where(known, hd, env.hd)
        bearing = torch.atan2(to[:, 1], to[:, 0]) - facing
        cue = env.cue()  # within sight of the goal, its bearing: what a learnt agent sees too
        bearing = torch.where(cue[:, 0] > 0, torch.atan2(cue[:, 2], cue[:, 1]), bearing)
        was_known, t_before = known.numpy().copy(), env.t.numpy().copy()
        _, _, done, infos = env.step(steer(bearing, turn))
        after = env.pos if oracle else decoded(env)[0]
        close = ((after - env.pos).norm(dim=1) < s.tolerance).numpy()
        fresh = was_known & (recovered < 0) & close
        recovered[fresh] = t_before[fresh] + 1 - start[fresh]
        for i, info in enumerate(infos):
            if "return_steps" in info:
                steps = info["return_steps"]
                ok = steps <= PREFLIGHT_RETURN_STEPS
                rows.append((i, steps, info["return_shortest_m"], ok, recovered[i]))
            elif done[i] and was_known[i] and t_before[i] + 1 - start[i] >= PREFLIGHT_RETURN_STEPS:
                rows.append((i, t_before[i] + 1 - start[i], shortest[i], False, recovered[i]))
        moved = env.moved.numpy() & ~done  # arrived this step: remember where the code put it
        remembered[moved] = env.goal[moved] if oracle else after[moved]
        start[moved] = env.t.numpy()[moved]
        shortest[moved] = env.trip_shortest.numpy()[moved]
        recovered[moved] = -1
    columns = ["env", "steps", "shortest_m", "succeeded", "recovered_after"]
    return pd.DataFrame(rows, columns=columns)
