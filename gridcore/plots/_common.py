"""Helpers shared by the plotting modules: new axes, map images, the box's extent."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gridcore.paper import BOX_SIZE_M


def new_axes(figsize: tuple[float, float] = (4, 3.2)) -> Axes:
    """One Axes on a new constrained-layout Figure (not attached to pyplot)."""
    return Figure(figsize=figsize, layout="constrained").subplots()


def image(ax: Axes, a: np.ndarray, cmap: str, extent=None) -> None:
    """Draw a map ``a[ix, iy]`` with x to the right and y up, NaN left blank, no ticks."""
    ax.imshow(np.ma.masked_invalid(a).T, origin="lower", cmap=cmap, extent=extent)
    ax.set_xticks([])
    ax.set_yticks([])


def box_extent(
    width: float = BOX_SIZE_M, height: float | None = None
) -> tuple[float, float, float, float]:
    """``imshow`` extent (left, right, bottom, top) of a box centred at the origin, metres."""
    height = width if height is None else height
    return (-width / 2, width / 2, -height / 2, height / 2)


def lag_extent(sac: np.ndarray) -> tuple[float, float, float, float]:
    """``imshow`` extent of a (2n-1, 2n-1) SAC, in bins of lag."""
    n = (sac.shape[0] + 1) // 2
    return (-n + 0.5, n - 0.5, -n + 0.5, n - 0.5)
