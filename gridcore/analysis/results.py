"""Results: scoring a trained network, a run's snapshots or a ratemap file, as tables.

This is what the ``score`` command and the book's results chapters call: load a run, build its
ratemaps on fresh trajectories, score them with both scorers against a shuffle null, and put the
numbers into tables (pandas DataFrames) next to the paper's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from gridcore.analysis.ratemaps import EVAL_SEED, bottleneck_ratemaps
from gridcore.analysis.ratemaps3d import volume_ratemaps, volume_summary
from gridcore.errors import GridcoreError
from gridcore.files import atomic_write
from gridcore.formatting import percent
from gridcore.net.runs import Network, list_snapshots, load_run, read_history
from gridcore.net.task import untrained_model, volume_motion_of
from gridcore.paper import BOX_SIZE_M, GRID_FRACTION, GRID_THRESHOLD, STRICT_GRID_THRESHOLD
from gridcore.scoring.binning import RatemapAccumulator, load_ratemaps
from gridcore.scoring.scale_modules import cluster_scales
from gridcore.scoring.scores import PAPER_THRESHOLD, STRICT_THRESHOLD, GridScores, score_ratemaps
from gridcore.scoring.shuffles import ShuffleNull, shuffle_threshold

MODES = ("deepmind", "gridcore")


# --------------------------------------------------------------------------------------------
# A trained network and its scores


@dataclass
class ScoredNetwork:
    """A network's bottleneck ratemaps scored by both scorers, each with its shuffle null."""

    network: Network
    maps: np.ndarray  # (units, nbins, nbins)
    scores: dict[str, GridScores]  # by mode: "deepmind", "gridcore"
    nulls: dict[str, ShuffleNull]  # by mode (empty without shuffles)
    n_trajectories: int
    seed: int

    @property
    def nbins(self) -> int:
        return int(self.maps.shape[1])


def score_network(
    net: Network,
    n_trajectories: int = 5000,
    nbins: int = 32,
    seed: int = 0,
    n_shuffles: int = 20,
) -> ScoredNetwork:
    """Ratemaps of ``net``'s bottleneck on ``n_trajectories`` fresh trajectories (evaluation seed
    ``EVAL_SEED + seed``), scored in both modes, with field-shuffle nulls of ``n_shuffles``
    shuffles per unit (0: none)."""
    maps = bottleneck_ratemaps(net, n_trajectories, nbins, seed=EVAL_SEED + seed)
    box = (net.motion.box_width, net.motion.box_height)
    scores = {m: score_ratemaps(maps, mode=m, box_width=box[0], box_height=box[1]) for m in MODES}
    nulls = {}
    if n_shuffles > 0:
        nulls = {
            m: shuffle_threshold(maps, n_shuffles=n_shuffles, seed=seed, mode=m) for m in MODES
        }
    return ScoredNetwork(net, maps, scores, nulls, int(n_trajectories), int(seed))


def best_unit(scored: ScoredNetwork) -> int:
    """The unit with the highest 60° score (gridcore's scorer) among the non-degenerate ones:
    the "best unit" wherever the book shows one."""
    gc = scored.scores["gridcore"]
    return int(np.nanargmax(np.where(gc.degenerate, -np.inf, gc.grid_score_60)))


def fractions_table(scored: ScoredNetwork, paper: bool = True) -> pd.DataFrame:
    """Grid-like fractions at 0.37, 0.8 and the shuffle threshold, by scorer; with ``paper``
    the paper's 25.2 % (DeepMind's scorer) as the first row."""
    rows = []
    if paper:
        rows.append(
            {"": "paper (DeepMind's scorer)", f"> {GRID_THRESHOLD}": percent(GRID_FRACTION)}
        )
    for mode, res in scored.scores.items():
        row = {
            "": f"ours, {_SCORER_WORDS[mode]} scorer",
            f"> {GRID_THRESHOLD}": percent(res.fraction(GRID_THRESHOLD)),
            f"> {STRICT_GRID_THRESHOLD}": percent(res.fraction(STRICT_GRID_THRESHOLD)),
        }
        if mode in scored.nulls:
            t = scored.nulls[mode].threshold
            row["> shuffle threshold"] = f"{percent(res.fraction(t))} (threshold {t:.2f})"
        rows.append(row)
    return pd.DataFrame(rows).fillna("–").set_index("")


