"""A network trained on the simulated rat, run along a real rat's paths.

The paths come from :mod:`gridcore.world.real_rats`: a recording cut into consecutive paths in the
training box. As for the simulated rat, the network starts each path from the true place- and
head-direction code of its start and then reads only the egocentric velocity; dropout is off.

* **Ratemaps** (:func:`ratemaps_along`, :func:`compare_ratemaps`): each bottleneck unit's mean
  activity per bin of the 2.2 m box along the real paths (training-length paths, as the paper's
  ratemaps), next to its ratemap from fresh simulated trajectories. Only the bins the real rat
  visited can be compared: for Sargolini's 1 m box, the middle of the training box.
* **Path integration** (:func:`integrate_along`): the decoded against the true position along
  long real paths, as :func:`gridcore.analysis.path_integration.integrate` does along simulated
  ones; :func:`long_path_errors` gives the error after 15 s along the training rat's paths and the
  real rat's, trained against untrained.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from gridcore.analysis.path_integration import PathIntegration, integrate, n_steps
from gridcore.analysis.ratemaps import EVAL_SEED, bottleneck_ratemaps, run_network
from gridcore.analysis.results import map_correlations
from gridcore.errors import GridcoreError
from gridcore.net.runs import Network, untrained_network
from gridcore.net.task import model_device
from gridcore.paper import BOX_SIZE_M, DT_S
from gridcore.scoring.binning import RatemapAccumulator
from gridcore.world.real_rats import real_trajectories
from gridcore.world.trajectories import Trajectories


def _batches(traj: Trajectories, batch_size: int):
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    for start in range(0, len(traj), batch_size):
        yield traj[start : start + batch_size]


@torch.no_grad()
def ratemaps_along(
    net: Network,
    traj: Trajectories,
    nbins: int = 32,
    box: tuple[float, float] = (BOX_SIZE_M, BOX_SIZE_M),
    batch_size: int = 500,
) -> RatemapAccumulator:
    """``net``'s bottleneck activity (dropout off) binned along the paths ``traj``: an accumulator
    over the ``box`` (width, height m) with ``nbins`` bins a side (``.ratemaps()``,
    ``.occupancy()``)."""
    model = net.model
    was_training = model.training
    model.eval()
    acc = None
    try:
        for part in _batches(traj, batch_size):
            acts = run_network(net, part)[0]
            if acc is None:
                acc = RatemapAccumulator(acts.shape[-1], nbins, *box)
            acc.add(part.target_pos.numpy(), acts.cpu().numpy())
    finally:
        model.train(was_training)
    return acc


@torch.no_grad()
def integrate_along(
    net: Network,
    traj: Trajectories,
    dt: float = DT_S,
    batch_size: int = 250,
) -> PathIntegration:
    """``net``'s path integration along the paths ``traj`` (steps of ``dt`` s): decoded against
    true positions (m), from the code at each path's start and the velocities after it."""
    model = net.model
    was_training = model.training
    model.eval()
    decoded = []
    try:
        for part in _batches(traj, batch_size):
            decoded.append(run_network(net, part.to(model_device(model)))[1].cpu())
    finally:
        model.train(was_training)
    return PathIntegration.from_positions(
        traj.init_pos.numpy(), traj.target_pos.numpy(), torch.cat(decoded).numpy(), dt
    )


def long_path_errors(
    net: Network, seconds: float = 15.0, n_paths: int = 200, batch_size: int = 25
) -> dict[str, float]:
    """Mean position error (cm) after ``seconds``, trained and untrained (the same config and
    seed, freshly drawn), along ``n_paths`` fresh paths of the network's own rat
    (``position_error_15s_cm`` and ``untrained_error_15s_cm`` for 15 s) and along the Sargolini
    et al. recording's paths of that length (``real_path_error_15s_cm`` and
    ``untrained_real_path_error_15s_cm``; NaN without ratinabox). Empty for a network in the
    cube."""
    cfg, tag = net.cfg, f"{seconds:g}s"
    if cfg.dims != 2:
        return {}
    networks = {"": net, "untrained_": untrained_network(cfg, seed=cfg.seed)}
    try:
        real = real_trajectories("sargolini", seq_len=n_steps(seconds, DT_S))
    except GridcoreError:
        real = None
    out = {}
    for prefix, network in networks.items():
        own = integrate(network, n_paths, seconds, batch_size=batch_size)
        out[f"{prefix or 'position_'}error_{tag}_cm"] = float(own.mean_error_cm[-1])
        along = float("nan")
        if real is not None:
            along = integrate_along(network, real, batch_size=batch_size).mean_error_cm[-1]
        out[f"{prefix}real_path_error_{tag}_cm"] = float(along)
    return out


