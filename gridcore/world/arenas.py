"""Arenas: the rat's box with walls inside it, a door, and shortest paths among the walls.

An :class:`Arena` is the square box plus wall segments that are always there, and a ``door``
segment: a wall while closed, an opening once open. ``gap`` marks the arena's permanent way
through (a gate for counting crossings, never a wall). Start and goal zones say where the
shortcut test's episodes begin and end.

Shortest paths among zero-thickness walls run straight or bend at the free ends of walls
(:func:`shortest_paths`): a visibility graph of start, goal and free wall ends, solved by
Dijkstra's algorithm (``scipy.sparse.csgraph``). Coordinates are metres, the box centred at
the origin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.sparse.csgraph import dijkstra

from gridcore.paper import BOX_SIZE_M
from gridcore.world.trajectories import crosses_walls

Segment = tuple[tuple[float, float], tuple[float, float]]
Zone = tuple[tuple[float, float], tuple[float, float]]  # ((x_min, x_max), (y_min, y_max)), m


@dataclass(frozen=True)
class Arena:
    """A box of side ``box`` (m) with ``walls`` inside, a ``door`` that can open, a permanent
    ``gap`` (counted, not a wall), and the zones where episodes start and end."""

    walls: tuple[Segment, ...]
    door: Segment
    gap: Segment
    start_zone: Zone
    goal_zone: Zone
    box: float = BOX_SIZE_M

    def segments(self, door_open: bool) -> torch.Tensor:
        """(W, 2, 2) wall segments, the door among them while it is closed."""
        walls = self.walls if door_open else (*self.walls, self.door)
        return torch.tensor(walls, dtype=torch.float32)

    def gates(self) -> torch.Tensor:
        """(2, 2, 2): the door, then the gap, as segments whose crossings are counted."""
        return torch.tensor([self.door, self.gap], dtype=torch.float32)

    def in_zone(self, pos: torch.Tensor, zone: Zone) -> torch.Tensor:
        """(B,) whether positions (B, 2) lie in ``zone``."""
        (x0, x1), (y0, y1) = zone
        return (pos[:, 0] >= x0) & (pos[:, 0] <= x1) & (pos[:, 1] >= y0) & (pos[:, 1] <= y1)


def two_rooms(door: float = 0.5, gap: float = 0.4, box: float = BOX_SIZE_M) -> Arena:
    """The shortcut arena: a wall across the middle of the box (x = 0) from the south wall to
    ``gap`` (m) short of the north wall, with a door ``door`` (m) wide at its centre. Episodes
    start in the west room and end in the east room, near the door's height, so that the
    straight line between them runs through the door and the way round, through the gap, is
    half again as long or more."""
    h = box / 2
    top = h - gap
    walls = (((0.0, -h), (0.0, -door / 2)), ((0.0, door / 2), (0.0, top)))
    zone_y = (-0.3, 0.3)
    return Arena(
        walls=walls,
        door=((0.0, -door / 2), (0.0, door / 2)),
        gap=((0.0, top), (0.0, h)),
        start_zone=((-0.9, -0.3), zone_y),
        goal_zone=((0.3, 0.9), zone_y),
        box=box,
    )


def free_ends(segments: torch.Tensor, box: float) -> tuple[np.ndarray, np.ndarray]:
    """The wall ends a path can bend around: endpoints (C, 2) m shared with no other segment
    and off the box's sides; and for each the unit direction (C, 2) pointing away from its
    wall, along it."""
    ends = segments.numpy().reshape(-1, 2).astype(float)
    others = np.roll(segments.numpy(), 1, axis=1).reshape(-1, 2).astype(float)  # other end
    shared = (np.abs(ends[:, None] - ends[None]).max(-1) < 1e-9).sum(1) > 1
    on_box = np.abs(ends).max(1) >= box / 2 - 1e-9
    keep = ~shared & ~on_box
    away = ends - others
    away /= np.linalg.norm(away, axis=1, keepdims=True)
    return ends[keep], away[keep]


def _visible(a: np.ndarray, b: np.ndarray, segments: torch.Tensor) -> np.ndarray:
    """Whether the straight line from ``a`` to ``b`` (..., 2) crosses no wall."""
    ta, tb = (torch.tensor(np.array(x), dtype=torch.float32) for x in (a, b))
    return ~crosses_walls(ta, tb, segments).any(-1).numpy()


def shortest_paths(
    arena: Arena, start: torch.Tensor, goal: torch.Tensor, door_open: bool
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Length (B,) m of the shortest path from each start (B, 2) to its goal among the arena's
    walls, and the wall ends (k, 2) it bends around, in order (none for a straight line)."""
    segs = arena.segments(door_open)
    ends, _ = free_ends(segs, arena.box)
    c = len(ends)
    between = np.linalg.norm(ends[:, None] - ends[None], axis=-1)
    between[~_visible(ends[:, None].repeat(c, 1), ends[None].repeat(c, 0), segs)] = 0.0
    s, g = start.numpy().astype(float), goal.numpy().astype(float)
    lengths, routes = np.empty(len(s)), []
    for i in range(len(s)):
        nodes = np.vstack([s[i], g[i], ends])
        graph = np.zeros((c + 2, c + 2))
        graph[2:, 2:] = between
        for j in (0, 1):
            d = np.linalg.norm(nodes - nodes[j], axis=1)
            d[~_visible(np.broadcast_to(nodes[j], nodes.shape), nodes, segs)] = 0.0
            d[j] = 0.0
            graph[j], graph[:, j] = d, d
        dist, pred = dijkstra(graph, directed=False, indices=0, return_predecessors=True)
        lengths[i] = dist[1]
        route, node = [], pred[1]
        while node > 1:  # back from the goal to the start, through wall ends
            route.append(nodes[node])
            node = pred[node]
        routes.append(np.array(route[::-1]).reshape(-1, 2))
    return lengths, routes


def route_waypoints(
    arena: Arena, start: torch.Tensor, goal: torch.Tensor, door_open: bool, clearance: float = 0.15
) -> torch.Tensor:
    """(B, K, 2) waypoints of the shortest routes (:func:`shortest_paths`): round each wall end
    it bends at, a point ``clearance`` (m) beyond the end and ``clearance`` to the side it
    comes from, then one as far to the side it goes to; then the goal. Shorter routes repeat
    their goal to fill K."""
    ends, away = free_ends(arena.segments(door_open), arena.box)
    _, routes = shortest_paths(arena, start, goal, door_open)
    k = 2 * max(len(r) for r in routes) + 1
    out = goal[:, None].repeat(1, k, 1).clone()
    for i, route in enumerate(routes):
        nodes = np.vstack([start[i].numpy(), route, goal[i].numpy()])
        for j, corner in enumerate(route):
            a = away[np.abs(ends - corner).max(1).argmin()]
            side = np.array([-a[1], a[0]])
            side *= np.sign(side @ (nodes[j] - corner)) or 1.0  # towards where it comes from
            beyond = corner + clearance * a
            for m, point in enumerate((beyond + clearance * side, beyond - clearance * side)):
                out[i, 2 * j + m] = torch.as_tensor(point, dtype=out.dtype)
    return out
