"""A sweep's tables (results.csv, curves.csv): written from the trials, read back, plotted;
and every shipped sweep's trials in one table."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from gridcore.config import LOGGING_FIELDS, RUNTIME_FIELDS
from gridcore.errors import GridcoreError
from gridcore.files import atomic_write
from gridcore.results import emergence_curve
from gridcore.runs import read_history
from gridcore.sweeps.spec import CURVE_COLUMNS, RESULT_COLUMNS, Spec, Trial, load_spec
from gridcore.sweeps.summary import error_vs_grid, finished
from gridcore.sweeps.trials import read_trial

# --------------------------------------------------------------------------------------------
# The sweep directory and its tables


def _table(spec: Spec, trials: list[Trial], records: dict[str, dict]) -> pd.DataFrame:
    columns = ["trial", "condition", *spec.varied_fields(), "seed", *RESULT_COLUMNS]
    if spec.reuse:  # where a reused trial was trained
        columns.append("reused_from")
    rows = [
        {k: records[t.name].get(k, t.values.get(k)) for k in columns}
        for t in trials
        if t.name in records
    ]
    return pd.DataFrame(rows, columns=columns)


def _curves(trials: list[Trial], records: dict[str, dict]) -> pd.DataFrame:
    rows = []
    for t in trials:
        for point in records.get(t.name, {}).get("curve", []):
            for metric, value in point.items():
                if metric not in ("step", "source"):
                    rows.append(
                        (t.name, t.condition, t.seed, point["step"], point["source"], metric, value)
                    )
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def _write_csv(path: Path, df: pd.DataFrame) -> None:
    atomic_write(path, lambda tmp: df.to_csv(tmp, index=False))


def write_tables(out: Path, spec: Spec, trials: list[Trial]) -> pd.DataFrame:
    """Rewrite ``results.csv`` and ``curves.csv`` from the trials' saved outcomes."""
    records = {t.name: r for t in trials if (r := read_trial(t)) is not None}
    table = _table(spec, trials, records)
    _write_csv(out / "results.csv", table)
    _write_csv(out / "curves.csv", _curves(trials, records))
    return table


# --------------------------------------------------------------------------------------------
# Reading and plotting a sweep


def _table_path(out: str | Path, name: str) -> Path:
    """The table ``name`` of the sweep directory ``out``, or ``out`` itself when it is a .csv."""
    path = Path(out)
    return path if path.suffix == ".csv" else path / name


def _results_path(out: str | Path, name: str) -> Path:
    path = _table_path(out, name)
    if not path.is_file():
        raise GridcoreError(
            f"{path}: no such file; run `python -m gridcore sweep SPEC.yaml --out DIR` first"
        )
    return path


def load(
    out: str | Path, finished_only: bool = False, missing_ok: bool = False
) -> pd.DataFrame | None:
    """A sweep's ``results.csv`` (``out`` is its directory or the file): one row per trial,
    finished, diverged or failed; with ``finished_only`` the finished (``done``) ones alone.

    A sweep without the table is a GridcoreError, or with ``missing_ok`` None (a sweep that has
    not run yet)."""
    if missing_ok and not _table_path(out, "results.csv").is_file():
        return None
    df = pd.read_csv(_results_path(out, "results.csv"), keep_default_na=True)
    return finished(df) if finished_only else df


def load_curves(out: str | Path) -> pd.DataFrame:
    """A sweep's ``curves.csv``: trial, condition, seed, step, source, metric, value."""
    return pd.read_csv(_results_path(out, "curves.csv"))


