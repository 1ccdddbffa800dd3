"""Shuffle nulls: how high a grid score does a map without grid structure reach?

numpy only. The paper's 0.37 threshold came from such a null; these functions rebuild it for any
set of maps, by scattering fields, permuting bins, shifting maps on a torus, or shifting each
unit's activity in time against the trajectory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.ndimage as ndi

from gridcore.paper import BOX_SIZE_M
from gridcore.scoring.binning import check_maps, ratemaps_from_points, shift_in_time, time_shifts
from gridcore.scoring.scores import jsonable, score_batch

SHUFFLE_METHODS = ("fields", "bins", "shift")


def _shuffle_bins(maps: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Permute each map's visited values among its visited bins (NaN bins stay NaN)."""
    u = maps.shape[0]
    flat = maps.reshape(u, -1)
    vis = np.isfinite(flat)
    dest = np.argsort(~vis, axis=1, kind="stable")  # visited positions first, in order
    src = np.argsort(np.where(vis, rng.random(flat.shape), 2.0), axis=1)  # ... in random order
    out = np.full_like(flat, np.nan)
    np.put_along_axis(out, dest, np.take_along_axis(flat, src, axis=1), axis=1)
    return out.reshape(maps.shape)


def _shuffle_shift(maps: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Shift each map cyclically (on a torus) by a random offset in x and y."""
    u, n, _ = maps.shape
    sx, sy = rng.integers(0, n, size=(2, u, 1, 1))
    i = (np.arange(n)[None, :, None] - sx) % n
    j = (np.arange(n)[None, None, :] - sy) % n
    return maps[np.arange(u)[:, None, None], i, j]


def _shuffle_fields_one(m: np.ndarray, rng: np.random.Generator, tries: int = 100) -> np.ndarray:
    n = m.shape[0]
    vis = np.isfinite(m)
    vals = m[vis]
    labels, k = ndi.label(vis & (m > vals.mean() + vals.std()))
    boxes = ndi.find_objects(labels)
    sizes = np.bincount(labels.ravel(), minlength=k + 1)[1:]
    jitter = rng.random((k, 2, tries))
    out = np.full_like(m, np.nan)
    free = vis.copy()
    placed = np.zeros_like(vis)
    for lab in np.argsort(-sizes, kind="stable"):
        bi, bj = boxes[lab]
        hi, hj = bi.stop - bi.start, bj.stop - bj.start
        if max(hi, hj) > n // 2:
            continue  # a web spanning the box is no field: scatter it with the background
        ci, cj = np.nonzero(labels[bi, bj] == lab + 1)
        di = (jitter[lab, 0] * (n - hi + 1)).astype(np.int64)[:, None]
        dj = (jitter[lab, 1] * (n - hj + 1)).astype(np.int64)[:, None]
        fits = free[ci + di, cj + dj].all(axis=1)
        if fits.any():
            t = int(np.argmax(fits))
            out[ci + di[t], cj + dj[t]] = m[ci + bi.start, cj + bj.start]
            free[ci + di[t], cj + dj[t]] = False
            placed[ci + bi.start, cj + bj.start] = True
    rest = m[vis & ~placed]
    out[free] = rng.permutation(rest)[: int(free.sum())]
    return out


def _shuffle_fields(maps: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Move each map's firing fields, whole, to random free places; scatter the rest.

    Fields are connected groups of visited bins above mean + 1 SD that span less than half the
    box. Largest first, each is moved by a random offset that keeps it inside the box on
    visited, still-free bins (it joins the background if none of 100 tries fits); the
    remaining values are permuted over the free visited bins. Field sizes and shapes survive,
    their arrangement does not.
    """
    return np.stack([_shuffle_fields_one(m, rng) for m in maps])


def shuffle_maps(maps: np.ndarray, rng: np.random.Generator, method: str = "fields"):
    """One spatial shuffle of every map (units, n, n): "fields", "bins" or "shift"."""
    fns = {"fields": _shuffle_fields, "bins": _shuffle_bins, "shift": _shuffle_shift}
    if method not in fns:
        raise ValueError(f"shuffle method must be one of {SHUFFLE_METHODS}, got {method!r}")
    return fns[method](check_maps(maps), rng)


@dataclass
class ShuffleNull:
    """Null distribution of 60-degree grid scores from shuffled data.

    ``threshold`` is the ``percentile`` of all shuffled scores pooled over units (the population
    threshold); ``unit_thresholds`` the same percentile of each unit's own shuffles.
    """

    threshold: float
    unit_thresholds: np.ndarray  # (units,)
    scores: np.ndarray  # (units, n_shuffles)
    method: str
    percentile: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "method": self.method,
            "percentile": self.percentile,
            "n_shuffles": int(self.scores.shape[1]),
            "unit_thresholds": jsonable(self.unit_thresholds),
        }


