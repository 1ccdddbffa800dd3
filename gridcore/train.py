"""Training: the supervised path-integration task of the paper, top to bottom.

Each step simulates (or takes from a pre-simulated chunk) a batch of trajectories, runs the
network on the egocentric velocities, and minimises the soft-target cross-entropy between the
predicted and the true place- and head-direction-cell distributions, averaged over batch and
time and summed over the two ensembles (plus, in the ``paper`` preset, L2 on the read-outs).

A run directory holds:

* ``config.json``            the TrainConfig;
* ``model.safetensors``      the weights (what ``load_run`` and the scorer read);
* ``train_state.safetensors`` weights, optimiser buffers, RNG state and step, for ``--resume``;
* ``history.csv``            one row per logged step (loss, decoding errors, grid fraction);
* ``tb/``                    the same curves for TensorBoard.

Checkpoint files are written to a temporary name and renamed, so a killed run loses at most the
steps since its last checkpoint. Resuming gives bit-identical weights to an uninterrupted run.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch.nn import functional as F
from tqdm.auto import tqdm

from gridcore.config import GridcoreError, TrainConfig, atomic_write
from gridcore.ensembles import Ensembles
from gridcore.model import GridCellNetwork
from gridcore.optim import clip_gradients, l2_penalty, make_optimizer
from gridcore.trajectories import Trajectories, TrajectoryStream, wrap_angle

HISTORY_FIELDS = [
    "step",
    "loss",
    "place_loss",
    "hd_loss",
    "position_error_cm",
    "heading_error_deg",
    "lr",
    "elapsed_s",
    "grid_fraction_037",
    "grid_fraction_080",
]


def build(cfg: TrainConfig) -> tuple[GridCellNetwork, Ensembles]:
    """The network and ensembles that a config describes (weights freshly initialised)."""
    ensembles = Ensembles.create(
        n_place=cfg.n_place,
        n_hd=cfg.n_hd,
        sigma=cfg.place_sigma,
        kappa=cfg.hd_kappa,
        kind=cfg.place_kind,
        surround_scale=cfg.surround_scale,
        seed=cfg.ensemble_seed,
    )
    model = GridCellNetwork(
        n_place=cfg.n_place,
        n_hd=cfg.n_hd,
        n_hidden=cfg.n_hidden,
        n_bottleneck=cfg.n_bottleneck,
        dropout=cfg.dropout,
        core=cfg.core,
        eval_dropout=cfg.eval_dropout,
    )
    return model, ensembles


def losses(
    model: GridCellNetwork, ensembles: Ensembles, traj: Trajectories
) -> tuple[torch.Tensor, torch.Tensor, object]:
    """Soft-target cross-entropies (nats, mean over batch x time) for place and HD cells."""
    out = model(traj.velocity, ensembles.initial_code(traj))
    place_t, hd_t = ensembles.targets(traj)
    place_loss = F.cross_entropy(out.place_logits.flatten(0, 1), place_t.flatten(0, 1))
    hd_loss = F.cross_entropy(out.hd_logits.flatten(0, 1), hd_t.flatten(0, 1))
    return place_loss, hd_loss, out


def decoding_errors(ensembles: Ensembles, out, traj: Trajectories) -> tuple[float, float]:
    """Mean position error (cm) and heading error (degrees) of the decoded read-outs."""
    pos = ensembles.place.decode(out.place_logits)
    hd = ensembles.hd.decode(out.hd_logits)
    pos_err = (pos - traj.target_pos).norm(dim=-1).mean().item() * 100
    hd_err = wrap_angle(hd - traj.target_hd).abs().mean().item() * 180 / math.pi
    return pos_err, hd_err


def learning_rate(cfg: TrainConfig, step: int) -> float:
    """The learning rate at optimisation step ``step``."""
    if cfg.lr_schedule == "cosine":
        frac = min(step / max(cfg.steps - 1, 1), 1.0)
        low = cfg.lr * cfg.lr_final_frac
        return low + 0.5 * (cfg.lr - low) * (1 + math.cos(math.pi * frac))
    return cfg.lr


# --- checkpoints -----------------------------------------------------------------------------


def _optimizer_tensors(opt: torch.optim.Optimizer) -> dict[str, torch.Tensor]:
    flat = {}
    for idx, state in opt.state_dict()["state"].items():
        for name, value in state.items():
            flat[f"optim.{idx}.{name}"] = torch.as_tensor(value).contiguous()
    return flat


def _load_optimizer_tensors(opt: torch.optim.Optimizer, flat: dict[str, torch.Tensor]) -> None:
    state: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in flat.items():
        _, idx, name = key.split(".", 2)
        state.setdefault(int(idx), {})[name] = value
    opt.load_state_dict({"state": state, "param_groups": opt.state_dict()["param_groups"]})


def save_checkpoint(run_dir: Path, model, opt, step: int, history: list[dict]) -> None:
    """Write the run's checkpoint files atomically (each to a temporary file, then renamed)."""
    weights = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    meta = {"step": str(step)}
    full = {f"model.{k}": v for k, v in weights.items()}
    full.update(_optimizer_tensors(opt))
    full["rng.torch"] = torch.get_rng_state()
    atomic_write(run_dir / "train_state.safetensors", lambda p: save_file(full, p, meta))
    atomic_write(run_dir / "model.safetensors", lambda p: save_file(weights, p, meta))
    atomic_write(run_dir / "history.csv", lambda p: _write_history(Path(p), history))


