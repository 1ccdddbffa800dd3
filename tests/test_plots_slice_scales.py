"""plot_slice_scales: every unit drawn once, in its read-out slice's colour, with its cluster's
marker and the cluster centres as lines."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from gridcore import plots as P  # noqa: E402
from gridcore.scoring.scale_modules import cluster_scales  # noqa: E402


def _network():
    rng = np.random.default_rng(0)
    units = np.sort(rng.choice(256, size=40, replace=False))
    slices = units // 128
    # The first slice small grids, the second larger ones, and three of the first slice large.
    scales = np.where(slices == 0, 0.6, 0.95) + rng.normal(0, 0.02, units.size)
    scales[np.flatnonzero(slices == 0)[:3]] = 0.95
    return units, scales, slices, cluster_scales(scales)


def test_each_unit_has_its_slice_colour_and_cluster_marker():
    units, scales, slices, clusters = _network()
    assert clusters.k == 2
    ax = P.plot_slice_scales(units, scales, slices, clusters, slice_labels=["6 cm", "14 cm"])
    drawn = {}
    for coll in ax.collections:
        colour = tuple(coll.get_facecolor()[0])
        for x, y in coll.get_offsets():
            assert int(x) not in drawn, "a unit drawn twice"
            drawn[int(x)] = (colour, y, coll.get_label())
    assert sorted(drawn) == units.tolist()
    for u, s, y, k in zip(units, slices, scales, clusters.labels, strict=True):
        colour, y_drawn, label = drawn[int(u)]
        assert colour[:3] == pytest.approx(to_rgba(f"C{s}")[:3])
        assert y_drawn == pytest.approx(y)
        assert label.endswith(f"cluster {k + 1}")
        assert label.startswith("6 cm" if u < 128 else "14 cm")
    centres = [line.get_ydata()[0] for line in ax.lines if line.get_linestyle() == "--"]
    assert centres == pytest.approx(list(clusters.means_m))


def test_lengths_must_agree():
    units, scales, slices, clusters = _network()
    with pytest.raises(ValueError):
        P.plot_slice_scales(units[:-1], scales[:-1], slices[:-1], clusters)
