"""3-D autocorrelograms and a score of 3-D grid regularity, with its shuffle null.

numpy only. In a plane the optimal packing of firing fields is the hexagonal lattice, and its
autocorrelogram's six-fold symmetry is what the 2-D grid score measures. In a volume the
densest packings are face-centred cubic (FCC) and hexagonal close packing (HCP), in which each
field has 12 nearest neighbours (Mathis et al. 2015; Stella & Treves 2015). Bats' 3-D grid
cells have neighbouring fields at a characteristic distance but no global lattice (Ginosar et
al. 2021), and rats' fields in a volumetric lattice are irregular (Grieves et al. 2021).

The 3-D **autocorrelogram** (SAC) of a map is the Pearson correlation of the map with itself
shifted by each lag (dx, dy, dz) in bins, over the bins visited at both ends, as the 2-D SAC
of :mod:`gridcore.scoring.scores`; shape (units, 2n-1, 2n-1, 2n-1), centre at index n-1.

The **regularity score** implemented here takes the 12 local maxima of the SAC nearest its
centre, within half the edge (the average neighbourhood of a field), and measures

* their **bond-orientational order** Q6 (Steinhardt, Nelson & Ronchetti 1983,
  Phys. Rev. B 28, 784): with unit vectors r_i towards the N = 12 peaks,
  q_6m = (1/N) sum_i Y_6m(r_i) and Q6 = sqrt(4 pi / 13 sum_m |q_6m|^2). It is independent of
  the lattice's orientation; for the 12 neighbours of FCC it is 0.575 and of HCP 0.485, and
  random directions give about 1 / sqrt(N). A SAC is point-symmetric, so its 12 peaks are six
  opposite pairs: HCP's neighbourhood, which is not point-symmetric, shows in a SAC as the
  point-symmetric set of its 18 shortest inter-field vectors, of which the 12 nearest are kept.
  High Q6 is global, lattice-like order.
* the **spacing** (m), the median distance of the 12 peaks, and its coefficient of variation,
  ``spacing_cv``: low when neighbouring fields sit at one distance, local order in Ginosar
  et al.'s sense, with or without a lattice.

The null shuffles each map's visited bins at random and smooths it as the maps are smoothed,
which keeps the map's values and spatial scale of smoothing but no arrangement; a unit is
regular when its Q6 exceeds the 95th percentile of the null.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations

import numpy as np
import scipy.ndimage as ndi
from scipy.signal import fftconvolve
from scipy.special import sph_harm_y

N_NEIGHBOURS = 12
MIN_PEAK = 0.1  # SAC value a peak must exceed
# Peaks farther than this fraction of the edge are not neighbours: beyond it the overlap of a
# map with its shifted self is under an eighth of the volume, and a map without repeating
# fields (a single field, a gradient, a slab) would still have far local maxima.
MAX_LAG = 0.5
MIN_OVERLAP = 20  # bins: lags with fewer bins visited at both ends are NaN in the SAC
_VAR_TOL = 1e-10


def check_volume_maps(maps: np.ndarray) -> np.ndarray:
    """``maps`` as float64 (units, n, n, n) (one (n, n, n) map gets a units axis)."""
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim == 3:
        maps = maps[None]
    if maps.ndim != 4 or len(set(maps.shape[1:])) != 1 or maps.shape[1] < 4:
        raise ValueError(f"3-D ratemaps must be (units, n, n, n) with n >= 4, got {maps.shape}")
    return maps


def smooth_volume_maps(maps: np.ndarray, sigma_bins: float = 1.0) -> np.ndarray:
    """Gaussian smoothing (s.d. ``sigma_bins`` bins) that ignores NaN bins and keeps them NaN:
    the smoothed values over the smoothed weights of the visited bins."""
    maps = check_volume_maps(maps)
    if sigma_bins <= 0:
        return maps.copy()
    seen = np.isfinite(maps)
    sig = (0, sigma_bins, sigma_bins, sigma_bins)
    num = ndi.gaussian_filter(np.where(seen, maps, 0.0), sig, mode="constant")
    den = ndi.gaussian_filter(seen.astype(np.float64), sig, mode="constant")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(seen, num / den, np.nan)


def autocorrelograms_3d(maps: np.ndarray, min_overlap: int = MIN_OVERLAP) -> np.ndarray:
    """The 3-D SAC (units, 2n-1, 2n-1, 2n-1) of each map: the Pearson correlation over the
    bins visited at both ends, for every lag; NaN where fewer than ``min_overlap`` bins
    overlap or the overlap has no variance."""
    maps = check_volume_maps(maps)
    seen = np.isfinite(maps)
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(maps, axis=(1, 2, 3), keepdims=True)
        std = np.nanstd(maps, axis=(1, 2, 3), keepdims=True)
    x = np.where(seen, (maps - mean) / np.where(std > 0, std, 1.0), 0.0)
    w = seen.astype(np.float64)
    axes = (1, 2, 3)

    def xcorr(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # sum_r a(r) b(r + lag)
        return fftconvolve(b, a[:, ::-1, ::-1, ::-1], axes=axes)

    n = np.rint(xcorr(w, w))
    sa, sb = xcorr(x, w), xcorr(w, x)
    saa, sbb, sab = xcorr(x * x, w), xcorr(w, x * x), xcorr(x, x)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (n * saa - sa**2) * (n * sbb - sb**2)
        sac = (n * sab - sa * sb) / np.sqrt(var)
    bad = (n < min_overlap) | ~(var > _VAR_TOL * np.maximum(n, 1) ** 4)
    return np.where(bad, np.nan, np.clip(sac, -1.0, 1.0))


def sac_peaks(
    sac: np.ndarray,
    n_peaks: int = N_NEIGHBOURS,
    min_value: float = MIN_PEAK,
    max_lag: float = np.inf,
) -> np.ndarray:
    """Lags (k, 3) in bins of the ``n_peaks`` local maxima of one SAC (2n-1,)*3 nearest its
    centre (the centre itself excluded) and no farther than ``max_lag`` bins, nearest first;
    fewer if it has fewer. A local maximum
    is a finite bin above ``min_value`` and no lower than its 26 neighbours; its lag is refined
    to the centroid of the positive SAC in its 3 x 3 x 3 neighbourhood, so that directions are
    not confined to those between whole bins."""
    filled = np.where(np.isfinite(sac), sac, -np.inf)
    peak = (filled == ndi.maximum_filter(filled, size=3, mode="constant", cval=-np.inf)) & (
        filled > min_value
    )
    centre = (np.array(sac.shape) - 1) // 2
    peak[tuple(centre)] = False
    where = np.argwhere(peak)
    r2 = ((where - centre) ** 2).sum(axis=1)
    where = where[r2 <= max_lag**2]
    where = where[np.argsort(r2[r2 <= max_lag**2], kind="stable")[:n_peaks]]
    weights = np.pad(np.clip(np.nan_to_num(sac), 0, None), 1)
    offsets = np.stack(np.meshgrid(*[np.arange(-1, 2)] * 3, indexing="ij"), -1).reshape(-1, 3)
    refined = []
    for p in where:
        w = weights[tuple((p + 1 + offsets).T)]
        refined.append(p + (w[:, None] * offsets).sum(0) / w.sum() - centre)
    return np.array(refined).reshape(-1, 3)


def steinhardt_q(vectors: np.ndarray, degree: int = 6) -> float:
    """Bond-orientational order Q_l (Steinhardt et al. 1983) of the directions of ``vectors``
    (N, 3): sqrt(4 pi / (2l + 1) sum_m |mean_i Y_lm(r_i)|^2), in [0, 1]; NaN for none."""
    v = np.asarray(vectors, dtype=np.float64).reshape(-1, 3)
    if len(v) == 0:
        return float("nan")
    r = np.linalg.norm(v, axis=1)
    polar = np.arccos(np.clip(v[:, 2] / r, -1.0, 1.0))
    azimuth = np.arctan2(v[:, 1], v[:, 0])
    m = np.arange(-degree, degree + 1)[:, None]
    q = sph_harm_y(degree, m, polar[None], azimuth[None]).mean(axis=1)
    return float(np.sqrt(4 * np.pi / (2 * degree + 1) * (np.abs(q) ** 2).sum()))


def lattice_neighbours(kind: str) -> np.ndarray:
    """The 12 nearest-neighbour vectors (12, 3) of a close packing at unit spacing:
    ``"fcc"`` (face-centred cubic) or ``"hcp"`` (hexagonal close packing, c axis along z)."""
    if kind == "fcc":
        base = {p for s in ((1, 1, 0), (1, -1, 0)) for p in permutations(s)}
        vecs = np.array(sorted(base | {tuple(-x for x in p) for p in base}), dtype=float)
        return vecs / np.sqrt(2)
    if kind == "hcp":
        ring = [(np.cos(a), np.sin(a), 0.0) for a in np.arange(6) * np.pi / 3]
        tri = [np.pi / 6 + k * 2 * np.pi / 3 for k in range(3)]
        h = np.sqrt(2 / 3)
        layers = [(np.cos(a) / np.sqrt(3), np.sin(a) / np.sqrt(3), z) for a in tri for z in (h, -h)]
        return np.array(ring + layers)
    raise ValueError(f"kind must be 'fcc' or 'hcp', got {kind!r}")


@dataclass
class VolumeScores:
    """Per-unit 3-D regularity of a set of maps (see the module's docstring)."""

    q6: np.ndarray  # (units,) Q6 of the SAC's 12 nearest peaks; NaN with fewer than 12 near
    spacing: np.ndarray  # (units,) median distance of those peaks, m
    spacing_cv: np.ndarray  # (units,) their distances' s.d. / mean
    n_peaks: np.ndarray  # (units,) peaks found (at most 12)
    sacs: np.ndarray  # (units, 2n-1, 2n-1, 2n-1)

    def fraction_above(self, threshold: float) -> float:
        """Fraction of all units whose Q6 exceeds ``threshold`` (NaN, fewer than 12 peaks,
        counts as below any threshold)."""
        return float(np.mean(np.nan_to_num(self.q6, nan=-np.inf) > threshold))


def score_volume_maps(
    maps: np.ndarray,
    edge: float,
    smooth: float = 1.0,
    min_peak: float = MIN_PEAK,
    n_neighbours: int = N_NEIGHBOURS,
    max_lag: float = MAX_LAG,
) -> VolumeScores:
    """Smooth each 3-D map by ``smooth`` bins, take its SAC and score the ``n_neighbours``
    SAC peaks nearest the centre within ``max_lag`` x the edge; ``edge`` (m) converts bins to
    metres. A unit without that many peaks so near (no repeating fields) has Q6 NaN."""
    maps = check_volume_maps(maps)
    sacs = autocorrelograms_3d(smooth_volume_maps(maps, smooth))
    bin_m = edge / maps.shape[1]
    q6, spacing, cv, count = (np.full(len(maps), np.nan) for _ in range(4))
    for u, sac in enumerate(sacs):
        lags = sac_peaks(sac, n_neighbours, min_peak, max_lag * maps.shape[1])
        count[u] = len(lags)
        if len(lags) < n_neighbours:
            continue
        dist = np.linalg.norm(lags, axis=1) * bin_m
        q6[u] = steinhardt_q(lags)
        spacing[u], cv[u] = np.median(dist), dist.std() / dist.mean()
    return VolumeScores(q6, spacing, cv, count.astype(int), sacs)


def axis_variance_fractions(maps: np.ndarray) -> np.ndarray:
    """(units, 3): the fraction of each map's variance over its visited bins explained by its
    profile along x, y and z alone (the variance of the map averaged over the other two axes,
    over the map's variance). Near 1 for a map that varies along one axis only: a slab, a
    gradient, a wall or floor code; small for fields that repeat in all directions."""
    maps = check_volume_maps(maps)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.nanvar(maps, axis=(1, 2, 3))
        out = []
        for axis in (1, 2, 3):
            others = tuple(a for a in (1, 2, 3) if a != axis)
            profile = np.nanmean(maps, axis=others, keepdims=True)
            out.append(np.nanvar(np.where(np.isfinite(maps), profile, np.nan), axis=(1, 2, 3)))
        return np.stack(out, axis=1) / total[:, None]


def shuffle_bins_3d(maps: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each map with its visited bins permuted at random (unvisited bins stay NaN)."""
    out = check_volume_maps(maps).copy()
    for m in out:
        seen = np.isfinite(m)
        m[seen] = rng.permutation(m[seen])
    return out


@dataclass
class VolumeNull:
    """Q6 of shuffled maps, and the threshold a unit must beat."""

    q6: np.ndarray  # (shuffles * units,) Q6 of the shuffled maps (NaN where < 12 peaks)
    # ``percentile`` of the null scores, NaN (fewer than 12 peaks) counting as lowest: -inf when
    # more than 100 - percentile % of the shuffled maps have no 12 peaks, so that any unit with
    # 12 peaks beats the null
    threshold: float
    percentile: float


def volume_shuffle_null(
    maps: np.ndarray,
    edge: float,
    n_shuffles: int = 5,
    seed: int = 0,
    smooth: float = 1.0,
    percentile: float = 95.0,
) -> VolumeNull:
    """The bin-shuffle null of :func:`score_volume_maps`: ``n_shuffles`` shuffles of every map,
    scored the same way, pooled over units."""
    if n_shuffles < 1:
        raise ValueError(f"n_shuffles must be >= 1, got {n_shuffles}")
    rng = np.random.default_rng(seed)
    q6 = np.concatenate(
        [score_volume_maps(shuffle_bins_3d(maps, rng), edge, smooth).q6 for _ in range(n_shuffles)]
    )
    threshold = float(np.percentile(np.nan_to_num(q6, nan=-np.inf), percentile, method="higher"))
    return VolumeNull(q6, threshold, percentile)


def lattice_maps(
    kind: str, nbins: int, edge: float, spacing: float, width: float, seed: int = 0
) -> np.ndarray:
    """A synthetic 3-D map (n, n, n) of Gaussian fields (s.d. ``width`` m) on an FCC or HCP
    lattice of nearest-neighbour distance ``spacing`` m, or at ``"random"`` positions of the
    same density, at a random offset (and, for the lattices, orientation) from ``seed``."""
    rng = np.random.default_rng(seed)
    span = np.sqrt(3) * edge / 2 + 2 * spacing
    if kind == "random":
        density = np.sqrt(2) / spacing**3  # the close packings' fields per m^3
        count = rng.poisson(density * (2 * span) ** 3)
        points = rng.uniform(-span, span, size=(count, 3))
    else:
        a, b, c = (spacing * v for v in _lattice_basis(kind))
        k = int(np.ceil(2 * span / spacing)) + 1
        i = np.arange(-k, k + 1)
        idx = np.stack(np.meshgrid(i, i, i, indexing="ij"), -1).reshape(-1, 3)
        points = idx @ np.stack([a, b, c])
        if kind == "hcp":  # two interpenetrating sublattices
            points = np.concatenate([points, points + spacing * _HCP_SHIFT])
        q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
        points = points @ q.T + rng.uniform(-spacing, spacing, 3)
        points = points[np.abs(points).max(axis=1) < span]
    centres = (np.arange(nbins) + 0.5) / nbins * edge - edge / 2
    grid = np.stack(np.meshgrid(centres, centres, centres, indexing="ij"), -1)
    out = np.zeros((nbins,) * 3)
    for p in points:
        out += np.exp(-((grid - p) ** 2).sum(-1) / (2 * width**2))
    return out


def _lattice_basis(kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if kind == "fcc":
        return (
            np.array([0, 1, 1]) / np.sqrt(2),
            np.array([1, 0, 1]) / np.sqrt(2),
            np.array([1, 1, 0]) / np.sqrt(2),
        )
    if kind == "hcp":
        return (
            np.array([1.0, 0, 0]),
            np.array([0.5, np.sqrt(3) / 2, 0]),
            np.array([0, 0, 2 * np.sqrt(2 / 3)]),
        )
    raise ValueError(f"kind must be 'fcc', 'hcp' or 'random', got {kind!r}")


_HCP_SHIFT = np.array([0.5, 0.5 / np.sqrt(3), np.sqrt(2 / 3)])