def constant_guess(
    traj: Trajectories, point: tuple[float, float] = (0.0, 0.0), dt: float = DT_S
) -> PathIntegration:
    """The error of answering ``point`` (m; the box's centre by default) at every step along
    ``traj``: what a network that ignores the velocity and always decodes one place achieves."""
    true_pos = traj.target_pos.numpy()
    decoded = np.broadcast_to(np.asarray(point, dtype=true_pos.dtype), true_pos.shape).copy()
    return PathIntegration.from_positions(traj.init_pos.numpy(), true_pos, decoded, dt)


def error_table(results: Mapping[str, PathIntegration], times_s=(1.0, 2.0, 15.0)) -> pd.DataFrame:
    """Mean position error (cm, rounded to 0.1) at each of ``times_s`` seconds (those each run
    reaches), and the number of paths: one row per labelled result."""
    rows = []
    for res in results.values():
        row = {
            f"error at {t:g} s (cm)": round(res.error_at(t), 1)
            for t in times_s
            if res.times_s[-1] >= t - 1e-9
        }
        row["paths"] = res.n_trajectories
        rows.append(row)
    return pd.DataFrame(rows, index=pd.Index(list(results), name="network, paths"))


# --------------------------------------------------------------------------------------------
# Ratemaps from the real rat against ratemaps from the simulated one


def visited_window(occupancy: np.ndarray) -> tuple[slice, slice]:
    """The smallest block of bins (x slice, y slice) holding every visited bin of
    ``occupancy`` (nx, ny)."""
    ix, iy = np.nonzero(np.asarray(occupancy) > 0)
    if ix.size == 0:
        raise ValueError("no bin is visited")
    return slice(int(ix.min()), int(ix.max()) + 1), slice(int(iy.min()), int(iy.max()) + 1)


@dataclass
class MapComparison:
    """Each unit's ratemap along the real paths against its ratemap from simulated paths.

    Attributes:
        real: (units, n, n) maps from the real paths (NaN where the rat never went).
        simulated: (units, n, n) maps from fresh simulated trajectories.
        occupancy: (n, n) steps of the real paths per bin.
        window: the block of bins the real rat visited (x slice, y slice).
        r_simulated: (units,) correlation of each unit's real map with its simulated map, over
            the bins visited in both.
        r_halves: (units,) correlation of the maps from the first and second half of the real
            paths: how far the real run's own maps repeat.
        r_other_unit: (units,) correlation of each unit's real map with another unit's simulated
            map (unit u against unit u + shift): the level two unrelated maps reach.
    """

    real: np.ndarray
    simulated: np.ndarray
    occupancy: np.ndarray
    window: tuple[slice, slice]
    r_simulated: np.ndarray
    r_halves: np.ndarray
    r_other_unit: np.ndarray

    def cropped(self, maps: np.ndarray) -> np.ndarray:
        """``maps`` (units, n, n) cut to the visited window."""
        return maps[:, self.window[0], self.window[1]]

    def table(self) -> pd.DataFrame:
        """Median (over units) correlation of each pair of maps, rounded to 0.01, and the share
        of units above 0.5 (%)."""
        pairs = {
            "real vs simulated, same unit": self.r_simulated,
            "real, first vs second half": self.r_halves,
            "real vs simulated, another unit": self.r_other_unit,
        }
        return pd.DataFrame(
            {
                "median r": [round(float(np.nanmedian(r)), 2) for r in pairs.values()],
                "units with r > 0.5 (%)": [
                    round(100 * float(np.mean(np.nan_to_num(r, nan=-1) > 0.5)), 1)
                    for r in pairs.values()
                ],
            },
            index=pd.Index(list(pairs), name="maps compared"),
        )


def compare_ratemaps(
    net: Network,
    traj: Trajectories,
    n_simulated: int = 5000,
    nbins: int = 32,
    seed: int = 0,
    shift: int = 1,
) -> MapComparison:
    """Ratemaps of ``net``'s bottleneck along the real paths ``traj`` against those on
    ``n_simulated`` fresh trajectories of its own motion model (evaluation seed
    ``EVAL_SEED + seed``, as :func:`gridcore.analysis.results.score_network`)."""
    box = (net.motion.box_width, net.motion.box_height)
    acc = ratemaps_along(net, traj, nbins, box)
    real = acc.ratemaps()
    half = len(traj) // 2
    first = ratemaps_along(net, traj[:half], nbins, box).ratemaps()
    second = ratemaps_along(net, traj[half:], nbins, box).ratemaps()
    sim = bottleneck_ratemaps(net, n_simulated, nbins, seed=EVAL_SEED + seed)
    with np.errstate(invalid="ignore", divide="ignore"):  # a silent unit has no correlation
        r = [map_correlations(a, b) for a, b in ((real, sim), (first, second))]
        r.append(map_correlations(real, np.roll(sim, shift, axis=0)))
    return MapComparison(
        real=real,
        simulated=sim,
        occupancy=acc.occupancy(),
        window=visited_window(acc.occupancy()),
        r_simulated=r[0],
        r_halves=r[1],
        r_other_unit=r[2],
    )
