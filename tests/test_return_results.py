"""The vector-navigation verdict: permutation test, interval, detectable difference."""

import numpy as np
import pandas as pd
import pytest

from gridcore.navigation import return_results as rr


def table(grid, place):
    rows = [("bottleneck", s, v) for s, v in enumerate(grid)]
    rows += [("place", s, v) for s, v in enumerate(place)]
    return pd.DataFrame(
        [
            {"variant": v, "seed": s, "condition": "held-out", "goals_per_episode": g}
            for v, s, g in rows
        ]
    )


def test_the_exact_permutation_test_has_its_smallest_p_for_separated_arms():
    a, b = np.array([5.0, 6, 7, 8, 9]), np.array([1.0, 2, 3, 4, 4.5])
    assert rr.permutation_p(a, b) == pytest.approx(2 / 252)
    assert rr.permutation_p(a, a.copy()) == 1.0


def test_detectable_difference_grows_with_the_spread_and_shrinks_with_seeds():
    tight = rr.detectable_difference(
        np.array([1.0, 1.1, 0.9, 1.0, 1.05]), np.array([1.0, 0.95, 1.1, 0.9, 1.0])
    )
    wide = rr.detectable_difference(
        np.array([1.0, 2, 0.2, 1.5, 0.5]), np.array([1.0, 0.1, 2, 0.9, 1.3])
    )
    assert 0 < tight < wide
    many = rr.detectable_difference(
        np.tile([1.0, 2, 0.2, 1.5, 0.5], 4), np.tile([1.0, 0.1, 2, 0.9, 1.3], 4)
    )
    assert many < wide


def test_the_verdict_can_come_out_each_way():
    clear = rr.primary(table([3.0, 3.2, 3.1, 3.3, 3.05], [2.0, 2.1, 1.9, 2.05, 2.2]))
    assert rr.verdict(clear) == "reproduced" and clear.interval[0] > 0
    reversed_ = rr.primary(table([2.0, 2.1, 1.9, 2.05, 2.2], [3.0, 3.2, 3.1, 3.3, 3.05]))
    assert rr.verdict(reversed_) == "not reproduced"
    tight_null = rr.primary(table([2.0, 2.02, 1.98, 2.01, 1.99], [2.0, 1.99, 2.01, 2.02, 1.98]))
    assert rr.verdict(tight_null) == "not reproduced"  # a paper-sized effect would have shown
    noisy = rr.primary(table([1.0, 3.0, 0.5, 2.5, 0.2], [2.0, 0.1, 3.0, 1.0, 0.4]))
    assert rr.verdict(noisy) == "inconclusive"
    with pytest.raises(ValueError, match="two seeds"):
        rr.primary(table([1.0], [2.0, 3.0]))


def test_the_primary_sentence_ends_in_its_verdict_and_says_why():
    clear = rr.primary(table([3.0, 3.2, 3.1, 3.3, 3.05], [2.0, 2.1, 1.9, 2.05, 2.2]))
    sentence = rr.primary_sentence(clear)
    assert sentence.endswith("**reproduced**.") and "grid agents reach more goals" in sentence
    tight_null = rr.primary(table([2.0, 2.02, 1.98, 2.01, 1.99], [2.0, 1.99, 2.01, 2.02, 1.98]))
    assert "yet none showed: **not reproduced**." in rr.primary_sentence(tight_null)
    noisy = rr.primary(table([1.0, 3.0, 0.5, 2.5, 0.2], [2.0, 0.1, 3.0, 1.0, 0.4]))
    sentence = rr.primary_sentence(noisy)
    assert sentence.endswith("**inconclusive**.") and "could detect only" in sentence
    assert "median of 1.00 goals" in sentence and "over 5 seeds" in sentence


def agent_rows(off_better: bool):
    rows = []
    for variant in ("bottleneck", "place"):
        for seed in range(3):
            base = 1.0 + seed / 10
            off = base + 0.5 if off_better else base - 0.5
            common = {"variant": variant, "seed": seed, "plateau": seed == 0, "plateau_change": 0}
            common["env_steps"] = 100
            rows.append({**common, "condition": "held-out", "goals_per_episode": base})
            rows.append({**common, "condition": "no goal code", "goals_per_episode": off})
            if variant == "bottleneck":
                for share, g, r in ((10, base - 0.2, base), (40, base - 0.6, base - 0.1)):
                    rows.append(
                        {**common, "condition": f"lesion grid {share}%", "goals_per_episode": g}
                    )
                    rows.append(
                        {**common, "condition": f"lesion random {share}%", "goals_per_episode": r}
                    )
    return pd.DataFrame(rows)