def provenance_table(run_dir: str | Path) -> pd.DataFrame:
    """The scalar entries of a run's ``provenance.json`` (how it was made), one per row."""
    path = Path(run_dir) / "provenance.json"
    if not path.is_file():
        return pd.DataFrame({"value": []}, index=pd.Index([], name="entry"))
    prov = json.loads(path.read_text())
    flat = {k: v for k, v in prov.items() if isinstance(v, str | int | float | bool)}
    values = [str(v).replace("\n", "; ") for v in flat.values()]
    return pd.DataFrame({"value": values}, index=pd.Index(list(flat), name="entry"))


# --------------------------------------------------------------------------------------------
# Comparing ratemaps, and the chapters' tables


def map_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two maps of the same shape over the bins visited (finite) in both;
    NaN when fewer than three bins are."""
    ok = np.isfinite(a) & np.isfinite(b)
    return float(np.corrcoef(a[ok], b[ok])[0, 1]) if ok.sum() > 2 else float("nan")


def map_correlations(maps: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """(units,) :func:`map_correlation` of each unit's map in ``maps`` with its map in
    ``reference`` (both (units, n, n))."""
    return np.array([map_correlation(m, r) for m, r in zip(maps, reference, strict=True)])


def grid_share_text(
    scorings: Sequence[Mapping[str, float]], paper_fraction: float, threshold: float
) -> str:
    """A paragraph on a training run's live scorings (rows with ``step``, ``elapsed_s`` and
    ``grid_fraction_037``, a fraction): the share of grid-like units at the last scoring and at
    its best, against ``paper_fraction``, and when it first reached that."""
    shares = [float(r["grid_fraction_037"]) for r in scorings]
    best = int(np.argmax(shares))
    text = (
        f"At the last scoring {100 * shares[-1]:.1f} % of the bottleneck units had a grid score "
        f"above {threshold:g}, against the paper's {100 * paper_fraction:.1f} %; the highest "
        f"share during the run was {100 * shares[best]:.1f} %, at step "
        f"{int(scorings[best]['step']):,}."
    )
    reached = [r for r, f in zip(scorings, shares, strict=True) if f >= paper_fraction]
    if not reached:
        return text + " The share stayed below the paper's throughout this run."
    first = reached[0]
    text += (
        f" It first reached the paper's share at step {int(first['step']):,}, after "
        f"{first['elapsed_s']:.0f} s (wall time including the scorings)"
    )
    if shares[-1] < paper_fraction:
        text += (
            ", and ended a little below it: each scoring maps a limited sample of fresh "
            "trajectories, so its share moves by a point or two from one scoring to the next"
        )
    return text + "."


def change_phrase(drop: float, decimals: int = 3) -> str:
    """A score's change in words, from ``drop`` (before minus after): "falls by 0.012", "rises by
    0.004", or "does not change (to three decimals)" when it rounds to zero."""
    value = round(float(drop), decimals)
    if value == 0:
        words = {1: "one", 2: "two", 3: "three", 4: "four"}.get(decimals, str(decimals))
        return f"does not change (to {words} decimals)"
    verb = "falls" if value > 0 else "rises"
    return f"{verb} by {abs(value):.{decimals}f}"


#: The scorers of ``score_ratemaps`` (its ``mode``) as table headers name them.
_SCORER_WORDS = {"deepmind": "DeepMind's", "gridcore": "gridcore's"}


def _fraction_column(threshold: float, mode: str) -> str:
    return f"units above {threshold:g}, {_SCORER_WORDS.get(mode, mode)} scorer (%)"


