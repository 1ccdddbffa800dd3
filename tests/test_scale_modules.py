"""Grid modules: a 1-D Gaussian mixture over grid scales, its size chosen by BIC."""

from __future__ import annotations

import numpy as np
import pytest

from gridcore.scoring import scale_modules


def test_cluster_scales_finds_three_modules():
    rng = np.random.default_rng(0)
    centres = np.array([0.47, 0.70, 1.06])
    x = np.concatenate([rng.normal(c, 0.025, 25) for c in centres] + [[np.nan]])
    cl = scale_modules.cluster_scales(x)
    assert cl.k == 3 and cl.bic.size == 4
    np.testing.assert_allclose(cl.means_m, centres, atol=0.03)
    np.testing.assert_allclose(cl.ratios, centres[1:] / centres[:-1], atol=0.07)
    assert cl.weights.sum() == pytest.approx(1.0)
    assert cl.labels.size == 75 and set(cl.labels.tolist()) == {0, 1, 2}
    grid = np.linspace(0, 2, 4001)
    assert np.trapezoid(cl.density(grid), grid) == pytest.approx(1.0, abs=1e-3)


def test_cluster_scales_keeps_one_cluster_for_one_blob():
    x = np.random.default_rng(1).normal(1.3, 0.2, 60)
    cl = scale_modules.cluster_scales(x)
    assert cl.k == 1 and cl.ratios.size == 0
    assert cl.means_m[0] == pytest.approx(x.mean())
    assert scale_modules.cluster_scales([0.5, 0.6]).k == 1
    with pytest.raises(ValueError):
        scale_modules.cluster_scales([np.nan])


def test_bic_and_density_follow_their_formulas():
    """The one-cluster fit is the sample's mean and SD; BIC and density are recomputed here."""
    x = np.random.default_rng(2).normal(0.8, 0.1, 40)
    cl = scale_modules.cluster_scales(x, max_k=1)
    assert cl.k == 1 and cl.bic.size == 1
    mu, sd = x.mean(), x.std()
    assert cl.sds_m[0] == pytest.approx(sd, rel=1e-6)
    loglik = np.sum(-0.5 * ((x - mu) / sd) ** 2 - np.log(sd * np.sqrt(2 * np.pi)))
    assert cl.bic[0] == pytest.approx(-2 * loglik + 2 * np.log(x.size), rel=1e-9)
    at = np.array([0.5, 0.8, 1.1])
    want = np.exp(-0.5 * ((at - mu) / sd) ** 2) / (sd * np.sqrt(2 * np.pi))
    np.testing.assert_allclose(cl.density(at), want, rtol=1e-6)
    tight = scale_modules.cluster_scales(np.full(9, 0.5), max_k=1, min_sd=0.02)
    assert tight.sds_m[0] == 0.02  # identical scales do not collapse the component


def test_discreteness_test_tells_modules_from_a_continuum():
    rng = np.random.default_rng(3)
    two = np.concatenate([rng.normal(0.6, 0.03, 20), rng.normal(0.9, 0.04, 20)])
    found = scale_modules.discreteness_test(two, n_null=19, seed=1)
    assert found.k == 2 and found.discrete
    assert found.p_value == pytest.approx(1 / 20)  # no null draw gains as much
    assert found.delta_bic == pytest.approx(found.clusters.bic[0] - found.clusters.bic.min())
    assert found.null.shape == (19,) and np.all(found.null >= 0)
    np.testing.assert_allclose(found.clusters.ratios, [1.5], atol=0.1)
    # One broad spread of the same mean and SD is not modular.
    blob = rng.normal(two.mean(), two.std(), 40)
    single = scale_modules.discreteness_test(blob, n_null=19, seed=1)
    assert not single.discrete and single.p_value > 0.05


def test_discreteness_test_refuses_too_few_scales():
    with pytest.raises(ValueError, match="at least 6"):
        scale_modules.discreteness_test([0.5, 0.6, np.nan, 0.7])
    with pytest.raises(ValueError, match="n_null"):
        scale_modules.discreteness_test(np.linspace(0.4, 1, 10), n_null=0)
