import math

import numpy as np
import pandas as pd
import pytest

from gridcore.sweeps import (
    best_per_family,
    comparison,
    effect_sentence,
    effects,
    headline,
    headline_table,
    spread,
    time_to_level,
    verdict,
)
from gridcore.sweeps.spec import CURVE_COLUMNS


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
    assert list(table.columns) == ["a", "b", "paper"]
    assert table.loc["> 0.37: median", "a"] == "26.0 %"
    assert table.loc["seeds ≥ 25 %: any scoring", "a"] == "2 of 3"
    assert table.loc["median step to 25 %", "b"] == "–"
    assert table.loc["> 0.37: median", "paper"] == "25.2 %"
    assert (table["paper"].drop("> 0.37: median") == "–").all()
    assert "nan" not in table.to_string()


def test_plot_curves_draws_every_seed_and_the_median():
    import matplotlib

    matplotlib.use("Agg")
    from gridcore.sweeps import plot_curves

    ax = plot_curves(_curves(), condition="a", level=0.252)
    lines = [ln for ln in ax.get_lines() if ln.get_label() != "_nolegend_"]
    assert len(ax.get_lines()) == 3 + 1 + 1  # three seeds, the median, the level
    median = ax.get_lines()[3].get_ydata()
    np.testing.assert_allclose(median, [0.2, 0.2])
    assert lines
    with pytest.raises(Exception, match="no training scorings"):
        plot_curves(_curves(), metric="nonsense")


def test_plot_curves_draws_the_median_only_where_enough_seeds_have_a_value():
    import matplotlib

    matplotlib.use("Agg")
    from gridcore.sweeps import plot_curves

    rows = [
        (f"s{k}", "c", k, step, "snapshot", "median_scale_m", value)
        for k, values in enumerate([[1.0, 1.5], [np.nan, 1.3], [np.nan, 1.4]])
        for step, value in zip((2000, 4000), values, strict=True)
    ]
    curves = pd.DataFrame(rows, columns=CURVE_COLUMNS)
    ax = plot_curves(curves, "median_scale_m", source="snapshot", min_share=0.5)
    median = ax.get_lines()[3].get_ydata()
    assert np.isnan(median[0]) and median[1] == pytest.approx(1.4)  # 1 of 3 seeds at 2000
    ax = plot_curves(curves, "median_scale_m", source="snapshot")
    np.testing.assert_allclose(ax.get_lines()[3].get_ydata(), [1.0, 1.4])


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


def test_plot_experiment_draws_one_panel_per_metric_with_every_seed():
    from gridcore.sweeps import plot_experiment

    axes = plot_experiment(_three(), ("grid_fraction_037", "loss"))
    assert len(axes) == 2 and axes[1].get_ylabel() == "loss (nats)"
    assert all(sum(len(c.get_offsets()) for c in ax.collections) == 9 for ax in axes)
    assert axes[0].get_legend() is not None and axes[1].get_legend() is None


def test_a_condition_whose_seeds_all_diverged_is_said_so():
    df = _three()
    df.loc[df["condition"] == "b", "status"] = "diverged"
    assert "all 3 seeds of `b` diverged" in effect_sentence(df, "a", "b")
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


# --------------------------------------------------------------------------------------------
# One question, one sentence


def _pair(base, other, status_other=None):
    n = len(base)
    return pd.DataFrame(
        {
            "condition": ["base"] * n + ["other"] * len(other),
            "seed": list(range(n)) + list(range(len(other))),
            "status": ["done"] * n + [status_other or "done"] * len(other),
            "step": 8000,
            "grid_fraction_037": list(base) + list(other),
            "position_error_cm": [20.0] * n + [21.0] * len(other),
        }
    )


def test_answer_yes_beyond_the_spread():
    from gridcore.sweeps.summary import answer

    df = _pair([0.15, 0.16, 0.17], [0.26, 0.27, 0.28])
    text = answer(df, "base", "other", question="Does it matter?", expect="higher")
    assert text.startswith("Does it matter? Yes: networks with `other` end with 27.0 %")
    assert "against 16.0 % with `base`" in text and "3 seeds each" in text
    assert "beyond the spread between seeds" in text and "nan" not in text


def test_answer_no_when_the_gap_goes_the_other_way():
    from gridcore.sweeps.summary import answer

    df = _pair([0.26, 0.27, 0.28], [0.15, 0.16, 0.17])
    assert answer(df, "base", "other", expect="higher").startswith("No: ")
    assert answer(df, "base", "other").startswith("Yes: ")  # no direction asked: any gap
    labelled = answer(df, "base", "other", labels={"other": "dropout"}, expect="lower")
    assert "networks with dropout end with 16.0 %" in labelled


