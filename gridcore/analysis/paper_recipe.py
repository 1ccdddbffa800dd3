"""The paper's own recipe over seeds, beside the paper and the independent reproductions.

:func:`recipe_table` reads a sweep's ``results.csv`` (one row per seed, each scored at its last
step) and sets each measure's median and range over seeds beside the paper's figure and the
two reproductions' (:data:`gridcore.paper.PORTS`, their own figures, cited).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from gridcore.paper import GRID_FRACTION, PATH_ERROR_15S_CM, PORTS

MEASURES = {
    "grid-like units, DeepMind's scorer (%)": ("grid_fraction_037", 100, "grid_fraction"),
    "grid-like units, gridcore's scorer (%)": ("grid_fraction_037_gridcore", 100, None),
    "error after 15 s (cm)": ("position_error_15s_cm", 1, "error_15s_cm"),
    "untrained network after 15 s (cm)": ("untrained_error_15s_cm", 1, "untrained_error_15s_cm"),
    "median grid scale (m)": ("median_scale_m", 1, None),
}
PAPER = {
    "grid_fraction_037": 100 * GRID_FRACTION,
    "position_error_15s_cm": PATH_ERROR_15S_CM["trained"],
    "untrained_error_15s_cm": PATH_ERROR_15S_CM["untrained"],
}


def over_seeds(values: np.ndarray, digits: int = 1) -> str:
    """``median (low–high), n seeds`` of the finite ``values``; ``–`` when there are none."""
    values = values[np.isfinite(values)]
    if not len(values):
        return "–"
    med, lo, hi = np.median(values), values.min(), values.max()
    return f"{med:.{digits}f} ({lo:.{digits}f}–{hi:.{digits}f}), {len(values)} seeds"


def recipe_table(results: pd.DataFrame, step: int | None = None) -> pd.DataFrame:
    """Rows: the measures; columns: ours (over the finished seeds at ``step``, by default the
    largest step reached), the paper, and each reproduction."""
    done = results[results.status == "done"] if "status" in results else results
    if step is not None:
        done = done[done.step == step]
    rows = []
    for label, (column, scale, port_key) in MEASURES.items():
        digits = 2 if "scale" in label else 1
        values = scale * done[column].to_numpy(float) if column in done else np.array([])
        row = {"measure": label, "gridcore": over_seeds(values, digits)}
        paper = PAPER.get(column)
        row["paper"] = "–" if paper is None else f"{paper:.{digits}f}"
        for name, figures in PORTS.items():
            value = figures.get(port_key) if port_key else None
            if value is None:
                row[name] = "–"
            else:
                value = 100 * value if column.startswith("grid_fraction") else value
                row[name] = f"{value:.{digits}f}"
        rows.append(row)
    return pd.DataFrame(rows)


def steps_per_second(history: pd.DataFrame) -> float:
    """Training steps per second of wall time over a run's history (step, elapsed_s)."""
    if len(history) < 2:
        return math.nan
    span = history.elapsed_s.iloc[-1] - history.elapsed_s.iloc[0]
    return float((history.step.iloc[-1] - history.step.iloc[0]) / span) if span > 0 else math.nan


def progress(sweep_dir: Path) -> pd.DataFrame:
    """Per trial still training under ``sweep_dir/trials``: its last scored ``step`` and its
    ``grid_fraction_037`` there, read from the trial's ``history.csv``."""
    rows = []
    for history in sorted(Path(sweep_dir).glob("trials/*/history.csv")):
        h = pd.read_csv(history)
        scored = h[np.isfinite(h.get("grid_fraction_037", pd.Series(dtype=float)))]
        if len(scored):
            last = scored.iloc[-1]
            rows.append(
                {
                    "trial": history.parent.name,
                    "step": int(last.step),
                    "grid_fraction_037": float(last.grid_fraction_037),
                }
            )
    return pd.DataFrame(rows, columns=["trial", "step", "grid_fraction_037"])


def histories(sweep_dir: Path) -> pd.DataFrame:
    """Every logged step of every trial under ``sweep_dir/trials``: ``trial``, ``step``,
    ``place_loss``, ``grid_fraction_037`` (NaN where it was not scored) and ``elapsed_s``."""
    frames = [
        pd.read_csv(h).assign(trial=h.parent.name)
        for h in sorted(Path(sweep_dir).glob("trials/*/history.csv"))
    ]
    columns = ["trial", "step", "place_loss", "grid_fraction_037", "elapsed_s"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def progress_sentence(sweep_dir: Path, seeds: int, final_step: int) -> str:
    """How far the trials of ``sweep_dir`` have trained towards ``final_step``, and how fast."""
    h = histories(sweep_dir)
    if h.empty:
        return f"None of the {seeds} seeds has started yet."
    last = h.groupby("trial").step.max()
    rates = [steps_per_second(g) for _, g in h.groupby("trial")]
    rate = float(np.nanmedian(rates))
    if (last >= final_step).all() and len(last) == seeds:
        return f"All {seeds} seeds have reached step {final_step:,}."
    hours = final_step / rate / 3600 if rate > 0 else math.nan
    return (
        f"{len(last)} of the {seeds} seeds {'has' if len(last) == 1 else 'have'} started and "
        f"{'has' if len(last) == 1 else 'have'} reached step "
        f"{int(last.min()):,} of {final_step:,}; at {rate:.1f} steps a second on one CPU core "
        f"(shared with other training), a seed takes about {hours:.0f} hours."
    )
