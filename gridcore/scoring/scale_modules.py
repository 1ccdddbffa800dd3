"""Grid modules: do the scales of grid-like units fall into discrete clusters?

numpy only. In rats, grid scales come in a few modules whose scales grow by a ratio of about
1.4-1.7 (Stensola et al. 2012); the paper found clusters near 47, 70 and 106 cm. Here a 1-D
Gaussian mixture is fitted to the scales, with the number of clusters chosen by BIC. This
measurement is gridcore's own; DeepMind's code has none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ScaleClusters:
    """A 1-D Gaussian mixture fitted to grid scales, with the number of clusters picked by BIC.

    ``means_m``, ``sds_m`` and ``weights`` are sorted by increasing mean; ``labels`` gives each
    input scale's most probable cluster; ``bic`` is the BIC of every k tried (index k - 1).
    """

    k: int
    means_m: np.ndarray
    sds_m: np.ndarray
    weights: np.ndarray
    labels: np.ndarray
    bic: np.ndarray
    scales_m: np.ndarray

    @property
    def ratios(self) -> np.ndarray:
        """Ratios of successive cluster centres (k - 1 values; the paper's are about 1.5)."""
        return self.means_m[1:] / self.means_m[:-1]

    def density(self, x_m: np.ndarray) -> np.ndarray:
        """Mixture density (per metre) at ``x_m``: the fitted curve over a histogram."""
        x = np.asarray(x_m, dtype=np.float64)[..., None]
        z = (x - self.means_m) / self.sds_m
        comp = self.weights * np.exp(-0.5 * z**2) / (self.sds_m * np.sqrt(2 * np.pi))
        return comp.sum(axis=-1)


def _gmm_1d(
    x: np.ndarray, k: int, rng: np.random.Generator, restarts: int, min_sd: float, tol: float = 1e-9
):
    """Best of ``restarts`` EM fits of a k-component 1-D mixture: (loglik, means, sds, weights),
    each stopped when the log-likelihood improves by less than ``tol`` of itself."""
    n = x.size
    best = (-np.inf, None, None, None)
    for r in range(restarts):
        if r == 0:  # spread over the quantiles
            means = np.quantile(x, (np.arange(k) + 0.5) / k)
        else:
            means = rng.choice(x, size=k, replace=False)
        sds = np.full(k, max(x.std() / k, min_sd))
        weights = np.full(k, 1.0 / k)
        prev = -np.inf
        for _ in range(500):
            z = (x[:, None] - means) / sds
            logp = np.log(weights) - 0.5 * z**2 - np.log(sds * np.sqrt(2 * np.pi))
            top = logp.max(axis=1, keepdims=True)
            loglik_i = top[:, 0] + np.log(np.exp(logp - top).sum(axis=1))
            loglik = float(loglik_i.sum())
            resp = np.exp(logp - loglik_i[:, None])
            nk = resp.sum(axis=0) + 1e-12
            weights = nk / n
            means = (resp * x[:, None]).sum(axis=0) / nk
            sds = np.sqrt((resp * (x[:, None] - means) ** 2).sum(axis=0) / nk)
            sds = np.maximum(sds, min_sd)
            if loglik - prev < tol * abs(loglik) + 1e-12:
                break
            prev = loglik
        if loglik > best[0]:
            best = (loglik, means, sds, weights)
    return best


def cluster_scales(
    scales_m: np.ndarray,
    max_k: int = 4,
    min_sd: float = 0.01,
    restarts: int = 10,
    seed: int = 0,
    tol: float = 1e-9,
) -> ScaleClusters:
    """Fit 1-D Gaussian mixtures with 1..``max_k`` components to grid scales (metres) by EM and
    keep the one with the lowest BIC, -2 log L + (3k - 1) log n.

    NaN scales are dropped. ``min_sd`` (metres) floors each component's SD: scales are measured
    to a fraction of a bin, and a component may not collapse onto a few identical values.
    With fewer than 2 scales, or fewer than 3 per extra component, k stays small.
    """
    x = np.asarray(scales_m, dtype=np.float64).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        raise ValueError("no finite scales to cluster")
    rng = np.random.default_rng(seed)
    fits, bics = [], []
    for k in range(1, max(1, min(max_k, x.size // 3)) + 1):
        loglik, means, sds, weights = _gmm_1d(x, k, rng, restarts if k > 1 else 1, min_sd, tol)
        bics.append(-2 * loglik + (3 * k - 1) * np.log(x.size))
        fits.append((means, sds, weights))
    k = int(np.argmin(bics)) + 1
    means, sds, weights = fits[k - 1]
    order = np.argsort(means)
    means, sds, weights = means[order], sds[order], weights[order]
    z = (x[:, None] - means) / sds
    labels = np.argmax(np.log(weights) - 0.5 * z**2 - np.log(sds), axis=1)
    return ScaleClusters(k, means, sds, weights, labels, np.array(bics), x)


@dataclass
class Discreteness:
    """Whether grid scales fall into discrete modules more than a continuum of scales would.

    ``delta_bic`` is BIC(1 cluster) - BIC(the best number of clusters), in nats-scale BIC units:
    0 when one cluster is best, larger the more several clusters explain the scales. ``null`` is
    the same statistic for each of ``n`` sets of scales drawn from one Gaussian with the scales'
    own mean and SD (a parametric bootstrap), and ``p_value`` the share of those at least as
    large as the measured one, (1 + count) / (1 + n).
    """

    k: int
    delta_bic: float
    null: np.ndarray
    p_value: float
    clusters: ScaleClusters

    @property
    def discrete(self) -> bool:
        """Several clusters (k > 1) whose BIC gain beats the null at the 5 % level (p <= 0.05)."""
        return self.k > 1 and self.p_value <= 0.05


def _delta_bic(scales_m: np.ndarray, max_k: int, min_sd: float, restarts: int, seed: int):
    fit = cluster_scales(scales_m, max_k, min_sd, restarts, seed, tol=1e-6)
    return fit, float(fit.bic[0] - fit.bic.min())


def discreteness_test(
    scales_m: np.ndarray,
    n_null: int = 100,
    max_k: int = 4,
    min_sd: float = 0.01,
    restarts: int = 3,
    seed: int = 0,
) -> Discreteness:
    """Test whether grid scales (metres) come in modules: the BIC gain of the best mixture over
    a single cluster (:func:`cluster_scales`), against the gains found in ``n_null`` sets of as
    many scales drawn from a single Gaussian of the same mean and SD.

    A mixture always fits a finite sample a little better than one Gaussian does; the null
    measures how much better by chance alone, so a network with one broad spread of scales is
    not called modular. This is gridcore's version of the paper's comparison against shuffled
    scales: the null keeps the scales' mean and spread and removes any clustering.
    """
    x = np.asarray(scales_m, dtype=np.float64).ravel()
    x = x[np.isfinite(x)]
    if x.size < 6:
        raise ValueError(f"a discreteness test needs at least 6 finite scales, got {x.size}")
    if n_null < 1:
        raise ValueError("n_null must be >= 1")
    fit, observed = _delta_bic(x, max_k, min_sd, restarts, seed)
    rng = np.random.default_rng(seed)
    sd = max(float(x.std()), min_sd)
    null = np.array(
        [
            _delta_bic(rng.normal(x.mean(), sd, x.size), max_k, min_sd, restarts, seed + 1 + i)[1]
            for i in range(n_null)
        ]
    )
    p = (1 + int((null >= observed - 1e-9).sum())) / (1 + n_null)
    return Discreteness(fit.k, observed, null, p, fit)
