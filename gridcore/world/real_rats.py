"""Real rats: recorded foraging runs as gridcore trajectories, and a motion model fitted to them.

The ``ratinabox`` package (the optional extra ``gridcore[rats]``) ships two recordings of rats
foraging, as times (s) and positions (m):

* ``sargolini``: Sargolini et al. (2006), 600 s at 50 Hz in a 1 m x 1 m box;
* ``tanni``: Tanni et al. (2022), 7323 s at 30 Hz in a 3.5 m x 2.5 m arena.

They are read directly from the package's data files. A recording becomes network input in
five steps, each its own function:

1. **Regular samples** (:func:`regular_segments`): samples with a non-finite time or position are
   dropped; the run is split wherever consecutive samples lie more than ``max_gap_s`` apart, and
   each piece is interpolated linearly onto a grid of the network's step ``dt`` (0.02 s).
2. **Smoothing** (:func:`smooth_path`): a Gaussian filter of s.d. ``smooth_s`` (0.1 s by default)
   along time. Without it the tracker's jitter, not the rat, sets the heading: at 50 Hz the
   step-to-step direction of a raw recording turns at tens of rad/s.
3. **Placement** (:func:`place_in_box`): the arena's centre goes to the centre of the training
   box and positions are multiplied by ``scale`` (1 by default: metres stay metres, so the 1 m
   box sits in the middle of the 2.2 m training box). Paths that leave the box are dropped (at
   scale 1 this loses none of Sargolini's run and the parts of Tanni's that lie outside the
   central 2.2 m; ``scale = 2.2 / 3.5`` shrinks Tanni's arena, and its speeds, to fit).
4. **Egocentric velocity** (:func:`egocentric_steps`): the head direction is the direction of
   movement of each step (a step of zero length keeps the previous heading); the speed is the
   step's length over ``dt`` and the turn is the change of heading. Integrating these from the
   start reproduces the positions exactly, as for the simulated rat.
5. **Paths** (:func:`real_trajectories`): each piece is cut into consecutive paths of
   ``seq_len`` steps (the training length), as a :class:`~gridcore.world.trajectories.Trajectories`.

:func:`fit_motion` fits the simulator's motion model to the same steps by maximum likelihood: the
Rayleigh scale of the speed and the normal s.d. (and mean) of the turning rate. The ``sargolini``
motion preset in :mod:`gridcore.world.trajectories` holds that fit to three significant figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd
import torch
from scipy.ndimage import gaussian_filter1d

from gridcore.errors import GridcoreError
from gridcore.paper import BOX_SIZE_M, DT_S, SEQ_LEN
from gridcore.world.trajectories import MotionParams, Trajectories, get_motion

SMOOTH_S = 0.1  # s.d. of the Gaussian smoothing of positions along time, s
MAX_GAP_S = 1.0  # samples farther apart than this split a recording, s
FIT_DIGITS = 3  # significant figures of a fitted motion preset
INSTALL_HINT = "pip install 'gridcore[rats]'"


@dataclass(frozen=True)
class Dataset:
    """One recording shipped by ratinabox: its file, arena (m) and where it comes from."""

    file: str
    arena_m: tuple[float, float]  # width (x), height (y) of the arena, m
    centre_m: tuple[float, float]  # the arena's centre in the file's coordinates, m
    citation: str  # key in references.bib
    description: str


DATASETS: dict[str, Dataset] = {
    "sargolini": Dataset(
        "sargolini.npz",
        (1.0, 1.0),
        (0.5, 0.5),
        "sargolini2006conjunctive",
        "Sargolini et al. (2006): 600 s at 50 Hz in a 1 m x 1 m box",
    ),
    "tanni": Dataset(
        "tanni.npz",
        (3.5, 2.5),
        (1.75, 1.25),
        "tanni2022state",
        "Tanni et al. (2022): 7323 s at 30 Hz in a 3.5 m x 2.5 m arena",
    ),
}


@dataclass(frozen=True)
class Recording:
    """A recorded run as the file holds it: times (N,) s and positions (N, 2) m, in the arena's
    own coordinates."""

    name: str
    times_s: np.ndarray
    positions_m: np.ndarray

    @property
    def dataset(self) -> Dataset:
        return DATASETS[self.name]

    @property
    def duration_s(self) -> float:
        return float(self.times_s[-1] - self.times_s[0])


def dataset(name: str) -> Dataset:
    """The shipped recording called ``name``; an unknown name is a GridcoreError."""
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(sorted(DATASETS))
        raise GridcoreError(
            f"unknown real-rat recording {name!r}; choose one of: {known}"
        ) from None


def load_recording(name: str = "sargolini") -> Recording:
    """Read recording ``name`` from the ratinabox package's data files.

    Without ratinabox, or without the file, a one-line GridcoreError says how to install it.
    """
    ds = dataset(name)
    try:
        files = resources.files("ratinabox.data")
    except ModuleNotFoundError:
        raise GridcoreError(
            f"real-rat recordings come with the ratinabox package, which is not installed: "
            f"{INSTALL_HINT}"
        ) from None
    path = files / ds.file
    if not path.is_file():
        raise GridcoreError(
            f"ratinabox has no {ds.file} (the {name} recording); reinstall it: {INSTALL_HINT}"
        )
    with path.open("rb") as fh, np.load(fh) as data:
        times, pos = np.asarray(data["t"], dtype=float), np.asarray(data["pos"], dtype=float)
    return Recording(name, times, pos)


# --------------------------------------------------------------------------------------------
# From samples to regular, smoothed paths in the training box


def regular_segments(
    times_s: np.ndarray, positions_m: np.ndarray, dt: float = DT_S, max_gap_s: float = MAX_GAP_S
) -> list[np.ndarray]:
    """Positions (N_i, 2) m on a regular grid of ``dt`` s, one array per unbroken piece.

    Samples with a non-finite time or position are dropped, the rest sorted by time; the run is
    split where two samples lie more than ``max_gap_s`` apart, and each piece interpolated
    linearly at its start time + k ``dt``. Pieces of fewer than two grid points are dropped.
    """
    t = np.asarray(times_s, dtype=float)
    p = np.asarray(positions_m, dtype=float).reshape(-1, 2)
    ok = np.isfinite(t) & np.isfinite(p).all(axis=1)
    t, p = t[ok], p[ok]
    order = np.argsort(t, kind="stable")
    t, p = t[order], p[order]
    breaks = np.flatnonzero(np.diff(t) > max_gap_s) + 1
    out = []
    for ts, ps in zip(np.split(t, breaks), np.split(p, breaks), strict=True):
        if ts.size < 2:
            continue
        grid = ts[0] + dt * np.arange(int(math.floor((ts[-1] - ts[0]) / dt + 1e-9)) + 1)
        if grid.size < 2:
            continue
        out.append(np.stack([np.interp(grid, ts, ps[:, k]) for k in range(2)], axis=1))
    return out


def smooth_path(path_m: np.ndarray, dt: float = DT_S, smooth_s: float = SMOOTH_S) -> np.ndarray:
    """Positions (N, 2) m smoothed along time by a Gaussian of s.d. ``smooth_s`` s (0: as is);
    the ends are padded with the end positions."""
    if smooth_s <= 0:
        return np.asarray(path_m, dtype=float).copy()
    return gaussian_filter1d(np.asarray(path_m, dtype=float), smooth_s / dt, axis=0, mode="nearest")


def place_in_box(
    path_m: np.ndarray, centre_m: tuple[float, float], scale: float = 1.0
) -> np.ndarray:
    """Positions (..., 2) m moved so that the arena's centre ``centre_m`` lies at the origin (the
    training box's centre), then multiplied by ``scale``."""
    if not scale > 0:
        raise ValueError(f"scale must be > 0, got {scale}")
    return (np.asarray(path_m, dtype=float) - np.asarray(centre_m, dtype=float)) * scale