def test_answer_within_the_spread():
    from gridcore.sweeps.summary import answer

    df = _pair([0.10, 0.20, 0.30], [0.12, 0.22, 0.31])
    text = answer(df, "base", "other", expect="higher")
    assert text.startswith("No clear difference: ") and "within the spread" in text


def test_answer_says_when_data_are_missing():
    from gridcore.sweeps.summary import answer

    few = _pair([0.1, 0.2, 0.3], [0.2])
    assert answer(few, "base", "other").startswith("Not enough seeds to tell: `other` has 1")
    diverged = _pair([0.1, 0.2, 0.3], [np.nan] * 3, status_other="diverged")
    assert "all 3 seeds of `other` diverged" in answer(diverged, "base", "other")
    assert answer(None, "base", "other").startswith("Not known")
    assert answer(few, "base", "missing").startswith("Not enough seeds")
    with pytest.raises(Exception, match="expect"):
        answer(few, "base", "other", expect="more")


def test_ranking_groups_conditions_against_the_baseline():
    from gridcore.sweeps.summary import ranking

    df = pd.concat(
        [
            _pair([0.25, 0.26, 0.27], [0.05, 0.06, 0.07]),
            _pair([0.25], [0.24, 0.26, 0.27]).iloc[1:].assign(condition="same"),
            _pair([0.25], [np.nan] * 2, status_other="diverged").iloc[1:].assign(condition="bad"),
        ]
    )
    text = ranking(df, "base")
    assert text.startswith("`base` ends with 26.0 % grid-like units (median over 3 seeds)")
    assert "within the spread between seeds of it: `same` (26.0 %)" in text
    assert "below it by more than the spread: `other` (6.0 %)" in text
    assert "all seeds diverged: `bad`" in text


def test_level_and_correlation_answers():
    from gridcore.sweeps.summary import correlation_answer, level_answer

    df = _pair([0.20, 0.26, 0.27, 0.30], [0.1])
    text = level_answer(df, "base", target_share=0.9)
    assert text.startswith("No: a median of 26.5 % grid-like units over 4 seeds")
    assert "3 of 4 seeds at 25.0 % or more at step 8,000" in text
    assert level_answer(df, "base").startswith("A median of")
    r = {"n": 40, "rho": -0.5, "p": 0.001, "low": -0.7, "high": -0.3}
    assert correlation_answer(r, 3).startswith("Yes: over 40 distinct networks from 3 sweeps")
    assert correlation_answer({**r, "high": 0.1}, 3).startswith("No clear relation")
    assert correlation_answer({"n": 2, "rho": np.nan}, 1).startswith("Not enough networks")


def test_experiments_table_reads_each_sweep_and_says_what_is_missing(tmp_path):
    from gridcore.sweeps.summary import experiments_table

    (tmp_path / "dropout").mkdir()
    df = _pair([0.15, 0.16, 0.17], [0.26, 0.27, 0.28]).replace(
        {"condition": {"base": "dropout=0.0", "other": "dropout=0.5"}}
    )
    df.assign(trial=[f"t{i}" for i in range(len(df))]).to_csv(
        tmp_path / "dropout" / "results.csv", index=False
    )
    questions = (
        {"experiment": "dropout", "question": "Dropout?", "kind": "answer", "see": "here",
         "args": {"baseline": "dropout=0.0", "other": "dropout=0.5", "expect": "higher"}},
        {"experiment": "absent", "question": "Absent?", "kind": "ranking", "see": "there",
         "args": {"baseline": "x"}},
    )  # fmt: skip
    table = experiments_table(tmp_path, questions, extra=[("Extra?", "a | b", "ch. 1")])
    lines = table.splitlines()
    assert lines[0] == "| question | answer | see |" and len(lines) == 5
    assert lines[2].startswith("| Dropout? | Yes: networks with `dropout=0.5`")
    assert "Not known: `absent` has no table." in lines[3]
    assert "a \\| b" in lines[4]  # a | in a cell is escaped


def test_answer_says_when_finished_seeds_have_no_value():
    from gridcore.sweeps.summary import answer

    df = _pair([0.1, 0.2, 0.3], [0.2, np.nan, np.nan])
    text = answer(df, "base", "other")
    assert "only 1 of the 3 finished seeds of `other` have a value of" in text
