"""Helpers shared by the plotting modules: new axes, map images, colour bars, the box's extent.

Maps are drawn with a perceptual colour map (:data:`MAP_CMAP`, viridis), SACs too
(:data:`SAC_CMAP`), on the fixed correlation scale -1 to 1 (:data:`SAC_LIMITS`). A grid of maps
each on its own scale is drawn normalised per map (0 = its minimum, 1 = its maximum) with one
shared colour bar (:data:`NORMALISED_LABEL`).
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colorbar import Colorbar
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from gridcore.paper import BOX_SIZE_M

MAP_CMAP = "viridis"  # ratemaps and other maps over the box
SAC_CMAP = "viridis"  # spatial autocorrelograms
SAC_LIMITS = (-1.0, 1.0)  # colour scale of SACs: a correlation
NORMALISED_LABEL = "activity (normalised per unit)"
SAC_LABEL = "SAC (correlation)"


def new_axes(figsize: tuple[float, float] = (4, 3.2)) -> Axes:
    """One Axes on a new constrained-layout Figure (not attached to pyplot)."""
    return Figure(figsize=figsize, layout="constrained").subplots()


def panel_grid(
    n: int,
    ncols: int,
    panel: tuple[float, float],
    fig: Figure | None = None,
    extra: tuple[float, float] = (0.0, 0.0),
) -> tuple[Figure, list[Axes], list[Axes]]:
    """``n`` panels, ``ncols`` to a row (fewer if ``n`` is smaller), on ``fig`` or a new
    constrained-layout figure of ``panel`` inches a panel plus ``extra`` (width, height) for
    colour bars and titles: the figure, the panels, and the spare Axes that complete the last row
    (switched off, free for a legend)."""
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    if fig is None:
        size = (panel[0] * ncols + extra[0], panel[1] * nrows + extra[1])
        fig = Figure(figsize=size, layout="constrained")
    axes = list(np.ravel(fig.subplots(nrows, ncols, squeeze=False)))
    for ax in axes[n:]:
        ax.set_axis_off()
    return fig, axes[:n], axes[n:]


def normalised(a) -> np.ndarray:
    """A map rescaled to [0, 1] (its minimum to 0, its maximum to 1), NaN kept; a constant or
    empty map becomes 0 where it is finite."""
    a = np.asarray(a, dtype=float)
    ok = np.isfinite(a)
    if not ok.any():
        return a
    lo, hi = float(a[ok].min()), float(a[ok].max())
    return (a - lo) / (hi - lo) if hi > lo else np.where(ok, 0.0, np.nan)


def image(
    ax: Axes,
    a: np.ndarray,
    cmap: str = MAP_CMAP,
    extent=None,
    vmin: float | None = None,
    vmax: float | None = None,
) -> AxesImage:
    """Draw a map ``a[ix, iy]`` with x to the right and y up, NaN left blank, no ticks; returns
    the image (for a colour bar)."""
    im = ax.imshow(
        np.ma.masked_invalid(np.asarray(a, dtype=float)).T,
        origin="lower",
        cmap=cmap,
        extent=extent,
        vmin=vmin,
        vmax=vmax,
    )
    ax.set_xticks([])
    ax.set_yticks([])
    return im


def shared_colorbar(
    fig, im, axes, label: str, normalised_scale: bool = False, aspect: float = 30, pad: float = 0.02
) -> Colorbar:
    """One colour bar for ``axes`` (drawn with the scale of ``im``) at their right, labelled;
    ``normalised_scale`` ticks it "min" and "max" (maps normalised per unit). ``aspect`` and
    ``pad`` are matplotlib's (length to width, gap to the axes as a fraction of them)."""
    cb = fig.colorbar(im, ax=list(np.ravel(axes)), shrink=0.9, aspect=aspect, pad=pad)
    cb.set_label(label, fontsize=8)
    cb.ax.tick_params(labelsize=8)
    if normalised_scale:
        cb.set_ticks([0, 1], labels=["min", "max"])
    return cb


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


def legible_legends(fig: Figure, size: float = 10) -> None:
    """Set every legend's text in ``fig`` (the axes' and the figure's own) in ``size`` pt, for
    a figure read at the column's width; changes ``fig`` in place and returns nothing, so a
    notebook cell that ends with the call shows the figure once."""
    legends = [ax.get_legend() for ax in fig.axes] + list(fig.legends)
    for legend in legends:
        if legend is not None:
            for text in legend.get_texts():
                text.set_fontsize(size)


def power_of_ten(x: float) -> str:
    """``x`` for reading, one significant digit: ``1e-05`` as 10⁻⁵, ``0.0003`` as 3 × 10⁻⁴."""
    mantissa, exponent = f"{x:.0e}".split("e")
    power = "10" + str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return power if mantissa == "1" else f"{mantissa} × {power}"
