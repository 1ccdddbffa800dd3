"""Ratemaps of a trained network: mean unit activity per spatial bin along fresh trajectories.

The paper (Methods) runs the trained network on new trajectories, records the bottleneck
activations with dropout off, and averages them in spatial bins over the whole box
(32 x 32 bins in the text, 20 x 20 in DeepMind's code). Unvisited bins are NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from gridcore.config import TrainConfig
from gridcore.ensembles import Ensembles
from gridcore.model import GridCellNetwork, dropout
from gridcore.scores import RatemapAccumulator
from gridcore.trajectories import Trajectories, get_motion, simulate

EVAL_SEED = 123_456_789  # evaluation trajectories never coincide with training chunks


@torch.no_grad()
def run_network(
    model: GridCellNetwork, ensembles: Ensembles, traj: Trajectories
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Bottleneck activations (B, T, units), decoded positions (B, T, 2) m and headings (B, T)."""
    out = model(traj.velocity, ensembles.initial_code(traj))
    return (
        out.bottleneck,
        ensembles.place.decode(out.place_logits),
        ensembles.hd.decode(out.hd_logits),
    )


@torch.no_grad()
def bottleneck_ratemaps(
    model: GridCellNetwork,
    ensembles: Ensembles,
    cfg: TrainConfig,
    n_trajectories: int = 5000,
    nbins: int = 32,
    batch_size: int = 500,
    seed: int = EVAL_SEED,
    layer: str = "bottleneck",
    progress: bool = False,
) -> np.ndarray:
    """Ratemaps (units, nbins, nbins) of ``layer`` ("bottleneck" or "hidden") over the box.

    Trajectories are simulated with ``cfg``'s motion model from their own seed; the model runs
    in evaluation mode (dropout off unless the config keeps DeepMind's dropout-at-evaluation).
    """
    batches = _accumulate(model, ensembles, cfg, n_trajectories, (nbins,), batch_size, seed, layer)
    with tqdm(total=n_trajectories, disable=not progress, desc="ratemaps", unit="traj") as bar:
        for done, current in batches:
            bar.update(done - bar.n)
            accs = current
    return accs[nbins].ratemaps()


# --------------------------------------------------------------------------------------------
# Several ratemaps from one pass over the trajectories, and emergence over training

LAYERS = ("bottleneck", "hidden", "dropped")


def _accumulate(
    model: GridCellNetwork,
    ensembles: Ensembles,
    cfg: TrainConfig,
    n_trajectories: int,
    nbins: tuple[int, ...],
    batch_size: int,
    seed: int,
    layer: str,
    stops: tuple[int, ...] = (),
):
    """Yield (trajectories so far, {nbins: accumulator}) after each batch; batches end at every
    count in ``stops`` so that the maps after exactly that many trajectories can be read."""
    if layer not in LAYERS:
        raise ValueError(f"layer must be one of {LAYERS}, got {layer!r}")
    if n_trajectories < 1 or batch_size < 1 or min(nbins) < 2:
        raise ValueError(
            f"need n_trajectories, batch_size >= 1 and nbins >= 2, got "
            f"{n_trajectories}, {batch_size}, {nbins}"
        )
    was_training = model.training
    model.eval()
    motion = get_motion(cfg.motion)
    gen = torch.Generator().manual_seed(seed)
    ends = sorted({s for s in stops if 0 < s < n_trajectories} | {n_trajectories})
    accs: dict[int, RatemapAccumulator] = {}
    done = 0
    try:
        with torch.no_grad():
            while done < n_trajectories:
                n = min(batch_size, next(e for e in ends if e > done) - done)
                traj = simulate(n, cfg.seq_len, motion, generator=gen)
                out = model(traj.velocity, ensembles.initial_code(traj))
                if layer == "hidden":
                    acts = out.hidden
                elif layer == "dropped" and model.eval_dropout:  # what DeepMind records
                    acts = dropout(out.bottleneck, model.dropout)
                else:
                    acts = out.bottleneck
                if not accs:
                    accs = {
                        b: RatemapAccumulator(
                            acts.shape[-1], b, motion.box_width, motion.box_height
                        )
                        for b in nbins
                    }
                pos = traj.target_pos.reshape(-1, 2).numpy()
                flat = acts.reshape(-1, acts.shape[-1]).numpy()
                for acc in accs.values():
                    acc.add(pos, flat)
                done += n
                yield done, accs
    finally:
        model.train(was_training)


def ratemap_accumulators(
    model: GridCellNetwork,
    ensembles: Ensembles,
    cfg: TrainConfig,
    n_trajectories: int = 5000,
    nbins=(32,),
    batch_size: int = 500,
    seed: int = EVAL_SEED,
    layer: str = "bottleneck",
) -> dict[int, RatemapAccumulator]:
    """One pass over fresh trajectories binned at several resolutions: {nbins: accumulator}.

    Each accumulator gives ``.ratemaps()`` (units, n, n) and ``.occupancy()`` (n, n). ``layer``
    is "bottleneck" (before dropout, the default), "hidden" (the LSTM output) or "dropped": the
    bottleneck after dropout, which differs from "bottleneck" only when ``model.eval_dropout``
    is set, as DeepMind's evaluation (it records the dropped tensor of its training graph).
    With the same ``seed`` and ``batch_size`` the trajectories are those of
    :func:`bottleneck_ratemaps`.
    """
    nb = tuple(int(b) for b in np.atleast_1d(nbins))
    *_, (_, accs) = _accumulate(model, ensembles, cfg, n_trajectories, nb, batch_size, seed, layer)
    return accs


