"""Cell types: speed, head-direction, border and grid scores of units, each against a shuffle null.

numpy only. The input is what a unit did along trajectories, in time order: positions
``(T, 2)`` in metres (box centred on the origin), headings ``(T,)`` in radians, running speeds
``(T,)`` in m/s and activations ``(T, units)`` (any unit, any sign). The scores:

* **speed score**: the Pearson correlation of a unit's activation with running speed over time
  (Kropff et al. 2015). Dimensionless, in [-1, 1].
* **head-direction score**: the mean vector length of the unit's directional tuning curve, the
  mean activation in each of ``hd_bins`` heading bins (occupancy-normalised), as Sargolini et al.
  (2006) defined it for head-direction cells. Dimensionless, in [0, 1].
* **border score**: (CM - DM) / (CM + DM) of the unit's ratemap (Solstad et al. 2008), where CM
  is the largest share of one wall that one firing field covers and DM the rate-weighted mean
  distance of the fields' bins to the nearest wall, divided by half the box's shorter side.
  Dimensionless, in [-1, 1].
* **grid score**: the 60-degree grid score of the ratemap, DeepMind's scorer
  (:mod:`gridcore.scoring.scores`; Banino et al. 2018).

Network units have no resting rate and no sign convention (a linear unit and its negative carry
the same information downstream), so the scores are made sign- and offset-free where the
recorded-cell definitions assume a non-negative firing rate: a tuning curve and a ratemap are
shifted to a minimum of 0 before their vector length and fields are taken, and a unit counts
as speed-modulated by the absolute value of its speed score.

The null (:func:`census`) shifts each unit's activity in time against the behaviour by its own
random offset, as :func:`gridcore.scoring.shuffles.trajectory_shuffle_threshold` does for the grid
score: every score of the shifted activity is a score of a unit with the same activity statistics
but no relation to the rat. A unit is of a type when its score exceeds a percentile of the null
pooled over all units and shuffles: the 99th for speed and head direction (Kropff et al. 2015),
the 95th for border and grid scores (the grid-score convention of :mod:`gridcore.scoring.shuffles`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import scipy.ndimage as ndi
import scipy.sparse as sp

from gridcore.paper import BOX_SIZE_M
from gridcore.scoring.binning import RatemapAccumulator, shift_in_time, time_shifts
from gridcore.scoring.scores import score_batch

TYPES = ("speed", "head direction", "border", "grid")
PERCENTILES = {"speed": 99.0, "head direction": 99.0, "border": 95.0, "grid": 95.0}
HD_BINS = 36  # 10-degree heading bins
FIELD_THRESHOLD = 0.3  # a field: bins above 0.3 of the map's peak (Solstad et al. 2008)
MIN_FIELD_AREA_M2 = 0.02  # ... covering at least 200 cm^2 (Solstad et al. 2008)


# --------------------------------------------------------------------------------------------
# The four scores


def speed_scores(speeds: np.ndarray, activity: np.ndarray) -> np.ndarray:
    """(units,) Pearson correlation of each unit's activation with running speed over time.

    ``speeds`` (T,) m/s, ``activity`` (T, units). NaN for a unit (or a speed) that never varies.
    """
    s = np.asarray(speeds, dtype=np.float64).reshape(-1)
    a = np.asarray(activity, dtype=np.float64).reshape(s.size, -1)
    s = s - s.mean()
    a = a - a.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (s @ a) / np.sqrt((s @ s) * (a * a).sum(axis=0))
    return np.where(np.isfinite(r), r, np.nan)


def _heading_bins(headings: np.ndarray, nbins: int) -> np.ndarray:
    h = np.mod(np.asarray(headings, dtype=np.float64).reshape(-1), 2 * np.pi)
    return np.minimum((h / (2 * np.pi) * nbins).astype(np.int64), nbins - 1)


def direction_tuning(
    headings: np.ndarray, activity: np.ndarray, nbins: int = HD_BINS
) -> np.ndarray:
    """(units, nbins) mean activation per heading bin: the occupancy-normalised tuning curve.

    ``headings`` (T,) rad; bin k covers [2 pi k / nbins, 2 pi (k + 1) / nbins). NaN where no
    sample fell.
    """
    idx = _heading_bins(headings, nbins)
    a = np.asarray(activity, dtype=np.float64).reshape(idx.size, -1)
    onehot = sp.csr_matrix((np.ones(idx.size), (idx, np.arange(idx.size))), (nbins, idx.size))
    return _bin_means(onehot, a).T


def _bin_means(onehot: sp.csr_matrix, a: np.ndarray) -> np.ndarray:
    counts = np.asarray(onehot.sum(axis=1)).reshape(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (onehot @ a) / counts[:, None]
    mean[counts == 0] = np.nan
    return mean


def mean_vector_length(curves: np.ndarray) -> np.ndarray:
    """(units,) mean vector length of tuning curves (units, nbins) over equal heading bins.

    Each curve is shifted to a minimum of 0 (unvisited bins, NaN, left out), then
    ``|sum_k r_k exp(i theta_k)| / sum_k r_k`` with theta_k the bin centres: 0 for a flat curve
    (NaN), 1 for activity in a single bin.
    """
    c = np.atleast_2d(np.asarray(curves, dtype=np.float64))
    theta = (np.arange(c.shape[1]) + 0.5) * 2 * np.pi / c.shape[1]
    r = np.nan_to_num(c - np.nanmin(c, axis=1, keepdims=True), nan=0.0)
    total = r.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mvl = np.abs(r @ np.exp(1j * theta)) / total
    return np.where(total > 0, mvl, np.nan)


def head_direction_scores(
    headings: np.ndarray, activity: np.ndarray, nbins: int = HD_BINS
) -> np.ndarray:
    """(units,) mean vector length of each unit's directional tuning curve (Sargolini et al.)."""
    return mean_vector_length(direction_tuning(headings, activity, nbins))


