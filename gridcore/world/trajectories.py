"""A simulated rat: random foraging trajectories in a square box.

The motion model follows the paper's Supplementary Table 1 (after Raudies & Hasselmo, 2012):

* forward speed drawn afresh each step from a Rayleigh distribution (scale ``speed_scale``, m/s);
* turning velocity drawn each step from a normal distribution (s.d. ``turn_sigma``, rad/s);
* when the rat is closer than ``border_region`` (m) to a wall and heading towards it, it turns
  away by up to 90 degrees (so that it ends up running parallel to the wall) and slows to
  ``border_slow_factor`` of its speed.

Two named parameter sets exist: ``paper`` (the table's values, close to a real rat's speed) and
``sorscher`` (after Sorscher et al.'s widely used re-implementation: the speed scaled by 2 pi, to
Rayleigh(0.82 m/s), and the turning noise doubled, to 11.52 = 2 x 5.76 rad/s).

One departure from both: the box is a hard boundary. A step that would cross a wall is shortened
so the rat stops on the wall, and the velocity input reports the shortened step. Without it the
``sorscher`` rat, which runs about 1 m/s, would step outside the box now and then.

Walls inside the box (``walls``: line segments, for arenas with rooms and doors) are treated like
the box's own: near one and heading towards it, the rat turns away and slows; a step that would
cross one stops just short of it (``WALL_GAP_M``), so no path ever crosses a wall. Without
``walls`` the simulation is exactly the box-only one.

Each trajectory carries two velocity signals: the egocentric one the paper feeds the network
(speed, and the sine and cosine of the turn) and the allocentric Cartesian velocity (vx, vy), the
step actually taken divided by the step's time (``GridCellNetwork``'s ``velocity_input`` picks
one).

The time base. The rat is always simulated at ``dt`` (0.02 s), fine enough for the 3 cm wall
zone. The network may see it more coarsely: with ``sample_dt`` (the paper's 0.15 s: 15 s of motion
in 100 network steps), the fine path is resampled every ``sample_dt`` seconds. Positions are
interpolated along the fine path (which is straight between fine steps), the heading along its
unwrapped course; the egocentric input of a network step is the path length over the step divided
by ``sample_dt`` and the sine and cosine of the net heading change over the step.

Everything is vectorised over the batch with torch, seeded by a ``torch.Generator``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

import numpy as np
import torch

from gridcore.paper import (
    BOX_SIZE_M,
    DT_S,
    RAYLEIGH_SPEED_M_S,
    TURN_SD_DEG_S,
    WALL_DISTANCE_M,
)


@dataclass(frozen=True)
class MotionParams:
    """Parameters of the motion model (SI units: metres, seconds, radians)."""

    speed_scale: float  # Rayleigh scale of the forward speed, m/s
    turn_sigma: float  # s.d. of the turning velocity, rad/s
    turn_mean: float = 0.0  # mean turning velocity, rad/s
    box_width: float = BOX_SIZE_M  # m; the box spans [-width/2, width/2]
    box_height: float = BOX_SIZE_M  # m
    dt: float = DT_S  # s per step
    border_region: float = WALL_DISTANCE_M  # m; closer than this to a wall counts as "near"
    border_slow_factor: float = 0.25  # speed multiplier near a wall
    # Time between the samples the network sees, s (>= dt); 0: every simulation step.
    sample_dt: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name not in ("turn_mean", "sample_dt") and not value > 0:
                raise ValueError(f"motion parameter {f.name} must be > 0, got {value}")
        if self.sample_dt and self.sample_dt < self.dt * (1 - 1e-9):
            raise ValueError(
                f"sample_dt must be 0 (every step) or >= dt = {self.dt} s, got {self.sample_dt}"
            )

    @property
    def network_dt(self) -> float:
        """Time per network step, s: ``sample_dt``, or ``dt`` when the network sees every step."""
        return self.sample_dt or self.dt

    def fine_steps(self, seq_len: int) -> int:
        """Simulation steps of ``dt`` behind ``seq_len`` network steps."""
        return max(seq_len, round(seq_len * self.network_dt / self.dt))

    @property
    def mean_speed(self) -> float:
        """Mean of the Rayleigh speed distribution away from walls, m/s."""
        return self.speed_scale * math.sqrt(math.pi / 2)


MOTION_PRESETS: dict[str, MotionParams] = {
    # Supplementary Table 1 of the paper: Rayleigh(0.13 m/s), turning N(0, 330 deg/s).
    "paper": MotionParams(speed_scale=RAYLEIGH_SPEED_M_S, turn_sigma=math.radians(TURN_SD_DEG_S)),
    # Sorscher et al.: the speed scaled by 2 pi, the turning noise doubled (2 x 5.76 rad/s).
    "sorscher": MotionParams(speed_scale=RAYLEIGH_SPEED_M_S * 2 * math.pi, turn_sigma=11.52),
    # Fitted to the real rat of Sargolini et al. (2006) by gridcore.world.real_rats.fit_motion
    # (maximum likelihood, positions smoothed over 0.1 s, steps of 0.02 s); tested to match it.
    "sargolini": MotionParams(speed_scale=0.0906, turn_sigma=7.71),
}
MOTIONS = tuple(MOTION_PRESETS)


def get_motion(name: str) -> MotionParams:
    """Look up a named motion parameter set."""
    try:
        return MOTION_PRESETS[name]
    except KeyError:
        known = ", ".join(sorted(MOTION_PRESETS))
        raise ValueError(f"unknown motion preset {name!r}; choose one of: {known}") from None


@dataclass
class Trajectories:
    """A batch of trajectories; B trajectories of T steps.

    Attributes:
        init_pos: (B, 2) start position, m.
        init_hd: (B,) start heading, rad in [-pi, pi).
        velocity: (B, T, 3) egocentric input per step: speed (m/s), sin and cos of the
            heading change during the step.
        target_pos: (B, T, 2) position after each step, m.
        target_hd: (B, T) heading after each step, rad in [-pi, pi).
        velocity_xy: (B, T, 2) allocentric Cartesian velocity per step, m/s: the displacement
            actually taken during the step (walls shorten some) divided by dt.
    """

    init_pos: torch.Tensor
    init_hd: torch.Tensor
    velocity: torch.Tensor
    target_pos: torch.Tensor
    target_hd: torch.Tensor
    velocity_xy: torch.Tensor

    def __len__(self) -> int:
        return self.init_pos.shape[0]

    def __getitem__(self, index: slice | torch.Tensor) -> Trajectories:
        return Trajectories(
            self.init_pos[index],
            self.init_hd[index],
            self.velocity[index],
            self.target_pos[index],
            self.target_hd[index],
            self.velocity_xy[index],
        )

    def to(self, device: torch.device | str) -> Trajectories:
        return Trajectories(*(getattr(self, f.name).to(device) for f in fields(self)))

    @property
    def speed(self) -> torch.Tensor:
        """(B, T) forward speed, m/s."""
        return self.velocity[..., 0]

    @property
    def turn(self) -> torch.Tensor:
        """(B, T) heading change per step, rad."""
        return torch.atan2(self.velocity[..., 1], self.velocity[..., 2])

    def full_path(self) -> torch.Tensor:
        """(B, T + 1, 2) positions including the start, m."""
        return torch.cat([self.init_pos[:, None], self.target_pos], dim=1)


def wrap_angle(angle: torch.Tensor) -> torch.Tensor:
    """Wrap angles (rad) into [-pi, pi)."""
    return torch.remainder(angle + math.pi, 2 * math.pi) - math.pi


def _nearest_wall(pos: torch.Tensor, hd: torch.Tensor, half: torch.Tensor):
    """Distance (m) to the nearest wall and the heading relative to that wall's outward normal."""
    # Distances to the walls at +x, +y, -x, -y; outward normals at angles 0, pi/2, pi, -pi/2.
    dists = torch.stack(
        [half[0] - pos[:, 0], half[1] - pos[:, 1], half[0] + pos[:, 0], half[1] + pos[:, 1]],
        dim=1,
    )
    dist, wall = dists.min(dim=1)
    normal = wall.to(pos.dtype) * (math.pi / 2)
    return dist, wrap_angle(hd - normal)


