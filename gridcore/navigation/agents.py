"""Agents that walk to goals: the stepping loop, its results, and the random-walk baseline.

An agent is a point in the rat's box (and, optionally, an arena of internal walls) that each
step turns towards the vector its policy gives (at most ``max_turn`` rad), moves at a fixed speed
for one ``dt`` and tells the policy the velocity of the step it took, so a policy built on a
network can path-integrate it. Box walls stop a step; an internal wall stops it just short and
the rest of the step slides along the wall (its component along the wall), as a rat pressed
against a wall runs along it. ``gates`` are segments that block nothing but whose crossings are
counted: a door, a gap.

A policy is any object with ``policy(pos) -> (B, 2)`` vectors (pos: the true positions, m, which
only an oracle should read) and ``policy.update(velocity)`` (the network's input of the step).

Two agents run on the same episodes are compared episode by episode (:func:`paired_success`):
McNemar's exact test on the episodes that only one of them won.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import binomtest

from gridcore.world.trajectories import (
    WALL_GAP_M,
    MotionParams,
    as_walls,
    crosses_walls,
    ray_to_walls,
    simulate,
    wrap_angle,
)

TOLERANCE_M = 0.10  # success: within 10 cm of the goal
WALK_SEED = 555_002_111  # the random walk's rats never coincide with training data
ALPHA = 0.05  # two-sided level at which one agent beats another on the same episodes


def distance_to_boundary(pos: torch.Tensor, hd: torch.Tensor, half: torch.Tensor) -> torch.Tensor:
    """Distance (m) from ``pos`` (B, 2) along heading ``hd`` (B,) to the box's boundary."""
    d = torch.stack([torch.cos(hd), torch.sin(hd)], dim=1)
    limit = torch.where(d > 0, half - pos, -half - pos)
    safe = torch.where(d.abs() > 1e-12, d, torch.ones_like(d))
    steps = torch.where(d.abs() > 1e-12, limit / safe, torch.full_like(d, math.inf))
    return steps.min(dim=1).values.clamp_min(0.0)


def step_input(kind: str, speed, turn, step_xy, dt: float) -> torch.Tensor:
    """What a network reads for one step: (speed m/s, sin turn, cos turn) or (vx, vy) m/s."""
    if kind == "allocentric":
        return step_xy / dt
    return torch.stack([speed, torch.sin(turn), torch.cos(turn)], dim=-1)


def move(
    pos: torch.Tensor, hd: torch.Tensor, length: torch.Tensor, half: torch.Tensor, walls
) -> torch.Tensor:
    """New positions (B, 2) m after moving ``length`` (B,) m from ``pos`` along heading ``hd``
    (B,) rad inside the box of half-sides ``half``: the box stops a step; a wall segment of
    ``walls`` (W, 2, 2) stops it ``WALL_GAP_M`` short, and the rest, times the cosine of the angle
    to the wall, slides along the wall as far as the box or the next wall allows."""
    d = torch.stack([torch.cos(hd), torch.sin(hd)], dim=1)
    free = torch.minimum(length, distance_to_boundary(pos, hd, half))
    hit, index = ray_to_walls(pos, d, walls)
    blocked = hit - WALL_GAP_M < free
    first = torch.where(blocked, (hit - WALL_GAP_M).clamp_min(0.0), free)
    mid = pos + first[:, None] * d
    along = walls[index, 1] - walls[index, 0]
    along = along / along.norm(dim=-1, keepdim=True)
    cosine = (d * along).sum(-1)
    slide = along * torch.sign(cosine)[:, None]
    rest = torch.where(blocked, (length - first).clamp_min(0.0) * cosine.abs(), 0.0)
    slide_hd = torch.atan2(slide[:, 1], slide[:, 0])
    again, _ = ray_to_walls(mid, slide, walls)
    second = torch.minimum(rest, distance_to_boundary(mid, slide_hd, half))
    second = torch.minimum(second, (again - WALL_GAP_M).clamp_min(0.0))
    new = mid + second[:, None] * slide
    return torch.maximum(torch.minimum(new, half), -half)


