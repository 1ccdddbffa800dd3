"""Synthetic ratemaps with a known answer: ideal grids, square lattices, plane waves and ramps.

numpy only. Used to teach the grid score and to test the scorer: a hexagonal map must score
high at 60 degrees, a square one at 90 degrees, and a ramp must be flagged as degenerate.
Maps are (nbins, nbins), indexed ``[ix, iy]`` over a box centred on the origin.
"""

from __future__ import annotations

import numpy as np

from gridcore.paper import BOX_SIZE_M


def _bin_centres(nbins: int, box_width: float, box_height: float):
    cx = (np.arange(nbins) + 0.5) / nbins * box_width - box_width / 2
    cy = (np.arange(nbins) + 0.5) / nbins * box_height - box_height / 2
    return np.meshgrid(cx, cy, indexing="ij")  # maps[ix, iy]


def plane_wave_map(
    nbins: int,
    wavelength: float,
    angles_deg,
    phases=None,
    box_width: float = BOX_SIZE_M,
    box_height: float = BOX_SIZE_M,
) -> np.ndarray:
    """Sum of cosine plane waves over the box's bin centres, (nbins, nbins).

    Wave k has ``wavelength`` metres, travels at ``angles_deg[k]`` from the x axis and has phase
    ``phases[k]`` radians (default 0).
    """
    x, y = _bin_centres(nbins, box_width, box_height)
    angles = np.radians(np.atleast_1d(np.asarray(angles_deg, dtype=np.float64)))
    phases = np.zeros_like(angles) if phases is None else np.broadcast_to(phases, angles.shape)
    k = 2 * np.pi / wavelength
    return sum(
        np.cos(k * (np.cos(a) * x + np.sin(a) * y) + p) for a, p in zip(angles, phases, strict=True)
    )


def hexagonal_map(
    nbins: int = 32,
    spacing: float = 0.6,
    orientation_deg: float = 0.0,
    phases=(0.0, 0.0, 0.0),
    box_width: float = BOX_SIZE_M,
    box_height: float = BOX_SIZE_M,
) -> np.ndarray:
    """An ideal grid-cell map: three plane waves 60 degrees apart, (nbins, nbins).

    Its fields sit on a triangular lattice with ``spacing`` metres between neighbouring fields,
    one lattice vector at ``orientation_deg`` from the x axis. (Waves of wavelength
    spacing * sqrt(3) / 2 travelling at orientation + 30, 90 and 150 degrees.)
    """
    waves = orientation_deg + 30.0 + np.array([0.0, 60.0, 120.0])
    return plane_wave_map(
        nbins, spacing * np.sqrt(3) / 2, waves, np.asarray(phases), box_width, box_height
    )


def square_map(
    nbins: int = 32,
    spacing: float = 0.6,
    orientation_deg: float = 0.0,
    phases=(0.0, 0.0),
    box_width: float = BOX_SIZE_M,
    box_height: float = BOX_SIZE_M,
) -> np.ndarray:
    """Fields on a square lattice (two plane waves 90 degrees apart), (nbins, nbins)."""
    waves = orientation_deg + np.array([0.0, 90.0])
    return plane_wave_map(nbins, spacing, waves, np.asarray(phases), box_width, box_height)


def ramp_map(
    nbins: int = 32,
    angle_deg: float = 30.0,
    noise: float = 0.0,
    seed: int = 0,
    box_width: float = BOX_SIZE_M,
    box_height: float = BOX_SIZE_M,
) -> np.ndarray:
    """A planar ramp rising along ``angle_deg`` (1 per metre) plus Gaussian ``noise`` per bin."""
    x, y = _bin_centres(nbins, box_width, box_height)
    a = np.radians(angle_deg)
    rng = np.random.default_rng(seed)
    return np.cos(a) * x + np.sin(a) * y + noise * rng.standard_normal((nbins, nbins))
