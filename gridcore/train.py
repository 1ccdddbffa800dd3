"""Training: the loop of the supervised path-integration task, top to bottom.

Each step takes a batch of simulated trajectories (simulated ``data_chunk`` batches at a time),
and :func:`gridcore.task.train_step` runs the network on their egocentric velocities and
minimises the soft-target cross-entropy between its read-outs and the true place- and
head-direction-cell distributions (plus the L2 term). Around that the loop logs, checkpoints,
keeps snapshots, scores the bottleneck while it trains, and stops a diverging run.

The run directory's format is :mod:`gridcore.runs`. Resuming gives bit-identical weights to an
uninterrupted run on the same machine; another CPU model rounds differently and drifts apart
within a few hundred steps. ``cfg.device`` picks the device (trajectories are simulated on the
CPU and moved there); checkpoints hold CPU tensors, so a run can resume on another device.

:func:`train_stacked` trains M networks that differ only in their seed as one
:class:`~gridcore.stacked.StackedNetwork`, and writes each one's ordinary run directory.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import torch
from torch.utils.tensorboard import SummaryWriter
from tqdm.auto import tqdm

from gridcore.config import TrainConfig
from gridcore.ensembles import Ensembles
from gridcore.errors import DivergedError, GridcoreError
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
from gridcore.stacked import (
    OptimizerView,
    StackedNetwork,
    check_stackable,
    make_generators,
    stack_optimizer_states,
    stack_trajectories,
    stacked_train_step,
    unstack_output,
)
from gridcore.task import (
    build,
    clip_params,
    decoding_errors,
    device_of,
    make_optimizer_for,
    model_device,
    train_step,
    trajectory_stream,
)

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
    with torch.random.fork_rng(devices=_gpus(model_device(model))):
        maps = bottleneck_ratemaps(
            model, ensembles, cfg, n_trajectories=cfg.score_trajectories, nbins=cfg.score_nbins
        )
    scores = score_ratemaps(maps, mode="deepmind")
    return {
        "grid_fraction_037": scores.fraction(GRID_THRESHOLD),
        "grid_fraction_080": scores.fraction(STRICT_GRID_THRESHOLD),
    }


def _gpus(device: torch.device) -> list[torch.device]:
    """The GPU whose RNG ``fork_rng`` must save for work on ``device`` (none on the CPU)."""
    return [device] if device.type == "cuda" else []


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
    device = device_of(cfg)
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    model, ensembles = build(cfg, device)
    opt = make_optimizer_for(cfg, model)
    step, history = 0, []
    if resume:
        step, history = restore_train_state(run_dir, model, opt)
    write_config(run_dir, cfg)
    data = trajectory_stream(cfg)
    clipped = clip_params(model, cfg)
    first_loss = history[0]["loss"] if history else None

    writer = SummaryWriter(str(run_dir / "tb"), purge_step=step if resume else None)
    start_time = time.perf_counter()
    elapsed_before = history[-1]["elapsed_s"] if history else 0.0
    bar = tqdm(total=cfg.steps, initial=step, disable=not progress, desc="training", unit="step")
    model.train()
    try:
        while step < cfg.steps:
            traj = data.batch(step).to(device)
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
                    "hd_loss": res.hd_loss.item() if cfg.use_hd else math.nan,
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


# --------------------------------------------------------------------------------------------
# Many networks at once


def _stack_config(cfgs: list[TrainConfig]) -> TrainConfig:
    """The settings shared by every stacked run (all but the seed); a difference is an error."""
    base = replace(cfgs[0], seed=0)
    for cfg in cfgs[1:]:
        diff = base.differences(replace(cfg, seed=0))
        if diff:
            raise GridcoreError(
                "networks trained as one stack must share every setting but the seed; "
                + "; ".join(diff)
            )
    return cfgs[0]


def train_stacked(
    cfgs: Sequence[TrainConfig],
    run_dirs: Sequence[str | Path],
    resume: bool = False,
    progress: bool = True,
    on_log: Callable[[int, dict], bool | None] | None = None,
) -> list[TrainResult | DivergedError]:
    """Train M networks that differ only in their seed as one stacked network, each into its
    own run directory, exactly as :func:`train` would write it (config, weights, train state,
    history, snapshots, TensorBoard). Each model has its own data stream, dropout masks,
    optimiser state and L2 term, so its run equals its separate run up to float rounding, and
    ``train(cfg, run_dir, resume=True)`` (or ``train_stacked``) carries any of them on.

    With ``resume`` every run continues from its checkpoint; all must be at the same step.
    ``on_log(m, row)`` gets model m's history rows; if it returns True, model m checkpoints and
    stops there. A model that diverges stops alone, keeping its last good checkpoint, and its
    entry in the returned list is the :class:`DivergedError` that :func:`train` would raise;
    every other entry is that model's :class:`TrainResult`.
    """
    if not cfgs or len(cfgs) != len(run_dirs):
        raise GridcoreError(
            f"need one run directory per config, got {len(run_dirs)} for {len(cfgs)}"
        )
    for c in cfgs:
        check_stackable(c.core)
        if c.dims != 2:
            raise GridcoreError("only 2-D networks train stacked; train a dims=3 run on its own")
    dirs = [Path(d) for d in run_dirs]
    if len({d.resolve() for d in dirs}) != len(dirs):
        raise GridcoreError("stacked runs need distinct run directories")
    cfgs = [prepare_run_dir(d, c, resume) for d, c in zip(dirs, cfgs, strict=True)]
    cfg = _stack_config(cfgs)
    device = device_of(cfg)
    torch.set_num_threads(cfg.threads)
    models, opts, steps, histories, cpu_rng, gpu_rng = [], [], [], [], [], []
    with torch.random.fork_rng(devices=_gpus(device)):
        for run_cfg, run_dir in zip(cfgs, dirs, strict=True):
            torch.manual_seed(run_cfg.seed)
            model, ensembles = build(run_cfg, device)
            opt = make_optimizer_for(run_cfg, model)
            step, history = restore_train_state(run_dir, model, opt) if resume else (0, [])
            models.append(model)
            opts.append(opt)
            steps.append(step)
            histories.append(history)
            # The state the separate run's global RNG is in now: its dropout masks come next.
            cpu_rng.append(torch.get_rng_state())
            gpu_rng.append(torch.cuda.get_rng_state(device) if device.type == "cuda" else None)
    if len(set(steps)) > 1:
        raise GridcoreError(
            "stacked runs must resume from the same step; their checkpoints are at steps "
            + ", ".join(map(str, steps))
        )
    step, n = steps[0], len(cfgs)
    net = StackedNetwork(models)
    template, models = models[0], None  # an ordinary network to unstack one model into
    opt = make_optimizer_for(cfg, net)
    stack_optimizer_states(opt, opts, net)
    del opts
    gens = make_generators(gpu_rng if device.type == "cuda" else cpu_rng, device)

    def rng(m: int) -> dict[str, torch.Tensor]:
        state = {"rng.torch": gens[m].get_state() if device.type == "cpu" else cpu_rng[m]}
        if device.type == "cuda":
            state["rng.cuda"] = gens[m].get_state()
        return state

    def unstacked(m: int) -> GridCellNetwork:
        return net.load_model(m, template)

    def checkpoint(m: int) -> None:
        save_checkpoint(
            dirs[m], cfgs[m], unstacked(m), OptimizerView(opt, net, m), step, histories[m], rng(m)
        )

    for run_cfg, run_dir in zip(cfgs, dirs, strict=True):
        write_config(run_dir, run_cfg)
    data = [trajectory_stream(c) for c in cfgs]
    clipped = clip_params(net, cfg)
    first_loss = [h[0]["loss"] if h else None for h in histories]
    elapsed_before = [h[-1]["elapsed_s"] if h else 0.0 for h in histories]
    outcomes: list[TrainResult | DivergedError | None] = [None] * n
    live = list(range(n))
    writers = [SummaryWriter(str(d / "tb"), purge_step=step if resume else None) for d in dirs]
    start_time = time.perf_counter()
    desc = f"training {n} stacked"
    bar = tqdm(total=cfg.steps, initial=step, disable=not progress, desc=desc, unit="step")
    net.train()
    try:
        while step < cfg.steps and live:
            traj = stack_trajectories([data[m].batch(step) for m in range(n)]).to(device)
            res = stacked_train_step(net, ensembles, opt, traj, cfg, step, clipped, gens)
            losses = res.loss.tolist()
            for m in list(live):
                try:
                    if not math.isfinite(losses[m]):
                        _check_divergence(math.nan, first_loss[m], step, cfg.lr, cfg)
                    first_loss[m] = losses[m] if first_loss[m] is None else first_loss[m]
                    _check_divergence(losses[m], first_loss[m], step, res.lr, cfg)
                except DivergedError as err:
                    outcomes[m] = err
                    live.remove(m)
                    writers[m].close()
            step += 1
            bar.update(1)
            logged = step % cfg.log_every == 0 or step == cfg.steps
            for m in list(live if logged else ()):
                pos_err, hd_err = decoding_errors(ensembles, unstack_output(res.out, m), traj[m])
                row = {
                    "step": step,
                    "loss": losses[m],
                    "place_loss": res.place_loss[m].item(),
                    "hd_loss": res.hd_loss[m].item() if cfg.use_hd else math.nan,
                    "l2_loss": res.l2[m].item(),
                    "position_error_cm": pos_err,
                    "heading_error_deg": hd_err,
                    "lr": res.lr,
                    "elapsed_s": elapsed_before[m] + time.perf_counter() - start_time,
                    "grid_fraction_037": math.nan,
                    "grid_fraction_080": math.nan,
                }
                if cfg.score_every and step % cfg.score_every == 0:
                    row.update(grid_fractions(unstacked(m), ensembles, cfgs[m]))
                histories[m].append(row)
                for key in HISTORY_FIELDS[1:]:
                    if not math.isnan(row[key]):
                        writers[m].add_scalar(key, row[key], step)
                if m == live[0]:
                    bar.set_postfix(loss=f"{losses[m]:.3f}", err_cm=f"{pos_err:.1f}")
                if on_log is not None and on_log(m, row):
                    checkpoint(m)
                    outcomes[m] = TrainResult(dirs[m], step, histories[m], template, ensembles)
                    live.remove(m)
            for m in live:
                if cfg.snapshot_every and step % cfg.snapshot_every == 0:
                    save_snapshot(dirs[m], unstacked(m), step)
                if step % cfg.checkpoint_every == 0 or step == cfg.steps:
                    checkpoint(m)
        for m in live:
            outcomes[m] = TrainResult(dirs[m], step, histories[m], template, ensembles)
    finally:
        bar.close()
        for writer in writers:
            writer.close()
    for m, outcome in enumerate(outcomes):
        if isinstance(outcome, TrainResult):  # each its own network, in evaluation mode
            outcome.model = copy.deepcopy(unstacked(m)).eval()
    return outcomes
