"""Shuffle nulls: shuffled maps keep their values and holes, and the null sits below grids."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gridcore.scoring import scores as S
from gridcore.scoring import shuffles, synthetic


def random_hexagons(rng, n: int, count: int, noise: float = 0.0) -> np.ndarray:
    """``count`` ideal grids of random spacing, orientation and phase, plus Gaussian noise."""
    return np.stack(
        [
            synthetic.hexagonal_map(
                n, rng.uniform(0.45, 0.9), rng.uniform(0, 180), rng.uniform(0, 2 * np.pi, 3)
            )
            + noise * rng.normal(size=(n, n))
            for _ in range(count)
        ]
    )


@pytest.mark.parametrize("method", shuffles.SHUFFLE_METHODS)
def test_shuffles_keep_values_and_holes(method):
    rng = np.random.default_rng(10)
    maps = random_hexagons(rng, 20, 3)
    maps[:, :4, :3] = np.nan
    out = shuffles.shuffle_maps(maps, np.random.default_rng(1), method)
    for a, b in zip(maps, out, strict=True):
        np.testing.assert_allclose(np.sort(a[np.isfinite(a)]), np.sort(b[np.isfinite(b)]))
        if method != "shift":
            assert np.array_equal(np.isnan(a), np.isnan(b))
    assert not np.allclose(np.nan_to_num(out), np.nan_to_num(maps))


def test_shift_is_a_cyclic_shift_of_each_map():
    maps = np.random.default_rng(3).normal(size=(4, 9, 9))
    out = shuffles.shuffle_maps(maps, np.random.default_rng(2), "shift")
    for a, b in zip(maps, out, strict=True):
        assert any(
            np.array_equal(np.roll(a, (dx, dy), axis=(0, 1)), b)
            for dx in range(9)
            for dy in range(9)
        )
    with pytest.raises(ValueError):
        shuffles.shuffle_maps(maps, np.random.default_rng(0), "rotate")


def test_shuffle_threshold_separates_grids_from_null():
    maps = random_hexagons(np.random.default_rng(11), 20, 16, noise=0.3)
    null = shuffles.shuffle_threshold(maps, n_shuffles=3, seed=2)
    again = shuffles.shuffle_threshold(maps, n_shuffles=3, seed=2)
    assert null.threshold == again.threshold
    assert null.scores.shape == (16, 3) and null.unit_thresholds.shape == (16,)
    assert -0.5 < null.threshold < 1.0
    assert S.score_ratemaps(maps).fraction(null.threshold) > 0.9
    bins = shuffles.shuffle_threshold(maps, n_shuffles=2, method="bins")
    assert bins.threshold < 0.4
    json.dumps(null.to_dict())


def test_trajectory_shuffle_threshold():
    rng = np.random.default_rng(12)
    pos = rng.uniform(-1.1, 1.1, size=(50, 200, 2))
    x, y = pos[..., 0], pos[..., 1]
    act = np.stack([np.cos(6 * x), np.cos(5 * x + 4 * y)], axis=-1)
    null = shuffles.trajectory_shuffle_threshold(pos, act, n_shuffles=3, nbins=16)
    assert null.scores.shape == (2, 3) and np.isfinite(null.scores).all()
    assert null.method == "trajectory"
