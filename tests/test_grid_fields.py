"""Grid-like units measured as cells: fields per box, orientation spread, the summary table."""

from __future__ import annotations

import numpy as np
import pytest

from gridcore.analysis.grid_fields import (
    count_fields,
    grid_fields,
    lattice_fields,
    orientation_spread,
)
from gridcore.scoring import synthetic
from gridcore.scoring.scores import score_ratemaps


def _blobs(centres, nbins=32, width=1.5):
    x = np.arange(nbins)[:, None, None]
    y = np.arange(nbins)[None, :, None]
    cx, cy = np.asarray(centres, float).T
    return np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * width**2)).sum(-1)


def test_count_fields_counts_separate_blobs():
    assert count_fields(_blobs([(8, 8)])) == 1
    assert count_fields(_blobs([(6, 6), (6, 25), (25, 6), (25, 25)])) == 4


def test_count_fields_ignores_small_specks_and_flat_maps():
    speck = np.zeros((32, 32))
    speck[10, 10] = 1.0  # one bin, far below 200 cm^2
    assert count_fields(speck) == 0
    assert count_fields(speck, min_bins=1) == 1
    assert count_fields(np.ones((32, 32))) == 0
    assert count_fields(np.full((32, 32), np.nan)) == 0


def test_count_fields_of_a_hexagon_follows_the_lattice():
    for spacing in (0.5, 0.8):
        m = synthetic.hexagonal_map(32, spacing=spacing)
        expected = lattice_fields(spacing)
        assert abs(count_fields(m) - expected) <= 0.35 * expected


def test_orientation_spread_shared_and_even():
    r, p = orientation_spread(np.full(20, 12.0))
    assert r == pytest.approx(1.0) and p < 1e-6
    even = np.linspace(0, 60, 30, endpoint=False)
    r, p = orientation_spread(np.r_[even, np.nan])
    assert r == pytest.approx(0.0, abs=1e-9) and p > 0.5
    assert np.isnan(orientation_spread(np.array([np.nan]))[0])


def test_grid_fields_on_synthetic_units():
    maps = np.stack(
        [synthetic.hexagonal_map(32, spacing=0.6, orientation_deg=10, phases=(0.1 * k, 1.0, 2.0))
         for k in range(4)]
        + [synthetic.ramp_map(32, angle_deg=30)]
    )  # fmt: skip
    scores = score_ratemaps(maps, box_width=2.2, box_height=2.2)
    g = grid_fields(maps, scores)
    assert g.units == 4 and g.scaled == 4
    assert g.spacing_over_box == pytest.approx(0.6 / 2.2, rel=0.15)
    assert g.orientation_r > 0.9  # one orientation shared
    assert g.best_unit in range(4) and np.isfinite(g.best_scale_m)
    table = g.table()
    assert list(table.columns) == ["ours", "paper / rats"] and len(table) == 4
