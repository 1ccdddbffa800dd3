import math

import numpy as np
import pytest
import torch

from gridcore.world.arenas import free_ends, route_waypoints, shortest_paths, two_rooms
from gridcore.world.trajectories import crosses_walls

ARENA = two_rooms(door=0.5, gap=0.4)  # wall at x = 0 up to y = 0.7, door |y| < 0.25


def test_free_ends_are_the_ends_a_path_can_bend_round():
    ends, away = free_ends(ARENA.segments(door_open=False), ARENA.box)
    np.testing.assert_allclose(ends, [[0.0, 0.7]], atol=1e-6)  # the door closes the wall
    np.testing.assert_allclose(away, [[0.0, 1.0]])
    ends, away = free_ends(ARENA.segments(door_open=True), ARENA.box)
    np.testing.assert_allclose(ends, [[0, -0.25], [0, 0.25], [0, 0.7]], atol=1e-6)
    np.testing.assert_allclose(away, [[0, 1], [0, -1], [0, 1]])


def test_shortest_paths_go_through_the_door_once_it_opens():
    start = torch.tensor([[-0.6, 0.0], [-0.5, -0.9], [-0.6, 0.0]])
    goal = torch.tensor([[0.6, 0.0], [0.5, -0.9], [-0.2, 0.5]])
    closed, routes = shortest_paths(ARENA, start, goal, door_open=False)
    np.testing.assert_allclose(closed[:2], [2 * math.hypot(0.6, 0.7), 2 * math.hypot(0.5, 1.6)])
    assert all(np.allclose(r, [[0.0, 0.7]], atol=1e-6) for r in routes[:2])
    assert closed[2] == pytest.approx(math.hypot(0.4, 0.5)) and len(routes[2]) == 0
    opened, routes = shortest_paths(ARENA, start, goal, door_open=True)
    # Straight through the door; round its lower edge from the south.
    expected = [1.2, math.hypot(0.5, 0.65) * 2, math.hypot(0.4, 0.5)]
    np.testing.assert_allclose(opened, expected, rtol=1e-6)
    np.testing.assert_allclose(routes[1], [[0.0, -0.25]], atol=1e-6)
    assert (opened <= closed + 1e-9).all()


def test_route_waypoints_lead_round_the_wall_end():
    g = torch.Generator().manual_seed(0)
    start = torch.stack(
        [torch.rand(50, generator=g) * -0.8 - 0.2, torch.rand(50, generator=g) - 0.5], 1
    )
    goal = torch.stack(
        [torch.rand(50, generator=g) * 0.8 + 0.2, torch.rand(50, generator=g) - 0.5], 1
    )
    points = route_waypoints(ARENA, start, goal, door_open=False, clearance=0.15)
    assert points.shape == (50, 3, 2)
    torch.testing.assert_close(points[:, 0], torch.tensor([[-0.15, 0.85]]).expand(50, 2))
    torch.testing.assert_close(points[:, 1], torch.tensor([[0.15, 0.85]]).expand(50, 2))
    assert torch.equal(points[:, 2], goal)
    legs = torch.cat([start[:, None], points], dim=1)
    walls = ARENA.segments(door_open=False)
    assert not crosses_walls(legs[:, :-1], legs[:, 1:], walls).any()
    straight = route_waypoints(ARENA, start, goal, door_open=True)
    assert torch.equal(straight[:, -1], goal)


def test_zones_and_gates():
    inside = torch.tensor([[-0.5, 0.0], [0.5, 0.0], [-0.5, 0.9]])
    assert ARENA.in_zone(inside, ARENA.start_zone).tolist() == [True, False, False]
    assert ARENA.in_zone(inside, ARENA.goal_zone).tolist() == [False, True, False]
    gates = ARENA.gates()
    assert gates.shape == (2, 2, 2)
    assert len(ARENA.segments(door_open=False)) == len(ARENA.segments(door_open=True)) + 1


# --- goal-doors ----------------------------------------------------------------------------


def test_goal_doors_has_four_rooms_eight_doors_and_connected_layouts():
    from gridcore.world.arenas import goal_doors

    arena = goal_doors()
    assert arena.n_doors == 8 and len(arena.joins) == 8
    rooms = arena.room_of(torch.tensor([[-0.5, 0.5], [0.5, 0.5], [-0.5, -0.5], [0.5, -0.5]]))
    assert rooms.tolist() == [0, 1, 2, 3]
    layouts = arena.layouts()
    assert not layouts[:, arena.shortcut].any()
    assert all(arena.connected(row) for row in layouts)
    # Closing both doors of two wall halves cuts a room off: such a layout is never drawn.
    cut = np.ones(8, dtype=bool)
    cut[[0, 1, 4, 5]] = False  # the north-west room's two walls
    assert not arena.connected(cut)
    assert not any((row == cut).all() for row in layouts)


def test_shortest_lengths_go_round_closed_doors():
    from gridcore.world.arenas import goal_doors, shortest_lengths

    arena = goal_doors()
    segs = arena.segments()
    a, b = (-0.55, 0.55), (0.55, 0.55)
    assert shortest_lengths(segs[:0], arena.box, a, b) == pytest.approx(1.1)
    all_open = arena.active_walls(torch.ones(1, 8, dtype=torch.bool))[0]
    assert shortest_lengths(segs[all_open], arena.box, a, b) == pytest.approx(1.1, abs=0.01)
    north_shut = torch.ones(1, 8, dtype=torch.bool)
    north_shut[0, :2] = False
    round_south = shortest_lengths(segs[arena.active_walls(north_shut)[0]], arena.box, a, b)
    assert round_south > 1.5  # through the other three rooms


def test_a_line_along_a_wall_is_no_way_through():
    """A route may not run along a wall's own line, nor through the point where walls meet."""
    from gridcore.world.arenas import _visible, goal_doors

    arena = goal_doors()
    segs = arena.segments()[arena.active_walls(torch.zeros(1, 8, dtype=torch.bool))[0]]
    along = _visible(np.array([[-0.34, 0.0]]), np.array([[0.70, 0.0]]), segs)
    above = _visible(np.array([[-0.5, 0.4]]), np.array([[-0.2, 0.4]]), segs)
    assert not along[0] and above[0]


def test_door_routes_pass_square_through_the_middle_of_open_doors():
    from gridcore.world.arenas import goal_doors

    arena = goal_doors()
    open_doors = np.zeros(8, dtype=bool)
    open_doors[[3, 4, 6]] = True  # the northern rooms joined only round the south
    route = arena.door_route(open_doors, (-0.55, 0.55), (0.55, 0.55), offset=0.2)
    assert np.allclose(route[-1], (0.55, 0.55))
    rooms = arena.room_of(torch.tensor(route, dtype=torch.float32)).tolist()
    assert rooms[0] == 0 and rooms[-1] == 1 and len(route) > 3
    sides = arena.door_sides(0.2)
    for d in np.flatnonzero(open_doors):  # each door passed: its two sides in a row
        at = [k for k, p in enumerate(route) for side in sides[d] if np.allclose(p, side)]
        assert len(at) == 2 and abs(at[0] - at[1]) == 1
    same_room = arena.door_route(open_doors, (-0.55, 0.55), (-0.3, 0.3))
    assert np.allclose(same_room, [[-0.3, 0.3]])
