import math

import numpy as np
import pytest
import torch

from gridcore import agents as ag
from gridcore.trajectories import get_motion

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
