"""Persistent homology of population activity: clouds with known shapes, the reduction, the null."""

import builtins

import numpy as np
import pytest

from gridcore.errors import GridcoreError
from gridcore.scoring import topology as T

# Small enough for a few seconds per shape: 5000 samples of 100 units, 150 points, 3 shuffles.
SIZES = {"n_points": 150, "n_shuffles": 3}


@pytest.mark.parametrize(
    "make, betti, name",
    [
        (T.torus_activity, (1, 2, 1), "torus"),
        (T.sphere_activity, (1, 0, 1), "sphere"),
        (T.circle_activity, (1, 1, 0), "circle"),
    ],
    ids=["torus", "sphere", "circle"],
)
def test_clouds_of_known_shape_have_their_betti_numbers(make, betti, name):
    top = T.betti_numbers(make(5000, 100, seed=1), seed=1, **SIZES)
    assert top.betti == betti
    assert top.verdict == f"{name} {betti}"
    assert len(top.null_diagrams) == SIZES["n_shuffles"]
    # the bars that count are well clear of the null, and the next one is not
    for k in (1, 2):
        counted, rest = top.lifetimes[k][: betti[k]], top.lifetimes[k][betti[k] :]
        assert (counted > 1.3 * top.null_lifetime[k]).all()
        assert (rest < top.null_lifetime[k]).all()


def test_a_single_module_of_grid_cells_is_one_torus_whatever_its_phases():
    tops = [T.betti_numbers(T.torus_activity(4000, 100, seed=s), seed=s, **SIZES) for s in (2, 3)]
    assert [t.betti for t in tops] == [(1, 2, 1)] * 2


def test_units_tuned_to_one_variable_trace_an_arc_with_no_loop():
    rng = np.random.default_rng(0)
    s = rng.uniform(-1, 1, (3000, 1))
    ramps = 1 / (1 + np.exp(-8 * (s - rng.uniform(-1, 1, 30))))  # sigmoids of one variable
    top = T.betti_numbers(ramps + 0.02 * rng.standard_normal(ramps.shape), n_points=100)
    assert top.betti == (1, 0, 0) and top.verdict == "other (1, 0, 0)"


def test_topology_counts_bars_that_outlive_the_null():
    inf = np.inf
    data = [np.array([[0, 0.1], [0, 0.5], [0, inf]]), np.array([[0.2, 0.9], [0.1, 0.3]])]
    null = [[np.array([[0, 0.4], [0, inf]]), np.array([[0.1, 0.35]])]]
    top = T.Topology(data, null, label="toy")
    np.testing.assert_allclose(top.null_lifetime, [0.4, 0.25])
    np.testing.assert_allclose(top.lifetimes[0], [0.5, 0.1])
    assert top.betti == (2, 1)  # H0: the infinite bar and 0.5 > 0.4; H1: 0.7 > 0.25, not 0.2
    assert top.verdict == "other (2, 1)"
    with pytest.raises(ValueError, match="shuffle"):
        T.Topology(data, [])


# --------------------------------------------------------------------------------------------
# The reduction and the null


def test_reduce_gives_an_even_cloud_of_unit_rms_radius():
    a = T.torus_activity(3000, 30, seed=0)
    a[:, 5] = 2.0  # a constant unit is dropped, not divided by zero
    pts = T.reduce(a, n_dims=4, n_points=120, seed=0)
    assert pts.shape == (120, 4) and np.isfinite(pts).all()
    assert T.reduce(a[:50], n_dims=3, n_points=500).shape == (50, 3)  # T < n_points: all
    small = T.reduce(a, n_dims=4, n_points=3000)
    np.testing.assert_allclose(np.sqrt(np.mean(np.sum(small**2, axis=1))), 1.0)
    np.testing.assert_allclose(small.mean(axis=0), 0.0, atol=1e-9)


def _covering_radius(points: np.ndarray, idx: np.ndarray) -> float:
    d = np.linalg.norm(points[:, None, :] - points[idx][None, :, :], axis=-1)
    return float(d.min(axis=1).max())


def test_farthest_points_cover_the_cloud_evenly():
    rng = np.random.default_rng(0)
    # a dense clump and a sparse halo: a random subset would miss the halo
    x = np.concatenate([0.05 * rng.standard_normal((1900, 2)), rng.uniform(-3, 3, (100, 2))])
    idx = T.farthest_points(x, 60, seed=0)
    assert len(set(idx.tolist())) == 60
    cover = _covering_radius(x, idx)
    chosen = x[idx]
    gaps = np.linalg.norm(chosen[:, None] - chosen[None], axis=-1)[np.triu_indices(60, 1)]
    assert gaps.min() >= cover - 1e-12  # the greedy sample's defining property
    random_cover = [_covering_radius(x, rng.choice(2000, 60, replace=False)) for _ in range(5)]
    assert cover < 0.6 * min(random_cover)
    np.testing.assert_array_equal(idx, T.farthest_points(x, 60, seed=0))


def test_the_time_shift_null_keeps_each_unit_and_breaks_their_joint_structure():
    a = T.torus_activity(2000, 20, seed=0)
    null = T.time_shift_null(a, np.random.default_rng(0))
    assert null.shape == a.shape
    for u in range(a.shape[1]):
        np.testing.assert_array_equal(np.sort(null[:, u]), np.sort(a[:, u]))
        lag = np.flatnonzero([np.array_equal(np.roll(a[:, u], s), null[:, u]) for s in range(2000)])
        assert lag.size == 1  # a circular shift of the unit's own time series
    c_real, c_null = np.corrcoef(a.T), np.corrcoef(null.T)
    off = ~np.eye(20, dtype=bool)
    assert np.abs(c_null[off]).mean() < 0.5 * np.abs(c_real[off]).mean()


# --------------------------------------------------------------------------------------------
# Bad input


def test_bad_input_is_a_one_line_error():
    good = T.circle_activity(200, 10, seed=0)
    with pytest.raises(ValueError, match="T >= 2"):
        T.reduce(np.ones(5))
    with pytest.raises(ValueError, match="finite"):
        T.reduce(np.where(good > 0.5, np.nan, good))
    with pytest.raises(ValueError, match="fewer than n_dims"):
        T.reduce(good[:, :3], n_dims=6)
    with pytest.raises(ValueError, match=">= 1"):
        T.reduce(good, n_points=0)
    with pytest.raises(ValueError, match="n_points"):
        T.farthest_points(good, 201)
    with pytest.raises(ValueError, match="prime"):
        T.persistence(good[:20, :3], coeff=4)
    with pytest.raises(ValueError, match="finite"):
        T.persistence(np.full((5, 2), np.inf))
    with pytest.raises(ValueError, match="n_shuffles"):
        T.betti_numbers(good, n_shuffles=0)
    with pytest.raises(ValueError, match="noise"):
        T.torus_activity(10, 5, noise=-1)
    with pytest.raises(ValueError, match="n_samples"):
        T.sphere_activity(1, 5)


def test_without_ripser_the_error_says_how_to_install_it(monkeypatch):
    real_import = builtins.__import__

    def no_ripser(name, *args, **kwargs):
        if name == "ripser":
            raise ImportError("no ripser")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ripser)
    with pytest.raises(GridcoreError, match=r"pip install 'gridcore\[book\]'"):
        T.persistence(np.zeros((4, 2)))
