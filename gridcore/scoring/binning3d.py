"""3-D ratemaps: the mean activity of each unit in each cubic bin of the volume.

numpy only. A 3-D ratemap array has shape ``(units, n, n, n)`` and is indexed
``maps[u, ix, iy, iz]``; bin ``(0, 0, 0)`` is the corner at (-e/2, -e/2, -e/2) of a cube of edge
e metres centred on the origin. Unvisited bins are NaN. At n bins per axis there are n^3 bins,
so a map needs n times more samples than a 2-D map of the same resolution for the same count
per bin (``book/14_3d`` measures how many).
"""

from __future__ import annotations

import numpy as np

from gridcore.paper import BOX_SIZE_M
from gridcore.scoring.binning import BinnedMeans


class VolumeAccumulator(BinnedMeans):
    """Mean activation per cubic bin, accumulated over any number of batches.

    Points outside the cube are ignored; points on its upper faces go to the last bin. Maps
    are (units, n, n, n); occupancy (n, n, n).
    """

    def __init__(self, n_units: int, nbins: int = 16, edge: float = BOX_SIZE_M) -> None:
        super().__init__(n_units, nbins, ndim=3)
        self.edge = float(edge)

    def bin_index(self, positions: np.ndarray) -> np.ndarray:
        """Flat bin index ``(ix * n + iy) * n + iz`` of each position (N, 3) m; -1 outside."""
        pos = np.asarray(positions, dtype=np.float64).reshape(-1, 3)
        n = self.nbins
        i = np.floor((pos / self.edge + 0.5) * n)
        i[(i == n) & (pos <= self.edge / 2)] = n - 1
        inside = ((i >= 0) & (i < n)).all(axis=1)
        flat = (i[:, 0] * n + i[:, 1]) * n + i[:, 2]
        return np.where(inside, flat, -1).astype(np.int64)


def volume_ratemaps_from_points(
    positions: np.ndarray, activations: np.ndarray, nbins: int = 16, edge: float = BOX_SIZE_M
) -> np.ndarray:
    """3-D ratemaps (units, n, n, n) from positions (..., 3) m and activations (..., units)."""
    act = np.asarray(activations)
    acc = VolumeAccumulator(act.shape[-1], nbins, edge)
    acc.add(positions, act)
    return acc.ratemaps()


def map_correlations_3d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation (units,) between two sets of maps (units, ...) of the same units,
    over the bins finite in both: the split-half stability when ``a`` and ``b`` come from
    disjoint halves of the data. NaN for a unit constant over those bins."""
    a = np.asarray(a, dtype=np.float64).reshape(len(a), -1)
    b = np.asarray(b, dtype=np.float64).reshape(len(b), -1)
    both = np.isfinite(a) & np.isfinite(b)
    n = both.sum(axis=1)
    a, b = np.where(both, a, 0.0), np.where(both, b, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ma, mb = a.sum(1) / n, b.sum(1) / n
        da, db = np.where(both, a - ma[:, None], 0.0), np.where(both, b - mb[:, None], 0.0)
        return (da * db).sum(1) / np.sqrt((da**2).sum(1) * (db**2).sum(1))