@dataclass
class AgentResult:
    """Per episode: ``success`` (within ``tolerance`` within the budget), ``steps`` taken
    until then (the budget if never), ``path_m`` walked until then and the length
    ``distance_m`` of the shortest path from start to goal (the straight line in an empty box).
    ``crossed_at`` (B, G): the step at which the path first went through each gate before it
    ended, -1 if it never did (None without gates)."""

    success: np.ndarray
    steps: np.ndarray
    path_m: np.ndarray
    distance_m: np.ndarray
    tolerance: float = TOLERANCE_M
    crossed_at: np.ndarray | None = None

    @property
    def success_rate(self) -> float:
        return float(self.success.mean())

    @property
    def path_ratio(self) -> float:
        """Median over successful episodes of the path walked over the shortest path that
        succeeds, the shortest path less the tolerance (NaN if none succeeded)."""
        if not self.success.any():
            return float("nan")
        shortest = self.distance_m[self.success] - self.tolerance
        ratio = self.path_m[self.success] / np.maximum(shortest, 1e-3)
        return float(np.median(ratio))

    def crossing_rate(self, gate: int = 0) -> float:
        """Fraction of episodes whose path went through gate ``gate``."""
        return float((self._crossings()[:, gate] >= 0).mean())

    def first_crossing_rate(self, gate: int = 0) -> float:
        """Fraction of episodes whose path went through gate ``gate`` before any other gate."""
        at = self._crossings().astype(float)
        at[at < 0] = np.inf
        first = np.isfinite(at).any(1) & (at.argmin(1) == gate)
        return float(first.mean())

    def _crossings(self) -> np.ndarray:
        if self.crossed_at is None:
            raise ValueError("this run counted no gates")
        return self.crossed_at


class OraclePolicy:
    """The true goal vector: a check of the agent loop, not a model."""

    def __init__(self, goal_pos: torch.Tensor) -> None:
        self.goal_pos = goal_pos

    def __call__(self, pos: torch.Tensor) -> torch.Tensor:
        return self.goal_pos - pos

    def update(self, velocity: torch.Tensor) -> None:
        pass


@torch.no_grad()
def run_agent(
    policy,
    start_pos: torch.Tensor,
    start_hd: torch.Tensor,
    goal_pos: torch.Tensor,
    motion: MotionParams,
    max_steps: int = 250,
    tolerance: float = TOLERANCE_M,
    speed: float | None = None,
    max_turn: float | None = None,
    velocity_input: str = "egocentric",
    walls=None,
    gates=None,
    shortest_m: torch.Tensor | None = None,
) -> AgentResult:
    """Step B agents at once along their policy's goal vector: turn towards it (at most
    ``max_turn`` rad per step; default 3 s.d. of the rat's turning per step), move ``speed``
    (m/s; default the rat's mean speed) for one ``dt``, stopped at the box (see :func:`move` for
    ``walls``), and report the velocity to the policy. An agent within ``tolerance`` of its goal
    stops there. ``shortest_m`` (B,): shortest path lengths, the straight line by default."""
    speed = motion.mean_speed if speed is None else speed
    max_turn = 3 * motion.turn_sigma * motion.dt if max_turn is None else max_turn
    half = torch.tensor([motion.box_width / 2, motion.box_height / 2])
    segs, gate_segs = as_walls(walls), as_walls(gates)
    pos, hd = start_pos.clone(), start_hd.clone()
    distance = (goal_pos - pos).norm(dim=-1)
    done = distance < tolerance
    steps = torch.zeros(len(pos), dtype=torch.long)
    path = torch.zeros(len(pos))
    crossed = torch.full((len(pos), 0 if gate_segs is None else len(gate_segs)), -1)
    for t in range(max_steps):
        vec = policy(pos)
        turn = wrap_angle(torch.atan2(vec[:, 1], vec[:, 0]) - hd).clamp(-max_turn, max_turn)
        turn = torch.where(done, torch.zeros_like(turn), turn)
        if segs is None:
            hd = wrap_angle(hd + turn)
            step = distance_to_boundary(pos, hd, half).clamp_max(speed * motion.dt)
            step = torch.where(done, torch.zeros_like(step), step)
            new = pos + step[:, None] * torch.stack([torch.cos(hd), torch.sin(hd)], dim=1)
            new = torch.maximum(torch.minimum(new, half), -half)
        else:  # a slide along a wall turns the agent to face where it went
            aim = wrap_angle(hd + turn)
            length = torch.where(done, 0.0, torch.full_like(hd, speed * motion.dt))
            new = move(pos, aim, length, half, segs)
            disp = new - pos
            step = disp.norm(dim=-1)
            went = torch.where(step > 0, torch.atan2(disp[:, 1], disp[:, 0]), aim)
            turn, hd = wrap_angle(went - hd), went
        if gate_segs is not None:
            through = crosses_walls(pos, new, gate_segs)
            crossed = torch.where((crossed < 0) & through, t, crossed)
        policy.update(step_input(velocity_input, step / motion.dt, turn, new - pos, motion.dt))
        path += step
        steps += (~done).long()
        pos = new
        done = done | ((goal_pos - pos).norm(dim=-1) < tolerance)
        if done.all():
            break
    shortest = distance if shortest_m is None else shortest_m
    hit = None if gate_segs is None else crossed.numpy()
    return AgentResult(done.numpy(), steps.numpy(), path.numpy(), shortest.numpy(), tolerance, hit)