def plot_sweep(
    df: pd.DataFrame,
    metric: str = "grid_fraction_037",
    by: str = "condition",
    ax: Axes | None = None,
) -> Axes:
    """``metric`` against ``by``: every seed a point, the median a bar, the range a line.

    Only finished (``done``) trials are drawn; conditions keep the table's order. Fractions
    (columns named ``*fraction*``) are shown in percent.
    """
    for column in (metric, by):
        if column not in df.columns:
            raise GridcoreError(f"no column {column!r}; the table has: {', '.join(df.columns)}")
    data = finished(df)
    order = list(dict.fromkeys(df[by]))
    if ax is None:
        _, ax = plt.subplots(figsize=(max(3.5, 1.0 + 1.1 * len(order)), 3.2))
    rng = np.random.default_rng(0)
    for i, cond in enumerate(order):
        values = data.loc[data[by] == cond, metric].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        if not values.size:
            continue
        ax.plot(
            [i, i],
            [values.min(), values.max()],
            color="0.6",
            lw=1.5,
            zorder=1,
            label="range over seeds" if i == 0 else None,
        )
        ax.scatter(
            i + rng.uniform(-0.12, 0.12, values.size),
            values,
            s=22,
            color="C0",
            alpha=0.8,
            zorder=3,
            label="one seed" if i == 0 else None,
        )
        ax.plot(
            [i - 0.25, i + 0.25],
            [np.median(values)] * 2,
            color="C3",
            lw=2.5,
            zorder=2,
            label="median" if i == 0 else None,
        )
    ax.set_xticks(
        range(len(order)),
        [str(c) for c in order],
        rotation=30 if sum(len(str(c)) for c in order) > 40 else 0,
        ha="right" if sum(len(str(c)) for c in order) > 40 else "center",
    )
    ax.set_xlim(-0.6, len(order) - 0.4)
    ax.set_xlabel(by)
    ax.set_ylabel(metric)
    if "fraction" in metric:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.update_datalim([(0, 0)])  # fractions from 0, still autoscaled for what comes next
        ax.autoscale_view()
    # Outside the axes, so that no point hides under it.
    ax.legend(frameon=False, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


#: How each metric is labelled on an axis.
AXIS_LABELS: dict[str, str] = {
    "grid_fraction_037": "units > 0.37 (DeepMind's scorer)",
    "grid_fraction_080": "units > 0.8 (DeepMind's scorer)",
    "position_error_cm": "position error (cm)",
    "heading_error_deg": "heading error (degrees)",
    "loss": "loss (nats)",
    "median_scale_m": "median grid scale (m)",
    "scale_clusters": "scale clusters (BIC)",
    "position_error_15s_cm": "error after 15 s (cm)",
    "untrained_error_15s_cm": "untrained, after 15 s (cm)",
    "real_path_error_15s_cm": "recorded paths, after 15 s (cm)",
    "untrained_real_path_error_15s_cm": "untrained, recorded paths (cm)",
    "place_loss": "place-cell loss (nats)",
    "l2_loss": "L2 term (nats)",
    "l2_share": "L2 term's share of the loss",
}


#: The loss terms each trial logs (history.csv), read by :func:`with_loss_terms`.
LOSS_TERMS = ("place_loss", "hd_loss", "l2_loss")


def trial_run_dir(out: str | Path, row: pd.Series) -> Path:
    """The run directory that trained a table row's network: the sweep's own trial directory,
    or for a trial taken over from a sibling sweep (``reused_from`` "sweep/trial") the sibling's."""
    donor = row.get("reused_from")
    if isinstance(donor, str) and "/" in donor:
        sweep, trial = donor.split("/", 1)
        return Path(out).parent / sweep / "trials" / trial
    return Path(out) / "trials" / str(row["trial"])


def with_loss_terms(out: str | Path, df: pd.DataFrame | None = None) -> pd.DataFrame:
    """A sweep's table (``df``, or ``results.csv`` read from ``out``) with each trial's loss terms
    at its last logged step (:data:`LOSS_TERMS`, nats; NaN where the run directory or the term is
    missing) and ``l2_share``, the L2 term's share of the loss there (0-1)."""
    df = load(out) if df is None else df.copy()
    last = [(read_history(trial_run_dir(out, row)) or [{}])[-1] for _, row in df.iterrows()]
    for term in LOSS_TERMS:
        df[term] = [float(h.get(term, np.nan)) for h in last]
    total = df[list(LOSS_TERMS)].fillna(0.0).sum(axis=1)
    df["l2_share"] = (df["l2_loss"] / total).where(total > 0)
    return df


def plot_experiment(
    df: pd.DataFrame,
    metrics: tuple[str, ...] = ("grid_fraction_037", "position_error_cm", "loss"),
    by: str = "condition",
    width: float = 4.2,
) -> np.ndarray:
    """One :func:`plot_sweep` panel per metric, side by side; returns the axes."""
    fig, axes = plt.subplots(
        1, len(metrics), figsize=(width * len(metrics), 3.6), layout="constrained", squeeze=False
    )
    for ax, metric in zip(axes[0], metrics, strict=True):
        plot_sweep(df, metric, by, ax=ax)
        ax.set_ylabel(AXIS_LABELS.get(metric, metric))
        if ax is not axes[0][0]:
            ax.get_legend().remove()
    return axes[0]


def plot_curves(
    curves: pd.DataFrame,
    metric: str = "grid_fraction_037",
    condition: str | None = None,
    level: float | None = None,
    ax: Axes | None = None,
    source: str = "training",
    min_share: float = 0.0,
) -> Axes:
    """``metric`` at every training scoring: one thin line per seed, the median over seeds thick.

    ``condition`` picks one condition of the sweep (default: all trials together); ``level``
    draws a horizontal reference (e.g. the paper's 25.2 %); ``source`` "snapshot" draws the
    rows of :func:`snapshot_curves` instead. The median is drawn only at steps where at least
    ``min_share`` of the seeds have a value (a grid scale needs grid-like units to measure).
    """
    data = curves[(curves["source"] == source) & (curves["metric"] == metric)]
    if condition is not None:
        data = data[data["condition"] == condition]
    if data.empty:
        raise GridcoreError(f"no {source} scorings of {metric!r} in these curves")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.4))
    wide = data.pivot_table(index="step", columns="trial", values="value", dropna=False)
    for k, trial in enumerate(wide.columns):
        ax.plot(
            wide.index,
            wide[trial],
            color="C0",
            lw=0.8,
            alpha=0.45,
            label="one seed" if k == 0 else None,
        )
    median = wide.median(axis=1).where(wide.notna().mean(axis=1) >= min_share)
    ax.plot(wide.index, median, color="C3", lw=2.5, label="median over seeds")
    if level is not None:
        ax.axhline(level, color="0.3", ls="--", lw=1, label=f"{100 * level:.1f} %")
    ax.set_xlabel("training step")
    ax.set_ylabel(AXIS_LABELS.get(metric, metric))
    if "fraction" in metric:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.legend(frameon=False, fontsize="small")
    return ax