def _distance_to_boundary(pos: torch.Tensor, hd: torch.Tensor, half: torch.Tensor) -> torch.Tensor:
    """Distance (m) from ``pos`` along heading ``hd`` to the box boundary."""
    direction = torch.stack([torch.cos(hd), torch.sin(hd)], dim=1)
    limit = torch.where(direction > 0, half - pos, -half - pos)
    safe = torch.where(direction.abs() > 1e-12, direction, torch.full_like(direction, 1e-12))
    steps = torch.where(direction.abs() > 1e-12, limit / safe, torch.full_like(limit, math.inf))
    return steps.min(dim=1).values.clamp_min(0.0)


WALL_GAP_M = 1e-4  # a step blocked by an internal wall stops this far short of it, m


def as_walls(walls, dtype: torch.dtype = torch.float32, device="cpu") -> torch.Tensor | None:
    """Wall segments as a (W, 2, 2) tensor of endpoints (m), or None for none."""
    if walls is None:
        return None
    segs = torch.as_tensor(walls, dtype=dtype, device=device).reshape(-1, 2, 2)
    return segs if len(segs) else None


def _cross(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """z component of the cross product of 2-D vectors (..., 2)."""
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def nearest_on_walls(pos: torch.Tensor, walls: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Distance (B, W) from positions (B, 2) to each wall segment (W, 2, 2), and the nearest
    point (B, W, 2) of each wall, m."""
    a, e = walls[:, 0], walls[:, 1] - walls[:, 0]
    rel = pos[:, None] - a  # (B, W, 2)
    u = ((rel * e).sum(-1) / (e * e).sum(-1).clamp_min(1e-12)).clamp(0.0, 1.0)
    closest = a + u[..., None] * e
    return (pos[:, None] - closest).norm(dim=-1), closest


def ray_to_walls(
    pos: torch.Tensor, direction: torch.Tensor, walls: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Distance (B,) m from ``pos`` (B, 2) along unit ``direction`` (B, 2) to the first wall
    segment it meets (inf if none), and that wall's index (B,). Rays parallel to a wall never
    meet it."""
    a, e = walls[:, 0], walls[:, 1] - walls[:, 0]  # (W, 2)
    denom = _cross(direction[:, None], e)  # (B, W)
    ap = a - pos[:, None]  # (B, W, 2)
    ok = denom.abs() > 1e-12
    safe = torch.where(ok, denom, torch.ones_like(denom))
    t, u = _cross(ap, e) / safe, _cross(ap, direction[:, None]) / safe
    hit = ok & (t >= 0) & (u >= 0) & (u <= 1)
    t = torch.where(hit, t, torch.full_like(t, math.inf))
    dist, index = t.min(dim=1)
    return dist, index


def crosses_walls(start: torch.Tensor, end: torch.Tensor, walls: torch.Tensor) -> torch.Tensor:
    """Whether each step ``start`` -> ``end`` (..., 2) crosses each wall segment (W, 2, 2):
    (..., W) bool. Touching a wall or running along it is not crossing it."""
    a, e = walls[:, 0], walls[:, 1] - walls[:, 0]
    d = (end - start)[..., None, :]  # (..., 1, 2)
    ap = a - start[..., None, :]  # (..., W, 2)
    denom = _cross(d, e)
    ok = denom.abs() > 1e-12
    safe = torch.where(ok, denom, torch.ones_like(denom))
    t, u = _cross(ap, e) / safe, _cross(ap, d) / safe
    return ok & (t > 0) & (t < 1) & (u > 0) & (u < 1)


def _nearest_internal_wall(pos: torch.Tensor, hd: torch.Tensor, walls: torch.Tensor):
    """Like :func:`_nearest_wall` for wall segments: distance (m) to the nearest one and the
    heading relative to the direction from ``pos`` to its nearest point."""
    dists, closest = nearest_on_walls(pos, walls)
    dist, index = dists.min(dim=1)
    toward = closest[torch.arange(len(pos), device=pos.device), index] - pos
    return dist, wrap_angle(hd - torch.atan2(toward[:, 1], toward[:, 0]))


def _simulate_fine(
    batch_size: int,
    seq_len: int = 100,
    params: MotionParams | str = "sorscher",
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
    init_pos: torch.Tensor | None = None,
    init_hd: torch.Tensor | None = None,
    walls=None,
) -> Trajectories:
    """``batch_size`` trajectories of ``seq_len`` simulation steps of ``dt`` (no resampling).

    The random numbers are drawn on ``device`` from ``generator`` (which must live on the same
    device), so the same generator state always gives the same trajectories on that device.
    Start positions (B, 2) m and headings (B,) rad are uniform unless given. ``walls``: wall
    segments inside the box, (W, 2, 2) endpoints in m (see :func:`as_walls`); none by default.
    """
    if batch_size < 1 or seq_len < 1:
        raise ValueError(f"batch_size and seq_len must be >= 1, got {batch_size}, {seq_len}")
    p = get_motion(params) if isinstance(params, str) else params
    kw = {"device": device, "dtype": dtype}
    half = torch.tensor([p.box_width / 2, p.box_height / 2], **kw)
    segs = as_walls(walls, **kw)

    # Start anywhere in the box (a hair inside the border), heading anywhere.
    inset = half - p.border_region
    pos = (torch.rand(batch_size, 2, generator=generator, **kw) * 2 - 1) * inset
    hd = torch.rand(batch_size, generator=generator, **kw) * (2 * math.pi) - math.pi
    if init_pos is not None:
        if init_pos.shape != (batch_size, 2) or (init_pos.abs() > half.cpu()).any():
            raise ValueError(f"init_pos must be ({batch_size}, 2) inside the box")
        pos = init_pos.to(**kw).clone()
    if init_hd is not None:
        hd = wrap_angle(init_hd.to(**kw).reshape(batch_size).clone())

    # All random draws at once: Rayleigh speeds via inverse CDF, Gaussian turning velocities.
    uniform = torch.rand(batch_size, seq_len, generator=generator, **kw)
    speeds = p.speed_scale * torch.sqrt(-2.0 * torch.log1p(-uniform))
    turns = p.turn_mean + p.turn_sigma * torch.randn(batch_size, seq_len, generator=generator, **kw)
    turns = turns * p.dt

    init_pos, init_hd = pos.clone(), hd.clone()
    out_pos = torch.empty(batch_size, seq_len, 2, **kw)
    out_hd = torch.empty(batch_size, seq_len, **kw)
    out_speed = torch.empty(batch_size, seq_len, **kw)
    out_turn = torch.empty(batch_size, seq_len, **kw)
    out_xy = torch.empty(batch_size, seq_len, 2, **kw)
    for t in range(seq_len):
        dist, rel = _nearest_wall(pos, hd, half)
        if segs is not None:
            inner, inner_rel = _nearest_internal_wall(pos, hd, segs)
            dist, rel = torch.minimum(dist, inner), torch.where(inner < dist, inner_rel, rel)
        near = (dist < p.border_region) & (rel.abs() < math.pi / 2)
        # Turn away so as to run parallel to the wall, and slow down.
        side = torch.where(rel >= 0, 1.0, -1.0)  # head-on: turn left
        avoid = torch.where(near, side * (math.pi / 2 - rel.abs()), 0.0)
        speed = torch.where(near, speeds[:, t] * p.border_slow_factor, speeds[:, t])
        turn = turns[:, t] + avoid
        hd = wrap_angle(hd + turn)
        step = torch.minimum(speed * p.dt, _distance_to_boundary(pos, hd, half))
        heading = torch.stack([torch.cos(hd), torch.sin(hd)], dim=1)
        if segs is not None:
            to_wall, _ = ray_to_walls(pos, heading, segs)
            step = torch.minimum(step, (to_wall - WALL_GAP_M).clamp_min(0.0))
        new = pos + step[:, None] * heading
        new = torch.maximum(torch.minimum(new, half), -half)
        out_xy[:, t] = (new - pos) / p.dt
        pos = new
        out_pos[:, t], out_hd[:, t] = pos, hd
        out_speed[:, t], out_turn[:, t] = step / p.dt, turn

    velocity = torch.stack([out_speed, torch.sin(out_turn), torch.cos(out_turn)], dim=-1)
    return Trajectories(init_pos, init_hd, velocity, out_pos, out_hd, out_xy)


def simulate(
    batch_size: int,
    seq_len: int = 100,
    params: MotionParams | str = "sorscher",
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
    init_pos: torch.Tensor | None = None,
    init_hd: torch.Tensor | None = None,
    walls=None,
) -> Trajectories:
    """``batch_size`` trajectories of ``seq_len`` network steps of the rat motion model.

    The rat is simulated at ``dt``; when the motion's ``sample_dt`` is set, the path is then
    resampled to one sample every ``sample_dt`` s (:func:`resample`), so a trajectory lasts
    ``seq_len * network_dt`` seconds. The random numbers are drawn on ``device`` from
    ``generator`` (which must live on the same device), so the same generator state always gives
    the same trajectories on that device. Start positions (B, 2) m and headings (B,) rad are
    uniform unless given. ``walls``: wall segments inside the box, (W, 2, 2) endpoints in m (see
    :func:`as_walls`); none by default.
    """
    p = get_motion(params) if isinstance(params, str) else params
    if batch_size < 1 or seq_len < 1:
        raise ValueError(f"batch_size and seq_len must be >= 1, got {batch_size}, {seq_len}")
    fine = _simulate_fine(
        batch_size, p.fine_steps(seq_len), p, generator, device, dtype, init_pos, init_hd, walls
    )
    if p.fine_steps(seq_len) == seq_len:
        return fine
    return resample(fine, seq_len, p.dt)


def _at(values: torch.Tensor, index: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """``values`` (B, N + 1, ...) read at fractional indices: linear between neighbours."""
    lo, hi = values[:, index], values[:, (index + 1).clamp_max(values.shape[1] - 1)]
    w = weight.reshape(1, -1, *([1] * (values.dim() - 2)))
    return lo * (1 - w) + hi * w


def resample(fine: Trajectories, seq_len: int, dt: float) -> Trajectories:
    """Fine trajectories (N steps of ``dt`` s) seen at ``seq_len`` evenly spaced times: every
    N / ``seq_len`` fine steps, the last sample at the path's end. Positions are interpolated
    along the piecewise-straight fine path and the heading along its unwrapped course; the
    speed of a network step is its path length over its duration (m/s), its turn the net
    heading change (rad), and (vx, vy) its displacement over its duration (m/s)."""
    n_fine = fine.target_pos.shape[1]
    ratio = n_fine / seq_len
    where = torch.arange(seq_len + 1, dtype=torch.float64) * ratio
    index = where.floor().long().clamp_max(n_fine - 1)
    weight = (where - index).to(fine.target_pos.dtype)
    path = torch.cat([fine.init_pos[:, None], fine.target_pos], dim=1)  # (B, N + 1, 2)
    length = torch.cat([torch.zeros_like(fine.speed[:, :1]), (fine.speed * dt).cumsum(1)], 1)
    course = fine.init_hd[:, None] + torch.cat(
        [torch.zeros_like(fine.turn[:, :1]), fine.turn.cumsum(1)], 1
    )
    pos, run, hd = _at(path, index, weight), _at(length, index, weight), _at(course, index, weight)
    step_time = ratio * dt
    turn = hd.diff(dim=1)
    speed = run.diff(dim=1) / step_time
    velocity = torch.stack([speed, torch.sin(turn), torch.cos(turn)], dim=-1)
    return Trajectories(
        fine.init_pos,
        fine.init_hd,
        velocity,
        pos[:, 1:],
        wrap_angle(hd[:, 1:]),
        pos.diff(dim=1) / step_time,
    )


class TrajectoryStream:
    """An endless, reproducible stream of training batches.

    Trajectories are simulated in chunks of ``chunk_batches`` batches at once (vectorising the
    simulator over thousands of rats is far cheaper than one small batch at a time). Chunk ``k``
    is drawn from a generator seeded with ``(seed, k)``, so the batch for any step can be
    regenerated exactly: resuming a run at step ``s`` gives the same data as never stopping.

    ``stages``, a curriculum over path length: ``((step, seq_len), ...)`` pairs, each length
    used from its step on (before the first, ``seq_len``). A chunk is drawn at the length of
    the step that asks for it, from the same ``(seed, k)`` generator.
    """

    def __init__(
        self,
        batch_size: int,
        seq_len: int = 100,
        params: MotionParams | str = "sorscher",
        seed: int = 0,
        chunk_batches: int = 200,
        device: torch.device | str = "cpu",
        stages: Sequence[tuple[int, int]] = (),
    ) -> None:
        if chunk_batches < 1:
            raise ValueError(f"chunk_batches must be >= 1, got {chunk_batches}")
        self.batch_size, self.seq_len = batch_size, seq_len
        self.params = get_motion(params) if isinstance(params, str) else params
        self.seed, self.chunk_batches, self.device = seed, chunk_batches, torch.device(device)
        self.stages = tuple(sorted((int(s), int(n)) for s, n in stages))
        self._chunk_key: tuple[int, int] | None = None
        self._chunk: Trajectories | None = None

    def length_at(self, step: int) -> int:
        """Path length (network steps) of the batch for optimisation step ``step``."""
        length = self.seq_len
        for start, n in self.stages:
            if step >= start:
                length = n
        return length

    def _load_chunk(self, k: int, length: int) -> Trajectories:
        if self._chunk_key != (k, length):
            gen = torch.Generator(device=self.device)
            gen.manual_seed(self.seed * 1_000_003 + k)
            self._chunk = simulate(
                self.batch_size * self.chunk_batches,
                length,
                self.params,
                generator=gen,
                device=self.device,
            )
            self._chunk_key = (k, length)
        return self._chunk

    def batch(self, step: int) -> Trajectories:
        """The training batch for optimisation step ``step`` (0-based)."""
        k, i = divmod(step, self.chunk_batches)
        chunk = self._load_chunk(k, self.length_at(step))
        return chunk[i * self.batch_size : (i + 1) * self.batch_size]


# --- statistics of the motion model -----------------------------------------------------------

# Real rats, for comparison (measured from the Sargolini et al. 2006 recording that the
# ratinabox package ships: 600 s at 50 Hz in a 1 m box, positions as tracked, not smoothed;
# gridcore.world.real_rats smooths them first, which lowers these speeds by about a tenth).
REAL_RAT_SPEED = {"mean": 0.12, "median": 0.105, "p90": 0.23}  # m/s


def times_real_rat_speed(params: MotionParams | str) -> float:
    """The set mean speed of ``params`` as a multiple of the real rat's mean speed."""
    p = get_motion(params) if isinstance(params, str) else params
    return p.mean_speed / REAL_RAT_SPEED["mean"]


def rayleigh_pdf(v: np.ndarray, scale: float) -> np.ndarray:
    """Density of the Rayleigh distribution with ``scale`` (m/s) at speeds ``v``."""
    v = np.asarray(v, dtype=float)
    return np.where(v >= 0, v / scale**2 * np.exp(-(v**2) / (2 * scale**2)), 0.0)


def normal_pdf(x: np.ndarray, mean: float, sd: float) -> np.ndarray:
    """Density of the normal distribution at ``x``."""
    x = np.asarray(x, dtype=float)
    return np.exp(-((x - mean) ** 2) / (2 * sd**2)) / (sd * math.sqrt(2 * math.pi))


def seen_every(params: MotionParams | str, step_time: float) -> MotionParams:
    """The motion model seen by a network every ``step_time`` s (the simulation stays at dt)."""
    p = get_motion(params) if isinstance(params, str) else params
    return replace(p, sample_dt=0.0 if math.isclose(step_time, p.dt) else step_time)


def example_statistics(traj: Trajectories, params: MotionParams | str) -> dict[str, float]:
    """What one training example asks of the network, averaged over the batch: its duration
    (s), path length and start-to-end distance (m), and the straight-line distance (cm) and
    absolute heading change (degrees) per network step."""
    p = get_motion(params) if isinstance(params, str) else params
    path = traj.full_path()
    return {
        "duration_s": traj.speed.shape[1] * p.network_dt,
        "path_m": (traj.speed * p.network_dt).sum(1).mean().item(),
        "start_to_end_m": (path[:, -1] - path[:, 0]).norm(dim=-1).mean().item(),
        "cm_per_step": 100 * path.diff(dim=1).norm(dim=-1).mean().item(),
        "turn_deg_per_step": math.degrees(traj.turn.abs().mean().item()),
    }


def distance_to_wall(pos: torch.Tensor, params: MotionParams | str = "sorscher") -> torch.Tensor:
    """Distance (m) from positions (..., 2) to the nearest wall of the box."""
    p = get_motion(params) if isinstance(params, str) else params
    half = torch.tensor([p.box_width / 2, p.box_height / 2], dtype=pos.dtype)
    return (half - pos.abs()).min(dim=-1).values


def occupancy(
    traj: Trajectories, nbins: int = 32, params: MotionParams | str = "sorscher"
) -> np.ndarray:
    """Fraction of time spent in each of ``nbins`` x ``nbins`` bins, indexed ``[ix, iy]``."""
    p = get_motion(params) if isinstance(params, str) else params
    pos = traj.target_pos.reshape(-1, 2).numpy()
    counts, _, _ = np.histogram2d(
        pos[:, 0],
        pos[:, 1],
        bins=nbins,
        range=[[-p.box_width / 2, p.box_width / 2], [-p.box_height / 2, p.box_height / 2]],
    )
    return counts / counts.sum()


def motion_statistics(
    traj: Trajectories, params: MotionParams | str = "sorscher", near: float = 0.1
) -> dict[str, float]:
    """Summary of simulated motion: speeds (m/s), turning (rad/s) and time near the walls.

    ``near_wall_fraction`` is the fraction of steps closer than ``near`` (m) to a wall;
    ``border_fraction`` the fraction inside the model's own border region, where it turns away.
    Speeds are measured from the steps actually taken (walls shorten some).
    """
    p = get_motion(params) if isinstance(params, str) else params
    speed = traj.speed.flatten().double()
    turn_rate = (traj.turn / p.network_dt).flatten().double()
    dist = distance_to_wall(traj.target_pos, p).flatten()
    path_length = (traj.speed * p.network_dt).sum(dim=1)
    duration = traj.speed.shape[1] * p.network_dt
    return {
        "mean_speed": speed.mean().item(),
        "median_speed": speed.median().item(),
        "p90_speed": speed.quantile(0.9).item(),
        "turn_rate_sd": turn_rate.std().item(),
        "mean_abs_turn_rate": turn_rate.abs().mean().item(),
        "near_wall_fraction": (dist < near).double().mean().item(),
        "border_fraction": (dist < p.border_region).double().mean().item(),
        "path_length_per_trajectory": path_length.mean().item(),
        "duration": duration,
    }
