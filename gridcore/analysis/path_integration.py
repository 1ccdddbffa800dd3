"""Path integration over long trajectories: how far the decoded position drifts from the truth.

The network is trained on 2 s trajectories (100 steps of 0.02 s). Here it runs, with dropout
off, on fresh trajectories of any length (the paper reports 15 s = 750 steps) from the place and
head-direction code of the start only; afterwards it sees nothing but the egocentric velocity.
At every step its place-cell read-out is decoded into a position (the mean centre of the three
most active cells, gridcore's decoder: DeepMind's code has none) and compared with the true
position.

The paper reports a mean error after 15 s of 16 cm for the trained network against 91 cm for an
untrained one (:data:`gridcore.paper.PATH_ERROR_15S_CM`). :func:`untrained_network` builds that
baseline: the same architecture and ensembles, freshly initialised from a seed.
:func:`trained_and_untrained` runs a saved network and its untrained twin on the same paths, with
fixed defaults, so that every chapter quoting a network's 15 s errors quotes the same pair.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from gridcore import shipped
from gridcore.net.runs import Network, load_network, untrained_network
from gridcore.net.task import ANCHOR_SEED, anchor_mask, motion_of, run
from gridcore.paper import PATH_ERROR_15S_CM
from gridcore.world.trajectories import simulate

__all__ = [
    "PATHS_15S",
    "PATH_SEED",
    "PathIntegration",
    "TrainedAndUntrained",
    "integrate",
    "n_steps",
    "summary",
    "trained_and_untrained",
    "untrained_network",
]

PATH_SEED = 987_654_321  # trajectories never coincide with training or ratemap data
# Test paths per network for the errors after 15 s, as the sweeps' tables use
# (gridcore.analysis.real_paths.long_path_errors).
PATHS_15S = 200


@dataclass
class PathIntegration:
    """Decoded against true positions for ``n`` trajectories of ``T`` steps.

    Attributes:
        times_s: (T,) time after the start at each step, s (dt, 2 dt, ...).
        init_pos: (n, 2) start positions, m.
        true_pos: (n, T, 2) true positions after each step, m.
        decoded_pos: (n, T, 2) positions decoded from the place-cell read-out, m.
        errors_cm: (n, T) distance between the two, cm.
    """

    times_s: np.ndarray
    init_pos: np.ndarray
    true_pos: np.ndarray
    decoded_pos: np.ndarray
    errors_cm: np.ndarray

    @classmethod
    def from_positions(
        cls, init_pos: np.ndarray, true_pos: np.ndarray, decoded_pos: np.ndarray, dt: float
    ) -> PathIntegration:
        """The result for positions (m) after steps of ``dt`` s: start ``init_pos`` (n, 2),
        ``true_pos`` and ``decoded_pos`` (n, T, 2). Times are dt, 2 dt, ..., T dt (s); the
        errors the distances between decoded and true positions (cm)."""
        return cls(
            times_s=dt * np.arange(1, true_pos.shape[1] + 1),
            init_pos=init_pos,
            true_pos=true_pos,
            decoded_pos=decoded_pos,
            errors_cm=100 * np.linalg.norm(decoded_pos - true_pos, axis=-1),
        )

    @property
    def n_trajectories(self) -> int:
        return self.errors_cm.shape[0]

    @property
    def mean_error_cm(self) -> np.ndarray:
        """(T,) mean error over trajectories at each step, cm."""
        return self.errors_cm.mean(axis=0)

    @property
    def sem_error_cm(self) -> np.ndarray:
        """(T,) standard error of that mean, cm (0 for a single trajectory)."""
        n = self.n_trajectories
        if n < 2:
            return np.zeros(self.errors_cm.shape[1])
        return self.errors_cm.std(axis=0, ddof=1) / math.sqrt(n)

    def error_quantile_cm(self, q: float) -> np.ndarray:
        """(T,) the ``q`` quantile over trajectories of the error at each step, cm."""
        return np.quantile(self.errors_cm, q, axis=0)

    def error_at(self, seconds: float) -> float:
        """Mean error (cm) at the step closest to ``seconds`` after the start."""
        index = int(np.argmin(np.abs(self.times_s - seconds)))
        return float(self.mean_error_cm[index])

    @property
    def mean_distance_m(self) -> float:
        """Mean distance (m) the rat covers along a path, start to end."""
        steps = np.diff(np.concatenate([self.init_pos[:, None], self.true_pos], axis=1), axis=1)
        return float(np.linalg.norm(steps, axis=-1).sum(axis=1).mean())

    def true_path(self, i: int) -> np.ndarray:
        """(T + 1, 2) true positions of trajectory ``i``, start included, m."""
        return np.concatenate([self.init_pos[i][None], self.true_pos[i]], axis=0)


def n_steps(seconds: float, dt: float) -> int:
    """Steps of ``dt`` seconds in ``seconds`` (at least one)."""
    if not seconds > 0:
        raise ValueError(f"seconds must be > 0, got {seconds}")
    return max(1, round(seconds / dt))


@torch.no_grad()
def integrate(
    net: Network,
    n_trajectories: int = 500,
    seconds: float = 15.0,
    seed: int = 0,
    batch_size: int = 250,
    motion: str | None = None,
    anchor_prob: float | None = None,
) -> PathIntegration:
    """Run ``net`` on ``n_trajectories`` fresh trajectories of ``seconds`` each.

    The trajectories come from the motion model ``net`` was trained with, drawn from a generator
    seeded with ``PATH_SEED + seed``, so two networks given the same ``seed`` see the same
    paths; ``motion`` names another motion preset to test on (e.g. "paper" for a network trained
    on "sorscher"). ``batch_size`` only bounds memory: the result does not depend on it. The
    model runs in evaluation mode (dropout off, unless its ``eval_dropout`` keeps DeepMind's
    dropout-at-evaluation) and is put back in the mode it was in. An anchored network reads its
    anchor code on a fraction ``anchor_prob`` of steps (default: the fraction it was trained
    with; 0: pure path integration), the same steps for any network given the same ``seed``.
    """
    if anchor_prob is not None and anchor_prob > 0 and not getattr(net.model, "n_anchor", 0):
        raise ValueError(f"anchor_prob {anchor_prob}: this network reads no anchor")
    if n_trajectories < 1 or batch_size < 1:
        raise ValueError(
            f"need n_trajectories, batch_size >= 1, got {n_trajectories}, {batch_size}"
        )
    model, ensembles = net.model, net.ensembles
    motion = motion_of(net.cfg, motion)  # the network's time base, whichever rat
    steps = n_steps(seconds, motion.network_dt)
    gen = torch.Generator().manual_seed(PATH_SEED + seed)
    traj = simulate(n_trajectories, steps, motion, generator=gen)  # the same for any batch_size
    anchors = None
    if getattr(net.model, "n_anchor", 0):
        prob = net.model.anchor_prob if anchor_prob is None else anchor_prob
        masks = torch.Generator().manual_seed(ANCHOR_SEED + seed)
        anchors = anchor_mask((n_trajectories, steps), prob, masks)
    was_training = model.training
    model.eval()
    decoded = []
    try:
        for start in range(0, n_trajectories, batch_size):
            part = traj[start : start + batch_size]
            mask = None if anchors is None else anchors[start : start + batch_size]
            out = run(model, ensembles, part, mask)
            decoded.append(ensembles.place.decode(out.place_logits).cpu())
    finally:
        model.train(was_training)
    return PathIntegration.from_positions(
        traj.init_pos.numpy(),
        traj.target_pos.numpy(),
        torch.cat(decoded).numpy(),
        motion.network_dt,
    )


@dataclass(frozen=True)
class TrainedAndUntrained:
    """A network and its untrained twin, run on the same paths."""

    trained: PathIntegration
    untrained: PathIntegration

    @property
    def errors_cm(self) -> tuple[float, float]:
        """Mean errors (cm) at the end of the paths: (trained, untrained)."""
        return float(self.trained.mean_error_cm[-1]), float(self.untrained.mean_error_cm[-1])


@lru_cache(maxsize=4)
def trained_and_untrained(
    checkpoint: str | Path,
    n_trajectories: int = PATHS_15S,
    seconds: float = 15.0,
    seed: int = 0,
) -> TrainedAndUntrained:
    """The saved network ``checkpoint`` (a shipped network's name or a run directory) and the
    same config untrained (weights drawn from its training seed), each run by :func:`integrate`
    on the same ``n_trajectories`` paths of ``seconds`` s (``seed``). The defaults are those of
    the sweeps' 15 s errors; the result is cached, so asking twice costs nothing."""
    net = load_network(shipped.network(checkpoint))
    untrained = untrained_network(net.cfg, seed=net.cfg.seed)
    return TrainedAndUntrained(
        trained=integrate(net, n_trajectories, seconds, seed=seed),
        untrained=integrate(untrained, n_trajectories, seconds, seed=seed),
    )


def summary(trained: PathIntegration, untrained: PathIntegration | None = None) -> dict:
    """Headline numbers: mean errors (cm) after 1 s, 2 s and at the end, next to the paper's."""
    out = {"seconds": float(trained.times_s[-1]), "n_trajectories": trained.n_trajectories}
    for name, res in (("trained", trained), ("untrained", untrained)):
        if res is None:
            continue
        for t in (1.0, 2.0):
            if res.times_s[-1] >= t:
                out[f"{name}_error_{t:g}s_cm"] = res.error_at(t)
        out[f"{name}_error_end_cm"] = float(res.mean_error_cm[-1])
    out.update({f"paper_{k}_error_15s_cm": v for k, v in PATH_ERROR_15S_CM.items()})
    return out


def growth_exponent(result: PathIntegration, start_s: float = 1.0) -> float:
    """Slope of log mean error against log time, from ``start_s`` to the end of the test: 0.5
    for errors that add up like a random walk, 1 for a steady drift, 0 for a saturated error."""
    end_s = float(result.times_s[-1])
    return float(
        np.log(result.error_at(end_s) / result.error_at(start_s)) / np.log(end_s / start_s)
    )


def growth_phrase(exponent: float) -> str:
    """One sentence on what a :func:`growth_exponent` says about the error's growth."""
    if exponent < 0.35:
        return "well below 0.5: the error is levelling off, bounded by the box."
    if exponent < 0.65:
        return "close to 0.5: the error grows like a random walk of small independent errors."
    if exponent < 0.85:
        return "between 0.5 and 1: part random walk, part steady drift."
    return "close to 1: the error grows like a steady drift, in proportion to the distance run."


def drift_verdict(
    trained: PathIntegration, untrained: PathIntegration, floor_cm: float, training_s: float
) -> str:
    """One paragraph on the trained network's error: against the decoding floor and the
    untrained network at the training length, and against the untrained network at the end."""
    at_train, untrained_at_train = trained.error_at(training_s), untrained.error_at(training_s)
    end_s = float(trained.times_s[-1])
    end_t, end_u = float(trained.mean_error_cm[-1]), float(untrained.mean_error_cm[-1])
    ratio = at_train / floor_cm
    near = "close to" if ratio < 1.5 else f"about {ratio:.0f} times"
    first = (
        f"After {training_s:g} s, the length of its training trajectories, the trained network "
        f"is {at_train:.0f} cm off on average, {near} the decoding floor of {floor_cm:.0f} cm; "
        f"the untrained network is {untrained_at_train:.0f} cm off."
    )
    if end_t < 0.5 * end_u:
        second = (
            f" The error keeps growing slowly, and after {end_s:g} s ({end_t:.0f} cm) it is "
            f"still well below the untrained network's ({end_u:.0f} cm)."
        )
    elif end_t < end_u:
        second = (
            f" Afterwards the estimate drifts: after {end_s:g} s it is {end_t:.0f} cm off, "
            f"only somewhat better than the untrained network's {end_u:.0f} cm."
        )
    else:
        second = (
            f" Afterwards the estimate drifts, and after {end_s:g} s ({end_t:.0f} cm) it is "
            f"no better than the untrained network's ({end_u:.0f} cm): it has lost track of "
            f"the rat."
        )
    return first + second
