import numpy as np
import pytest

from gridcore.scoring.binning3d import (
    VolumeAccumulator,
    map_correlations_3d,
    volume_ratemaps_from_points,
)


def test_bins_are_indexed_x_y_z_from_the_low_corner():
    acc = VolumeAccumulator(2, nbins=4, edge=2.0)
    pos = np.array([[-0.9, -0.9, -0.9], [0.9, -0.9, 0.1], [1.0, 1.0, 1.0], [1.5, 0, 0]])
    assert acc.bin_index(pos).tolist() == [0, (3 * 4 + 0) * 4 + 2, 63, -1]
    acc.add(pos, np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]))
    acc.add(pos[:1], np.array([[3.0, 0.0]]))
    maps = acc.ratemaps()
    assert maps.shape == (2, 4, 4, 4)
    assert maps[0, 0, 0, 0] == 2.0 and maps[1, 3, 0, 2] == 4.0 and maps[0, 3, 3, 3] == 5.0
    assert np.isnan(maps[0, 1, 1, 1])
    assert acc.occupancy().sum() == 4 and acc.occupancy()[0, 0, 0] == 2


def test_maps_from_points_match_a_histogram():
    rng = np.random.default_rng(0)
    pos = rng.uniform(-1.1, 1.1, size=(5000, 3))
    act = pos[:, :1] + 2 * pos[:, 2:]
    maps = volume_ratemaps_from_points(pos, act, nbins=5, edge=2.2)
    sums, _ = np.histogramdd(pos, bins=5, range=[(-1.1, 1.1)] * 3, weights=act[:, 0])
    counts, _ = np.histogramdd(pos, bins=5, range=[(-1.1, 1.1)] * 3)
    np.testing.assert_allclose(maps[0], sums / counts)


def test_split_half_correlation():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(3, 4, 4, 4))
    b = a.copy()
    b[1] = rng.normal(size=(4, 4, 4))
    b[2] = -a[2]
    b[0, 0, 0, 0] = np.nan
    r = map_correlations_3d(a, b)
    assert r[0] == pytest.approx(1.0) and abs(r[1]) < 0.4 and r[2] == pytest.approx(-1.0)
