"""Grid modules per network: how many scale clusters each finished trial of a sweep holds, their
ratio, and whether the setting meets the paper's picture of modules.

Each finished trial keeps its grid-like units (gridcore's scorer) and their scales in
``sweep_trial.json``. Here each network's scales go through :func:`gridcore.scoring.scale_modules.
discreteness_test` (a 1-D Gaussian mixture chosen by BIC, against scales drawn from one Gaussian
of the same mean and SD). A network *has modules* when the test says the scales are discrete,
with at least two clusters, and every ratio between successive cluster centres lies in the
paper's range (about 1.3-1.7; rat modules grow by about 1.4-1.7, Stensola et al. 2012). Where the
place read-out is sliced (``place_readout: sliced``), each unit's slice of the bottleneck tells
which place ensemble it serves, and the table gives each slice's median scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from gridcore.analysis.results import score_network
from gridcore.errors import GridcoreError
from gridcore.formatting import join
from gridcore.net.runs import load_network
from gridcore.paper import GRID_THRESHOLD
from gridcore.scoring.scale_modules import ScaleClusters, discreteness_test
from gridcore.sweeps.names import plain_name
from gridcore.sweeps.spec import Trial, load_spec
from gridcore.sweeps.trials import read_trial

UNIT_SCALES_FILE = "unit_scales.csv"  # a sweep's grid units rescored on more trajectories
RATIO_RANGE = (1.3, 1.7)  # successive module scales in the paper (47, 70, 106 cm: about 1.5)
MIN_UNITS = 6  # the fewest scales a discreteness test takes

MODULE_COLUMNS = [
    "condition",
    "seed",
    "trajectories",
    "place_readout",
    "place_sigma_m",
    "grid_fraction_037",
    "position_error_cm",
    "grid_units",
    "modules",
    "module_scales_m",
    "ratios",
    "p_value",
    "has_modules",
    "slice_scales_m",
    "unit_scales_m",
    "unit_slices",
]


@dataclass(frozen=True)
class ModuleTarget:
    """What a setting must show to count as holding modules: over its finished seeds, a median
    grid-like share (DeepMind's scorer, > 0.37) of at least ``min_grid``, a median position error
    of at most ``max_error_cm`` (a network that learnt the task), and modules (discrete, >= 2,
    ratios in :data:`RATIO_RANGE`) in at least ``min_share`` of its seeds."""

    max_error_cm: float
    min_grid: float = 0.20
    min_share: float = 0.5


def slice_count(trial: Trial) -> int:
    """How many equal slices the trial's place read-out cuts the bottleneck into: one per place
    ensemble when it is sliced, one (the whole bottleneck) when it is shared."""
    return trial.cfg.place_ensembles if trial.cfg.place_readout == "sliced" else 1


def unit_slices(units: np.ndarray, trial: Trial) -> np.ndarray:
    """Which of the bottleneck's :func:`slice_count` equal slices each unit index lies in (slice
    k serves place ensemble k in a sliced read-out); 0 for every unit of a shared read-out."""
    return np.asarray(units, dtype=int) // (trial.cfg.n_bottleneck // slice_count(trial))


def _slice_medians(slices: np.ndarray, scales: np.ndarray, k: int) -> list[float]:
    """Median scale (m) of the grid-like units in each of ``k`` slices; NaN for an empty one."""
    return [
        float(np.median(scales[slices == s])) if (slices == s).any() else np.nan for s in range(k)
    ]


def _one_trial(trial: Trial, record: dict, n_null: int) -> dict:
    units = np.asarray(record.get("grid_units", []), dtype=int)
    scales = np.asarray(record.get("grid_scales_m", []), dtype=float)
    slices = unit_slices(units, trial)
    row = {
        "condition": trial.condition,
        "seed": trial.seed,
        "trajectories": int(record.get("trajectories", trial.cfg.score_trajectories)),
        "place_readout": trial.cfg.place_readout,
        "place_sigma_m": trial.cfg.place_sigma,
        "grid_fraction_037": float(record.get("grid_fraction_037", np.nan)),
        "position_error_cm": float(record.get("position_error_cm", np.nan)),
        "grid_units": int(scales.size),
        "modules": 0,
        "module_scales_m": (),
        "ratios": (),
        "p_value": np.nan,
        "has_modules": False,
        "slice_scales_m": tuple(_slice_medians(slices, scales, slice_count(trial))),
        "unit_scales_m": tuple(scales.tolist()),
        "unit_slices": tuple(slices.tolist()),
    }
    if scales.size < MIN_UNITS:
        return row
    test = discreteness_test(scales, n_null=n_null, seed=trial.seed)
    ratios = test.clusters.ratios
    row.update(
        modules=test.k,
        module_scales_m=tuple(float(m) for m in test.clusters.means_m),
        ratios=tuple(float(r) for r in ratios),
        p_value=test.p_value,
        has_modules=bool(
            test.discrete and np.all((ratios >= RATIO_RANGE[0]) & (ratios <= RATIO_RANGE[1]))
        ),
    )
    return row


def _rescored(record: dict, scored: pd.DataFrame) -> dict:
    """A trial's record with its grid units and their scales taken from its rows of
    :data:`UNIT_SCALES_FILE` (the units of one scoring on more trajectories). Its grid-like share
    stays the sweep's own, read at the trial's last step, so that every page that quotes it
    agrees."""
    units = scored[scored["unit"] >= 0]
    return {
        **record,
        "grid_units": units["unit"].astype(int).tolist(),
        "grid_scales_m": units["scale_m"].astype(float).tolist(),
        "trajectories": int(scored["trajectories"].iloc[0]),
    }


def module_table(sweep_dir: str | Path, n_null: int = 100) -> pd.DataFrame:
    """One row per finished trial of the sweep in ``sweep_dir`` (its ``spec.yaml`` and trials'
    ``sweep_trial.json``): the number of fresh trajectories its units were scored on, the width
    of its first (narrowest) place ensemble (m), its grid-like share (DeepMind's scorer),
    position error (cm), the number of grid-like units with a scale (gridcore's scorer), the
    modules found among their scales (count, centres in m, successive ratios, the discreteness
    test's p-value against ``n_null`` one-Gaussian draws), whether they count as modules, and
    each read-out slice's median scale (m), with every unit's scale and slice.

    The units and scales are those of the trial's final scoring, unless the sweep holds
    :data:`UNIT_SCALES_FILE` (:func:`score_unit_scales`, on more trajectories): then its rows
    for the trial. Trials finished before scales were kept have no units and no modules."""
    sweep_dir = Path(sweep_dir)
    if not (sweep_dir / "spec.yaml").is_file():
        raise GridcoreError(f"{sweep_dir} is not a sweep directory: it has no spec.yaml")
    rescored = sweep_dir / UNIT_SCALES_FILE
    by_trial = dict(tuple(pd.read_csv(rescored).groupby("trial"))) if rescored.is_file() else {}
    rows = []
    for trial in load_spec(sweep_dir / "spec.yaml").trials(sweep_dir):
        record = read_trial(trial)
        if record is not None and record.get("status") == "done":
            if trial.name in by_trial:
                record = _rescored(record, by_trial[trial.name])
            rows.append(_one_trial(trial, record, n_null))
    return pd.DataFrame(rows, columns=MODULE_COLUMNS)


def score_unit_scales(
    sweep_dir: str | Path, n_trajectories: int = 5000, progress: bool = False
) -> pd.DataFrame:
    """Rescore each finished trial's saved network on ``n_trajectories`` fresh trajectories
    (32 x 32 bins, the evaluation seed): one row per grid-like unit with a scale (gridcore's
    scorer; ``unit``, ``scale_m`` in m), or one row with ``unit`` -1 for a network without any,
    each with the trial's grid-like share (DeepMind's scorer, > 0.37) and ``trajectories``.
    Rows like these, written to :data:`UNIT_SCALES_FILE`, replace the trials' own final scoring
    in :func:`module_table`. Needs the trials' run directories (they stay on the machine that
    trained them)."""
    sweep_dir = Path(sweep_dir)
    trials = [
        t
        for t in load_spec(sweep_dir / "spec.yaml").trials(sweep_dir)
        if (read_trial(t) or {}).get("status") == "done"
        and (t.run_dir / "model.safetensors").is_file()
    ]
    rows = []
    for trial in tqdm(trials, desc="networks", disable=not progress):
        scored = score_network(load_network(trial.run_dir), n_trajectories, nbins=32, n_shuffles=0)
        gc = scored.scores["gridcore"]
        units = gc.scaled_units
        share = scored.scores["deepmind"].fraction(GRID_THRESHOLD)
        for unit in units if units.size else [-1]:
            scale = float(gc.scale_m[unit]) if unit >= 0 else np.nan
            rows.append((trial.name, int(unit), scale, share, n_trajectories))
    columns = ["trial", "unit", "scale_m", "grid_fraction_037", "trajectories"]
    return pd.DataFrame(rows, columns=columns)


def module_summary(table: pd.DataFrame, target: ModuleTarget) -> pd.DataFrame:
    """Per condition of a :func:`module_table`: finished seeds, median (min-max) grid-like share
    and position error, seeds with modules, the median ratio between the two smallest modules
    of the seeds that have them, the median scale of each read-out slice, the largest median
    position error the target allows (cm) and whether the condition meets ``target``."""
    rows = []
    goal = target
    for condition, part in table.groupby("condition", sort=False):
        with_modules = part[part["has_modules"]]
        first_ratio = [r[0] for r in with_modules["ratios"]]
        slices = np.array([list(s) for s in part["slice_scales_m"]], dtype=float)
        grid, error = part["grid_fraction_037"], part["position_error_cm"]
        share = len(with_modules) / len(part)
        meets = bool(
            grid.median() >= goal.min_grid
            and error.median() <= goal.max_error_cm
            and share >= goal.min_share
        )
        rows.append(
            {
                "condition": condition,
                "seeds": len(part),
                "grid-like, median": grid.median(),
                "grid-like, range": (grid.min(), grid.max()),
                "position error (cm), median": error.median(),
                "position error (cm), range": (error.min(), error.max()),
                "seeds with modules": len(with_modules),
                "module ratio, median": float(np.median(first_ratio)) if first_ratio else np.nan,
                "slice scales (m), median": tuple(np.nanmedian(slices, axis=0).round(3)),
                "position error limit (cm)": goal.max_error_cm,
                "meets target": meets,
            }
        )
    return pd.DataFrame(rows).set_index("condition") if rows else pd.DataFrame()


def modules_answer(summary: pd.DataFrame, condition: str, target: ModuleTarget) -> str:
    """One sentence from :func:`module_summary`: does ``condition`` hold grid modules as the
    paper's are, and by which of the target's measures does it fall short?"""
    if condition not in summary.index:
        return f"Cannot tell yet: no finished seeds of {condition!r}."
    row = summary.loc[condition]
    n, have = int(row["seeds"]), int(row["seeds with modules"])
    grid, error = row["grid-like, median"], row["position error (cm), median"]
    ratio = row["module ratio, median"]
    ratio_text = f", median ratio {ratio:.2f}" if np.isfinite(ratio) else ""
    facts = (
        f"{have} of {n} seeds have two or more discrete modules with ratios in "
        f"{RATIO_RANGE[0]:g}-{RATIO_RANGE[1]:g}{ratio_text}; median grid-like share "
        f"{100 * grid:.1f} % (at least {100 * target.min_grid:.0f} % counts), median position "
        f"error {error:.0f} cm (a network that learnt the task is within "
        f"{target.max_error_cm:.0f} cm)"
    )
    if row["meets target"]:
        return f"Yes: {facts}."
    short = []
    if have / n < target.min_share:
        short.append("too few seeds with modules")
    if grid < target.min_grid:
        short.append("too few grid-like units")
    if error > target.max_error_cm:
        short.append("too large a position error")
    return f"No ({', '.join(short)}): {facts}."


def summary_for_reading(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`module_summary` with percentages, ranges and scales written out, conditions as
    columns (the book's table)."""

    def span(pair, scale=1.0, unit="", digits=1):
        return f"{scale * pair[0]:.{digits}f}–{scale * pair[1]:.{digits}f}{unit}"

    rows = {}
    for condition, r in summary.iterrows():
        rows[condition] = {
            "seeds": int(r["seeds"]),
            "grid-like, median (range)": f"{100 * r['grid-like, median']:.1f} % "
            f"({span(r['grid-like, range'], 100, ' %')})",
            "position error, median (range)": f"{r['position error (cm), median']:.0f} cm "
            f"({span(r['position error (cm), range'], 1, ' cm', digits=0)})",
            "seeds with modules": f"{int(r['seeds with modules'])} of {int(r['seeds'])}",
            "module ratio, median": "–"
            if not np.isfinite(r["module ratio, median"])
            else f"{r['module ratio, median']:.2f}",
            "median scale per slice": " / ".join(
                "–" if not np.isfinite(s) else f"{s:.2f} m" for s in r["slice scales (m), median"]
            ),
            "error of a network that learnt": f"at most {r['position error limit (cm)']:.0f} cm",
            "holds modules": "yes" if r["meets target"] else "no",
        }
    return pd.DataFrame(rows)


def modules_answers(summary: pd.DataFrame, target: ModuleTarget) -> str:
    """:func:`modules_answer` for every condition of ``summary``, each after its name."""
    return " ".join(f"`{c}`: {modules_answer(summary, c, target)}" for c in summary.index)


def holding_modules(summary: pd.DataFrame) -> str:
    """One sentence naming the conditions of :func:`module_summary` that hold modules and those
    that do not."""
    held = [f"`{c}`" for c in summary.index[summary["meets target"].astype(bool)]]
    not_held = [f"`{c}`" for c in summary.index if f"`{c}`" not in held]
    if not held:
        return f"None of {join(not_held)} holds modules."
    verb = "holds" if len(held) == 1 else "hold"
    rest = f"; {join(not_held)} {'does' if len(not_held) == 1 else 'do'} not" if not_held else ""
    return f"{join(held)} {verb} modules{rest}."


def modules_conclusion(
    summary: pd.DataFrame, halves_match: bool, shipped: str, shared: str = "shared"
) -> str:
    """The modules section in one statement, from :func:`module_summary`: the split read-out
    is built for two scales; which settings both learn the task and hold two clusters of
    scales (and in how many seeds); how often the ``shared`` control holds them; and whether
    the shipped network (``shipped``, in words) has its two clusters in its two halves
    (``halves_match``, as :func:`slice_answer` decides)."""
    if summary.empty:
        return "Not known yet: the modules sweeps have no results."

    def seeds(c) -> str:
        return f"{int(summary.loc[c, 'seeds with modules'])} of {int(summary.loc[c, 'seeds'])}"

    limit = float(summary["position error limit (cm)"].iloc[0])
    held = [c for c in summary.index if summary.loc[c, "meets target"] and c != shared]
    if held:
        who = join(f"{plain_name(c)} ({seeds(c)} seeds)" for c in held)
        first = f"only {who} {'hold' if len(held) > 1 else 'holds'} two clusters of scales"
    else:
        first = "no split setting both learns the task and holds two clusters of scales"
    text = (
        "The split read-out is built for two scales. Counting only networks that learnt the "
        f"task (a median position error of at most {limit:.0f} cm), {first}"
    )
    if shared in summary.index:
        text += f"; the shared control holds them in {seeds(shared)} seeds"
    map_ = "map" if halves_match else "do not map"
    return (
        text + f"; and in the shipped network, {shipped}, the two clusters {map_} onto the halves."
    )


def slice_owns(slices: np.ndarray, clusters: ScaleClusters) -> bool:
    """Whether each of two clusters of scales lies in its own half (90 % of its units there)."""
    slices = np.asarray(slices, dtype=int)
    per_cluster = [
        np.bincount(slices[clusters.labels == k], minlength=2) for k in range(clusters.k)
    ]
    return bool(
        clusters.k == 2
        and all(n.max() >= 0.9 * n.sum() for n in per_cluster)
        and len({int(n.argmax()) for n in per_cluster}) == 2
    )


def slice_answer(slices: np.ndarray, clusters: ScaleClusters, slice_names: tuple[str, str]) -> str:
    """Does each cluster of scales (``clusters``, of one network's grid-like units) lie in its
    own half of a sliced bottleneck? ``slices`` gives each unit's half (0 or 1), ``slice_names``
    the halves in words. A cluster counts as lying in a half when that half holds at least 90 %
    of its units. Ends with the halves' median scales and their ratio."""
    slices = np.asarray(slices, dtype=int)
    scales = clusters.scales_m
    per_cluster = [
        np.bincount(slices[clusters.labels == k], minlength=2) for k in range(clusters.k)
    ]
    parts = [
        f"the cluster at {clusters.means_m[k]:.2f} m holds {n[0]} units of {slice_names[0]} "
        f"and {n[1]} of {slice_names[1]}"
        for k, n in enumerate(per_cluster)
    ]
    own = slice_owns(slices, clusters)
    if clusters.k < 2:
        verdict = (
            f"No: the {scales.size} units' scales form one cluster, at {clusters.means_m[0]:.2f} m."
        )
    elif own:
        verdict = "Yes: " + "; ".join(parts) + "."
    else:
        verdict = "No, not cleanly: " + "; ".join(parts) + "."
    medians = _slice_medians(slices, scales, 2)
    return (
        f"{verdict} The halves' median scales are {medians[0]:.2f} and {medians[1]:.2f} m, "
        f"a ratio of {medians[1] / medians[0]:.2f}."
    )