def egocentric_steps(path_m: np.ndarray, dt: float = DT_S) -> dict[str, np.ndarray]:
    """The N - 1 steps of a path of N positions (m) as the network reads them.

    Returns ``speed`` (m/s, step length / dt), ``heading`` (rad in [-pi, pi), direction of the
    step; a step of zero length keeps the previous heading, and leading ones take the first
    real heading), ``turn`` (rad, heading minus the previous step's, wrapped; 0 for the first
    step) and ``velocity_xy`` (N - 1, 2) m/s.
    """
    p = np.asarray(path_m, dtype=float)
    d = np.diff(p, axis=0)
    length = np.hypot(d[:, 0], d[:, 1])
    raw = np.arctan2(d[:, 1], d[:, 0])
    moved = length > 0
    if moved.any():
        last = np.maximum.accumulate(np.where(moved, np.arange(len(d)), -1))
        last[last < 0] = np.flatnonzero(moved)[0]  # before the first move: the first heading
        heading = raw[last]
    else:
        heading = np.zeros(len(d))
    heading = np.remainder(heading + math.pi, 2 * math.pi) - math.pi
    turn = np.diff(heading, prepend=heading[:1])
    turn = np.remainder(turn + math.pi, 2 * math.pi) - math.pi
    return {"speed": length / dt, "heading": heading, "turn": turn, "velocity_xy": d / dt}