def test_goal_code_sentence_says_whether_the_agents_use_g_star():
    unused = rr.goal_code_sentence(agent_rows(off_better=True))
    assert "more on 3 of 3 seeds" in unused and unused.endswith("do not use the goal code.")
    used = rr.goal_code_sentence(agent_rows(off_better=False))
    assert "more on 0 of 3 seeds" in used and used.endswith("so the agents use the goal code.")


def test_finding_sentence_says_whether_the_experiment_tests_the_goal_code():
    unused = rr.finding_sentence(agent_rows(off_better=True))
    assert unused.startswith("Every grid and place agent reached more goals")
    assert "grid agents: 1.60 goals per episode without it against 1.10 with it" in unused
    assert "does not yet test vector-based navigation" in unused and "at random" not in unused
    assert unused.endswith(
        "Only 2 of the 6 agents' learning curves had levelled off when"
        " training stopped; the other 4 were still changing."
    )
    used = rr.finding_sentence(agent_rows(off_better=False))
    assert "0 of the 6 grid and place agents" in used and "does not yet test" not in used
    lesioned = agent_rows(off_better=True)
    lesioned.loc[lesioned.condition == "lesion random 40%", "goals_per_episode"] = 2.0
    assert "raised their median from 1.10 to 2.00 goals" in rr.finding_sentence(lesioned)


def test_finding_point_is_short_and_says_whether_the_goal_code_is_used():
    assert rr.finding_point(agent_rows(off_better=True)).endswith(
        "does not yet test vector-based navigation."
    )
    assert rr.finding_point(agent_rows(off_better=False)).endswith(": they use it.")


def test_seeds_needed_matches_the_detectable_difference():
    a, b = np.array([0.5, 0.6, 0.7, 0.9, 1.0]), np.array([0.6, 0.7, 0.8, 0.9, 1.1])
    assert rr.like_seeds(a, 7).mean() == pytest.approx(a.mean())
    assert rr.like_seeds(a, 7).std(ddof=1) == pytest.approx(a.std(ddof=1))
    now = rr.detectable_difference(a, b)
    n = rr.seeds_needed(a, b, now / 2)
    assert 5 < n <= 5 * 4 + 1
    assert rr.detectable_difference(rr.like_seeds(a, n), rr.like_seeds(b, n)) <= now / 2
    worse = rr.detectable_difference(rr.like_seeds(a, n - 1), rr.like_seeds(b, n - 1))
    assert worse > now / 2


def test_lesion_table_and_sentence_compare_grid_with_random_units():
    results = agent_rows(off_better=True)
    t = rr.lesion_table(results)
    assert list(t.index) == [0, 10, 40] and list(t.columns) == ["most grid-like", "random"]
    assert t.loc[0, "random"] == pytest.approx(1.1) and t.loc[40, "most grid-like"] < 1
    sentence = rr.lesion_sentence(results)
    assert "a median of 1.10 goals per episode" in sentence
    assert "(10 %, 40 % of them) lowered the median, by at most 0.60 goals" in sentence
    assert "random units lowered the median at 1 of the 2 shares, by at most 0.10" in sentence
    raised = results.copy()
    raised.loc[raised.condition == "lesion random 40%", "goals_per_episode"] += 0.5
    assert "random units raised the median at 1 of the 2 shares, by up to 0.40" in (
        rr.lesion_sentence(raised)
    )
    assert rr.plateau_counts(results) == (2, 6)


def test_curve_steps_spreads_rows_that_all_carry_the_budget():
    curves = pd.DataFrame(
        {"variant": "place", "seed": [0] * 4 + [1] * 2, "env_steps": [400] * 4 + [10, 20]}
    )
    fixed = rr.curve_steps(curves)
    assert fixed.env_steps.tolist() == [100, 200, 300, 400, 10, 20]


def test_preflight_sentence_passes_and_fails_on_the_code_row():
    pre = pd.DataFrame(
        {
            "arena": ["box", "box", "goal-doors", "goal-doors"],
            "reads": ["code", "truth", "code", "truth"],
            "anchor_on_move": [False, False, False, False],
            "trips": [100, 100, 100, 100],
            "success": [0.95, 1.0, 0.8, 1.0],
            "median_steps": [50, 40, 60, 50],
            "median_recovered_after": [20, 1, 20, 1],
        }
    )
    assert rr.preflight_passes(pre, "box") and not rr.preflight_passes(pre, "goal-doors")
    assert "95.0 %" in rr.preflight_sentence(pre, "box")
    assert rr.preflight_sentence(pre, "goal-doors").endswith("no agents were trained there.")
    assert len(rr.preflight_table(pre)) == 4