def trajectory_count_table(
    by_count: Mapping[int, np.ndarray],
    threshold: float = GRID_THRESHOLD,
    mode: str = "deepmind",
) -> pd.DataFrame:
    """How ratemaps settle as trajectories are added: one row per trajectory count of
    ``by_count`` ({count: (units, n, n) maps}, e.g. from ``ratemaps_by_trajectories``).

    Columns: ``unvisited bins (%)`` (bins no trajectory entered, per cent of the box), ``median
    r with the final map`` (median over units of :func:`map_correlation` with the maps of the
    largest count) and the per cent of units grid-like at ``threshold`` with the ``mode``
    scorer. Index: ``trajectories``. Values are rounded for display (0.1 %, 0.001).
    """
    counts = sorted(by_count)
    final = by_count[counts[-1]]
    rows = []
    for c in counts:
        m = by_count[c]
        rows.append(
            {
                "unvisited bins (%)": 100 * float(np.isnan(m).all(axis=0).mean()),
                "median r with the final map": float(np.nanmedian(map_correlations(m, final))),
                _fraction_column(threshold, mode): 100
                * score_ratemaps(m, mode=mode).fraction(threshold),
            }
        )
    df = pd.DataFrame(rows, index=pd.Index(counts, name="trajectories"))
    decimals = {c: 3 if c.startswith("median r") else 1 for c in df.columns}
    return df.round(decimals)


def bin_count_table(
    accumulators: Mapping[int, RatemapAccumulator],
    threshold: float = GRID_THRESHOLD,
    mode: str = "deepmind",
) -> pd.DataFrame:
    """How the bin count changes ratemaps: one row per entry of ``accumulators`` ({bins per
    side: accumulator}, e.g. from ``ratemap_accumulators``).

    Columns: ``bin size (cm)`` (side of a bin, from the accumulator's box width), ``mean time
    steps per bin`` and the per cent of units grid-like at ``threshold`` with the ``mode``
    scorer. Index: ``bins per side``. Values are rounded for display (0.1 cm, 1 step, 0.1 %).
    """
    bins = sorted(accumulators)
    rows = []
    for b in bins:
        acc = accumulators[b]
        frac = score_ratemaps(acc.ratemaps(), mode=mode).fraction(threshold)
        rows.append(
            {
                "bin size (cm)": round(100 * acc.box_width / b, 1),
                "mean time steps per bin": round(float(acc.occupancy().mean())),
                _fraction_column(threshold, mode): round(100 * frac, 1),
            }
        )
    return pd.DataFrame(rows, index=pd.Index(bins, name="bins per side"))


def _verdict(scores: GridScores, k: int, reason: bool) -> str:
    if scores.grid_like[k]:
        return "yes"
    return f"no ({scores.reason[k]})" if reason and scores.reason[k] else "no"


def example_scores_table(
    names: Sequence[str], deepmind: GridScores, gridcore: GridScores
) -> pd.DataFrame:
    """Scores of a few named maps, scored in both modes (``deepmind`` and ``gridcore``, the same
    maps in the order of ``names``): DeepMind's 60- and 90-degree scores (dimensionless,
    rounded to 0.01) and each scorer's verdict, with gridcore's reason when it calls a map
    degenerate. Index: ``map``."""
    if not len(names) == deepmind.n_units == gridcore.n_units:
        raise ValueError(
            f"{len(names)} names for {deepmind.n_units} and {gridcore.n_units} scored maps"
        )
    return pd.DataFrame(
        {
            "60° score": np.round(deepmind.grid_score_60, 2),
            "90° score": np.round(deepmind.grid_score_90, 2),
            "grid-like (DeepMind's scorer)": [
                _verdict(deepmind, k, False) for k in range(len(names))
            ],
            "grid-like (gridcore's scorer)": [
                _verdict(gridcore, k, True) for k in range(len(names))
            ],
        },
        index=pd.Index(list(names), name="map"),
    )


# --------------------------------------------------------------------------------------------
# The score command: a file or a run


