"""The torus of a trained network's grid modules: persistent homology of its grid units.

Gardner et al. (Nature 2022) found that the joint activity of one grid module lies on a
2-torus. Here the network's bottleneck is recorded on fresh trajectories (the evaluation seed
of :mod:`gridcore.analysis.ratemaps`, as :func:`gridcore.analysis.census.record` does), its
grid-like units are picked by DeepMind's scorer (60-degree score above 0.37) from their ratemaps,
split into modules by :func:`gridcore.scoring.scale_modules.cluster_scales` on their grid scales,
and each module's activity, and that of all grid units together, is given to
:func:`gridcore.scoring.topology.betti_numbers`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from gridcore.analysis.census import record
from gridcore.analysis.ratemaps import EVAL_SEED
from gridcore.analysis.results import score_network
from gridcore.errors import GridcoreError
from gridcore.net.runs import Network
from gridcore.paper import GRID_THRESHOLD
from gridcore.scoring.scale_modules import cluster_scales
from gridcore.scoring.topology import Topology, betti_numbers

ALL_GRID = "all grid units"


def grid_modules(
    network: Network,
    n_trajectories: int = 300,
    seed: int = 0,
    nbins: int = 32,
    threshold: float = GRID_THRESHOLD,
    min_units: int = 6,
) -> dict[str, np.ndarray]:
    """{name: bottleneck unit indices}: "module 1", "module 2", ... (by increasing grid scale,
    those of at least ``min_units`` units) and :data:`ALL_GRID`, every unit whose 60-degree
    score (DeepMind's scorer, ratemaps of ``nbins`` bins on ``n_trajectories`` trajectories
    from ``EVAL_SEED + seed``) exceeds ``threshold``. Units without a measurable scale join
    only :data:`ALL_GRID`."""
    scored = score_network(network, n_trajectories, nbins, seed, n_shuffles=0)
    dm = scored.scores["deepmind"]
    grid = np.flatnonzero(dm.grid_score_60 > threshold)
    if grid.size < min_units:
        raise GridcoreError(
            f"{grid.size} grid-like units (DeepMind's 60-degree score > {threshold:g}), fewer "
            f"than {min_units}: pass a trained network, more trajectories or a lower threshold"
        )
    scaled = grid[np.isfinite(dm.scale_m[grid])]
    groups: dict[str, np.ndarray] = {}
    if scaled.size:
        clusters = cluster_scales(dm.scale_m[scaled], seed=seed)
        for k in range(clusters.k):
            units = scaled[clusters.labels == k]
            if units.size >= min_units:
                groups[f"module {k + 1}"] = units
    groups[ALL_GRID] = grid
    return groups


def module_topology(
    network: Network,
    n_trajectories: int = 300,
    seed: int = 0,
    n_points: int = 200,
    n_shuffles: int = 5,
    n_dims: int = 6,
    nbins: int = 32,
    threshold: float = GRID_THRESHOLD,
    progress: bool = True,
) -> dict[str, Topology]:
    """{name: :class:`~gridcore.scoring.topology.Topology`} of each grid module of ``network`` and
    of all its grid units (names as :func:`grid_modules`), from its bottleneck (dropout off) on
    ``n_trajectories`` fresh trajectories (seed ``EVAL_SEED + seed``, the trajectories that
    are mapped and scored).

    Each group's activity is reduced to ``n_dims`` principal components and ``n_points``
    points and compared with ``n_shuffles`` time-shifted copies. With the defaults the shipped
    grid-lstm (one module and all grid units: two groups) takes about 30 s on one core; a
    torus is Betti numbers (1, 2, 1).
    """
    groups = grid_modules(network, n_trajectories, seed, nbins, threshold, min_units=n_dims)
    rec = record(network, n_trajectories, seed=EVAL_SEED + seed)
    activity = rec.layers["bottleneck"]
    out = {}
    for name, units in tqdm(groups.items(), desc="persistence", unit="group", disable=not progress):
        label = f"{name}: {units.size} units"
        out[name] = betti_numbers(
            activity[:, units], n_dims, n_points, n_shuffles, seed=seed, label=label
        )
    return out


def topology_table(found: dict[str, Topology]) -> pd.DataFrame:
    """One row per group of :func:`module_topology`: the shape its Betti numbers name, and the
    longest H1 and H2 lifetimes beside the longest of the time-shifted copies."""
    rows = []
    for name, top in found.items():
        longest = [float(lt[0]) if lt.size else 0.0 for lt in top.lifetimes]
        rows.append(
            {
                "group": top.label or name,
                "shape (Betti numbers)": top.verdict,
                "longest H1 (null)": f"{longest[1]:.2f} ({top.null_lifetime[1]:.2f})",
                "longest H2 (null)": f"{longest[2]:.2f} ({top.null_lifetime[2]:.2f})",
            }
        )
    return pd.DataFrame(rows).set_index("group")


def torus_answer(found: dict[str, Topology]) -> str:
    """One sentence from :func:`module_topology`: which groups, if any, have a torus's Betti
    numbers (1, 2, 1), and the first group's longest loop against the null."""
    tori = [name for name, top in found.items() if top.betti == (1, 2, 1)]
    first_name, first = next(iter(found.items()))
    h1 = float(first.lifetimes[1][0]) if first.lifetimes[1].size else 0.0
    detail = (
        f"{first_name} has Betti numbers {first.betti}; its longest loop lives {h1:.2f}, "
        f"against {first.null_lifetime[1]:.2f} in the time-shifted copies"
    )
    if tori:
        return f"Yes, for {', '.join(tori)}: {detail}."
    return f"No: no group has the torus's (1, 2, 1); {detail}."