def ratemaps_by_trajectories(
    model: GridCellNetwork,
    ensembles: Ensembles,
    cfg: TrainConfig,
    counts=(100, 1000, 5000),
    nbins: int = 32,
    batch_size: int = 500,
    seed: int = EVAL_SEED,
    layer: str = "bottleneck",
) -> dict[int, np.ndarray]:
    """Ratemaps after the first ``count`` trajectories of one growing sample, for each count:
    {count: (units, nbins, nbins)}. Larger counts add trajectories to the smaller ones'."""
    counts = sorted({int(c) for c in counts})
    if not counts or counts[0] < 1:
        raise ValueError(f"counts must be positive, got {counts}")
    out = {}
    for done, accs in _accumulate(
        model, ensembles, cfg, counts[-1], (int(nbins),), batch_size, seed, layer, tuple(counts)
    ):
        if done in counts:
            out[done] = accs[int(nbins)].ratemaps()
    return out


def list_snapshots(run_dir: str | Path) -> list[tuple[int, Path]]:
    """(step, path) of every weight snapshot in ``run_dir/snapshots``, by step."""
    found = []
    for path in (Path(run_dir) / "snapshots").glob("step_*.safetensors"):
        try:
            found.append((int(path.stem.split("_", 1)[1]), path))
        except ValueError:
            continue
    return sorted(found)


@dataclass
class Emergence:
    """Grid-unit fractions of a run's snapshots against the training step.

    ``fractions[(mode, threshold)]`` is an array over ``steps`` (mode "deepmind" or
    "gridcore", thresholds 0.37 and 0.8); ``history_steps`` / ``position_error_cm`` are the
    decoding error logged while training (history.csv), on the training batches.
    """

    steps: np.ndarray
    fractions: dict[tuple[str, float], np.ndarray]
    max_score: np.ndarray  # highest 60-degree score of any unit (DeepMind's scorer)
    n_trajectories: int
    nbins: int
    history_steps: np.ndarray
    position_error_cm: np.ndarray

    def fraction(self, mode: str = "deepmind", threshold: float = 0.37) -> np.ndarray:
        return self.fractions[(mode, float(threshold))]

    def first_step_above(
        self, level: float, mode: str = "deepmind", threshold: float = 0.37
    ) -> int | None:
        """First scored step whose fraction reaches ``level`` (None if none does)."""
        hit = np.flatnonzero(self.fraction(mode, threshold) >= level)
        return int(self.steps[hit[0]]) if hit.size else None


def emergence_curve(
    run_dir: str | Path,
    n_trajectories: int = 300,
    nbins: int = 32,
    seed: int = EVAL_SEED,
    thresholds=(0.37, 0.8),
    include_initial: bool = True,
    every: int = 1,
    progress: bool = False,
) -> Emergence:
    """Score every ``every``-th snapshot of a run (and its final weights, and with
    ``include_initial`` the untrained network it started from) on the same fresh trajectories.

    The untrained network is rebuilt from the run's seed exactly as training builds it. Each
    model's bottleneck ratemaps (dropout off) are scored in both modes.
    """
    from gridcore.path_integration import untrained_model
    from gridcore.scores import score_ratemaps
    from gridcore.train import load_run, read_history

    run_dir = Path(run_dir)
    _, ensembles, cfg, final_step = load_run(run_dir)
    snaps = list_snapshots(run_dir)[:: max(1, int(every))]
    sources: list[tuple[int, Path | None]] = [(0, None)] if include_initial else []
    sources += [(s, p) for s, p in snaps if s > 0]
    if final_step not in {s for s, _ in sources}:
        sources.append((final_step, run_dir / "model.safetensors"))
    sources.sort(key=lambda sp: sp[0])
    thresholds = tuple(float(t) for t in thresholds)
    fr = {(m, t): [] for m in ("deepmind", "gridcore") for t in thresholds}
    steps, best = [], []
    for step, path in tqdm(sources, disable=not progress, desc="snapshots", unit="snap"):
        net = untrained_model(cfg, seed=cfg.seed)[0] if path is None else load_run(path)[0]
        maps = bottleneck_ratemaps(net, ensembles, cfg, n_trajectories, nbins, seed=seed)
        for mode in ("deepmind", "gridcore"):
            res = score_ratemaps(maps, mode=mode)
            for t in thresholds:
                fr[(mode, t)].append(res.fraction(t))
            if mode == "deepmind":
                best.append(float(np.nanmax(res.grid_score_60)))
        steps.append(step)
    hist = read_history(run_dir)
    return Emergence(
        steps=np.array(steps),
        fractions={k: np.array(v) for k, v in fr.items()},
        max_score=np.array(best),
        n_trajectories=int(n_trajectories),
        nbins=int(nbins),
        history_steps=np.array([row["step"] for row in hist]),
        position_error_cm=np.array([row["position_error_cm"] for row in hist]),
    )
