"""The rat's box as a reinforcement-learning task (Banino et al. 2018, Fig. 3 and 4), on gymnasium.

:class:`NavigationEnv` is a ``gymnasium.Env``: an agent in the 2.2 m box (or in an
:class:`~gridcore.world.arenas.Arena`, whose walls and door stop it) must reach a goal it saw while
exploring, knowing where it is only through a frozen grid network that path-integrates the
agent's own velocity.

**An episode.** The simulated rat forages for ``explore_steps`` (the same motion model the
network was trained on, among the arena's walls with the door closed); the frozen network
(dropout off) runs along that path from the true place and head-direction code at its start.
One moment of the path is the goal: the network's code at that moment, the code it had while
the rat passed there, is the goal code (the paper's agent likewise kept the grid code it had at
the goal). The agent starts where the path ends, facing the rat's last heading, with the
network's state there. The goal moment is drawn uniformly among the moments that satisfy the
episode's constraints: the goal in ``goal_region`` (the whole box, its left half x < 0 or its
right half x >= 0), and the straight line from the start to the goal between ``min_distance``
and ``max_distance`` (m). Goals therefore follow the rat's occupancy (a little more often near
walls). In an arena the rat seldom passes the goal zone and then ends its path in the start
zone (about one path in 200 of 300 steps), so there, as in
:func:`gridcore.navigation.shortcuts.shortcut_episodes`, the goal code is the network's code at the
end of another exploration path, one that ends in the goal zone; both paths begin from the true code
at their start, so both codes place the agent in the same frame.

**A step.** The action is a Box in [-1, 1]^2. With ``action="turn"``, a turn of
``a[0] * max_turn`` (rad; by default 3 s.d. of the rat's turning in one ``dt``, 0.69 rad for the
``sorscher`` rat) and a speed of ``(a[1] + 1) / 2 * max_speed`` (m/s; by default twice the rat's
mean speed, 2.05 m/s, about the 95th percentile of the speeds the network was trained on). With
``action="heading"``, a direction in the room and a speed: the agent turns towards the direction
of ``a`` by at most ``max_turn``, from the heading it believes it has (the network's estimate, the
one it observes), and moves at ``min(|a|, 1) * max_speed``. The turn is still limited, so the
network reads only steps like those it was trained on; the policy need not compose the goal's
direction with its heading, which a small feed-forward policy learns slowly (with PPO's settings
of :mod:`gridcore.navigation.rl_agents`, a policy on the place read-out and its difference from the
goal's succeeded in 12 % of episodes after 6 * 10^4 steps with the turn action, where actions drawn
at random succeed in 15 %, and in 41 % with the heading action).
:meth:`NavigationEnv.turn_and_speed` reads an action; :meth:`NavigationEnv.action_for` writes
one. The box stops a step; an arena's walls stop it and the rest slides along the wall
(:func:`gridcore.navigation.agents.move`). The network reads the step as the rat's own egocentric
velocity (speed actually moved, sine and cosine of the turn; the allocentric velocity for a network
trained on that), never the position.

**Observations** (float32; codes standardised per unit over the network's codes along fresh rat
paths and clipped to +-10 s.d.). ``variant``:

* ``grid``: the grid-like units (``units``, e.g. :func:`gridcore.navigation.vectors.grid_units`) now
  and in the goal code;
* ``place``: the network's place read-out (softmax over each place ensemble's logits: the
  place-cell code, not coordinates) now and at the goal;
* ``bottleneck``: every bottleneck unit, now and at the goal;
* ``grid-no-goal``: the grid-like units now, without the goal code;
* ``untrained``: the bottleneck of an untrained network of the same config (weights from
  ``untrained_seed``), path-integrating the same velocities, now and at the goal;
* ``position``: the true position and goal (m, divided by the box's half-width) and the true
  heading (cos, sin): the bound.

With ``difference=True`` the code variants with a goal code also observe the goal code minus
the current code (standardised units; a departure from the paper, whose policy received the two
codes: a learnt policy can compute the difference, a small one learns faster with it given).

The code variants end with the trained network's own heading estimate (cos and sin of the
population vector of its head-direction read-out, from the intact code): an egocentric action
needs a heading, and every code variant gets the same one, so they differ only in their spatial
code. ``heading=False`` leaves it out (a recurrent policy must then infer its heading); by
default it is in when the network has a head-direction read-out. A network without one (the
``paper-rat`` networks read allocentric velocity) is told each step's direction, so there the
heading action turns from the true heading.

**Reward.** +1 on coming within ``tolerance`` of the goal (the episode terminates), minus
``step_cost`` every other step, plus ``shaping`` times the progress towards the goal made in the
step (m of straight-line distance; 0 by default, the paper's sparse reward; the environment
computes it from the true positions, and the policy never sees them: privileged information
given to the reward only; :mod:`gridcore.navigation.rl_agents` trains with it on by default);
truncated after ``max_steps``. The default tolerance is 20 cm: the shipped ``grid-lstm``'s own place
read-out is 21 cm off on average after the 100 steps of exploration, so the read-out agents' 10 cm
asks for more than the code holds. Actions drawn at random reach the 20 cm disc within 100 steps in
16 % of episodes with the turn action (9 % at 10 cm), 19 % with the heading action; a policy that
decodes the shipped network's place read-out, now and at the goal, and heads straight for the
goal reaches it in 56 %: the code, not the policy, caps an agent's success near there. The goals
lie 0.69 m from the start (median; 0.34-1.23 m, 10th to 90th percentile).

``info``: ``is_success``, ``path_m`` walked, ``distance_m`` (the straight line from start to goal;
in an arena the shortest path among its walls as they are) and ``steps``; in an arena also
``crossed_at``, the step at which the path first went through each gate (the door, then the
gap; -1 never), as in :class:`gridcore.navigation.agents.AgentResult`.

**Lesions.** ``lesion``: bottleneck units set to 0 wherever the code is read for the policy: in
the current and the goal code and in the place read-out computed from them (the paper silenced
units of the grid layer the policy reads). The bottleneck is a read-out of the recurrent core and
never feeds back into it, so path integration itself goes on untouched; the heading estimate
reads the intact code. Standardisation uses the intact code's statistics, so a silenced unit shows
the policy a constant, the value 0 has on the scale the policy learnt.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import torch

from gridcore.errors import GridcoreError
from gridcore.navigation.agents import move, step_input
from gridcore.navigation.vectors import NAV_SEED, require_recurrent, run_codes
from gridcore.net.runs import Network
from gridcore.net.task import untrained_model
from gridcore.world.arenas import Arena, shortest_paths
from gridcore.world.trajectories import crosses_walls, simulate

try:  # the rl extra: gridcore imports without it
    import gymnasium
    from gymnasium import spaces

    _EnvBase = gymnasium.Env
except ModuleNotFoundError:
    gymnasium = spaces = None
    _EnvBase = object

INSTALL_HINT = "pip install 'gridcore[rl]'"
VARIANTS = ("grid", "place", "bottleneck", "grid-no-goal", "untrained", "position")
NO_GOAL = ("grid-no-goal", "position")  # no goal code, so no difference to add
GOAL_REGIONS = ("all", "left", "right")
ACTIONS = ("turn", "heading")
TOLERANCE_M = 0.20
OBS_CLIP = 10.0  # standardised codes are clipped to +-10 s.d.
CALIBRATION_SEED = NAV_SEED + 9000  # the paths that set each unit's mean and s.d.
CANDIDATE_PATHS = 32  # rat paths simulated at once; each gives at most one episode
ARENA_PATHS = 128  # in an arena, where only about one path in 25 ends in either zone
MAX_REFILLS = 100


def require_gymnasium() -> None:
    """Refuse (GridcoreError) when gymnasium, of the rl extra, is not installed."""
    if gymnasium is None:
        raise GridcoreError(f"the navigation environment needs gymnasium: {INSTALL_HINT}")


@torch.no_grad()
def code_statistics(
    features, model, net: Network, n_paths: int = 64, seq_len: int = 100
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-unit mean and s.d. of ``features(bottleneck)`` (..., d) over ``model``'s bottleneck
    along ``n_paths`` fresh rat paths of ``seq_len`` steps (seed :data:`CALIBRATION_SEED`); an
    s.d. is at least a tenth of the median s.d., so that a rarely active unit is not blown up."""
    gen = torch.Generator().manual_seed(CALIBRATION_SEED)
    traj = simulate(n_paths, seq_len, net.motion, generator=gen)
    g, _, _ = run_codes(replace(net, model=model), traj)
    f = features(g)
    x = f.reshape(-1, f.shape[-1])
    std = x.std(0)
    floor = 0.1 * std[std > 0].median() if (std > 0).any() else torch.tensor(1.0)
    return x.mean(0), std.clamp_min(float(floor))


