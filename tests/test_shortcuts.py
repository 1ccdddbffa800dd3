import numpy as np
import pytest
import torch

from gridcore import shortcuts as sc
from gridcore.arenas import two_rooms
from gridcore.errors import GridcoreError


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