@torch.no_grad()
def random_walk(
    start_pos,
    start_hd,
    goal_pos,
    motion,
    max_steps=250,
    tolerance=TOLERANCE_M,
    seed=0,
    walls=None,
    gates=None,
    shortest_m: torch.Tensor | None = None,
) -> AgentResult:
    """The rat's own random foraging (``motion``, among ``walls``) from the starts (B, 2) m and
    headings (B,) rad: an :class:`AgentResult`, success if it passes within ``tolerance`` of
    ``goal_pos`` within ``max_steps``; crossings of ``gates`` are counted until then."""
    gen = torch.Generator().manual_seed(WALK_SEED + seed)
    n = len(start_pos)
    traj = simulate(
        n, max_steps, motion, generator=gen, init_pos=start_pos, init_hd=start_hd, walls=walls
    )
    path = traj.full_path()
    near = (path - goal_pos[:, None]).norm(dim=-1) < tolerance
    first = torch.where(near.any(1), near.float().argmax(1), torch.full((n,), max_steps))
    lengths = torch.cat([torch.zeros(n, 1), (path[:, 1:] - path[:, :-1]).norm(dim=-1)], 1)
    before = torch.arange(max_steps + 1) <= first[:, None]
    walked = torch.where(before, lengths, 0.0).sum(1)
    hit = near.any(1).numpy()
    shortest = (goal_pos - start_pos).norm(dim=-1) if shortest_m is None else shortest_m
    crossed = None
    if (gate_segs := as_walls(gates)) is not None:
        through = crosses_walls(path[:, :-1], path[:, 1:], gate_segs)  # (B, T, G)
        through = through & before[:, 1:, None]
        first_step = through.float().argmax(1)  # the first True along the path
        crossed = torch.where(through.any(1), first_step, -1).numpy()
    return AgentResult(hit, first.numpy(), walked.numpy(), shortest.numpy(), tolerance, crossed)


# --------------------------------------------------------------------------------------------
# Two agents on the same episodes


@dataclass(frozen=True)
class PairedSuccess:
    """Agents ``a`` and ``b`` on the same episodes: their success rates (fractions), the episodes
    won by ``a`` alone (``only_a``) and by ``b`` alone (``only_b``), and McNemar's exact test
    on those: ``p_value``, two-sided, the binomial test of ``only_a`` in ``only_a + only_b`` at
    1/2 (1 when no episode was won by one agent alone)."""

    a: str
    b: str
    success_a: float
    success_b: float
    only_a: int
    only_b: int
    p_value: float
    alpha: float = ALPHA

    @property
    def word(self) -> str:
        """How ``a`` fares against ``b`` at level ``alpha``: "beats", "loses to" or "does not
        differ significantly from"."""
        if self.p_value >= self.alpha or self.only_a == self.only_b:
            return "does not differ significantly from"
        return "beats" if self.only_a > self.only_b else "loses to"

    def evidence(self) -> str:
        """The discordant episodes and the test, e.g. "150 episodes won by the grid agent alone,
        6 by the random agent alone, McNemar's exact test p < 0.001"."""
        p = "p < 0.001" if self.p_value < 0.001 else f"p = {self.p_value:.3f}"
        return (
            f"{self.only_a} episodes won by the {self.a} agent alone, {self.only_b} by the "
            f"{self.b} agent alone, McNemar's exact test {p}"
        )

    def sentence(self) -> str:
        """The comparison in words: "the grid agent (41 %) beats the random agent (12 %): ...",
        success rates in per cent, then :meth:`evidence`."""
        return (
            f"the {self.a} agent ({100 * self.success_a:.0f} %) {self.word} the {self.b} agent "
            f"({100 * self.success_b:.0f} %): {self.evidence()}"
        )


def paired_success(
    agents: Mapping[str, AgentResult], a: str, b: str, alpha: float = ALPHA
) -> PairedSuccess:
    """Agents ``a`` and ``b`` of ``agents`` (results on the same episodes, in the same order)
    compared episode by episode with McNemar's exact test (:class:`PairedSuccess`)."""
    sa, sb = np.asarray(agents[a].success, bool), np.asarray(agents[b].success, bool)
    if sa.shape != sb.shape:
        raise ValueError(f"{a} and {b} ran {sa.size} and {sb.size} episodes, not the same ones")
    only_a, only_b = int((sa & ~sb).sum()), int((~sa & sb).sum())
    p = binomtest(only_a, only_a + only_b, 0.5).pvalue if only_a + only_b else 1.0
    return PairedSuccess(a, b, float(sa.mean()), float(sb.mean()), only_a, only_b, float(p), alpha)
