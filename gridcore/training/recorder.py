"""One run directory while it trains: what a training loop writes there, and when.

A :class:`RunRecorder` keeps a run's history (one row of :data:`~gridcore.net.runs.HISTORY_FIELDS`
per logged step) and its TensorBoard curves, stops it when its loss diverges, and holds the
schedule on which it logs, scores the bottleneck, keeps weight snapshots and checkpoints.
:func:`gridcore.training.train.train` records its run with one;
:func:`gridcore.training.train.train_stacked` with one per stacked network, so each leaves the run
directory that :func:`~gridcore.training.train.train` would. The files are those of
:mod:`gridcore.net.runs`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import torch
from torch.utils.tensorboard import SummaryWriter

from gridcore.analysis.ratemaps import bottleneck_ratemaps
from gridcore.errors import DivergedError
from gridcore.net.config import TrainConfig
from gridcore.net.model import GridCellNetwork
from gridcore.net.runs import HISTORY_FIELDS, Network, save_checkpoint, save_snapshot
from gridcore.net.task import Step, decoding_errors, model_device, rng_devices
from gridcore.paper import GRID_THRESHOLD, STRICT_GRID_THRESHOLD
from gridcore.scoring.scores import score_ratemaps
from gridcore.world.ensembles import Ensembles
from gridcore.world.trajectories import Trajectories


def grid_fractions(net: Network) -> dict:
    """Fractions of ``net``'s bottleneck units whose 60-degree score (DeepMind's scorer) exceeds
    0.37 and 0.8, right now, on its config's ``score_trajectories`` fresh trajectories binned
    ``score_nbins`` a side. Training's RNG is untouched."""
    cfg = net.cfg
    with torch.random.fork_rng(devices=rng_devices(model_device(net.model))):
        maps = bottleneck_ratemaps(
            net, n_trajectories=cfg.score_trajectories, nbins=cfg.score_nbins
        )
    scores = score_ratemaps(maps, mode="deepmind")
    return {
        "grid_fraction_037": scores.fraction(GRID_THRESHOLD),
        "grid_fraction_080": scores.fraction(STRICT_GRID_THRESHOLD),
    }


def _diverged(step: int, what: str, lr: float) -> DivergedError:
    """The error that stops a run at optimisation step ``step``; ``what`` says what its loss
    did, ``lr`` is the learning rate it had."""
    return DivergedError(
        f"training diverged at step {step}: {what}; the last checkpoint is kept. "
        f"Try a learning rate below {lr:g} or gradient clipping",
        step,
    )