def score_path(
    path: str | Path,
    *,
    nbins: int | None = None,
    n_trajectories: int = 5000,
    n_shuffles: int = 20,
    mode: str = "gridcore",
    save_ratemaps: str | Path | None = None,
    shuffle_method: str = "fields",
    seed: int = 0,
) -> dict[str, Any]:
    """Score a ratemap file (.npy / .npz) or a trained run (directory or .safetensors).

    For a run, fresh trajectories are simulated and the bottleneck ratemaps built with dropout
    off (``nbins`` bins, ``n_trajectories`` trajectories). Returns :meth:`GridScores.summary`
    with the shuffle threshold (``n_shuffles`` shuffles, 0 for none) and where the maps came
    from; ``save_ratemaps`` writes an .npz with ``ratemaps`` (units, n, n) and the scores.
    ``nbins`` defaults to 32 (16 per axis for a 3-D run, scored by :func:`score_volume_run`).
    """
    path = Path(path)
    box = (BOX_SIZE_M, BOX_SIZE_M)
    if path.suffix in (".npy", ".npz"):
        maps, source = load_ratemaps(path), "ratemap file"
    elif not path.exists():
        raise GridcoreError(f"{path}: no such file or run directory")
    else:
        net = Network(*load_run(path), path)
        if net.cfg.dims == 3:
            return score_volume_run(
                net,
                nbins=nbins or 16,
                n_trajectories=n_trajectories,
                n_shuffles=n_shuffles,
                seed=seed,
                save_ratemaps=save_ratemaps,
            )
        maps = bottleneck_ratemaps(net, n_trajectories=n_trajectories, nbins=nbins or 32)
        motion = net.motion
        box, source = (motion.box_width, motion.box_height), f"run at step {net.step}"
    res = score_ratemaps(maps, mode=mode, box_width=box[0], box_height=box[1])
    null = None
    if n_shuffles > 0:
        null = shuffle_threshold(
            maps, n_shuffles=n_shuffles, method=shuffle_method, seed=seed, mode=mode
        )
    summary = {"path": str(path), "source": source}
    summary.update(res.summary(None if null is None else null.threshold))
    if mode != "deepmind":  # DeepMind's scorer too, the figure the paper's 25.2 % is
        dm = score_ratemaps(maps, mode="deepmind", box_width=box[0], box_height=box[1])
        summary["deepmind_fraction_above_0.37"] = dm.fraction(PAPER_THRESHOLD)
        summary["deepmind_fraction_above_0.8"] = dm.fraction(STRICT_THRESHOLD)
    if null is not None:
        summary.update(shuffle_method=null.method, n_shuffles=n_shuffles)
    if save_ratemaps is not None:
        arrays = {
            "grid_score_60": res.grid_score_60,
            "grid_score_90": res.grid_score_90,
            "grid_like": res.grid_like,
        }
        summary["saved_ratemaps"] = _save_maps(save_ratemaps, maps, arrays)
    return summary


def _save_maps(path: str | Path, maps: np.ndarray, arrays: dict[str, np.ndarray]) -> str:
    """Write ``ratemaps`` and ``arrays`` to an .npz at ``path``, atomically; its name."""
    path = Path(path).with_suffix(".npz")
    if not path.parent.is_dir():
        raise GridcoreError(f"{path.parent}: no such directory for --save-ratemaps")

    def write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            np.savez(fh, ratemaps=maps, **arrays)

    atomic_write(path, write)
    return str(path)


def score_volume_run(
    net: Network,
    *,
    nbins: int = 16,
    n_trajectories: int = 5000,
    n_shuffles: int = 20,
    seed: int = 0,
    save_ratemaps: str | Path | None = None,
) -> dict[str, Any]:
    """The ``score`` command for a 3-D run: bottleneck ratemaps (units, n, n, n) on fresh
    trajectories in the cube (seed ``EVAL_SEED + seed``), scored for 3-D regularity against
    the bin-shuffle null (:func:`gridcore.analysis.ratemaps3d.volume_summary`)."""
    acc = volume_ratemaps(net, n_trajectories, nbins, seed=EVAL_SEED + seed)
    maps, edge = acc.ratemaps(), volume_motion_of(net.cfg).edge
    summary = {"path": str(net.run_dir), "source": f"3-D run at step {net.step}"}
    summary.update(volume_summary(maps, edge, n_shuffles=n_shuffles, seed=seed))
    summary["min_samples_per_bin"] = int(acc.occupancy().min())
    if save_ratemaps is not None:
        summary["saved_ratemaps"] = _save_maps(save_ratemaps, maps, {})
    return summary


# --------------------------------------------------------------------------------------------
# Emergence: grid units over training, from a run's snapshots