def _null(scores: np.ndarray, method: str, percentile: float) -> ShuffleNull:
    with np.errstate(invalid="ignore"):
        return ShuffleNull(
            threshold=float(np.percentile(scores, percentile)),
            unit_thresholds=np.percentile(scores, percentile, axis=1),
            scores=scores,
            method=method,
            percentile=float(percentile),
        )


def shuffle_threshold(
    maps: np.ndarray,
    *,
    n_shuffles: int = 20,
    percentile: float = 95.0,
    seed: int = 0,
    method: str = "fields",
    mode: str = "gridcore",
    score_variant: str = "mean",
) -> ShuffleNull:
    """Grid-score threshold from spatially shuffled ratemaps (units, n, n).

    Each shuffle re-scores every map with the batched scorer after :func:`shuffle_maps`. The
    default, "fields", keeps each field's size and shape but scatters their arrangement (the
    field shuffle used for recorded grid cells); "bins" permutes single bins (a lenient null:
    it also destroys smoothness); "shift" shifts maps on a torus (a strict null: a periodic
    pattern survives it almost intact).
    """
    maps = check_maps(maps)
    rng = np.random.default_rng(seed)
    exclude = mode == "gridcore"
    cols = [
        score_batch(
            shuffle_maps(maps, rng, method), exclude, score_variant == "minmax", keep_sacs=False
        )[0]
        for _ in range(n_shuffles)
    ]
    return _null(np.stack(cols, axis=1), method, percentile)


def trajectory_shuffle_threshold(
    positions: np.ndarray,
    activations: np.ndarray,
    *,
    n_shuffles: int = 20,
    percentile: float = 95.0,
    seed: int = 0,
    min_shift: float = 0.1,
    nbins: int = 32,
    box_width: float = BOX_SIZE_M,
    box_height: float = BOX_SIZE_M,
    mode: str = "gridcore",
    score_variant: str = "mean",
) -> ShuffleNull:
    """Grid-score threshold from activity shifted in time relative to position.

    positions (..., 2) m and activations (..., units) are flattened in time order; each unit's
    activity is rolled by its own random shift between ``min_shift`` and 1 - ``min_shift`` of
    the samples, which keeps its temporal structure and rate distribution but breaks the link
    to place. Ratemaps of the shifted activity are scored with the batched scorer.
    """
    pos = np.asarray(positions, dtype=np.float64).reshape(-1, 2)
    act = np.asarray(activations, dtype=np.float64)
    act = act.reshape(pos.shape[0], -1)
    t, u = act.shape
    rng = np.random.default_rng(seed)
    exclude = mode == "gridcore"
    cols = []
    for _ in range(n_shuffles):
        rolled = shift_in_time(act, time_shifts(rng, t, u, min_shift))
        maps = ratemaps_from_points(pos, rolled, nbins, box_width, box_height)
        cols.append(score_batch(maps, exclude, score_variant == "minmax", keep_sacs=False)[0])
    return _null(np.stack(cols, axis=1), "trajectory", percentile)
