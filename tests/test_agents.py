import dataclasses
import math

import numpy as np
import pytest
import torch

from gridcore.navigation import agents as ag
from gridcore.world.trajectories import get_motion

HALF = 1.1  # half the 2.2 m box
WALL = torch.tensor([[[0.0, -1.1], [0.0, 0.6]]])  # across the box but for a gap at the top
GAP = torch.tensor([[[0.0, 0.6], [0.0, 1.1]]])


def test_oracle_agent_reaches_every_goal_and_random_walk_rarely_does():
    motion = get_motion("sorscher")
    g = torch.Generator().manual_seed(1)
    n = 200
    start = (torch.rand(n, 2, generator=g) * 2 - 1) * 1.0
    goal = (torch.rand(n, 2, generator=g) * 2 - 1) * 1.0
    hd = torch.rand(n, generator=g) * 2 * math.pi - math.pi
    oracle = ag.run_agent(ag.OraclePolicy(goal), start, hd, goal, motion, max_steps=250)
    assert oracle.success.all()
    assert 0.95 < oracle.path_ratio < 1.2
    walk = ag.random_walk(start, hd, goal, motion, max_steps=250)
    assert walk.success_rate < 0.4
    assert np.isnan(ag.AgentResult(np.zeros(3, bool), *np.ones((3, 3))).path_ratio)


def test_agent_stops_at_the_walls():
    motion = get_motion("sorscher")
    start, goal = torch.tensor([[0.0, 0.0]]), torch.tensor([[5.0, 0.0]])  # outside the box
    res = ag.run_agent(ag.OraclePolicy(goal), start, torch.zeros(1), goal, motion, max_steps=200)
    assert not res.success[0] and res.path_m[0] == pytest.approx(HALF, abs=1e-4)


def test_a_step_into_a_wall_stops_short_and_slides_along_it():
    half = torch.tensor([HALF, HALF])
    pos = torch.tensor([[-0.1, 0.0], [-0.1, 0.0], [-0.1, 0.0]])
    hd = torch.tensor([math.pi / 4, 0.0, math.pi])  # at 45 degrees, head-on, away
    new = ag.move(pos, hd, torch.full((3,), 0.2 * math.sqrt(2)), half, WALL)
    first = 0.1 * math.sqrt(2) - ag.WALL_GAP_M  # up to the wall, stopped just short
    slid = (0.2 * math.sqrt(2) - first) * math.cos(math.pi / 4)
    short = ag.WALL_GAP_M / math.sqrt(2)  # the gap is along the heading
    torch.testing.assert_close(new[0], torch.tensor([-short, 0.1 - short + slid]))
    torch.testing.assert_close(new[1], torch.tensor([-ag.WALL_GAP_M, 0.0]))  # no slide
    torch.testing.assert_close(new[2], torch.tensor([-0.1 - 0.2 * math.sqrt(2), 0.0]))


def test_agents_go_through_gaps_never_through_walls():
    """A gate counts crossings: the gap, and the wall itself, which nothing may cross."""
    motion = get_motion("sorscher")
    start = torch.tensor([[-0.5, 0.0], [-0.5, -0.5]])
    goal = torch.tensor([[0.5, 0.9], [0.5, -0.5]])  # the first line meets the wall at y = 0.45
    gates = torch.cat([GAP, WALL])
    res = ag.run_agent(
        ag.OraclePolicy(goal), start, torch.zeros(2), goal, motion, 300, walls=WALL, gates=gates
    )
    assert res.success.tolist() == [True, False]  # slides up to the gap; pushes head-on
    assert res.crossed_at[1].tolist() == [-1, -1] and res.crossed_at[0, 1] == -1
    assert 20 < res.crossed_at[0, 0] < res.steps[0]  # through the gap on its way
    assert res.crossing_rate(0) == 0.5 and res.first_crossing_rate(0) == 0.5
    assert res.first_crossing_rate(1) == 0 and res.path_m[0] > (goal - start)[0].norm() - 0.1
    walk = ag.random_walk(
        start.repeat(200, 1), torch.zeros(400), goal.repeat(200, 1), motion, walls=WALL, gates=gates
    )
    assert (walk.crossed_at[:, 1] < 0).all() and (walk.crossed_at[:, 0] >= 0).any()
    # Every rat that reached a goal on the other side went through the gap on the way.
    assert walk.success.any() and (walk.crossed_at[walk.success, 0] >= 0).all()
    assert (walk.crossed_at[walk.success, 0] < walk.steps[walk.success]).all()
    with pytest.raises(ValueError, match="no gates"):
        ag.AgentResult(*np.ones((4, 3))).first_crossing_rate()


# --------------------------------------------------------------------------------------------
# Two agents on the same episodes


def _result(success) -> ag.AgentResult:
    s = np.asarray(success, bool)
    return ag.AgentResult(s, np.zeros(s.size), np.ones(s.size), np.ones(s.size))


def test_paired_success_is_mcnemars_exact_test_on_the_episodes_one_agent_won():
    # 9 episodes won by a alone, 1 by b alone, 5 by both, 5 by neither
    a = _result([1] * 9 + [0] + [1] * 5 + [0] * 5)
    b = _result([0] * 9 + [1] + [1] * 5 + [0] * 5)
    res = ag.paired_success({"a": a, "b": b}, "a", "b")
    assert (res.only_a, res.only_b) == (9, 1)
    assert (res.success_a, res.success_b) == (0.7, 0.3)
    # Two-sided: twice P(X <= 1) for X ~ Binomial(10, 1/2), (1 + 10) / 1024 each side.
    assert res.p_value == pytest.approx(22 / 1024)
    assert res.word == "beats"
    back = ag.paired_success({"a": a, "b": b}, "b", "a")
    assert (back.only_a, back.only_b, back.word) == (1, 9, "loses to")
    assert back.p_value == pytest.approx(res.p_value)


def test_few_or_no_discordant_episodes_do_not_differ():
    same = _result([1, 0, 1, 1])
    res = ag.paired_success({"a": same, "b": same}, "a", "b")
    assert (res.only_a, res.only_b, res.p_value) == (0, 0, 1.0)
    assert res.word == "does not differ significantly from"
    # 5 episodes against 1: p = 2 * 7 / 64, not significant at 5 %, though the rates differ.
    five = ag.paired_success({"a": _result([1] * 5 + [0]), "b": _result([0] * 5 + [1])}, "a", "b")
    assert five.p_value == pytest.approx(14 / 64)
    assert five.word == "does not differ significantly from"
    assert dataclasses.replace(five, alpha=0.25).word == "beats"
    with pytest.raises(ValueError, match="not the same"):
        ag.paired_success({"a": same, "b": _result([1, 0])}, "a", "b")


def test_the_comparison_in_words():
    grid = _result([1] * 20 + [0] * 5)
    walk = _result([0] * 20 + [1] * 5)
    res = ag.paired_success({"grid": grid, "random": walk}, "grid", "random")
    assert res.sentence() == (
        "the grid agent (80 %) beats the random agent (20 %): 20 episodes won by the grid agent "
        "alone, 5 by the random agent alone, McNemar's exact test p = 0.004"
    )
    lopsided = ag.paired_success({"a": _result([1] * 20), "b": _result([0] * 20)}, "a", "b")
    assert lopsided.evidence().endswith("McNemar's exact test p < 0.001")
