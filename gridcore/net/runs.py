"""The run directory: what a training run leaves on disk, and how to read it back.

A run directory holds:

* ``config.json``             the TrainConfig (with the schedule's horizon fixed);
* ``model.safetensors``       the weights (what ``load_run`` and the scorer read);
* ``train_state.safetensors`` weights, optimiser buffers, RNG state and step, for ``--resume``;
* ``history.csv``             one row per logged step (losses, decoding errors, lr, grid fraction);
* ``snapshots/``              weights every ``snapshot_every`` steps (``step_00002000.safetensors``);
* ``tb/``                     the same curves for TensorBoard.

Every file is written to a temporary name and renamed, so a killed run loses at most the steps
since its last checkpoint. Weights are only ever loaded through safetensors.

A :class:`Network` is what every analysis takes: a model with the ensembles and config it was
trained on, read back from a run directory by :func:`load_network`, or drawn afresh from a seed
by :func:`untrained_network`.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from gridcore.errors import GridcoreError
from gridcore.files import atomic_write, write_text_atomic
from gridcore.net.config import RESUMABLE_FIELDS, TrainConfig
from gridcore.net.model import GridCellNetwork
from gridcore.net.task import build, motion_of, untrained_model
from gridcore.world.ensembles import Ensembles
from gridcore.world.trajectories import MotionParams

HISTORY_FIELDS = [
    "step",
    "loss",
    "place_loss",
    "hd_loss",
    "l2_loss",
    "position_error_cm",
    "heading_error_deg",
    "lr",
    "elapsed_s",
    "grid_fraction_037",
    "grid_fraction_080",
]


def write_config(run_dir: Path, cfg: TrainConfig) -> None:
    """Write ``config.json`` atomically."""
    write_text_atomic(Path(run_dir) / "config.json", cfg.to_json())


def _optimizer_tensors(opt: torch.optim.Optimizer) -> dict[str, torch.Tensor]:
    flat = {}
    for idx, state in opt.state_dict()["state"].items():
        for name, value in state.items():
            flat[f"optim.{idx}.{name}"] = torch.as_tensor(value).detach().cpu().contiguous()
    return flat


def rng_state(device: torch.device | str = "cpu") -> dict[str, torch.Tensor]:
    """torch's global RNG state as a checkpoint saves it: the CPU generator (``rng.torch``) and,
    for a run on a GPU, that GPU's generator too (``rng.cuda``), which draws its dropout masks."""
    state = {"rng.torch": torch.get_rng_state()}
    device = torch.device(device)
    if device.type == "cuda":
        state["rng.cuda"] = torch.cuda.get_rng_state(device)
    return state


def _load_optimizer_tensors(opt: torch.optim.Optimizer, flat: dict[str, torch.Tensor]) -> None:
    state: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in flat.items():
        _, idx, name = key.split(".", 2)
        state.setdefault(int(idx), {})[name] = value
    opt.load_state_dict({"state": state, "param_groups": opt.state_dict()["param_groups"]})


def _cpu_weights(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}


def save_checkpoint(
    run_dir: Path,
    cfg: TrainConfig,
    model,
    opt,
    step: int,
    history: list[dict],
    rng: dict[str, torch.Tensor] | None = None,
) -> None:
    """Write the run's checkpoint files atomically (each to a temporary file, then renamed):
    weights, optimiser and RNG state at ``step``, the config and the history so far.

    Tensors are saved on the CPU whatever the device. ``rng`` is the RNG state to save
    (default: :func:`rng_state` of the model's device)."""
    weights = _cpu_weights(model)
    meta = {"step": str(step)}
    full = {f"model.{k}": v for k, v in weights.items()}
    full.update(_optimizer_tensors(opt))
    if rng is None:
        rng = rng_state(next(model.parameters()).device)
    full.update({k: v.cpu() for k, v in rng.items()})
    write_config(run_dir, cfg)
    atomic_write(run_dir / "train_state.safetensors", lambda p: save_file(full, p, meta))
    atomic_write(run_dir / "model.safetensors", lambda p: save_file(weights, p, meta))
    atomic_write(run_dir / "history.csv", lambda p: _write_history(Path(p), history))


