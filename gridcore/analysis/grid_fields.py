"""Grid-like units as a neuroscientist would describe them: spacing against the box, firing fields
per box, how their orientations spread, and whether the best unit has a measurable scale.

A grid score above a threshold says a map is hexagonal; it says nothing about how large the
grid is. In rats (and in the paper's figures) grid spacings are a small fraction of the
enclosure, so a map holds many fields, and the cells of one module share an orientation
(Stensola et al. 2012). Lengths are in metres, orientations in degrees (0-60).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.ndimage as ndi

from gridcore.paper import BOX_SIZE_M, GRID_SCALE_RANGE_M
from gridcore.scoring.celltypes import min_field_bins
from gridcore.scoring.scores import GridScores


def count_fields(
    ratemap: np.ndarray, n_sd: float = 1.0, min_bins: int | None = None, box_m: float = BOX_SIZE_M
) -> int:
    """Firing fields of one ratemap (n, n): 4-connected groups of visited bins above the map's
    mean + ``n_sd`` SD (over its visited bins; the fields of the field-shuffle null) covering at
    least ``min_bins`` bins (default: 200 cm^2 in a box ``box_m`` wide, Solstad et al. 2008).
    Units of a linear layer have no zero rate, so the threshold is set by the map's own spread
    rather than by a share of its peak. 0 for a flat or unvisited map."""
    m = np.asarray(ratemap, dtype=np.float64)
    vis = np.isfinite(m)
    if not vis.any() or not np.nanstd(m) > 0:
        return 0
    values = m[vis]
    above = vis & (np.where(vis, m, -np.inf) > values.mean() + n_sd * values.std())
    labels, k = ndi.label(above)
    sizes = np.bincount(labels.ravel(), minlength=k + 1)[1:]
    need = min_field_bins(m.shape[0], box_m, box_m) if min_bins is None else min_bins
    return int((sizes >= need).sum())


def lattice_fields(scale_m: float, box_m: float = BOX_SIZE_M) -> float:
    """Fields a hexagonal grid of spacing ``scale_m`` places in a square box ``box_m`` wide, on
    average: the box's area times the lattice's density of 2 / (sqrt(3) scale^2)."""
    return float(box_m**2 * 2 / (np.sqrt(3) * scale_m**2))


def orientation_spread(orientation_deg: np.ndarray) -> tuple[float, float]:
    """(R, p) for grid orientations (degrees, period 60; NaN dropped): R is the length of the
    mean of exp(6i theta), 1 when every grid shares one orientation and near 0 when they are
    spread evenly; p is Rayleigh's test of even spread (Zar's approximation). NaN for none."""
    theta = np.radians(np.asarray(orientation_deg, dtype=np.float64))
    theta = theta[np.isfinite(theta)]
    n = theta.size
    if n == 0:
        return float("nan"), float("nan")
    r = float(np.abs(np.exp(6j * theta).mean()))
    rn = n * r
    p = float(np.exp(np.sqrt(1 + 4 * n + 4 * (n**2 - rn**2)) - (1 + 2 * n)))
    return r, min(p, 1.0)


@dataclass(frozen=True)
class GridFields:
    """A network's grid-like units measured as cells: how many there are; the median of their
    scales (m) over the box side; the median, min and max of their fields per box; their
    orientations' spread (R, Rayleigh p); the best-scoring unit and its scale (m, NaN if none)."""

    units: int
    scaled: int
    box_m: float
    spacing_over_box: float
    fields_median: float
    fields_range: tuple[int, int]
    orientation_r: float
    orientation_p: float
    best_unit: int
    best_scale_m: float

    def table(self) -> pd.DataFrame:
        """Ours beside the paper's grid scales (28-115 cm in the 2.2 m box) and the fields a
        hexagonal lattice of those scales puts in the box."""
        low, high = GRID_SCALE_RANGE_M
        few, many = lattice_fields(high, self.box_m), lattice_fields(low, self.box_m)
        best = (
            "no measurable scale"
            if not np.isfinite(self.best_scale_m)
            else f"{self.best_scale_m:.2f} m"
        )
        rows = {
            "grid spacing / box side (median)": (
                f"{self.spacing_over_box:.2f}",
                f"{low / BOX_SIZE_M:.2f}-{high / BOX_SIZE_M:.2f}",
            ),
            "fields per box, median (range)": (
                f"{self.fields_median:.0f} ({self.fields_range[0]}-{self.fields_range[1]})",
                f"about {few:.0f}-{many:.0f} (a lattice of those scales)",
            ),
            "orientation spread R (0 even, 1 shared)": (
                f"{self.orientation_r:.2f} (Rayleigh p = {self.orientation_p:.2g})",
                "near 1 within a module (rats)",
            ),
            "best-scoring unit's scale": (f"unit {self.best_unit}: {best}", "–"),
        }
        return pd.DataFrame(rows, index=["ours", "paper / rats"]).T


def grid_fields(maps: np.ndarray, scores: GridScores, box_m: float = BOX_SIZE_M) -> GridFields:
    """:class:`GridFields` of the grid-like units (``scores.grid_like``) of ``maps`` (units, n, n),
    in a square box ``box_m`` wide; the best unit is the highest 60-degree score among the units
    that are not degenerate."""
    like = np.flatnonzero(scores.grid_like)
    scaled = scores.scaled_units
    fields = np.array([count_fields(maps[u], box_m=box_m) for u in like], dtype=int)
    r, p = orientation_spread(scores.orientation_deg[scaled])
    best = int(np.nanargmax(np.where(scores.degenerate, -np.inf, scores.grid_score_60)))
    spacing = np.median(scores.scale_m[scaled]) / box_m if scaled.size else np.nan
    return GridFields(
        units=int(like.size),
        scaled=int(scaled.size),
        box_m=float(box_m),
        spacing_over_box=float(spacing),
        fields_median=float(np.median(fields)) if fields.size else np.nan,
        fields_range=(int(fields.min()), int(fields.max())) if fields.size else (0, 0),
        orientation_r=r,
        orientation_p=p,
        best_unit=best,
        best_scale_m=float(scores.scale_m[best]),
    )