def save_snapshot(run_dir: Path, model, step: int) -> Path:
    """Keep a copy of the weights at ``step`` in ``snapshots/`` (for emergence curves)."""
    path = run_dir / "snapshots" / f"step_{step:08d}.safetensors"
    path.parent.mkdir(exist_ok=True)
    weights = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    atomic_write(path, lambda p: save_file(weights, p, {"step": str(step)}))
    return path


def _write_history(path: Path, history: list[dict]) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HISTORY_FIELDS)
        writer.writeheader()
        writer.writerows(history)


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


def _load_safetensors(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    from safetensors import safe_open

    if not path.exists():
        raise GridcoreError(f"{path}: no such checkpoint file")
    try:
        tensors = load_file(str(path))
        with safe_open(str(path), framework="pt") as fh:
            meta = fh.metadata() or {}
    except (SafetensorError, OSError, ValueError) as err:
        raise GridcoreError(f"{path}: not a valid safetensors checkpoint ({err})") from None
    return tensors, meta


def _load_weights(model: torch.nn.Module, weights: dict[str, torch.Tensor], path: Path) -> None:
    try:
        model.load_state_dict(weights)
    except RuntimeError as err:
        first = str(err).strip().splitlines()
        detail = " ".join(line.strip() for line in first[1:3]) if len(first) > 1 else first[0]
        raise GridcoreError(f"{path}: weights do not match the config ({detail})") from None


def load_run(path: str | Path) -> tuple[GridCellNetwork, Ensembles, TrainConfig, int]:
    """Load a trained network from a run directory (or its ``model.safetensors``).

    Returns the model in evaluation mode, its ensembles, its config and the training step.
    """
    path = Path(path)
    run_dir = path.parent if path.suffix == ".safetensors" else path
    if run_dir.name == "snapshots":
        run_dir = run_dir.parent
    if not run_dir.is_dir():
        raise GridcoreError(f"{run_dir}: no such run directory")
    cfg = TrainConfig.load(run_dir / "config.json")
    model, ensembles = build(cfg)
    weights_path = path if path.suffix == ".safetensors" else run_dir / "model.safetensors"
    weights, meta = _load_safetensors(weights_path)
    _load_weights(model, weights, weights_path)
    model.eval()
    return model, ensembles, cfg, int(meta.get("step", 0))


# --- the loop --------------------------------------------------------------------------------


@dataclass
class TrainResult:
    run_dir: Path
    step: int
    history: list[dict]
    model: GridCellNetwork
    ensembles: Ensembles


def _prepare_run_dir(run_dir: Path, cfg: TrainConfig, resume: bool) -> TrainConfig:
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
        saved = TrainConfig.load(run_dir / "config.json")
        # Only the length of the run may change on resume.
        if replace(saved, steps=cfg.steps) != cfg:
            diff = [
                k
                for k in cfg.__dataclass_fields__
                if k != "steps" and getattr(saved, k) != getattr(cfg, k)
            ]
            raise GridcoreError(
                f"{run_dir}: checkpoint was trained with a different config ({', '.join(diff)})"
            )
    elif (run_dir / "train_state.safetensors").exists():
        raise GridcoreError(f"{run_dir} already holds a run; pass --resume or choose a new --out")
    return cfg


def train(
    cfg: TrainConfig,
    run_dir: str | Path,
    resume: bool = False,
    progress: bool = True,
    on_log: Callable[[dict], bool | None] | None = None,
) -> TrainResult:
    """Train the network described by ``cfg``, checkpointing into ``run_dir``.

    ``on_log`` is called with each history row (e.g. to plot live in a notebook); if it returns
    True, training checkpoints and stops there.
    """
    run_dir = Path(run_dir)
    cfg = _prepare_run_dir(run_dir, cfg, resume)
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    model, ensembles = build(cfg)
    opt = make_optimizer(
        cfg.optimizer, model.parameters(), cfg.lr, cfg.momentum, cfg.rms_decay, cfg.eps
    )
    step, history = 0, []
    if resume:
        state, meta = _load_safetensors(run_dir / "train_state.safetensors")
        step = int(meta.get("step", 0))
        weights = {k[6:]: v for k, v in state.items() if k.startswith("model.")}
        _load_weights(model, weights, run_dir / "train_state.safetensors")
        try:
            _load_optimizer_tensors(opt, {k: v for k, v in state.items() if k.startswith("optim.")})
            torch.set_rng_state(state["rng.torch"])
        except (KeyError, ValueError, RuntimeError) as err:
            raise GridcoreError(f"{run_dir}: corrupt optimiser/RNG state ({err})") from None
        history = [row for row in read_history(run_dir) if row["step"] <= step]
    atomic_write(run_dir / "config.json", lambda p: Path(p).write_text(cfg.to_json()))
    data = TrajectoryStream(cfg.batch_size, cfg.seq_len, cfg.motion, cfg.seed, cfg.data_chunk)
    clip_params = (
        list(model.parameters())
        if cfg.clip_scope == "all"
        else [p for m in (model.place_head, model.hd_head) for p in m.parameters()]
    )
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(str(run_dir / "tb"), purge_step=step if resume else None)
    start_time = time.perf_counter()
    elapsed_before = history[-1]["elapsed_s"] if history else 0.0
    bar = tqdm(total=cfg.steps, initial=step, disable=not progress, desc="training", unit="step")
    model.train()
    try:
        while step < cfg.steps:
            lr = learning_rate(cfg, step)
            for group in opt.param_groups:
                group["lr"] = lr
            traj = data.batch(step)
            place_loss, hd_loss, out = losses(model, ensembles, traj)
            loss = place_loss + hd_loss
            if cfg.apply_weight_decay and cfg.weight_decay > 0:
                loss = loss + l2_penalty(model.output_weights(), cfg.weight_decay)
            if not torch.isfinite(loss):
                raise GridcoreError(
                    f"training diverged at step {step}: loss is {loss.item()}; "
                    f"try a smaller learning rate than {lr:g}"
                )
            opt.zero_grad(set_to_none=True)
            loss.backward()
            clip_gradients(clip_params, cfg.grad_clip)
            opt.step()
            step += 1
            bar.update(1)
            if step % cfg.log_every == 0 or step == cfg.steps:
                pos_err, hd_err = decoding_errors(ensembles, out, traj)
                row = {
                    "step": step,
                    "loss": loss.item(),
                    "place_loss": place_loss.item(),
                    "hd_loss": hd_loss.item(),
                    "position_error_cm": pos_err,
                    "heading_error_deg": hd_err,
                    "lr": lr,
                    "elapsed_s": elapsed_before + time.perf_counter() - start_time,
                    "grid_fraction_037": math.nan,
                    "grid_fraction_080": math.nan,
                }
                if cfg.score_every and step % cfg.score_every == 0:
                    row.update(_grid_fractions(model, ensembles, cfg))
                history.append(row)
                for key in HISTORY_FIELDS[1:]:
                    if not math.isnan(row[key]):
                        writer.add_scalar(key, row[key], step)
                bar.set_postfix(loss=f"{row['loss']:.3f}", err_cm=f"{pos_err:.1f}")
                if on_log is not None and on_log(row):
                    save_checkpoint(run_dir, model, opt, step, history)
                    break
            if cfg.snapshot_every and step % cfg.snapshot_every == 0:
                save_snapshot(run_dir, model, step)
            if step % cfg.checkpoint_every == 0 or step == cfg.steps:
                save_checkpoint(run_dir, model, opt, step, history)
    finally:
        bar.close()
        writer.close()
    model.eval()
    return TrainResult(run_dir, step, history, model, ensembles)


def _grid_fractions(model: GridCellNetwork, ensembles: Ensembles, cfg: TrainConfig) -> dict:
    """Fraction of bottleneck units with a 60-degree score > 0.37 and > 0.8, right now."""
    from gridcore.ratemaps import bottleneck_ratemaps
    from gridcore.scores import score_ratemaps

    rng_state = torch.get_rng_state()  # evaluation must not perturb the training RNG
    maps = bottleneck_ratemaps(
        model, ensembles, cfg, n_trajectories=cfg.score_trajectories, nbins=cfg.score_nbins
    )
    torch.set_rng_state(rng_state)
    scores = score_ratemaps(maps, mode="deepmind")
    return {
        "grid_fraction_037": scores.fraction(0.37),
        "grid_fraction_080": scores.fraction(0.8),
    }