def snapshot_curves(
    sweep_dir: str | Path,
    every: int = 1,
    n_trajectories: int = 1000,
    progress: bool = False,
    unfinished: bool = False,
) -> pd.DataFrame:
    """Grid fraction (DeepMind's scorer, > 0.37), median grid scale (m; gridcore's scorer, of
    its units > 0.37) and the number of clusters of those scales (BIC) of every ``every``-th weight snapshot of each finished trial of a
    sweep (with ``unfinished``, also of trials still training), as rows like ``curves.csv``'s
    with ``source`` "snapshot". Needs the trials' run directories (they stay on the machine
    that trained them, out of git)."""
    sweep_dir = Path(sweep_dir)
    rows = []
    for trial in load_spec(sweep_dir / "spec.yaml").trials(sweep_dir):
        done = (read_trial(trial) or {}).get("status") == "done"
        if not (done or (unfinished and (trial.run_dir / "model.safetensors").is_file())):
            continue
        em = emergence_curve(trial.run_dir, n_trajectories, include_initial=False, every=every)
        values = {
            "grid_fraction_037": em.fraction("deepmind"),
            "median_scale_m": em.median_scale_m,
            "scale_clusters": em.scale_clusters,
        }
        for metric, series in values.items():
            for step, value in zip(em.steps, series, strict=True):
                rows.append(
                    (trial.name, trial.condition, trial.seed, int(step), "snapshot", metric, value)
                )
        if progress:
            print(f"{trial.name}: {len(em.steps)} snapshots", flush=True)
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


# --------------------------------------------------------------------------------------------
# Every sweep at once


def _settings_keys(sweep_dir: Path) -> dict[str, str]:
    """{trial name: what it trained, as text} from the sweep's ``spec.yaml``: its whole config
    but the logging, runtime and scoring fields. Empty when the spec is missing or no longer
    loads."""
    try:
        trials = load_spec(sweep_dir / "spec.yaml").trials(sweep_dir)
    except GridcoreError:
        return {}
    skip = {*LOGGING_FIELDS, *RUNTIME_FIELDS}
    keys = {}
    for t in trials:
        cfg = {
            k: v for k, v in asdict(t.cfg).items() if k not in skip and not k.startswith("score")
        }
        keys[t.name] = json.dumps(cfg, sort_keys=True, default=str)
    return keys