def _state_row(state, i: int):
    """Trajectory ``i`` of a recurrent core's state: (layers, B, H), or an LSTM's pair."""
    if isinstance(state, tuple):
        return tuple(s[:, i : i + 1] for s in state)
    return state[:, i : i + 1]


class FrozenCore:
    """A frozen network stepped one velocity at a time: its core's state and its bottleneck
    code ``code`` (n,) after the last step."""

    def __init__(self, model) -> None:
        self.model = model.eval()
        self.state, self.code = None, None

    def start(self, state, code: torch.Tensor) -> None:
        self.state, self.code = state, code

    @torch.no_grad()
    def step(self, velocity: torch.Tensor) -> None:
        """Read one step's velocity (1, n_inputs)."""
        hidden, self.state = self.model.core(velocity[:, None], self.state)
        self.code = self.model.bottleneck(hidden[:, 0])[0]


class NavigationEnv(_EnvBase):
    """Reach a goal seen while exploring, knowing where one is only through a frozen grid
    network's path integration of one's own velocity (see the module's text).

    ``net``: a trained network with a recurrent core; ``variant``: one of :data:`VARIANTS`;
    ``units``: the grid-like bottleneck units (the ``grid`` variants need them). The true state
    is kept in ``pos`` (2,) m, ``heading`` rad and ``goal_pos`` (2,) m, for tests and figures:
    only the ``position`` variant observes it."""

    metadata = {"render_modes": []}

    def __init__(
        self,
        net: Network,
        variant: str = "grid",
        units: Sequence[int] | None = None,
        *,
        goal_region: str = "all",
        min_distance: float = 0.25,
        max_distance: float | None = None,
        tolerance: float = TOLERANCE_M,
        max_steps: int = 100,
        step_cost: float = 0.01,
        shaping: float = 0.0,
        explore_steps: int = 100,
        arena: Arena | None = None,
        door_open: bool = False,
        lesion: Sequence[int] | None = None,
        heading: bool | None = None,
        untrained_seed: int = 0,
        max_turn: float | None = None,
        max_speed: float | None = None,
        action: str = "turn",
        difference: bool = False,
    ) -> None:
        require_gymnasium()
        _check_options(
            net, variant, units, goal_region, min_distance, max_distance, tolerance, arena
        )
        if action not in ACTIONS:
            raise GridcoreError(f"unknown action {action!r}; choose one of: {', '.join(ACTIONS)}")
        self.action, self.difference = action, difference and variant not in NO_GOAL
        if heading is None:
            heading = net.model.hd_head is not None
        _check_sizes(max_steps, explore_steps, arena, net, heading and variant != "position")
        self.net, self.variant, self.arena, self.door_open = net, variant, arena, door_open
        self.goal_region, self.tolerance, self.step_cost = goal_region, tolerance, step_cost
        self.shaping = shaping
        self.min_distance = min_distance
        self.max_distance = math.inf if max_distance is None else max_distance
        self.max_steps, self.explore_steps = max_steps, explore_steps
        self.heading_input = heading and variant != "position"
        motion = net.motion
        self.half = np.array([motion.box_width / 2, motion.box_height / 2])
        self.max_turn = 3 * motion.turn_sigma * motion.dt if max_turn is None else max_turn
        self.max_speed = 2 * motion.mean_speed if max_speed is None else max_speed
        self._walls = None if arena is None else arena.segments(door_open)
        self._gates = None if arena is None else arena.gates()
        self._explore_walls = None if arena is None else arena.segments(door_open=False)
        self._cores = self._build_cores(untrained_seed)
        n = net.model.bottleneck.out_features
        self._mask = torch.ones(n)
        if lesion is not None and len(lesion):
            self._mask[torch.as_tensor(np.asarray(lesion), dtype=torch.long)] = 0.0
        grid = variant in ("grid", "grid-no-goal")
        self._units = torch.as_tensor(np.asarray(units)) if grid else torch.arange(n)
        self._units = self._units.long()
        if variant != "position":
            model = self._cores[self._code_key].model
            self._mean, self._std = code_statistics(self._intact_features, model, net)
        size = self._observation_size()
        bound = 1.0 if variant == "position" else OBS_CLIP
        self.observation_space = spaces.Box(-bound, bound, (size,), dtype=np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, (2,), dtype=np.float32)
        self._pool: list[dict] = []

    # ----------------------------------------------------------------------------------------
    # The network(s) and the observation

    @property
    def _code_key(self) -> str:
        return "untrained" if self.variant == "untrained" else "trained"

    def _build_cores(self, untrained_seed: int) -> dict[str, FrozenCore]:
        if self.variant == "position":
            return {}
        cores = {"trained": FrozenCore(self.net.model)}
        if self.variant == "untrained":
            raw, _ = untrained_model(self.net.cfg, seed=untrained_seed)
            cores["untrained"] = FrozenCore(raw)
        return cores

    def _observation_size(self) -> int:
        if self.variant == "position":
            return 6
        code = self._mean.numel()
        goal = 0 if self.variant == "grid-no-goal" else code
        difference = code if self.difference else 0
        return code + goal + difference + (2 if self.heading_input else 0)

    def _intact_features(self, g: torch.Tensor) -> torch.Tensor:
        """The variant's code (..., d) from bottleneck codes (..., n), before lesion and scaling."""
        if self.variant == "place":
            model, ensembles = self._cores["trained"].model, self.net.ensembles
            blocks = ensembles.split_place(model.place_head(g))
            return torch.cat([torch.softmax(b, dim=-1) for b in blocks], dim=-1)
        return g[..., self._units]

    @torch.no_grad()
    def _features(self, g: torch.Tensor) -> torch.Tensor:
        """The variant's lesioned, standardised code (d,) from a bottleneck code (n,)."""
        f = self._intact_features(g * self._mask)
        return ((f - self._mean) / self._std).clamp(-OBS_CLIP, OBS_CLIP)

    @torch.no_grad()
    def _heading_estimate(self) -> torch.Tensor:
        """(cos, sin) of the trained network's heading estimate: the population vector of its
        head-direction read-out of the intact code."""
        model, centres = self.net.model, self.net.ensembles.hd.centres
        p = torch.softmax(model.hd_head(self._cores["trained"].code), dim=-1)
        angle = torch.atan2((p * torch.sin(centres)).sum(), (p * torch.cos(centres)).sum())
        return torch.stack([torch.cos(angle), torch.sin(angle)])

    def _observation(self) -> np.ndarray:
        if self.variant == "position":
            parts = [self.pos / self.half, self.goal_pos / self.half]
            parts.append(np.array([math.cos(self.heading), math.sin(self.heading)]))
            return np.concatenate(parts).clip(-1.0, 1.0).astype(np.float32)
        parts = [self._features(self._cores[self._code_key].code)]
        if self.variant != "grid-no-goal":
            parts.append(self._goal_features)
        if self.difference:
            parts.append((self._goal_features - parts[0]).clamp(-OBS_CLIP, OBS_CLIP))
        if self.heading_input:
            parts.append(self._heading_estimate())
        return torch.cat(parts).numpy().astype(np.float32)

    # ----------------------------------------------------------------------------------------
    # Episodes

    def _goal_mask(self, pos: torch.Tensor, end: torch.Tensor) -> torch.Tensor:
        """(K, T) whether each moment of K paths (K, T, 2) may be the goal of an episode that
        starts at the paths' ends (K, 2), in the open box."""
        dist = (pos - end[:, None]).norm(dim=-1)
        ok = (dist >= self.min_distance) & (dist <= self.max_distance)
        if self.goal_region == "left":
            ok &= pos[..., 0] < 0
        elif self.goal_region == "right":
            ok &= pos[..., 0] >= 0
        return ok

    def _box_moments(self, traj, gen) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Start paths, goal paths and goal steps of the open box's episodes: a moment of the
        path drawn among those that may be the goal, at most one per path."""
        pos = traj.target_pos
        ok = self._goal_mask(pos[:, :-1], pos[:, -1])
        t_goal = (torch.rand(ok.shape, generator=gen) + ok.float()).argmax(dim=1)
        rows = torch.nonzero(ok.any(dim=1))[:, 0]
        return rows, rows, t_goal[rows]

    def _arena_moments(self, traj) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Start paths, goal paths and goal steps of the arena's episodes: a path that ends in
        the start zone paired with one that ends in the goal zone, far enough apart."""
        end = traj.target_pos[:, -1]
        starts = torch.nonzero(self.arena.in_zone(end, self.arena.start_zone))[:, 0]
        goals = torch.nonzero(self.arena.in_zone(end, self.arena.goal_zone))[:, 0]
        n = min(len(starts), len(goals))
        starts, goals = starts[:n], goals[:n]
        dist = (end[goals] - end[starts]).norm(dim=-1)
        keep = (dist >= self.min_distance) & (dist <= self.max_distance)
        last = torch.full((int(keep.sum()),), traj.target_pos.shape[1] - 1)
        return starts[keep], goals[keep], last

    @torch.no_grad()
    def _draw_episodes(self) -> list[dict]:
        """Episodes from :data:`CANDIDATE_PATHS` rat paths, :data:`ARENA_PATHS` in an arena (see
        the module's text); none when no path gives one."""
        gen = torch.Generator().manual_seed(int(self.np_random.integers(2**62)))
        k, motion = CANDIDATE_PATHS if self.arena is None else ARENA_PATHS, self.net.motion
        traj = simulate(k, self.explore_steps, motion, generator=gen, walls=self._explore_walls)
        if self.arena is None:
            starts, goals, t_goal = self._box_moments(traj, gen)
        else:
            starts, goals, t_goal = self._arena_moments(traj)
        codes = {}
        for key, core in self._cores.items():
            g, _, state = run_codes(replace(self.net, model=core.model), traj)
            codes[key] = (g, state)
        episodes = []
        for s, j, t in zip(starts.tolist(), goals.tolist(), t_goal.tolist(), strict=True):
            ep = {
                "start_pos": traj.target_pos[s, -1].double().numpy(),
                "start_hd": float(traj.target_hd[s, -1]),
                "goal_pos": traj.target_pos[j, t].double().numpy(),
            }
            for key, (g, state) in codes.items():
                ep[key] = (_state_row(state, s), g[s, -1], g[j, t])
            episodes.append(ep)
        return episodes

    def _next_episode(self) -> dict:
        for _ in range(MAX_REFILLS):
            if self._pool:
                return self._pool.pop()
            self._pool = self._draw_episodes()
        raise GridcoreError(
            f"no goal satisfies the episode's constraints in {MAX_REFILLS} batches of rat "
            f"paths of {self.explore_steps} steps (goal region {self.goal_region}, distance "
            f"{self.min_distance}-{self.max_distance} m): relax them or explore longer"
        )

    def _shortest_m(self) -> float:
        if self.arena is None:
            return float(np.linalg.norm(self.goal_pos - self.pos))
        start, goal = (
            torch.tensor(x[None], dtype=torch.float32) for x in (self.pos, self.goal_pos)
        )
        lengths, _ = shortest_paths(self.arena, start, goal, self.door_open)
        return float(lengths[0])

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """A new episode (see the module's text); ``seed`` reseeds the episodes' draws."""
        super().reset(seed=seed)
        if seed is not None:
            self._pool = []
        ep = self._next_episode()
        self.pos, self.heading = ep["start_pos"].copy(), ep["start_hd"]
        self.goal_pos = ep["goal_pos"].copy()
        for key, core in self._cores.items():
            state, now, _ = ep[key]
            core.start(state, now)
        if self.variant != "position":
            self._goal_features = self._features(ep[self._code_key][2])
        self.steps, self.path_m = 0, 0.0
        self.crossed_at = np.full(0 if self._gates is None else len(self._gates), -1)
        self.distance_m = self._shortest_m()
        return self._observation(), self._info(False)

    # ----------------------------------------------------------------------------------------
    # Steps

    def _box_move(self, aim: float, length: float) -> np.ndarray:
        """Where a step of ``length`` (m) along heading ``aim`` (rad) ends in the empty box."""
        d = np.array([math.cos(aim), math.sin(aim)])
        with np.errstate(divide="ignore", invalid="ignore"):
            limit = np.where(d > 0, self.half - self.pos, -self.half - self.pos) / d
        free = np.where(np.abs(d) > 1e-12, limit, math.inf).min()
        step = min(length, max(float(free), 0.0))
        return np.clip(self.pos + step * d, -self.half, self.half)

    def _move(self, turn: float, length: float) -> tuple[np.ndarray, float]:
        """The new position (2,) m and the turn (rad) actually made: in the box the agent turns
        as asked; among walls it faces where it went (a slide along a wall turns it)."""
        aim = _wrap(self.heading + turn)
        if self._walls is None:
            return self._box_move(aim, length), turn
        pos = torch.tensor(self.pos[None], dtype=torch.float32)
        half = torch.tensor(self.half, dtype=torch.float32)
        new = move(pos, torch.tensor([aim]), torch.tensor([length]), half, self._walls)[0]
        new = new.double().numpy()
        disp = new - self.pos
        went = math.atan2(disp[1], disp[0]) if np.linalg.norm(disp) > 0 else aim
        return new, _wrap(went - self.heading)

    def _believed_heading(self) -> float:
        """The heading (rad) the agent takes itself to have: the network's estimate (the one
        the code variants observe); the true heading for the position variant, and for a
        network that reads allocentric velocity (it is told each step's direction, so the agent
        that drives it knows it too)."""
        if self.variant == "position" or self.net.model.velocity_input == "allocentric":
            return self.heading
        cos, sin = self._heading_estimate().tolist()
        return math.atan2(sin, cos)

    def turn_and_speed(self, action) -> tuple[float, float]:
        """The turn (rad) and speed (m/s) an action asks for (see the module's text)."""
        a = np.clip(np.asarray(action, dtype=np.float64).reshape(2), -1.0, 1.0)
        if self.action == "turn":
            return float(a[0]) * self.max_turn, float(a[1] + 1) / 2 * self.max_speed
        length = float(np.linalg.norm(a))
        if length < 1e-9:
            return 0.0, 0.0
        aim = math.atan2(a[1], a[0])
        turn = _wrap(aim - self._believed_heading())
        turn = min(max(turn, -self.max_turn), self.max_turn)
        return turn, min(length, 1.0) * self.max_speed

    def action_for(self, turn: float, speed: float) -> np.ndarray:
        """The action (2,) that asks for a ``turn`` (rad) and a ``speed`` (m/s), clipped to the
        action's limits: the inverse of :meth:`turn_and_speed` (for baselines that move like
        the rat)."""
        fraction = min(max(speed / self.max_speed, 0.0), 1.0)
        if self.action == "turn":
            return np.array([np.clip(turn / self.max_turn, -1, 1), 2 * fraction - 1], np.float32)
        aim = self._believed_heading() + turn
        return (fraction * np.array([math.cos(aim), math.sin(aim)])).astype(np.float32)

    def step(self, action):
        """Move as ``action`` asks (:meth:`turn_and_speed`) for one ``dt``; the network reads
        the step's egocentric velocity."""
        dt = self.net.motion.dt
        turn, speed = self.turn_and_speed(action)
        new, turn = self._move(turn, speed * dt)
        moved = float(np.linalg.norm(new - self.pos))
        if self._gates is not None:
            start, end = (torch.tensor(x[None], dtype=torch.float32) for x in (self.pos, new))
            through = crosses_walls(start, end, self._gates)[0].numpy()
            self.crossed_at = np.where((self.crossed_at < 0) & through, self.steps, self.crossed_at)
        if self._cores:
            kind = self.net.model.velocity_input
            velocity = step_input(
                kind,
                torch.tensor([moved / dt]),
                torch.tensor([turn]),
                torch.tensor((new - self.pos)[None], dtype=torch.float32),
                dt,
            ).float()
            for core in self._cores.values():
                core.step(velocity)
        before = float(np.linalg.norm(self.goal_pos - self.pos))
        self.pos, self.heading = new, _wrap(self.heading + turn)
        self.steps += 1
        self.path_m += moved
        after = float(np.linalg.norm(self.goal_pos - self.pos))
        success = after < self.tolerance
        reward = (1.0 if success else -self.step_cost) + self.shaping * (before - after)
        truncated = not success and self.steps >= self.max_steps
        return self._observation(), reward, success, truncated, self._info(success)

    def _info(self, success: bool) -> dict:
        info = {
            "is_success": success,
            "path_m": self.path_m,
            "distance_m": self.distance_m,
            "steps": self.steps,
        }
        if self.arena is not None:
            info["crossed_at"] = self.crossed_at.copy()
        return info