def save_snapshot(run_dir: Path, model, step: int) -> Path:
    """Keep a copy of the weights at ``step`` in ``snapshots/`` (for emergence curves)."""
    path = run_dir / "snapshots" / f"step_{step:08d}.safetensors"
    path.parent.mkdir(exist_ok=True)
    weights = _cpu_weights(model)
    atomic_write(path, lambda p: save_file(weights, p, {"step": str(step)}))
    return path


def _write_history(path: Path, history: list[dict]) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HISTORY_FIELDS, restval="")
        writer.writeheader()
        # Steps stay integers, also for rows read back (as floats) when a run is resumed.
        writer.writerows({**row, "step": int(row["step"])} for row in history)


def read_history(run_dir: str | Path) -> list[dict]:
    """The logged rows of a run (numbers as floats; empty cells as NaN)."""
    path = Path(run_dir) / "history.csv"
    if not path.exists():
        return []
    with path.open() as fh:
        return [
            {k: float(v) if v not in ("", None) else math.nan for k, v in row.items()}
            for row in csv.DictReader(fh)
        ]


def load_safetensors(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Tensors and metadata of a safetensors file; a missing or corrupt file is a
    GridcoreError."""
    if not path.exists():
        raise GridcoreError(f"{path}: no such checkpoint file")
    try:
        tensors = load_file(str(path))
        with safe_open(str(path), framework="pt") as fh:
            meta = fh.metadata() or {}
    except (SafetensorError, OSError, ValueError) as err:
        raise GridcoreError(f"{path}: not a valid safetensors checkpoint ({err})") from None
    return tensors, meta


def load_weights(model: torch.nn.Module, weights: dict[str, torch.Tensor], path: Path) -> None:
    """Put ``weights`` into ``model``; a mismatch with the config is a GridcoreError."""
    try:
        model.load_state_dict(weights)
    except RuntimeError as err:
        first = str(err).strip().splitlines()
        detail = " ".join(line.strip() for line in first[1:3]) if len(first) > 1 else first[0]
        raise GridcoreError(f"{path}: weights do not match the config ({detail})") from None


def load_run(
    path: str | Path, device: torch.device | str = "cpu"
) -> tuple[GridCellNetwork, Ensembles, TrainConfig, int]:
    """Load a trained network from a run directory (its ``model.safetensors``, else the weights
    in its ``train_state.safetensors``) or from one of its ``.safetensors`` files.

    Returns the model in evaluation mode, its ensembles, its config and the training step. The
    network is on ``device`` (the CPU by default, whatever device trained it).
    """
    path = Path(path)
    run_dir = path.parent if path.suffix == ".safetensors" else path
    if run_dir.name == "snapshots":
        run_dir = run_dir.parent
    if not run_dir.is_dir():
        raise GridcoreError(f"{run_dir}: no such run directory")
    cfg = TrainConfig.load(run_dir / "config.json")
    model, ensembles = build(cfg, device)
    weights_path = path if path.suffix == ".safetensors" else run_dir / "model.safetensors"
    state = run_dir / "train_state.safetensors"
    if path.suffix != ".safetensors" and not weights_path.is_file() and state.is_file():
        weights_path = state  # a run still training, or one whose weights file stays out of git
    weights, meta = load_safetensors(weights_path)
    if weights_path.name == state.name:
        weights = {k[6:]: v for k, v in weights.items() if k.startswith("model.")}
    load_weights(model, weights, weights_path)
    model.eval()
    return model, ensembles, cfg, int(meta.get("step", 0))


def prepare_run_dir(run_dir: Path, cfg: TrainConfig, resume: bool) -> TrainConfig:
    """Check that ``run_dir`` can take this run and return the config to train with.

    A new run needs a writable directory without a run in it; its schedule's horizon is fixed
    now. A resumed run must match the saved config in every field but ``steps`` and the
    logging fields; it keeps the saved horizon, so a longer run never re-plans the steps
    already planned.
    """
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        probe = run_dir / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as err:
        raise GridcoreError(f"cannot write to output directory {run_dir}: {err.strerror}") from None
    if resume:
        if not (run_dir / "train_state.safetensors").exists():
            raise GridcoreError(f"{run_dir}: nothing to resume (no train_state.safetensors)")
        saved = TrainConfig.load(run_dir / "config.json").planned()
        diff = saved.differences(cfg, ignore=("lr_horizon", *RESUMABLE_FIELDS))
        if cfg.lr_horizon and cfg.lr_horizon != saved.lr_horizon:
            diff.append(f"lr_horizon: {saved.lr_horizon!r} vs {cfg.lr_horizon!r}")
        if diff:
            raise GridcoreError(
                f"{run_dir}: the saved run differs from the requested config in "
                + "; ".join(d.replace(" vs ", " (saved) vs ") + " (requested)" for d in diff)
            )
        keep = {name: getattr(cfg, name) for name in RESUMABLE_FIELDS}
        return TrainConfig.from_dict({**saved.__dict__, **keep})
    elif (run_dir / "train_state.safetensors").exists():
        raise GridcoreError(f"{run_dir} already holds a run; pass --resume or choose a new --out")
    return cfg.planned()


def list_snapshots(run_dir: str | Path) -> list[tuple[int, Path]]:
    """(step, path) of every weight snapshot in ``run_dir/snapshots``, by step."""
    found = []
    for path in (Path(run_dir) / "snapshots").glob("step_*.safetensors"):
        try:
            found.append((int(path.stem.split("_", 1)[1]), path))
        except ValueError:
            continue
    return sorted(found)


def restore_train_state(run_dir: Path, model: GridCellNetwork, opt) -> tuple[int, list[dict]]:
    """Load ``train_state.safetensors`` into ``model``, ``opt`` and torch's RNG; return the
    step it was saved at and the history up to that step. The GPU generator's state is
    restored when the model is on a GPU and the checkpoint has one (a run resumed on another
    device than it was saved from continues, but not bit for bit)."""
    state, meta = load_safetensors(run_dir / "train_state.safetensors")
    step = int(meta.get("step", 0))
    weights = {k[6:]: v for k, v in state.items() if k.startswith("model.")}
    load_weights(model, weights, run_dir / "train_state.safetensors")
    try:
        _load_optimizer_tensors(opt, {k: v for k, v in state.items() if k.startswith("optim.")})
        torch.set_rng_state(state["rng.torch"])
        device = next(model.parameters()).device
        if device.type == "cuda" and "rng.cuda" in state:
            torch.cuda.set_rng_state(state["rng.cuda"], device)
    except (KeyError, ValueError, RuntimeError) as err:
        raise GridcoreError(f"{run_dir}: corrupt optimiser/RNG state ({err})") from None
    return step, [row for row in read_history(run_dir) if row["step"] <= step]


# --------------------------------------------------------------------------------------------
# A network with what it was trained on


@dataclass
class Network:
    """A network with the ensembles and config it was trained on; ``step`` is the training step
    its weights are from (0: untrained) and ``run_dir`` the run directory they were read from
    (None for a network built in memory)."""

    model: GridCellNetwork
    ensembles: Ensembles
    cfg: TrainConfig
    step: int = 0
    run_dir: Path | None = None

    @property
    def motion(self) -> MotionParams:
        """The motion model (and so the box) the network was trained in."""
        return motion_of(self.cfg)


def load_network(checkpoint: str | Path) -> Network:
    """Load the network of a run directory (e.g. ``checkpoints/grid-lstm``), or of one of its
    ``.safetensors`` files, in evaluation mode.

    A missing directory is a GridcoreError that says how to make one.
    """
    path = Path(checkpoint)
    weights = ("model.safetensors", "train_state.safetensors")
    if path.suffix != ".safetensors" and not any((path / w).is_file() for w in weights):
        raise GridcoreError(
            f"no trained network at {path.resolve()} (no model.safetensors): pass a run "
            "directory, e.g. one made with `python -m gridcore train --preset fast --out runs/fast`"
        )
    model, ensembles, cfg, step = load_run(path)
    run_dir = path.parent if path.suffix == ".safetensors" else path
    return Network(model, ensembles, cfg, step, run_dir)


def untrained_network(cfg: TrainConfig, seed: int = 0) -> Network:
    """``cfg``'s network with fresh weights drawn from ``seed``, in evaluation mode: the untrained
    baseline (:func:`gridcore.net.task.untrained_model`). Torch's RNG is left as it was."""
    model, ensembles = untrained_model(cfg, seed=seed)
    return Network(model, ensembles, cfg)