def load_all(root: str | Path = "experiments", unique: bool = True) -> pd.DataFrame:
    """The finished (``done``) trials of every sweep under ``root`` (each ``root/*/results.csv``,
    sweeps in name order), one row each, with the sweep's name in column ``experiment``.

    Sweeps often train the same network twice (the ``quick`` preset at seed 0 is in the
    headline and in the dropout sweeps): with ``unique`` a trial whose settings (its config but
    logging, runtime and scoring fields, from the sweep's ``spec.yaml``) and seed match an
    earlier row's is left out. Column ``same_as`` names, for each row kept, the other sweeps'
    trials it stands for (``experiment/trial``, ``; ``-separated).
    """
    root = Path(root)
    frames = []
    for csv in sorted(root.glob("*/results.csv")):
        df = load(csv, finished_only=True)
        keys = _settings_keys(csv.parent)
        settings = [keys.get(t, f"{csv.parent.name}/{t}") for t in df["trial"]]
        frames.append(df.assign(experiment=csv.parent.name, settings=settings))
    if not frames:
        return pd.DataFrame(columns=["experiment", "trial", "condition", "seed", *RESULT_COLUMNS])
    data = pd.concat(frames, ignore_index=True)
    where = data["experiment"] + "/" + data["trial"].astype(str)
    first = data.groupby("settings", sort=False)["settings"].transform(lambda s: s.index[0])
    data["same_as"] = [
        "; ".join(w for j, w in where[first == first[i]].items() if j != i) for i in data.index
    ]
    if unique:
        data = data[first == data.index]
    cols = ["experiment", *[c for c in data.columns if c not in ("experiment", "settings")]]
    return data[cols].reset_index(drop=True)


def progress(root: str | Path = "experiments") -> pd.DataFrame:
    """Every sweep under ``root`` (a ``root/<name>/spec.yaml``, or a ``root/<name>.yaml`` not
    yet run): trials planned by its spec, and how many are ``done``, ``diverged`` or ``failed``
    in its ``results.csv`` (0 without one). Index: ``experiment``."""
    root = Path(root)
    specs = {p.stem: p for p in root.glob("*.yaml")}
    specs.update({p.parent.name: p for p in root.glob("*/spec.yaml")})
    rows = []
    for name in sorted(specs):
        try:
            planned = len(load_spec(specs[name]).trials(root / name))
        except GridcoreError:
            planned = np.nan
        csv = root / name / "results.csv"
        status = load(csv)["status"] if csv.is_file() else pd.Series([], dtype=str)
        rows.append(
            {
                "experiment": name,
                "planned": planned,
                **{s: int((status == s).sum()) for s in ("done", "diverged", "failed")},
            }
        )
    columns = ["experiment", "planned", "done", "diverged", "failed"]
    return pd.DataFrame(rows, columns=columns).set_index("experiment")


def plot_error_vs_grid(
    df: pd.DataFrame,
    ax: Axes | None = None,
    error: str = "position_error_cm",
    grid: str = "grid_fraction_037",
    by: str = "experiment",
) -> Axes:
    """Position error against grid fraction, one point per finished trial, coloured by ``by``;
    the title gives Spearman's rho with its bootstrap 95 % interval (:func:`error_vs_grid`)."""
    for column in (error, grid):
        if column not in df.columns:
            raise GridcoreError(f"no column {column!r}; the table has: {', '.join(df.columns)}")
    data = finished(df)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.8))
    groups = data.groupby(by, sort=False) if by in data.columns else [("trials", data)]
    for k, (name, group) in enumerate(groups):
        ax.scatter(group[grid], group[error], s=24, alpha=0.8, color=f"C{k % 10}", label=name)
    stat = error_vs_grid(data, error, grid)
    if np.isfinite(stat["rho"]):
        ax.set_title(
            f"Spearman rho = {stat['rho']:.2f} [{stat['low']:.2f}, {stat['high']:.2f}], "
            f"n = {stat['n']}",
            fontsize=10,
        )
    ax.set_xlabel("grid-like units (> 0.37)" if grid == "grid_fraction_037" else grid)
    ax.set_ylabel("position error (cm)" if error == "position_error_cm" else error)
    if "fraction" in grid:
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.legend(frameon=False, fontsize="small")
    return ax