def box_segments(
    name: str = "sargolini",
    dt: float = DT_S,
    smooth_s: float = SMOOTH_S,
    scale: float = 1.0,
    max_gap_s: float = MAX_GAP_S,
) -> list[np.ndarray]:
    """Recording ``name`` as regular, smoothed pieces (N_i, 2) in training-box coordinates, m
    (steps 1 to 3 of the module's recipe)."""
    rec = load_recording(name)
    pieces = regular_segments(rec.times_s, rec.positions_m, dt, max_gap_s)
    centre = rec.dataset.centre_m
    return [place_in_box(smooth_path(p, dt, smooth_s), centre, scale) for p in pieces]


def paths_from_segments(
    segments: list[np.ndarray],
    seq_len: int = SEQ_LEN,
    dt: float = DT_S,
    box: tuple[float, float] = (BOX_SIZE_M, BOX_SIZE_M),
    stride: int | None = None,
) -> Trajectories:
    """Cut regular pieces (N_i, 2) m into paths of ``seq_len`` steps, every ``stride`` steps
    (default ``seq_len``: consecutive paths), as float32 Trajectories.

    A path starts at a sample and takes the next ``seq_len`` steps; its start heading is the
    heading of the step before it (of its first step at a piece's start). Paths that leave the
    ``box`` (width, height m, centred on the origin) are dropped; none left is a GridcoreError.
    """
    if seq_len < 1:
        raise ValueError(f"seq_len must be >= 1, got {seq_len}")
    stride = seq_len if stride is None else stride
    half = np.asarray(box, dtype=float) / 2
    keys = ("init_pos", "init_hd", "velocity", "target_pos", "target_hd", "velocity_xy")
    parts: dict[str, list[np.ndarray]] = {k: [] for k in keys}
    for seg in segments:
        if len(seg) < seq_len + 1:
            continue
        st = egocentric_steps(seg, dt)
        vel = np.stack([st["speed"], np.sin(st["turn"]), np.cos(st["turn"])], axis=-1)
        for s in range(0, len(seg) - seq_len, stride):
            pos = seg[s : s + seq_len + 1]
            if (np.abs(pos) > half).any():
                continue
            steps = slice(s, s + seq_len)
            parts["init_pos"].append(pos[0])
            parts["init_hd"].append(st["heading"][max(s - 1, 0)])
            parts["velocity"].append(vel[steps])
            parts["target_pos"].append(pos[1:])
            parts["target_hd"].append(st["heading"][steps])
            parts["velocity_xy"].append(st["velocity_xy"][steps])
    if not parts["init_pos"]:
        raise GridcoreError(
            f"no path of {seq_len} steps lies inside the {box[0]:g} m x {box[1]:g} m box; "
            "use shorter paths or a smaller scale"
        )
    return Trajectories(*(torch.as_tensor(np.stack(parts[k]), dtype=torch.float32) for k in keys))


