"""Grid period against place-cell width over the shipped sweeps, beside the prediction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gridcore import shipped
from gridcore.scoring.grid_period import predicted_period
from gridcore.sweeps import load_all
from gridcore.sweeps.periods import PERIOD_COLUMNS, period_answer, period_table, width_table


def test_period_table_holds_every_grid_network_with_its_place_cells():
    root = shipped.root() / "experiments"
    table = period_table(root, min_fraction=0.05)
    assert list(table.columns) == PERIOD_COLUMNS and len(table) > 20
    assert (table["grid_fraction_037"] >= 0.05).all() and table["median_scale_m"].notna().all()
    dog = table[(table["place_kind"] == "dog") & (table["place_ensembles"] == 1)]
    assert len(dog) >= 5
    np.testing.assert_allclose(
        dog["predicted_period_m"], predicted_period(dog["place_sigma_m"], dog["surround_scale"])
    )
    assert table.loc[table["place_kind"] == "gaussian", "predicted_period_m"].isna().all()
    # Each network once, and a stricter level keeps fewer.
    assert not table.duplicated(["experiment", "trial"]).any()
    assert len(period_table(root, min_fraction=0.25)) < len(table)
    everything = load_all(root)
    assert len(table) <= len(everything)


def test_period_table_of_an_empty_root_is_empty(tmp_path):
    assert period_table(tmp_path).empty
    assert list(period_table(tmp_path).columns) == PERIOD_COLUMNS


@pytest.mark.parametrize("level", [0.0, 1.01])
def test_levels_at_the_edges(level):
    table = period_table(shipped.root() / "experiments", min_fraction=level)
    assert (len(table) == 0) == (level > 1)


def test_width_table_pairs_the_lever_with_its_control():
    lever = pd.DataFrame(
        {
            "status": ["done"] * 4 + ["diverged"],
            "place_sigma": [0.08, 0.08, 0.08, 0.1, 0.1],
            "position_error_cm": [10.0, 20.0, 30.0, 5.0, 99.0],
            "grid_fraction_037": [0.2, 0.3, 0.4, 0.1, 0.9],
            "median_scale_m": [0.5, 0.6, 0.7, 0.8, 9.0],
        }
    )
    control = lever.assign(position_error_cm=lever["position_error_cm"] + 50).iloc[:2]
    table = width_table(lever, control)
    assert list(table.index) == [8.0, 10.0]
    row = table.loc[8.0]
    assert row["seeds"] == 3 and row["position error (cm)"] == 20.0 and row["period (m)"] == 0.6
    assert row["predicted period (m)"] == pytest.approx(predicted_period(0.08))
    assert row["period / predicted"] == pytest.approx(0.6 / predicted_period(0.08))
    assert row["control seeds"] == 2 and row["control error (cm)"] == 65.0
    # The diverged seed is left out; a width the control lacks has no control seeds.
    assert table.loc[10.0, "seeds"] == 1 and table.loc[10.0, "period (m)"] == 0.8
    assert table.loc[10.0, "control seeds"] == 0
    assert np.isnan(table.loc[10.0, "control error (cm)"])
    assert width_table(None, None).empty


def test_period_answer_reads_the_width_table():
    def widths(periods, seeds=5):
        sig = [0.06, 0.08, 0.1]
        lever = pd.DataFrame(
            {
                "status": "done",
                "place_sigma": np.repeat(sig, seeds),
                "position_error_cm": 10.0,
                "grid_fraction_037": 0.2,
                "median_scale_m": np.repeat(periods, seeds),
            }
        )
        return width_table(lever, None)

    pred = predicted_period(np.array([0.06, 0.08, 0.1]))
    assert period_answer(widths(pred)).startswith("Yes: from σ = 6 to 10 cm")
    flat = period_answer(widths([0.57, 0.67, 0.77]))
    assert flat.startswith("In direction only") and "flatter than the prediction" in flat
    assert period_answer(widths([0.7, 0.6, 0.5])).startswith("No")
    assert period_answer(widths(pred, seeds=1)).startswith("Cannot tell yet")
    assert period_answer(width_table(None, None)).startswith("Cannot tell yet")