@dataclass
class Emergence:
    """Grid-unit fractions of a run's snapshots against the training step.

    ``fractions[(mode, threshold)]`` is an array over ``steps`` (mode "deepmind" or
    "gridcore", thresholds 0.37 and 0.8); ``history_steps`` / ``position_error_cm`` are the
    decoding error logged while training (history.csv), on the training batches;
    ``median_scale_m`` the median grid scale (m) of each snapshot's grid-like units (gridcore's
    scorer, score > 0.37; NaN where there are none); ``scale_clusters`` the number of clusters
    of those scales that BIC picks (:func:`gridcore.scoring.scale_modules.cluster_scales`; 0 with
    fewer than two scales).
    """

    steps: np.ndarray
    fractions: dict[tuple[str, float], np.ndarray]
    max_score: np.ndarray  # highest 60-degree score of any unit (DeepMind's scorer)
    n_trajectories: int
    nbins: int
    history_steps: np.ndarray
    position_error_cm: np.ndarray
    median_scale_m: np.ndarray | None = None
    scale_clusters: np.ndarray | None = None

    def fraction(self, mode: str = "deepmind", threshold: float = GRID_THRESHOLD) -> np.ndarray:
        return self.fractions[(mode, float(threshold))]

    def first_step_above(
        self, level: float, mode: str = "deepmind", threshold: float = GRID_THRESHOLD
    ) -> int | None:
        """First scored step whose fraction reaches ``level`` (None if none does)."""
        hit = np.flatnonzero(self.fraction(mode, threshold) >= level)
        return int(self.steps[hit[0]]) if hit.size else None


def emergence_curve(
    run_dir: str | Path,
    n_trajectories: int = 300,
    nbins: int = 32,
    seed: int = EVAL_SEED,
    thresholds=(GRID_THRESHOLD, STRICT_GRID_THRESHOLD),
    include_initial: bool = True,
    every: int = 1,
    progress: bool = False,
) -> Emergence:
    """Score every ``every``-th snapshot of a run (and its final weights, and with
    ``include_initial`` the untrained network it started from) on the same fresh trajectories.

    The untrained network is rebuilt from the run's seed exactly as training builds it. Each
    model's bottleneck ratemaps (dropout off) are scored in both modes.
    """
    run_dir = Path(run_dir)
    _, ensembles, cfg, final_step = load_run(run_dir)
    snaps = list_snapshots(run_dir)[:: max(1, int(every))]
    sources: list[tuple[int, Path | None]] = [(0, None)] if include_initial else []
    sources += [(s, p) for s, p in snaps if s > 0]
    if final_step not in {s for s, _ in sources}:
        sources.append((final_step, run_dir / "model.safetensors"))
    sources.sort(key=lambda sp: sp[0])
    thresholds = tuple(float(t) for t in thresholds)
    fr = {(m, t): [] for m in ("deepmind", "gridcore") for t in thresholds}
    steps, best, scale, clusters = [], [], [], []
    for step, path in tqdm(sources, disable=not progress, desc="snapshots", unit="snap"):
        model = untrained_model(cfg, seed=cfg.seed)[0] if path is None else load_run(path)[0]
        net = Network(model, ensembles, cfg, step, run_dir)
        maps = bottleneck_ratemaps(net, n_trajectories, nbins, seed=seed)
        for mode in ("deepmind", "gridcore"):
            res = score_ratemaps(maps, mode=mode)
            for t in thresholds:
                fr[(mode, t)].append(res.fraction(t))
            if mode == "deepmind":
                best.append(float(np.nanmax(res.grid_score_60)))
            else:
                scale.append(res.summary()["median_scale_m_grid_like"])
                clusters.append(_scale_clusters(res))
        steps.append(step)
    hist = read_history(run_dir)
    return Emergence(
        steps=np.array(steps),
        fractions={k: np.array(v) for k, v in fr.items()},
        max_score=np.array(best),
        n_trajectories=int(n_trajectories),
        nbins=int(nbins),
        history_steps=np.array([row["step"] for row in hist]),
        position_error_cm=np.array([row["position_error_cm"] for row in hist]),
        median_scale_m=np.array(scale, dtype=float),
        scale_clusters=np.array(clusters, dtype=int),
    )


def _scale_clusters(res: GridScores) -> int:
    """Clusters (BIC) among the scales of the grid-like units that have one; 0 below two."""
    scales = res.scale_m[res.scaled_units]
    return cluster_scales(scales).k if scales.size >= 2 else 0
