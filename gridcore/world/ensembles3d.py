"""Place cells in a cube and direction cells on the sphere: the 3-D network's targets.

Place cells are those of :mod:`gridcore.world.ensembles` with centres in three dimensions: N centres
uniform in the cube, and the target at position x the softmax over cells of the Gaussian
log-densities -|x - mu_i|^2 / (2 sigma^2) (the code there is written for any dimension).

Direction cells replace head-direction cells: M preferred directions u_j uniform on the unit
sphere, and the target for heading d (a unit vector) the softmax of von Mises-Fisher
log-densities, h_j(d) = softmax_j(kappa u_j . d), the sphere's analogue of the von Mises tuning
of the 2-D cells (Mardia & Jupp 2000, ch. 9). Decoding returns the normalised mean of the ``k``
most active cells' directions.

Centres are drawn with DeepMind's seeding convention: each ensemble from its own
``numpy.random.RandomState(seed)``.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from gridcore.paper import BOX_SIZE_M, ENSEMBLE_SEED
from gridcore.world.ensembles import Ensembles, PlaceCells, centre_streams


def uniform_sphere(n: int, rng: np.random.RandomState) -> np.ndarray:
    """``n`` unit vectors (n, 3) uniform on the sphere (normalised Gaussian vectors)."""
    v = rng.normal(size=(n, 3))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


class DirectionCells:
    """An ensemble of ``n_cells`` direction cells with von Mises-Fisher tuning on the sphere."""

    def __init__(self, centres: torch.Tensor, kappa: float = 20.0) -> None:
        if kappa <= 0:
            raise ValueError(f"kappa must be > 0, got {kappa}")
        self.centres = centres  # (M, 3) unit vectors
        self.kappa = kappa

    @property
    def n_cells(self) -> int:
        return self.centres.shape[0]

    def activations(self, heading: torch.Tensor) -> torch.Tensor:
        """Target distribution over the cells for unit headings (..., 3) -> (..., M)."""
        return torch.softmax(self.kappa * heading @ self.centres.to(heading).T, dim=-1)

    def decode(self, scores: torch.Tensor, k: int = 3) -> torch.Tensor:
        """Heading estimate (..., 3): the normalised mean of the ``k`` most active directions."""
        top = self.centres.to(scores.device)[scores.topk(k, dim=-1).indices].mean(dim=-2)
        return top / top.norm(dim=-1, keepdim=True).clamp_min(1e-12)


def angle_between(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Angle (rad, in [0, pi]) between unit vectors ``a`` and ``b`` (..., 3)."""
    return torch.atan2(torch.linalg.cross(a, b, dim=-1).norm(dim=-1), (a * b).sum(-1))


class VolumeEnsembles(Ensembles):
    """Place cells in a cube and direction cells on the sphere, used as the 2-D ensembles are
    (``initial_code``, ``targets``, ``init_size``, ``use_hd``)."""

    @classmethod
    def create(
        cls,
        n_place: int = 256,
        n_hd: int = 12,
        sigma: float = 0.01,
        kappa: float = 20.0,
        kind: str = "gaussian",
        surround_scale: float = 2.0,
        edge: float = BOX_SIZE_M,
        seed: int = ENSEMBLE_SEED,
        rng: str = "separate",
        use_hd: bool = True,
    ) -> VolumeEnsembles:
        """Place centres uniform in the cube of ``edge`` metres, directions uniform on the
        sphere; ``rng`` as in :meth:`gridcore.world.ensembles.Ensembles.create`."""
        place_stream, hd_stream = centre_streams(seed, rng, 2, (n_place, n_hd))
        pc = place_stream.uniform(-edge / 2, edge / 2, size=(n_place, 3))
        dirs = uniform_sphere(n_hd, hd_stream)
        place = PlaceCells(torch.tensor(pc, dtype=torch.float32), sigma, kind, surround_scale)
        cells = DirectionCells(torch.tensor(dirs, dtype=torch.float32), kappa)
        return cls(place, cells, use_hd)

    def to(self, device: torch.device | str) -> VolumeEnsembles:
        place, hd = self.place, self.hd
        return VolumeEnsembles(
            PlaceCells(place.centres.to(device), place.sigma, place.kind, place.surround_scale),
            DirectionCells(hd.centres.to(device), hd.kappa),
            self.use_hd,
        )


def cube_positions(nbins: int, edge: float = BOX_SIZE_M) -> torch.Tensor:
    """Centres of an ``nbins``^3 grid of bins over the cube, (nbins, nbins, nbins, 3) m,
    indexed ``[ix, iy, iz]`` like the 3-D ratemaps."""
    if nbins < 1:
        raise ValueError(f"nbins must be >= 1, got {nbins}")
    xs = (torch.arange(nbins) + 0.5) / nbins * edge - edge / 2
    return torch.stack(torch.meshgrid(xs, xs, xs, indexing="ij"), dim=-1)


def decoding_errors_3d(
    ensembles: VolumeEnsembles,
    n_positions: int = 2000,
    k: int = 3,
    seed: int = 0,
    edge: float = BOX_SIZE_M,
) -> dict[str, float]:
    """Floors on any network's decoding error: the mean error of decoding the *true* codes
    with the top-``k`` decoders, for positions uniform in the cube (cm) and headings uniform
    on the sphere (degrees)."""
    gen = torch.Generator().manual_seed(seed)
    pos = (torch.rand(n_positions, 3, generator=gen) - 0.5) * edge
    heading = torch.randn(n_positions, 3, generator=gen)
    heading = heading / heading.norm(dim=-1, keepdim=True)
    logits = -ensembles.place.squared_distances(pos)  # the softmax's order, without underflow
    pos_err = (ensembles.place.decode(logits, k) - pos).norm(dim=-1).mean().item() * 100
    hd = ensembles.hd.decode(ensembles.hd.activations(heading), k)
    return {
        "position_error_cm": pos_err,
        "direction_error_deg": math.degrees(angle_between(hd, heading).mean().item()),
    }