class RunRecorder:
    """The history, TensorBoard curves, divergence check and schedule of one training run.

    ``history`` is the run's rows so far (empty for a new run); the recorder appends to this
    list. ``network`` gives the network as it is now (called only when the weights are
    scored, snapshotted or checkpointed), ``opt`` its optimiser (anything with a
    ``state_dict``), ``rng`` the RNG state its checkpoint saves (default: torch's global RNG,
    :func:`gridcore.net.runs.rng_state`). ``purge_step``: the step a resumed run continues from;
    TensorBoard drops what an earlier run logged after it.
    """

    def __init__(
        self,
        run_dir: Path,
        cfg: TrainConfig,
        history: list[dict],
        network: Callable[[], GridCellNetwork],
        opt,
        rng: Callable[[], dict[str, torch.Tensor]] | None = None,
        purge_step: int | None = None,
    ) -> None:
        self.run_dir, self.cfg, self.history = run_dir, cfg, history
        self.network, self.opt, self.rng = network, opt, rng
        self.first_loss: float | None = history[0]["loss"] if history else None
        self.writer = SummaryWriter(str(run_dir / "tb"), purge_step=purge_step)
        self.start_time = time.perf_counter()
        self.elapsed_before: float = history[-1]["elapsed_s"] if history else 0.0

    # ----------------------------------------------------------------------------------------
    # The schedule: what happens after optimisation step ``step`` (1-based, as logged)

    def logs_at(self, step: int) -> bool:
        """Whether ``step`` gets a history row: every ``log_every`` steps, and the last."""
        return step % self.cfg.log_every == 0 or step == self.cfg.steps

    def scores_at(self, step: int) -> bool:
        """Whether ``step``'s row holds grid fractions: every ``score_every`` steps (0: never)."""
        return bool(self.cfg.score_every) and step % self.cfg.score_every == 0

    def snapshots_at(self, step: int) -> bool:
        """Whether ``step``'s weights are kept: every ``snapshot_every`` steps (0: never)."""
        return bool(self.cfg.snapshot_every) and step % self.cfg.snapshot_every == 0

    def checkpoints_at(self, step: int) -> bool:
        """Whether the run checkpoints at ``step``: every ``checkpoint_every`` steps, and the
        last."""
        return step % self.cfg.checkpoint_every == 0 or step == self.cfg.steps

    # ----------------------------------------------------------------------------------------
    # Divergence

    def check_loss(self, loss: float, step: int, lr: float) -> None:
        """Raise :class:`DivergedError` if the loss (nats) of optimisation step ``step`` is not
        finite or exceeds ``diverge_factor`` times the run's first loss (which the first call
        of a new run records). ``lr`` is the step's learning rate, named in the message."""
        if self.first_loss is None:
            self.first_loss = loss
        first, factor = self.first_loss, self.cfg.diverge_factor
        exploded = bool(factor) and loss > factor * first
        if math.isfinite(loss) and not exploded:
            return
        what = f"loss is {loss:g}" + (f", {loss / first:.0f}x its first value" if exploded else "")
        raise _diverged(step, what, lr)

    def non_finite(self, step: int) -> NoReturn:
        """Raise the :class:`DivergedError` of a step whose loss was not finite before its
        update (the message names the configured learning rate)."""
        raise _diverged(step, "loss is nan", self.cfg.lr)

    # ----------------------------------------------------------------------------------------
    # What is written

    def record(self, step: int, res: Step, ensembles: Ensembles, traj: Trajectories) -> dict:
        """Append the history row of ``step`` and write its values to TensorBoard: the losses
        (nats) ``res`` computed on ``traj``, the read-outs' decoding errors (cm, degrees), the
        learning rate, the seconds trained, and the grid fractions where the schedule scores
        (NaN elsewhere, and HD loss NaN without head-direction cells). Returns the row."""
        pos_err, hd_err = decoding_errors(ensembles, res.out, traj)
        row = {
            "step": step,
            "loss": res.loss.item(),
            "place_loss": res.place_loss.item(),
            "hd_loss": res.hd_loss.item() if self.cfg.use_hd else math.nan,
            "l2_loss": res.l2.item(),
            "position_error_cm": pos_err,
            "heading_error_deg": hd_err,
            "lr": res.lr,
            "elapsed_s": self.elapsed_before + time.perf_counter() - self.start_time,
            "grid_fraction_037": math.nan,
            "grid_fraction_080": math.nan,
        }
        if self.scores_at(step):
            net = Network(self.network(), ensembles, self.cfg, step, self.run_dir)
            row.update(grid_fractions(net))
        self.history.append(row)
        for key in HISTORY_FIELDS[1:]:
            if not math.isnan(row[key]):
                self.writer.add_scalar(key, row[key], step)
        return row

    def checkpoint(self, step: int) -> None:
        """Write the run's checkpoint at ``step``: weights, optimiser, RNG, config, history."""
        rng = self.rng() if self.rng is not None else None
        save_checkpoint(self.run_dir, self.cfg, self.network(), self.opt, step, self.history, rng)

    def save_due(self, step: int) -> None:
        """Keep a snapshot of the weights and checkpoint where the schedule says, at ``step``."""
        if self.snapshots_at(step):
            save_snapshot(self.run_dir, self.network(), step)
        if self.checkpoints_at(step):
            self.checkpoint(step)

    def close(self) -> None:
        """Flush and close the TensorBoard writer (closing twice is harmless)."""
        self.writer.close()
