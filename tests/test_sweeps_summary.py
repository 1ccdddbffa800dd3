import math

import numpy as np
import pandas as pd
import pytest

from gridcore.sweeps import (
    best_per_family,
    comparison,
    effect_sentence,
    effects,
    finished,
    headline,
    headline_table,
    seed_median,
    select_conditions,
    spread,
    time_to_level,
    verdict,
)
from gridcore.sweeps.summary import headline_sentence


def _results():
    return pd.DataFrame(
        {
            "condition": ["a"] * 4 + ["b"] * 2,
            "seed": [0, 1, 2, 3, 0, 1],
            "status": ["done", "done", "done", "diverged", "done", "done"],
            "grid_fraction_037": [0.20, 0.30, 0.26, 0.99, 0.10, 0.12],
            "grid_fraction_080": [0.01, 0.05, 0.03, 0.5, 0.0, 0.02],
        }
    )


def _curves():
    rows = []
    # a-0 never reaches 0.25; a-1 reaches it at step 2000 (60 s); a-2 at 1000 (25 s) then dips.
    for trial, cond, seed, values in (
        ("a-0", "a", 0, [0.1, 0.2]),
        ("a-1", "a", 1, [0.2, 0.3]),
        ("a-2", "a", 2, [0.25, 0.2]),
        ("b-0", "b", 0, [0.1, 0.1]),
    ):
        for k, (step, v) in enumerate(zip((1000, 2000), values, strict=True)):
            rows.append((trial, cond, seed, step, "training", "grid_fraction_037", v))
            rows.append((trial, cond, seed, step, "training", "elapsed_s", 25.0 + 35.0 * k))
        rows.append((trial, cond, seed, 2000, "final", "grid_fraction_037", 0.9))
    return pd.DataFrame(
        rows, columns=["trial", "condition", "seed", "step", "source", "metric", "value"]
    )


def test_finished_keeps_the_done_trials():
    done = finished(_results())
    assert list(done["status"]) == ["done"] * 5 and list(done.index) == [0, 1, 2, 4, 5]
    plain = _results().drop(columns="status")
    assert finished(plain) is plain  # a table without a status column: all finished


def test_spread_uses_finished_trials_only():
    s = spread(_results())
    assert s.loc["a", "seeds"] == 3  # the diverged seed is left out
    assert s.loc["a", "median"] == pytest.approx(0.26)
    assert s.loc["a", "min"] == pytest.approx(0.20) and s.loc["a", "max"] == pytest.approx(0.30)
    assert s.loc["a", "share >= 0.25"] == pytest.approx(2 / 3)
    assert s.loc["b", "share >= 0.25"] == 0.0


def test_time_to_level_reads_the_first_training_scoring():
    t = time_to_level(_curves()).set_index("trial")
    assert math.isnan(t.loc["a-0", "step"])
    assert t.loc["a-1", "step"] == 2000 and t.loc["a-1", "wall_s"] == pytest.approx(60.0)
    assert t.loc["a-2", "step"] == 1000 and t.loc["a-2", "wall_s"] == pytest.approx(25.0)
    assert math.isnan(t.loc["b-0", "step"])  # the "final" 0.9 is not a training scoring


def test_headline_and_its_table():
    h = headline(_results(), _curves())
    assert h.loc["a", "median_037"] == pytest.approx(0.26)
    assert h.loc["a", "share_ever"] == pytest.approx(2 / 3)
    assert h.loc["a", "median_step"] == pytest.approx(1500)
    assert h.loc["a", "median_wall_s"] == pytest.approx(42.5)
    assert np.isnan(h.loc["b", "median_step"])
    table = headline_table(h)
    assert list(table.columns) == ["a", "b", "Banino et al."]
    assert table.loc["> 0.37: median", "a"] == "26.0 %"
    assert table.loc["seeds ≥ 25 %: any scoring", "a"] == "2 of 3"
    assert table.loc["median step to 25 %", "b"] == "–"
    assert table.loc["> 0.37: median", "Banino et al."] == "25.2 %"
    assert (table["Banino et al."].drop("> 0.37: median") == "–").all()
    assert "nan" not in table.to_string()


