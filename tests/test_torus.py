"""The persistent homology of a trained network's grid modules (the shipped grid-lstm, small)."""

import numpy as np
import pytest

from gridcore import shipped
from gridcore.analysis.results import score_network
from gridcore.analysis.torus import (
    ALL_GRID,
    grid_modules,
    module_topology,
    topology_table,
    torus_answer,
)
from gridcore.errors import GridcoreError
from gridcore.net.runs import load_network
from gridcore.paper import GRID_THRESHOLD
from gridcore.scoring.topology import Topology

SIZES = {"n_trajectories": 100, "seed": 0}


@pytest.fixture(scope="module")
def network():
    return load_network(shipped.network("grid-lstm"))


def test_grid_modules_split_the_grid_units_by_scale(network):
    groups = grid_modules(network, **SIZES)
    assert list(groups)[-1] == ALL_GRID and len(groups) >= 2
    dm = score_network(network, n_shuffles=0, **SIZES).scores["deepmind"]
    grid = groups[ALL_GRID]
    np.testing.assert_array_equal(grid, np.flatnonzero(dm.grid_score_60 > GRID_THRESHOLD))
    modules = [groups[k] for k in groups if k != ALL_GRID]
    together = np.concatenate(modules)
    assert np.unique(together).size == together.size  # no unit in two modules
    assert set(together) <= set(grid) and all(m.size >= 6 for m in modules)
    medians = [np.median(dm.scale_m[m]) for m in modules]
    assert medians == sorted(medians)


def test_module_topology_gives_a_topology_per_module(network):
    out = module_topology(network, n_points=80, n_shuffles=2, progress=False, **SIZES)
    assert list(out)[-1] == ALL_GRID and list(out)[0] == "module 1"
    assert all(k.startswith("module ") for k in list(out)[:-1])
    for name, top in out.items():
        assert isinstance(top, Topology) and top.label.startswith(f"{name}: ")
        assert len(top.betti) == 3 and top.betti[0] >= 1
        assert len(top.null_diagrams) == 2
        assert all(np.isfinite(life).all() and life.size for life in top.lifetimes[:2])
        assert np.isfinite(top.null_lifetime).all() and (top.null_lifetime > 0).all()
        assert top.verdict.endswith(str(top.betti))
    sentence = torus_answer(out)
    tori = [k for k, top in out.items() if top.betti == (1, 2, 1)]
    assert sentence.startswith("Yes" if tori else "No") and str(first_betti(out)) in sentence
    table = topology_table(out)
    assert list(table.index) == [top.label for top in out.values()]
    first = next(iter(out.values()))
    assert table.iloc[0]["shape (Betti numbers)"] == first.verdict
    assert table.iloc[0]["longest H1 (null)"] == (
        f"{first.lifetimes[1][0]:.2f} ({first.null_lifetime[1]:.2f})"
    )


def first_betti(out):
    return next(iter(out.values())).betti


def test_a_network_without_grid_units_is_an_error(tiny_network):
    with pytest.raises(GridcoreError, match="grid-like units"):
        module_topology(tiny_network, n_trajectories=5, threshold=10.0, progress=False)
