"""Synthetic maps: each has the geometry it is built with, and the scorer sees it."""

from __future__ import annotations

import numpy as np
import pytest

from gridcore.scoring import scores as S
from gridcore.scoring import synthetic


@pytest.mark.parametrize("orientation", [0.0, 17.0, 41.0])
def test_hexagonal_map_has_its_spacing_and_orientation(orientation):
    m = synthetic.hexagonal_map(
        40, spacing=0.55, orientation_deg=orientation, phases=(0.2, 1.1, 2.5)
    )
    res = S.score_ratemaps(m[None])
    assert res.grid_like[0] and res.grid_score_60[0] > 1.0
    assert res.scale_m[0] == pytest.approx(0.55, abs=0.04)
    diff = (res.orientation_deg[0] - orientation + 30) % 60 - 30
    assert abs(diff) < 3


def test_square_stripes_and_ramp_maps():
    sq = S.score_ratemaps(synthetic.square_map(32, 0.6, 10.0)[None])
    assert sq.grid_score_90[0] > 0.8 and not sq.grid_like[0]
    stripes = synthetic.plane_wave_map(32, 0.5, [20.0])
    assert S.score_ratemaps(stripes[None]).grid_score_60[0] < 0.37
    ramp = synthetic.ramp_map(32, angle_deg=60, noise=0.02, seed=3)
    dm, gc = S.score_ratemaps(ramp[None], mode="deepmind"), S.score_ratemaps(ramp[None])
    assert dm.grid_like[0] and not gc.grid_like[0] and gc.reason[0] == "ramp"
    clean = synthetic.ramp_map(32, angle_deg=0, noise=0.0)
    assert clean[1, 0] > clean[0, 0] and np.allclose(clean[:, 0], clean[:, 5])


def test_hexagonal_fields_sit_on_the_lattice():
    """Fields (value 3: every wave at its crest) at the origin and at ``spacing`` along
    ``orientation_deg`` + k 60 degrees; troughs halfway between neighbouring fields."""
    spacing, orientation, nbins = 0.5, 20.0, 221  # 1 cm bins over the 2.2 m box
    m = synthetic.hexagonal_map(nbins, spacing, orientation)
    centres = (np.arange(nbins) + 0.5) / nbins * 2.2 - 1.1

    def at(x, y):  # the map at the bin centre nearest to (x, y)
        return m[np.abs(centres - x).argmin(), np.abs(centres - y).argmin()]

    assert at(0.0, 0.0) > 2.95 and m.max() <= 3.0
    for a in np.radians(orientation + 60.0 * np.arange(6)):
        assert at(spacing * np.cos(a), spacing * np.sin(a)) > 2.95
        assert at(spacing / 2 * np.cos(a), spacing / 2 * np.sin(a)) < -0.9
        b = a + np.radians(30.0)  # between two lattice directions: no field there
        assert at(spacing * np.cos(b), spacing * np.sin(b)) < 1.0


def test_ramp_rises_one_per_metre_and_follows_the_box():
    ramp = synthetic.ramp_map(10, angle_deg=0.0, box_width=2.0, box_height=1.0)
    np.testing.assert_allclose(np.diff(ramp, axis=0), 0.2)  # 2 m in 10 bins, 1 per metre
    np.testing.assert_allclose(np.diff(ramp, axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(ramp[:, 0], np.linspace(-0.9, 0.9, 10))  # bin centres in x
    diagonal = synthetic.ramp_map(8, angle_deg=90.0, noise=0.0)
    np.testing.assert_allclose(np.diff(diagonal, axis=1), 2.2 / 8)
    noisy = synthetic.ramp_map(8, noise=0.5, seed=1)
    assert np.array_equal(noisy, synthetic.ramp_map(8, noise=0.5, seed=1))
    assert 0.2 < (noisy - synthetic.ramp_map(8)).std() < 0.8
