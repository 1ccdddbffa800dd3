"""Arenas with walls: the walls, the door and the gap, and agents' paths among them."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from gridcore.plots._common import new_axes
from gridcore.plots.cells import draw_box
from gridcore.world.arenas import Arena


def plot_arena(arena: Arena, door_open: bool = True, zones: bool = True, ax=None) -> Axes:
    """The box and its walls (black), the door (red dashes while open, a red wall while
    closed), the gap (grey dots) and, with ``zones``, the start (green) and goal (blue) zones;
    metres, equal aspect."""
    ax = draw_box(arena.box, ax=ax or new_axes((3.4, 3.4)))
    for (x0, y0), (x1, y1) in arena.walls:
        ax.plot([x0, x1], [y0, y1], color="k", lw=3, solid_capstyle="butt")
    (x0, y0), (x1, y1) = arena.door
    style = {"ls": "--", "lw": 1.5} if door_open else {"lw": 3, "solid_capstyle": "butt"}
    ax.plot([x0, x1], [y0, y1], color="tab:red", **style)
    (x0, y0), (x1, y1) = arena.gap
    ax.plot([x0, x1], [y0, y1], color="0.6", ls=":", lw=1.5)
    if zones:
        for zone, colour in ((arena.start_zone, "tab:green"), (arena.goal_zone, "tab:blue")):
            (a, b), (c, d) = zone
            ax.fill([a, b, b, a], [c, c, d, d], color=colour, alpha=0.12, lw=0)
    return ax


def plot_arena_paths(
    arena: Arena,
    paths: np.ndarray,
    starts: np.ndarray,
    goals: np.ndarray,
    door_open: bool = True,
    color: str = "C0",
    title: str = "",
    ax=None,
) -> Axes:
    """Paths (n, T, 2) m in the arena, each from its start (circle) to its goal (star)."""
    ax = plot_arena(arena, door_open=door_open, zones=False, ax=ax)
    for path, start, goal in zip(paths, starts, goals, strict=False):
        ax.plot(path[:, 0], path[:, 1], color=color, lw=0.9, alpha=0.8)
        ax.plot(*start, "o", color=color, ms=4)
        ax.plot(*goal, "*", color="k", ms=8)
    ax.set_title(title, fontsize=10)
    return ax
