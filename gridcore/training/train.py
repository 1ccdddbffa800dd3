"""Training: the loop of the supervised path-integration task, top to bottom.

Each step takes a batch of simulated trajectories (simulated ``data_chunk`` batches at a time),
and :func:`gridcore.net.task.train_step` runs the network on their egocentric velocities and
minimises the soft-target cross-entropy between its read-outs and the true place- and
head-direction-cell distributions (plus the L2 term). Around that a
:class:`~gridcore.training.recorder.RunRecorder` logs, checkpoints, keeps snapshots, scores the
bottleneck while it trains, and stops a diverging run.

The run directory's format is :mod:`gridcore.net.runs`. Resuming gives bit-identical weights to an
uninterrupted run on the same machine; another CPU model rounds differently and drifts apart
within a few hundred steps. ``cfg.device`` picks the device (trajectories are simulated on the
CPU and moved there); checkpoints hold CPU tensors, so a run can resume on another device.

:func:`train_stacked` trains M networks that differ only in their seed as one
:class:`~gridcore.training.stacked.StackedNetwork`, and writes each one's ordinary run directory.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import torch
from tqdm.auto import tqdm

from gridcore.errors import DivergedError, GridcoreError
from gridcore.net.config import TrainConfig
from gridcore.net.model import GridCellNetwork
from gridcore.net.runs import prepare_run_dir, restore_train_state, write_config
from gridcore.net.task import (
    StepSettings,
    build,
    clip_params,
    device_of,
    make_optimizer_for,
    rng_devices,
    train_step,
    trajectory_stream,
)
from gridcore.training.recorder import RunRecorder
from gridcore.training.stacked import (
    OptimizerView,
    StackedNetwork,
    check_stackable,
    make_generators,
    stack_optimizer_states,
    stack_trajectories,
    stacked_train_step,
    unstack_step,
)
from gridcore.world.ensembles import Ensembles

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


def _show(bar: tqdm, row: dict) -> None:
    """Put a history row's loss (nats) and position error (cm) beside the progress bar."""
    bar.set_postfix(loss=f"{row['loss']:.3f}", err_cm=f"{row['position_error_cm']:.1f}")


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
    settings = StepSettings(opt, cfg, clip_params(model, cfg))
    purge = step if resume else None
    rec = RunRecorder(run_dir, cfg, history, lambda: model, opt, purge_step=purge)
    bar = tqdm(total=cfg.steps, initial=step, disable=not progress, desc="training", unit="step")
    model.train()
    try:
        while step < cfg.steps:
            traj = data.batch(step).to(device)
            try:
                res = train_step(model, ensembles, settings, traj, step, check=True)
            except FloatingPointError:
                rec.non_finite(step)
            rec.check_loss(res.loss.item(), step, res.lr)
            step += 1
            bar.update(1)
            if rec.logs_at(step):
                row = rec.record(step, res, ensembles, traj)
                _show(bar, row)
                if on_log is not None and on_log(row):
                    rec.checkpoint(step)
                    break
            rec.save_due(step)
    finally:
        bar.close()
        rec.close()
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


def _prepare_stack(
    cfgs: Sequence[TrainConfig], run_dirs: Sequence[str | Path], resume: bool
) -> tuple[list[TrainConfig], list[Path]]:
    """Check that ``cfgs`` can train stacked into ``run_dirs`` (one distinct directory each)
    and prepare each directory; return the configs to train with and the directories."""
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
    return [prepare_run_dir(d, c, resume) for d, c in zip(dirs, cfgs, strict=True)], dirs


@dataclass
class _Separate:
    """Each stacked model as its separate run starts: network, optimiser, history, and the
    state torch's CPU and GPU generators are in after building (or restoring) it, from which
    its dropout masks come next."""

    models: list[GridCellNetwork]
    opts: list[torch.optim.Optimizer]
    step: int
    histories: list[list[dict]]
    cpu_rng: list[torch.Tensor]
    gpu_rng: list[torch.Tensor | None]