def real_trajectories(
    name: str = "sargolini",
    seq_len: int = SEQ_LEN,
    dt: float = DT_S,
    smooth_s: float = SMOOTH_S,
    scale: float = 1.0,
    box: tuple[float, float] = (BOX_SIZE_M, BOX_SIZE_M),
    max_gap_s: float = MAX_GAP_S,
    stride: int | None = None,
) -> Trajectories:
    """Recording ``name`` as consecutive paths of ``seq_len`` steps of ``dt`` s in the training
    box: the whole recipe of this module (see its docstring for each step)."""
    segments = box_segments(name, dt, smooth_s, scale, max_gap_s)
    return paths_from_segments(segments, seq_len, dt, box, stride)


# --------------------------------------------------------------------------------------------
# Statistics of the real rat, and the motion model fitted to them


@dataclass(frozen=True)
class StepStatistics:
    """Every step of a recording at the network's step: speeds (m/s) and turning rates (rad/s),
    one of each per step."""

    name: str
    dt: float
    speed: np.ndarray
    turn_rate: np.ndarray

    @classmethod
    def of(cls, name: str, traj: Trajectories, dt: float = DT_S) -> StepStatistics:
        """The steps of a batch of trajectories (e.g. simulated ones) with step ``dt`` s."""
        speed = traj.speed.flatten().double().numpy()
        return cls(name, dt, speed, (traj.turn / dt).flatten().double().numpy())

    @property
    def n_steps(self) -> int:
        return int(self.speed.size)

    def summary(self) -> dict[str, float]:
        """Mean, median and 90th percentile speed (m/s); fraction of steps slower than 2 cm/s;
        s.d. and mean absolute value of the turning rate (rad/s), the fraction of turning
        rates within one s.d. of the mean (0.68 for a normal distribution), and the fraction of
        the turns beyond two s.d. that happen at steps slower than 5 cm/s."""
        v, w = self.speed, self.turn_rate
        return {
            "mean_speed": float(v.mean()),
            "median_speed": float(np.median(v)),
            "p90_speed": float(np.quantile(v, 0.9)),
            "still_fraction": float((v < 0.02).mean()),
            "turn_rate_sd": float(w.std()),
            "mean_abs_turn_rate": float(np.abs(w).mean()),
            "turn_within_1sd": float((np.abs(w - w.mean()) <= w.std()).mean()),
            "sharp_turns_slow": float((v[np.abs(w - w.mean()) > 2 * w.std()] < 0.05).mean()),
        }


def step_statistics(
    name: str = "sargolini",
    dt: float = DT_S,
    smooth_s: float = SMOOTH_S,
    max_gap_s: float = MAX_GAP_S,
) -> StepStatistics:
    """Speeds and turning rates of every step of recording ``name`` (all pieces, in the arena's
    own metres), prepared as for :func:`real_trajectories`."""
    speeds, turns = [], []
    for seg in box_segments(name, dt, smooth_s, 1.0, max_gap_s):
        st = egocentric_steps(seg, dt)
        speeds.append(st["speed"][1:])  # the first step of a piece has no turn
        turns.append(st["turn"][1:] / dt)
    return StepStatistics(name, dt, np.concatenate(speeds), np.concatenate(turns))


def times_smoothed_speed(
    params: MotionParams | str, name: str = "sargolini", smooth_s: float = SMOOTH_S
) -> float:
    """The set mean speed of ``params`` as a multiple of recording ``name``'s mean speed along
    its smoothed path (:func:`step_statistics`). Against the positions as tracked, unsmoothed,
    the multiple is :func:`gridcore.world.trajectories.times_real_rat_speed`."""
    p = get_motion(params) if isinstance(params, str) else params
    return p.mean_speed / step_statistics(name, smooth_s=smooth_s).summary()["mean_speed"]