def test_headline_sentence_reads_one_row_of_the_headline():
    h = headline(_results(), _curves())
    a = headline_sentence(h, "a")
    assert a == (
        "Over 3 seeds, `a` ends with a median of 26.0 % grid-like units (20.0–30.0 %), above the "
        "paper's 25.2 %; 2 of 3 seeds are at or above 25 % at the last step."
    )
    b = headline_sentence(h, "b")
    assert b.startswith("Over 2 seeds, `b` ends with a median of 11.0 %") and "below" in b
    assert "0 of 2 seeds" in b and "(" in b and "on the way" not in b
    # A seed that reached the level at a scoring but ended below it is said so.
    late = h.copy()
    late.loc["a", "share_ever"] = 1.0
    assert headline_sentence(late, "a").endswith(
        "at the last step (3 reach it at some scoring on the way)."
    )
    one = headline(_results().query("condition == 'b' and seed == 0"), _curves())
    text = headline_sentence(one, "b")
    assert text == (
        "The only seed of `b` ends with 10.0 % grid-like units, below the paper's 25.2 %, "
        "below 25 %."
    )
    assert not any(bad in a + b + text for bad in ("(s)", "1 seeds", "nan", "–%"))


def _three():
    # a: baseline; b: far below a (beyond the spread); c: within a's spread.
    return pd.DataFrame(
        {
            "condition": ["a"] * 3 + ["b"] * 3 + ["c"] * 3,
            "status": ["done"] * 9,
            "grid_fraction_037": [0.20, 0.25, 0.30, 0.01, 0.02, 0.03, 0.22, 0.26, 0.31],
            "position_error_cm": [20.0, 21.0, 22.0, 60.0, 61.0, 62.0, 20.0, 21.5, 22.0],
            "loss": [5.0, 5.1, 5.2, 6.0, 6.1, 6.2, 5.0, 5.1, 5.2],
        }
    )


def test_effect_sentence_in_the_metrics_unit_and_against_the_spread():
    df = _three()
    far = effect_sentence(df, "a", "b", "grid_fraction_037")
    assert "23.0 points below" in far and "larger than the spread" in far
    near = effect_sentence(df, "a", "c", "position_error_cm")
    assert "0.5 cm above" in near and "smaller than the spread" in near
    assert "not enough seeds" in effect_sentence(df, "a", "missing")


def test_verdict_compares_every_condition_with_the_first():
    text = verdict(_three())
    assert text.count("`a`") == 4  # b and c, in two metrics
    assert text.startswith("In grid-like units (> 0.37), the median of `b`")
    assert "no finished trial" in verdict(None)
    assert "nothing to compare" in verdict(_three().query("condition == 'a'"))


def test_comparison_marks_differences_beyond_the_spread():
    table = comparison(_three())
    assert list(table.index) == ["a", "b", "c"]
    assert table.loc["a", "grid_fraction_037 vs baseline"] == "baseline"
    assert table.loc["b", "grid_fraction_037 vs baseline"] == "-23.0*"
    assert table.loc["c", "grid_fraction_037 vs baseline"] == "+1.0"
    assert table.loc["b", "position_error_cm median (cm)"] == 61.0


def test_best_per_family_picks_each_familys_highest_median():
    df = _three()
    df["condition"] = ["adam lr 1"] * 3 + ["adam lr 2"] * 3 + ["sgd lr 1"] * 3
    best = best_per_family(df)
    assert best.loc["adam", "best"] == "adam lr 1" and best.loc["adam", "settings"] == 2
    assert best.loc["sgd", "best"] == "sgd lr 1" and best.loc["sgd", "median"] == 0.26


