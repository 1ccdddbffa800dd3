"""gridcore.sweeps.answers: one question, one sentence, from a sweep's table."""

import numpy as np
import pandas as pd
import pytest


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
    from gridcore.sweeps.answers import answer

    df = _pair([0.15, 0.16, 0.17], [0.26, 0.27, 0.28])
    text = answer(df, "base", "other", question="Does it matter?", expect="higher")
    assert text == (
        "Does it matter? Yes: the share of grid-like units is higher (27.0 % with other, "
        "against 16.0 % with base; medians of 3 seeds each)."
    )


def test_answer_no_when_the_gap_goes_the_other_way():
    from gridcore.sweeps.answers import answer

    df = _pair([0.26, 0.27, 0.28], [0.15, 0.16, 0.17])
    # A "No" says which way it went.
    assert answer(df, "base", "other", expect="higher").startswith(
        "No: the share of grid-like units is lower (16.0 % with other, against 27.0 %"
    )
    assert answer(df, "base", "other").startswith("Yes: ")  # no direction asked: any gap
    labelled = answer(df, "base", "other", labels={"other": "dropout"}, expect="lower")
    assert "(16.0 % with dropout, against 27.0 % with base;" in labelled


def test_answer_within_the_spread():
    from gridcore.sweeps.answers import answer

    df = _pair([0.10, 0.20, 0.30], [0.12, 0.22, 0.31])
    text = answer(df, "base", "other", expect="higher")
    assert text.startswith("No clear difference: 22.0 % with other, against 20.0 % with base")
    assert "a gap within the spread between seeds (medians of 3 seeds each)." in text


def test_answer_says_when_data_are_missing():
    from gridcore.sweeps.answers import answer

    few = _pair([0.1, 0.2, 0.3], [0.2])
    assert answer(few, "base", "other").startswith("Not enough seeds to tell: other has 1")
    diverged = _pair([0.1, 0.2, 0.3], [np.nan] * 3, status_other="diverged")
    assert "all 3 seeds of other diverged" in answer(diverged, "base", "other")
    assert answer(None, "base", "other").startswith("Not known")
    assert answer(few, "base", "missing").startswith("Not enough seeds")
    with pytest.raises(Exception, match="expect"):
        answer(few, "base", "other", expect="more")


def test_ranking_groups_conditions_against_the_baseline():
    from gridcore.sweeps.answers import ranking

    df = pd.concat(
        [
            _pair([0.25, 0.26, 0.27], [0.05, 0.06, 0.07]),
            _pair([0.25], [0.24, 0.26, 0.27]).iloc[1:].assign(condition="same"),
            _pair([0.25], [np.nan] * 2, status_other="diverged").iloc[1:].assign(condition="bad"),
        ]
    )
    text = ranking(df, "base")
    assert text.startswith("Base: 26.0 % grid-like units (median of 3 seeds)")
    assert "; within the spread between seeds: same (26.0 %)" in text
    assert "; lower: other (6.0 %)" in text
    assert "; every seed diverged: bad." in text


def test_level_and_correlation_answers():
    from gridcore.sweeps.answers import correlation_answer, level_answer

    df = _pair([0.20, 0.26, 0.27, 0.30], [0.1])
    text = level_answer(df, "base", target_share=0.9)
    assert text.startswith("No: a median of 26.5 % grid-like units over 4 seeds")
    assert "3 of 4 seeds at 25.0 % or more at step 8,000" in text
    assert level_answer(df, "base").startswith("A median of")
    r = {"n": 40, "rho": -0.5, "p": 0.001, "low": -0.7, "high": -0.3}
    assert correlation_answer(r, 3).startswith(
        "Across settings, yes: over 40 distinct networks from 3 sweeps"
    )
    assert "does not show that it holds within one" in correlation_answer(r, 3)
    assert correlation_answer({**r, "high": 0.1}, 3).startswith("No clear relation")
    assert correlation_answer({"n": 2, "rho": np.nan}, 1).startswith("Not enough networks")


def test_experiments_table_reads_each_sweep_and_says_what_is_missing(tmp_path):
    from gridcore.sweeps.answers import experiments_table

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
    assert lines[2].startswith("| Dropout? | Yes: the share of grid-like units is higher (27.0 %")
    assert "with dropout 0.5, against 16.0 % with no dropout" in lines[2]
    assert "Not known: `absent` has no table." in lines[3]
    assert "a \\| b" in lines[4]  # a | in a cell is escaped


def test_answer_says_when_finished_seeds_have_no_value():
    from gridcore.sweeps.answers import answer

    df = _pair([0.1, 0.2, 0.3], [0.2, np.nan, np.nan])
    text = answer(df, "base", "other")
    assert "only 1 of the 3 finished seeds of other has a value of" in text
    two = answer(_pair([0.1, 0.2, 0.3], [0.2, 0.3, np.nan, np.nan]), "base", "other", min_seeds=3)
    assert "only 2 of the 4 finished seeds of other have a value of" in two
    none = answer(_pair([0.1, 0.2, 0.3], [np.nan, np.nan]), "base", "other")
    assert "none of the 2 finished seeds of other has a value of" in none


# Template leftovers that a reader must never see: a count with a noun in the wrong number,
# "(s)" plurals, or a sentence built around an empty list.
LEFTOVERS = ("(s)", " 1 seeds", " 1 networks", " 1 sweeps", "all 1 ", " 0 seeds", ", ,", "()")


def _clean(text: str) -> bool:
    return not any(bad in text for bad in LEFTOVERS)


