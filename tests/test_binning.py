"""Ratemap binning: per-bin means, the bin layout, unvisited bins and ratemap files."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binned_statistic_2d

from gridcore.errors import GridcoreError
from gridcore.scoring import binning


def test_accumulator_matches_binned_statistic_and_streams():
    rng = np.random.default_rng(0)
    pos = rng.uniform(-1.2, 1.2, size=(3000, 2))  # some points fall outside the box
    pos[:5] = [[1.1, 1.1], [-1.1, -1.1], [1.1, 0.0], [0.0, -1.1], [0.3, 1.1]]  # edges
    act = rng.normal(size=(3000, 4))
    acc = binning.RatemapAccumulator(4, nbins=10)
    for chunk in np.array_split(np.arange(3000), 7):
        acc.add(pos[chunk], act[chunk])
    maps = acc.ratemaps()
    for u in range(4):
        ref = binned_statistic_2d(
            pos[:, 0], pos[:, 1], act[:, u], "mean", bins=10, range=[[-1.1, 1.1], [-1.1, 1.1]]
        ).statistic
        np.testing.assert_allclose(maps[u], ref, rtol=1e-12, atol=1e-12, equal_nan=True)
    inside = (np.abs(pos) <= 1.1).all(axis=1)
    assert acc.occupancy().sum() == inside.sum()


def test_unvisited_bins_are_nan_and_leading_dims_flatten():
    pos = np.array([[[-1.0, -1.0], [-1.0, -1.0]], [[0.5, 0.9], [1.0, 1.0]]])  # (batch, time, 2)
    act = np.arange(8.0).reshape(2, 2, 2)
    maps = binning.ratemaps_from_points(pos, act, nbins=4)
    assert maps.shape == (2, 4, 4)
    assert np.isfinite(maps[0]).sum() == 3
    assert maps[0, 0, 0] == pytest.approx(1.0)  # mean of 0 and 2
    assert maps[1, 2, 3] == pytest.approx(5.0)  # x on the first axis, y on the second
    assert np.isnan(maps[1, 3, 2])
    assert np.isnan(maps[:, 1, 1]).all()


def test_rectangular_box_bins_each_axis_by_its_own_side():
    acc = binning.RatemapAccumulator(1, nbins=4, box_width=4.0, box_height=1.0)
    # x in [-2, 2] in 1 m bins, y in [-0.5, 0.5] in 0.25 m bins; (2.5, 0) lies outside.
    idx = acc.bin_index(np.array([[-1.9, -0.49], [1.5, 0.3], [2.0, 0.5], [2.5, 0.0]]))
    np.testing.assert_array_equal(idx, [0 * 4 + 0, 3 * 4 + 3, 3 * 4 + 3, -1])
    with pytest.raises(ValueError):
        acc.add(np.zeros((3, 2)), np.zeros((2, 1)))
    with pytest.raises(ValueError):
        binning.RatemapAccumulator(0)


def test_check_maps_adds_a_unit_axis_and_rejects_bad_shapes():
    assert binning.check_maps(np.zeros((5, 5))).shape == (1, 5, 5)
    assert binning.check_maps(np.zeros((2, 4, 4), dtype=np.float32)).dtype == np.float64
    for shape in [(2, 4, 5), (2, 3, 3), (4,)]:
        with pytest.raises(ValueError, match=r"\(units, n, n\)"):
            binning.check_maps(np.zeros(shape))


def test_load_ratemaps_reads_npy_and_npz(tmp_path):
    maps = np.random.default_rng(1).normal(size=(3, 6, 6))
    np.save(tmp_path / "a.npy", maps)
    np.savez(tmp_path / "b.npz", ratemaps=maps, other=np.zeros(2))
    np.savez(tmp_path / "c.npz", maps=maps)
    np.testing.assert_array_equal(binning.load_ratemaps(tmp_path / "a.npy"), maps)
    np.testing.assert_array_equal(binning.load_ratemaps(tmp_path / "b.npz"), maps)
    with pytest.raises(GridcoreError, match="not a ratemap array"):
        binning.load_ratemaps(tmp_path / "c.npz")  # no ``ratemaps`` array in it
    with pytest.raises(GridcoreError, match="no such file"):
        binning.load_ratemaps(tmp_path / "missing.npy")


def test_time_shifts_stay_between_min_shift_and_its_complement():
    shifts = binning.time_shifts(np.random.default_rng(0), 100, 5000, 0.1)
    assert shifts.shape == (5000,) and shifts.min() == 10 and shifts.max() == 89
    assert (binning.time_shifts(np.random.default_rng(0), 3, 50, 0.1) == 1).all()  # at least 1
    rolled = binning.shift_in_time(np.arange(8.0)[:, None] * [1, 10], np.array([2, 7]))
    assert rolled[:, 1].tolist() == np.roll(np.arange(8.0) * 10, 7).tolist()
