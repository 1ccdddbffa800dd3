"""Find-then-return episodes, as the paper's agents ran them (Banino et al. 2018, Methods).

Every environment of a :class:`FindReturnEnvs` steps together, in one call of the frozen grid
network: it is a Stable-Baselines3 ``VecEnv``, and a single environment is the same class with
``n_envs=1``.

**An episode** lasts ``steps`` network steps. Its goal is drawn anew at the episode's start and
stays put. Until the agent first arrives, the goal code g* is zero and the "goal known" flag 0.
An arrival (within ``tolerance`` of the goal) earns +1; g* becomes the grid network's code at
that moment, the flag 1, and the agent is moved to a random place from which it must come
back. The network keeps its state through the move (nothing tells it), so its code is wrong
until an anchor corrects it; ``anchor_on_move`` shows it the true code on the step after a move
instead.

**The grid network** is a trained :class:`~gridcore.net.runs.Network`, frozen, with dropout off.
It reads the agent's own egocentric velocity, the step's speed and the sine and cosine of its
turn, and, on a fraction ``anchor_prob`` of steps (by default the fraction it was trained with),
the true place and head-direction code: the paper's vision module's predictions.

**The agent** acts with one of :data:`ACTIONS` per step: forward, forward while turning left or
right, or turning on the spot, each turn ``turn_deg``; forward moves ``speed * step time``.
Walls stop a step, and the rest of it slides along the wall (so an agent a little off a
doorway slides into it). Within ``cue_radius`` of the goal it sees the goal's direction (the cue:
1, and the cosine and sine of the goal's bearing relative to its heading), as the paper's agent
could see the goal when near it; the first find therefore needs no code.

**Observations** (float32): the variant's codes, then the flag, the last action (one-hot), the
last reward and the cue. ``variant``:

* ``bottleneck``: the whole grid layer g and g* (the paper's grid agent);
* ``place``: the network's place and head-direction read-outs (softmax) and their goal versions
  (the paper's place-cell agent);
* ``baseline``: no code at all;
* ``position``: the true position and heading and the goal's position once found (the bound).

Codes are standardised per unit over fresh rat paths. ``lesion`` silences bottleneck units
(set to 0 in g and g*, as the paper silenced grid units the policy read). ``zero_goal_code`` zeroes g* (or the
place agent's goal code) after every arrival: a test of whether the agent uses it.

**Reward**: +1 per arrival, nothing else; ``shaping`` adds that times the progress towards the
goal in the step (m, from true positions): an ablation, never the default.

**Arenas**: the open box (``arena=None``), or :func:`gridcore.world.arenas.goal_doors`, whose
doors take a layout from ``layouts`` at each episode's start. ``info`` reports each return trip
(its steps, and the shortest path's length among the walls as they are) and, in the arena,
which door it went through first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import torch

from gridcore.errors import GridcoreError
from gridcore.navigation.env import code_statistics
from gridcore.navigation.vectors import require_recurrent
from gridcore.net.runs import Network
from gridcore.net.task import anchor_code
from gridcore.world.arenas import GoalDoors, shortest_lengths
from gridcore.world.trajectories import Trajectories, crosses_walls, wrap_angle

try:  # the rl extra: gridcore imports without it
    from gymnasium import spaces
    from stable_baselines3.common.vec_env import VecEnv
except ModuleNotFoundError:
    spaces, VecEnv = None, object

VARIANTS = ("bottleneck", "place", "baseline", "position")
ACTIONS = ("forward", "forward-left", "forward-right", "left", "right")
_TURNS = torch.tensor([0.0, 1.0, -1.0, 1.0, -1.0])
_MOVES = torch.tensor([1.0, 1.0, 1.0, 0.0, 0.0])
WALL_GAP_M = 1e-3
EDGE_M = 0.1  # goals and arrival places lie at least this far from any wall
N_EXTRA = 1 + len(ACTIONS) + 1 + 3  # flag, last action, last reward, cue


@dataclass(frozen=True)
class EpisodeSettings:
    """How an episode runs (metres, seconds, degrees)."""

    steps: int = 500
    tolerance: float = 0.20
    cue_radius: float = 0.30
    speed: float | None = None  # m/s when moving forward; None: the network's rat's mean speed
    turn_deg: float = 30.0
    anchor_prob: float | None = None  # None: the fraction the network was trained with
    anchor_on_move: bool = False
    shaping: float = 0.0
    zero_goal_code: bool = False
    min_return_m: float = 0.5  # a move puts the agent at least this far from the goal
    # In the arena: the room of every goal and of every start and move (-1: any room). The
    # shortcut test puts goals in room 1 (north-east) and the agent in room 0 (north-west).
    goal_room: int = -1
    start_room: int = -1

    def __post_init__(self) -> None:
        if self.steps < 1 or not self.tolerance > 0 or not (self.speed is None or self.speed > 0):
            raise GridcoreError("episode steps, tolerance and speed must be positive")
        if self.cue_radius < 0 or self.shaping < 0:
            raise GridcoreError("cue_radius and shaping must be >= 0")


class FindReturnEnvs(VecEnv):
    """``n_envs`` find-then-return episodes on one frozen network, stepped together (see the
    module's text). ``layouts`` (L, D) bool: the door layouts an episode draws from (the arena's
    training layouts by default)."""

    def __init__(
        self,
        net: Network,
        variant: str = "bottleneck",
        n_envs: int = 16,
        settings: EpisodeSettings | None = None,
        arena: GoalDoors | None = None,
        layouts: np.ndarray | None = None,
        seed: int = 0,
        lesion=None,
    ) -> None:
        if spaces is None:
            raise GridcoreError("find-then-return episodes need gymnasium and stable-baselines3")
        require_recurrent(net)
        if variant not in VARIANTS:
            raise GridcoreError(
                f"unknown variant {variant!r}; choose one of: {', '.join(VARIANTS)}"
            )
        if net.model.core_name != "lstm" or net.model.velocity_input != "egocentric":
            raise GridcoreError("the agent's network must be an LSTM reading egocentric velocity")
        if net.model.hd_head is None:
            raise GridcoreError("the agent's network must have head-direction cells")
        self.net, self.variant, self.arena = net, variant, arena
        self.s = settings or EpisodeSettings()
        self.model = net.model.eval()
        self.step_time = net.motion.network_dt
        self.speed = net.motion.mean_speed if self.s.speed is None else self.s.speed
        self.anchor_prob = (
            getattr(self.model, "anchor_prob", 0.0)
            if self.s.anchor_prob is None
            else self.s.anchor_prob
        )
        if self.anchor_prob > 0 and not getattr(self.model, "n_anchor", 0):
            raise GridcoreError("anchor_prob > 0 needs a network trained with anchors")
        self.half = net.motion.box_width / 2
        self.segments = arena.segments() if arena is not None else torch.zeros(0, 2, 2)
        self.layouts = (
            torch.as_tensor(arena.layouts() if arena is not None and layouts is None else layouts)
            if arena is not None
            else None
        )
        self.gen = torch.Generator().manual_seed(seed)
        self.lesion = None if lesion is None else torch.as_tensor(lesion, dtype=torch.long)
        self._calibrate()
        n_obs = self._code_size() + N_EXTRA
        box = spaces.Box(-np.inf, np.inf, (n_obs,), np.float32)
        self.render_mode = None
        super().__init__(n_envs, box, spaces.Discrete(len(ACTIONS)))
        self._actions = torch.zeros(n_envs, dtype=torch.long)
        self.reset()

    # --- codes ----------------------------------------------------------------------------

    def _calibrate(self) -> None:
        model = self.model
        if self.variant == "bottleneck":
            self.mean, self.std = code_statistics(lambda g: g, model, self.net)
        elif self.variant == "place":
            self.mean, self.std = code_statistics(self._readouts, model, self.net)

    def _readouts(self, g: torch.Tensor) -> torch.Tensor:
        place = torch.softmax(self.model.place_head(g), -1)
        return torch.cat([place, torch.softmax(self.model.hd_head(g), -1)], -1)

    def _code_size(self) -> int:
        return {
            "bottleneck": 2 * self.model.bottleneck.out_features,
            "place": 2 * (self.model.place_head.out_features + self.model.hd_head.out_features),
            "baseline": 0,
            "position": 6,
        }[self.variant]

    def _features(self, g: torch.Tensor) -> torch.Tensor:
        """The variant's standardised code of bottleneck ``g`` (N, n), the ``lesion`` units of
        g silenced (set to 0; the statistics are the intact code's)."""
        if self.lesion is not None and len(self.lesion):
            g = g.clone()
            g[:, self.lesion] = 0.0
        f = g if self.variant == "bottleneck" else self._readouts(g)
        return ((f - self.mean) / self.std).clamp(-10, 10)

    # --- the world ------------------------------------------------------------------------

    def _random_places(self, n: int, rooms: torch.Tensor | None = None) -> torch.Tensor:
        """(n, 2) places at least EDGE_M from the box's walls and the rooms' walls."""
        inner = self.half - EDGE_M
        if self.arena is None:
            return (torch.rand(n, 2, generator=self.gen) * 2 - 1) * inner
        if rooms is None:
            rooms = torch.randint(0, 4, (n,), generator=self.gen)
        lo = torch.rand(n, 2, generator=self.gen) * (self.half - 2 * EDGE_M) + EDGE_M
        sx = torch.where(rooms % 2 == 1, 1.0, -1.0)
        sy = torch.where(rooms >= 2, -1.0, 1.0)
        return lo * torch.stack([sx, sy], 1)

    def _active(self, idx: torch.Tensor) -> torch.Tensor:
        """(n, W) which segments block, for environments ``idx``."""
        if self.arena is None:
            return torch.zeros(len(idx), 0, dtype=torch.bool)
        return self.arena.active_walls(self.open_doors[idx])

    def _straight(self, pos: torch.Tensor, d: torch.Tensor, length: torch.Tensor):
        """How far (N,) each agent gets along unit ``d`` before the box or an active wall stops
        it (a gap short), and the index (N,) of the wall that stopped it (-1: none did)."""
        limit = torch.where(d > 0, self.half - pos, -self.half - pos)
        safe = torch.where(d.abs() > 1e-9, d, torch.full_like(d, 1e-9))
        to_box = torch.where(d.abs() > 1e-9, limit / safe, torch.full_like(d, math.inf)).min(1)
        length = torch.minimum(length, (to_box.values - WALL_GAP_M).clamp_min(0.0))
        wall = torch.full(length.shape, -1, dtype=torch.long)
        if not len(self.segments):
            return length, wall
        end = pos + length[:, None] * d
        hit = crosses_walls(pos, end, self.segments) & self._active(torch.arange(len(pos)))
        a, e = self.segments[:, 0], self.segments[:, 1] - self.segments[:, 0]
        ap = a - pos[:, None]
        denom = d[:, None, 0] * e[:, 1] - d[:, None, 1] * e[:, 0]
        safe = torch.where(denom.abs() > 1e-12, denom, torch.ones_like(denom))
        t = (ap[..., 0] * e[:, 1] - ap[..., 1] * e[:, 0]) / safe
        t, index = torch.where(hit, t, torch.full_like(t, math.inf)).min(1)
        blocked = torch.isfinite(t)
        length = torch.where(
            blocked, torch.minimum(length, (t - WALL_GAP_M).clamp_min(0.0)), length
        )
        return length, torch.where(blocked, index, wall)

    def _move(self, pos: torch.Tensor, hd: torch.Tensor, length: torch.Tensor) -> torch.Tensor:
        """Positions after ``length`` (N,) m along ``hd``: the box and active walls stop a step,
        and what is left of it after a wall, times the cosine of the angle to the wall, slides
        along that wall as far as the next one allows."""
        d = torch.stack([torch.cos(hd), torch.sin(hd)], 1)
        first, wall = self._straight(pos, d, length)
        mid = pos + first[:, None] * d
        hit = wall >= 0
        if not hit.any():
            return mid
        along = self.segments[wall.clamp_min(0), 1] - self.segments[wall.clamp_min(0), 0]
        along = along / along.norm(dim=1, keepdim=True)
        cosine = (d * along).sum(1)
        slide = along * torch.sign(cosine)[:, None]
        rest = torch.where(hit, (length - first).clamp_min(0.0) * cosine.abs(), 0.0)
        second, _ = self._straight(mid, slide, rest)
        return mid + second[:, None] * slide

    def _true_code(self, pos: torch.Tensor, hd: torch.Tensor) -> torch.Tensor:
        traj = Trajectories(pos, hd, None, pos[:, None], hd[:, None], None)
        return anchor_code(self.net.ensembles, traj)[:, 0]

    # --- episodes -------------------------------------------------------------------------

    def _start(self, idx: torch.Tensor) -> None:
        """New episodes in environments ``idx``: layout, goal, start, network state."""
        n = len(idx)
        if self.arena is not None:
            pick = torch.randint(0, len(self.layouts), (n,), generator=self.gen)
            self.open_doors[idx] = self.layouts[pick]
        self.goal[idx] = self._random_places(n, self._rooms(n, self.s.goal_room))
        self.pos[idx] = self._away_from(self.goal[idx])
        self.hd[idx] = torch.rand(n, generator=self.gen) * 2 * math.pi - math.pi
        traj = Trajectories(self.pos[idx], self.hd[idx], None, None, None, None)
        with torch.no_grad():
            h0, c0 = self.model.initial_state(self.net.ensembles.initial_code(traj))
        self.h[:, idx], self.c[:, idx] = h0, c0
        self.g[idx] = self.model.bottleneck(h0[0]).detach()
        for name in ("goal_code", "last_action"):
            getattr(self, name)[idx] = 0.0
        self.known[idx], self.last_reward[idx], self.t[idx] = 0.0, 0.0, 0
        self.trip_steps[idx], self.moved[idx] = 0, False
        self.returns[idx] = 0.0
        self.first_door[idx] = -1

    def _rooms(self, n: int, room: int) -> torch.Tensor | None:
        return None if room < 0 or self.arena is None else torch.full((n,), room)

    def _away_from(self, goal: torch.Tensor) -> torch.Tensor:
        """Random places (in ``start_room``) at least ``min_return_m`` from each goal (N, 2)."""
        room = self.s.start_room
        out = self._random_places(len(goal), self._rooms(len(goal), room))
        for _ in range(100):
            near = (out - goal).norm(dim=1) < self.s.min_return_m
            if not near.any():
                break
            out[near] = self._random_places(int(near.sum()), self._rooms(int(near.sum()), room))
        return out

    def _shortest(self, i: int) -> float:
        segs = self.segments[self._active(torch.tensor([i]))[0]] if self.arena else self.segments
        return shortest_lengths(segs, 2 * self.half, self.pos[i], self.goal[i])

    @torch.no_grad()
    def reset(self) -> np.ndarray:
        n, hidden = self.num_envs, self.model.core.hidden_size
        self.pos, self.goal = torch.zeros(n, 2), torch.zeros(n, 2)
        self.hd, self.known, self.last_reward = torch.zeros(n), torch.zeros(n), torch.zeros(n)
        self.h, self.c = torch.zeros(1, n, hidden), torch.zeros(1, n, hidden)
        self.g = torch.zeros(n, self.model.bottleneck.out_features)
        self.goal_code = torch.zeros(n, self._code_size() // 2 if self._code_size() else 0)
        self.last_action = torch.zeros(n, len(ACTIONS))
        self.t, self.trip_steps = torch.zeros(n, dtype=torch.long), torch.zeros(n, dtype=torch.long)
        self.moved, self.returns = torch.zeros(n, dtype=torch.bool), torch.zeros(n)
        self.first_door = torch.full((n,), -1, dtype=torch.long)
        self.trip_shortest = torch.zeros(n)
        if self.arena is not None:
            self.open_doors = torch.zeros(n, self.arena.n_doors, dtype=torch.bool)
        self._start(torch.arange(n))
        return self._observe().numpy()

    def cue(self) -> torch.Tensor:
        """(N, 3) the local cue: 1, and the cosine and sine of the goal's bearing relative to
        the heading, within ``cue_radius`` of the goal; zeros farther away."""
        to_goal = self.goal - self.pos
        bearing = torch.atan2(to_goal[:, 1], to_goal[:, 0]) - self.hd
        seen = (to_goal.norm(dim=1) < self.s.cue_radius).float()
        return torch.stack([seen, seen * torch.cos(bearing), seen * torch.sin(bearing)], 1)

    @torch.no_grad()
    def _observe(self) -> torch.Tensor:
        n = self.num_envs
        extra = [self.known[:, None], self.last_action, self.last_reward[:, None], self.cue()]
        if self.variant == "baseline":
            return torch.cat(extra, 1).float()
        if self.variant == "position":
            heading = torch.stack([torch.cos(self.hd), torch.sin(self.hd)], 1)
            goal = self.goal * self.known[:, None]
            code = torch.cat([self.pos / self.half, heading, goal / self.half], 1)
        else:
            goal = self.goal_code * (0.0 if self.s.zero_goal_code else 1.0)
            code = torch.cat([self._features(self.g), goal], 1)
        assert code.shape[0] == n
        return torch.cat([code, *extra], 1).float()

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = torch.as_tensor(np.asarray(actions), dtype=torch.long).reshape(-1)

    @torch.no_grad()
    def step_wait(self):
        a, n = self._actions, self.num_envs
        turn = _TURNS[a] * math.radians(self.s.turn_deg)
        before = self.pos.clone()
        self.hd = wrap_angle(self.hd + turn)
        self.pos = self._move(self.pos, self.hd, _MOVES[a] * self.speed * self.step_time)
        moved = (self.pos - before).norm(dim=1)
        velocity = torch.stack([moved / self.step_time, torch.sin(turn), torch.cos(turn)], 1)
        self._read(velocity)
        self.trip_steps += 1  # this step counts towards the trip it ends
        (reward, trips), infos = self._arrivals(before), [{} for _ in range(n)]
        self.last_action = torch.nn.functional.one_hot(a, len(ACTIONS)).float()
        self.last_reward = reward
        self.t += 1
        done = self.t >= self.s.steps
        obs = self._observe()
        for i in np.flatnonzero(done.numpy()):
            infos[i]["terminal_observation"] = obs[i].numpy()
            infos[i]["goals"] = float(self.returns[i])
            infos[i]["TimeLimit.truncated"] = True
        self._fill_trip_infos(infos, trips)
        if done.any():
            self._start(torch.nonzero(done)[:, 0])
            obs = self._observe()
        return obs.numpy(), reward.numpy(), done.numpy(), infos

    def _read(self, velocity: torch.Tensor) -> None:
        """One step of the frozen network on the agent's velocity (N, 3) and its anchors."""
        inputs = velocity
        if getattr(self.model, "n_anchor", 0):
            mask = (torch.rand(self.num_envs, generator=self.gen) < self.anchor_prob).float()
            if self.s.anchor_on_move:
                mask = torch.maximum(mask, self.moved.float())
            code = self._true_code(self.pos, self.hd) * mask[:, None]
            inputs = torch.cat([velocity, code], 1)
        self.moved[:] = False
        out, (self.h, self.c) = self.model.core(inputs[:, None], (self.h, self.c))
        self.g = self.model.bottleneck(out[:, 0])

    def _arrivals(self, before: torch.Tensor) -> tuple[torch.Tensor, list[tuple]]:
        """The step's rewards (N,), and each finished return trip as (environment, steps, the
        shortest path's m, the first door it went through or -1); moves the arrived agents."""
        dist = (self.goal - self.pos).norm(dim=1)
        reward = torch.zeros(self.num_envs)
        if self.s.shaping:
            reward += self.s.shaping * ((self.goal - before).norm(dim=1) - dist)
        if self.arena is not None:
            crossed = crosses_walls(before, self.pos, self.segments[len(self.arena.walls) :])
            first = crossed.float().argmax(1)
            new = crossed.any(1) & (self.first_door < 0) & (self.known > 0)
            self.first_door[new] = first[new]
        arrived = dist < self.s.tolerance
        reward += arrived.float()
        trips = []
        for i in np.flatnonzero(arrived.numpy()):
            if self.known[i] > 0:
                door = int(self.first_door[i])
                trips.append((i, int(self.trip_steps[i]), float(self.trip_shortest[i]), door))
            self.returns[i] += 1
            self.known[i] = 1.0
            if self.variant in ("bottleneck", "place"):
                self.goal_code[i] = self._features(self.g[i : i + 1])[0]
            self.pos[i] = self._away_from(self.goal[i : i + 1])[0]
            self.hd[i] = float(torch.rand(1, generator=self.gen) * 2 * math.pi - math.pi)
            self.moved[i], self.trip_steps[i] = True, 0
            self.trip_shortest[i] = self._shortest(i)
            self.first_door[i] = -1
        return reward, trips

    def _fill_trip_infos(self, infos: list[dict], trips: list[tuple]) -> None:
        for i, steps, shortest, door in trips:
            infos[i]["return_steps"] = steps
            infos[i]["return_shortest_m"] = shortest
            if self.arena is not None:
                infos[i]["first_door"] = door

    # --- the rest of VecEnv's interface ---------------------------------------------------

    def close(self) -> None:
        pass

    def get_attr(self, attr_name, indices=None):
        return [getattr(self, attr_name)] * len(self._indices(indices))

    def set_attr(self, attr_name, value, indices=None) -> None:
        setattr(self, attr_name, value)

    def env_method(self, method_name, *args, indices=None, **kwargs):
        return [getattr(self, method_name)(*args, **kwargs) for _ in self._indices(indices)]

    def env_is_wrapped(self, wrapper_class, indices=None):
        return [False] * len(self._indices(indices))

    def _indices(self, indices) -> list[int]:
        if indices is None:
            return list(range(self.num_envs))
        return [indices] if isinstance(indices, int) else list(indices)

    def seed(self, seed: int | None = None):
        if seed is not None:
            self.gen.manual_seed(seed)
        return [seed] * self.num_envs

    def with_settings(self, **changes) -> FindReturnEnvs:
        """The same environments' network, variant and arena under changed settings."""
        return FindReturnEnvs(
            self.net,
            self.variant,
            self.num_envs,
            replace(self.s, **changes),
            self.arena,
            None if self.layouts is None else self.layouts.numpy(),
            lesion=self.lesion,
        )
