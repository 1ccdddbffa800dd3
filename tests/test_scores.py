"""Scorer tests on synthetic maps whose answers are known."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.ndimage as ndi

from gridcore.scoring import sac_geometry
from gridcore.scoring import scores as S

BOX = 2.2


def centres(n: int) -> tuple[np.ndarray, np.ndarray]:
    c = (np.arange(n) + 0.5) / n * BOX - BOX / 2
    return np.meshgrid(c, c, indexing="ij")  # maps[ix, iy]


def plane_waves(n: int, wavelength: float, angles, phases) -> np.ndarray:
    x, y = centres(n)
    k = 2 * np.pi / wavelength
    return sum(
        np.cos(k * (np.cos(a) * x + np.sin(a) * y) + p) for a, p in zip(angles, phases, strict=True)
    )


def hexagon(n: int, spacing: float, orientation: float, phases) -> np.ndarray:
    """Three plane waves 60 degrees apart: fields on a hexagonal lattice of ``spacing`` m whose
    first lattice vector points at ``orientation`` (radians)."""
    waves = orientation + np.pi / 6 + np.array([0, np.pi / 3, 2 * np.pi / 3])
    return plane_waves(n, spacing * np.sqrt(3) / 2, waves, phases)


def square(n: int, spacing: float, orientation: float, phases) -> np.ndarray:
    return plane_waves(n, spacing, orientation + np.array([0, np.pi / 2]), phases)


def random_hexagons(rng, n: int, count: int, noise: float = 0.0):
    spacing = rng.uniform(0.45, 0.9, count)
    orient = rng.uniform(0, np.pi, count)
    maps = np.stack(
        [
            hexagon(n, s, o, rng.uniform(0, 2 * np.pi, 3)) + noise * rng.normal(size=(n, n))
            for s, o in zip(spacing, orient, strict=True)
        ]
    )
    return maps, spacing, np.degrees(orient) % 60


def mixed_maps(rng, n: int) -> np.ndarray:
    """30 maps: hexagons, squares, stripes, noise, smooth noise, ramps, a bowl, constants."""
    x, y = centres(n)
    maps = list(random_hexagons(rng, n, 6, noise=0.3)[0])
    for _ in range(5):
        maps.append(square(n, rng.uniform(0.4, 0.9), rng.uniform(0, np.pi), rng.uniform(0, 6, 2)))
    for _ in range(4):
        a = rng.uniform(0, np.pi)
        maps.append(np.cos(2 * np.pi / 0.5 * (np.cos(a) * x + np.sin(a) * y)))
    maps += [rng.normal(size=(n, n)) for _ in range(4)]
    maps += [ndi.gaussian_filter(rng.normal(size=(n, n)), 2) for _ in range(4)]
    for _ in range(4):
        a = rng.uniform(0, 2 * np.pi)
        maps.append(np.cos(a) * x + np.sin(a) * y + 0.01 * rng.normal(size=(n, n)))
    maps += [x**2 + y**2, np.zeros((n, n)), np.ones((n, n))]
    return np.stack(maps)


# --------------------------------------------------------------------------------------------
# SACs and agreement with the reference


def test_sac_centre_is_one_and_point_symmetric():
    rng = np.random.default_rng(1)
    maps = ndi.gaussian_filter(rng.normal(size=(6, 16, 16)), (0, 1.5, 1.5))
    maps[3:, 2:5, 7:12] = np.nan
    for exclude in (True, False):
        sacs = S.autocorrelograms(maps, exclude_unvisited=exclude)
        assert sacs.shape == (6, 31, 31)
        np.testing.assert_allclose(sacs[:, 15, 15], 1.0, atol=1e-12)
        np.testing.assert_allclose(sacs, sacs[:, ::-1, ::-1], atol=1e-12)
        assert np.abs(sacs).max() <= 1 + 1e-9


def test_sac_with_holes_is_pearson_over_visited_pairs():
    rng = np.random.default_rng(2)
    m = ndi.gaussian_filter(rng.normal(size=(12, 12)), 1.5)
    m[rng.random(m.shape) < 0.25] = np.nan
    sac = S.autocorrelograms(m[None])[0]
    for dx, dy in [(0, 0), (1, 0), (0, -2), (3, 4), (-5, 2), (7, -6), (10, 9)]:
        a = m[max(0, -dx) : 12 - max(0, dx), max(0, -dy) : 12 - max(0, dy)]
        b = m[max(0, dx) : 12 + min(0, dx), max(0, dy) : 12 + min(0, dy)]
        both = np.isfinite(a) & np.isfinite(b)
        want = np.corrcoef(a[both], b[both])[0, 1] if both.sum() > 2 else 0.0
        assert sac[11 + dx, 11 + dy] == pytest.approx(want, abs=1e-9)


@pytest.mark.parametrize("nbins", [20, 32])
def test_fft_sac_equals_reference_sac(nbins):
    rng = np.random.default_rng(nbins)
    maps = mixed_maps(rng, nbins)[:-1]  # the constant 1 map is covered elsewhere
    maps[0, :3, :3] = np.nan  # DeepMind mode: NaN counts as a visited zero in both
    sacs = S.autocorrelograms(maps, exclude_unvisited=False)
    for m, sac in zip(maps, sacs, strict=True):
        np.testing.assert_allclose(sac, S.reference_sac(m), atol=1e-8)


@pytest.mark.parametrize("angle", S.ANGLES)
def test_rotation_operator_reproduces_ndimage_rotate(angle):
    n = 12
    sac = np.random.default_rng(angle).normal(size=(1, 2 * n - 1, 2 * n - 1))
    rows, _, op = S._rotation_operator(n, S.MASK_INNER, S.MASK_OUTERS)
    coef = ndi.spline_filter1d(
        ndi.spline_filter1d(sac, 3, axis=1, mode="constant"), 3, axis=2, mode="constant"
    )
    k = S.ANGLES.index(angle)
    got = (op @ coef.reshape(-1))[k * rows.size : (k + 1) * rows.size]
    want = ndi.rotate(sac[0], angle, reshape=False).reshape(-1)[rows]
    np.testing.assert_allclose(got, want, atol=1e-10)


@pytest.mark.parametrize(("nbins", "variant"), [(20, "mean"), (32, "mean"), (20, "minmax")])
def test_batched_scores_match_per_unit_reference(nbins, variant):
    maps = mixed_maps(np.random.default_rng(100 + nbins), nbins)
    fast = S.score_ratemaps(maps, mode="deepmind", score_variant=variant)
    for u, m in enumerate(maps):
        ref = S.reference_grid_score(m, min_max=variant == "minmax")
        assert abs(fast.grid_score_60[u] - ref.grid_score_60) < 1e-6
        assert abs(fast.grid_score_90[u] - ref.grid_score_90) < 1e-6
        if abs(ref.grid_score_60) > 1e-3:  # all masks tie at 0 for constant maps
            assert fast.best_mask_60[u] == ref.best_mask_60


@pytest.mark.parametrize("nbins", [4, 5, 6, 9])
def test_small_maps_match_reference(nbins):
    """Small maps have ring masks without lattice points between consecutive radii."""
    maps = np.random.default_rng(nbins).normal(size=(6, nbins, nbins)).cumsum(1).cumsum(2)
    fast = S.score_ratemaps(maps, mode="deepmind")
    ref = np.array([S.reference_grid_score(m)[:2] for m in maps])
    np.testing.assert_allclose(fast.grid_score_60, ref[:, 0], atol=1e-9)
    np.testing.assert_allclose(fast.grid_score_90, ref[:, 1], atol=1e-9)


def test_gridcore_equals_deepmind_scores_without_nan():
    maps = mixed_maps(np.random.default_rng(7), 20)
    a, b = S.score_ratemaps(maps), S.score_ratemaps(maps, mode="deepmind")
    np.testing.assert_allclose(a.grid_score_60, b.grid_score_60, atol=1e-9)
    np.testing.assert_allclose(a.grid_score_90, b.grid_score_90, atol=1e-9)


# --------------------------------------------------------------------------------------------
# Known answers


@pytest.mark.parametrize("nbins", [20, 32])
def test_hexagons_score_high_on_60_with_right_geometry(nbins):
    maps, spacing, orientation = random_hexagons(np.random.default_rng(nbins), nbins, 12, 0.2)
    res = S.score_ratemaps(maps)
    assert (res.grid_score_60 > S.STRICT_THRESHOLD).all()
    assert res.grid_like.all() and not res.degenerate.any()
    np.testing.assert_allclose(res.scale_m, spacing, rtol=0.1)
    err = (res.orientation_deg - orientation + 30) % 60 - 30
    assert np.abs(err).max() < 5
    assert (res.ellipticity < 1.15).all() and (res.spacing_cv < 0.1).all()
    assert res.fraction() == 1.0


def test_scaled_units_are_the_grid_like_units_with_a_scale():
    maps, _, _ = random_hexagons(np.random.default_rng(5), 32, 6, 0.2)
    res = S.score_ratemaps(np.concatenate([maps, np.zeros((2, 32, 32))]))  # two dead maps
    assert list(res.scaled_units) == list(range(6))
    res.scale_m[2] = np.nan  # a grid-like unit whose peaks could not be measured
    assert list(res.scaled_units) == [0, 1, 3, 4, 5]


def test_squares_score_high_on_90_but_are_not_grid_like():
    rng = np.random.default_rng(3)
    maps = np.stack(
        [
            square(32, rng.uniform(0.4, 0.9), rng.uniform(0, np.pi), rng.uniform(0, 6, 2))
            for _ in range(8)
        ]
    )
    res = S.score_ratemaps(maps)
    assert (res.grid_score_90 > S.STRICT_THRESHOLD).all()
    assert (res.grid_score_60 < S.PAPER_THRESHOLD).all()
    assert not res.grid_like.any()


@pytest.mark.parametrize("mode", ["gridcore", "deepmind"])
def test_non_grid_maps_are_not_grid_like(mode):
    rng = np.random.default_rng(4)
    x, y = centres(32)
    stripes = [
        np.cos(2 * np.pi / w * (np.cos(a) * x + np.sin(a) * y))
        for w, a in zip(rng.uniform(0.3, 0.8, 5), rng.uniform(0, np.pi, 5), strict=True)
    ]
    noise = list(rng.normal(size=(5, 32, 32)))
    ramps = [
        np.cos(a) * x + np.sin(a) * y + c
        for a, c in zip(rng.uniform(0, 6, 4), [0, 1, -2, 5], strict=True)
    ]
    flat = [np.zeros((32, 32)), np.full((32, 32), 0.3), np.full((32, 32), -7.0)]
    res = S.score_ratemaps(np.stack(stripes + noise + ramps + flat), mode=mode)
    assert not res.grid_like.any()
    assert np.isfinite(res.grid_score_60).all()
    if mode == "gridcore":
        assert list(res.reason[-7:]) == ["ramp"] * 4 + ["dead", "constant", "constant"]
        assert not res.degenerate[:10].any()


def test_noisy_ramps_fool_deepmind_but_are_flagged():
    """Near-planar maps have SACs close to 1 everywhere; their ring correlations are noise."""
    rng = np.random.default_rng(5)
    x, y = centres(32)
    a = rng.uniform(0, 2 * np.pi, 60)
    noise = 10 ** rng.uniform(-4, -1.5, 60)
    maps = np.stack(
        [
            np.cos(t) * x + np.sin(t) * y + s * rng.normal(size=(32, 32))
            for t, s in zip(a, noise, strict=True)
        ]
    )
    dm, gc = S.score_ratemaps(maps, mode="deepmind"), S.score_ratemaps(maps)
    assert dm.grid_like.sum() >= 3 and dm.grid_score_60.max() > 1.0
    np.testing.assert_allclose(gc.grid_score_60, dm.grid_score_60)  # scores still reported
    assert not gc.grid_like.any() and set(gc.reason) == {"ramp"}


def test_flat_sac_and_too_few_bins_are_flagged():
    x, y = centres(20)
    bowl = np.tanh(3 * (x + 0.4 * y)) + 1e-3 * np.cos(40 * x)  # sigmoid edge: nearly flat SAC
    sparse = np.full((20, 20), np.nan)
    sparse[:6, :6] = np.random.default_rng(6).normal(size=(6, 6))
    reason = sac_geometry.degenerate_reasons(
        np.stack([bowl, sparse]), np.array([1e-4, 0.1]), ramp_r2=1.0
    )
    assert list(reason) == ["flat SAC in ring", "too few visited bins"]


def test_nan_holes_do_not_crash_and_are_excluded():
    rng = np.random.default_rng(8)
    maps, spacing, _ = random_hexagons(rng, 32, 8)
    maps = maps + 3.0  # a rate offset makes zero-filled holes look like deep troughs
    holed = maps.copy()
    holed[:, :12, :12] = np.nan
    holed[rng.random(holed.shape) < 0.1] = np.nan
    gc, dm = S.score_ratemaps(holed), S.score_ratemaps(holed, mode="deepmind")
    clean = S.score_ratemaps(maps)
    for res in (gc, dm):
        assert np.isfinite(res.grid_score_60).all() and np.isfinite(res.sacs).all()
    assert np.abs(gc.grid_score_60 - clean.grid_score_60).max() < 0.1
    gc_err, dm_err = gc.grid_score_60 - clean.grid_score_60, dm.grid_score_60 - clean.grid_score_60
    assert np.abs(gc_err).mean() < 0.5 * np.abs(dm_err).mean()
    assert gc.grid_like.all()
    np.testing.assert_allclose(gc.scale_m, spacing, rtol=0.1)
    all_nan = S.score_ratemaps(np.full((2, 16, 16), np.nan))
    assert list(all_nan.reason) == ["too few visited bins"] * 2 and not all_nan.grid_like.any()


# --------------------------------------------------------------------------------------------
# The result object


def test_result_helpers_are_json_ready():
    maps = mixed_maps(np.random.default_rng(9), 20)
    res = S.score_ratemaps(maps)
    assert res.fraction(S.PAPER_THRESHOLD) == pytest.approx(res.grid_like.mean())
    assert res.fraction(10.0) == 0.0
    summary = res.summary(shuffle_threshold=0.3)
    assert summary["n_units"] == 30 and "fraction_above_shuffle" in summary
    text = json.dumps(res.to_dict(include_sacs=True))
    back = json.loads(text)
    assert len(back["grid_score_60"]) == 30 and len(back["sacs"][0]) == 39
    assert res.mask_radii.shape == (10, 2)
    with pytest.raises(ValueError):
        S.score_ratemaps(np.zeros((3, 8, 9)))
    with pytest.raises(ValueError):
        S.score_ratemaps(maps, mode="other")
