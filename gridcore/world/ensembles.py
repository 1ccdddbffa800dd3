"""Place-cell and head-direction-cell ensembles: the network's targets and initial-state code.

Place cells (paper, Methods): N centres mu_i drawn uniformly in the box; the ensemble's
activation at position x is a softmax over cells of the Gaussian log-density

    c_i(x) = exp(-|x - mu_i|^2 / (2 sigma^2)) / sum_j exp(-|x - mu_j|^2 / (2 sigma^2)),

with sigma = 0.01 m. Head-direction cells: M centres uniform in [-pi, pi) and a softmax of von
Mises log-densities, h_j(phi) = softmax_j(kappa cos(phi - mu_j)), kappa = 20.

For later experiments the place cells can also be difference-of-softmaxes (centre-surround)
targets: softmax at sigma minus softmax at ``surround_scale`` x sigma, shifted to be
non-negative and renormalised (Sorscher et al.; Schaeffer et al.).

Centres are drawn as DeepMind's code draws them: each ensemble from its own fresh
``numpy.random.RandomState(8341)``, so the place centres and the head-direction centres both
start from the same seed. Decoding a read-out back into a position or a heading (the mean of
the top-k centres) is gridcore's own addition: DeepMind's code has no decoder.

Several place-cell ensembles of different widths (DeepMind's ``task_n_pc`` and ``task_pc_scale``
flags take lists): ensemble k has sigma_k = sigma * ratio**k, each with ``n_place`` cells, its own
read-out and its own cross-entropy term; the initial code holds them all. Drawn as DeepMind draws
them, each from its own ``RandomState(8341)``, so they share their centres and differ in width.
Positions are decoded from the first ensemble (the narrowest).

With ``use_hd=False`` (the ``hd-off`` experiment) the head-direction cells are left out of the
initial code, which is then the place cells' alone; the network has no head-direction read-out
and its loss no head-direction term (:mod:`gridcore.net.task`).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from gridcore.paper import BOX_SIZE_M, ENSEMBLE_SEED
from gridcore.world.trajectories import Trajectories

PLACE_KINDS = ("gaussian", "dog")
# What the initial state is computed from: the place ensembles' activations as they are (the
# paper, DeepMind's and Sorscher et al.'s code), or each ensemble's activations standardised over
# its cells (zero mean, unit SD at each start position). Centre-surround targets are nearly
# uniform (at sigma = 8 cm no cell's activation is more than 0.03 from the uniform 1/256), so the
# raw code tells the network its start position only through deviations that a linear encoder
# with small initial weights barely sees; standardising carries the same information at unit scale.
INIT_CODES = ("targets", "standardised")
ENSEMBLE_RNGS = ("separate", "shared")  # a RandomState per ensemble (DeepMind), or one stream


def standardised(code: torch.Tensor) -> torch.Tensor:
    """An ensemble's code (..., N) with zero mean and unit SD over its cells at each position
    (a uniform code, whose SD is 0, becomes 0)."""
    centred = code - code.mean(dim=-1, keepdim=True)
    sd = centred.square().mean(dim=-1, keepdim=True).sqrt()
    return centred / sd.clamp_min(1e-12)


def centre_streams(
    seed: int, rng: str, n_streams: int, sizes: tuple[int, ...]
) -> list[np.random.RandomState]:
    """The random streams that ``n_streams`` ensembles draw their centres from, in drawing
    order, once ``rng`` and the ensemble ``sizes`` (cell and ensemble counts, each >= 1) are
    checked. ``rng="separate"``: each ensemble its own fresh ``RandomState(seed)`` (DeepMind's
    seeding); ``"shared"``: one ``RandomState(seed)``, each ensemble drawing where the last
    stopped."""
    if min(sizes) < 1:
        raise ValueError(f"ensemble sizes must be >= 1, got {', '.join(map(str, sizes))}")
    if rng not in ENSEMBLE_RNGS:
        raise ValueError(f"rng must be one of {ENSEMBLE_RNGS}, got {rng!r}")
    if rng == "shared":
        return [np.random.RandomState(seed)] * n_streams
    return [np.random.RandomState(seed) for _ in range(n_streams)]


class PlaceCells:
    """An ensemble of ``n_cells`` place cells with Gaussian (or centre-surround) tuning."""

    def __init__(
        self,
        centres: torch.Tensor,
        sigma: float = 0.01,
        kind: str = "gaussian",
        surround_scale: float = 2.0,
    ) -> None:
        if kind not in PLACE_KINDS:
            raise ValueError(f"unknown place-cell kind {kind!r}; choose one of: {PLACE_KINDS}")
        if sigma <= 0 or surround_scale <= 1:
            raise ValueError("sigma must be > 0 and surround_scale > 1")
        self.centres = centres  # (N, 2), m
        self.sigma, self.kind, self.surround_scale = sigma, kind, surround_scale

    @property
    def n_cells(self) -> int:
        return self.centres.shape[0]

    def squared_distances(self, pos: torch.Tensor) -> torch.Tensor:
        """|x - mu_i|^2 in m^2; pos (..., 2) -> (..., N)."""
        return ((pos[..., None, :] - self.centres.to(pos)) ** 2).sum(-1)

    def _softmax_of_gaussian(self, pos: torch.Tensor, sigma: float) -> torch.Tensor:
        # softmax_i(-|x - mu_i|^2 / 2 sigma^2): the |x|^2 term is the same for every cell and
        # cancels, leaving (x . mu_i - |mu_i|^2 / 2) / sigma^2, a matrix product.
        mu = self.centres.to(pos)
        logits = (pos @ mu.T - 0.5 * (mu**2).sum(-1)) / sigma**2
        return torch.softmax(logits, dim=-1)

    def activations(self, pos: torch.Tensor) -> torch.Tensor:
        """Target distribution over place cells at positions ``pos`` (..., 2) m -> (..., N)."""
        centre = self._softmax_of_gaussian(pos, self.sigma)
        if self.kind == "gaussian":
            return centre
        surround = self._softmax_of_gaussian(pos, self.surround_scale * self.sigma)
        dog = centre - surround
        dog = dog - dog.min(dim=-1, keepdim=True).values
        return dog / dog.sum(dim=-1, keepdim=True)

    def decode(self, scores: torch.Tensor, k: int = 3) -> torch.Tensor:
        """Position estimate (m): the mean centre of the ``k`` most active cells (gridcore's).

        ``scores`` (..., N) are this ensemble's; wider rows (..., K N), the read-out of several
        ensembles with this one first, are decoded from their first N columns."""
        top = scores[..., : self.n_cells].topk(k, dim=-1).indices
        return self.centres.to(scores.device)[top].mean(dim=-2)


class HeadDirectionCells:
    """An ensemble of ``n_cells`` head-direction cells with von Mises tuning."""

    def __init__(self, centres: torch.Tensor, kappa: float = 20.0) -> None:
        if kappa <= 0:
            raise ValueError(f"kappa must be > 0, got {kappa}")
        self.centres = centres  # (M,), rad
        self.kappa = kappa

    @property
    def n_cells(self) -> int:
        return self.centres.shape[0]

    def activations(self, hd: torch.Tensor) -> torch.Tensor:
        """Target distribution over head-direction cells at headings ``hd`` (...) rad -> (..., M)."""
        return torch.softmax(self.kappa * torch.cos(hd[..., None] - self.centres.to(hd)), dim=-1)

    def decode(self, scores: torch.Tensor, k: int = 3) -> torch.Tensor:
        """Heading estimate (rad): circular mean of the ``k`` most active cells' directions."""
        top = self.centres.to(scores.device)[scores.topk(k, dim=-1).indices]
        return torch.atan2(torch.sin(top).mean(-1), torch.cos(top).mean(-1))


class Ensembles:
    """Place and head-direction ensembles together: targets and the initial-state code.

    ``use_hd=False`` leaves head direction out of the initial code (place cells only); the
    head-direction cells still exist, to compute targets for anyone who asks.
    """

    def __init__(
        self,
        place: PlaceCells,
        hd: HeadDirectionCells,
        use_hd: bool = True,
        extra_place: tuple[PlaceCells, ...] = (),
        init_code: str = "targets",
    ) -> None:
        if init_code not in INIT_CODES:
            raise ValueError(f"init_code must be one of {INIT_CODES}, got {init_code!r}")
        self.place, self.hd, self.use_hd = place, hd, use_hd
        self.extra_place = tuple(extra_place)  # further place ensembles, wider than ``place``
        self.init_code = init_code

    @property
    def places(self) -> tuple[PlaceCells, ...]:
        """Every place-cell ensemble, the first (``place``, used for decoding) first."""
        return (self.place, *self.extra_place)

    @property
    def n_place_total(self) -> int:
        """Place cells over all ensembles: the width of the place read-out."""
        return sum(p.n_cells for p in self.places)

    def split_place(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Place logits or targets (..., K N) cut into each ensemble's (..., N)."""
        return torch.split(x, [p.n_cells for p in self.places], dim=-1)

    def place_loss(
        self, logits: torch.Tensor, targets: torch.Tensor, cross_entropy
    ) -> torch.Tensor:
        """The place loss: ``cross_entropy(logits, targets)`` of each ensemble's block (one
        softmax each), summed over the ensembles."""
        pairs = zip(self.split_place(logits), self.split_place(targets), strict=True)
        return sum(cross_entropy(lg, tg) for lg, tg in pairs)

    @classmethod
    def create(
        cls,
        n_place: int = 256,
        n_hd: int = 12,
        sigma: float = 0.01,
        kappa: float = 20.0,
        kind: str = "gaussian",
        surround_scale: float = 2.0,
        box_width: float = BOX_SIZE_M,
        box_height: float = BOX_SIZE_M,
        seed: int = ENSEMBLE_SEED,
        rng: str = "separate",
        use_hd: bool = True,
        n_ensembles: int = 1,
        sigma_ratio: float = 1.5,
        init_code: str = "targets",
    ) -> Ensembles:
        """Draw the centres: place cells uniform in the box of ``box_width`` x ``box_height``
        metres, head directions uniform in [-pi, pi). With ``rng="separate"`` each ensemble
        has its own ``RandomState(seed)`` (DeepMind's seeding); with ``"shared"`` one stream
        gives the place centres, then the head directions. ``use_hd`` as in the class.
        ``n_ensembles`` place ensembles of widths ``sigma * sigma_ratio**k`` (m)."""
        *place_streams, hd_stream = centre_streams(
            seed, rng, n_ensembles + 1, (n_place, n_hd, n_ensembles)
        )
        half = np.array([box_width / 2, box_height / 2])
        places = []
        for k, stream in enumerate(place_streams):
            pc = torch.tensor(stream.uniform(-half, half, size=(n_place, 2)), dtype=torch.float32)
            places.append(PlaceCells(pc, sigma * sigma_ratio**k, kind, surround_scale))
        hd = hd_stream.uniform(-math.pi, math.pi, size=(n_hd,))
        hd_cells = HeadDirectionCells(torch.tensor(hd, dtype=torch.float32), kappa)
        return cls(places[0], hd_cells, use_hd, tuple(places[1:]), init_code)

    def to(self, device: torch.device | str) -> Ensembles:
        """The same ensembles with their centres on ``device``."""
        places = [
            PlaceCells(p.centres.to(device), p.sigma, p.kind, p.surround_scale) for p in self.places
        ]
        hd = HeadDirectionCells(self.hd.centres.to(device), self.hd.kappa)
        return Ensembles(places[0], hd, self.use_hd, tuple(places[1:]), self.init_code)

    @property
    def init_size(self) -> int:
        """Length of the initial-state code: place plus head-direction cells (256 + 12 = 268),
        or the place cells alone without head direction (256); K N place cells for K
        ensembles."""
        return self.n_place_total + (self.hd.n_cells if self.use_hd else 0)

    def place_activations(self, pos: torch.Tensor) -> torch.Tensor:
        """Every place ensemble's distribution at ``pos`` (..., 2) m, side by side: (..., K N)."""
        if not self.extra_place:
            return self.place.activations(pos)
        return torch.cat([p.activations(pos) for p in self.places], dim=-1)

    def initial_code(self, traj: Trajectories) -> torch.Tensor:
        """Concatenated ensemble activations at the start of each trajectory, (B, N + M); the
        place cells' alone, (B, N), without head direction; (B, K N + M) for K ensembles. With
        ``init_code="standardised"`` each place ensemble's block is :func:`standardised`."""
        place = self.place_activations(traj.init_pos)
        if self.init_code == "standardised":
            place = torch.cat([standardised(a) for a in self.split_place(place)], dim=-1)
        if not self.use_hd:
            return place
        return torch.cat([place, self.hd.activations(traj.init_hd)], dim=-1)

    def targets(self, traj: Trajectories) -> tuple[torch.Tensor, torch.Tensor]:
        """Place (B, T, N), or (B, T, K N) for K ensembles, and head-direction (B, T, M)
        target distributions."""
        return self.place_activations(traj.target_pos), self.hd.activations(traj.target_hd)


# --- helpers for looking at the ensembles ----------------------------------------------------


def box_positions(
    nbins: int, box_width: float = BOX_SIZE_M, box_height: float = BOX_SIZE_M
) -> torch.Tensor:
    """Centres of an ``nbins`` x ``nbins`` grid of bins over the box, (nbins, nbins, 2) m.

    Indexed ``[ix, iy]`` like the ratemaps, so ``activations(box_positions(n))`` gives maps
    (n, n, cells) that ``plots`` draws with x to the right and y up.
    """
    if nbins < 1:
        raise ValueError(f"nbins must be >= 1, got {nbins}")
    xs = (torch.arange(nbins) + 0.5) / nbins * box_width - box_width / 2
    ys = (torch.arange(nbins) + 0.5) / nbins * box_height - box_height / 2
    gx, gy = torch.meshgrid(xs, ys, indexing="ij")
    return torch.stack([gx, gy], dim=-1)


def place_logits(place: PlaceCells, pos: torch.Tensor, sigma: float | None = None) -> torch.Tensor:
    """The log-scores whose softmax is the Gaussian place code: -|x - mu_i|^2 / (2 sigma^2).

    Decode from these rather than from the softmax: at sigma = 1 cm the softmax is exactly 0 in
    float32 for every cell but the nearest few, and the top-k of a row of zeros is arbitrary.
    """
    sigma = place.sigma if sigma is None else sigma
    return -place.squared_distances(pos) / (2 * sigma**2)


def centroid_decode(place: PlaceCells, probs: torch.Tensor) -> torch.Tensor:
    """Position estimate (m): the place-cell centres averaged with weights ``probs`` (..., N)."""
    return probs @ place.centres.to(probs)


def decoding_errors_vs_sigma(
    place: PlaceCells,
    sigmas: list[float] | np.ndarray,
    n_positions: int = 2000,
    seed: int = 0,
    k: int = 3,
    box_width: float = BOX_SIZE_M,
    box_height: float = BOX_SIZE_M,
) -> dict[str, np.ndarray]:
    """Mean decoding error (m) of the *true* place code at each sigma, by two decoders.

    ``topk``: the mean centre of the ``k`` most active cells (gridcore's read-out). Softmax
    keeps the order of the Gaussians, so this is the mean of the k nearest centres whatever
    sigma is: the floor on any network's decoding error. ``centroid``: the activation-weighted
    mean of all centres, which depends on sigma (too narrow: snaps to the nearest centre; too
    wide: pulled towards the middle of the box). Positions are uniform in the box.
    """
    gen = torch.Generator().manual_seed(seed)
    half = torch.tensor([box_width / 2, box_height / 2])
    pos = (torch.rand(n_positions, 2, generator=gen) * 2 - 1) * half
    topk, centroid = [], []
    for sigma in sigmas:
        cells = PlaceCells(place.centres, float(sigma), place.kind, place.surround_scale)
        topk.append((place.decode(place_logits(cells, pos), k) - pos).norm(dim=-1).mean())
        centroid.append((centroid_decode(cells, cells.activations(pos)) - pos).norm(dim=-1).mean())
    return {
        "sigma": np.asarray(sigmas, dtype=float),
        "topk": torch.stack(topk).numpy(),
        "centroid": torch.stack(centroid).numpy(),
    }