def _wall_distance(n: int, box_width: float, box_height: float) -> np.ndarray:
    """(n, n) distance (m) of each bin centre to the nearest wall."""
    x = (np.arange(n) + 0.5) / n * box_width
    y = (np.arange(n) + 0.5) / n * box_height
    dx = np.minimum(x, box_width - x)
    dy = np.minimum(y, box_height - y)
    return np.minimum(dx[:, None], dy[None, :])


def min_field_bins(nbins: int, box_width: float = BOX_SIZE_M, box_height: float = BOX_SIZE_M):
    """Bins a field must cover to count: 200 cm^2 (Solstad et al. 2008), at least 1 bin."""
    bin_area = (box_width / nbins) * (box_height / nbins)
    return max(1, int(np.ceil(MIN_FIELD_AREA_M2 / bin_area - 1e-9)))


def border_score(
    ratemap: np.ndarray,
    box_width: float = BOX_SIZE_M,
    box_height: float = BOX_SIZE_M,
    threshold: float = FIELD_THRESHOLD,
    min_bins: int | None = None,
) -> float:
    """Border score (CM - DM) / (CM + DM) of one ratemap (n, n), ``[ix, iy]`` (Solstad et al.).

    The map is shifted to a minimum of 0. Fields are 4-connected groups of visited bins above
    ``threshold`` of the peak covering at least ``min_bins`` bins (default: 200 cm^2, see
    :func:`min_field_bins`). CM: the largest share, over fields and the four walls, of a wall's
    visited bins (the row or column along it) that one field occupies. DM: the mean distance of
    the fields' bins to the nearest wall, weighted by the shifted rate, divided by half the
    box's shorter side. NaN when the map is flat or has no field.
    """
    m = np.asarray(ratemap, dtype=np.float64)
    n = m.shape[0]
    vis = np.isfinite(m)
    if not vis.any():
        return float("nan")
    lo, hi = np.nanmin(m), np.nanmax(m)
    if not hi > lo:
        return float("nan")
    r = np.where(vis, (m - lo) / (hi - lo), 0.0)
    labels, k = ndi.label(vis & (r >= threshold))
    need = min_field_bins(n, box_width, box_height) if min_bins is None else int(min_bins)
    sizes = np.bincount(labels.ravel(), minlength=k + 1)
    walls = [(0, slice(None)), (n - 1, slice(None)), (slice(None), 0), (slice(None), n - 1)]
    cm, in_field = 0.0, np.zeros_like(vis)
    for lab in np.flatnonzero(sizes[1:] >= need) + 1:
        f = labels == lab
        in_field |= f
        for wall in walls:
            seen = vis[wall]
            if seen.any():
                cm = max(cm, float(f[wall][seen].mean()))
    if not in_field.any():
        return float("nan")
    dist = _wall_distance(n, box_width, box_height) / (min(box_width, box_height) / 2)
    dm = float((r[in_field] * dist[in_field]).sum() / r[in_field].sum())
    return (cm - dm) / (cm + dm)


def border_scores(
    maps: np.ndarray,
    box_width: float = BOX_SIZE_M,
    box_height: float = BOX_SIZE_M,
    threshold: float = FIELD_THRESHOLD,
) -> np.ndarray:
    """(units,) :func:`border_score` of each ratemap of ``maps`` (units, n, n)."""
    return np.array([border_score(m, box_width, box_height, threshold) for m in maps])


def grid_scores(maps: np.ndarray) -> np.ndarray:
    """(units,) 60-degree grid scores of ``maps`` (units, n, n), DeepMind's scorer."""
    return score_batch(np.asarray(maps, dtype=np.float64), False, False, keep_sacs=False)[0]


# --------------------------------------------------------------------------------------------
# All four at once, and their shuffle nulls


