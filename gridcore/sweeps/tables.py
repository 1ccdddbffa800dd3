"""A sweep's tables (results.csv, curves.csv): written from the trials and read back; and every
shipped sweep's trials in one table. :mod:`gridcore.plots.sweeps` draws them."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from gridcore.analysis.results import emergence_curve
from gridcore.errors import GridcoreError
from gridcore.files import atomic_write
from gridcore.net.config import LOGGING_FIELDS, RUNTIME_FIELDS
from gridcore.net.runs import read_history
from gridcore.sweeps.spec import CURVE_COLUMNS, RESULT_COLUMNS, Spec, Trial, load_spec
from gridcore.sweeps.summary import finished
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
# Reading a sweep


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


#: The results that tell two trials of the same settings and seed apart (:func:`load_all`).
SAME_NETWORK_COLUMNS = ("grid_fraction_037", "position_error_cm", "loss")


def load_all(root: str | Path = "experiments", unique: bool = True) -> pd.DataFrame:
    """The finished (``done``) trials of every sweep under ``root`` (each ``root/*/results.csv``,
    sweeps in name order), one row each, with the sweep's name in column ``experiment``.

    Sweeps often train the same network twice (the ``quick`` preset at seed 0 is in the
    headline and in the dropout sweeps): with ``unique`` a trial whose settings (its config but
    logging, runtime and scoring fields, from the sweep's ``spec.yaml``), seed and results
    (:data:`SAME_NETWORK_COLUMNS`) match an earlier row's is left out. The same settings trained
    at another time, with results that differ, count as another network. Column ``same_as``
    names, for each row kept, the other sweeps' trials it stands for (``experiment/trial``,
    ``; ``-separated).
    """
    root = Path(root)
    frames = []
    for csv in sorted(root.glob("*/results.csv")):
        df = load(csv, finished_only=True)
        keys = _settings_keys(csv.parent)
        results = df.reindex(columns=SAME_NETWORK_COLUMNS).astype(float).round(9)
        settings = [
            keys.get(t, f"{csv.parent.name}/{t}") + json.dumps(r.tolist())
            for t, (_, r) in zip(df["trial"], results.iterrows(), strict=True)
        ]
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
