"""gridcore.navigation.rl_results: the agents' tables read over seeds, and the chapter's answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from gridcore import shipped
from gridcore.errors import GridcoreError
from gridcore.navigation import rl_results as R

NET = "net-a"


def _rows(variant, seed, condition, success, training="box", **extra):
    base = {
        "network": NET,
        "variant": variant,
        "seed": seed,
        "training": training,
        "condition": condition,
        "lesion": "none",
        "k": 0,
        "policy": "agent",
        "success_rate": success,
        "path_ratio": 1.5,
        "episodes_to_50": np.nan,
        "env_steps_to_50": np.nan,
    }
    return base | extra


def _write(tmp_path, grid=(0.6, 0.7, 0.8), place=(0.3, 0.4, 0.5), held=(0.2, 0.3, 0.4)):
    rows = []
    for seed in range(3):
        rows.append(_rows("grid", seed, "training goals", grid[seed], env_steps_to_50=1000 + seed))
        rows.append(_rows("place", seed, "training goals", place[seed]))
        rows.append(_rows("grid", seed, "held-out goals", held[seed]))
        rows.append(_rows("place", seed, "held-out goals", held[2 - seed]))
        for policy, value in (("random actions", 0.1 * (seed + 1)), ("random walk", 0.05)):
            for variant in ("grid", "place"):
                rows.append(_rows(variant, seed, "training goals", value, policy=policy))
        for kind in ("grid", "random"):
            rows.append(_rows("grid", seed, "lesion", 0.2, lesion=kind, k=10))
        rows.append(
            _rows("grid", seed, "shortcut", 0.5, "two-rooms", door_first_rate=0.4 + 0.1 * seed)
        )
    pd.DataFrame(rows).to_csv(tmp_path / R.RESULTS_FILE, index=False)
    curves = [
        {
            "network": NET,
            "variant": "grid",
            "seed": s,
            "training": "box",
            "episode": 100 * (i + 1),
            "episodes": 100,
            "env_steps": 250 * (i + 1),
            "success_rate": 0.25 * (i + 1),
        }
        for s in range(2)
        for i in range(4)
    ]
    pd.DataFrame(curves).to_csv(tmp_path / R.CURVES_FILE, index=False)
    spec = {"networks": {"other": {}, NET: {}}, "steps": 1000, "seeds": [0, 1, 2]}
    (tmp_path / R.SPEC_FILE).write_text(yaml.safe_dump(spec))
    return R.load_agent_tables(tmp_path)


def test_missing_tables_or_columns_are_one_clear_error(tmp_path):
    with pytest.raises(GridcoreError, match="navigation.csv.* missing .*rl_navigation.py"):
        R.load_agent_tables(tmp_path)
    _write(tmp_path)
    pd.read_csv(tmp_path / R.RESULTS_FILE).drop(columns="policy").to_csv(
        tmp_path / R.RESULTS_FILE, index=False
    )
    with pytest.raises(GridcoreError, match="lacks the columns policy"):
        R.load_agent_tables(tmp_path)


def test_networks_are_those_with_agents_in_spec_order(tmp_path):
    t = _write(tmp_path)
    assert t.networks == [NET]
    assert t.steps == 1000
    assert len(t.agents(NET)) == 6
    assert t.networks_in(R.ARENA) == [NET] and t.networks_in("maze") == []


def test_baselines_are_the_median_over_agents_that_met_the_same_episodes(tmp_path):
    long = R.by_seed(_write(tmp_path), NET, "training goals")
    assert list(dict.fromkeys(long.variant.astype(str))) == [
        "grid",
        "place",
        "random actions",
        "random walk",
    ]
    walk = long[long.variant == "random actions"].sort_values("seed")["value"]
    assert walk.tolist() == pytest.approx([0.1, 0.2, 0.3])


def test_success_table_reads_median_and_range_over_seeds(tmp_path):
    table = R.success_table(_write(tmp_path), NET)
    assert table.loc["grid", ("training goals", "success")] == "70 % (60–80)"
    assert table.loc["place", ("held-out goals", "success")] == "30 % (20–40)"
    assert table.loc["grid", ("training goals", "path / shortest")] == "1.50"
    assert table.loc["grid", ("", "seeds")] == 3


def test_comparison_ranks_only_when_every_seed_agrees(tmp_path):
    t = _write(tmp_path)
    assert R.compare(t, NET, "training goals").outcome == "beats"
    assert R.compare(t, NET, "training goals", "place", "grid").outcome == "falls below"
    assert R.compare(t, NET, "held-out goals").outcome == "overlaps"
    assert R.compare(t, NET, "shortcut").outcome == "missing"  # no place agent in the arena


def test_the_answer_names_where_grid_beats_place(tmp_path):
    text = R.grid_against_place(_write(tmp_path), NET)
    assert text == (
        f"**{NET}**: grid codes beat place codes on training goals "
        "(on training goals grid 70 % (60–80) against place 40 % (30–50))."
    )  # held-out goals overlap: their figures are left to the tables


def test_the_answer_says_when_nothing_separates_them(tmp_path):
    t = _write(tmp_path, grid=(0.3, 0.6, 0.7))
    assert R.grid_against_place(t, NET) == (
        f"**{NET}**: grid codes do not beat place codes anywhere: every comparison overlaps "
        "over seeds."
    )
    assert "no grid and place agents" in R.grid_against_place(t, "absent")


def test_learning_curves_share_one_axis_and_start_where_the_agent_does(tmp_path):
    curves = R.learning_curves(_write(tmp_path), NET, points=8)
    seed0 = curves[curves.seed == 0]
    assert seed0.env_steps.tolist() == pytest.approx(np.linspace(125, 1000, 8))
    assert np.isnan(seed0.success_rate.iloc[0])  # before its first block of episodes
    assert seed0.success_rate.iloc[1] == pytest.approx(0.25)  # 250 steps: the first block
    assert seed0.success_rate.iloc[2] == pytest.approx(0.375)  # halfway to the second


def test_steps_to_half_counts_the_seeds_that_got_there(tmp_path):
    table = R.steps_to_half(_write(tmp_path), NET)
    assert table.loc["grid", "seeds reaching 50 %"] == "3 of 3"
    assert table.loc["grid", "env steps (median)"] == "1 001"
    assert table.loc["place", "seeds reaching 50 %"] == "0 of 3"
    assert table.loc["place", "env steps (median)"] == "–"  # none got there


def test_lesions_start_from_the_intact_agent(tmp_path):
    long = R.lesions(_write(tmp_path), NET)
    intact = long[(long.k == 0) & (long.lesion == "grid")]
    assert intact.success_rate.tolist() == pytest.approx([0.6, 0.7, 0.8])
    table = R.lesion_table(_write(tmp_path), NET)
    assert list(table.columns) == ["intact", "grid, k=10", "random, k=10"]
    assert table.loc["grid", "grid, k=10"] == "20 %"


def test_shortcut_table_reads_the_door_first_rate(tmp_path):
    table = R.shortcut_table(_write(tmp_path), NET)
    assert table.loc["grid", "door first"] == "50 % (40–60)"
    assert table.loc["grid", "path / shortest"] == "1.50"


def test_the_shipped_experiment_reads_and_the_bound_leads():
    t = R.load_agent_tables(shipped.agent_experiment("rl-navigation"))
    net = t.networks[0]
    long = R.by_seed(t, net, "training goals")
    medians = R.spread(long)["median"]
    assert medians.idxmax() == "position"  # true coordinates: the bound every code is under
    assert medians["grid"] > medians["random actions"]
    assert set(R.VARIANTS) <= set(long.variant.astype(str))


def test_the_verdict_asks_for_held_out_goals_and_the_new_door(tmp_path):
    t = _write(tmp_path)  # grid beats place on training goals only; no place agent in the arena
    assert R.verdict(t, NET) == "partly"
    t = _write(tmp_path, grid=(0.3, 0.6, 0.7))
    assert R.verdict(t, NET) == "not reproduced"
    rows = pd.read_csv(tmp_path / R.RESULTS_FILE)
    held = (rows.condition == "held-out goals") & (rows.policy == "agent")
    rows.loc[held & (rows.variant == "grid"), "success_rate"] = 0.9
    place = rows[(rows.condition == "shortcut")].assign(variant="place", door_first_rate=0.1)
    pd.concat([rows, place]).to_csv(tmp_path / R.RESULTS_FILE, index=False)
    t = R.load_agent_tables(tmp_path)
    assert R.compare(t, NET, "shortcut", measure="door_first_rate").outcome == "beats"
    assert R.verdict(t, NET) == "reproduced"


def test_the_answer_adds_the_untrained_control(tmp_path):
    t = _write(tmp_path)
    assert R.answer(t, NET) == R.grid_against_place(t, NET)  # no untrained agents in the table
    rows = pd.read_csv(tmp_path / R.RESULTS_FILE)
    agent = (rows.policy == "agent") & (rows.variant == "grid") & (rows.lesion == "none")
    extra = pd.concat(
        [
            rows[agent].assign(variant="bottleneck"),
            rows[agent].assign(variant="untrained", success_rate=0.95),
        ]
    )
    pd.concat([rows, extra]).to_csv(tmp_path / R.RESULTS_FILE, index=False)
    text = R.answer(R.load_agent_tables(tmp_path), NET)
    assert "Untrained codes beat trained codes on training goals and" in text
    assert "(on training goals bottleneck 70 % (60–80) against untrained 95 % (95–95);" in text


def test_the_answer_asks_whether_the_goal_code_is_used(tmp_path):
    _write(tmp_path)
    rows = pd.read_csv(tmp_path / R.RESULTS_FILE)
    agent = (rows.policy == "agent") & (rows.variant == "grid") & (rows.lesion == "none")
    no_goal = rows[agent].assign(variant="grid-no-goal")  # the same success without the goal
    pd.concat([rows, no_goal]).to_csv(tmp_path / R.RESULTS_FILE, index=False)
    text = R.answer(R.load_agent_tables(tmp_path), NET)
    assert "Grid agents given the goal's code do not beat grid agents without it anywhere" in text
    rows.loc[agent & (rows.condition == "training goals"), "success_rate"] = 0.95
    pd.concat([rows, no_goal]).to_csv(tmp_path / R.RESULTS_FILE, index=False)
    text = R.answer(R.load_agent_tables(tmp_path), NET)
    assert "Grid agents given the goal's code beat grid agents without it on training goals" in text


def test_the_answer_asks_whether_the_new_door_needs_a_trained_code(tmp_path):
    _write(tmp_path)
    rows = pd.read_csv(tmp_path / R.RESULTS_FILE)
    arena = rows[(rows.condition == "shortcut") & (rows.variant == "grid")]
    untrained = arena.assign(variant="untrained", door_first_rate=0.9)
    pd.concat([rows, untrained]).to_csv(tmp_path / R.RESULTS_FILE, index=False)
    text = R.answer(R.load_agent_tables(tmp_path), NET)
    assert (
        "For taking the new door first, untrained codes beat grid codes in the shortcut test"
        in text
    )


def test_one_seed_a_side_ranks_nothing(tmp_path):
    _write(tmp_path)
    rows = pd.read_csv(tmp_path / R.RESULTS_FILE)
    place = rows[(rows.condition == "shortcut") & (rows.seed == 0)].assign(
        variant="place", success_rate=0.1
    )
    pd.concat([rows, place]).to_csv(tmp_path / R.RESULTS_FILE, index=False)
    t = R.load_agent_tables(tmp_path)
    assert R.compare(t, NET, "shortcut").outcome == "too few seeds"
    text = R.grid_against_place(t, NET)
    assert "beat place codes on training goals, and in the shortcut test too few seeds" in text
    assert "place 10 % (1 seed)" in text


def test_the_tally_counts_every_test_on_every_network(tmp_path):
    t = _write(tmp_path)  # grid beats place on training goals, overlaps on held-out goals
    tally = R.tally(t)
    assert len(tally) == len(R.TESTS) * len(t.networks)
    outcome = dict(zip(tally.test, tally.outcome, strict=True))
    assert outcome["training goals"] == "beats"
    assert outcome["held-out goals"] == "overlaps"
    assert outcome["shortcut success"] == outcome["new door first"] == "missing"
    assert R.tally_phrase(tally) == (
        f"over 1 network grid codes beat place codes in 1 of 2 ranked tests ({NET}: training goals)"
        " and fall below in 0"
    )
    assert R.tally_phrase(R.tally(t, "place", "grid")).endswith(
        f"in 0 of 2 ranked tests and fall below in 1 ({NET}: training goals)"
    )
    matrix = R.tally_matrix(tally)
    assert matrix.index.tolist() == [NET]
    assert matrix.columns.tolist() == [name for *_, name in R.TESTS]


def test_the_lesion_answer_ranks_each_k_over_seeds(tmp_path):
    t = _write(tmp_path)  # grid agents, k = 10: both lesions leave 20 % on every seed
    assert R.lesion_answer(t, NET, "grid") == (
        f"**{NET}**, grid agents: the seeds of the two lesions overlap at k = 10."
    )
    assert R.lesion_answer(t, NET) == f"**{NET}**: no lesioned bottleneck agents yet."
    rows = pd.read_csv(tmp_path / R.RESULTS_FILE)
    grid_lesion = (rows.condition == "lesion") & (rows.lesion == "grid")
    rows.loc[grid_lesion, "success_rate"] = 0.1 + 0.01 * rows.loc[grid_lesion, "seed"]
    deeper = rows[rows.condition == "lesion"].assign(k=40)
    deeper.loc[deeper.lesion == "grid", "success_rate"] = 0.5  # random lesions hurt more here
    pd.concat([rows, deeper]).to_csv(tmp_path / R.RESULTS_FILE, index=False)
    assert R.lesion_answer(R.load_agent_tables(tmp_path), NET, "grid") == (
        f"**{NET}**, grid agents: silencing the top-k grid units hurts the grid agents more than "
        "silencing k random units at k = 10 (grid 11 % (10–12) against random 20 % (20–20)); "
        "silencing k random units hurts more at k = 40 (grid 50 % (50–50) against random 20 % "
        "(20–20))."
    )
