"""The table helpers of gridcore.analysis.results that the chapters display (pandas DataFrames)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gridcore.analysis import results
from gridcore.scoring import scores as S
from gridcore.scoring.binning import RatemapAccumulator
from gridcore.scoring.synthetic import hexagonal_map, plane_wave_map


def _maps(n_units: int = 4, nbins: int = 16, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.stack(
        [hexagonal_map(nbins, 0.6, 10 * u, rng.uniform(0, 6, 3)) for u in range(n_units)]
    )


def test_map_correlation():
    a = _maps(1)[0]
    assert results.map_correlation(a, a) == pytest.approx(1.0)
    assert results.map_correlation(a, -a) == pytest.approx(-1.0)
    assert results.map_correlation(a, 2 * a + 1) == pytest.approx(1.0)
    holed = a.copy()
    holed[:8] = np.nan
    assert results.map_correlation(holed, a) == pytest.approx(1.0)  # visited bins only
    assert np.isnan(results.map_correlation(np.full_like(a, np.nan), a))
    maps = _maps(3)
    r = results.map_correlations(maps, maps[::-1])
    assert r.shape == (3,) and r[1] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        results.map_correlations(maps, maps[:2])


def test_trajectory_count_table():
    final = _maps()
    sparse = final.copy()
    sparse[:, :4, :] = np.nan  # a quarter of the box unvisited
    table = results.trajectory_count_table({1000: final, 10: sparse})
    assert isinstance(table, pd.DataFrame)
    assert table.index.name == "trajectories" and list(table.index) == [10, 1000]
    assert list(table.columns) == [
        "unvisited bins (%)",
        "median r with the final map",
        "units above 0.37, DeepMind's scorer (%)",
    ]
    assert table.loc[10, "unvisited bins (%)"] == 25.0
    assert table.loc[1000, "unvisited bins (%)"] == 0.0
    assert table.loc[1000, "median r with the final map"] == 1.0
    frac = 100 * S.score_ratemaps(final, mode="deepmind").fraction(0.37)
    assert table.loc[1000, "units above 0.37, DeepMind's scorer (%)"] == round(frac, 1)
    other = results.trajectory_count_table({5: final}, threshold=0.8, mode="gridcore")
    assert list(other.columns)[-1] == "units above 0.8, gridcore's scorer (%)"


def test_bin_count_table():
    rng = np.random.default_rng(1)
    pos = rng.uniform(-1.1, 1.1, size=(4000, 2))
    acts = np.stack([np.cos(2 * np.pi * pos[:, 0] / 0.6), pos[:, 1]], axis=1)
    accs = {}
    for b in (20, 10):
        accs[b] = RatemapAccumulator(2, b, box_width=2.2, box_height=2.2)
        accs[b].add(pos, acts)
    table = results.bin_count_table(accs)
    assert table.index.name == "bins per side" and list(table.index) == [10, 20]
    assert list(table.columns) == [
        "bin size (cm)",
        "mean time steps per bin",
        "units above 0.37, DeepMind's scorer (%)",
    ]
    assert table.loc[10, "bin size (cm)"] == 22.0 and table.loc[20, "bin size (cm)"] == 11.0
    assert table.loc[10, "mean time steps per bin"] == 40
    assert table.loc[20, "mean time steps per bin"] == 10


def test_example_scores_table():
    maps = np.stack([_maps(1)[0], plane_wave_map(16, 0.5, [20.0]), np.zeros((16, 16))])
    dm, gc = S.score_ratemaps(maps, mode="deepmind"), S.score_ratemaps(maps)
    names = ["hexagon", "stripes", "flat"]
    table = results.example_scores_table(names, dm, gc)
    assert table.index.name == "map" and list(table.index) == names
    assert list(table.columns) == [
        "60° score",
        "90° score",
        "grid-like (DeepMind's scorer)",
        "grid-like (gridcore's scorer)",
    ]
    np.testing.assert_allclose(table["60° score"].to_numpy(), np.round(dm.grid_score_60, 2))
    assert table.loc["hexagon", "grid-like (DeepMind's scorer)"] == "yes"
    assert table.loc["hexagon", "grid-like (gridcore's scorer)"] == "yes"
    assert table.loc["flat", "grid-like (gridcore's scorer)"] == f"no ({gc.reason[2]})"
    assert table.loc["flat", "grid-like (DeepMind's scorer)"] in ("yes", "no")  # never a reason
    with pytest.raises(ValueError, match="2 names for 3"):
        results.example_scores_table(names[:2], dm, gc)
