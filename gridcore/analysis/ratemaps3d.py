"""3-D ratemaps of a network trained in the cube, how many trajectories they need, and the
summary that ``python -m gridcore score`` prints for a 3-D run.

As in 2-D (:mod:`gridcore.analysis.ratemaps`), the network runs with dropout off on fresh
trajectories from their own seed and each unit's activity is averaged per bin, here over n^3 cubic
bins (:mod:`gridcore.scoring.binning3d`). The stability of a map is the split-half correlation: the
correlation, over bins, between the maps of two disjoint sets of trajectories of equal size.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from gridcore.analysis.ratemaps import EVAL_SEED
from gridcore.net.runs import Network
from gridcore.net.task import run, simulate_for, volume_motion_of
from gridcore.scoring.binning3d import VolumeAccumulator, map_correlations_3d
from gridcore.scoring.scores3d import (
    axis_variance_fractions,
    score_volume_maps,
    volume_shuffle_null,
)


def _accumulate_3d(
    net: Network,
    n_trajectories: int,
    nbins: int,
    batch_size: int,
    seed: int,
    stops: tuple[int, ...] = (),
) -> Iterator[tuple[int, VolumeAccumulator]]:
    """Yield (trajectories so far, accumulator of the bottleneck) after each batch; batches end
    at every count in ``stops``."""
    model, ensembles, cfg = net.model, net.ensembles, net.cfg
    if cfg.dims != 3:
        raise ValueError(f"3-D ratemaps need a dims=3 config, got dims={cfg.dims}")
    if n_trajectories < 1 or batch_size < 1 or nbins < 2:
        raise ValueError(
            f"need n_trajectories, batch_size >= 1 and nbins >= 2, got "
            f"{n_trajectories}, {batch_size}, {nbins}"
        )
    edge = volume_motion_of(cfg).edge
    gen = torch.Generator().manual_seed(seed)
    ends = sorted({s for s in stops if 0 < s < n_trajectories} | {n_trajectories})
    acc, done, was_training = None, 0, model.training
    model.eval()
    try:
        with torch.no_grad():
            while done < n_trajectories:
                n = min(batch_size, next(e for e in ends if e > done) - done)
                traj = simulate_for(cfg, n, gen)
                acts = run(model, ensembles, traj).bottleneck.cpu().numpy()
                if acc is None:
                    acc = VolumeAccumulator(acts.shape[-1], nbins, edge)
                acc.add(traj.target_pos.numpy(), acts)
                done += n
                yield done, acc
    finally:
        model.train(was_training)


def volume_ratemaps(
    net: Network,
    n_trajectories: int = 5000,
    nbins: int = 16,
    batch_size: int = 500,
    seed: int = EVAL_SEED,
) -> VolumeAccumulator:
    """``net``'s bottleneck 3-D ratemaps on ``n_trajectories`` fresh trajectories in the cube:
    the accumulator, whose ``ratemaps()`` are (units, n, n, n) and ``occupancy()`` (n, n, n)."""
    *_, (_, acc) = _accumulate_3d(net, n_trajectories, nbins, batch_size, seed)
    return acc


def split_half_stability(
    net: Network,
    counts=(250, 1000, 4000),
    nbins: int = 16,
    batch_size: int = 500,
    seed: int = EVAL_SEED,
) -> dict[int, np.ndarray]:
    """{count: (units,) correlation between ``net``'s maps on two independent sets of ``count``
    trajectories each}; larger counts extend the smaller ones' sets."""
    counts = tuple(sorted({int(c) for c in counts}))
    if not counts or counts[0] < 1:
        raise ValueError(f"counts must be positive, got {counts}")
    halves = []
    for s in (seed, seed + 1):
        maps = {}
        for done, acc in _accumulate_3d(net, counts[-1], nbins, batch_size, s, counts):
            if done in counts:
                maps[done] = acc.ratemaps()
        halves.append(maps)
    return {c: map_correlations_3d(halves[0][c], halves[1][c]) for c in counts}


def volume_summary(
    maps: np.ndarray, edge: float, n_shuffles: int = 5, seed: int = 0
) -> dict[str, Any]:
    """The 3-D regularity of a set of maps (:mod:`gridcore.scoring.scores3d`) as plain numbers:
    units, how many have 12 SAC peaks, median Q6, spacing and its CV, how many vary mostly along one
    axis, and with ``n_shuffles`` > 0 the null's 95th percentile (None when most shuffled maps
    have no 12 peaks, so that any unit with them beats it) and the fraction of units above it."""
    scores = score_volume_maps(maps, edge)
    finite = np.isfinite(scores.q6)

    def median(a: np.ndarray) -> float | None:
        return float(np.median(a[finite])) if finite.any() else None

    out: dict[str, Any] = {
        "dims": 3,
        "units": int(len(maps)),
        "nbins": int(maps.shape[1]),
        "units_with_12_peaks": int(finite.sum()),
        "median_q6": median(scores.q6),
        "median_spacing_m": median(scores.spacing),
        "median_spacing_cv": median(scores.spacing_cv),
        "fraction_one_axis": float(np.mean(axis_variance_fractions(maps).max(axis=1) > 0.5)),
    }
    if n_shuffles > 0:
        null = volume_shuffle_null(maps, edge, n_shuffles, seed)
        out.update(
            null_q6_95=null.threshold if np.isfinite(null.threshold) else None,
            fraction_above_null=scores.fraction_above(null.threshold),
            n_shuffles=int(n_shuffles),
        )
    return out
