"""Cell-type scores on synthetic units with a known answer, and the census of a network."""

from __future__ import annotations

import numpy as np
import pytest

from gridcore.scoring import celltypes as ct
from gridcore.scoring.synthetic import hexagonal_map

BOX = 1.0  # m, a small box keeps the walk short


def walk(steps: int = 40_000, seed: int = 0):
    """A rat in a BOX x BOX box: heading a random walk, speed drawn afresh each step
    (independent of place and heading), reflected at the walls. Positions (T, 2) m, headings
    (T,) rad, speeds (T,) m/s."""
    rng = np.random.default_rng(seed)
    dt = 0.02
    speeds = rng.rayleigh(0.5, steps)
    turns = rng.normal(0, 0.25, steps)
    pos, hd = np.empty((steps, 2)), np.empty(steps)
    p, h = np.zeros(2), 0.0
    for t in range(steps):
        h += turns[t]
        p = p + speeds[t] * dt * np.array([np.cos(h), np.sin(h)])
        if abs(p[0]) > BOX / 2:  # reflect off a wall at x = +-BOX/2: the x velocity flips
            p[0], h = np.sign(p[0]) * BOX - p[0], np.pi - h
        if abs(p[1]) > BOX / 2:
            p[1], h = np.sign(p[1]) * BOX - p[1], -h
        pos[t], hd[t] = p, h
    return pos, np.angle(np.exp(1j * hd)), speeds


@pytest.fixture(scope="module")
def recording():
    pos, hd, speed = walk()
    rng = np.random.default_rng(1)
    grid = hexagonal_map(nbins=64, spacing=0.4, box_width=BOX, box_height=BOX)
    ix = np.clip(((pos + BOX / 2) / BOX * 64).astype(int), 0, 63)
    units = {
        "speed": speed,
        "head direction": np.exp(3 * np.cos(hd - 1.0)),  # von Mises, preferred 1 rad
        "border": np.exp(-(pos[:, 0] + BOX / 2) / 0.05),  # along the wall at x = -BOX/2
        "grid": grid[ix[:, 0], ix[:, 1]],
        "noise": rng.normal(size=hd.size),
    }
    return ct.Behaviour(pos, hd, speed, nbins=16, box_width=BOX, box_height=BOX), units


def test_speed_score_is_the_correlation_with_speed():
    rng = np.random.default_rng(0)
    s = rng.rayleigh(0.2, 500)
    acts = np.stack([s, -2 * s + 1, rng.normal(size=500), np.ones(500)], axis=1)
    r = ct.speed_scores(s, acts)
    assert r[:2] == pytest.approx([1, -1])
    assert r[2] == pytest.approx(np.corrcoef(s, acts[:, 2])[0, 1])
    assert np.isnan(r[3])  # a constant unit has no correlation


def test_mean_vector_length_of_known_curves():
    flat = np.ones(36)
    spike = np.zeros(36)
    spike[5] = 2.0
    cos = np.cos((np.arange(36) + 0.5) * 2 * np.pi / 36)  # cos - min(cos) after the shift
    mvl = ct.mean_vector_length(np.stack([flat, spike, cos, -spike + 7]))
    assert np.isnan(mvl[0])
    assert mvl[1] == pytest.approx(1.0)
    assert mvl[2] == pytest.approx(0.5 / -cos.min())  # 0.5 for 1 + cos
    assert mvl[3] < 0.05  # a trough on a plateau is almost flat


def test_direction_tuning_is_occupancy_normalised():
    hd = np.array([0.05, 0.05, 0.05, np.pi + 0.05])  # three samples in bin 0, one in bin 18
    curve = ct.direction_tuning(hd, np.array([[1.0], [1.0], [1.0], [4.0]]), nbins=36)[0]
    assert curve[0] == 1.0 and curve[18] == 4.0
    assert np.isnan(curve[1])


def test_border_score_of_known_maps():
    n = 20
    wall = np.zeros((n, n))
    wall[0, :] = 1.0  # one field covering the whole wall at x = -w/2
    assert ct.border_score(wall, 2.0, 2.0) == pytest.approx((1 - 0.05) / (1 + 0.05))
    centre = np.zeros((n, n))
    centre[8:12, 8:12] = 1.0  # a field in the middle touches no wall
    assert ct.border_score(centre, 2.0, 2.0) == pytest.approx(-1.0)
    assert np.isnan(ct.border_score(np.ones((n, n))))  # flat: no field
    small = np.zeros((n, n))
    small[0, 0] = 1.0
    assert np.isnan(ct.border_score(small, 2.0, 2.0, min_bins=2))  # too small to be a field
    grid = hexagonal_map(nbins=32, spacing=0.5)
    assert ct.border_score(grid) < 0.3


def test_min_field_bins_is_200_square_centimetres():
    assert ct.min_field_bins(32) == 5  # 2.2 m / 32 = 6.9 cm bins, 47 cm^2 each
    assert ct.min_field_bins(4) == 1  # 55 cm bins
    assert ct.min_field_bins(10, 0.1, 0.1) == 200  # 1 cm bins


def test_each_synthetic_unit_scores_highest_on_its_own_type(recording):
    behaviour, units = recording
    acts = np.stack(list(units.values()), axis=1)
    scores = behaviour.scores(acts)
    names = list(units)
    for kind in ct.TYPES:
        assert names[int(np.nanargmax(np.abs(scores[kind])))] == kind, (kind, scores[kind])
    assert scores["speed"][0] == pytest.approx(1.0)
    assert scores["head direction"][1] > 0.5
    assert scores["border"][2] > 0.7
    assert scores["grid"][3] > 1.0


def test_census_against_the_time_shift_null(recording):
    behaviour, units = recording
    acts = np.stack(list(units.values()), axis=1)
    c = ct.census(behaviour, acts, n_shuffles=8, seed=0)
    assert set(c.thresholds) == set(ct.TYPES)
    assert {k: c.null[k].shape for k in ct.TYPES} == {k: (5, 8) for k in ct.TYPES}
    above = c.above()
    for k, kind in enumerate(ct.TYPES):
        assert above[kind][k], f"the {kind} unit is not above the {kind} threshold"
    assert c.n_types()[4] == 0  # noise is nothing
    assert c.counts()["speed"] >= 1
    pairs = c.conjunctive()
    assert len(pairs) == 6 and all(v >= 0 for v in pairs.values())


def test_shift_in_time_rolls_each_column_by_its_own_offset():
    a = np.arange(12.0).reshape(6, 2)
    out = ct.shift_in_time(a, np.array([1, 3]))
    assert out[:, 0].tolist() == np.roll(a[:, 0], 1).tolist()
    assert out[:, 1].tolist() == np.roll(a[:, 1], 3).tolist()


def test_census_needs_shuffles(recording):
    behaviour, units = recording
    with pytest.raises(ValueError, match="n_shuffles"):
        ct.census(behaviour, units["noise"][:, None], n_shuffles=0)


def test_behaviour_checks_lengths():
    with pytest.raises(ValueError, match="positions"):
        ct.Behaviour(np.zeros((4, 2)), np.zeros(3), np.zeros(4))
