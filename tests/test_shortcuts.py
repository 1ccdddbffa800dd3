import numpy as np
import pytest
import torch

from gridcore.errors import GridcoreError
from gridcore.navigation import shortcuts as sc
from gridcore.navigation.agents import AgentResult
from gridcore.world.arenas import two_rooms


def test_episodes_start_west_and_end_east_with_the_network_state_there(tiny_network):
    net, arena = tiny_network, two_rooms()
    ep = sc.shortcut_episodes(net, arena, 30, explore_steps=20)
    assert arena.in_zone(ep.start_pos, arena.start_zone).all()
    assert arena.in_zone(ep.goal_pos, arena.goal_zone).all()
    assert ep.goal_code.shape == ep.now_code.shape == (30, net.model.bottleneck.out_features)
    again = sc.shortcut_episodes(net, arena, 30, explore_steps=20)
    assert torch.equal(ep.start_pos, again.start_pos)  # seeded
    other = sc.shortcut_episodes(net, arena, 30, explore_steps=20, seed=1)
    assert not torch.equal(ep.start_pos, other.start_pos)


def test_route_vector_moves_on_within_reach_and_stops_at_the_goal():
    waypoints = torch.tensor([[[1.0, 0.0], [1.0, 1.0], [2.0, 1.0]]])
    route = sc.RouteVector(waypoints, locate=lambda here: here, reach=0.1)
    vec = route(None, torch.tensor([[0.0, 0.0]]))
    torch.testing.assert_close(vec, torch.tensor([[1.0, 0.0]]))
    vec = route(None, torch.tensor([[0.95, 0.0]]))  # reached the first: on to the second
    torch.testing.assert_close(vec, torch.tensor([[0.05, 1.0]]))
    assert route.current.item() == 1
    route(None, torch.tensor([[1.0, 0.95]]))
    for _ in range(3):  # the last one stays
        vec = route(None, torch.tensor([[2.0, 1.0]]))
    assert route.current.item() == 2 and vec.abs().max() == 0


def test_shortcut_test_runs_every_agent_and_counts_the_door(tiny_network):
    net = tiny_network
    grid = np.arange(8)  # an untrained network has no grid units: any units drive the test
    res = sc.shortcut_test(net, grid, n_episodes=40, max_steps=150, readout_trajectories=40)
    assert list(res.agents) == list(sc.AGENTS)
    oracle = res.agents["oracle"]
    assert oracle.success_rate > 0.9 and oracle.first_crossing_rate(0) > 0.8
    assert (res.closed_m > res.open_m).all()
    assert res.start_error_m.shape == (40,) and (res.start_error_m >= 0).all()
    table = res.table()
    assert list(table.index) == list(sc.AGENTS)
    door, gap = table["shortcut: door first (%)"], table["round by the gap (%)"]
    assert ((door >= 0) & (door + gap <= 100)).all()
    summary = res.summary()
    for agent in sc.AGENTS:
        assert 0 <= summary[f"shortcut_{agent}_success_rate"] <= 1
        assert 0 <= summary[f"shortcut_{agent}_door_first_rate"] <= 1
    assert res.paths["grid"].shape[0] == 6 and res.paths["grid"].shape[2] == 2
    with pytest.raises(GridcoreError, match="no grid-like units"):
        sc.shortcut_test(net, np.array([], dtype=int), n_episodes=2)


def _agent(wins: int, gate: int | None, n: int = 20) -> AgentResult:
    """An agent that reaches the goal in its first ``wins`` of ``n`` episodes, each on a path
    that first passes gate ``gate`` (0: the door, 1: the gap, None: neither)."""
    crossed = np.full((n, 2), -1)
    if gate is not None:
        crossed[:, gate] = 5
    success = np.arange(n) < wins
    return AgentResult(success, np.full(n, 50), np.full(n, 1.2), np.ones(n), 0.1, crossed)


def _shortcuts(agents: dict[str, AgentResult], start_error_m: float) -> sc.Shortcuts:
    n = len(agents["grid"].success)
    return sc.Shortcuts(
        agents, two_rooms(), np.ones(n), np.full(n, 2.0), np.zeros((n, 2)), np.ones((n, 2)),
        np.full(n, start_error_m), {},
    )  # fmt: skip


def test_the_shortcut_verdict_when_the_grid_agent_takes_the_door():
    agents = {
        "grid": _agent(15, 0),
        "place": _agent(20, 0),
        "route": _agent(2, 1),
        "random": _agent(0, None),
        "oracle": _agent(20, 0),
    }
    text = sc.shortcut_verdict(_shortcuts(agents, 0.3), box_error_m=0.1)
    assert text.startswith(
        "With the door open, 100 % of the grid agent's episodes take it (pass the wall there "
        "first), against 0 % of the route agent's, which go round by the gap in 100 %, and 0 % "
        "of the random walk's. The grid agent reaches the goal in 75 % of the episodes"
    )
    assert "So the grid agent takes the shortcut and the route follower mostly does not" in text
    assert (
        "Taking it, it also reaches the goal more often than the route follower (13 episodes won "
        "by the grid agent alone, 0 by the route agent alone, McNemar's exact test p < 0.001)"
    ) in text
    assert "What limits the vector agents" in text  # 75 % against the oracle's 100 %
    assert "30 cm off the rat's true position among the walls, against 10 cm" in text
    assert "seem to make its path integration worse" in text
    assert text.endswith("for the reasons given above.")


def test_the_shortcut_verdict_when_the_agents_do_alike():
    same = _agent(18, 1)
    agents = dict.fromkeys(("grid", "place", "route", "random", "oracle"), same)
    text = sc.shortcut_verdict(_shortcuts(agents, 0.1), box_error_m=0.1)
    assert "The grid agent does not take the shortcut more often than the route follower." in text
    assert "reach the goal about as often (0 episodes won by the grid agent alone" in text
    assert "McNemar's exact test p = 1.000" in text
    assert "What limits" not in text and "for the reasons given above" not in text
    assert text.endswith(
        "the walls, which it never saw in training, cost its path integration little. "
    )
