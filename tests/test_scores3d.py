import numpy as np
import pytest

from gridcore.scoring.scores3d import (
    autocorrelograms_3d,
    axis_variance_fractions,
    lattice_maps,
    lattice_neighbours,
    sac_peaks,
    score_volume_maps,
    shuffle_bins_3d,
    smooth_volume_maps,
    steinhardt_q,
    volume_shuffle_null,
)


def test_q6_of_the_close_packings_is_steinhardts():
    """Steinhardt et al. (1983), Table I: Q6 = 0.575 (FCC) and 0.485 (HCP); a rotation
    leaves it unchanged."""
    fcc = lattice_neighbours("fcc")
    assert len(fcc) == 12 and np.allclose(np.linalg.norm(fcc, axis=1), 1)
    assert steinhardt_q(fcc) == pytest.approx(0.575, abs=5e-4)
    assert steinhardt_q(lattice_neighbours("hcp")) == pytest.approx(0.485, abs=5e-4)
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))
    assert steinhardt_q(fcc @ q.T) == pytest.approx(steinhardt_q(fcc))
    rng = np.random.default_rng(1)
    random = np.mean([steinhardt_q(rng.normal(size=(12, 3))) for _ in range(300)])
    assert 0.2 < random < 0.4


def brute_sac(m, lag):
    n = m.shape[0]
    a, b = [], []
    for i in np.ndindex(m.shape):
        j = tuple(np.add(i, lag))
        if all(0 <= x < n for x in j) and np.isfinite(m[i]) and np.isfinite(m[j]):
            a.append(m[i])
            b.append(m[j])
    return np.corrcoef(a, b)[0, 1]


def test_sac_is_the_pearson_correlation_at_each_lag():
    m = np.random.default_rng(2).normal(size=(5, 5, 5))
    m[0, 0, 0] = m[2, 3, 1] = np.nan
    sac = autocorrelograms_3d(m, min_overlap=3)[0]
    assert sac.shape == (9, 9, 9) and sac[4, 4, 4] == pytest.approx(1.0)
    for lag in [(1, 0, 0), (0, -2, 1), (3, 1, -1), (-2, -2, 2)]:
        assert sac[tuple(np.add(lag, 4))] == pytest.approx(brute_sac(m, lag))
    np.testing.assert_allclose(sac, sac[::-1, ::-1, ::-1], atol=1e-12)  # point symmetry
    assert np.isnan(autocorrelograms_3d(m, min_overlap=20)[0, 0, 0, 0])


def test_smoothing_keeps_unvisited_bins_and_constant_maps():
    m = np.full((6, 6, 6), 2.0)
    m[1, 2, 3] = np.nan
    s = smooth_volume_maps(m, 1.0)[0]
    assert np.isnan(s[1, 2, 3]) and np.allclose(s[np.isfinite(s)], 2.0)


def test_a_lattice_scores_high_and_regular_random_fields_lower():
    kw = {"nbins": 16, "edge": 2.2, "spacing": 0.5, "width": 0.08}
    fcc = np.stack([lattice_maps("fcc", seed=s, **kw) for s in range(3)])
    rnd = np.stack([lattice_maps("random", seed=s, **kw) for s in range(3)])
    a, b = score_volume_maps(fcc, 2.2), score_volume_maps(rnd, 2.2)
    assert (a.n_peaks == 12).all()
    assert a.q6.min() > 0.55 and not np.any(b.q6 >= a.q6.min())
    np.testing.assert_allclose(a.spacing, 0.5, rtol=0.1)  # the lattice's spacing, in metres
    assert a.spacing_cv.max() < 0.05
    null = volume_shuffle_null(np.concatenate([fcc, rnd]), 2.2, n_shuffles=2, seed=0)
    assert null.q6.shape == (12,)
    assert a.fraction_above(null.threshold) == 1.0


def test_peaks_are_nearest_first_and_exclude_the_centre():
    sac = np.zeros((9, 9, 9))
    sac[4, 4, 4] = 1
    sac[4, 4, 7] = sac[4, 4, 1] = 0.5
    sac[4, 6, 4] = sac[4, 2, 4] = 0.4
    lags = sac_peaks(sac, n_peaks=3)
    assert np.allclose(np.abs(lags[:2]), [[0, 2, 0], [0, 2, 0]])
    assert np.allclose(np.abs(lags[2]), [0, 0, 3])


def test_shuffling_keeps_values_and_unvisited_bins():
    m = np.random.default_rng(3).normal(size=(2, 4, 4, 4))
    m[0, 0, 0, 0] = np.nan
    s = shuffle_bins_3d(m, np.random.default_rng(0))
    assert np.isnan(s[0, 0, 0, 0]) and np.isfinite(s[1]).all()
    np.testing.assert_allclose(np.sort(s[1].ravel()), np.sort(m[1].ravel()))
    assert not np.allclose(s[1], m[1])


def test_far_peaks_are_not_neighbours():
    """A single broad field has local maxima in its SAC only far from the centre: no Q6."""
    x = (np.arange(12) + 0.5) / 12 * 2.2 - 1.1
    g = np.stack(np.meshgrid(x, x, x, indexing="ij"), -1)
    blob = np.exp(-((g - 0.6) ** 2).sum(-1) / (2 * 0.3**2))
    res = score_volume_maps(blob, 2.2)
    assert np.isnan(res.q6[0]) and res.fraction_above(-np.inf) == 0.0
    assert len(sac_peaks(res.sacs[0], max_lag=6)) < 12


def test_axis_variance_fractions():
    x = np.linspace(-1, 1, 6)
    gx, gy, gz = np.meshgrid(x, x, x, indexing="ij")
    maps = np.stack([gz, np.sin(3 * gx), gx * gy * gz + 0.0])
    f = axis_variance_fractions(maps)
    np.testing.assert_allclose(f[0], [0, 0, 1], atol=1e-12)
    np.testing.assert_allclose(f[1], [1, 0, 0], atol=1e-12)
    np.testing.assert_allclose(f[2], [0, 0, 0], atol=1e-12)
