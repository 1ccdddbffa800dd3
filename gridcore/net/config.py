"""Experiment configuration: one dataclass, plain Python, with named presets.

``PRESETS["paper"]`` is the paper's Supplementary Table 1; ``deepmind`` reproduces DeepMind's
published code, departures included; ``fast`` grows grid cells in minutes on a laptop CPU.
A preset is a starting point: ``replace(get_preset("fast"), lr=3e-4)`` changes one setting.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from gridcore import paper
from gridcore.errors import GridcoreError
from gridcore.net.model import ATTENTION_HEADS, CORES, DECAY_LAYERS, PLACE_READOUTS, VELOCITY_INPUTS
from gridcore.net.optim import OPTIMIZERS
from gridcore.world.ensembles import ENSEMBLE_RNGS, INIT_CODES, PLACE_KINDS
from gridcore.world.trajectories import MOTIONS

__all__ = ["PRESETS", "TrainConfig", "get_preset"]

LR_SCHEDULES = ("constant", "cosine")
CLIP_SCOPES = ("all", "heads")
DEVICES = ("cpu", "cuda", "auto")  # "auto": cuda when torch sees a GPU, else cpu
# Fields that only change what is logged or saved: they may differ when a run is resumed.
LOGGING_FIELDS = ("log_every", "checkpoint_every", "snapshot_every", "score_every")
# Fields that say where and with how many threads a run computes, not what it computes: they
# may differ on resume too (though only the same device and thread count resume bit for bit).
RUNTIME_FIELDS = ("threads", "device")
# Everything a resumed run may change: its length, its logging and where it runs.
RESUMABLE_FIELDS = ("steps", *LOGGING_FIELDS, *RUNTIME_FIELDS)


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run. Units: metres, seconds, radians."""

    # Data: the simulated rat.
    motion: str = "sorscher"  # "paper" (real-rat speeds) or "sorscher" (2 pi faster)
    # 2: the rat in a square box; 3: the same motion statistics in a cube of the box's edge
    # (gridcore.world.volume), with place cells in the cube and direction cells on the sphere.
    dims: int = 2
    seq_len: int = paper.SEQ_LEN  # network steps per trajectory
    # The time base: seconds of motion per trajectory. The rat is simulated at 0.02 s and seen
    # every duration / seq_len s (the paper: 15 s in 100 steps of 0.15 s). 0: every simulation
    # step, seq_len x 0.02 s (gridcore's first reading: 100 steps are 2 s).
    duration: float = 0.0
    # A curriculum over path length, "STEP:LEN,STEP:LEN": from each STEP on, training paths
    # are LEN steps long (e.g. "6000:250,7000:750"); "" trains on seq_len throughout. Scoring
    # and evaluation keep seq_len.
    seq_len_curriculum: str = ""
    batch_size: int = paper.BATCH_SIZE
    data_chunk: int = 200  # batches simulated at once
    # What the network reads each step: "egocentric" (the paper: speed, sin and cos of the turn)
    # or "allocentric" (Cartesian velocity vx, vy: the step taken / dt).
    velocity_input: str = "egocentric"
    # Ensembles: targets and initial code.
    n_place: int = paper.N_PLACE
    place_sigma: float = paper.PLACE_SIGMA_M  # m
    place_kind: str = "gaussian"  # or "dog" (difference of softmaxes)
    surround_scale: float = 2.0
    # The initial state's input: "targets" (the place ensembles' activations, as the paper) or
    # "standardised" (each ensemble's activations at zero mean and unit SD over its cells; see
    # gridcore.world.ensembles.INIT_CODES). 2-D only.
    init_code: str = "targets"
    # Several place-cell ensembles (DeepMind's list-valued task_n_pc / task_pc_scale): ensemble
    # k has n_place cells of width place_sigma * place_sigma_ratio**k, its own read-out and its
    # own loss term. 1: the paper's single ensemble.
    place_ensembles: int = 1
    place_sigma_ratio: float = 1.5
    # "shared": every ensemble read out from the whole bottleneck (DeepMind's code); "sliced":
    # ensemble k from the k-th of place_ensembles equal slices of it
    # (gridcore.net.model.SlicedLinear).
    place_readout: str = "shared"
    # Anchored path integration: on each step, with this probability, the network also reads the
    # true place- and head-direction code of where it is (zeros otherwise), as the paper's grid
    # network read the vision module's predictions on about 5 % of steps. 0: pure path
    # integration (the supervised task of the paper's Fig. 1).
    anchor_prob: float = 0.0
    # With anchors: the probability that a training trajectory starts from another trajectory's
    # initial code, so the network is lost until an anchor arrives, as an agent is after it is
    # moved without being told. 0: every trajectory starts from its own code (the paper).
    lost_start_prob: float = 0.0
    n_hd: int = paper.N_HD
    hd_kappa: float = paper.HD_KAPPA
    ensemble_seed: int = paper.ENSEMBLE_SEED
    # "separate": each ensemble from its own RandomState(ensemble_seed), as DeepMind's code;
    # "shared": one stream, place centres then head directions (gridcore 0.1, which trained
    # the shipped checkpoints/grid-lstm).
    ensemble_rng: str = "separate"
    # False: no head-direction cells at all: no HD target or loss term, and the initial code is
    # the place cells' alone.
    use_hd: bool = True
    # Model.
    core: str = "lstm"  # "lstm" (the paper), "gru", "rnn" (tanh), "rnn_relu" or "attention"
    n_hidden: int = paper.N_HIDDEN
    n_bottleneck: int = paper.N_BOTTLENECK
    dropout: float = paper.DROPOUT
    eval_dropout: bool = False  # True reproduces DeepMind's dropout-at-evaluation
    # Optimisation.
    optimizer: str = "tf1_rmsprop"
    lr: float = paper.LR
    lr_schedule: str = "constant"  # or "cosine" (to lr_final_frac * lr at step lr_horizon)
    lr_final_frac: float = 0.1
    # Steps over which the schedule runs. 0: the run's own ``steps``, fixed in the run's saved
    # config when training starts, so extending a run later never re-plans its learning rate.
    lr_horizon: int = 0
    momentum: float = paper.MOMENTUM
    rms_decay: float = 0.9
    eps: float = 1e-10
    grad_clip: float = paper.GRAD_CLIP  # by value; 0 disables
    clip_scope: str = "all"  # "all" (DeepMind's code) or "heads" (the paper's text)
    weight_decay: float = paper.WEIGHT_DECAY  # L2 coefficient
    # "heads": the read-outs (the paper); "heads+bottleneck": also the bottleneck, as DeepMind's
    # code registers it (without ever applying it).
    weight_decay_layers: str = "heads"
    apply_weight_decay: bool = True  # False reproduces DeepMind's never-applied decay
    # Stop when the loss exceeds this multiple of its first value (0: only non-finite losses).
    diverge_factor: float = 1000.0
    steps: int = paper.UPDATES
    seed: int = 0
    threads: int = 1  # torch intra-op threads; 1 is fastest at batch 10
    device: str = "cpu"  # "cpu", "cuda" or "auto" (cuda when available); checkpoints are CPU
    # Bookkeeping.
    log_every: int = 100
    checkpoint_every: int = 5000
    snapshot_every: int = 0  # steps between weight snapshots kept in snapshots/ (0: never)
    score_every: int = 0  # steps between grid-score evaluations while training (0: never)
    score_trajectories: int = 500  # trajectories for those evaluations
    score_nbins: int = paper.RATEMAP_BINS

    def __post_init__(self) -> None:
        positive = (
            "seq_len batch_size data_chunk n_place place_ensembles n_hd n_hidden n_bottleneck steps threads "
            "log_every checkpoint_every score_trajectories score_nbins"
        )
        for name in positive.split():
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise GridcoreError(f"{name} must be a positive integer, got {value!r}")
        for name in ("lr", "place_sigma", "place_sigma_ratio", "hd_kappa"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise GridcoreError(f"{name} must be a positive number, got {value!r}")
        choices = {
            "motion": MOTIONS,
            "place_kind": PLACE_KINDS,
            "init_code": INIT_CODES,
            "place_readout": PLACE_READOUTS,
            "core": CORES,
            "optimizer": OPTIMIZERS,
            "lr_schedule": LR_SCHEDULES,
            "clip_scope": CLIP_SCOPES,
            "weight_decay_layers": DECAY_LAYERS,
            "ensemble_rng": ENSEMBLE_RNGS,
            "device": DEVICES,
            "velocity_input": VELOCITY_INPUTS,
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise GridcoreError(
                    f"{name} must be one of {', '.join(allowed)}; got {getattr(self, name)!r}"
                )
        if self.dims not in (2, 3) or isinstance(self.dims, bool):
            raise GridcoreError(f"dims must be 2 (a box) or 3 (a cube), got {self.dims!r}")
        if self.dims == 3 and (self.velocity_input != "egocentric" or self.score_every):
            raise GridcoreError(
                "dims 3 trains on the egocentric velocity without scoring while training; "
                f"got velocity_input={self.velocity_input!r}, score_every={self.score_every}"
            )
        if self.dims == 3 and self.place_ensembles != 1:
            raise GridcoreError(
                f"dims 3 has one place-cell ensemble; got place_ensembles={self.place_ensembles}"
            )
        if self.place_readout == "sliced" and self.n_bottleneck % self.place_ensembles:
            raise GridcoreError(
                f"place_readout sliced cuts the bottleneck into place_ensembles equal slices; "
                f"n_bottleneck={self.n_bottleneck} is not a multiple of {self.place_ensembles}"
            )
        if self.dims == 3 and self.init_code != "targets":
            raise GridcoreError(f"dims 3 starts from its targets; got init_code={self.init_code!r}")
        self.curriculum()  # raises on a malformed curriculum
        if not (isinstance(self.duration, int | float) and math.isfinite(self.duration)):
            raise GridcoreError(f"duration must be a number of seconds, got {self.duration!r}")
        if self.duration and self.step_time < paper.DT_S * (1 - 1e-9):
            raise GridcoreError(
                f"duration {self.duration} s over seq_len {self.seq_len} steps is "
                f"{self.step_time:g} s a step, shorter than the simulation step "
                f"({paper.DT_S} s); accepted: 0 (every simulation step) or "
                f">= {paper.DT_S * self.seq_len:g} s"
            )
        if not (isinstance(self.anchor_prob, int | float) and 0 <= self.anchor_prob < 1):
            raise GridcoreError(f"anchor_prob must be in [0, 1), got {self.anchor_prob!r}")
        if not (isinstance(self.lost_start_prob, int | float) and 0 <= self.lost_start_prob <= 1):
            raise GridcoreError(f"lost_start_prob must be in [0, 1], got {self.lost_start_prob!r}")
        if self.lost_start_prob and not self.anchor_prob:
            raise GridcoreError("lost_start_prob needs anchors (anchor_prob > 0) to find the way")
        if self.anchor_prob and (self.dims == 3 or self.core == "attention"):
            raise GridcoreError("anchor_prob is for the 2-D recurrent cores; set it to 0")
        if self.dims == 3 and self.duration:
            raise GridcoreError("dims 3 sees every simulation step; duration must be 0")
        if self.dims == 3 and self.seq_len_curriculum:
            raise GridcoreError("dims 3 trains on paths of one length; seq_len_curriculum is 2-D")
        if not isinstance(self.use_hd, bool):
            raise GridcoreError(f"use_hd must be true or false, got {self.use_hd!r}")
        if self.core == "attention" and self.n_hidden % (2 * ATTENTION_HEADS):
            raise GridcoreError(
                f"core attention needs n_hidden a multiple of {2 * ATTENTION_HEADS} (width "
                f"n_hidden / 2 over {ATTENTION_HEADS} heads), got {self.n_hidden}"
            )
        if not 0 <= self.dropout < 1:
            raise GridcoreError(f"dropout must be in [0, 1), got {self.dropout}")
        for name in (
            "grad_clip",
            "weight_decay",
            "score_every",
            "snapshot_every",
            "lr_horizon",
            "diverge_factor",
        ):
            if getattr(self, name) < 0:
                raise GridcoreError(f"{name} must be >= 0, got {getattr(self, name)}")

    @property
    def step_time(self) -> float:
        """Seconds of motion per network step (0.02 s unless ``duration`` says otherwise)."""
        return self.duration / self.seq_len if self.duration else paper.DT_S

    @property
    def trajectory_seconds(self) -> float:
        """Seconds of motion in one training trajectory of ``seq_len`` steps."""
        return self.seq_len * self.step_time

    def curriculum(self) -> tuple[tuple[int, int], ...]:
        """``seq_len_curriculum`` as ((step, seq_len), ...), steps increasing."""
        if not self.seq_len_curriculum:
            return ()
        accepted = 'accepted: "STEP:LEN,STEP:LEN", steps increasing, lengths >= 1'
        try:
            stages = tuple(
                (int(step), int(length))
                for step, length in (part.split(":") for part in self.seq_len_curriculum.split(","))
            )
        except ValueError:
            raise GridcoreError(
                f"seq_len_curriculum {self.seq_len_curriculum!r} is malformed; {accepted}"
            ) from None
        steps = [step for step, _ in stages]
        if steps != sorted(set(steps)) or min(steps) < 0 or min(n for _, n in stages) < 1:
            raise GridcoreError(f"seq_len_curriculum {self.seq_len_curriculum!r}: {accepted}")
        return stages

    def planned(self) -> TrainConfig:
        """This config with its schedule's horizon fixed (``lr_horizon`` = ``steps`` if 0)."""
        return self if self.lr_horizon else replace(self, lr_horizon=self.steps)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise GridcoreError(f"unknown config keys: {', '.join(unknown)}")
        try:
            return cls(**data)
        except TypeError as err:
            raise GridcoreError(f"bad config: {err}") from None

    def differences(self, other: TrainConfig, ignore: tuple[str, ...] = ()) -> list[str]:
        """``"field: mine vs other's"`` for every field that differs, except ``ignore``."""
        return [
            f"{f.name}: {getattr(self, f.name)!r} vs {getattr(other, f.name)!r}"
            for f in fields(self)
            if f.name not in ignore and getattr(self, f.name) != getattr(other, f.name)
        ]

    @classmethod
    def load(cls, path: str | Path) -> TrainConfig:
        path = Path(path)
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise GridcoreError(f"{path}: no such file") from None
        except (OSError, ValueError) as err:
            raise GridcoreError(f"{path}: not a readable JSON config ({err})") from None
        if not isinstance(data, dict):
            raise GridcoreError(f"{path}: a config must be a JSON object")
        return cls.from_dict(data)


_QUICK = TrainConfig(
    motion="sorscher",
    lr=1e-3,
    lr_schedule="cosine",
    lr_final_frac=0.1,
    steps=8000,
    log_every=500,
    checkpoint_every=2000,
    snapshot_every=1000,
)


PRESETS: dict[str, TrainConfig] = {
    # Supplementary Table 1, with the weight decay the paper describes actually applied, at the
    # paper's time base: 15 s trajectories seen in 100 steps of 0.15 s.
    "paper": TrainConfig(motion="paper", lr=1e-5, steps=300_000, duration=paper.DURATION_S),
    # DeepMind's code as published: decay never applied, dropout left on when evaluating,
    # 1e6 updates by default; the paper's time base.
    "deepmind": TrainConfig(
        motion="paper",
        lr=1e-5,
        steps=1_000_000,
        apply_weight_decay=False,
        eval_dropout=True,
        duration=paper.DURATION_S,
    ),
    # Grows grid cells on a CPU in well under an hour: the paper's network and optimiser with
    # the 2 pi-faster rat and a 30x larger learning rate. The shipped checkpoints/grid-lstm
    # (one seed) reached 28.9 % at 20k steps and drifted down to 24 % by 30k as the read-out
    # weights kept growing.
    "fast": TrainConfig(
        motion="sorscher",
        lr=3e-4,
        steps=20_000,
        log_every=500,
        checkpoint_every=2000,
        snapshot_every=2000,
    ),
    # Grid cells from scratch in minutes: a 3x larger learning rate than "fast", decayed along
    # a cosine to a tenth over 8000 steps (a 12000-step cosine peaked lower, at 26 %).
    # benchmarks/time_to_grid.py measures it; the training chapter runs it live.
    "quick": _QUICK,
    # "quick" with place cells 10 cm wide instead of the paper's 1 cm, a departure from the
    # paper: in experiments/place-cells it grew more grid-like units at step 8000 than "quick"
    # (experiments/headline-quick-wide measures it over ten seeds).
    "quick-wide": replace(_QUICK, place_sigma=0.1),
    # The volume (gridcore.world.volume, book/14_3d): "quick" in a 2.2 m cube. 512 place cells (256
    # would leave them 35 cm apart) 10 cm wide: at the paper's 1 cm the place loss stayed at
    # chance (6.20 of ln 512 = 6.24 nats after 3000 steps; 5.50 and a 66 cm error at 10 cm).
    # 48 direction cells, about 30 degrees apart on the sphere as 12 are on the circle.
    "quick-3d": replace(_QUICK, dims=3, n_place=512, place_sigma=0.1, n_hd=48, snapshot_every=0),
    # A few seconds of training, for tests and smoke runs.
    "tiny": TrainConfig(
        motion="sorscher",
        lr=3e-3,
        n_place=64,
        n_hidden=32,
        n_bottleneck=32,
        seq_len=20,
        steps=400,
        log_every=20,
        checkpoint_every=50,
        data_chunk=20,
    ),
}


def get_preset(name: str, **overrides) -> TrainConfig:
    """A named preset, optionally with some fields replaced."""
    if name not in PRESETS:
        raise GridcoreError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}")
    try:
        return replace(PRESETS[name], **overrides)
    except TypeError as err:
        raise GridcoreError(f"bad override for preset {name!r}: {err}") from None
