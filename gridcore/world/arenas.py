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


GRAZE_M = 1e-3  # a line that passes this close to a wall counts as blocked by it


def _point_to_segments(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance from points ``p`` (..., 2) to the segments ``a``-``b`` (..., 2)."""
    ab = b - a
    t = np.clip(((p - a) * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-18), 0.0, 1.0)
    return np.linalg.norm(p - (a + t[..., None] * ab), axis=-1)


def _visible(a: np.ndarray, b: np.ndarray, segments: torch.Tensor) -> np.ndarray:
    """Whether the straight line from ``a`` to ``b`` (..., 2) crosses no wall and runs along
    none (within :data:`GRAZE_M`): a line along a wall, or through the end where two walls
    meet, is not a way through."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    ta, tb = (torch.tensor(x, dtype=torch.float32) for x in (a, b))
    blocked = crosses_walls(ta, tb, segments).any(-1).numpy()
    w = segments.numpy().astype(float)
    wa, wb = w[:, 0], w[:, 1]
    A, B = a[..., None, :], b[..., None, :]
    near = np.minimum.reduce(
        [
            _point_to_segments(wa, A, B),
            _point_to_segments(wb, A, B),
            _point_to_segments(A, wa, wb),
            _point_to_segments(B, wa, wb),
        ]
    )
    # A wall end that the line only touches at its own end point (a bend) does not block.
    at_end = np.minimum(
        np.minimum(np.linalg.norm(A - wa, axis=-1), np.linalg.norm(A - wb, axis=-1)),
        np.minimum(np.linalg.norm(B - wa, axis=-1), np.linalg.norm(B - wb, axis=-1)),
    )
    grazes = (near < GRAZE_M) & (at_end > GRAZE_M)
    return ~(blocked | grazes.any(-1))


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


# --- goal-doors: four rooms whose doors open and close between episodes -----------------------


@dataclass(frozen=True)
class GoalDoors:
    """Four rooms of the box, divided by walls along x = 0 and y = 0, each wall half holding two
    doors. Rooms: 0 north-west, 1 north-east, 2 south-west, 3 south-east. ``doors`` (D, 2, 2)
    are door segments and ``joins[d]`` the two rooms door ``d`` joins; ``walls`` the solid
    parts. Door ``shortcut`` stays closed in every training layout and opens in the shortcut
    test."""

    walls: tuple[Segment, ...]
    doors: tuple[Segment, ...]
    joins: tuple[tuple[int, int], ...]
    shortcut: int
    box: float = BOX_SIZE_M

    @property
    def n_doors(self) -> int:
        return len(self.doors)

    def segments(self) -> torch.Tensor:
        """(W + D, 2, 2): the solid walls, then every door (each a wall while closed)."""
        return torch.tensor((*self.walls, *self.doors), dtype=torch.float32)

    def room_of(self, pos: torch.Tensor) -> torch.Tensor:
        """(B,) the room index of positions (B, 2)."""
        return (pos[:, 0] >= 0).long() + 2 * (pos[:, 1] < 0).long()

    def connected(self, open_doors: np.ndarray) -> bool:
        """Whether every room can be reached from every other through the open doors (D,)."""
        reach, grew = {0}, True
        while grew:
            grew = False
            for d, (a, b) in enumerate(self.joins):
                if open_doors[d] and (a in reach) != (b in reach):
                    reach |= {a, b}
                    grew = True
        return len(reach) == 4

    def layouts(self) -> np.ndarray:
        """(L, D) bool: every connected layout with the shortcut door closed, in a fixed order."""
        rows = []
        for k in range(2**self.n_doors):
            open_doors = np.array([(k >> d) & 1 for d in range(self.n_doors)], dtype=bool)
            if not open_doors[self.shortcut] and self.connected(open_doors):
                rows.append(open_doors)
        return np.array(rows)

    def door_sides(self, offset: float) -> np.ndarray:
        """(D, 2, 2): for each door, the points ``offset`` (m) from its centre, square to it, on
        the side of the first and of the second room it joins."""
        out = np.zeros((self.n_doors, 2, 2))
        for d, ((a, b), rooms) in enumerate(zip(self.doors, self.joins, strict=True)):
            centre = (np.asarray(a) + np.asarray(b)) / 2
            along = np.asarray(b) - np.asarray(a)
            normal = np.array([-along[1], along[0]]) / np.linalg.norm(along)
            for k, room in enumerate(rooms):
                side = centre + offset * normal
                if self.room_of(torch.tensor(side[None], dtype=torch.float32))[0] != room:
                    side = centre - offset * normal
                out[d, k] = side
        return out

    def door_route(self, open_doors: np.ndarray, start, goal, offset: float = 0.2) -> np.ndarray:
        """The points (K, 2) to head for in turn from ``start`` to ``goal`` through the open
        doors (D,): for each door passed, the point ``offset`` (m) before it and the point as far
        beyond, square to the door, then the goal; the route with the shortest such path."""
        start, goal = np.asarray(start, float), np.asarray(goal, float)
        here, there = (int(self.room_of(torch.tensor(p[None]).float())[0]) for p in (start, goal))
        if here == there:
            return goal[None]
        sides = self.door_sides(offset)
        # Nodes: start, goal, then each open door's two sides; edges within a room and through
        # a door.
        nodes, rooms = [start, goal], [here, there]
        for d in np.flatnonzero(open_doors):
            for k in range(2):
                nodes.append(sides[d, k])
                rooms.append(self.joins[d][k])
        pts = np.array(nodes)
        n = len(pts)
        graph = np.linalg.norm(pts[:, None] - pts[None], axis=-1)
        same = np.array(rooms)[:, None] == np.array(rooms)[None]
        through = np.zeros((n, n), dtype=bool)
        for j in range(2, n, 2):
            through[j, j + 1] = through[j + 1, j] = True
        graph[~(same | through)] = 0.0
        dist, pred = dijkstra(graph, directed=False, indices=0, return_predecessors=True)
        if not np.isfinite(dist[1]):
            return goal[None]
        route, node = [], 1
        while node > 0:
            route.append(node)
            node = pred[node]
        route = route[::-1]
        # Between the first door's near side and the door itself: go on through it.
        first = route[0]
        if first >= 2 and np.linalg.norm(start - (pts[first] + pts[first ^ 1]) / 2) < offset:
            route = route[1:]
        return pts[route]

    def active_walls(self, open_doors: torch.Tensor) -> torch.Tensor:
        """(B, W + D) bool: which segments of :meth:`segments` block, for layouts (B, D)."""
        solid = torch.ones(open_doors.shape[0], len(self.walls), dtype=torch.bool)
        return torch.cat([solid, ~open_doors.bool()], dim=1)


def goal_doors(door: float = 0.3, box: float = BOX_SIZE_M) -> GoalDoors:
    """The goal-doors arena: the box cut into four rooms ``box / 2`` wide, with two doors
    ``door`` (m) wide in each of the four wall halves, at a third and two thirds of its length.
    The shortcut is the north wall's door nearer the centre: with it, a trip between the two
    northern rooms need not go round through the south."""
    h = box / 2
    centres = (h / 3, 2 * h / 3)
    walls, doors, joins = [], [], []
    # (axis along which the wall half runs, its sign, the two rooms it separates)
    halves = (("y", 1, (0, 1)), ("y", -1, (2, 3)), ("x", -1, (0, 2)), ("x", 1, (1, 3)))
    for axis, sign, rooms in halves:
        cuts = [0.0]
        for c in centres:
            cuts += [c - door / 2, c + door / 2]
        cuts.append(h)

        def point(t: float, axis=axis, sign=sign) -> tuple[float, float]:
            return (0.0, sign * t) if axis == "y" else (sign * t, 0.0)

        for k in range(0, len(cuts), 2):
            walls.append((point(cuts[k]), point(cuts[k + 1])))
        for k in (1, 3):
            doors.append((point(cuts[k]), point(cuts[k + 1])))
            joins.append(rooms)
    return GoalDoors(tuple(walls), tuple(doors), tuple(joins), shortcut=0, box=box)


def shortest_route(
    segments: torch.Tensor, box: float, start, goal, clearance: float = 0.12
) -> tuple[float, np.ndarray]:
    """The shortest path from ``start`` (2,) to ``goal`` (2,) among the wall ``segments``
    (W, 2, 2): its length (m; inf if none exists) and the points to head for in turn (K, 2):
    each wall end it bends at, moved ``clearance`` (m) beyond the end, then the goal."""
    ends, away = free_ends(segments, box) if len(segments) else (np.zeros((0, 2)), None)
    nodes = np.vstack([np.asarray(start, float), np.asarray(goal, float), ends])
    n = len(nodes)
    a = np.repeat(nodes[:, None], n, 1).reshape(-1, 2)
    b = np.repeat(nodes[None], n, 0).reshape(-1, 2)
    graph = np.linalg.norm(a - b, axis=1)
    if len(segments):
        graph[~_visible(a, b, segments)] = 0.0
    dist, pred = dijkstra(graph.reshape(n, n), directed=False, indices=0, return_predecessors=True)
    points, node = [nodes[1]], pred[1]
    while node > 1:  # back from the goal to the start, through wall ends
        points.append(nodes[node] + clearance * away[node - 2])
        node = pred[node]
    return float(dist[1]), np.array(points[::-1])


def shortest_lengths(segments: torch.Tensor, box: float, start, goal) -> float:
    """Length (m) of the shortest path from ``start`` (2,) to ``goal`` (2,) among the wall
    ``segments`` (W, 2, 2): straight, or bending at their free ends (inf if none exists)."""
    return shortest_route(segments, box, start, goal)[0]