class Behaviour:
    """The rat's side of a recording, binned once: positions (T, 2) m, headings (T,) rad,
    speeds (T,) m/s, in time order, in a ``box_width`` x ``box_height`` m box."""

    def __init__(
        self,
        positions: np.ndarray,
        headings: np.ndarray,
        speeds: np.ndarray,
        nbins: int = 32,
        hd_bins: int = HD_BINS,
        box_width: float = BOX_SIZE_M,
        box_height: float = BOX_SIZE_M,
    ) -> None:
        self.positions = np.asarray(positions, dtype=np.float64).reshape(-1, 2)
        self.headings = np.asarray(headings, dtype=np.float64).reshape(-1)
        self.speeds = np.asarray(speeds, dtype=np.float64).reshape(-1)
        t = self.positions.shape[0]
        if not t == self.headings.size == self.speeds.size:
            raise ValueError(
                f"{t} positions, {self.headings.size} headings and {self.speeds.size} speeds"
            )
        self.nbins, self.hd_bins = int(nbins), int(hd_bins)
        self.box_width, self.box_height = float(box_width), float(box_height)
        pos = RatemapAccumulator(1, nbins, box_width, box_height).bin_index(self.positions)
        keep = pos >= 0
        cols = np.arange(t)
        self._place = sp.csr_matrix(
            (np.ones(keep.sum()), (pos[keep], cols[keep])), (nbins * nbins, t)
        )
        hd = _heading_bins(self.headings, hd_bins)
        self._heading = sp.csr_matrix((np.ones(t), (hd, cols)), (hd_bins, t))

    def __len__(self) -> int:
        return self.speeds.size

    def ratemaps(self, activity: np.ndarray) -> np.ndarray:
        """(units, nbins, nbins) mean activation per spatial bin, NaN where unvisited."""
        mean = _bin_means(self._place, activity)
        return mean.T.reshape(-1, self.nbins, self.nbins)

    def scores(self, activity: np.ndarray) -> dict[str, np.ndarray]:
        """{type: (units,) score} of ``activity`` (T, units) for the four :data:`TYPES`."""
        a = np.asarray(activity, dtype=np.float64).reshape(len(self), -1)
        maps = self.ratemaps(a)
        return {
            "speed": speed_scores(self.speeds, a),
            "head direction": mean_vector_length(_bin_means(self._heading, a).T),
            "border": border_scores(maps, self.box_width, self.box_height),
            "grid": grid_scores(maps),
        }


@dataclass
class Census:
    """Scores of a layer's units and their shuffle nulls.

    ``scores[type]`` (units,), ``null[type]`` (units, n_shuffles), ``thresholds[type]`` the
    ``percentiles[type]`` percentile of the pooled null. Speed scores are compared by their
    absolute value (the null too).
    """

    scores: dict[str, np.ndarray]
    null: dict[str, np.ndarray]
    percentiles: dict[str, float]
    thresholds: dict[str, float] = field(init=False)

    def __post_init__(self) -> None:
        self.thresholds = {
            t: float(np.nanpercentile(comparable(t, self.null[t]), self.percentiles[t]))
            for t in self.scores
        }

    @property
    def n_units(self) -> int:
        return int(next(iter(self.scores.values())).size)

    def above(self) -> dict[str, np.ndarray]:
        """{type: (units,) bool}: the score exceeds the type's threshold (NaN never does)."""
        with np.errstate(invalid="ignore"):
            return {t: comparable(t, s) > self.thresholds[t] for t, s in self.scores.items()}

    def counts(self) -> dict[str, int]:
        """{type: number of units above its threshold}."""
        return {t: int(a.sum()) for t, a in self.above().items()}

    def n_types(self) -> np.ndarray:
        """(units,) how many types each unit passes."""
        return np.sum(list(self.above().values()), axis=0)

    def conjunctive(self) -> dict[tuple[str, str], int]:
        """{(type a, type b): units above both thresholds} for every pair of types."""
        above = self.above()
        return {
            (a, b): int((above[a] & above[b]).sum()) for a, b in itertools.combinations(above, 2)
        }


def comparable(kind: str, x: np.ndarray) -> np.ndarray:
    """Scores of type ``kind`` as they are compared with the threshold: |r| for speed."""
    return np.abs(x) if kind == "speed" else x


def census(
    behaviour: Behaviour,
    activity: np.ndarray,
    n_shuffles: int = 20,
    seed: int = 0,
    min_shift: float = 0.1,
    percentiles: dict[str, float] | None = None,
    chunk: int = 64,
) -> Census:
    """The four scores of every unit of ``activity`` (T, units) along ``behaviour``, each with a
    time-shift null: ``n_shuffles`` times, every unit's activity is rolled by its own random
    shift between ``min_shift`` and 1 - ``min_shift`` of the recording, and re-scored.
    ``percentiles`` overrides :data:`PERCENTILES` per type."""
    if n_shuffles < 1 or not 0 < min_shift < 0.5:
        raise ValueError(
            f"need n_shuffles >= 1, 0 < min_shift < 0.5; got {n_shuffles}, {min_shift}"
        )
    a = np.asarray(activity, dtype=np.float64).reshape(len(behaviour), -1)
    t, u = a.shape
    scores = behaviour.scores(a)
    rng = np.random.default_rng(seed)
    null = {k: np.full((u, n_shuffles), np.nan) for k in scores}
    for s in range(n_shuffles):
        shifts = time_shifts(rng, t, u, min_shift)
        for start in range(0, u, chunk):
            part = slice(start, start + chunk)
            shuffled = behaviour.scores(shift_in_time(a[:, part], shifts[part]))
            for k, v in shuffled.items():
                null[k][part, s] = v
    return Census(scores, null, {**PERCENTILES, **(percentiles or {})})