def test_answers_about_one_seed_read_in_the_singular():
    from gridcore.sweeps.answers import answer, correlation_answer, level_answer, ranking

    one = _pair([0.25], [0.05])
    for text in (
        answer(one, "base", "other", min_seeds=1),
        ranking(one, "base", min_seeds=1),
        level_answer(one, "base"),
        answer(_pair([0.1, 0.2], [np.nan], status_other="diverged"), "base", "other"),
        level_answer(_pair([0.1], [np.nan], status_other="diverged"), "other"),
        ranking(_pair([0.25, 0.26], [0.1]), "base", min_seeds=2),
        answer(_pair([0.1, 0.2], [0.3]), "base", "other"),
        correlation_answer({"n": 1, "rho": np.nan}, 1),
        correlation_answer({"n": 0, "rho": np.nan}, 1),
        correlation_answer({"n": 40, "rho": -0.5, "low": -0.7, "high": -0.3}, 1),
    ):
        assert _clean(text), text
    assert "(median of 1 seed)" in ranking(one, "base", min_seeds=1)
    assert "1 seed each" in answer(one, "base", "other", min_seeds=1)
    assert level_answer(one, "base").startswith(
        "One finished seed, with 25.0 % grid-like units at step 8,000, at or above 25.0 %;"
    )
    assert "below 25.0 %" in level_answer(one, "other")
    diverged = _pair([0.1, 0.2], [np.nan], status_other="diverged")
    assert "the only seed of other diverged" in answer(diverged, "base", "other")
    assert "other has 1 finished seed," in answer(_pair([0.1, 0.2], [0.3]), "base", "other")
    assert "1 network has both numbers" in correlation_answer({"n": 1, "rho": np.nan}, 1)
    assert "no networks have both numbers" in correlation_answer({"n": 0, "rho": np.nan}, 1)
    assert "from 1 sweep," in correlation_answer(
        {"n": 40, "rho": -0.5, "low": -0.7, "high": -0.3}, 1
    )


def test_questions_point_to_other_chapters_by_title_not_by_number():
    import re

    from gridcore.sweeps.answers import QUESTIONS

    for q in QUESTIONS:
        assert not re.search(r"\b(ch\.|chapter) ?\d", q["see"]), q["see"]
        assert ".ipynb" not in q["see"], q["see"]  # {doc} and {ref} resolve; a file link may not


def test_learnt_answer_uses_the_books_limit():
    from gridcore.sweeps.answers import learnt_answer

    limit = 42.0
    df = _pair([0.2] * 3, [0.2] * 3).assign(position_error_cm=[20.0] * 3 + [limit + 10] * 3)
    text = learnt_answer(df, "other", "base", limit)
    assert text.startswith(
        f"The `other` networks end with a median position error of {limit + 10:.0f} cm"
    )
    assert f"above {limit:.0f} cm, half the error" in text and "have not learnt" in text
    assert learnt_answer(df, "base", "other", limit).endswith("so they have learnt the task.")


def _paper_rat_table(dog_scale: float) -> pd.DataFrame:
    from gridcore.sweeps.answers import DOG_EPSILONS

    rows = {  # condition: scale, share, error, loss, null
        "paper rat": (1.5, 0.25, 36.0, 3.0, 0.29),
        DOG_EPSILONS[0]: (0.96, 0.11, 89.0, 5.546, 0.40),
        DOG_EPSILONS[1]: (dog_scale, 0.20, 12.0, 5.475, 0.38),
    }
    columns = ["median_scale_m", "grid_fraction_037", "position_error_cm", "loss"]
    return pd.DataFrame(
        [
            {"condition": c, "seed": s, "status": "done", "shuffle_threshold": v[4]}
            | dict(zip(columns, v[:4], strict=False))
            for c, v in rows.items()
            for s in range(3)
        ]
    )


def test_paper_rat_answer_counts_only_networks_that_learnt():
    from gridcore.sweeps.answers import paper_rat_answer

    text = paper_rat_answer(_paper_rat_table(0.88), 42.0)
    assert text.startswith(
        "Of this sweep's conditions whose networks learnt the task (a median position error of "
        "at most 42 cm), centre-surround targets at epsilon 1e-14 give the smallest grids: a median "
        "scale of 0.88 m"
    )
    assert "at 1e-10 their networks end at a median loss of 5.546" in text
    assert "ln 256 = 5.545" in text and "a median of 11.0 % of their units above 0.37" in text
    # the unlearnt condition (89 cm) never counts, even with the smallest grid
    assert "epsilon 1e-10 grows" not in paper_rat_answer(_paper_rat_table(0.99), 42.0)
    elsewhere = (0.67, 0.297, "8 cm wide, 5 seeds")
    also = paper_rat_answer(_paper_rat_table(0.88), 42.0, elsewhere)
    assert (
        "Narrower targets, trained in another sweep, go smaller on the same rat: 0.67 m with 29.7 %"
        in also
    )
    assert "Narrower targets" not in paper_rat_answer(_paper_rat_table(0.88), 42.0, (0.9, 0.3, ""))


def test_answers_give_no_verdict_for_networks_that_did_not_learn():
    from gridcore.sweeps.answers import answer, ranking

    df = _pair([0.15, 0.16, 0.17], [0.26, 0.27, 0.28])
    df.loc[df["condition"] == "other", "position_error_cm"] = 90.0
    text = answer(df, "base", "other", expect="higher", limit_cm=42.0)
    assert text.startswith("No verdict: the networks with other did not learn the task")
    assert "(a median position error of 90 cm, above the 42 cm" in text
    assert answer(df, "base", "other", expect="higher").startswith("Yes: ")  # no limit given
    ranked = ranking(df, "base", limit_cm=42.0)
    assert "; did not learn the task (a median position error above 42 cm): other." in ranked
