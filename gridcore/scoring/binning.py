"""Ratemaps: the mean activity of each unit in each spatial bin (Banino et al. 2018, Methods).

numpy only. A ratemap array has shape ``(units, nbins, nbins)`` and is indexed
``maps[u, ix, iy]``: the first spatial axis is x, the second y, and bin ``(0, 0)`` is the corner
at (-w/2, -h/2) of a box of w x h metres centred on the origin. Unvisited bins are NaN. The
paper's text bins the 2.2 m box into 32 x 32; DeepMind's code into 20 x 20.

The time-shift nulls (:mod:`gridcore.scoring.shuffles`, :mod:`gridcore.scoring.celltypes`) bin
activity rolled in time against position; :func:`time_shifts` and :func:`shift_in_time` make that
activity.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp

from gridcore.errors import GridcoreError
from gridcore.paper import BOX_SIZE_M


class BinnedMeans:
    """Mean activation per spatial bin of an ``nbins``-per-axis grid in ``ndim`` dimensions,
    accumulated over any number of batches.

    Only per-bin sums and counts are kept (``nbins**ndim * (units + 1)`` numbers), never the
    points. Subclasses number the bins: ``bin_index`` maps positions to flat bin indices, -1
    for a point outside the grid, which is ignored.
    """

    def __init__(self, n_units: int, nbins: int, ndim: int) -> None:
        if n_units < 1 or nbins < 2:
            raise ValueError(f"need n_units >= 1 and nbins >= 2, got {n_units}, {nbins}")
        self.n_units, self.nbins = int(n_units), int(nbins)
        self.grid = (self.nbins,) * ndim  # bins along each axis
        self.sums = np.zeros((self.nbins**ndim, self.n_units))
        self.counts = np.zeros(self.nbins**ndim, dtype=np.int64)

    def bin_index(self, positions: np.ndarray) -> np.ndarray:
        """Flat bin index of each position in metres; -1 outside."""
        raise NotImplementedError

    def add(self, positions: np.ndarray, activations: np.ndarray) -> None:
        """Add points: positions (..., ndim) in metres, activations (..., units) with the same
        leading shape (e.g. (batch, time, 2) and (batch, time, units))."""
        act = np.asarray(activations, dtype=np.float64).reshape(-1, self.n_units)
        idx = self.bin_index(positions)
        if idx.shape[0] != act.shape[0]:
            raise ValueError(f"{idx.shape[0]} positions but {act.shape[0]} activation rows")
        keep = idx >= 0
        idx, act = idx[keep], act[keep]
        onehot = sp.csr_matrix(
            (np.ones(idx.size), (idx, np.arange(idx.size))), shape=(self.sums.shape[0], idx.size)
        )
        self.sums += onehot @ act
        self.counts += np.bincount(idx, minlength=self.counts.size)

    def ratemaps(self) -> np.ndarray:
        """Mean activation per bin, (units, nbins, ...) with ``ndim`` bin axes, NaN where no
        point fell."""
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = self.sums / self.counts[:, None]
        mean[self.counts == 0] = np.nan
        return mean.T.reshape(self.n_units, *self.grid).copy()

    def occupancy(self) -> np.ndarray:
        """Number of points per bin, (nbins, ...) with ``ndim`` axes."""
        return self.counts.reshape(self.grid).copy()


class RatemapAccumulator(BinnedMeans):
    """Mean activation per spatial bin of the box, accumulated over any number of batches.

    The box spans [-box_width/2, box_width/2] x [-box_height/2, box_height/2] metres; points
    outside it are ignored and points on the upper edge go to the last bin. Maps are
    (units, nbins, nbins); occupancy (nbins, nbins).
    """

    def __init__(
        self,
        n_units: int,
        nbins: int = 32,
        box_width: float = BOX_SIZE_M,
        box_height: float = BOX_SIZE_M,
    ) -> None:
        super().__init__(n_units, nbins, ndim=2)
        self.box_width, self.box_height = float(box_width), float(box_height)

    def bin_index(self, positions: np.ndarray) -> np.ndarray:
        """Flat bin index ``ix * nbins + iy`` of each position (N, 2) in metres; -1 outside."""
        pos = np.asarray(positions, dtype=np.float64).reshape(-1, 2)
        ix = np.floor((pos[:, 0] / self.box_width + 0.5) * self.nbins)
        iy = np.floor((pos[:, 1] / self.box_height + 0.5) * self.nbins)
        n = self.nbins
        ix[(ix == n) & (pos[:, 0] <= self.box_width / 2)] = n - 1
        iy[(iy == n) & (pos[:, 1] <= self.box_height / 2)] = n - 1
        inside = (ix >= 0) & (ix < n) & (iy >= 0) & (iy < n)
        return np.where(inside, ix * n + iy, -1).astype(np.int64)


def time_shifts(
    rng: np.random.Generator, n_samples: int, n_units: int, min_shift: float
) -> np.ndarray:
    """One random shift (samples) per unit, between ``min_shift`` and 1 - ``min_shift`` of the
    ``n_samples`` of a recording (at least one sample): the offsets of a time-shift null."""
    lo = max(1, int(min_shift * n_samples))
    return rng.integers(lo, max(lo + 1, n_samples - lo), size=n_units)


def shift_in_time(activity: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """``activity`` (T, units) with column u rolled forward in time by ``shifts[u]`` samples."""
    a = np.asarray(activity)
    t, u = a.shape
    return a[(np.arange(t)[:, None] - np.asarray(shifts)[None, :]) % t, np.arange(u)[None, :]]


def ratemaps_from_points(
    positions: np.ndarray,
    activations: np.ndarray,
    nbins: int = 32,
    box_width: float = BOX_SIZE_M,
    box_height: float = BOX_SIZE_M,
) -> np.ndarray:
    """Ratemaps (units, nbins, nbins) from positions (..., 2) m and activations (..., units)."""
    act = np.asarray(activations)
    acc = RatemapAccumulator(act.shape[-1] if act.ndim > 1 else 1, nbins, box_width, box_height)
    acc.add(positions, act if act.ndim > 1 else act[:, None])
    return acc.ratemaps()


def check_maps(maps: np.ndarray) -> np.ndarray:
    """``maps`` as a float64 (units, n, n) array (a single (n, n) map gets a units axis).

    Raises ValueError unless the maps are square with n >= 4 bins.
    """
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim == 2:
        maps = maps[None]
    if maps.ndim != 3 or maps.shape[1] != maps.shape[2] or maps.shape[1] < 4:
        raise ValueError(f"ratemaps must be (units, n, n) with n >= 4, got {maps.shape}")
    return maps


def load_ratemaps(path: str | Path) -> np.ndarray:
    """Ratemaps (units, n, n) from a .npy array or an .npz with a ``ratemaps`` array."""
    path = Path(path)
    if not path.is_file():
        raise GridcoreError(f"{path}: no such file")
    try:
        data = np.load(path, allow_pickle=False)
        maps = data["ratemaps"] if isinstance(data, np.lib.npyio.NpzFile) else data
        maps = np.asarray(maps, dtype=np.float64)
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise GridcoreError(f"{path}: not a ratemap array ({err})") from None
    try:
        return check_maps(maps)
    except ValueError as err:
        raise GridcoreError(f"{path}: {err}") from None
