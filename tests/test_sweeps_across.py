"""Across sweeps: every shipped table in one, error against grid fraction, condition effects."""

import math

import numpy as np
import pandas as pd
import pytest

from gridcore.net.config import get_preset
from gridcore.sweeps import (
    condition_effect,
    error_vs_grid,
    error_vs_grid_table,
    load_all,
    progress,
)


def _table(rho_sign: int = -1, n: int = 30, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    grid = rng.uniform(0, 0.4, n)
    error = 50 + rho_sign * 80 * grid + rng.normal(0, 1, n)
    status = ["done"] * (n - 1) + ["diverged"]
    return pd.DataFrame({"status": status, "grid_fraction_037": grid, "position_error_cm": error})


def test_error_vs_grid_finds_a_monotone_relation_with_an_interval():
    out = error_vs_grid(_table(-1), n_resamples=500)
    assert out["n"] == 29  # the diverged trial is left out
    assert out["rho"] < -0.9 and out["p"] < 1e-6
    assert out["low"] <= out["rho"] <= out["high"] < 0
    up = error_vs_grid(_table(+1), n_resamples=500)
    assert up["rho"] > 0.9 and up["low"] > 0


def test_error_vs_grid_of_unrelated_columns_straddles_zero():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"grid_fraction_037": rng.random(60), "position_error_cm": rng.random(60)})
    out = error_vs_grid(df, n_resamples=500)
    assert out["low"] < 0 < out["high"]


def test_error_vs_grid_with_too_few_trials_is_nan():
    out = error_vs_grid(_table().head(2))
    assert out["n"] == 2 and math.isnan(out["rho"]) and math.isnan(out["low"])


def test_condition_effect_against_the_spread_between_seeds():
    df = pd.DataFrame(
        {
            "condition": ["a"] * 5 + ["b"] * 5 + ["c"] * 2,
            "status": ["done"] * 12,
            "grid_fraction_037": [0.20, 0.21, 0.22, 0.23, 0.24]
            + [0.30, 0.31, 0.32, 0.33, 0.34]
            + [0.215, 0.225],
        }
    )
    big = condition_effect(df, "a", "b")
    assert big["difference"] == pytest.approx(0.10)
    assert big["spread"] == pytest.approx(0.02)  # both interquartile ranges are 0.02
    assert big["beyond_spread"] == 1.0 and big["p"] < 0.05
    small = condition_effect(df, "a", "c")
    assert small["beyond_spread"] == 0.0 and (small["n_baseline"], small["n_other"]) == (5, 2)
    missing = condition_effect(df, "a", "nope")
    assert missing["n_other"] == 0 and math.isnan(missing["difference"])


def _sweep(root, name, spec, rows):
    d = root / name
    d.mkdir(parents=True)
    (d / "spec.yaml").write_text(spec)
    pd.DataFrame(rows).to_csv(d / "results.csv", index=False)


def test_load_all_keeps_each_network_once(tmp_path):
    row = {"status": "done", "grid_fraction_037": 0.2, "position_error_cm": 20.0}
    _sweep(
        tmp_path,
        "a-seeds",
        "preset: tiny\nseeds: 2\n",
        [
            {"trial": "tiny-seed0", "condition": "tiny", "seed": 0, **row},
            {"trial": "tiny-seed1", "condition": "tiny", "seed": 1, **row, "status": "failed"},
        ],
    )
    _sweep(
        tmp_path,
        "b-dropout",
        "preset: tiny\ngrid:\n  dropout: [0.0, 0.5]\nseeds: 1\nscore_trajectories: 50\n",
        [
            {"trial": "dropout=0.0-seed0", "condition": "dropout=0.0", "seed": 0, **row},
            {"trial": "dropout=0.5-seed0", "condition": "dropout=0.5", "seed": 0, **row},
        ],
    )
    (tmp_path / "c-running").mkdir()  # a sweep without a table yet
    df = load_all(tmp_path, unique=False)
    assert len(df) == 3  # the failed trial is left out
    assert get_preset("tiny").dropout == 0.5  # so b's dropout=0.5 trains a's network
    same = dict(zip(df["experiment"] + "/" + df["trial"], df["same_as"], strict=True))
    assert same["a-seeds/tiny-seed0"] == "b-dropout/dropout=0.5-seed0"
    assert same["b-dropout/dropout=0.0-seed0"] == ""
    unique = load_all(tmp_path)
    assert list(unique["experiment"] + "/" + unique["trial"]) == [
        "a-seeds/tiny-seed0",
        "b-dropout/dropout=0.0-seed0",
    ]
    assert load_all(tmp_path / "nothing").empty


def test_load_all_counts_the_same_settings_trained_again_with_other_results_twice(tmp_path):
    row = {"status": "done", "position_error_cm": 20.0, "loss": 5.0}
    for name, grid in (("a", 0.2), ("b", 0.25)):
        _sweep(
            tmp_path,
            name,
            "preset: tiny\nseeds: 1\n",
            [
                {
                    "trial": "tiny-seed0",
                    "condition": "tiny",
                    "seed": 0,
                    **row,
                    "grid_fraction_037": grid,
                }
            ],
        )
    assert len(load_all(tmp_path)) == 2
    assert list(load_all(tmp_path, unique=False)["same_as"]) == ["", ""]


def test_error_vs_grid_table_by_group_and_overall():
    df = _table(-1).assign(experiment=["x"] * 15 + ["y"] * 15)
    table = error_vs_grid_table(df, n_resamples=200)
    assert list(table.index) == ["x", "y", "all"]
    assert table.loc["all", "n"] == 29 and table.loc["x", "n"] == 15


def test_progress_counts_planned_and_finished_trials(tmp_path):
    _sweep(
        tmp_path,
        "ran",
        "preset: tiny\nseeds: 3\n",
        [
            {"trial": "tiny-seed0", "condition": "tiny", "seed": 0, "status": "done"},
            {"trial": "tiny-seed1", "condition": "tiny", "seed": 1, "status": "diverged"},
        ],
    )
    (tmp_path / "planned.yaml").write_text("preset: tiny\ngrid:\n  dropout: [0.0, 0.5]\nseeds: 2\n")
    p = progress(tmp_path)
    assert p.loc["ran"].tolist() == [3, 1, 1, 0]
    assert p.loc["planned"].tolist() == [4, 0, 0, 0]
