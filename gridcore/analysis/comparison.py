"""The shipped networks beside the paper, point by point (the book's results chapter).

For each network: the rat it was trained on (mean speed, m/s) and for how long, the share of
bottleneck units that are grid-like (DeepMind's scorer, 60-degree score > 0.37), the scales of
those units (gridcore's scorer; m, shown in cm) and whether they cluster into modules
(:func:`gridcore.scoring.scale_modules.cluster_scales`), and the path-integration error after 15 s,
trained against untrained, on the network's own rat and along the recorded rat of Sargolini et al.
(:func:`gridcore.analysis.real_paths.long_path_errors`). A network trained over several seeds in a
sweep gets a column of medians and ranges from its table. :func:`compare_runs` does it all for run
directories (``python -m gridcore compare RUN ... [--sweep DIR --condition NAME]``), and
:func:`sweep_column` reads a sweep condition's column.

:func:`training_table` says how each network was trained (its preset, seed, steps, the settings
it changed and how long it took), and :func:`training_command` the command that trains it
again; :func:`scales_sentence`, :func:`scale_range_phrase`, :func:`modules_sentence` and
:func:`clusters_phrase` put the scales and their clusters in words, :func:`geometry_sentence` a
network's grid geometry and :func:`degenerate_sentence` the maps gridcore's scorer flags.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from gridcore.analysis.real_paths import long_path_errors
from gridcore.analysis.results import ScoredNetwork, score_network
from gridcore.errors import GridcoreError
from gridcore.formatting import count, join
from gridcore.net.config import PRESETS, TrainConfig
from gridcore.net.levers import NOT_APPLICABLE, in_words
from gridcore.net.runs import Network, load_network
from gridcore.paper import (
    GRID_FRACTION,
    GRID_SCALE_RANGE_M,
    GRID_THRESHOLD,
    MODULE_SCALES_M,
    PATH_ERROR_15S_CM,
    UPDATES,
)
from gridcore.scoring.scale_modules import ScaleClusters, cluster_scales
from gridcore.world.trajectories import get_motion

# The rows of the table, in order (short, so that the table fits a page's text column). The
# two error rows read "trained / untrained".
QUANTITIES = (
    "rat's mean speed (m/s)",
    "training steps",
    "grid-like units, > 0.37 (%)",
    "median grid scale (cm)",
    "grid scales, range (cm)",
    "grid scales, 10th–90th percentile (cm)",
    "scale modules (centres, cm)",
    "ratio of neighbouring modules",
    "15 s error, own rat (cm)",
    "15 s error, recorded rat (cm)",
)
MIN_SCALES = 2  # grid-like units with a scale needed to cluster them at all
NOT_REPORTED = "–"


@dataclass(frozen=True)
class Measured:
    """What the comparison sets beside the paper for one network."""

    name: str
    mean_speed_m_s: float
    steps: int
    grid_fraction: float  # DeepMind's scorer, > 0.37 (fraction of bottleneck units)
    scales_m: np.ndarray  # gridcore's scale of each grid-like unit with one, m
    clusters: ScaleClusters | None  # None: fewer than MIN_SCALES scales
    errors_cm: dict[str, float]  # long_path_errors' four 15 s errors, cm


def measure(scored: ScoredNetwork, name: str, n_paths: int = 200, seed: int = 0) -> Measured:
    """Everything the comparison needs from one scored network: its grid-like share and scales,
    their modules (clusters by BIC, ``seed`` for the mixture's restarts) and the paper's 15 s
    path-integration errors on ``n_paths`` paths, trained and untrained."""
    net = scored.network
    gc = scored.scores["gridcore"]
    scales = gc.scale_m[gc.scaled_units]
    clusters = cluster_scales(scales, seed=seed) if scales.size >= MIN_SCALES else None
    errors = long_path_errors(net, seconds=15.0, n_paths=n_paths)
    return Measured(
        name=name,
        mean_speed_m_s=float(net.motion.mean_speed),
        steps=int(net.step),
        grid_fraction=float(scored.scores["deepmind"].fraction(GRID_THRESHOLD)),
        scales_m=scales,
        clusters=clusters,
        errors_cm=errors,
    )


def _pair(a: float, b: float) -> str:
    return f"{a:.0f} / {b:.0f}" if np.isfinite(a) and np.isfinite(b) else NOT_REPORTED


def _column(m: Measured) -> list[str]:
    s = 100 * m.scales_m
    c = m.clusters
    return [
        f"{m.mean_speed_m_s:.2f}",
        f"{m.steps:,}",
        f"{100 * m.grid_fraction:.1f}",
        f"{np.median(s):.0f}" if s.size else NOT_REPORTED,
        f"{s.min():.0f}–{s.max():.0f}" if s.size else NOT_REPORTED,
        f"{np.percentile(s, 10):.0f}–{np.percentile(s, 90):.0f}" if s.size else NOT_REPORTED,
        f"{c.k}: " + ", ".join(f"{100 * v:.0f}" for v in c.means_m) if c else NOT_REPORTED,
        ", ".join(f"{r:.2f}" for r in c.ratios) if c and c.k > 1 else "none (one module)",
        _pair(m.errors_cm["position_error_15s_cm"], m.errors_cm["untrained_error_15s_cm"]),
        _pair(
            m.errors_cm["real_path_error_15s_cm"], m.errors_cm["untrained_real_path_error_15s_cm"]
        ),
    ]


def paper_column() -> list[str]:
    """The paper's figures (Banino et al. 2018), in the rows of :data:`QUANTITIES`."""
    low, high = (100 * v for v in GRID_SCALE_RANGE_M)
    modules = [100 * v for v in MODULE_SCALES_M]
    ratios = [b / a for a, b in zip(modules, modules[1:], strict=False)]
    return [
        f"{get_motion('paper').mean_speed:.2f}",
        f"{UPDATES:,}",
        f"{100 * GRID_FRACTION:.1f}",
        NOT_REPORTED,
        f"{low:.0f}–{high:.0f}",
        NOT_REPORTED,
        f"{len(modules)}: " + ", ".join(f"{v:.0f}" for v in modules),
        ", ".join(f"{r:.2f}" for r in ratios),
        _pair(PATH_ERROR_15S_CM["trained"], PATH_ERROR_15S_CM["untrained"]),
        NOT_REPORTED,
    ]


def _spread(values: pd.Series, scale: float = 1.0, digits: int = 0) -> str:
    v = scale * values.dropna().to_numpy(dtype=float)
    if v.size == 0:
        return NOT_REPORTED
    return f"{np.median(v):.{digits}f} ({v.min():.{digits}f}–{v.max():.{digits}f})"


def finished_trials(table: pd.DataFrame, condition: str) -> pd.DataFrame:
    """The rows of a sweep's results table for ``condition``'s finished seeds; a ValueError
    when it has none."""
    rows = table[(table["condition"] == condition) & (table["status"] == "done")]
    if rows.empty:
        raise ValueError(f"no finished trials of condition {condition!r} in the table")
    return rows


def seeds_column(table: pd.DataFrame, condition: str) -> list[str]:
    """One condition of a sweep's results table, as medians (range) over its seeds, in the rows
    of :data:`QUANTITIES` that a sweep measures (the others: not reported)."""
    rows = finished_trials(table, condition)
    return [
        NOT_REPORTED,
        f"{int(rows['step'].median()):,}",
        _spread(rows["grid_fraction_037"], 100, 1),
        _spread(rows["median_scale_m"], 100),
        NOT_REPORTED,
        NOT_REPORTED,
        NOT_REPORTED,
        NOT_REPORTED,
        f"{_spread(rows['position_error_15s_cm'])} / {_spread(rows['untrained_error_15s_cm'])}",
        f"{_spread(rows['real_path_error_15s_cm'])} / "
        f"{_spread(rows['untrained_real_path_error_15s_cm'])}",
    ]


def paper_table(
    measured: Sequence[Measured], sweeps: dict[str, list[str]] | None = None
) -> pd.DataFrame:
    """The paper's column, then one column per measured network, then one per ``sweeps`` entry
    (a label and its :func:`seeds_column`): rows are :data:`QUANTITIES`, the error rows as
    "trained / untrained"."""
    columns = {"paper": paper_column()}
    columns |= {m.name: _column(m) for m in measured}
    columns |= dict(sweeps or {})
    return pd.DataFrame(columns, index=pd.Index(QUANTITIES))


def compare_runs(
    runs: Sequence[str | Path],
    sweep: str | Path | None = None,
    condition: str | None = None,
    n_trajectories: int = 5000,
    n_paths: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """:func:`paper_table` of the trained runs ``runs`` (each scored on ``n_trajectories`` fresh
    trajectories at 32 bins, its 15 s errors on ``n_paths`` paths), with one more column of
    medians over seeds for ``condition`` of the sweep directory ``sweep`` when given."""
    if (sweep is None) != (condition is None):
        raise GridcoreError("give a sweep directory and one of its conditions together")
    measured = []
    for run in tqdm(runs, desc="networks", disable=len(runs) < 2):
        net = load_network(run)
        scored = score_network(net, n_trajectories, nbins=32, seed=seed, n_shuffles=0)
        measured.append(measure(scored, Path(run).name, n_paths=n_paths, seed=seed))
    over_seeds = sweep_column(sweep, condition) if sweep is not None else {}
    return paper_table(measured, over_seeds)


def sweep_column(sweep: str | Path, condition: str) -> dict[str, list[str]]:
    """``{"<condition>: <n> seeds": seeds_column}`` for ``condition`` of the sweep directory
    ``sweep``, ready for :func:`paper_table`. A missing table or condition is a GridcoreError."""
    csv = Path(sweep) / "results.csv"
    if not csv.is_file():
        raise GridcoreError(f"{sweep}: not a sweep directory (no results.csv)")
    table = pd.read_csv(csv)
    try:
        n = len(finished_trials(table, condition))
    except ValueError:
        known = ", ".join(sorted(set(table["condition"])))
        raise GridcoreError(
            f"{sweep}: no finished trials of condition {condition!r}; it has: {known}"
        ) from None
    return {f"{condition}: {n} seeds": seeds_column(table, condition)}


# --------------------------------------------------------------------------------------------
# The scale clusters in words


def clusters_phrase(k: int) -> str:
    """How many clusters of grid scales BIC found, in a phrase: "a single cluster of scales",
    "3 clusters of scales", or "no clusters of scales" (0: too few scales to cluster)."""
    if k <= 0:
        return "no clusters of scales"
    return "a single cluster of scales" if k == 1 else f"{k} clusters of scales"


def scales_sentence(scales_m: np.ndarray, n_grid: int) -> str:
    """How many of ``n_grid`` grid-like units have a measured scale (``scales_m``, m), and
    their range and median in cm, in one sentence; no range for fewer than two."""
    s = 100 * np.asarray(scales_m, dtype=float)
    s = s[np.isfinite(s)]
    if n_grid == 0:
        return "No unit is grid-like, so there is no grid scale to measure."
    if n_grid == 1:
        return (
            f"The only grid-like unit has a measurable scale, {s[0]:.0f} cm."
            if s.size
            else "The only grid-like unit has no measurable scale."
        )
    if s.size == 0:
        return f"None of the {n_grid} grid-like units has a measurable scale."
    if s.size == 1:
        return f"1 of the {n_grid} grid-like units has a measurable scale, {s[0]:.0f} cm."
    return (
        f"{s.size} of the {n_grid} grid-like units have a measurable scale, from {s.min():.0f} "
        f"to {s.max():.0f} cm (median {np.median(s):.0f} cm)."
    )


def scale_range_phrase(scales_m: np.ndarray) -> str:
    """Where the median of the grid scales ``scales_m`` (m) lies against the paper's range
    (:data:`gridcore.paper.GRID_SCALE_RANGE_M`), with their own range, all in cm; a sentence
    opening, without its full stop, so that a clause can follow."""
    s = 100 * np.asarray(scales_m, dtype=float)
    s = s[np.isfinite(s)]
    low, high = (100 * v for v in GRID_SCALE_RANGE_M)
    paper = f"the paper's range of {low:.0f} to {high:.0f} cm"
    if s.size == 0:
        return f"No grid-like unit has a measurable scale to set against {paper}"
    med = float(np.median(s))
    where = "above" if med > high else "below" if med < low else "inside"
    ours = f" (ours run from {s.min():.0f} to {s.max():.0f} cm)" if s.size > 1 else ""
    return f"The median grid scale, {med:.0f} cm, lies {where} {paper}{ours}"


def modules_sentence(clusters: ScaleClusters | None) -> str:
    """The Gaussian mixture that BIC prefers for a network's grid scales, in one sentence: how
    many components, centred where (cm), and the ratios between neighbouring centres; for
    ``None`` (fewer than :data:`MIN_SCALES` scales), that there is nothing to cluster."""
    if clusters is None:
        return f"Fewer than {MIN_SCALES} grid-like units have a scale, too few to look for modules."
    centres = [f"{100 * m:.0f}" for m in clusters.means_m]
    if clusters.k == 1:
        return (
            f"The mixture that BIC prefers has a single component, centred at {centres[0]} cm: "
            "the scales form one cluster, not modules."
        )
    ratios = join(f"{r:.2f}" for r in clusters.ratios)
    between = "a ratio" if clusters.k == 2 else "ratios"
    return (
        f"The mixture that BIC prefers has {clusters.k} components, centred at "
        f"{join(centres)} cm, {between} of {ratios} between neighbouring centres."
    )


# --------------------------------------------------------------------------------------------
# How each network was trained

#: Config fields that only say how a run logs, checkpoints and scores itself while it trains;
#: they leave the trained weights as they are, so the training table leaves them out.
BOOKKEEPING = (
    "log_every",
    "checkpoint_every",
    "snapshot_every",
    "score_every",
    "score_trajectories",
    "score_nbins",
    "threads",
)
_OWN_COLUMNS = ("seed", "steps")  # fields the table and the command give on their own


def _setting(value) -> str:
    """A config value as ``--set`` takes it: booleans in lower case, floats in their shortest
    exact form (``repr``: ``1e-14``, ``2.3333333``), so that the command trains the same run."""
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if isinstance(value, float) else str(value)


def _changes(cfg: TrainConfig, preset: TrainConfig) -> list[tuple[str, object]]:
    """The fields of ``cfg`` that differ from ``preset``'s, bookkeeping, seed and steps aside;
    a schedule horizon equal to the run's steps is what the run sets itself, so it is left out
    as well."""
    out = []
    for f in fields(cfg):
        mine = getattr(cfg, f.name)
        if f.name in BOOKKEEPING + _OWN_COLUMNS or mine == getattr(preset, f.name):
            continue
        if f.name == "lr_horizon" and mine == cfg.steps:
            continue
        out.append((f.name, mine))
    return out


def preset_of(cfg: TrainConfig) -> str:
    """The preset that ``cfg`` departs from least (fewest changed fields); the first in
    :data:`PRESETS`' order on a tie."""
    return min(PRESETS, key=lambda name: len(_changes(cfg, PRESETS[name])))


def training_command(net: Network, out: str | None = None) -> str:
    """The command that trains ``net`` again from scratch: its preset, seed and steps, and a
    ``--set`` for every setting it changed (:data:`BOOKKEEPING` aside); ``--out`` when given."""
    preset = preset_of(net.cfg)
    parts = [f"python -m gridcore train --preset {preset} --seed {net.cfg.seed} --steps {net.step}"]
    parts += [f"--set {k}={_setting(v)}" for k, v in _changes(net.cfg, PRESETS[preset])]
    if out:
        parts.append(f"--out {out}")
    return " ".join(parts)


def training_minutes(net: Network) -> float:
    """Wall time of ``net``'s training run (min), from the last row of its ``history.csv``;
    NaN where the run has no history."""
    path = Path(net.run_dir) / "history.csv" if net.run_dir is not None else None
    if path is None or not path.is_file():
        return float("nan")
    history = pd.read_csv(path)
    if "elapsed_s" not in history.columns or history.empty:
        return float("nan")
    return float(history["elapsed_s"].iloc[-1]) / 60


def _worded(cfg: TrainConfig, changed: list[tuple[str, object]]) -> list[str]:
    """The ``changed`` settings of ``cfg`` in words, those that do not apply to it left out."""
    words = (in_words(name, value, cfg) for name, value in changed)
    return [w for w in words if not w.endswith(NOT_APPLICABLE)]


def training_table(networks: dict[str, Network]) -> pd.DataFrame:
    """How each network of ``networks`` ({name: network}) was trained, one row each: the preset
    it departs from least, its seed and steps, every setting it changed from that preset in
    words (:func:`gridcore.net.levers.in_words`, "; " between them, those that do not apply
    left out; "none" for none; the exact
    ``--set`` options are :func:`training_command`'s) and its training time (min, one decimal;
    the wall time of its run)."""
    rows = {}
    for name, net in networks.items():
        preset = preset_of(net.cfg)
        changed = _changes(net.cfg, PRESETS[preset])
        minutes = training_minutes(net)
        rows[name] = {
            "preset": preset,
            "seed": int(net.cfg.seed),
            "steps": f"{net.step:,}",
            "settings changed from the preset": "; ".join(_worded(net.cfg, changed)) or "none",
            "training time (min)": f"{minutes:.1f}" if np.isfinite(minutes) else NOT_REPORTED,
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("network")


# --------------------------------------------------------------------------------------------
# A network's grid geometry and its flagged maps, in words


def geometry_sentence(n_grid: int, scales_cm: np.ndarray, ellipticity: np.ndarray) -> str:
    """The geometry of a network's grid-like units in words: how many of the ``n_grid`` units
    gridcore calls grid-like have all six SAC peaks in range (one ``scales_cm`` and
    ``ellipticity`` each), the range and median of their scales (cm) and whether their hexagons
    are close to regular (median ellipticity at most 1.1) or stretched."""
    s = np.asarray(scales_cm, dtype=float)
    e = np.asarray(ellipticity, dtype=float)
    if n_grid == 0:
        return "gridcore calls no unit grid-like, so there is no scale or orientation to report."
    units = "the one unit" if n_grid == 1 else f"the {n_grid} units"
    if s.size == 0:
        lead = "The one unit" if n_grid == 1 else f"None of the {n_grid} units"
        return (
            f"{lead} gridcore calls grid-like {'lacks' if n_grid == 1 else 'has'} all six "
            "peaks inside the SAC's radius, so there is no scale or orientation to report."
        )
    shape = "stretched" if np.median(e) > 1.1 else "close to regular"
    if s.size == 1:
        return (
            f"Of {units} gridcore calls grid-like, one has six peaks inside the SAC's radius: "
            f"its scale is {s[0]:.0f} cm and its hexagon is {shape}, with an ellipticity of "
            f"{e[0]:.2f} (1 is a regular hexagon)."
        )
    return (
        f"Of {units} gridcore calls grid-like, {s.size} have six peaks inside the SAC's radius. "
        f"Their scales run from {s.min():.0f} to {s.max():.0f} cm (median {np.median(s):.0f} cm) "
        f"and their hexagons are {shape}, with a median ellipticity of {np.median(e):.2f} (1 is "
        "a regular hexagon)."
    )


def degenerate_sentence(reasons: np.ndarray, above: int, threshold: float = GRID_THRESHOLD) -> str:
    """The maps gridcore's scorer flags as degenerate, in words: how many of all the units
    (``reasons``, one per unit, "" where a map is not flagged) and why, most common reason
    first, and how many of them (``above``) score above ``threshold`` with DeepMind's scorer,
    which would count them as grid cells."""
    reasons = np.asarray(reasons).astype(str)
    flagged = [r for r in reasons if r]
    n = reasons.size
    if not flagged:
        return f"In the network examined here, none of the {count(n, 'unit')} is flagged."
    why = ", ".join(f"{r}: {k}" for r, k in Counter(flagged).most_common())
    if len(flagged) == 1:
        head = f"In the network examined here, 1 of the {count(n, 'unit')} is flagged ({why})"
        tail = (
            f"; it scores above {threshold:g} with DeepMind's scorer and would count as a grid "
            "cell there."
            if above
            else f"; it does not score above {threshold:g} with DeepMind's scorer either."
        )
        return head + tail
    head = f"In the network examined here, {len(flagged)} of the {n} units are flagged ({why})"
    if above == 0:
        return (
            head + f"; none of them scores above {threshold:g} with DeepMind's scorer, so the "
            "flag changes no count at that threshold."
        )
    verb, cells = ("scores", "a grid cell") if above == 1 else ("score", "grid cells")
    return (
        head + f"; {above} of them {verb} above {threshold:g} with DeepMind's scorer and would "
        f"count as {cells} there."
    )
