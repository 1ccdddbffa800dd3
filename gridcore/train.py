"""Training: the loop of the supervised path-integration task, top to bottom.

Each step takes a batch of simulated trajectories (simulated ``data_chunk`` batches at a time),
and :func:`gridcore.task.train_step` runs the network on their egocentric velocities and
minimises the soft-target cross-entropy between its read-outs and the true place- and
head-direction-cell distributions (plus the L2 term). Around that the loop logs, checkpoints,
keeps snapshots, scores the bottleneck while it trains, and stops a diverging run.

The run directory's format is :mod:`gridcore.runs`. Resuming gives bit-identical weights to an
uninterrupted run on the same machine; another CPU model rounds differently and drifts apart
within a few hundred steps.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.tensorboard import SummaryWriter
from tqdm.auto import tqdm

from gridcore.config import TrainConfig
from gridcore.ensembles import Ensembles
from gridcore.errors import DivergedError
from gridcore.model import GridCellNetwork
from gridcore.paper import GRID_THRESHOLD, STRICT_GRID_THRESHOLD
from gridcore.ratemaps import bottleneck_ratemaps
from gridcore.runs import (
    HISTORY_FIELDS,
    prepare_run_dir,
    restore_train_state,
    save_checkpoint,
    save_snapshot,
    write_config,
)
from gridcore.scores import score_ratemaps
from gridcore.task import build, clip_params, decoding_errors, make_optimizer_for, train_step
from gridcore.trajectories import TrajectoryStream

# Exit status of ``python -m gridcore train`` for a run stopped by divergence.
EXIT_DIVERGED = 3


@dataclass
class TrainResult:
    """Where a run ended: its directory, last step, history and the trained network."""

    run_dir: Path
    step: int
    history: list[dict]
    model: GridCellNetwork
    ensembles: Ensembles


def grid_fractions(model: GridCellNetwork, ensembles: Ensembles, cfg: TrainConfig) -> dict:
    """Fractions of bottleneck units whose 60-degree score (DeepMind's scorer) exceeds 0.37 and
    0.8, right now, on ``cfg.score_trajectories`` fresh trajectories. Training's RNG is untouched.
    """
    with torch.random.fork_rng(devices=[]):
        maps = bottleneck_ratemaps(
            model, ensembles, cfg, n_trajectories=cfg.score_trajectories, nbins=cfg.score_nbins
        )
    scores = score_ratemaps(maps, mode="deepmind")
    return {
        "grid_fraction_037": scores.fraction(GRID_THRESHOLD),
        "grid_fraction_080": scores.fraction(STRICT_GRID_THRESHOLD),
    }


def _check_divergence(loss: float, first: float | None, step: int, lr: float, cfg) -> None:
    """Raise DivergedError if ``loss`` is non-finite or ``diverge_factor`` x the first loss."""
    exploded = first is not None and cfg.diverge_factor and loss > cfg.diverge_factor * first
    if math.isfinite(loss) and not exploded:
        return
    what = f"loss is {loss:g}" + (f", {loss / first:.0f}x its first value" if exploded else "")
    raise DivergedError(
        f"training diverged at step {step}: {what}; the last checkpoint is kept. "
        f"Try a learning rate below {lr:g} or gradient clipping",
        step,
    )


def train(
    cfg: TrainConfig,
    run_dir: str | Path,
    resume: bool = False,
    progress: bool = True,
    on_log: Callable[[dict], bool | None] | None = None,
) -> TrainResult:
    """Train the network described by ``cfg``, checkpointing into ``run_dir``.

    ``on_log`` is called with each history row (e.g. to plot live in a notebook); if it returns
    True, training checkpoints and stops there. A loss that becomes non-finite, or exceeds
    ``cfg.diverge_factor`` times the first step's loss, raises :class:`DivergedError` without
    overwriting the last good checkpoint.
    """
    run_dir = Path(run_dir)
    cfg = prepare_run_dir(run_dir, cfg, resume)
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    model, ensembles = build(cfg)
    opt = make_optimizer_for(cfg, model)
    step, history = 0, []
    if resume:
        step, history = restore_train_state(run_dir, model, opt)
    write_config(run_dir, cfg)
    data = TrajectoryStream(cfg.batch_size, cfg.seq_len, cfg.motion, cfg.seed, cfg.data_chunk)
    clipped = clip_params(model, cfg)
    first_loss = history[0]["loss"] if history else None

    writer = SummaryWriter(str(run_dir / "tb"), purge_step=step if resume else None)
    start_time = time.perf_counter()
    elapsed_before = history[-1]["elapsed_s"] if history else 0.0
    bar = tqdm(total=cfg.steps, initial=step, disable=not progress, desc="training", unit="step")
    model.train()
    try:
        while step < cfg.steps:
            traj = data.batch(step)
            try:
                res = train_step(model, ensembles, opt, traj, cfg, step, clipped, check=True)
            except FloatingPointError:
                _check_divergence(math.nan, first_loss, step, cfg.lr, cfg)
            loss = res.loss.item()
            first_loss = loss if first_loss is None else first_loss
            _check_divergence(loss, first_loss, step, res.lr, cfg)
            step += 1
            bar.update(1)
            if step % cfg.log_every == 0 or step == cfg.steps:
                pos_err, hd_err = decoding_errors(ensembles, res.out, traj)
                row = {
                    "step": step,
                    "loss": loss,
                    "place_loss": res.place_loss.item(),
                    "hd_loss": res.hd_loss.item(),
                    "l2_loss": res.l2.item(),
                    "position_error_cm": pos_err,
                    "heading_error_deg": hd_err,
                    "lr": res.lr,
                    "elapsed_s": elapsed_before + time.perf_counter() - start_time,
                    "grid_fraction_037": math.nan,
                    "grid_fraction_080": math.nan,
                }
                if cfg.score_every and step % cfg.score_every == 0:
                    row.update(grid_fractions(model, ensembles, cfg))
                history.append(row)
                for key in HISTORY_FIELDS[1:]:
                    if not math.isnan(row[key]):
                        writer.add_scalar(key, row[key], step)
                bar.set_postfix(loss=f"{loss:.3f}", err_cm=f"{pos_err:.1f}")
                if on_log is not None and on_log(row):
                    save_checkpoint(run_dir, cfg, model, opt, step, history)
                    break
            if cfg.snapshot_every and step % cfg.snapshot_every == 0:
                save_snapshot(run_dir, model, step)
            if step % cfg.checkpoint_every == 0 or step == cfg.steps:
                save_checkpoint(run_dir, cfg, model, opt, step, history)
    finally:
        bar.close()
        writer.close()
    model.eval()
    return TrainResult(run_dir, step, history, model, ensembles)