def _build_separately(
    cfgs: list[TrainConfig], dirs: list[Path], resume: bool, device: torch.device
) -> tuple[_Separate, Ensembles]:
    """Build (and with ``resume`` restore) each model as its separate run would, under its own
    seed, leaving torch's global RNG as it was; all must resume from the same step."""
    sep = _Separate([], [], 0, [], [], [])
    steps = []
    with torch.random.fork_rng(devices=rng_devices(device)):
        for run_cfg, run_dir in zip(cfgs, dirs, strict=True):
            torch.manual_seed(run_cfg.seed)
            model, ensembles = build(run_cfg, device)
            opt = make_optimizer_for(run_cfg, model)
            step, history = restore_train_state(run_dir, model, opt) if resume else (0, [])
            sep.models.append(model)
            sep.opts.append(opt)
            steps.append(step)
            sep.histories.append(history)
            sep.cpu_rng.append(torch.get_rng_state())
            sep.gpu_rng.append(torch.cuda.get_rng_state(device) if device.type == "cuda" else None)
    if len(set(steps)) > 1:
        raise GridcoreError(
            "stacked runs must resume from the same step; their checkpoints are at steps "
            + ", ".join(map(str, steps))
        )
    sep.step = steps[0]
    return sep, ensembles


def _checkpoint_rng(gen: torch.Generator, cpu_state: torch.Tensor) -> dict[str, torch.Tensor]:
    """The RNG state a model's separate run would checkpoint now: on the CPU its dropout
    generator's; on a GPU the CPU's as building left it, and the dropout generator's."""
    if gen.device.type == "cpu":
        return {"rng.torch": gen.get_state()}
    return {"rng.torch": cpu_state, "rng.cuda": gen.get_state()}


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
    cfgs, dirs = _prepare_stack(cfgs, run_dirs, resume)
    cfg = _stack_config(cfgs)
    device = device_of(cfg)
    torch.set_num_threads(cfg.threads)
    sep, ensembles = _build_separately(cfgs, dirs, resume, device)
    step, n = sep.step, len(cfgs)
    net = StackedNetwork(sep.models)
    template = sep.models[0]  # an ordinary network to unstack one model into
    opt = make_optimizer_for(cfg, net)
    stack_optimizer_states(opt, sep.opts, net)
    gens = make_generators(sep.gpu_rng if device.type == "cuda" else sep.cpu_rng, device)
    cpu_rng, histories = sep.cpu_rng, sep.histories
    del sep  # the separate networks and optimisers: the stack holds their state now
    for run_cfg, run_dir in zip(cfgs, dirs, strict=True):
        write_config(run_dir, run_cfg)
    data = [trajectory_stream(c) for c in cfgs]
    settings = StepSettings(opt, cfg, clip_params(net, cfg))
    outcomes: list[TrainResult | DivergedError | None] = [None] * n
    live = list(range(n))
    recs = [
        RunRecorder(
            dirs[m],
            cfgs[m],
            histories[m],
            partial(net.load_model, m, template),
            OptimizerView(opt, net, m),
            partial(_checkpoint_rng, gens[m], cpu_rng[m]),
            purge_step=step if resume else None,
        )
        for m in range(n)
    ]
    desc = f"training {n} stacked"
    bar = tqdm(total=cfg.steps, initial=step, disable=not progress, desc=desc, unit="step")
    net.train()
    try:
        while step < cfg.steps and live:
            traj = stack_trajectories([data[m].batch(step) for m in range(n)]).to(device)
            res = stacked_train_step(net, ensembles, settings, traj, step, gens)
            losses = res.loss.tolist()
            for m in list(live):
                try:
                    if not math.isfinite(losses[m]):
                        recs[m].non_finite(step)
                    recs[m].check_loss(losses[m], step, res.lr)
                except DivergedError as err:
                    outcomes[m] = err
                    live.remove(m)
                    recs[m].close()
            step += 1
            bar.update(1)
            for m in [k for k in live if recs[k].logs_at(step)]:
                row = recs[m].record(step, unstack_step(res, m), ensembles, traj[m])
                if m == live[0]:
                    _show(bar, row)
                if on_log is not None and on_log(m, row):
                    recs[m].checkpoint(step)
                    outcomes[m] = TrainResult(dirs[m], step, histories[m], template, ensembles)
                    live.remove(m)
            for m in live:
                recs[m].save_due(step)
        for m in live:
            outcomes[m] = TrainResult(dirs[m], step, histories[m], template, ensembles)
    finally:
        bar.close()
        for rec in recs:
            rec.close()
    for m, outcome in enumerate(outcomes):
        if isinstance(outcome, TrainResult):  # each its own network, in evaluation mode
            outcome.model = copy.deepcopy(net.load_model(m, template)).eval()
    return outcomes
