"""The shipped networks beside the paper: the table's columns say what was measured."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from gridcore.analysis import comparison
from gridcore.analysis.comparison import QUANTITIES, Measured, measure, paper_table, seeds_column
from gridcore.analysis.results import score_network
from gridcore.scoring.scale_modules import cluster_scales

ERRORS = {
    "position_error_15s_cm": 20.4,
    "untrained_error_15s_cm": 99.6,
    "real_path_error_15s_cm": float("nan"),
    "untrained_real_path_error_15s_cm": float("nan"),
}


def _measured(scales_m, grid_fraction=0.3) -> Measured:
    scales = np.asarray(scales_m, dtype=float)
    clusters = cluster_scales(scales) if scales.size >= 2 else None
    return Measured("net", 0.163, 8000, grid_fraction, scales, clusters, ERRORS)


def test_the_paper_column_holds_the_papers_figures():
    col = dict(zip(QUANTITIES, comparison.paper_column(), strict=True))
    assert col["grid-like units, > 0.37 (%)"] == "25.2"
    assert col["grid scales, range (cm)"] == "28–115"
    assert col["scale modules (centres, cm)"] == "3: 47, 70, 106"
    assert col["ratio of neighbouring modules"] == "1.49, 1.51"
    assert col["15 s error, own rat (cm)"] == "16 / 91"
    assert col["training steps"] == "300,000"


def test_two_separate_scale_groups_show_as_two_modules_and_their_ratio():
    rng = np.random.default_rng(0)
    scales = np.concatenate(
        [0.5 + 0.01 * rng.standard_normal(30), 0.75 + 0.01 * rng.standard_normal(30)]
    )
    table = paper_table([_measured(scales)])
    col = table["net"]
    assert col["scale modules (centres, cm)"] == "2: 50, 75"
    assert float(col["ratio of neighbouring modules"]) == pytest.approx(1.5, abs=0.03)
    assert col["grid-like units, > 0.37 (%)"] == "30.0"
    low, high = (float(v) for v in col["grid scales, 10th–90th percentile (cm)"].split("–"))
    assert 45 < low < high < 80
    assert col["15 s error, own rat (cm)"] == "20 / 100"
    # No recorded rat (ratinabox missing): the row says so rather than printing NaN.
    assert col["15 s error, recorded rat (cm)"] == comparison.NOT_REPORTED
    assert list(table.columns) == ["paper", "net"]


def test_a_network_without_grid_units_has_no_scales_to_report():
    col = paper_table([_measured([])])["net"]
    assert col["median grid scale (cm)"] == comparison.NOT_REPORTED
    assert col["scale modules (centres, cm)"] == comparison.NOT_REPORTED


def _sweep_table() -> pd.DataFrame:
    rows = []
    for seed, (frac, scale) in enumerate([(0.20, 1.0), (0.25, 1.2), (0.30, 0.9), (0.9, 0.1)]):
        rows.append(
            {
                "condition": "a" if seed < 3 else "b",
                "status": "done",
                "step": 8000,
                "grid_fraction_037": frac,
                "median_scale_m": scale,
                "position_error_15s_cm": 10.0 * (seed + 1),
                "untrained_error_15s_cm": 100.0,
                "real_path_error_15s_cm": math.nan,
                "untrained_real_path_error_15s_cm": math.nan,
            }
        )
    return pd.DataFrame(rows)


def test_a_sweep_condition_gives_medians_and_ranges_over_its_seeds_only():
    col = dict(zip(QUANTITIES, seeds_column(_sweep_table(), "a"), strict=True))
    assert col["grid-like units, > 0.37 (%)"] == "25.0 (20.0–30.0)"
    assert col["median grid scale (cm)"] == "100 (90–120)"
    assert col["15 s error, own rat (cm)"] == "20 (10–30) / 100 (100–100)"
    assert col["15 s error, recorded rat (cm)"].startswith("–")
    with pytest.raises(ValueError, match="no finished trials"):
        seeds_column(_sweep_table(), "missing")


def test_measure_scores_a_real_network(tiny_network):
    scored = score_network(tiny_network, n_trajectories=40, nbins=10, n_shuffles=0)
    m = measure(scored, "tiny", n_paths=4)
    assert m.steps == 0 and m.mean_speed_m_s == pytest.approx(tiny_network.motion.mean_speed)
    assert 0.0 <= m.grid_fraction <= 1.0
    assert m.errors_cm["untrained_error_15s_cm"] > 0
    assert QUANTITIES[0] in paper_table([m]).index


def test_a_sweep_directory_gives_one_labelled_column_of_its_finished_seeds(tmp_path):
    table = _sweep_table()
    table.loc[0, "status"] = "diverged"
    table.to_csv(tmp_path / "results.csv", index=False)
    columns = comparison.sweep_column(tmp_path, "a")
    assert list(columns) == ["a: 2 seeds"]
    assert columns["a: 2 seeds"] == seeds_column(table, "a")
