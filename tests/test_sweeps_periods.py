"""Grid period against place-cell width over the shipped sweeps, beside the prediction."""

from __future__ import annotations

import numpy as np
import pytest

from gridcore import shipped
from gridcore.grid_period import predicted_period
from gridcore.sweeps import load_all
from gridcore.sweeps.periods import PERIOD_COLUMNS, period_table


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
