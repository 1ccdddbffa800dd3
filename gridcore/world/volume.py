"""A simulated bat: random foraging trajectories in a cube (the 3-D version of the rat).

The motion model extends the 2-D one of :mod:`gridcore.world.trajectories` to a volume:

* forward speed drawn afresh each step from a Rayleigh distribution (scale ``speed_scale``, m/s);
* heading given by a yaw psi in [-pi, pi) (about the vertical axis) and a pitch theta in
  [-pitch_max, pitch_max] (above the horizontal), so that the direction of travel is the unit
  vector (cos theta cos psi, cos theta sin psi, sin theta);
* yaw and pitch velocities drawn each step from independent normal distributions (s.d.
  ``turn_sigma`` and ``pitch_sigma``, rad/s); a pitch that would pass ``pitch_max`` is
  reflected back from it;
* the walls, floor and ceiling are avoided as the 2-D walls are: closer than ``border_region``
  (m) to the nearest face and heading towards it, the animal turns so as to move parallel to
  that face (a yaw turn of up to 90 degrees for a side wall, a pitch turn to level flight for
  the floor or ceiling) and slows to ``border_slow_factor`` of its speed;
* the cube is a hard boundary, as the 2-D box is: a step that would cross a face is shortened.

The network reads the egocentric velocity: the speed, and the sine and cosine of the changes of
yaw and of pitch during the step (5 numbers). Each named 2-D motion preset has a 3-D twin of the
same name, with its speed, yaw noise and box edge, and a pitch noise equal to the yaw noise. The
volume is gridcore's own extension; Banino et al. 2018 is 2-D only.

Everything is vectorised over the batch with torch, seeded by a ``torch.Generator``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
import torch

from gridcore.paper import BOX_SIZE_M, DT_S, WALL_DISTANCE_M
from gridcore.world.trajectories import MOTION_PRESETS, wrap_angle

N_INPUTS = 5  # speed, sin and cos of the yaw change, sin and cos of the pitch change


@dataclass(frozen=True)
class VolumeMotion:
    """Parameters of the 3-D motion model (SI units: metres, seconds, radians)."""

    speed_scale: float  # Rayleigh scale of the forward speed, m/s
    turn_sigma: float  # s.d. of the yaw velocity, rad/s
    pitch_sigma: float  # s.d. of the pitch velocity, rad/s
    edge: float = BOX_SIZE_M  # m; the cube spans [-edge/2, edge/2] on each axis
    dt: float = DT_S  # s per step
    border_region: float = WALL_DISTANCE_M  # m; closer than this to a face counts as "near"
    border_slow_factor: float = 0.25  # speed multiplier near a face
    pitch_max: float = math.radians(80)  # rad; |pitch| never exceeds it

    def __post_init__(self) -> None:
        for f in fields(self):
            if not getattr(self, f.name) > 0:
                raise ValueError(
                    f"motion parameter {f.name} must be > 0, got {getattr(self, f.name)}"
                )
        if self.pitch_max >= math.pi / 2:
            raise ValueError(f"pitch_max must be below pi/2, got {self.pitch_max}")

    @property
    def mean_speed(self) -> float:
        """Mean of the Rayleigh speed distribution away from the faces, m/s."""
        return self.speed_scale * math.sqrt(math.pi / 2)


def _from_2d(name: str) -> VolumeMotion:
    p = MOTION_PRESETS[name]
    return VolumeMotion(p.speed_scale, p.turn_sigma, p.turn_sigma, edge=p.box_width, dt=p.dt)


VOLUME_MOTIONS: dict[str, VolumeMotion] = {name: _from_2d(name) for name in MOTION_PRESETS}


def get_volume_motion(name: str | VolumeMotion) -> VolumeMotion:
    """A named 3-D parameter set (the 2-D motion presets' names), or ``name`` itself."""
    if isinstance(name, VolumeMotion):
        return name
    try:
        return VOLUME_MOTIONS[name]
    except KeyError:
        known = ", ".join(sorted(VOLUME_MOTIONS))
        raise ValueError(f"unknown motion preset {name!r}; choose one of: {known}") from None


def direction(yaw: torch.Tensor, pitch: torch.Tensor) -> torch.Tensor:
    """Unit vectors (..., 3) of the headings with ``yaw`` and ``pitch`` (rad)."""
    c = torch.cos(pitch)
    return torch.stack([c * torch.cos(yaw), c * torch.sin(yaw), torch.sin(pitch)], dim=-1)


@dataclass
class VolumeTrajectories:
    """A batch of B trajectories of T steps in the cube.

    Attributes:
        init_pos: (B, 3) start position, m.
        init_hd: (B, 3) start heading, a unit vector.
        velocity: (B, T, 5) egocentric input per step: speed (m/s), sin and cos of the yaw
            change, sin and cos of the pitch change during the step.
        target_pos: (B, T, 3) position after each step, m.
        target_hd: (B, T, 3) heading after each step, a unit vector.
    """

    init_pos: torch.Tensor
    init_hd: torch.Tensor
    velocity: torch.Tensor
    target_pos: torch.Tensor
    target_hd: torch.Tensor

    def __len__(self) -> int:
        return self.init_pos.shape[0]

    def __getitem__(self, index: slice | torch.Tensor) -> VolumeTrajectories:
        return VolumeTrajectories(*(getattr(self, f.name)[index] for f in fields(self)))

    def to(self, device: torch.device | str) -> VolumeTrajectories:
        return VolumeTrajectories(*(getattr(self, f.name).to(device) for f in fields(self)))

    @property
    def speed(self) -> torch.Tensor:
        """(B, T) forward speed, m/s."""
        return self.velocity[..., 0]

    @property
    def yaw_turn(self) -> torch.Tensor:
        """(B, T) yaw change per step, rad."""
        return torch.atan2(self.velocity[..., 1], self.velocity[..., 2])

    @property
    def pitch_turn(self) -> torch.Tensor:
        """(B, T) pitch change per step, rad."""
        return torch.atan2(self.velocity[..., 3], self.velocity[..., 4])

    def full_path(self) -> torch.Tensor:
        """(B, T + 1, 3) positions including the start, m."""
        return torch.cat([self.init_pos[:, None], self.target_pos], dim=1)


def _distance_to_boundary(pos: torch.Tensor, unit: torch.Tensor, half: float) -> torch.Tensor:
    """Distance (m) from ``pos`` (B, 3) along the unit vectors ``unit`` (B, 3) to the cube."""
    limit = torch.where(unit > 0, half - pos, -half - pos)
    moving = unit.abs() > 1e-12
    steps = torch.where(moving, limit / torch.where(moving, unit, 1.0), math.inf)
    return steps.min(dim=1).values.clamp_min(0.0)


def _avoid_faces(pos, yaw, pitch, half: float, p: VolumeMotion):
    """Yaw and pitch turns (rad) that make the animal move parallel to the nearest face when it
    is within the border region and heading towards it, and the mask of those animals."""
    dists = torch.cat([half - pos, half + pos], dim=1)  # faces +x, +y, +z, -x, -y, -z
    dist, face = dists.min(dim=1)
    axis, sign = face % 3, torch.where(face < 3, 1.0, -1.0)
    side = axis < 2
    # Side walls: the 2-D rule on the yaw, relative to the wall's outward normal.
    is_y = (axis == 1).to(pos.dtype)
    normal_yaw = torch.atan2(sign * is_y, sign * (1 - is_y))
    rel = wrap_angle(yaw - normal_yaw)
    towards_wall = side & (rel.abs() < math.pi / 2)
    turn = torch.where(rel >= 0, 1.0, -1.0) * (math.pi / 2 - rel.abs())
    # Floor and ceiling: level off.
    towards_flat = ~side & (pitch * sign > 0)
    near = dist < p.border_region
    yaw_avoid = torch.where(near & towards_wall, turn, 0.0)
    pitch_avoid = torch.where(near & towards_flat, -pitch, 0.0)
    return yaw_avoid, pitch_avoid, near & (towards_wall | towards_flat)


def _reflect_pitch(pitch: torch.Tensor, limit: float) -> torch.Tensor:
    """Reflect pitches (rad) back into [-limit, limit] (at most one reflection is needed for
    a step smaller than 2 * limit)."""
    pitch = torch.where(pitch > limit, 2 * limit - pitch, pitch)
    pitch = torch.where(pitch < -limit, -2 * limit - pitch, pitch)
    return pitch.clamp(-limit, limit)


def simulate_volume(
    batch_size: int,
    seq_len: int = 100,
    params: VolumeMotion | str = "sorscher",
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
) -> VolumeTrajectories:
    """Simulate ``batch_size`` trajectories of ``seq_len`` steps in the cube.

    Start positions are uniform in the cube inside the border region, start yaws uniform and
    start pitches uniform in [-pitch_max / 2, pitch_max / 2]. The random numbers come from
    ``generator`` on ``device``: the same generator state gives the same trajectories.
    """
    if batch_size < 1 or seq_len < 1:
        raise ValueError(f"batch_size and seq_len must be >= 1, got {batch_size}, {seq_len}")
    p = get_volume_motion(params)
    kw = {"device": device, "dtype": dtype}
    half = p.edge / 2
    pos = (torch.rand(batch_size, 3, generator=generator, **kw) * 2 - 1) * (half - p.border_region)
    yaw = torch.rand(batch_size, generator=generator, **kw) * (2 * math.pi) - math.pi
    pitch = (torch.rand(batch_size, generator=generator, **kw) - 0.5) * p.pitch_max
    uniform = torch.rand(batch_size, seq_len, generator=generator, **kw)
    speeds = p.speed_scale * torch.sqrt(-2.0 * torch.log1p(-uniform))
    noise = torch.randn(batch_size, seq_len, 2, generator=generator, **kw)
    yaw_noise, pitch_noise = (
        noise[..., 0] * p.turn_sigma * p.dt,
        noise[..., 1] * p.pitch_sigma * p.dt,
    )

    init_pos, init_hd = pos.clone(), direction(yaw, pitch)
    out_pos = torch.empty(batch_size, seq_len, 3, **kw)
    out_hd = torch.empty(batch_size, seq_len, 3, **kw)
    out_speed, out_yaw, out_pitch = (torch.empty(batch_size, seq_len, **kw) for _ in range(3))
    for t in range(seq_len):
        yaw_avoid, pitch_avoid, near = _avoid_faces(pos, yaw, pitch, half, p)
        speed = torch.where(near, speeds[:, t] * p.border_slow_factor, speeds[:, t])
        new_yaw = wrap_angle(yaw + yaw_noise[:, t] + yaw_avoid)
        new_pitch = _reflect_pitch(pitch + pitch_noise[:, t] + pitch_avoid, p.pitch_max)
        d_yaw, d_pitch = wrap_angle(new_yaw - yaw), new_pitch - pitch
        yaw, pitch = new_yaw, new_pitch
        unit = direction(yaw, pitch)
        step = torch.minimum(speed * p.dt, _distance_to_boundary(pos, unit, half))
        pos = (pos + step[:, None] * unit).clamp(-half, half)
        out_pos[:, t], out_hd[:, t] = pos, unit
        out_speed[:, t], out_yaw[:, t], out_pitch[:, t] = step / p.dt, d_yaw, d_pitch

    velocity = torch.stack(
        [out_speed, out_yaw.sin(), out_yaw.cos(), out_pitch.sin(), out_pitch.cos()], dim=-1
    )
    return VolumeTrajectories(init_pos, init_hd, velocity, out_pos, out_hd)


class VolumeStream:
    """An endless, reproducible stream of 3-D training batches, chunked and seeded exactly as
    :class:`gridcore.world.trajectories.TrajectoryStream`: chunk ``k`` comes from a generator seeded
    with ``(seed, k)``, so resuming at any step gives the same data as never stopping."""

    def __init__(
        self,
        batch_size: int,
        seq_len: int = 100,
        params: VolumeMotion | str = "sorscher",
        seed: int = 0,
        chunk_batches: int = 200,
    ) -> None:
        if chunk_batches < 1:
            raise ValueError(f"chunk_batches must be >= 1, got {chunk_batches}")
        self.batch_size, self.seq_len = batch_size, seq_len
        self.params, self.seed, self.chunk_batches = get_volume_motion(params), seed, chunk_batches
        self._chunk_index: int | None = None
        self._chunk: VolumeTrajectories | None = None

    def batch(self, step: int) -> VolumeTrajectories:
        """The training batch for optimisation step ``step`` (0-based)."""
        k, i = divmod(step, self.chunk_batches)
        if self._chunk_index != k:
            gen = torch.Generator().manual_seed(self.seed * 1_000_003 + k)
            n = self.batch_size * self.chunk_batches
            self._chunk = simulate_volume(n, self.seq_len, self.params, generator=gen)
            self._chunk_index = k
        return self._chunk[i * self.batch_size : (i + 1) * self.batch_size]


# --- statistics of the motion model -----------------------------------------------------------


def distance_to_faces(pos: torch.Tensor, params: VolumeMotion | str = "sorscher") -> torch.Tensor:
    """Distance (m) from positions (..., 3) to the nearest face of the cube."""
    return (get_volume_motion(params).edge / 2 - pos.abs()).min(dim=-1).values


def volume_statistics(
    traj: VolumeTrajectories, params: VolumeMotion | str = "sorscher"
) -> dict[str, float]:
    """Summary of simulated 3-D motion: speeds (m/s) of the steps taken, the s.d. of the yaw
    and pitch velocities (rad/s), the fraction of steps inside the border region, the fraction
    of time in the middle (the central cube of half the edge, 1/8 of the volume) and the
    mean |pitch| (rad)."""
    p = get_volume_motion(params)
    speed = traj.speed.flatten().double()
    dist = distance_to_faces(traj.target_pos, p).flatten()
    middle = (traj.target_pos.abs() < p.edge / 4).all(dim=-1)
    pitch = torch.asin(traj.target_hd[..., 2].clamp(-1, 1))
    return {
        "mean_speed": speed.mean().item(),
        "median_speed": speed.median().item(),
        "yaw_rate_sd": (traj.yaw_turn / p.dt).double().std().item(),
        "pitch_rate_sd": (traj.pitch_turn / p.dt).double().std().item(),
        "border_fraction": (dist < p.border_region).double().mean().item(),
        "middle_fraction": middle.double().mean().item(),
        "mean_abs_pitch": pitch.abs().double().mean().item(),
    }


def volume_occupancy(
    traj: VolumeTrajectories, nbins: int = 8, params: VolumeMotion | str = "sorscher"
) -> np.ndarray:
    """Fraction of time in each of ``nbins``^3 bins of the cube, indexed ``[ix, iy, iz]``."""
    half = get_volume_motion(params).edge / 2
    pos = traj.target_pos.reshape(-1, 3).numpy()
    counts, _ = np.histogramdd(pos, bins=nbins, range=[(-half, half)] * 3)
    return counts / counts.sum()