def _wrap(angle: float) -> float:
    """An angle (rad) wrapped into [-pi, pi)."""
    return (angle + math.pi) % (2 * math.pi) - math.pi


def _check_options(
    net, variant, units, goal_region, min_distance, max_distance, tolerance, arena
) -> None:
    if variant not in VARIANTS:
        raise GridcoreError(f"unknown variant {variant!r}; choose one of: {', '.join(VARIANTS)}")
    if goal_region not in GOAL_REGIONS:
        known = ", ".join(GOAL_REGIONS)
        raise GridcoreError(f"unknown goal region {goal_region!r}; choose one of: {known}")
    if arena is not None and goal_region != "all":
        raise GridcoreError("an arena has its own start and goal zones: goal_region must be all")
    if variant in ("grid", "grid-no-goal") and (units is None or len(units) == 0):
        raise GridcoreError(f"the {variant} variant needs grid-like units, and none were given")
    n = net.model.bottleneck.out_features
    if units is not None and len(units) and not 0 <= min(units) <= max(units) < n:
        raise GridcoreError(f"units must index the {n} bottleneck units")
    if not 0 < tolerance < min_distance:
        raise GridcoreError(
            f"need 0 < tolerance < min_distance, got {tolerance} and {min_distance} m"
        )
    if max_distance is not None and max_distance < min_distance:
        raise GridcoreError(f"max_distance {max_distance} m is below min_distance {min_distance}")


def _check_sizes(max_steps, explore_steps, arena, net, heading) -> None:
    if max_steps < 1 or explore_steps < 2:
        raise GridcoreError(
            f"need max_steps >= 1, explore_steps >= 2; got {max_steps}, {explore_steps}"
        )
    require_recurrent(net)
    if arena is not None and not math.isclose(arena.box, net.motion.box_width):
        raise GridcoreError(
            f"the arena's box ({arena.box} m) is not the network's ({net.motion.box_width} m)"
        )
    if heading and net.model.hd_head is None:
        raise GridcoreError("this network has no head-direction read-out: pass heading=False")
