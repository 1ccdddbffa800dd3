"""What a ratemap and its spatial autocorrelogram look like, beyond the grid score: why a map
cannot be judged at all (:func:`degenerate_reasons`), and the grid's scale, orientation and peak
positions read from its SAC (:func:`grid_geometry`).

numpy and scipy only; :mod:`gridcore.scoring.scores` calls both for every unit it scores. Scales are
in metres, orientations in degrees; the conventions for maps and SACs are
:mod:`gridcore.scoring.scores`'. Both measurements are gridcore's own: DeepMind's code has neither.
"""

from __future__ import annotations

import numpy as np
import scipy.ndimage as ndi

from gridcore.paper import BOX_SIZE_M


def degenerate_reasons(
    maps: np.ndarray,
    ring_variance: np.ndarray | None = None,
    *,
    min_visited: float = 0.5,
    dead_atol: float = 1e-9,
    const_rtol: float = 1e-6,
    ramp_r2: float = 0.9,
    min_ring_var: float = 1e-3,
) -> np.ndarray:
    """Why each map cannot be judged a grid cell; '' when it can. Returns a str array (units,).

    In order of precedence:

    * 'too few visited bins': fewer than ``min_visited`` of the bins are finite;
    * 'dead': every visited bin is within ``dead_atol`` of zero;
    * 'constant': spatial SD below ``const_rtol`` times the largest |value|;
    * 'ramp': a plane a + b x + c y explains more than ``ramp_r2`` of the spatial variance
      (a ramp's SAC is close to 1 at every lag, so its ring correlations are noise);
    * 'flat SAC in ring': the SAC's variance inside the best 60-degree ring (``ring_variance``)
      is below ``min_ring_var``, so the 1e-5-regularised correlations are meaningless. A real
      grid SAC swings between about -0.5 and 1 in the ring (variance ~0.1).
    """
    maps = np.asarray(maps, dtype=np.float64)
    u, n, _ = maps.shape
    w = np.isfinite(maps).reshape(u, -1)
    x = np.where(w, maps.reshape(u, -1), 0.0)
    nvis = w.sum(axis=1)
    safe = np.maximum(nvis, 1)
    xc = np.where(w, x - (x.sum(axis=1) / safe)[:, None], 0.0)
    ss = (xc**2).sum(axis=1)
    peak = np.abs(x).max(axis=1)
    # Plane fit over the visited bins: least squares on the centred coordinates.
    c = np.arange(n) - (n - 1) / 2
    gx, gy = np.meshgrid(c, c, indexing="ij")
    g = np.stack([gx.ravel(), gy.ravel()], axis=1)  # (n*n, 2)
    wf = w.astype(np.float64)
    moments = wf @ np.stack([g[:, 0] ** 2, g[:, 0] * g[:, 1], g[:, 1] ** 2], axis=1)
    first = wf @ g  # (U, 2)
    gram = (
        moments[:, [0, 1, 1, 2]].reshape(u, 2, 2)
        - first[:, :, None] * first[:, None, :] / safe[:, None, None]
    )
    gram += 1e-9 * np.eye(2)
    rhs = xc @ g  # (U, 2); xc has zero mean, so g needs no centring here
    explained = np.einsum("ua,ua->u", rhs, np.linalg.solve(gram, rhs[..., None])[..., 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.where(ss > 0, explained / ss, 0.0)
        sd = np.sqrt(ss / safe)
    reason = np.full(u, "", dtype=object)
    rules = [
        (nvis < min_visited * n * n, "too few visited bins"),
        (peak <= dead_atol, "dead"),
        (sd <= const_rtol * peak, "constant"),
        (r2 > ramp_r2, "ramp"),
    ]
    if ring_variance is not None:
        rules.append((np.asarray(ring_variance) < min_ring_var, "flat SAC in ring"))
    for hit, why in rules:
        reason[(reason == "") & hit] = why
    return reason.astype(str)


def grid_geometry(
    sacs: np.ndarray,
    box_width: float = BOX_SIZE_M,
    box_height: float = BOX_SIZE_M,
    min_peak: float = 0.0,
    footprint: int = 5,
) -> dict[str, np.ndarray]:
    """Scale, orientation and regularity of the hexagon of SAC peaks around the centre.

    Peaks are local maxima of the SAC (``footprint`` x ``footprint`` maximum filter) above
    ``min_peak`` within n bins of the centre, refined to sub-bin precision by parabolic fits;
    the central peak is excluded and the six nearest are kept. Returns per-unit arrays:

    * ``scale_m``: median distance of the six peaks, metres (the grid spacing);
    * ``orientation_deg``: hexagonal mean angle of the six peaks from the x axis, in [0, 60);
    * ``ellipticity``: major/minor axis ratio of the six peak vectors' second moments
      (1 for a regular hexagon);
    * ``spacing_cv``: SD / mean of the six distances (0 for a regular hexagon).

    NaN where fewer than six peaks are found.
    """
    u, m, _ = sacs.shape
    n = (m + 1) // 2
    lag = np.arange(m) - (n - 1.0)
    r = np.hypot(lag[:, None], lag[None, :])
    peaks = ndi.maximum_filter(sacs, size=(1, footprint, footprint), mode="constant", cval=-np.inf)
    is_peak = (sacs >= peaks) & (sacs > min_peak) & (r > 0) & (r <= n)
    is_peak[:, [0, -1], :] = False
    is_peak[:, :, [0, -1]] = False
    dist = np.where(is_peak, r, np.inf).reshape(u, -1)
    nearest = np.argpartition(dist, 5, axis=1)[:, :6]
    found = np.isfinite(np.take_along_axis(dist, nearest, axis=1)).all(axis=1)
    pi, pj = np.divmod(nearest, m)
    uu = np.arange(u)[:, None]

    def vertex(f0: np.ndarray, fm: np.ndarray, fp: np.ndarray) -> np.ndarray:
        curv = fm - 2 * f0 + fp
        return np.where(curv < 0, 0.5 * (fm - fp) / np.where(curv < 0, curv, -1.0), 0.0)

    f0 = sacs[uu, pi, pj]
    lim = (0, m - 1)
    di = vertex(f0, sacs[uu, np.clip(pi - 1, *lim), pj], sacs[uu, np.clip(pi + 1, *lim), pj])
    dj = vertex(f0, sacs[uu, pi, np.clip(pj - 1, *lim)], sacs[uu, pi, np.clip(pj + 1, *lim)])
    vx = (pi + di - (n - 1)) * box_width / n
    vy = (pj + dj - (n - 1)) * box_height / n
    d = np.hypot(vx, vy)
    theta = np.arctan2(vy, vx)
    orient = np.degrees(np.angle(np.exp(6j * theta).sum(axis=1)) / 6) % 60
    cov = np.stack([(vx * vx).mean(1), (vx * vy).mean(1), (vy * vy).mean(1)], axis=1)
    tr, det = cov[:, 0] + cov[:, 2], cov[:, 0] * cov[:, 2] - cov[:, 1] ** 2
    disc = np.sqrt(np.maximum(tr**2 / 4 - det, 0))
    with np.errstate(invalid="ignore", divide="ignore"):
        ellip = np.sqrt((tr / 2 + disc) / (tr / 2 - disc))
    out = {
        "scale_m": np.median(d, axis=1),
        "orientation_deg": orient,
        "ellipticity": ellip,
        "spacing_cv": d.std(axis=1) / d.mean(axis=1),
    }
    return {k: np.where(found, v, np.nan) for k, v in out.items()}