def test_a_condition_whose_seeds_all_diverged_is_said_so():
    df = _three()
    df.loc[df["condition"] == "b", "status"] = "diverged"
    assert "all 3 seeds of `b` diverged" in effect_sentence(df, "a", "b")
    df.loc[df.index[df["condition"] == "c"][1:], "condition"] = "c-left-out"
    df.loc[df["condition"] == "c", "status"] = "diverged"
    assert "the only seed of `c` diverged" in effect_sentence(df, "a", "c")
    one = _three().query("condition != 'b' or index == 3")
    assert "(1 and 3 seeds)" in effect_sentence(one, "a", "b")
    assert "(3 and 1 seed)" in effect_sentence(one, "b", "a")
    table = comparison(df)
    assert table.loc["b", "diverged"] == 3 and table.loc["b", "seeds"] == 0
    assert table.loc["a", "diverged"] == 0


def test_effects_lists_each_change_against_its_own_baseline():
    df = pd.DataFrame(
        {
            "condition": ["base"] * 3 + ["wide"] * 3,
            "status": ["done"] * 6,
            "median_scale_m": [1.40, 1.45, 1.50, 1.00, 1.05, 1.10],
            "grid_fraction_037": [0.25, 0.26, 0.27, 0.25, 0.26, 0.27],
        }
    )
    table = effects([("wider", df, "base", "wide"), ("not yet", None, "base", "x")])
    assert table.loc["wider", "median grid scale (cm)"] == "-40.0*"
    assert table.loc["wider", "grid-like units (> 0.37) (%)"] == "+0.0"
    assert table.loc["wider", "seeds"] == "3 vs 3"
    assert (table.loc["not yet"] == "–").all()


def test_select_conditions_keeps_every_seed_in_the_order_asked():
    df = _results()
    picked = select_conditions(df, ["b", "a"])
    assert list(picked["condition"]) == ["b"] * 2 + ["a"] * 4  # diverged seeds kept
    from gridcore.errors import GridcoreError

    with pytest.raises(GridcoreError, match="no condition 'c' in the table; it has: a, b"):
        select_conditions(df, ["a", "c"])


def test_quick_labels_name_the_seeds_behind_the_baseline():
    from gridcore.sweeps.summary import quick_labels

    df = pd.DataFrame(
        {"condition": ["batch 10", "batch 10", "batch 50"], "status": ["done"] * 3,
         "grid_fraction_037": [0.2, 0.3, 0.1]}
    )  # fmt: skip
    assert quick_labels("batch-size", df, "headline-quick") == {
        "batch 10": "batch 10, on the shared seeds"
    }
    assert quick_labels("batch-size", df) == {"batch 10": "batch 10, on this sweep's seeds"}
    assert quick_labels("batch-size", None) == {} and quick_labels("other", df) == {}


def test_quick_baselines_give_each_seed_set_its_median():
    from gridcore.sweeps.summary import quick_baselines

    ref = pd.DataFrame(
        {"condition": ["quick"] * 4, "status": ["done"] * 4,
         "grid_fraction_037": [0.20, 0.22, 0.24, 0.30]}
    )  # fmt: skip
    shared = pd.DataFrame(
        {"condition": ["batch 10", "batch 10", "batch 50"], "status": ["done"] * 3,
         "grid_fraction_037": [0.2, 0.22, 0.0]}
    )  # fmt: skip
    own = pd.DataFrame(
        {"condition": ["dropout=0.5"] * 3, "status": ["done", "done", "failed"],
         "grid_fraction_037": [0.3, 0.3, np.nan]}
    )  # fmt: skip
    table = quick_baselines(
        {"headline-quick": (ref, None), "batch-size": (shared, "headline-quick"),
         "dropout": (own, None), "core": (None, None)}
    )  # fmt: skip
    assert list(table.index) == ["headline-quick", "batch-size", "dropout"]
    assert list(table["seeds"]) == [4, 2, 2]
    assert list(table["shared_with"]) == ["", "headline-quick", ""]
    np.testing.assert_allclose(table["median"], [0.23, 0.21, 0.30])


def test_seed_median_skips_missing_values_and_columns():
    seeds = pd.DataFrame({"x": [1.0, np.nan, 3.0, 10.0]})
    assert seed_median(seeds, "x") == 3.0
    assert math.isnan(seed_median(seeds, "y"))
    assert math.isnan(seed_median(pd.DataFrame({"x": [np.nan]}), "x"))