@dataclass(frozen=True)
class MotionFit:
    """Maximum-likelihood fit of the simulator's motion model to a rat's steps.

    ``speed_scale``: Rayleigh scale, m/s (sqrt(mean(v^2) / 2)); ``turn_mean`` and
    ``turn_sigma``: mean and s.d. of a normal turning rate, rad/s.
    """

    speed_scale: float
    turn_mean: float
    turn_sigma: float
    n_steps: int

    def params(self, digits: int = FIT_DIGITS, **overrides) -> MotionParams:
        """The fit as simulator parameters, rounded to ``digits`` significant figures, with a
        turning mean of 0 (a rat has no preferred turning side; the fitted mean is ~0.03 rad/s
        for Sargolini's). ``overrides`` set the box and the rest (MotionParams' defaults)."""
        return MotionParams(
            speed_scale=round_sig(self.speed_scale, digits),
            turn_sigma=round_sig(self.turn_sigma, digits),
            **overrides,
        )


def round_sig(x: float, digits: int = FIT_DIGITS) -> float:
    """``x`` rounded to ``digits`` significant figures."""
    return float(f"{x:.{digits}g}")


def fit_motion(stats: StepStatistics) -> MotionFit:
    """Fit a Rayleigh speed and a normal turning rate to ``stats`` by maximum likelihood."""
    v, w = np.asarray(stats.speed, dtype=float), np.asarray(stats.turn_rate, dtype=float)
    return MotionFit(
        speed_scale=float(np.sqrt(np.mean(v**2) / 2)),
        turn_mean=float(w.mean()),
        turn_sigma=float(w.std()),
        n_steps=int(v.size),
    )


def motion_table(stats: dict[str, StepStatistics]) -> pd.DataFrame:
    """:meth:`StepStatistics.summary` of each entry, one row per label, in display units (m/s,
    rad/s, %) and rounded."""
    rows = []
    for st in stats.values():
        s = st.summary()
        rows.append(
            {
                "mean speed (m/s)": round(s["mean_speed"], 3),
                "median speed (m/s)": round(s["median_speed"], 3),
                "90th pct speed (m/s)": round(s["p90_speed"], 3),
                "steps below 2 cm/s (%)": round(100 * s["still_fraction"], 1),
                "turning s.d. (rad/s)": round(s["turn_rate_sd"], 2),
                "mean |turning| (rad/s)": round(s["mean_abs_turn_rate"], 2),
                "turning within 1 s.d. (%)": round(100 * s["turn_within_1sd"], 1),
            }
        )
    return pd.DataFrame(rows, index=pd.Index(list(stats), name="rat"))


def recording_table(names=tuple(DATASETS), seq_len: int = SEQ_LEN) -> pd.DataFrame:
    """The shipped recordings: duration (s), samples, median sampling rate (Hz), arena (m), and
    how many paths of ``seq_len`` steps lie in the training box at scale 1."""
    rows = []
    for name in names:
        rec = load_recording(name)
        w, h = rec.dataset.arena_m
        rows.append(
            {
                "source": rec.dataset.description.split(":")[0],
                "duration (s)": round(rec.duration_s),
                "samples": int(rec.times_s.size),
                "rate (Hz)": round(1 / float(np.median(np.diff(rec.times_s)))),
                "arena (m)": f"{w:g} x {h:g}",
                f"paths of {seq_len} steps in the box": len(real_trajectories(name, seq_len)),
            }
        )
    return pd.DataFrame(rows, index=pd.Index(list(names), name="recording"))


def smoothing_table(
    name: str = "sargolini", smooth_values=(0.0, 0.05, 0.1, 0.2), dt: float = DT_S
) -> pd.DataFrame:
    """How the smoothing of the positions changes the fit: one row per ``smooth_s`` (s) with the
    fitted Rayleigh scale (m/s), turning s.d. (rad/s) and the mean speed (m/s), rounded."""
    rows = []
    for s in smooth_values:
        stats = step_statistics(name, dt, float(s))
        fit = fit_motion(stats)
        rows.append(
            {
                "Rayleigh scale (m/s)": round(fit.speed_scale, 3),
                "turning s.d. (rad/s)": round(fit.turn_sigma, 2),
                "mean speed (m/s)": round(float(stats.speed.mean()), 3),
            }
        )
    return pd.DataFrame(
        rows, index=pd.Index([float(s) for s in smooth_values], name="smooth_s (s)")
    )
