"""Spatial autocorrelograms (SACs) and grid scores (Banino et al. 2018, Methods).

numpy only: the paper's scoring and nothing else. Ratemap binning is in
:mod:`gridcore.scoring.binning`, shuffle nulls in :mod:`gridcore.scoring.shuffles`, scoring a run or
a file in :mod:`gridcore.analysis.results`.

Conventions used throughout:

* A ratemap array has shape ``(units, nbins, nbins)`` and is indexed ``maps[u, ix, iy]``: the
  first spatial axis is x, the second is y, bin ``(0, 0)`` is the corner at (-w/2, -h/2).
  Unvisited bins are NaN.
* A SAC has shape ``(units, 2n - 1, 2n - 1)`` and is indexed by lag: ``sac[u, n - 1 + dx,
  n - 1 + dy]`` is the Pearson correlation of the map with itself shifted by (dx, dy) bins.
* Grid scores are dimensionless; scales are in metres, orientations in degrees.

Two scorers compute DeepMind's grid score:

* :func:`reference_grid_score` follows DeepMind's algorithm literally, one map at a time (direct
  2-D convolutions, ``scipy.ndimage.rotate`` per angle, one pass per ring mask). It is slow and
  exists to check the fast path.
* :func:`score_ratemaps` scores every unit of a layer at once: FFT correlations for the SACs, a
  sparse operator (built once per map size) that applies all seven spline rotations to every
  SAC in one product, and running sums over the nested ring masks. ``mode="deepmind"``
  reproduces the reference to round-off; the default ``mode="gridcore"`` adds the fixes
  described in :func:`score_ratemaps`.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import scipy.fft
import scipy.ndimage as ndi
import scipy.signal
import scipy.sparse as sp
from scipy import special

from gridcore.paper import BOX_SIZE_M, GRID_THRESHOLD, STRICT_GRID_THRESHOLD
from gridcore.scoring.binning import check_maps
from gridcore.scoring.sac_geometry import degenerate_reasons, grid_geometry

ANGLES = (30, 45, 60, 90, 120, 135, 150)  # degrees; SAC rotations used by the scores
MASK_INNER = 0.2  # inner ring radius, in units of nbins
MASK_OUTERS = tuple(np.linspace(0.4, 1.0, num=10).tolist())  # outer radii, in units of nbins
VARIANCE_EPS = 1e-5  # DeepMind's regulariser of the ring variance
PAPER_THRESHOLD = GRID_THRESHOLD  # 60-degree score threshold of the paper
STRICT_THRESHOLD = STRICT_GRID_THRESHOLD  # stricter threshold (Schaeffer et al. 2022)
_SAC_VAR_TOL = 1e-10  # overlap variance below this (maps normalised to unit variance) -> SAC 0


# --------------------------------------------------------------------------------------------
# Ring masks and the DeepMind reference scorer


@functools.lru_cache(maxsize=16)
def ring_masks(
    nbins: int, inner: float = MASK_INNER, outers: tuple[float, ...] = MASK_OUTERS
) -> np.ndarray:
    """Boolean ring masks (n_masks, 2n-1, 2n-1) on the SAC's lag grid.

    A lag of radius r bins is in mask k when ``inner * n < r <= outers[k] * n`` (DeepMind's
    ``circle_mask`` convention, same floating-point comparisons).
    """
    lags = np.arange(-(nbins - 1), nbins, dtype=np.float64)
    r = np.sqrt(lags[:, None] ** 2 + lags[None, :] ** 2)
    masks = np.stack([(r <= o * nbins) & ~(r <= inner * nbins) for o in outers])
    masks.flags.writeable = False
    return masks


def mask_radii(
    nbins: int, inner: float = MASK_INNER, outers: tuple[float, ...] = MASK_OUTERS
) -> np.ndarray:
    """(n_masks, 2) inner and outer radius of each ring mask, in bins."""
    return np.array([(inner * nbins, o * nbins) for o in outers])


def reference_sac(ratemap: np.ndarray) -> np.ndarray:
    """SAC (2n-1, 2n-1) of one ratemap exactly as DeepMind computes it.

    NaN bins become zeros first and so count as visited; sums over the overlap come from full
    2-D convolutions of the map, its square and the all-ones mask; lags whose correlation is
    undefined give 0 (``np.nan_to_num``). For a constant map whose value is not exactly
    representable (e.g. 0.3) the variances are round-off, and so are the correlations: this
    literal version then scores up to ~0.3, where :func:`autocorrelograms` gives an all-zero SAC.
    """
    x = np.nan_to_num(np.asarray(ratemap, dtype=np.float64))
    ones = np.ones_like(x)

    def corr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return scipy.signal.convolve2d(b, np.rot90(a, 2), mode="full")

    n = corr(ones, ones)
    s1, s2 = corr(x, ones), corr(ones, x)
    q1, q2 = corr(x * x, ones), corr(ones, x * x)
    with np.errstate(invalid="ignore", divide="ignore"):
        std1 = np.sqrt(q1 / n - s1**2 / n**2)
        std2 = np.sqrt(q2 / n - s2**2 / n**2)
        cov = corr(x, x) / n - s1 * s2 / n**2
        return np.nan_to_num(cov / (std1 * std2))


def _score_60(c: dict[int, Any], min_max: bool) -> Any:
    if min_max:
        return np.minimum(c[60], c[120]) - np.maximum(np.maximum(c[30], c[90]), c[150])
    return (c[60] + c[120]) / 2 - (c[30] + c[90] + c[150]) / 3


def _score_90(c: dict[int, Any]) -> Any:
    return c[90] - (c[45] + c[135]) / 2


class ReferenceScore(NamedTuple):
    """Result of :func:`reference_grid_score` for one map."""

    grid_score_60: float
    grid_score_90: float
    best_mask_60: int
    best_mask_90: int
    sac: np.ndarray


def reference_grid_score(
    ratemap: np.ndarray,
    *,
    min_max: bool = False,
    inner: float = MASK_INNER,
    outers: tuple[float, ...] = MASK_OUTERS,
) -> ReferenceScore:
    """DeepMind's 60- and 90-degree grid scores of one ratemap (n, n), computed the slow way.

    For each ring mask: centre the SAC by its mean inside the ring, correlate it with its
    rotations by 30..150 degrees (``scipy.ndimage.rotate``, reshape=False, cubic spline) as
    mean(centred SAC * (rotated SAC - mean)) / (ring variance + 1e-5), then
    score60 = (c60 + c120)/2 - (c30 + c90 + c150)/3 (or min(c60, c120) - max(c30, c90, c150)
    with ``min_max``) and score90 = c90 - (c45 + c135)/2. Each score is the maximum over masks.
    """
    sac = reference_sac(ratemap)
    rotated = {a: ndi.rotate(sac, a, reshape=False) for a in ANGLES}
    s60, s90 = [], []
    for mask in ring_masks(ratemap.shape[0], inner, tuple(outers)).astype(np.float64):
        area = mask.sum()
        mean = (sac * mask).sum() / area
        centred = (sac - mean) * mask
        var = (centred**2).sum() / area + VARIANCE_EPS
        c = {a: (centred * (rotated[a] - mean) * mask).sum() / area / var for a in ANGLES}
        s60.append(_score_60(c, min_max))
        s90.append(_score_90(c))
    i60, i90 = int(np.argmax(s60)), int(np.argmax(s90))
    return ReferenceScore(float(s60[i60]), float(s90[i90]), i60, i90, sac)


# --------------------------------------------------------------------------------------------
# Batched SACs and rotation correlations


def _window_means(a: np.ndarray) -> np.ndarray:
    """Mean of a (units, n, n) over each lag's overlap window {i : i and i + lag in the box}.

    The window is a rectangle whose rows depend only on the x lag and columns only on the y
    lag, so the means are separable: running sums along each axis, differenced at the window's
    ends. (No BLAS: its threads compete badly with other jobs on small machines.)
    """
    n = a.shape[-1]
    lag = np.arange(-(n - 1), n)
    lo, hi = np.maximum(0, -lag), np.minimum(n, n - lag)
    for axis in (1, 2):
        c = np.concatenate([np.zeros_like(a.take([0], axis)), a.cumsum(axis)], axis)
        shape = [1, 1, 1]
        shape[axis] = -1
        a = (c.take(hi, axis) - c.take(lo, axis)) / (hi - lo).reshape(shape)
    return a


def autocorrelograms(maps: np.ndarray, exclude_unvisited: bool = True) -> np.ndarray:
    """SACs (units, 2n-1, 2n-1) of ratemaps (units, n, n) via batched FFT correlations.

    With ``exclude_unvisited`` (gridcore) only visited pairs of bins enter each lag's Pearson
    correlation; without it NaN bins are zeros that count as visited (DeepMind). Lags whose
    overlap has (numerically) zero variance give 0. Each map is centred and scaled first, which
    leaves every correlation unchanged and keeps FFT round-off small. When every bin counts as
    visited, each lag's overlap is a rectangle, its means come from two small matrix products
    and only |FFT|^2 is needed.
    """
    maps = np.asarray(maps, dtype=np.float64)
    u, n, _ = maps.shape
    w = np.isfinite(maps) if exclude_unvisited else np.ones(maps.shape, dtype=bool)
    nvis = np.maximum(w.sum(axis=(1, 2), keepdims=True), 1)
    x = np.where(w, np.nan_to_num(maps), 0.0)
    x = np.where(w, x - x.sum(axis=(1, 2), keepdims=True) / nvis, 0.0)
    sd = np.sqrt((x**2).sum(axis=(1, 2), keepdims=True) / nvis)
    x = x / np.where(sd > 0, sd, 1.0)
    size = scipy.fft.next_fast_len(2 * n - 1, real=True)
    fx = scipy.fft.rfft2(x, s=(size, size), axes=(-2, -1))

    def corr(spectrum: np.ndarray) -> np.ndarray:  # circular correlation -> lags -(n-1)..n-1
        full = scipy.fft.irfft2(spectrum, s=(size, size), axes=(-2, -1))
        idx = np.arange(-(n - 1), n) % size
        return full[..., idx[:, None], idx[None, :]]

    prod = corr(fx.real**2 + fx.imag**2)  # sum_i x_i x_{i+lag}
    if w.all():  # the overlap of each lag is a rectangle of the box
        mean1, var1 = _window_means(x), _window_means(x * x)
        lag = n - np.abs(np.arange(-(n - 1), n, dtype=np.float64))
        inv = 1.0 / (lag[:, None] * lag[None, :])[None]  # 1 / overlap count, shared by all maps
    else:  # sums over the visited partners only: correlations with the visited mask
        fw = scipy.fft.rfft2(w.astype(np.float64), s=(size, size), axes=(-2, -1))
        fwc = np.conj(fw)
        count = np.rint(corr(fwc * fw))
        s1 = corr(fwc * fx)[:, ::-1, ::-1]  # sum_i x_i w_{i+lag}
        q1 = corr(fwc * scipy.fft.rfft2(x * x, s=(size, size), axes=(-2, -1)))[:, ::-1, ::-1]
        inv = np.divide(1.0, count, out=np.zeros_like(count), where=count > 0)
        mean1, var1 = s1 * inv, q1 * inv
    # mean1, var1: mean and variance of the first partner of each lag's pairs over the overlap;
    # the second partner's are those of the mirrored lag.
    var1 -= mean1**2
    ok = var1 > _SAC_VAR_TOL
    ok &= ok[:, ::-1, ::-1]
    cov = prod * inv - mean1 * mean1[:, ::-1, ::-1]
    den = np.sqrt(var1 * var1[:, ::-1, ::-1], where=ok, out=np.ones_like(var1))
    return np.where(ok, cov / den, 0.0)


def _cubic_bspline(t: np.ndarray) -> np.ndarray:
    t = np.abs(t)
    return np.where(t < 1, 2 / 3 - t**2 + t**3 / 2, np.where(t < 2, (2 - t) ** 3 / 6, 0.0))


def _mirror(i: np.ndarray, size: int) -> np.ndarray:
    i = np.mod(i, 2 * size - 2)
    return np.where(i >= size, 2 * size - 2 - i, i)


@functools.lru_cache(maxsize=8)
def _rotation_operator(nbins: int, inner: float, outers: tuple[float, ...]):
    """Sparse operator giving rotated SACs on half of the ring masks' union, for all angles.

    Returns (rows, cuts, op). ``rows`` are the flat lag indices in one half-plane with
    inner * n < r <= max(outers) * n, sorted by radius, so that ring mask k is ``rows[:cuts[k]]``
    (SACs are point-symmetric: the other half adds the same sums). ``op`` maps spline
    coefficients (m*m) to the rotated values (len(ANGLES) * len(rows)); with
    ``scipy.ndimage.spline_filter1d`` it is exactly ``ndimage.rotate(sac, angle, reshape=False)``
    (cubic spline, mode "constant": zero outside the grid, mirrored taps at its edge).
    """
    m = 2 * nbins - 1
    lag = np.arange(-(nbins - 1), nbins, dtype=np.float64)
    r = np.sqrt(lag[:, None] ** 2 + lag[None, :] ** 2).ravel()  # as in ring_masks
    half = np.arange(m * m) > (nbins - 1) * (m + 1)
    rows = np.flatnonzero(half & ~(r <= inner * nbins) & (r <= max(outers) * nbins))
    rows = rows[np.argsort(r[rows], kind="stable")]
    cuts = np.array([np.count_nonzero(r[rows] <= o * nbins) for o in outers])
    oi, oj = np.divmod(rows, m)
    ctr = (m - 1) / 2
    blocks = []
    for k, angle in enumerate(ANGLES):
        c, s = special.cosdg(angle), special.sindg(angle)
        si = c * (oi - ctr) + s * (oj - ctr) + ctr
        sj = -s * (oi - ctr) + c * (oj - ctr) + ctr
        inside = (si >= 0) & (si <= m - 1) & (sj >= 0) & (sj <= m - 1)
        fi, fj = np.floor(si).astype(np.int64), np.floor(sj).astype(np.int64)
        for a in range(-1, 3):
            for b in range(-1, 3):
                wgt = _cubic_bspline(si - fi - a) * _cubic_bspline(sj - fj - b) * inside
                col = _mirror(fi + a, m) * m + _mirror(fj + b, m)
                blocks.append((k * rows.size + np.arange(rows.size), col, wgt))
    rr, cc, vv = (np.concatenate(z) for z in zip(*blocks, strict=True))
    op = sp.csr_matrix((vv, (rr, cc)), shape=(len(ANGLES) * rows.size, m * m))
    op.sum_duplicates()
    return rows, cuts, op


def rotation_correlations(
    sacs: np.ndarray,
    inner: float = MASK_INNER,
    outers: tuple[float, ...] = MASK_OUTERS,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-mask rotational correlations of SACs (units, 2n-1, 2n-1).

    Returns ``corr`` (units, n_masks, len(ANGLES)) with DeepMind's definition
    mean_ring((S - mu)(R_a S - mu)) / (var_ring(S) + 1e-5), and the ring variance
    var_ring(S) (units, n_masks) without the regulariser. The masks are nested, so with the
    lags sorted by radius each ring sum is a running sum of annulus sums.
    """
    u, m, _ = sacs.shape
    rows, cuts, op = _rotation_operator((m + 1) // 2, inner, tuple(outers))
    area = 2.0 * cuts[:, None]  # (K, 1)

    starts = np.concatenate([[0], cuts[:-1]])
    full = np.flatnonzero(cuts > starts)  # small maps have annuli without lattice points

    def ring_sums(v: np.ndarray) -> np.ndarray:  # (..., H, U) -> (..., K, U), both halves
        seg = np.zeros((*v.shape[:-2], cuts.size, v.shape[-1]))
        seg[..., full, :] = np.add.reduceat(v, starts[full], axis=-2)
        return 2.0 * seg.cumsum(axis=-2)

    coef = ndi.spline_filter1d(sacs, 3, axis=1, mode="constant")
    coef = ndi.spline_filter1d(coef, 3, axis=2, mode="constant")
    rot = (op @ coef.reshape(u, m * m).T).reshape(len(ANGLES), -1, u)  # (A, H, U)
    s = np.ascontiguousarray(sacs.reshape(u, m * m)[:, rows].T)  # (H, U)
    a, b = ring_sums(s), ring_sums(s * s)  # (K, U)
    c, d = ring_sums(s * rot), ring_sums(rot)  # (A, K, U)
    mu = a / area
    var = np.maximum(b / area - mu**2, 0.0)
    corr = (c - mu * d - mu * a + mu**2 * area) / area / (var + VARIANCE_EPS)
    return corr.transpose(2, 1, 0), var.T


# --------------------------------------------------------------------------------------------
# The batched scorer


@dataclass
class GridScores:
    """Per-unit grid scores of a layer (arrays of length ``units`` unless noted).

    ``best_mask_*`` index :data:`MASK_OUTERS` (radii in bins: ``mask_radii[best_mask_*]``).
    ``grid_like`` is the project's default classification: 60-degree score above ``threshold``
    and, in gridcore mode, not degenerate (``reason`` says why a unit is degenerate).
    """

    grid_score_60: np.ndarray
    grid_score_90: np.ndarray
    best_mask_60: np.ndarray
    best_mask_90: np.ndarray
    ring_variance_60: np.ndarray  # SAC variance in the best 60-degree ring (no regulariser)
    sacs: np.ndarray  # (units, 2n-1, 2n-1)
    degenerate: np.ndarray
    reason: np.ndarray
    grid_like: np.ndarray
    scale_m: np.ndarray
    orientation_deg: np.ndarray
    ellipticity: np.ndarray
    spacing_cv: np.ndarray
    mask_radii: np.ndarray  # (n_masks, 2) inner, outer radius in bins
    threshold: float = PAPER_THRESHOLD
    mode: str = "gridcore"
    flag_degenerate: bool = True
    score_variant: str = "mean"
    nbins: int = 32
    bin_size_m: tuple[float, float] = (BOX_SIZE_M / 32, BOX_SIZE_M / 32)

    @property
    def n_units(self) -> int:
        return int(self.grid_score_60.size)

    @property
    def best_ring_60(self) -> np.ndarray:
        """(units, 2) inner and outer radius, in bins, of each unit's best 60-degree ring."""
        return self.mask_radii[self.best_mask_60]

    @property
    def scaled_units(self) -> np.ndarray:
        """Indices of the grid-like units whose scale could be measured (their scales,
        ``scale_m[scaled_units]`` in m, are what grid modules are counted among)."""
        return np.flatnonzero(self.grid_like & np.isfinite(self.scale_m))

    def classify(self, threshold: float | None = None) -> np.ndarray:
        """Grid-like units at ``threshold`` (default: this object's); degenerate units are
        excluded when ``flag_degenerate`` (gridcore mode)."""
        t = self.threshold if threshold is None else threshold
        above = self.grid_score_60 > t
        return above & ~self.degenerate if self.flag_degenerate else above

    def fraction(self, threshold: float | None = None) -> float:
        """Fraction of all units that are grid-like at ``threshold``."""
        return float(self.classify(threshold).mean()) if self.n_units else float("nan")

    def summary(self, shuffle_threshold: float | None = None) -> dict[str, Any]:
        """Headline numbers: fractions at 0.37, 0.8 (and a shuffle threshold), degeneracy."""
        gl = self.grid_like
        out: dict[str, Any] = {
            "n_units": self.n_units,
            "mode": self.mode,
            "score_variant": self.score_variant,
            "nbins": self.nbins,
            "threshold": self.threshold,
            "fraction_grid_like": self.fraction(),
            f"fraction_above_{PAPER_THRESHOLD}": self.fraction(PAPER_THRESHOLD),
            f"fraction_above_{STRICT_THRESHOLD}": self.fraction(STRICT_THRESHOLD),
            "n_degenerate": int(self.degenerate.sum()),
            "degenerate_reasons": dict(Counter(r for r in self.reason if r)),
            "max_grid_score_60": _nanfloat(np.max, self.grid_score_60),
            "median_grid_score_60": _nanfloat(np.median, self.grid_score_60),
            "median_scale_m_grid_like": _nanfloat(np.nanmedian, self.scale_m[gl]),
        }
        if shuffle_threshold is not None:
            out["shuffle_threshold"] = float(shuffle_threshold)
            out["fraction_above_shuffle"] = self.fraction(shuffle_threshold)
        return out

    def to_dict(self, include_sacs: bool = False) -> dict[str, Any]:
        """JSON-ready dict: summary plus per-unit lists (NaN -> None)."""
        names = [
            "grid_score_60",
            "grid_score_90",
            "best_mask_60",
            "best_mask_90",
            "ring_variance_60",
            "degenerate",
            "reason",
            "grid_like",
            "scale_m",
            "orientation_deg",
            "ellipticity",
            "spacing_cv",
        ]
        if include_sacs:
            names.append("sacs")
        units = {k: jsonable(getattr(self, k)) for k in names}
        return {"summary": self.summary(), "mask_radii": jsonable(self.mask_radii), **units}


def _nanfloat(fn, a: np.ndarray) -> float | None:
    if a.size == 0 or not np.isfinite(a).any():
        return None
    return float(fn(a[np.isfinite(a)]))


def jsonable(a: np.ndarray) -> list:
    a = np.asarray(a)
    if a.dtype.kind == "f":
        return np.where(np.isfinite(a), a, None).tolist()
    return a.tolist()


def score_batch(
    maps: np.ndarray, exclude_unvisited: bool, min_max: bool, chunk: int = 128, keep_sacs=True
):
    """Scores of (units, n, n) maps in chunks of units: s60, s90, i60, i90, ring var, SACs."""
    parts = []
    for lo in range(0, maps.shape[0], chunk):
        sac = autocorrelograms(maps[lo : lo + chunk], exclude_unvisited)
        corr, var = rotation_correlations(sac)
        c = {a: corr[..., k] for k, a in enumerate(ANGLES)}
        g60, g90 = _score_60(c, min_max), _score_90(c)
        i60, i90 = g60.argmax(axis=1), g90.argmax(axis=1)
        rows = np.arange(g60.shape[0])
        sac = sac if keep_sacs else None
        parts.append((g60[rows, i60], g90[rows, i90], i60, i90, var[rows, i60], sac))
    if len(parts) == 1:
        return parts[0]
    out = [np.concatenate(field) for field in zip(*[p[:5] for p in parts], strict=True)]
    return (*out, np.concatenate([p[5] for p in parts]) if keep_sacs else None)


def score_ratemaps(
    maps: np.ndarray,
    *,
    mode: str = "gridcore",
    score_variant: str = "mean",
    threshold: float = PAPER_THRESHOLD,
    box_width: float = BOX_SIZE_M,
    box_height: float = BOX_SIZE_M,
    exclude_unvisited: bool | None = None,
    flag_degenerate: bool | None = None,
    chunk: int = 128,
    **degenerate_kwargs: float,
) -> GridScores:
    """Grid scores of all units at once; ``maps`` is (units, n, n) with NaN for unvisited bins.

    ``mode="deepmind"`` reproduces DeepMind's scorer (:func:`reference_grid_score`) exactly:
    NaN bins count as visited zeros, and a unit is grid-like when its 60-degree score exceeds
    ``threshold``. ``mode="gridcore"`` (default) switches on two fixes, each also selectable on
    its own: ``exclude_unvisited`` leaves unvisited bins out of every lag's correlation, and
    ``flag_degenerate`` stops degenerate maps (see :func:`degenerate_reasons`, whose thresholds
    can be passed as keyword arguments) from counting as grid-like. Scores are reported either
    way. ``score_variant`` is "mean" (the paper's 60-degree score) or "minmax".
    """
    if mode not in ("gridcore", "deepmind"):
        raise ValueError(f"mode must be 'gridcore' or 'deepmind', got {mode!r}")
    if score_variant not in ("mean", "minmax"):
        raise ValueError(f"score_variant must be 'mean' or 'minmax', got {score_variant!r}")
    maps = check_maps(maps)
    gridcore = mode == "gridcore"
    exclude_unvisited = gridcore if exclude_unvisited is None else exclude_unvisited
    flag_degenerate = gridcore if flag_degenerate is None else flag_degenerate
    n = maps.shape[1]
    s60, s90, i60, i90, rvar, sacs = score_batch(
        maps, exclude_unvisited, score_variant == "minmax", chunk
    )
    reason = degenerate_reasons(maps, rvar, **degenerate_kwargs)
    degenerate = reason != ""
    above = s60 > threshold
    grid_like = above & ~degenerate if flag_degenerate else above
    geom = grid_geometry(sacs, box_width, box_height)
    if flag_degenerate:  # a flat or planar SAC has no meaningful peaks
        geom = {k: np.where(degenerate, np.nan, v) for k, v in geom.items()}
    return GridScores(
        grid_score_60=s60,
        grid_score_90=s90,
        best_mask_60=i60,
        best_mask_90=i90,
        ring_variance_60=rvar,
        sacs=sacs,
        degenerate=degenerate,
        reason=reason,
        grid_like=grid_like,
        mask_radii=mask_radii(n),
        threshold=float(threshold),
        mode=mode,
        flag_degenerate=flag_degenerate,
        score_variant=score_variant,
        nbins=n,
        bin_size_m=(box_width / n, box_height / n),
        **geom,
    )
